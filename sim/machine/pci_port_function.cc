#include "sim/machine/pci_port_function.h"

#include <stdexcept>

namespace axl::sim {

namespace {

class PciPortFunction final : public PciFunction {
public:
    PciPortFunction(const PciProfile& profile, DeviceHost& host, uint32_t irq,
                    const std::function<std::unique_ptr<Device>(DeviceHost&)>& make)
        : PciFunction(profile, host, irq), m_bus_side(*this, host) {
        m_model = make(m_bus_side);
        if (profile.bars[0].type != PciBarLayout::Type::io || profile.bars[0].size < m_model->io_size())
            throw std::logic_error("wrap_port_device: BAR 0 must be an I/O BAR that holds the model's ports");
    }

    uint32_t bar_read(uint32_t bar, uint32_t offset, uint32_t width) override {
        if (bar != 0 || offset + width > m_model->io_size()) return width >= 4 ? 0xFFFF'FFFFu : (1u << (8 * width)) - 1;
        return m_model->read(static_cast<uint16_t>(offset), width);
    }
    void bar_write(uint32_t bar, uint32_t offset, uint32_t width, uint32_t value) override {
        if (bar == 0 && offset + width <= m_model->io_size()) m_model->write(static_cast<uint16_t>(offset), width, value);
    }
    void finish() override { m_model->finish(); }
    int host_fd() const override { return m_model->host_fd(); }
    void host_input_ready() override { m_model->host_input_ready(); }
    bool inject(DeviceFault fault, uint64_t seed) override { return m_model->inject(fault, seed); }

private:
    // The machine as the wrapped model sees it: the same, except that its
    // interrupt is the function's INTx (an edge: asserted and released at once).
    class BusSide final : public DeviceHost {
    public:
        BusSide(PciPortFunction& function, DeviceHost& host) : m_function(function), m_host(host) {}
        uint64_t now_ns() const override { return m_host.now_ns(); }
        EventQueue::Id schedule(uint64_t at_ns, EventQueue::Action action) override {
            return m_host.schedule(at_ns, std::move(action));
        }
        bool cancel(EventQueue::Id id) override { return m_host.cancel(id); }
        void raise_irq(uint32_t) override { m_function.pulse_intx(); }
        Status dma_read(GrantId grant, uint64_t offset, void* to, size_t bytes) override {
            return m_host.dma_read(grant, offset, to, bytes);
        }
        Status dma_write(GrantId grant, uint64_t offset, const void* from, size_t bytes) override {
            return m_host.dma_write(grant, offset, from, bytes);
        }
        Status dma_read_bus(const Device&, uint64_t bus, void* to, size_t bytes) override {
            return m_host.dma_read_bus(m_function, bus, to, bytes);
        }
        Status dma_write_bus(const Device&, uint64_t bus, const void* from, size_t bytes) override {
            return m_host.dma_write_bus(m_function, bus, from, bytes);
        }
        void device_event(const Device&, std::string_view what) override { m_host.device_event(m_function, what); }
        void request_stop(const Device&, std::string_view why) override { m_host.request_stop(m_function, why); }

    private:
        PciPortFunction& m_function;
        DeviceHost& m_host;
    };

    void pulse_intx() {
        raise_intx();
        clear_intx();
    }

    BusSide m_bus_side;
    std::unique_ptr<Device> m_model;
};

}  // namespace

std::unique_ptr<PciFunction> wrap_port_device(const PciProfile& profile, DeviceHost& host, uint32_t irq,
                                              const std::function<std::unique_ptr<Device>(DeviceHost&)>& make) {
    return std::make_unique<PciPortFunction>(profile, host, irq, make);
}

}  // namespace axl::sim
