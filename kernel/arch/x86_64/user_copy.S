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
    mov %rdx, %rcx
1:  rep movsb
    mov $1, %eax
    ret
2:  xor %eax, %eax
    ret

    .section .fixups, "a"
    .quad 1b, 2b

    .section .note.GNU-stack, "", @progbits
