// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: attaching the ULP to real in-kernel TCP sockets over loopback.
 *
 *   client (ULP "ktlso") --- lo 127.0.0.1 / ::1 --- server
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/ktlso.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "ktlso.h"

struct pair {
	struct socket *listener, *client, *server;
};

/* Nothing has brought lo up this early in a KUnit boot. */
static int lo_up(void)
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

static void release_pair(struct pair *p)
{
	if (p->server)
		sock_release(p->server);
	if (p->client)
		sock_release(p->client);
	if (p->listener)
		sock_release(p->listener);
}

static void listen_on(struct kunit *test, int family, struct pair *p,
		      struct sockaddr_storage *ss, int *len)
{
	*len = make_addr(family, ss);
	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, family, SOCK_STREAM,
						  IPPROTO_TCP, &p->listener));
	KUNIT_ASSERT_EQ(test, 0, kernel_bind(p->listener, (struct sockaddr *)ss, *len));
	KUNIT_ASSERT_EQ(test, 0, kernel_listen(p->listener, 4));
	KUNIT_ASSERT_EQ(test, *len, kernel_getsockname(p->listener, (struct sockaddr *)ss));
}

static void connect_pair(struct kunit *test, int family, struct pair *p)
{
	struct sockaddr_storage ss;
	int len;

	listen_on(test, family, p, &ss, &len);
	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, family, SOCK_STREAM,
						  IPPROTO_TCP, &p->client));
	KUNIT_ASSERT_EQ(test, 0, kernel_connect(p->client, (struct sockaddr *)&ss, len, 0));
	KUNIT_ASSERT_EQ(test, 0, kernel_accept(p->listener, &p->server, 0));
}

static int attach(struct socket *sock)
{
	return sock->ops->setsockopt(sock, SOL_TCP, TCP_ULP,
				     KERNEL_SOCKPTR(KTLSO_ULP_NAME),
				     sizeof(KTLSO_ULP_NAME) - 1);
}

static int send_bytes(struct socket *sock, const void *buf, size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { };

	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}

static int recv_bytes(struct socket *sock, void *buf, size_t len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { };

	return kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_WAITALL);
}

static void attach_established(struct kunit *test, int family)
{
	struct pair p = { };
	struct sock *sk;
	struct proto *tcp_proto;

	connect_pair(test, family, &p);
	sk = p.client->sk;
	tcp_proto = READ_ONCE(sk->sk_prot);

	KUNIT_EXPECT_EQ(test, 0, attach(p.client));
	KUNIT_EXPECT_STREQ(test, KTLSO_ULP_NAME, inet_csk(sk)->icsk_ulp_ops->name);
	KUNIT_EXPECT_PTR_EQ(test, tcp_proto, ktlso_ctx(sk)->sk_proto);
	KUNIT_EXPECT_PTR_NE(test, tcp_proto, READ_ONCE(sk->sk_prot));
	KUNIT_EXPECT_EQ(test, -EEXIST, attach(p.client));
	release_pair(&p);
}

static void attach_ipv4(struct kunit *test)
{
	attach_established(test, AF_INET);
}

static void attach_ipv6(struct kunit *test)
{
	attach_established(test, AF_INET6);
}

static void refuse_not_established(struct kunit *test)
{
	struct sockaddr_storage ss;
	struct socket *fresh;
	struct pair p = { };
	int len;

	listen_on(test, AF_INET, &p, &ss, &len);
	KUNIT_EXPECT_EQ(test, -ENOTCONN, attach(p.listener));
	KUNIT_EXPECT_NULL(test, inet_csk(p.listener->sk)->icsk_ulp_ops);

	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
						  IPPROTO_TCP, &fresh));
	KUNIT_EXPECT_EQ(test, -ENOTCONN, attach(fresh));
	sock_release(fresh);
	release_pair(&p);
}

static void pass_through_without_keys(struct kunit *test)
{
	static const char ping[] = "plaintext until keys arrive";
	static const char pong[] = "and back again";
	char buf[sizeof(ping)] = { };
	struct pair p = { };

	connect_pair(test, AF_INET, &p);
	KUNIT_ASSERT_EQ(test, 0, attach(p.client));

	KUNIT_EXPECT_EQ(test, (int)sizeof(ping), send_bytes(p.client, ping, sizeof(ping)));
	KUNIT_EXPECT_EQ(test, (int)sizeof(ping), recv_bytes(p.server, buf, sizeof(ping)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(ping, buf, sizeof(ping)));

	KUNIT_EXPECT_EQ(test, (int)sizeof(pong), send_bytes(p.server, pong, sizeof(pong)));
	KUNIT_EXPECT_EQ(test, (int)sizeof(pong), recv_bytes(p.client, buf, sizeof(pong)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(pong, buf, sizeof(pong)));
	release_pair(&p);
}

static void close_restores_tcp_proto(struct kunit *test)
{
	struct pair p = { };
	struct proto *tcp_proto;
	struct sock *sk;

	connect_pair(test, AF_INET, &p);
	sk = p.client->sk;
	tcp_proto = READ_ONCE(sk->sk_prot);
	KUNIT_ASSERT_EQ(test, 0, attach(p.client));

	/* Hold the sock so it outlives sock_release() and can be inspected. */
	sock_hold(sk);
	sock_release(p.client);
	p.client = NULL;
	KUNIT_EXPECT_PTR_EQ(test, tcp_proto, READ_ONCE(sk->sk_prot));
	sock_put(sk);
	release_pair(&p);
}

static int suite_init(struct kunit_suite *suite)
{
	return lo_up();
}

static struct kunit_case ulp_cases[] = {
	KUNIT_CASE(attach_ipv4),
	KUNIT_CASE(attach_ipv6),
	KUNIT_CASE(refuse_not_established),
	KUNIT_CASE(pass_through_without_keys),
	KUNIT_CASE(close_restores_tcp_proto),
	{}
};

static struct kunit_suite ulp_suite = {
	.name = "ktlso_ulp",
	.suite_init = suite_init,
	.test_cases = ulp_cases,
};

kunit_test_suite(ulp_suite);
