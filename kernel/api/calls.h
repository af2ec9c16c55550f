// Call numbers: the IPC primitives and the kernel calls. Privileges are bit
// masks over these two enums, so each list is also a privilege vocabulary that
// system descriptions name by the strings below.
#pragma once

#include <cstdint>

namespace axl {

enum class Primitive : uint8_t {
    send,     // blocks until the message is accepted (strategy decides when)
    receive,  // from one endpoint or from endpoints::any
    sendrec,  // send, then receive the reply from the same endpoint
    notify,   // never blocks: sets a pending bit in the destination
    sendnb,   // send that returns Status::would_block instead of blocking
    reply_receive,  // a server's sendnb of a reply, then receive from any (one kernel entry)
};
inline constexpr uint32_t primitive_count = 6;

enum class KernelCall : uint8_t {
    exit,     // end the calling process with a status
    yield,    // give up the rest of the quantum
    compute,  // burn virtual CPU time (models work inside a process)
    lookup,   // name -> endpoint of a live process
    log,      // write a line to the kernel console
    clock,    // read the caller's CPU virtual clock
    self,     // the caller's own endpoint
    // Driver and server calls (kernel/api/device.h, kernel/api/grant.h):
    device_io,    // read or write a device register (I/O port) in the caller's granted ranges
    irq_control,  // attach to an IRQ line the caller may use, enable it, disable it, detach
    alarm,        // one-shot alarm: a notification from endpoints::clock after a delay
    grant,        // create or revoke a memory grant
    safecopy,     // copy to or from memory another process granted to the caller
    // The reincarnation server's calls (kernel/api/service.h):
    process_control,  // learn of deaths, kill a process, restart a dead one from its image
    // Last so the numbers above stay what traces and system files already say:
    device_mmio,  // read or write a memory-mapped device register in the caller's granted ranges
    // The PCI server's call (kernel/api/device.h): add a BAR's range or a line to a driver's rights.
    device_grant,
    // A driver's DMA buffer (kernel/api/device.h): contiguous, pinned memory a device reaches at a bus address.
    dma,
};
inline constexpr uint32_t kernel_call_count = 16;

constexpr uint32_t bit(Primitive p) { return 1u << static_cast<uint32_t>(p); }
constexpr uint32_t bit(KernelCall c) { return 1u << static_cast<uint32_t>(c); }

inline constexpr uint32_t all_primitives = (1u << primitive_count) - 1;
inline constexpr uint32_t all_kernel_calls = (1u << kernel_call_count) - 1;
// What a process gets when its description does not say: harmless calls only.
inline constexpr uint32_t default_kernel_calls =
    bit(KernelCall::exit) | bit(KernelCall::yield) | bit(KernelCall::compute) |
    bit(KernelCall::lookup) | bit(KernelCall::log) | bit(KernelCall::clock) | bit(KernelCall::self);

constexpr const char* to_string(Primitive p) {
    constexpr const char* names[] = {"send", "receive", "sendrec", "notify", "sendnb", "reply_receive"};
    return static_cast<uint32_t>(p) < primitive_count ? names[static_cast<uint32_t>(p)] : "?";
}
constexpr const char* to_string(KernelCall c) {
    constexpr const char* names[] = {"exit", "yield",     "compute",     "lookup", "log",   "clock",
                                     "self", "device_io", "irq_control", "alarm",  "grant", "safecopy",
                                     "process_control", "device_mmio", "device_grant", "dma"};
    return static_cast<uint32_t>(c) < kernel_call_count ? names[static_cast<uint32_t>(c)] : "?";
}

}  // namespace axl
