// SPDX-License-Identifier: MIT
/* Handshake slots (slots.h). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "slots.h"

/* Open descriptors, the directory's own not counted. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

int slots_init(struct slots *s, unsigned int workers)
{
	int n;

	atomic_init(&s->used, 0);
	s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake < 0)
		return -errno;
	n = count_fds();
	if (n < 0) {
		close(s->wake);
		s->wake = -1;
		return n;
	}
	s->own_fds = n + SLOTS_FD_RESERVE + workers;
	return 0;
}

void slots_uninit(struct slots *s)
{
	if (s->wake >= 0)
		close(s->wake);
	s->wake = -1;
}

unsigned int slots_max(const struct slots *s, unsigned int max_handshakes)
{
	struct rlimit rl;
	rlim_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return max_handshakes;
	room = rl.rlim_cur > s->own_fds ? rl.rlim_cur - s->own_fds : 0;
	return room < max_handshakes ? room : max_handshakes;
}

bool slots_take(struct slots *s, unsigned int max_handshakes)
{
	unsigned int max = slots_max(s, max_handshakes);
	unsigned int used = atomic_load(&s->used);

	/* Only the acceptor takes: no other taker can race this. */
	if (used >= max)
		return false;
	atomic_fetch_add(&s->used, 1);
	return true;
}

void slots_put(struct slots *s)
{
	uint64_t one = 1;

	atomic_fetch_sub(&s->used, 1);
	/* Always: a wake-up the acceptor does not need costs one read. */
	if (write(s->wake, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, so it is readable anyway. */
	}
}

void slots_cancel(struct slots *s)
{
	atomic_fetch_sub(&s->used, 1);
}

int slots_fd(const struct slots *s)
{
	return s->wake;
}

void slots_clear(struct slots *s)
{
	uint64_t n;

	while (read(s->wake, &n, sizeof(n)) == sizeof(n))
		;
}
