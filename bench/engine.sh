#!/usr/bin/env bash
# Whole-binary figures at 1,000,000 cards and 1,000,000 reviews: the time `jargon review`
# takes to show its first card (and exit at the end of input), and its peak memory.
# The collection is the one `cargo bench --bench engine` builds under target/bench-data.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-21}

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/jargon"
db=target/bench-data/engine-1m-v3.sqlite
if [ ! -f "$db" ]; then
  echo "building the 1M-card collection (cargo bench --bench engine -- --test)..."
  cargo bench --bench engine --quiet -- --test >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$db" "$work/c.sqlite"
export JARGON_DB="$work/c.sqlite" JARGON_NOW=2026-11-22T09:00:00Z NO_COLOR=1

# The first card is printed before the binary reads its first line of input; /dev/null ends
# the session right there, so this times start-up, the queue, the first card and the summary.
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" review </dev/null >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "jargon review to first card (whole process, 1M cards): median $(awk "BEGIN{printf \"%.1f\", $median/1000}") ms over $runs runs"

if command -v /usr/bin/time >/dev/null 2>&1; then
  rss=$( { /usr/bin/time -v "$bin" review </dev/null >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
  echo "peak memory (max RSS): $(awk "BEGIN{printf \"%.1f\", $rss/1024}") MB"
else
  echo "peak memory: install GNU time (apt-get install time) to measure it"
fi
