// SPDX-License-Identifier: MIT
/*
 * ktlsod's handshake slots (userspace/daemon/slots.c): how many handshakes
 * the acceptor lets run, from max_handshakes and RLIMIT_NOFILE, and the
 * wake-up when one frees.
 *
 *   slots_take() x N ─► full ─► slots_put() ─► slots_fd() readable
 */
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../lib/check.h"
#include "slots.h"

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void test_max_handshakes(void)
{
	struct slots s;
	unsigned int taken = 0;

	if (slots_init(&s, 2)) {
		CHECK(0, "slots_init");
		return;
	}
	while (taken < 100 && slots_take(&s, 5))
		taken++;
	CHECK(taken == 5, "max_handshakes 5: five slots, then none (%u)", taken);
	CHECK(!readable(slots_fd(&s)), "nothing to wake for yet");
	slots_cancel(&s);
	CHECK(!readable(slots_fd(&s)), "a cancelled take wakes nobody");
	CHECK(slots_take(&s, 5), "... but its slot is free again");
	slots_put(&s);
	CHECK(readable(slots_fd(&s)), "a put wakes the acceptor");
	slots_clear(&s);
	CHECK(!readable(slots_fd(&s)), "slots_clear() drains the wake-up");
	CHECK(slots_take(&s, 5) && !slots_take(&s, 5),
	      "the put slot can be taken once");
	CHECK(slots_take(&s, 6), "a raised max_handshakes counts at once");
	slots_uninit(&s);
}

/* One descriptor per handshake, beyond ktlsod's own and the reserve. */
static void test_nofile(void)
{
	struct rlimit saved, rl;
	struct slots s;
	unsigned int own, max;

	if (getrlimit(RLIMIT_NOFILE, &saved) || slots_init(&s, 2)) {
		CHECK(0, "getrlimit, slots_init");
		return;
	}
	own = s.own_fds;
	CHECK(own >= SLOTS_FD_RESERVE + 2 + 3,
	      "own descriptors: those open, the reserve, one per worker (%u)",
	      own);
	rl = saved;
	rl.rlim_cur = own + 40;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		CHECK(0, "setrlimit %u", own + 40);
		slots_uninit(&s);
		return;
	}
	max = slots_max(&s, 1024);
	CHECK(max == 40, "RLIMIT_NOFILE own + 40: 40 slots of 1024 (%u)", max);
	CHECK(slots_max(&s, 10) == 10, "max_handshakes 10 below that: 10");
	rl.rlim_cur = own - 1;
	if (!setrlimit(RLIMIT_NOFILE, &rl))
		CHECK(slots_max(&s, 1024) == 0 && !slots_take(&s, 1024),
		      "a limit below ktlsod's own: no slot at all");
	CHECK(setrlimit(RLIMIT_NOFILE, &saved) == 0, "limit restored");
	slots_uninit(&s);
}

int main(void)
{
	test_max_handshakes();
	test_nofile();
	return check_summary();
}
