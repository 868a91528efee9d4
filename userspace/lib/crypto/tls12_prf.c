// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "crypto/tls12_prf.h"

int tls12_prf(enum tls_hash hash, const uint8_t *secret, size_t secret_len,
	      const char *label, const uint8_t *seed, size_t seed_len,
	      uint8_t *out, size_t out_len)
{
	const char *md = tls_hash_name(hash);
	size_t label_len = label ? strlen(label) : 0;
	uint8_t label_seed[TLS12_PRF_SEED_MAX];
	OSSL_PARAM params[4];

	ENSURE(md, -EOPNOTSUPP);
	ENSURE(secret && secret_len, -EINVAL);
	ENSURE(label_len, -EINVAL);
	ENSURE(seed || !seed_len, -EINVAL);
	ENSURE(out && out_len, -EINVAL);
	ENSURE(seed_len <= sizeof(label_seed) - label_len, -EMSGSIZE);

	/* RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed).
	 * Label and seed are public; only the secret needs care, and
	 * libcrypto copies it into the context and clears it on free.
	 */
	memcpy(label_seed, label, label_len);
	if (seed_len)
		memcpy(label_seed + label_len, seed, seed_len);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)md, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
						      (void *)secret,
						      secret_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
						      label_seed,
						      label_len + seed_len);
	params[3] = OSSL_PARAM_construct_end();

	return tls_kdf_derive("TLS1-PRF", params, out, out_len);
}

/* A 48-byte master secret from PRF(pre_master_secret, label, seed). */
static int master_from(enum tls_hash hash, const uint8_t *pms, size_t pms_len,
		       const char *label, const uint8_t *seed, size_t seed_len,
		       struct secret *master)
{
	struct secret ms SECRET_SCOPED = { 0 };

	TRY(tls12_prf(hash, pms, pms_len, label, seed, seed_len, ms.bytes,
		      TLS12_MASTER_SECRET_LEN));
	ms.len = TLS12_MASTER_SECRET_LEN;
	*master = ms;
	return 0;
}

int tls12_master_secret(enum tls_hash hash, const uint8_t *pre_master_secret,
			size_t pre_master_secret_len,
			const uint8_t client_random[TLS12_RANDOM_LEN],
			const uint8_t server_random[TLS12_RANDOM_LEN],
			struct secret *master)
{
	uint8_t seed[2 * TLS12_RANDOM_LEN];

	/* RFC 5246 §8.1: ClientHello.random + ServerHello.random */
	memcpy(seed, client_random, TLS12_RANDOM_LEN);
	memcpy(seed + TLS12_RANDOM_LEN, server_random, TLS12_RANDOM_LEN);
	return master_from(hash, pre_master_secret, pre_master_secret_len,
			   "master secret", seed, sizeof(seed), master);
}

int tls12_extended_master_secret(enum tls_hash hash,
				 const uint8_t *pre_master_secret,
				 size_t pre_master_secret_len,
				 const uint8_t *session_hash,
				 size_t session_hash_len, struct secret *master)
{
	/* RFC 7627 §4: the session hash replaces the two randoms, binding
	 * the master secret to this handshake's transcript.
	 */
	ENSURE(session_hash && session_hash_len, -EINVAL);
	return master_from(hash, pre_master_secret, pre_master_secret_len,
			   "extended master secret", session_hash,
			   session_hash_len, master);
}

int tls12_key_block(enum tls_hash hash, const struct secret *master,
		    const uint8_t server_random[TLS12_RANDOM_LEN],
		    const uint8_t client_random[TLS12_RANDOM_LEN], uint8_t *out,
		    size_t out_len)
{
	uint8_t seed[2 * TLS12_RANDOM_LEN];

	ENSURE(master->len == TLS12_MASTER_SECRET_LEN, -EINVAL);
	/* RFC 5246 §6.3: note the order, server_random + client_random,
	 * the reverse of the master secret's.
	 */
	memcpy(seed, server_random, TLS12_RANDOM_LEN);
	memcpy(seed + TLS12_RANDOM_LEN, client_random, TLS12_RANDOM_LEN);
	return tls12_prf(hash, master->bytes, master->len, "key expansion",
			 seed, sizeof(seed), out, out_len);
}

static int aead_sizes(enum tls12_aead aead, size_t *key_len, size_t *iv_len)
{
	switch (aead) {
	case TLS12_AES_128_GCM:
		*key_len = 16;
		*iv_len = 4; /* RFC 5288 §3: salt; the nonce_explicit is per record */
		return 0;
	case TLS12_AES_256_GCM:
		*key_len = 32;
		*iv_len = 4;
		return 0;
	case TLS12_CHACHA20_POLY1305:
		*key_len = 32;
		*iv_len = 12; /* RFC 7905 §2: a full IV, XORed with the sequence */
		return 0;
	}
	return -EOPNOTSUPP;
}

/* Cut the next n bytes of the key block into a secret. */
static int take(const uint8_t *block, size_t *pos, size_t n, struct secret *s)
{
	TRY(secret_set(s, block + *pos, n));
	*pos += n;
	return 0;
}

static int split_aead(const uint8_t *block, size_t key_len, size_t iv_len,
		      struct tls12_aead_keys *k)
{
	size_t pos = 0;

	/* RFC 5246 §6.3: client_write_MAC_key, server_write_MAC_key (both
	 * empty for AEAD, RFC 5246 §6.2.3.3), client_write_key,
	 * server_write_key, client_write_IV, server_write_IV.
	 */
	TRY(take(block, &pos, key_len, &k->client_key));
	TRY(take(block, &pos, key_len, &k->server_key));
	TRY(take(block, &pos, iv_len, &k->client_iv));
	TRY(take(block, &pos, iv_len, &k->server_iv));
	return 0;
}

int tls12_aead_keys(enum tls_hash hash, enum tls12_aead aead,
		    const struct secret *master,
		    const uint8_t client_random[TLS12_RANDOM_LEN],
		    const uint8_t server_random[TLS12_RANDOM_LEN],
		    struct tls12_aead_keys *keys)
{
	struct tls12_aead_keys k = { 0 };
	uint8_t block[2 * (32 + 12)];
	size_t key_len, iv_len;
	int err;

	TRY(aead_sizes(aead, &key_len, &iv_len));
	err = tls12_key_block(hash, master, server_random, client_random,
			      block, 2 * (key_len + iv_len));
	if (!err)
		err = split_aead(block, key_len, iv_len, &k);
	if (!err)
		*keys = k;
	OPENSSL_cleanse(block, sizeof(block));
	tls12_aead_keys_wipe(&k);
	return err;
}

void tls12_aead_keys_wipe(struct tls12_aead_keys *keys)
{
	if (keys)
		OPENSSL_cleanse(keys, sizeof(*keys));
}

int tls12_finished_verify_data(enum tls_hash hash, const struct secret *master,
			       enum tls12_sender sender,
			       const uint8_t *handshake_hash, size_t hash_len,
			       uint8_t verify_data[TLS12_VERIFY_DATA_LEN])
{
	size_t n = tls_hash_len(hash);

	ENSURE(n, -EOPNOTSUPP);
	ENSURE(handshake_hash && hash_len == n, -EINVAL);
	ENSURE(master->len == TLS12_MASTER_SECRET_LEN, -EINVAL);
	ENSURE(sender == TLS12_CLIENT || sender == TLS12_SERVER, -EINVAL);
	/* RFC 5246 §7.4.9: verify_data_length is 12 for every suite here. */
	return tls12_prf(hash, master->bytes, master->len,
			 sender == TLS12_CLIENT ? "client finished" :
						  "server finished",
			 handshake_hash, hash_len, verify_data,
			 TLS12_VERIFY_DATA_LEN);
}
