/* SPDX-License-Identifier: MIT */
/*
 * Sockets for the tests and benchmarks: a TCP pair over loopback (IPv4,
 * IPv6 or IPv4-mapped), and sending or receiving one record with its
 * content type in a SOL_TLS control message.
 */
#ifndef KTLSO_TLS_SOCK_H
#define KTLSO_TLS_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* A listening TCP socket on a numeric address, any free port: the fd, or
 * -errno. */
int tcp_listen(const char *addr, int backlog);

/* An established TCP pair on a numeric address ("127.0.0.1", "::1",
 * "::ffff:127.0.0.1"); the listener is closed again. 0 or -errno. */
int tcp_pair(const char *addr, int *client, int *server);

/* An IPv4 loopback pair; exits on failure (test setup). */
void loopback_pair(int *client, int *server);

struct sockaddr_in;
/* An IPv4 loopback listener on a free port, its address in *addr; exits on
 * failure (test setup). */
int loopback_listener(struct sockaddr_in *addr);

/* sendmsg with TLS_SET_RECORD_TYPE. */
ssize_t send_with_type(int fd, uint8_t type, const void *buf, size_t len);

/* recvmsg reporting TLS_GET_RECORD_TYPE in *type (0 if none came). */
ssize_t recv_with_type(int fd, void *buf, size_t len, int flags, uint8_t *type);

#endif /* KTLSO_TLS_SOCK_H */
