// Device access for drivers: registers (I/O ports and memory-mapped),
// interrupt lines and alarms. Checked against the caller's privileges: the
// ports and memory ranges it was granted, the IRQ lines it may attach, and the
// kernel calls device_io, device_mmio, irq_control and alarm.
//
// Two access models, chosen per driver in the system description, give the
// same results: kernel-mediated (every register access is a kernel call, as
// in MINIX) and direct (the driver's ranges were opened to it at start, so an
// access is a plain I/O instruction or load/store: no kernel entry). A driver
// calls io_read/io_write (mmio_read/mmio_write) either way and never knows
// which; an access outside the opened ranges goes to the kernel, which
// refuses it (resource_denied).
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"

namespace axl {

enum class IoWidth : uint8_t { byte = 1, half = 2, word = 4 };

// Register access. The ports [port, port + width) must all lie in one of the
// caller's granted ranges; a byte access returns the low 8 bits, and so on.
Status io_read(uint16_t port, uint32_t& value, IoWidth width = IoWidth::byte);
Status io_write(uint16_t port, uint32_t value, IoWidth width = IoWidth::byte);

// Memory-mapped registers, at physical addresses of the machine's MMIO space
// (a PCI memory BAR, as the PCI server reports it: kernel/api/protocols/pci.h).
// [address, address + width) must lie in one of the caller's granted memory
// ranges (call device_mmio); otherwise as io_read/io_write. Bare metal: the
// kernel model reads the register through the kernel's map of physical
// memory, the direct model maps the granted pages into the driver, uncached,
// at their physical addresses.
Status mmio_read(uint64_t address, uint32_t& value, IoWidth width = IoWidth::word);
Status mmio_write(uint64_t address, uint32_t value, IoWidth width = IoWidth::word);

// Interrupts arrive as notifications from endpoints::hardware; the message's
// payload.words[2] holds a bit per line raised since the last one. The kernel
// masks a line when it delivers it; the driver services the device and calls
// irq_enable, after which a line the device still asserts is delivered again.
// Nothing is lost meanwhile: the device keeps its state (a FIFO level, a
// completion bit, a tick count), however many times it asserted the line.
enum class IrqPolicy : uint8_t {
    manual = 0,         // the line stays masked until irq_enable (MINIX's default)
    auto_reenable = 1,  // the kernel unmasks it again as soon as it recorded it
};
inline constexpr uint32_t irq_lines_max = 64;
// irq_control's operations (one kernel call, as MINIX's sys_irqctl).
enum class IrqOp : uint8_t { attach, enable, disable, detach };
// Takes the line for the caller (its privilege must list it, and the caller
// must hold that privilege alone: notifications name it) and enables it.
Status irq_attach(uint32_t line, IrqPolicy policy = IrqPolicy::manual);
Status irq_enable(uint32_t line);
Status irq_disable(uint32_t line);
Status irq_detach(uint32_t line);
// The lines raised, from a notification by endpoints::hardware.
inline uint64_t irq_lines_of(const Message& notification) { return notification.payload.words[2]; }
// When the first of them was raised, on the kernel's clock (clock()): what an
// interrupt's delivery took is clock() in the handler minus this.
inline uint64_t irq_raised_at_ns(const Message& notification) { return notification.payload.words[3]; }

// Rights granted while the system runs (MINIX 3's sys_privctl for devices).
// The PCI server is the one process a system description gives this call:
// only it knows where the firmware put a device's BARs and which line its
// interrupt pin reaches, so it adds them to the rights of the device's driver
// when the driver first asks about the device (kernel/api/protocols/pci.h).
// The rights belong to the driver's privilege, which it must hold alone; they
// stay with it when rs restarts it. Granting what the driver already has is
// ok and changes nothing.
//   io:   ports [first, last] (last <= 0xFFFF);  mmio: physical addresses [first, last];
//   irq:  the line `first` (== last).  `direct`: opened to the driver (the direct access model).
// Statuses: bad_argument (an unknown resource, first > last, a port or line
// out of range), bad_endpoint / dead_endpoint, call_denied (the driver shares
// its privilege), no_space (its table of ranges is full: config::io_ranges_max,
// config::mmio_ranges_max).
enum class DeviceResource : uint8_t { io, mmio, irq };
Status device_grant(Endpoint driver, DeviceResource resource, uint64_t first, uint64_t last, bool direct);

// DMA buffers (MINIX 3's sys_umap of contiguous memory, Linux's
// dma_alloc_coherent): `bytes` (rounded up to whole 4-KiB pages) of
// physically contiguous, pinned, zeroed memory, mapped into the caller at
// `address`, which a device reaches at the bus address `bus` (what a driver
// writes into the device's DMA address registers). The memory stays until
// the process ends; a restarted driver allocates again. Coherent: no cache
// maintenance is needed on x86. The bus address is below 256 MiB (so that
// devices with 28-bit DMA, such as QEMU's edu, reach it).
// Bare metal: `bus` is the physical address, and without an IOMMU the
// device a driver programs can reach ANY physical memory: DMA is unconfined
// there (docs/bare-metal.md). Hosted: the kernel grants the buffer to
// endpoints::hardware on the caller's behalf and `bus` names that grant in
// the simulated bus space, so the devices the caller drives reach this buffer
// and no other memory (Kernel::dma_window, an IOMMU's check).
// Statuses: call_denied without the dma kernel call (a description grants it
// with `dma = "<size>"`); bad_argument for zero bytes; no_space beyond the
// caller's budget (that size, for everything it allocated), when no
// contiguous memory is left, or when the grant table is full.
struct DmaBuffer {
    void* address = nullptr;
    uint64_t bus = 0;
    uint64_t bytes = 0;
};
Status dma_alloc(uint64_t bytes, DmaBuffer& buffer);

// One-shot alarm: a notification from endpoints::clock `delay_ns` of virtual
// time from now. A new alarm replaces the caller's previous one; 0 cancels it.
Status set_alarm(uint64_t delay_ns);

}  // namespace axl
