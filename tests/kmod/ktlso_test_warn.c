// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never installed: loading it raises one kernel WARNING.
 * tests/harness.sh loads it to prove that tools/vm/run fails a run whose
 * kernel log shows a WARNING even when the command itself succeeds.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_init(void)
{
	WARN(1, "ktlso_test_warn: deliberate warning for the VM harness test\n");
	return 0;
}

static void __exit warn_exit(void)
{
}

module_init(warn_init);
module_exit(warn_exit);
MODULE_DESCRIPTION("ktlso test: raise a WARNING on load");
MODULE_LICENSE("GPL");
