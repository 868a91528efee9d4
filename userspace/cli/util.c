// SPDX-License-Identifier: MIT
/* Small helpers every subcommand uses. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void warnx_(int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err > 0)
		fprintf(stderr, "ktlso: %s: %s\n", msg, strerror(err));
	else
		fprintf(stderr, "ktlso: %s\n", msg);
}

int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	char *end;
	unsigned long v;

	ENSURE(*s >= '0' && *s <= '9', -EINVAL);
	errno = 0;
	v = strtoul(s, &end, 10);
	ENSURE(!errno && !*end && v >= min && v <= max, -EINVAL);
	*out = v;
	return 0;
}

int set_field(char *dst, size_t size, const char *src)
{
	ENSURE(strlen(src) < size, -ENAMETOOLONG);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

void sockaddr_str(const void *sa, socklen_t len, char *buf, size_t size)
{
	const struct sockaddr_in6 *s6 = sa;
	const struct sockaddr_in *s4 = sa;
	char a[INET6_ADDRSTRLEN];

	if (len >= sizeof(*s6) && s6->sin6_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a))) {
		/* Dual-stack listeners see IPv4 peers as ::ffff:a.b.c.d. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			snprintf(buf, size, "%s:%u", strrchr(a, ':') + 1,
				 ntohs(s6->sin6_port));
		else
			snprintf(buf, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else if (len >= sizeof(*s4) && s4->sin_family == AF_INET &&
		   inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a))) {
		snprintf(buf, size, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		snprintf(buf, size, "?");
	}
}

int handshake_option(int opt, const char *arg, struct ktlso_handshake_req *req,
		     unsigned long *ms)
{
	switch (opt) {
	case 'a':
		return set_field(req->alpn, sizeof(req->alpn), arg) ? -EINVAL : 0;
	case 'p':
		return set_field(req->profile, sizeof(req->profile), arg) ?
			       -EINVAL : 0;
	case 't':
		return parse_uint(arg, 1, TIMEOUT_MAX_MS, ms);
	default:
		return -EINVAL;
	}
}
