#!/usr/bin/env bash
# Regenerates tests/fixtures/sm2_reference.json from the supermemo2 package in a private venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TMPDIR:-/tmp}/jargon-sm2-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q supermemo2
"$venv/bin/python" bench/sm2_reference.py
