// Test support (header-only): a plain UDP socket on 127.0.0.1, the host's end
// of a simulated card's UDP wire (sim/machine/udp_wire.h).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace axl::test {

class UdpPeer {
public:
    UdpPeer() {
        m_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0) throw std::runtime_error("socket");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("bind");
        socklen_t length = sizeof address;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
    }
    ~UdpPeer() { ::close(m_fd); }
    UdpPeer(const UdpPeer&) = delete;
    UdpPeer& operator=(const UdpPeer&) = delete;

    void send_to(uint16_t port, const std::vector<uint8_t>& bytes) const {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::sendto(m_fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                  static_cast<ssize_t>(bytes.size()));
    }
    // The next datagram, or nothing within `timeout_ms`.
    bool receive(std::vector<uint8_t>& bytes, int timeout_ms = 1000) const {
        pollfd fd{m_fd, POLLIN, 0};
        if (::poll(&fd, 1, timeout_ms) != 1) return false;
        bytes.resize(65536);
        const ssize_t got = ::recv(m_fd, bytes.data(), bytes.size(), 0);
        if (got < 0) return false;
        bytes.resize(static_cast<size_t>(got));
        return true;
    }
    uint16_t port() const { return m_port; }

private:
    int m_fd = -1;
    uint16_t m_port = 0;
};

// Runs `simulate` (a simulator's run) while `host(over)` plays the host side
// on a thread of its own: `over` turns true once the run has ended, or thrown,
// and the thread is joined before this returns or rethrows.
template <typename Host, typename Simulate>
auto beside_host(Host&& host, Simulate&& simulate) -> decltype(simulate()) {
    std::atomic<bool> over{false};
    std::thread thread([&] { host(over); });
    struct Join {
        std::atomic<bool>& over;
        std::thread& thread;
        ~Join() {
            over = true;
            thread.join();
        }
    } join{over, thread};
    return simulate();
}

}  // namespace axl::test
