// What GRUB hands over (Multiboot2 boot information): the command line, the
// modules (system file and program images), the memory map, the screen and
// the ACPI root pointer.
// Everything is copied out of GRUB's structure at boot, so its memory can be
// reused afterwards.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::x86_64 {

inline constexpr uint32_t multiboot2_magic = 0x36D7'6289;

struct BootModule {
    uint64_t start = 0;  // physical, page-aligned (the header asks GRUB for it)
    uint64_t end = 0;    // one past the last byte
    char name[64] = {};  // the module's command line: its file name
};

struct MemoryRange {
    uint64_t base = 0;
    uint64_t length = 0;
};

struct Framebuffer {
    enum class Kind : uint8_t { none, rgb, vga_text };
    Kind kind = Kind::none;
    uint64_t address = 0;  // physical
    uint32_t pitch = 0;    // bytes per line
    uint32_t width = 0;    // pixels, or characters for vga_text
    uint32_t height = 0;
    uint8_t bits_per_pixel = 0;
    uint8_t red_shift = 16, green_shift = 8, blue_shift = 0;
};

struct BootInformation {
    // GRUB loads every program image and system file: 57 in the ISO today.
    static constexpr uint32_t modules_max = 128;
    static constexpr uint32_t ranges_max = 64;
    char command_line[256] = {};
    BootModule modules[modules_max];
    uint32_t module_count = 0;
    uint32_t modules_dropped = 0;  // beyond modules_max: said at boot, never silently
    MemoryRange ram[ranges_max];  // usable RAM only
    uint32_t ram_count = 0;
    Framebuffer framebuffer;
    uint64_t information_start = 0;  // physical range of GRUB's structure itself
    uint64_t information_end = 0;
    bool uefi = false;  // GRUB passed an EFI system table
    // A copy of the firmware's ACPI RSDP (tag 15, the ACPI 2.0 one, when GRUB
    // found it; else tag 14's ACPI 1.0 one): where acpi.h starts. 0 bytes: none.
    uint8_t acpi_rsdp[36] = {};
    uint32_t acpi_rsdp_bytes = 0;
};

// Reads the boot information at physical `address` through `virtual_offset`
// (the mapping the caller has for low memory). False if `magic` is wrong.
bool read_boot_information(uint32_t magic, uint64_t address, uint64_t virtual_offset, BootInformation& out);

}  // namespace axl::x86_64
