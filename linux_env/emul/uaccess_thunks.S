/* SPDX-License-Identifier: MIT */
/*
 * Linux's get_user/put_user call these with registers of their own, and
 * expect every other register kept (arch/x86/include/asm/uaccess.h):
 *   __get_user_N:  address in %rax; returns the error in %eax, the value in %rdx
 *   __put_user_N:  address in %rcx, value in %rax; returns the error in %ecx
 *                  (%rbx may be clobbered)
 * Each saves the registers a C call may clobber, calls lx_emul_get_user or
 * lx_emul_put_user (linux_env/emul/uaccess.c), and restores them.
 */
	.text

.macro SAVE_CALLER_SAVED
	pushq %rdi
	pushq %rsi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
.endm

.macro RESTORE_CALLER_SAVED
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rsi
	popq %rdi
.endm

.macro GET_USER name, size
	.globl \name
	.type \name, @function
\name:
	pushq %rcx
	SAVE_CALLER_SAVED
	pushq %rbp
	movq %rsp, %rbp
	subq $16, %rsp
	andq $-16, %rsp
	movq %rax, %rdi
	movq $\size, %rsi
	movq %rsp, %rdx
	call lx_emul_get_user
	movq (%rsp), %rdx
	movq %rbp, %rsp
	popq %rbp
	RESTORE_CALLER_SAVED
	popq %rcx
	ret
	.size \name, . - \name
.endm

.macro PUT_USER name, size
	.globl \name
	.type \name, @function
\name:
	pushq %rax
	pushq %rdx
	SAVE_CALLER_SAVED
	movq %rsp, %rbx
	andq $-16, %rsp
	movq %rcx, %rdi
	movq $\size, %rsi
	movq %rax, %rdx
	call lx_emul_put_user
	movl %eax, %ecx
	movq %rbx, %rsp
	RESTORE_CALLER_SAVED
	popq %rdx
	popq %rax
	ret
	.size \name, . - \name
.endm

GET_USER __get_user_1, 1
GET_USER __get_user_2, 2
GET_USER __get_user_4, 4
GET_USER __get_user_8, 8
GET_USER __get_user_nocheck_1, 1
GET_USER __get_user_nocheck_2, 2
GET_USER __get_user_nocheck_4, 4
GET_USER __get_user_nocheck_8, 8
PUT_USER __put_user_1, 1
PUT_USER __put_user_2, 2
PUT_USER __put_user_4, 4
PUT_USER __put_user_8, 8
PUT_USER __put_user_nocheck_1, 1
PUT_USER __put_user_nocheck_2, 2
PUT_USER __put_user_nocheck_4, 4
PUT_USER __put_user_nocheck_8, 8

	.section .note.GNU-stack,"",@progbits
