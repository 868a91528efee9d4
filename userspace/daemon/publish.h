/* SPDX-License-Identifier: MIT */
/*
 * The profiles of the configuration in use and who may use each, in a
 * world-readable file for `ktlso status` (ktlso(1)), which cannot read the
 * configuration's keys and so cannot load it itself:
 *
 *   # ktlsod pid 812 /etc/ktlso/ktlsod.conf
 *   web<TAB>key<TAB>root, groups www-data(33)
 *   default<TAB>-<TAB>anyone
 *
 * Written whole under a temporary name and renamed over the old one, at
 * start and after each reload that succeeds; removed at a clean stop.
 */
#ifndef KTLSOD_PUBLISH_H
#define KTLSOD_PUBLISH_H

#include "config.h"
#include "try.h"

/* systemd's RuntimeDirectory=ktlso */
#define PUBLISH_DEFAULT_PATH "/run/ktlso/profiles"

/* 0 or -errno; err says what failed. */
int publish_profiles(const struct config *c, const char *path, char *err,
		     size_t errlen) WUR;

#endif /* KTLSOD_PUBLISH_H */
