/* SPDX-License-Identifier: MIT */
/*
 * What every stress program shares: the seed ("seed: N" first, from argv[1],
 * else KTLSO_SEED, else the clock), a small per-thread generator derived
 * from it so each thread's choices replay with the seed (the interleaving
 * does not), the run's length (KTLSO_STRESS_SECONDS), and a tally of
 * syscall outcomes against the errnos their man pages and kTLS document.
 */
#ifndef KTLSO_STRESS_H
#define KTLSO_STRESS_H

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned int stress_seed(int argc, char **argv)
{
	const char *env = getenv("KTLSO_SEED");
	unsigned int seed = argc > 1 ? strtoul(argv[1], NULL, 0) :
			    env ? strtoul(env, NULL, 0) : (unsigned int)time(NULL);

	printf("seed: %u\n", seed);
	fflush(stdout);
	return seed;
}

/* Seconds this program runs for: KTLSO_STRESS_SECONDS, else dflt. */
static double stress_seconds(double dflt)
{
	const char *env = getenv("KTLSO_STRESS_SECONDS");
	double s = env ? strtod(env, NULL) : dflt;

	return s > 0 ? s : dflt;
}

static double stress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift32 over a state derived from (seed, stream); never zero. */
struct rng {
	uint32_t s;
};

static struct rng rng_for(unsigned int seed, unsigned int stream)
{
	struct rng r = { .s = seed * 2654435761u ^ (stream + 1) * 40503u };

	if (!r.s)
		r.s = 1;
	return r;
}

static uint32_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 17;
	r->s ^= r->s << 5;
	return r->s;
}

/* A number in [lo, hi]. */
static uint32_t rnd_in(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rnd(r) % (hi - lo + 1);
}

/*
 * Outcomes of one kind of syscall: how many succeeded, failed with a
 * documented errno, or failed with another (the first few are printed).
 */
struct tally {
	const char *what;
	const int *allowed;	/* 0-terminated */
	unsigned long ok, refused, wrong;
	pthread_mutex_t lock;
};

#define TALLY(name, ...) \
	{ .what = name, .allowed = (const int[]){ __VA_ARGS__, 0 }, \
	  .lock = PTHREAD_MUTEX_INITIALIZER }

/* Record a syscall's result (ret < 0: errno holds why); returns ret. */
static long tally(struct tally *t, long ret)
{
	int err = errno;
	bool known = ret >= 0;

	for (const int *a = t->allowed; !known && *a; a++)
		known = *a == err;
	pthread_mutex_lock(&t->lock);
	if (ret >= 0)
		t->ok++;
	else if (known)
		t->refused++;
	else if (++t->wrong <= 5)
		printf("    %s: undocumented errno %d (%s)\n", t->what, err, strerror(err));
	pthread_mutex_unlock(&t->lock);
	errno = err;
	return ret;
}

#endif /* KTLSO_STRESS_H */
