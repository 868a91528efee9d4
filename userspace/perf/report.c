// SPDX-License-Identifier: MIT
/*
 * What a run measured, laid out as iperf3 lays it out: a line per stream
 * per interval ([SUM] with several), then per stream a sender and a
 * receiver line and the CPU figures; with -J one JSON document with
 * iperf3's names (start, intervals, end.sum_sent, end.sum_received,
 * end.cpu_utilization_percent) and ktlso's own under end.ktlso.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "perf.h"

/* iperf3's adaptive units: bytes in powers of 1024, bits of 1000. */
static void units(char *buf, size_t len, double v, double base,
		  const char *const *names)
{
	int i = 0;

	while (v >= base && names[i + 1]) {
		v /= base;
		i++;
	}
	snprintf(buf, len, v < 9.995 ? "%4.2f %s" : v < 99.95 ? "%4.1f %s" :
		 "%4.0f %s", v, names[i]);
}

static void fmt_bytes(char *buf, size_t len, double bytes)
{
	static const char *const n[] = { "Bytes", "KBytes", "MBytes", "GBytes",
					 "TBytes", NULL };
	units(buf, len, bytes, 1024, n);
}

static void fmt_bits(char *buf, size_t len, double bps)
{
	static const char *const n[] = { "bits/sec", "Kbits/sec", "Mbits/sec",
					 "Gbits/sec", "Tbits/sec", NULL };
	units(buf, len, bps, 1000, n);
}

static double bps(uint64_t bytes, double secs)
{
	return secs > 0 ? bytes * 8.0 / secs : 0;
}

/* --- JSON: intervals are collected as they come, the rest at the end --- */

static void jprintf(struct perf_test *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void jprintf(struct perf_test *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (t->json_len + n + 1 > t->json_cap) {
		size_t cap = (t->json_cap + n + 1) * 2;
		char *p = realloc(t->json_intervals, cap);

		if (!p)
			return;
		t->json_intervals = p;
		t->json_cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->json_intervals + t->json_len, n + 1, fmt, ap);
	va_end(ap);
	t->json_len += n;
}

/* A JSON string of text that may come from a peer. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_interval(struct perf_test *t, const char *name,
			  unsigned int id, double from, double to,
			  uint64_t bytes, bool sender)
{
	jprintf(t, "%s{%s%.0u%s\"start\":%.6f,\"end\":%.6f,\"seconds\":%.6f,"
		"\"bytes\":%" PRIu64 ",\"bits_per_second\":%.3f,"
		"\"omitted\":false,\"sender\":%s}",
		name, id ? "\"socket\":" : "", id, id ? "," : "", from, to,
		to - from, bytes, bps(bytes, to - from),
		sender ? "true" : "false");
}

static const char *role(const struct perf_test *t, const struct perf_stream *s)
{
	if (!t->p.bidir)
		return "";
	return s->sender == t->l.server ? "[RX-" : "[TX-";
}

static void id_column(char *buf, size_t len, const struct perf_test *t,
		      const struct perf_stream *s)
{
	if (t->p.bidir)
		snprintf(buf, len, "[%3u]%s%c]", s->id, role(t, s),
			 t->l.server ? 'S' : 'C');
	else
		snprintf(buf, len, "[%3u]", s->id);
}

void report_connected(struct perf_test *t, const struct perf_stream *s)
{
	if (t->l.json)
		return;
	fprintf(t->out, "[%3u] local %s connected to %s\n", s->id, s->local,
		s->remote);
	fflush(t->out);
}

void report_header(struct perf_test *t)
{
	if (t->l.json)
		return;
	fprintf(t->out, "[ ID]%s Interval           Transfer     Bitrate\n",
		t->p.bidir ? "[Role]" : "");
}

static void line(struct perf_test *t, const char *id, double from, double to,
		 uint64_t bytes, const char *tail)
{
	char b[32], r[32];

	fmt_bytes(b, sizeof(b), bytes);
	fmt_bits(r, sizeof(r), bps(bytes, to - from));
	fprintf(t->out, "%s %6.2f-%-6.2f sec  %s  %s%s%s\n", id, from, to, b, r,
		*tail ? "                  " : "", tail);
}

void report_interval(struct perf_test *t, double from, double to)
{
	uint64_t sum = 0;
	char id[32];

	if (t->l.json)
		jprintf(t, "%s{\"streams\":[", t->json_len ? "," : "");
	for (unsigned int i = 0; i < t->n; i++) {
		struct perf_stream *s = &t->s[i];

		sum += s->interval_bytes;
		if (t->l.json) {
			json_interval(t, i ? "," : "", s->id, from, to,
				      s->interval_bytes, s->sender);
		} else {
			id_column(id, sizeof(id), t, s);
			line(t, id, from, to, s->interval_bytes, "");
		}
		s->interval_bytes = 0;
	}
	if (t->l.json) {
		jprintf(t, "],");
		json_interval(t, "\"sum\":", 0, from, to, sum,
			      !t->l.server != t->p.reverse);
		jprintf(t, "}");
	} else if (t->n > 1) {
		line(t, t->p.bidir ? "[SUM]      " : "[SUM]", from, to, sum, "");
	}
	if (!t->l.json)
		fflush(t->out);
}

/* On a terminal, when no interval lines go there: one line, rewritten. */
void report_progress(struct perf_test *t, double at)
{
	static double last;
	uint64_t bytes = 0;
	char r[32];

	if (!isatty(STDERR_FILENO) || (!t->l.json && t->p.interval &&
				       isatty(fileno(t->out))))
		return;
	if (at - last < 0.5 && at > 0)
		return;
	last = at;
	for (unsigned int i = 0; i < t->n; i++)
		bytes += t->s[i].bytes;
	fmt_bits(r, sizeof(r), bps(bytes, at));
	fprintf(stderr, "\rktlso perf: %5.1f s  %s ", at, r);
}

void stat_read(int64_t *tx, int64_t *rx, int64_t *rekeys)
{
	FILE *f = fopen("/proc/net/ktlso_stat", "r");
	char name[64];
	long long v;

	*tx = *rx = *rekeys = -1;
	if (!f)
		return;
	*rekeys = 0;
	while (fscanf(f, "%63s %lld", name, &v) == 2) {
		if (!strcmp(name, "KtlsoTxRecords"))
			*tx = v;
		else if (!strcmp(name, "KtlsoRxRecords"))
			*rx = v;
		else if (!strcmp(name, "KtlsoRekeyTx") ||
			 !strcmp(name, "KtlsoRekeyRx"))
			*rekeys += v;
	}
	fclose(f);
}

/* --- the end --- */

struct totals {
	uint64_t sent, received, local, remote;
	double sent_end, received_end;
};

static void stream_sides(const struct perf_stream *s, uint64_t *sent,
			 uint64_t *recv, double *sent_end, double *recv_end)
{
	*sent = s->sender ? s->bytes : s->remote_bytes;
	*recv = s->sender ? s->remote_bytes : s->bytes;
	*sent_end = s->sender ? s->end : s->remote_end;
	*recv_end = s->sender ? s->remote_end : s->end;
}

static void totals(const struct perf_test *t, struct totals *tt)
{
	memset(tt, 0, sizeof(*tt));
	for (unsigned int i = 0; i < t->n; i++) {
		uint64_t a, b;
		double ea, eb;

		stream_sides(&t->s[i], &a, &b, &ea, &eb);
		tt->sent += a;
		tt->received += b;
		tt->local += t->s[i].bytes;
		tt->remote += t->s[i].remote_bytes;
		if (ea > tt->sent_end)
			tt->sent_end = ea;
		if (eb > tt->received_end)
			tt->received_end = eb;
	}
}

static double cpu_pct(const struct perf_side *s, double v)
{
	return s->wall > 0 ? v / s->wall * 100 : 0;
}

/* CPU seconds per 10^9 bytes moved through this side; -1: nothing moved. */
static double per_gb(const struct perf_side *s, uint64_t bytes)
{
	return bytes ? (s->user + s->system) / (bytes / 1e9) : -1;
}

static void json_fields(FILE *f, double end, uint64_t bytes, bool sender)
{
	fprintf(f, "\"start\":0,\"end\":%.6f,\"seconds\":%.6f,"
		"\"bytes\":%" PRIu64 ",\"bits_per_second\":%.3f,\"sender\":%s",
		end, end, bytes, bps(bytes, end), sender ? "true" : "false");
}

static void json_sum(FILE *f, const char *name, double end, uint64_t bytes,
		     bool sender)
{
	fprintf(f, "\"%s\":{", name);
	json_fields(f, end, bytes, sender);
	fputc('}', f);
}

static void json_num_or_null(FILE *f, const char *name, double v, bool ok)
{
	if (ok)
		fprintf(f, "\"%s\":%.6f", name, v);
	else
		fprintf(f, "\"%s\":null", name);
}

static void json_int_or_null(FILE *f, const char *name, int64_t v)
{
	if (v >= 0)
		fprintf(f, "\"%s\":%" PRId64, name, v);
	else
		fprintf(f, "\"%s\":null", name);
}

static void json_end(struct perf_test *t, const struct totals *tt)
{
	FILE *f = t->out;
	const struct perf_side *m = &t->me, *r = &t->peer;
	time_t now = time(NULL);
	char ts[64];

	strftime(ts, sizeof(ts), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&now));
	fprintf(f, "{\"start\":{\"connected\":[");
	for (unsigned int i = 0; i < t->n; i++) {
		fprintf(f, "%s{\"socket\":%u,\"local\":", i ? "," : "", t->s[i].id);
		json_str(f, t->s[i].local);
		fprintf(f, ",\"remote\":");
		json_str(f, t->s[i].remote);
		fprintf(f, "}");
	}
	fprintf(f, "],\"version\":\"ktlso perf\",\"timestamp\":{\"time\":\"%s\","
		"\"timesecs\":%lld},", ts, (long long)now);
	if (!t->l.server) {
		fprintf(f, "\"connecting_to\":{\"host\":");
		json_str(f, t->l.host);
		fprintf(f, ",\"port\":%u},", t->l.port);
	}
	fprintf(f, "\"test_start\":{\"protocol\":\"TCP\",\"num_streams\":%u,"
		"\"blksize\":%zu,\"omit\":0,\"duration\":%.0f,\"bytes\":%" PRIu64
		",\"blocks\":0,\"reverse\":%d,\"bidir\":%d,\"tos\":0}},",
		t->p.streams, t->p.len, t->p.bytes ? 0 : t->p.seconds,
		t->p.bytes, t->p.reverse, t->p.bidir);
	fprintf(f, "\"intervals\":[%s],\"end\":{\"streams\":[",
		t->json_intervals ? t->json_intervals : "");
	for (unsigned int i = 0; i < t->n; i++) {
		uint64_t a, b;
		double ea, eb;

		stream_sides(&t->s[i], &a, &b, &ea, &eb);
		fprintf(f, "%s{\"sender\":{\"socket\":%u,", i ? "," : "", t->s[i].id);
		json_fields(f, ea, a, true);
		fprintf(f, "},\"receiver\":{\"socket\":%u,", t->s[i].id);
		json_fields(f, eb, b, false);
		fprintf(f, "}}");
	}
	fprintf(f, "],");
	json_sum(f, "sum_sent", tt->sent_end, tt->sent, true);
	fputc(',', f);
	json_sum(f, "sum_received", tt->received_end, tt->received, false);
	fprintf(f, ",\"cpu_utilization_percent\":{\"host_total\":%.6f,"
		"\"host_user\":%.6f,\"host_system\":%.6f,\"remote_total\":%.6f,"
		"\"remote_user\":%.6f,\"remote_system\":%.6f},",
		cpu_pct(m, m->user + m->system), cpu_pct(m, m->user),
		cpu_pct(m, m->system), cpu_pct(r, r->user + r->system),
		cpu_pct(r, r->user), cpu_pct(r, r->system));
	fprintf(f, "\"ktlso\":{\"mode\":\"%s\",\"cipher\":", mode_name(t->p.mode));
	json_str(f, m->cipher);
	fprintf(f, ",\"remote_cipher\":");
	json_str(f, r->cipher);
	fprintf(f, ",\"control_cipher\":");
	json_str(f, t->control_cipher);
	fprintf(f, ",\"records\":{");
	json_int_or_null(f, "tx", m->tx_records);
	fputc(',', f);
	json_int_or_null(f, "rx", m->rx_records);
	fputc(',', f);
	json_int_or_null(f, "remote_tx", r->tx_records);
	fputc(',', f);
	json_int_or_null(f, "remote_rx", r->rx_records);
	fprintf(f, "},\"rekeys\":{");
	json_int_or_null(f, "local", m->rekeys);
	fputc(',', f);
	json_int_or_null(f, "remote", r->rekeys);
	fprintf(f, "},\"cpu_seconds_per_gb\":{");
	json_num_or_null(f, "local", per_gb(m, tt->local), tt->local);
	fputc(',', f);
	json_num_or_null(f, "remote", per_gb(r, tt->remote), tt->remote);
	fprintf(f, "}}}}\n");
}

static void side_text(char *buf, size_t len, const char *who,
		      const struct perf_side *s, uint64_t bytes)
{
	char g[32] = "-";

	if (bytes)
		snprintf(g, sizeof(g), "%.2f", per_gb(s, bytes));
	snprintf(buf, len, "%s %.1f%% (%.1f%%u/%.1f%%s), %s CPU s/GB", who,
		 cpu_pct(s, s->user + s->system), cpu_pct(s, s->user),
		 cpu_pct(s, s->system), g);
}

static void records_text(char *buf, size_t len, const struct perf_side *s)
{
	if (s->tx_records < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRId64 " sealed, %" PRId64 " opened, "
			 "%" PRId64 " rekeys", s->tx_records, s->rx_records,
			 s->rekeys);
}

void report_end(struct perf_test *t)
{
	struct totals tt;
	char id[32], a[160], b[160];

	totals(t, &tt);
	if (t->l.json) {
		json_end(t, &tt);
		fflush(t->out);
		return;
	}
	fprintf(t->out, "- - - - - - - - - - - - - - - - - - - - - - - - -\n");
	report_header(t);
	for (unsigned int i = 0; i < t->n; i++) {
		uint64_t sa, rb;
		double se, re;

		stream_sides(&t->s[i], &sa, &rb, &se, &re);
		id_column(id, sizeof(id), t, &t->s[i]);
		line(t, id, 0, se, sa, "sender");
		line(t, id, 0, re, rb, "receiver");
	}
	if (t->n > 1) {
		const char *sum = t->p.bidir ? "[SUM]      " : "[SUM]";

		line(t, sum, 0, tt.sent_end, tt.sent, "sender");
		line(t, sum, 0, tt.received_end, tt.received, "receiver");
	}
	side_text(a, sizeof(a), "local", &t->me, tt.local);
	side_text(b, sizeof(b), "remote", &t->peer, tt.remote);
	fprintf(t->out, "CPU Utilization: %s; %s\n", a, b);
	records_text(a, sizeof(a), &t->me);
	records_text(b, sizeof(b), &t->peer);
	fprintf(t->out, "ktlso: mode %s, %s; ktlso_stat local %s; remote %s%s%s\n",
		mode_name(t->p.mode), t->me.cipher, a, b,
		strcmp(t->control_cipher, "none") ? "; control " : "",
		strcmp(t->control_cipher, "none") ? t->control_cipher : "");
	fflush(t->out);
}
