// The system file: a boot image (kernel/boot/boot_image.h) as the line-based
// text GRUB loads as a boot module for the bare-metal kernel. The host tool
// writes it from the image it lowers a system description into (`axl bootfile
// SYSTEM.toml -o FILE`, tools/axl/bootfile.h), so the kernel never parses
// TOML; this is the kernel's side: a small parser that needs no heap, no libc
// and no exceptions (format: docs/system-file.md).
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

#include "kernel/boot/boot_image.h"
#include "kernel/config.h"

namespace axl::boot {

inline constexpr uint32_t system_file_version = 1;

// Limits: the capacities of a SystemFile, a fixed block (about 112 KiB with
// these values) meant to live in the kernel's .bss; `axl bootfile` refuses
// descriptions that would not fit, naming the TOML line.
inline constexpr uint32_t system_file_processes_max = 256;   // process records
inline constexpr uint32_t system_file_privileges_max = 64;   // privilege records
// destination records: each privilege may name every privilege once
inline constexpr uint32_t system_file_destinations_max = system_file_privileges_max * system_file_privileges_max;
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

// A boot image with room for the largest system file.
using SystemFile = FixedBootImage<system_file_privileges_max, system_file_destinations_max, system_file_processes_max,
                                  system_file_args_max, system_file_text_bytes>;

struct ParseError {
    uint32_t line;                 // 1-based; 0: the file as a whole (too long, a record missing at the end)
    char message[160];             // NUL-terminated, without file name or line
};

// Parses `length` bytes at `text` into `out`, whose tables' capacities bound
// what it accepts (every field a successful parse leaves in use is written).
// False on any problem, with `error` filled; `out` is then unspecified.
bool parse_system_file(const char* text, size_t length, BootImage& out, ParseError& error);

}  // namespace axl::boot
