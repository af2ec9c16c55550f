// A program's first instruction. The kernel starts every process here with
// rdi = its program's entry (found in .axl_programs) and rsi = the startup
// block (syscall_abi.h); axl_user_start runs the program and exits with its
// status.
    .section .text.start, "ax"
    .global _start
_start:
    xor %ebp, %ebp
    and $-16, %rsp
    call axl_user_start
    ud2

    .section .note.GNU-stack, "", @progbits
