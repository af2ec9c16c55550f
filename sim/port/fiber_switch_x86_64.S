/* The hosted port's one context switch, x86-64 System V (see sim/port/fiber.h).
 *
 *   uint64_t axl_fiber_switch(fcontext_t* save, fcontext_t to, uint64_t value);
 *
 * Suspends the running context into *save and resumes `to`, which sees this
 * call (or the one that suspended it) return `value`. Storing *save here,
 * before the jump, is what lets `value` travel in the return register: nobody
 * has to hand the leaving context over afterwards.
 *
 * The saved frame is Boost.Context's x86-64 fcontext frame, so contexts made
 * by make_fcontext, or suspended by jump_fcontext, resume here too:
 *
 *   0x00 MXCSR   0x04 x87 control word   0x08 R12   0x10 R13   0x18 R14
 *   0x20 R15     0x28 RBX                0x30 RBP   0x38 return address
 *
 * A context resumes with an indirect jump, as jump_fcontext does, not with
 * `ret`. The hosted kernel-call wrappers jump here as their last act (a tail
 * call), so the address a process resumes at is in its own program code, just
 * after its kernel call; that differs from process to process, and the host
 * CPU predicts an indirect jump's target from recent history (a client/server
 * pair alternates two targets), where `ret` would be predicted to return to
 * the other process's call site and miss on every switch.
 *
 * The `.set` names give the C++ side separately typed declarations of this
 * one function (sim/port/fiber.h, sim/port/hosted_port.h).
 */
    .text
    .globl  axl_fiber_switch
    .type   axl_fiber_switch, @function
    .globl  axl_process_switch
    .type   axl_process_switch, @function
    .align  16
axl_fiber_switch:
axl_process_switch:
    .cfi_startproc
    leaq    -0x38(%rsp), %rsp
    .cfi_adjust_cfa_offset 0x38
    stmxcsr (%rsp)
    fnstcw  0x4(%rsp)
    movq    %r12, 0x08(%rsp)
    movq    %r13, 0x10(%rsp)
    movq    %r14, 0x18(%rsp)
    movq    %r15, 0x20(%rsp)
    movq    %rbx, 0x28(%rsp)
    movq    %rbp, 0x30(%rsp)
    movq    %rsp, (%rdi)        /* *save = the context we leave */

    movq    %rsi, %rsp          /* the context we enter */
    ldmxcsr (%rsp)
    fldcw   0x4(%rsp)
    movq    0x08(%rsp), %r12
    movq    0x10(%rsp), %r13
    movq    0x18(%rsp), %r14
    movq    0x20(%rsp), %r15
    movq    0x28(%rsp), %rbx
    movq    0x30(%rsp), %rbp
    movq    0x38(%rsp), %r8
    leaq    0x40(%rsp), %rsp

    movq    %rdx, %rax          /* what the resumed call returns */
    jmp     *%r8
    .cfi_endproc
    .size   axl_fiber_switch, .-axl_fiber_switch
    .size   axl_process_switch, .-axl_process_switch

    .section .note.GNU-stack, "", @progbits
