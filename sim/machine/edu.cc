#include "sim/machine/edu.h"

#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"

namespace axl::sim {

namespace reg = hw::edu;

// As QEMU's: its own ids (no subsystem ids), INTA#, one 1-MiB memory BAR.
constexpr PciProfile edu_profile{
    .vendor = reg::vendor,
    .device = reg::device,
    .subsystem_vendor = 0,
    .subsystem_device = 0,
    .class_code = reg::class_code,
    .revision = reg::revision,
    .interrupt_pin = 1,
    .bars = {PciBarLayout{PciBarLayout::Type::memory, reg::bar0_size}},
};

Edu::Edu(DeviceHost& host, uint32_t irq) : PciFunction(edu_profile, host, irq) {}

uint32_t Edu::bar_read(uint32_t bar, uint32_t offset, uint32_t width) {
    // QEMU answers only 32-bit accesses (and 64-bit ones from 0x80 on).
    if (bar != 0 || width != 4) return 0xFFFF'FFFFu;
    switch (offset) {
        case reg::identification: return reg::identification_value;
        case reg::liveness: return m_liveness;
        case reg::interrupt_status: return m_interrupt_status;
        case reg::dma_source: return static_cast<uint32_t>(m_source);
        case reg::dma_destination: return static_cast<uint32_t>(m_destination);
        case reg::dma_count: return static_cast<uint32_t>(m_count);
        case reg::dma_command: return static_cast<uint32_t>(m_command);
        default: return offset < reg::dma_source ? 0 : 0xFFFF'FFFFu;
    }
}

void Edu::bar_write(uint32_t bar, uint32_t offset, uint32_t width, uint32_t value) {
    if (bar != 0 || width != 4) return;
    const bool running = m_command & reg::command_start;
    switch (offset) {
        case reg::liveness: m_liveness = ~value; break;
        case reg::interrupt_raise: raise(value); break;
        case reg::interrupt_acknowledge: lower(value); break;
        // The DMA registers do not change while a transfer is pending.
        case reg::dma_source: if (!running) m_source = value; break;
        case reg::dma_destination: if (!running) m_destination = value; break;
        case reg::dma_count: if (!running) m_count = value; break;
        case reg::dma_command:
            if (running || !(value & reg::command_start)) break;
            m_command = value;
            host().schedule(host().now_ns() + reg::dma_delay_ns, [this] { run_dma(); });
            break;
        default: break;
    }
}

void Edu::run_dma() {
    if (!(m_command & reg::command_start)) return;
    // QEMU checks the device side against its buffer: 7.2 stops the machine
    // when a transfer is outside it, or reaches its last byte (hw/edu.h);
    // here such a transfer moves nothing and is a device event.
    const bool to_ram = m_command & reg::command_to_ram;
    const uint64_t device_side = to_ram ? m_source : m_destination;
    const uint64_t bus = (to_ram ? m_destination : m_source) & reg::default_dma_mask;
    const bool inside = device_side >= reg::buffer_address && m_count <= reg::transfer_bytes_max &&
                        device_side - reg::buffer_address <= reg::transfer_bytes_max - m_count;
    if (!inside) {
        host().device_event(*this, "dma out of range");
        m_command &= ~uint64_t{reg::command_start};
        return;
    }
    uint8_t* buffer = m_buffer.data() + (device_side - reg::buffer_address);
    const Status status = to_ram ? host().dma_write_bus(*this, bus, buffer, m_count)
                                 : host().dma_read_bus(*this, bus, buffer, m_count);
    if (status == Status::ok)
        ++m_transfers;
    else
        host().device_event(*this, "dma refused");
    m_command &= ~uint64_t{reg::command_start};
    if (m_command & reg::command_interrupt) raise(reg::dma_interrupt);
}

void Edu::raise(uint32_t bits) {
    m_interrupt_status |= bits;
    if (m_interrupt_status) raise_intx();
}

void Edu::lower(uint32_t bits) {
    m_interrupt_status &= ~bits;
    if (!m_interrupt_status) clear_intx();
}

// ---- kind = "edu" ----

namespace {

std::unique_ptr<Device> make_edu(const DeviceDescription& device, DeviceHost& host) {
    return std::make_unique<Edu>(host, device.irq);
}

}  // namespace

extern constexpr DeviceKind edu_kind{
    .name = "edu",
    .description = "QEMU's educational device (PCI 1234:11e8): a DMA engine between RAM and its 4-KiB buffer",
    .registers = "hw/edu.h",
    .io_size = 0,
    .io_base = 0,
    .irq = 12,  // a line no other kind takes by default (QEMU's PC routes it to 10 or 11)
    .keys = {},
    .read = nullptr,
    .make = make_edu,
    .pci = &edu_profile,
};

}  // namespace axl::sim
