#!/usr/bin/env bash
# Anki's own CSV import (the `anki` package from PyPI, headless) beside `jargon import` of the
# same 100,000-row file, each into a fresh collection, in one run:
#   1. `cargo bench --bench import`: jargon's import in process and the bare-insert floor
#      (import / floor);
#   2. bench/anki_csv_import.py: Anki's `import_csv` call, jargon's import call in process
#      (examples/import_once.rs: read, validate, plan, write, commit, into a collection that
#      exists already, as Anki's does) and the whole `jargon import` process (start-up and exit
#      included), alternating run by run so all three see the same load.
# Prints the medians and the ratios. The venv lives outside the repository tree (under
# $TMPDIR, or $ANKI_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-7}
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-anki-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki genanki

target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
cargo build --release --quiet --example import_once
# Writes target/bench-data/import-csv/bench-100k.csv and the criterion estimates.
cargo bench --quiet --bench import -- --noplot 2>&1 | grep -E '^(import_100k_csv|\s+time:)' || true
csv="$target/bench-data/import-csv/bench-100k.csv"
estimates="$target/criterion/import_100k_csv"

"$venv/bin/python" bench/anki_csv_import.py "$csv" "$runs" "$target/release/jargon" \
  "$target/release/examples/import_once" "$estimates"
