/* SPDX-License-Identifier: MIT */
/*
 * The configuration in use: built from the file (config.c) and cut to
 * what the kernel can encrypt (kcipher.c), at start and on each SIGHUP.
 * A reload that fails leaves the generation in use untouched; one that
 * succeeds replaces it, and handshakes already running keep the old one
 * through their reference until they end.
 */
#ifndef KTLSOD_GENERATION_H
#define KTLSOD_GENERATION_H

#include <stdbool.h>

#include "config.h"
#include "kcipher.h"
#include "try.h"

struct generation_source {
	const char *path;
	/* -c was given: a missing file is an error, not the built-in default */
	bool required;
	struct config_options opts;
};

/*
 * The file as written (not yet cut by kcipher_restrict()); on failure err
 * says "FILE:LINE: reason".
 */
int generation_read(const struct generation_source *src, struct config **out,
		    char *err, size_t errlen) WUR;

/*
 * Load a new generation into *current, dropping the reference to the old
 * one; on failure *current is unchanged.
 */
int generation_reload(const struct generation_source *src,
		      const struct kcipher *kc, struct config **current,
		      char *err, size_t errlen) WUR;

#endif /* KTLSOD_GENERATION_H */
