#include "sim/machine/ne2000.h"
#include "sim/machine/pci_port_function.h"

#include <cctype>
#include <utility>

#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/register_width.h"

namespace axl::sim {

namespace reg = hw::ne2000;
namespace wire = hw::ether_wire;

static_assert(wire::peer_tags == UdpWire::peer_slots, "the frames' peer MACs name the wire's peer tags");

namespace {

// The Ethernet multicast hash: CRC-32 (polynomial 0x04C11DB7, register
// preset to all ones, no final inversion) over the destination address,
// each byte least significant bit first; its top 6 bits pick one of the 64
// bits of MAR0..7 (MAR0 bit 0 is hash value 0).
uint32_t multicast_crc(const uint8_t* address) {
    uint32_t crc = 0xFFFF'FFFFu;
    for (size_t i = 0; i < wire::mac_bytes; ++i) {
        uint8_t byte = address[i];
        for (int bit = 0; bit < 8; ++bit, byte >>= 1) {
            const bool carry = ((crc >> 31) ^ (byte & 1u)) != 0;
            crc <<= 1;
            if (carry) crc ^= 0x04C1'1DB7u;
        }
    }
    return crc;
}

bool is_broadcast(const uint8_t* address) { return wire::same_mac(address, wire::broadcast_mac); }

}  // namespace

std::optional<MacAddress> parse_mac(const std::string& text) {
    MacAddress mac{};
    size_t at = 0;
    for (size_t i = 0; i < mac.size(); ++i) {
        if (i != 0) {
            if (at >= text.size() || text[at] != ':') return std::nullopt;
            ++at;
        }
        if (at + 2 > text.size() || !std::isxdigit(static_cast<unsigned char>(text[at])) ||
            !std::isxdigit(static_cast<unsigned char>(text[at + 1])))
            return std::nullopt;
        mac[i] = static_cast<uint8_t>(std::stoul(text.substr(at, 2), nullptr, 16));
        at += 2;
    }
    if (at != text.size()) return std::nullopt;
    return mac;
}

Ne2000::Ne2000(DeviceHost& host, const Ne2000Config& config)
    : m_host(host),
      m_irq_line(config.irq_line),
      m_latency_ns(config.latency_ns),
      m_wire("ne2000 '" + config.name + "'", config.udp_port, config.record_path),
      m_ram(reg::ram_bytes) {
    // The PROM of a word-wide card: each of its 16 bytes twice.
    std::array<uint8_t, reg::prom_bytes / 2> prom{};
    for (size_t i = 0; i < wire::mac_bytes; ++i) prom[i] = config.mac[i];
    prom[14] = prom[15] = 0x57;
    for (size_t i = 0; i < prom.size(); ++i) m_prom[2 * i] = m_prom[2 * i + 1] = prom[i];
    // As an RTL8029 loads its station address from its EEPROM at power-on.
    for (size_t i = 0; i < wire::mac_bytes; ++i) m_par[i] = config.mac[i];
    hardware_reset();
}

Ne2000::~Ne2000() {
    if (m_transmitting && !m_transmit_stuck) m_host.cancel(m_transmit_event);
}

// --- ports ---------------------------------------------------------------------------

uint32_t Ne2000::read(uint16_t offset, uint32_t width) {
    if (offset >= reg::io_size) return unmapped_read(width);
    if (offset >= reg::reset_port) {
        hardware_reset();
        return 0;
    }
    if (offset >= reg::data_port) return read_data_port(width) & width_mask(width);
    // The DP8390's registers are bytes: a wider access acts on the one at its offset.
    return read_register(offset);
}

void Ne2000::write(uint16_t offset, uint32_t width, uint32_t value) {
    if (offset >= reg::io_size || offset >= reg::reset_port) return;  // a write to the reset port does nothing
    if (offset >= reg::data_port) {
        write_data_port(width, value & width_mask(width));
        return;
    }
    write_register(offset, static_cast<uint8_t>(value));
}

uint8_t Ne2000::read_register(uint16_t offset) {
    if (offset == reg::cr) {
        // STP and STA read as the state the card is in, TXP while a frame is on the wire.
        return static_cast<uint8_t>(m_cr | (m_stopped ? reg::cr_stp : reg::cr_sta) | (m_transmitting ? reg::cr_txp : 0));
    }
    switch (page()) {
        case 0:
            switch (offset) {
                case reg::clda0: return static_cast<uint8_t>(m_local_dma);
                case reg::clda1: return static_cast<uint8_t>(m_local_dma >> 8);
                case reg::bnry: return m_bnry;
                case reg::tsr: return m_tsr;
                case reg::ncr: return 0;  // no collisions on this wire
                case reg::fifo: return 0;
                case reg::isr: return m_isr;
                case reg::crda0: return static_cast<uint8_t>(m_rsar);
                case reg::crda1: return static_cast<uint8_t>(m_rsar >> 8);
                case reg::id0: return reg::rtl8029_id0;
                case reg::id1: return reg::rtl8029_id1;
                case reg::rsr: return m_rsr;
                case reg::cntr0:
                case reg::cntr1:
                case reg::cntr2: {
                    // Reading a tally counter clears it.
                    uint8_t& counter = m_counters[offset - reg::cntr0];
                    const uint8_t value = counter;
                    counter = 0;
                    return value;
                }
                default: return 0xFF;
            }
        case 1:
            if (offset >= reg::par0 && offset < reg::par0 + wire::mac_bytes) return m_par[offset - reg::par0];
            if (offset == reg::curr) return m_curr;
            return m_mar[offset - reg::mar0];  // 0x08..0x0F
        case 2:
            switch (offset) {
                case reg::page2_pstart: return m_pstart;
                case reg::page2_pstop: return m_pstop;
                case reg::page2_tpsr: return m_tpsr;
                case reg::page2_rcr: return m_rcr;
                case reg::page2_tcr: return m_tcr;
                case reg::page2_dcr: return m_dcr;
                case reg::page2_imr: return m_imr;
                default: return 0xFF;
            }
        default: return 0;  // page 3: the RTL8029's configuration registers, not modelled
    }
}

void Ne2000::write_register(uint16_t offset, uint8_t value) {
    if (offset == reg::cr) {
        write_command(value);
        return;
    }
    switch (page()) {
        case 0:
            switch (offset) {
                case reg::pstart: m_pstart = value; break;
                case reg::pstop: m_pstop = value; break;
                case reg::bnry: m_bnry = value; break;
                case reg::tpsr: m_tpsr = value; break;
                case reg::tbcr0: m_tbcr = static_cast<uint16_t>((m_tbcr & 0xFF00) | value); break;
                case reg::tbcr1: m_tbcr = static_cast<uint16_t>((m_tbcr & 0x00FF) | (value << 8)); break;
                case reg::isr: m_isr &= static_cast<uint8_t>(~(value & reg::isr_interrupts)); break;
                case reg::rsar0: m_rsar = static_cast<uint16_t>((m_rsar & 0xFF00) | value); break;
                case reg::rsar1: m_rsar = static_cast<uint16_t>((m_rsar & 0x00FF) | (value << 8)); break;
                case reg::rbcr0: m_rbcr = static_cast<uint16_t>((m_rbcr & 0xFF00) | value); break;
                case reg::rbcr1: m_rbcr = static_cast<uint16_t>((m_rbcr & 0x00FF) | (value << 8)); break;
                case reg::rcr: m_rcr = value & 0x3F; break;
                case reg::tcr: m_tcr = value & 0x1F; break;
                case reg::dcr: m_dcr = value & 0x7F; break;
                case reg::imr: write_interrupt_mask(value & reg::isr_interrupts); break;
                default: break;
            }
            break;
        case 1:
            if (offset >= reg::par0 && offset < reg::par0 + wire::mac_bytes) {
                m_par[offset - reg::par0] = value;
            } else if (offset == reg::curr) {
                m_curr = value;
            } else {
                m_mar[offset - reg::mar0] = value;
            }
            break;
        default: break;  // page 2 is for reading back; page 3 is not modelled
    }
}

void Ne2000::write_command(uint8_t value) {
    m_cr = value & (reg::cr_page_mask | reg::cr_rd_mask);
    if (value & reg::cr_stp) {
        // Stopped: nothing is received; a transmit in flight still completes.
        m_stopped = true;
        m_isr |= reg::isr_rst;
    } else if (value & reg::cr_sta) {
        m_stopped = false;
        m_isr &= static_cast<uint8_t>(~reg::isr_rst);
    }
    const uint8_t remote = value & reg::cr_rd_mask;
    if ((remote == reg::cr_rd_read || remote == reg::cr_rd_write) && m_rbcr == 0) signal(reg::isr_rdc);
    if ((value & reg::cr_txp) && !m_stopped && !m_transmitting) start_transmit();
}

void Ne2000::write_interrupt_mask(uint8_t value) {
    const uint8_t turned_on = value & static_cast<uint8_t>(~m_imr);
    m_imr = value;
    // The line is an edge: a condition that arose while masked would
    // otherwise never be announced.
    if (turned_on & m_isr) m_host.raise_irq(m_irq_line);
}

void Ne2000::hardware_reset() {
    if (m_transmitting && !m_transmit_stuck) m_host.cancel(m_transmit_event);
    m_transmitting = false;
    m_transmit_stuck = false;
    m_transmit_fails = false;
    m_transmit_frame.clear();
    m_cr = reg::cr_power_on & (reg::cr_page_mask | reg::cr_rd_mask);
    m_stopped = true;
    m_isr = reg::isr_rst;
    m_imr = 0;
    m_dcr = 0;
    m_tcr = 0;
    m_tsr = 0;
    m_rsr = 0;
    m_rsar = 0;
    m_rbcr = 0;
    m_counters = {};
    // PAR, MAR, the ring pointers and the memory keep their values, as on the
    // DP8390; frames still on the wire arrive and are ignored: it is stopped.
}

// --- remote DMA ----------------------------------------------------------------------

bool Ne2000::remote_dma_active() const {
    const uint8_t remote = m_cr & reg::cr_rd_mask;
    return remote == reg::cr_rd_read || remote == reg::cr_rd_write;
}

uint32_t Ne2000::data_port_bytes(uint32_t width) const {
    if (width == 4 || width == 2) return width;
    if (width == 1) return (m_dcr & reg::dcr_wts) ? 2 : 1;
    return 4;  // a width no bus has: taken as 4, as width_mask() does
}

uint32_t Ne2000::read_data_port(uint32_t width) {
    if (!remote_dma_active()) return unmapped_read(width);
    const uint32_t bytes = data_port_bytes(width);
    uint32_t value = 0;
    for (uint32_t i = 0; i < bytes; ++i) {
        value |= uint32_t{memory_read(m_rsar)} << (8 * i);
        advance_remote(1);
    }
    if (m_rbcr != 0) {
        m_rbcr = m_rbcr > bytes ? static_cast<uint16_t>(m_rbcr - bytes) : 0;
        if (m_rbcr == 0) signal(reg::isr_rdc);
    }
    return value;
}

void Ne2000::write_data_port(uint32_t width, uint32_t value) {
    if (!remote_dma_active()) return;
    const uint32_t bytes = data_port_bytes(width);
    for (uint32_t i = 0; i < bytes; ++i) {
        memory_write(m_rsar, static_cast<uint8_t>(value >> (8 * i)));
        advance_remote(1);
    }
    if (m_rbcr != 0) {
        m_rbcr = m_rbcr > bytes ? static_cast<uint16_t>(m_rbcr - bytes) : 0;
        if (m_rbcr == 0) signal(reg::isr_rdc);
    }
}

void Ne2000::advance_remote(uint32_t bytes) {
    for (uint32_t i = 0; i < bytes; ++i) {
        ++m_rsar;
        // Remote DMA follows the receive ring round, so a driver reads a frame
        // that wraps as one block.
        if (m_pstart < m_pstop && m_rsar == uint16_t(m_pstop * reg::page_bytes))
            m_rsar = static_cast<uint16_t>(m_pstart * reg::page_bytes);
    }
}

uint8_t Ne2000::memory_read(uint16_t address) const {
    if (address < reg::prom_bytes) return m_prom[address];
    if (address >= reg::ram_start && address - reg::ram_start < reg::ram_bytes) return m_ram[address - reg::ram_start];
    return 0xFF;
}

void Ne2000::memory_write(uint16_t address, uint8_t value) {
    if (address >= reg::ram_start && address - reg::ram_start < reg::ram_bytes) m_ram[address - reg::ram_start] = value;
}

// --- transmit ------------------------------------------------------------------------

bool Ne2000::inject(DeviceFault fault, uint64_t seed) {
    return m_faults.arm(fault, seed);
}

void Ne2000::start_transmit() {
    m_transmit_frame.resize(m_tbcr);
    uint16_t address = static_cast<uint16_t>(m_tpsr * reg::page_bytes);
    for (uint16_t i = 0; i < m_tbcr; ++i) m_transmit_frame[i] = memory_read(address++);
    m_transmit_loopback = (m_tcr & reg::tcr_lb_mask) != 0;
    m_transmitting = true;
    m_transmit_fails = std::exchange(m_faults.error, false);
    if (std::exchange(m_faults.stuck, false)) {
        // TXP stays set: no completion is scheduled; only a reset ends it.
        m_transmit_event = {};
        m_transmit_stuck = true;
        return;
    }
    const uint64_t latency = std::exchange(m_faults.slow, false) ? 10 * m_latency_ns : m_latency_ns;
    m_transmit_event = m_host.schedule(m_host.now_ns() + latency, [this] { complete_transmit(); });
}

void Ne2000::complete_transmit() {
    m_transmitting = false;
    std::vector<uint8_t> frame = std::move(m_transmit_frame);
    m_transmit_frame.clear();
    if (std::exchange(m_transmit_fails, false)) {
        // As after sixteen collisions: aborted, nothing went out.
        m_tsr = reg::tsr_abt;
        signal(reg::isr_txe);
        return;
    }
    m_tsr = reg::tsr_ptx;
    if (m_transmit_loopback) {
        ++m_statistics.looped_back;
        receive_frame(frame);
    } else {
        put_on_wire(frame);
    }
    signal(m_tsr & reg::tsr_abt ? reg::isr_txe : reg::isr_ptx);
}

void Ne2000::put_on_wire(const std::vector<uint8_t>& frame) {
    wire::Decoded decoded;
    uint8_t peer = 0;
    if (!wire::decode(frame.data(), frame.size(), decoded) || !wire::peer_of(decoded.destination, peer)) {
        ++m_statistics.not_for_the_wire;
        return;
    }
    switch (m_wire.send(peer, decoded.payload, decoded.payload_bytes)) {
        case UdpWire::SendResult::sent: ++m_statistics.sent_to_host; break;
        case UdpWire::SendResult::unknown_peer: ++m_statistics.unknown_peer; break;
        case UdpWire::SendResult::refused:
            ++m_statistics.refused_by_host;
            m_tsr = reg::tsr_abt;
            break;
    }
}

void Ne2000::finish() {
    // The run is over before the last transmit's latency has passed: send it
    // now rather than lose it.
    if (m_transmitting && !m_transmit_stuck) {
        m_host.cancel(m_transmit_event);
        complete_transmit();
    }
    m_wire.flush();
}

// --- receive -------------------------------------------------------------------------

void Ne2000::host_input_ready() {
    m_wire.deliver_later(m_host, m_latency_ns,
                         [this](uint8_t peer, std::vector<uint8_t> datagram) { on_datagram(peer, datagram); });
}

void Ne2000::on_datagram(uint8_t peer, const std::vector<uint8_t>& datagram) {
    if (datagram.size() > wire::max_payload_bytes) {
        ++m_statistics.oversized;
        return;
    }
    uint8_t source[wire::mac_bytes];
    wire::peer_mac(peer, source);
    std::vector<uint8_t> frame(wire::max_frame_bytes);
    const size_t length =
        wire::encode(m_par.data(), source, datagram.data(), datagram.size(), frame.data(), frame.size());
    frame.resize(length);
    receive_frame(std::move(frame));
}

void Ne2000::receive_frame(std::vector<uint8_t> frame) {
    if (m_stopped) {
        ++m_statistics.while_stopped;
        return;
    }
    // Shorter than Ethernet's minimum only in loopback (the wire's frames are
    // padded already): padded as a sending card would.
    if (frame.size() < wire::min_frame_bytes) frame.resize(wire::min_frame_bytes, 0);
    const uint8_t* destination = frame.data();
    if (!accepts(destination)) {
        ++m_statistics.filtered;
        return;
    }
    const bool group = (destination[0] & 1u) != 0;
    if (m_rcr & reg::rcr_mon) {
        m_rsr = reg::rsr_mpa | reg::rsr_dis | (group ? reg::rsr_phy : 0);
        count_missed();
        return;
    }
    if (m_pstart >= m_pstop || m_pstart < reg::ram_first_page || m_pstop > reg::ram_end_page) {
        m_rsr = reg::rsr_mpa;
        count_missed();
        return;
    }
    const uint32_t ring_pages = m_pstop - m_pstart;
    const uint32_t total = reg::header_bytes + static_cast<uint32_t>(frame.size());
    const uint32_t pages = (total + reg::page_bytes - 1) / reg::page_bytes;
    const uint32_t current = (m_curr >= m_pstart && m_curr < m_pstop) ? m_curr : m_pstart;
    // The pages up to BNRY are the driver's still; the frame may not reach it.
    // (BNRY == CURR: full; BNRY one page behind CURR: empty, ring_pages - 1 free.)
    const int64_t distance = int64_t{m_bnry} - int64_t{current};
    const auto free_pages = static_cast<uint32_t>(((distance % ring_pages) + ring_pages) % ring_pages);
    if (pages > free_pages) {
        m_rsr = reg::rsr_mpa;
        count_missed();
        signal(reg::isr_ovw);
        return;
    }
    uint32_t next = current + pages;
    if (next >= m_pstop) next -= ring_pages;
    m_rsr = reg::rsr_prx | (group ? reg::rsr_phy : 0);
    const uint8_t header[reg::header_bytes] = {m_rsr, static_cast<uint8_t>(next), static_cast<uint8_t>(total & 0xFF),
                                               static_cast<uint8_t>(total >> 8)};
    uint32_t address = current * reg::page_bytes;
    const uint32_t ring_end = uint32_t{m_pstop} * reg::page_bytes;
    auto store = [&](uint8_t byte) {
        memory_write(static_cast<uint16_t>(address), byte);
        if (++address == ring_end) address = uint32_t{m_pstart} * reg::page_bytes;
    };
    if (std::exchange(m_faults.corrupt, false)) frame[m_faults.corrupt_seed % frame.size()] ^= 0xFF;
    for (uint8_t byte : header) store(byte);
    for (uint8_t byte : frame) store(byte);
    m_local_dma = static_cast<uint16_t>(address);
    m_curr = static_cast<uint8_t>(next);
    ++m_statistics.stored;
    signal(reg::isr_prx);
}

bool Ne2000::accepts(const uint8_t* destination) const {
    if (is_broadcast(destination)) return (m_rcr & reg::rcr_ab) || ((m_rcr & reg::rcr_am) && hash_hit(destination));
    if (destination[0] & 1u) return (m_rcr & reg::rcr_am) && hash_hit(destination);
    return (m_rcr & reg::rcr_pro) || wire::same_mac(destination, m_par.data());
}

bool Ne2000::hash_hit(const uint8_t* destination) const {
    const uint32_t index = multicast_crc(destination) >> 26;
    return (m_mar[index >> 3] >> (index & 7)) & 1u;
}

void Ne2000::count_missed() {
    ++m_statistics.missed;
    bump_counter(m_counters[2]);
}

void Ne2000::bump_counter(uint8_t& counter) {
    if (counter < reg::counter_saturation) ++counter;
    if (counter & 0x80) signal(reg::isr_cnt);
}

// --- interrupts ----------------------------------------------------------------------

void Ne2000::signal(uint8_t isr_bits) {
    m_isr |= isr_bits;
    if (isr_bits & m_imr) m_host.raise_irq(m_irq_line);
}

}  // namespace axl::sim

// ---- kind = "ne2000" ----

namespace axl::sim {
namespace {

constexpr DeviceKey udp_port_key{"udp_port", DeviceKey::Type::integer, 0, 65535};
constexpr DeviceKey latency_key{"latency", DeviceKey::Type::duration};
constexpr DeviceKey record_key{"record", DeviceKey::Type::string};
constexpr DeviceKey mac_key{"mac", DeviceKey::Type::string};
constexpr DeviceKey ne2000_keys[] = {udp_port_key, latency_key, record_key, mac_key};

std::any read_ne2000(const DeviceTable& table) {
    Ne2000Config config;
    table.read(udp_port_key, config.udp_port);
    table.read(latency_key, config.latency_ns);
    if (auto record = table.string(record_key)) config.record_path = table.resolve(*record);
    if (auto text = table.string(mac_key)) {
        const std::optional<MacAddress> mac = parse_mac(*text);
        if (!mac)
            table.fail(table.line(mac_key), "mac = \"" + *text +
                                                "\" is not a MAC address (six hex bytes separated by ':', as \"" +
                                                "02:41:58:4c:00:01\")");
        if ((*mac)[0] & 1u)
            table.fail(table.line(mac_key),
                       "mac = \"" + *text + "\" is a group address (first byte odd): a station address is unicast");
        uint8_t tag = 0;
        if (wire::peer_of(mac->data(), tag))
            table.fail(table.line(mac_key), "mac = \"" + *text +
                                                "\" is the address of host peer " + std::to_string(tag) +
                                                " on the UDP wire (02:00:00:00:00:00..3f are the peers')");
        config.mac = *mac;
    }
    return config;
}

std::unique_ptr<Device> make_ne2000(const DeviceDescription& device, DeviceHost& host) {
    Ne2000Config config = device.settings_as<Ne2000Config>();
    config.name = device.name;
    config.irq_line = device.irq;
    return std::make_unique<Ne2000>(host, config);
}

// ne2k-pci, as QEMU's ne2k_pci: a Realtek RTL8029 (10ec:8029) whose 32
// registers are I/O BAR 0 and whose interrupt is INTA#. Linux's ne2k-pci
// drives it (docs/linux-drivers.md).
constexpr PciProfile ne2k_pci_profile{
    .vendor = 0x10ec,
    .device = 0x8029,
    .class_code = 0x020000,  // network controller, Ethernet
    .bars = {PciBarLayout{PciBarLayout::Type::io, hw::ne2000::io_size}},
};

std::unique_ptr<Device> make_ne2k_pci(const DeviceDescription& device, DeviceHost& host) {
    return wrap_port_device(ne2k_pci_profile, host, device.irq,
                            [&](DeviceHost& bus) { return make_ne2000(device, bus); });
}

}  // namespace

extern constexpr DeviceKind ne2000_kind{
    .name = "ne2000",
    .description = "NE2000 network card (DP8390): Ethernet frames carrying UDP datagrams on 127.0.0.1",
    .registers = "hw/ne2000.h",
    .io_size = hw::ne2000::io_size,
    .io_base = 0x300,
    .irq = Ne2000Config::default_irq_line,
    .keys = ne2000_keys,
    .read = read_ne2000,
    .make = make_ne2000,
};

extern constexpr DeviceKind ne2k_pci_kind{
    .name = "ne2k-pci",
    .description = "NE2000 PCI network card (RTL8029, PCI 10ec:8029): the ne2000 card behind I/O BAR 0 and INTA#",
    .registers = "hw/ne2000.h",
    .io_size = 0,
    .io_base = 0,
    .irq = 5,  // apart from the ISA card's 10, so both can be in one system
    .keys = ne2000_keys,
    .read = read_ne2000,
    .make = make_ne2k_pci,
    .pci = &ne2k_pci_profile,
};

}  // namespace axl::sim
