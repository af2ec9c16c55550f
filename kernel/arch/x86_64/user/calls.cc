// kernel/api/ for programs on the x86-64 port: each call is a `syscall`
// (register use in ../syscall_abi.h). Arguments and random numbers come
// from the startup block the kernel mapped read-only into the process.
#include <cstdarg>

#include "kernel/api/device.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/service.h"
#include "kernel/arch/x86_64/syscall_abi.h"
#include "kernel/lib/format.h"
#include "kernel/lib/splitmix64.h"

namespace axl {

namespace {

using x86_64::Syscall;

struct Result {
    Status status;
    uint64_t value;
};

inline Result call(Syscall number, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0, uint64_t e = 0,
                   uint64_t f = 0) {
    uint64_t rax = static_cast<uint64_t>(number);
    uint64_t rdx = c;
    register uint64_t r10 asm("r10") = d;
    register uint64_t r8 asm("r8") = e;
    register uint64_t r9 asm("r9") = f;
    asm volatile("syscall"
                 : "+a"(rax), "+d"(rdx)
                 : "D"(a), "S"(b), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return Result{static_cast<Status>(static_cast<int32_t>(rax)), rdx};
}

uint64_t address(const void* pointer) { return reinterpret_cast<uint64_t>(pointer); }

const x86_64::StartupBlock& startup() {
    return *reinterpret_cast<const x86_64::StartupBlock*>(x86_64::startup_block_address);
}

const char* block_string(uint32_t offset) { return reinterpret_cast<const char*>(&startup()) + offset; }

const x86_64::StartupArg* find_arg(const char* key) {
    const x86_64::StartupBlock& block = startup();
    for (uint32_t i = 0; i < block.arg_count; ++i) {
        const char* name = block_string(block.args[i].key_offset);
        size_t c = 0;
        while (name[c] && name[c] == key[c]) ++c;
        if (name[c] == key[c]) return &block.args[i];
    }
    return nullptr;
}

uint64_t g_random_state = 0;

void vlog(const char* format, va_list arguments) {
    char line[512];
    size_t length = format::vformat(line, sizeof line, format, arguments);
    if (length >= sizeof line) length = sizeof line - 1;
    (void)call(Syscall::log, address(line), length);
}

}  // namespace

Status send(Endpoint destination, const Message& message) {
    return call(Syscall::send, destination.raw, address(&message)).status;
}
Status receive(Endpoint from, Message& message) { return call(Syscall::receive, from.raw, address(&message)).status; }
Status sendrec(Endpoint destination, Message& message) {
    return call(Syscall::sendrec, destination.raw, address(&message)).status;
}
Status notify(Endpoint destination) { return call(Syscall::notify, destination.raw).status; }
Status sendnb(Endpoint destination, const Message& message) {
    return call(Syscall::sendnb, destination.raw, address(&message)).status;
}
Status reply_receive(Endpoint client, Message& message) {
    return call(Syscall::reply_receive, client.raw, address(&message)).status;
}

void exit(int32_t status) {
    (void)call(Syscall::exit, static_cast<uint64_t>(static_cast<uint32_t>(status)));
    __builtin_trap();  // the kernel never returns from exit
}
Status yield() { return call(Syscall::yield).status; }
// Time is real on bare metal: the kernel checks the call, then the process
// spends the time itself, spinning on the TSC (a driver's udelay must give
// real hardware real time; the tick still preempts it).
Status compute(uint64_t ns) {
    const Status status = call(Syscall::compute, ns).status;
    if (status != Status::ok || ns == 0) return status;
    const uint64_t hz = startup().tsc_hz;
    const unsigned __int128 ticks = static_cast<unsigned __int128>(ns) * hz / 1'000'000'000u;
    const uint64_t start = __builtin_ia32_rdtsc();
    while (__builtin_ia32_rdtsc() - start < ticks) __builtin_ia32_pause();
    return status;
}
Status lookup(const char* name, Endpoint& endpoint) {
    const Result result = call(Syscall::lookup, address(name));
    if (result.status == Status::ok) endpoint = Endpoint{static_cast<uint32_t>(result.value)};
    return result.status;
}
Status clock(uint64_t& virtual_ns) {
    const Result result = call(Syscall::clock);
    if (result.status == Status::ok) virtual_ns = result.value;
    return result.status;
}
Endpoint self() { return Endpoint{static_cast<uint32_t>(call(Syscall::self).value)}; }

void log(const char* format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vlog(format, arguments);
    va_end(arguments);
}

void fail(const char* format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vlog(format, arguments);
    va_end(arguments);
    exit(1);
}

uint64_t random_u64() { return splitmix64::next(g_random_state); }

int64_t arg_int(const char* key, int64_t fallback) {
    const x86_64::StartupArg* arg = find_arg(key);
    return arg && arg->string_offset == 0 ? arg->value : fallback;
}

const char* arg_string(const char* key, const char* fallback) {
    const x86_64::StartupArg* arg = find_arg(key);
    return arg && arg->string_offset != 0 ? block_string(arg->string_offset) : fallback;
}

// Devices ------------------------------------------------------------------
namespace {
// A register of a device opened to this process (access = "direct"): in and
// out straight from ring 3, which the TSS's bitmap allows for these ports only.
bool direct(uint16_t port, IoWidth width) {
    const x86_64::StartupBlock& block = startup();
    const uint32_t last = uint32_t{port} + static_cast<uint32_t>(width) - 1;
    for (uint32_t r = 0; r < block.direct_port_range_count; ++r)
        if (port >= block.direct_port_ranges[r].first && last <= block.direct_port_ranges[r].last) return true;
    return false;
}
}  // namespace

Status io_read(uint16_t port, uint32_t& value, IoWidth width) {
    if (direct(port, width)) {
        switch (width) {
            case IoWidth::byte: {
                uint8_t byte;
                asm volatile("inb %1, %0" : "=a"(byte) : "Nd"(port));
                value = byte;
                return Status::ok;
            }
            case IoWidth::half: {
                uint16_t half;
                asm volatile("inw %1, %0" : "=a"(half) : "Nd"(port));
                value = half;
                return Status::ok;
            }
            case IoWidth::word:
                asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
                return Status::ok;
        }
    }
    const Result result = call(Syscall::device_io, port, static_cast<uint64_t>(width), 0, 0);
    if (result.status == Status::ok) value = static_cast<uint32_t>(result.value);
    return result.status;
}
Status io_write(uint16_t port, uint32_t value, IoWidth width) {
    if (direct(port, width)) {
        switch (width) {
            case IoWidth::byte: asm volatile("outb %0, %1" : : "a"(static_cast<uint8_t>(value)), "Nd"(port)); return Status::ok;
            case IoWidth::half: asm volatile("outw %0, %1" : : "a"(static_cast<uint16_t>(value)), "Nd"(port)); return Status::ok;
            case IoWidth::word: asm volatile("outl %0, %1" : : "a"(value), "Nd"(port)); return Status::ok;
        }
    }
    return call(Syscall::device_io, port, static_cast<uint64_t>(width), 1, value).status;
}
namespace {
// A register of a memory BAR opened to this process (access = "direct"): the
// kernel mapped its pages here, uncached, at their physical addresses.
bool direct_memory(uint64_t address, IoWidth width) {
    const x86_64::StartupBlock& block = startup();
    const uint64_t last = address + static_cast<uint64_t>(width) - 1;
    if (last < address) return false;
    for (uint32_t r = 0; r < block.direct_memory_range_count; ++r)
        if (address >= block.direct_memory_ranges[r].first && last <= block.direct_memory_ranges[r].last) return true;
    return false;
}
}  // namespace

Status mmio_read(uint64_t address, uint32_t& value, IoWidth width) {
    if (direct_memory(address, width)) {
        switch (width) {
            case IoWidth::byte: value = *reinterpret_cast<const volatile uint8_t*>(address); return Status::ok;
            case IoWidth::half: value = *reinterpret_cast<const volatile uint16_t*>(address); return Status::ok;
            case IoWidth::word: value = *reinterpret_cast<const volatile uint32_t*>(address); return Status::ok;
        }
    }
    const Result result = call(Syscall::device_mmio, address, static_cast<uint64_t>(width), 0, 0);
    if (result.status == Status::ok) value = static_cast<uint32_t>(result.value);
    return result.status;
}
Status mmio_write(uint64_t address, uint32_t value, IoWidth width) {
    if (direct_memory(address, width)) {
        switch (width) {
            case IoWidth::byte: *reinterpret_cast<volatile uint8_t*>(address) = static_cast<uint8_t>(value); return Status::ok;
            case IoWidth::half: *reinterpret_cast<volatile uint16_t*>(address) = static_cast<uint16_t>(value); return Status::ok;
            case IoWidth::word: *reinterpret_cast<volatile uint32_t*>(address) = value; return Status::ok;
        }
    }
    return call(Syscall::device_mmio, address, static_cast<uint64_t>(width), 1, value).status;
}
namespace {
Status irq_control(IrqOp op, uint32_t line, IrqPolicy policy) {
    return call(Syscall::irq_control, static_cast<uint64_t>(op), line, static_cast<uint64_t>(policy)).status;
}
}  // namespace
Status irq_attach(uint32_t line, IrqPolicy policy) { return irq_control(IrqOp::attach, line, policy); }
Status irq_enable(uint32_t line) { return irq_control(IrqOp::enable, line, IrqPolicy::manual); }
Status irq_disable(uint32_t line) { return irq_control(IrqOp::disable, line, IrqPolicy::manual); }
Status irq_detach(uint32_t line) { return irq_control(IrqOp::detach, line, IrqPolicy::manual); }
Status device_grant(Endpoint driver, DeviceResource resource, uint64_t first, uint64_t last, bool direct) {
    return call(Syscall::device_grant, driver.raw, static_cast<uint64_t>(resource), first, last, direct ? 1 : 0).status;
}
Status set_alarm(uint64_t delay_ns) { return call(Syscall::alarm, delay_ns).status; }
Status dma_alloc(uint64_t bytes, DmaBuffer& buffer) { return call(Syscall::dma, bytes, address(&buffer)).status; }

// Grants ---------------------------------------------------------------------
Status grant_create(Endpoint grantee, const void* where, size_t bytes, GrantAccess access, GrantId& grant) {
    const Result result =
        call(Syscall::grant_create, grantee.raw, address(where), bytes, static_cast<uint64_t>(access));
    if (result.status == Status::ok) grant = GrantId{static_cast<uint32_t>(result.value)};
    return result.status;
}
Status grant_revoke(GrantId grant) { return call(Syscall::grant_revoke, grant.raw).status; }
Status safecopy_from(Endpoint granter, GrantId grant, size_t offset, void* to, size_t bytes) {
    return call(Syscall::safecopy, granter.raw, grant.raw, offset, address(to), bytes, 0).status;
}
Status safecopy_to(Endpoint granter, GrantId grant, size_t offset, const void* from, size_t bytes) {
    return call(Syscall::safecopy, granter.raw, grant.raw, offset, address(from), bytes, 1).status;
}

// The reincarnation server's calls -------------------------------------------------
Status watch_deaths() { return call(Syscall::watch_deaths).status; }
Status next_death(Death& death) { return call(Syscall::next_death, address(&death)).status; }
Status kill(Endpoint process) { return call(Syscall::kill, process.raw).status; }
Status restart(Endpoint dead, Endpoint& fresh) {
    const Result result = call(Syscall::restart, dead.raw);
    if (result.status == Status::ok) fresh = Endpoint{static_cast<uint32_t>(result.value)};
    return result.status;
}

}  // namespace axl

// The program's start (start.S): constructors, the program, exit.
extern "C" {
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

[[noreturn]] void axl_user_start(axl::ProgramEntry entry, const axl::x86_64::StartupBlock* block) {
    axl::g_random_state = axl::splitmix64::stream_start(block->seed, block->slot);
    for (void (**constructor)() = __init_array_start; constructor != __init_array_end; ++constructor) (*constructor)();
    axl::exit(entry());
}

// What C++ code may reference on a system without a C++ runtime: static
// destructors never run (processes end by exit), a pure virtual call is a bug.
void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
[[noreturn]] void __cxa_pure_virtual() { axl::fail("pure virtual function called"); }
}
