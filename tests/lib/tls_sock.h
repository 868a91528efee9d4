/* SPDX-License-Identifier: MIT */
/*
 * Socket helpers shared by the VM tests: a loopback TCP pair, and sending or
 * receiving one record with its content type in a SOL_TLS control message.
 */
#ifndef KTLSO_TLS_SOCK_H
#define KTLSO_TLS_SOCK_H

#include <arpa/inet.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* An established IPv4 loopback pair; exits on failure (test setup). */
static inline void loopback_pair(int *client, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, len) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len)) {
		perror("listen");
		exit(2);
	}
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&a, len)) {
		perror("connect");
		exit(2);
	}
	*server = accept(lfd, NULL, NULL);
	if (*server < 0) {
		perror("accept");
		exit(2);
	}
	close(lfd);
}

/* sendmsg with TLS_SET_RECORD_TYPE. */
static inline ssize_t send_with_type(int fd, uint8_t type, const void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(1)] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(1);
	*CMSG_DATA(cm) = type;
	return sendmsg(fd, &msg, 0);
}

/* recvmsg reporting TLS_GET_RECORD_TYPE in *type (0 if none came). */
static inline ssize_t recv_with_type(int fd, void *buf, size_t len, int flags, uint8_t *type)
{
	char cbuf[CMSG_SPACE(1)] = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(fd, &msg, flags);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	*type = n >= 0 && cm && cm->cmsg_level == SOL_TLS &&
		cm->cmsg_type == TLS_GET_RECORD_TYPE ? *CMSG_DATA(cm) : 0;
	return n;
}

#endif /* KTLSO_TLS_SOCK_H */
