#!/usr/bin/env bash
# Checks that Anki's own engine reads jargon's typed CSV/TSV export back: the notes of
# tests/fixtures/anki-notes.txt (Anki's "Notes in Plain Text") imported into jargon (after
# anki-rich.apkg, which brings the custom type), exported with `jargon export deck --format
# csv|tsv`, and each file imported into a fresh Anki collection with the metadata Anki derives
# from the file; every note must arrive with Anki's type, fields, tags, deck and cards. The venv
# lives outside the repository (ANKI_VENV, default $TMPDIR/jargon-ref-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-ref-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/jargon"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export JARGON_DB="$work/c.sqlite3" TZ=UTC NO_COLOR=1
"$bin" import tests/fixtures/anki-rich.apkg >/dev/null
"$bin" import tests/fixtures/anki-notes.txt
"$bin" export deck --deck Text --format csv -o "$work/text.csv"
"$bin" export deck --deck Text --format tsv -o "$work/text.tsv"
ANKI_TEST_MODE=1 "$venv/bin/python" bench/anki_text_fixture.py check "$work/text.csv" "$work/text.tsv"
