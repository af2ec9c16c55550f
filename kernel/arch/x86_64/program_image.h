// Program images: the freestanding ELF files GRUB loads as modules, one per
// program source file (drivers/uart.cc -> uart.elf). The kernel never runs
// code to learn what an image holds: the programs it defines are listed in
// its .axl_programs section (AXL_PROGRAM, kernel/api/program.h), read here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::x86_64 {

class AddressSpace;

struct ImageView {
    const uint8_t* bytes = nullptr;
    size_t size = 0;
};

// Checks `image` is an x86-64 executable the kernel can load; else the problem.
const char* check_image(ImageView image);
// The entry of `program` in `image`, 0 if the image does not define it.
uint64_t find_program(ImageView image, const char* program);
// Copies the image's segments into fresh frames mapped in `space`, with the
// segments' own permissions (never writable and executable at once).
// nullptr on success, else the problem.
const char* load_image(ImageView image, AddressSpace& space);

}  // namespace axl::x86_64
