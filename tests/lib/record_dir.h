/* SPDX-License-Identifier: MIT */
/*
 * The record layer (userspace/lib/record) driven from raw bytes, for the
 * tests of it: a direction keyed from buffers, a record opened from bytes.
 */
#ifndef KTLSO_TEST_RECORD_DIR_H
#define KTLSO_TEST_RECORD_DIR_H

#include "record/record.h"

/* d keyed from raw bytes (record_dir_keys()); the keys copied are wiped. */
int record_dir_from_bytes(struct record_dir *d, enum tls_version v,
			  enum record_cipher c, const void *key, size_t key_len,
			  const void *iv, size_t iv_len, const void *mac,
			  size_t mac_len, bool etm, uint64_t seq,
			  enum record_op op) WUR;

/*
 * Parse exactly one whole record from rec[0..len) and open it into
 * out[0..*pt_len); -EINVAL if bytes are left over.
 */
int record_open_bytes(struct record_dir *d, const uint8_t *rec, size_t len,
		      uint8_t *type, uint8_t *out, size_t cap,
		      size_t *pt_len) WUR;

#endif /* KTLSO_TEST_RECORD_DIR_H */
