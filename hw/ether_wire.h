// The UDP wire as Ethernet frames: how a card that carries Ethernet (the
// NE2000 model, sim/machine/ne2000.h) maps the host's UDP datagrams, and the
// peer tags that name their senders, onto frames, and back. The model builds
// and parses frames with these helpers, and so does a driver that translates
// the net protocol (kernel/api/protocols/net.h: send(grant, length, peer tag)
// and receive -> peer tag) into frames for an Ethernet driver: both sides
// agree by construction. Freestanding: no heap, no library beyond <cstdint>.
//
// A frame of the wire (no FCS; the card neither adds nor stores one):
//
//   bytes 0..5    destination MAC
//   bytes 6..11   source MAC
//   bytes 12..13  EtherType 0x88B5 (IEEE 802 "local experimental"), big-endian
//   bytes 14..15  the datagram's length n, big-endian
//   bytes 16..    the datagram's n bytes, then zeros up to min_frame_bytes
//
// The length prefix keeps the datagram's true length through the padding to
// Ethernet's 60-byte minimum, so an echo never sends the padding back.
//
// Host peers have MAC addresses of their own: peer tag T is the locally
// administered unicast address 02:00:00:00:00:T (T < peer_tags).
//
//   host -> card: a datagram from peer T arrives as a frame from peer_mac(T)
//                 to the card's station address (its PAR registers).
//   card -> host: a frame to peer_mac(T) with this EtherType leaves as one
//                 datagram with its n bytes, to the host address of peer T.
//                 Any other frame (a broadcast, ARP, IPv6 neighbour discovery,
//                 another EtherType, a peer the card has not heard from) is
//                 counted by the card and dropped.
//
// A datagram of up to 1500 bytes (the net protocol's max_frame_bytes) makes a
// frame of up to 1516 bytes: 2 above Ethernet's usual 1514, which an NE2000
// carries (a transmit slot of Linux's 8390 library is 1536 bytes; its receive
// path takes frames up to 1518).
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::hw::ether_wire {

inline constexpr size_t mac_bytes = 6;
inline constexpr uint16_t ether_type = 0x88B5;
inline constexpr size_t header_bytes = 16;         // two MACs, EtherType, length prefix
inline constexpr size_t min_frame_bytes = 60;      // Ethernet's minimum without FCS
inline constexpr size_t max_payload_bytes = 1500;  // one datagram
inline constexpr size_t max_frame_bytes = header_bytes + max_payload_bytes;
inline constexpr uint32_t peer_tags = 64;          // tags 0 .. peer_tags - 1 (the wire's peer table)

inline constexpr uint8_t broadcast_mac[mac_bytes] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
// The card's station address unless its description sets `mac`: locally
// administered ("AXL" in its middle bytes), never a peer's.
inline constexpr uint8_t default_station_mac[mac_bytes] = {0x02, 0x41, 0x58, 0x4C, 0x00, 0x01};

// 02:00:00:00:00:tag
inline void peer_mac(uint8_t tag, uint8_t (&mac)[mac_bytes]) {
    mac[0] = 0x02;
    mac[1] = mac[2] = mac[3] = mac[4] = 0x00;
    mac[5] = tag;
}

// Whether `mac` names a peer, and which.
inline bool peer_of(const uint8_t* mac, uint8_t& tag) {
    if (mac[0] != 0x02 || mac[1] != 0 || mac[2] != 0 || mac[3] != 0 || mac[4] != 0 || mac[5] >= peer_tags)
        return false;
    tag = mac[5];
    return true;
}

inline bool same_mac(const uint8_t* a, const uint8_t* b) {
    for (size_t i = 0; i < mac_bytes; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// Writes the frame carrying `payload` (n bytes) from `source` to
// `destination` into `frame` (capacity bytes). Returns the frame's length
// (at least min_frame_bytes), or 0 when n exceeds max_payload_bytes or the
// frame does not fit.
inline size_t encode(const uint8_t* destination, const uint8_t* source, const uint8_t* payload, size_t n,
                     uint8_t* frame, size_t capacity) {
    if (n > max_payload_bytes) return 0;
    const size_t length = header_bytes + n < min_frame_bytes ? min_frame_bytes : header_bytes + n;
    if (length > capacity) return 0;
    for (size_t i = 0; i < mac_bytes; ++i) {
        frame[i] = destination[i];
        frame[mac_bytes + i] = source[i];
    }
    frame[12] = static_cast<uint8_t>(ether_type >> 8);
    frame[13] = static_cast<uint8_t>(ether_type & 0xFF);
    frame[14] = static_cast<uint8_t>(n >> 8);
    frame[15] = static_cast<uint8_t>(n & 0xFF);
    for (size_t i = 0; i < n; ++i) frame[header_bytes + i] = payload[i];
    for (size_t i = header_bytes + n; i < length; ++i) frame[i] = 0;
    return length;
}

// A frame of the wire, as decode() finds it: pointers into the frame.
struct Decoded {
    const uint8_t* destination = nullptr;
    const uint8_t* source = nullptr;
    const uint8_t* payload = nullptr;
    size_t payload_bytes = 0;
};

// Whether `frame` (length bytes) is a frame of the wire: this EtherType and a
// length prefix that fits the frame and max_payload_bytes.
inline bool decode(const uint8_t* frame, size_t length, Decoded& out) {
    if (length < header_bytes) return false;
    if (frame[12] != static_cast<uint8_t>(ether_type >> 8) || frame[13] != static_cast<uint8_t>(ether_type & 0xFF))
        return false;
    const size_t n = (size_t{frame[14]} << 8) | frame[15];
    if (n > max_payload_bytes || header_bytes + n > length) return false;
    out.destination = frame;
    out.source = frame + mac_bytes;
    out.payload = frame + header_bytes;
    out.payload_bytes = n;
    return true;
}

}  // namespace axl::hw::ether_wire
