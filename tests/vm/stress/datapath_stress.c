// SPDX-License-Identifier: MIT
/*
 * The record layer under random interleavings (issue 11).
 *
 *   per round:  A (ktlso) ──TCP loopback── B (ktlso), TLS 1.3 keys installed
 *               by the test both ways (tests/lib/tls_keys.h)
 *   4 threads, each a seeded random sequence of, on either direction:
 *     send · sendfile · splice in · recv · recv(MSG_PEEK) · splice out ·
 *     poll · key update (KeyUpdate record, TLS_TX; the reader installs TLS_RX
 *     when it meets it) · a TLS_TX or TLS_RX with a key the peer does not
 *     have · shutdown · close
 *
 * Checks: every syscall fails only with an errno the man pages and kTLS
 * document; the bytes that arrive in a direction are always a prefix of the
 * bytes sent in it (any key mismatch must fail authentication, never
 * deliver); and the kernel log stays clean (tools/vm/run fails the run on a
 * KASAN, lockdep, list or hung-task report).
 *
 * Writers of one direction take turns (a mutex), so the stream's content is
 * known; so do its readers. Everything else races. "close" swaps the fd for
 * an unconnected socket (dup2), so a racing call never reaches a recycled
 * fd number: it ends on the old socket, or fails on the new one.
 *
 *   datapath_stress [SEED]      KTLSO_STRESS_SECONDS (default 25)
 */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <linux/ktlso.h>
#include <netinet/in.h>

#include "../../lib/check.h"
#include "../../lib/tls_keys.h"
#include "../../lib/tls_sock.h"
#include "stress.h"

#define THREADS 4
#define PERIOD 4093		/* the stream's pattern repeats: sendfile's file */
#define FILE_SIZE (PERIOD * 20)
#define MAX_IO 40000

/* A byte of any direction's stream, by offset. */
static uint8_t pat(uint64_t i)
{
	uint32_t j = i % PERIOD;

	return (uint8_t)(j * 167 ^ j >> 5);
}

/* One direction: fd[from] writes, fd[!from] reads. */
struct direction {
	pthread_mutex_t send_lock, recv_lock;
	uint64_t sent, received;	/* stream bytes, under their locks */
	unsigned int tx_epoch, rx_epoch; /* key updates done, under their locks */
	unsigned long mismatches;
};

struct round {
	unsigned int n;
	int fd[2], placeholder, file;
	double end;
	/* Ops that end a direction (wrong key, shutdown, close) come only in
	 * rounds that allow them, and only in their last third: most of the
	 * stream is exercised whole.
	 */
	bool disrupt;
	double disrupt_from;
	struct direction dir[2];
};

static unsigned int seed;
static unsigned long rekeys_done, bytes_checked;

/* A record that failed to authenticate sets the socket's error (sk_err),
 * which the next send reports once, as TCP does any pending error.
 */
static struct tally t_send = TALLY("send/sendfile/splice into the socket", EAGAIN, EPIPE,
				   ECONNRESET, ENOTCONN, EBADMSG);
static struct tally t_recv = TALLY("recv/peek/splice out of the socket", EAGAIN, ECONNRESET,
				   ENOTCONN, EBADMSG, EKEYEXPIRED, EIO, EINVAL);
static struct tally t_keys = TALLY("setsockopt(TLS_TX/TLS_RX)", EBUSY, EINVAL, ENOPROTOOPT);
/* ENOMEM/EBADMSG: the record held open could not be queued ahead of the
 * FIN (Documentation/uapi.rst). */
static struct tally t_shutdown = TALLY("shutdown", ENOTCONN, ENOMEM, EBADMSG);
static struct tally t_poll = TALLY("poll", 0);

/* The key of a direction's epoch, the same on both ends. */
static void epoch_key(const struct round *rd, int d, unsigned int epoch, uint8_t key[16])
{
	struct rng r = rng_for(seed ^ rd->n, d * 65536 + epoch);

	for (int i = 0; i < 16; i += 4) {
		uint32_t v = rnd(&r);

		memcpy(key + i, &v, 4);
	}
}

static void fill(uint8_t *buf, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pat(off + i);
}

/* Bytes that arrived at stream offset off: must be what was sent there. */
static void arrived(struct direction *dir, const uint8_t *buf, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != pat(dir->received + i)) {
			if (dir->mismatches++ < 3)
				printf("    byte %llu of the stream: got %#x, sent %#x\n",
				       (unsigned long long)(dir->received + i), buf[i],
				       pat(dir->received + i));
			break;
		}
	}
	dir->received += n;
	__sync_fetch_and_add(&bytes_checked, n);
}

struct worker {
	struct round *rd;
	struct rng r;
	int pipe[2];
	uint8_t buf[MAX_IO], in[MAX_IO];
};

static int send_flags(struct worker *w)
{
	return MSG_NOSIGNAL | (rnd(&w->r) & 1 ? MSG_DONTWAIT : 0) | (rnd(&w->r) % 4 ? 0 : MSG_MORE);
}

static void op_send(struct worker *w, int d)
{
	struct direction *dir = &w->rd->dir[d];
	size_t n = rnd_in(&w->r, 1, MAX_IO);
	ssize_t ret;

	pthread_mutex_lock(&dir->send_lock);
	fill(w->buf, dir->sent, n);
	ret = tally(&t_send, send(w->rd->fd[d], w->buf, n, send_flags(w)));
	if (ret > 0)
		dir->sent += ret;
	pthread_mutex_unlock(&dir->send_lock);
}

static void op_sendfile(struct worker *w, int d)
{
	struct direction *dir = &w->rd->dir[d];
	ssize_t ret;
	off_t off;

	pthread_mutex_lock(&dir->send_lock);
	off = dir->sent % PERIOD;
	ret = tally(&t_send, sendfile(w->rd->fd[d], w->rd->file, &off,
				      rnd_in(&w->r, 1, FILE_SIZE - PERIOD)));
	if (ret > 0)
		dir->sent += ret;
	pthread_mutex_unlock(&dir->send_lock);
}

/* Drop whatever a splice left in the worker's pipe. */
static void drain(struct worker *w)
{
	while (read(w->pipe[0], w->in, sizeof(w->in)) > 0)
		;
}

static void op_splice_in(struct worker *w, int d)
{
	struct direction *dir = &w->rd->dir[d];
	size_t n = rnd_in(&w->r, 1, 16384);
	ssize_t ret;

	pthread_mutex_lock(&dir->send_lock);
	fill(w->buf, dir->sent, n);
	if (write(w->pipe[1], w->buf, n) == (ssize_t)n) {
		ret = tally(&t_send, splice(w->pipe[0], NULL, w->rd->fd[d], NULL, n,
					    rnd(&w->r) & 1 ? SPLICE_F_NONBLOCK : 0));
		if (ret > 0)
			dir->sent += ret;
	}
	drain(w);
	pthread_mutex_unlock(&dir->send_lock);
}

/* RFC 8446 §4.6.3: KeyUpdate(update_not_requested), then the next key. */
static void op_rekey(struct worker *w, int d)
{
	static const uint8_t key_update[] = { 24, 0, 0, 1, 0 };
	struct direction *dir = &w->rd->dir[d];
	uint8_t key[16];

	pthread_mutex_lock(&dir->send_lock);
	if (tally(&t_send, send_with_type(w->rd->fd[d], 22, key_update,
					  sizeof(key_update))) == sizeof(key_update)) {
		epoch_key(w->rd, d, dir->tx_epoch + 1, key);
		if (tally(&t_keys, tls_keys_set(w->rd->fd[d], TLS_TX, key)) == 0) {
			dir->tx_epoch++;
			__sync_fetch_and_add(&rekeys_done, 1);
		}
	}
	pthread_mutex_unlock(&dir->send_lock);
}

/* The reader met the peer's KeyUpdate: take the next key. */
static void next_rx_key(struct worker *w, int d)
{
	struct direction *dir = &w->rd->dir[d];
	uint8_t key[16];

	epoch_key(w->rd, d, dir->rx_epoch + 1, key);
	if (tally(&t_keys, tls_keys_set(w->rd->fd[!d], TLS_RX, key)) == 0)
		dir->rx_epoch++;
}

static void op_recv(struct worker *w, int d, bool peek)
{
	struct direction *dir = &w->rd->dir[d];
	int flags = (rnd(&w->r) & 1 ? MSG_DONTWAIT : 0) | (peek ? MSG_PEEK : 0) |
		    (rnd(&w->r) % 4 ? 0 : MSG_WAITALL);
	size_t n = rnd_in(&w->r, 1, MAX_IO);
	bool with_type = rnd(&w->r) % 4;
	uint8_t type = 23;
	ssize_t ret;

	pthread_mutex_lock(&dir->recv_lock);
	if (with_type)
		ret = recv_with_type(w->rd->fd[!d], w->in, n, flags, &type);
	else
		ret = recv(w->rd->fd[!d], w->in, n, flags);
	tally(&t_recv, ret);
	if (ret > 0 && with_type && type == 22) {
		if (!peek && w->in[0] == 24)
			next_rx_key(w, d);
	} else if (ret > 0 && (type == 23 || !type)) {
		uint64_t at = dir->received;

		arrived(dir, w->in, ret);
		if (peek)
			dir->received = at;	/* peeked bytes stay to be read */
	} else if (ret < 0 && errno == EKEYEXPIRED) {
		next_rx_key(w, d);
	}
	pthread_mutex_unlock(&dir->recv_lock);
}

static void op_splice_out(struct worker *w, int d)
{
	struct direction *dir = &w->rd->dir[d];
	ssize_t ret, got = 0, r;

	pthread_mutex_lock(&dir->recv_lock);
	ret = tally(&t_recv, splice(w->rd->fd[!d], NULL, w->pipe[1], NULL,
				    rnd_in(&w->r, 1, 16384), SPLICE_F_NONBLOCK));
	while (ret > 0 && got < ret && (r = read(w->pipe[0], w->in + got, ret - got)) > 0)
		got += r;
	if (ret > 0)
		arrived(dir, w->in, got);
	pthread_mutex_unlock(&dir->recv_lock);
}

static void op_poll(struct worker *w)
{
	struct pollfd pfd[2] = {
		{ .fd = w->rd->fd[0], .events = POLLIN | POLLOUT },
		{ .fd = w->rd->fd[1], .events = POLLIN | POLLOUT | POLLRDHUP },
	};

	tally(&t_poll, poll(pfd, 2, rnd_in(&w->r, 0, 2)));
}

/* A key the peer does not have: the peer must fail to authenticate. */
static void op_wrong_key(struct worker *w, int side)
{
	uint8_t key[16];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)rnd(&w->r);
	tally(&t_keys, tls_keys_set(w->rd->fd[side], rnd(&w->r) & 1 ? TLS_TX : TLS_RX, key));
}

static void op_shutdown(struct worker *w, int side)
{
	static const int how[] = { SHUT_RD, SHUT_WR, SHUT_RDWR };

	tally(&t_shutdown, shutdown(w->rd->fd[side], how[rnd(&w->r) % 3]));
}

static void op_close(struct worker *w, int side)
{
	dup2(w->rd->placeholder, w->rd->fd[side]);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (stress_now() < w->rd->end) {
		uint32_t op = rnd(&w->r) % 1000;
		int d = rnd(&w->r) & 1;

		if (op < 200)
			op_send(w, d);
		else if (op < 280)
			op_sendfile(w, d);
		else if (op < 360)
			op_splice_in(w, d);
		else if (op < 600)
			op_recv(w, d, false);
		else if (op < 700)
			op_recv(w, d, true);
		else if (op < 780)
			op_splice_out(w, d);
		else if (op < 900)
			op_poll(w);
		else if (op < 960)
			op_rekey(w, d);
		else if (!w->rd->disrupt || stress_now() < w->rd->disrupt_from)
			continue;
		else if (op < 970)
			op_wrong_key(w, d);
		else if (op < 985)
			op_shutdown(w, d);
		else if (op < 992)
			op_close(w, d);
	}
	return NULL;
}

static int pattern_file(void)
{
	static uint8_t buf[FILE_SIZE];
	int fd = memfd_create("stream", 0);

	fill(buf, 0, sizeof(buf));
	if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf)) {
		perror("memfd");
		exit(2);
	}
	return fd;
}

static void setup_round(struct round *rd, struct rng *r)
{
	struct timeval tv = { .tv_usec = 20000 };
	uint8_t k[2][16];
	int small = 4096;

	loopback_pair(&rd->fd[0], &rd->fd[1]);
	rd->placeholder = socket(AF_INET, SOCK_STREAM, 0);
	epoch_key(rd, 0, 0, k[0]);
	epoch_key(rd, 1, 0, k[1]);
	for (int s = 0; s < 2; s++) {
		if (setsockopt(rd->fd[s], SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
			       sizeof(KTLSO_ULP_NAME)) ||
		    tls_keys_install(rd->fd[s], k[s], k[!s])) {
			perror("ULP and keys");
			exit(2);
		}
		setsockopt(rd->fd[s], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(rd->fd[s], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* Now and then small buffers: senders block, records split. */
		if (rnd(r) % 4 == 0)
			setsockopt(rd->fd[s], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
		if (rnd(r) % 4 == 0)
			setsockopt(rd->fd[s], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	}
	for (int d = 0; d < 2; d++) {
		memset(&rd->dir[d], 0, sizeof(rd->dir[d]));
		pthread_mutex_init(&rd->dir[d].send_lock, NULL);
		pthread_mutex_init(&rd->dir[d].recv_lock, NULL);
	}
}

int main(int argc, char **argv)
{
	static struct worker workers[THREADS];
	unsigned long rounds = 0, mismatches = 0, overrun = 0;
	double deadline;
	struct round rd;
	pthread_t t[THREADS];
	struct rng main_rng;

	seed = stress_seed(argc, argv);
	main_rng = rng_for(seed, 0);
	signal(SIGPIPE, SIG_IGN);
	deadline = stress_now() + stress_seconds(25);
	rd.file = pattern_file();
	for (int i = 0; i < THREADS; i++)
		if (pipe2(workers[i].pipe, O_NONBLOCK)) {
			perror("pipe");
			exit(2);
		}

	while (stress_now() < deadline) {
		rd.n = rounds;
		setup_round(&rd, &main_rng);
		rd.end = stress_now() + rnd_in(&main_rng, 200, 700) / 1000.0;
		rd.disrupt = rnd(&main_rng) & 1;
		rd.disrupt_from = rd.end - (rd.end - stress_now()) / 3;
		for (int i = 0; i < THREADS; i++) {
			workers[i].rd = &rd;
			workers[i].r = rng_for(seed, 16 * (rounds + 1) + i);
			pthread_create(&t[i], NULL, worker_main, &workers[i]);
		}
		for (int i = 0; i < THREADS; i++)
			pthread_join(t[i], NULL);
		for (int d = 0; d < 2; d++) {
			mismatches += rd.dir[d].mismatches;
			overrun += rd.dir[d].received > rd.dir[d].sent;
		}
		close(rd.fd[0]);
		close(rd.fd[1]);
		close(rd.placeholder);
		rounds++;
	}

	CHECK(rounds > 0 && bytes_checked > 0, "%lu rounds, %lu bytes received and checked, "
	      "%lu key updates", rounds, bytes_checked, rekeys_done);
	CHECK(!mismatches, "what arrives is always what was sent at that offset (%lu not)",
	      mismatches);
	CHECK(!overrun, "never more arrives than was sent (%lu directions did)", overrun);
	CHECK(!t_send.wrong, "%s: %lu ok, %lu documented errnos, %lu others", t_send.what,
	      t_send.ok, t_send.refused, t_send.wrong);
	CHECK(!t_recv.wrong, "%s: %lu ok, %lu documented errnos, %lu others", t_recv.what,
	      t_recv.ok, t_recv.refused, t_recv.wrong);
	CHECK(!t_keys.wrong, "%s: %lu ok, %lu documented errnos, %lu others", t_keys.what,
	      t_keys.ok, t_keys.refused, t_keys.wrong);
	CHECK(!t_shutdown.wrong, "%s: %lu ok, %lu documented errnos, %lu others",
	      t_shutdown.what, t_shutdown.ok, t_shutdown.refused, t_shutdown.wrong);
	CHECK(!t_poll.wrong, "poll: %lu calls, %lu failed", t_poll.ok, t_poll.wrong);
	return check_summary();
}
