// Copies between the kernel and the running process's memory, in its own
// address space. The caller (user_memory.h) has checked that the range lies
// in user space; a page that is not mapped, or not writable, faults on the
// marked instruction, and the trap handler (traps.cc) resumes at the fixup,
// which returns false instead of crashing the kernel.
//
// bool axl_user_copy(void* to, const void* from, size_t bytes)

    .text
    .global axl_user_copy
axl_user_copy:
    // Eight bytes at a time, then the rest: a 64-byte message is eight
    // iterations, not sixty-four.
    mov %rdx, %rcx
    shr $3, %rcx
1:  rep movsq
    mov %rdx, %rcx
    and $7, %rcx
2:  rep movsb
    mov $1, %eax
    ret
3:  xor %eax, %eax
    ret

    .section .fixups, "a"
    .quad 1b, 3b
    .quad 2b, 3b

    .section .note.GNU-stack, "", @progbits
