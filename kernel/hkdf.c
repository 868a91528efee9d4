// SPDX-License-Identifier: GPL-2.0
/*
 * HKDF-Expand-Label (RFC 8446 §7.1) over the kernel crypto API's
 * hmac(sha256) / hmac(sha384), for the TLS 1.3 key update (keyupdate.c).
 * Pure functions: no socket state; a transform is allocated per call
 * (key updates are rare) and every intermediate block is wiped.
 */
#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/string.h>

#include "ktlso.h"

/* RFC 8446 §7.1: the label is prefixed with "tls13 " on the wire. */
#define LABEL_PREFIX "tls13 "
#define LABEL_MAX 255
#define INFO_MAX (2 + 1 + LABEL_MAX + 1 + 255)

/*
 * struct HkdfLabel { uint16 length; opaque label<7..255>; opaque
 * context<0..255>; }. Return: its length, or -EINVAL when a field does not
 * fit.
 */
static int hkdf_label(u8 *info, unsigned int out_len, const char *label,
		      const u8 *context, unsigned int context_len)
{
	size_t label_len = strlen(LABEL_PREFIX) + strlen(label);
	u8 *p = info;

	if (out_len > U16_MAX || label_len > LABEL_MAX || context_len > 255)
		return -EINVAL;
	put_unaligned_be16(out_len, p);
	p += 2;
	*p++ = label_len;
	memcpy(p, LABEL_PREFIX, strlen(LABEL_PREFIX));
	p += strlen(LABEL_PREFIX);
	memcpy(p, label, strlen(label));
	p += strlen(label);
	*p++ = context_len;
	if (context_len)
		memcpy(p, context, context_len);
	return p + context_len - info;
}

/*
 * RFC 5869 §2.3 HKDF-Expand: T(i) = HMAC(PRK, T(i-1) | info | i), the
 * output the first out_len bytes of T(1) | T(2) | ...
 */
static int hkdf_expand(struct crypto_shash *tfm, const u8 *info,
		       unsigned int info_len, u8 *out, unsigned int out_len)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	unsigned int hash_len = crypto_shash_digestsize(tfm), done = 0;
	u8 t[KTLSO_HASH_MAX];
	u8 counter = 1;
	int err = 0;

	if (out_len > 255 * hash_len)
		return -EINVAL;
	desc->tfm = tfm;
	while (done < out_len) {
		unsigned int n = min(hash_len, out_len - done);

		err = crypto_shash_init(desc);
		if (!err && done)
			err = crypto_shash_update(desc, t, hash_len);
		err = err ?: crypto_shash_update(desc, info, info_len);
		err = err ?: crypto_shash_finup(desc, &counter, 1, t);
		if (err)
			break;
		memcpy(out + done, t, n);
		done += n;
		counter++;
	}
	shash_desc_zero(desc);
	memzero_explicit(t, sizeof(t));
	if (err)
		memzero_explicit(out, out_len);
	return err;
}

/**
 * ktlso_hkdf_expand_label() - HKDF-Expand-Label(Secret, Label, Context, Length)
 * @hmac: "hmac(sha256)" or "hmac(sha384)", the cipher suite's hash
 * @secret: the secret, as long as the hash's output
 * @secret_len: its length
 * @label: the label without RFC 8446's "tls13 " prefix, e.g. "traffic upd"
 * @context: the context bytes (NULL with @context_len 0 for "")
 * @context_len: their length
 * @out: room for @out_len bytes
 * @out_len: the length to derive
 *
 * Return: 0, -EINVAL for fields that do not fit, -ENOMEM, or the crypto
 * API's -errno (-ENOENT: no such hash). @out is zeroed on failure.
 */
int ktlso_hkdf_expand_label(const char *hmac, const u8 *secret,
			    unsigned int secret_len, const char *label,
			    const u8 *context, unsigned int context_len,
			    u8 *out, unsigned int out_len)
{
	struct crypto_shash *tfm;
	u8 info[INFO_MAX];
	int len, err;

	len = hkdf_label(info, out_len, label, context, context_len);
	if (len < 0)
		return len;
	tfm = crypto_alloc_shash(hmac, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_setkey(tfm, secret, secret_len);
	err = err ?: hkdf_expand(tfm, info, len, out, out_len);
	crypto_free_shash(tfm);	/* the transform wipes its key */
	return err;
}
