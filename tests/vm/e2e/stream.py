#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Deterministic data from a seed, made and checked on the fly, so that a
transfer of any size (1 GiB) needs no copy of it in the guest's tmpfs.

  gen ──► peer A ══ TLS ══ peer B ──► check     (either may be ktlso)

The stream is a header line, "##ktlso-stream SEED MIB##", then MIB MiB
of digits, spaces and newlines from random.Random(SEED): no letter, so
OpenSSL's s_server/s_client never read a chunk of it as a command, and
whatever line a peer prints into its output among the data (s_server's
"Read BLOCK", gnutls-cli's "- Rekey was completed") starts with a byte
the data never has and can be told apart (--noisy).

  stream.py gen SEED MIB                 the stream, on stdout
  stream.py check SEED MIB [--noisy] [--progress FILE]
      stdin must be the stream: byte for byte, and nothing after it (with
      --noisy: anything before the header or after the data, and lines
      that start with a byte other than a digit, space or newline, are the
      peer's own);
      FILE holds the count of data bytes checked so far
  stream.py feed SEED MIB --parts N --after FILE [--cmd C ...]
                 [--ack-counter NAME | --ack-sleep S] [--hold FILE2 --hold-mib M]
      the stream in N parts, each ending at a line's end; between two
      parts, once FILE says the far end has checked all of it, the next
      command line (C in turn), and the next part only once the command
      was read alone: the ktlso counter NAME (/proc/net/ktlso_stat) grew,
      or S seconds passed; with --hold, stdout stays open until FILE2
      says M MiB (the other way) were checked
  stream.py pace FILE MIB N --cmd C ...
      N command lines, the i-th once FILE says i/(N+1) of MIB MiB arrived;
      stdout stays open until all of it did
  stream.py serve PORT --send SEED:MIB --expect SEED:MIB [--profile P]
                  [--progress FILE]
      a ktlso server (the ULP and KTLSO_HANDSHAKE, as any program would):
      one connection; sends one stream and checks the other at once, then
      closes (close_notify) once both are done
Each prints one line on stderr at the end; the exit status is 0 only
when every byte was as expected.
"""
import argparse
import os
import random
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client  # noqa: E402

ALPHABET = b"0123456789 \n"
TABLE = bytes(ALPHABET[i % len(ALPHABET)] for i in range(256))
BLOCK = 1 << 20
WAIT_S = 600  # without progress


def header(seed, mib):
    return b"##ktlso-stream %d %d##\n" % (seed, mib)


def blocks(seed, mib):
    """The data after the header, one MiB at a time."""
    rng = random.Random(seed)
    for _ in range(mib):
        yield rng.randbytes(BLOCK).translate(TABLE)


def write_all(fd, data):
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        sys.exit("stream: the reader went away")


def read_count(path):
    try:
        with open(path) as f:
            return int(f.read() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def wait_until(cond, what, moving=lambda: None):
    """Until cond(); give up after WAIT_S s in which moving() stayed the same."""
    deadline, seen = time.monotonic() + WAIT_S, moving()
    while not cond():
        now = moving()
        if now != seen:
            deadline, seen = time.monotonic() + WAIT_S, now
        if time.monotonic() > deadline:
            sys.exit("stream: waited %d s for %s" % (WAIT_S, what))
        time.sleep(0.05)


def wait_count(path, want):
    wait_until(lambda: read_count(path) >= want, "%s to reach %d bytes" % (path, want),
               moving=lambda: read_count(path))


def ktlso_counter(name):
    """A counter of /proc/net/ktlso_stat, or None without a name."""
    if not name:
        return None
    with open("/proc/net/ktlso_stat") as f:
        for line in f:
            key, value = line.split()
            if key == name:
                return int(value)
    sys.exit("stream: no counter %s" % name)


class Checker:
    """Compares what arrives, chunk by chunk, with the stream."""

    def __init__(self, seed, mib, noisy=False, progress=None):
        self.head = header(seed, mib)
        self.total = mib * BLOCK
        self.gen = blocks(seed, mib)
        self.expect = memoryview(b"")
        self.done = 0           # data bytes matched
        self.noisy = noisy
        self.progress = progress
        self.reported = 0
        self.pending = b""      # before the header
        self.in_header = True
        self.in_noise = False
        self.noise = []         # the peer's own lines, for the report
        self.error = None

    def _next_expected(self):
        if not self.expect:
            self.expect = memoryview(next(self.gen, b""))
        return self.expect

    def _report(self, force=False):
        """Progress for a feeder waiting on it: every 256 KiB, and all of
        it once the input pauses (idle())."""
        if self.progress and self.done != self.reported and (
                force or self.done - self.reported >= 256 << 10):
            tmp = self.progress + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % self.done)
            os.replace(tmp, self.progress)
            self.reported = self.done

    def _header(self, data):
        self.pending += data
        at = self.pending.find(self.head)
        if at < 0 or (at > 0 and not self.noisy):
            if not self.noisy and not self.head.startswith(self.pending[:len(self.head)]):
                self.error = "the stream does not start with its header"
            return b""
        rest = self.pending[at + len(self.head):]
        self.pending = b""
        self.in_header = False
        return rest

    def _noise(self, data, pos):
        """Skip the peer's line at pos; return where the data goes on."""
        end = data.find(b"\n", pos)
        line = bytes(data[pos:] if end < 0 else data[pos:end])
        if self.in_noise and self.noise:
            self.noise[-1] += line
        else:
            self.noise.append(line)
        self.in_noise = end < 0
        return len(data) if end < 0 else end + 1

    def feed(self, data):
        """Check one chunk; False (and self.error) at the first wrong byte."""
        if self.error:
            return False
        if self.in_header:
            data = self._header(data)
            if self.error:
                return False
        raw, data = data, memoryview(data)
        pos = 0
        while pos < len(data):
            if self.in_noise or (self.noisy and data[pos] not in ALPHABET):
                pos = self._noise(raw, pos)
                continue
            expect = self._next_expected()
            if not expect and self.noisy:
                self.noise.append(bytes(data[pos:]))   # the peer's own, at its end
                break
            if not expect:
                self.error = "%d bytes more than the %d sent" % (len(data) - pos, self.total)
                return False
            n = min(len(expect), len(data) - pos)
            same = self._match(data[pos:pos + n], expect[:n])
            self.expect = expect[same:]
            self.done += same
            pos += same
            if same < n and not (self.noisy and data[pos] not in ALPHABET):
                self.error = "byte %d is %r, %r expected" % (
                    self.done, bytes(data[pos:pos + 16]), bytes(expect[same:same + 16]))
                return False
        self._report()
        return True

    @staticmethod
    def _match(a, b):
        """Length of the common prefix, halving to the first difference."""
        if a == b:
            return len(a)
        lo, hi = 0, len(a)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if a[lo:mid] == b[lo:mid]:
                lo = mid
            else:
                hi = mid
        return lo

    def idle(self):
        self._report(force=True)

    def finish(self):
        self._report(force=True)
        if self.error:
            return False
        if self.in_header:
            self.error = "no header"
        elif self.done != self.total:
            self.error = "ended at byte %d of %d" % (self.done, self.total)
        return not self.error

    def summary(self):
        if self.error:
            return "FAILED: %s; %d bytes right before" % (self.error, self.done)
        return "%d MiB byte for byte, %d lines of the peer's own" % (
            self.total >> 20, len(self.noise))


def cmd_gen(args):
    write_all(1, header(args.seed, args.mib))
    for b in blocks(args.seed, args.mib):
        write_all(1, b)
    return 0


def read_checked(chk, read, fd):
    """Feed chk from read() until the end of input, an error or a wrong
    byte; when the input pauses, say how far it got."""
    while True:
        if not select.select([fd], [], [], 0.05)[0]:
            chk.idle()
            select.select([fd], [], [])
        try:
            data = read()
        except OSError as e:
            chk.error = "read: %s" % e
            return
        if not data or not chk.feed(data):
            return


def cmd_check(args):
    chk = Checker(args.seed, args.mib, args.noisy, args.progress)
    t0 = time.monotonic()
    read_checked(chk, lambda: os.read(0, BLOCK), 0)
    ok = chk.finish()
    print("check: %s in %.0f s" % (chk.summary(), time.monotonic() - t0), file=sys.stderr)
    if args.noise_log and chk.noise:
        with open(args.noise_log, "wb") as f:
            f.write(b"\n".join(chk.noise) + b"\n")
    return 0 if ok else 1


def cmd_feed(args):
    write_all(1, header(args.seed, args.mib))
    total = args.mib * BLOCK
    gen, buf, sent, n, last = blocks(args.seed, args.mib), b"", 0, 0, b"\n"[0]

    def write_to(end, line):
        """Write the data up to byte end, and with line on to the end of
        its line: gnutls-cli sees an inline command only at a line's start."""
        nonlocal buf, sent, last
        while sent < end or (line and last != b"\n"[0]):
            if not buf:
                buf = next(gen, b"")
                if not buf:
                    return
            if sent < end:
                take = min(len(buf), end - sent)
            else:
                take = buf.find(b"\n") + 1 or len(buf)
            write_all(1, buf[:take])
            buf, sent, last = buf[take:], sent + take, buf[take - 1]

    for i in range(args.parts):
        last_part = i + 1 == args.parts
        write_to(total * (i + 1) // args.parts, not last_part and args.cmd)
        if not last_part and args.cmd:
            wait_count(args.after, sent)
            before = ktlso_counter(args.ack_counter)
            write_all(1, args.cmd[n % len(args.cmd)].encode() + b"\n")
            n += 1
            # The peer must have read the command alone: s_server,
            # s_client and gnutls-serv drop what follows it in one read.
            if args.ack_counter:
                wait_until(lambda: ktlso_counter(args.ack_counter) > before,
                           "%s to pass %d" % (args.ack_counter, before))
            time.sleep(args.ack_sleep)
    if args.hold:
        wait_count(args.hold, args.hold_mib * BLOCK)
    print("feed: %d MiB, %d commands" % (args.mib, n), file=sys.stderr)
    return 0


def cmd_pace(args):
    total = args.mib * BLOCK
    for i in range(args.count):
        wait_count(args.file, total * (i + 1) // (args.count + 1))
        write_all(1, args.cmd[i % len(args.cmd)].encode() + b"\n")
    # s_server ends the connection at the end of its stdin.
    wait_count(args.file, total)
    return 0


def seed_mib(text):
    seed, mib = text.split(":")
    return int(seed), int(mib)


def cmd_serve(args):
    lsock = socket.create_server(("", args.port), family=socket.AF_INET6,
                                 dualstack_ipv6=True)
    conn, peer = lsock.accept()
    lsock.close()
    try:
        client.start_handshake(conn, profile=args.profile, role=client.ROLE_SERVER)
        st = client.handshake_result(conn)
    except client.HandshakeError as e:
        print("serve: %s" % e, file=sys.stderr)
        return 1
    print("serve: %s" % client.describe(st), file=sys.stderr)
    t0 = time.monotonic()
    send_seed, send_mib = args.send
    sent = []

    def sender():
        try:
            conn.sendall(header(send_seed, send_mib))
            for b in blocks(send_seed, send_mib):
                conn.sendall(b)
            sent.append(time.monotonic() - t0)
        except OSError as e:
            sent.append(e)

    th = threading.Thread(target=sender)
    th.start()
    chk = Checker(*args.expect, progress=args.progress)
    # A plain recv(), as any program would: KeyUpdates never reach it.
    read_checked(chk, lambda: conn.recv(BLOCK), conn)
    ok = chk.finish()
    th.join()
    conn.close()    # close_notify
    sent_ok = sent and not isinstance(sent[0], OSError)
    print("serve: received %s; sent %d MiB %s; %.0f s in all" % (
        chk.summary(), send_mib, "in %.0f s" % sent[0] if sent_ok else "FAILED: %s" % sent,
        time.monotonic() - t0), file=sys.stderr)
    return 0 if ok and sent_ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("gen")
    p.add_argument("seed", type=int)
    p.add_argument("mib", type=int)
    p.set_defaults(run=cmd_gen)
    p = sub.add_parser("check")
    p.add_argument("seed", type=int)
    p.add_argument("mib", type=int)
    p.add_argument("--noisy", action="store_true")
    p.add_argument("--progress")
    p.add_argument("--noise-log")
    p.set_defaults(run=cmd_check)
    p = sub.add_parser("feed")
    p.add_argument("seed", type=int)
    p.add_argument("mib", type=int)
    p.add_argument("--parts", type=int, default=1)
    p.add_argument("--after")
    p.add_argument("--cmd", action="append", default=[])
    p.add_argument("--hold")
    p.add_argument("--hold-mib", type=int, default=0)
    p.add_argument("--ack-counter")
    p.add_argument("--ack-sleep", type=float, default=0)
    p.set_defaults(run=cmd_feed)
    p = sub.add_parser("pace")
    p.add_argument("file")
    p.add_argument("mib", type=int)
    p.add_argument("count", type=int)
    p.add_argument("--cmd", action="append", required=True)
    p.set_defaults(run=cmd_pace)
    p = sub.add_parser("serve")
    p.add_argument("port", type=int)
    p.add_argument("--send", type=seed_mib, required=True)
    p.add_argument("--expect", type=seed_mib, required=True)
    p.add_argument("--profile", default="")
    p.add_argument("--progress")
    p.set_defaults(run=cmd_serve)
    args = ap.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
