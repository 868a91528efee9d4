// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: TLS 1.2 AES-CBC-HMAC records (record_cbc.c) against records the
 * openssl command made when tools/kunit ran (tools/kunit-cbc-vectors writes
 * cbc_vectors.h): sealed byte for byte with the same IV, opened back to the
 * content, refused with -EBADMSG and nothing left behind when bad.
 */
#include <crypto/skcipher.h>
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/tls.h>

#include "compat.h"
#include "ktlso.h"
#include "kunit_bytes.h"

struct cbc_vector {
	const char *name;
	u16 cipher;
	u32 flags;
	u64 seq;
	u8 type;
	u8 key[32], mac_key[48];
	unsigned int content_len, record_len;
	const u8 *content, *record;
};

#include "cbc_vectors.h"

static void vector_desc(const struct cbc_vector *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cbc_vector, cbc_vectors, vector_desc);
KUNIT_ARRAY_PARAM(cbc_padded_vector, cbc_padded_vectors, vector_desc);
KUNIT_ARRAY_PARAM(cbc_bad_vector, cbc_bad_vectors, vector_desc);

/* The largest record of the tables: 47 bytes, 255 of padding, a MAC. */
#define ROOM 512

/* One case, keyed; in heap memory, as the crypto layer needs. */
struct cbc_run {
	struct ktlso_crypto c;
	u8 buf[ROOM], out[ROOM];
};

static struct cbc_run *setup(struct kunit *test, const struct cbc_vector *v)
{
	struct cbc_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	union ktlso_crypto_info info = { };
	const struct ktlso_cipher *cipher;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_LE(test, v->record_len, (unsigned int)ROOM);
	cipher = ktlso_cipher_find(v->cipher, TLS_1_2_VERSION);
	KUNIT_ASSERT_NOT_NULL(test, cipher);
	info.info.version = TLS_1_2_VERSION;
	info.info.cipher_type = v->cipher;
	info.largest_cbc.flags = v->flags;
	memcpy(ktlso_cipher_key(cipher, &info), v->key, cipher->key);
	memcpy(ktlso_cipher_mac_key(cipher, &info), v->mac_key, cipher->mac_key);
	put_unaligned_be64(v->seq, ktlso_cipher_rec_seq(cipher, &info));
	err = ktlso_crypto_init(&r->c, &info);
	memzero_explicit(&info, sizeof(info));
	KUNIT_ASSERT_EQ(test, 0, err);
	return r;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static unsigned int head_len(void)
{
	return KTLSO_HEADER_SIZE + KTLSO_CBC_BLOCK;
}

static void seal_matches_openssl(struct kunit *test)
{
	const struct cbc_vector *v = test->param_value;
	struct cbc_run *r = setup(test, v);
	unsigned int split = (v->content_len + 1) / 2;
	struct scatterlist sg[3];

	/* Arrange: the IV openssl used; the content in two pieces (but an
	 * empty one), so that MAC and padding land past a boundary.
	 */
	KUNIT_EXPECT_EQ(test, v->record_len, ktlso_record_size(&r->c, v->content_len));
	memcpy(r->buf + KTLSO_HEADER_SIZE, v->record + KTLSO_HEADER_SIZE, KTLSO_CBC_BLOCK);
	memcpy(r->buf + head_len(), v->content, v->content_len);
	sg_init_table(sg, split ? 3 : 2);
	sg_set_buf(&sg[1], r->buf + head_len(), split ?: v->record_len - head_len());
	if (split)
		sg_set_buf(&sg[2], r->buf + head_len() + split,
			   v->record_len - head_len() - split);

	/* Act */
	KUNIT_ASSERT_EQ(test, 0, ktlso_cbc_seal_iv(&r->c, v->type, v->content_len, r->buf, sg));

	/* Assert: byte for byte what openssl made. */
	KUNIT_EXPECT_EQ(test, -1, ktlso_kunit_first_diff(v->record, r->buf, v->record_len));
	ktlso_crypto_uninit(&r->c);
}

static void seal_takes_a_fresh_iv(struct kunit *test)
{
	const struct cbc_vector *v = &cbc_vectors[0];
	struct cbc_run *r = setup(test, v);
	unsigned int len = ktlso_record_size(&r->c, 0);
	struct scatterlist sg[2];
	u8 first[KTLSO_CBC_BLOCK];

	/* RFC 5246 §6.2.3.2: two records, two IVs (not a counter, not 0). */
	sg_init_table(sg, 2);
	sg_set_buf(&sg[1], r->buf + head_len(), len - head_len());
	KUNIT_ASSERT_EQ(test, 0, ktlso_record_seal(&r->c, 23, 0, r->buf, sg, sg));
	memcpy(first, r->buf + KTLSO_HEADER_SIZE, sizeof(first));
	KUNIT_ASSERT_EQ(test, 0, ktlso_record_seal(&r->c, 23, 0, r->buf, sg, sg));
	KUNIT_EXPECT_NE(test, 0, memcmp(first, r->buf + KTLSO_HEADER_SIZE, sizeof(first)));
	/* Out of place is refused: the caller's memory is read twice. */
	KUNIT_EXPECT_EQ(test, -EINVAL, ktlso_record_seal(&r->c, 23, 0, r->buf, sg, sg + 1));
	ktlso_crypto_uninit(&r->c);
}

/* The record's IV onwards, in two pieces as TCP may queue them. */
static void source(struct scatterlist src[3], const u8 *record, unsigned int record_len)
{
	unsigned int len = record_len - head_len(), split = len / 3;

	sg_init_table(src, 3);
	sg_set_buf(&src[1], record + head_len(), split);
	sg_set_buf(&src[2], record + head_len() + split, len - split);
}

/* Open record (len bytes) into r->out; return what ktlso_record_open() did. */
static int open_into(struct kunit *test, struct cbc_run *r, const u8 *record,
		     unsigned int len, unsigned int *inner)
{
	struct scatterlist src[3], dst[2];

	*inner = ktlso_record_inner_len(&r->c, record);
	KUNIT_ASSERT_LE(test, *inner, (unsigned int)ROOM);
	memset(r->out, 0xaa, ROOM);
	source(src, record, len);
	sg_init_table(dst, 2);
	sg_set_buf(&dst[1], r->out, *inner);
	return ktlso_record_open(&r->c, record, src, dst);
}

static void open_recovers_content(struct kunit *test)
{
	const struct cbc_vector *v = test->param_value;
	struct cbc_run *r = setup(test, v);
	unsigned int inner, len;
	u8 type = 0;

	KUNIT_ASSERT_EQ(test, 0, ktlso_record_check_header(&r->c, v->record));
	KUNIT_ASSERT_EQ(test, 0, open_into(test, r, v->record, v->record_len, &inner));
	len = inner;
	KUNIT_ASSERT_EQ(test, 0, ktlso_record_content(&r->c, v->record[0], r->out, &len,
						      &type));

	KUNIT_EXPECT_EQ(test, v->type, type);
	KUNIT_EXPECT_EQ(test, v->content_len, len);
	KUNIT_EXPECT_EQ(test, -1, ktlso_kunit_first_diff(v->content, r->out, v->content_len));
	ktlso_crypto_uninit(&r->c);
}

static void open_recovers_content_of_long_padding(struct kunit *test)
{
	open_recovers_content(test);
}

/* Nothing of a refused record is left where the plaintext would be. */
static void expect_wiped(struct kunit *test, const u8 *out, unsigned int inner)
{
	KUNIT_EXPECT_PTR_EQ(test, NULL, memchr_inv(out, 0, inner));
}

static void open_refuses_bad_record(struct kunit *test)
{
	const struct cbc_vector *v = test->param_value;
	struct cbc_run *r = setup(test, v);
	unsigned int inner;

	KUNIT_ASSERT_EQ(test, 0, ktlso_record_check_header(&r->c, v->record));
	KUNIT_EXPECT_EQ(test, -EBADMSG, open_into(test, r, v->record, v->record_len, &inner));
	expect_wiped(test, r->out, inner);
	ktlso_crypto_uninit(&r->c);
}

static void open_refuses_flipped_bit(struct kunit *test)
{
	const struct cbc_vector *v = test->param_value;
	struct cbc_run *r = setup(test, v);
	const unsigned int last = v->record_len - 1;
	/* the header's type, the IV, the first and the last two blocks */
	const unsigned int at[] = { 0, KTLSO_HEADER_SIZE, head_len(), last - 16, last };
	unsigned int i, inner;

	for (i = 0; i < ARRAY_SIZE(at); i++) {
		memcpy(r->buf, v->record, v->record_len);
		r->buf[at[i]] ^= 0x01;
		KUNIT_EXPECT_EQ_MSG(test, -EBADMSG,
				    open_into(test, r, r->buf, v->record_len, &inner),
				    "bit flipped at byte %u", at[i]);
		expect_wiped(test, r->out, inner);
	}
	ktlso_crypto_uninit(&r->c);
}

static void header_rules(struct kunit *test)
{
	const struct cbc_vector *v = &cbc_vectors[0];	/* AES-128-CBC-SHA MtE */
	struct cbc_run *r = setup(test, v);
	u8 h[KTLSO_HEADER_SIZE] = { 23, 3, 3 };
	/* RFC 5246 §6.2.3: 2^14 of content, the MAC and 256 of padding */
	const unsigned int most = 16 + 16384 + 20 + 256, least = 16 + 32;

	put_unaligned_be16(most, h + 3);
	KUNIT_EXPECT_EQ(test, 0, ktlso_record_check_header(&r->c, h));
	put_unaligned_be16(most + 1, h + 3);
	KUNIT_EXPECT_EQ(test, -EMSGSIZE, ktlso_record_check_header(&r->c, h));
	/* the IV, and blocks that hold a MAC of 20 and a padding byte */
	put_unaligned_be16(least, h + 3);
	KUNIT_EXPECT_EQ(test, 0, ktlso_record_check_header(&r->c, h));
	put_unaligned_be16(least - 1, h + 3);
	KUNIT_EXPECT_EQ(test, -EBADMSG, ktlso_record_check_header(&r->c, h));
	put_unaligned_be16(0, h + 3);
	KUNIT_EXPECT_EQ(test, -EBADMSG, ktlso_record_check_header(&r->c, h));
	ktlso_crypto_uninit(&r->c);
}

static void open_refuses_partial_block(struct kunit *test)
{
	const struct cbc_vector *v = &cbc_vectors[4];	/* 47 bytes, MtE */
	struct cbc_run *r = setup(test, v);
	unsigned int inner;

	/* One byte short of whole blocks: header says so, record is cut. */
	KUNIT_ASSERT_EQ(test, 47u, v->content_len);
	memcpy(r->buf, v->record, v->record_len);
	put_unaligned_be16(v->record_len - KTLSO_HEADER_SIZE - 1, r->buf + 3);
	KUNIT_ASSERT_EQ(test, 0, ktlso_record_check_header(&r->c, r->buf));
	KUNIT_EXPECT_EQ(test, -EBADMSG, open_into(test, r, r->buf, v->record_len - 1, &inner));
	/* refused on its length: nothing was decrypted, nothing written */
	KUNIT_EXPECT_PTR_EQ(test, NULL, memchr_inv(r->out, 0xaa, inner));
	ktlso_crypto_uninit(&r->c);
}

static void cipher_rules(struct kunit *test)
{
	union ktlso_crypto_info info = { };
	struct ktlso_crypto c = { };

	/* TLS 1.3 has no CBC suites. */
	KUNIT_EXPECT_NULL(test, ktlso_cipher_find(KTLSO_CIPHER_AES_128_CBC_SHA,
						  TLS_1_3_VERSION));
	KUNIT_EXPECT_EQ(test, (u16)sizeof(struct ktlso_crypto_info_aes_256_cbc_sha384),
			ktlso_cipher_find(KTLSO_CIPHER_AES_256_CBC_SHA384,
					  TLS_1_2_VERSION)->info_size);
	/* A flag we do not know is refused, not ignored. */
	info.info.version = TLS_1_2_VERSION;
	info.info.cipher_type = KTLSO_CIPHER_AES_128_CBC_SHA256;
	info.largest_cbc.flags = KTLSO_CBC_ENCRYPT_THEN_MAC << 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, ktlso_crypto_init(&c, &info));
}

/*
 * dudect (Reparaz, Balasch, Verbauwhede, 2017) on the MAC-then-encrypt
 * check: time ktlso_record_open() of records of one length that all fail,
 * two classes interleaved at random, and Welch's t-test on the timings; a
 * |t| over 4.5 says the classes can be told apart. Lucky Thirteen's
 * classes: 1 byte of padding (the MAC over the longest content) against
 * 256 (over 255 bytes less, 4 SHA-256 blocks without the countermeasure).
 * First the same measurement must tell apart what is meant to differ,
 * records 256 bytes longer, or the test has no power and fails. Each class
 * has many records of random bytes, one picked at random each time: what
 * the timing of the table-driven generic AES, or of caches, owes to the
 * bytes themselves then falls evenly on both.
 */
#define TIMING_SAMPLES 20000
#define TIMING_RECORDS 32	/* of each class */
#define TIMING_BODY 1024	/* plaintext bytes of the shorter records */
#define TIMING_LONGER (TIMING_BODY + 256)
#define TIMING_ROOM (KTLSO_HEADER_SIZE + KTLSO_CBC_BLOCK + TIMING_LONGER)
#define TIMING_T_LIMIT_X10 45

struct timing_run {
	struct cbc_run *r;
	u8 (*rec)[TIMING_RECORDS][TIMING_ROOM];	/* 3 classes */
	u8 out[TIMING_LONGER];
	u32 ns[2][TIMING_SAMPLES];
	u32 pool[2 * TIMING_SAMPLES];	/* both classes, sorted */
	unsigned int n[2];
};

/* A record of body bytes ending in pad_len + 1 bytes of padding, a MAC of
 * zeros before them: encrypted under the direction's key, by cbc(aes).
 */
static void timing_record(struct kunit *test, const struct cbc_vector *v, u8 *rec,
			  unsigned int body, unsigned int pad_len)
{
	struct crypto_skcipher *aes = crypto_alloc_skcipher("cbc(aes)", 0, 0);
	struct skcipher_request *req;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *iv = rec + KTLSO_HEADER_SIZE, *plain = iv + KTLSO_CBC_BLOCK;
	u8 iv_copy[KTLSO_CBC_BLOCK];
	int err;

	KUNIT_ASSERT_FALSE(test, IS_ERR(aes));
	req = skcipher_request_alloc(aes, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_ASSERT_EQ(test, 0, crypto_skcipher_setkey(aes, v->key, 16));
	rec[0] = 23;
	rec[1] = 3;
	rec[2] = 3;
	put_unaligned_be16(KTLSO_CBC_BLOCK + body, rec + 3);
	get_random_bytes(iv, KTLSO_CBC_BLOCK + body);
	memset(plain + body - pad_len - 1 - 32, 0, 32);
	memset(plain + body - pad_len - 1, pad_len, pad_len + 1);
	memcpy(iv_copy, iv, sizeof(iv_copy));
	sg_init_one(&sg, plain, body);
	skcipher_request_set_callback(req, 0, crypto_req_done, &wait);
	skcipher_request_set_crypt(req, &sg, &sg, body, iv_copy);
	err = crypto_wait_req(crypto_skcipher_encrypt(req), &wait);
	skcipher_request_free(req);
	crypto_free_skcipher(aes);
	KUNIT_ASSERT_EQ(test, 0, err);
}

/* The time under which 90% of all timings fall: dudect's crop, one for
 * both classes (the slow tail is interrupts and the scheduler).
 */
static u32 crop_at(struct timing_run *tr)
{
	memcpy(tr->pool, tr->ns[0], tr->n[0] * sizeof(u32));
	memcpy(tr->pool + tr->n[0], tr->ns[1], tr->n[1] * sizeof(u32));
	sort(tr->pool, tr->n[0] + tr->n[1], sizeof(u32), cmp_u32, NULL);
	return tr->pool[(tr->n[0] + tr->n[1]) * 9 / 10];
}

/* Welch's t of the two classes' timings under the crop, times 10. */
static u64 welch_t_x10(struct timing_run *tr)
{
	u64 mean[2], var[2], den, num;
	u32 crop = crop_at(tr);
	int k;

	for (k = 0; k < 2; k++) {
		unsigned int i, n = 0;
		u64 sum = 0, sq = 0;

		for (i = 0; i < tr->n[k]; i++) {
			if (tr->ns[k][i] >= crop)
				continue;
			sum += tr->ns[k][i];
			sq += (u64)tr->ns[k][i] * tr->ns[k][i];
			n++;
		}
		tr->n[k] = n ?: 1;
		n = tr->n[k];
		mean[k] = div64_u64(sum * 16, n);	/* in 1/16 ns */
		sq = div64_u64(sq, n);
		/* ns^2, never below 0 by rounding */
		var[k] = sq - min(sq, mean[k] * mean[k] / 256);
	}
	/* t^2 = (m0 - m1)^2 / (v0 / n0 + v1 / n1), in 1/1024 ns^2 on both sides */
	num = (mean[0] - mean[1]) * (mean[0] - mean[1]) * 4;
	if (mean[1] > mean[0])
		num = (mean[1] - mean[0]) * (mean[1] - mean[0]) * 4;
	den = div64_u64(var[0] * 1024, tr->n[0]) + div64_u64(var[1] * 1024, tr->n[1]);
	return int_sqrt64(div64_u64(num * 100, den ?: 1));
}

/* Open rec[a] and rec[b] TIMING_SAMPLES times in all, at random. */
static u64 measure(struct kunit *test, struct timing_run *tr, int a, int b)
{
	struct scatterlist src[2], dst[2];
	unsigned int i, bad = 0;

	tr->n[0] = tr->n[1] = 0;
	for (i = 0; i < TIMING_SAMPLES; i++) {
		int k = get_random_u32() & 1;
		u8 *rec = tr->rec[k ? b : a][get_random_u32() % TIMING_RECORDS];
		unsigned int len = get_unaligned_be16(rec + 3) - KTLSO_CBC_BLOCK;
		u64 t0;

		sg_init_table(src, 2);
		sg_set_buf(&src[1], rec + KTLSO_HEADER_SIZE + KTLSO_CBC_BLOCK, len);
		sg_init_table(dst, 2);
		sg_set_buf(&dst[1], tr->out, len);
		t0 = ktime_get_ns();
		bad += ktlso_record_open(&tr->r->c, rec, src, dst) != -EBADMSG;
		tr->ns[k][tr->n[k]++] = min_t(u64, ktime_get_ns() - t0, U32_MAX);
	}
	KUNIT_EXPECT_EQ(test, 0u, bad);
	return welch_t_x10(tr);
}

static void mte_check_takes_one_time(struct kunit *test)
{
	const struct cbc_vector *v = cbc_vectors;
	struct timing_run *tr;
	u64 control, t;
	int i;

	while (v->cipher != KTLSO_CIPHER_AES_128_CBC_SHA256 || v->flags)
		v++;
	tr = kunit_kzalloc(test, sizeof(*tr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tr);
	tr->rec = kunit_kzalloc(test, 3 * sizeof(*tr->rec), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tr->rec);
	tr->r = setup(test, v);
	for (i = 0; i < TIMING_RECORDS; i++) {
		timing_record(test, v, tr->rec[0][i], TIMING_BODY, 0);
		timing_record(test, v, tr->rec[1][i], TIMING_BODY, 255);
		timing_record(test, v, tr->rec[2][i], TIMING_LONGER, 0);
	}

	control = measure(test, tr, 0, 2);
	kunit_info(test, "t of 1024 against 1280 bytes: %llu.%llu\n", control / 10, control % 10);
	KUNIT_ASSERT_GT_MSG(test, control, (u64)TIMING_T_LIMIT_X10,
			    "the measurement cannot tell 256 bytes apart: it has no power");
	t = measure(test, tr, 0, 1);
	kunit_info(test, "t of padding 0 against 255: %llu.%llu\n", t / 10, t % 10);
	KUNIT_EXPECT_LT(test, t, (u64)TIMING_T_LIMIT_X10);
	ktlso_crypto_uninit(&tr->r->c);
}

/* What getsockopt shows of a daemon socket's keys: no key, no MAC key. */
static void hide_keys_wipes_both_keys(struct kunit *test)
{
	const struct ktlso_cipher *c = ktlso_cipher_find(KTLSO_CIPHER_AES_256_CBC_SHA384,
							 TLS_1_2_VERSION);
	struct ktlso_crypto_info_aes_256_cbc_sha384 *cbc;
	union ktlso_crypto_info info;

	KUNIT_ASSERT_NOT_NULL(test, c);
	memset(&info, 0xff, sizeof(info));
	cbc = &info.largest_cbc;
	ktlso_cipher_hide_keys(c, &info);
	KUNIT_EXPECT_PTR_EQ(test, NULL, memchr_inv(cbc->key, 0, sizeof(cbc->key)));
	KUNIT_EXPECT_PTR_EQ(test, NULL, memchr_inv(cbc->mac_key, 0, sizeof(cbc->mac_key)));
	/* the rest stays as it was */
	KUNIT_EXPECT_EQ(test, 0xffffffffu, cbc->flags);
	KUNIT_EXPECT_PTR_EQ(test, NULL, memchr_inv(cbc->rec_seq, 0xff, sizeof(cbc->rec_seq)));
	KUNIT_EXPECT_EQ(test, 0xffff, cbc->info.cipher_type);
}

static struct kunit_case record_cbc_cases[] = {
	KUNIT_CASE(cipher_rules),
	KUNIT_CASE(hide_keys_wipes_both_keys),
	KUNIT_CASE(header_rules),
	KUNIT_CASE(seal_takes_a_fresh_iv),
	KUNIT_CASE(open_refuses_partial_block),
	KUNIT_CASE_PARAM(seal_matches_openssl, cbc_vector_gen_params),
	KUNIT_CASE_PARAM(open_recovers_content, cbc_vector_gen_params),
	KUNIT_CASE_PARAM(open_recovers_content_of_long_padding, cbc_padded_vector_gen_params),
	KUNIT_CASE_PARAM(open_refuses_bad_record, cbc_bad_vector_gen_params),
	KUNIT_CASE_PARAM(open_refuses_flipped_bit, cbc_vector_gen_params),
	KUNIT_CASE(mte_check_takes_one_time),
	{}
};

static struct kunit_suite record_cbc_suite = {
	.name = "ktlso_record_cbc",
	.test_cases = record_cbc_cases,
};

kunit_test_suite(record_cbc_suite);
