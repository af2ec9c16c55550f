#include "kernel/arch/x86_64/multiboot.h"
#include "kernel/arch/x86_64/unaligned.h"

namespace axl::x86_64 {

namespace {

// Tag types of the Multiboot2 specification.
enum : uint32_t {
    tag_end = 0,
    tag_command_line = 1,
    tag_module = 3,
    tag_memory_map = 6,
    tag_framebuffer = 8,
    tag_efi32_system_table = 11,
    tag_efi64_system_table = 12,
    tag_acpi_old_rsdp = 14,
    tag_acpi_new_rsdp = 15,
};

struct Tag {
    uint32_t type;
    uint32_t size;
};

void copy_string(char* to, size_t capacity, const char* from, const char* limit) {
    size_t i = 0;
    while (i + 1 < capacity && from + i < limit && from[i]) {
        to[i] = from[i];
        ++i;
    }
    to[i] = '\0';
}

}  // namespace

bool read_boot_information(uint32_t magic, uint64_t address, uint64_t virtual_offset, BootInformation& out) {
    if (magic != multiboot2_magic) return false;
    const uint8_t* base = reinterpret_cast<const uint8_t*>(address + virtual_offset);
    const uint32_t total = read_unaligned<uint32_t>(base);
    out.information_start = address;
    out.information_end = address + total;
    for (uint32_t offset = 8; offset + sizeof(Tag) <= total;) {
        const uint8_t* at = base + offset;
        const Tag tag = read_unaligned<Tag>(at);
        if (tag.type == tag_end || tag.size < sizeof(Tag)) break;
        const char* limit = reinterpret_cast<const char*>(at + tag.size);
        switch (tag.type) {
            case tag_command_line:
                copy_string(out.command_line, sizeof out.command_line, reinterpret_cast<const char*>(at + 8), limit);
                break;
            case tag_module:
                if (out.module_count < BootInformation::modules_max) {
                    BootModule& module = out.modules[out.module_count++];
                    module.start = read_unaligned<uint32_t>(at + 8);
                    module.end = read_unaligned<uint32_t>(at + 12);
                    copy_string(module.name, sizeof module.name, reinterpret_cast<const char*>(at + 16), limit);
                } else {
                    ++out.modules_dropped;
                }
                break;
            case tag_memory_map: {
                const uint32_t entry_size = read_unaligned<uint32_t>(at + 8);
                for (uint32_t e = 16; entry_size >= 24 && e + entry_size <= tag.size; e += entry_size) {
                    const uint64_t range_base = read_unaligned<uint64_t>(at + e);
                    const uint64_t length = read_unaligned<uint64_t>(at + e + 8);
                    const uint32_t type = read_unaligned<uint32_t>(at + e + 16);
                    if (type == 1 && out.ram_count < BootInformation::ranges_max)
                        out.ram[out.ram_count++] = MemoryRange{range_base, length};
                }
                break;
            }
            case tag_framebuffer: {
                Framebuffer& fb = out.framebuffer;
                fb.address = read_unaligned<uint64_t>(at + 8);
                fb.pitch = read_unaligned<uint32_t>(at + 16);
                fb.width = read_unaligned<uint32_t>(at + 20);
                fb.height = read_unaligned<uint32_t>(at + 24);
                fb.bits_per_pixel = at[28];
                const uint8_t type = at[29];
                if (type == 2) {
                    fb.kind = Framebuffer::Kind::vga_text;
                } else if (type == 1 && (fb.bits_per_pixel == 32 || fb.bits_per_pixel == 24)) {
                    fb.kind = Framebuffer::Kind::rgb;
                    fb.red_shift = at[32];
                    fb.green_shift = at[34];
                    fb.blue_shift = at[36];
                }
                break;
            }
            case tag_acpi_old_rsdp:
            case tag_acpi_new_rsdp: {
                // The RSDP follows the tag's header. The 2.0 one wins: it may
                // name the XSDT; the 1.0 one never replaces it.
                if (tag.type == tag_acpi_old_rsdp && out.acpi_rsdp_bytes > 20) break;
                uint32_t bytes = tag.size - sizeof(Tag);
                if (bytes > sizeof out.acpi_rsdp) bytes = sizeof out.acpi_rsdp;
                __builtin_memcpy(out.acpi_rsdp, at + sizeof(Tag), bytes);
                out.acpi_rsdp_bytes = bytes;
                break;
            }
            case tag_efi32_system_table:
            case tag_efi64_system_table:
                out.uefi = true;
                break;
            default:
                break;
        }
        offset += (tag.size + 7) & ~7u;
    }
    return true;
}

}  // namespace axl::x86_64
