// ACPI's Multiple APIC Description Table ("APIC"): where the local APIC and
// the I/O APICs are, which global system interrupts (GSIs) each I/O APIC
// serves, and the interrupt source overrides, by which an ISA IRQ reaches
// another GSI or another polarity and trigger mode than the ISA bus's
// (active high, edge). QEMU's PC, for one, sends IRQ 0 (the PIT) to GSI 2 and
// makes its PCI lines 5, 9, 10 and 11 level-triggered.
#pragma once

#include <cstdint>

namespace axl::x86_64::madt {

// An override's flags (MPS INTI flags): "conforming" leaves it to the bus's
// own convention, which for ISA is active high and edge-triggered.
enum class Polarity : uint8_t { conforming, active_high, active_low };
enum class Trigger : uint8_t { conforming, edge, level };

struct IoApic {
    uint8_t id = 0;
    uint32_t address = 0;  // physical, its two registers (IOREGSEL, IOWIN)
    uint32_t gsi_base = 0;  // the GSI of its first input
};

struct Override {
    uint8_t source = 0;  // the ISA IRQ, 0-15
    uint32_t gsi = 0;
    Polarity polarity = Polarity::conforming;
    Trigger trigger = Trigger::conforming;
};

struct Madt {
    static constexpr uint32_t io_apics_max = 8;
    static constexpr uint32_t overrides_max = 16;  // one per ISA IRQ
    uint64_t local_apic_address = 0;  // physical; a type-5 entry's 64-bit address wins
    bool has_8259s = false;           // PCAT_COMPAT: the PC's two 8259s are there too
    IoApic io_apics[io_apics_max];
    uint32_t io_apic_count = 0;
    Override overrides[overrides_max];
    uint32_t override_count = 0;

    // The override for ISA IRQ `source`, if any.
    const Override* override_of(uint32_t source) const;
};

// Reads the table `bytes` (`length` bytes, its header included; the caller has
// checked its checksum: acpi::find_table). nullptr on success, else what is
// malformed ("an entry runs past the table's end", "two overrides for IRQ 9",
// ...). A table without an I/O APIC is not malformed: io_apic_count is 0.
const char* parse(const uint8_t* bytes, uint32_t length, Madt& out);

const char* to_string(Polarity polarity);
const char* to_string(Trigger trigger);

}  // namespace axl::x86_64::madt
