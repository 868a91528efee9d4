// SPDX-License-Identifier: MIT
/* Session ticket keys and sealing (ticket_keys.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "resume/ticket_keys.h"

/* A generated ring: the sealing key and the one before it (header). */
#define GENERATED_KEYS 2

struct ticket_key {
	uint8_t name[TICKET_KEY_NAME_LEN];
	uint8_t key[TICKET_KEY_LEN];
	int64_t created;	/* generated ring: when it began sealing */
};

struct ticket_keys {
	atomic_int refs;
	pthread_mutex_t lock;
	bool generated;
	uint32_t lifetime;	/* generated ring: seconds a key seals */
	size_t n;
	struct ticket_key keys[TICKET_KEYS_MAX];
};

static struct ticket_keys *ring_new(void)
{
	struct ticket_keys *k = calloc(1, sizeof(*k));

	if (k && pthread_mutex_init(&k->lock, NULL)) {
		free(k);
		return NULL;
	}
	if (k)
		atomic_init(&k->refs, 1);
	return k;
}

struct ticket_keys *ticket_keys_hold(struct ticket_keys *k)
{
	atomic_fetch_add(&k->refs, 1);
	return k;
}

void ticket_keys_free(struct ticket_keys *k)
{
	if (!k || atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&k->lock);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

static int random_key(struct ticket_key *key, int64_t now_s)
{
	key->created = now_s;
	if (RAND_bytes(key->name, sizeof(key->name)) != 1 ||
	    RAND_bytes(key->key, sizeof(key->key)) != 1)
		return -EIO;
	return 0;
}

int ticket_keys_generate(struct ticket_keys **out, uint32_t lifetime,
			 int64_t now_s)
{
	struct ticket_keys *k;

	*out = NULL;
	if (!lifetime)
		return -EINVAL;
	k = ring_new();
	if (!k)
		return -ENOMEM;
	k->generated = true;
	k->lifetime = lifetime;
	k->n = 1;
	if (random_key(&k->keys[0], now_s)) {
		ticket_keys_free(k);
		return -EIO;
	}
	*out = k;
	return 0;
}

/* Generated ring, lock held: a new sealing key once the current is due. */
static int rotate(struct ticket_keys *k, int64_t now_s)
{
	struct ticket_key fresh;

	if (!k->generated || now_s - k->keys[0].created < k->lifetime)
		return 0;
	if (random_key(&fresh, now_s))
		return -EIO;
	/*
	 * A clock that jumped by more than a lifetime has left no ticket the
	 * old key sealed alive: it goes too.
	 */
	if (now_s - k->keys[0].created >= 2 * (int64_t)k->lifetime)
		k->n = 0;
	memmove(&k->keys[1], &k->keys[0], sizeof(k->keys[0]));
	k->keys[0] = fresh;
	k->n = k->n ? GENERATED_KEYS : 1;
	OPENSSL_cleanse(&fresh, sizeof(fresh));
	return 0;
}

size_t ticket_keys_count(struct ticket_keys *k, int64_t now_s)
{
	size_t n;

	pthread_mutex_lock(&k->lock);
	if (rotate(k, now_s))
		n = 0;
	else
		n = k->n;
	pthread_mutex_unlock(&k->lock);
	return n;
}

static int load_errf(int ret, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int load_errf(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* The file's own checks, on the descriptor read from (no rename race). */
static int key_file_ok(int fd, const char *path, uid_t owner, char *err,
		       size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st))
		return load_errf(-errno, err, errlen, "%s: %s", path,
				 strerror(errno));
	if (!S_ISREG(st.st_mode))
		return load_errf(-EISDIR, err, errlen,
				 "%s: not a regular file", path);
	/* Whoever reads the file can decrypt every ticket its keys sealed. */
	if (st.st_mode & 077)
		return load_errf(-EPERM, err, errlen,
				 "%s: mode %04o: a ticket key file must not be "
				 "readable or writable by group or others, "
				 "its keys open every session they sealed "
				 "(chmod 600 it)",
				 path, (unsigned int)(st.st_mode & 07777));
	if (owner != (uid_t)-1 && st.st_uid != 0 && st.st_uid != owner)
		return load_errf(-EPERM, err, errlen,
				 "%s: owned by uid %u: a ticket key file must be "
				 "owned by root or by the daemon's user (uid %u)",
				 path, (unsigned int)st.st_uid,
				 (unsigned int)owner);
	if (st.st_size == 0 || st.st_size % TICKET_KEY_RECORD_LEN ||
	    st.st_size > TICKET_KEYS_MAX * TICKET_KEY_RECORD_LEN)
		return load_errf(-EINVAL, err, errlen,
				 "%s: %lld bytes: a ticket key file holds 1 to "
				 "%d records of %d bytes (16-byte name, "
				 "32-byte key)",
				 path, (long long)st.st_size, TICKET_KEYS_MAX,
				 TICKET_KEY_RECORD_LEN);
	return 0;
}

static int read_records(int fd, const char *path, struct ticket_keys *k,
			char *err, size_t errlen)
{
	uint8_t buf[TICKET_KEYS_MAX * TICKET_KEY_RECORD_LEN + 1];
	size_t got = 0;
	ssize_t n;
	int ret = 0;

	while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	if (n < 0)
		ret = load_errf(-errno, err, errlen, "%s: %s", path,
				strerror(errno));
	else if (!got || got % TICKET_KEY_RECORD_LEN ||
		 got > TICKET_KEYS_MAX * TICKET_KEY_RECORD_LEN)
		ret = load_errf(-EINVAL, err, errlen,
				"%s: changed while being read", path);
	for (size_t i = 0; !ret && i < got / TICKET_KEY_RECORD_LEN; i++) {
		memcpy(k->keys[i].name, buf + i * TICKET_KEY_RECORD_LEN,
		       TICKET_KEY_NAME_LEN);
		memcpy(k->keys[i].key,
		       buf + i * TICKET_KEY_RECORD_LEN + TICKET_KEY_NAME_LEN,
		       TICKET_KEY_LEN);
		/* Two keys of one name: which one opens is a guess. */
		for (size_t j = 0; j < i; j++)
			if (!memcmp(k->keys[j].name, k->keys[i].name,
				    TICKET_KEY_NAME_LEN))
				ret = load_errf(-EINVAL, err, errlen,
						"%s: records %zu and %zu have "
						"the same key name",
						path, j + 1, i + 1);
		k->n = i + 1;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

int ticket_keys_load(struct ticket_keys **out, const char *path, uid_t owner,
		     char *err, size_t errlen)
{
	struct ticket_keys *k;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return load_errf(-errno, err, errlen, "%s: %s", path,
				 strerror(errno));
	ret = key_file_ok(fd, path, owner, err, errlen);
	k = ret ? NULL : ring_new();
	if (!ret && !k)
		ret = load_errf(-ENOMEM, err, errlen, "%s: out of memory",
				path);
	if (!ret)
		ret = read_records(fd, path, k, err, errlen);
	close(fd);
	if (ret) {
		ticket_keys_free(k);
		return ret;
	}
	*out = k;
	return 0;
}

/* AES-256-GCM one way or the other; -EBADMSG if the tag does not match. */
static int gcm(bool seal, const uint8_t key[TICKET_KEY_LEN],
	       const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce,
			       seal) == 1 &&
	     EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) == 1 &&
	     EVP_CipherUpdate(c, out, &n, in, (int)len) == 1;
	if (ok && !seal)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG,
					 TICKET_TAG_LEN, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + n, &n) == 1;
	if (ok && seal)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
					 TICKET_TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return seal ? -EIO : -EBADMSG;
	return 0;
}

/* Copy the sealing key (lock held briefly). */
static int sealing_key(struct ticket_keys *k, int64_t now_s,
		       struct ticket_key *key)
{
	int ret;

	pthread_mutex_lock(&k->lock);
	ret = rotate(k, now_s);
	if (!ret)
		*key = k->keys[0];
	pthread_mutex_unlock(&k->lock);
	return ret;
}

/* Copy the key named name, if it still opens tickets. */
static int opening_key(struct ticket_keys *k, int64_t now_s,
		       const uint8_t *name, struct ticket_key *key)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&k->lock);
	if (rotate(k, now_s))
		ret = -EIO;
	for (size_t i = 0; ret == -ENOENT && i < k->n; i++) {
		if (CRYPTO_memcmp(k->keys[i].name, name, TICKET_KEY_NAME_LEN))
			continue;
		*key = k->keys[i];
		ret = 0;
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

int ticket_seal(struct ticket_keys *k, int64_t now_s, const uint8_t *plain,
		size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	struct ticket_key key;
	uint8_t *nonce = out + TICKET_KEY_NAME_LEN;
	uint8_t *body = nonce + TICKET_NONCE_LEN;
	int ret;

	if (cap < TICKET_OVERHEAD || len > cap - TICKET_OVERHEAD ||
	    len > INT32_MAX)
		return -EMSGSIZE;
	TRY(sealing_key(k, now_s, &key));
	memcpy(out, key.name, TICKET_KEY_NAME_LEN);
	/* A random nonce: 2^-32 collisions after 2^32 tickets per key (NIST
	 * SP 800-38D §8.3); a key seals for a lifetime, far fewer. */
	ret = RAND_bytes(nonce, TICKET_NONCE_LEN) == 1 ? 0 : -EIO;
	if (!ret)
		ret = gcm(true, key.key, nonce, key.name, TICKET_KEY_NAME_LEN,
			  plain, len, body, body + len);
	OPENSSL_cleanse(&key, sizeof(key));
	if (!ret)
		*out_len = len + TICKET_OVERHEAD;
	return ret;
}

int ticket_open(struct ticket_keys *k, int64_t now_s, const uint8_t *ticket,
		size_t len, uint8_t *plain, size_t cap, size_t *plain_len)
{
	struct ticket_key key;
	const uint8_t *nonce = ticket + TICKET_KEY_NAME_LEN;
	const uint8_t *body = nonce + TICKET_NONCE_LEN;
	uint8_t tag[TICKET_TAG_LEN];
	size_t n;
	int ret;

	if (len < TICKET_OVERHEAD || len > INT32_MAX)
		return -EBADMSG;
	n = len - TICKET_OVERHEAD;
	if (cap < n)
		return -EMSGSIZE;
	TRY(opening_key(k, now_s, ticket, &key));
	memcpy(tag, body + n, TICKET_TAG_LEN);
	ret = gcm(false, key.key, nonce, ticket, TICKET_KEY_NAME_LEN, body, n,
		  plain, tag);
	OPENSSL_cleanse(&key, sizeof(key));
	if (ret) {
		OPENSSL_cleanse(plain, n);
		return ret;
	}
	*plain_len = n;
	return 0;
}
