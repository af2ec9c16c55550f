// SPDX-License-Identifier: MIT
/*
 * Linux's paravirt operations, which Debian's configuration routes the
 * privileged instructions of inline code through (local_irq_save, io_delay):
 * a driver process is the "hypervisor" here. Interrupt masking only records
 * the state (interrupts are delivered between messages, never inside driver
 * code), so irqs_disabled() answers truly. The interrupt operations must keep
 * every register but %rax (Linux calls them with a convention of its own),
 * so they are written in assembly (paravirt_thunks.S).
 */
#include <asm/paravirt.h>
#include <asm/processor-flags.h>
#include <linux/export.h>

void lx_pv_save_fl(void);
void lx_pv_irq_disable(void);
void lx_pv_irq_enable(void);

/* X86_EFLAGS_IF while "interrupts" are enabled: read by the thunks. */
unsigned long lx_pv_flags = X86_EFLAGS_IF;

static void lx_pv_io_delay(void)
{
}

static void lx_pv_halt(void)
{
}

struct paravirt_patch_template pv_ops = {
	.cpu.io_delay = lx_pv_io_delay,
	.irq.save_fl = { .func = lx_pv_save_fl },
	.irq.irq_disable = { .func = lx_pv_irq_disable },
	.irq.irq_enable = { .func = lx_pv_irq_enable },
	.irq.safe_halt = lx_pv_halt,
	.irq.halt = lx_pv_halt,
};
EXPORT_SYMBOL(pv_ops);
