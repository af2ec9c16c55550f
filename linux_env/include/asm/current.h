/*
 * Shadows Linux's arch/x86/include/asm/current.h for the Linux environment.
 *
 * Linux reads the running task with this_cpu_read_stable(), whose assembly
 * names current_task by its absolute address: right for a kernel linked at a
 * fixed address, impossible in a position-independent process. This reads
 * the same per-CPU variable with this_cpu_read(), which the compiler
 * addresses relative to the instruction; the value is the same.
 */
#ifndef _ASM_X86_CURRENT_H
#define _ASM_X86_CURRENT_H

#include <linux/compiler.h>
#include <asm/percpu.h>

#ifndef __ASSEMBLY__
struct task_struct;

DECLARE_PER_CPU(struct task_struct *, current_task);

static __always_inline struct task_struct *get_current(void)
{
	return this_cpu_read(current_task);
}

#define current get_current()

#endif /* __ASSEMBLY__ */

#endif /* _ASM_X86_CURRENT_H */
