// dma_check: a driver's DMA buffer, end to end, against QEMU's edu device
// (hw/edu.h; hosted: its model, sim/machine/edu.cc). The driver finds the
// device through the PCI server, which grants it the BAR and the line; it
// allocates a DMA buffer (dma_alloc), fills it with a pattern drawn from the
// run's seed, has edu's DMA engine copy it into the device's buffer, zeroes
// its own, has the engine copy it back, and compares: once waiting for each
// transfer by polling the command register, once by the completion
// interrupt (INTx on the line the server reported, a notification from
// endpoints::hardware). The same source runs on both ports: on bare metal
// the buffer's bus address is its physical address, hosted it names the
// buffer's grant to endpoints::hardware.
#include <cstdint>

#include "hw/edu.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/pci.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;
namespace reg = axl::hw::edu;

constexpr ProgramOption server_option = string_option("pci_server", "pci", "the PCI server's name");
constexpr ProgramOption bytes_option = integer_option("bytes", reg::transfer_bytes_max, 1, reg::transfer_bytes_max,
                                                     "bytes each transfer moves (at most 4095: QEMU 7.2, hw/edu.h)");
constexpr ProgramOption timeout_option =
    integer_option("timeout_ms", 2000, 1, 60'000, "how long a transfer may take before the check fails");

constexpr uint32_t pci_command = 0x04;
constexpr uint32_t command_memory = 1u << 1;
constexpr uint32_t command_master = 1u << 2;  // the device may start DMA
constexpr uint64_t poll_interval_ns = 1'000'000;

class DmaCheck {
public:
    DmaCheck()
        : m_bytes(static_cast<uint32_t>(option_int(bytes_option))),
          m_timeout_ns(static_cast<uint64_t>(option_int(timeout_option)) * 1'000'000) {}

    void setup() {
        const Endpoint server = lookup_or_fail(option_string(server_option));
        pci::DeviceInfo device;
        check_ok(pci::device_info(server, 0, device), "ask the PCI server for the device");
        if (device.vendor != reg::vendor || device.device != reg::device)
            fail("device 0: expected edu (%04x:%04x), got %04x:%04x", reg::vendor, reg::device, device.vendor,
                 device.device);
        pci::BarInfo bar;
        check_ok(pci::bar_info(server, device.address, 0, bar), "ask for BAR 0");
        if (bar.is_io() || bar.size < reg::bar0_size)
            fail("BAR 0: expected 1 MiB of memory, got %llu bytes (flags %#llx)", ull(bar.size), ull(bar.flags));
        m_base = bar.base;
        uint32_t command = 0;
        check_ok(pci::read_config(server, device.address, pci_command, 2, command), "read the command register");
        check_ok(pci::write_config(server, device.address, pci_command, 2, command | command_memory | command_master),
                 "enable memory decoding and bus mastering");
        if (read(reg::identification) != reg::identification_value)
            fail("identification: expected %#x, got %#x", reg::identification_value, read(reg::identification));
        const uint32_t probe = static_cast<uint32_t>(random_u64());
        write(reg::liveness, probe);
        if (read(reg::liveness) != ~probe) fail("liveness: wrote %#x, expected %#x back", probe, ~probe);

        check_ok(dma_alloc(m_bytes, m_buffer), "dma_alloc");
        if (m_buffer.bytes < m_bytes || m_buffer.bus == 0 || m_buffer.bus + m_buffer.bytes > (reg::default_dma_mask + 1))
            fail("DMA buffer: %llu bytes at bus %#llx; expected at least %u, below 256 MiB", ull(m_buffer.bytes),
                 ull(m_buffer.bus), m_bytes);
        const uint8_t* memory = static_cast<const uint8_t*>(m_buffer.address);
        for (uint64_t i = 0; i < m_buffer.bytes; ++i)
            if (memory[i] != 0) fail("DMA buffer byte %llu: expected 0 (zeroed), got %#x", ull(i), memory[i]);

        if (device.interrupt_pin == 0) fail("edu reports no interrupt pin");
        m_line = device.irq_line;
        check_ok(irq_attach(m_line), "attach edu's line");
    }

    void run() {
        round_trip(false);
        round_trip(true);
    }

    void check() const {
        log("ok: %u bytes through edu's DMA engine, both ways, polled and with %u interrupts (line %u); buffer at bus "
            "address %#llx",
            m_bytes, m_interrupts, m_line, ull(m_buffer.bus));
    }

private:
    uint32_t read(uint32_t offset) const {
        uint32_t value = 0;
        check_ok(mmio_read(m_base + offset, value), "read an edu register");
        return value;
    }
    void write(uint32_t offset, uint32_t value) const {
        check_ok(mmio_write(m_base + offset, value), "write an edu register");
    }

    // RAM -> device, then device -> RAM into the zeroed buffer: the pattern
    // comes back only if it went through the device both ways.
    void round_trip(bool by_interrupt) {
        uint8_t* memory = static_cast<uint8_t*>(m_buffer.address);
        uint8_t pattern[reg::transfer_bytes_max];
        uint64_t bits = 0;
        for (uint32_t i = 0; i < m_bytes; ++i) {
            if (i % 8 == 0) bits = random_u64();
            pattern[i] = static_cast<uint8_t>(bits >> (i % 8 * 8));
            memory[i] = pattern[i];
        }
        transfer(m_buffer.bus, reg::buffer_address, 0, by_interrupt);
        for (uint32_t i = 0; i < m_bytes; ++i) memory[i] = 0;
        transfer(reg::buffer_address, m_buffer.bus, reg::command_to_ram, by_interrupt);
        for (uint32_t i = 0; i < m_bytes; ++i)
            if (memory[i] != pattern[i])
                fail("%s: byte %u came back %#x, expected %#x", by_interrupt ? "by interrupt" : "polled", i, memory[i],
                     pattern[i]);
    }

    void transfer(uint64_t source, uint64_t destination, uint32_t direction, bool by_interrupt) {
        write(reg::dma_source, static_cast<uint32_t>(source));
        write(reg::dma_destination, static_cast<uint32_t>(destination));
        write(reg::dma_count, m_bytes);
        write(reg::dma_command, reg::command_start | direction | (by_interrupt ? reg::command_interrupt : 0));
        if (by_interrupt)
            wait_for_interrupt();
        else
            poll();
        if (read(reg::dma_command) & reg::command_start) fail("the transfer is still running after completing");
    }

    void poll() const {
        for (uint64_t waited = 0; read(reg::dma_command) & reg::command_start; waited += poll_interval_ns) {
            if (waited >= m_timeout_ns) fail("polled: edu's DMA did not complete within %llu ns", ull(m_timeout_ns));
            check_ok(compute(poll_interval_ns), "wait between polls");
        }
    }

    void wait_for_interrupt() {
        check_ok(set_alarm(m_timeout_ns), "arm the timeout");
        Message m;
        check_ok(receive(endpoints::any, m), "wait for edu's interrupt");
        if (m.source == endpoints::clock) fail("no interrupt from edu within %llu ns", ull(m_timeout_ns));
        if (m.source != endpoints::hardware || !((irq_lines_of(m) >> m_line) & 1))
            fail("expected edu's interrupt on line %u, got a message of type %#x", m_line, m.type);
        check_ok(set_alarm(0), "cancel the timeout");
        const uint32_t status = read(reg::interrupt_status);
        if (!(status & reg::dma_interrupt)) fail("interrupt status %#x: expected the DMA bit %#x", status, reg::dma_interrupt);
        write(reg::interrupt_acknowledge, status);
        check_ok(irq_enable(m_line), "enable the line again");
        ++m_interrupts;
    }

    uint32_t m_bytes;
    uint64_t m_timeout_ns;
    uint64_t m_base = 0;
    uint32_t m_line = 0;
    uint32_t m_interrupts = 0;
    DmaBuffer m_buffer;
};

}  // namespace

AXL_PROGRAM(dma_check, "moves a seed-derived pattern through edu's DMA engine both ways, polled and by interrupt",
            server_option, bytes_option, timeout_option) {
    return run_workload<DmaCheck>();
}
