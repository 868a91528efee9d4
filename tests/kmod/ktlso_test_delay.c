// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never installed: widen a race window. A kprobe on the
 * function named by symbol= busy-waits delay_ms= on every entry, so a race
 * that needs an unlucky interleaving of a few instructions happens on
 * nearly every try. tests/vm/handshake_race_test loads it to show a
 * lifetime bug the KASAN kernel reports (Documentation/testing.rst).
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>

static char *symbol;
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "function to delay on entry");

static unsigned int delay_ms = 20;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "busy-wait this long on each entry (at most 200)");

/*
 * Only in a task that is exiting: a daemon's exit runs its netlink socket's
 * release, while the application's close of the same socket does not, so
 * the delay holds one side of the race and not the other.
 */
static bool exiting_only;
module_param(exiting_only, bool, 0444);
MODULE_PARM_DESC(exiting_only, "delay only in a task that is exiting");

/* Read by the test: how many times the window was held open. */
static atomic_t hits = ATOMIC_INIT(0);
module_param_named(hits, hits.counter, int, 0444);

static int delay_on_entry(struct kprobe *p, struct pt_regs *regs)
{
	if (exiting_only && !(current->flags & PF_EXITING))
		return 0;
	atomic_inc(&hits);
	/* The handler may run with preemption off: spin, never sleep. */
	mdelay(delay_ms);
	return 0;
}

static struct kprobe probe = { .pre_handler = delay_on_entry };

static int __init delay_init(void)
{
	if (!symbol || !*symbol || delay_ms > 200)
		return -EINVAL;
	probe.symbol_name = symbol;
	return register_kprobe(&probe);
}

static void __exit delay_exit(void)
{
	unregister_kprobe(&probe);
}

module_init(delay_init);
module_exit(delay_exit);
MODULE_DESCRIPTION("ktlso test: delay a kernel function on entry to widen a race");
MODULE_LICENSE("GPL");
