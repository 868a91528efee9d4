// SPDX-License-Identifier: MIT
/* Worker threads and their epoll loops (worker.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "record/record.h"
#include "worker.h"

#define EVENTS_MAX 64

enum watch_kind { WATCH_QUEUE, WATCH_SOCKET };

struct job;

/* What an epoll event is about (epoll_event.data.ptr). */
struct watch {
	enum watch_kind kind;
	struct job *job;
};

/*
 * A handshake in flight. Its deadline is a time in the worker's list, not
 * a timerfd: the socket the kernel handed over is the only descriptor a
 * handshake holds, and ACCEPT takes it before any byte goes out.
 */
struct job {
	struct session *s;	/* NULL once ended */
	struct timespec deadline;
	uint32_t events;	/* what epoll waits for on the socket */
	struct watch on_socket;
	struct job *prev, *next;
};

enum msg_op { MSG_SESSION, MSG_STOP };

struct msg {
	enum msg_op op;
	struct session *s;
	unsigned int drain_ms;
};

struct worker {
	pthread_t thread;
	unsigned int id;
	int ep;
	int queue[2];		/* pipe: [0] read by the worker */
	struct watch on_queue;
	struct job *jobs;	/* in flight, soonest deadline first */
	struct job *last;	/* the latest deadline */
	struct job *ended;	/* freed after the epoll batch */
	bool stopping;
	struct timespec drain_end;
	uint8_t buf[RECORD_MAX_LEN];
};

struct workers {
	unsigned int n, next;
	struct worker *w;
};

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static struct timespec after_ms(unsigned int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (t->tv_sec - now.tv_sec) * 1000000000LL + t->tv_nsec - now.tv_nsec;
	/* Rounded up: epoll_wait must not wake before the time is out. */
	return ns <= 0 ? 0 : (ns + 999999) / 1000000;
}

/*
 * The socket leaves epoll before anything closes it: the application holds
 * the same file, so closing our fd alone would leave it registered.
 */
static void job_end(struct worker *w, struct job *j)
{
	(void)epoll_ctl(w->ep, EPOLL_CTL_DEL, session_fd(j->s), NULL);
	session_free(j->s);
	j->s = NULL;
	if (j->prev)
		j->prev->next = j->next;
	else
		w->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		w->last = j->prev;
	/* Events of this batch may still point at it. */
	j->next = w->ended;
	w->ended = j;
}

/* Wait for what the session asked for; end it when it asked for nothing. */
static void job_update(struct worker *w, struct job *j, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &j->on_socket };

	if (!events) {
		job_end(w, j);
		return;
	}
	if (events == j->events)
		return;
	if (epoll_ctl(w->ep, EPOLL_CTL_MOD, session_fd(j->s), &ev)) {
		session_fail(j->s, errno);
		job_end(w, j);
		return;
	}
	j->events = events;
}

/*
 * Into the list by deadline. Most requests carry the same timeout, so a
 * new one nearly always goes last: the walk from the end is short.
 */
static void job_link(struct worker *w, struct job *j)
{
	struct job *at = w->last;

	while (at && before(&j->deadline, &at->deadline))
		at = at->prev;
	j->prev = at;
	j->next = at ? at->next : w->jobs;
	if (j->next)
		j->next->prev = j;
	else
		w->last = j;
	if (at)
		at->next = j;
	else
		w->jobs = j;
}

static void job_add(struct worker *w, struct session *s)
{
	struct epoll_event ev;
	struct job *j;
	uint32_t events;

	if (w->stopping) {
		session_fail(s, ECONNABORTED);
		session_free(s);
		return;
	}
	/* Everything that can fail for want of resources, before any byte. */
	j = calloc(1, sizeof(*j));
	if (!j) {
		session_fail(s, ENOMEM);
		session_free(s);
		return;
	}
	*j = (struct job){
		.s = s,
		.deadline = session_deadline(s),
		.events = EPOLLIN,
		.on_socket = { WATCH_SOCKET, j },
	};
	ev = (struct epoll_event){ .events = j->events,
				   .data.ptr = &j->on_socket };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, session_fd(s), &ev)) {
		int err = errno;

		log_err("worker %u: epoll: %s", w->id, strerror(err));
		session_fail(s, err);
		session_free(s);
		free(j);
		return;
	}
	job_link(w, j);
	events = session_start(s, w->buf, sizeof(w->buf));
	job_update(w, j, events);
}

/* Fail every job whose deadline has passed. */
static void expire(struct worker *w)
{
	while (w->jobs && !ms_until(&w->jobs->deadline)) {
		session_fail(w->jobs->s, ETIMEDOUT);
		job_end(w, w->jobs);
	}
}

/* How long epoll_wait may sleep: to the next deadline, or the drain's. */
static int wait_ms(const struct worker *w)
{
	long ms = w->jobs ? ms_until(&w->jobs->deadline) : -1;

	if (w->stopping) {
		long drain = ms_until(&w->drain_end);

		if (ms < 0 || drain < ms)
			ms = drain;
	}
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static void read_queue(struct worker *w)
{
	struct msg m;

	while (read(w->queue[0], &m, sizeof(m)) == sizeof(m)) {
		if (m.op == MSG_SESSION) {
			job_add(w, m.s);
			continue;
		}
		w->stopping = true;
		w->drain_end = after_ms(m.drain_ms);
	}
}

static void handle(struct worker *w, const struct watch *wt)
{
	struct job *j = wt->job;

	switch (wt->kind) {
	case WATCH_QUEUE:
		read_queue(w);
		return;
	case WATCH_SOCKET:
		if (j->s)
			job_update(w, j, session_step(j->s, w->buf,
						      sizeof(w->buf)));
		return;
	}
}

static void free_ended(struct worker *w)
{
	while (w->ended) {
		struct job *j = w->ended;

		w->ended = j->next;
		free(j);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[EVENTS_MAX];

	while (!w->stopping || w->jobs) {
		int n = epoll_wait(w->ep, evs, EVENTS_MAX, wait_ms(w));

		if (n < 0 && errno != EINTR) {
			log_err("worker %u: epoll_wait: %s", w->id,
				strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++)
			handle(w, evs[i].data.ptr);
		expire(w);
		free_ended(w);
		if (w->stopping && !ms_until(&w->drain_end))
			break;
	}
	/* Out of time (or broken): what is still in flight fails. */
	while (w->jobs) {
		session_fail(w->jobs->s, ECONNABORTED);
		job_end(w, w->jobs);
	}
	free_ended(w);
	return NULL;
}

static int worker_init(struct worker *w, unsigned int id)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &w->on_queue };

	w->id = id;
	w->on_queue.kind = WATCH_QUEUE;
	w->queue[0] = w->queue[1] = -1;
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0 || pipe2(w->queue, O_CLOEXEC) ||
	    fcntl(w->queue[0], F_SETFL, O_NONBLOCK) ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->queue[0], &ev))
		return -errno;
	return -pthread_create(&w->thread, NULL, worker_main, w);
}

static void worker_uninit(struct worker *w)
{
	if (w->ep >= 0)
		close(w->ep);
	if (w->queue[0] >= 0)
		close(w->queue[0]);
	if (w->queue[1] >= 0)
		close(w->queue[1]);
}

static int post(struct worker *w, const struct msg *m)
{
	ssize_t n;

	/* Smaller than PIPE_BUF: written whole or not at all. */
	do
		n = write(w->queue[1], m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	return n == sizeof(*m) ? 0 : n < 0 ? -errno : -EIO;
}

int workers_start(unsigned int n, struct workers **out)
{
	struct workers *ws = calloc(1, sizeof(*ws));
	int err = 0;

	*out = NULL;
	if (!ws || !n)
		goto fail_alloc;
	ws->w = calloc(n, sizeof(*ws->w));
	if (!ws->w)
		goto fail_alloc;
	for (; ws->n < n; ws->n++) {
		struct worker *w = &ws->w[ws->n];

		err = worker_init(w, ws->n);
		if (err) {
			worker_uninit(w);
			workers_stop(ws, 0);
			return err;
		}
	}
	*out = ws;
	return 0;
fail_alloc:
	free(ws);
	return n ? -ENOMEM : -EINVAL;
}

int workers_submit(struct workers *ws, struct session *s)
{
	struct msg m = { .op = MSG_SESSION, .s = s };
	struct worker *w = &ws->w[ws->next];

	ws->next = (ws->next + 1) % ws->n;
	return post(w, &m);
}

void workers_stop(struct workers *ws, unsigned int drain_ms)
{
	struct msg m = { .op = MSG_STOP, .drain_ms = drain_ms };

	for (unsigned int i = 0; i < ws->n; i++) {
		int err = post(&ws->w[i], &m);

		if (err)
			log_err("worker %u: cannot stop it: %s", i,
				strerror(-err));
	}
	for (unsigned int i = 0; i < ws->n; i++) {
		pthread_join(ws->w[i].thread, NULL);
		worker_uninit(&ws->w[i]);
	}
	free(ws->w);
	free(ws);
}
