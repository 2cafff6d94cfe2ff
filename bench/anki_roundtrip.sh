#!/usr/bin/env bash
# Checks `jargon export deck --format apkg` against Anki's real engine: a collection with the
# built-in decks, the py-fsrs review log (12,580 answers replayed through SM-2), an Anki
# package with scheduling, some suspended cards; exported as .apkg; imported into a fresh Anki
# collection headless (the `anki` package from PyPI); compared card by card.
#
# The venv lives outside the repository tree (under $TMPDIR, or $ANKI_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-anki-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import anki, genanki' 2>/dev/null || "$venv/bin/pip" install --quiet anki genanki

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/jargon"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export JARGON_DB="$work/c.sqlite" JARGON_NOW=2026-11-22T09:00:00Z TZ=UTC NO_COLOR=1

revlog=../shared/data/revlog-py-fsrs.csv
if [ -f "$revlog" ]; then
  "$bin" import --revlog "$revlog"
else
  echo "($revlog is absent: the review log part is skipped)"
fi
"$bin" import tests/fixtures/anki-scheduled.apkg
"$bin" suspend ML::Foundations/overfitting >/dev/null 2>&1 || true
"$bin" check
"$bin" export deck --format apkg -o "$work/jargon.apkg"
"$venv/bin/python" bench/anki_roundtrip.py "$JARGON_DB" "$work/jargon.apkg"
