// Interrupts through the I/O APICs, as a PC's OS routes them: one redirection
// entry per kernel line (irq_routing.h), line N on vector 32 + N, every entry
// sent to this CPU's local APIC, which takes the end-of-interrupt. The 8259s
// stay programmed but entirely masked, and their output (LINT0) too.
//
// Masking keeps the 8259s' meaning (platform::irq_mask): a level-triggered
// line is masked in its entry, and delivered again when unmasked if its device
// still asserts it. An I/O APIC drops an edge that arrives at a masked input,
// where an 8259 latches it in its request register and delivers it once the
// line is unmasked; a driver that re-enables its line after its device raised
// it meanwhile (a UART's transmitter emptying while the driver was still
// serving the interrupt) would wait for good. So an edge-triggered line is
// masked lazily, as Linux does: its entry stays open, an edge that arrives
// while the line is masked is only recorded (and the entry closed then), and
// unmasking the line replays it, as an interrupt the local APIC sends itself.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/arch/x86_64/irq_routing.h"
#include "kernel/arch/x86_64/madt.h"

namespace axl::x86_64::io_apic {

// Programs every input of every I/O APIC the MADT lists (the routed ones on
// their lines' vectors, all masked) and enables the local APIC. nullptr on
// success, else why the I/O APICs cannot be used (nothing changed that the
// 8259s need). The 8259s must be initialised (and masked) already.
const char* initialise(const madt::Madt& madt, const irq_routing::Elcr& elcr);
const irq_routing::Routes& routes();
uint32_t inputs(uint32_t io_apic);  // its redirection entries

void mask(uint32_t line);
void unmask(uint32_t line);
// An interrupt on line `line`'s vector: false if it must not reach the kernel
// (an edge recorded on a masked line; acknowledged already).
bool accept(uint32_t line);
void end_of_interrupt(uint32_t line);

}  // namespace axl::x86_64::io_apic
