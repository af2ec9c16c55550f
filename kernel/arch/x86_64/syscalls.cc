// System calls (entry.S's axl_syscall_entry lands here): decode the
// registers, copy what the caller passed by address into the kernel, run the
// same Kernel calls the hosted port runs, and put the results back.
#include "kernel/api/fault.h"
#include "kernel/arch/x86_64/port.h"
#include "kernel/arch/x86_64/run_verdict.h"
#include "kernel/arch/x86_64/syscall_abi.h"
#include "kernel/arch/x86_64/user_memory.h"
#include "kernel/kernel.h"

namespace axl::x86_64 {

namespace {

// A bad address passed to a call kills the caller, as a bad pointer in its
// own code would (the hosted port does the same, sim/port/user_calls.cc).
TrapFrame* bad_address(Port& port, TrapFrame* frame, const char* what, uint64_t address) {
    Kernel& kernel = *port.kernel;
    report_fault(port, kernel.running(), FaultKind::bad_pointer, what, address, frame->rip);
    kernel.fault_running(FaultKind::bad_pointer, 0);
    return resume_frame(port);
}

// The message a call reads (and, for the receiving calls, the buffer it will
// write: probed now, so that the later copy out cannot fail unnoticed).
bool take_message(ProcessContext& caller, uint64_t address, bool will_write) {
    if (!copy_from_user(&caller.message, address, sizeof(Message))) return false;
    static_assert(sizeof(Message) == 64, "axl_user_probe_message checks 64 bytes");
    return !will_write || message_writable(address);
}

// A NUL-terminated name of at most `capacity - 1` bytes; longer ones arrive
// cut at capacity - 1 without their NUL, which the kernel refuses.
bool take_name(char* name, size_t capacity, uint64_t address) {
    for (size_t i = 0; i + 1 < capacity; ++i) {
        if (!copy_from_user(&name[i], address + i, 1)) return false;
        if (name[i] == '\0') return true;
    }
    name[capacity - 1] = '\0';
    return true;
}

uint8_t small_enum(uint64_t value) { return value > 0xFF ? 0xFF : static_cast<uint8_t>(value); }
Endpoint endpoint(uint64_t value) { return Endpoint{static_cast<uint32_t>(value)}; }

}  // namespace

}  // namespace axl::x86_64

extern "C" axl::x86_64::TrapFrame* axl_syscall(axl::x86_64::TrapFrame* frame) {
    using namespace axl;
    using namespace axl::x86_64;
    axl::Port& port = the_port();
    Kernel& kernel = *port.kernel;
    account_time(port);
    const uint32_t caller = kernel.running();
    ProcessContext& self = port.processes[caller];
    const uint64_t a = frame->rdi, b = frame->rsi, c = frame->rdx, d = frame->r10, e = frame->r8, f = frame->r9;
    Status status = Status::bad_argument;
    uint64_t value = 0;
    uint64_t copy_out = 0;  // where the message goes when the call succeeds

    switch (static_cast<Syscall>(frame->rax)) {
        case Syscall::send:
            if (!take_message(self, b, false)) return bad_address(port, frame, "send from a bad message address", b);
            status = kernel.ipc_send(endpoint(a), self.message);
            break;
        case Syscall::receive:
            if (!take_message(self, b, true)) return bad_address(port, frame, "receive into a bad message address", b);
            status = kernel.ipc_receive(endpoint(a), self.message);
            copy_out = b;
            break;
        case Syscall::sendrec:
            if (!take_message(self, b, true)) return bad_address(port, frame, "sendrec with a bad message address", b);
            status = kernel.ipc_sendrec(endpoint(a), self.message);
            copy_out = b;
            break;
        case Syscall::notify:
            status = kernel.ipc_notify(endpoint(a));
            break;
        case Syscall::sendnb:
            if (!take_message(self, b, false)) return bad_address(port, frame, "sendnb from a bad message address", b);
            status = kernel.ipc_sendnb(endpoint(a), self.message);
            break;
        case Syscall::reply_receive:
            if (!take_message(self, b, true))
                return bad_address(port, frame, "reply_receive with a bad message address", b);
            status = kernel.ipc_reply_receive(endpoint(a), self.message);
            copy_out = b;
            break;
        case Syscall::exit:
            kernel.kcall_exit(static_cast<int32_t>(a));
            return resume_frame(port);
        case Syscall::yield:
            status = kernel.kcall_yield();
            break;
        case Syscall::compute:
            // Time is real here: the process spends it itself, spinning on the
            // TSC (user/calls.cc), and account_time charges what passed; the
            // kernel call only checks (a longer time than allowed is refused).
            status = kernel.kcall_compute(a > Kernel::compute_ns_max ? a : 0);
            break;
        case Syscall::lookup: {
            // No name at all is a malformed argument (bad_argument), as on the
            // hosted port; any other address must hold a readable name.
            char name[config::process_name_bytes + 1];
            if (a != 0 && !take_name(name, sizeof name, a))
                return bad_address(port, frame, "lookup of a name at a bad address", a);
            Endpoint found = endpoints::none;
            status = kernel.kcall_lookup(a != 0 ? name : nullptr, found);
            value = found.raw;
            break;
        }
        case Syscall::log: {
            char text[512];
            const size_t length = b < sizeof text ? b : sizeof text;
            if (!copy_from_user(text, a, length)) return bad_address(port, frame, "log of text at a bad address", a);
            status = kernel.kcall_log(text, length);
            break;
        }
        case Syscall::clock:
            status = kernel.kcall_clock(value);
            break;
        case Syscall::self: {
            Endpoint mine = endpoints::none;  // what self() returns to a process without the call
            status = kernel.kcall_self(mine);
            value = mine.raw;
            break;
        }
        case Syscall::device_io: {
            uint32_t data = static_cast<uint32_t>(d);
            status = kernel.kcall_device_io(static_cast<uint16_t>(a > 0xFFFF ? 0xFFFF : a),
                                            static_cast<uint32_t>(b > 8 ? 8 : b), c != 0, data);
            value = data;
            break;
        }
        case Syscall::device_mmio: {
            uint32_t data = static_cast<uint32_t>(d);
            status = kernel.kcall_device_mmio(a, static_cast<uint32_t>(b > 8 ? 8 : b), c != 0, data);
            value = data;
            break;
        }
        case Syscall::device_grant:
            status = kernel.kcall_device_grant(endpoint(a), static_cast<DeviceResource>(small_enum(b)), c, d, e != 0);
            break;
        case Syscall::dma: {
            uintptr_t mapped = 0;
            uint64_t bus = 0;
            status = kernel.kcall_dma(a, mapped, bus);
            if (status == Status::ok) {
                const DmaBuffer buffer{.address = reinterpret_cast<void*>(mapped),
                                       .bus = bus,
                                       .bytes = (a + config::dma_page_bytes - 1) / config::dma_page_bytes *
                                                config::dma_page_bytes};
                if (!copy_to_user(b, &buffer, sizeof buffer))
                    return bad_address(port, frame, "dma_alloc into a bad address", b);
            }
            break;
        }
        case Syscall::irq_control:
            status = kernel.kcall_irq_control(static_cast<IrqOp>(small_enum(a)),
                                              static_cast<uint32_t>(b > 0xFFFF'FFFF ? 0xFFFF'FFFF : b),
                                              static_cast<IrqPolicy>(small_enum(c)));
            break;
        case Syscall::alarm:
            status = kernel.kcall_alarm(a);
            break;
        case Syscall::grant_create: {
            GrantId grant;
            status = kernel.kcall_grant_create(endpoint(a), b, c, static_cast<GrantAccess>(small_enum(d)), grant);
            value = grant.raw;
            break;
        }
        case Syscall::grant_revoke:
            status = kernel.kcall_grant_revoke(GrantId{static_cast<uint32_t>(a)});
            break;
        case Syscall::safecopy:
            status = kernel.kcall_safecopy(endpoint(a), GrantId{static_cast<uint32_t>(b)}, c, d, e, f != 0);
            break;
        case Syscall::watch_deaths:
            status = kernel.kcall_watch_deaths();
            break;
        case Syscall::next_death: {
            Death death;
            status = kernel.kcall_next_death(death);
            if (status == Status::ok && !copy_to_user(a, &death, sizeof death))
                return bad_address(port, frame, "next_death into a bad address", a);
            break;
        }
        case Syscall::kill:
            status = kernel.kcall_kill(endpoint(a));
            break;
        case Syscall::restart: {
            Endpoint fresh;
            status = kernel.kcall_restart(endpoint(a), fresh);
            value = fresh.raw;
            break;
        }
        default:
            break;  // an unknown call number: bad_argument
    }

    // Still running: the results go straight into its saved registers and
    // memory. Blocked, or preempted at the end of its call: resume_frame
    // hands it Process::ipc_status (the kernel keeps the call's result there)
    // and the message when it runs again, in its own address space.
    frame->rdx = value;
    if (kernel.running() == caller) {
        frame->rax = static_cast<uint64_t>(static_cast<int64_t>(status));
        if (copy_out && status == Status::ok && !copy_to_user(copy_out, &self.message, sizeof(Message)))
            return bad_address(port, frame, "receive into a bad message address", copy_out);
        return frame;
    }
    if (is_alive(kernel.process(caller).state)) {
        self.in_call = true;
        self.copy_out_to = copy_out;
    }
    return resume_frame(port);
}
