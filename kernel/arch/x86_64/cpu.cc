#include "kernel/arch/x86_64/cpu.h"

#include <cstddef>

#include "kernel/arch/x86_64/x86.h"

extern "C" {
void axl_syscall_entry();
extern const uint64_t axl_trap_stubs[97];
extern char axl_current_frame_top[];
}

namespace axl::x86_64::cpu {

namespace {

struct [[gnu::packed]] TaskStateSegment {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t io_map_base;
    // One bit per I/O port, set = closed to ring 3, and the all-ones byte the
    // CPU may read past the last port.
    uint8_t io_bitmap[65536 / 8 + 1];
};
static_assert(sizeof(TaskStateSegment) == 104 + 8193);

struct [[gnu::packed]] DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};

struct InterruptGate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(InterruptGate) == 16);

alignas(16) TaskStateSegment g_tss;
alignas(16) uint8_t g_double_fault_stack[8192];
// null, kernel code, kernel data, user code (32-bit, unused; sysret's layout),
// user data, user code (64-bit), TSS (two slots).
alignas(16) uint64_t g_gdt[8] = {
    0,
    0x00AF'9A00'0000'FFFF,  // 0x08 kernel code: 64-bit, DPL 0
    0x00CF'9200'0000'FFFF,  // 0x10 kernel data
    0x00CF'FA00'0000'FFFF,  // 0x18 user code, 32-bit (never loaded)
    0x00CF'F200'0000'FFFF,  // 0x20 user data, DPL 3
    0x00AF'FA00'0000'FFFF,  // 0x28 user code: 64-bit, DPL 3
    0,                      // 0x30 TSS, filled in below
    0,
};
alignas(16) InterruptGate g_idt[256];
FpuState g_fpu_initial;

void set_gate(uint32_t vector, uint64_t handler, uint8_t ist) {
    g_idt[vector] = InterruptGate{
        .offset_low = static_cast<uint16_t>(handler),
        .selector = x86::kernel_code,
        .ist = ist,
        .type = 0x8E,  // present, DPL 0, 64-bit interrupt gate (IF cleared on entry)
        .offset_middle = static_cast<uint16_t>(handler >> 16),
        .offset_high = static_cast<uint32_t>(handler >> 32),
        .reserved = 0,
    };
}

}  // namespace

void initialise() {
    // TSS: rsp0 is set before each return to ring 3; a double fault gets a
    // stack of its own (IST 1), so a broken kernel stack still reports.
    g_tss.ist[0] = reinterpret_cast<uint64_t>(g_double_fault_stack + sizeof g_double_fault_stack);
    g_tss.io_map_base = offsetof(TaskStateSegment, io_bitmap);  // every port closed to ring 3 until opened
    for (uint8_t& bits : g_tss.io_bitmap) bits = 0xFF;
    const uint64_t tss = reinterpret_cast<uint64_t>(&g_tss);
    const uint64_t limit = sizeof(TaskStateSegment) - 1;
    g_gdt[6] = (limit & 0xFFFF) | ((tss & 0xFF'FFFF) << 16) | (uint64_t{0x89} << 40) | (((limit >> 16) & 0xF) << 48) |
               (((tss >> 24) & 0xFF) << 56);
    g_gdt[7] = tss >> 32;
    const DescriptorPointer gdt{sizeof g_gdt - 1, reinterpret_cast<uint64_t>(g_gdt)};
    asm volatile(
        "lgdt %0\n"
        "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n"
        "pushq %2\n leaq 1f(%%rip), %%rax\n pushq %%rax\n lretq\n"
        "1:\n"
        :
        : "m"(gdt), "r"(uint32_t{x86::kernel_data}), "i"(x86::kernel_code)
        : "rax", "memory");
    asm volatile("ltr %0" : : "r"(x86::tss_selector));

    // A double fault and an NMI get the spare stack (IST 1): either may arrive
    // with a stack the kernel cannot trust (an NMI right before sysretq runs
    // on the user's).
    // Vectors 0-31 are the CPU's exceptions, 32-95 the IRQ lines
    // (interrupt_controller.h), 255 the local APIC's spurious interrupt.
    for (uint32_t vector = 0; vector < 96; ++vector)
        set_gate(vector, axl_trap_stubs[vector], vector == 8 || vector == 2 ? 1 : 0);
    set_gate(255, axl_trap_stubs[96], 0);
    const DescriptorPointer idt{sizeof g_idt - 1, reinterpret_cast<uint64_t>(g_idt)};
    asm volatile("lidt %0" : : "m"(idt));

    // syscall enters at axl_syscall_entry on the kernel's selectors with IF,
    // TF, DF and AC cleared; sysret/iretq return on the user ones.
    x86::wrmsr(x86::msr_efer, x86::rdmsr(x86::msr_efer) | x86::efer_sce | x86::efer_nxe);
    x86::wrmsr(x86::msr_star, uint64_t{x86::user_base} << 48 | uint64_t{x86::kernel_code} << 32);
    x86::wrmsr(x86::msr_lstar, reinterpret_cast<uint64_t>(&axl_syscall_entry));
    x86::wrmsr(x86::msr_fmask, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18));
    // Every process runs with GS base 0, which the kernel never changes (no
    // swapgs): Linux's per-CPU variables, read %gs-relative by the Linux driver
    // programs, then land on their plain globals, as on the hosted port
    // (docs/linux-drivers.md). Loading a null selector into GS does not clear
    // the base on every CPU (AMD's keep it), and the firmware may have set it.
    x86::wrmsr(x86::msr_gs_base, 0);
    x86::wrmsr(x86::msr_kernel_gs_base, 0);

    // FPU and SSE for user programs (the kernel itself is built without them):
    // CR0.MP on, EM and TS off; CR4.OSFXSR and OSXMMEXCPT.
    x86::write_cr0((x86::read_cr0() | (1u << 1)) & ~uint64_t{(1u << 2) | (1u << 3)});
    x86::write_cr4(x86::read_cr4() | (1u << 9) | (1u << 10));
    asm volatile("fninit");
    const uint32_t mxcsr = 0x1F80;
    asm volatile("ldmxcsr %0" : : "m"(mxcsr));
    fpu_save(g_fpu_initial);
}

void set_io_ports(uint16_t first, uint16_t last, bool open) {
    for (uint32_t port = first; port <= last; ++port) {
        const uint8_t bit = static_cast<uint8_t>(1u << (port % 8));
        if (open)
            g_tss.io_bitmap[port / 8] &= static_cast<uint8_t>(~bit);
        else
            g_tss.io_bitmap[port / 8] |= bit;
    }
}

void set_kernel_entry_stack(uint64_t top) {
    g_tss.rsp[0] = top;
    *reinterpret_cast<uint64_t*>(axl_current_frame_top) = top;
}

void fpu_save(FpuState& state) { asm volatile("fxsave64 %0" : "=m"(state)); }
void fpu_restore(const FpuState& state) { asm volatile("fxrstor64 %0" : : "m"(state)); }
const FpuState& fpu_initial_state() { return g_fpu_initial; }

}  // namespace axl::x86_64::cpu
