// Fuzz target: the bare-metal loader's reading of ELF program images
// (kernel/arch/x86_64/program_image.h), the files GRUB loads as modules. Its
// promise: no input makes it read outside the image (the input here is a heap
// copy of exactly its size, so AddressSanitizer sees any byte past it), and an
// image check_image() accepts has segments the process builder can copy and
// map: inside the file, inside the program area, never writable and executable.
// Seeds: the program images of the bare-metal build (build/baremetal/images/*.elf).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "kernel/arch/x86_64/program_image.h"
#include "kernel/arch/x86_64/syscall_abi.h"

namespace {

using namespace axl::x86_64;

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "program_image_fuzzer: check_image accepted an image but %s\n", what);
    std::abort();
}

// Programs some image defines, and names no image does.
constexpr const char* program_names[] = {"pingpong_server", "uart_driver", "storage_server", "", "axl_programs"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ImageView image{data, size};
    // The loader asks these of images it has not checked too; none may read past the end.
    for (const char* name : program_names) (void)find_program(image, name);
    (void)image_entry(image);
    ImageSegment segments[image_segments_max];
    const uint32_t count = loadable_segments(image, segments);
    if (count > image_segments_max) broken("more segments than the table holds");

    if (check_image(image) != nullptr) return 0;
    for (uint32_t i = 0; i < count; ++i) {
        const ImageSegment& s = segments[i];
        if (s.file_offset > size || s.file_size > size - s.file_offset) broken("a segment runs past the end of the file");
        if (s.file_size > s.memory_size) broken("a segment holds more of the file than of memory");
        if (s.virtual_address < user_image_base || s.virtual_address >= stack_top ||
            s.memory_size > stack_top - s.virtual_address)
            broken("a segment lies outside the program area");
        if (s.writable && s.executable) broken("a segment is writable and executable");
    }
    return 0;
}
