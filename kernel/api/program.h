// Programs: the code a process runs. A program is a function written against
// kernel/api/ only; the hosted port registers it by name so system descriptions
// can start it, the bare-metal port builds each source file into an image of its own.
#pragma once

#include <cstdint>

namespace axl {

using ProgramEntry = int32_t (*)();

struct ProgramInfo {
    const char* name;
    const char* description;
    ProgramEntry entry;
};

// Defined by the port. Hosted: adds to the registry `axl list` prints.
void register_program(const ProgramInfo& info);

namespace detail {
struct ProgramRegistrar {
    explicit ProgramRegistrar(const ProgramInfo& info) { register_program(info); }
};
}  // namespace detail

}  // namespace axl

// AXL_PROGRAM(pingpong_client, "one line on what it does") { ...; return 0; }
// The body returns the process's exit status (0 = its self-checks passed).
#if defined(AXL_BARE_METAL)
// Bare metal: each program source file is an image of its own; its programs
// are listed in the image's .axl_programs section, where the kernel's loader
// finds an entry by name without running anything (kernel/arch/x86_64/program_image.cc).
// alignas(8) keeps the records packed: GCC would otherwise align each to 32.
#define AXL_PROGRAM(ident, description)                                                 \
    static int32_t axl_program_##ident();                                               \
    [[gnu::used, gnu::section(".axl_programs")]] alignas(8) static const ::axl::ProgramInfo \
        axl_program_info_##ident{#ident, description, &axl_program_##ident};           \
    static int32_t axl_program_##ident()
#else
#define AXL_PROGRAM(ident, description)                                                 \
    static int32_t axl_program_##ident();                                               \
    static const ::axl::ProgramInfo axl_program_info_##ident{#ident, description,       \
                                                             &axl_program_##ident};     \
    static const ::axl::detail::ProgramRegistrar axl_program_registrar_##ident{         \
        axl_program_info_##ident};                                                      \
    static int32_t axl_program_##ident()
#endif
