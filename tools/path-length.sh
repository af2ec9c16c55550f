#!/usr/bin/env bash
# Instructions per sendrec round trip on the bare-metal x86-64 port, per IPC
# strategy: boots workloads/round_trip.toml under QEMU with -icount shift=0
# (the TSC, and so the kernel clock, counts guest instructions) and converts
# the client's "ns each" to TSC ticks with the frequency the kernel measured.
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
printf '%-12s %14s %10s\n' strategy instructions rounds
for ipc in rendezvous ring queue; do
    "$axl" boot --test --icount --system round_trip --ipc "$ipc" --log "$log" >/dev/null ||
        { echo "path-length: the $ipc boot failed (log: $log)" >&2; cat "$log" >&2; exit 1; }
    hz=$(grep -a -o 'TSC [0-9]* Hz' "$log" | head -1 | awk '{print $2}')
    line=$(grep -a 'round trips, .* ns each' "$log" | head -1)
    rounds=$(sed -E 's/.*ok: ([0-9]+) round trips.*/\1/' <<<"$line")
    clock_ns=$(sed -E 's/.*clock ([0-9]+) ns in all.*/\1/' <<<"$line")
    awk -v ns="$clock_ns" -v hz="$hz" -v n="$rounds" -v ipc="$ipc" \
        'BEGIN { printf "%-12s %14.1f %10d\n", ipc, ns * hz / 1e9 / n, n }'
done
