#!/usr/bin/env bash
# Runs libFuzzer targets of fuzz/ one after the other, each for a given time,
# and sums them up (`make fuzz`, `make fuzz-smoke`; docs/testing.md, "Fuzzing").
#
#   fuzz/run-fuzzers.sh [--build DIR] [--seconds N] [--seed-build DIR] TARGET... [-- LIBFUZZER_ARGS...]
#
#   --build DIR       the AXL_FUZZ=ON tree with bin/fuzz/TARGET_fuzzer (default build-fuzz)
#   --seconds N       per target (default 60)
#   --seed-build DIR  the normal build tree whose bare-metal outputs seed
#                     system_file and program_image (default build; skipped if absent)
#
# Each target starts from its corpus in DIR/corpus/TARGET/ (kept between
# runs, grown by each), its seeds (workloads/*.toml, workloads/scenarios/*.toml,
# the bare-metal system files and program images, fuzz/corpus/TARGET/) and the
# crashes found before (fuzz/regressions/TARGET/: a regression crashes at once).
# An input that crashes, hangs (TIMEOUT seconds) or runs out of memory is
# written to DIR/crashes/TARGET/ and stops that target; the script exits 1
# while any such file is there (turn it into a regression test, then delete it).
# Fuzzers run under `nice`, one at a time: the machine is shared.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=build-fuzz
seconds=60
seed_build=build
targets=()
extra=()
while (($#)); do
    case $1 in
        --build) build=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --seed-build) seed_build=$2; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run-fuzzers: unknown option $1 (try --help)" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ $seed_build == /* ]] || seed_build="$root/$seed_build"
((${#targets[@]})) || { echo "run-fuzzers: name at least one target" >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "run-fuzzers: --seconds $seconds: not a positive number" >&2; exit 2; }

# seeds TARGET DIR: copies the target's generated seeds into DIR.
seeds() {
    local target=$1 dir=$2
    rm -rf "$dir"
    mkdir -p "$dir"
    shopt -s nullglob
    case $target in
        system_description) cp "$root"/workloads/*.toml "$dir"/ ;;
        scenario) cp "$root"/workloads/scenarios/*.toml "$dir"/ ;;
        system_file) cp "$seed_build"/baremetal/systems/*.sys "$dir"/ 2>/dev/null || true ;;
        program_image) cp "$seed_build"/baremetal/images/*.elf "$dir"/ 2>/dev/null || true ;;
    esac
    shopt -u nullglob
}

# The longest one input may take before it counts as a hang.
timeout_of() {
    case $1 in
        server_messages) echo 30 ;;
        *) echo 10 ;;
    esac
}

# stat NAME LOG: libFuzzer's -print_final_stats value.
stat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -1; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "== fuzzing ${targets[*]}: ${seconds}s each, one at a time, niced ($(nproc) CPUs: ${cpu:-unknown})"
rows=()
total_execs=0
failed=0
for target in "${targets[@]}"; do
    fuzzer="$build/bin/fuzz/${target}_fuzzer"
    [[ -x $fuzzer ]] || { echo "run-fuzzers: no $fuzzer (make fuzz-build)" >&2; exit 2; }
    work="$build"
    corpus="$work/corpus/$target" crashes="$work/crashes/$target" log="$work/logs/$target.log"
    mkdir -p "$corpus" "$crashes" "$work/logs"
    seeds "$target" "$work/seeds/$target"
    inputs=("$corpus" "$work/seeds/$target")
    for dir in "$root/fuzz/corpus/$target" "$root/fuzz/regressions/$target"; do
        [[ -d $dir ]] && inputs+=("$dir")
    done
    echo "-- $target: $fuzzer (log: $log)"
    status=0
    nice -n 19 "$fuzzer" -max_total_time="$seconds" -timeout="$(timeout_of "$target")" -print_final_stats=1 \
        -artifact_prefix="$crashes/" "${extra[@]}" "${inputs[@]}" >"$log" 2>&1 || status=$?
    execs=$(stat number_of_executed_units "$log")
    rate=$(stat average_exec_per_sec "$log")
    found=$(find "$crashes" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    if ((status != 0 || found != 0)); then
        failed=1
        echo "   FAILED (exit status $status, $found input(s) in $crashes/); the end of its log:"
        grep -v '^#[0-9]' "$log" | tail -40 | sed 's/^/   | /'
    fi
    rows+=("$(printf '%-20s %8ss %12s %10s %8s' "$target" "$seconds" "${execs:-?}" "${rate:-?}" "$found")")
    total_execs=$((total_execs + ${execs:-0}))
done
printf '%-20s %9s %12s %10s %8s\n' target time executions execs/s crashes
printf '%s\n' "${rows[@]}"
printf '%-20s %9s %12s\n' total "" "$total_execs"
if ((failed)); then
    echo "fuzzing: FAILED: crashing inputs in $build/crashes/ (docs/testing.md: turn each into a regression test)"
    exit 1
fi
echo "fuzzing: no crash"
