// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the engine's promise (tests/lib/engine_verdict.h):
 * a server or a client engine (the input's first byte picks the role and
 * the chunk size) fed the rest as its peer's bytes must end every input
 * complete, failed with a fatal alert (sticky), or wanting more having
 * taken every byte, and never take more than TLS_ENGINE_INPUT_MAX bytes
 * without a verdict. A random server input must never complete: nothing
 * here can forge a client Finished. Built and run by `make fuzz` with
 * AddressSanitizer and UBSan; tests/unit/engine_verdict_test replays the
 * seeds, tests/fuzz/corpus/engine_verdict and random inputs in
 * `make check`.
 *
 * Built with -DENGINE_VERDICT_SEEDS instead, main() writes the seeds
 * (engine_verdict.h) into a directory.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../lib/engine_verdict.h"

static struct verdict_configs configs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (verdict_configs_init(&configs))
		abort();
	return 0;
}

#ifdef ENGINE_VERDICT_SEEDS
static void write_seed(const char *name, const uint8_t *p, size_t len,
		       void *arg)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", (const char *)arg, name);
	f = fopen(path, "w");
	if (!f || fwrite(p, 1, len, f) != len)
		abort();
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 2 || LLVMFuzzerInitialize(NULL, NULL))
		return 2;
	return verdict_seeds(&configs, write_seed, argv[1]) ? 1 : 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	enum verdict v = verdict_run(&configs, data, size, why, sizeof(why));

	if (v == VERDICT_BROKEN ||
	    (v == VERDICT_DONE && size && !(data[0] & 0x80))) {
		fprintf(stderr, "engine_verdict: %s\n",
			v == VERDICT_BROKEN ? why : "a random client completed");
		abort();
	}
	return 0;
}
#endif
