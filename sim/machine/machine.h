// Machine: the hosted port's hardware. Holds the simulated devices on the I/O
// port bus, the interrupt controller between them and the kernel, the
// kernel's one-shot timer, and DMA through grants; it is the DeviceHost every
// device model sees. The platform functions of kernel/platform.h that touch
// hardware (io_read, irq_mask, timer_arm, ...) land here.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/machine/device.h"
#include "sim/machine/interrupt_controller.h"
#include "sim/machine/pci_bus.h"
#include "sim/machine/pci_function.h"

namespace axl {
struct Port;
}

namespace axl::sim {

class Machine final : public DeviceHost {
public:
    explicit Machine(Port& port);
    ~Machine() override;

    // Boot: a device at ports [base, base + device->io_size()). The caller
    // (the simulator, from the system description) checked for overlaps.
    void attach(std::string name, uint16_t base, std::unique_ptr<Device> device);
    // Boot: a PCI function (the model of a PCI kind) at `address` on bus 0,
    // with the BAR bases the firmware assigned (sim/machine/pci_firmware.h)
    // programmed and decoding enabled. The first one brings the bus and its
    // configuration ports 0xCF8..0xCFF.
    void attach_pci(std::string name, PciAddress address, const std::array<uint32_t, pci_bar_count>& bars,
                    std::unique_ptr<Device> device);
    bool has_devices() const { return !m_devices.empty(); }
    PciBus* pci_bus() const { return m_pci.get(); }

    // The platform side (kernel/platform.h).
    uint32_t io_read(uint16_t port, uint32_t width);
    void io_write(uint16_t port, uint32_t width, uint32_t value);
    // Physical memory-mapped I/O space: the PCI bus's memory BARs. Nothing
    // there reads as all ones.
    uint32_t mmio_read(uint64_t address, uint32_t width);
    void mmio_write(uint64_t address, uint32_t width, uint32_t value);
    void irq_mask(uint32_t line) { m_controller.mask(line); }
    void irq_unmask(uint32_t line) { m_controller.unmask(line, now_ns()); }
    void timer_arm(uint64_t at_ns);
    const InterruptController& controller() const { return m_controller; }
    InterruptController& controller() { return m_controller; }
    // The device attached under `name`, or nullptr.
    Device* device(const std::string& name) const;

    // The event loop tells the time of the event it fires next.
    void set_event_time(uint64_t ns) { m_event_now_ns = ns; }
    // When every CPU is idle and nothing is due: devices with host input
    // (sockets, a terminal) may wait for it in wall time. False if none has
    // any host input to wait for; otherwise waits up to `timeout_ms` and
    // hands what arrived to its device (as events at `virtual_now_ns`).
    bool has_host_input() const;
    void wait_for_host_input(int timeout_ms, uint64_t virtual_now_ns);
    // The run is over: devices push out what is in flight.
    void finish();

    // Device events so far, in order (DeviceHost::device_event).
    struct DeviceEvent {
        uint64_t at_ns = 0;
        std::string device;  // its [[device]] name
        std::string what;
    };
    const std::vector<DeviceEvent>& device_events() const { return m_device_events; }

    // DeviceHost
    void device_event(const Device& device, std::string_view what) override;
    void request_stop(const Device& device, std::string_view why) override;
    // Why a device stopped the run ("eth0: ..."), or empty.
    const std::string& stop_requested() const { return m_stop_requested; }
    uint64_t now_ns() const override;
    EventQueue::Id schedule(uint64_t at_ns, EventQueue::Action action) override;
    bool cancel(EventQueue::Id id) override;
    void raise_irq(uint32_t line) override { m_controller.raise(line, now_ns()); }
    Status dma_read(GrantId grant, uint64_t offset, void* to, size_t bytes) override;
    Status dma_write(GrantId grant, uint64_t offset, const void* from, size_t bytes) override;
    Status dma_read_bus(const Device& device, uint64_t bus, void* to, size_t bytes) override;
    Status dma_write_bus(const Device& device, uint64_t bus, const void* from, size_t bytes) override;

    // DMA buffers (platform::dma_allocate): `bytes` of zeroed host memory for
    // the process in `slot`, at a page-aligned bus address below 256 MiB that
    // this machine maps to `window` (the kernel's grant of the buffer to
    // endpoints::hardware) for the devices that process drives, as an IOMMU
    // maps bus addresses to memory per device. False when the bus space below
    // 256 MiB is full.
    bool dma_allocate(uint32_t slot, uint64_t bytes, GrantId window, uintptr_t& address, uint64_t& bus);
    // The process in `slot` ended: its buffers and their bus addresses go.
    void dma_release(uint32_t slot);
    static constexpr uint64_t dma_bus_first = 1ull << 20;   // nothing at bus address 0
    static constexpr uint64_t dma_bus_end = 256ull << 20;   // 28-bit DMA reaches every buffer

private:
    struct DmaMapping {
        uint64_t bytes;
        GrantId window;
        uint32_t slot;
        std::unique_ptr<std::byte[]> memory;
    };
    // The mapping holding [bus, bus + bytes) of a buffer of `device`'s
    // driver, or nullptr; `offset` into it.
    const DmaMapping* dma_mapping(const Device& device, uint64_t bus, size_t bytes, uint64_t& offset) const;
    // The slot of the process that drives `device` (its [[device]]'s driver), or no_slot.
    uint32_t driver_slot(const Device& device) const;

    struct Mapping {
        uint16_t base;
        uint16_t size;
        Device* device;
    };
    Device* device_at(uint16_t port, uint16_t& offset) const;

    Port& m_port;
    InterruptController m_controller;
    std::vector<std::unique_ptr<Device>> m_devices;
    std::vector<std::string> m_names;
    std::vector<Mapping> m_bus;
    std::unique_ptr<PciBus> m_pci;
    std::vector<DeviceEvent> m_device_events;
    std::map<uint64_t, DmaMapping> m_dma;  // by bus address
    std::string m_stop_requested;
    uint64_t m_event_now_ns = 0;
    bool m_timer_armed = false;
    EventQueue::Id m_timer_event;
};

// Copies `bytes` between two host addresses without ever faulting: false if
// either range is not mapped. The hosted port's platform::copy_memory.
bool safe_copy(void* to, const void* from, size_t bytes);

}  // namespace axl::sim
