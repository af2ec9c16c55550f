#include "sim/machine/nic.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/register_width.h"

namespace axl::sim {

namespace reg = hw::nic;

namespace {

// The largest UDP payload over IPv4 is 65507 bytes: a buffer of 64 KiB takes
// any datagram whole, so an oversized frame is seen (and dropped) at its real
// length instead of arriving silently truncated.
constexpr size_t datagram_buffer_bytes = 64 * 1024;
// host_input_ready() takes at most this many datagrams per call, so a host
// flooding the socket cannot keep the simulation from running; the rest stay
// in the socket and the machine calls again.
constexpr int datagrams_per_poll = 256;

std::runtime_error socket_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

bool same_address(const sockaddr_in& a, const sockaddr_in& b) {
    return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

}  // namespace

Nic::Nic(DeviceHost& host, const NicConfig& config)
    : m_host(host),
      m_name(config.name),
      m_irq_line(config.irq_line),
      m_latency_ns(config.latency_ns),
      m_datagram(datagram_buffer_bytes),
      m_frame(reg::max_frame_bytes) {
    m_socket = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_socket < 0) throw socket_error("cannot create the NIC's UDP socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(config.udp_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(m_socket, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(m_socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const std::runtime_error error = socket_error("cannot bind UDP 127.0.0.1:" + std::to_string(config.udp_port));
        ::close(m_socket);
        throw error;
    }
    m_bound_port = ntohs(address.sin_port);

    if (!config.record_path.empty()) {
        std::FILE* file = std::fopen(config.record_path.c_str(), "w");
        if (file == nullptr) {
            const std::runtime_error error = socket_error("cannot create NIC recording " + config.record_path);
            ::close(m_socket);
            throw error;
        }
        m_record.reset(file);
        std::fprintf(file, "# nic '%s' on UDP 127.0.0.1:%u: one received datagram per line:\n", m_name.c_str(),
                     m_bound_port);
        std::fprintf(file, "# <virtual arrival ns> <peer tag> <sender address:port> <bytes> <hex, empty if 0 bytes>\n");
        std::fflush(file);
    }
    // Where to send: with udp_port = 0 this line is the only way to know.
    std::fprintf(stderr, "nic '%s': UDP 127.0.0.1:%u\n", m_name.c_str(), m_bound_port);
}

Nic::~Nic() {
    for (const auto& [serial, id] : m_arrivals) m_host.cancel(id);
    cancel_transmits();
    if (m_socket >= 0) ::close(m_socket);
}

// --- registers -----------------------------------------------------------------------

uint32_t Nic::read(uint16_t offset, uint32_t width) {
    // 32-bit registers at 4-byte offsets; a narrower read sees the low bytes.
    if (offset >= reg::io_size || offset % 4 != 0) return unmapped_read(width);
    return read_register(offset) & width_mask(width);
}

void Nic::write(uint16_t offset, uint32_t width, uint32_t value) {
    if (offset >= reg::io_size || offset % 4 != 0) return;
    write_register(offset, value & width_mask(width));
}

uint32_t Nic::read_register(uint16_t offset) const {
    switch (offset) {
        case reg::control: return m_control;
        case reg::interrupt_status: return m_interrupt_status;
        case reg::interrupt_enable: return m_interrupt_enable;
        case reg::error: return m_error;
        case reg::tx_ring_grant: return m_tx.grant;
        case reg::tx_ring_size: return m_tx.size;
        case reg::tx_head: return m_tx.head;
        case reg::tx_tail: return m_tx.tail;
        case reg::rx_ring_grant: return m_rx.grant;
        case reg::rx_ring_size: return m_rx.size;
        case reg::rx_head: return m_rx.head;
        case reg::rx_tail: return m_rx.tail;
        case reg::frames_received: return m_frames_received;
        case reg::frames_dropped: return m_frames_dropped;
        case reg::frames_sent: return m_frames_sent;
        case reg::errors: return m_errors;
        default: return unmapped_read(4);
    }
}

void Nic::write_register(uint16_t offset, uint32_t value) {
    switch (offset) {
        case reg::control: write_control(value); break;
        case reg::interrupt_status: m_interrupt_status &= ~value; break;
        case reg::interrupt_enable: write_interrupt_enable(value); break;
        case reg::error: m_error = reg::error_none; break;
        case reg::tx_ring_grant: set_ring_grant(m_tx, value); break;
        case reg::tx_ring_size: set_ring_size(m_tx, value); break;
        case reg::tx_tail:
            if (!tail_in_range(m_tx, value)) break;
            m_tx.tail = value;
            if (m_control & reg::tx_enable) schedule_transmit(value);
            break;
        case reg::rx_ring_grant: set_ring_grant(m_rx, value); break;
        case reg::rx_ring_size: set_ring_size(m_rx, value); break;
        case reg::rx_tail:
            if (tail_in_range(m_rx, value)) m_rx.tail = value;
            break;
        default: break;  // read-only or unmapped
    }
}

void Nic::write_control(uint32_t value) {
    if (value & reg::reset) {
        reset_to_power_on();
        return;
    }
    const uint32_t turned_on = value & ~m_control;
    m_control = value & (reg::rx_enable | reg::tx_enable);
    // Descriptors announced while transmit was off go out now.
    if ((turned_on & m_control & reg::tx_enable) && m_tx.head != m_tx.tail) schedule_transmit(m_tx.tail);
}

void Nic::write_interrupt_enable(uint32_t value) {
    const uint32_t turned_on = value & reg::int_all & ~m_interrupt_enable;
    m_interrupt_enable = value & reg::int_all;
    // The line is an edge: a condition that arose while its interrupt was off
    // would otherwise never be announced.
    if (turned_on & m_interrupt_status) m_host.raise_irq(m_irq_line);
}

void Nic::set_ring_grant(Ring& ring, uint32_t grant) {
    ring.grant = grant;
    ring.head = ring.tail = 0;
    if (&ring == &m_tx) cancel_transmits();
}

void Nic::set_ring_size(Ring& ring, uint32_t size) {
    if (size != 0 && (size < reg::min_ring_size || size > reg::max_ring_size)) {
        report_error(reg::error_ring);
        return;
    }
    ring.size = size;
    ring.head = ring.tail = 0;
    if (&ring == &m_tx) cancel_transmits();
}

bool Nic::tail_in_range(const Ring& ring, uint32_t tail) {
    if (tail < ring.size) return true;
    report_error(reg::error_ring);
    return false;
}

void Nic::reset_to_power_on() {
    cancel_transmits();
    m_control = 0;
    m_interrupt_status = 0;
    m_interrupt_enable = 0;
    m_error = reg::error_none;
    m_frames_received = m_frames_dropped = m_frames_sent = m_errors = 0;
    m_tx = Ring{};
    m_rx = Ring{};
    // Frames already on the wire still arrive, and are dropped: receive is off.
}

// --- transmit --------------------------------------------------------------------------

// Each doorbell gets its own event carrying the tail it announced, so every
// frame spends the full latency on the wire, however the doorbells bunch up.
void Nic::schedule_transmit(uint32_t end) {
    const uint64_t serial = m_next_serial++;
    const uint64_t epoch = m_tx_epoch;
    m_transmits[serial] = m_host.schedule(m_host.now_ns() + m_latency_ns, [this, serial, epoch, end] {
        m_transmits.erase(serial);
        if (epoch == m_tx_epoch && (m_control & reg::tx_enable)) transmit_up_to(end);
    });
}

void Nic::cancel_transmits() {
    for (const auto& [serial, id] : m_transmits) m_host.cancel(id);
    m_transmits.clear();
    ++m_tx_epoch;
}

void Nic::transmit_up_to(uint32_t end) {
    bool wrote_back = false;
    // At most one lap: a tail a confused driver moved backwards still ends.
    for (uint32_t sent = 0; m_tx.size != 0 && m_tx.head != end && sent < m_tx.size; ++sent) {
        const uint64_t at = uint64_t{m_tx.head} * reg::descriptor_bytes;
        reg::Descriptor descriptor{};
        if (m_host.dma_read(GrantId{m_tx.grant}, at, &descriptor, sizeof descriptor) != Status::ok) {
            // Stay on this descriptor: the next doorbell tries it again, once
            // the driver has fixed its ring.
            report_error(reg::error_dma);
            break;
        }
        const uint32_t outcome = send_frame(descriptor);
        if (outcome == reg::error_none) {
            ++m_frames_sent;
        } else {
            report_error(outcome);
        }
        descriptor.status = reg::status_done;
        descriptor.error = static_cast<uint8_t>(outcome);
        if (m_host.dma_write(GrantId{m_tx.grant}, at, &descriptor, sizeof descriptor) != Status::ok)
            report_error(reg::error_dma);
        m_tx.head = (m_tx.head + 1) % m_tx.size;
        wrote_back = true;
    }
    if (wrote_back) signal(reg::int_tx_done);
}

uint32_t Nic::send_frame(const reg::Descriptor& descriptor) {
    if (descriptor.length > reg::max_frame_bytes) return reg::error_frame_size;
    if (descriptor.peer >= reg::peer_slots || !m_peers[descriptor.peer].used) return reg::error_peer;
    // A zero-byte frame is a valid (empty) datagram; a grant never covers 0 bytes.
    if (descriptor.length != 0 &&
        m_host.dma_read(GrantId{m_tx.grant}, descriptor.buffer_offset, m_frame.data(), descriptor.length) != Status::ok)
        return reg::error_dma;
    const sockaddr_in& to = m_peers[descriptor.peer].address;
    const ssize_t sent = ::sendto(m_socket, m_frame.data(), descriptor.length, MSG_DONTWAIT,
                                  reinterpret_cast<const sockaddr*>(&to), sizeof to);
    return sent == static_cast<ssize_t>(descriptor.length) ? reg::error_none : reg::error_wire;
}

void Nic::finish() {
    // The run is over before the latency of the last doorbells has passed:
    // send those frames now rather than lose them.
    const bool pending = !m_transmits.empty();
    cancel_transmits();
    if (pending && (m_control & reg::tx_enable)) transmit_up_to(m_tx.tail);
    if (m_record) std::fflush(m_record.get());
}

// --- receive ---------------------------------------------------------------------------

void Nic::host_input_ready() {
    for (int taken = 0; taken < datagrams_per_poll; ++taken) {
        sockaddr_in from{};
        socklen_t from_length = sizeof from;
        const ssize_t got = ::recvfrom(m_socket, m_datagram.data(), m_datagram.size(), MSG_DONTWAIT,
                                       reinterpret_cast<sockaddr*>(&from), &from_length);
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // drained
            continue;  // a stray error report (an earlier datagram's ICMP): not a frame
        }
        if (from.sin_family != AF_INET) continue;
        const uint8_t peer = peer_tag_for(from);
        const uint64_t arrival_ns = m_host.now_ns() + m_latency_ns;
        record_arrival(arrival_ns, peer, from, m_datagram.data(), static_cast<size_t>(got));
        std::vector<uint8_t> frame(m_datagram.begin(), m_datagram.begin() + got);
        const uint64_t serial = m_next_serial++;
        m_arrivals[serial] = m_host.schedule(arrival_ns, [this, serial, peer, frame = std::move(frame)] {
            m_arrivals.erase(serial);
            on_arrival(frame, peer);
        });
    }
}

uint8_t Nic::peer_tag_for(const sockaddr_in& from) {
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

void Nic::record_arrival(uint64_t at_ns, uint8_t peer, const sockaddr_in& from, const uint8_t* bytes,
                         size_t count) {
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

void Nic::on_arrival(const std::vector<uint8_t>& frame, uint8_t peer) {
    if (!(m_control & reg::rx_enable) || m_rx.size == 0 || m_rx.head == m_rx.tail ||
        frame.size() > reg::max_frame_bytes) {
        drop_frame();
        return;
    }
    const uint64_t at = uint64_t{m_rx.head} * reg::descriptor_bytes;
    reg::Descriptor descriptor{};
    if (m_host.dma_read(GrantId{m_rx.grant}, at, &descriptor, sizeof descriptor) != Status::ok) {
        report_error(reg::error_dma);
        drop_frame();
        return;
    }
    if (frame.size() > descriptor.capacity) {
        // The descriptor stays armed: the driver gave a buffer too small.
        report_error(reg::error_frame_size);
        drop_frame();
        return;
    }
    if (!frame.empty() &&
        m_host.dma_write(GrantId{m_rx.grant}, descriptor.buffer_offset, frame.data(), frame.size()) != Status::ok) {
        report_error(reg::error_dma);
        drop_frame();
        return;
    }
    descriptor.length = static_cast<uint16_t>(frame.size());
    descriptor.peer = peer;
    descriptor.status = reg::status_done;
    descriptor.error = reg::error_none;
    if (m_host.dma_write(GrantId{m_rx.grant}, at, &descriptor, sizeof descriptor) != Status::ok) {
        report_error(reg::error_dma);
        drop_frame();
        return;
    }
    m_rx.head = (m_rx.head + 1) % m_rx.size;
    ++m_frames_received;
    signal(reg::int_rx_frame);
}

void Nic::drop_frame() {
    ++m_frames_dropped;
    signal(reg::int_rx_dropped);
}

// --- interrupts and errors ------------------------------------------------------------------

void Nic::signal(uint32_t interrupt_bits) {
    m_interrupt_status |= interrupt_bits;
    if (interrupt_bits & m_interrupt_enable) m_host.raise_irq(m_irq_line);
}

void Nic::report_error(uint32_t code) {
    m_error = code;
    if (m_errors != UINT32_MAX) ++m_errors;  // saturates: a wrapped count would look healthy
    signal(reg::int_error);
}

}  // namespace axl::sim

// ---- kind = "nic" ----

namespace axl::sim {
namespace {

constexpr DeviceKey udp_port_key{"udp_port", DeviceKey::Type::integer, 0, 65535};
constexpr DeviceKey latency_key{"latency", DeviceKey::Type::duration};
constexpr DeviceKey record_key{"record", DeviceKey::Type::string};
constexpr DeviceKey nic_keys[] = {udp_port_key, latency_key, record_key};

std::any read_nic(const DeviceTable& table) {
    NicConfig config;
    table.read(udp_port_key, config.udp_port);
    table.read(latency_key, config.latency_ns);
    if (auto record = table.string(record_key)) config.record_path = table.resolve(*record);
    return config;
}

std::unique_ptr<Device> make_nic(const DeviceDescription& device, DeviceHost& host) {
    NicConfig config = device.settings_as<NicConfig>();
    config.name = device.name;
    config.irq_line = device.irq;
    return std::make_unique<Nic>(host, config);
}

}  // namespace

extern constexpr DeviceKind nic_kind{
    .name = "nic",
    .description = "network card: DMA rings, frames as UDP datagrams on 127.0.0.1",
    .registers = "hw/nic.h",
    .io_size = hw::nic::io_size,
    .io_base = 0x1200,
    .irq = NicConfig::default_irq_line,
    .keys = nic_keys,
    .read = read_nic,
    .make = make_nic,
};

}  // namespace axl::sim
