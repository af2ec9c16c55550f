// The two 8259 interrupt controllers of a PC: IRQ lines 0-15 arrive on
// vectors 32-47. Line 0 is the kernel's clock tick; the others belong to
// drivers (masked until one attaches, see Kernel::kcall_irq_control). The
// fallback of interrupt_controller.h: without a usable MADT, or with
// `interrupts=pic`; under the I/O APICs they stay initialised and masked.
#pragma once

#include <cstdint>

namespace axl::x86_64::pic {

inline constexpr uint32_t vector_base = 32;
inline constexpr uint32_t lines = 16;

void initialise();  // remapped, every line masked
void mask(uint32_t line);
void unmask(uint32_t line);
void end_of_interrupt(uint32_t line);
// A spurious interrupt (lines 7 and 15) is not in service: it needs no
// end-of-interrupt and must not be delivered.
bool is_spurious(uint32_t line);

}  // namespace axl::x86_64::pic
