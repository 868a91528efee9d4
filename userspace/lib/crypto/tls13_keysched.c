// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "crypto/tls13_keysched.h"

#define LABEL_PREFIX "tls13 "
#define LABEL_PREFIX_LEN (sizeof(LABEL_PREFIX) - 1)

/* HKDF in one mode. Extract takes a salt, expand takes an info string. */
static int hkdf(enum tls_hash hash, int mode, const uint8_t *key,
		size_t key_len, const uint8_t *salt_or_info, size_t n,
		uint8_t *out, size_t out_len)
{
	const char *md = tls_hash_name(hash);
	const char *param = mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ?
				    OSSL_KDF_PARAM_SALT :
				    OSSL_KDF_PARAM_INFO;
	OSSL_PARAM params[5];

	ENSURE(md, -EOPNOTSUPP);
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)md, 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (void *)key, key_len);
	params[3] = OSSL_PARAM_construct_octet_string(param,
						      (void *)salt_or_info, n);
	params[4] = OSSL_PARAM_construct_end();

	return tls_kdf_derive("HKDF", params, out, out_len);
}

int tls13_hkdf_label(uint16_t length, const char *label, const uint8_t *context,
		     size_t context_len, uint8_t *buf, size_t size, size_t *used)
{
	size_t label_len = label ? strlen(label) : 0;
	size_t full_len = LABEL_PREFIX_LEN + label_len;
	size_t n = 2 + 1 + full_len + 1 + context_len;
	uint8_t *p = buf;

	/* RFC 8446 §7.1:
	 *   struct {
	 *       uint16 length = Length;
	 *       opaque label<7..255> = "tls13 " + Label;
	 *       opaque context<0..255> = Context;
	 *   } HkdfLabel;
	 */
	ENSURE(full_len >= 7 && full_len <= 255, -EINVAL);
	ENSURE(context_len <= 255, -EINVAL);
	ENSURE(context || !context_len, -EINVAL);
	ENSURE(n <= size, -EMSGSIZE);

	*p++ = (uint8_t)(length >> 8);
	*p++ = (uint8_t)length;
	*p++ = (uint8_t)full_len;
	memcpy(p, LABEL_PREFIX, LABEL_PREFIX_LEN);
	p += LABEL_PREFIX_LEN;
	memcpy(p, label, label_len);
	p += label_len;
	*p++ = (uint8_t)context_len;
	if (context_len)
		memcpy(p, context, context_len);
	*used = n;
	return 0;
}

int tls13_hkdf_extract(enum tls_hash hash, const struct secret *salt,
		       const uint8_t *ikm, size_t ikm_len, struct secret *prk)
{
	static const uint8_t zeros[TLS_HASH_MAX];
	struct secret out SECRET_SCOPED = { 0 };
	size_t n = tls_hash_len(hash);

	ENSURE(n, -EOPNOTSUPP);
	ENSURE(!salt || salt->len == n, -EINVAL);
	ENSURE(ikm && ikm_len, -EINVAL);
	TRY(hkdf(hash, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, ikm_len,
		 salt ? salt->bytes : zeros, n, out.bytes, n));
	out.len = n;
	*prk = out;
	return 0;
}

int tls13_hkdf_expand_label(enum tls_hash hash, const struct secret *secret,
			    const char *label, const uint8_t *context,
			    size_t context_len, size_t out_len,
			    struct secret *out)
{
	struct secret okm SECRET_SCOPED = { 0 };
	uint8_t info[TLS13_HKDF_LABEL_MAX];
	size_t n = tls_hash_len(hash);
	size_t info_len;

	ENSURE(n, -EOPNOTSUPP);
	ENSURE(secret->len == n, -EINVAL);
	ENSURE(out_len, -EINVAL);
	ENSURE(out_len <= SECRET_MAX, -EMSGSIZE);
	TRY(tls13_hkdf_label((uint16_t)out_len, label, context, context_len,
			     info, sizeof(info), &info_len));
	TRY(hkdf(hash, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret->bytes, n, info,
		 info_len, okm.bytes, out_len));
	okm.len = out_len;
	*out = okm;
	return 0;
}

int tls13_derive_secret(enum tls_hash hash, const struct secret *secret,
			const char *label, const uint8_t *transcript_hash,
			size_t transcript_hash_len, struct secret *out)
{
	size_t n = tls_hash_len(hash);

	/* §7.1: Derive-Secret(Secret, Label, Messages) =
	 *   HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
	 */
	ENSURE(n, -EOPNOTSUPP);
	ENSURE(transcript_hash && transcript_hash_len == n, -EINVAL);
	return tls13_hkdf_expand_label(hash, secret, label, transcript_hash, n,
				       n, out);
}

/* §7.1: the salt of the next Extract is Derive-Secret(prev, "derived", ""). */
static int derived_salt(enum tls_hash hash, const struct secret *prev,
			struct secret *salt)
{
	uint8_t empty_hash[TLS_HASH_MAX];

	TRY(tls_hash_digest(hash, NULL, 0, empty_hash));
	return tls13_derive_secret(hash, prev, "derived", empty_hash,
				   tls_hash_len(hash), salt);
}

int tls13_early_secret(enum tls_hash hash, const uint8_t *psk, size_t psk_len,
		       struct secret *early)
{
	static const uint8_t zeros[TLS_HASH_MAX];
	size_t n = tls_hash_len(hash);

	ENSURE(n, -EOPNOTSUPP);
	/* §7.1: "If a given secret is not available, then the 0-value
	 * consisting of a string of Hash.length bytes set to zeros is used."
	 */
	if (!psk) {
		ENSURE(!psk_len, -EINVAL);
		psk = zeros;
		psk_len = n;
	}
	return tls13_hkdf_extract(hash, NULL, psk, psk_len, early);
}

int tls13_handshake_secret(enum tls_hash hash, const struct secret *early,
			   const uint8_t *dhe, size_t dhe_len,
			   struct secret *handshake)
{
	struct secret salt SECRET_SCOPED = { 0 };

	TRY(derived_salt(hash, early, &salt));
	return tls13_hkdf_extract(hash, &salt, dhe, dhe_len, handshake);
}

int tls13_master_secret(enum tls_hash hash, const struct secret *handshake,
			struct secret *master)
{
	static const uint8_t zeros[TLS_HASH_MAX];
	struct secret salt SECRET_SCOPED = { 0 };

	/* §7.1: no IKM at this stage, so the 0-value again. */
	TRY(derived_salt(hash, handshake, &salt));
	return tls13_hkdf_extract(hash, &salt, zeros, tls_hash_len(hash),
				  master);
}

/* Both directions or neither, so a caller never installs half a pair. */
static int traffic_pair(enum tls_hash hash, const struct secret *stage,
			const char *client_label, const char *server_label,
			const uint8_t *transcript_hash, size_t hash_len,
			struct secret *client, struct secret *server)
{
	struct secret c SECRET_SCOPED = { 0 };
	struct secret s SECRET_SCOPED = { 0 };

	TRY(tls13_derive_secret(hash, stage, client_label, transcript_hash,
				hash_len, &c));
	TRY(tls13_derive_secret(hash, stage, server_label, transcript_hash,
				hash_len, &s));
	*client = c;
	*server = s;
	return 0;
}

int tls13_handshake_traffic_secrets(enum tls_hash hash,
				    const struct secret *handshake,
				    const uint8_t *hello_hash, size_t hash_len,
				    struct secret *client, struct secret *server)
{
	return traffic_pair(hash, handshake, "c hs traffic", "s hs traffic",
			    hello_hash, hash_len, client, server);
}

int tls13_application_traffic_secrets(enum tls_hash hash,
				      const struct secret *master,
				      const uint8_t *server_finished_hash,
				      size_t hash_len, struct secret *client,
				      struct secret *server)
{
	return traffic_pair(hash, master, "c ap traffic", "s ap traffic",
			    server_finished_hash, hash_len, client, server);
}

int tls13_traffic_key_iv(enum tls_hash hash, const struct secret *traffic,
			 size_t key_len, size_t iv_len, struct secret *key,
			 struct secret *iv)
{
	struct secret k SECRET_SCOPED = { 0 };
	struct secret v SECRET_SCOPED = { 0 };

	/* §7.3: [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
	 *       [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
	 */
	TRY(tls13_hkdf_expand_label(hash, traffic, "key", NULL, 0, key_len, &k));
	TRY(tls13_hkdf_expand_label(hash, traffic, "iv", NULL, 0, iv_len, &v));
	*key = k;
	*iv = v;
	return 0;
}

int tls13_finished_key(enum tls_hash hash, const struct secret *base_key,
		       struct secret *finished_key)
{
	return tls13_hkdf_expand_label(hash, base_key, "finished", NULL, 0,
				       tls_hash_len(hash), finished_key);
}

int tls13_finished_verify_data(enum tls_hash hash,
			       const struct secret *base_key,
			       const uint8_t *transcript_hash, size_t hash_len,
			       struct secret *verify_data)
{
	struct secret finished_key SECRET_SCOPED = { 0 };
	struct secret mac SECRET_SCOPED = { 0 };
	size_t n = tls_hash_len(hash);

	ENSURE(n, -EOPNOTSUPP);
	ENSURE(transcript_hash && hash_len == n, -EINVAL);
	TRY(tls13_finished_key(hash, base_key, &finished_key));
	/* §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(...)) */
	ENSURE(EVP_Q_mac(NULL, "HMAC", NULL, tls_hash_name(hash), NULL,
			 finished_key.bytes, finished_key.len, transcript_hash,
			 hash_len, mac.bytes, sizeof(mac.bytes), &mac.len),
	       -EIO);
	ENSURE(mac.len == n, -EIO);
	*verify_data = mac;
	return 0;
}

int tls13_next_traffic_secret(enum tls_hash hash, const struct secret *current,
			      struct secret *next)
{
	/* §7.2: application_traffic_secret_N+1 =
	 *   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
	 */
	return tls13_hkdf_expand_label(hash, current, "traffic upd", NULL, 0,
				       tls_hash_len(hash), next);
}

int tls13_ticket_psk(enum tls_hash hash, const struct secret *res_master,
		     const uint8_t *nonce, size_t nonce_len, struct secret *psk)
{
	return tls13_hkdf_expand_label(hash, res_master, "resumption", nonce,
				       nonce_len, tls_hash_len(hash), psk);
}
