// SPDX-License-Identifier: MIT
/*
 * The timed transfer. Every stream is non-blocking in one poll loop with
 * the control connection: the client ends the test ("stop") when -t has
 * passed or, with -n, when its streams are done; then each side finishes
 * its senders (close_notify, FIN) and reads its receivers to the end.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "perf.h"

/* A stuck peer cannot hold the end of a test longer than this. */
#define DRAIN_TIMEOUT_S 30.0
/* Writes per stream per round, so one stream does not starve the others. */
#define WRITES_PER_ROUND 16

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void cpu_now(double *user, double *system)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*system = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* With -n, each sender's share of the bytes of its direction. */
static uint64_t share(const struct perf_test *t)
{
	return t->p.bytes ? (t->p.bytes + t->p.streams - 1) / t->p.streams : 0;
}

static void finish(struct perf_stream *s, double at)
{
	stream_finish(s);
	s->done = true;
	s->end = at;
}

static int send_some(struct perf_test *t, struct perf_stream *s, double at)
{
	for (int i = 0; i < WRITES_PER_ROUND && !s->done; i++) {
		ssize_t n = stream_write(t, s);

		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n < 0)
			return n;
		s->bytes += n;
		s->interval_bytes += n;
		if (share(t) && s->bytes >= share(t))
			finish(s, at);
	}
	return 0;
}

static int read_some(struct perf_test *t, struct perf_stream *s, double at)
{
	for (int i = 0; i < WRITES_PER_ROUND || stream_has_pending(s); i++) {
		ssize_t n = stream_read(t, s);

		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n < 0)
			return n;
		if (n == 0) {
			s->done = true;
			s->end = at;
			return 0;
		}
		s->bytes += n;
		s->interval_bytes += n;
	}
	return 0;
}

static bool all_done(const struct perf_test *t)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (!t->s[i].done)
			return false;
	return true;
}

/* The control connection during the test: "stop", or the peer is gone. */
static int control_input(struct perf_test *t, bool *stop)
{
	char line[64];
	int err = ctl_recv_line(t->ctl, line, sizeof(line), 1000);

	if (err)
		return err == -ECONNRESET ? -ECONNABORTED : err;
	if (!strcmp(line, "stop")) {
		*stop = true;
		return 0;
	}
	return -EPROTO;
}

static int loop(struct perf_test *t, double t0)
{
	struct pollfd pf[PERF_MAX_STREAMS * 2 + 1];
	double next = t->p.interval ? t->p.interval : 1e18, prev = 0, stop_at = 0;
	bool stop = false;

	for (;;) {
		double at = now_s() - t0;

		if (!t->l.server && !stop &&
		    ((!t->p.bytes && at >= t->p.seconds) || (t->p.bytes && all_done(t)))) {
			TRY(ctl_send_line(t->ctl, "stop"));
			stop = true;
		}
		if (stop && !stop_at) {
			stop_at = at;
			for (unsigned int i = 0; i < t->n; i++)
				if (t->s[i].sender && !t->s[i].done)
					finish(&t->s[i], at);
		}
		if (at >= next) {
			report_interval(t, prev, at);
			prev = at;
			next += t->p.interval;
		}
		report_progress(t, at);
		if (stop && all_done(t))
			break;
		ENSURE(!stop || at - stop_at < DRAIN_TIMEOUT_S, -ETIMEDOUT);

		for (unsigned int i = 0; i < t->n; i++) {
			struct perf_stream *s = &t->s[i];

			pf[i] = (struct pollfd){ .fd = s->done ? -1 : s->fd,
				.events = s->sender ? POLLOUT : POLLIN };
		}
		/* After "stop" the next control line is the peer's results,
		 * which may come while our receivers still drain. */
		pf[t->n] = (struct pollfd){ .fd = stop ? -1 : t->ctl,
					    .events = POLLIN };
		int wait_ms = 100;
		for (unsigned int i = 0; i < t->n; i++)
			if (stream_has_pending(&t->s[i]))
				wait_ms = 0;
		if (poll(pf, t->n + 1, wait_ms) < 0 && errno != EINTR)
			return -errno;
		at = now_s() - t0;
		for (unsigned int i = 0; i < t->n; i++) {
			struct perf_stream *s = &t->s[i];

			if (s->done || (!pf[i].revents && !stream_has_pending(s)))
				continue;
			TRY(s->sender ? send_some(t, s, at) : read_some(t, s, at));
		}
		if (pf[t->n].revents) {
			/* The client hears nothing from the server until
			 * the results: anything else is a failure. */
			bool got_stop = false;
			int err = control_input(t, &got_stop);

			if (err || !t->l.server)
				return err ? err : -EPROTO;
			stop = got_stop;
		}
	}
	if (t->p.interval && t->me.wall - prev > t->p.interval / 10)
		report_interval(t, prev, now_s() - t0);
	return 0;
}

int run_test(struct perf_test *t)
{
	double u0, s0, t0;
	int64_t tx0, rx0, rk0, tx1, rx1, rk1;
	int err;

	stat_read(&tx0, &rx0, &rk0);
	cpu_now(&u0, &s0);
	t0 = now_s();
	err = loop(t, t0);
	t->me.wall = now_s() - t0;
	cpu_now(&t->me.user, &t->me.system);
	t->me.user -= u0;
	t->me.system -= s0;
	stat_read(&tx1, &rx1, &rk1);
	t->me.tx_records = tx0 < 0 ? -1 : tx1 - tx0;
	t->me.rx_records = rx0 < 0 ? -1 : rx1 - rx0;
	t->me.rekeys = rk0 < 0 ? -1 : rk1 - rk0;
	return err;
}
