// The NIC model on its own: registers, rings, DMA through (fake) grants,
// interrupts, peer tags and the UDP wire, with a real socket on the host side
// and virtual time moved by hand (tests/support/device_test_host.h).
#include "sim/machine/nic.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hw/nic.h"
#include "tests/support/device_test_host.h"
#include "tests/support/temp_dir.h"
#include "tests/support/udp_peer.h"

namespace axl::sim {
namespace {

namespace reg = hw::nic;
constexpr uint32_t line = 11;
constexpr uint64_t latency_ns = 10'000;

// The test host's memory: the receive ring's window, then the transmit ring's.
constexpr uint32_t ring_size = 4;
constexpr uint32_t buffer_bytes = 2048;
constexpr uint64_t window_bytes = ring_size * reg::descriptor_bytes + ring_size * buffer_bytes;
constexpr uint64_t rx_window = 0;
constexpr uint64_t tx_window = window_bytes;
constexpr uint32_t rx_grant = 5;
constexpr uint32_t tx_grant = 6;
constexpr uint32_t read_only_grant = 7;  // the receive window, but the card may only read it
constexpr uint32_t unknown_grant = 99;

uint32_t buffer_offset(uint32_t index) { return ring_size * reg::descriptor_bytes + index * buffer_bytes; }

// The other end of the wire.
using HostSocket = test::UdpPeer;

std::vector<uint8_t> pattern(size_t bytes, uint8_t seed) {
    std::vector<uint8_t> out(bytes);
    for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(seed * 31 + i * 7 + (i >> 8));
    return out;
}

struct NicTest : ::testing::Test {
    test::TempDir dir;
    test::DeviceTestHost host{2 * window_bytes};
    std::unique_ptr<Nic> nic;
    HostSocket peer;

    NicTest() {
        host.add_grant(rx_grant, rx_window, window_bytes, GrantAccess::read_write);
        host.add_grant(tx_grant, tx_window, window_bytes, GrantAccess::read_write);
        host.add_grant(read_only_grant, rx_window, window_bytes, GrantAccess::read);
        nic = std::make_unique<Nic>(host, NicConfig{.name = "test", .irq_line = line, .latency_ns = latency_ns});
    }

    uint32_t get(uint16_t offset) { return nic->read(offset, 4); }
    void set(uint16_t offset, uint32_t value) { nic->write(offset, 4, value); }

    reg::Descriptor descriptor(uint64_t window, uint32_t index) {
        reg::Descriptor d{};
        std::memcpy(&d, host.memory().data() + window + index * reg::descriptor_bytes, sizeof d);
        return d;
    }
    void put_descriptor(uint64_t window, uint32_t index, const reg::Descriptor& d) {
        std::memcpy(host.memory().data() + window + index * reg::descriptor_bytes, &d, sizeof d);
    }
    std::vector<uint8_t> buffer(uint64_t window, uint32_t index, size_t bytes) {
        const uint8_t* at = host.memory().data() + window + buffer_offset(index);
        return {at, at + bytes};
    }

    // Both rings set up, receive armed with `rx_given` descriptors, everything enabled.
    void bring_up(uint32_t rx_given = ring_size - 1, uint32_t rx_capacity = buffer_bytes) {
        for (uint32_t i = 0; i < ring_size; ++i) {
            put_descriptor(rx_window, i,
                           reg::Descriptor{.buffer_offset = buffer_offset(i),
                                           .capacity = static_cast<uint16_t>(rx_capacity)});
            put_descriptor(tx_window, i, reg::Descriptor{});
        }
        set(reg::rx_ring_grant, rx_grant);
        set(reg::rx_ring_size, ring_size);
        set(reg::tx_ring_grant, tx_grant);
        set(reg::tx_ring_size, ring_size);
        set(reg::rx_tail, rx_given);
        set(reg::interrupt_enable, reg::int_all);
        set(reg::control, reg::rx_enable | reg::tx_enable);
        ASSERT_EQ(get(reg::error), reg::error_none);
    }

    // The host sends `bytes` from `from`; the card takes it off the socket
    // now and it arrives `latency_ns` later.
    void arrive(const HostSocket& from, const std::vector<uint8_t>& bytes) {
        from.send_to(nic->bound_port(), bytes);
        nic->host_input_ready();
        host.run_until(host.now_ns() + latency_ns);
    }

    void transmit(uint32_t index, uint8_t peer_tag, const std::vector<uint8_t>& bytes) {
        std::memcpy(host.memory().data() + tx_window + buffer_offset(index), bytes.data(), bytes.size());
        put_descriptor(tx_window, index,
                       reg::Descriptor{.buffer_offset = buffer_offset(index),
                                       .length = static_cast<uint16_t>(bytes.size()),
                                       .peer = peer_tag});
    }
};

TEST_F(NicTest, PowersUpQuietWithAPortOfItsOwn) {
    EXPECT_EQ(nic->io_size(), reg::io_size);
    EXPECT_LE(reg::io_size, 0x40);
    EXPECT_NE(nic->bound_port(), 0);
    EXPECT_GE(nic->host_fd(), 0);
    for (uint16_t offset = 0; offset < reg::io_size; offset += 4) EXPECT_EQ(get(offset), 0u) << "offset " << offset;
    // Nothing lives between registers or past the window: the bus floats high.
    EXPECT_EQ(nic->read(0x02, 2), 0xFFFFu);
    EXPECT_EQ(nic->read(reg::io_size, 4), 0xFFFF'FFFFu);
    nic->write(0x41, 4, 123);  // ignored, and harmless
    EXPECT_TRUE(host.irqs().empty());
    EXPECT_EQ(host.pending_events(), 0u);
}

TEST_F(NicTest, AFrameArrivesAfterTheLatencyIntoTheNextDescriptor) {
    bring_up();
    const std::vector<uint8_t> frame = pattern(300, 1);
    peer.send_to(nic->bound_port(), frame);
    nic->host_input_ready();
    // On the wire: nothing is written before the latency has passed.
    host.run_until(latency_ns - 1);
    EXPECT_EQ(get(reg::rx_head), 0u);
    EXPECT_TRUE(host.irqs().empty());
    host.run_until(latency_ns);

    EXPECT_EQ(get(reg::rx_head), 1u);
    EXPECT_EQ(get(reg::frames_received), 1u);
    EXPECT_EQ(get(reg::interrupt_status), reg::int_rx_frame);
    ASSERT_EQ(host.irqs().size(), 1u);
    EXPECT_EQ(host.irqs()[0], (test::DeviceTestHost::RaisedIrq{line, latency_ns}));
    const reg::Descriptor written = descriptor(rx_window, 0);
    EXPECT_EQ(written.status, reg::status_done);
    EXPECT_EQ(written.error, reg::error_none);
    EXPECT_EQ(written.length, frame.size());
    EXPECT_EQ(written.peer, 0);
    EXPECT_EQ(written.buffer_offset, buffer_offset(0));  // the driver's fields are kept
    EXPECT_EQ(written.capacity, buffer_bytes);
    EXPECT_EQ(buffer(rx_window, 0, frame.size()), frame);
    EXPECT_EQ(host.scheduled_in_past(), 0u);

    // Write 1 to clear.
    set(reg::interrupt_status, reg::int_rx_frame);
    EXPECT_EQ(get(reg::interrupt_status), 0u);
}

TEST_F(NicTest, AnEmptyDatagramIsAnEmptyFrame) {
    bring_up();
    arrive(peer, {});
    EXPECT_EQ(get(reg::frames_received), 1u);
    EXPECT_EQ(descriptor(rx_window, 0).status, reg::status_done);
    EXPECT_EQ(descriptor(rx_window, 0).length, 0);
}

TEST_F(NicTest, ARingWithNoFreeDescriptorDropsAndCounts) {
    bring_up(/*rx_given=*/1);  // one descriptor for the card
    arrive(peer, pattern(10, 1));
    arrive(peer, pattern(20, 2));
    EXPECT_EQ(get(reg::frames_received), 1u);
    EXPECT_EQ(get(reg::frames_dropped), 1u);
    EXPECT_EQ(get(reg::rx_head), 1u);
    EXPECT_EQ(get(reg::interrupt_status), reg::int_rx_frame | reg::int_rx_dropped);
    EXPECT_EQ(get(reg::errors), 0u) << "a full ring is traffic, not an error";
    EXPECT_EQ(descriptor(rx_window, 1).status, 0) << "the card wrote past its tail";

    // The driver returns descriptor 0 (re-armed) by moving the tail: room again.
    put_descriptor(rx_window, 0, reg::Descriptor{.buffer_offset = buffer_offset(0), .capacity = buffer_bytes});
    set(reg::rx_tail, 2);
    arrive(peer, pattern(30, 3));
    EXPECT_EQ(get(reg::frames_received), 2u);
    EXPECT_EQ(buffer(rx_window, 1, 30), pattern(30, 3));
}

TEST_F(NicTest, ReceiveDisabledOrRingUnsetDrops) {
    arrive(peer, pattern(10, 1));  // power-on: no ring at all
    EXPECT_EQ(get(reg::frames_dropped), 1u);
    bring_up();
    set(reg::control, reg::tx_enable);  // receive off
    arrive(peer, pattern(10, 2));
    EXPECT_EQ(get(reg::frames_dropped), 2u);
    EXPECT_EQ(get(reg::frames_received), 0u);
}

TEST_F(NicTest, ABadReceiveGrantSetsTheErrorBit) {
    bring_up();
    set(reg::rx_ring_grant, unknown_grant);
    set(reg::rx_ring_size, ring_size);
    set(reg::rx_tail, 3);
    arrive(peer, pattern(64, 1));
    EXPECT_EQ(get(reg::error), reg::error_dma);
    EXPECT_EQ(get(reg::errors), 1u);
    EXPECT_EQ(get(reg::frames_dropped), 1u);
    EXPECT_EQ(get(reg::rx_head), 0u);
    EXPECT_TRUE(get(reg::interrupt_status) & reg::int_error);
    EXPECT_FALSE(host.irqs().empty());

    // A grant the card may read but not write: the same, and nothing written.
    set(reg::error, 0);
    EXPECT_EQ(get(reg::error), reg::error_none);
    set(reg::rx_ring_grant, read_only_grant);
    set(reg::rx_ring_size, ring_size);
    set(reg::rx_tail, 3);
    for (uint32_t i = 0; i < ring_size; ++i)
        put_descriptor(rx_window, i, reg::Descriptor{.buffer_offset = buffer_offset(i), .capacity = buffer_bytes});
    arrive(peer, pattern(64, 2));
    EXPECT_EQ(get(reg::error), reg::error_dma);
    EXPECT_EQ(get(reg::errors), 2u);
    EXPECT_EQ(descriptor(rx_window, 0).status, 0);
}

TEST_F(NicTest, ABufferOffsetOutsideTheGrantIsADmaError) {
    bring_up();
    put_descriptor(rx_window, 0, reg::Descriptor{.buffer_offset = 0xFFFF'FF00u, .capacity = buffer_bytes});
    arrive(peer, pattern(200, 1));
    EXPECT_EQ(get(reg::error), reg::error_dma);
    EXPECT_EQ(get(reg::frames_dropped), 1u);
    EXPECT_EQ(get(reg::rx_head), 0u);
}

TEST_F(NicTest, OversizedFramesAndSmallBuffersAreDropped) {
    bring_up(ring_size - 1, /*rx_capacity=*/100);
    arrive(peer, pattern(reg::max_frame_bytes + 1, 1));
    EXPECT_EQ(get(reg::frames_dropped), 1u);
    EXPECT_EQ(get(reg::errors), 0u) << "a jumbo datagram from the host is not the driver's fault";

    arrive(peer, pattern(101, 2));  // larger than the driver's buffer
    EXPECT_EQ(get(reg::frames_dropped), 2u);
    EXPECT_EQ(get(reg::error), reg::error_frame_size);
    EXPECT_EQ(get(reg::rx_head), 0u) << "the descriptor stays armed";

    arrive(peer, pattern(100, 3));  // fits exactly
    EXPECT_EQ(get(reg::frames_received), 1u);
    EXPECT_EQ(buffer(rx_window, 0, 100), pattern(100, 3));
}

TEST_F(NicTest, EachSenderGetsItsOwnPeerTagAndTransmitReachesIt) {
    bring_up();
    HostSocket other;
    arrive(peer, pattern(5, 1));
    arrive(other, pattern(6, 2));
    arrive(peer, pattern(7, 3));
    EXPECT_EQ(descriptor(rx_window, 0).peer, 0);
    EXPECT_EQ(descriptor(rx_window, 1).peer, 1);
    EXPECT_EQ(descriptor(rx_window, 2).peer, 0);

    transmit(0, 1, pattern(40, 4));
    transmit(1, 0, pattern(50, 5));
    const uint64_t doorbell_ns = host.now_ns();
    set(reg::tx_tail, 2);
    host.clear_irqs();
    host.run_until(doorbell_ns + latency_ns - 1);
    EXPECT_EQ(get(reg::tx_head), 0u) << "sent before the latency passed";
    std::vector<uint8_t> got;
    EXPECT_FALSE(other.receive(got, 0));
    host.run_until(doorbell_ns + latency_ns);

    EXPECT_EQ(get(reg::tx_head), 2u);
    EXPECT_EQ(get(reg::frames_sent), 2u);
    EXPECT_TRUE(get(reg::interrupt_status) & reg::int_tx_done);
    EXPECT_EQ(host.irq_count(line), 1u) << "one interrupt per batch";
    for (uint32_t i = 0; i < 2; ++i) {
        EXPECT_EQ(descriptor(tx_window, i).status, reg::status_done);
        EXPECT_EQ(descriptor(tx_window, i).error, reg::error_none);
    }
    ASSERT_TRUE(other.receive(got));
    EXPECT_EQ(got, pattern(40, 4));
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(50, 5));
}

TEST_F(NicTest, TransmitToAnUnknownPeerTagIsAnErrorAndTheRingMovesOn) {
    bring_up();
    arrive(peer, pattern(5, 1));  // tag 0 is known; the others are not
    transmit(0, 5, pattern(10, 2));
    transmit(1, reg::peer_slots + 3, pattern(10, 3));
    transmit(2, 0, pattern(10, 4));
    set(reg::tx_tail, 3);
    host.run_until(host.now_ns() + latency_ns);

    EXPECT_EQ(get(reg::tx_head), 3u);
    EXPECT_EQ(get(reg::frames_sent), 1u);
    EXPECT_EQ(get(reg::errors), 2u);
    EXPECT_EQ(get(reg::error), reg::error_peer);
    EXPECT_EQ(get(reg::interrupt_status) & (reg::int_tx_done | reg::int_error), reg::int_tx_done | reg::int_error);
    EXPECT_EQ(descriptor(tx_window, 0).error, reg::error_peer);
    EXPECT_EQ(descriptor(tx_window, 1).error, reg::error_peer);
    EXPECT_EQ(descriptor(tx_window, 2).error, reg::error_none);
    for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(descriptor(tx_window, i).status, reg::status_done);
    std::vector<uint8_t> got;
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(10, 4));
    EXPECT_FALSE(peer.receive(got, 50)) << "only the frame to a known peer went out";
}

TEST_F(NicTest, TransmitRefusesOversizedFramesAndBadGrants) {
    bring_up();
    arrive(peer, pattern(5, 1));
    put_descriptor(tx_window, 0,
                   reg::Descriptor{.buffer_offset = buffer_offset(0), .length = reg::max_frame_bytes + 1});
    put_descriptor(tx_window, 1, reg::Descriptor{.buffer_offset = 0xFFFF'0000u, .length = 10});
    set(reg::tx_tail, 2);
    host.run_until(host.now_ns() + latency_ns);
    EXPECT_EQ(descriptor(tx_window, 0).error, reg::error_frame_size);
    EXPECT_EQ(descriptor(tx_window, 1).error, reg::error_dma);
    EXPECT_EQ(get(reg::errors), 2u);
    EXPECT_EQ(get(reg::frames_sent), 0u);

    // A transmit ring the card cannot reach: it stays on the descriptor.
    set(reg::tx_ring_grant, unknown_grant);
    set(reg::tx_ring_size, ring_size);
    set(reg::tx_tail, 1);
    host.run_until(host.now_ns() + latency_ns);
    EXPECT_EQ(get(reg::tx_head), 0u);
    EXPECT_EQ(get(reg::error), reg::error_dma);
    EXPECT_EQ(get(reg::errors), 3u);
}

TEST_F(NicTest, TransmitWaitsForTransmitEnable) {
    bring_up();
    arrive(peer, pattern(5, 1));
    set(reg::control, reg::rx_enable);
    transmit(0, 0, pattern(33, 2));
    set(reg::tx_tail, 1);
    host.run_until(host.now_ns() + 10 * latency_ns);
    EXPECT_EQ(get(reg::tx_head), 0u);
    set(reg::control, reg::rx_enable | reg::tx_enable);
    host.run_until(host.now_ns() + latency_ns);
    EXPECT_EQ(get(reg::tx_head), 1u);
    std::vector<uint8_t> got;
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(33, 2));
}

TEST_F(NicTest, FinishSendsWhatIsStillOnItsWayToTheWire) {
    bring_up();
    arrive(peer, pattern(5, 1));
    transmit(0, 0, pattern(77, 2));
    set(reg::tx_tail, 1);
    nic->finish();  // before the latency has passed
    EXPECT_EQ(get(reg::tx_head), 1u);
    EXPECT_EQ(host.pending_events(), 0u);
    std::vector<uint8_t> got;
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(77, 2));
}

TEST_F(NicTest, RingValuesOutOfRangeAreErrorsAndIgnored) {
    set(reg::rx_ring_size, reg::max_ring_size + 1);
    EXPECT_EQ(get(reg::rx_ring_size), 0u);
    EXPECT_EQ(get(reg::error), reg::error_ring);
    set(reg::tx_ring_size, 1);  // a ring needs room for its empty slot
    EXPECT_EQ(get(reg::tx_ring_size), 0u);
    set(reg::rx_ring_size, ring_size);
    set(reg::rx_tail, ring_size);
    EXPECT_EQ(get(reg::rx_tail), 0u);
    set(reg::tx_tail, 0xFFFF'FFFFu);
    EXPECT_EQ(get(reg::tx_tail), 0u);
    EXPECT_EQ(get(reg::errors), 4u);
    EXPECT_EQ(get(reg::interrupt_status), reg::int_error);
    EXPECT_TRUE(host.irqs().empty()) << "interrupts are not enabled";
    EXPECT_EQ(host.pending_events(), 0u);
}

TEST_F(NicTest, EnablingAnInterruptThatIsPendingRaisesTheLine) {
    set(reg::rx_ring_size, 1);  // an error while interrupts are off
    EXPECT_TRUE(host.irqs().empty());
    set(reg::interrupt_enable, reg::int_rx_frame);
    EXPECT_TRUE(host.irqs().empty());
    set(reg::interrupt_enable, reg::int_rx_frame | reg::int_error);
    EXPECT_EQ(host.irq_count(line), 1u);
    EXPECT_EQ(get(reg::interrupt_enable), reg::int_rx_frame | reg::int_error);
    set(reg::interrupt_enable, 0xFFFF'FFFFu);  // only the defined bits stick
    EXPECT_EQ(get(reg::interrupt_enable), reg::int_all);
}

TEST_F(NicTest, ResetReturnsToPowerOnButKeepsPeers) {
    bring_up();
    arrive(peer, pattern(5, 1));
    transmit(0, 0, pattern(9, 2));
    set(reg::tx_tail, 1);  // in flight when the reset comes
    set(reg::control, reg::reset);
    for (uint16_t offset = 0; offset < reg::io_size; offset += 4) EXPECT_EQ(get(offset), 0u) << "offset " << offset;
    host.run_until(host.now_ns() + 2 * latency_ns);
    std::vector<uint8_t> got;
    EXPECT_FALSE(peer.receive(got, 50)) << "a transmit cancelled by the reset went out";

    // The peer table survived: tag 0 still names the host socket.
    bring_up();
    transmit(0, 0, pattern(9, 3));
    set(reg::tx_tail, 1);
    host.run_until(host.now_ns() + latency_ns);
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(9, 3));
}

TEST_F(NicTest, AFullPeerTableRecyclesTheLeastRecentlyHeard) {
    // Every tag in use, then peer 0 (the fixture's) speaks again: the least
    // recently heard is now tag 1, which the newcomer takes.
    std::vector<std::unique_ptr<HostSocket>> senders;
    for (uint32_t i = 0; i + 1 < reg::peer_slots; ++i) senders.push_back(std::make_unique<HostSocket>());
    peer.send_to(nic->bound_port(), {1});
    for (const auto& sender : senders) sender->send_to(nic->bound_port(), {2});
    peer.send_to(nic->bound_port(), {3});
    HostSocket newcomer;
    newcomer.send_to(nic->bound_port(), {4});
    nic->host_input_ready();
    bring_up(/*rx_given=*/0);  // (nothing is received: only the tags matter here)

    // Tag 1 now sends to the newcomer, tag 0 still to the fixture's socket.
    transmit(0, 1, pattern(8, 1));
    transmit(1, 0, pattern(8, 2));
    set(reg::tx_tail, 2);
    host.run_until(host.now_ns() + 2 * latency_ns);
    std::vector<uint8_t> got;
    ASSERT_TRUE(newcomer.receive(got));
    EXPECT_EQ(got, pattern(8, 1));
    ASSERT_TRUE(peer.receive(got));
    EXPECT_EQ(got, pattern(8, 2));
    EXPECT_FALSE(senders[0]->receive(got, 0));
}

TEST_F(NicTest, RecordLogsEveryDatagramWithItsArrivalTime) {
    const std::string path = dir.file("frames.log");
    test::DeviceTestHost other_host{64};
    other_host.run_until(1'000);
    Nic recording(other_host, NicConfig{.name = "rec", .irq_line = line, .latency_ns = 500, .record_path = path});
    peer.send_to(recording.bound_port(), {0xDE, 0xAD, 0x01});
    peer.send_to(recording.bound_port(), {});
    recording.host_input_ready();
    recording.finish();

    std::ifstream file(path);
    std::vector<std::string> lines;
    for (std::string text; std::getline(file, text);)
        if (!text.starts_with("#")) lines.push_back(text);
    ASSERT_EQ(lines.size(), 2u);
    const std::string from = "127.0.0.1:" + std::to_string(peer.port());
    EXPECT_EQ(lines[0], "1500 0 " + from + " 3 dead01");
    EXPECT_EQ(lines[1], "1500 0 " + from + " 0 ");
}

TEST_F(NicTest, APortInUseIsRefused) {
    EXPECT_THROW(Nic(host, NicConfig{.name = "twin", .udp_port = nic->bound_port()}), std::runtime_error);
    try {
        Nic twin(host, NicConfig{.name = "twin", .udp_port = nic->bound_port()});
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(std::to_string(nic->bound_port())), std::string::npos)
            << error.what();
    }
}

TEST_F(NicTest, TheDestructorCancelsWhatIsInFlight) {
    bring_up();
    arrive(peer, pattern(5, 1));
    peer.send_to(nic->bound_port(), pattern(5, 2));
    nic->host_input_ready();
    transmit(0, 0, pattern(5, 3));
    set(reg::tx_tail, 1);
    EXPECT_EQ(host.pending_events(), 2u);
    nic.reset();
    EXPECT_EQ(host.pending_events(), 0u);
}

}  // namespace
}  // namespace axl::sim
