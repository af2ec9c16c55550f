// Device models: what the hosted machine's simulated devices implement, and
// what they may use of the machine. A device owns a window of the I/O port
// bus (its registers, laid out in hw/<kind>.h, which is also what its
// driver programs against), raises interrupts on its IRQ line, reaches driver
// memory only through DMA grants, and measures time only in virtual time,
// through events, so a run stays a pure function of its inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kernel/api/grant.h"
#include "kernel/api/status.h"
#include "sim/machine/event_queue.h"

namespace axl::sim {

class Device;

// The machine as a device sees it. The simulator's Machine implements it; the
// device tests use a small host of their own with a real EventQueue.
class DeviceHost {
public:
    virtual ~DeviceHost() = default;
    // Virtual time now: the running CPU's clock during a register access, the
    // event's time while an event fires.
    virtual uint64_t now_ns() const = 0;
    virtual EventQueue::Id schedule(uint64_t at_ns, EventQueue::Action action) = 0;
    virtual bool cancel(EventQueue::Id id) = 0;
    // An edge on the device's line. The controller latches it while the line
    // is masked and delivers it once unmasked; edges before delivery merge.
    virtual void raise_irq(uint32_t line) = 0;
    // DMA through a grant its driver made to endpoints::hardware (checked by
    // the kernel, as an IOMMU would): ok, or why not (nothing was copied).
    virtual Status dma_read(GrantId grant, uint64_t offset, void* to, size_t bytes) = 0;
    virtual Status dma_write(GrantId grant, uint64_t offset, const void* from, size_t bytes) = 0;
    // DMA at a bus address, as `device` programmed with one (a buffer from
    // dma_alloc, kernel/api/device.h) does it: the machine maps the address to
    // the buffer's grant and goes through it as above, as an IOMMU with a
    // domain per device would. An address that holds no buffer of the
    // device's own driver, or a transfer crossing a buffer's end, is refused
    // (bad_address): nothing is copied.
    virtual Status dma_read_bus(const Device& device, uint64_t bus, void* to, size_t bytes) = 0;
    virtual Status dma_write_bus(const Device& device, uint64_t bus, const void* from, size_t bytes) = 0;
    // Something the hardware did that the run must show: a guest panic
    // reported, a watchdog resetting the machine. A device event (`what`, a
    // short name such as "panicked" or "watchdog reset") is in the run's
    // report, its trace and digest, and a scenario can expect it
    // (docs/devices.md, "Device events").
    virtual void device_event(const Device& device, std::string_view what) = 0;
    // The device ends the run, as a machine reset ends a boot (a watchdog
    // with on_reset = "stop"): the run stops once the current event or
    // register access is done; processes still alive are not held to their
    // expectations, as when `until` stops a run.
    virtual void request_stop(const Device& device, std::string_view why) = 0;
};

// Faults a scenario can inject into a device (sim/harness/fault_injector.h). Each
// acts on the device's next command.
enum class DeviceFault : uint8_t {
    error,        // it completes with an I/O error and moves no data
    stuck_busy,   // it never completes: busy stays set until the driver resets the device
    corrupt_dma,  // the data it moves into memory has a byte flipped
    slow,         // it takes ten times as long
};

class Device {
public:
    virtual ~Device() = default;
    // Registers occupy ports [base, base + io_size()).
    virtual uint16_t io_size() const = 0;
    // A register access at `offset` from the base; width 1, 2 or 4 bytes.
    virtual uint32_t read(uint16_t offset, uint32_t width) = 0;
    virtual void write(uint16_t offset, uint32_t width, uint32_t value) = 0;
    // The run is over: push out what is still in flight to the host (a
    // transmit FIFO to its file). Default: nothing to do.
    virtual void finish() {}
    // Input from the host (a socket, a terminal): a file descriptor the
    // machine waits on, in wall time, when every simulated CPU is idle and no
    // event is due; -1 for none. When it is readable the machine calls
    // host_input_ready(), and the device turns what it reads into events at
    // now_ns(). Such input depends on the host's timing, so it is outside
    // the run's determinism (see the device's own notes on recording it).
    virtual int host_fd() const { return -1; }
    virtual void host_input_ready() {}
    // Arms `fault` for the next command; `seed` picks what a fault needs to
    // choose (which byte to flip). False if this device has no such fault.
    virtual bool inject(DeviceFault /*fault*/, uint64_t /*seed*/) { return false; }
};

}  // namespace axl::sim
