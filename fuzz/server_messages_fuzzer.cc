// Fuzz target: the message handlers of the storage server, the block driver
// (block protocol) and the reincarnation server, in a live simulated system.
// The system is storage_rs.toml's (rs keeping the block driver alive, the
// storage server on the driver, a small disk) with one more process, the
// fuzz client, which replays the fuzzer's bytes as a stream of IPC calls:
// messages of any type and content to any of the three servers, sealed or not
// (integrity.h), with grants of its own memory of any size and access, made,
// named in requests and revoked.
//
// What must hold: the run ends (`until` bounds it in virtual time), and the
// simulator survives whatever the client sends. A server may answer with an
// error, or die and be restarted by rs (a hang rs kills), but a real fault in
// a server (a bad pointer, a divide by zero: the fault guard's catch) is a
// bug in the server, so it is a finding; so is anything AddressSanitizer or
// UBSan sees in the servers, the kernel or the simulator.
//
// Input: byte 0 picks the IPC strategy; then operations until the input ends
// (at most operations_max), each an op byte and its operands:
//   op % 8 = 0 sendrec, 1 sendnb, 2 send   TARGET TYPE WORDS  (op & 0x80: sealed)
//            3 notify                       TARGET
//            4 grant_create                 TARGET SLOT ACCESS OFFSET(2 bytes) SIZE(2 bytes)
//            5 grant_revoke                 SLOT
//            6 receive from any (blocks until something comes, or the run ends)
//            7 compute                      a byte of virtual time (x 10 us): lets rs's heartbeats run
//   TARGET: byte % 4 = storage, block, rs, or a raw endpoint (4 more bytes)
//   TYPE:   byte < 0xf0: one of the protocols' types (table below); else 4 bytes
//   WORDS:  a byte mask: bit i set = words[i] follows (a length byte 0..8, then
//           that many little-endian bytes); bit 7 set = words[2] is then the
//           grant in slot words[2] % grant_slots
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/block.h"
#include "kernel/api/protocols/integrity.h"
#include "kernel/api/protocols/storage.h"
#include "kernel/ipc_strategy.h"
#include "sim/config/system_description.h"
#include "sim/port/simulator.h"

namespace {

using namespace axl;

constexpr const char* system_text = R"(
[system]
name = "fuzz_servers"
seed = 1
until = "30ms"

[[device]]
name = "disk0"
kind = "block"
driver = "block"
scratch = "64KiB"
access_time = "50us"
sector_time = "2us"

[[process]]
name = "rs"
program = "rs"
priority = 1
expect = "serve"

[[process]]
name = "block"
program = "block_driver"
priority = 2
stack = "160KiB"
primitives = ["receive", "sendnb"]
destinations = ["storage"]
kernel_calls = ["grant", "safecopy", "log"]
expect = "serve"
[process.restart]
heartbeat = "1ms"
missed = 3
limit = 5
backoff = "20us"
backoff_max = "1ms"
notify = ["storage"]

[[process]]
name = "storage"
program = "storage_server"
priority = 4
stack = "128KiB"
primitives = ["receive", "sendnb", "sendrec"]
destinations = ["block", "client"]
kernel_calls = ["lookup", "grant", "safecopy", "log"]
expect = "serve"
[process.args]
block = "block"
rs = "rs"

[[process]]
name = "client"
program = "fuzz_message_client"
priority = 8
stack = "128KiB"
primitives = ["send", "sendnb", "sendrec", "receive", "notify"]
destinations = ["storage", "block", "rs"]
kernel_calls = ["lookup", "grant", "log", "compute"]
expect = "serve"
)";

constexpr uint32_t operations_max = 256;
constexpr uint32_t grant_slots = 4;
constexpr size_t client_memory_bytes = 48 * 1024;

constexpr uint32_t protocol_types[] = {
    storage::read, storage::write, storage::size, storage::reply, block::read, block::write, block::info,
    block::reply,  0,              1,             message_types::notify,
};

// The input the client replays: set for the one run at a time.
const uint8_t* input = nullptr;
size_t input_size = 0;

class Input {
public:
    Input(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    bool empty() const { return m_at >= m_size; }
    uint8_t byte() { return m_at < m_size ? m_data[m_at++] : 0; }
    uint64_t little_endian(uint32_t bytes) {
        uint64_t value = 0;
        for (uint32_t i = 0; i < bytes; ++i) value |= uint64_t{byte()} << (8 * i);
        return value;
    }

private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_at = 0;
};

class Client {
public:
    explicit Client(uint8_t* memory) : m_memory(memory) {}

    void run(Input in) {
        (void)lookup("storage", m_servers[0]);
        (void)lookup("block", m_servers[1]);
        (void)lookup("rs", m_servers[2]);
        for (uint32_t i = 0; i < operations_max && !in.empty(); ++i) step(in);
    }

private:
    void step(Input& in) {
        const uint8_t op = in.byte();
        switch (op % 8) {
            case 0: case 1: case 2: {
                const Endpoint to = target(in);
                Message m = message(in, (op & 0x80) != 0);
                if (op % 8 == 0) (void)sendrec(to, m);
                else if (op % 8 == 1) (void)sendnb(to, m);
                else (void)send(to, m);
                break;
            }
            case 3: (void)notify(target(in)); break;
            case 4: {
                const Endpoint to = target(in);
                GrantId& slot = m_grants[in.byte() % grant_slots];
                const auto access = static_cast<GrantAccess>(in.byte() % 4);  // 0: no access at all
                const size_t offset = in.little_endian(2) % client_memory_bytes;
                size_t bytes = in.little_endian(2);
                if (bytes > client_memory_bytes - offset) bytes = client_memory_bytes - offset;
                (void)grant_create(to, m_memory + offset, bytes, access, slot);
                break;
            }
            case 5: (void)grant_revoke(m_grants[in.byte() % grant_slots]); break;
            case 6: {
                Message m;
                (void)receive(endpoints::any, m);
                break;
            }
            case 7: (void)compute(uint64_t{in.byte()} * 10'000); break;
        }
    }

    Endpoint target(Input& in) {
        const uint8_t which = in.byte() % 4;
        if (which < 3) return m_servers[which];
        return Endpoint{static_cast<uint32_t>(in.little_endian(4))};
    }

    Message message(Input& in, bool sealed) {
        Message m;
        const uint8_t type = in.byte();
        m.type = type < 0xf0 ? protocol_types[type % std::size(protocol_types)]
                             : static_cast<uint32_t>(in.little_endian(4));
        const uint8_t mask = in.byte();
        for (uint32_t i = 0; i < 7; ++i)
            if (mask & (1u << i)) m.payload.words[i] = in.little_endian(in.byte() % 9);
        if (mask & 0x80) m.payload.words[2] = m_grants[m.payload.words[2] % grant_slots].raw;
        if (sealed) integrity::seal(m);
        return m;
    }

    uint8_t* const m_memory;
    Endpoint m_servers[3];
    GrantId m_grants[grant_slots];
};

sim::SystemDescription system_under(IpcStrategyKind ipc) {
    sim::DescriptionOverrides overrides;
    overrides.ipc = ipc;
    return sim::parse_system_description(system_text, "server_messages_fuzzer.toml", overrides);
}

const sim::SystemDescription& system_for(IpcStrategyKind ipc) {
    static const sim::SystemDescription systems[] = {system_under(IpcStrategyKind::rendezvous),
                                                     system_under(IpcStrategyKind::ring),
                                                     system_under(IpcStrategyKind::queue)};
    return systems[static_cast<uint32_t>(ipc) % std::size(systems)];
}

}  // namespace

// The client waits in `receive` at the end (expect = "serve"), so an input
// that ends while it is blocked is no different from one it played through.
AXL_PROGRAM(fuzz_message_client, "replays a fuzzer's bytes as IPC calls to the storage servers (fuzz/)") {
    alignas(64) static uint8_t memory[client_memory_bytes];
    Client client(memory);
    client.run(Input(input, input_size));
    Message m;
    for (;;) (void)receive(endpoints::any, m);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const auto ipc = static_cast<IpcStrategyKind>(data[0] % 3);
    input = data + 1;
    input_size = size - 1;
    sim::RunOptions options;
    options.trace_level = sim::TraceLevel::off;
    options.echo_console = false;
    sim::Simulator simulator(system_for(ipc), options);
    const sim::RunReport report = simulator.run();
    // To see what an input did: AXL_FUZZ_SHOW_RUN=1 build/bin/fuzz/server_messages_replay FILE
    if (std::getenv("AXL_FUZZ_SHOW_RUN") != nullptr) {
        for (const std::string& line : report.console) std::printf("  %s\n", line.c_str());
        for (const sim::ProcessReport& process : report.processes)
            std::printf("  %s: %s, status %d, %u restarts%s%s\n", process.name.c_str(), to_string(process.state),
                        process.exit_status, process.restarts, process.fault.empty() ? "" : ", ",
                        process.fault.c_str());
    }
    for (const sim::ProcessReport& process : report.processes) {
        if (process.name != "client" && !process.fault.empty()) {
            std::fprintf(stderr, "server_messages_fuzzer: %s faulted: %s\n", process.name.c_str(),
                         process.fault.c_str());
            for (const std::string& line : report.console) std::fprintf(stderr, "  %s\n", line.c_str());
            std::abort();
        }
    }
    return 0;
}
