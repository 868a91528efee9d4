/* SPDX-License-Identifier: MIT */
/*
 * Our own identity for the handshake: the certificate chain we send in a
 * Certificate message and the private key that signs CertificateVerify or
 * ServerKeyExchange, loaded from PEM files.
 *
 * Every function that reads a file writes "PATH: reason" to err (always
 * NUL-terminated when errlen > 0) on failure and returns -errno:
 *   -ENOENT, -EACCES, ...  the file could not be opened (errno of open(2))
 *   -EISDIR, -EFBIG        not a regular file, or larger than CERT_FILE_MAX
 *   -EBADMSG               the file is not the PEM that was expected
 *   -EKEYREJECTED          the key does not belong to the leaf certificate
 *   -EPERM                 a private key file others may read (or owned by
 *                          someone else), for cert_key_load_pem_private()
 *   -EINVAL                a NULL argument
 *   -ENOMEM                allocation failed
 * Files are read with read(2) into a buffer wiped after parsing, so no copy
 * of a private key is left behind in a stdio buffer.
 */
#ifndef KTLSO_CERT_LOAD_H
#define KTLSO_CERT_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "try.h"
#include "x509/cert_verify.h"

/* Longer chains than this are a configuration mistake, not a PKI. */
#define CERT_CHAIN_MAX 10
/* A system CA bundle is a few hundred KiB. */
#define CERT_FILE_MAX (16u << 20)

/* A chain in Certificate message order: certs[0] is our leaf. */
struct cert_chain {
	size_t n;
	struct cert_der certs[CERT_CHAIN_MAX];
	uint8_t *buf; /* owns the bytes every certs[i].data points into */
};

/*
 * All certificates of a PEM file, leaf first, each one issued by the next
 * (RFC 8446 §4.4.2, RFC 5246 §7.4.2: "each following certificate MUST
 * directly certify the one preceding it"); the root may be left out.
 * Other PEM blocks (a private key in the same file) are ignored.
 */
int cert_chain_load_pem(const char *path, struct cert_chain *chain, char *err,
			size_t errlen) WUR;

/* Free the bytes and zero the chain. Safe on a zeroed or freed chain. */
void cert_chain_free(struct cert_chain *chain);

/*
 * The first private key in a PEM file. Passphrase-protected keys are
 * refused rather than prompted for: the daemon has no terminal.
 * The caller frees *key with EVP_PKEY_free.
 */
int cert_key_load_pem(const char *path, EVP_PKEY **key, char *err,
		      size_t errlen) WUR;

/*
 * The same, for a daemon: the file must also pass cert_key_file_ok() on
 * the descriptor it is read from, or -EPERM with the reason.
 */
int cert_key_load_pem_private(const char *path, uid_t owner, EVP_PKEY **key,
			      char *err, size_t errlen) WUR;

/*
 * ssh's rule for a private key file: no permission bit for group or
 * others, and owned by root or by owner (the daemon's user). 0, or -EPERM
 * and "PATH: mode 0640: ..." / "PATH: owned by uid N: ..." in err.
 */
int cert_key_file_ok(const struct stat *st, uid_t owner, const char *path,
		     char *err, size_t errlen) WUR;

/* 0 if key is the private half of the chain's leaf, else -EKEYREJECTED. */
int cert_key_check(const struct cert_chain *chain, EVP_PKEY *key, char *err,
		   size_t errlen) WUR;

/*
 * Every certificate, CRL and key in a PEM file (for cert_verify.c's trust
 * store). The caller frees *infos with sk_X509_INFO_pop_free(, X509_INFO_free).
 */
int cert_pem_read(const char *path, STACK_OF(X509_INFO) **infos, char *err,
		  size_t errlen) WUR;

/* Format err (if any room) and return ret, for one-line error exits. */
int __attribute__((format(printf, 4, 5)))
cert_errf(int ret, char *err, size_t errlen, const char *fmt, ...);

/* err = "prefix: libcrypto's reason for the last error" (clears the queue). */
void cert_err_openssl(char *err, size_t errlen, const char *prefix);

#endif /* KTLSO_CERT_LOAD_H */
