// The registers of an interrupted context, in the order entry.S saves them.
#pragma once

#include <cstdint>

namespace axl::x86_64 {

struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;  // what the CPU pushes (iretq pops)
};
static_assert(sizeof(TrapFrame) == 22 * 8);

inline constexpr uint64_t syscall_vector = 256;

extern "C" [[noreturn]] void axl_resume(TrapFrame* frame);

}  // namespace axl::x86_64
