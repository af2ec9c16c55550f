// `axl bootfile`: a system description as the bare-metal kernel's system file
// (docs/system-file.md). The file is the boot image the hosted simulator boots
// (sim/config/boot_image_of.h), written out record by record: the privileges
// with their device rights, the destinations, the processes in file order,
// then every argument each process reads through axl::arg_int /
// axl::arg_string (the file's [process.args], plus what the loader adds:
// `replica`, a driver's `io_base` and `irq`, the reincarnation server's
// `service.N.*`).
#include "tools/axl/bootfile.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "hw/ib700.h"
#include "kernel/boot/system_file.h"
#include "sim/config/boot_image_of.h"
#include "sim/machine/device_kind.h"
#include "tools/axl/cli_checks.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/output_file.h"
#include "tools/axl/report_printer.h"

namespace axl::tools {
namespace {

// The line of `[system] key` (or of [system] itself, when the key is absent)
// in the description: SystemDescription keeps no lines for [system].
uint32_t system_line(const std::string& path, std::string_view key) {
    try {
        toml::table root = toml::parse_file(path);
        const toml::node* system = root.get("system");
        if (system == nullptr) return 0;
        if (const toml::table* table = system->as_table()) {
            if (const toml::node* value = table->get(key)) return value->source().begin.line;
        }
        return system->source().begin.line;
    } catch (const std::exception&) {
        return 0;  // loaded from memory (tests), or gone since: no line to name
    }
}

// Builds the file and checks, line by line, that the kernel's parser will
// hold it (kernel/boot/system_file.h), blaming the description's lines.
class SystemFileWriter {
public:
    explicit SystemFileWriter(const sim::SystemDescription& system)
        : m_system(system), m_lowered(system), m_image(m_lowered.image()) {}

    std::string write(std::string_view note);

private:
    [[noreturn]] void fail(uint32_t line, const std::string& problem) const {
        throw sim::DescriptionError(fmt::format("{}:{}: {}", m_system.path, line, problem));
    }
    void refuse_what_bare_metal_cannot_run() const;
    void add_line(const std::string& text, uint32_t blame);
    // A string the parser keeps (decoded, with its NUL), encoded for the file.
    std::string kept(const std::string& text, uint32_t blame, const std::string& what);
    void check_word(const std::string& text, uint32_t blame, const std::string& what) const;

    const sim::SystemDescription& m_system;
    const sim::HostedBootImage m_lowered;
    const boot::BootImage& m_image;
    std::string m_out;
    size_t m_text_used = 0;  // bytes of SystemFile::text the parser will use
};

// The device kinds a system file may grant: hardware a PC (and QEMU) has,
// either at fixed ports, so that the io ranges the description grants the
// driver are the device's own, or on the PCI bus, where the PCI server finds
// the device by its IDs and grants the driver the BARs the firmware placed
// (device_grant). `fixed_io_base`: the only base the hardware has (0: any, as
// for a 16550 at COM1..COM4, or none, for PCI). The other kinds are the hosted
// port's models (timer, block, nic, ne2000 at a port of the description's).
struct BareMetalKind {
    std::string_view kind;
    uint16_t fixed_io_base;
};
constexpr BareMetalKind bare_metal_kinds[] = {
    {"uart", 0},                         // QEMU's 16550s; COM1 is the kernel's console
    {"ib700", hw::ib700::default_base},  // -device ib700: ports 0x441 and 0x443
    {"pvpanic-pci", 0},                  // -device pvpanic-pci
    {"i6300esb", 0},                     // -device i6300esb
    {"ne2k-pci", 0},                     // -device ne2k_pci
    {"edu", 0},                          // -device edu
};

void SystemFileWriter::refuse_what_bare_metal_cannot_run() const {
    if (m_system.cpus > 1)
        fail(system_line(m_system.path, "cpus"),
             fmt::format("cpus = {}: the bare-metal port runs on one CPU for now; axl bootfile writes "
                         "single-CPU systems only",
                         m_system.cpus));
    std::vector<std::string_view> kinds;
    for (const BareMetalKind& allowed : bare_metal_kinds) kinds.push_back(allowed.kind);
    for (const sim::DeviceDescription& device : m_system.devices) {
        const auto found =
            std::find_if(std::begin(bare_metal_kinds), std::end(bare_metal_kinds),
                         [&](const BareMetalKind& allowed) { return allowed.kind == device.kind->name; });
        if (found == std::end(bare_metal_kinds))
            fail(device.line, fmt::format("device '{}' is a {} device; the bare-metal port drives only these kinds "
                                          "for now: {}",
                                          device.name, device.kind->name, fmt::join(kinds, ", ")));
        if (found->fixed_io_base != 0 && device.io_base != found->fixed_io_base)
            fail(device.line, fmt::format("device '{}' (kind {}) has io_base {:#x}, but on a PC the hardware's "
                                          "ports are at {:#x} (drop io_base to boot it on bare metal)",
                                          device.name, device.kind->name, device.io_base, found->fixed_io_base));
    }
}

void SystemFileWriter::add_line(const std::string& text, uint32_t blame) {
    if (text.size() > boot::system_file_line_bytes_max)
        fail(blame, fmt::format("this gives a system file line of {} bytes; the bare-metal parser reads lines of "
                                "at most {} (axl::boot::system_file_line_bytes_max): {:.60}...",
                                text.size(), boot::system_file_line_bytes_max, text));
    m_out += text;
    m_out += '\n';
    if (m_out.size() > boot::system_file_size_max)
        fail(blame, fmt::format("the system file grows past {} bytes here (axl::boot::system_file_size_max)",
                                boot::system_file_size_max));
}

std::string SystemFileWriter::kept(const std::string& text, uint32_t blame, const std::string& what) {
    if (text.find('\0') != std::string::npos)
        fail(blame, what + " holds a NUL byte, which a system file cannot carry");
    m_text_used += text.size() + 1;
    if (m_text_used > boot::system_file_text_bytes)
        fail(blame, fmt::format("the names, programs, argument keys and string arguments up to {} take more than "
                                "{} bytes, all the bare-metal parser holds (axl::boot::system_file_text_bytes)",
                                what, boot::system_file_text_bytes));
    return percent_encode(text);
}

void SystemFileWriter::check_word(const std::string& text, uint32_t blame, const std::string& what) const {
    if (text.empty() || text.size() > boot::system_file_word_bytes_max)
        fail(blame, fmt::format("{} is {} bytes long; the system file takes 1..{} (axl::boot::"
                                "system_file_word_bytes_max)",
                                what, text.size(), boot::system_file_word_bytes_max));
}

std::string SystemFileWriter::write(std::string_view note) {
    refuse_what_bare_metal_cannot_run();

    // The comment names the description: one line (a line end in the path
    // would end the comment), well within the parser's line limit.
    std::string path = m_system.path;
    for (char& c : path)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    constexpr size_t path_shown_max = 1024;
    if (path.size() > path_shown_max) path = "..." + path.substr(path.size() - path_shown_max);
    m_out = "# generated by axl bootfile from " + path + std::string(note) + "\n";
    add_line("axolotl-system " + std::to_string(boot::system_file_version), 0);

    const uint32_t name_line = system_line(m_system.path, "name");
    check_word(m_system.name, name_line, "the system's name");
    add_line(fmt::format("system name={} cpus={} ipc={} ring_capacity={} seed={}",
                         kept(m_system.name, name_line, "the system's name"), m_system.cpus,
                         axl::to_string(m_system.ipc), m_system.ring_capacity, m_system.seed),
             name_line);

    const boot::BootImage& image = m_image;
    auto name_of = [&](uint32_t privilege) { return std::string(image.string(image.privileges[privilege].name)); };
    if (image.privileges.count > boot::system_file_privileges_max) {
        const boot::ImagePrivilege& first_too_many = image.privileges[boot::system_file_privileges_max];
        fail(first_too_many.line,
             fmt::format("process '{}' needs privilege structure number {}; the bare-metal parser holds {} "
                         "(axl::boot::system_file_privileges_max)",
                         image.string(first_too_many.name), boot::system_file_privileges_max + 1,
                         boot::system_file_privileges_max));
    }
    if (image.processes.count > boot::system_file_processes_max) {
        const boot::ImageProcess& first_too_many = image.processes[boot::system_file_processes_max];
        fail(first_too_many.line,
             fmt::format("{} processes, replicas included; the bare-metal parser holds {} "
                         "(axl::boot::system_file_processes_max), and '{}' is number {}",
                         image.processes.count, boot::system_file_processes_max, image.string(first_too_many.name),
                         boot::system_file_processes_max + 1));
    }

    for (const boot::ImagePrivilege& privilege : image.privileges) {
        const std::string name = image.string(privilege.name);
        // dma_bytes only when set: it is optional, 0 without it.
        const std::string dma = privilege.spec.devices.dma_bytes == 0
                                    ? std::string()
                                    : fmt::format(" dma_bytes={}", privilege.spec.devices.dma_bytes);
        add_line(fmt::format("privilege name={} primitives={:#x} kernel_calls={:#x} all_destinations={} "
                             "irq_lines={:#x}{}",
                             kept(name, privilege.line, "privilege '" + name + "'"), privilege.spec.primitives,
                             privilege.spec.kernel_calls, privilege.spec.all_destinations ? 1 : 0,
                             privilege.spec.devices.irq_lines, dma),
                 privilege.line);
    }
    for (const boot::ImagePrivilege& privilege : image.privileges) {
        const DeviceRights& rights = privilege.spec.devices;
        for (uint32_t r = 0; r < rights.io_range_count; ++r)
            add_line(fmt::format("io privilege={} first={:#x} last={:#x} direct={}",
                                 percent_encode(image.string(privilege.name)), rights.io[r].first, rights.io[r].last,
                                 rights.io[r].direct ? 1 : 0),
                     privilege.line);
    }
    for (const boot::ImageDestination& destination : image.destinations)
        add_line(fmt::format("destination privilege={} to={}", percent_encode(name_of(destination.from)),
                             percent_encode(name_of(destination.to))),
                 image.privileges[destination.from].line);

    for (const boot::ImageProcess& process : image.processes) {
        const std::string name = image.string(process.name);
        const std::string program = image.string(process.program);
        check_word(program, process.line, "program '" + program + "'");
        add_line(fmt::format("process name={} program={} privilege={} priority={} cpu={} quantum_ns={} "
                             "stack_bytes={} expect={} dedicated={}",
                             kept(name, process.line, "process '" + name + "'"),
                             kept(program, process.line, "the program of process '" + name + "'"),
                             percent_encode(name_of(process.privilege)), unsigned{process.priority}, process.cpu,
                             process.quantum_ns, process.stack_bytes, boot::to_string(process.expect),
                             process.dedicated ? 1 : 0),
                 process.line);
    }

    for (uint32_t a = 0; a < image.args.count; ++a) {
        const boot::ImageArg& arg = image.args[a];
        const std::string process = image.string(image.processes[arg.process].name);
        const std::string key = image.string(arg.key);
        const std::string what = "argument '" + key + "' of process '" + process + "'";
        if (a + 1 > boot::system_file_args_max)
            fail(arg.line, fmt::format("{} is argument number {} of the system; the bare-metal parser "
                                       "holds {} (axl::boot::system_file_args_max)",
                                       what, a + 1, boot::system_file_args_max));
        check_word(key, arg.line, "the key of " + what);
        std::string line = "arg process=" + percent_encode(process) + " key=" + kept(key, arg.line, what);
        if (arg.is_int)
            line += " int=" + std::to_string(arg.int_value);
        else
            line += " string=" + kept(image.string(arg.string_value), arg.line, what);
        add_line(line, arg.line);
    }

    // The kernel's parser has the last word: a file it refuses is a bug here.
    auto parsed = std::make_unique<boot::SystemFile>();
    boot::ParseError error{};
    if (!boot::parse_system_file(m_out.data(), m_out.size(), *parsed, error))
        throw std::runtime_error(fmt::format("internal error: the system file written for {} does not parse: "
                                             "line {}: {}",
                                             m_system.path, error.line, error.message));
    return m_out;
}

}  // namespace

std::string percent_encode(std::string_view text) {
    std::string encoded;
    encoded.reserve(text.size());
    for (char c : text) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '_' || c == '/' || c == ':' || c == '-';
        if (plain)
            encoded += c;
        else
            encoded += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
    return encoded;
}

std::string format_system_file(const sim::SystemDescription& system, std::string_view note) {
    return SystemFileWriter(system).write(note);
}

CLI::App* add_bootfile_command(CLI::App& app, BootfileArguments& args) {
    CLI::App* bootfile = app.add_subcommand(
        "bootfile", "translate a system description into the system file the bare-metal kernel boots");
    bootfile->add_option("FILE", args.path, "system description (TOML, see docs/system-description.md)")
        ->required();
    bootfile->add_option("-o,--output", args.output, "write the system file here (default: standard output)")
        ->type_name("FILE");
    bootfile->add_option("--ipc", args.ipc, "IPC strategy, overrides the file")
        ->check(CLI::IsMember(strategy_choices()))
        ->type_name("NAME");
    bootfile->add_option("--seed", args.seed, "64-bit seed (decimal or 0x hex), overrides the file")
        ->check(seed_check())
        ->type_name("N");
    args.ring_capacity_option =
        bootfile
            ->add_option("--ring-capacity", args.ring_capacity,
                         "messages per ring for the ring strategy (a power of two), overrides the file")
            ->type_name("N");
    return bootfile;
}

int write_bootfile(const BootfileArguments& args) {
    sim::DescriptionOverrides overrides;
    std::string note;
    if (!args.ipc.empty()) {
        overrides.ipc = sim::parse_ipc_strategy(args.ipc);
        note += " --ipc " + args.ipc;
    }
    if (!args.seed.empty()) {
        overrides.seed = sim::parse_seed(args.seed);
        note += " --seed " + args.seed;
    }
    if (args.ring_capacity_option != nullptr && args.ring_capacity_option->count() > 0) {
        overrides.ring_capacity = args.ring_capacity;
        note += " --ring-capacity " + std::to_string(args.ring_capacity);
    }
    std::string text;
    try {
        const sim::SystemDescription system = sim::load_system_description(args.path, overrides);
        if (!system.bare_metal)
            throw sim::DescriptionError(fmt::format(
                "{}:{}: system '{}' is for the hosted port only (its [system] ports does not list \"bare-metal\"); "
                "run it with `axl run`",
                system.path, system.ports_line, system.name));
        text = format_system_file(system, note);
    } catch (const sim::DescriptionError& error) {
        fmt::print(stderr, "{}\n", error.what());
        return exit_usage;
    }
    if (args.output.empty() || args.output == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return std::fflush(stdout) == 0 ? exit_ok : exit_failed;
    }
    // A path that cannot be written is a mistake on the command line (exit 2, with the reason).
    OutputFile out("-o", args.output);
    if (!out.open()) return exit_usage;
    out.stream() << text;
    return out.close() ? exit_ok : exit_failed;
}

}  // namespace axl::tools
