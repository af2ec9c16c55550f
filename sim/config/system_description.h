// SystemDescription: a system to boot, read from a TOML file (the MINIX boot
// table / Hubris app.toml idea). Loading validates everything, so nothing ever
// runs half-configured: any problem is a DescriptionError whose what() reads
// "file:line: problem".
#pragma once

#include <any>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "kernel/boot/boot_image.h"
#include "kernel/api/protocols/restart_policy.h"
#include "kernel/config.h"
#include "kernel/ipc_strategy.h"
#include "kernel/privilege.h"
#include "sim/config/value_syntax.h"

namespace axl::sim {

class DescriptionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the run expects of a process at the end: the boot image's own type.
using boot::Expectation;

using ArgValue = std::variant<int64_t, std::string>;

// What a process is to the rest of the system, beyond what its program does
// (`role` in its [[process]] table).
enum class ProcessRole : uint8_t {
    none,
    reincarnation,  // the reincarnation server: restarts the processes with a [process.restart] table
};
inline constexpr uint32_t process_role_count = 2;
const char* to_string(ProcessRole role);

// The program whose process has the reincarnation role unless its table says
// otherwise, and what to tell someone whose system lacks the server.
inline constexpr std::string_view reincarnation_program = "rs";
std::string how_to_add_reincarnation_server();

using RestartPolicy = restart_policy::Policy<std::vector<std::string>>;

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
    ProcessRole role = ProcessRole::none;
    // [process.restart]: the reincarnation server watches it, per `policy`.
    struct Restart {
        bool managed = false;
        uint32_t line = 0;
        RestartPolicy policy;  // with and notify: process names
    };
    Restart restart;
    // The devices it drives ([[device]] tables naming it): their registers
    // and IRQ lines. Granting one also grants the device_io and irq_control
    // kernel calls.
    DeviceRights device_rights;
};

struct DeviceKind;  // sim/machine/device_kind.h

// One [[device]] table (docs/system-description.md): what every device has,
// and the settings of its kind, which only the kind reads and uses.
struct DeviceDescription {
    std::string name;
    const DeviceKind* kind = nullptr;
    uint32_t line = 0;
    uint32_t irq = 0;
    uint16_t io_base = 0;
    uint16_t io_size = 0;
    std::string driver;           // the process that drives it
    bool direct = false;          // access = "direct": registers opened to the driver
    std::any settings;            // the kind's keys, as its model takes them (e.g. UartConfig)
    // A PCI kind's (DeviceKind::pci): its bus address (bus << 8 | device << 3
    // | function) and the base of each BAR the firmware assigned (0: none).
    bool pci = false;
    uint16_t pci_address = 0;
    std::array<uint32_t, 6> pci_bars{};

    template <typename Settings>
    const Settings& settings_as() const {
        return std::any_cast<const Settings&>(settings);
    }
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
    // The ports it is meant for ([system] ports): `axl run` refuses a system
    // that is not for the hosted port, `axl bootfile` one not for bare metal.
    bool hosted = true;
    bool bare_metal = true;
    uint32_t ports_line = 0;  // 0: not said, both
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

// The process with the reincarnation role, or nullptr: the one answer to
// "which process is the reincarnation server" (a description has at most one).
const ProcessDescription* reincarnation_server(const SystemDescription& system);
inline ProcessDescription* reincarnation_server(SystemDescription& system) {
    return const_cast<ProcessDescription*>(reincarnation_server(std::as_const(system)));
}

}  // namespace axl::sim
