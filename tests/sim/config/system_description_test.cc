// System descriptions: the documented example reads into exactly the expected
// struct, overrides apply, and every kind of mistake is refused with
// "path:line: problem" pointing at the right line.
#include "sim/config/system_description.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "kernel/api/calls.h"
#include "kernel/api/program.h"
#include "kernel/config.h"
#include "sim/port/program_registry.h"

// Programs of this test binary only, so the tests do not depend on workloads/.
// Their options are the keys the tests' [process.args] tables use.
AXL_PROGRAM(description_test_server, "answers whatever it receives (system description tests)",
            axl::string_option("peer", "", "a process name"), axl::string_option("t", "", "some text"),
            axl::integer_option("ratio", 1, 1, 100, "an integer with a range"),
            axl::integer_option("big", 0, INT64_MIN, INT64_MAX, "any integer"),
            axl::integer_option("replica", 0, 0, 1000, "a number, not set by the reader here")) {
    return 0;
}
AXL_PROGRAM(description_test_client, "sends a few requests (system description tests)",
            axl::integer_option("rounds", 10, 1, 1'000'000, "requests to send"),
            axl::string_option("server", "server", "the server's process name"),
            axl::string_option("both", "", "text"), axl::string_option("literal", "", "text")) {
    return 0;
}
AXL_PROGRAM(description_test_plain, "takes no arguments (system description tests)") { return 0; }

namespace axl::sim {
namespace {

constexpr const char* path = "test.toml";

// The example of docs/system-description.md, with this file's programs.
constexpr const char* example = R"(# line 1
[system]
name = "pingpong"
cpus = 2
ipc = "ring"
seed = 7
until = "10ms"

[[process]]
name = "server"
program = "description_test_server"
priority = 4
cpu = 1
dedicated_cpu = true
quantum = "20us"
stack = "128KiB"
primitives = ["receive", "send"]
kernel_calls = ["exit", "log"]
destinations = ["*"]
expect = "serve"

[[process]]
name = "client"
program = "description_test_client"
destinations = ["server"]
[process.args]
rounds = 1000
server = "server"
)";

// The smallest valid file: one process, everything else defaulted.
constexpr const char* minimal = R"([system]

[[process]]
name = "only"
program = "description_test_client"
)";

// Runs the parser and checks it refused with "test.toml:<line>: ...<fragment>...".
::testing::AssertionResult refused(const std::string& text, uint32_t line, const std::string& fragment,
                                   const DescriptionOverrides& overrides = {}) {
    try {
        parse_system_description(text, path, overrides);
    } catch (const DescriptionError& error) {
        std::string message = error.what();
        std::string prefix = std::string(path) + ":" + std::to_string(line) + ": ";
        if (message.rfind(prefix, 0) != 0)
            return ::testing::AssertionFailure() << "expected prefix '" << prefix << "', got: " << message;
        if (message.find(fragment) == std::string::npos)
            return ::testing::AssertionFailure() << "expected '" << fragment << "' in: " << message;
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "the description was accepted";
}

// A system with the given processes' bodies appended after [system].
std::string with_system(const std::string& system_keys, const std::string& processes) {
    return "[system]\n" + system_keys + processes;
}

std::string server_process(const std::string& extra = "") {
    return "[[process]]\nname = \"server\"\nprogram = \"description_test_server\"\n" + extra;
}

// ---- what a valid file means ------------------------------------------------------

TEST(SystemDescription, ExampleReadsIntoEveryField) {
    SystemDescription system = parse_system_description(example, path);
    EXPECT_EQ(system.path, path);
    EXPECT_EQ(system.name, "pingpong");
    EXPECT_EQ(system.cpus, 2u);
    EXPECT_EQ(system.ipc, IpcStrategyKind::ring);
    EXPECT_EQ(system.seed, 7u);
    ASSERT_TRUE(system.until_ns.has_value());
    EXPECT_EQ(*system.until_ns, 10'000'000u);
    ASSERT_EQ(system.processes.size(), 2u);

    const ProcessDescription& server = system.processes[0];
    EXPECT_EQ(server.name, "server");
    EXPECT_EQ(server.program, "description_test_server");
    EXPECT_EQ(server.line, 9u);
    EXPECT_EQ(server.priority, 4);
    EXPECT_EQ(server.cpu, 1);
    EXPECT_TRUE(server.dedicated_cpu);
    EXPECT_EQ(server.quantum_ns, 20'000u);
    EXPECT_EQ(server.stack_bytes, 128u * 1024);
    EXPECT_EQ(server.primitives, bit(Primitive::receive) | bit(Primitive::send));
    EXPECT_EQ(server.kernel_calls, bit(KernelCall::exit) | bit(KernelCall::log));
    EXPECT_TRUE(server.all_destinations);
    EXPECT_TRUE(server.destinations.empty());
    EXPECT_EQ(server.expect, Expectation::serve);
    EXPECT_TRUE(server.args.empty());

    const ProcessDescription& client = system.processes[1];
    EXPECT_EQ(client.name, "client");
    EXPECT_EQ(client.program, "description_test_client");
    EXPECT_EQ(client.line, 22u);
    EXPECT_EQ(client.priority, 8);
    EXPECT_EQ(client.cpu, -1);
    EXPECT_FALSE(client.dedicated_cpu);
    EXPECT_EQ(client.quantum_ns, config::default_quantum_ns);
    EXPECT_EQ(client.stack_bytes, 64u * 1024);
    EXPECT_EQ(client.primitives, bit(Primitive::sendrec));
    EXPECT_EQ(client.kernel_calls, default_kernel_calls);
    EXPECT_FALSE(client.all_destinations);
    EXPECT_EQ(client.destinations, std::vector<std::string>{"server"});
    EXPECT_EQ(client.expect, Expectation::exit);
    ASSERT_EQ(client.args.size(), 2u);
    EXPECT_EQ(std::get<int64_t>(client.args.at("rounds")), 1000);
    EXPECT_EQ(std::get<std::string>(client.args.at("server")), "server");
}

TEST(SystemDescription, DefaultsFillWhatTheFileLeavesOut) {
    SystemDescription system = parse_system_description(minimal, "dir/minimal.toml");
    EXPECT_EQ(system.name, "minimal");  // the file stem
    EXPECT_EQ(system.cpus, 1u);
    EXPECT_EQ(system.ipc, IpcStrategyKind::rendezvous);
    EXPECT_EQ(system.seed, 1u);
    EXPECT_FALSE(system.until_ns.has_value());
    ASSERT_EQ(system.processes.size(), 1u);
    EXPECT_EQ(system.processes[0].primitives, bit(Primitive::sendrec));
    EXPECT_EQ(system.processes[0].kernel_calls, default_kernel_calls);
    EXPECT_EQ(system.processes[0].expect, Expectation::exit);
}

TEST(SystemDescription, PrivilegeKeywordsAndUnitsCombine) {
    SystemDescription system = parse_system_description(
        with_system("seed = \"0xffffffffffffffff\"\nuntil = 1500\n",
                    server_process("primitives = [\"all\"]\nkernel_calls = [\"default\", \"all\"]\n"
                                   "stack = 1048576\nquantum = \"2ms\"\n")),
        path);
    EXPECT_EQ(system.seed, UINT64_MAX);
    EXPECT_EQ(*system.until_ns, 1500u);
    EXPECT_EQ(system.processes[0].primitives, all_primitives);
    EXPECT_EQ(system.processes[0].kernel_calls, all_kernel_calls);
    EXPECT_EQ(system.processes[0].stack_bytes, 1024u * 1024);
    EXPECT_EQ(system.processes[0].quantum_ns, 2'000'000u);

    SystemDescription none = parse_system_description(
        with_system("", server_process("primitives = []\nkernel_calls = []\n")), path);
    EXPECT_EQ(none.processes[0].primitives, 0u);
    EXPECT_EQ(none.processes[0].kernel_calls, 0u);
}

// Every primitive is named by its to_string() word, reply_receive included.
TEST(SystemDescription, ReplyReceiveIsAPrimitiveName) {
    EXPECT_STREQ(to_string(Primitive::reply_receive), "reply_receive");
    SystemDescription system = parse_system_description(
        with_system("", server_process("primitives = [\"reply_receive\"]\n") +
                            "[[process]]\nname = \"loop\"\nprogram = \"description_test_server\"\n"
                            "primitives = [\"receive\", \"reply_receive\"]\n"),
        path);
    ASSERT_EQ(system.processes.size(), 2u);
    EXPECT_EQ(system.processes[0].primitives, bit(Primitive::reply_receive));
    EXPECT_EQ(system.processes[1].primitives, bit(Primitive::receive) | bit(Primitive::reply_receive));
    // "all" grants it; the default (sendrec only) does not.
    EXPECT_NE(parse_system_description(with_system("", server_process("primitives = [\"all\"]\n")), path)
                      .processes[0]
                      .primitives &
                  bit(Primitive::reply_receive),
              0u);
    EXPECT_EQ(parse_system_description(minimal, path).processes[0].primitives & bit(Primitive::reply_receive), 0u);
    // A misspelling is refused, and the message offers the real name.
    EXPECT_TRUE(refused(with_system("", server_process("primitives = [\"replyreceive\"]\n")), 5,
                        "unknown primitive 'replyreceive'"));
    EXPECT_TRUE(refused(with_system("", server_process("primitives = [\"replyreceive\"]\n")), 5, "reply_receive"));
}

TEST(SystemDescription, OverridesReplaceTheFileValues) {
    DescriptionOverrides overrides;
    overrides.ipc = IpcStrategyKind::queue;
    overrides.seed = 99;
    overrides.cpus = 4;
    overrides.until_ns = 5'000;
    SystemDescription system = parse_system_description(example, path, overrides);
    EXPECT_EQ(system.ipc, IpcStrategyKind::queue);
    EXPECT_EQ(system.seed, 99u);
    EXPECT_EQ(system.cpus, 4u);
    EXPECT_EQ(*system.until_ns, 5'000u);
}

// ---- files ------------------------------------------------------------------------------

TEST(SystemDescription, LoadsFromARealFileAndNamesItInErrors) {
    std::string file = (std::filesystem::temp_directory_path() /
                        ("axl_description_test_" + std::to_string(::getpid()) + ".toml"))
                           .string();
    {
        std::ofstream out(file);
        out << minimal;
    }
    SystemDescription system = load_system_description(file);
    EXPECT_EQ(system.path, file);
    EXPECT_EQ(system.processes.size(), 1u);

    {
        std::ofstream out(file);
        out << "[system]\ncpus = 0\n";
    }
    try {
        load_system_description(file);
        ADD_FAILURE() << "cpus = 0 was accepted";
    } catch (const DescriptionError& error) {
        EXPECT_EQ(std::string(error.what()).rfind(file + ":2: ", 0), 0u) << error.what();
    }
    std::filesystem::remove(file);
}

TEST(SystemDescription, MissingFileIsLineZero) {
    try {
        load_system_description("/nonexistent/axl/nothing.toml");
        ADD_FAILURE() << "a missing file was accepted";
    } catch (const DescriptionError& error) {
        std::string message = error.what();
        EXPECT_EQ(message.rfind("/nonexistent/axl/nothing.toml:0: cannot open file", 0), 0u) << message;
    }
}

// ---- one test per kind of mistake ------------------------------------------------------

TEST(SystemDescriptionErrors, TomlSyntax) {
    EXPECT_TRUE(refused("[system]\ncpus = 1\nipc = = \"ring\"\n", 3, "TOML syntax error"));
}

TEST(SystemDescriptionErrors, IntegersBeyondInt64AreSyntaxErrors) {
    EXPECT_TRUE(refused(with_system("", server_process("[process.args]\nbig = 9223372036854775808\n")), 6,
                        "TOML syntax error"));
}

TEST(SystemDescriptionErrors, WrongTypes) {
    EXPECT_TRUE(refused(with_system("cpus = \"two\"\n", server_process()), 2, "cpus must be an integer, not a string"));
    EXPECT_TRUE(refused(with_system("", server_process("priority = 1.5\n")), 5, "priority must be an integer"));
    EXPECT_TRUE(refused(with_system("", server_process("dedicated_cpu = 1\n")), 5, "dedicated_cpu must be a boolean"));
    EXPECT_TRUE(refused(with_system("", server_process("primitives = \"send\"\n")), 5, "must be an array"));
    EXPECT_TRUE(refused(with_system("", server_process("destinations = [1]\n")), 5, "entries must be strings"));
    EXPECT_TRUE(refused(with_system("", server_process("args = 3\n")), 5, "args must be a table"));
    EXPECT_TRUE(refused(with_system("", server_process("[process.args]\nratio = 0.5\n")), 6,
                        "args.ratio must be an integer, not a float"));
    EXPECT_TRUE(refused("system = 1\n", 1, "system must be a table"));
    EXPECT_TRUE(refused("[system]\n[process]\nname = \"x\"\n", 2, "write each one as [[process]]"));
}

TEST(SystemDescription, RingCapacityDefaultsAndReads) {
    EXPECT_EQ(parse_system_description(minimal, path).ring_capacity, config::ring_capacity);
    EXPECT_EQ(parse_system_description(with_system("ring_capacity = 1024\n", server_process()), path).ring_capacity,
              1024u);
}

TEST(SystemDescriptionErrors, RingCapacity) {
    EXPECT_TRUE(refused(with_system("ring_capacity = 12\n", server_process()), 2,
                        "ring_capacity must be a power of two (got 12)"));
    EXPECT_TRUE(refused(with_system("ring_capacity = 0\n", server_process()), 2, "ring_capacity"));
    EXPECT_TRUE(refused(with_system("ring_capacity = 131072\n", server_process()), 2, "ring_capacity"));
    DescriptionOverrides overrides;
    overrides.ring_capacity = 6;
    EXPECT_TRUE(refused(minimal, 0, "--ring-capacity 6 must be a power of two", overrides));
    overrides.ring_capacity = 64;
    EXPECT_EQ(parse_system_description(minimal, path, overrides).ring_capacity, 64u);
}

TEST(SystemDescriptionErrors, UnknownKeys) {
    EXPECT_TRUE(refused(with_system("", server_process("prioirty = 3\n")), 5,
                        "unknown key 'prioirty' in [[process]]; did you mean 'priority'?"));
    EXPECT_TRUE(refused(with_system("cpu = 2\n", server_process()), 2, "unknown key 'cpu' in [system]"));
    EXPECT_TRUE(refused("[sytem]\n" + server_process(), 1, "unknown key 'sytem' in the top level"));
    // Far from every known key: the message lists them instead of guessing.
    EXPECT_TRUE(refused(with_system("", server_process("colour = \"blue\"\n")), 5, "known keys: name, program"));
}

TEST(SystemDescriptionErrors, MissingRequiredKeys) {
    EXPECT_TRUE(refused("# nothing here\n", 1, "missing [system] table"));
    EXPECT_TRUE(refused("[system]\n\n[[process]]\nprogram = \"description_test_server\"\n", 3, "has no name"));
    EXPECT_TRUE(refused("[system]\n\n[[process]]\nname = \"server\"\n", 3, "has no program"));
}

TEST(SystemDescriptionErrors, NoProcesses) {
    EXPECT_TRUE(refused("\n[system]\ncpus = 1\n", 2, "no processes"));
    EXPECT_TRUE(refused("process = []\n[system]\n", 1, "no processes"));
}

TEST(SystemDescriptionErrors, UnknownProgram) {
    ASSERT_NE(find_program("description_test_server"), nullptr);  // the check has something to find
    EXPECT_TRUE(refused(with_system("", "[[process]]\nname = \"a\"\nprogram = \"no_such_program\"\n"), 4,
                        "unknown program 'no_such_program'"));
}

TEST(SystemDescriptionErrors, UnknownIpcStrategy) {
    EXPECT_TRUE(refused(with_system("ipc = \"mailbox\"\n", server_process()), 2, "unknown ipc strategy 'mailbox'"));
}

TEST(SystemDescriptionErrors, UnknownPrimitiveAndKernelCall) {
    EXPECT_TRUE(refused(with_system("", server_process("primitives = [\n  \"send\",\n  \"sned\",\n]\n")), 7,
                        "unknown primitive 'sned'"));
    EXPECT_TRUE(refused(with_system("", server_process("kernel_calls = [\"exit\", \"reboot\"]\n")), 5,
                        "unknown kernel call 'reboot'"));
}

TEST(SystemDescriptionErrors, DestinationMustNameAProcess) {
    std::string text = with_system("", server_process("destinations = [\n  \"server\",\n  \"clinet\",\n]\n"));
    EXPECT_TRUE(refused(text, 7, "destination 'clinet' is not a process of this system"));
    // A destination further down the file is fine.
    EXPECT_NO_THROW(parse_system_description(
        with_system("", server_process("destinations = [\"client\"]\n") +
                            "[[process]]\nname = \"client\"\nprogram = \"description_test_client\"\n"),
        path));
    EXPECT_TRUE(refused(with_system("", server_process("destinations = [\"*\", \"server\"]\n")), 5,
                        "must be the only entry"));
    EXPECT_TRUE(refused(with_system("", server_process("destinations = [\"server\", \"server\"]\n")), 5,
                        "listed twice"));
}

TEST(SystemDescriptionErrors, DuplicateProcessNames) {
    EXPECT_TRUE(refused(with_system("", server_process() + server_process()), 6,
                        "duplicate process name 'server' (first used on line 3)"));
}

TEST(SystemDescriptionErrors, BadProcessNames) {
    EXPECT_TRUE(refused(with_system("", "[[process]]\nname = \"has space\"\nprogram = \"description_test_server\"\n"),
                        3, "may only contain"));
    EXPECT_TRUE(refused(with_system("", "[[process]]\nname = \"\"\nprogram = \"description_test_server\"\n"), 3,
                        "must be 1..23 characters"));
    std::string longest(config::process_name_bytes - 1, 'n');
    EXPECT_NO_THROW(parse_system_description(
        with_system("", "[[process]]\nname = \"" + longest + "\"\nprogram = \"description_test_server\"\n"), path));
    EXPECT_TRUE(refused(
        with_system("", "[[process]]\nname = \"" + longest + "n\"\nprogram = \"description_test_server\"\n"), 3,
        "must be 1..23 characters"));
}

TEST(SystemDescriptionErrors, OutOfRangeValues) {
    EXPECT_TRUE(refused(with_system("cpus = 0\n", server_process()), 2, "cpus = 0 is out of range 1..16"));
    EXPECT_TRUE(refused(with_system("cpus = 17\n", server_process()), 2, "cpus = 17 is out of range"));
    EXPECT_TRUE(refused(with_system("seed = -1\n", server_process()), 2, "seed must not be negative"));
    EXPECT_TRUE(refused(with_system("seed = \"0x1g\"\n", server_process()), 2, "not a 64-bit unsigned number"));
    EXPECT_TRUE(refused(with_system("until = \"10 parsecs\"\n", server_process()), 2, "until: \"10 parsecs\" has an unknown unit"));
    EXPECT_TRUE(refused(with_system("until = 0\n", server_process()), 2, "until must be longer than 0"));
    EXPECT_TRUE(refused(with_system("", server_process("priority = 16\n")), 5, "priority = 16 is out of range 0..15"));
    EXPECT_TRUE(refused(with_system("", server_process("priority = -1\n")), 5, "priority = -1 is out of range"));
    EXPECT_TRUE(refused(with_system("", server_process("cpu = -1\n")), 5, "cpu = -1 is out of range"));
    EXPECT_TRUE(refused(with_system("", server_process("quantum = \"0us\"\n")), 5, "quantum must be longer than 0"));
    EXPECT_TRUE(refused(with_system("", server_process("quantum = \"1.5us\"\n")), 5, "fraction"));
    EXPECT_TRUE(refused(with_system("", server_process("stack = \"8KiB\"\n")), 5, "stack = 8192 bytes is out of range"));
    EXPECT_TRUE(refused(with_system("", server_process("stack = \"65MiB\"\n")), 5, "is out of range 16KiB..64MiB"));
    EXPECT_TRUE(refused(with_system("", server_process("stack = \"64KB\"\n")), 5, "unknown unit 'KB'"));
    EXPECT_TRUE(refused(with_system("", server_process("expect = \"crash\"\n")), 5, "unknown expect 'crash'"));
}

TEST(SystemDescriptionErrors, TooManyProcessesForThePrivilegeTable) {
    const uint32_t allowed = config::privilege_slots_max - 3;
    std::string text = "[system]\n";  // line 1; process i starts on line 2 + 3 * i
    for (uint32_t i = 0; i <= allowed; ++i)
        text += "[[process]]\nname = \"p" + std::to_string(i) + "\"\nprogram = \"description_test_client\"\n";
    EXPECT_TRUE(refused(text, 2 + 3 * allowed, "each needs its own privilege structure"));

    // Exactly at the limit is fine.
    text.resize(text.rfind("[[process]]"));
    EXPECT_EQ(parse_system_description(text, path).processes.size(), allowed);
}

TEST(SystemDescriptionErrors, TooManyProcessesForTheKernelTable) {
    // The table count is checked before any process is read, so empty tables do.
    std::string text = "[system]\n";
    for (uint32_t i = 0; i <= config::process_slots_max; ++i) text += "[[process]]\n";
    EXPECT_TRUE(refused(text, 2 + config::process_slots_max, "the kernel process table holds"));
}

TEST(SystemDescriptionErrors, PinBeyondCpus) {
    EXPECT_TRUE(refused(with_system("cpus = 2\n", server_process("cpu = 2\n")), 6,
                        "pinned to cpu 2 but the system has 2 cpus (cpus = 2 on line 2)"));
    EXPECT_TRUE(refused(with_system("", server_process("cpu = 16\n")), 5, "cpu = 16 is out of range 0..15"));
}

TEST(SystemDescriptionErrors, OverrideMakesAPinInvalidAndTheLineIsThePins) {
    DescriptionOverrides two_cpus;
    two_cpus.cpus = 2;
    std::string text = with_system("cpus = 4\n", server_process("priority = 1\ncpu = 3\n"));
    EXPECT_NO_THROW(parse_system_description(text, path));
    EXPECT_TRUE(refused(text, 7, "pinned to cpu 3 but the system has 2 cpus (--cpus 2)", two_cpus));
}

TEST(SystemDescriptionErrors, BadOverrides) {
    DescriptionOverrides zero_cpus;
    zero_cpus.cpus = 0;
    EXPECT_TRUE(refused(minimal, 0, "--cpus 0 is out of range", zero_cpus));
    DescriptionOverrides too_many_cpus;
    too_many_cpus.cpus = config::cpus_max + 1;
    EXPECT_TRUE(refused(minimal, 0, "--cpus 17 is out of range", too_many_cpus));
    DescriptionOverrides zero_until;
    zero_until.until_ns = 0;
    EXPECT_TRUE(refused(minimal, 0, "--until must be longer than 0", zero_until));
}

TEST(SystemDescriptionErrors, DedicatedCpus) {
    std::string two_on_cpu0 = with_system("cpus = 2\n", server_process("cpu = 0\ndedicated_cpu = true\n") +
                                                            "[[process]]\nname = \"b\"\nprogram = "
                                                            "\"description_test_client\"\ncpu = 0\n"
                                                            "dedicated_cpu = true\n");
    EXPECT_TRUE(refused(two_on_cpu0, 12, "cpu 0 is already dedicated to 'server' (line 7)"));

    EXPECT_TRUE(refused(with_system("", server_process("dedicated_cpu = true\n")), 5, "needs a pinned cpu"));

    std::string shared = with_system("cpus = 2\n", server_process("cpu = 1\ndedicated_cpu = true\n") +
                                                       "[[process]]\nname = \"b\"\nprogram = "
                                                       "\"description_test_client\"\ncpu = 1\n");
    EXPECT_TRUE(refused(shared, 11, "which is dedicated to 'server'"));

    std::string nowhere = with_system("", server_process("cpu = 0\ndedicated_cpu = true\n") +
                                              "[[process]]\nname = \"b\"\nprogram = \"description_test_client\"\n");
    EXPECT_TRUE(refused(nowhere, 7, "every cpu is dedicated"));
}

// ---- replicas ----------------------------------------------------------------------------

// Two replicated tables, the pingpong_pairs shape, and a process of its own.
constexpr const char* replicated = R"([system]

[[process]]
name = "server"
program = "description_test_server"
replicas = 3
priority = 4
primitives = ["receive", "reply_receive"]
destinations = ["client"]
expect = "serve"

[[process]]
name = "client"
program = "description_test_client"
replicas = 3
destinations = ["server", "solo"]
[process.args]
server = "server.{replica}"
both = "{replica}-{replica}"
literal = "{} { replica } {a-b}"
rounds = 5

[[process]]
name = "solo"
program = "description_test_client"
)";

TEST(SystemDescriptionReplicas, ATableBecomesNamedProcessesSharingItsSettings) {
    SystemDescription system = parse_system_description(replicated, path);
    ASSERT_EQ(system.processes.size(), 7u);
    const char* names[] = {"server.0", "server.1", "server.2", "client.0", "client.1", "client.2", "solo"};
    for (size_t i = 0; i < 7; ++i) EXPECT_EQ(system.processes[i].name, names[i]);

    for (int32_t i = 0; i < 3; ++i) {
        SCOPED_TRACE("replica " + std::to_string(i));
        const ProcessDescription& server = system.processes[static_cast<size_t>(i)];
        EXPECT_EQ(server.group, "server");
        EXPECT_EQ(server.replica, i);
        EXPECT_EQ(privilege_group(server), "server");
        EXPECT_EQ(server.line, 3u);  // every replica points at its table
        EXPECT_EQ(server.program, "description_test_server");
        EXPECT_EQ(server.priority, 4);
        EXPECT_EQ(server.primitives, bit(Primitive::receive) | bit(Primitive::reply_receive));
        EXPECT_EQ(server.destinations, std::vector<std::string>{"client"});  // the whole group
        EXPECT_EQ(server.expect, Expectation::serve);
        ASSERT_EQ(server.args.size(), 1u);
        EXPECT_EQ(std::get<int64_t>(server.args.at("replica")), i);

        const ProcessDescription& client = system.processes[3 + static_cast<size_t>(i)];
        const std::string index = std::to_string(i);
        EXPECT_EQ(client.group, "client");
        EXPECT_EQ(client.replica, i);
        EXPECT_EQ(client.line, 12u);
        EXPECT_EQ(client.destinations, (std::vector<std::string>{"server", "solo"}));
        ASSERT_EQ(client.args.size(), 5u);
        EXPECT_EQ(std::get<int64_t>(client.args.at("replica")), i);
        EXPECT_EQ(std::get<std::string>(client.args.at("server")), "server." + index);
        EXPECT_EQ(std::get<std::string>(client.args.at("both")), index + "-" + index);
        EXPECT_EQ(std::get<std::string>(client.args.at("literal")), "{} { replica } {a-b}");  // not placeholders
        EXPECT_EQ(std::get<int64_t>(client.args.at("rounds")), 5);
    }

    // A process of its own is its own privilege group and gets no replica argument.
    const ProcessDescription& solo = system.processes[6];
    EXPECT_TRUE(solo.group.empty());
    EXPECT_EQ(solo.replica, -1);
    EXPECT_EQ(privilege_group(solo), "solo");
    EXPECT_FALSE(solo.args.contains("replica"));
}

TEST(SystemDescriptionReplicas, OneReplicaIsStillNumbered) {
    SystemDescription system = parse_system_description(
        with_system("", server_process("replicas = 1\nprimitives = [\"notify\"]\ncpu = 0\ndedicated_cpu = true\n")),
        path);
    ASSERT_EQ(system.processes.size(), 1u);
    EXPECT_EQ(system.processes[0].name, "server.0");
    EXPECT_EQ(system.processes[0].group, "server");
    EXPECT_EQ(system.processes[0].replica, 0);
    // One replica holds its privilege alone: it may notify and own a CPU.
    EXPECT_EQ(system.processes[0].primitives, bit(Primitive::notify));
    EXPECT_TRUE(system.processes[0].dedicated_cpu);
}

// Replicas cost the privilege table nothing: far more than 253 processes fit,
// up to the kernel's process table (100,000: the scaling goal).
TEST(SystemDescriptionReplicas, AHundredThousandProcessesFitInTwoTables) {
    std::string text = "[system]\n"
                       "[[process]]\nname = \"s\"\nprogram = \"description_test_server\"\nreplicas = 50000\n"
                       "destinations = [\"c\"]\nexpect = \"serve\"\n"
                       "[[process]]\nname = \"c\"\nprogram = \"description_test_client\"\nreplicas = 50000\n"
                       "destinations = [\"s\"]\nargs = { server = \"s.{replica}\" }\n";
    SystemDescription system = parse_system_description(text, path);
    ASSERT_EQ(system.processes.size(), 100'000u);
    EXPECT_EQ(system.processes[49'999].name, "s.49999");
    EXPECT_EQ(system.processes[99'999].name, "c.49999");
    EXPECT_EQ(std::get<std::string>(system.processes[99'999].args.at("server")), "s.49999");

    // The kernel's process table is the limit; the error names the table that overflows it.
    std::string full = "[system]\n"
                       "[[process]]\nname = \"a\"\nprogram = \"description_test_server\"\nreplicas = " +
                       std::to_string(config::process_slots_max - 1) +
                       "\n"
                       "[[process]]\nname = \"b\"\nprogram = \"description_test_server\"\nreplicas = 1\n"
                       "[[process]]\nname = \"c\"\nprogram = \"description_test_server\"\n";
    EXPECT_TRUE(refused(full, 10, "too many processes: " + std::to_string(config::process_slots_max) +
                                      " before this table and this one make"));
    std::string over = "[system]\n"
                       "[[process]]\nname = \"a\"\nprogram = \"description_test_server\"\nreplicas = 70000\n"
                       "[[process]]\nname = \"b\"\nprogram = \"description_test_server\"\nreplicas = 70000\n";
    EXPECT_TRUE(refused(over, 9, "too many processes: 70000 before this table and 70000 replicas here make 140000"));
}

TEST(SystemDescriptionReplicasErrors, ReplicasMustBeAPositiveCountThatFits) {
    EXPECT_TRUE(
        refused(with_system("", server_process("replicas = 0\n")), 5, "replicas = 0 is out of range 1..131072"));
    EXPECT_TRUE(refused(with_system("", server_process("replicas = -2\n")), 5, "replicas = -2 is out of range"));
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 131073\n")), 5, "out of range 1..131072"));
    EXPECT_TRUE(refused(with_system("", server_process("replicas = \"3\"\n")), 5,
                        "replicas must be an integer, not a string"));
    EXPECT_TRUE(refused(with_system("", server_process("replica = 3\n")), 5,
                        "unknown key 'replica' in [[process]]; did you mean 'replicas'?"));
}

TEST(SystemDescriptionReplicasErrors, NamesWithTheirIndexMustFit) {
    // 18 characters + ".999" = 22: fits; + ".9999" = 23: fits; 19 + ".9999" = 24: too long.
    const std::string name18(18, 'n');
    const std::string name19(19, 'n');
    auto table = [](const std::string& name, int replicas) {
        return "[[process]]\nname = \"" + name + "\"\nprogram = \"description_test_server\"\nreplicas = " +
               std::to_string(replicas) + "\n";
    };
    EXPECT_NO_THROW(parse_system_description(with_system("", table(name18, 10000)), path));
    EXPECT_TRUE(refused(with_system("", table(name19, 10000)), 3,
                        "process name '" + name19 + "' with replicas = 10000 (line 5) gives names up to '" + name19 +
                            ".9999', 24 characters; names must be 1..23 characters long"));
    EXPECT_NO_THROW(parse_system_description(with_system("", table(name19, 1000)), path));
}

TEST(SystemDescriptionReplicasErrors, ReplicaNamesShareTheNamespace) {
    auto table = [](const std::string& name, const std::string& extra = "") {
        return "[[process]]\nname = \"" + name + "\"\nprogram = \"description_test_server\"\n" + extra;
    };
    // A later process takes a replica's name, or a later group's replica takes an earlier name.
    EXPECT_TRUE(refused(with_system("", table("a", "replicas = 2\n") + table("a.1")), 7,
                        "process name 'a.1' is already the name of replica 1 of 'a' (line 3)"));
    EXPECT_TRUE(refused(with_system("", table("a.1") + table("a", "replicas = 2\n")), 6,
                        "replica 1 of 'a' would be named 'a.1', which is already used on line 3"));
    // The group's own name is taken like a process name.
    EXPECT_TRUE(refused(with_system("", table("a") + table("a", "replicas = 2\n")), 6,
                        "duplicate process name 'a' (first used on line 3)"));
    EXPECT_TRUE(refused(with_system("", table("a", "replicas = 2\n") + table("a")), 7,
                        "duplicate process name 'a' (first used on line 3)"));
    // Names beyond the group's count are free.
    EXPECT_NO_THROW(parse_system_description(with_system("", table("a", "replicas = 2\n") + table("a.2")), path));
}

TEST(SystemDescriptionReplicasErrors, DestinationsNameTheWholeGroup) {
    std::string text = with_system("", server_process("replicas = 2\n") +
                                           "[[process]]\nname = \"c\"\nprogram = \"description_test_client\"\n"
                                           "destinations = [\n  \"server\",\n  \"server.1\",\n]\n");
    EXPECT_TRUE(refused(text, 11,
                        "destination 'server.1' is replica 1 of 'server'; replicas share one privilege structure, "
                        "so a destination names the whole group: 'server'"));
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 2\ndestinations = [\"nobody\"]\n")), 6,
                        "destination 'nobody' is not a process of this system"));
}

TEST(SystemDescriptionReplicasErrors, ReplicaArgumentAndPlaceholders) {
    // The replica argument is the parser's to set in a replicated table...
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 2\n[process.args]\nreplica = 7\n")), 7,
                        "args.replica is set for every replica to its index (0..1); use another key"));
    // ... and a process of its own may use the key freely.
    EXPECT_NO_THROW(parse_system_description(with_system("", server_process("[process.args]\nreplica = 7\n")), path));
    // {replica} outside a replicated table would silently stay as written.
    EXPECT_TRUE(refused(with_system("", server_process("[process.args]\npeer = \"c.{replica}\"\n")), 6,
                        "args.peer: \"{replica}\" is replaced only in replicated processes"));
    // Another {word} in a replicated table is a typo, not text.
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 2\n[process.args]\npeer = \"c.{replcia}\"\n")), 7,
                        "args.peer: unknown placeholder '{replcia}' (replicated processes have one: {replica}, "
                        "the replica's index); did you mean '{replica}'?"));
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 2\n[process.args]\npeer = \"{peer}\"\n")), 7,
                        "unknown placeholder '{peer}'"));
    // Outside replicated tables other braces are plain text, as they always were.
    EXPECT_NO_THROW(
        parse_system_description(with_system("", server_process("[process.args]\nt = \"{peer}\"\n")), path));
}

TEST(SystemDescriptionReplicasErrors, SharedPrivilegeCannotNotifyOrOwnACpu) {
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 2\nprimitives = [\"send\", \"notify\"]\n")), 6,
                        "replicas = 2 processes share one privilege structure, and the kernel lets only a process "
                        "that holds its privilege alone notify"));
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 2\nprimitives = [\"all\"]\n")), 6,
                        "remove notify (\"all\" includes it) or use replicas = 1"));
    EXPECT_TRUE(refused(with_system("", server_process("replicas = 3\ncpu = 0\ndedicated_cpu = true\n")), 7,
                        "dedicated_cpu = true cannot be shared by 3 replicas"));
}

TEST(SystemDescriptionReplicasErrors, PlacementIsCheckedForTheGroup) {
    EXPECT_TRUE(refused(with_system("cpus = 2\n", server_process("replicas = 4\ncpu = 2\n")), 7,
                        "every replica of 'server' is pinned to cpu 2 but the system has 2 cpus"));
    std::string dedicated = with_system("cpus = 2\n", server_process("cpu = 1\ndedicated_cpu = true\n") +
                                                          "[[process]]\nname = \"c\"\nprogram = "
                                                          "\"description_test_client\"\nreplicas = 2\ncpu = 1\n");
    EXPECT_TRUE(refused(dedicated, 12, "every replica of 'c' is pinned to cpu 1, which is dedicated to 'server'"));
    EXPECT_NO_THROW(
        parse_system_description(with_system("cpus = 2\n", server_process("replicas = 4\ncpu = 1\n")), path));
}

// ---- the small parsers ----------------------------------------------------------------

TEST(ParseDuration, AcceptsPlainNumbersAndUnits) {
    EXPECT_EQ(parse_duration_ns("1500"), 1500u);
    EXPECT_EQ(parse_duration_ns("7ns"), 7u);
    EXPECT_EQ(parse_duration_ns("10us"), 10'000u);
    EXPECT_EQ(parse_duration_ns("3ms"), 3'000'000u);
    EXPECT_EQ(parse_duration_ns("2s"), 2'000'000'000u);
    EXPECT_EQ(parse_duration_ns("10 us"), 10'000u);
}

TEST(ParseDuration, RefusesWhatItCannotReadExactly) {
    for (const char* bad : {"", "ms", "-5us", " 5us", "10 u s", "1.5ms", "10min", "99999999999s", "18446744073709551616"})
        EXPECT_THROW(parse_duration_ns(bad), std::invalid_argument) << bad;
}

TEST(ParseIpcStrategy, MapsEveryName) {
    EXPECT_EQ(parse_ipc_strategy("rendezvous"), IpcStrategyKind::rendezvous);
    EXPECT_EQ(parse_ipc_strategy("ring"), IpcStrategyKind::ring);
    EXPECT_EQ(parse_ipc_strategy("queue"), IpcStrategyKind::queue);
    EXPECT_FALSE(parse_ipc_strategy("Ring").has_value());
    EXPECT_FALSE(parse_ipc_strategy("").has_value());
}

TEST(ProgramRegistry, FindsAndListsSortedByName) {
    const ProgramInfo* server = find_program("description_test_server");
    ASSERT_NE(server, nullptr);
    EXPECT_STREQ(server->name, "description_test_server");
    EXPECT_EQ(find_program("description_test_nobody"), nullptr);

    auto programs = all_programs();
    ASSERT_GE(programs.size(), 2u);
    for (size_t i = 1; i < programs.size(); ++i)
        EXPECT_LT(std::string_view(programs[i - 1]->name), std::string_view(programs[i]->name));
}

TEST(ProgramRegistryDeathTest, DuplicateNamesStopTheProgram) {
    // Linking two programs with one name is a build mistake: caught before main.
    static const ProgramInfo duplicate{"description_test_server", "an impostor", [] { return int32_t{0}; }};
    EXPECT_DEATH(register_program(duplicate), "two programs are registered as 'description_test_server'");
}

}  // namespace
}  // namespace axl::sim

// ---- [[device]] tables ---------------------------------------------------------------

namespace axl::sim {
namespace {

// [system] (1), the server (2-4), then `devices` from line 5.
std::string with_devices(const std::string& devices) { return "[system]\n" + server_process() + devices; }

TEST(SystemDescription, DeviceGrantsItsDriverRegistersLineAndCalls) {
    SystemDescription d = parse_system_description(
        with_devices("[[device]]\nkind = \"timer\"\ndriver = \"server\"\nirq = 3\nio_base = 0x2000\naccess = \"direct\"\n"),
        path);
    ASSERT_EQ(d.devices.size(), 1u);
    EXPECT_EQ(d.devices[0].name, "timer");
    EXPECT_EQ(d.devices[0].line, 5u);
    EXPECT_TRUE(d.devices[0].direct);
    const ProcessDescription& driver = d.processes[0];
    ASSERT_EQ(driver.device_rights.io_range_count, 1u);
    EXPECT_EQ(driver.device_rights.io[0].first, 0x2000);
    EXPECT_EQ(driver.device_rights.io[0].last, 0x2000 + d.devices[0].io_size - 1);
    EXPECT_TRUE(driver.device_rights.io[0].direct);
    EXPECT_EQ(driver.device_rights.irq_lines, uint64_t{1} << 3);
    EXPECT_TRUE(driver.kernel_calls & bit(KernelCall::device_io));
    EXPECT_TRUE(driver.kernel_calls & bit(KernelCall::irq_control));
    EXPECT_EQ(std::get<int64_t>(driver.args.at("io_base")), 0x2000);
    EXPECT_EQ(std::get<int64_t>(driver.args.at("irq")), 3);
}

TEST(SystemDescriptionErrors, Devices) {
    const std::string timer = "[[device]]\nkind = \"timer\"\ndriver = \"server\"\n";
    EXPECT_TRUE(refused(with_devices("[[device]]\nkind = \"floppy\"\ndriver = \"server\"\n"), 6,
                        "unknown device kind 'floppy' (expected timer, uart, block, nic, ne2000, "));
    EXPECT_TRUE(refused(with_devices("[[device]]\ndriver = \"server\"\n"), 5, "device has no kind"));
    EXPECT_TRUE(refused(with_devices("[[device]]\nkind = \"timer\"\n"), 5, "has no driver"));
    EXPECT_TRUE(refused(with_devices("[[device]]\nkind = \"timer\"\ndriver = \"nobody\"\n"), 7,
                        "driver 'nobody' of device 'timer' is not a process of this system"));
    EXPECT_TRUE(refused(with_devices(timer + "file = \"x\"\n"), 8, "unknown key 'file' in [[device]] of kind timer"));
    EXPECT_TRUE(refused(with_devices(timer + "irq = 64\n"), 8, "irq = 64 is out of range 0..63"));
    EXPECT_TRUE(refused(with_devices(timer + "access = \"mapped\"\n"), 8, "unknown access 'mapped'"));
    // Two devices: the second's line and key are blamed, the first is named.
    const std::string second_driver = "[[process]]\nname = \"other\"\nprogram = \"description_test_server\"\n";
    EXPECT_TRUE(refused(with_devices(timer + second_driver +
                                     "[[device]]\nname = \"t2\"\nkind = \"timer\"\ndriver = \"other\"\nirq = 0\n"
                                     "io_base = 0x3000\n"),
                        15, "IRQ line 0 of device 't2' is already used by device 'timer' (line 5)"));
    EXPECT_TRUE(refused(with_devices(timer + second_driver +
                                     "[[device]]\nname = \"t2\"\nkind = \"timer\"\ndriver = \"other\"\nirq = 1\n"
                                     "io_base = 0x1010\n"),
                        16, "overlap device 'timer'"));
    EXPECT_TRUE(refused(with_devices(timer + "[[device]]\nname = \"t2\"\nkind = \"timer\"\ndriver = \"server\"\n"
                                             "irq = 1\nio_base = 0x3000\n"),
                        11, "process 'server' already drives device 'timer'"));
    EXPECT_TRUE(refused(with_devices(timer + "[[device]]\nkind = \"timer\"\ndriver = \"server\"\nirq = 1\n"), 8,
                        "duplicate device name 'timer' (first used on line 5)"));
    // Block devices need a real backing file or a scratch disk, not both.
    const std::string block = "[[device]]\nkind = \"block\"\ndriver = \"server\"\n";
    EXPECT_TRUE(refused(with_devices(block), 5, "has no backing file"));
    EXPECT_TRUE(refused(with_devices(block + "file = \"/no/such/disk.img\"\n"), 8,
                        "file '/no/such/disk.img' does not exist"));
    EXPECT_TRUE(refused(with_devices(block + "file = \"/etc/hostname\"\nscratch = \"1MiB\"\n"), 9,
                        "has both a backing file (line 8) and a scratch disk"));
    EXPECT_TRUE(refused(with_devices(block + "scratch = \"1000\"\n"), 8, "not a multiple of the 512-byte sector"));
    EXPECT_TRUE(refused(with_devices("[[device]]\nkind = \"uart\"\ndriver = \"server\"\ninput = \"/no/such/input\"\n"),
                        8, "input '/no/such/input' does not exist"));
    // A replicated driver cannot own a line: its notifications name one process.
    EXPECT_TRUE(refused("[system]\n[[process]]\nname = \"d\"\nprogram = \"description_test_server\"\nreplicas = 2\n" +
                            std::string("[[device]]\nkind = \"timer\"\ndriver = \"d\"\n"),
                        8, "driver 'd' is a replicated process"));
}

}  // namespace
}  // namespace axl::sim

// ---- the reincarnation server and [process.restart] ---------------------------------

namespace axl::sim {
namespace {

// [system] (1), "svc" managed by the server (2-7), "other" (8-10), then `server` from line 11.
std::string with_server(const std::string& server) {
    return "[system]\n"
           "[[process]]\nname = \"svc\"\nprogram = \"description_test_server\"\n"
           "[process.restart]\nheartbeat = \"1ms\"\nwith = [\"other\"]\n"
           "[[process]]\nname = \"other\"\nprogram = \"description_test_server\"\n" +
           server;
}

const std::string rs_process = "[[process]]\nname = \"rs\"\nprogram = \"rs\"\n";

TEST(SystemDescription, ProgramRsIsTheReincarnationServerUnlessItsTableSaysOtherwise) {
    SystemDescription d = parse_system_description(with_server(rs_process), path);
    const ProcessDescription* server = reincarnation_server(d);
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->name, "rs");
    EXPECT_EQ(server->role, ProcessRole::reincarnation);
    EXPECT_EQ(d.processes[0].role, ProcessRole::none);

    SystemDescription opted_out = parse_system_description(
        "[system]\n" + rs_process + "role = \"none\"\n" + server_process(), path);
    EXPECT_EQ(reincarnation_server(opted_out), nullptr);
}

TEST(SystemDescription, TheRoleMakesAnyProgramTheReincarnationServer) {
    SystemDescription d = parse_system_description(
        with_server("[[process]]\nname = \"keeper\"\nprogram = \"description_test_client\"\nrole = \"reincarnation\"\n"),
        path);
    const ProcessDescription* server = reincarnation_server(d);
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->name, "keeper");
    EXPECT_TRUE(server->all_destinations);
    EXPECT_TRUE(server->kernel_calls & bit(KernelCall::process_control));
    EXPECT_TRUE(server->primitives & bit(Primitive::notify));
}

// The server gets every policy as arguments (kernel/api/protocols/restart_policy.h),
// and each managed process may answer its pings.
TEST(SystemDescription, TheServerGetsThePoliciesAndTheManagedMayAnswerIt) {
    SystemDescription d = parse_system_description(with_server(rs_process), path);
    const ProcessDescription& server = *reincarnation_server(d);
    EXPECT_EQ(std::get<int64_t>(server.args.at("service_count")), 1);
    EXPECT_EQ(std::get<std::string>(server.args.at("service.0.name")), "svc");
    EXPECT_EQ(std::get<int64_t>(server.args.at("service.0.heartbeat")), 1'000'000);
    EXPECT_EQ(std::get<int64_t>(server.args.at("service.0.missed")), 3);
    EXPECT_EQ(std::get<int64_t>(server.args.at("service.0.limit")), 10);
    EXPECT_EQ(std::get<int64_t>(server.args.at("service.0.backoff")), 0);
    EXPECT_EQ(std::get<int64_t>(server.args.at("service.0.backoff_max")), 100'000'000);
    EXPECT_EQ(std::get<std::string>(server.args.at("service.0.with")), "other");
    EXPECT_EQ(std::get<std::string>(server.args.at("service.0.notify")), "");

    const ProcessDescription& svc = d.processes[0];
    EXPECT_TRUE(svc.restart.managed);
    EXPECT_EQ(svc.restart.line, 5u);
    EXPECT_EQ(svc.restart.policy.with, std::vector<std::string>{"other"});
    EXPECT_EQ(svc.destinations, std::vector<std::string>{"rs"});
    EXPECT_TRUE(svc.primitives & bit(Primitive::sendnb));
    EXPECT_FALSE(d.processes[1].restart.managed);
}

TEST(SystemDescriptionErrors, ReincarnationServerAndRestartPolicies) {
    EXPECT_TRUE(refused(with_server(""), 5,
                        "process 'svc' has a [process.restart] table but no process runs the reincarnation server "
                        "(add a [[process]] with program = \"rs\")"));
    EXPECT_TRUE(refused(with_server(rs_process + "role = \"none\"\n"), 5, "no process runs the reincarnation server"));
    EXPECT_TRUE(refused(with_server(rs_process + "role = \"reincarnator\"\n"), 14,
                        "unknown role 'reincarnator' (expected none or reincarnation)"));
    EXPECT_TRUE(refused(with_server(rs_process + "replicas = 2\n"), 11,
                        "the reincarnation server must not be replicated"));
    EXPECT_TRUE(refused(with_server(rs_process + "[[process]]\nname = \"rs2\"\nprogram = \"rs\"\n"), 14,
                        "process 'rs2' would be a second reincarnation server ('rs' on line 11 is one)"));
    EXPECT_TRUE(refused(with_server(rs_process + "[process.restart]\n"), 14,
                        "the reincarnation server cannot restart itself"));
    EXPECT_TRUE(refused("[system]\n" + server_process("[process.restart]\nnotify = [\"nobody\"]\n") + rs_process, 6,
                        "'nobody' in a [process.restart] table is not a process of this system"));
    EXPECT_TRUE(refused("[system]\n" + server_process("[process.restart]\nmissed = 0\n") + rs_process, 6,
                        "missed = 0 is out of range 1..1000"));
    EXPECT_TRUE(refused("[system]\n" + server_process("[process.restart]\nheartbeat = \"1 fortnight\"\n") + rs_process,
                        6, "heartbeat: \"1 fortnight\" has an unknown unit 'fortnight'"));
}

// ---- [process.args]: checked against what the program declares -----------------------

// [system] (1), the client (2-4), its [process.args] (5), then `args` from line 6.
std::string client_with_args(const std::string& args) {
    return "[system]\n[[process]]\nname = \"client\"\nprogram = \"description_test_client\"\n[process.args]\n" + args;
}

TEST(SystemDescriptionArguments, AMisspeltKeyIsRefusedWithTheKeyItMeant) {
    EXPECT_TRUE(refused(client_with_args("server = \"s\"\nroudns = 5\n"), 7,
                        "unknown key 'roudns' in [process.args] of program 'description_test_client'; did you "
                        "mean 'rounds'? (`axl list description_test_client` shows its arguments)"));
    // Far from every declared key: the list of them instead.
    EXPECT_TRUE(refused(client_with_args("colour = 5\n"), 6, "(known keys: rounds, server, both, literal)"));
}

TEST(SystemDescriptionArguments, AValueOfTheWrongTypeIsRefusedNotReplacedByTheDefault) {
    EXPECT_TRUE(refused(client_with_args("rounds = \"many\"\n"), 6, "args.rounds must be an integer, not a string"));
    EXPECT_TRUE(refused(client_with_args("server = 5\n"), 6, "args.server must be a string, not an integer"));
    EXPECT_TRUE(refused(client_with_args("rounds = true\n"), 6, "args.rounds must be an integer, not a boolean"));
}

TEST(SystemDescriptionArguments, AnIntegerOutsideTheDeclaredRangeIsRefused) {
    EXPECT_TRUE(refused(client_with_args("rounds = 0\n"), 6,
                        "args.rounds = 0 is out of range 1..1000000 (requests to send)"));
    EXPECT_TRUE(refused(client_with_args("rounds = 1000001\n"), 6, "args.rounds = 1000001 is out of range"));
    SystemDescription system = parse_system_description(client_with_args("rounds = 1000000\n"), path);
    EXPECT_EQ(std::get<int64_t>(system.processes[0].args.at("rounds")), 1'000'000);
}

TEST(SystemDescriptionArguments, AProgramThatDeclaresNoneTakesNone) {
    EXPECT_TRUE(refused("[system]\n[[process]]\nname = \"p\"\nprogram = \"description_test_plain\"\n"
                        "args = { rounds = 3 }\n",
                        5, "program 'description_test_plain' takes no arguments, so args.rounds cannot be set"));
    EXPECT_NO_THROW(parse_system_description(
        "[system]\n[[process]]\nname = \"p\"\nprogram = \"description_test_plain\"\nargs = {}\n", path));
}

// Every program linked in declares its options consistently: a name, a line
// of help, a default inside its range (registration aborts otherwise, so this
// is what `axl list PROGRAM` can rely on).
TEST(SystemDescriptionArguments, EveryRegisteredOptionIsWellFormed) {
    for (const ProgramInfo* program : all_programs())
        for (uint64_t i = 0; i < program->option_count; ++i) {
            const ProgramOption& option = program->options[i];
            ASSERT_NE(option.name, nullptr) << program->name;
            EXPECT_GT(std::string_view(option.help).size(), 0u) << program->name << " " << option.name;
            if (option.type == ProgramOption::Type::integer) {
                EXPECT_LE(option.min, option.integer_default) << program->name << " " << option.name;
                EXPECT_LE(option.integer_default, option.max) << program->name << " " << option.name;
            }
        }
    const ProgramInfo* client = find_program("description_test_client");
    ASSERT_NE(client, nullptr);
    ASSERT_EQ(client->option_count, 4u);
    EXPECT_STREQ(client->options[0].name, "rounds");
    EXPECT_EQ(client->options[0].integer_default, 10);
}

}  // namespace
}  // namespace axl::sim

namespace axl::sim {
namespace {

// A PCI device, its driver (the first process) and the PCI server.
std::string with_pci(const std::string& device_keys, const std::string& more = "") {
    return "[system]\n" + server_process() + "[[process]]\nname = \"pci\"\nprogram = \"pci\"\nexpect = \"serve\"\n" +
           "[[device]]\nkind = \"pvpanic-pci\"\ndriver = \"server\"\n" + device_keys + more;
}

TEST(SystemDescription, PciDeviceGetsAnAddressBarsAndTheServerItsGrants) {
    SystemDescription d = parse_system_description(with_pci("access = \"direct\"\n"), path);
    ASSERT_EQ(d.devices.size(), 1u);
    const DeviceDescription& device = d.devices[0];
    EXPECT_TRUE(device.pci);
    EXPECT_EQ(device.pci_address, 3u << 3) << "00:03.0, the first free slot";
    EXPECT_EQ(device.pci_bars[0], 0xFEB0'0000u);
    // The driver gets the calls; the ranges and the line come from the server
    // at run time (device_grant), as on a real machine.
    const ProcessDescription& driver = d.processes[0];
    EXPECT_EQ(driver.device_rights.mmio_range_count, 0u);
    EXPECT_EQ(driver.device_rights.io_range_count, 0u);
    EXPECT_EQ(driver.device_rights.irq_lines, 0u);
    EXPECT_TRUE(driver.kernel_calls & bit(KernelCall::device_mmio));
    EXPECT_FALSE(driver.kernel_calls & bit(KernelCall::irq_control)) << "pvpanic-pci raises no interrupt";
    EXPECT_FALSE(driver.kernel_calls & bit(KernelCall::device_grant));
    EXPECT_EQ(std::get<std::string>(driver.args.at("pci_server")), "pci");
    EXPECT_NE(std::find(driver.destinations.begin(), driver.destinations.end(), "pci"), driver.destinations.end());
    const ProcessDescription& server = d.processes[1];
    ASSERT_EQ(server.device_rights.io_range_count, 1u);
    EXPECT_EQ(server.device_rights.io[0].first, 0xCF8);
    EXPECT_EQ(server.device_rights.io[0].last, 0xCFF);
    EXPECT_TRUE(server.kernel_calls & bit(KernelCall::device_grant));
    EXPECT_EQ(std::get<int64_t>(server.args.at("device_count")), 1);
    EXPECT_EQ(std::get<std::string>(server.args.at("device.0.driver")), "server");
    EXPECT_EQ(std::get<int64_t>(server.args.at("device.0.ids")), 0x1b36 | 0x0011 << 16) << "pvpanic-pci's IDs";
    EXPECT_EQ(std::get<int64_t>(server.args.at("device.0.direct")), 1);
    EXPECT_EQ(server.args.count("device.0.address"), 0u) << "the slot only when the file chose it";
}

TEST(SystemDescription, PciServerIsToldTheSlotTheFileChose) {
    SystemDescription d = parse_system_description(with_pci("pci_address = \"00:09.0\"\n"), path);
    const ProcessDescription& server = d.processes[1];
    EXPECT_EQ(std::get<int64_t>(server.args.at("device.0.address")), 9 << 3);
    EXPECT_EQ(std::get<int64_t>(server.args.at("device.0.direct")), 0);
}

TEST(SystemDescription, PciBarsDependOnAddressesNotOnFileOrder) {
    const std::string second = "[[process]]\nname = \"other\"\nprogram = \"description_test_server\"\n"
                               "[[device]]\nname = \"p2\"\nkind = \"pvpanic-pci\"\ndriver = \"other\"\n";
    SystemDescription d = parse_system_description(with_pci("pci_address = \"00:09.0\"\n", second), path);
    ASSERT_EQ(d.devices.size(), 2u);
    EXPECT_EQ(d.devices[1].pci_address, 3u << 3);
    EXPECT_EQ(d.devices[1].pci_bars[0], 0xFEB0'0000u) << "00:03.0 comes first on the bus";
    EXPECT_EQ(d.devices[0].pci_bars[0], 0xFEB0'1000u) << "one 4 KiB page each";
}

TEST(SystemDescriptionErrors, PciDevices) {
    EXPECT_TRUE(refused("[system]\n" + server_process() + "[[device]]\nkind = \"pvpanic-pci\"\ndriver = \"server\"\n",
                        5, "device 'pvpanic-pci' is a PCI device, and PCI devices need the PCI server"));
    EXPECT_TRUE(refused(with_pci("io_base = 0x2000\n"), 12, "has no io_base: the firmware places its BARs"));
    EXPECT_TRUE(refused(with_pci("irq = 5\n"), 12, "raises no interrupt: drop irq"));
    EXPECT_TRUE(refused(with_pci("pci_address = \"0:3.0\"\n"), 12, "is not a function on bus 0"));
    EXPECT_TRUE(refused(with_pci("pci_address = \"00:20.0\"\n"), 12, "is not a function on bus 0"));
    EXPECT_TRUE(refused(with_pci("pci_address = \"01:03.0\"\n"), 12, "is not a function on bus 0"));
    EXPECT_TRUE(refused(with_pci("pci_address = \"00:00.0\"\n"), 12, "the host bridge's slot"));
    EXPECT_TRUE(refused(with_pci("pci_address = \"00:04.1\"\n"), 12, "which has no function 0"));
    const std::string second = "[[process]]\nname = \"other\"\nprogram = \"description_test_server\"\n"
                               "[[device]]\nname = \"p2\"\nkind = \"pvpanic-pci\"\ndriver = \"other\"\n"
                               "pci_address = \"00:05.0\"\n";
    EXPECT_TRUE(refused(with_pci("pci_address = \"00:05.0\"\n", second), 20,
                        "pci_address 00:05.0 of device 'p2' is taken by device 'pvpanic-pci' (line 9)"));
    EXPECT_TRUE(refused(with_pci("", "[[process]]\nname = \"pci2\"\nprogram = \"pci\"\n"), 12,
                        "would be a second PCI server"));
    EXPECT_TRUE(refused(with_pci("", "[[device]]\nkind = \"timer\"\ndriver = \"pci\"\nio_base = 0xCF0\n"), 12,
                        "overlap the PCI configuration ports 0xCF8..0xCFF"));
}

}  // namespace
}  // namespace axl::sim
