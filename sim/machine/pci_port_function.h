// Any port-I/O device model as a PCI function: the model's registers become
// I/O BAR 0 (and move wherever the BAR is programmed), its interrupt becomes
// the function's INTx (so the command register's Interrupt Disable holds it
// back), and its host input, faults and finish pass through. A PCI variant of
// a port-I/O chip is then its profile plus a few lines; e.g. an NE2000 model
// (32 ports) as QEMU's ne2k_pci:
//
//   constexpr PciProfile ne2k_pci_profile{
//       .vendor = 0x10ec, .device = 0x8029, .class_code = 0x020000,
//       .bars = {PciBarLayout{PciBarLayout::Type::io, 32}}};
//   std::unique_ptr<Device> make_ne2k_pci(const DeviceDescription& device, DeviceHost& host) {
//       Ne2000Config config = device.settings_as<Ne2000Config>();
//       config.name = device.name;
//       config.irq_line = device.irq;
//       return wrap_port_device(ne2k_pci_profile, host, device.irq,
//                               [&](DeviceHost& bus) { return std::make_unique<Ne2000>(bus, config); });
//   }
//   extern constexpr DeviceKind ne2k_pci_kind{.name = "ne2k-pci", ..., .io_size = 0, .io_base = 0,
//                                             .irq = ..., .keys = ne2000_keys, .read = read_ne2000,
//                                             .make = make_ne2k_pci, .pci = &ne2k_pci_profile};
//
// The model is built against the DeviceHost `make` receives (the function's
// own, which turns raise_irq into INTx), not the machine's.
#pragma once

#include <functional>
#include <memory>

#include "sim/machine/pci_function.h"

namespace axl::sim {

// Bar 0 of `profile` must be an I/O BAR at least as large as the model's io_size().
std::unique_ptr<PciFunction> wrap_port_device(const PciProfile& profile, DeviceHost& host, uint32_t irq,
                                              const std::function<std::unique_ptr<Device>(DeviceHost&)>& make);

}  // namespace axl::sim
