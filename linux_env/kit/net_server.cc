// The net protocol over a Linux network driver. Clients speak in datagrams
// and peer tags; the driver speaks Ethernet frames. The wire's framing
// (hw/ether_wire.h) maps one onto the other: a send to peer T becomes a frame
// to peer T's MAC address, and a received frame from peer T's MAC becomes a
// datagram from peer T. Frames of anything else (a broadcast, another
// EtherType) are counted as dropped.
//
// Sends are answered once the driver took the frame (its ndo_start_xmit
// returned OK); while the driver's queue is stopped they wait, in order.
// Receives wait for a frame, oldest client first.
#include <cstddef>
#include <cstdint>

#include "hw/ether_wire.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/protocols/net.h"
#include "linux_env/kit/lx_kit.h"
#include "linux_env/kit/net_server.h"

namespace axl::linux_env {

namespace {

namespace wire = axl::hw::ether_wire;

constexpr uint32_t waiting_max = 16;
constexpr uint32_t linux_ebusy = 16;

struct WaitingSend {
    Endpoint client;
    size_t payload_bytes;
    size_t frame_bytes;
    uint8_t frame[wire::max_frame_bytes];
};
struct WaitingReceive {
    Endpoint client;
    GrantId grant;
    size_t capacity;
};

// Reset with the process's data at every start.
bool net_up = false;
uint8_t station[wire::mac_bytes];
WaitingSend sends[waiting_max];
uint32_t send_head = 0, send_count = 0;
WaitingReceive receives[waiting_max];
uint32_t receive_head = 0, receive_count = 0;
uint64_t not_wire_frames = 0;
uint8_t frame_buffer[wire::max_frame_bytes + 64];

void answer(Endpoint client, Status status, uint64_t word1 = 0, uint64_t word2 = 0) {
    Message reply;
    reply.type = net::reply;
    reply.payload.words[0] = static_cast<uint64_t>(status);
    reply.payload.words[1] = word1;
    reply.payload.words[2] = word2;
    (void)sendnb(client, reply);
}

// A received frame for the oldest waiting client, if any is there.
bool deliver_one() {
    long length = lx_emul_netdev_receive(frame_buffer, sizeof(frame_buffer));
    if (length < 0) return false;
    wire::Decoded decoded;
    uint8_t peer = 0;
    if (!wire::decode(frame_buffer, static_cast<size_t>(length), decoded) || !wire::peer_of(decoded.source, peer)) {
        ++not_wire_frames;
        return true;
    }
    WaitingReceive& waiting = receives[receive_head];
    receive_head = (receive_head + 1) % waiting_max;
    --receive_count;
    size_t copy = decoded.payload_bytes < waiting.capacity ? decoded.payload_bytes : waiting.capacity;
    Status status = copy ? safecopy_to(waiting.client, waiting.grant, 0, decoded.payload, copy) : Status::ok;
    answer(waiting.client, status, decoded.payload_bytes, peer);
    return true;
}

}  // namespace

bool net_start() {
    net_up = lx_emul_netdev_open(station) == 0;
    return net_up;
}

void net_poll() {
    if (!net_up) return;
    while (send_count > 0 && lx_emul_netdev_can_transmit()) {
        WaitingSend& waiting = sends[send_head];
        int result = lx_emul_netdev_transmit(waiting.frame, waiting.frame_bytes);
        if (result == -static_cast<int>(linux_ebusy)) break;
        answer(waiting.client, result == 0 ? Status::ok : Status::bad_address, waiting.payload_bytes,
               static_cast<uint64_t>(-result));
        send_head = (send_head + 1) % waiting_max;
        --send_count;
    }
    while (receive_count > 0 && deliver_one()) {
    }
}

bool serve_net(const Message& request, Message& reply, bool& answered) {
    if (request.type != net::send && request.type != net::receive && request.type != net::info) return false;
    answered = true;
    reply.type = net::reply;
    const uint64_t* words = request.payload.words;
    auto status_only = [&](Status status) { reply.payload.words[0] = static_cast<uint64_t>(status); };
    if (!net_up) {
        status_only(Status::not_found);
        return true;
    }
    switch (request.type) {
        case net::info: {
            unsigned long long received = 0, dropped = 0, sent = 0, errors = 0;
            lx_emul_netdev_counters(&received, &dropped, &sent, &errors);
            status_only(Status::ok);
            reply.payload.words[1] = net::max_frame_bytes;
            reply.payload.words[2] = received;
            reply.payload.words[3] = dropped + not_wire_frames;
            reply.payload.words[4] = sent;
            reply.payload.words[5] = errors;
            return true;
        }
        case net::send: {
            size_t length = words[1];
            if (length > net::max_frame_bytes || words[2] >= wire::peer_tags) {
                status_only(Status::bad_argument);
                return true;
            }
            if (send_count == waiting_max) {
                status_only(Status::no_space);
                return true;
            }
            WaitingSend& slot = sends[(send_head + send_count) % waiting_max];
            uint8_t payload[net::max_frame_bytes];
            if (length) {
                Status copied = safecopy_from(request.source, GrantId{static_cast<uint32_t>(words[0])}, 0, payload, length);
                if (copied != Status::ok) {
                    status_only(copied);
                    return true;
                }
            }
            uint8_t destination[wire::mac_bytes];
            wire::peer_mac(static_cast<uint8_t>(words[2]), destination);
            slot.client = request.source;
            slot.payload_bytes = length;
            slot.frame_bytes = wire::encode(destination, station, payload, length, slot.frame, sizeof(slot.frame));
            ++send_count;
            answered = false;  // net_poll answers it once the driver took it
            return true;
        }
        case net::receive: {
            if (words[1] == 0) {
                status_only(Status::bad_argument);
                return true;
            }
            if (receive_count == waiting_max) {
                status_only(Status::no_space);
                return true;
            }
            receives[(receive_head + receive_count) % waiting_max] = {request.source,
                                                                      GrantId{static_cast<uint32_t>(words[0])}, words[1]};
            ++receive_count;
            answered = false;
            return true;
        }
    }
    return false;
}

}  // namespace axl::linux_env
