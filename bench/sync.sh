#!/usr/bin/env bash
# The sync benchmark: another device's folder with ANSWERS answers (default 1,000,000) on
# NOTES notes (default 20,000; one SM-2 scheduling answer a day per card) merged into a new
# collection by `jargon::merge::sync` (the first merge), then five rounds of 1,000 more
# answers merged onto it (the incremental sync), each step timed (examples/sync_bench.rs).
# Then the same folder is merged by the release binary into a new collection, as a learner
# runs it (`jargon sync DIR`: the built-in decks are published too), timed whole with its
# peak memory. The folder and collections live under $WORK (default target/bench-data/sync).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
work=${WORK:-$target/bench-data/sync}
cargo build --release --quiet --example sync_bench --bin jargon
"$target/release/examples/sync_bench" "$work" "${ANSWERS:-1000000}" "${NOTES:-20000}"
rm -f "$work"/binary.sqlite*
echo "the binary's first merge (jargon sync DIR, new collection):"
start=$(date +%s.%N)
JARGON_DB="$work/binary.sqlite" /usr/bin/time -f "    peak memory %M KB" \
    "$target/release/jargon" sync "$work/shared" | sed 's/^/    /'
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "    wall time %.2f s\n", e - s }'
