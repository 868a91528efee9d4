// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: attaching the ULP to real in-kernel TCP sockets over loopback.
 *
 *   client (ULP "ktlso") --- lo 127.0.0.1 / ::1 --- server
 */
#include <kunit/test.h>
#include <linux/ktlso.h>
#include <net/inet_connection_sock.h>

#include "ktlso.h"
#include "kunit_pair.h"

static void attach_established(struct kunit *test, int family)
{
	struct ktlso_kunit_pair p = { };
	struct sock *sk;
	struct proto *tcp_proto;

	ktlso_kunit_connect(test, family, &p);
	sk = p.client->sk;
	tcp_proto = READ_ONCE(sk->sk_prot);

	KUNIT_EXPECT_EQ(test, 0, ktlso_kunit_attach(p.client));
	KUNIT_EXPECT_STREQ(test, KTLSO_ULP_NAME, inet_csk(sk)->icsk_ulp_ops->name);
	KUNIT_EXPECT_PTR_EQ(test, tcp_proto, ktlso_ctx(sk)->sk_proto);
	KUNIT_EXPECT_PTR_NE(test, tcp_proto, READ_ONCE(sk->sk_prot));
	KUNIT_EXPECT_EQ(test, -EEXIST, ktlso_kunit_attach(p.client));
	ktlso_kunit_release(&p);
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
	struct ktlso_kunit_pair p = { };
	int len;

	ktlso_kunit_listen(test, AF_INET, &p, &ss, &len);
	KUNIT_EXPECT_EQ(test, -ENOTCONN, ktlso_kunit_attach(p.listener));
	KUNIT_EXPECT_NULL(test, inet_csk(p.listener->sk)->icsk_ulp_ops);

	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
						  IPPROTO_TCP, &fresh));
	KUNIT_EXPECT_EQ(test, -ENOTCONN, ktlso_kunit_attach(fresh));
	sock_release(fresh);
	ktlso_kunit_release(&p);
}

static void pass_through_without_keys(struct kunit *test)
{
	static const char ping[] = "plaintext until keys arrive";
	static const char pong[] = "and back again";
	char buf[sizeof(ping)] = { };
	struct ktlso_kunit_pair p = { };

	ktlso_kunit_connect(test, AF_INET, &p);
	KUNIT_ASSERT_EQ(test, 0, ktlso_kunit_attach(p.client));

	KUNIT_EXPECT_EQ(test, (int)sizeof(ping), ktlso_kunit_send(p.client, ping, sizeof(ping)));
	KUNIT_EXPECT_EQ(test, (int)sizeof(ping), ktlso_kunit_recv(p.server, buf, sizeof(ping)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(ping, buf, sizeof(ping)));

	KUNIT_EXPECT_EQ(test, (int)sizeof(pong), ktlso_kunit_send(p.server, pong, sizeof(pong)));
	KUNIT_EXPECT_EQ(test, (int)sizeof(pong), ktlso_kunit_recv(p.client, buf, sizeof(pong)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(pong, buf, sizeof(pong)));
	ktlso_kunit_release(&p);
}

static void close_restores_tcp_proto(struct kunit *test)
{
	struct ktlso_kunit_pair p = { };
	struct proto *tcp_proto;
	struct sock *sk;

	ktlso_kunit_connect(test, AF_INET, &p);
	sk = p.client->sk;
	tcp_proto = READ_ONCE(sk->sk_prot);
	KUNIT_ASSERT_EQ(test, 0, ktlso_kunit_attach(p.client));

	/* Hold the sock so it outlives sock_release() and can be inspected. */
	sock_hold(sk);
	sock_release(p.client);
	p.client = NULL;
	KUNIT_EXPECT_PTR_EQ(test, tcp_proto, READ_ONCE(sk->sk_prot));
	sock_put(sk);
	ktlso_kunit_release(&p);
}

static int suite_init(struct kunit_suite *suite)
{
	return ktlso_kunit_lo_up();
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
