#!/usr/bin/env bash
# Peak memory of `jargon import` for each format against the size of the file imported:
# 1,000,000 notes as TOML, CSV, TSV and JSON, and a review log of 1,000,000 rows (100,000
# cards), written by bench/gen_import_files.py. Each file is imported by the release binary
# into a fresh collection (created first, so the built-in decks are not part of the run)
# under /usr/bin/time -v; prints the file's size, the peak resident set size, their ratio
# (the target is under 10) and the wall-clock seconds.
#
#   bash bench/import_memory.sh            # short notes, the hard case
#   N=100000 DEFINITION_LENGTH=120 bash bench/import_memory.sh
#   JARGON=/path/to/other/jargon bash bench/import_memory.sh   # another build, same files
#
# The files go to $TMPDIR/jargon-import-memory (removed afterwards unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-1000000}
length=${DEFINITION_LENGTH:-0}
target="${CARGO_TARGET_DIR:-target}"
work="${TMPDIR:-/tmp}/jargon-import-memory"
if [ -z "${JARGON:-}" ]; then
  cargo build --release --quiet
fi
jargon="${JARGON:-$target/release/jargon}"
rm -rf "$work"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
python3 bench/gen_import_files.py "$work/files" "$n" "$length"

printf '%-8s %10s %10s %7s %8s\n' format "file MB" "peak MB" ratio seconds
for kind in toml csv tsv json revlog; do
  db="$work/$kind/collection.sqlite"
  mkdir -p "$work/$kind"
  "$jargon" --db "$db" decks >/dev/null
  if [ "$kind" = revlog ]; then
    file="$work/files/revlog.csv"
    args=(import --revlog "$file")
  else
    file="$work/files/notes.$kind"
    args=(import --deck Bench "$file")
  fi
  /usr/bin/time -v -o "$work/$kind/time.txt" "$jargon" --db "$db" "${args[@]}" >"$work/$kind/out.txt"
  bytes=$(stat -c %s "$file")
  peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$kind/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/$kind/time.txt")
  awk -v k="$kind" -v b="$bytes" -v p="$peak_kb" -v w="$wall" 'BEGIN {
    n = split(w, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i];
    printf "%-8s %10.1f %10.1f %7.1f %8.2f\n", k, b / 1e6, p * 1024 / 1e6, p * 1024 / b, s
  }'
  rm -f "$db"
done
