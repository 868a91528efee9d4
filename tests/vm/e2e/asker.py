#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A handshake asked for by another user, for access.sh: become that user
(and move into a cgroup first, as root), then make the socket and ask.

  asker.py [--uid U] [--gid G] [--groups G1,G2] [--cgroup DIR]
           --profile P HOST PORT

Prints "handshake: ok" and the reversed line s_server -rev sends back, or
"handshake failed: ERRNO", then "send after: ERRNO" and "recv after:
ERRNO" (the socket must stay unusable). Exit 0 either way; 1 on setup.
"""
import argparse
import errno
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client  # noqa: E402


def become(args):
    if args.cgroup:
        with open(os.path.join(args.cgroup, "cgroup.procs"), "w") as f:
            f.write("%d\n" % os.getpid())
    groups = [int(g) for g in args.groups.split(",") if g] if args.groups else []
    os.setgroups(groups)
    os.setgid(args.gid)
    os.setuid(args.uid)


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--uid", type=int, default=65534)
    p.add_argument("--gid", type=int, default=65534)
    p.add_argument("--groups", default="")
    p.add_argument("--cgroup")
    p.add_argument("--profile", required=True)
    p.add_argument("host")
    p.add_argument("port", type=int)
    args = p.parse_args()
    become(args)
    # Made after the drop: the socket's file carries the new credentials.
    sock = socket.create_connection((args.host, args.port))
    try:
        client.start_handshake(sock, "localhost", args.profile,
                               timeout_ms=10000)
        client.handshake_result(sock)
    except client.HandshakeError as e:
        print("handshake failed: %s" % errname(e))
        for what, op in (("send", lambda: sock.send(b"plaintext\n")),
                         ("recv", lambda: sock.recv(16))):
            try:
                print("%s after: ok %r" % (what, op()))
            except OSError as e2:
                print("%s after: %s" % (what, errname(e2)))
        sock.close()
        return 0
    print("handshake: ok")
    sock.sendall(b"abc\n")
    got = b""
    while not got.endswith(b"\n"):
        data = sock.recv(4096)
        if not data:
            break
        got += data
    print("echo: %s" % got.decode(errors="replace").strip())
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
