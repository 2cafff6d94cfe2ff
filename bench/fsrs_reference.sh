#!/usr/bin/env bash
# Regenerates tests/fixtures/fsrs_reference.json from the fsrs Python package in a private venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${FSRS_REF_VENV:-${TMPDIR:-/tmp}/jargon-ref-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import fsrs' 2>/dev/null || "$venv/bin/pip" install -q 'fsrs>=6,<7'
"$venv/bin/python" bench/fsrs_reference.py
