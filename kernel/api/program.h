// Programs: the code a process runs. A program is a function written against
// kernel/api/ only; the hosted port registers it by name so system descriptions
// can start it, the bare-metal port builds each source file into an image of its own.
#pragma once

#include <cstdint>

namespace axl {

using ProgramEntry = int32_t (*)();

// One argument a program reads by name (axl::arg_int / axl::arg_string, or
// libsys's option_int / option_string, which take this declaration), set in a
// system description's [process.args]. Programs declare each one they read
// where AXL_PROGRAM registers them, so the description reader checks the
// file's arguments like every other key (an unknown key, a wrong type, a
// value out of range: file:line) and `axl list PROGRAM` shows them.
struct ProgramOption {
    enum class Type : uint8_t { integer, string };
    const char* name;
    Type type;
    int64_t min;                 // integer: the range the reader accepts
    int64_t max;
    int64_t integer_default;     // integer: the value when the file does not set it
    const char* string_default;  // string: likewise
    const char* help;            // one line
};

constexpr ProgramOption integer_option(const char* name, int64_t fallback, int64_t min, int64_t max,
                                       const char* help) {
    return {name, ProgramOption::Type::integer, min, max, fallback, nullptr, help};
}
constexpr ProgramOption string_option(const char* name, const char* fallback, const char* help) {
    return {name, ProgramOption::Type::string, 0, 0, 0, fallback, help};
}

struct ProgramInfo {
    const char* name;
    const char* description;
    ProgramEntry entry;
    const ProgramOption* options;  // option_count of them, in the order declared
    uint64_t option_count;
};

// Defined by the port. Hosted: adds to the registry `axl list` prints.
void register_program(const ProgramInfo& info);

namespace detail {
struct ProgramRegistrar {
    explicit ProgramRegistrar(const ProgramInfo& info) { register_program(info); }
};
}  // namespace detail

}  // namespace axl

// AXL_PROGRAM(pingpong_client, "one line on what it does", option, ...) { ...; return 0; }
// The body returns the process's exit status (0 = its self-checks passed).
// The options (ProgramOption values, usually named constants the body reads
// through libsys's option_int / option_string) are every argument it reads;
// a program that lists none takes no arguments.
#define AXL_PROGRAM_OPTIONS_(ident, ...)                                                \
    static constexpr ::axl::ProgramOption axl_program_options_##ident[] = {             \
        __VA_ARGS__ __VA_OPT__(, )::axl::ProgramOption{}};
#define AXL_PROGRAM_INFO_(ident, description)                                           \
    {#ident, description, &axl_program_##ident, axl_program_options_##ident,           \
     sizeof(axl_program_options_##ident) / sizeof(::axl::ProgramOption) - 1}
#if defined(AXL_BARE_METAL)
// Bare metal: each program source file is an image of its own; its programs
// are listed in the image's .axl_programs section, where the kernel's loader
// finds an entry by name without running anything (kernel/arch/x86_64/program_image.cc).
// alignas(8) keeps the records packed: GCC would otherwise align each to 32.
#define AXL_PROGRAM(ident, description, ...)                                            \
    static int32_t axl_program_##ident();                                               \
    AXL_PROGRAM_OPTIONS_(ident __VA_OPT__(, ) __VA_ARGS__)                              \
    [[gnu::used, gnu::section(".axl_programs")]] alignas(8) static const ::axl::ProgramInfo \
        axl_program_info_##ident AXL_PROGRAM_INFO_(ident, description);                 \
    static int32_t axl_program_##ident()
#else
#define AXL_PROGRAM(ident, description, ...)                                            \
    static int32_t axl_program_##ident();                                               \
    AXL_PROGRAM_OPTIONS_(ident __VA_OPT__(, ) __VA_ARGS__)                              \
    static const ::axl::ProgramInfo axl_program_info_##ident AXL_PROGRAM_INFO_(ident, description); \
    static const ::axl::detail::ProgramRegistrar axl_program_registrar_##ident{         \
        axl_program_info_##ident};                                                      \
    static int32_t axl_program_##ident()
#endif
