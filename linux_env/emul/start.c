// SPDX-License-Identifier: MIT
/*
 * A driver process's Linux side starts here: its modules' inits run in
 * Linux's load order, as modprobe would run them (dependencies first).
 */
#include <linux/kernel.h>
#include <linux/printk.h>

#include "linux_env/kit/lx_kit.h"

/* Linux's own early initialisation of the core files linked in
 * (linux_env/core.txt), as start_kernel() runs it. */
void radix_tree_init(void);

int lx_emul_start(const struct lx_emul_module *modules, unsigned int count)
{
	unsigned int index;

	radix_tree_init();

	for (index = 0; index < count; index++) {
		int error = modules[index].init ? modules[index].init() : 0;

		if (error) {
			pr_err("%s: init failed: %d\n", modules[index].name, error);
			return error;
		}
	}
	return 0;
}

void lx_emul_unimplemented(const char *symbol, const char *driver)
{
	pr_emerg("linux: unimplemented %s called from %s\n", symbol, driver);
	lx_kit_fault("unimplemented Linux symbol");
}
