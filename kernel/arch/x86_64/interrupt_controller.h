// The interrupt controller the port chose at boot: the I/O APICs (io_apic.h),
// as the ACPI MADT describes them, or the PC's two 8259s (pic.h) when there is
// no usable MADT or the command line says `interrupts=pic`. Either way the
// kernel's IRQ line N arrives on vector 32 + N, and the kernel's lines keep
// the PC's numbering (ISA IRQ N is line N; irq_routing.h).
#pragma once

#include <cstdint>

namespace axl::x86_64 {

struct BootInformation;

namespace interrupt_controller {

inline constexpr uint32_t vector_base = 32;
inline constexpr uint32_t lines_max = 64;  // config::irq_lines: vectors 32-95 (entry.S)

enum class Kind : uint8_t { pic, io_apic };

// Programs the controller, every line masked, and says on the console which
// one it is (and, falling back to the 8259s, why).
void initialise(Kind wanted, const BootInformation& boot);
Kind kind();
// Whether line `line` can be delivered at all: 0-15 with the 8259s; under
// the I/O APICs, the lines an input serves (QEMU: 0-23 but 2, the PIT's GSI).
bool serves(uint32_t line);

void mask(uint32_t line);
void unmask(uint32_t line);
// First, for each interrupt on line `line`'s vector: false if it must not be
// delivered (an 8259's spurious interrupt, an edge the I/O APIC path records
// while its line is masked), in which case it needs no end_of_interrupt.
bool accept(uint32_t line);
void end_of_interrupt(uint32_t line);

}  // namespace interrupt_controller
}  // namespace axl::x86_64
