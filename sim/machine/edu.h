// edu: QEMU's educational PCI device (hw/edu.h), its identification and
// liveness registers, its interrupt registers and its DMA engine, which
// copies between a driver's DMA buffer (a bus address from dma_alloc: the
// machine resolves it through the buffer's grant, DeviceHost::dma_read_bus)
// and the device's 4-KiB buffer. A transfer runs hw::edu::dma_delay_ns of
// virtual time after its command, as QEMU's timer runs it. The factorial
// unit is not modelled (its registers read 0). A bus address is masked to
// 28 bits, as QEMU's default dma_mask does; a transfer the machine refuses
// (no buffer of the device's driver there) moves nothing and is a device
// event, "dma refused"; one outside the device's buffer, or reaching its last
// byte (QEMU 7.2 stops the machine then: hw/edu.h), "dma out of range".
#pragma once

#include <array>
#include <cstdint>

#include "hw/edu.h"
#include "sim/machine/pci_function.h"

namespace axl::sim {

class Edu final : public PciFunction {
public:
    Edu(DeviceHost& host, uint32_t irq);

    uint32_t bar_read(uint32_t bar, uint32_t offset, uint32_t width) override;
    void bar_write(uint32_t bar, uint32_t offset, uint32_t width, uint32_t value) override;

    uint64_t transfers() const { return m_transfers; }  // completed, both directions

private:
    void run_dma();
    void raise(uint32_t bits);
    void lower(uint32_t bits);

    uint32_t m_liveness = 0;
    uint32_t m_interrupt_status = 0;
    uint64_t m_source = 0, m_destination = 0, m_count = 0, m_command = 0;
    uint64_t m_transfers = 0;
    std::array<uint8_t, hw::edu::buffer_bytes> m_buffer{};
};

extern const PciProfile edu_profile;

}  // namespace axl::sim
