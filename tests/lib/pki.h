/* SPDX-License-Identifier: MIT */
/*
 * The test PKI: tests/pki/mkpki makes it fresh in a temporary directory
 * (its header lists the files), or a program points at one made before.
 * pki("name") is the path of a file in it, valid until pki_cleanup().
 */
#ifndef KTLSO_TEST_PKI_H
#define KTLSO_TEST_PKI_H

/* mkdtemp, then tests/pki/mkpki into it: 0 or -errno. */
int pki_make(void);

/* Use a PKI already made in dir (kept by pki_cleanup). */
void pki_use(const char *dir);

/* Remove the directory pki_make made; free every pki() path. */
void pki_cleanup(void);

const char *pki_dir(void);

/* DIR/name. */
const char *pki(const char *name);

/* Write text to DIR/name (a configuration file beside the PKI): the path,
 * or NULL. */
const char *pki_write(const char *name, const char *text);

/* The source tree: three levels above build/, where test programs live
 * (build/tests/unit/x_test, build/tools/bench/x), else the current
 * directory. */
const char *repo_root(void);

#endif /* KTLSO_TEST_PKI_H */
