#!/usr/bin/env bash
# Path lengths on the bare-metal x86-64 port, in guest instructions: a
# sendrec round trip per IPC strategy (workloads/round_trip.toml), and one
# device register access, kernel-mediated and direct
# (workloads/register_access{,_direct}.toml), and a Linux driver's register
# read and interrupt delivery, kernel-mediated and direct
# (workloads/linux_path_length{,_direct}.toml, with QEMU's i6300esb and
# ne2k_pci). Each boots under QEMU with
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
# boot_and_measure SYSTEM IPC PATTERN [QEMU ARG...]: boots, prints "<instructions each> <count>".
boot_and_measure() {
    local system=$1 ipc=$2 pattern=$3
    shift 3
    local qemu=()
    for arg in "$@"; do qemu+=("--qemu=$arg"); done
    "$axl" boot --test --icount --system "$system" --ipc "$ipc" --log "$log" "${qemu[@]}" >/dev/null ||
        { echo "path-length: the $system ($ipc) boot failed (log: $log)" >&2; cat "$log" >&2; exit 1; }
    local hz line count clock_ns
    hz=$(grep -a -o 'TSC [0-9]* Hz' "$log" | head -1 | awk '{print $2}')
    line=$(grep -a "$pattern" "$log" | head -1)
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

# A Linux driver (Linux 6.1's, unmodified): a read through its own accessor
# (readl on the 6300ESB's memory BAR, inb on the NE2000's port BAR), and the
# delivery of ne2k-pci's transmit interrupt, from the kernel's raising of the
# line to Linux's handler (the least of 50: the others also wait for the
# driver to finish what it was doing; the mean is shown beside it).
linux_devices=(-device i6300esb -device ne2k_pci)
to_instructions() {  # NS HZ -> instructions
    awk -v ns="$1" -v hz="$2" 'BEGIN { printf "%.1f", ns * hz / 1e9 }'
}
printf '\n%-28s %14s %14s %14s\n' "Linux driver, access" "readl (MMIO)" "inb (port)" "interrupt"
for access in kernel direct; do
    system=linux_path_length
    [[ $access == direct ]] && system=linux_path_length_direct
    read -r mmio _ < <(boot_and_measure "$system" rendezvous '\[measure_wdt\] ok: .* register accesses' "${linux_devices[@]}")
    port=$(grep -a '\[measure_net\] ok: .* register accesses' "$log" | head -1)
    hz=$(grep -a -o 'TSC [0-9]* Hz' "$log" | head -1 | awk '{print $2}')
    port_count=$(sed -E 's/.*ok: ([0-9]+) .*/\1/' <<<"$port")
    port_ns=$(sed -E 's/.*clock ([0-9]+) ns in all.*/\1/' <<<"$port")
    port_each=$(awk -v ns="$port_ns" -v hz="$hz" -v n="$port_count" 'BEGIN { printf "%.1f", ns * hz / 1e9 / n }')
    irq=$(grep -a '\[measure_net\] ok: .* interrupt deliveries' "$log" | head -1)
    least=$(sed -E 's/.*least ([0-9]+) ns.*/\1/' <<<"$irq")
    irq_count=$(sed -E 's/.*ok: ([0-9]+) .*/\1/' <<<"$irq")
    irq_ns=$(sed -E 's/.*clock ([0-9]+) ns in all.*/\1/' <<<"$irq")
    mean=$(awk -v ns="$irq_ns" -v hz="$hz" -v n="$irq_count" 'BEGIN { printf "%.0f", ns * hz / 1e9 / n }')
    printf '%-28s %14s %14s %14s\n' "$access" "$mmio" "$port_each" "$(to_instructions "$least" "$hz") (mean $mean)"
done
