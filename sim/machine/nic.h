// The simulated network card (registers and rings in hw/nic.h). Its
// wire is a UDP socket bound to 127.0.0.1: every datagram that reaches the
// socket is a received frame, every transmitted frame is one datagram to a
// host address the card has heard from before (named by a peer tag).
//
// Receive: the machine polls host_fd() when the simulated CPUs are idle and
// calls host_input_ready(), which drains the socket. Each datagram gets its
// sender's peer tag at once and arrives at now + latency_ns (virtual time);
// at arrival it is written by DMA into the descriptor at rx_head, or dropped
// and counted when the ring has no free descriptor (or receive is off).
//
// Transmit: a doorbell (a tx_tail write) is answered latency_ns later: the
// card then sends every descriptor up to the tail that doorbell announced,
// writes each back (done, and an error code when it could not be sent) and
// raises tx_done once for the batch. The host sees the datagrams at that
// point of the run; finish() sends what is still waiting for its latency, so
// a frame queued just before the run ends is not lost.
//
// The socket, the peer tags and the recording are the UDP wire's
// (sim/machine/udp_wire.h), which the NE2000 model shares.
//
// Nothing a driver writes can crash the model: out-of-range ring values and
// DMA the grant refuses set `error` and interrupt_status.error, and count in
// `errors`; the frame or write concerned is dropped or ignored.
//
// The host must outlive the card: the destructor cancels its pending events.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hw/nic.h"
#include "sim/machine/device.h"
#include "sim/machine/udp_wire.h"

namespace axl::sim {

struct NicConfig {
    std::string name = "nic";  // names the card in its log line and recording
    // A constant of its own: the device kinds' constexpr tables take it without
    // building a config (clang 14 cannot, its std::string member in the way).
    static constexpr uint32_t default_irq_line = 11;
    uint32_t irq_line = default_irq_line;
    uint16_t udp_port = 0;     // bind 127.0.0.1:udp_port; 0: any free port (see bound_port())
    uint64_t latency_ns = 10'000;
    std::string record_path{}; // "": no recording; else a file, created or truncated
};

class Nic final : public Device {
public:
    // Throws std::runtime_error when the socket cannot be bound or the
    // recording cannot be created.
    Nic(DeviceHost& host, const NicConfig& config);
    ~Nic() override;
    Nic(const Nic&) = delete;
    Nic& operator=(const Nic&) = delete;

    uint16_t io_size() const override { return hw::nic::io_size; }
    uint32_t read(uint16_t offset, uint32_t width) override;
    void write(uint16_t offset, uint32_t width, uint32_t value) override;
    void finish() override;
    int host_fd() const override { return m_wire.fd(); }
    void host_input_ready() override;

    uint16_t bound_port() const { return m_wire.bound_port(); }

private:
    struct Ring {
        uint32_t grant = 0;  // GrantId.raw
        uint32_t size = 0;   // 0: not set up
        uint32_t head = 0;
        uint32_t tail = 0;
    };

    uint32_t read_register(uint16_t offset) const;
    void write_register(uint16_t offset, uint32_t value);
    void write_control(uint32_t value);
    void write_interrupt_enable(uint32_t value);
    void set_ring_grant(Ring& ring, uint32_t grant);
    void set_ring_size(Ring& ring, uint32_t size);
    bool tail_in_range(const Ring& ring, uint32_t tail);
    void reset_to_power_on();

    // Transmit side.
    void schedule_transmit(uint32_t end);
    void cancel_transmits();
    void transmit_up_to(uint32_t end);
    uint32_t send_frame(const hw::nic::Descriptor& descriptor);

    // Receive side.
    void on_arrival(const std::vector<uint8_t>& frame, uint8_t peer);
    void drop_frame();

    void signal(uint32_t interrupt_bits);
    void report_error(uint32_t code);

    DeviceHost& m_host;
    const uint32_t m_irq_line;
    const uint64_t m_latency_ns;
    UdpWire m_wire;

    // Registers.
    uint32_t m_control = 0;
    uint32_t m_interrupt_status = 0;
    uint32_t m_interrupt_enable = 0;
    uint32_t m_error = hw::nic::error_none;
    uint32_t m_frames_received = 0;
    uint32_t m_frames_dropped = 0;
    uint32_t m_frames_sent = 0;
    uint32_t m_errors = 0;
    Ring m_tx;
    Ring m_rx;
    // Bumped whenever the transmit ring is set up anew or the card reset: a
    // transmit scheduled for the old ring must not touch the new one.
    uint64_t m_tx_epoch = 0;

    // Events in flight, by a serial of our own, so the destructor (and a
    // reset, for transmits) can cancel them.
    uint64_t m_next_serial = 0;
    std::map<uint64_t, EventQueue::Id> m_transmits;

    std::vector<uint8_t> m_frame;     // transmit staging: one frame
};

}  // namespace axl::sim
