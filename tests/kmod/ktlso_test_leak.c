// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never installed: loading it allocates memory and
 * forgets every pointer to it. On the 6.12-debug kernel kmemleak reports the
 * object at the scan tools/vm/init runs after the command, and
 * tests/harness.sh checks that tools/vm/run fails such a run and says why.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

/*
 * Not __init: kmemleak prints the allocation's stack when it scans, after
 * the module's init text is freed, and only text that stays has a name.
 */
static noinline int leak_one(void)
{
	/* volatile: the allocation stays, and so does the store that drops it. */
	void *volatile leaked = kmalloc(96, GFP_KERNEL);

	if (!leaked)
		return -ENOMEM;
	memset(leaked, 0x6b, 96);
	leaked = NULL;
	return 0;
}

static int __init leak_init(void)
{
	pr_info("deliberate leak of 96 bytes for the VM harness test\n");
	return leak_one();
}

static void __exit leak_exit(void)
{
}

module_init(leak_init);
module_exit(leak_exit);
MODULE_DESCRIPTION("ktlso test: leak one allocation on load, for kmemleak");
MODULE_LICENSE("GPL");
