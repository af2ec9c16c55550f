// Which I/O APIC input each of the kernel's IRQ lines arrives on, and how it
// is signalled: what the port programs into the redirection entries. Pure:
// from the MADT, the inputs each I/O APIC has, and the ELCR.
//
// The kernel's line numbering is the PC's, whatever the controller: line N
// below 16 is ISA IRQ N, which is what the firmware writes into a PCI
// function's Interrupt Line register (through PIIX's PIRQ links on QEMU's
// i440fx: 5, 9, 10 or 11) and what a system description's `irq` says. Under
// the I/O APIC, line N < 16 arrives on the GSI its override names (else GSI N)
// with the override's polarity and trigger mode; where the override leaves the
// trigger mode to the bus (or there is none), the ELCR says: the firmware set
// its bit for each line it gave to PCI, which is then level-triggered, active
// high (the PIRQ router inverts PCI's active-low INTx). Lines 16 and up are
// GSIs 16 and up: PCI's own inputs, level-triggered and active low.
#pragma once

#include <cstdint>

#include "kernel/arch/x86_64/madt.h"

namespace axl::x86_64::irq_routing {

inline constexpr uint32_t isa_lines = 16;
inline constexpr uint32_t lines_max = 64;  // config::irq_lines

// The edge/level control register of PIIX and ICH (ports 0x4D0 and 0x4D1), a
// bit per ISA IRQ, set = level-triggered. IRQs 0, 1, 2, 8 and 13 cannot be
// level there (their bits read 0): where one reads 1, no such register
// answered, and it is not used.
struct Elcr {
    uint16_t level = 0;
    bool present = false;
};
Elcr decode_elcr(uint8_t port_4d0, uint8_t port_4d1);

// Where a line's trigger mode came from, for the console.
enum class TriggerFrom : uint8_t { isa_default, override, elcr, pci_default };

struct Route {
    bool present = false;     // false: no input of any I/O APIC serves this line
    uint8_t io_apic = 0;      // index into Madt::io_apics
    uint8_t pin = 0;          // its input (redirection entry)
    uint32_t gsi = 0;
    bool level = false;       // else edge
    bool active_low = false;  // else active high
    TriggerFrom trigger_from = TriggerFrom::isa_default;
};

struct Routes {
    Route line[lines_max];
    uint32_t count = 0;  // the highest line present, plus one
};

// `inputs[i]`: how many redirection entries madt.io_apics[i] has (read from
// the chip: the MADT does not say).
void route(const madt::Madt& madt, const uint32_t* inputs, const Elcr& elcr, Routes& out);

}  // namespace axl::x86_64::irq_routing
