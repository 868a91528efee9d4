// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 records protected with AES-CBC and HMAC (RFC 5246 §6.2.3.2): the
 * MAC over the plaintext, encrypted with it (MAC-then-encrypt), or over the
 * ciphertext when the handshake negotiated RFC 7366's encrypt_then_mac.
 * Each record carries an IV of its own, fresh from the kernel's CSPRNG.
 *
 * MAC-then-encrypt is the padding-oracle construction (Vaudenay, Lucky
 * Thirteen). Its receive check gives one answer, -EBADMSG, whatever is
 * wrong, and does the same work whatever the padding says: the last 256
 * bytes are checked as padding without a branch on their values; the MAC
 * is computed over the content the padding implies (as if there were no
 * padding when it is bad: RFC 5246 §6.2.3.2's implementation note), then a
 * digest of dummy bytes runs as many hash compressions as make the total
 * that of the longest content the record can hold; the received MAC is
 * lifted out of the record's tail without an access or branch that depends
 * on where it is, and compared with crypto_memneq(). What still varies with
 * the padding: how many bytes (not blocks) each digest copies, and the
 * scatterlist walk over them. Encrypt-then-MAC checks the MAC over the
 * ciphertext before decrypting anything and has no such oracle.
 *
 * Sealing works in place and reads the plaintext twice (MAC, encryption),
 * so tx.c copies the application's bytes first. Opening decrypts into the
 * caller's buffer and wipes it again if the record is not authentic. As
 * for the AEADs, crypto requests are waited for, so no completion outlives
 * the call that started it.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "ktlso.h"

/* The last bytes of an MtE plaintext that can hold MAC and padding. */
#define TAIL_MAX (KTLSO_MAX_MAC + KTLSO_CBC_MAX_PADDING)
/* Dummy bytes for the most compressions equalise() may have to add: 255
 * bytes of padding change the MAC's blocks by at most 4 of 64 or 2 of 128;
 * two more make 375 or 495 bytes.
 */
#define DUMMY_MAX 512

struct ktlso_cbc {
	struct crypto_skcipher *aes;
	struct skcipher_request *req;
	struct crypto_shash *hmac;
	struct shash_desc *desc;
	unsigned int block_shift;	/* log2 of the hash's block size */
	bool etm;			/* RFC 7366 encrypt-then-MAC */
	/* Read by the crypto layer while it works: never on the stack. */
	u8 iv[KTLSO_CBC_BLOCK];		/* advanced by the skcipher */
	u8 aad[KTLSO_AAD12_SIZE + KTLSO_CBC_BLOCK];	/* EtM: and the IV */
	u8 mac[KTLSO_MAX_MAC];		/* computed */
	u8 got[KTLSO_MAX_MAC];		/* received */
	u8 tail[TAIL_MAX];
	u8 dummy[DUMMY_MAX];		/* zeros */
};

/* Constant-time masks, all ones or 0, for values below 2^31. */
static u32 ct_lt(u32 a, u32 b)
{
	return 0u - ((a - b) >> 31);
}

static u32 ct_le(u32 a, u32 b)
{
	return ~ct_lt(b, a);
}

static u32 ct_eq(u32 a, u32 b)
{
	return ~(ct_lt(a, b) | ct_lt(b, a));
}

static unsigned int mac_len(const struct ktlso_crypto *c)
{
	return c->cipher->tag;
}

/* Bytes under the encryption for plaintext_len bytes of content. */
static unsigned int encrypted_len(const struct ktlso_crypto *c, unsigned int plaintext_len)
{
	/* RFC 5246 §6.2.3.2: content, MAC (not with EtM), padding and its
	 * length byte, to a whole number of blocks; we pad as little as we can.
	 */
	return round_up(plaintext_len + (c->cbc->etm ? 0 : mac_len(c)) + 1, KTLSO_CBC_BLOCK);
}

static unsigned int cbc_fragment_len(const struct ktlso_crypto *c, unsigned int plaintext_len)
{
	return KTLSO_CBC_BLOCK + encrypted_len(c, plaintext_len) +
	       (c->cbc->etm ? mac_len(c) : 0);
}

static int cbc_check_len(const struct ktlso_crypto *c, unsigned int len)
{
	/* RFC 5246 §6.2.3: any longer and it carries more than 2^14 bytes of
	 * content, whatever its padding.
	 */
	if (len > KTLSO_CBC_BLOCK + KTLSO_MAX_PLAINTEXT + mac_len(c) + KTLSO_CBC_MAX_PADDING)
		return -EMSGSIZE;
	/* The IV, and a block that holds the MAC (MtE) and the padding. A
	 * length off the block size is public and found when opening.
	 */
	if (len < cbc_fragment_len(c, 0))
		return -EBADMSG;
	return 0;
}

/* What decrypts: all but the IV and, with EtM, the MAC. */
static unsigned int cbc_inner_len(const struct ktlso_crypto *c, unsigned int fragment_len)
{
	return fragment_len - KTLSO_CBC_BLOCK - (c->cbc->etm ? mac_len(c) : 0);
}

/* One cbc(aes) operation on len bytes with s->iv, waited for. */
static int run_aes(struct ktlso_cbc *s, bool encrypt, struct scatterlist *src,
		   struct scatterlist *dst, unsigned int len)
{
	DECLARE_CRYPTO_WAIT(wait);

	skcipher_request_set_callback(s->req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				      CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done, &wait);
	skcipher_request_set_crypt(s->req, src, dst, len, s->iv);
	return crypto_wait_req(encrypt ? crypto_skcipher_encrypt(s->req) :
				   crypto_skcipher_decrypt(s->req), &wait);
}

/* The HMAC of pre_len bytes at pre, then len bytes of sg, into out. */
static int mac_of(struct ktlso_cbc *s, const u8 *pre, unsigned int pre_len,
		  struct scatterlist *sg, unsigned int len, u8 *out)
{
	struct sg_mapping_iter miter;
	int err;

	err = crypto_shash_init(s->desc) ?: crypto_shash_update(s->desc, pre, pre_len);
	if (err)
		return err;
	sg_miter_start(&miter, sg, sg_nents(sg), SG_MITER_FROM_SG);
	while (len && sg_miter_next(&miter)) {
		unsigned int n = min_t(size_t, len, miter.length);

		err = crypto_shash_update(s->desc, miter.addr, n);
		if (err)
			break;
		len -= n;
	}
	sg_miter_stop(&miter);
	if (!err && len)
		err = -EINVAL;
	return err ?: crypto_shash_final(s->desc, out);
}

/* Write a buffer into a scatterlist at off: 0, or -EINVAL if it is short. */
static int put_sg(struct scatterlist *sg, const u8 *buf, unsigned int len,
		  unsigned int off)
{
	return sg_pcopy_from_buffer(sg, sg_nents(sg), buf, len, off) == len ? 0 : -EINVAL;
}

static int get_sg(struct scatterlist *sg, u8 *buf, unsigned int len, unsigned int off)
{
	return sg_pcopy_to_buffer(sg, sg_nents(sg), buf, len, off) == len ? 0 : -EINVAL;
}

/* RFC 7366 §3: the MAC of header fields, IV and ciphertext. */
static int etm_mac(struct ktlso_crypto *c, u8 type, const u8 *iv,
		   struct scatterlist *ciphertext, unsigned int len)
{
	struct ktlso_cbc *s = c->cbc;
	/* TLSCiphertext.length there is that of the IV and ciphertext. */
	unsigned int aad_len = ktlso_record_aad(c, type, KTLSO_CBC_BLOCK + len, s->aad);

	memcpy(s->aad + aad_len, iv, KTLSO_CBC_BLOCK);
	return mac_of(s, s->aad, aad_len + KTLSO_CBC_BLOCK, ciphertext, len, s->mac);
}

/**
 * ktlso_cbc_seal_iv() - seal a record with the IV already in its head
 * @c: direction state, a CBC cipher's
 * @type: the record's content type
 * @len: bytes of plaintext
 * @head: the header (written here), then the record's IV
 * @sg: entry 0 unused; the entries after it hold @len bytes of plaintext
 *      and room for the rest of the record, which is sealed in place
 *
 * ktlso_record_seal() with an IV of the caller's: KUnit's door to known
 * answers.
 *
 * Return: 0, or -errno.
 */
int ktlso_cbc_seal_iv(struct ktlso_crypto *c, u8 type, unsigned int len, u8 *head,
		      struct scatterlist *sg)
{
	struct ktlso_cbc *s = c->cbc;
	unsigned int body = encrypted_len(c, len), at = len, aad_len;
	u8 *iv = head + KTLSO_HEADER_SIZE;
	struct scatterlist *data = sg + 1;
	int err;

	ktlso_record_header(c, type, len, head);
	if (!s->etm) {
		/* RFC 5246 §6.2.3.1: the MAC of header fields and content */
		aad_len = ktlso_record_aad(c, type, len, s->aad);
		err = mac_of(s, s->aad, aad_len, data, len, s->mac) ?:
		      put_sg(data, s->mac, mac_len(c), at);
		if (err)
			return err;
		at += mac_len(c);
	}
	/* RFC 5246 §6.2.3.2: every padding byte, and the padding_length byte
	 * after them, holds the padding's length.
	 */
	memset(s->tail, body - at - 1, body - at);
	err = put_sg(data, s->tail, body - at, at);
	if (err)
		return err;
	memcpy(s->iv, iv, KTLSO_CBC_BLOCK);
	err = run_aes(s, true, data, data, body);
	if (err || !s->etm)
		return err;
	return etm_mac(c, type, iv, data, body) ?: put_sg(data, s->mac, mac_len(c), body);
}

/* In place only: src must be dst (tx.c copies the plaintext in first). */
static int cbc_seal(struct ktlso_crypto *c, u8 type, unsigned int len, u8 *head,
		    struct scatterlist *src, struct scatterlist *dst)
{
	if (src != dst)
		return -EINVAL;
	/* RFC 5246 §6.2.3.2: an IV per record, chosen at random. */
	get_random_bytes(head + KTLSO_HEADER_SIZE, KTLSO_CBC_BLOCK);
	return ktlso_cbc_seal_iv(c, type, len, head, dst);
}

/*
 * RFC 5246 §6.2.3.2: the last byte says how many padding bytes come before
 * it, each of the same value, and content and MAC must still fit. All of
 * the last 256 bytes are looked at, whatever the padding says.
 * @tail: the plaintext's last @tail_len bytes, at least 256 of them or all
 * @body: bytes of plaintext
 * @mac: bytes of MAC inside the plaintext (MtE), or 0
 * @pad: out: the padding's length, 0 if it is bad
 *
 * Return: all ones if the padding is good, else 0.
 */
static u32 check_padding(const u8 *tail, unsigned int tail_len, unsigned int body,
			 unsigned int mac, unsigned int *pad)
{
	u32 p = tail[tail_len - 1];
	u32 good = ct_le(p + 1 + mac, body);
	unsigned int i, n = min_t(unsigned int, tail_len, KTLSO_CBC_MAX_PADDING);

	for (i = 1; i <= n; i++)
		good &= ~ct_le(i, p + 1) | ct_eq(tail[tail_len - i], p);
	*pad = p & good;
	return good;
}

/*
 * The received MAC, mac bytes at a secret offset of tail, copied to out
 * without an access or branch that depends on the offset: every byte is
 * read once into a copy rotated by the offset, then the rotation is undone
 * by a scan of its own.
 */
static void lift_mac(const u8 *tail, unsigned int tail_len, u32 at, unsigned int mac,
		     u8 *out)
{
	u8 rotated[KTLSO_MAX_MAC] = { };
	u32 rotate = 0, want;
	unsigned int i, j = 0, k, m;

	for (i = 0; i < tail_len; i++) {
		rotated[j] |= tail[i] & ct_le(at, i) & ct_lt(i, at + mac);
		rotate |= ct_eq(i, at) & j;
		j = j + 1 == mac ? 0 : j + 1;
	}
	/* Byte k of the MAC is rotated[(k + rotate) % mac]. */
	for (k = 0; k < mac; k++) {
		u8 b = 0;

		want = k + rotate;
		want -= mac & ct_le(mac, want);
		for (m = 0; m < mac; m++)
			b |= rotated[m] & ct_eq(m, want);
		out[k] = b;
	}
	memzero_explicit(rotated, sizeof(rotated));
}

/* Hash compressions for n bytes of HMAC input: SHA-1/2 append 0x80 and a
 * length of an eighth of a block.
 */
static unsigned int compressions(const struct ktlso_cbc *s, unsigned int n)
{
	unsigned int block = 1u << s->block_shift;

	return (n + 1 + block / 8 + block - 1) >> s->block_shift;
}

/*
 * Lucky Thirteen: the MAC just computed over len bytes of content ran as
 * many compressions as its input has blocks. Run as many more over dummy
 * bytes as make the count that of the longest content, max_len, and two
 * more: the dummy digest always runs, and always hands the hash whole
 * blocks in one call before its final one (a call has a cost of its own).
 */
static int equalise(struct ktlso_cbc *s, unsigned int len, unsigned int max_len)
{
	unsigned int block = 1u << s->block_shift;
	unsigned int extra = compressions(s, KTLSO_AAD12_SIZE + max_len) -
			     compressions(s, KTLSO_AAD12_SIZE + len) + 2;
	/* A digest of this many bytes takes exactly extra compressions. */
	unsigned int n = extra * block - 1 - block / 8;

	return crypto_shash_digest(s->desc, s->dummy, min_t(unsigned int, n, DUMMY_MAX),
				   s->got);
}

/*
 * MtE: padding and MAC of the decrypted plaintext (body bytes in the
 * entries of plain after the first), checked in constant time.
 * Return: 0, -EBADMSG, or the crypto layer's -errno.
 */
static int check_mte(struct ktlso_crypto *c, u8 type, struct scatterlist *plain,
		     unsigned int body)
{
	struct ktlso_cbc *s = c->cbc;
	unsigned int mac = mac_len(c), pad, len, aad_len;
	unsigned int tail_len = min_t(unsigned int, body, TAIL_MAX);
	u32 good;
	int err;

	err = get_sg(plain, s->tail, tail_len, body - tail_len);
	if (err)
		return err;
	good = check_padding(s->tail, tail_len, body, mac, &pad);
	len = body - mac - 1 - pad;
	aad_len = ktlso_record_aad(c, type, len, s->aad);
	err = mac_of(s, s->aad, aad_len, plain, len, s->mac) ?:
	      equalise(s, len, body - mac - 1);
	if (err)
		return err;
	lift_mac(s->tail, tail_len, tail_len - 1 - pad - mac, mac, s->got);
	good &= 0u - (u32)!crypto_memneq(s->mac, s->got, mac);
	return good ? 0 : -EBADMSG;
}

/* EtM: the MAC first, over what came; then decrypt and check the padding. */
static int open_etm(struct ktlso_crypto *c, const u8 *head, struct scatterlist *src,
		    struct scatterlist *dst, unsigned int body)
{
	struct ktlso_cbc *s = c->cbc;
	unsigned int tail_len = min_t(unsigned int, body, KTLSO_CBC_MAX_PADDING), pad;
	int err;

	err = etm_mac(c, head[0], head + KTLSO_HEADER_SIZE, src, body) ?:
	      get_sg(src, s->got, mac_len(c), body);
	if (err)
		return err;
	if (crypto_memneq(s->mac, s->got, mac_len(c)))
		return -EBADMSG;
	err = run_aes(s, false, src, dst, body) ?:
	      get_sg(dst, s->tail, tail_len, body - tail_len);
	if (err)
		return err;
	return check_padding(s->tail, tail_len, body, 0, &pad) ? 0 : -EBADMSG;
}

static int cbc_open(struct ktlso_crypto *c, const u8 *head, struct scatterlist *src,
		    struct scatterlist *dst)
{
	struct ktlso_cbc *s = c->cbc;
	unsigned int body = ktlso_record_inner_len(c, head);
	int err;

	/* RFC 5246 §6.2.3.2: whole blocks, room for MAC (MtE) and padding
	 * (public: no oracle in saying so; the header check saw to the room).
	 */
	if (body % KTLSO_CBC_BLOCK || body < encrypted_len(c, 0))
		return -EBADMSG;
	memcpy(s->iv, head + KTLSO_HEADER_SIZE, KTLSO_CBC_BLOCK);
	if (s->etm)
		err = open_etm(c, head, src + 1, dst + 1, body);
	else
		err = run_aes(s, false, src + 1, dst + 1, body) ?:
		      check_mte(c, head[0], dst + 1, body);
	if (!err)
		return 0;
	sg_zero_buffer(dst + 1, sg_nents(dst + 1), body, 0);
	return -EBADMSG;
}

/* An opened record: content, then (MtE) MAC, then padding and its length. */
static int cbc_content(const struct ktlso_crypto *c, u8 outer_type, const u8 *inner,
		       unsigned int *len, u8 *type)
{
	unsigned int n = *len, trailer;

	if (!n)
		return -EBADMSG;
	trailer = inner[n - 1] + 1 + (c->cbc->etm ? 0 : mac_len(c));
	if (trailer > n)
		return -EBADMSG;
	*len = n - trailer;
	*type = outer_type;
	return 0;
}

static int cbc_init(struct ktlso_crypto *c)
{
	const struct ktlso_cipher *cipher = c->cipher;
	u32 flags = c->info.largest_cbc.flags;	/* where every CBC struct has it */
	struct ktlso_cbc *s;
	int err;

	if (flags & ~KTLSO_CBC_ENCRYPT_THEN_MAC)
		return -EINVAL;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->etm = flags & KTLSO_CBC_ENCRYPT_THEN_MAC;

	s->aes = crypto_alloc_skcipher(cipher->alg, 0, 0);
	if (IS_ERR(s->aes)) {
		err = PTR_ERR(s->aes);
		goto err_free_state;
	}
	err = crypto_skcipher_setkey(s->aes, ktlso_cipher_key(cipher, &c->info), cipher->key);
	if (err)
		goto err_free_aes;
	s->req = skcipher_request_alloc(s->aes, GFP_KERNEL_ACCOUNT);
	if (!s->req) {
		err = -ENOMEM;
		goto err_free_aes;
	}
	s->hmac = crypto_alloc_shash(cipher->mac, 0, 0);
	if (IS_ERR(s->hmac)) {
		err = PTR_ERR(s->hmac);
		goto err_free_req;
	}
	err = crypto_shash_setkey(s->hmac, ktlso_cipher_mac_key(cipher, &c->info),
				  cipher->mac_key);
	if (err)
		goto err_free_hmac;
	s->desc = kzalloc(sizeof(*s->desc) + crypto_shash_descsize(s->hmac),
			  GFP_KERNEL_ACCOUNT);
	if (!s->desc) {
		err = -ENOMEM;
		goto err_free_hmac;
	}
	s->desc->tfm = s->hmac;
	s->block_shift = ilog2(crypto_shash_blocksize(s->hmac));
	c->cbc = s;
	return 0;

err_free_hmac:
	crypto_free_shash(s->hmac);
err_free_req:
	skcipher_request_free(s->req);
err_free_aes:
	crypto_free_skcipher(s->aes);
err_free_state:
	kfree_sensitive(s);
	return err;
}

static void cbc_uninit(struct ktlso_crypto *c)
{
	struct ktlso_cbc *s = c->cbc;

	if (!s)
		return;
	kfree_sensitive(s->desc);
	crypto_free_shash(s->hmac);	/* the transforms wipe their keys */
	skcipher_request_free(s->req);
	crypto_free_skcipher(s->aes);
	kfree_sensitive(s);
	c->cbc = NULL;
}

const struct ktlso_record_ops ktlso_cbc_ops = {
	.init = cbc_init,
	.uninit = cbc_uninit,
	.fragment_len = cbc_fragment_len,
	.check_len = cbc_check_len,
	.inner_len = cbc_inner_len,
	.seal = cbc_seal,
	.open = cbc_open,
	.content = cbc_content,
	.plaintext_is_content = false,
};
