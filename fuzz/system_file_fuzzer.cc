// Fuzz target: the bare-metal kernel's system-file parser
// (kernel/boot/system_file.h), which reads the boot module GRUB hands the
// kernel. Its promise: it reads exactly `length` bytes whatever they hold (the
// input here is a heap copy of exactly that size, so AddressSanitizer sees
// one byte too many), and an accepted file is complete and within every limit.
// This target checks that promise on what the parser accepts, and that a
// refusal comes with a message and a line that exists.
// Seeds: system files `axl bootfile` writes (fuzz/corpus/system_file/, and
// build/baremetal/systems/ when the bare-metal build made them).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "kernel/boot/system_file.h"
#include "kernel/config.h"

namespace {

using namespace axl;
using namespace axl::boot;

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "system_file_fuzzer: the parser accepted a file but %s\n", what);
    std::abort();
}

// A string of the image: inside the used text, and ends there.
bool string_ok(const BootImage& image, TextOffset offset) {
    for (uint32_t i = offset; i < image.text_used; ++i)
        if (image.text[i] == '\0') return true;
    return false;
}

void check_accepted(const BootImage& image) {
    if (image.text_used > image.text_capacity) broken("its text overflows");
    if (!string_ok(image, image.name)) broken("the system name is not a string of the image");
    if (image.cpus == 0 || image.cpus > config::cpus_max) broken("cpus is out of range");
    if (image.privileges.count > image.privileges.capacity || image.destinations.count > image.destinations.capacity ||
        image.processes.count > image.processes.capacity || image.args.count > image.args.capacity)
        broken("a table holds more than its capacity");
    for (const ImagePrivilege& privilege : image.privileges)
        if (!string_ok(image, privilege.name)) broken("a privilege name is not a string of the image");
    for (const ImageDestination& destination : image.destinations)
        if (destination.from >= image.privileges.count || destination.to >= image.privileges.count)
            broken("a destination names a privilege that does not exist");
    uint32_t next_arg = 0;
    for (const ImageProcess& process : image.processes) {
        if (!string_ok(image, process.name) || !string_ok(image, process.program))
            broken("a process name or program is not a string of the image");
        if (process.privilege >= image.privileges.count) broken("a process names a privilege that does not exist");
        if (process.priority >= config::priority_levels) broken("a priority is out of range");
        if (process.cpu < -1 || process.cpu >= static_cast<int32_t>(image.cpus)) broken("a process's cpu is out of range");
        if (process.stack_bytes < system_file_stack_bytes_min || process.stack_bytes > system_file_stack_bytes_max)
            broken("a stack size is out of range");
        // Grouped by process, in process order (a process without any may point anywhere).
        if (process.arg_count == 0) continue;
        if (process.first_arg != next_arg || process.arg_count > image.args.count - process.first_arg)
            broken("a process's arguments are not its own run of the arg table");
        next_arg += process.arg_count;
    }
    if (next_arg != image.args.count) broken("some arguments belong to no process");
    for (uint32_t i = 0; i < image.args.count; ++i) {
        const ImageArg& arg = image.args[i];
        if (arg.process >= image.processes.count) broken("an argument names a process that does not exist");
        const ImageProcess& owner = image.processes[arg.process];
        if (i < owner.first_arg || i >= owner.first_arg + owner.arg_count) broken("an argument is outside its process's run");
        if (!string_ok(image, arg.key) || (!arg.is_int && !string_ok(image, arg.string_value)))
            broken("an argument key or value is not a string of the image");
    }
}

void check_refused(const ParseError& error, const uint8_t* data, size_t size) {
    bool terminated = false;
    for (char c : error.message) terminated = terminated || c == '\0';
    if (!terminated || error.message[0] == '\0') {
        std::fprintf(stderr, "system_file_fuzzer: a refusal without a message\n");
        std::abort();
    }
    uint32_t lines = 1;
    for (size_t i = 0; i < size; ++i) lines += data[i] == '\n';
    if (error.line > lines) {
        std::fprintf(stderr, "system_file_fuzzer: the error names line %u of a %u-line file: %s\n", error.line, lines,
                     error.message);
        std::abort();
    }
}

SystemFile image;  // about 112 KiB: static, as in the kernel's .bss

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ParseError error{};
    if (parse_system_file(reinterpret_cast<const char*>(data), size, image, error))
        check_accepted(image);
    else
        check_refused(error, data, size);
    return 0;
}
