// The NE2000 kind end to end: a system description with kind = "ne2000" runs
// in the simulator, a small echo program inside it drives the card's DP8390
// registers through io_read/io_write and its IRQ line (as a datasheet driver
// would: reset, PROM, ring, remote DMA, transmit), and a real host program
// with plain UDP sockets gets every datagram back byte for byte, from the
// card's port, under every IPC strategy.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hw/ether_wire.h"
#include "hw/ne2000.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "libsys/checks.h"
#include "sim/config/system_description.h"
#include "sim/port/simulator.h"
#include "tests/support/script_program.h"
#include "tests/support/udp_peer.h"

namespace {

using namespace axl;
namespace ne = axl::hw::ne2000;
namespace ew = axl::hw::ether_wire;

constexpr ProgramOption io_base_option = integer_option("io_base", 0x300, 0, 0xFFFF, "the card's first port");
constexpr ProgramOption irq_option = integer_option("irq", 10, 0, 63, "the card's interrupt line");
constexpr ProgramOption frames_option = integer_option("frames", 4, 1, 10'000, "datagrams to echo, then exit");

// ne2k-pci's layout: a transmit slot at 0x40, the ring 0x4C..0x80.
constexpr uint8_t tx_page = 0x40;
constexpr uint8_t ring_first = 0x4C;
constexpr uint8_t ring_end = 0x80;
constexpr uint8_t no_dma = ne::cr_rd_abort;

class Card {
public:
    explicit Card(uint16_t base) : m_base(base) {}

    uint32_t in(uint16_t offset, IoWidth width = IoWidth::byte) {
        uint32_t value = 0;
        if (io_read(static_cast<uint16_t>(m_base + offset), value, width) != Status::ok) fail("io_read %#x", offset);
        return value;
    }
    void out(uint32_t value, uint16_t offset, IoWidth width = IoWidth::byte) {
        if (io_write(static_cast<uint16_t>(m_base + offset), value, width) != Status::ok) fail("io_write %#x", offset);
    }
    void remote(uint16_t address, uint16_t count, uint8_t command) {
        out(no_dma | ne::cr_sta, ne::cr);
        out(count & 0xFF, ne::rbcr0);
        out(count >> 8, ne::rbcr1);
        out(address & 0xFF, ne::rsar0);
        out(address >> 8, ne::rsar1);
        out(command | ne::cr_sta, ne::cr);
    }
    void wait_remote_done() {
        for (int spins = 0; (in(ne::isr) & ne::isr_rdc) == 0; ++spins)
            if (spins > 1000) fail("remote DMA never completes");
        out(ne::isr_rdc, ne::isr);
    }

private:
    uint16_t m_base;
};

class Echo {
public:
    explicit Echo(Card& card) : m_card(card) {}

    void start() {
        m_card.out(m_card.in(0x1F), 0x1F);
        if ((m_card.in(ne::isr) & ne::isr_rst) == 0) fail("no reset acknowledge");
        // The station address, from the PROM in word mode.
        m_card.out(no_dma | ne::cr_stp, ne::cr);
        m_card.out(0x49, ne::dcr);
        m_card.out(0xFF, ne::isr);
        m_card.remote(0, 12, ne::cr_rd_read);
        for (uint8_t& byte : m_station) byte = static_cast<uint8_t>(m_card.in(ne::data_port));
        m_card.wait_remote_done();
        // The ring, the transmit slot, the station address, receive on.
        m_card.out(no_dma | ne::cr_stp, ne::cr);
        m_card.out(ne::rcr_mon, ne::rcr);
        m_card.out(0x02, ne::tcr);
        m_card.out(tx_page, ne::tpsr);
        m_card.out(ring_first, ne::pstart);
        m_card.out(ring_end, ne::pstop);
        m_card.out(ring_end - 1, ne::bnry);
        m_card.out(no_dma | 0x40 | ne::cr_stp, ne::cr);
        for (uint16_t i = 0; i < ew::mac_bytes; ++i) m_card.out(m_station[i], ne::par0 + i);
        m_card.out(ring_first, ne::curr);
        m_card.out(no_dma | ne::cr_stp, ne::cr);
        m_card.out(0xFF, ne::isr);
        m_card.out(ne::isr_prx | ne::isr_ptx | ne::isr_txe | ne::isr_ovw, ne::imr);
        m_card.out(no_dma | ne::cr_sta, ne::cr);
        m_card.out(0x00, ne::tcr);
        m_card.out(ne::rcr_ab, ne::rcr);
    }

    // Acknowledges what the card reports; a finished transmit lets the next
    // frame of the ring go out. How many echoes have gone out so far.
    int on_interrupt() {
        const uint8_t isr = static_cast<uint8_t>(m_card.in(ne::isr));
        m_card.out(isr & ne::isr_interrupts, ne::isr);
        if (isr & ne::isr_ovw) fail("the ring overflowed");
        if (isr & ne::isr_txe) fail("a transmit failed");
        if (isr & ne::isr_ptx) {
            m_transmitting = false;
            ++m_echoed;
        }
        if (!m_transmitting) m_transmitting = echo_next();
        return m_echoed;
    }

private:
    bool echo_next() {
        m_card.out(no_dma | 0x40 | ne::cr_sta, ne::cr);
        const uint8_t current = static_cast<uint8_t>(m_card.in(ne::curr));
        m_card.out(no_dma | ne::cr_sta, ne::cr);
        uint8_t page = static_cast<uint8_t>(m_card.in(ne::bnry) + 1);
        if (page >= ring_end) page = ring_first;
        if (page == current) return false;

        m_card.remote(static_cast<uint16_t>(page << 8), 4, ne::cr_rd_read);
        const uint32_t header = m_card.in(ne::data_port, IoWidth::word);
        m_card.wait_remote_done();
        const uint8_t next = static_cast<uint8_t>(header >> 8);
        const size_t length = ((header >> 16) & 0xFFFF) - ne::header_bytes;
        if (length > sizeof m_frame) fail("a frame of %zu bytes", length);
        const uint16_t words = static_cast<uint16_t>((length + 3) / 4);
        m_card.remote(static_cast<uint16_t>((page << 8) + ne::header_bytes), static_cast<uint16_t>(words * 4),
                      ne::cr_rd_read);
        for (uint16_t i = 0; i < words; ++i) {
            const uint32_t word = m_card.in(ne::data_port, IoWidth::word);
            for (int b = 0; b < 4; ++b) m_frame[4 * i + b] = static_cast<uint8_t>(word >> (8 * b));
        }
        m_card.wait_remote_done();
        m_card.out(next == ring_first ? ring_end - 1 : next - 1, ne::bnry);

        ew::Decoded decoded;
        uint8_t peer = 0;
        if (!ew::decode(m_frame, length, decoded) || !ew::peer_of(decoded.source, peer)) fail("a frame not from a peer");
        uint8_t destination[ew::mac_bytes];
        ew::peer_mac(peer, destination);
        const size_t reply = ew::encode(destination, m_station, decoded.payload, decoded.payload_bytes, m_reply,
                                        sizeof m_reply);
        const uint16_t reply_words = static_cast<uint16_t>((reply + 3) / 4);
        m_card.out(ne::isr_rdc, ne::isr);
        m_card.remote(static_cast<uint16_t>(tx_page << 8), static_cast<uint16_t>(reply_words * 4), ne::cr_rd_write);
        for (uint16_t i = 0; i < reply_words; ++i)
            m_card.out(m_reply[4 * i] | m_reply[4 * i + 1] << 8 | m_reply[4 * i + 2] << 16 |
                           uint32_t{m_reply[4 * i + 3]} << 24,
                       ne::data_port, IoWidth::word);
        m_card.wait_remote_done();
        m_card.out(static_cast<uint8_t>(reply & 0xFF), ne::tbcr0);
        m_card.out(static_cast<uint8_t>(reply >> 8), ne::tbcr1);
        m_card.out(tx_page, ne::tpsr);
        m_card.out(no_dma | ne::cr_txp | ne::cr_sta, ne::cr);
        return true;
    }

    Card& m_card;
    uint8_t m_station[ew::mac_bytes] = {};
    uint8_t m_frame[ew::max_frame_bytes + 4] = {};
    uint8_t m_reply[ew::max_frame_bytes + 4] = {};
    bool m_transmitting = false;
    int m_echoed = 0;
};

}  // namespace

AXL_PROGRAM(ne2000_test_echo, "test: echoes datagrams through an NE2000's registers, then exits", io_base_option,
            irq_option, frames_option) {
    const auto irq = static_cast<uint32_t>(sys::option_int(irq_option));
    const auto frames = static_cast<int>(sys::option_int(frames_option));
    Card card(static_cast<uint16_t>(sys::option_int(io_base_option)));
    Echo echo(card);
    echo.start();
    if (irq_attach(irq) != Status::ok) fail("cannot attach IRQ %u", irq);
    for (;;) {
        Message m;
        if (receive(endpoints::any, m) != Status::ok) fail("receive");
        if (m.source != endpoints::hardware) continue;
        const int echoed = echo.on_interrupt();
        if (echoed == frames) {
            log("ok: echoed %d datagrams", echoed);
            return 0;
        }
        if (irq_enable(irq) != Status::ok) fail("cannot enable IRQ %u", irq);
    }
}

namespace axl::test {
namespace {

std::vector<uint8_t> contents(size_t bytes, uint32_t index) {
    std::vector<uint8_t> out(bytes);
    uint32_t x = index * 2654435761u + 12345u;
    for (uint8_t& byte : out) {
        x = x * 1664525u + 1013904223u;
        byte = static_cast<uint8_t>(x >> 24);
    }
    return out;
}

sim::SystemDescription echo_system(uint16_t port, size_t frames, IpcStrategyKind ipc) {
    const std::string text = "[system]\nname = \"ne2000_echo\"\nseed = 1\n"
                             "[[device]]\nname = \"eth1\"\nkind = \"ne2000\"\ndriver = \"echo\"\n"
                             "udp_port = " + std::to_string(port) + "\nlatency = \"10us\"\n"
                             "[[process]]\nname = \"echo\"\nprogram = \"ne2000_test_echo\"\nprimitives = [\"receive\"]\n"
                             "kernel_calls = [\"log\"]\n[process.args]\nframes = " + std::to_string(frames) + "\n";
    sim::DescriptionOverrides overrides;
    overrides.ipc = ipc;
    return sim::parse_system_description(text, "ne2000_echo.toml", overrides);
}

TEST(Ne2000Echo, AHostProgramGetsEveryDatagramBackThroughTheCard) {
    const size_t sizes[] = {0, 1, 5, 44, 45, 46, 64, 255, 256, 1000, 1499, 1500, 3, 700, 1500, 12};
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(to_string(ipc));
        uint16_t port = 0;
        {
            UdpPeer probe;  // a port free right now
            port = probe.port();
        }
        UdpPeer first, second;
        std::vector<std::string> problems;
        sim::RunOptions options;
        options.echo_console = false;
        sim::Simulator simulator(echo_system(port, std::size(sizes), ipc), options);
        const sim::RunReport report = beside_host([&](const std::atomic<bool>& over) {
            // One at a time from alternating peers, then the rest in bursts of four.
            auto expect_echo = [&](const UdpPeer& from, const std::vector<uint8_t>& sent, size_t i) {
                std::vector<uint8_t> got;
                if (!from.receive(got, 20'000)) {
                    problems.push_back("no echo of datagram " + std::to_string(i));
                } else if (got != sent) {
                    problems.push_back("datagram " + std::to_string(i) + ": " + std::to_string(sent.size()) +
                                       " bytes sent, " + std::to_string(got.size()) + " came back, or other bytes");
                }
            };
            size_t i = 0;
            for (; i < 8 && problems.empty(); ++i) {
                const UdpPeer& from = i % 2 ? second : first;
                from.send_to(port, contents(sizes[i], static_cast<uint32_t>(i)));
                expect_echo(from, contents(sizes[i], static_cast<uint32_t>(i)), i);
            }
            for (; i < std::size(sizes) && problems.empty(); i += 4) {
                for (size_t j = i; j < i + 4; ++j) first.send_to(port, contents(sizes[j], static_cast<uint32_t>(j)));
                for (size_t j = i; j < i + 4; ++j) expect_echo(first, contents(sizes[j], static_cast<uint32_t>(j)), j);
            }
            // After a failure the echo still waits: fill its quota so the run ends.
            while (!problems.empty() && !over.load()) {
                first.send_to(port, {0});
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }, [&] { return simulator.run(); });
        EXPECT_TRUE(problems.empty()) << problems.front() << "\n" << describe(report);
        ASSERT_TRUE(report.ok) << describe(report);
        const std::vector<std::string> lines = lines_of(report, "echo");
        ASSERT_FALSE(lines.empty()) << describe(report);
        EXPECT_EQ(lines.back(), "ok: echoed " + std::to_string(std::size(sizes)) + " datagrams");
    }
}

}  // namespace
}  // namespace axl::test
