// The NE2000 model on its own, driven the way Linux's ne2k-pci and 8390
// library drive an RTL8029 (their register sequences, re-enacted here, not
// their code): the probe, the PROM read through remote DMA, the init
// sequence, transmit through the transmit slots, receive through the ring
// with its 4-byte headers, overrun recovery. A real UDP socket is the host's
// end of the wire; virtual time is moved by hand (tests/support/device_test_host.h).
#include "sim/machine/ne2000.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hw/ether_wire.h"
#include "hw/ne2000.h"
#include "kernel/api/program.h"
#include "sim/config/system_description.h"
#include "tests/support/device_test_host.h"
#include "tests/support/temp_dir.h"
#include "tests/support/udp_peer.h"

AXL_PROGRAM(ne2000_test_driver, "drives nothing (ne2000 description tests)") { return 0; }

namespace axl::sim {
namespace {

namespace reg = hw::ne2000;
namespace wire = hw::ether_wire;

constexpr uint32_t line = 10;
constexpr uint64_t latency_ns = 10'000;
const MacAddress station = {0x02, 0x41, 0x58, 0x4C, 0x00, 0x01};

// ne2k-pci's layout of the 16 KiB it uses: two 6-page transmit slots from
// 0x40, the receive ring from 0x4C up to 0x80.
constexpr uint8_t tx_start = 0x40;
constexpr uint8_t tx_pages = 12;
constexpr uint8_t rx_start = tx_start + tx_pages;
constexpr uint8_t rx_stop = 0x80;
constexpr uint32_t ring_pages = rx_stop - rx_start;

// Commands as the 8390 library writes them.
constexpr uint8_t no_dma = reg::cr_rd_abort;
constexpr uint8_t page0 = 0x00;
constexpr uint8_t page1 = 0x40;
constexpr uint8_t page2 = 0x80;

std::vector<uint8_t> pattern(size_t bytes, uint8_t seed) {
    std::vector<uint8_t> out(bytes);
    for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(seed * 31 + i * 7 + (i >> 8));
    return out;
}

// A received frame as the driver finds it in the ring.
struct RingFrame {
    uint8_t status = 0;
    uint8_t next = 0;
    uint16_t count = 0;  // header + frame bytes
    std::vector<uint8_t> bytes;
};

struct Ne2000Test : ::testing::Test {
    test::TempDir dir;
    test::DeviceTestHost host;
    test::UdpPeer peer;
    std::unique_ptr<Ne2000> card;
    uint8_t current_page = rx_start;  // the driver's own copy, as ei_device keeps it

    Ne2000Test() { card = make({}); }

    std::unique_ptr<Ne2000> make(const std::string& record_path) {
        return std::make_unique<Ne2000>(host, Ne2000Config{.name = "test",
                                                           .irq_line = line,
                                                           .latency_ns = latency_ns,
                                                           .record_path = record_path,
                                                           .mac = station});
    }

    uint8_t in(uint16_t port) { return static_cast<uint8_t>(card->read(port, 1)); }
    void out(uint8_t value, uint16_t port) { card->write(port, 1, value); }
    uint8_t isr() { return in(reg::isr); }

    // ne2k_pci_reset_8390: a read of the reset port, wait for RST, ack it.
    void hard_reset() {
        out(in(0x1F), 0x1F);
        ASSERT_NE(isr() & reg::isr_rst, 0) << "the reset is acknowledged at once";
        out(reg::isr_rst, reg::isr);
    }

    // The probe's PROM read: its register program, then 32 byte reads of the
    // data port (word mode: each moves a word and yields its low byte).
    std::vector<uint8_t> read_prom(uint8_t dcr) {
        const std::pair<uint8_t, uint16_t> program[] = {
            {no_dma | page0 | reg::cr_stp, reg::cr},
            {dcr, reg::dcr},
            {0x00, reg::rbcr0},
            {0x00, reg::rbcr1},
            {0x00, reg::imr},
            {0xFF, reg::isr},
            {reg::rcr_mon, reg::rcr},
            {0x02, reg::tcr},
            {32, reg::rbcr0},
            {0x00, reg::rbcr1},
            {0x00, reg::rsar0},
            {0x00, reg::rsar1},
            {reg::cr_rd_read | reg::cr_sta, reg::cr},
        };
        for (const auto& [value, port] : program) out(value, port);
        std::vector<uint8_t> prom(32);
        for (uint8_t& byte : prom) byte = in(reg::data_port);
        return prom;
    }

    // NS8390_init(dev, startp) with ne2k-pci's pages and a word-wide card.
    void init(bool start, uint8_t rcr = reg::rcr_ab) {
        out(no_dma | page0 | reg::cr_stp, reg::cr);
        out(0x49, reg::dcr);
        out(0, reg::rbcr0);
        out(0, reg::rbcr1);
        out(reg::rcr_mon, reg::rcr);
        out(0x02, reg::tcr);
        out(tx_start, reg::tpsr);
        out(rx_start, reg::pstart);
        out(rx_stop - 1, reg::bnry);
        current_page = rx_start;
        out(rx_stop, reg::pstop);
        out(0xFF, reg::isr);
        out(0x00, reg::imr);
        out(no_dma | page1 | reg::cr_stp, reg::cr);
        for (uint16_t i = 0; i < 6; ++i) out(station[i], reg::par0 + i);
        out(rx_start, reg::curr);
        out(no_dma | page0 | reg::cr_stp, reg::cr);
        if (!start) return;
        out(0xFF, reg::isr);
        out(0x3F, reg::imr);
        out(no_dma | page0 | reg::cr_sta, reg::cr);
        out(0x00, reg::tcr);
        out(rcr, reg::rcr);
        out(no_dma | page1, reg::cr);
        for (uint16_t i = 0; i < 8; ++i) out(0, reg::mar0 + i);
        out(no_dma | page0, reg::cr);
        out(rcr, reg::rcr);
    }

    void set_remote(uint16_t address, uint16_t count, uint8_t command) {
        out(no_dma | page0 | reg::cr_sta, reg::cr);
        out(static_cast<uint8_t>(count & 0xFF), reg::rbcr0);
        out(static_cast<uint8_t>(count >> 8), reg::rbcr1);
        out(static_cast<uint8_t>(address & 0xFF), reg::rsar0);
        out(static_cast<uint8_t>(address >> 8), reg::rsar1);
        out(command | reg::cr_sta, reg::cr);
    }

    // ne2k_pci_block_output: 32-bit writes, a 16-bit one for the rest (the
    // count rounded up to even), then wait for RDC and ack it.
    void block_output(const std::vector<uint8_t>& bytes, uint8_t start_page) {
        std::vector<uint8_t> data = bytes;
        if (data.size() & 1) data.push_back(0);
        out(reg::isr_rdc, reg::isr);
        set_remote(static_cast<uint16_t>(start_page << 8), static_cast<uint16_t>(data.size()), reg::cr_rd_write);
        size_t at = 0;
        for (; at + 4 <= data.size(); at += 4)
            card->write(reg::data_port, 4,
                        data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (uint32_t{data[at + 3]} << 24));
        if (at < data.size()) card->write(reg::data_port, 2, data[at] | (data[at + 1] << 8));
        ASSERT_NE(isr() & reg::isr_rdc, 0) << "remote DMA complete after exactly the count";
        out(reg::isr_rdc, reg::isr);
    }

    // ne2k_pci_block_input: 32-bit reads, then a word, then a byte.
    std::vector<uint8_t> block_input(uint16_t address, size_t count) {
        set_remote(address, static_cast<uint16_t>(count), reg::cr_rd_read);
        std::vector<uint8_t> data;
        size_t left = count;
        for (; left >= 4; left -= 4) {
            const uint32_t word = card->read(reg::data_port, 4);
            for (int i = 0; i < 4; ++i) data.push_back(static_cast<uint8_t>(word >> (8 * i)));
        }
        if (left & 2) {
            const uint32_t word = card->read(reg::data_port, 2);
            data.push_back(static_cast<uint8_t>(word));
            data.push_back(static_cast<uint8_t>(word >> 8));
        }
        if (left & 1) data.push_back(in(reg::data_port));
        out(reg::isr_rdc, reg::isr);
        return data;
    }

    // NS8390_trigger_send
    void trigger_send(uint16_t length, uint8_t start_page) {
        out(no_dma | page0, reg::cr);
        ASSERT_EQ(in(reg::cr) & reg::cr_txp, 0) << "the transmitter is busy";
        out(static_cast<uint8_t>(length & 0xFF), reg::tbcr0);
        out(static_cast<uint8_t>(length >> 8), reg::tbcr1);
        out(start_page, reg::tpsr);
        out(no_dma | reg::cr_txp | reg::cr_sta, reg::cr);
    }

    // ei_start_xmit's work for one frame: padded to 60, into the first slot.
    void transmit(std::vector<uint8_t> frame) {
        if (frame.size() < 60) frame.resize(60, 0);
        block_output(frame, tx_start);
        trigger_send(static_cast<uint16_t>(frame.size()), tx_start);
    }

    uint8_t curr() {
        out(no_dma | page1, reg::cr);
        const uint8_t value = in(reg::curr);
        out(no_dma | page0, reg::cr);
        return value;
    }

    // ei_receive: every frame between BNRY + 1 and CURR, BNRY following.
    std::vector<RingFrame> receive_all() {
        std::vector<RingFrame> frames;
        for (int guard = 0; guard < 64; ++guard) {
            const uint8_t rxing_page = curr();
            uint8_t this_frame = static_cast<uint8_t>(in(reg::bnry) + 1);
            if (this_frame >= rx_stop) this_frame = rx_start;
            EXPECT_EQ(this_frame, current_page) << "BNRY and the driver's page disagree";
            if (this_frame == rxing_page) break;
            // ne2k_pci_get_8390_hdr: one 32-bit read.
            set_remote(static_cast<uint16_t>(this_frame << 8), 4, reg::cr_rd_read);
            const uint32_t header = card->read(reg::data_port, 4);
            out(reg::isr_rdc, reg::isr);
            RingFrame frame;
            frame.status = static_cast<uint8_t>(header);
            frame.next = static_cast<uint8_t>(header >> 8);
            frame.count = static_cast<uint16_t>(header >> 16);
            const int length = frame.count - 4;
            // lib8390's consistency check on the next page.
            const int next_frame = this_frame + 1 + ((length + 4) >> 8);
            EXPECT_TRUE(frame.next == next_frame || frame.next == next_frame + 1 ||
                        frame.next == next_frame - static_cast<int>(ring_pages) ||
                        frame.next == next_frame + 1 - static_cast<int>(ring_pages))
                << "next page " << int(frame.next) << " for a frame of " << length << " at " << int(this_frame);
            frame.bytes = block_input(static_cast<uint16_t>((this_frame << 8) + 4), static_cast<size_t>(length));
            current_page = frame.next;
            out(static_cast<uint8_t>(frame.next - 1), reg::bnry);
            frames.push_back(std::move(frame));
        }
        out(reg::isr_prx | reg::isr_rxe, reg::isr);
        return frames;
    }

    void arrive(const std::vector<uint8_t>& datagram, const test::UdpPeer& from) {
        from.send_to(card->bound_port(), datagram);
        card->host_input_ready();
        host.run_until(host.now_ns() + latency_ns);
    }
    void arrive(const std::vector<uint8_t>& datagram) { arrive(datagram, peer); }

    // A frame of the wire from the card to peer `tag`.
    std::vector<uint8_t> frame_to_peer(uint8_t tag, const std::vector<uint8_t>& payload) {
        uint8_t destination[wire::mac_bytes];
        wire::peer_mac(tag, destination);
        std::vector<uint8_t> frame(wire::max_frame_bytes);
        frame.resize(wire::encode(destination, station.data(), payload.data(), payload.size(), frame.data(),
                                  frame.size()));
        return frame;
    }

    // A frame for loopback tests: `destination`, then filler.
    static std::vector<uint8_t> frame_to(const std::vector<uint8_t>& destination, uint8_t seed) {
        std::vector<uint8_t> frame = pattern(80, seed);
        for (size_t i = 0; i < 6; ++i) frame[i] = destination[i];
        return frame;
    }
};

TEST_F(Ne2000Test, PowersUpStoppedAndPassesTheProbesChecks) {
    EXPECT_EQ(card->io_size(), 0x20);
    EXPECT_NE(card->bound_port(), 0);
    EXPECT_GE(card->host_fd(), 0);
    // "reg0 = inb(ioaddr); if (reg0 == 0xFF) no card"
    EXPECT_EQ(in(reg::cr), reg::cr_stp | reg::cr_rd_abort);
    EXPECT_NE(isr() & reg::isr_rst, 0);
    // A DP8390's tally counters clear when read: the probe's second read is 0.
    out(no_dma | page1 | reg::cr_stp, reg::cr);
    const uint8_t mar5 = in(0x0D);
    out(0xFF, 0x0D);
    EXPECT_EQ(in(0x0D), 0xFF) << "page 1 0x0D is MAR5, read-write";
    out(mar5, 0x0D);
    out(no_dma | page0, reg::cr);
    in(reg::cntr0);
    EXPECT_EQ(in(reg::cntr0), 0);
    // The RTL8029AS's ID bytes.
    EXPECT_EQ(in(reg::id0), 0x50);
    EXPECT_EQ(in(reg::id1), 0x43);
    EXPECT_EQ(card->read(reg::io_size, 1), 0xFFu);
    EXPECT_TRUE(host.irqs().empty());
    EXPECT_EQ(host.pending_events(), 0u);
}

TEST_F(Ne2000Test, TheResetPortStopsTheCardAndSetsRst) {
    init(/*start=*/true);
    EXPECT_EQ(isr() & reg::isr_rst, 0) << "START clears RST";
    out(reg::isr_rst, reg::isr);
    card->write(0x1F, 1, 0);  // a write does nothing
    EXPECT_EQ(isr() & reg::isr_rst, 0);
    EXPECT_EQ(card->read(0x1F, 1), 0u);
    EXPECT_EQ(isr(), reg::isr_rst);
    EXPECT_EQ(in(reg::cr), reg::cr_stp | reg::cr_rd_abort);
    out(0xFF, reg::isr);
    EXPECT_EQ(isr(), reg::isr_rst) << "writing 1 does not clear RST: only START does";
    out(no_dma | reg::cr_sta, reg::cr);
    EXPECT_EQ(isr(), 0);
}

TEST_F(Ne2000Test, TheProbeReadsTheStationAddressWordWide) {
    hard_reset();
    const std::vector<uint8_t> prom = read_prom(0x49);
    for (size_t i = 0; i < 6; ++i) EXPECT_EQ(prom[i], station[i]) << i;
    for (size_t i = 6; i < 14; ++i) EXPECT_EQ(prom[i], 0) << i;
    EXPECT_EQ(prom[14], 0x57);
    EXPECT_EQ(prom[15], 0x57);
    // 32 reads of a word each ran past the 32-byte PROM: nothing lives there.
    for (size_t i = 16; i < 32; ++i) EXPECT_EQ(prom[i], 0xFF) << i;
    EXPECT_NE(isr() & reg::isr_rdc, 0) << "the count of 32 bytes was reached";
}

TEST_F(Ne2000Test, InByteModeThePromShowsEachByteTwice) {
    hard_reset();
    const std::vector<uint8_t> prom = read_prom(0x48);
    for (size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(prom[2 * i], station[i]);
        EXPECT_EQ(prom[2 * i + 1], station[i]);
    }
    EXPECT_EQ(prom[28], 0x57);
    EXPECT_EQ(prom[31], 0x57);
}

TEST_F(Ne2000Test, InitProgramsEveryRegisterAndReadsThemBack) {
    init(/*start=*/true);
    out(no_dma | page2, reg::cr);
    EXPECT_EQ(in(reg::page2_pstart), rx_start);
    EXPECT_EQ(in(reg::page2_pstop), rx_stop);
    EXPECT_EQ(in(reg::page2_tpsr), tx_start);
    EXPECT_EQ(in(reg::page2_rcr), reg::rcr_ab);
    EXPECT_EQ(in(reg::page2_tcr), 0);
    EXPECT_EQ(in(reg::page2_dcr), 0x49);
    EXPECT_EQ(in(reg::page2_imr), 0x3F);
    out(no_dma | page1, reg::cr);
    for (uint16_t i = 0; i < 6; ++i) EXPECT_EQ(in(reg::par0 + i), station[i]);
    EXPECT_EQ(in(reg::curr), rx_start);
    for (uint16_t i = 0; i < 8; ++i) {
        out(static_cast<uint8_t>(0x11 * i), reg::mar0 + i);
        EXPECT_EQ(in(reg::mar0 + i), 0x11 * i);
    }
    out(no_dma | page0, reg::cr);
    EXPECT_EQ(in(reg::bnry), rx_stop - 1);
    EXPECT_EQ(in(reg::cr), no_dma | reg::cr_sta);
    EXPECT_EQ(isr(), 0);
}

TEST_F(Ne2000Test, RemoteDmaMovesBytesWordsAndLongsAndCountsDown) {
    init(/*start=*/true);
    block_output(pattern(301, 1), 0x50);
    EXPECT_EQ(block_input(0x5000, 301), pattern(301, 1));
    // CRDA shows where the transfer stopped.
    set_remote(0x6000, 3, reg::cr_rd_read);
    card->read(reg::data_port, 2);
    EXPECT_EQ(isr() & reg::isr_rdc, 0) << "one byte left";
    EXPECT_EQ(in(reg::crda0), 0x02);
    EXPECT_EQ(in(reg::crda1), 0x60);
    card->read(reg::data_port, 2);
    EXPECT_NE(isr() & reg::isr_rdc, 0);
    // A command with a count of 0 is complete at once.
    out(reg::isr_rdc, reg::isr);
    set_remote(0x6000, 0, reg::cr_rd_write);
    EXPECT_NE(isr() & reg::isr_rdc, 0);
    // Byte mode: a byte access moves one byte.
    out(0x48, reg::dcr);
    set_remote(0x6100, 2, reg::cr_rd_write);
    out(0xAB, reg::data_port);
    out(0xCD, reg::data_port);
    out(0x49, reg::dcr);
    set_remote(0x6100, 2, reg::cr_rd_read);
    EXPECT_EQ(card->read(reg::data_port, 2), 0xCDABu);
    // Without a remote command the data port is not connected.
    out(no_dma | reg::cr_sta, reg::cr);
    EXPECT_EQ(card->read(reg::data_port, 4), 0xFFFF'FFFFu);
    card->write(reg::data_port, 4, 0);
    EXPECT_EQ(block_input(0x6100, 2), (std::vector<uint8_t>{0xAB, 0xCD}));
}

TEST_F(Ne2000Test, ThePromIsReadOnlyAndNothingLivesOutsideTheRam) {
    init(/*start=*/true);
    block_output(std::vector<uint8_t>(4, 0x00), 0x00);
    EXPECT_EQ(block_input(0x0000, 2), (std::vector<uint8_t>{station[0], station[0]}));
    block_output(std::vector<uint8_t>(4, 0x00), 0xC0);
    EXPECT_EQ(block_input(0xC000, 4), std::vector<uint8_t>(4, 0xFF));
    EXPECT_EQ(block_input(0x3FFE, 4), (std::vector<uint8_t>{0xFF, 0xFF, 0x00, 0x00})) << "RAM starts at 0x4000";
    EXPECT_EQ(block_input(0xBFFE, 4), (std::vector<uint8_t>{0x00, 0x00, 0xFF, 0xFF})) << "RAM ends at 0xC000";
}

TEST_F(Ne2000Test, ATransmittedFrameReachesThePeerAsItsDatagram) {
    init(/*start=*/true);
    // The card knows a host address once it has heard from it: peer tag 0.
    arrive(pattern(10, 9));
    receive_all();
    host.clear_irqs();

    const std::vector<uint8_t> payload = pattern(100, 2);
    transmit(frame_to_peer(0, payload));
    EXPECT_NE(in(reg::cr) & reg::cr_txp, 0) << "TXP holds while the frame is on the wire";
    host.run_until(host.now_ns() + latency_ns - 1);
    EXPECT_EQ(isr() & reg::isr_ptx, 0);
    host.run_until(host.now_ns() + 1);
    EXPECT_EQ(in(reg::cr) & reg::cr_txp, 0);
    EXPECT_EQ(isr(), reg::isr_ptx);
    EXPECT_EQ(in(reg::tsr), reg::tsr_ptx);
    ASSERT_EQ(host.irq_count(line), 1u);
    std::vector<uint8_t> got;
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, payload) << "the datagram is the payload, without the frame's header or padding";
    EXPECT_EQ(card->statistics().sent_to_host, 1u);
    out(reg::isr_ptx, reg::isr);
    EXPECT_EQ(isr(), 0);
    EXPECT_EQ(host.scheduled_in_past(), 0u);
}

TEST_F(Ne2000Test, AShortDatagramGoesOutWithoutThePadding) {
    init(/*start=*/true);
    arrive({});
    receive_all();
    transmit(frame_to_peer(0, {'h', 'i'}));
    host.run_all();
    std::vector<uint8_t> got;
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, (std::vector<uint8_t>{'h', 'i'}));
    // And an empty one as an empty datagram.
    out(reg::isr_ptx, reg::isr);
    transmit(frame_to_peer(0, {}));
    host.run_all();
    ASSERT_TRUE(peer.receive(got));
    EXPECT_TRUE(got.empty());
}

TEST_F(Ne2000Test, AHostDatagramArrivesAsAFrameInTheRing) {
    init(/*start=*/true);
    const std::vector<uint8_t> hello = {'h', 'e', 'l', 'l', 'o'};
    peer.send_to(card->bound_port(), hello);
    card->host_input_ready();
    host.run_until(latency_ns - 1);
    EXPECT_EQ(curr(), rx_start) << "nothing is stored before the latency has passed";
    EXPECT_TRUE(host.irqs().empty());
    host.run_until(latency_ns);
    EXPECT_EQ(isr(), reg::isr_prx);
    EXPECT_EQ(in(reg::rsr), reg::rsr_prx);
    ASSERT_EQ(host.irqs().size(), 1u);
    EXPECT_EQ(host.irqs()[0], (test::DeviceTestHost::RaisedIrq{line, latency_ns}));
    EXPECT_EQ(curr(), rx_start + 1);

    const std::vector<RingFrame> frames = receive_all();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].status, reg::rsr_prx);
    EXPECT_EQ(frames[0].next, rx_start + 1);
    EXPECT_EQ(frames[0].count, 4 + 60) << "padded to Ethernet's minimum";
    const std::vector<uint8_t>& frame = frames[0].bytes;
    EXPECT_EQ(std::vector<uint8_t>(frame.begin(), frame.begin() + 6), std::vector<uint8_t>(station.begin(), station.end()));
    EXPECT_EQ(std::vector<uint8_t>(frame.begin() + 6, frame.begin() + 12),
              (std::vector<uint8_t>{0x02, 0x00, 0x00, 0x00, 0x00, 0x00}))
        << "from peer 0";
    EXPECT_EQ(frame[12], 0x88);
    EXPECT_EQ(frame[13], 0xB5);
    EXPECT_EQ(frame[14], 0);
    EXPECT_EQ(frame[15], 5) << "the datagram's true length";
    EXPECT_EQ(std::vector<uint8_t>(frame.begin() + 16, frame.begin() + 21), hello);
    EXPECT_EQ(std::vector<uint8_t>(frame.begin() + 21, frame.end()), std::vector<uint8_t>(39, 0));
    wire::Decoded decoded;
    ASSERT_TRUE(wire::decode(frame.data(), frame.size(), decoded));
    EXPECT_EQ(std::vector<uint8_t>(decoded.payload, decoded.payload + decoded.payload_bytes), hello);
    EXPECT_EQ(isr(), 0) << "the receive routine acknowledged PRX";
    EXPECT_EQ(card->statistics().stored, 1u);
}

// The acceptance path in miniature: what the driver receives from peer T it
// sends back to peer T, and the host gets its datagrams back.
TEST_F(Ne2000Test, EchoesDatagramsFromTwoPeersThroughTheDriversRoutines) {
    init(/*start=*/true);
    test::UdpPeer other;
    for (int round = 0; round < 5; ++round) {
        const test::UdpPeer& from = round % 2 ? other : peer;
        const std::vector<uint8_t> datagram = pattern(static_cast<size_t>(1 + round * 331), static_cast<uint8_t>(round));
        arrive(datagram, from);
        const std::vector<RingFrame> frames = receive_all();
        ASSERT_EQ(frames.size(), 1u);
        wire::Decoded decoded;
        ASSERT_TRUE(wire::decode(frames[0].bytes.data(), frames[0].bytes.size(), decoded));
        uint8_t tag = 0;
        ASSERT_TRUE(wire::peer_of(decoded.source, tag));
        EXPECT_EQ(tag, round % 2);
        transmit(frame_to_peer(tag, std::vector<uint8_t>(decoded.payload, decoded.payload + decoded.payload_bytes)));
        host.run_until(host.now_ns() + latency_ns);
        EXPECT_EQ(isr() & reg::isr_ptx, reg::isr_ptx);
        out(reg::isr_ptx, reg::isr);
        std::vector<uint8_t> got;
        ASSERT_TRUE(from.receive(got));
        EXPECT_EQ(got, datagram) << "round " << round;
    }
    EXPECT_EQ(card->statistics().sent_to_host, 5u);
}

TEST_F(Ne2000Test, AFrameWrapsFromPstopToPstartAndRemoteDmaFollows) {
    init(/*start=*/true);
    // The driver has read everything up to the ring's last page.
    out(no_dma | page1, reg::cr);
    out(rx_stop - 1, reg::curr);
    out(no_dma | page0, reg::cr);
    out(rx_stop - 2, reg::bnry);
    current_page = rx_stop - 1;
    const std::vector<uint8_t> datagram = pattern(1000, 4);  // 1016 bytes + 4: four pages
    arrive(datagram);
    EXPECT_EQ(curr(), rx_start + 3) << "pages 0x7F, 0x4C, 0x4D, 0x4E";
    const std::vector<RingFrame> frames = receive_all();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].next, rx_start + 3);
    EXPECT_EQ(frames[0].count, 4 + 1016);
    wire::Decoded decoded;
    ASSERT_TRUE(wire::decode(frames[0].bytes.data(), frames[0].bytes.size(), decoded));
    EXPECT_EQ(std::vector<uint8_t>(decoded.payload, decoded.payload + decoded.payload_bytes), datagram);
    EXPECT_EQ(in(reg::bnry), rx_start + 2);
}

TEST_F(Ne2000Test, AFullRingOverflowsLosesTheFrameAndRecoversAsLinuxDoes) {
    init(/*start=*/true);
    // 1500 bytes make a 1516-byte frame: six pages with its header. The ring
    // has 52 pages, 51 usable: eight frames fit, the ninth does not.
    for (int i = 0; i < 9; ++i) arrive(pattern(1500, static_cast<uint8_t>(i)));
    EXPECT_EQ(card->statistics().stored, 8u);
    EXPECT_EQ(card->statistics().missed, 1u);
    EXPECT_EQ(isr() & (reg::isr_prx | reg::isr_ovw), reg::isr_prx | reg::isr_ovw);
    EXPECT_EQ(in(reg::rsr) & reg::rsr_mpa, reg::rsr_mpa);

    // ei_rx_overrun: stop, clear the remote count, loopback, start, empty the
    // ring, acknowledge OVW, transmit on again.
    out(no_dma | page0 | reg::cr_stp, reg::cr);
    out(0, reg::rbcr0);
    out(0, reg::rbcr1);
    out(0x02, reg::tcr);
    out(no_dma | page0 | reg::cr_sta, reg::cr);
    const std::vector<RingFrame> frames = receive_all();
    ASSERT_EQ(frames.size(), 8u);
    for (int i = 0; i < 8; ++i) {
        wire::Decoded decoded;
        ASSERT_TRUE(wire::decode(frames[i].bytes.data(), frames[i].bytes.size(), decoded));
        EXPECT_EQ(std::vector<uint8_t>(decoded.payload, decoded.payload + decoded.payload_bytes),
                  pattern(1500, static_cast<uint8_t>(i)))
            << "frame " << i << " is intact";
    }
    out(reg::isr_ovw, reg::isr);
    out(0x00, reg::tcr);
    EXPECT_EQ(in(reg::cntr2), 1) << "the lost frame is a missed one";
    EXPECT_EQ(in(reg::cntr2), 0);

    arrive(pattern(1500, 42));
    const std::vector<RingFrame> after = receive_all();
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].count, 4 + 1516);
}

// The pages from CURR up to BNRY are free; a frame may fill them exactly
// (CURR then equals BNRY: full) and not one page more.
TEST_F(Ne2000Test, AFrameMayFillTheRingUpToBnryButNotPastIt) {
    init(/*start=*/true);
    out(rx_start + 5, reg::bnry);
    arrive(pattern(1500, 1));  // six pages, five free
    EXPECT_EQ(card->statistics().missed, 1u);
    EXPECT_EQ(curr(), rx_start);
    out(rx_start + 6, reg::bnry);
    arrive(pattern(1500, 2));  // six pages, six free
    EXPECT_EQ(card->statistics().stored, 1u);
    EXPECT_EQ(curr(), rx_start + 6);
    arrive({});  // one page, none free
    EXPECT_EQ(card->statistics().missed, 2u);
    EXPECT_EQ(card->statistics().stored, 1u);
}

TEST_F(Ne2000Test, IsrBitsClearByWritingOnesAndTheMaskGatesTheLine) {
    init(/*start=*/true);
    out(0x00, reg::imr);
    arrive(pattern(10, 1));
    EXPECT_TRUE(host.irqs().empty()) << "masked";
    EXPECT_FALSE(card->interrupt_asserted());
    // Unmasking a pending condition raises the line (an edge would be lost otherwise).
    out(0x3F, reg::imr);
    EXPECT_EQ(host.irq_count(line), 1u);
    EXPECT_TRUE(card->interrupt_asserted());
    // A second event on a bit already set is announced again.
    arrive(pattern(10, 2));
    EXPECT_EQ(host.irq_count(line), 2u);
    out(reg::isr_rdc | reg::isr_rxe, reg::isr);  // bits not set: nothing changes
    EXPECT_EQ(isr(), reg::isr_prx);
    out(reg::isr_prx, reg::isr);
    EXPECT_EQ(isr(), 0);
    EXPECT_FALSE(card->interrupt_asserted());
    // RDC is not among the driver's enabled interrupts (ENISR_ALL is 0x3F).
    set_remote(0x5000, 0, reg::cr_rd_read);
    EXPECT_EQ(host.irq_count(line), 2u);
    EXPECT_NE(isr() & reg::isr_rdc, 0);
}

TEST_F(Ne2000Test, TheAddressFilterFollowsRcr) {
    const std::vector<uint8_t> own(station.begin(), station.end());
    const std::vector<uint8_t> other = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    const std::vector<uint8_t> broadcast(6, 0xFF);
    const std::vector<uint8_t> group = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};  // hash 31: MAR3 bit 7
    const std::vector<uint8_t> group2 = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};  // hash 62: MAR7 bit 6

    // Each frame through internal loopback (TCR LB): the receiver filters it
    // as one from the wire.
    auto loop = [&](const std::vector<uint8_t>& destination, uint8_t rcr) -> std::vector<RingFrame> {
        out(rcr, reg::rcr);
        out(0x02, reg::tcr);
        transmit(frame_to(destination, 3));
        host.run_until(host.now_ns() + latency_ns);
        out(reg::isr_ptx, reg::isr);
        out(0x00, reg::tcr);
        return receive_all();
    };
    init(/*start=*/true);
    EXPECT_EQ(loop(own, 0).size(), 1u) << "its own address always";
    EXPECT_EQ(loop(other, 0).size(), 0u);
    EXPECT_EQ(loop(other, reg::rcr_pro).size(), 1u) << "promiscuous";
    EXPECT_EQ(loop(broadcast, 0).size(), 0u);
    const std::vector<RingFrame> got = loop(broadcast, reg::rcr_ab);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].status, reg::rsr_prx | reg::rsr_phy) << "a group destination";
    EXPECT_EQ(got[0].bytes, frame_to(broadcast, 3));
    EXPECT_EQ(loop(group, reg::rcr_am).size(), 0u) << "no hash bit set";
    out(no_dma | page1, reg::cr);
    out(0x80, reg::mar0 + 3);
    out(no_dma | page0, reg::cr);
    EXPECT_EQ(loop(group, reg::rcr_ab).size(), 0u) << "multicast needs AM";
    EXPECT_EQ(loop(group, reg::rcr_am).size(), 1u);
    EXPECT_EQ(loop(group2, reg::rcr_am).size(), 0u) << "another hash bit";
    EXPECT_EQ(loop(group2, reg::rcr_am | reg::rcr_pro).size(), 0u) << "promiscuous physical is unicast only";
    EXPECT_EQ(card->statistics().looped_back, 10u);
    EXPECT_EQ(card->statistics().filtered, 6u);
    EXPECT_EQ(card->statistics().sent_to_host, 0u) << "loopback never reaches the wire";

    // A datagram from the host goes to the station address the driver set.
    out(no_dma | page1, reg::cr);
    out(0x99, reg::par0 + 5);
    out(no_dma | page0, reg::cr);
    out(0, reg::rcr);
    arrive(pattern(10, 1));
    const std::vector<RingFrame> frames = receive_all();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].bytes[5], 0x99);
}

TEST_F(Ne2000Test, FramesThatAreNotForThePeersAreCountedAndDropped) {
    init(/*start=*/true);
    arrive(pattern(10, 1));
    receive_all();
    // An ARP request: broadcast, EtherType 0x0806.
    std::vector<uint8_t> arp = frame_to(std::vector<uint8_t>(6, 0xFF), 1);
    arp[12] = 0x08;
    arp[13] = 0x06;
    transmit(arp);
    host.run_all();
    EXPECT_EQ(in(reg::tsr), reg::tsr_ptx) << "sent, as far as the card can tell";
    out(reg::isr_ptx, reg::isr);
    // The wire's EtherType to a peer the host never was.
    transmit(frame_to_peer(7, pattern(20, 1)));
    host.run_all();
    out(reg::isr_ptx, reg::isr);
    // The wire's EtherType but a length prefix beyond the frame.
    std::vector<uint8_t> lying = frame_to_peer(0, pattern(20, 1));
    lying[14] = 0x05;
    transmit(lying);
    host.run_all();
    EXPECT_EQ(card->statistics().not_for_the_wire, 2u);
    EXPECT_EQ(card->statistics().unknown_peer, 1u);
    EXPECT_EQ(card->statistics().sent_to_host, 0u);
    std::vector<uint8_t> got;
    EXPECT_FALSE(peer.receive(got, 50));
}

TEST_F(Ne2000Test, MonitorModeCountsFramesAndStoresNone) {
    init(/*start=*/true, reg::rcr_mon);
    arrive(pattern(10, 1));
    arrive(pattern(10, 2));
    EXPECT_EQ(curr(), rx_start);
    EXPECT_EQ(isr() & reg::isr_prx, 0);
    EXPECT_EQ(in(reg::rsr) & (reg::rsr_mpa | reg::rsr_dis), reg::rsr_mpa | reg::rsr_dis);
    EXPECT_EQ(in(reg::cntr2), 2);
    EXPECT_EQ(in(reg::cntr2), 0);
}

TEST_F(Ne2000Test, AStoppedCardReceivesNothing) {
    init(/*start=*/false);
    arrive(pattern(10, 1));
    EXPECT_EQ(curr(), rx_start);
    EXPECT_EQ(card->statistics().while_stopped, 1u);
    EXPECT_TRUE(host.irqs().empty());
    // Nor does it transmit: TXP needs a started card.
    out(no_dma | reg::cr_stp | reg::cr_txp, reg::cr);
    EXPECT_EQ(in(reg::cr) & reg::cr_txp, 0);
    EXPECT_EQ(host.pending_events(), 0u);
}

TEST_F(Ne2000Test, TheMissedCounterSaturatesAndRaisesCnt) {
    init(/*start=*/true, reg::rcr_mon);
    for (int i = 0; i < 127; ++i) arrive({});
    EXPECT_EQ(isr() & reg::isr_cnt, 0);
    arrive({});
    EXPECT_NE(isr() & reg::isr_cnt, 0) << "128 sets the counter's top bit";
    for (int i = 0; i < 100; ++i) arrive({});
    EXPECT_EQ(in(reg::cntr2), 192);
}

TEST_F(Ne2000Test, FinishSendsTheFrameStillOnTheWire) {
    init(/*start=*/true);
    arrive({});
    receive_all();
    transmit(frame_to_peer(0, pattern(33, 5)));
    card->finish();
    std::vector<uint8_t> got;
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(33, 5));
    EXPECT_EQ(host.pending_events(), 0u) << "the transmit's event was cancelled";
}

TEST_F(Ne2000Test, AResetCancelsTheTransmitInFlight) {
    init(/*start=*/true);
    arrive({});
    receive_all();
    transmit(frame_to_peer(0, pattern(33, 5)));
    hard_reset();
    EXPECT_EQ(in(reg::cr) & reg::cr_txp, 0);
    host.run_all();
    std::vector<uint8_t> got;
    EXPECT_FALSE(peer.receive(got, 50));
}

// Injected faults act on the next transmit (or the next stored frame) only.
TEST_F(Ne2000Test, AnInjectedErrorAbortsTheNextTransmit) {
    init(/*start=*/true);
    arrive({});
    receive_all();
    ASSERT_TRUE(card->inject(DeviceFault::error, 0));
    transmit(frame_to_peer(0, pattern(20, 1)));
    host.run_until(host.now_ns() + latency_ns);
    EXPECT_EQ(isr() & (reg::isr_ptx | reg::isr_txe), reg::isr_txe);
    EXPECT_EQ(in(reg::tsr), reg::tsr_abt);
    std::vector<uint8_t> got;
    EXPECT_FALSE(peer.receive(got, 50));
    out(reg::isr_txe, reg::isr);
    transmit(frame_to_peer(0, pattern(20, 2)));
    host.run_until(host.now_ns() + latency_ns);
    EXPECT_EQ(in(reg::tsr), reg::tsr_ptx);
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(20, 2));
}

TEST_F(Ne2000Test, AnInjectedStuckTransmitHoldsTxpUntilAReset) {
    init(/*start=*/true);
    arrive({});
    receive_all();
    ASSERT_TRUE(card->inject(DeviceFault::stuck_busy, 0));
    transmit(frame_to_peer(0, pattern(20, 1)));
    host.run_until(host.now_ns() + 100 * latency_ns);
    EXPECT_NE(in(reg::cr) & reg::cr_txp, 0);
    EXPECT_EQ(isr() & (reg::isr_ptx | reg::isr_txe), 0);
    card->finish();  // the run ending does not complete it either
    std::vector<uint8_t> got;
    EXPECT_FALSE(peer.receive(got, 50));
    // lib8390's transmit timeout: reset, init, send again.
    hard_reset();
    EXPECT_EQ(in(reg::cr) & reg::cr_txp, 0);
    init(/*start=*/true);
    transmit(frame_to_peer(0, pattern(20, 2)));
    host.run_until(host.now_ns() + latency_ns);
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(20, 2));
}

TEST_F(Ne2000Test, AnInjectedSlowTransmitTakesTenTimesTheLatency) {
    init(/*start=*/true);
    arrive({});
    receive_all();
    ASSERT_TRUE(card->inject(DeviceFault::slow, 0));
    transmit(frame_to_peer(0, pattern(20, 1)));
    const uint64_t sent_at = host.now_ns();
    host.run_until(sent_at + 10 * latency_ns - 1);
    EXPECT_NE(in(reg::cr) & reg::cr_txp, 0);
    host.run_until(sent_at + 10 * latency_ns);
    EXPECT_EQ(in(reg::cr) & reg::cr_txp, 0);
    EXPECT_EQ(in(reg::tsr), reg::tsr_ptx);
}

TEST_F(Ne2000Test, InjectedCorruptionFlipsOneByteOfTheNextStoredFrame) {
    init(/*start=*/true);
    ASSERT_TRUE(card->inject(DeviceFault::corrupt_dma, 60 + 20));  // byte 20 of a 60-byte frame
    arrive(pattern(10, 1));
    arrive(pattern(10, 1));
    const std::vector<RingFrame> frames = receive_all();
    ASSERT_EQ(frames.size(), 2u);
    ASSERT_EQ(frames[0].bytes.size(), frames[1].bytes.size());
    for (size_t i = 0; i < frames[0].bytes.size(); ++i) {
        if (i == 20) {
            EXPECT_EQ(frames[0].bytes[i], static_cast<uint8_t>(~frames[1].bytes[i]));
        } else {
            EXPECT_EQ(frames[0].bytes[i], frames[1].bytes[i]) << i;
        }
    }
}

TEST_F(Ne2000Test, AnOversizedDatagramIsDropped) {
    init(/*start=*/true);
    arrive(pattern(1501, 1));
    EXPECT_EQ(card->statistics().oversized, 1u);
    EXPECT_EQ(curr(), rx_start);
}

TEST_F(Ne2000Test, TheRecordingListsEveryDatagramWithItsArrivalTime) {
    const std::string path = dir.file("frames.log");
    card = make(path);
    init(/*start=*/true);
    arrive({0xAB, 0xCD});
    card->finish();
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    EXPECT_NE(text.str().find("# ne2000 'test' on UDP 127.0.0.1:" + std::to_string(card->bound_port())),
              std::string::npos)
        << text.str();
    EXPECT_NE(text.str().find(std::to_string(latency_ns) + " 0 127.0.0.1:" + std::to_string(peer.port()) + " 2 abcd"),
              std::string::npos)
        << text.str();
}

// Whatever a driver writes, in whatever order, the model stays whole: every
// access is bounded and no event lands in the past.
TEST_F(Ne2000Test, ArbitraryAccessesNeverBreakTheModel) {
    uint64_t state = 0x2545'F491'4F6C'DD1Du;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    const uint32_t widths[] = {1, 2, 4, 3};
    for (int i = 0; i < 200'000; ++i) {
        const uint64_t r = next();
        const auto offset = static_cast<uint16_t>((r >> 8) % 0x24);
        const uint32_t width = widths[(r >> 16) & 3];
        if (r & 1) {
            card->write(offset, width, static_cast<uint32_t>(r >> 32));
        } else {
            card->read(offset, width);
        }
        if (i % 5000 == 0) {
            peer.send_to(card->bound_port(), pattern((r >> 20) % 1600, static_cast<uint8_t>(r)));
            card->host_input_ready();
        }
        if (i % 97 == 0) host.run_until(host.now_ns() + latency_ns);
    }
    host.run_all();
    card->finish();
    EXPECT_EQ(host.scheduled_in_past(), 0u);
}

// ---- the description ----

std::string system_with(const std::string& keys) {
    return "[system]\n[[process]]\nname = \"driver\"\nprogram = \"ne2000_test_driver\"\n[[device]]\nkind = \"ne2000\"\n"
           "driver = \"driver\"\n" +
           keys;
}

std::string problem_of(const std::string& text) {
    try {
        parse_system_description(text, "ne2000.toml");
    } catch (const DescriptionError& error) {
        return error.what();
    }
    return "";
}

TEST(Ne2000Description, KeysReachTheConfig) {
    const SystemDescription system =
        parse_system_description(system_with("mac = \"52:54:00:AB:cd:01\"\nlatency = \"3us\"\nudp_port = 7071\n"),
                                 "ne2000.toml");
    const DeviceDescription& device = system.devices[0];
    EXPECT_EQ(device.io_base, 0x300);
    EXPECT_EQ(device.irq, Ne2000Config::default_irq_line);
    const auto& config = device.settings_as<Ne2000Config>();
    EXPECT_EQ(config.mac, (MacAddress{0x52, 0x54, 0x00, 0xAB, 0xCD, 0x01}));
    EXPECT_EQ(config.latency_ns, 3'000u);
    EXPECT_EQ(config.udp_port, 7071);
    const SystemDescription plain = parse_system_description(system_with(""), "ne2000.toml");
    EXPECT_EQ(plain.devices[0].settings_as<Ne2000Config>().mac, Ne2000Config{}.mac);
}

TEST(Ne2000Description, ABadMacIsRefusedAtItsLine) {
    EXPECT_NE(problem_of(system_with("mac = \"02:41:58:4c:00\"\n")).find("ne2000.toml:8: mac = \"02:41:58:4c:00\" is not a MAC address"),
              std::string::npos)
        << problem_of(system_with("mac = \"02:41:58:4c:00\"\n"));
    EXPECT_NE(problem_of(system_with("mac = \"02:41:58:4c:00:1g\"\n")).find("is not a MAC address"), std::string::npos);
    EXPECT_NE(problem_of(system_with("mac = \"03:41:58:4c:00:01\"\n")).find("ne2000.toml:8: mac = \"03:41:58:4c:00:01\" is a group address"),
              std::string::npos);
    EXPECT_NE(problem_of(system_with("mac = \"02:00:00:00:00:05\"\n")).find("is the address of host peer 5"),
              std::string::npos);
}

TEST(Ne2000Description, ParseMacTakesSixHexBytesOnly) {
    EXPECT_EQ(parse_mac("00:11:22:aa:BB:ff"), (MacAddress{0x00, 0x11, 0x22, 0xAA, 0xBB, 0xFF}));
    EXPECT_FALSE(parse_mac(""));
    EXPECT_FALSE(parse_mac("00:11:22:aa:BB:ff:"));
    EXPECT_FALSE(parse_mac("00-11-22-aa-BB-ff"));
    EXPECT_FALSE(parse_mac("0:11:22:aa:BB:ff"));
    EXPECT_FALSE(parse_mac("+0:11:22:aa:BB:ff"));
}

}  // namespace
}  // namespace axl::sim
