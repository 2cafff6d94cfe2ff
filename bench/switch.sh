#!/usr/bin/env bash
# Switching scheduler at 1,000,000 cards: the whole `jargon config set scheduler NAME`
# process (open, every stored card's log streamed and replayed under the new scheduler, the
# changed states written in one transaction, commit), median of RUNS (default 5) per
# direction, and its peak memory.
#
# The collection (built once, cached under target/bench-data; a few minutes): a review log of
# 1,000,000 cards answered twice each (2,000,000 answers, a day or more apart, every button)
# imported with `jargon import --revlog`, so every row replays. Each run starts from a fresh
# copy of it (sm2), times sm2 -> TO (default anki), then TO -> sm2.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
to=${TO:-anki}

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/jargon"
schema=$(ls src/store/migrations/*.sql | wc -l)
data=target/bench-data
db="$data/switch-1m-v$schema.sqlite"
export JARGON_NOW=2026-11-22T09:00:00Z NO_COLOR=1 TZ=UTC
mkdir -p "$data"
if [ ! -f "$db" ]; then
  echo "building the 1M-card collection (a 2,000,000-answer review log, imported once)..."
  log="$data/switch-revlog-2m.csv"
  python3 - "$log" <<'EOF'
import sys
cards = 1_000_000
start = 1_760_000_000_000  # 2025-10-09, unix milliseconds
with open(sys.argv[1], "w") as f:
    f.write("card_id,review_rating,review_time,review_duration\n")
    for card in range(cards):
        first = start + (card % 300) * 86_400_000 + card
        second = first + (1 + card % 9) * 86_400_000
        f.write(f"{1_600_000_000_000 + card},{1 + card % 4},{first},{4000 + card % 3000}\n")
        f.write(f"{1_600_000_000_000 + card},{1 + (card // 4) % 4},{second},{4000 + card % 2000}\n")
EOF
  rm -f "$db.partial"
  JARGON_DB="$db.partial" "$bin" import --revlog "$log" >/dev/null
  JARGON_DB="$db.partial" "$bin" check
  mv "$db.partial" "$db"
  rm -f "$log"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export JARGON_DB="$work/c.sqlite"
ms() { echo $(( ($2 - $1) / 1000000 )); }
there=(); back=()
for _ in $(seq "$runs"); do
  cp "$db" "$work/c.sqlite"
  rm -f "$work/c.sqlite-wal" "$work/c.sqlite-shm"
  sync  # the copy's writeback would otherwise land inside the timed switch
  a=$(date +%s%N); "$bin" config set scheduler "$to" >/dev/null; b=$(date +%s%N)
  "$bin" config set scheduler sm2 >/dev/null; c=$(date +%s%N)
  there+=($(ms "$a" "$b")); back+=($(ms "$b" "$c"))
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "config set scheduler $to at 1M cards (2M answers): median $(median "${there[@]}") ms over $runs runs (${there[*]})"
echo "config set scheduler sm2 (back): median $(median "${back[@]}") ms over $runs runs (${back[*]})"

cp "$db" "$work/c.sqlite"
rm -f "$work/c.sqlite-wal" "$work/c.sqlite-shm"
if command -v /usr/bin/time >/dev/null 2>&1; then
  rss=$( { /usr/bin/time -v "$bin" config set scheduler "$to" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
  echo "peak memory (max RSS) of the switch: $(awk "BEGIN{printf \"%.1f\", $rss/1024}") MB"
fi
"$bin" check
