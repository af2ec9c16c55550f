/* SPDX-License-Identifier: MIT */
/*
 * The interrupt operations of pv_ops (paravirt.c): Linux calls them with
 * every register but %rax to be kept, so each touches only %rax and the
 * recorded flags word.
 */
	.text

	.globl lx_pv_save_fl
	.type lx_pv_save_fl, @function
lx_pv_save_fl:
	movq lx_pv_flags(%rip), %rax
	ret
	.size lx_pv_save_fl, . - lx_pv_save_fl

	.globl lx_pv_irq_disable
	.type lx_pv_irq_disable, @function
lx_pv_irq_disable:
	andq $~0x200, lx_pv_flags(%rip)
	ret
	.size lx_pv_irq_disable, . - lx_pv_irq_disable

	.globl lx_pv_irq_enable
	.type lx_pv_irq_enable, @function
lx_pv_irq_enable:
	orq $0x200, lx_pv_flags(%rip)
	ret
	.size lx_pv_irq_enable, . - lx_pv_irq_enable

	.section .note.GNU-stack,"",@progbits
