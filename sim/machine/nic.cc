#include "sim/machine/nic.h"

#include <utility>

#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/register_width.h"

namespace axl::sim {

namespace reg = hw::nic;

static_assert(reg::peer_slots == UdpWire::peer_slots, "the card's peer tags are its wire's");

Nic::Nic(DeviceHost& host, const NicConfig& config)
    : m_host(host),
      m_irq_line(config.irq_line),
      m_latency_ns(config.latency_ns),
      m_wire("nic '" + config.name + "'", config.udp_port, config.record_path),
      m_frame(reg::max_frame_bytes) {}

Nic::~Nic() {
    cancel_transmits();
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
    if (!m_wire.knows(descriptor.peer)) return reg::error_peer;
    // A zero-byte frame is a valid (empty) datagram; a grant never covers 0 bytes.
    if (descriptor.length != 0 &&
        m_host.dma_read(GrantId{m_tx.grant}, descriptor.buffer_offset, m_frame.data(), descriptor.length) != Status::ok)
        return reg::error_dma;
    switch (m_wire.send(descriptor.peer, m_frame.data(), descriptor.length)) {
        case UdpWire::SendResult::sent: return reg::error_none;
        case UdpWire::SendResult::unknown_peer: return reg::error_peer;
        case UdpWire::SendResult::refused: return reg::error_wire;
    }
    return reg::error_wire;
}

void Nic::finish() {
    // The run is over before the latency of the last doorbells has passed:
    // send those frames now rather than lose them.
    const bool pending = !m_transmits.empty();
    cancel_transmits();
    if (pending && (m_control & reg::tx_enable)) transmit_up_to(m_tx.tail);
    m_wire.flush();
}

// --- receive ---------------------------------------------------------------------------

void Nic::host_input_ready() {
    m_wire.deliver_later(m_host, m_latency_ns,
                         [this](uint8_t peer, std::vector<uint8_t> frame) { on_arrival(frame, peer); });
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
