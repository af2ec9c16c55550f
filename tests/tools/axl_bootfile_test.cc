// `axl bootfile` (tools/axl/bootfile.h): every workload the generator accepts
// becomes a system file that the bare-metal kernel's parser
// (kernel/boot/system_file.h) reads back as exactly the system the hosted
// simulator boots: privileges with their device rights and destinations,
// processes, and every argument a program reads through arg_int/arg_string.
// What the bare-metal port cannot run is refused with "file:line:" and exit 2.
// Runs the built binary ($AXL_BIN_DIR/axl, set by CTest).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "kernel/boot/system_file.h"
#include "sim/config/boot_image_of.h"
#include "sim/config/system_description.h"
#include "tests/support/axl_command.h"
#include "tests/support/source_dir.h"

namespace {

using axl::test::CommandResult;
using axl::test::read_file;
namespace boot = axl::boot;
namespace sim = axl::sim;

struct ParsedFile {
    std::unique_ptr<boot::SystemFile> file = std::make_unique<boot::SystemFile>();
    boot::ParseError error{};
    bool ok = false;
};

ParsedFile parse(const std::string& text) {
    ParsedFile parsed;
    std::vector<char> exact(text.begin(), text.end());  // no NUL after the text
    parsed.ok = boot::parse_system_file(exact.data(), exact.size(), *parsed.file, parsed.error);
    return parsed;
}

// The boot image says what the description says, field by field: the
// simulator's own image (sim/config/boot_image_of.h) and the system file
// read back by the kernel's parser alike.
void expect_same_system(const sim::SystemDescription& system, const boot::BootImage& file) {
    EXPECT_STREQ(file.string(file.name), system.name.c_str());
    EXPECT_EQ(file.cpus, system.cpus);
    EXPECT_EQ(file.ipc, system.ipc);
    EXPECT_EQ(file.ring_capacity, system.ring_capacity);
    EXPECT_EQ(file.seed, system.seed);

    // One privilege per group, in the order of the groups' first processes.
    std::vector<const sim::ProcessDescription*> leaders;
    std::map<std::string, size_t> group_index;
    for (const sim::ProcessDescription& process : system.processes)
        if (group_index.try_emplace(sim::privilege_group(process), leaders.size()).second)
            leaders.push_back(&process);
    ASSERT_EQ(file.privileges.count, leaders.size());
    for (size_t i = 0; i < leaders.size(); ++i) {
        const sim::ProcessDescription& leader = *leaders[i];
        const boot::ImagePrivilege& privilege = file.privileges[i];
        SCOPED_TRACE("privilege " + sim::privilege_group(leader));
        EXPECT_STREQ(file.string(privilege.name), sim::privilege_group(leader).c_str());
        EXPECT_EQ(privilege.spec.primitives, leader.primitives);
        EXPECT_EQ(privilege.spec.kernel_calls, leader.kernel_calls);
        EXPECT_EQ(privilege.spec.all_destinations, leader.all_destinations);
        EXPECT_EQ(privilege.spec.devices.irq_lines, leader.device_rights.irq_lines);
        EXPECT_EQ(privilege.spec.devices.dma_bytes, leader.device_rights.dma_bytes);
        ASSERT_EQ(privilege.spec.devices.io_range_count, leader.device_rights.io_range_count);
        for (uint32_t r = 0; r < leader.device_rights.io_range_count; ++r) {
            EXPECT_EQ(privilege.spec.devices.io[r].first, leader.device_rights.io[r].first);
            EXPECT_EQ(privilege.spec.devices.io[r].last, leader.device_rights.io[r].last);
            EXPECT_EQ(privilege.spec.devices.io[r].direct, leader.device_rights.io[r].direct);
        }
    }
    // Destinations grouped by privilege, in each one's description order.
    size_t at = 0;
    for (size_t i = 0; i < leaders.size(); ++i) {
        for (const std::string& destination : leaders[i]->destinations) {
            ASSERT_LT(at, file.destinations.count);
            EXPECT_EQ(file.destinations[static_cast<uint32_t>(at)].from, i);
            EXPECT_EQ(file.destinations[static_cast<uint32_t>(at)].to, group_index.at(destination));
            ++at;
        }
    }
    EXPECT_EQ(file.destinations.count, at);

    ASSERT_EQ(file.processes.count, system.processes.size());
    size_t args = 0;
    for (uint32_t i = 0; i < file.processes.count; ++i) {
        const sim::ProcessDescription& process = system.processes[i];
        const boot::ImageProcess& entry = file.processes[i];
        SCOPED_TRACE("process " + process.name);
        EXPECT_STREQ(file.string(entry.name), process.name.c_str());
        EXPECT_STREQ(file.string(entry.program), process.program.c_str());
        EXPECT_EQ(entry.privilege, group_index.at(sim::privilege_group(process)));
        EXPECT_EQ(entry.priority, process.priority);
        EXPECT_EQ(entry.cpu, process.cpu);
        EXPECT_EQ(entry.quantum_ns, process.quantum_ns);
        EXPECT_EQ(entry.stack_bytes, process.stack_bytes);
        EXPECT_EQ(entry.expect, process.expect);
        EXPECT_EQ(entry.dedicated, process.dedicated_cpu);
        // Exactly the arguments the hosted port hands the program: no more, no fewer, same types.
        EXPECT_EQ(entry.arg_count, process.args.size());
        for (const auto& [key, value] : process.args) {
            const boot::ImageArg* arg = boot::find_arg(file, i, key.c_str());
            ASSERT_NE(arg, nullptr) << "argument " << key;
            if (const int64_t* number = std::get_if<int64_t>(&value)) {
                EXPECT_TRUE(arg->is_int) << key;
                EXPECT_EQ(boot::arg_int(file, i, key.c_str(), ~*number), *number) << key;
            } else {
                EXPECT_FALSE(arg->is_int) << key;
                const char* text = boot::arg_string(file, i, key.c_str(), nullptr);
                ASSERT_NE(text, nullptr) << key;
                EXPECT_EQ(std::string(text), std::get<std::string>(value)) << key;
            }
        }
        // As on the hosted port, a process that is no replica has no "replica".
        if (process.replica < 0) EXPECT_EQ(boot::arg_int(file, i, "replica", -1), -1);
        else EXPECT_EQ(boot::arg_int(file, i, "replica", -1), process.replica);
        args += process.args.size();
    }
    EXPECT_EQ(file.args.count, args);
}

class AxlBootfile : public axl::test::AxlCommandTest {
protected:
    // `axl bootfile` on `description` into a file, parsed; checks that it
    // equals the loaded description.
    void expect_round_trip(const std::filesystem::path& description, const std::string& options = "") {
        const std::string out = file("system.txt");
        CommandResult result = axl("bootfile '" + description.string() + "' -o '" + out + "' " + options);
        ASSERT_EQ(result.exit_code, 0) << result.err;
        EXPECT_EQ(result.out, "");
        const std::string text = read_file(out);
        EXPECT_TRUE(text.starts_with("# generated by axl bootfile from " + description.string()))
            << text.substr(0, 200);
        EXPECT_NE(text.find("\naxolotl-system 1\n"), std::string::npos);
        ParsedFile parsed = parse(text);
        ASSERT_TRUE(parsed.ok) << "line " << parsed.error.line << ": " << parsed.error.message;
        sim::DescriptionOverrides overrides;
        if (options.find("--ipc ring") != std::string::npos) overrides.ipc = axl::IpcStrategyKind::ring;
        if (options.find("--seed 0xabc") != std::string::npos) overrides.seed = 0xabc;
        const sim::SystemDescription system = sim::load_system_description(description.string(), overrides);
        expect_same_system(system, *parsed.file);
        expect_same_system(system, sim::HostedBootImage(system).image());
    }

    // Exit 2, nothing written, and "path:line: <problem>" on stderr.
    void expect_refused(const std::filesystem::path& description, uint32_t line, const std::string& problem) {
        const std::string out = file("refused.txt");
        CommandResult result = axl("bootfile '" + description.string() + "' -o '" + out + "'");
        EXPECT_EQ(result.exit_code, 2) << result.err;
        EXPECT_NE(result.err.find(description.string() + ":" + std::to_string(line) + ": "), std::string::npos)
            << result.err;
        EXPECT_NE(result.err.find(problem), std::string::npos) << result.err;
        EXPECT_FALSE(std::filesystem::exists(out));
    }
};

TEST_F(AxlBootfile, EveryAcceptedWorkloadRoundTrips) {
    const std::filesystem::path workloads = std::filesystem::path(axl::test::source_dir()) / "workloads";
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(workloads))
        if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    ASSERT_FALSE(files.empty()) << workloads;
    // Refusals are for what bare metal cannot run yet, and say so with a line.
    const std::regex refusal(
        R"(^.*\.toml:[1-9][0-9]*: (device '.*' is a (timer|block|nic|ne2000|ne2k-pci|pvpanic-pci|i6300esb) device; the bare-metal port drives only these kinds for now: .*|cpus = [0-9]+: .*|.*the bare-metal parser holds.*)\n$)");
    std::vector<std::string> accepted;
    for (const std::filesystem::path& description : files) {
        SCOPED_TRACE(description.string());
        const std::string out = file("out.txt");
        std::filesystem::remove(out);
        CommandResult result = axl("bootfile '" + description.string() + "' -o '" + out + "'");
        if (result.exit_code == 2) {
            EXPECT_TRUE(std::regex_match(result.err, refusal)) << result.err;
            EXPECT_FALSE(std::filesystem::exists(out));
            continue;
        }
        ASSERT_EQ(result.exit_code, 0) << result.err;
        accepted.push_back(description.filename().string());
        ParsedFile parsed = parse(read_file(out));
        ASSERT_TRUE(parsed.ok) << "line " << parsed.error.line << ": " << parsed.error.message;
        expect_same_system(sim::load_system_description(description.string()), *parsed.file);
    }
    // The single-CPU workloads without devices, the uart console, the ISA watchdog and edu's DMA
    // (a dma budget) must get through.
    for (const char* name : {"pingpong.toml", "fanin.toml", "notify.toml", "pipeline.toml", "console.toml",
                             "linux_ib700.toml", "dma_edu.toml"})
        EXPECT_NE(std::find(accepted.begin(), accepted.end(), name), accepted.end()) << name;
}

TEST_F(AxlBootfile, ReplicasDriversAndTheReincarnationServerKeepTheirArguments) {
    // Replicas (shared privilege, `replica` and {replica}), a uart driver
    // (device rights, io_base and irq), rs (service.N.* arguments, rs as a
    // destination of what it manages), strings that need percent-encoding,
    // negative and extreme integers.
    const std::filesystem::path description = write("mixed.toml", R"(
[system]
name = "mixed system, with = and %"
ipc = "queue"
ring_capacity = 64
seed = "0xffffffffffffffff"

[[device]]
name = "com1"
kind = "uart"
driver = "tty"
io_base = 0x2F8
irq = 3
access = "direct"
output = "none"

[[process]]
name = "tty"
program = "uart_driver"
priority = 2
primitives = ["receive", "sendnb"]
destinations = ["client"]
expect = "serve"

[[process]]
name = "server"
program = "pingpong_server"
replicas = 3
priority = 4
quantum = "25us"
stack = "128KiB"
primitives = ["receive", "reply_receive"]
destinations = ["client"]
expect = "serve"
[process.restart]
heartbeat = "1ms"
limit = 4
with = ["tty"]
notify = ["tty", "client"]

[[process]]
name = "client"
program = "pingpong_client"
replicas = 2
destinations = ["server", "tty"]
kernel_calls = ["lookup", "clock", "log"]
[process.args]
server = "server.{replica}"
rounds = 1099511627776

[[process]]
name = "rs"
program = "rs"
priority = 1
expect = "serve"

# Strings that need escaping, and an empty one (the arguments a program
# declares: pipeline_stage's prev, next and stage).
[[process]]
name = "stage"
program = "pipeline_stage"
[process.args]
prev = "a b=c%d\n\"e\" {é} \t/:.-_"
next = ""
stage = 1000
)");
    expect_round_trip(description);
    // And the generated text itself, for the parts a person reads.
    const std::string text = read_file(file("system.txt"));
    EXPECT_NE(text.find("\nio privilege=tty first=0x2f8 last=0x2ff direct=1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\narg process=client.1 key=server string=server.1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\narg process=rs key=service.0.name string=server.0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\narg process=stage key=next string=\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\ndestination privilege=server to=rs\n"), std::string::npos) << text;
    EXPECT_NE(text.find("system name=mixed%20system%2C%20with%20%3D%20and%20%25 cpus=1 ipc=queue ring_capacity=64 "
                        "seed=18446744073709551615\n"),
              std::string::npos)
        << text;
}

TEST_F(AxlBootfile, DedicatedCpuAndOverrides) {
    const std::filesystem::path description = write("dedicated.toml", R"(
[system]
cpus = 1
[[process]]
name = "solo"
program = "pingpong_client"
cpu = 0
dedicated_cpu = true
expect = "fault"
)");
    expect_round_trip(description, "--ipc ring --seed 0xabc");
    const std::string text = read_file(file("system.txt"));
    EXPECT_TRUE(text.starts_with("# generated by axl bootfile from " + description.string() +
                                 " --ipc ring --seed 0xabc\naxolotl-system 1\n"))
        << text;
    EXPECT_NE(text.find(" cpu=0 "), std::string::npos);
    EXPECT_NE(text.find(" dedicated=1\n"), std::string::npos);
    EXPECT_NE(text.find("system name=dedicated cpus=1 ipc=ring ring_capacity=8 seed=2748\n"), std::string::npos)
        << text;
}

TEST_F(AxlBootfile, WritesToStandardOutputWithoutOutputOption) {
    const std::filesystem::path description =
        std::filesystem::path(axl::test::source_dir()) / "workloads" / "pingpong.toml";
    CommandResult result = axl("bootfile '" + description.string() + "'");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    ParsedFile parsed = parse(result.out);
    ASSERT_TRUE(parsed.ok) << parsed.error.message;
    expect_same_system(sim::load_system_description(description.string()), *parsed.file);
}

TEST_F(AxlBootfile, RefusesWhatBareMetalCannotRun) {
    expect_refused(write("two_cpus.toml",
                         "[system]\n"
                         "name = \"two\"\n"
                         "cpus = 2\n"
                         "[[process]]\n"
                         "name = \"a\"\n"
                         "program = \"pingpong_client\"\n"),
                   3, "cpus = 2: the bare-metal port runs on one CPU for now");
    expect_refused(write("block.toml",
                         "[system]\n"
                         "[[process]]\n"
                         "name = \"block\"\n"
                         "program = \"block_driver\"\n"
                         "expect = \"serve\"\n"
                         "[[device]]\n"
                         "name = \"disk0\"\n"
                         "kind = \"block\"\n"
                         "driver = \"block\"\n"
                         "scratch = \"64KiB\"\n"),
                   6, "device 'disk0' is a block device; the bare-metal port drives only these kinds for now: "
                      "uart, ib700");
    expect_refused(write("timer.toml",
                         "[system]\n"
                         "[[process]]\n"
                         "name = \"t\"\n"
                         "program = \"pingpong_client\"\n"
                         "[[device]]\n"
                         "kind = \"timer\"\n"
                         "driver = \"t\"\n"),
                   5, "device 'timer' is a timer device");
    // The iB700's ports are fixed on a PC: a description that moves them
    // could not be the hardware's.
    expect_refused(write("moved_ib700.toml",
                         "[system]\n"
                         "[[process]]\n"
                         "name = \"wdt\"\n"
                         "program = \"pingpong_server\"\n"
                         "expect = \"serve\"\n"
                         "[[device]]\n"
                         "kind = \"ib700\"\n"
                         "io_base = 0x500\n"
                         "driver = \"wdt\"\n"),
                   6, "device 'ib700' (kind ib700) has io_base 0x500, but on a PC the hardware's ports are "
                      "at 0x441");
}

TEST_F(AxlBootfile, GrantsTheIb700sPortsToItsDriver) {
    // QEMU's -device ib700 sits at 0x441..0x443: the driver's io range is
    // those ports, through device_io or opened in the TSS's bitmap.
    for (const char* access : {"kernel", "direct"}) {
        SCOPED_TRACE(access);
        const std::filesystem::path description = write("ib700.toml", std::string(R"(
[system]
name = "ib700"
[[device]]
name = "wdt"
kind = "ib700"
driver = "watchdog"
access = ")") + access + R"("
[[process]]
name = "watchdog"
program = "pingpong_server"
expect = "serve"
)");
        expect_round_trip(description);
        const std::string text = read_file(file("system.txt"));
        EXPECT_NE(text.find(std::string("\nio privilege=watchdog first=0x441 last=0x443 direct=") +
                            (std::string(access) == "direct" ? "1" : "0") + "\n"),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("\narg process=watchdog key=io_base int=1089\n"), std::string::npos) << text;
    }
}

TEST_F(AxlBootfile, RefusesWhatTheParserCannotHold) {
    // 257 processes: the first one past the limit names its table.
    expect_refused(write("many_processes.toml",
                         "[system]\n"
                         "[[process]]\n"
                         "name = \"c\"\n"
                         "program = \"pingpong_client\"\n"
                         "replicas = 257\n"),
                   2, "257 processes, replicas included; the bare-metal parser holds 256");
    // 65 privilege structures.
    std::string tables = "[system]\n";
    for (int i = 0; i < 65; ++i)
        tables += "[[process]]\nname = \"p" + std::to_string(i) + "\"\nprogram = \"pingpong_client\"\n";
    expect_refused(write("many_privileges.toml", tables), 2 + 64 * 3,
                   "process 'p64' needs privilege structure number 65; the bare-metal parser holds 64");
    // 1026 arguments: 171 replicas with 6 each ("replica" and the five fanin_client declares).
    expect_refused(write("many_args.toml",
                         "[system]\n"
                         "[[process]]\n"
                         "name = \"c\"\n"
                         "program = \"fanin_client\"\n"
                         "replicas = 171\n"
                         "args = { server = \"s\", id = 1, rounds = 1, think_ns = 0, think_jitter_ns = 0 }\n"),
                   2, "is argument number 1025 of the system; the bare-metal parser holds 1024");
    // A string argument too long for one line.
    expect_refused(write("long_arg.toml", "[system]\n"
                                          "[[process]]\n"
                                          "name = \"c\"\n"
                                          "program = \"pingpong_client\"\n"
                                          "[process.args]\n"
                                          "server = \"" +
                                              std::string(1500, ',') + "\"\n"),
                   2, "system file line of 4532 bytes; the bare-metal parser reads lines of at most 4096");
}

TEST_F(AxlBootfile, DescriptionErrorsExitTwoAsForRun) {
    expect_refused(write("typo.toml",
                         "[system]\n"
                         "[[process]]\n"
                         "name = \"a\"\n"
                         "program = \"pingpong_client\"\n"
                         "prioirty = 3\n"),
                   5, "unknown key 'prioirty'");
    CommandResult missing = axl("bootfile '" + file("absent.toml") + "'");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("absent.toml:0: "), std::string::npos) << missing.err;
    EXPECT_EQ(axl("bootfile").exit_code, 2);  // no FILE
    EXPECT_EQ(axl("bootfile x.toml --ipc mailbox").exit_code, 2);
}

}  // namespace
