// SPDX-License-Identifier: MIT
/*
 * Loopback TCP pairs and record-type control messages. Every socket is
 * close-on-exec, so a test that runs a command does not hand it one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls_sock.h"

/* addr:port as a socket address; the family follows from the text. */
static int make_addr(const char *addr, uint16_t port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

int tcp_listen(const char *addr, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	if (make_addr(addr, 0, &ss, &len))
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int tcp_pair(const char *addr, int *client, int *server)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int lfd = tcp_listen(addr, 1), err = 0;

	if (lfd < 0)
		return lfd;
	*client = *server = -1;
	if (getsockname(lfd, (struct sockaddr *)&ss, &len))
		goto err_errno;
	*client = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&ss, len))
		goto err_errno;
	*server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*server < 0)
		goto err_errno;
	close(lfd);
	return 0;

err_errno:
	err = -errno;
	if (*client >= 0)
		close(*client);
	*client = -1;
	close(lfd);
	return err;
}

void loopback_pair(int *client, int *server)
{
	int err = tcp_pair("127.0.0.1", client, server);

	if (err) {
		fprintf(stderr, "loopback pair: %s\n", strerror(-err));
		exit(2);
	}
}

int loopback_listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = tcp_listen("127.0.0.1", 64);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)addr, &len)) {
		fprintf(stderr, "loopback listener: %s\n", strerror(fd < 0 ? -fd : errno));
		exit(2);
	}
	return fd;
}

ssize_t send_with_type(int fd, uint8_t type, const void *buf, size_t len)
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

ssize_t recv_with_type(int fd, void *buf, size_t len, int flags, uint8_t *type)
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
