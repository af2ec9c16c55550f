// SPDX-License-Identifier: MIT
/*
 * A driver process's Linux side starts here: its modules' inits run in
 * Linux's load order, as modprobe would run them (dependencies first).
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "linux_env/kit/lx_kit.h"

/* Linux's own early initialisation of the core files linked in
 * (linux_env/core.txt), as start_kernel() runs it. */
void radix_tree_init(void);

static int lx_unknown_param(char *param, char *val, const char *doing, void *arg)
{
	pr_err("%s: unknown module parameter '%s'\n", doing, param);
	return -ENOENT;
}

/* As insmod applies "name=value ..." to a module's parameters. */
static int lx_apply_params(const char *name, const struct lx_emul_params *params)
{
	static char text[512];
	const struct kernel_param *first = params->first, *last = params->last;
	char *error;

	if (!params->text || !params->text[0])
		return 0;
	if (strscpy(text, params->text, sizeof(text)) < 0) {
		pr_err("%s: module parameters longer than %zu bytes\n", name, sizeof(text) - 1);
		return -E2BIG;
	}
	error = parse_args(name, text, first, last - first, -32768, 32767, NULL, lx_unknown_param);
	if (IS_ERR(error))
		return PTR_ERR(error);
	pr_info("%s: module parameters: %s\n", name, params->text);
	return 0;
}

int lx_emul_start(const struct lx_emul_module *modules, unsigned int count, const struct lx_emul_params *params)
{
	unsigned int index;
	int error;

	radix_tree_init();
	error = lx_apply_params(modules && count ? modules[count - 1].name : "driver", params);
	if (error)
		return error;

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
