#include "sim/machine/udp_wire.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace axl::sim {

namespace {

// The largest UDP payload over IPv4 is 65507 bytes: a buffer of 64 KiB takes
// any datagram whole, so an oversized frame is seen (and dropped by its card)
// at its real length instead of arriving silently truncated.
constexpr size_t datagram_buffer_bytes = 64 * 1024;
constexpr int datagrams_per_poll = 256;

std::runtime_error socket_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

bool same_address(const sockaddr_in& a, const sockaddr_in& b) {
    return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

}  // namespace

UdpWire::UdpWire(std::string label, uint16_t udp_port, const std::string& record_path)
    : m_label(std::move(label)), m_datagram(datagram_buffer_bytes) {
    m_socket = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_socket < 0) throw socket_error("cannot create the " + m_label + " UDP socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(udp_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(m_socket, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(m_socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const std::runtime_error error = socket_error("cannot bind UDP 127.0.0.1:" + std::to_string(udp_port));
        ::close(m_socket);
        throw error;
    }
    m_bound_port = ntohs(address.sin_port);

    if (!record_path.empty()) {
        std::FILE* file = std::fopen(record_path.c_str(), "w");
        if (file == nullptr) {
            const std::runtime_error error = socket_error("cannot create the " + m_label + " recording " + record_path);
            ::close(m_socket);
            throw error;
        }
        m_record.reset(file);
        std::fprintf(file, "# %s on UDP 127.0.0.1:%u: one received datagram per line:\n", m_label.c_str(),
                     m_bound_port);
        std::fprintf(file, "# <virtual arrival ns> <peer tag> <sender address:port> <bytes> <hex, empty if 0 bytes>\n");
        std::fflush(file);
    }
    std::fprintf(stderr, "%s: UDP 127.0.0.1:%u\n", m_label.c_str(), m_bound_port);
}

UdpWire::~UdpWire() {
    if (m_arrivals_host)
        for (const auto& [serial, id] : m_arrivals) m_arrivals_host->cancel(id);
    if (m_socket >= 0) ::close(m_socket);
}

void UdpWire::deliver_later(DeviceHost& host, uint64_t latency_ns, const Take& take) {
    m_arrivals_host = &host;
    const uint64_t arrival_ns = host.now_ns() + latency_ns;
    drain(arrival_ns, [this, &host, arrival_ns, take](uint8_t peer, std::vector<uint8_t> datagram) {
        const uint64_t serial = m_next_arrival++;
        m_arrivals[serial] = host.schedule(arrival_ns, [this, serial, peer, take, datagram = std::move(datagram)] {
            m_arrivals.erase(serial);
            take(peer, datagram);
        });
    });
}

void UdpWire::drain(uint64_t arrival_ns, const Take& take) {
    for (int taken = 0; taken < datagrams_per_poll; ++taken) {
        sockaddr_in from{};
        socklen_t from_length = sizeof from;
        const ssize_t got = ::recvfrom(m_socket, m_datagram.data(), m_datagram.size(), MSG_DONTWAIT,
                                       reinterpret_cast<sockaddr*>(&from), &from_length);
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // drained
            continue;  // a stray error report (an earlier datagram's ICMP): not a datagram
        }
        if (from.sin_family != AF_INET) continue;
        const uint8_t peer = peer_tag_for(from);
        record(arrival_ns, peer, from, m_datagram.data(), static_cast<size_t>(got));
        take(peer, std::vector<uint8_t>(m_datagram.begin(), m_datagram.begin() + got));
    }
}

UdpWire::SendResult UdpWire::send(uint8_t peer, const uint8_t* bytes, size_t count) {
    if (!knows(peer)) return SendResult::unknown_peer;
    const sockaddr_in& to = m_peers[peer].address;
    const ssize_t sent =
        ::sendto(m_socket, bytes, count, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    return sent == static_cast<ssize_t>(count) ? SendResult::sent : SendResult::refused;
}

void UdpWire::flush() {
    if (m_record) std::fflush(m_record.get());
}

uint8_t UdpWire::peer_tag_for(const sockaddr_in& from) {
    ++m_peer_clock;
    size_t chosen = m_peers.size();
    for (size_t tag = 0; tag < m_peers.size(); ++tag) {
        if (m_peers[tag].used && same_address(m_peers[tag].address, from)) {
            chosen = tag;
            break;
        }
    }
    if (chosen == m_peers.size()) {
        // A newcomer: the first free slot, else the least recently heard.
        chosen = 0;
        for (size_t tag = 0; tag < m_peers.size(); ++tag) {
            if (!m_peers[tag].used) {
                chosen = tag;
                break;
            }
            if (m_peers[tag].last_heard < m_peers[chosen].last_heard) chosen = tag;
        }
        m_peers[chosen].used = true;
        m_peers[chosen].address = from;
    }
    m_peers[chosen].last_heard = m_peer_clock;
    return static_cast<uint8_t>(chosen);
}

void UdpWire::record(uint64_t at_ns, uint8_t peer, const sockaddr_in& from, const uint8_t* bytes, size_t count) {
    if (!m_record) return;
    char host[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &from.sin_addr, host, sizeof host);
    std::fprintf(m_record.get(), "%llu %u %s:%u %zu ", static_cast<unsigned long long>(at_ns), peer, host,
                 ntohs(from.sin_port), count);
    for (size_t i = 0; i < count; ++i) std::fprintf(m_record.get(), "%02x", bytes[i]);
    std::fputc('\n', m_record.get());
    // Line by line: a run that is interrupted still documents its input.
    std::fflush(m_record.get());
}

}  // namespace axl::sim
