#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fill ktlsod's handshake slots with peers that never finish, and watch
what it holds (tests/vm/e2e/limits.sh).

  flood.py PID HOST PORT PATH --sha256 HEX --silent K --stuffers J
           --stall-timeout MS --max-message M

  K client handshakes ── to a listener that never answers (MS timeout)
  1 raw peer  ── a ClientHello announcing M + 1 bytes ══► ktlso serve PORT
  J raw peers ── a ClientHello header announcing M - 64 bytes, then all but
                 a little of it, then silence ══► ktlso serve PORT
  while they stall: ktlsod's VmRSS, VmHWM and descriptors (/proc/PID);
  one GET meanwhile (it waits for a slot), one after they have all ended.

Prints one "name: value" line per figure; limits.sh judges them.
"""
import argparse
import os
import socket
import struct
import time

import client

CT_HANDSHAKE, CT_ALERT = 22, 21
HS_CLIENT_HELLO = 1


def proc_status(pid):
    """VmRSS and VmHWM in bytes, from /proc/PID/status."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    return out


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def records(payload):
    """Plaintext handshake records of at most 2^14 bytes (RFC 8446 §5.1)."""
    out = b""
    for i in range(0, len(payload), 16384):
        chunk = payload[i:i + 16384]
        out += struct.pack("!BHH", CT_HANDSHAKE, 0x0301, len(chunk)) + chunk
    return out


def stuffer(addr, announced, sent):
    """A ClientHello header for `announced` bytes, then `sent` of them."""
    s = socket.create_connection(addr)
    body = bytes(sent)
    s.sendall(records(struct.pack("!I", HS_CLIENT_HELLO << 24 | announced) + body))
    return s


def first_record(sock, seconds):
    """The first record's type and its first two bytes, or None."""
    sock.settimeout(seconds)
    try:
        head = sock.recv(7)
    except (socket.timeout, ConnectionError):
        return None
    return head[0], head[5:7] if len(head) >= 7 else b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pid", type=int)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("path")
    ap.add_argument("--sha256", required=True)
    ap.add_argument("--silent", type=int, required=True)
    ap.add_argument("--stuffers", type=int, required=True)
    ap.add_argument("--stall-timeout", type=int, required=True)
    ap.add_argument("--max-message", type=int, required=True)
    args = ap.parse_args()
    addr = (args.host, args.port)
    loop = client.Loop()

    def get(timeout_ms=0):
        g = client.Get(loop, addr, args.path, timeout_ms)
        loop.run_until(lambda: g.done)
        if not g.error:
            g.check(args.sha256)
        return g

    warm = get()
    print("warm-up GET: %s" % client.errname(warm.error))
    too_big = stuffer(addr, args.max_message + 1, 1024)
    answer = first_record(too_big, 5)
    print("oversized ClientHello answered with: %s"
          % ("nothing" if answer is None else
             "record type %d, alert level %d" % (answer[0], answer[1][0])
             if answer[1] else "record type %d" % answer[0]))
    too_big.close()
    time.sleep(0.5)
    base = proc_status(args.pid)
    base_fds = fds(args.pid)
    print("idle VmRSS: %d" % base["VmRSS"])
    print("idle fds: %d" % base_fds)

    # Stuffers first, so that they have slots: they are what grows.
    stuffed = [stuffer(addr, args.max_message - 64, args.max_message - 1024)
               for _ in range(args.stuffers)]
    time.sleep(1)
    silent = socket.create_server(("127.0.0.1", 0), backlog=args.silent + 1)
    stalled = [client.Get(loop, silent.getsockname(), "/", args.stall_timeout)
               for _ in range(args.silent)]
    time.sleep(1)  # ktlsod has what it can take, the rest waits
    t_wait = time.monotonic()
    waiting = client.Get(loop, addr, args.path, 60000)
    time.sleep(1)
    during = proc_status(args.pid)
    print("stalled fds: %d" % fds(args.pid))
    print("stalled VmRSS: %d" % during["VmRSS"])
    print("waiting GET done while stalled: %s" % ("yes" if waiting.done else "no"))

    loop.run_until(lambda: waiting.done)
    if not waiting.error:
        waiting.check(args.sha256)
    print("GET made while the slots were full: %s after %.1fs"
          % (client.errname(waiting.error), time.monotonic() - t_wait))
    loop.run_until(lambda: all(s.done for s in stalled))
    print("silent handshakes: %s" % ",".join(sorted({client.errname(s.error)
                                                      for s in stalled})))
    for s in stuffed:
        s.close()
    after = get()
    print("GET after they ended: %s" % client.errname(after.error))
    print("VmHWM: %d" % proc_status(args.pid)["VmHWM"])
    time.sleep(0.5)
    print("fds at the end: %d" % fds(args.pid))


if __name__ == "__main__":
    main()
