// The network path end to end: a real host program (a thread with a plain UDP
// socket) sends datagrams to the simulated card, and the echo service inside
// the simulation (workloads/nic_echo.toml: nic_driver + echo_server) sends
// each one back. Every echo is checked byte for byte on the host side.
//
// The card binds its socket when the simulator is constructed, so the client
// starts after that: datagrams sent before run() wait in the socket. A probe
// program covers the requests the driver must refuse, with no host traffic.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/net.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/nic.h"
#include "tests/support/script_program.h"
#include "tests/support/source_dir.h"
#include "tests/support/temp_dir.h"
#include "tests/support/udp_peer.h"

// Probes the net protocol's refusals through the real driver and card, with
// no host traffic at all: logs each request's outcome as "what -> status".
AXL_PROGRAM(nic_protocol_probe, "test: the nic driver's answers to bad and unanswerable net requests") {
    using namespace axl;
    Endpoint nic;
    if (lookup("nic", nic) != Status::ok) fail("no nic driver");
    uint8_t buffer[64] = {};
    GrantId grant;
    if (grant_create(nic, buffer, sizeof buffer, GrantAccess::read_write, grant) != Status::ok) fail("grant");
    auto info = [&](const char* when) {
        Message m;
        m.type = net::info;
        const Status status = sendrec(nic, m);
        log("info %s -> %s max=%llu received=%llu dropped=%llu sent=%llu errors=%llu", when, to_string(status),
            static_cast<unsigned long long>(m.payload.words[1]), static_cast<unsigned long long>(m.payload.words[2]),
            static_cast<unsigned long long>(m.payload.words[3]), static_cast<unsigned long long>(m.payload.words[4]),
            static_cast<unsigned long long>(m.payload.words[5]));
    };
    info("before");
    log("send too long -> %s", to_string(net::send_frame(nic, grant, net::max_frame_bytes + 1, 0)));
    log("send bad peer tag -> %s", to_string(net::send_frame(nic, grant, 10, 64)));
    log("send bad grant -> %s", to_string(net::send_frame(nic, GrantId{12345}, 10, 0)));
    log("send beyond the grant -> %s", to_string(net::send_frame(nic, grant, 65, 0)));
    log("send to an unheard peer -> %s", to_string(net::send_frame(nic, grant, 10, 0)));
    log("send empty to an unheard peer -> %s", to_string(net::send_frame(nic, grant, 0, 3)));
    net::ReceivedFrame frame;
    log("receive capacity 0 -> %s", to_string(net::receive_frame(nic, grant, 0, frame)));
    Message unknown;
    unknown.type = 0x7AFF;
    const Status status = sendrec(nic, unknown);
    log("unknown request -> %s %s", to_string(status), to_string(static_cast<Status>(unknown.payload.words[0])));
    info("after");
    return 0;
}

namespace axl::test {
namespace {

constexpr auto echo_timeout = std::chrono::seconds(20);

// A plain UDP socket on 127.0.0.1, as any host program would have.
class UdpSocket {
public:
    UdpSocket() {
        m_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0) throw std::runtime_error("socket failed");
        sockaddr_in address = loopback(0);
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("bind failed");
        socklen_t length = sizeof address;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
    }
    ~UdpSocket() { ::close(m_fd); }
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    static sockaddr_in loopback(uint16_t port) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return address;
    }
    uint16_t port() const { return m_port; }

    bool send_to(uint16_t port, const std::vector<uint8_t>& bytes) const {
        const sockaddr_in to = loopback(port);
        return ::sendto(m_fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
               static_cast<ssize_t>(bytes.size());
    }
    // The next datagram and the port it came from; false after `timeout`, or
    // as soon as `give_up` is set (the simulation ended: nothing will come).
    bool receive(std::vector<uint8_t>& bytes, uint16_t& from_port, std::chrono::milliseconds timeout,
                 const std::atomic<bool>& give_up) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd fd{m_fd, POLLIN, 0};
            if (::poll(&fd, 1, 50) == 1) {
                bytes.resize(65536);
                sockaddr_in from{};
                socklen_t length = sizeof from;
                const ssize_t got =
                    ::recvfrom(m_fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
                if (got < 0) return false;
                bytes.resize(static_cast<size_t>(got));
                from_port = ntohs(from.sin_port);
                return true;
            }
            if (give_up.load()) return false;
        }
        return false;
    }

private:
    int m_fd = -1;
    uint16_t m_port = 0;
};

// A port no one is bound to right now (bound and released at once).
uint16_t free_udp_port() {
    UdpSocket probe;
    return probe.port();
}

std::vector<uint8_t> frame_contents(size_t bytes, uint32_t index) {
    std::vector<uint8_t> out(bytes);
    uint32_t x = index * 2654435761u + 12345u;
    for (size_t i = 0; i < bytes; ++i) {
        x = x * 1664525u + 1013904223u;
        out[i] = static_cast<uint8_t>(x >> 24);
    }
    return out;
}

std::string hex(const std::vector<uint8_t>& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t byte : bytes) {
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string replace(std::string text, const std::string& what, const std::string& with) {
    const size_t at = text.find(what);
    EXPECT_NE(at, std::string::npos) << what;
    if (at != std::string::npos) text.replace(at, what.size(), with);
    return text;
}

// workloads/nic_echo.toml on `port`, the echo server expecting `frames`.
sim::SystemDescription echo_system(uint16_t port, size_t frames, const std::string& record_path,
                                   IpcStrategyKind ipc = IpcStrategyKind::rendezvous, bool direct_access = false) {
    const std::string path = source_dir() + "/workloads/nic_echo.toml";
    std::string text = read_file(path);
    if (direct_access) text = replace(text, "latency = \"10us\"", "latency = \"10us\"\naccess = \"direct\"");
    text = replace(text, "udp_port = 7070", "udp_port = " + std::to_string(port));
    text = replace(text, "frames = 4", "frames = " + std::to_string(frames));
    if (!record_path.empty())
        text = replace(text, "# record = \"nic_echo.frames\"", "record = \"" + record_path + "\"");
    sim::DescriptionOverrides overrides;
    overrides.ipc = ipc;
    return sim::parse_system_description(text, path, overrides);
}

// What one host client did: every frame it sent, and what went wrong.
struct ClientLog {
    std::vector<std::vector<uint8_t>> sent;
    std::vector<std::string> problems;
    uint64_t bytes = 0;
};

// Sends frames[begin, end) to the card from `socket`, `burst` at a time, and
// checks that each comes back unchanged, in order, from the card's port.
void exchange(const UdpSocket& socket, uint16_t card_port, const std::vector<std::vector<uint8_t>>& frames,
              size_t begin, size_t end_of_all, size_t burst, const std::atomic<bool>& simulation_over,
              ClientLog& log) {
    for (size_t first = begin; first < end_of_all && log.problems.empty(); first += burst) {
        const size_t end = std::min(end_of_all, first + burst);
        for (size_t i = first; i < end; ++i) {
            if (!socket.send_to(card_port, frames[i]))
                log.problems.push_back("sendto failed for frame " + std::to_string(i));
            log.sent.push_back(frames[i]);
            log.bytes += frames[i].size();
        }
        for (size_t i = first; i < end && log.problems.empty(); ++i) {
            std::vector<uint8_t> echo;
            uint16_t from = 0;
            if (!socket.receive(echo, from, echo_timeout, simulation_over)) {
                log.problems.push_back("no echo of frame " + std::to_string(i) + " (" +
                                       std::to_string(frames[i].size()) + " bytes)");
            } else if (from != card_port) {
                log.problems.push_back("frame " + std::to_string(i) + ": echo from port " + std::to_string(from));
            } else if (echo != frames[i]) {
                log.problems.push_back("frame " + std::to_string(i) + ": sent " + std::to_string(frames[i].size()) +
                                       " bytes, echo has " + std::to_string(echo.size()) + " bytes, " +
                                       (echo.size() == frames[i].size() ? "different contents" : "different length"));
            }
        }
    }
}

// After a client's failure the echo server still waits for frames that will
// never come: fill its quota so the run (and the test) ends.
void unblock(const UdpSocket& socket, uint16_t card_port, const std::atomic<bool>& simulation_over) {
    while (!simulation_over.load()) {
        socket.send_to(card_port, {0});
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

// Runs `system` with `client` on a host thread beside it; the client is told
// when the run is over.
sim::RunReport run_with_client(const sim::SystemDescription& system,
                               const std::function<void(const std::atomic<bool>&)>& client) {
    sim::RunOptions options;
    options.echo_console = false;
    sim::Simulator simulator(system, options);  // binds the card's socket
    return test::beside_host(client, [&] { return simulator.run(); });
}

std::vector<std::vector<uint8_t>> varied_frames() {
    // Empty, tiny, around powers of two, and the largest the card carries.
    const size_t sizes[] = {0, 1, 2, 3, 7, 16, 63, 64, 65, 127, 128, 255, 256, 511, 512, 1000, 1023, 1024, 1400, 1499,
                            1500, 42, 9, 300};
    std::vector<std::vector<uint8_t>> frames;
    for (size_t i = 0; i < std::size(sizes); ++i) frames.push_back(frame_contents(sizes[i], static_cast<uint32_t>(i)));
    return frames;
}

std::vector<std::string> recorded_lines(const std::string& path) {
    std::vector<std::string> lines;
    std::ifstream file(path);
    for (std::string text; std::getline(file, text);)
        if (!text.starts_with("#")) lines.push_back(text);
    return lines;
}

TEST(NicEcho, AHostProgramGetsEveryFrameBackByteForByte) {
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(to_string(ipc));
        TempDir dir;
        const std::vector<std::vector<uint8_t>> frames = varied_frames();
        const uint16_t port = free_udp_port();
        const std::string record = dir.file("frames.log");
        ClientLog log;
        UdpSocket socket;
        const sim::RunReport report =
            run_with_client(echo_system(port, frames.size(), record, ipc), [&](const std::atomic<bool>& over) {
                // One at a time first, then bursts that wait in the card's ring.
                exchange(socket, port, frames, 0, 12, 1, over, log);
                exchange(socket, port, frames, 12, frames.size(), 4, over, log);
                if (!log.problems.empty()) unblock(socket, port, over);
            });

        EXPECT_TRUE(log.problems.empty()) << log.problems.front() << "\n" << describe(report);
        ASSERT_TRUE(report.ok) << describe(report);
        EXPECT_EQ(process(report, "echo").exit_status, 0);
        EXPECT_EQ(process(report, "nic").state, ProcessState::receiving) << describe(report);
        const std::vector<std::string> echo_lines = lines_of(report, "echo");
        ASSERT_FALSE(echo_lines.empty()) << describe(report);
        EXPECT_TRUE(echo_lines.back().starts_with("ok: echoed " + std::to_string(frames.size()) + " frames, " +
                                                  std::to_string(log.bytes) + " bytes, "))
            << echo_lines.back();
        EXPECT_TRUE(echo_lines.back().ends_with(", 1 peer(s)")) << echo_lines.back();
        for (const std::string& line : lines_of(report, "nic"))
            EXPECT_TRUE(line.starts_with("ready: ")) << "the driver reported a problem: " << line;

        // The recording documents the run's input: every datagram, in order,
        // with nondecreasing virtual arrival times.
        const std::vector<std::string> lines = recorded_lines(record);
        ASSERT_EQ(lines.size(), frames.size());
        uint64_t previous_ns = 0;
        for (size_t i = 0; i < lines.size(); ++i) {
            std::istringstream fields(lines[i]);
            uint64_t at_ns = 0;
            unsigned peer = 99;
            std::string from, contents;
            size_t bytes = 0;
            fields >> at_ns >> peer >> from >> bytes >> contents;
            EXPECT_GE(at_ns, previous_ns) << lines[i];
            previous_ns = at_ns;
            EXPECT_EQ(peer, 0u) << lines[i];
            EXPECT_EQ(from, "127.0.0.1:" + std::to_string(socket.port()));
            EXPECT_EQ(bytes, frames[i].size()) << lines[i];
            EXPECT_EQ(contents, hex(frames[i])) << "line " << i;
        }
    }
}

// The driver's register accesses as plain I/O instructions instead of
// kernel calls: the same echoes.
TEST(NicEcho, DirectRegisterAccessEchoesTheSame) {
    const std::vector<std::vector<uint8_t>> frames = varied_frames();
    const uint16_t port = free_udp_port();
    ClientLog log;
    UdpSocket socket;
    const sim::SystemDescription system = echo_system(port, 8, "", IpcStrategyKind::rendezvous, true);
    ASSERT_TRUE(system.devices.at(0).direct);
    const sim::RunReport report = run_with_client(system, [&](const std::atomic<bool>& over) {
        exchange(socket, port, frames, 16, 24, 2, over, log);
        if (!log.problems.empty()) unblock(socket, port, over);
    });
    EXPECT_TRUE(log.problems.empty()) << log.problems.front() << "\n" << describe(report);
    ASSERT_TRUE(report.ok) << describe(report);
    EXPECT_EQ(log.sent.size(), 8u);
}

TEST(NicEcho, EachHostPeerGetsItsOwnEchoes) {
    const uint16_t port = free_udp_port();
    constexpr size_t per_peer = 6;
    ClientLog first_log;
    ClientLog second_log;
    UdpSocket first;
    UdpSocket second;
    const sim::RunReport report =
        run_with_client(echo_system(port, 2 * per_peer, ""), [&](const std::atomic<bool>& over) {
            // Interleaved: a, b, a, b, ... so the card must tell them apart.
            for (uint32_t i = 0; i < per_peer; ++i) {
                exchange(first, port, {frame_contents(100 + i, 1000 + i)}, 0, 1, 1, over, first_log);
                exchange(second, port, {frame_contents(200 + i, 2000 + i)}, 0, 1, 1, over, second_log);
            }
            if (!first_log.problems.empty() || !second_log.problems.empty()) unblock(first, port, over);
        });

    EXPECT_TRUE(first_log.problems.empty()) << first_log.problems.front();
    EXPECT_TRUE(second_log.problems.empty()) << second_log.problems.front();
    ASSERT_TRUE(report.ok) << describe(report);
    const std::vector<std::string> echo_lines = lines_of(report, "echo");
    ASSERT_FALSE(echo_lines.empty());
    EXPECT_TRUE(echo_lines.back().ends_with(", 2 peer(s)")) << echo_lines.back();
}

// No host traffic: the run is a pure function of its description again.
sim::SystemDescription probe_system() {
    return sim::parse_system_description(R"(
[system]
name = "nic_probe"

[[device]]
name = "eth0"
kind = "nic"
driver = "nic"
udp_port = 0

[[process]]
name = "nic"
program = "nic_driver"
priority = 2
stack = "128KiB"
primitives = ["receive", "sendnb"]
destinations = ["probe"]
kernel_calls = ["grant", "safecopy", "log"]
expect = "serve"

[[process]]
name = "probe"
program = "nic_protocol_probe"
primitives = ["sendrec"]
destinations = ["nic"]
kernel_calls = ["lookup", "grant", "log"]
)",
                                         "nic_probe.toml");
}

TEST(NicEcho, TheDriverRefusesBadRequestsAndReportsCardErrors) {
    const sim::RunReport report = run(probe_system());  // twice: traced and untraced, compared
    ASSERT_TRUE(report.ok) << describe(report);
    const std::vector<std::string> expected = {
        "info before -> ok max=1500 received=0 dropped=0 sent=0 errors=0",
        "send too long -> bad_argument",
        "send bad peer tag -> bad_argument",
        "send bad grant -> bad_argument",
        "send beyond the grant -> bad_argument",
        "send to an unheard peer -> not_found",
        "send empty to an unheard peer -> not_found",
        "receive capacity 0 -> bad_argument",
        "unknown request -> ok bad_argument",
        "info after -> ok max=1500 received=0 dropped=0 sent=0 errors=2",
    };
    EXPECT_EQ(lines_of(report, "probe"), expected) << describe(report);
    const std::vector<std::string> driver_lines = lines_of(report, "nic");
    ASSERT_EQ(driver_lines.size(), 3u) << describe(report);
    EXPECT_EQ(driver_lines[1], "card error 4 (1 so far)");

    const sim::RunReport again = run(probe_system());
    EXPECT_EQ(again.digest, report.digest) << "no traffic, yet the run did not replay";
    EXPECT_EQ(again.virtual_ns, report.virtual_ns);
}

TEST(NicEcho, TheShippedDescriptionNamesTheCardAndItsDriver) {
    const sim::SystemDescription system = sim::load_system_description(source_dir() + "/workloads/nic_echo.toml");
    ASSERT_EQ(system.devices.size(), 1u);
    const sim::DeviceDescription& card = system.devices[0];
    EXPECT_STREQ(card.kind->name, "nic");
    EXPECT_EQ(card.driver, "nic");
    EXPECT_EQ(card.settings_as<sim::NicConfig>().udp_port, 7070);
    EXPECT_EQ(card.io_size, 0x40);
    EXPECT_EQ(card.settings_as<sim::NicConfig>().latency_ns, 10'000u);
    bool found_driver = false;
    for (const sim::ProcessDescription& process : system.processes) {
        if (process.name != "nic") continue;
        found_driver = true;
        EXPECT_EQ(process.program, "nic_driver");
        EXPECT_EQ(process.expect, sim::Expectation::serve);
        EXPECT_EQ(std::get<int64_t>(process.args.at("io_base")), card.io_base);
        EXPECT_EQ(std::get<int64_t>(process.args.at("irq")), card.irq);
    }
    EXPECT_TRUE(found_driver);
}

TEST(NicEcho, ACardOnABusyPortIsRefusedBeforeAnythingRuns) {
    UdpSocket squatter;
    try {
        sim::Simulator simulator(echo_system(squatter.port(), 1, ""));
        FAIL() << "the simulator started with its card's port taken";
    } catch (const sim::DescriptionError& error) {
        const std::string what = error.what();
        EXPECT_NE(what.find("nic_echo.toml:"), std::string::npos) << what;
        EXPECT_NE(what.find("eth0"), std::string::npos) << what;
        EXPECT_NE(what.find(std::to_string(squatter.port())), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace axl::test
