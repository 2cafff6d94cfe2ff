#!/usr/bin/env bash
# Checks `jargon export deck --format csv` and `--format tsv` against Anki's real engine: a
# collection with the built-in decks and a deck of tricky text (bench/anki_csv_roundtrip.py
# writes it), exported as CSV and as TSV with Anki's header lines; each file imported into a
# fresh Anki collection headless (the `anki` package from PyPI) with the metadata Anki derives
# from the file itself; compared note by note: term, definition, tags, deck, guid.
#
# The venv lives outside the repository tree (under $TMPDIR, or $ANKI_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-anki-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki genanki

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/jargon"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export JARGON_DB="$work/c.sqlite" JARGON_NOW=2026-11-22T09:00:00Z TZ=UTC NO_COLOR=1

"$venv/bin/python" bench/anki_csv_roundtrip.py input "$work/tricky.json"
"$bin" import "$work/tricky.json"
"$bin" export deck --format csv -o "$work/jargon-export.csv"
"$bin" export deck --format tsv -o "$work/jargon-export.tsv"
"$venv/bin/python" bench/anki_csv_roundtrip.py check "$JARGON_DB" \
  "$work/jargon-export.csv" "$work/jargon-export.tsv"
