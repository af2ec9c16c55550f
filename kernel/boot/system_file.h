// The system file: what the bare-metal kernel boots, as a line-based text that
// GRUB loads as a boot module. The host tool writes it from a system
// description (`axl bootfile SYSTEM.toml -o FILE`, tools/axl/bootfile.h), so
// the kernel never parses TOML; this is the kernel's side: a small parser that
// needs no heap, no libc and no exceptions (format: docs/system-file.md).
//
//   axolotl-system 1
//   system name=pingpong cpus=1 ipc=rendezvous ring_capacity=8 seed=1
//   privilege name=server primitives=0x22 kernel_calls=0x10 all_destinations=0 irq_lines=0x0
//   destination privilege=server to=client
//   process name=server program=pingpong_server privilege=server priority=4 cpu=-1 ...
//   arg process=client key=rounds int=10000
//
// Everything is checked: a file the parser accepts is complete and within
// every limit below, every name it refers to exists, and every value is in the
// range the kernel takes. The parser reads exactly `length` bytes of its input
// (which need not end in a NUL) and never more, whatever the input holds.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/config.h"
#include "kernel/ipc_strategy.h"
#include "kernel/privilege.h"

namespace axl::boot {

// What the run expects of a process at the end (sim::Expectation on the hosted port).
enum class Expect : uint8_t { exit, serve, fault };
const char* to_string(Expect expect);

inline constexpr uint32_t system_file_version = 1;

// Limits. A SystemFile is a fixed block (about 89 KiB with these values)
// meant to live in the kernel's .bss; `axl bootfile` refuses descriptions that
// would not fit, naming the TOML line.
inline constexpr uint32_t system_file_processes_max = 256;   // process records
inline constexpr uint32_t system_file_privileges_max = 64;   // privilege records
inline constexpr uint32_t system_file_args_max = 1024;       // arg records, all processes together
inline constexpr uint32_t system_file_text_bytes = 32768;    // decoded strings, each with its NUL
inline constexpr size_t system_file_size_max = 256 * 1024;   // the whole file, in bytes
inline constexpr uint32_t system_file_line_bytes_max = 4096; // one line, without its line end
// Names of processes and privileges: 1..23 bytes of A-Z a-z 0-9 _ . - (as in
// system descriptions: config::process_name_bytes - 1).
inline constexpr uint32_t system_file_name_bytes_max = config::process_name_bytes - 1;
// The system's name, program names and argument keys: 1..63 bytes, any byte but NUL.
inline constexpr uint32_t system_file_word_bytes_max = 63;
// Stack sizes a process record may ask for (as system descriptions allow).
inline constexpr uint64_t system_file_stack_bytes_min = 16 * 1024;
inline constexpr uint64_t system_file_stack_bytes_max = 64 * 1024 * 1024;

// A decoded string: an offset into SystemFile::text, where it ends in a NUL.
using TextOffset = uint32_t;

struct SystemFilePrivilege {
    TextOffset name;
    uint32_t line;                 // of its record, for the port's messages
    PrivilegeSpec spec;            // primitives, kernel calls, all_destinations, device rights
    // Privileges it may send to: indexes into SystemFile::privileges, in file order.
    uint16_t destinations[system_file_privileges_max];
    uint32_t destination_count;
};

struct SystemFileProcess {
    TextOffset name;
    TextOffset program;
    uint32_t line;
    uint16_t privilege;            // index into SystemFile::privileges
    uint8_t priority;              // 0 .. config::priority_levels - 1
    Expect expect;
    bool dedicated;                // the pinned CPU runs this process only
    int32_t cpu;                   // pinned CPU, -1 = any
    uint64_t quantum_ns;
    uint64_t stack_bytes;
    uint32_t first_arg;            // its args: SystemFile::args[first_arg .. first_arg + arg_count)
    uint32_t arg_count;
};

struct SystemFileArg {
    TextOffset key;
    uint32_t process;              // index into SystemFile::processes
    uint32_t line;
    bool is_int;
    int64_t int_value;             // when is_int
    TextOffset string_value;       // when !is_int
};

struct SystemFile {
    TextOffset name;
    uint32_t cpus;
    IpcStrategyKind ipc;
    uint32_t ring_capacity;
    uint64_t seed;

    uint32_t privilege_count;
    uint32_t process_count;
    uint32_t arg_count;
    uint32_t text_used;            // bytes of `text` in use

    SystemFilePrivilege privileges[system_file_privileges_max];
    SystemFileProcess processes[system_file_processes_max];
    SystemFileArg args[system_file_args_max];
    char text[system_file_text_bytes];

    const char* string(TextOffset offset) const { return text + offset; }
};

struct ParseError {
    uint32_t line;                 // 1-based; 0: the file as a whole (too long, a record missing at the end)
    char message[160];             // NUL-terminated, without file name or line
};

// Parses `length` bytes at `text` into `out` (which needs no initialising:
// every field a successful parse leaves in use is written). False on any
// problem, with `error` filled; `out` is then unspecified.
bool parse_system_file(const char* text, size_t length, SystemFile& out, ParseError& error);

// Lookups for the port. Names compare exactly; -1 (or the fallback) if absent.
int32_t find_privilege(const SystemFile& file, const char* name);
int32_t find_process(const SystemFile& file, const char* name);
const SystemFileArg* find_arg(const SystemFile& file, uint32_t process, const char* key);
// What axl::arg_int / axl::arg_string give process `process` on the hosted
// port: its value when the key exists with that type, else `fallback`.
int64_t arg_int(const SystemFile& file, uint32_t process, const char* key, int64_t fallback);
const char* arg_string(const SystemFile& file, uint32_t process, const char* key, const char* fallback);

}  // namespace axl::boot
