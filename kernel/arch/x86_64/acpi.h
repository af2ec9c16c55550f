// The firmware's ACPI tables, found from the root pointer (RSDP) the boot
// loader copied: the RSDP names the RSDT (32-bit table addresses) and, from
// ACPI 2.0 on, the XSDT (64-bit), which lists every other table. Only finding
// a table is done here; madt.h reads the one the port uses. Every checksum is
// checked: a table that fails it is not used.
//
// The tables are read through a PhysicalMemory, the kernel's direct map on the
// machine and a buffer in the host's unit tests.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::x86_64::acpi {

struct PhysicalMemory {
    const void* context = nullptr;
    // The `bytes` bytes at `physical`, or nullptr if they are not all readable.
    const uint8_t* (*at)(const void* context, uint64_t physical, uint64_t bytes) = nullptr;
};

inline constexpr uint32_t header_bytes = 36;  // every system description table's header

struct Table {
    const uint8_t* bytes = nullptr;  // the whole table, header included
    uint32_t length = 0;
    uint64_t physical = 0;
};

// Finds the table whose signature is `signature` (4 characters, e.g. "APIC")
// through the RSDP copy `rsdp` of `rsdp_bytes` bytes. nullptr on success;
// otherwise what is wrong, for the console ("no ACPI root pointer", "the RSDT's
// checksum is wrong", "no APIC table", ...).
const char* find_table(const uint8_t* rsdp, size_t rsdp_bytes, const PhysicalMemory& memory, const char* signature,
                       Table& out);

}  // namespace axl::x86_64::acpi
