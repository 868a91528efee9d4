// SPDX-License-Identifier: MIT
#include <errno.h>

#include <openssl/crypto.h>

#include "record_dir.h"

int record_dir_from_bytes(struct record_dir *d, enum tls_version v,
			  enum record_cipher c, const void *key, size_t key_len,
			  const void *iv, size_t iv_len, const void *mac,
			  size_t mac_len, bool etm, uint64_t seq,
			  enum record_op op)
{
	struct record_keys k = { .version = v, .cipher = c, .seq = seq,
				 .encrypt_then_mac = etm };
	int err = secret_set(&k.key, key, key_len);

	if (!err)
		err = secret_set(&k.iv, iv, iv_len);
	if (!err)
		err = secret_set(&k.mac_key, mac, mac_len);
	if (!err)
		err = record_dir_keys(d, &k, op);
	record_keys_wipe(&k);
	return err;
}

int record_open_bytes(struct record_dir *d, const uint8_t *rec, size_t len,
		      uint8_t *type, uint8_t *out, size_t cap, size_t *pt_len)
{
	struct record_frame f;
	struct reader r;

	reader_init(&r, rec, len);
	TRY(record_parse(d, &r, &f));
	ENSURE(reader_done(&r), -EINVAL);
	return record_open(d, &f, type, out, cap, pt_len);
}
