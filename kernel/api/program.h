// Programs: the code a process runs. A program is a function written against
// kernel/api/ only; the hosted port registers it by name so system descriptions
// can start it, the bare-metal port links it into its own image.
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
#define AXL_PROGRAM(ident, description)                                                 \
    static int32_t axl_program_##ident();                                               \
    static const ::axl::ProgramInfo axl_program_info_##ident{#ident, description,       \
                                                             &axl_program_##ident};     \
    static const ::axl::detail::ProgramRegistrar axl_program_registrar_##ident{         \
        axl_program_info_##ident};                                                      \
    static int32_t axl_program_##ident()
