#include "kernel/arch/x86_64/madt.h"

#include "kernel/arch/x86_64/acpi.h"
#include "kernel/arch/x86_64/unaligned.h"

namespace axl::x86_64::madt {

namespace {

// Entry types (ACPI 6.5, 5.2.12) the port reads; the others (processors,
// NMI wiring, x2APIC, ...) are skipped by their length.
enum : uint8_t { type_io_apic = 1, type_source_override = 2, type_local_apic_address = 5 };
constexpr uint32_t entries_offset = acpi::header_bytes + 8;  // after the local APIC address and the flags
constexpr uint32_t flag_pcat_compat = 1u << 0;

}  // namespace

const Override* Madt::override_of(uint32_t source) const {
    for (uint32_t i = 0; i < override_count; ++i)
        if (overrides[i].source == source) return &overrides[i];
    return nullptr;
}

const char* parse(const uint8_t* bytes, uint32_t length, Madt& out) {
    out = Madt{};
    if (length < entries_offset) return "the table is shorter than its fixed fields";
    out.local_apic_address = read_unaligned<uint32_t>(bytes + acpi::header_bytes);
    out.has_8259s = read_unaligned<uint32_t>(bytes + acpi::header_bytes + 4) & flag_pcat_compat;
    for (uint32_t at = entries_offset; at < length;) {
        if (length - at < 2) return "an entry's header runs past the table's end";
        const uint8_t type = bytes[at];
        const uint8_t entry_length = bytes[at + 1];
        if (entry_length < 2) return "an entry's length is below 2";
        if (entry_length > length - at) return "an entry runs past the table's end";
        const uint8_t* entry = bytes + at;
        switch (type) {
            case type_io_apic: {
                if (entry_length != 12) return "an I/O APIC entry's length is not 12";
                if (out.io_apic_count == Madt::io_apics_max) return "more I/O APICs than the kernel takes (8)";
                out.io_apics[out.io_apic_count++] = IoApic{.id = entry[2],
                                                           .address = read_unaligned<uint32_t>(entry + 4),
                                                           .gsi_base = read_unaligned<uint32_t>(entry + 8)};
                break;
            }
            case type_source_override: {
                if (entry_length != 10) return "an interrupt source override's length is not 10";
                if (entry[2] != 0) return "an interrupt source override is for a bus other than ISA";
                const uint8_t source = entry[3];
                if (source >= 16) return "an interrupt source override's IRQ is above 15";
                if (out.override_of(source)) return "two interrupt source overrides for one IRQ";
                const uint16_t flags = read_unaligned<uint16_t>(entry + 8);
                const uint32_t polarity = flags & 3, trigger = (flags >> 2) & 3;
                // Value 2 of either field is reserved.
                if (polarity == 2) return "an interrupt source override's polarity is the reserved value 2";
                if (trigger == 2) return "an interrupt source override's trigger mode is the reserved value 2";
                out.overrides[out.override_count++] = Override{
                    .source = source,
                    .gsi = read_unaligned<uint32_t>(entry + 4),
                    .polarity = polarity == 0 ? Polarity::conforming
                                : polarity == 1 ? Polarity::active_high
                                                : Polarity::active_low,
                    .trigger = trigger == 0 ? Trigger::conforming : trigger == 1 ? Trigger::edge : Trigger::level,
                };
                break;
            }
            case type_local_apic_address:
                if (entry_length != 12) return "a local APIC address override's length is not 12";
                out.local_apic_address = read_unaligned<uint64_t>(entry + 4);
                break;
            default:
                break;
        }
        at += entry_length;
    }
    return nullptr;
}

const char* to_string(Polarity polarity) {
    switch (polarity) {
        case Polarity::active_high: return "high";
        case Polarity::active_low: return "low";
        default: return "conforming";
    }
}

const char* to_string(Trigger trigger) {
    switch (trigger) {
        case Trigger::edge: return "edge";
        case Trigger::level: return "level";
        default: return "conforming";
    }
}

}  // namespace axl::x86_64::madt
