#!/usr/bin/env bash
# Regenerates tests/fixtures/anki-fsrs.apkg and anki-fsrs.expected.json with Anki's own engine
# (the `anki` package from PyPI, headless, FSRS on, ANKI_TEST_MODE=1: no fuzz).
# tests/import_schedulers.rs imports the package and compares each card with Anki's. The venv
# lives outside the repository (ANKI_VENV, default $TMPDIR/jargon-ref-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-ref-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki
ANKI_TEST_MODE=1 "$venv/bin/python" bench/anki_fsrs_package.py tests/fixtures
