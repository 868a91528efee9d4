// SPDX-License-Identifier: MIT
/*
 * What one handshake costs in memory (userspace/lib/engine/memory.c): a
 * client engine against a server whose Certificate is as large as the
 * client's max_message allows, ten certificates of a few hundred names
 * each, parsed by OpenSSL. Every heap block is charged to the engine that
 * was running when it was allocated (malloc interposed below); the
 * client's high-water mark must stay within tls_engine_memory(), the
 * bound handshake_memory is turned into (ktlsod.conf(5)).
 *
 *   server engine ── a Certificate of ~max_message bytes ──► client engine
 *                                                 peak heap ≤ the bound
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "engine/engine.h"

/* ---- every block charged to its owner ---- */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void __libc_free(void *p);

#define TAG UINT64_C(0x6b746c736f6d656d)	/* "ktlsomem" */

struct block {
	uint64_t tag;
	uint32_t size;
	int32_t owner;
};

enum { NOBODY = -1, OWNERS = 2 };
static int owner = NOBODY;
static size_t live[OWNERS], peak[OWNERS];

/* What a block costs the heap: glibc's chunk header, 16-byte steps. */
static size_t cost(size_t size)
{
	return (size + 8 + 15) / 16 * 16;
}

static void charge(size_t size)
{
	if (owner == NOBODY)
		return;
	live[owner] += cost(size);
	if (live[owner] > peak[owner])
		peak[owner] = live[owner];
}

void *malloc(size_t size)
{
	struct block *b = __libc_malloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	*b = (struct block){ TAG, size, owner };
	charge(sizeof(*b) + size);
	return b + 1;
}

void free(void *p)
{
	struct block *b = (struct block *)p - 1;

	if (!p)
		return;
	if (b->tag != TAG) {	/* not ours: from before, or memalign */
		__libc_free(p);
		return;
	}
	if (b->owner != NOBODY)
		live[b->owner] -= cost(sizeof(*b) + b->size);
	b->tag = 0;
	__libc_free(b);
}

/* Not malloc() and memset(): the compiler would make that a calloc(). */
void *calloc(size_t n, size_t size)
{
	struct block *b;

	if (size && n > (SIZE_MAX - sizeof(*b)) / size)
		return NULL;
	b = __libc_calloc(1, sizeof(*b) + n * size);
	if (!b)
		return NULL;
	*b = (struct block){ TAG, n * size, owner };
	charge(sizeof(*b) + n * size);
	return b + 1;
}

void *realloc(void *old, size_t size)
{
	struct block *b = (struct block *)old - 1;
	void *p;

	if (!old)
		return malloc(size);
	if (b->tag != TAG) {
		/* Not ours: its size is unknown, so only what fits is kept. */
		p = malloc(size);
		if (p)
			memcpy(p, old, size < malloc_usable_size(old) ?
					       size : malloc_usable_size(old));
		__libc_free(old);
		return p;
	}
	p = malloc(size);
	if (!p)
		return NULL;
	memcpy(p, old, b->size < size ? b->size : size);
	free(old);
	return p;
}

/* ---- a chain as large as the client takes ---- */

/*
 * big-chain.pem: n self-signed certificates for localhost under the test
 * server's key, each with `names` subjectAltNames as short as can be
 * ("DNS:1", "DNS:2", ...): the most parsed objects per byte of the
 * message. They verify against nothing: what matters is that OpenSSL
 * parses them all.
 */
static int make_chain(int n, int names)
{
	char cmd[512];
	const char *sh =
		"cd '%s' && : >big-chain.pem && for i in $(seq %d); do "
		"san=$(seq -f \"DNS:%%g\" -s, %d); "
		"openssl req -x509 -key server-p256.key -subj /CN=localhost "
		"-days 2 -addext \"subjectAltName=DNS:localhost,$san\" "
		">>big-chain.pem 2>/dev/null || exit 1; done";

	snprintf(cmd, sizeof(cmd), sh, pki_dir(), n, names);
	return system(cmd) == 0 ? 0 : -EIO;
}

/* ---- one handshake ---- */

enum { C = 0, S = 1, CHAIN_LEN = 10 };

/* Carry one engine's output to the other, charging each to itself. */
static bool carry(struct tls_engine *e[2], int from)
{
	const uint8_t *out;
	size_t len, used;
	uint8_t *copy;

	owner = from;
	tls_engine_output(e[from], &out, &len);
	owner = NOBODY;
	if (!len)
		return false;
	copy = __libc_malloc(len);
	memcpy(copy, out, len);
	owner = from;
	tls_engine_output_done(e[from], len);
	owner = !from;
	/* A failure is sticky: the caller reads it from the engine. */
	if (tls_engine_feed(e[!from], copy, len, &used))
		len = 0;
	owner = NOBODY;
	__libc_free(copy);
	return true;
}

/* A handshake as far as it goes; the client's heap high-water mark. */
static size_t client_peak(const char *version, size_t max_message,
			  int *client_err, int *alert)
{
	struct side cs = { .min = version, .max = version, .ca = "root.pem" };
	struct side ss = { .id = "server-p256", .chain = "big-chain.pem" };
	struct tls_config ccfg, scfg;
	struct tls_peer_request creq = { .role = TLS_ROLE_CLIENT,
					 .server_name = "localhost",
					 .max_message = max_message };
	struct tls_peer_request sreq = { .role = TLS_ROLE_SERVER };
	struct tls_engine *e[2];

	if (side_config(&ccfg, &cs, false) || side_config(&scfg, &ss, true))
		abort();
	live[C] = peak[C] = 0;
	owner = S;
	e[S] = tls_engine_new(&scfg, &sreq);
	owner = C;
	e[C] = tls_engine_new(&ccfg, &creq);
	owner = NOBODY;
	if (!e[S] || !e[C])
		abort();
	while (carry(e, C) | carry(e, S))
		;
	*client_err = tls_engine_error(e[C]);
	*alert = tls_engine_alert(e[C]);
	owner = C;
	tls_engine_free(e[C]);
	owner = S;
	tls_engine_free(e[S]);
	owner = NOBODY;
	tls_config_free(&ccfg);
	tls_config_free(&scfg);
	return peak[C];
}

static size_t file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

/* A peer filling max_message, for handshake_memory = budget. */
static void test_budget(size_t budget)
{
	size_t m = tls_engine_max_message(budget), bound = tls_engine_memory(m);
	size_t p;
	int err, alert;

	/*
	 * About 6 bytes of DER a name, 500 for the rest of a certificate:
	 * ten of them nearly fill m.
	 */
	if (make_chain(CHAIN_LEN, (m / CHAIN_LEN - 500) / 6)) {
		CHECK(0, "openssl req: big-chain.pem");
		return;
	}
	printf("handshake_memory %zu: max_message %zu, bound %zu; "
	       "big-chain.pem %zu bytes of PEM\n", budget, m, bound,
	       file_size(pki("big-chain.pem")));
	for (int i = 0; i < 2; i++) {
		const char *v = i ? "1.2" : "1.3";

		p = client_peak(v, m, &err, &alert);
		CHECK(err == -EKEYREJECTED && alert == TLS_ALERT_UNKNOWN_CA,
		      "TLS %s: the chain is parsed to the end (rejected: "
		      "unknown_ca, not too long): %d, alert %d", v, err, alert);
		CHECK(p <= bound,
		      "TLS %s: the client's heap peaks at %zu bytes, within "
		      "tls_engine_memory(%zu) = %zu", v, p, m, bound);
	}
}

int main(void)
{
	size_t p;
	int err, alert;

	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki %s", pki_dir());
		return check_summary();
	}
	test_budget(512 * 1024);
	test_budget(1024 * 1024);
	/* The last chain is too many bytes for the least cap. */
	p = client_peak("1.3", TLS_ENGINE_MSG_MIN, &err, &alert);
	CHECK(err == -EPROTO && alert == TLS_ALERT_ILLEGAL_PARAMETER,
	      "a Certificate over max_message: a fatal alert (%d, alert %d)",
	      err, alert);
	CHECK(p <= tls_engine_memory(TLS_ENGINE_MSG_MIN),
	      "... having held no more than its bound: %zu <= %zu", p,
	      tls_engine_memory(TLS_ENGINE_MSG_MIN));
	pki_cleanup();
	return check_summary();
}
