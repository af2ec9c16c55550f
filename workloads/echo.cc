// echo_server: a UDP echo service on the simulated network card. Every frame
// the nic driver (arg "nic", default "nic") receives is sent back, unchanged,
// to the peer it came from: a host program sending datagrams to the card's
// port gets each one back. After `frames` frames (0 = forever) it logs a
// summary and exits 0; what it echoes comes from the host, so the summary
// (frames, bytes, a checksum of their contents, distinct peers) is for the
// test on the host side to compare, not a self-check.
//
// One buffer, granted once to the driver for both directions: a frame is
// received into it and sent from it, so the echo is the received bytes
// themselves, with nothing copied inside this process.
//
// A driver that dies (a crash, a fault campaign) is looked up again once rs
// has restarted it, and the buffer granted to its new incarnation; the frame
// in flight then is lost (the host resends, as a UDP client must).
#include <cstddef>
#include <cstdint>

#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/net.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr ProgramOption nic_option = string_option("nic", "nic", "the nic driver's process name");
constexpr ProgramOption frames_option =
    integer_option("frames", 0, 0, int64_t{1} << 40, "frames to echo before exiting (0: forever)");

class EchoServer {
public:
    EchoServer()
        : m_nic_name(option_string(nic_option)),
          m_frames(static_cast<uint64_t>(option_int(frames_option))) {}

    void setup() { connect(lookup_or_fail(m_nic_name)); }

    void run() {
        while (m_frames == 0 || m_echoed < m_frames) {
            net::ReceivedFrame frame;
            if (restarted(net::receive_frame(m_nic, m_grant, sizeof m_buffer, frame), "receive a frame")) continue;
            if (frame.length > sizeof m_buffer)
                fail("frame %llu: expected at most %llu bytes, got %llu", ull(m_echoed), ull(sizeof m_buffer),
                     ull(frame.length));
            if (restarted(net::send_frame(m_nic, m_grant, frame.length, frame.peer), "echo a frame")) continue;
            account(frame);
        }
    }

    void check() {
        uint32_t peers = 0;
        for (uint64_t bits = m_peers_seen; bits != 0; bits &= bits - 1) ++peers;
        log("ok: echoed %llu frames, %llu bytes, checksum %016llx, %u peer(s)%s", ull(m_echoed), ull(m_bytes),
            ull(m_checksum), peers, m_reconnects ? ", reconnected after the driver's restart" : "");
    }

private:
    void connect(Endpoint nic) {
        m_nic = nic;
        if (m_grant.raw != 0) (void)grant_revoke(m_grant);
        check_ok(grant_create(m_nic, m_buffer, sizeof m_buffer, GrantAccess::read_write, m_grant),
                 "grant the frame buffer to the driver");
    }

    // False if the call went through; true if the driver had died and the
    // server is now connected to its restarted incarnation.
    bool restarted(Status status, const char* what) {
        if (status != Status::dead_endpoint) {
            check_ok(status, what);
            return false;
        }
        for (uint32_t attempt = 0; attempt < 100'000; ++attempt) {
            Endpoint now{};
            if (lookup(m_nic_name, now) == Status::ok && now != m_nic) {
                ++m_reconnects;
                connect(now);
                return true;
            }
            check_ok(yield(), "wait for the driver's restart");
        }
        fail("%s: the driver died and was not started again", what);
    }

    void account(const net::ReceivedFrame& frame) {
        m_echoed += 1;
        m_bytes += frame.length;
        m_checksum = mix64(m_checksum ^ frame.length);
        for (size_t i = 0; i < frame.length; ++i) m_checksum = mix64(m_checksum ^ m_buffer[i]);
        if (frame.peer < 64) m_peers_seen |= uint64_t{1} << frame.peer;
    }

    const char* m_nic_name;
    uint64_t m_frames;
    Endpoint m_nic;
    GrantId m_grant;
    uint8_t m_buffer[net::max_frame_bytes];
    uint64_t m_echoed = 0;
    uint64_t m_bytes = 0;
    uint64_t m_checksum = 0;
    uint64_t m_peers_seen = 0;  // a bit per peer tag
    uint32_t m_reconnects = 0;
};

}  // namespace

AXL_PROGRAM(echo_server, "sends every frame from the nic driver back to its peer; `frames` of them (0 = forever)",
            nic_option, frames_option) {
    return run_workload<EchoServer>();
}
