// SPDX-License-Identifier: MIT
/*
 * The one CPU a driver process is, as Linux's headers read it: per-CPU
 * variables are plain globals (the process's GS base is 0, so Linux's
 * %gs-relative accesses land on them), the running task, the preemption
 * count, the CPU masks.
 *
 * Nothing preempts code in a driver process: interrupts, timers and work run
 * only when the process waits for its next message (linux_env/kit/). So
 * preemption and interrupt masking have nothing to hold off; they are counted
 * so that Linux's own checks (in_atomic, irqs_disabled) answer truly.
 */
#include <linux/sched.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/cpuhotplug.h>
#include <asm/processor.h>
#include <linux/cc_platform.h>

#include "linux_env/kit/lx_kit.h"

/* Every Linux activity of the process runs as this task. */
static struct task_struct lx_task = {
	.comm = "driver",
	.pid = 1,
};

DEFINE_PER_CPU(struct task_struct *, current_task) = &lx_task;
EXPORT_PER_CPU_SYMBOL(current_task);
DEFINE_PER_CPU(int, __preempt_count) = INIT_PREEMPT_COUNT;
EXPORT_PER_CPU_SYMBOL(__preempt_count);
DEFINE_PER_CPU_READ_MOSTLY(int, cpu_number);
EXPORT_PER_CPU_SYMBOL(cpu_number);
DEFINE_PER_CPU_READ_MOSTLY(unsigned long, this_cpu_off);
EXPORT_PER_CPU_SYMBOL(this_cpu_off);

/* What drivers read of the CPU: a 64-bit x86 of no particular vendor or
 * model (the same in every run; a driver that needs a real CPU feature finds
 * none). */
#define LX_CPUINFO {							\
	.x86 = 6,							\
	.x86_vendor = X86_VENDOR_UNKNOWN,				\
	.x86_clflush_size = 64,						\
	.x86_cache_alignment = 64,					\
	.x86_phys_bits = 46,						\
	.x86_virt_bits = 48,						\
	.x86_max_cores = 1,						\
}
struct cpuinfo_x86 boot_cpu_data __read_mostly = LX_CPUINFO;
EXPORT_SYMBOL(boot_cpu_data);
/* The one CPU's own copy, the same. */
DEFINE_PER_CPU_READ_MOSTLY(struct cpuinfo_x86, cpu_info) = LX_CPUINFO;
EXPORT_PER_CPU_SYMBOL(cpu_info);

unsigned int nr_cpu_ids = 1;
EXPORT_SYMBOL(nr_cpu_ids);
struct cpumask __cpu_possible_mask = { .bits = { 1 } };
EXPORT_SYMBOL(__cpu_possible_mask);
struct cpumask __cpu_online_mask = { .bits = { 1 } };
EXPORT_SYMBOL(__cpu_online_mask);
struct cpumask __cpu_present_mask = { .bits = { 1 } };
EXPORT_SYMBOL(__cpu_present_mask);
struct cpumask __cpu_active_mask = { .bits = { 1 } };
EXPORT_SYMBOL(__cpu_active_mask);
atomic_t __num_online_cpus = ATOMIC_INIT(1);
EXPORT_SYMBOL(__num_online_cpus);

enum system_states system_state = SYSTEM_RUNNING;
EXPORT_SYMBOL(system_state);

/* Readers never wait in a driver process (nothing preempts them), so a
 * grace period has always passed by the time a writer asks. */
void __rcu_read_lock(void)
{
}
EXPORT_SYMBOL_GPL(__rcu_read_lock);

void __rcu_read_unlock(void)
{
}
EXPORT_SYMBOL_GPL(__rcu_read_unlock);

void synchronize_rcu(void)
{
}
EXPORT_SYMBOL_GPL(synchronize_rcu);

/* Called when preempt_enable() finds a reschedule pending; never pending in
 * a driver process, where nothing sets it. */
asmlinkage __visible void preempt_schedule(void)
{
}
EXPORT_SYMBOL(preempt_schedule);

asmlinkage __visible void preempt_schedule_notrace(void)
{
}
EXPORT_SYMBOL(preempt_schedule_notrace);

int __cond_resched(void)
{
	return 0;
}
EXPORT_SYMBOL(__cond_resched);

/* per_cpu_ptr(p, cpu) adds this: the one CPU's variables are the globals. */
unsigned long __per_cpu_offset[NR_CPUS] __read_mostly;
EXPORT_SYMBOL(__per_cpu_offset);

/* CPU hotplug never happens in a driver process: a callback registered for
 * a state would only ever see the one CPU, which is up before the driver. */
int __cpuhp_setup_state(enum cpuhp_state state, const char *name, bool invoke,
			int (*startup)(unsigned int cpu), int (*teardown)(unsigned int cpu),
			bool multi_instance)
{
	if (invoke && startup)
		return startup(0);
	return 0;
}
EXPORT_SYMBOL(__cpuhp_setup_state);

/* No confidential-computing platform: no memory encryption to honour. */
bool cc_platform_has(enum cc_attr attr)
{
	return false;
}
EXPORT_SYMBOL_GPL(cc_platform_has);
