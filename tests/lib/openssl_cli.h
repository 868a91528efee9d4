/* SPDX-License-Identifier: MIT */
/*
 * The `openssl` command as an independent peer for unit tests: a private
 * temporary directory, files in and out of it, keys written as PEM, and a
 * command run inside it. The command's output goes to cli.log there and is
 * shown when a run that should succeed does not.
 */
#ifndef KTLSO_TEST_OPENSSL_CLI_H
#define KTLSO_TEST_OPENSSL_CLI_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

static char cli_dir[] = "/tmp/ktlso-test-XXXXXX";

static int cli_init(void)
{
	return mkdtemp(cli_dir) ? 0 : -errno;
}

static void cli_cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", cli_dir);
}

static FILE *cli_open(const char *name, const char *mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cli_dir, name);
	return fopen(path, mode);
}

static int cli_write(const char *name, const void *data, size_t len)
{
	FILE *f = cli_open(name, "wb");
	int ok;

	if (!f)
		return -errno;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

/* -EMSGSIZE if the file holds more than cap bytes. */
static int cli_read(const char *name, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = cli_open(name, "rb");
	size_t n;
	int more;

	if (!f)
		return -errno;
	n = fread(buf, 1, cap, f);
	more = fgetc(f) != EOF;
	fclose(f);
	if (more)
		return -EMSGSIZE;
	*len = n;
	return 0;
}

/* PEM: PKCS#8 private key, or SubjectPublicKeyInfo when !with_private. */
static int cli_write_key(const char *name, EVP_PKEY *key, bool with_private)
{
	FILE *f = cli_open(name, "w");
	int ok;

	if (!f)
		return -errno;
	if (with_private)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_PUBKEY(f, key);
	return fclose(f) == 0 && ok == 1 ? 0 : -EIO;
}

static void cli_show_log(void)
{
	FILE *f = cli_open("cli.log", "r");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("    | %s", line);
	fclose(f);
}

/* Run a shell command in the directory; its exit status, or -1. */
static int __attribute__((format(printf, 1, 2))) cli_run(const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && %s >cli.log 2>&1", cli_dir,
		 cmd);
	st = system(full);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

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
