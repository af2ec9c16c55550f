#!/usr/bin/env bash
# Path lengths on the bare-metal x86-64 port, in guest instructions: a
# sendrec round trip per IPC strategy (workloads/round_trip.toml), and one
# device register access, kernel-mediated and direct
# (workloads/register_access{,_direct}.toml). Each boots under QEMU with
# -icount shift=0 (the TSC, and so the kernel clock, counts guest
# instructions) and converts the reported "ns each" back to TSC ticks with the
# frequency the kernel measured.
#
#   tools/path-length.sh [BUILD_DIR]      (default: build; needs `make iso`)
#
# Prints one line per strategy; results/README.md, "Path length (issue 6)",
# records a run.
set -euo pipefail
build=${1:-build}
axl=$build/bin/axl
[[ -x $axl ]] || { echo "path-length: $axl not found: run make build" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# boot_and_measure SYSTEM IPC PATTERN: boots, prints "<instructions each> <count>".
boot_and_measure() {
    "$axl" boot --test --icount --system "$1" --ipc "$2" --log "$log" >/dev/null ||
        { echo "path-length: the $1 ($2) boot failed (log: $log)" >&2; cat "$log" >&2; exit 1; }
    local hz line count clock_ns
    hz=$(grep -a -o 'TSC [0-9]* Hz' "$log" | head -1 | awk '{print $2}')
    line=$(grep -a "$3" "$log" | head -1)
    count=$(sed -E 's/.*ok: ([0-9]+) .*/\1/' <<<"$line")
    clock_ns=$(sed -E 's/.*clock ([0-9]+) ns in all.*/\1/' <<<"$line")
    awk -v ns="$clock_ns" -v hz="$hz" -v n="$count" 'BEGIN { printf "%.1f %d\n", ns * hz / 1e9 / n, n }'
}

printf '%-28s %14s %10s\n' "sendrec round trip" instructions rounds
for ipc in rendezvous ring queue; do
    read -r each count < <(boot_and_measure round_trip "$ipc" 'round trips, .* ns each')
    printf '%-28s %14s %10s\n' "$ipc" "$each" "$count"
done
printf '\n%-28s %14s %10s\n' "register access" instructions accesses
for access in kernel direct; do
    system=register_access
    [[ $access == direct ]] && system=register_access_direct
    read -r each count < <(boot_and_measure "$system" rendezvous 'register accesses, .* ns each')
    printf '%-28s %14s %10s\n' "$access" "$each" "$count"
done
