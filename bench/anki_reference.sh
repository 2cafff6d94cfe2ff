#!/usr/bin/env bash
# Regenerates tests/fixtures/anki_v3_reference.csv with Anki's own engine (the `anki` package
# from PyPI, headless, ANKI_TEST_MODE=1: no fuzz). tests/anki_reference.rs replays it through
# jargon's `anki` scheduler. The venv lives outside the repository (ANKI_VENV, default
# $TMPDIR/jargon-anki-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-anki-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki
ANKI_TEST_MODE=1 "$venv/bin/python" bench/anki_reference.py tests/fixtures/anki_v3_reference.csv
