// The UDP wire that the simulated network cards share (the NIC, sim/machine/
// nic.h, and the NE2000, sim/machine/ne2000.h): a UDP socket bound to
// 127.0.0.1, a table of the host addresses heard from (peer tags), and the
// optional recording of what arrived. The cards decide what a datagram is to
// them (a frame as it is, or the payload of an Ethernet frame) and when it
// arrives; the wire only moves datagrams and names their senders.
//
// Peer tags: a table of peer_slots host addresses in order of first contact;
// when it is full, a new address takes the slot of the least recently heard
// one (whose tag then names the newcomer).
//
// Host input depends on wall-clock timing (when the host program sent what),
// so a run with traffic is not a pure function of its description. The
// recording logs every datagram with its virtual arrival time, line by line,
// so such a run's input is documented (docs/devices.md, "NIC").
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/machine/device.h"

namespace axl::sim {

class UdpWire {
public:
    static constexpr uint32_t peer_slots = 64;  // peer tags are 0 .. peer_slots - 1

    // Binds 127.0.0.1:udp_port (0: any free port, see bound_port()) and
    // creates the recording unless record_path is empty. `label` names the
    // card in its log line and recording ("nic 'eth0'"): the wire prints
    // "<label>: UDP 127.0.0.1:<port>" on stderr, the only way to learn a port
    // picked by the system. Throws std::runtime_error when the socket cannot
    // be bound or the recording cannot be created.
    UdpWire(std::string label, uint16_t udp_port, const std::string& record_path);
    ~UdpWire();
    UdpWire(const UdpWire&) = delete;
    UdpWire& operator=(const UdpWire&) = delete;

    int fd() const { return m_socket; }
    uint16_t bound_port() const { return m_bound_port; }

    // Takes the datagrams waiting on the socket (at most datagrams_per_poll, so
    // a flooding host cannot stall the simulation; the machine calls again),
    // gives each its sender's peer tag, records it as arriving at arrival_ns
    // and hands it to `take`, oldest first.
    using Take = std::function<void(uint8_t peer, std::vector<uint8_t> datagram)>;
    void drain(uint64_t arrival_ns, const Take& take);
    // drain() with the wire's latency: each datagram arrives `latency_ns` of
    // virtual time from now, when `take` runs from an event of `host`. Events
    // still on their way when the wire goes are cancelled (`host` outlives it).
    void deliver_later(DeviceHost& host, uint64_t latency_ns, const Take& take);

    enum class SendResult : uint8_t {
        sent,
        unknown_peer,  // the tag names no host address (never heard from, or out of range)
        refused,       // the host did not take the whole datagram
    };
    SendResult send(uint8_t peer, const uint8_t* bytes, size_t count);
    bool knows(uint8_t peer) const { return peer < peer_slots && m_peers[peer].used; }

    // Pushes the recording to its file (the run is over).
    void flush();

private:
    struct Peer {
        bool used = false;
        sockaddr_in address{};
        uint64_t last_heard = 0;  // m_peer_clock when it last sent a datagram
    };
    struct FileCloser {
        void operator()(std::FILE* file) const { std::fclose(file); }
    };

    uint8_t peer_tag_for(const sockaddr_in& from);
    void record(uint64_t at_ns, uint8_t peer, const sockaddr_in& from, const uint8_t* bytes, size_t count);

    const std::string m_label;
    int m_socket = -1;
    uint16_t m_bound_port = 0;
    std::unique_ptr<std::FILE, FileCloser> m_record;
    std::array<Peer, peer_slots> m_peers{};
    uint64_t m_peer_clock = 0;
    std::vector<uint8_t> m_datagram;  // receive buffer: any UDP datagram fits
    // Datagrams on their way (deliver_later), by serial.
    DeviceHost* m_arrivals_host = nullptr;
    uint64_t m_next_arrival = 0;
    std::map<uint64_t, EventQueue::Id> m_arrivals;
};

}  // namespace axl::sim
