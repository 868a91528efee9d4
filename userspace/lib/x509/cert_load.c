// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "x509/cert_load.h"

int cert_errf(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void cert_err_openssl(char *err, size_t errlen, const char *prefix)
{
	const char *reason = ERR_reason_error_string(ERR_peek_last_error());

	cert_errf(0, err, errlen, "%s: %s", prefix,
		  reason ? reason : "libcrypto error");
	ERR_clear_error();
}

int cert_key_file_ok(const struct stat *st, uid_t owner, const char *path,
		     char *err, size_t errlen)
{
	/* ssh's rule (sshkey_perm_ok): only the owner may read or write. */
	if (st->st_mode & 077)
		return cert_errf(-EPERM, err, errlen,
				 "%s: mode %04o: a private key must not be "
				 "readable or writable by group or others "
				 "(chmod 600 it)",
				 path, (unsigned int)(st->st_mode & 07777));
	if (st->st_uid != 0 && st->st_uid != owner)
		return cert_errf(-EPERM, err, errlen,
				 "%s: owned by uid %u: a private key must be "
				 "owned by root or by the daemon's user (uid %u)",
				 path, (unsigned int)st->st_uid,
				 (unsigned int)owner);
	return 0;
}

/*
 * The whole file, in a buffer one byte longer so that even "" has one.
 * owner: NULL, or the file is a private key for cert_key_file_ok(),
 * judged on the descriptor read from, so a rename cannot slip past it.
 */
static int read_file(const char *path, const uid_t *owner, uint8_t **buf,
		     size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	uint8_t *p;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cert_errf(-errno, err, errlen, "%s: %s", path,
				 strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = cert_errf(-errno, err, errlen, "%s: %s", path,
				strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = cert_errf(-EISDIR, err, errlen, "%s: not a regular file",
				path);
		goto out_close;
	}
	if (owner) {
		ret = cert_key_file_ok(&st, *owner, path, err, errlen);
		if (ret)
			goto out_close;
	}
	if ((uintmax_t)st.st_size > CERT_FILE_MAX) {
		ret = cert_errf(-EFBIG, err, errlen, "%s: larger than %u bytes",
				path, CERT_FILE_MAX);
		goto out_close;
	}
	p = OPENSSL_malloc(st.st_size + 1);
	if (!p) {
		ret = cert_errf(-ENOMEM, err, errlen, "%s: out of memory",
				path);
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = cert_errf(r < 0 ? -errno : -EIO, err, errlen,
					"%s: %s", path,
					r < 0 ? strerror(errno) : "short read");
			OPENSSL_clear_free(p, st.st_size + 1);
			goto out_close;
		}
		got += r;
	}
	*buf = p;
	*len = got;
	ret = 0;
out_close:
	close(fd);
	return ret;
}

/* Wiped: the file may have been a private key. */
static void free_file(uint8_t *buf, size_t len)
{
	OPENSSL_clear_free(buf, len + 1);
}

/*
 * Refuse to decrypt: prompting on a terminal would hang a daemon, and
 * libcrypto's default callback does exactly that.
 */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)u = 1;
	return -1;
}

int cert_pem_read(const char *path, STACK_OF(X509_INFO) **infos, char *err,
		  size_t errlen)
{
	int encrypted = 0;
	uint8_t *buf;
	size_t len;
	BIO *bio;

	ENSURE(path && infos, -EINVAL);
	TRY(read_file(path, NULL, &buf, &len, err, errlen));
	bio = BIO_new_mem_buf(buf, (int)len);
	/* An encrypted key in the file is kept encrypted and ignored. */
	*infos = bio ? PEM_X509_INFO_read_bio(bio, NULL, no_passphrase,
					      &encrypted) : NULL;
	BIO_free(bio);
	free_file(buf, len);
	if (!*infos) {
		cert_err_openssl(err, errlen, path);
		return -EBADMSG;
	}
	return 0;
}

static int chain_count(const char *path, STACK_OF(X509_INFO) *infos,
		       X509 *certs[CERT_CHAIN_MAX], size_t *n, char *err,
		       size_t errlen)
{
	*n = 0;
	for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509 *x = sk_X509_INFO_value(infos, i)->x509;

		if (!x)
			continue;
		if (*n == CERT_CHAIN_MAX)
			return cert_errf(-EBADMSG, err, errlen,
					 "%s: more than %d certificates", path,
					 CERT_CHAIN_MAX);
		certs[(*n)++] = x;
	}
	if (!*n)
		return cert_errf(-EBADMSG, err, errlen,
				 "%s: no certificate found", path);
	/* RFC 8446 §4.4.2: each certificate certifies the one before it. */
	for (size_t i = 1; i < *n; i++)
		if (X509_check_issued(certs[i], certs[i - 1]) != X509_V_OK)
			return cert_errf(-EBADMSG, err, errlen,
					 "%s: certificate %zu did not issue certificate %zu (the chain must be leaf first, then each issuer)",
					 path, i + 1, i);
	return 0;
}

static int chain_encode(X509 *const certs[], size_t n,
			struct cert_chain *chain)
{
	size_t total = 0, off = 0;
	int len[CERT_CHAIN_MAX];

	for (size_t i = 0; i < n; i++) {
		len[i] = i2d_X509(certs[i], NULL);
		ENSURE(len[i] > 0, -ENOMEM);
		total += len[i];
	}
	chain->buf = OPENSSL_malloc(total);
	ENSURE(chain->buf, -ENOMEM);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = chain->buf + off;

		ENSURE(i2d_X509(certs[i], &p) == len[i], -ENOMEM);
		chain->certs[i].data = chain->buf + off;
		chain->certs[i].len = len[i];
		off += len[i];
	}
	chain->n = n;
	return 0;
}

int cert_chain_load_pem(const char *path, struct cert_chain *chain, char *err,
			size_t errlen)
{
	STACK_OF(X509_INFO) *infos;
	X509 *certs[CERT_CHAIN_MAX];
	size_t n;
	int ret;

	ENSURE(chain, -EINVAL);
	memset(chain, 0, sizeof(*chain));
	TRY(cert_pem_read(path, &infos, err, errlen));
	ret = chain_count(path, infos, certs, &n, err, errlen);
	if (!ret) {
		ret = chain_encode(certs, n, chain);
		if (ret) {
			cert_chain_free(chain);
			cert_errf(ret, err, errlen, "%s: out of memory", path);
		}
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	return ret;
}

void cert_chain_free(struct cert_chain *chain)
{
	if (!chain)
		return;
	OPENSSL_free(chain->buf);
	memset(chain, 0, sizeof(*chain));
}

static int key_load(const char *path, const uid_t *owner, EVP_PKEY **key,
		    char *err, size_t errlen)
{
	const char *reason;
	int encrypted = 0;
	uint8_t *buf;
	size_t len;
	BIO *bio;

	ENSURE(path && key, -EINVAL);
	TRY(read_file(path, owner, &buf, &len, err, errlen));
	bio = BIO_new_mem_buf(buf, (int)len);
	*key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
					     &encrypted) : NULL;
	BIO_free(bio);
	free_file(buf, len);
	if (*key)
		return 0;
	if (encrypted)
		return cert_errf(-EBADMSG, err, errlen,
				 "%s: the key is passphrase-protected (not supported)",
				 path);
	/* libcrypto's decoders say "unsupported" for "no key block" too */
	reason = ERR_reason_error_string(ERR_peek_last_error());
	ERR_clear_error();
	return cert_errf(-EBADMSG, err, errlen,
			 "%s: no usable private key found (%s)", path,
			 reason ? reason : "libcrypto error");
}

int cert_key_load_pem(const char *path, EVP_PKEY **key, char *err,
		      size_t errlen)
{
	return key_load(path, NULL, key, err, errlen);
}

int cert_key_load_pem_private(const char *path, uid_t owner, EVP_PKEY **key,
			      char *err, size_t errlen)
{
	return key_load(path, &owner, key, err, errlen);
}

int cert_key_check(const struct cert_chain *chain, EVP_PKEY *key, char *err,
		   size_t errlen)
{
	char subject[CERT_TEXT_MAX];
	const unsigned char *p;
	X509 *leaf;
	int ok;

	ENSURE(chain && chain->n && key, -EINVAL);
	p = chain->certs[0].data;
	leaf = d2i_X509(NULL, &p, (long)chain->certs[0].len);
	ENSURE(leaf, -EINVAL);
	ok = X509_check_private_key(leaf, key) == 1;
	cert_name_text(X509_get_subject_name(leaf), subject, sizeof(subject));
	X509_free(leaf);
	ERR_clear_error();
	if (!ok)
		return cert_errf(-EKEYREJECTED, err, errlen,
				 "the private key does not match the certificate of %s",
				 subject);
	return 0;
}
