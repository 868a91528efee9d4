// SPDX-License-Identifier: GPL-2.0
/*
 * One direction's record protection state, keyed from a crypto_info: the
 * sequence number, what getsockopt reports, and for the AEADs the transform
 * and the nonce (CBC's transforms: record_cbc.c).
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
	int err;

	cipher = ktlso_cipher_find(info->info.cipher_type, info->info.version);
	if (!cipher)
		return -EINVAL;

	memcpy(&c->info, info, cipher->info_size);
	c->cipher = cipher;
	c->version = info->info.version;
	c->seq = get_unaligned_be64(ktlso_cipher_rec_seq(cipher, &c->info));
	err = cipher->ops->init(c);
	if (err)
		memzero_explicit(c, sizeof(*c));
	return err;
}

void ktlso_crypto_uninit(struct ktlso_crypto *c)
{
	if (c->cipher)
		c->cipher->ops->uninit(c);
	memzero_explicit(c, sizeof(*c));
}

/* The AEAD of an initialised direction (ktlso_aead_ops). */
int ktlso_aead_init(struct ktlso_crypto *c)
{
	const struct ktlso_cipher *cipher = c->cipher;
	union ktlso_crypto_info *saved = &c->info;
	int err;

	memcpy(c->iv, ktlso_cipher_salt(cipher, saved), cipher->salt);
	memcpy(c->iv + cipher->salt, ktlso_cipher_iv(cipher, saved), cipher->iv);

	c->aead = crypto_alloc_aead(cipher->alg, 0, 0);
	if (IS_ERR(c->aead)) {
		err = PTR_ERR(c->aead);
		c->aead = NULL;
		return err;
	}
	err = crypto_aead_setkey(c->aead, ktlso_cipher_key(cipher, saved), cipher->key);
	if (err)
		goto err_free_aead;
	err = crypto_aead_setauthsize(c->aead, cipher->tag);
	if (err)
		goto err_free_aead;
	c->req = aead_request_alloc(c->aead, GFP_KERNEL_ACCOUNT);
	if (!c->req) {
		err = -ENOMEM;
		goto err_free_aead;
	}
	return 0;

err_free_aead:
	crypto_free_aead(c->aead);
	c->aead = NULL;
	return err;
}

void ktlso_aead_uninit(struct ktlso_crypto *c)
{
	aead_request_free(c->req);
	crypto_free_aead(c->aead);	/* the transform wipes its own key */
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
 * @info: validated crypto_info of the same version and cipher
 *
 * Return: 0, or -errno with the old keys still in place.
 */
int ktlso_rekey(struct ktlso_crypto *c, const union ktlso_crypto_info *info)
{
	struct ktlso_crypto fresh = { };
	int err;

	err = ktlso_crypto_init(&fresh, info);
	if (err)
		return err;
	ktlso_crypto_uninit(c);
	*c = fresh;
	memzero_explicit(&fresh, sizeof(fresh));
	return 0;
}

/**
 * ktlso_crypto_run() - one AEAD operation, waited for
 * @c: the direction's state
 * @encrypt: seal (true) or open
 * @src: additional data, then the input
 * @dst: additional data, then room for the output
 * @aad_len: bytes of additional data
 * @len: bytes of input (ciphertext includes the tag)
 * @iv: the nonce, in memory the crypto layer may read (not the stack)
 *
 * Waiting here means no completion can outlive the caller: close and module
 * unload never race a callback.
 *
 * Return: 0, or the crypto layer's -errno (-EBADMSG: not authentic).
 */
int ktlso_crypto_run(struct ktlso_crypto *c, bool encrypt, struct scatterlist *src,
		     struct scatterlist *dst, unsigned int aad_len,
		     unsigned int len, u8 *iv)
{
	DECLARE_CRYPTO_WAIT(wait);

	aead_request_set_callback(c->req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done, &wait);
	aead_request_set_ad(c->req, aad_len);
	aead_request_set_crypt(c->req, src, dst, len, iv);
	return crypto_wait_req(encrypt ? crypto_aead_encrypt(c->req) :
				   crypto_aead_decrypt(c->req), &wait);
}
