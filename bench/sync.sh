#!/usr/bin/env bash
# The sync benchmark: another device's folder with ANSWERS answers (default 1,000,000) on
# NOTES notes (default 20,000; one SM-2 scheduling answer a day per card) merged into a new
# collection by `jargon::merge::sync` (the first merge), then five rounds of 1,000 more
# answers merged onto it (the incremental sync), each step timed (examples/sync_bench.rs).
# The folder and collection live under $WORK (default target/bench-data/sync).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
work=${WORK:-$target/bench-data/sync}
cargo build --release --quiet --example sync_bench
"$target/release/examples/sync_bench" "$work" "${ANSWERS:-1000000}" "${NOTES:-20000}"
