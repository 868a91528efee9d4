// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit only: a connected pair of real in-kernel TCP sockets over
 * loopback (kunit_pair.h), and the ULP attached to one of them.
 *
 *   client --- lo 127.0.0.1 / ::1 --- server (accepted from listener)
 */
#include <linux/inet.h>
#include <linux/ktlso.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "kunit_pair.h"

/* Nothing has brought lo up this early in a KUnit boot. */
int ktlso_kunit_lo_up(void)
{
	int err;

	rtnl_lock();
	err = dev_open(init_net.loopback_dev, NULL);
	rtnl_unlock();
	return err;
}

static int make_addr(int family, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*sin);
	}
	((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_loopback;
	return sizeof(struct sockaddr_in6);
}

void ktlso_kunit_release(struct ktlso_kunit_pair *p)
{
	if (p->server)
		sock_release(p->server);
	if (p->client)
		sock_release(p->client);
	if (p->listener)
		sock_release(p->listener);
}

/* A listener on an ephemeral loopback port; @ss, @len: its address. */
void ktlso_kunit_listen(struct kunit *test, int family, struct ktlso_kunit_pair *p,
			struct sockaddr_storage *ss, int *len)
{
	*len = make_addr(family, ss);
	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, family, SOCK_STREAM,
						  IPPROTO_TCP, &p->listener));
	KUNIT_ASSERT_EQ(test, 0, kernel_bind(p->listener, (struct sockaddr *)ss, *len));
	KUNIT_ASSERT_EQ(test, 0, kernel_listen(p->listener, 4));
	KUNIT_ASSERT_EQ(test, *len, kernel_getsockname(p->listener, (struct sockaddr *)ss));
}

void ktlso_kunit_connect(struct kunit *test, int family, struct ktlso_kunit_pair *p)
{
	struct sockaddr_storage ss;
	int len;

	ktlso_kunit_listen(test, family, p, &ss, &len);
	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, family, SOCK_STREAM,
						  IPPROTO_TCP, &p->client));
	KUNIT_ASSERT_EQ(test, 0, kernel_connect(p->client, (struct sockaddr *)&ss, len, 0));
	KUNIT_ASSERT_EQ(test, 0, kernel_accept(p->listener, &p->server, 0));
}

int ktlso_kunit_attach(struct socket *sock)
{
	return sock->ops->setsockopt(sock, SOL_TCP, TCP_ULP,
				     KERNEL_SOCKPTR(KTLSO_ULP_NAME),
				     sizeof(KTLSO_ULP_NAME) - 1);
}

int ktlso_kunit_send(struct socket *sock, const void *buf, size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { };

	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}

int ktlso_kunit_recv(struct socket *sock, void *buf, size_t len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { };

	return kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_WAITALL);
}
