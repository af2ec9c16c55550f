// Every way into the kernel and the one way out.
//
// As in MINIX, a process's saved registers live in its process-table entry
// (Process frame in port.h): the TSS's rsp0 and axl_current_frame_top point
// just past the frame of the process that runs, so an interrupt or exception
// from ring 3 pushes the hardware part straight into it, the stub pushes the
// rest, and nothing is copied when the kernel later continues another
// process. The C++ side then runs on the kernel stack and returns the frame
// to continue: the same one, or another process's (axl_resume).
//
// TrapFrame layout (port.h), lowest address first:
//   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax vector error
//   rip cs rflags rsp ss

#define USER_CS (0x28 | 3)
#define USER_DS (0x20 | 3)
#define SYSCALL_VECTOR 256

.macro SAVE_REGISTERS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

// The other way, and past the vector and error code.
.macro RESTORE_REGISTERS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp       // vector, error
.endm

    .text
// void axl_resume(TrapFrame* frame) [[noreturn]]: continue what `frame` holds.
// A frame saved by a system call returns with sysretq (rcx and r11, which
// `syscall` clobbers anyway, carry rip and rflags); any other frame (an
// interrupt, a fault, a process's first start) with iretq.
    .global axl_resume
axl_resume:
    mov %rdi, %rsp
    cmpq $SYSCALL_VECTOR, 15*8(%rsp)
    jne 2f
    // sysretq to a non-canonical rip would fault in ring 0 on the user's
    // stack: only a rip inside user space takes this way.
    movabs $0x00007FFFFFFFFFFF, %rax
    cmp %rax, 17*8(%rsp)
    ja 2f
    RESTORE_REGISTERS
    mov 0(%rsp), %rcx   // rip
    mov 16(%rsp), %r11  // rflags
    mov 24(%rsp), %rsp  // the user's stack; interrupts stay off until sysretq
    sysretq
2:  RESTORE_REGISTERS
    iretq

// syscall: rcx = user rip, r11 = user rflags, rsp still the user's; IF is
// already clear (FMASK). One CPU, so a global holds the user rsp meanwhile.
    .global axl_syscall_entry
axl_syscall_entry:
    mov %rsp, axl_user_rsp_scratch(%rip)
    mov axl_current_frame_top(%rip), %rsp
    push $USER_DS
    push axl_user_rsp_scratch(%rip)
    push %r11
    push $USER_CS
    push %rcx
    push $0
    push $SYSCALL_VECTOR
    SAVE_REGISTERS
    mov %rsp, %rdi
    movabs $axl_kernel_stack_top, %rsp
    call axl_syscall
    mov %rax, %rdi
    jmp axl_resume

// Interrupts and exceptions. From ring 3 the frame is the process's; from
// ring 0 (the idle loop's hlt, or a fault in the kernel) it is on the kernel
// stack, and the handler continues there.
trap_common:
    SAVE_REGISTERS
    mov %rsp, %rdi
    testb $3, 18*8(%rsp)    // cs of the interrupted context
    jz 1f
    movabs $axl_kernel_stack_top, %rsp
1:  call axl_trap
    mov %rax, %rdi
    jmp axl_resume

.macro TRAP_STUB vector, has_error
    .balign 16
trap_stub_\vector:
    .if \has_error == 0
    push $0
    .endif
    push $\vector
    jmp trap_common
.endm

// Exceptions that push an error code: 8, 10-14, 17, 21, 29, 30.
.altmacro
.macro TRAP_STUBS first, last
    .set vector, \first
    .rept \last - \first + 1
        .if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
            TRAP_STUB %vector, 1
        .else
            TRAP_STUB %vector, 0
        .endif
        .set vector, vector + 1
    .endr
.endm
TRAP_STUBS 0, 95
TRAP_STUB 255, 0

.macro STUB_ADDRESS vector
    .quad trap_stub_\vector
.endm
    .section .rodata
    .balign 8
    .global axl_trap_stubs
axl_trap_stubs:         // vectors 0..95 (exceptions, IRQ lines 0..63), then the spurious vector 255
    .set vector, 0
    .rept 96
        STUB_ADDRESS %vector
        .set vector, vector + 1
    .endr
    STUB_ADDRESS 255

    .bss
    .balign 8
    .global axl_current_frame_top, axl_user_rsp_scratch
axl_current_frame_top: .quad 0
axl_user_rsp_scratch:  .quad 0
    .balign 16
    .global axl_kernel_stack_top
axl_kernel_stack: .skip 32768
axl_kernel_stack_top:

    .section .note.GNU-stack, "", @progbits
