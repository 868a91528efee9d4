// SPDX-License-Identifier: MIT
/*
 * Other owners of a socket next to the ULP, and a socket's second life
 * (issue 11): each must be refused cleanly or leave a working socket.
 *
 *   A (ktlso, keys or not) ──TCP loopback── B (ktlso, keys)
 *   KCM:      SIOCKCMATTACH of A (and: attach KCM first, then the ULP)
 *   sockmap:  BPF_MAP_UPDATE_ELEM of A into a BPF_MAP_TYPE_SOCKMAP (and:
 *             map first, then the ULP; out of the map again, then the ULP)
 *   RST:      B resets while A has the ULP (a reader blocked on A or not);
 *             then listen(A), connect(A, AF_UNSPEC), connect(A, elsewhere)
 *
 * "Working" means: data sent on A still arrives at B decrypted under A's
 * keys, i.e. nothing took the record layer out of the path. The cases
 * repeat with seeded choices (keys or not, IPv4 or IPv6, reader or not)
 * for KTLSO_STRESS_SECONDS (default 10).
 *
 *   attach_stress [SEED]
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/kcm.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <linux/ktlso.h>

#include "../../lib/check.h"
#include "../../lib/tls_keys.h"
#include "../../lib/tls_sock.h"
#include "stress.h"

#ifndef AF_KCM
#define AF_KCM 41
#endif

static const uint8_t key_ab[16] = "key from A to B", key_ba[16] = "key from B to A";

static struct tally t_kcm = TALLY("SIOCKCMATTACH after the ULP", EBUSY, EOPNOTSUPP, EINVAL,
				  EALREADY);
static struct tally t_kcm_rx = TALLY("peer's record to a socket KCM reads", EPIPE,
				     ECONNRESET);
static struct tally t_ulp_after = TALLY("TCP_ULP on a socket KCM or sockmap holds", EBUSY,
					EOPNOTSUPP, EINVAL, EEXIST);
static struct tally t_map = TALLY("sockmap update after the ULP", EBUSY, EOPNOTSUPP, EINVAL);
static struct tally t_listen = TALLY("listen() with the ULP", EINVAL);
static struct tally t_unspec = TALLY("connect(AF_UNSPEC) with the ULP", EOPNOTSUPP);
static struct tally t_reconnect = TALLY("connect() again after a reset", EISCONN,
					EOPNOTSUPP, EINVAL, EALREADY);
static struct tally t_reader = TALLY("a reader when the peer resets", ECONNRESET, EAGAIN,
				     EPIPE);
static unsigned long broken;	/* "worked" but the record layer was bypassed */

static int attach(int fd)
{
	return setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME));
}

/* A keyed or not (B always keyed, to read what A sends). */
static void pair(struct rng *r, int *a, int *b, bool *keyed)
{
	loopback_pair(a, b);
	*keyed = rnd(r) & 1;
	if (attach(*a) || attach(*b) || tls_keys_install(*b, key_ba, key_ab) ||
	    (*keyed && tls_keys_install(*a, key_ab, key_ba))) {
		perror("pair");
		exit(2);
	}
}

/* Does a message from A reach B as A sent it, under A's keys? */
static bool flows(int a, int b)
{
	struct timeval tv = { .tv_sec = 2 };
	char buf[16] = { 0 };

	setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return send(a, "still TLS", 9, MSG_NOSIGNAL) == 9 &&
	       recv(b, buf, 9, MSG_WAITALL) == 9 && !memcmp(buf, "still TLS", 9);
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* A socket filter that returns 1: KCM's message parser (1-byte messages). */
static int parser_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr = { 0 };

	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t)"GPL";
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

static int sockmap(void)
{
	union bpf_attr attr = { 0 };

	attr.map_type = BPF_MAP_TYPE_SOCKMAP;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 2;
	return sys_bpf(BPF_MAP_CREATE, &attr);
}

static long map_update(int map, int fd)
{
	uint32_t key = 0, value = fd;
	union bpf_attr attr = { 0 };

	attr.map_fd = map;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&value;
	attr.flags = BPF_ANY;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
}

static long map_delete(int map)
{
	uint32_t key = 0;
	union bpf_attr attr = { 0 };

	attr.map_fd = map;
	attr.key = (uintptr_t)&key;
	return sys_bpf(BPF_MAP_DELETE_ELEM, &attr);
}

static void kcm_round(struct rng *r, int prog)
{
	int kcm = socket(AF_KCM, SOCK_DGRAM, KCMPROTO_CONNECTED), a, b, plain, plain_b;
	struct kcm_attach at = { .bpf_fd = prog };
	bool keyed;

	if (kcm < 0)
		return;
	pair(r, &a, &b, &keyed);
	at.fd = a;
	if (tally(&t_kcm, ioctl(kcm, SIOCKCMATTACH, &at)) == 0) {
		struct kcm_unattach un = { .fd = a };

		/* A message KCM sends goes out through A's record layer. */
		if (keyed && !flows(kcm, b))
			broken++;
		/* And a record for KCM's parser, which reads A in the kernel:
		 * it must get plaintext or a refusal, never ciphertext.
		 */
		if (rnd(r) & 1) {
			char got = 0;

			tally(&t_kcm_rx, send(b, "x", 1, MSG_NOSIGNAL));
			usleep(20000);
			/* Without A's keys, B's record is what A's stream holds. */
			if (recv(kcm, &got, 1, MSG_DONTWAIT) == 1 && keyed && got != 'x') {
				printf("    KCM read %#x from a keyed socket\n", (uint8_t)got);
				broken++;
			}
		}
		ioctl(kcm, SIOCKCMUNATTACH, &un);
	}
	/* The other order: KCM owns the socket, then the ULP comes. */
	loopback_pair(&plain, &plain_b);
	at.fd = plain;
	if (ioctl(kcm, SIOCKCMATTACH, &at) == 0)
		tally(&t_ulp_after, attach(plain));
	close(kcm);
	if (keyed && !flows(a, b))
		broken++;
	close(a);
	close(b);
	close(plain);
	close(plain_b);
}

static void sockmap_round(struct rng *r, int map)
{
	int a, b, plain, plain_b;
	bool keyed;

	pair(r, &a, &b, &keyed);
	if (tally(&t_map, map_update(map, a)) == 0)
		map_delete(map);
	if (keyed && !flows(a, b))
		broken++;
	close(a);
	close(b);

	/* Map first, then the ULP; then out of the map and the ULP again. */
	loopback_pair(&plain, &plain_b);
	if (map_update(map, plain) == 0) {
		tally(&t_ulp_after, attach(plain));
		map_delete(map);
		if (rnd(r) & 1)
			usleep(rnd_in(r, 0, 2000));
		if (attach(plain) == 0) {
			if (attach(plain_b) || tls_keys_install(plain, key_ab, key_ba) ||
			    tls_keys_install(plain_b, key_ba, key_ab) || !flows(plain, plain_b))
				broken++;
		}
	}
	close(plain);
	close(plain_b);
}

static void *blocked_reader(void *arg)
{
	struct timeval tv = { .tv_usec = 300000 };
	int fd = *(int *)arg;
	char buf[64];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	tally(&t_reader, recv(fd, buf, sizeof(buf), 0));
	return NULL;
}

/* B resets; A, with the ULP, tries for a second life. */
static void reset_round(struct rng *r, int lfd_other, const struct sockaddr_in *other)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	bool keyed, reader = rnd(r) & 1;
	pthread_t t;
	int a, b, c;

	pair(r, &a, &b, &keyed);
	tally(&t_listen, listen(a, 1));
	if (reader)
		pthread_create(&t, NULL, blocked_reader, &a);
	usleep(rnd_in(r, 0, 3000));
	setsockopt(b, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(b);
	if (reader)
		pthread_join(t, NULL);
	tally(&t_listen, listen(a, 1));
	tally(&t_unspec, connect(a, &unspec, sizeof(unspec)));
	tally(&t_listen, listen(a, 1));
	if (tally(&t_reconnect, connect(a, (const struct sockaddr *)other,
					sizeof(*other))) == 0) {
		/* A second connection under the first one's records. */
		c = accept(lfd_other, NULL, NULL);
		if (c < 0 || attach(c) || tls_keys_install(c, key_ba, key_ab) ||
		    (keyed && !flows(a, c)))
			broken++;
		if (c >= 0)
			close(c);
	}
	close(a);
}

static void report(struct tally *t)
{
	CHECK(!t->wrong && t->ok + t->refused > 0,
	      "%s: %lu worked, %lu refused with a documented errno, %lu otherwise", t->what,
	      t->ok, t->refused, t->wrong);
}

int main(int argc, char **argv)
{
	unsigned int seed = stress_seed(argc, argv);
	struct rng r = rng_for(seed, 0);
	int kcm, prog, map, lfd, err;
	unsigned long rounds = 0;
	double spent[3] = { 0 };
	struct sockaddr_in other;
	double deadline;

	signal(SIGPIPE, SIG_IGN);
	kcm = socket(AF_KCM, SOCK_DGRAM, KCMPROTO_CONNECTED);
	err = errno;
	if (kcm < 0)
		printf("AF_KCM: %s; the KCM cases do not run\n", strerror(err));
	else
		close(kcm);
	prog = parser_prog();
	map = sockmap();
	err = errno;
	if (map < 0)
		CHECK(err == EPERM || err == EINVAL || err == ENOSYS,
		      "no sockmap here: BPF_MAP_CREATE fails cleanly (%s)", strerror(err));
	lfd = loopback_listener(&other);

	deadline = stress_now() + stress_seconds(10);
	while (stress_now() < deadline) {
		double t0 = stress_now();

		if (kcm >= 0)
			kcm_round(&r, prog);
		spent[0] += stress_now() - t0;
		t0 = stress_now();
		if (map >= 0)
			sockmap_round(&r, map);
		spent[1] += stress_now() - t0;
		t0 = stress_now();
		reset_round(&r, lfd, &other);
		spent[2] += stress_now() - t0;
		rounds++;
	}
	printf("%lu rounds: %.1f s KCM, %.1f s sockmap, %.1f s reset\n", rounds, spent[0],
	       spent[1], spent[2]);
	if (kcm >= 0) {
		report(&t_kcm);
		CHECK(!t_kcm_rx.wrong, "%s: %lu sent, %lu refused", t_kcm_rx.what, t_kcm_rx.ok,
		      t_kcm_rx.refused);
	}
	if (map >= 0)
		report(&t_map);
	if (kcm >= 0 || map >= 0)
		report(&t_ulp_after);
	report(&t_listen);
	report(&t_unspec);
	report(&t_reconnect);
	CHECK(!t_reader.wrong, "%s: %lu returned, %lu documented errnos, %lu otherwise",
	      t_reader.what, t_reader.ok, t_reader.refused, t_reader.wrong);
	CHECK(!broken, "every socket that stayed usable still speaks TLS (%lu did not)", broken);
	return check_summary();
}
