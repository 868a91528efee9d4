// SPDX-License-Identifier: MIT
/*
 * What one handshake may cost in memory (engine.h, Documentation/engine.rst
 * "Memory"), as a function of the largest handshake message the engine
 * takes from its peer, m. Everything a peer can make an engine hold grows
 * with m and nothing else:
 *
 *   the engine itself                       sizeof(struct tls_engine)
 *   reassembly of one message               m + a record's plaintext
 *   TLS 1.2: the Certificate body, kept     m
 *   the peer's chain parsed by OpenSSL      X509_FACTOR * m, plus
 *                                           X509_EACH per certificate
 *   key shares, transcript hashes, our own
 *   flight (a chain up to 16 KiB)           OVERHEAD
 *
 * The factors are upper bounds measured by tests/unit/engine_memory_test
 * (heap high-water mark of a handshake against a peer sending the largest
 * chain m allows), which fails when they stop being bounds.
 */
#include "engine/engine_priv.h"

#define X509_FACTOR 7
#define X509_EACH (4 * 1024)
#define OVERHEAD (64 * 1024)

size_t tls_engine_memory(size_t m)
{
	return sizeof(struct tls_engine) + OVERHEAD + TLS_MAX_PLAINTEXT +
	       (2 + X509_FACTOR) * m + HS_MAX_CHAIN * X509_EACH;
}

size_t tls_engine_memory_min(void)
{
	return tls_engine_memory(TLS_ENGINE_MSG_MIN);
}

size_t tls_engine_max_message(size_t budget)
{
	size_t fixed = tls_engine_memory(0), m;

	if (budget < tls_engine_memory_min())
		return 0;
	m = (budget - fixed) / (2 + X509_FACTOR);
	return m < TLS_ENGINE_MSG_MAX ? m : TLS_ENGINE_MSG_MAX;
}
