#include "sim/port/fault_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#if !defined(__x86_64__) || !defined(__linux__)
#error "fault_guard rewrites x86-64 Linux signal contexts"
#endif

namespace axl::sim {

namespace detail {
constinit thread_local const FaultTarget* armed_fault_target = nullptr;
}  // namespace detail

namespace {

constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};

// What the handler leaves for the landing code: it cannot pass anything on
// the faulting stack, and the alternate signal stack is gone once it returns.
struct Landing {
    FaultHandler on_fault = nullptr;
    void* arg = nullptr;
    FaultInfo info;
};

// Only constant-initialized, trivially destructible thread-locals are touched
// by the handler: accessing any other kind may run its constructor lazily,
// which is not async-signal-safe.
constinit thread_local Landing t_landing{};
constinit thread_local uintptr_t t_emergency_stack_top = 0;  // 0: not installed here

// --- async-signal-safe output -------------------------------------------------

// snprintf is not async-signal-safe; this is all the formatting the handler needs.
class SignalSafeLine {
public:
    SignalSafeLine& text(const char* s) {
        while (*s != '\0' && length_ < sizeof buffer_) buffer_[length_++] = *s++;
        return *this;
    }
    SignalSafeLine& hex(uintptr_t value) {
        char digits[2 + 16];
        size_t n = 0;
        do {
            digits[n++] = "0123456789abcdef"[value & 0xF];
            value >>= 4;
        } while (value != 0);
        text("0x");
        while (n > 0 && length_ < sizeof buffer_) buffer_[length_++] = digits[--n];
        return *this;
    }
    void write_to_stderr() {
        size_t done = 0;
        while (done < length_) {
            ssize_t wrote = ::write(STDERR_FILENO, buffer_ + done, length_ - done);
            if (wrote < 0 && errno == EINTR) continue;
            if (wrote <= 0) return;
            done += static_cast<size_t>(wrote);
        }
    }

private:
    char buffer_[512];
    size_t length_ = 0;
};

const char* signal_name(int signal) {
    switch (signal) {
        case SIGSEGV: return "SIGSEGV";
        case SIGBUS: return "SIGBUS";
        case SIGFPE: return "SIGFPE";
        case SIGILL: return "SIGILL";
        default: return "signal";
    }
}

// --- classification -------------------------------------------------------------

uintptr_t as_address(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer); }

// The lowest address still counted as "this stack, overflowed".
uintptr_t overflow_floor(const Stack& stack) {
    uintptr_t guard = as_address(stack.guard);
    return guard > kOverflowSlack ? guard - kOverflowSlack : 0;
}

bool in_overflow_zone(uintptr_t address, const Stack& stack) {
    return address >= overflow_floor(stack) && address < as_address(stack.base);
}

// Whether the code that faulted was running on the armed process stack. A
// fault on any other stack is the simulator's, even while armed.
bool running_on(uintptr_t stack_pointer, const Stack& stack) {
    return stack_pointer >= overflow_floor(stack) && stack_pointer < as_address(stack.top());
}

FaultKind classify(int signal, int code, uintptr_t address, uintptr_t stack_pointer,
                   const Stack& stack) {
    switch (signal) {
        case SIGFPE: return code == FPE_INTDIV ? FaultKind::divide_by_zero : FaultKind::arithmetic;
        case SIGILL: return FaultKind::illegal_instruction;
        default: break;
    }
    if (in_overflow_zone(address, stack) || in_overflow_zone(stack_pointer, stack))
        return FaultKind::stack_overflow;
    if (signal == SIGBUS) return FaultKind::bus_error;
    // A general protection fault (SI_KERNEL, e.g. a non-canonical pointer)
    // reports address 0 without having touched it.
    if (code != SI_KERNEL && address < 4096) return FaultKind::null_pointer;
    return FaultKind::bad_pointer;
}

MemoryAccess page_fault_access(const mcontext_t& machine) {
    constexpr greg_t kPageFaultTrap = 14;
    if (machine.gregs[REG_TRAPNO] != kPageFaultTrap) return MemoryAccess::unknown;
    const greg_t error = machine.gregs[REG_ERR];
    if (error & 0x10) return MemoryAccess::execute;
    return (error & 0x2) ? MemoryAccess::write : MemoryAccess::read;
}

// --- the handler ------------------------------------------------------------------

// Where the rewritten context resumes: an ordinary function on the emergency
// stack, entered as if called (with a null return address, so backtraces stop).
[[noreturn]] __attribute__((noinline)) void land_on_emergency_stack(Landing* landing) {
    landing->on_fault(landing->arg, landing->info);
    std::fprintf(stderr,
                 "axl: the on_fault callback returned after \"%s\"; it must switch away "
                 "for good (the faulting context cannot be resumed)\n",
                 landing->info.describe().c_str());
    std::abort();
}

// Not the process's fault: let the default action take the whole simulator down.
void crash_with_default_action(int signal, const siginfo_t* info, const mcontext_t& machine,
                               const char* why) {
    SignalSafeLine()
        .text("axl: ")
        .text(signal_name(signal))
        .text(" at ")
        .hex(as_address(info->si_addr))
        .text(" (rip ")
        .hex(static_cast<uintptr_t>(machine.gregs[REG_RIP]))
        .text(") is not a process fault: ")
        .text(why)
        .text("; crashing the simulator\n")
        .write_to_stderr();
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    ::sigaction(signal, &default_action, nullptr);
    // A hardware fault repeats when the instruction is retried on return. A
    // signal sent with kill() or raise() does not, so send it again; it stays
    // pending until the handler returns and unblocks it.
    if (info->si_code <= 0) ::raise(signal);
}

void handle_fault_signal(int signal, siginfo_t* info, void* raw_context) {
    const int saved_errno = errno;
    auto* context = static_cast<ucontext_t*>(raw_context);
    mcontext_t& machine = context->uc_mcontext;
    const FaultTarget* target = detail::armed_fault_target;
    const auto stack_pointer = static_cast<uintptr_t>(machine.gregs[REG_RSP]);

    const char* not_ours = nullptr;
    if (info->si_code <= 0)
        not_ours = "the signal was sent, not raised by a faulting instruction";
    else if (target == nullptr || target->on_fault == nullptr)
        not_ours = "no process fiber is armed (the fault is in simulator code)";
    else if (t_emergency_stack_top == 0)
        not_ours = "install_fault_guard() was not called on this thread";
    else if (!running_on(stack_pointer, target->stack))
        not_ours = "the stack pointer is outside the armed process's stack";
    if (not_ours != nullptr) {
        crash_with_default_action(signal, info, machine, not_ours);
        errno = saved_errno;
        return;
    }

    // A fault in on_fault, or in whatever it switches to, is the simulator's.
    detail::armed_fault_target = nullptr;

    Landing& landing = t_landing;
    landing.on_fault = target->on_fault;
    landing.arg = target->arg;
    FaultInfo& fault = landing.info;
    fault.signal = signal;
    fault.code = info->si_code;
    fault.address = info->si_addr;
    fault.instruction = reinterpret_cast<const void*>(machine.gregs[REG_RIP]);
    fault.stack_pointer = reinterpret_cast<const void*>(stack_pointer);
    fault.access = signal == SIGSEGV ? page_fault_access(machine) : MemoryAccess::unknown;
    fault.stack = target->stack;
    fault.kind = classify(signal, info->si_code, as_address(info->si_addr), stack_pointer,
                          target->stack);

    // Resume in land_on_emergency_stack(&landing) on the emergency stack, as
    // if it had just been called: rsp + 8 16-byte aligned, a return address
    // (null) at [rsp].
    uintptr_t entry_sp = t_emergency_stack_top - sizeof(uintptr_t);
    *reinterpret_cast<uintptr_t*>(entry_sp) = 0;
    machine.gregs[REG_RSP] = static_cast<greg_t>(entry_sp);
    machine.gregs[REG_RIP] = reinterpret_cast<greg_t>(&land_on_emergency_stack);
    machine.gregs[REG_RDI] = reinterpret_cast<greg_t>(&landing);
    machine.gregs[REG_RBP] = 0;
    // The ABI promises a called function a clear direction flag and a clean
    // floating-point state; the faulting code may have left neither.
    constexpr greg_t kDirectionFlag = 0x400;
    machine.gregs[REG_EFL] &= ~kDirectionFlag;
    if (machine.fpregs != nullptr) {
        machine.fpregs->cwd = 0x037F;    // x87 defaults: all exceptions masked, 64-bit precision
        machine.fpregs->swd = 0;         // x87 stack top 0, no pending exceptions
        machine.fpregs->ftw = 0;         // every x87 register empty (abridged tag word)
        machine.fpregs->mxcsr = 0x1F80;  // SSE defaults: all exceptions masked, round to nearest
    }
    // sigreturn installs this mask. Keep the fault signals deliverable, or the
    // next fault would be forced to the default action and kill the simulator.
    for (int fault_signal : kFaultSignals) sigdelset(&context->uc_sigmask, fault_signal);
    errno = saved_errno;
}

void install_process_handlers() {
    struct sigaction action {};
    action.sa_sigaction = &handle_fault_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    // A fault inside the handler itself then hits a blocked signal, which the
    // kernel turns into the default action: a loud crash, not a loop.
    sigemptyset(&action.sa_mask);
    for (int signal : kFaultSignals) sigaddset(&action.sa_mask, signal);
    for (int signal : kFaultSignals)
        if (::sigaction(signal, &action, nullptr) != 0)
            throw std::runtime_error(fmt::format("install_fault_guard: sigaction({}) failed: {}",
                                                 signal_name(signal), std::strerror(errno)));
}

// This thread's alternate signal stack and emergency stack, each above a
// guard page, in one mapping. Lives until the thread exits.
class ThreadFaultStacks {
public:
    ThreadFaultStacks() {
        page_ = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
        // The kernel needs room for the signal frame with the full XSAVE area
        // (several KiB with AVX-512) on top of the handler's own frames.
        long minimum = ::sysconf(_SC_SIGSTKSZ);
        signal_stack_bytes_ = round_to_pages(std::max<size_t>(
            64 * 1024, minimum > 0 ? 4 * static_cast<size_t>(minimum) : 0));
        // on_fault runs here: it formats, logs and switches, as ordinary code does.
        emergency_stack_bytes_ = 256 * 1024;
        bytes_ = 2 * page_ + signal_stack_bytes_ + emergency_stack_bytes_;

        void* memory = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (memory == MAP_FAILED)
            throw std::runtime_error(fmt::format(
                "install_fault_guard: mmap of the signal stacks failed: {}", std::strerror(errno)));
        memory_ = static_cast<char*>(memory);
        char* signal_guard = memory_;
        char* emergency_guard = memory_ + page_ + signal_stack_bytes_;
        if (::mprotect(signal_guard, page_, PROT_NONE) != 0 ||
            ::mprotect(emergency_guard, page_, PROT_NONE) != 0) {
            int error = errno;
            ::munmap(memory_, bytes_);
            throw std::runtime_error(fmt::format(
                "install_fault_guard: mprotect of a guard page failed: {}", std::strerror(error)));
        }

        stack_t signal_stack{};
        signal_stack.ss_sp = signal_guard + page_;
        signal_stack.ss_size = signal_stack_bytes_;
        signal_stack.ss_flags = 0;
        if (::sigaltstack(&signal_stack, &previous_signal_stack_) != 0) {
            int error = errno;
            ::munmap(memory_, bytes_);
            throw std::runtime_error(fmt::format("install_fault_guard: sigaltstack failed: {}",
                                                 std::strerror(error)));
        }
        t_emergency_stack_top = reinterpret_cast<uintptr_t>(memory_ + bytes_);
    }

    ~ThreadFaultStacks() {
        t_emergency_stack_top = 0;
        detail::armed_fault_target = nullptr;
        // Hand back whatever alternate stack the thread had before, if any.
        stack_t current{};
        if (::sigaltstack(nullptr, &current) == 0 && current.ss_sp == memory_ + page_) {
            if (previous_signal_stack_.ss_flags & SS_DISABLE) {
                stack_t disable{};
                disable.ss_flags = SS_DISABLE;
                ::sigaltstack(&disable, nullptr);
            } else {
                ::sigaltstack(&previous_signal_stack_, nullptr);
            }
        }
        ::munmap(memory_, bytes_);
    }

    ThreadFaultStacks(const ThreadFaultStacks&) = delete;
    ThreadFaultStacks& operator=(const ThreadFaultStacks&) = delete;

private:
    size_t round_to_pages(size_t bytes) const { return (bytes + page_ - 1) / page_ * page_; }

    size_t page_ = 0;
    size_t signal_stack_bytes_ = 0;
    size_t emergency_stack_bytes_ = 0;
    size_t bytes_ = 0;
    char* memory_ = nullptr;
    stack_t previous_signal_stack_{};
};

const char* access_name(MemoryAccess access) {
    switch (access) {
        case MemoryAccess::read: return "read";
        case MemoryAccess::write: return "write";
        case MemoryAccess::execute: return "execute";
        case MemoryAccess::unknown: break;
    }
    return nullptr;
}

const char* segv_detail(int code) {
    switch (code) {
        case SEGV_MAPERR: return "nothing mapped there";
        case SEGV_ACCERR: return "access not permitted";
        default: return nullptr;
    }
}

const char* fpe_detail(int code) {
    switch (code) {
        case FPE_INTDIV: return "integer divide by zero";
        case FPE_INTOVF: return "integer overflow";
        case FPE_FLTDIV: return "floating-point divide by zero";
        case FPE_FLTOVF: return "floating-point overflow";
        case FPE_FLTUND: return "floating-point underflow";
        case FPE_FLTRES: return "floating-point inexact result";
        case FPE_FLTINV: return "invalid floating-point operation";
        case FPE_FLTSUB: return "subscript out of range";
        default: return "arithmetic exception";
    }
}

const char* ill_detail(int code) {
    switch (code) {
        case ILL_ILLOPC: return "illegal opcode";
        case ILL_ILLOPN: return "illegal operand";
        case ILL_ILLADR: return "illegal addressing mode";
        case ILL_ILLTRP: return "illegal trap";
        case ILL_PRVOPC: return "privileged opcode";
        case ILL_PRVREG: return "privileged register";
        case ILL_COPROC: return "coprocessor error";
        case ILL_BADSTK: return "internal stack error";
        default: return "unknown cause";
    }
}

const char* bus_detail(int code) {
    switch (code) {
        case BUS_ADRALN: return "misaligned address";
        case BUS_ADRERR: return "no such physical address, e.g. past the end of a mapped file";
        case BUS_OBJERR: return "object-specific hardware error";
        case BUS_MCEERR_AR:
        case BUS_MCEERR_AO: return "hardware memory error";
        default: return nullptr;
    }
}

}  // namespace

std::string FaultInfo::describe() const {
    // "(detail, rip 0x..., write)" with the parts that are known.
    auto parenthesis = [&](const char* detail) {
        std::string text = "(";
        if (detail != nullptr) text += fmt::format("{}, ", detail);
        text += fmt::format("rip {}", instruction);
        if (const char* name = access_name(access)) text += fmt::format(", {}", name);
        return text + ")";
    };
    const std::string stack_range = fmt::format("stack {}-{}", stack.base, stack.top());
    switch (kind) {
        case FaultKind::stack_overflow:
            if (in_guard_page(address, stack))
                return fmt::format("stack overflow: hit the guard page at {} ({}, rip {})",
                                   address, stack_range, instruction);
            return fmt::format(
                "stack overflow: {} at {} with the stack pointer at {}, below the stack ({}, rip {})",
                signal_name(signal), address, stack_pointer, stack_range, instruction);
        case FaultKind::null_pointer:
            return fmt::format("SIGSEGV: null pointer dereference at {} {}", address,
                               parenthesis(nullptr));
        case FaultKind::bad_pointer:
            if (code == SI_KERNEL)
                return fmt::format(
                    "SIGSEGV: general protection fault, e.g. a non-canonical pointer {}",
                    parenthesis(nullptr));
            return fmt::format("SIGSEGV: bad pointer dereference at {} {}", address,
                               parenthesis(segv_detail(code)));
        case FaultKind::divide_by_zero:
            return fmt::format("SIGFPE: integer divide by zero (rip {})", instruction);
        case FaultKind::arithmetic:
            return fmt::format("SIGFPE: {} (rip {})", fpe_detail(code), instruction);
        case FaultKind::illegal_instruction:
            return fmt::format("SIGILL: illegal instruction at {} ({})", instruction,
                               ill_detail(code));
        case FaultKind::bus_error:
            return fmt::format("SIGBUS: bus error at {} {}", address, parenthesis(bus_detail(code)));
    }
    return fmt::format("{}: fault at {} (rip {})", signal_name(signal), address, instruction);
}

void install_fault_guard() {
    static std::once_flag handlers_installed;
    std::call_once(handlers_installed, install_process_handlers);
    if (t_emergency_stack_top != 0) return;
    // Constructed on this thread's first call, destroyed when the thread exits.
    // If construction throws, the next call tries again.
    thread_local ThreadFaultStacks stacks;
}

bool fault_guard_installed() { return t_emergency_stack_top != 0; }

}  // namespace axl::sim
