#!/usr/bin/env bash
# Anki's own CSV import (the `anki` package from PyPI, headless) beside `jargon import` of the
# same 100,000-row file, each into a fresh collection; prints both medians and the ratio.
# The file is the one `cargo bench --bench import` writes; it is generated here if absent.
# The venv lives outside the repository tree (under $TMPDIR, or $ANKI_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
venv=${ANKI_VENV:-${TMPDIR:-/tmp}/jargon-anki-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import anki' 2>/dev/null || "$venv/bin/pip" install --quiet anki genanki

target="${CARGO_TARGET_DIR:-target}"
csv="$target/bench-data/import-csv/bench-100k.csv"
if [ ! -f "$csv" ]; then
  mkdir -p "$(dirname "$csv")"
  # The same text as benches/import.rs writes.
  python3 - "$csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("#separator:Comma\n#html:false\n#columns:term,definition,tags\n#tags column:3\n")
    for n in range(100_000):
        f.write(f'term {n},"the definition of entry number {n}, long enough to be realistic",bench\n')
PY
fi

cargo build --release --quiet
bin="$target/release/jargon"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

times=()
for run in $(seq "$runs"); do
  rm -f "$work"/c.sqlite*
  # Create the collection (and its built-in decks) outside the timing, as for Anki.
  "$bin" --db "$work/c.sqlite" decks >/dev/null
  start=$(date +%s%N)
  "$bin" --db "$work/c.sqlite" import --deck Bench "$csv" >/dev/null
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  echo "jargon run $run: $ms ms"
  times+=("$ms")
done
jargon_ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "jargon median: $jargon_ms ms (whole process: start, read, validate, write, exit)"

anki_out=$("$venv/bin/python" bench/anki_csv_import.py "$csv" "$runs")
echo "$anki_out"
anki_s=$(echo "$anki_out" | sed -n 's/^anki median: \([0-9.]*\) s$/\1/p')
python3 -c "import sys; a=float(sys.argv[1]); j=float(sys.argv[2])/1000; print(f'Anki / jargon: {a/j:.1f}x')" "$anki_s" "$jargon_ms"
