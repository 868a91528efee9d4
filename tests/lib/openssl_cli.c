// SPDX-License-Identifier: MIT
/*
 * The `openssl` command's private directory for a unit test: made with
 * mkdtemp, commands run inside it with their output in cli.log.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <openssl/pem.h>

#include "openssl_cli.h"

static char cli_dir[] = "/tmp/ktlso-test-XXXXXX";

int cli_init(void)
{
	return mkdtemp(cli_dir) ? 0 : -errno;
}

void cli_cleanup(void)
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

int cli_write(const char *name, const void *data, size_t len)
{
	FILE *f = cli_open(name, "wb");
	int ok;

	if (!f)
		return -errno;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

/* -EMSGSIZE if the file holds more than cap bytes. */
int cli_read(const char *name, uint8_t *buf, size_t cap, size_t *len)
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
int cli_write_key(const char *name, EVP_PKEY *key, bool with_private)
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

void cli_show_log(void)
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
int cli_run(const char *fmt, ...)
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
