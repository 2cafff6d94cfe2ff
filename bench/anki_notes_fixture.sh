#!/usr/bin/env bash
# Regenerates tests/fixtures/anki-rich.apkg, anki-rich.colpkg and anki-rich.expected.json: a
# learner's collection of rich notes (Anki's stock note types, Cloze, a custom 5-field type,
# HTML, media) with four months of answers, made with Anki's own engine (the `anki` package
# from PyPI, headless, v3 scheduler, ANKI_TEST_MODE=1: no fuzz). See the .py for what it holds.
# The venv lives outside the repository (ANKI_VENV, default $TMPDIR/jargon-ref-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-ref-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki
ANKI_TEST_MODE=1 TZ=UTC "$venv/bin/python" bench/anki_notes_fixture.py tests/fixtures
