// SPDX-License-Identifier: GPL-2.0
/*
 * One direction's record protection: the AEAD transform keyed from a
 * <linux/tls.h> crypto_info, and the nonce and sequence state around it.
 */
#include <crypto/aead.h>
#include <linux/string.h>

#include "compat.h"
#include "ktlso.h"

/**
 * ktlso_crypto_init() - key a direction from validated crypto_info
 * @c: zeroed state to fill
 * @info: what the application passed, already checked against its cipher
 *
 * Return: 0, -ENOMEM, or -EINVAL/-ENOENT when the kernel crypto API cannot
 * run the cipher (e.g. SM4 or ARIA not built).
 */
int ktlso_crypto_init(struct ktlso_crypto *c, const union ktlso_crypto_info *info)
{
	const struct ktlso_cipher *cipher;
	union ktlso_crypto_info *saved = &c->info;
	int err;

	cipher = ktlso_cipher_find(info->info.cipher_type, info->info.version);
	if (!cipher)
		return -EINVAL;

	memcpy(saved, info, cipher->info_size);
	c->cipher = cipher;
	c->version = info->info.version;
	memcpy(c->iv, ktlso_cipher_salt(cipher, saved), cipher->salt);
	memcpy(c->iv + cipher->salt, ktlso_cipher_iv(cipher, saved), cipher->iv);
	c->seq = get_unaligned_be64(ktlso_cipher_rec_seq(cipher, saved));

	c->aead = crypto_alloc_aead(cipher->aead, 0, 0);
	if (IS_ERR(c->aead)) {
		err = PTR_ERR(c->aead);
		c->aead = NULL;
		goto err_wipe;
	}
	err = crypto_aead_setkey(c->aead, ktlso_cipher_key(cipher, saved), cipher->key);
	if (err)
		goto err_free_aead;
	err = crypto_aead_setauthsize(c->aead, cipher->tag);
	if (err)
		goto err_free_aead;
	return 0;

err_free_aead:
	crypto_free_aead(c->aead);
	c->aead = NULL;
err_wipe:
	memzero_explicit(c, sizeof(*c));
	return err;
}

void ktlso_crypto_uninit(struct ktlso_crypto *c)
{
	crypto_free_aead(c->aead);	/* the transform wipes its own key */
	memzero_explicit(c, sizeof(*c));
}

/* The installed crypto_info with the IV and sequence number as they are now,
 * as kTLS's getsockopt reports them.
 */
void ktlso_crypto_current(const struct ktlso_crypto *c, union ktlso_crypto_info *out)
{
	const struct ktlso_cipher *cipher = c->cipher;

	memcpy(out, &c->info, cipher->info_size);
	memcpy(ktlso_cipher_iv(cipher, out), c->iv + cipher->salt, cipher->iv);
	put_unaligned_be64(c->seq, ktlso_cipher_rec_seq(cipher, out));
}

/**
 * ktlso_rekey() - swap a direction to new keys (TLS 1.3 KeyUpdate)
 * @c: the direction's state
 * @req: its AEAD request, reallocated for the new transform
 * @info: validated crypto_info of the same version and cipher
 *
 * Return: 0, or -errno with the old keys still in place.
 */
int ktlso_rekey(struct ktlso_crypto *c, struct aead_request **req,
		const union ktlso_crypto_info *info)
{
	struct ktlso_crypto fresh = { };
	struct aead_request *fresh_req;
	int err;

	err = ktlso_crypto_init(&fresh, info);
	if (err)
		return err;
	fresh_req = aead_request_alloc(fresh.aead, GFP_KERNEL);
	if (!fresh_req) {
		ktlso_crypto_uninit(&fresh);
		return -ENOMEM;
	}
	aead_request_free(*req);
	ktlso_crypto_uninit(c);
	*c = fresh;
	*req = fresh_req;
	memzero_explicit(&fresh, sizeof(fresh));
	return 0;
}
