#!/usr/bin/env bash
# Fuzzes jargon's parsers with cargo-fuzz (libFuzzer).
#
#   bench/fuzz.sh [TARGET|all] [SECONDS]     (default: all 600)
#
# Targets: csv tsv toml json revlog apkg apkg_collection. Each runs for SECONDS with a memory
# limit and a maximum input length suited to its format, from a corpus in fuzz/corpus/TARGET
# seeded with tests/fixtures, decks/ and exports of the built-in decks. A crash, timeout or
# out-of-memory input is saved in fuzz/artifacts/TARGET/; the script lists them at the end and
# exits 1 if there are any. Logs go to fuzz/logs/TARGET.log.
#
# Environment: SANITIZER (address, the default, or none), JOBS (libFuzzer workers per target,
# default 1), NICE (default 15), KEEP_GOING=1 (libFuzzer's fork mode: go on after a crash,
# timeout or out-of-memory input, saving each, instead of stopping at the first). Needs cargo-fuzz (installed if missing); it uses nightly
# flags, which RUSTC_BOOTSTRAP=1 lets the stable toolchain accept.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/fuzz"
all=(csv tsv toml json revlog apkg apkg_collection)
which_target=${1:-all}
seconds=${2:-600}
sanitizer=${SANITIZER:-address}
jobs=${JOBS:-1}
niceness=${NICE:-15}

if [[ $which_target == all ]]; then
    targets=("${all[@]}")
elif [[ " ${all[*]} " == *" $which_target "* ]]; then
    targets=("$which_target")
else
    echo "fuzz.sh: unknown target '$which_target' (one of: ${all[*]}, all)" >&2
    exit 2
fi
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds == 0)); then
    echo "fuzz.sh: SECONDS must be a positive whole number, not '$seconds'" >&2
    exit 2
fi

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

# Per target: maximum input length (bytes) and memory limit (MB).
max_len() {
    case $1 in
        toml) echo 65536 ;;
        csv | tsv | json | revlog) echo 16384 ;;
        apkg) echo 131072 ;;
        apkg_collection) echo 4096 ;;
    esac
}
# Extra libFuzzer flags: a structured input needs its full length from the start.
extra() {
    case $1 in
        apkg_collection) echo -len_control=0 ;;
    esac
}
rss_limit() {
    case $1 in
        apkg | apkg_collection) echo 2048 ;;
        *) echo 1024 ;;
    esac
}

# Exports of the built-in decks, when the debug binary is there: bigger, realistic seeds.
exports="$fuzz/corpus/.exports"
if [[ -x $root/target/debug/jargon && ! -d $exports ]]; then
    tmp=$(mktemp -d)
    mkdir -p "$exports"
    db="$tmp/c.sqlite"
    for format in csv tsv json apkg; do
        "$root/target/debug/jargon" --db "$db" export deck --deck "ML::Foundations" \
            --format "$format" -o "$exports/ml-foundations.$format" >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
fi

seed() {
    local target=$1 dir="$fuzz/corpus/$1" f
    mkdir -p "$dir"
    local patterns=()
    case $target in
        csv | tsv) patterns=("$root"/tests/fixtures/*.csv "$root"/tests/fixtures/*.tsv
            "$root"/tests/fixtures/*.txt "$exports"/*.csv "$exports"/*.tsv) ;;
        toml) patterns=("$root"/decks/*.toml) ;;
        json) patterns=("$root"/tests/fixtures/deck.json "$root"/tests/fixtures/bad-json-*.json
            "$root"/tests/fixtures/anki-scheduled.expected.json "$exports"/*.json) ;;
        revlog) patterns=("$root"/tests/fixtures/*revlog*.csv) ;;
        apkg) patterns=("$root"/tests/fixtures/*.apkg "$exports"/*.apkg) ;;
        apkg_collection) patterns=() ;;
    esac
    for f in "${patterns[@]}"; do
        [[ -f $f ]] && cp -n "$f" "$dir/seed-$(basename "$f")"
    done
    # The fuzz regressions found so far are seeds too.
    for f in "$root"/tests/fixtures/fuzz/"$target"-*; do
        [[ -f $f ]] && cp -n "$f" "$dir/"
    done
    return 0
}

cd "$fuzz"
echo "fuzz.sh: building the targets (sanitizer: $sanitizer)" >&2
if ((${#targets[@]} == 1)); then
    nice -n "$niceness" cargo fuzz build -s "$sanitizer" --debug-assertions "${targets[0]}" >&2
else
    nice -n "$niceness" cargo fuzz build -s "$sanitizer" --debug-assertions >&2
fi

mkdir -p "$fuzz/logs"
run_start="$fuzz/logs/run.start"
touch "$run_start"
parallel=()
if [[ ${KEEP_GOING:-0} == 1 ]]; then
    parallel=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
elif ((jobs > 1)); then
    parallel=(-jobs="$jobs" -workers="$jobs")
fi
found=0
for target in "${targets[@]}"; do
    seed "$target"
    mkdir -p "$fuzz/artifacts/$target"
    log="$fuzz/logs/$target.log"
    rm -f "$fuzz"/fuzz-*.log
    echo "fuzz.sh: $target for ${seconds}s (log: $log)" >&2
    stamp="$fuzz/logs/$target.start"
    touch "$stamp"
    set +e
    nice -n "$niceness" cargo fuzz run -s "$sanitizer" --debug-assertions "$target" \
        "$fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -rss_limit_mb="$(rss_limit "$target")" -malloc_limit_mb="$(rss_limit "$target")" \
        -timeout=10 "${parallel[@]}" $(extra "$target") -print_final_stats=1 \
        -artifact_prefix="$fuzz/artifacts/$target/" >"$log" 2>&1
    status=$?
    set -e
    # Workers write their own logs (fuzz-N.log) when -jobs > 1.
    logs=("$log")
    if ((jobs > 1)); then
        logs+=("$fuzz"/fuzz-*.log)
    fi
    summary=$(grep -h -E '^#[0-9]+' "${logs[@]}" 2>/dev/null | tail -n 1 || true)
    execs=$(grep -h -E '^stat::number_of_executed_units' "${logs[@]}" 2>/dev/null |
        awk '{s += $2} END {print s + 0}' || true)
    if ((execs == 0)) && [[ $summary =~ ^#([0-9]+) ]]; then
        execs=${BASH_REMATCH[1]}
    fi
    new=$(find "$fuzz/artifacts/$target" -type f -newer "$stamp" | wc -l)
    echo "$target: exit $status; $execs executions; $new new inputs saved; last status: ${summary:-none}"
    if ((status != 0 || new > 0)); then
        found=1
        grep -E 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|SUMMARY|Test unit written' "$log" |
            head -n 8 | sed 's/^/    /'
    fi
done
if ((found)); then
    echo "fuzz.sh: found problems; the inputs saved by this run (replay one with" >&2
    echo "  fuzz/target/x86_64-unknown-linux-gnu/release/TARGET FILE):" >&2
    find "$fuzz/artifacts" -type f -newer "$run_start" | sed 's/^/    /' >&2
    exit 1
fi
echo "fuzz.sh: nothing found" >&2
