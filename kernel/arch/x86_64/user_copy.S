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

// bool axl_user_probe_message(void* message): the 64 bytes at `message` are
// writable; checked at both ends by writing back what is there (a message
// never spans more than two pages).
    .text
    .global axl_user_probe_message
axl_user_probe_message:
4:  mov (%rdi), %al
5:  mov %al, (%rdi)
6:  mov 63(%rdi), %al
7:  mov %al, 63(%rdi)
    mov $1, %eax
    ret
8:  xor %eax, %eax
    ret

    .section .fixups, "a"
    .quad 4b, 8b
    .quad 5b, 8b
    .quad 6b, 8b
    .quad 7b, 8b

    .section .note.GNU-stack, "", @progbits
