// Program images: the freestanding ELF files GRUB loads as modules, one per
// program source file (drivers/uart.cc -> uart.elf). The kernel never runs
// code to learn what an image holds: the programs it defines are listed in
// its .axl_programs section (AXL_PROGRAM, kernel/api/program.h), read here.
// Reading only: process_image.cc builds a process from what this finds. No
// input can make these functions read outside the image (tested hosted,
// tests/kernel/arch/x86_64/program_image_test.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::x86_64 {

struct ImageView {
    const uint8_t* bytes = nullptr;
    size_t size = 0;
};

// Programs one image may define (AXL_PROGRAM records in .axl_programs; a
// source file has a few). The bound keeps find_program's search linear in the
// image: each record it reads walks the program headers.
inline constexpr uint32_t image_programs_max = 64;

// Checks `image` is an x86-64 executable the kernel can load; else the problem.
const char* check_image(ImageView image);
// The entry of `program` in `image`, 0 if the image does not define it (it
// reads no further than the first image_programs_max records).
uint64_t find_program(ImageView image, const char* program);
// A loadable segment: what the process builder copies and maps.
struct ImageSegment {
    uint64_t file_offset, virtual_address, file_size, memory_size;
    bool writable, executable;
};
inline constexpr uint32_t image_segments_max = 16;
// The loadable segments of an image check_image accepted, in file order; their count.
uint32_t loadable_segments(ImageView image, ImageSegment (&out)[image_segments_max]);
// The image's entry point (where user/start.S's _start is).
uint64_t image_entry(ImageView image);

}  // namespace axl::x86_64
