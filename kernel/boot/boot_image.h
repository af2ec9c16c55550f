// The boot image: everything a port needs to boot a system, as one typed
// model that both ports boot from (docs/architecture.md). The hosted port
// lowers a TOML system description into one (sim/config/boot_image_of.h); the
// bare-metal kernel reads one from its system file (kernel/boot/system_file.h),
// which `axl bootfile` writes from that same lowered image. Either way the one
// builder (kernel/boot/build_system.h) turns it into privileges and processes.
//
// The image holds no storage of its own: its tables point at arrays the owner
// provides (fixed arrays in the bare-metal kernel's .bss, vectors on the host),
// with their capacities, so one type serves a 256-process system file and a
// hosted system of 100,000 replicas alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernel/config.h"
#include "kernel/ipc_strategy.h"
#include "kernel/privilege.h"

namespace axl::boot {

// What the run expects of a process at the end (kernel/boot/verdict.h judges it).
enum class Expectation : uint8_t {
    exit,   // must have exited with status 0 (the default: workloads check themselves)
    serve,  // a server: may still be waiting at the end; must not fail or fault
    fault,  // must have been killed by a real fault (fault-isolation tests)
};
const char* to_string(Expectation expectation);

// A string of the image: an offset into BootImage::text, where it ends in a NUL.
using TextOffset = uint32_t;

struct ImagePrivilege {
    TextOffset name;
    uint32_t line;      // where the owner's source defines it, for messages
    PrivilegeSpec spec;  // primitives, kernel calls, all_destinations, device rights
};

// Privilege `from` may send to privilege `to` (indexes into BootImage::privileges).
struct ImageDestination {
    uint32_t from;
    uint32_t to;
};

struct ImageProcess {
    TextOffset name;
    TextOffset program;
    uint32_t line;
    uint32_t privilege;  // index into BootImage::privileges
    uint8_t priority;    // 0 .. config::priority_levels - 1
    Expectation expect;
    bool dedicated;      // the pinned CPU runs this process only
    int32_t cpu;         // pinned CPU, -1 = any
    uint64_t quantum_ns;
    uint64_t stack_bytes;
    uint32_t first_arg;  // its args: BootImage::args[first_arg .. first_arg + arg_count)
    uint32_t arg_count;
};

// What a program reads through axl::arg_int / axl::arg_string.
struct ImageArg {
    TextOffset key;
    uint32_t process;  // index into BootImage::processes
    uint32_t line;
    bool is_int;
    int64_t int_value;        // when is_int
    TextOffset string_value;  // when !is_int
};

// A table of the image: `count` entries in use of the `capacity` at `entries`.
template <typename Entry>
struct ImageTable {
    Entry* entries = nullptr;
    uint32_t count = 0;
    uint32_t capacity = 0;

    Entry& operator[](uint32_t index) { return entries[index]; }
    const Entry& operator[](uint32_t index) const { return entries[index]; }
    bool full() const { return count == capacity; }
    Entry* begin() { return entries; }
    Entry* end() { return entries + count; }
    const Entry* begin() const { return entries; }
    const Entry* end() const { return entries + count; }
};

// A full table over entries an owner keeps in a container of its own
// (anything with data() and size(), e.g. a std::vector on the host).
template <typename Container>
auto table_over(Container& entries) {
    using Entry = std::remove_reference_t<decltype(*entries.data())>;
    const auto count = static_cast<uint32_t>(entries.size());
    return ImageTable<Entry>{entries.data(), count, count};
}

struct BootImage {
    TextOffset name = 0;
    uint32_t cpus = 1;
    IpcStrategyKind ipc = IpcStrategyKind::rendezvous;
    uint32_t ring_capacity = config::ring_capacity;
    uint64_t seed = 1;

    // Processes come in boot order: process i is spawned into kernel slot i,
    // and a restart keeps the slot, so a port knows a slot's process by index.
    ImageTable<ImagePrivilege> privileges;
    ImageTable<ImageDestination> destinations;
    ImageTable<ImageProcess> processes;
    ImageTable<ImageArg> args;  // grouped by process, in process order
    char* text = nullptr;       // every string, each ending in a NUL
    uint32_t text_used = 0;
    uint32_t text_capacity = 0;

    const char* string(TextOffset offset) const { return text + offset; }
    // Empties every table, keeping the storage.
    void clear();
};

// A boot image with its storage, for owners that have no heap: sized once, at
// compile time (the bare-metal kernel's system file, kernel/boot/system_file.h).
template <uint32_t Privileges, uint32_t Destinations, uint32_t Processes, uint32_t Args, uint32_t TextBytes>
struct FixedBootImage : BootImage {
    FixedBootImage() {
        privileges = {m_privileges, 0, Privileges};
        destinations = {m_destinations, 0, Destinations};
        processes = {m_processes, 0, Processes};
        args = {m_args, 0, Args};
        text = m_text;
        text_capacity = TextBytes;
    }
    FixedBootImage(const FixedBootImage&) = delete;
    FixedBootImage& operator=(const FixedBootImage&) = delete;

private:
    ImagePrivilege m_privileges[Privileges];
    ImageDestination m_destinations[Destinations];
    ImageProcess m_processes[Processes];
    ImageArg m_args[Args];
    char m_text[TextBytes];
};

// Lookups. Names compare exactly; -1 (or nullptr, or the fallback) if absent.
int32_t find_privilege(const BootImage& image, const char* name);
int32_t find_process(const BootImage& image, const char* name);
const ImageArg* find_arg(const BootImage& image, uint32_t process, const char* key);
// What axl::arg_int / axl::arg_string give process `process` on every port:
// its value when the key exists with that type, else `fallback`.
int64_t arg_int(const BootImage& image, uint32_t process, const char* key, int64_t fallback);
const char* arg_string(const BootImage& image, uint32_t process, const char* key, const char* fallback);

}  // namespace axl::boot
