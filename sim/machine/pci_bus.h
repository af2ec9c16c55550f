// The hosted machine's PCI bus (bus 0): configuration mechanism #1 on ports
// 0xCF8 (address) and 0xCFC..0xCFF (data), as a host bridge decodes it, and
// the decoding of the functions' BARs into the port bus and the physical MMIO
// space. The functions are the device models of PCI kinds (PciFunction); a
// host bridge sits at 00:00.0 as on a PC. Nothing here is privileged: the
// user-mode PCI server (servers/pci.cc) alone is granted ports 0xCF8..0xCFF,
// and drivers are granted their BARs' ranges by the description reader.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "sim/machine/device.h"
#include "sim/machine/pci_function.h"

namespace axl::sim {

class PciBus final : public Device {
public:
    static constexpr uint16_t config_address_port = 0xCF8;
    static constexpr uint16_t config_data_port = 0xCFC;
    static constexpr uint16_t ports = 8;  // 0xCF8..0xCFF
    static constexpr uint32_t config_enable = 1u << 31;

    explicit PciBus(DeviceHost& host);
    ~PciBus() override;

    // A function at `address` (bus 0; the caller checked it is free). Not owned.
    void attach(PciAddress address, PciFunction& function);
    PciFunction* function_at(PciAddress address) const;

    // Device: the configuration mechanism, at ports 0xCF8..0xCFF.
    uint16_t io_size() const override { return ports; }
    uint32_t read(uint16_t offset, uint32_t width) override;
    void write(uint16_t offset, uint32_t width, uint32_t value) override;

    // BAR decoding. False if no function's enabled BAR claims the access.
    bool io_read(uint16_t port, uint32_t width, uint32_t& value);
    bool io_write(uint16_t port, uint32_t width, uint32_t value);
    // Unclaimed memory reads as all ones, writes to it are dropped.
    uint32_t mmio_read(uint64_t address, uint32_t width);
    void mmio_write(uint64_t address, uint32_t width, uint32_t value);

private:
    PciFunction* selected(uint32_t& offset) const;

    std::unique_ptr<PciFunction> m_host_bridge;
    std::map<uint16_t, PciFunction*> m_functions;  // by raw bus address
    uint32_t m_address = 0;                        // the CONFIG_ADDRESS register
};

}  // namespace axl::sim
