#!/usr/bin/env bash
# Checks a package exported by jargon against the learner's own Anki collection, with Anki's
# own engine (the `anki` package from PyPI, headless): imported with scheduling and "update
# notes" always, it must update every note in place (same ids, guids, note types, fields byte
# for byte), keep the cards and media, and add exactly N review log rows.
#
#   bench/anki_notes_roundtrip.sh LEARNER.colpkg JARGON_EXPORT.apkg [--expect-new-answers N]
#         [--expect-new-cards K] [--edits EDITS.json] [--update-notetypes if-newer|always|never]
#   bench/anki_notes_roundtrip.sh --self-test [LEARNER.colpkg]
#       (default tests/fixtures/anki-rich.colpkg): the checker against Anki's own exports.
#
# The venv lives outside the repository (ANKI_VENV, default $TMPDIR/jargon-ref-venv).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-ref-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki
export ANKI_TEST_MODE=1 TZ=UTC
if [ "${1:-}" = "--self-test" ]; then
  exec "$venv/bin/python" "$here/bench/anki_notes_roundtrip.py" selftest \
    "${2:-$here/tests/fixtures/anki-rich.colpkg}"
fi
if [ $# -lt 2 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
exec "$venv/bin/python" "$here/bench/anki_notes_roundtrip.py" check "$@"
