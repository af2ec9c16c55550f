// An NE2000-compatible network card: a National DP8390 core with 32 KiB of
// buffer RAM and a station address PROM behind the NE2000's data and reset
// ports, as the RTL8029 has them on PCI (registers and memory map in
// hw/ne2000.h). Its behaviour is what Linux's ne2k-pci and 8390 library (and
// any NE2000 driver written to the datasheet) rely on; QEMU's ne2000 model
// was the behavioural reference. Its wire is the UDP wire (sim/machine/
// udp_wire.h) with datagrams carried in Ethernet frames (hw/ether_wire.h).
//
// Receive: host_input_ready() drains the socket; each datagram gets its
// sender's peer tag at once and arrives at now + latency_ns (virtual time) as
// the frame peer_mac(tag) -> the station address (PAR0..5). Then, unless the
// card is stopped, the frame passes the address filter (RCR: PAR match,
// broadcast, multicast through the MAR hash, promiscuous), and is stored at
// CURR behind its 4-byte header (status, next page, byte count), wrapping
// from PSTOP to PSTART, with ISR PRX. A frame that does not fit before BNRY
// is lost: ISR OVW, CNTR2 and RSR MPA. Monitor mode (RCR MON) counts
// accepted frames in CNTR2 and stores none.
//
// Transmit: CR TXP takes TBCR bytes from page TPSR at once and holds TXP for
// latency_ns, then puts the frame on the wire: one to peer_mac(T) with the
// wire's EtherType goes to peer T as one datagram; any other frame (a
// broadcast, ARP, an unknown peer) is counted and dropped, as a frame no one
// listens to is on a real Ethernet. TSR PTX and ISR PTX either way; TSR ABT
// and ISR TXE when the host refuses the datagram. In loopback (TCR LB) the
// frame goes to the card's own receiver instead. finish() completes a
// transmit still in flight, so a frame queued just before the run ends is
// not lost.
//
// Remote DMA through the data port: a read or write command (CR RD) moves
// bytes at RSAR (advancing, wrapping from PSTOP to PSTART in the ring) and
// counts RBCR down; reaching 0 raises ISR RDC. A 4-byte access moves 4 bytes,
// a 2-byte access 2, a 1-byte access 2 in word mode (DCR WTS: the low byte is
// the one read, or the one written, the high byte 0) and 1 otherwise. With no
// remote command active, data port reads return all ones and writes are
// ignored. Transfers go on past the count (as the NE2000's probe reads 32
// bytes of a 16-word PROM), without raising RDC again.
//
// Interrupts: ISR & IMR (bits 0..6) is the interrupt condition. The line is
// an edge (device.h): raised whenever an event sets an enabled ISR bit (even
// if it was set already), and when an IMR write enables a bit already set,
// so a driver that acknowledges before it handles misses nothing.
// interrupt_asserted() is the level, for a wrapper (PCI INTx) that wants one.
//
// Nothing a driver writes can crash the model: every memory address is
// bounded (outside the PROM and the RAM reads give 0xFF, writes vanish),
// a ring out of the RAM or empty (PSTART >= PSTOP) loses frames as missed,
// CURR outside the ring restarts at PSTART.
//
// Injected faults (inject(), sim/harness/fault_injector.h) act on the next
// transmit, or for corrupt_dma on the next frame stored.
//
// The host must outlive the card: the destructor cancels its pending events.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/ether_wire.h"
#include "hw/ne2000.h"
#include "sim/machine/armed_faults.h"
#include "sim/machine/device.h"
#include "sim/machine/udp_wire.h"

namespace axl::sim {

using MacAddress = std::array<uint8_t, hw::ether_wire::mac_bytes>;

struct Ne2000Config {
    std::string name = "ne2000";  // names the card in its log line and recording
    static constexpr uint32_t default_irq_line = 10;
    uint32_t irq_line = default_irq_line;
    uint16_t udp_port = 0;  // bind 127.0.0.1:udp_port; 0: any free port (see bound_port())
    uint64_t latency_ns = 10'000;
    std::string record_path{};  // "": no recording; else a file, created or truncated
    // The station address in the PROM (and PAR0..5 at power-on).
    MacAddress mac = {hw::ether_wire::default_station_mac[0], hw::ether_wire::default_station_mac[1],
                      hw::ether_wire::default_station_mac[2], hw::ether_wire::default_station_mac[3],
                      hw::ether_wire::default_station_mac[4], hw::ether_wire::default_station_mac[5]};
};

// "02:41:58:4c:00:01" (hex, either case): the address, or nullopt when `text`
// is not six ':'-separated hex bytes.
std::optional<MacAddress> parse_mac(const std::string& text);

class Ne2000 final : public Device {
public:
    // What happened to frames, beyond the DP8390's own counters (which a
    // driver reads and clears): for tests and diagnostics.
    struct Statistics {
        uint64_t sent_to_host = 0;        // datagrams the wire took
        uint64_t not_for_the_wire = 0;    // transmitted frames that name no peer or are not the wire's
        uint64_t unknown_peer = 0;        // transmitted to a peer tag the wire has no address for
        uint64_t refused_by_host = 0;     // the host did not take the datagram (TSR ABT)
        uint64_t looped_back = 0;         // transmitted in loopback mode
        uint64_t stored = 0;              // frames written into the receive ring
        uint64_t filtered = 0;            // frames the address filter refused
        uint64_t missed = 0;              // accepted but not stored (no room, monitor mode, no ring)
        uint64_t while_stopped = 0;       // arrived while the card was stopped
        uint64_t oversized = 0;           // datagrams above hw::ether_wire::max_payload_bytes
    };

    // Throws std::runtime_error when the socket cannot be bound or the
    // recording cannot be created.
    Ne2000(DeviceHost& host, const Ne2000Config& config);
    ~Ne2000() override;
    Ne2000(const Ne2000&) = delete;
    Ne2000& operator=(const Ne2000&) = delete;

    uint16_t io_size() const override { return hw::ne2000::io_size; }
    uint32_t read(uint16_t offset, uint32_t width) override;
    void write(uint16_t offset, uint32_t width, uint32_t value) override;
    void finish() override;
    int host_fd() const override { return m_wire.fd(); }
    void host_input_ready() override;
    // error: the next transmit aborts (TSR ABT, ISR TXE; nothing is sent);
    // stuck_busy: the next transmit never completes (TXP stays set until the
    // reset port is read); corrupt_dma: the next frame stored in the ring has
    // one byte flipped (which: `seed`); slow: the next transmit takes ten
    // times the latency.
    bool inject(DeviceFault fault, uint64_t seed) override;

    uint16_t bound_port() const { return m_wire.bound_port(); }
    bool interrupt_asserted() const { return (m_isr & m_imr & hw::ne2000::isr_interrupts) != 0; }
    const Statistics& statistics() const { return m_statistics; }

private:
    uint8_t page() const { return static_cast<uint8_t>((m_cr & hw::ne2000::cr_page_mask) >> hw::ne2000::cr_page_shift); }
    uint8_t read_register(uint16_t offset);
    void write_register(uint16_t offset, uint8_t value);
    void write_command(uint8_t value);
    void write_interrupt_mask(uint8_t value);
    void hardware_reset();

    // Remote DMA and the card's memory.
    bool remote_dma_active() const;
    uint32_t read_data_port(uint32_t width);
    void write_data_port(uint32_t width, uint32_t value);
    uint32_t data_port_bytes(uint32_t width) const;
    void advance_remote(uint32_t bytes);
    uint8_t memory_read(uint16_t address) const;
    void memory_write(uint16_t address, uint8_t value);

    // Transmit.
    void start_transmit();
    void complete_transmit();
    void put_on_wire(const std::vector<uint8_t>& frame);

    // Receive.
    void on_datagram(uint8_t peer, const std::vector<uint8_t>& datagram);
    void receive_frame(std::vector<uint8_t> frame);
    bool accepts(const uint8_t* destination) const;
    bool hash_hit(const uint8_t* destination) const;
    void count_missed();
    void bump_counter(uint8_t& counter);

    void signal(uint8_t isr_bits);

    DeviceHost& m_host;
    const uint32_t m_irq_line;
    const uint64_t m_latency_ns;
    UdpWire m_wire;

    // DP8390 registers.
    uint8_t m_cr = 0;  // CR's page and remote DMA bits; STP/STA read from m_stopped, TXP from m_transmitting
    bool m_stopped = true;
    uint8_t m_isr = hw::ne2000::isr_rst;
    uint8_t m_imr = 0;
    uint8_t m_dcr = 0;
    uint8_t m_tcr = 0;
    uint8_t m_rcr = 0;
    uint8_t m_tsr = 0;
    uint8_t m_rsr = 0;
    uint8_t m_pstart = 0;
    uint8_t m_pstop = 0;
    uint8_t m_bnry = 0;
    uint8_t m_curr = 0;
    uint8_t m_tpsr = 0;
    uint16_t m_tbcr = 0;
    uint16_t m_rsar = 0;  // the current remote DMA address (CRDA reads it)
    uint16_t m_rbcr = 0;  // remote bytes left
    uint16_t m_local_dma = 0;  // where the last stored frame ended (CLDA)
    std::array<uint8_t, 3> m_counters{};  // CNTR0..2
    std::array<uint8_t, hw::ether_wire::mac_bytes> m_par{};
    std::array<uint8_t, 8> m_mar{};

    std::array<uint8_t, hw::ne2000::prom_bytes> m_prom{};
    std::vector<uint8_t> m_ram;

    // The frame in flight (TXP), taken from the RAM when TXP was written.
    bool m_transmitting = false;
    bool m_transmit_stuck = false;  // struck by stuck_busy: no completion is scheduled
    bool m_transmit_loopback = false;
    std::vector<uint8_t> m_transmit_frame;
    EventQueue::Id m_transmit_event{};


    // Injected faults, armed for the next transmit (or stored frame).
    ArmedFaults m_faults;
    bool m_transmit_fails = false;  // the transmit in flight was struck by an armed error

    Statistics m_statistics;
};

}  // namespace axl::sim
