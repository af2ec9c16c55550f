#include "sim/machine/pci_firmware.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace axl::sim::pci_firmware {

std::vector<std::array<uint32_t, pci_bar_count>> assign_bars(std::span<const Function> functions) {
    std::vector<std::array<uint32_t, pci_bar_count>> bases(functions.size());
    std::vector<size_t> order(functions.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return functions[a].address.raw() < functions[b].address.raw();
    });
    uint64_t next_memory = memory_first;
    uint64_t next_io = io_first;
    auto align = [](uint64_t value, uint64_t to) { return (value + to - 1) / to * to; };
    for (size_t index : order) {
        const PciProfile& profile = *functions[index].profile;
        for (uint32_t bar = 0; bar < pci_bar_count; ++bar) {
            const PciBarLayout& layout = profile.bars[bar];
            if (layout.type == PciBarLayout::Type::memory) {
                const uint64_t span = std::max<uint64_t>(layout.size, memory_alignment_min);
                const uint64_t base = align(next_memory, span);
                if (base + span > memory_end)
                    throw std::runtime_error("PCI memory BARs do not fit the firmware's window 0xFEB00000..0xFEBFFFFF");
                bases[index][bar] = static_cast<uint32_t>(base);
                next_memory = base + span;
            } else if (layout.type == PciBarLayout::Type::io) {
                const uint64_t base = align(next_io, std::max<uint64_t>(layout.size, 4));
                if (base + layout.size > io_end)
                    throw std::runtime_error("PCI I/O BARs do not fit the firmware's window 0xC000..0xFFFF");
                bases[index][bar] = static_cast<uint32_t>(base);
                next_io = base + layout.size;
            }
        }
    }
    return bases;
}

}  // namespace axl::sim::pci_firmware
