// The simulated network card's registers (sim/machine/nic.cc). Frames go out
// and come in through two rings of descriptors that live in driver memory and
// that the card reaches only by DMA, each ring through one grant to
// endpoints::hardware: the ring's descriptors start at offset 0 of its grant
// and each descriptor names its frame buffer by an offset in the same grant.
// All registers are 32 bits wide, at these offsets from the device's base port.
//
// Ownership is by indices, as on most real cards: the card owns the
// descriptors from its head up to (not including) the driver's tail, the
// driver owns the rest. One descriptor always stays between tail and head, so
// head == tail means "the card owns none" and a ring of N holds N - 1 frames.
//
//   Transmit: the driver fills descriptors at tx_tail, then writes tx_tail
//   (the doorbell). After the wire latency the card sends every descriptor
//   from tx_head up to tx_tail, writes each one back with `done` (and an
//   error code if it could not send it), advances tx_head and raises tx_done.
//
//   Receive: the driver arms descriptors (buffer offset, capacity, status 0)
//   and gives them to the card by writing rx_tail. A frame that arrives is
//   written into the descriptor at rx_head (length, peer tag, `done`), rx_head
//   advances and rx_frame is raised. With no descriptor free (rx_head ==
//   rx_tail), receive disabled or the ring not set up, the frame is dropped
//   and counted. A driver returns descriptor i after using it by re-arming it
//   and writing rx_tail = i.
//
// The wire is a host UDP socket on 127.0.0.1: every frame is one datagram.
// The card keeps a table of the host addresses it has received from; a
// received frame carries its sender's index in that table (its peer tag) and
// a frame to transmit names the peer tag to send to, so a service can answer
// whoever wrote to it without seeing host addresses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace axl::hw::nic {

inline constexpr uint16_t io_size = 0x40;
inline constexpr uint32_t max_frame_bytes = 1500;  // payload of one frame (an Ethernet MTU)
inline constexpr uint32_t peer_slots = 64;         // peer tags are 0 .. peer_slots - 1
inline constexpr uint32_t max_ring_size = 1024;    // descriptors per ring
inline constexpr uint32_t min_ring_size = 2;       // one always stays empty

inline constexpr uint16_t control = 0x00;           // rw: control bits below
inline constexpr uint16_t interrupt_status = 0x04;  // r: interrupt bits below; w: 1 bits clear them
inline constexpr uint16_t interrupt_enable = 0x08;  // rw: which interrupt bits raise the IRQ line
inline constexpr uint16_t error = 0x0C;             // r: code of the last error (error_* below); w: clears it
inline constexpr uint16_t tx_ring_grant = 0x10;     // rw: GrantId.raw of the transmit ring (resets tx head/tail)
inline constexpr uint16_t tx_ring_size = 0x14;      // rw: descriptors in it (resets tx head/tail)
inline constexpr uint16_t tx_head = 0x18;           // r: next descriptor the card sends
inline constexpr uint16_t tx_tail = 0x1C;           // rw: one past the last descriptor ready to send (doorbell)
inline constexpr uint16_t rx_ring_grant = 0x20;     // rw: GrantId.raw of the receive ring (resets rx head/tail)
inline constexpr uint16_t rx_ring_size = 0x24;      // rw: descriptors in it (resets rx head/tail)
inline constexpr uint16_t rx_head = 0x28;           // r: next descriptor the card fills
inline constexpr uint16_t rx_tail = 0x2C;           // rw: one past the last descriptor given to the card
inline constexpr uint16_t frames_received = 0x30;   // r: frames written into the receive ring (wraps)
inline constexpr uint16_t frames_dropped = 0x34;    // r: frames that arrived and were not received (wraps)
inline constexpr uint16_t frames_sent = 0x38;       // r: frames handed to the wire (wraps)
inline constexpr uint16_t errors = 0x3C;            // r: errors since reset (saturates)

// control
inline constexpr uint32_t rx_enable = 1u << 0;
inline constexpr uint32_t tx_enable = 1u << 1;  // turning it on sends what the doorbell already announced
inline constexpr uint32_t reset = 1u << 31;     // w: back to the power-on state (rings unset, counters 0,
                                                // everything disabled); reads as 0. The peer table stays:
                                                // peers are the host's, not the driver's.

// interrupt_status / interrupt_enable. The line is an edge, raised when an
// enabled bit is set, and when a bit is enabled while already set.
inline constexpr uint32_t int_rx_frame = 1u << 0;    // a frame was written into the receive ring
inline constexpr uint32_t int_tx_done = 1u << 1;     // transmit descriptors were written back
inline constexpr uint32_t int_rx_dropped = 1u << 2;  // a frame arrived and was dropped
inline constexpr uint32_t int_error = 1u << 3;       // an error: its code is in `error`
inline constexpr uint32_t int_all = int_rx_frame | int_tx_done | int_rx_dropped | int_error;

// error codes (the `error` register, and a descriptor's `error` byte)
inline constexpr uint32_t error_none = 0;
inline constexpr uint32_t error_ring = 1;          // a ring size or tail out of range; the write was ignored
inline constexpr uint32_t error_dma = 2;           // a grant refused a descriptor or buffer transfer
inline constexpr uint32_t error_frame_size = 3;    // TX length above max_frame_bytes, or an RX buffer
                                                   // smaller than the frame (the frame is dropped)
inline constexpr uint32_t error_peer = 4;          // TX to a peer tag the card has no address for
inline constexpr uint32_t error_wire = 5;          // the host refused to send the datagram

// Descriptor: 16 bytes, little-endian, in a ring's grant at offset 16 * index.
inline constexpr uint8_t status_done = 1u << 0;    // the card has finished with it (driver clears it
                                                   // before handing the descriptor over)
struct Descriptor {
    uint32_t buffer_offset = 0;  // driver: where the frame buffer starts, in the ring's grant
    uint16_t capacity = 0;       // driver, RX: buffer bytes (a larger frame is dropped); TX: unused
    uint16_t length = 0;         // TX, driver: bytes to send; RX, card: bytes received
    uint8_t peer = 0;            // TX, driver: peer tag to send to; RX, card: the sender's peer tag
    uint8_t status = 0;          // card: status_done
    uint8_t error = 0;           // card: error code for this descriptor (TX: the frame was not sent)
    uint8_t reserved0 = 0;
    uint32_t reserved1 = 0;
};
static_assert(sizeof(Descriptor) == 16, "descriptors are 16 bytes: the ring layout is part of the interface");
static_assert(std::is_trivially_copyable_v<Descriptor>, "the card copies descriptors as bytes");
static_assert(offsetof(Descriptor, length) == 6 && offsetof(Descriptor, peer) == 8 &&
              offsetof(Descriptor, status) == 9 && offsetof(Descriptor, error) == 10);
inline constexpr uint32_t descriptor_bytes = sizeof(Descriptor);

}  // namespace axl::hw::nic
