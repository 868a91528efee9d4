// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never installed: loading it reads one byte past the end
 * of a kmalloc'ed buffer. On the 6.12-debug kernel KASAN reports it, and
 * tests/harness.sh checks that tools/vm/run fails such a run and says why.
 * (On a stock kernel the byte is slab slack and nothing is reported.)
 */
#include <linux/module.h>
#include <linux/slab.h>

/* volatile: the compiler can neither see the overrun nor drop the read. */
static volatile size_t len = 17;

static int __init oob_init(void)
{
	size_t n = len;
	volatile char *buf = kmalloc(n, GFP_KERNEL);
	char past_end;

	if (!buf)
		return -ENOMEM;
	past_end = buf[n];
	pr_info("deliberate out-of-bounds read for the VM harness test: %d\n", past_end);
	kfree((void *)buf);
	return 0;
}

static void __exit oob_exit(void)
{
}

module_init(oob_init);
module_exit(oob_exit);
MODULE_DESCRIPTION("ktlso test: an out-of-bounds read for KASAN on load");
MODULE_LICENSE("GPL");
