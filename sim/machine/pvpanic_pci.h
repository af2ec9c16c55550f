// pvpanic-pci: QEMU's paravirtual panic device on the PCI bus (hw/pvpanic_pci.h).
// A guest that panics writes the event to the register; the host (here: the
// run) learns of it. Each reported event is a device event ("panicked",
// "crash loaded") in the run's report, trace and digest, which a scenario can
// expect. It raises no interrupt.
#pragma once

#include <cstdint>

#include "sim/machine/pci_function.h"

namespace axl::sim {

struct PvpanicConfig {
    uint8_t events = 0x3;  // what the register says the device supports (PANICKED | CRASH_LOADED)
};

class PvpanicPci final : public PciFunction {
public:
    explicit PvpanicPci(DeviceHost& host, PvpanicConfig config = {});

    uint32_t bar_read(uint32_t bar, uint32_t offset, uint32_t width) override;
    void bar_write(uint32_t bar, uint32_t offset, uint32_t width, uint32_t value) override;

    uint64_t reported() const { return m_reported; }  // events reported, unsupported bits not counted

private:
    PvpanicConfig m_config;
    uint64_t m_reported = 0;
};

extern const PciProfile pvpanic_pci_profile;

}  // namespace axl::sim
