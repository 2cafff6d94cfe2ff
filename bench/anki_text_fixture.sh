#!/usr/bin/env bash
# Regenerates tests/fixtures/anki-notes.txt, anki-notes-plain.txt and anki-notes.expected.json:
# a small collection of Anki's stock note types, Cloze and a custom type, exported by Anki's own
# engine as "Notes in Plain Text" with the guid, note type, deck and tags columns (with HTML and
# without). See the .py for what it holds. The venv lives outside the repository (ANKI_VENV,
# default $TMPDIR/jargon-ref-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-ref-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki
ANKI_TEST_MODE=1 TZ=UTC "$venv/bin/python" bench/anki_text_fixture.py tests/fixtures
