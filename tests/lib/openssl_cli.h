/* SPDX-License-Identifier: MIT */
/*
 * The `openssl` command as an independent peer for unit tests: a private
 * temporary directory, files in and out of it, keys written as PEM, and a
 * command run inside it. The command's output goes to cli.log there and is
 * shown when a run that should succeed does not.
 */
#ifndef KTLSO_TEST_OPENSSL_CLI_H
#define KTLSO_TEST_OPENSSL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

/* A fresh private directory; cli_cleanup removes it and all in it. */
int cli_init(void);
void cli_cleanup(void);

/* Files in the directory, by name: whole contents in or out. */
int cli_write(const char *name, const void *data, size_t len);
/* -EMSGSIZE if the file holds more than cap bytes. */
int cli_read(const char *name, uint8_t *buf, size_t cap, size_t *len);

/* PEM: PKCS#8 private key, or SubjectPublicKeyInfo when !with_private. */
int cli_write_key(const char *name, EVP_PKEY *key, bool with_private);

/* Run a shell command in the directory; its exit status, or -1. */
int cli_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last command's output, indented, under a failed check. */
void cli_show_log(void);

/* A command that must succeed: on failure its command line and output. */
#define CLI_OK(...)                                                            \
	({                                                                     \
		int cli_st_ = cli_run(__VA_ARGS__);                            \
		if (cli_st_ != 0) {                                            \
			printf("    $ ");                                      \
			printf(__VA_ARGS__);                                   \
			printf("  (exit %d)\n", cli_st_);                      \
			cli_show_log();                                        \
		}                                                              \
		cli_st_ == 0;                                                  \
	})

#endif /* KTLSO_TEST_OPENSSL_CLI_H */
