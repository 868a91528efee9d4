// SPDX-License-Identifier: MIT
/* Configuration generations (generation.h). */
#include <errno.h>
#include <unistd.h>

#include "generation.h"
#include "log.h"
#include "resume.h"

int generation_read(const struct generation_source *src, struct config **out,
		    char *err, size_t errlen)
{
	if (!src->required && access(src->path, F_OK) && errno == ENOENT) {
		log_info("%s does not exist: only the built-in default profile",
			 src->path);
		return config_builtin(src->path, &src->opts, out, err, errlen);
	}
	return config_load(src->path, &src->opts, out, err, errlen);
}

int generation_reload(const struct generation_source *src,
		      const struct kcipher *kc, struct config **current,
		      char *err, size_t errlen)
{
	struct config *c, *old = *current;
	int ret;

	TRY(generation_read(src, &c, err, errlen));
	ret = kcipher_restrict(c, kc, err, errlen);
	if (ret) {
		config_put(c);
		return ret;
	}
	resume_carry(old, c);
	*current = c;
	config_put(old);
	return 0;
}
