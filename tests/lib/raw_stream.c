// SPDX-License-Identifier: MIT
#include <errno.h>
#include <sys/socket.h>

#include "raw_stream.h"

#define RECORD_HEADER 5	/* RFC 8446 §5.1: type, legacy version, length */

void raw_stream_read(int fd, uint8_t *buf, size_t cap, struct raw_stream *rs)
{
	ssize_t n;

	*rs = (struct raw_stream){ 0 };
	for (;;) {
		if (rs->bytes == cap) {
			rs->err = EMSGSIZE;
			break;
		}
		n = recv(fd, buf + rs->bytes, cap - rs->bytes, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rs->err = errno;
		}
		if (n <= 0)
			break;
		rs->bytes += n;
	}
	while (rs->whole + RECORD_HEADER <= rs->bytes) {
		const uint8_t *h = buf + rs->whole;
		size_t len = (size_t)h[3] << 8 | h[4];

		if (rs->whole + RECORD_HEADER + len > rs->bytes)
			break;
		rs->whole += RECORD_HEADER + len;
		rs->payload += len;
		rs->records++;
	}
}
