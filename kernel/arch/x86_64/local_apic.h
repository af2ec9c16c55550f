// The CPU's local APIC, as far as the I/O APIC's interrupts need it: enabled
// with a spurious-interrupt vector, its own interrupt sources (timer, LINT0
// where the 8259s' output arrives, error) masked, the end-of-interrupt
// register, and an interrupt sent to itself. The port's clock stays the PIT's.
#pragma once

#include <cstdint>

namespace axl::x86_64::local_apic {

// The vector the APIC raises for a spurious interrupt; it needs no
// end-of-interrupt (traps.cc ignores it).
inline constexpr uint8_t spurious_vector = 0xFF;

// Enables the local APIC whose registers are at `physical` (the MADT's
// address, unless the CPU's base register has it elsewhere). False, having
// changed nothing, if the CPU has none (CPUID) or it lies above 4 GiB.
bool initialise(uint64_t physical);
uint8_t id();  // the APIC ID the I/O APIC sends this CPU's interrupts to
void end_of_interrupt();
// Raises `vector` on this CPU, as if a device had: taken once interrupts are enabled.
void send_to_self(uint8_t vector);

}  // namespace axl::x86_64::local_apic
