// SPDX-License-Identifier: MIT
/*
 * The engine's promise on any input (tests/lib/engine_verdict.h), in
 * `make check`: the fuzz target's seeds, its checked-in corpus
 * (tests/fuzz/corpus/engine_verdict: inputs worth keeping), a few
 * thousand random and mutated inputs, and streams longer than the byte
 * budget that only a missing verdict would let through. KTLSO_SEED=N
 * replays one random run (the seed is printed).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/check.h"
#include "../lib/engine_verdict.h"
#include "../lib/pki.h"
#include "wire/proto.h"

static struct verdict_configs configs;

#define SEEDS_MAX 8
static struct {
	char name[32];
	uint8_t *p;
	size_t len;
} seeds[SEEDS_MAX];
static size_t n_seeds;

static const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "done", "alert", "peer alert",
					     "more" };

	return v == VERDICT_BROKEN ? "broken" : names[v];
}

static void keep_seed(const char *name, const uint8_t *p, size_t len,
		      void *arg)
{
	(void)arg;
	if (n_seeds == SEEDS_MAX)
		abort();
	snprintf(seeds[n_seeds].name, sizeof(seeds[n_seeds].name), "%s", name);
	seeds[n_seeds].p = malloc(len);
	memcpy(seeds[n_seeds].p, p, len);
	seeds[n_seeds].len = len;
	n_seeds++;
}

/* One input: never broken; a server never completes on fuzzed bytes. */
static bool holds(const uint8_t *p, size_t len, enum verdict *v, char *why,
		  size_t whylen)
{
	*v = verdict_run(&configs, p, len, why, whylen);
	if (*v == VERDICT_DONE && len && !(p[0] & 0x80)) {
		snprintf(why, whylen, "a server completed on fuzzed bytes");
		return false;
	}
	return *v != VERDICT_BROKEN;
}

static void test_seeds(void)
{
	for (size_t i = 0; i < n_seeds; i++) {
		bool client = seeds[i].p[0] & 0x80;
		enum verdict want = client ? VERDICT_ALERT : VERDICT_MORE;
		enum verdict v = VERDICT_BROKEN;
		char why[256];

		/* A ClientHello leaves the server waiting; a recorded server
		 * flight fails the client (its random differs). */
		bool ok = holds(seeds[i].p, seeds[i].len, &v, why, sizeof(why));

		CHECK(ok && v == want,
		      "seed %s: %s (want %s) %s", seeds[i].name,
		      verdict_name(v), verdict_name(want), why);
	}
}

static void test_corpus(void)
{
	char dir[512];
	struct dirent *d;
	size_t n = 0, bad = 0;
	DIR *dh;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/engine_verdict",
		 repo_root());
	dh = opendir(dir);
	CHECK(dh, "corpus %s opens", dir);
	while (dh && (d = readdir(dh))) {
		static uint8_t buf[1 << 20];
		char path[1024], why[256];
		enum verdict v;
		size_t len;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		n++;
		if (!holds(buf, len, &v, why, sizeof(why))) {
			bad++;
			printf("    %s: %s\n", d->d_name, why);
		}
	}
	if (dh)
		closedir(dh);
	CHECK(n > 0 && !bad, "corpus: %zu inputs, %zu break the promise", n,
	      bad);
}

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from the printed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

/* A seed with a few bytes changed, cut short or grown, or pure noise. */
static size_t mutate(uint8_t *buf, size_t cap)
{
	size_t len;

	if (rnd() % 8 == 0) {
		len = 1 + rnd() % 4096;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		return len;
	}
	{
		size_t s = rnd() % n_seeds;

		len = seeds[s].len < cap ? seeds[s].len : cap;
		memcpy(buf, seeds[s].p, len);
	}
	buf[0] = (uint8_t)((buf[0] & 0x80) | (rnd() & 0x7f));
	for (unsigned int k = 1 + rnd() % 8; k; k--) {
		size_t at = 1 + rnd() % (len > 1 ? len - 1 : 1);

		switch (rnd() % 4) {
		case 0: /* a byte */
			buf[at] = (uint8_t)rnd();
			break;
		case 1: /* a bit */
			buf[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 2: /* cut */
			len = at;
			break;
		default: /* random tail */
			for (size_t i = at; i < cap && i < at + 64; i++)
				buf[i] = (uint8_t)rnd();
			if (len < at + 64 && at + 64 <= cap)
				len = at + 64;
			break;
		}
	}
	return len;
}

static void test_random(void)
{
	const char *env = getenv("KTLSO_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	size_t runs = 20000, bad = 0;
	static uint8_t buf[1 << 17];

	printf("# random inputs: KTLSO_SEED=%llu\n", (unsigned long long)seed);
	rng_state = seed * 2 + 1;
	for (size_t i = 0; i < runs; i++) {
		size_t len = mutate(buf, sizeof(buf));
		enum verdict v;
		char why[256];

		if (!holds(buf, len, &v, why, sizeof(why)) && bad++ < 5)
			printf("    input %zu (%zu bytes): %s\n", i, len, why);
	}
	CHECK(!bad, "%zu random and mutated inputs: %zu break the promise",
	      runs, bad);
}

/* rec records of one type, each body, appended behind buf[0..*len). */
static uint8_t *append_records(uint8_t *buf, size_t *len, size_t count,
			       uint8_t type, const uint8_t *body, size_t n)
{
	buf = realloc(buf, *len + count * (5 + n));
	if (!buf)
		abort();
	for (size_t i = 0; i < count; i++) {
		uint8_t *p = buf + *len;

		p[0] = type;
		p[1] = 3;
		p[2] = 3;
		p[3] = (uint8_t)(n >> 8);
		p[4] = (uint8_t)n;
		memcpy(p + 5, body, n);
		*len += 5 + n;
	}
	return buf;
}

/* The stream the seed name starts, whole (first byte and all). */
static uint8_t *seed_copy(const char *name, size_t *len)
{
	for (size_t i = 0; i < n_seeds; i++) {
		if (strcmp(seeds[i].name, name))
			continue;
		uint8_t *p = malloc(seeds[i].len);

		memcpy(p, seeds[i].p, seeds[i].len);
		*len = seeds[i].len;
		return p;
	}
	abort();
}

/*
 * Streams past the byte budget of records a handshake may ignore or must
 * buffer: the verdict must come within the budget.
 */
static void test_budget(void)
{
	static const uint8_t ccs = 1;
	static const uint8_t warning[] = { TLS_ALERT_LEVEL_WARNING,
					   TLS_ALERT_UNRECOGNIZED_NAME };
	/* more 6-byte records than the budget (and a record in progress) */
	size_t budget_records = (TLS_ENGINE_INPUT_MAX + 65536) / 6;
	static uint8_t big[TLS_MAX_PLAINTEXT];
	uint8_t *s;
	size_t len;
	enum verdict v = VERDICT_BROKEN;
	char why[256];
	bool ok;

	/* TLS 1.3 server: a ClientHello, then change_cipher_spec for ever */
	s = seed_copy("client-hello-13", &len);
	s[0] = 0x7f; /* chunks of 512 bytes */
	s = append_records(s, &len, budget_records, TLS_CT_CHANGE_CIPHER_SPEC,
			   &ccs, 1);
	ok = holds(s, len, &v, why, sizeof(why));
	CHECK(ok && v == VERDICT_ALERT,
	      "TLS 1.3 server: endless CCS records end in an alert within the budget: %s %s",
	      verdict_name(v), why);
	free(s);

	/* TLS 1.2 client: warning alerts for ever */
	len = 1;
	s = malloc(1);
	s[0] = 0x80 | 0x7f;
	s = append_records(s, &len, budget_records / 2, TLS_CT_ALERT, warning,
			   sizeof(warning));
	ok = holds(s, len, &v, why, sizeof(why));
	CHECK(ok && v == VERDICT_PEER_ALERT,
	      "client: endless warning alerts end the handshake: %s %s",
	      verdict_name(v), why);
	free(s);

	/*
	 * Server: a ClientHello of 128 KiB (the largest taken) held back by
	 * its last byte, which comes with a full record of more: the message
	 * must be decoded (and refused), not the rest swallowed.
	 */
	len = 1;
	s = malloc(1);
	s[0] = 0x7f;
	memset(big, 0, sizeof(big));
	big[0] = TLS_HS_CLIENT_HELLO;
	big[1] = 2; /* 0x020000: 128 KiB */
	s = append_records(s, &len, 1, TLS_CT_HANDSHAKE, big,
			   TLS_MAX_PLAINTEXT);
	memset(big, 0, sizeof(big));
	s = append_records(s, &len, 7, TLS_CT_HANDSHAKE, big,
			   TLS_MAX_PLAINTEXT);
	/* 4 + 128 Ki - 1 bytes in, then full records */
	s = append_records(s, &len, 1, TLS_CT_HANDSHAKE, big, 3);
	s = append_records(s, &len, TLS_ENGINE_INPUT_MAX / TLS_MAX_PLAINTEXT + 2,
			   TLS_CT_HANDSHAKE, big, TLS_MAX_PLAINTEXT);
	ok = holds(s, len, &v, why, sizeof(why));
	CHECK(ok && v == VERDICT_ALERT,
	      "server: a 128 KiB message completed by a full record, then more: an alert, not bytes swallowed: %s %s",
	      verdict_name(v), why);
	free(s);
}

int main(void)
{
	if (verdict_configs_init(&configs) ||
	    verdict_seeds(&configs, keep_seed, NULL)) {
		CHECK(0, "configs and seeds");
		return check_summary();
	}
	test_seeds();
	test_corpus();
	test_random();
	test_budget();
	for (size_t i = 0; i < n_seeds; i++)
		free(seeds[i].p);
	verdict_configs_free(&configs);
	return check_summary();
}
