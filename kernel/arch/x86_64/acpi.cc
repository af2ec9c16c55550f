#include "kernel/arch/x86_64/acpi.h"
#include "kernel/arch/x86_64/unaligned.h"

namespace axl::x86_64::acpi {

namespace {

constexpr size_t rsdp_v1_bytes = 20, rsdp_v2_bytes = 36;
// A root table longer than this is not believed: 4096 entries is far beyond
// any firmware's, and a wild length must not make the search walk the map.
constexpr uint32_t root_table_bytes_max = header_bytes + 8 * 4096;
constexpr uint32_t table_bytes_max = 1u << 20;

bool sums_to_zero(const uint8_t* bytes, size_t count) {
    uint8_t sum = 0;
    for (size_t i = 0; i < count; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
    return sum == 0;
}

bool same_signature(const uint8_t* bytes, const char* signature) {
    for (int i = 0; i < 4; ++i)
        if (bytes[i] != static_cast<uint8_t>(signature[i])) return false;
    return true;
}

// The table at `physical`, its length from its header, checksum checked.
const char* read_table(const PhysicalMemory& memory, uint64_t physical, uint32_t length_max, Table& out,
                       const char* unreadable, const char* bad_length, const char* bad_checksum) {
    const uint8_t* header = memory.at(memory.context, physical, header_bytes);
    if (!header) return unreadable;
    const uint32_t length = read_unaligned<uint32_t>(header + 4);
    if (length < header_bytes || length > length_max) return bad_length;
    const uint8_t* bytes = memory.at(memory.context, physical, length);
    if (!bytes) return unreadable;
    if (!sums_to_zero(bytes, length)) return bad_checksum;
    out = Table{bytes, length, physical};
    return nullptr;
}

}  // namespace

const char* find_table(const uint8_t* rsdp, size_t rsdp_bytes, const PhysicalMemory& memory, const char* signature,
                       Table& out) {
    if (rsdp_bytes < rsdp_v1_bytes) return "no ACPI root pointer from the boot loader";
    const char rsdp_signature[] = "RSD PTR ";
    for (int i = 0; i < 8; ++i)
        if (rsdp[i] != static_cast<uint8_t>(rsdp_signature[i])) return "the ACPI root pointer's signature is wrong";
    if (!sums_to_zero(rsdp, rsdp_v1_bytes)) return "the ACPI root pointer's checksum is wrong";
    const uint8_t revision = rsdp[15];
    // ACPI 2.0 and later: the XSDT, if the extended part checks out and names one.
    bool extended = false;
    uint64_t root = read_unaligned<uint32_t>(rsdp + 16);
    if (revision >= 2 && rsdp_bytes >= rsdp_v2_bytes) {
        const uint32_t length = read_unaligned<uint32_t>(rsdp + 20);
        if (length < rsdp_v2_bytes || length > rsdp_bytes) return "the ACPI 2.0 root pointer's length is wrong";
        if (!sums_to_zero(rsdp, length)) return "the ACPI 2.0 root pointer's extended checksum is wrong";
        const uint64_t xsdt = read_unaligned<uint64_t>(rsdp + 24);
        if (xsdt != 0) {
            root = xsdt;
            extended = true;
        }
    }
    const char* root_name = extended ? "XSDT" : "RSDT";
    Table root_table;
    if (const char* problem = read_table(
            memory, root, root_table_bytes_max, root_table,
            extended ? "the XSDT is not in memory the kernel maps" : "the RSDT is not in memory the kernel maps",
            extended ? "the XSDT's length is wrong" : "the RSDT's length is wrong",
            extended ? "the XSDT's checksum is wrong" : "the RSDT's checksum is wrong"))
        return problem;
    if (!same_signature(root_table.bytes, root_name))
        return extended ? "the XSDT's signature is wrong" : "the RSDT's signature is wrong";
    const uint32_t entry_bytes = extended ? 8 : 4;
    if ((root_table.length - header_bytes) % entry_bytes != 0)
        return extended ? "the XSDT's length is not a whole number of entries"
                        : "the RSDT's length is not a whole number of entries";
    for (uint32_t at = header_bytes; at < root_table.length; at += entry_bytes) {
        const uint8_t* entry = root_table.bytes + at;
        const uint64_t physical = extended ? read_unaligned<uint64_t>(entry) : uint64_t{read_unaligned<uint32_t>(entry)};
        const uint8_t* header = memory.at(memory.context, physical, header_bytes);
        // A table the kernel cannot reach is skipped, not fatal: it may not be the one asked for.
        if (!header || !same_signature(header, signature)) continue;
        return read_table(memory, physical, table_bytes_max, out, "the table is not in memory the kernel maps",
                          "the table's length is wrong", "the table's checksum is wrong");
    }
    return "no such ACPI table";
}

}  // namespace axl::x86_64::acpi
