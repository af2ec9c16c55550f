// The hosted machine's "firmware" for PCI: where each function's BARs go,
// decided once from the system description, as a PC BIOS assigns them at
// boot. Deterministic: the result depends only on the functions' bus
// addresses and BAR layouts, never on the order of the file. The description
// reader uses it to grant each driver its BARs' ranges; the machine programs
// the same values into the BARs before anything runs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/machine/pci_function.h"

namespace axl::sim::pci_firmware {

// Memory BARs go into [0xFEB0'0000, 0xFEC0'0000) (below the I/O APIC, where
// QEMU's PC firmware also puts small BARs), each aligned to its size and to
// at least a 4 KiB page, so no two drivers ever share a page (bare metal maps
// BARs per page). I/O BARs go from port 0xC000 up (SeaBIOS's start), aligned
// to their size.
inline constexpr uint64_t memory_first = 0xFEB0'0000;
inline constexpr uint64_t memory_end = 0xFEC0'0000;
inline constexpr uint64_t memory_alignment_min = 0x1000;
inline constexpr uint32_t io_first = 0xC000;
inline constexpr uint32_t io_end = 0x10000;

struct Function {
    PciAddress address;
    const PciProfile* profile;
};

// BAR bases, per function in the order given (0 for a BAR that is absent).
// Throws std::runtime_error naming the window when the BARs do not fit.
std::vector<std::array<uint32_t, pci_bar_count>> assign_bars(std::span<const Function> functions);

}  // namespace axl::sim::pci_firmware
