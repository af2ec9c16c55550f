// SystemDescription: a system to boot, read from a TOML file (the MINIX boot
// table / Hubris app.toml idea). Loading validates everything, so nothing ever
// runs half-configured: any problem is a DescriptionError whose what() reads
// "file:line: problem".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kernel/boot/boot_image.h"
#include "kernel/config.h"
#include "kernel/ipc_strategy.h"
#include "kernel/privilege.h"

namespace axl::sim {

class DescriptionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the run expects of a process at the end: the boot image's own type.
using boot::Expectation;

using ArgValue = std::variant<int64_t, std::string>;

struct ProcessDescription {
    std::string name;
    std::string program;
    uint32_t line = 0;             // line of its [[process]] table, for later errors
    uint8_t priority = 8;          // 0 highest .. config::priority_levels - 1
    int32_t cpu = -1;              // pinned CPU, -1 = spread by the kernel
    bool dedicated_cpu = false;    // the pinned CPU runs this process only
    uint64_t quantum_ns = 10'000;
    uint64_t stack_bytes = 64 * 1024;
    uint32_t primitives = 0;       // bit(Primitive) mask
    uint32_t kernel_calls = 0;     // bit(KernelCall) mask
    bool all_destinations = false;
    std::vector<std::string> destinations;  // process names
    Expectation expect = Expectation::exit;
    std::map<std::string, ArgValue> args;
    // Replicas: a [[process]] table with `replicas = N` describes N processes,
    // "<group>.0" .. "<group>.<N-1>", that share ONE privilege structure.
    // `group` is the table's name and `replica` this process's index (also
    // handed to the program as the integer argument "replica"). Destinations
    // name groups, so granting a group grants every replica in it. Every
    // process of a group has the same privileges (primitives, kernel_calls,
    // destinations); the parser guarantees it.
    // A process of its own: group empty, replica -1.
    std::string group;
    int32_t replica = -1;
    // [process.restart]: the reincarnation server (program "rs") watches it.
    struct RestartPolicy {
        bool managed = false;
        uint32_t line = 0;
        uint64_t heartbeat_ns = 0;        // ping period; 0: no heartbeat
        uint32_t missed = 3;              // pings unanswered in a row that mean a hang
        uint32_t limit = 10;              // restarts in total before it gives up
        uint64_t backoff_ns = 0;          // delay before the first restart, doubling after each
        uint64_t backoff_max_ns = 100'000'000;
        std::vector<std::string> with;    // restarted along with it (killed first if alive)
        std::vector<std::string> notify;  // told (a notification from rs) once it is back
    };
    RestartPolicy restart;
    // The devices it drives ([[device]] tables naming it): their registers
    // and IRQ lines. Granting one also grants the device_io and irq_control
    // kernel calls.
    DeviceRights device_rights;
};

enum class DeviceKind : uint8_t { timer, uart, block, nic };
const char* to_string(DeviceKind kind);

// One [[device]] table (docs/system-description.md). Kind-specific settings
// are plain fields, read only for that kind; paths are resolved against the
// description file's directory.
struct DeviceDescription {
    std::string name;
    DeviceKind kind = DeviceKind::timer;
    uint32_t line = 0;
    uint32_t irq = 0;
    uint16_t io_base = 0;
    uint16_t io_size = 0;
    std::string driver;           // the process that drives it
    bool direct = false;          // access = "direct": registers opened to the driver
    // uart
    std::string output;           // "" (stdout), "none", or a file
    std::string input;            // "" (none), "-" (stdin), or a file that must exist
    uint32_t baud = 115200;
    uint64_t input_start_ns = 0;
    // block
    std::string file;             // backing file, must exist, a multiple of 512 bytes
    uint64_t scratch_bytes = 0;   // or a zeroed scratch disk of this size, deleted after the run
    uint64_t access_ns = 50'000;
    uint64_t sector_ns = 2'000;
    uint32_t max_sectors = 256;
    // nic
    uint16_t udp_port = 0;        // 127.0.0.1 port the NIC's frames use (0: any free one)
    uint64_t latency_ns = 10'000; // wire latency of a frame
    std::string record;           // file that logs received frames with their times
};

// What privileges and destinations know a process by: its group's name if it
// is a replica, else its own name. Processes with the same privilege group
// share one privilege structure.
inline const std::string& privilege_group(const ProcessDescription& process) {
    return process.group.empty() ? process.name : process.group;
}

struct SystemDescription {
    std::string path;
    std::string name;
    uint32_t cpus = 1;
    IpcStrategyKind ipc = IpcStrategyKind::rendezvous;
    uint32_t ring_capacity = config::ring_capacity;  // messages per ring (ring strategy), a power of two
    uint64_t seed = 1;
    std::optional<uint64_t> until_ns;  // stop the run at this virtual time
    std::vector<ProcessDescription> processes;  // replicas expanded, in file order
    std::vector<DeviceDescription> devices;     // in file order
};

// Command-line values that override the file; validated like the file's own.
struct DescriptionOverrides {
    std::optional<IpcStrategyKind> ipc;
    std::optional<uint64_t> seed;
    std::optional<uint32_t> cpus;
    std::optional<uint64_t> until_ns;
    std::optional<uint32_t> ring_capacity;
};

// Parses and validates. Throws DescriptionError("file:line: problem").
SystemDescription load_system_description(const std::string& path,
                                          const DescriptionOverrides& overrides = {});
// Same, from text already in memory (tests); `path` names it in errors.
SystemDescription parse_system_description(const std::string& text, const std::string& path,
                                           const DescriptionOverrides& overrides = {});

// "10us" / "3ms" / 1500 -> ns. Throws std::invalid_argument with a readable reason.
uint64_t parse_duration_ns(const std::string& text);
std::optional<IpcStrategyKind> parse_ipc_strategy(const std::string& name);
// A 64-bit seed, decimal or 0x hexadecimal: how files (as a string, for seeds
// above TOML's 2^63 - 1) and command lines write one. Throws
// std::invalid_argument with a readable reason ("-1", "010" octal-looking or
// "1e3" are refused, not misread).
uint64_t parse_seed(std::string_view text);

}  // namespace axl::sim
