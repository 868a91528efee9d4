/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit only: a connected pair of real in-kernel TCP sockets over
 * loopback, shared by the suites that need one (main_test.c,
 * keyupdate_test.c). Built only with CONFIG_KTLSO_KUNIT_TEST.
 */
#ifndef KTLSO_KUNIT_PAIR_H
#define KTLSO_KUNIT_PAIR_H

#include <kunit/test.h>
#include <linux/net.h>
#include <linux/socket.h>

struct ktlso_kunit_pair {
	struct socket *listener, *client, *server;
};

int ktlso_kunit_lo_up(void);
void ktlso_kunit_listen(struct kunit *test, int family, struct ktlso_kunit_pair *p,
			struct sockaddr_storage *ss, int *len);
void ktlso_kunit_connect(struct kunit *test, int family, struct ktlso_kunit_pair *p);
void ktlso_kunit_release(struct ktlso_kunit_pair *p);
int ktlso_kunit_attach(struct socket *sock);
int ktlso_kunit_send(struct socket *sock, const void *buf, size_t len);
int ktlso_kunit_recv(struct socket *sock, void *buf, size_t len);

#endif
