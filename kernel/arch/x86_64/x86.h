// The x86-64 instructions the port needs, as inline functions. Only
// kernel/arch/x86_64/ includes this: the portable kernel reaches the machine
// through kernel/platform.h alone.
#pragma once

#include <cstdint>

namespace axl::x86 {

inline uint8_t inb(uint16_t port) {
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline uint16_t inw(uint16_t port) {
    uint16_t value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline uint32_t inl(uint16_t port) {
    uint32_t value;
    asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outb(uint16_t port, uint8_t value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline void outw(uint16_t port, uint16_t value) { asm volatile("outw %0, %1" : : "a"(value), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t value) { asm volatile("outl %0, %1" : : "a"(value), "Nd"(port)); }

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return uint64_t{high} << 32 | low;
}
inline void wrmsr(uint32_t msr, uint64_t value) {
    asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(value)), "d"(static_cast<uint32_t>(value >> 32)));
}

inline uint64_t read_cr0() {
    uint64_t value;
    asm volatile("mov %%cr0, %0" : "=r"(value));
    return value;
}
inline void write_cr0(uint64_t value) { asm volatile("mov %0, %%cr0" : : "r"(value) : "memory"); }
inline uint64_t read_cr2() {
    uint64_t value;
    asm volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}
inline uint64_t read_cr3() {
    uint64_t value;
    asm volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}
inline void write_cr3(uint64_t value) { asm volatile("mov %0, %%cr3" : : "r"(value) : "memory"); }
inline uint64_t read_cr4() {
    uint64_t value;
    asm volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}
inline void write_cr4(uint64_t value) { asm volatile("mov %0, %%cr4" : : "r"(value) : "memory"); }

inline uint64_t rdtsc() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return uint64_t{high} << 32 | low;
}
inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d) {
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(subleaf));
}

inline void cli() { asm volatile("cli" ::: "memory"); }
inline void sti() { asm volatile("sti" ::: "memory"); }
// Enables interrupts and halts in one step: an interrupt that is already
// pending is taken after the hlt begins, never lost between the two.
inline void sti_hlt() { asm volatile("sti; hlt" ::: "memory"); }
inline void hlt() { asm volatile("hlt" ::: "memory"); }
inline void invlpg(uint64_t address) { asm volatile("invlpg (%0)" : : "r"(address) : "memory"); }
inline void pause() { asm volatile("pause"); }

// MSRs
inline constexpr uint32_t msr_efer = 0xC000'0080;
inline constexpr uint32_t msr_star = 0xC000'0081;
inline constexpr uint32_t msr_lstar = 0xC000'0082;
inline constexpr uint32_t msr_fmask = 0xC000'0084;
inline constexpr uint32_t msr_gs_base = 0xC000'0101;
inline constexpr uint32_t msr_kernel_gs_base = 0xC000'0102;
inline constexpr uint64_t efer_sce = 1u << 0;  // syscall/sysret
inline constexpr uint64_t efer_nxe = 1u << 11;

// Segment selectors (cpu.cc lays out the GDT; syscall/sysret fix the order).
inline constexpr uint16_t kernel_code = 0x08;
inline constexpr uint16_t kernel_data = 0x10;
inline constexpr uint16_t user_base = 0x18;  // STAR: sysret adds 8 (data) and 16 (64-bit code)
inline constexpr uint16_t user_data = 0x20 | 3;
inline constexpr uint16_t user_code = 0x28 | 3;
inline constexpr uint16_t tss_selector = 0x30;

inline constexpr uint64_t rflags_if = 1u << 9;
inline constexpr uint64_t rflags_reserved = 1u << 1;

}  // namespace axl::x86
