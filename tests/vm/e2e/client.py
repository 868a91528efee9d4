#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TLS from Python with nothing but the socket module: any language that
can call setsockopt can use ktlso.

  this program ── TCP ──► peer        setsockopt(SOL_TCP, TCP_ULP, "ktlso")
       │                              setsockopt(SOL_TLS, KTLSO_HANDSHAKE, req)
       └─ plaintext; ktlso.ko and ktlsod do the TLS

  client.py talk HOST PORT [--name N] [--profile P] [--timeout MS] [--line T]
      blocking handshake, send a line, print the line that comes back
  client.py many HOST PORT PATH --count N --sha256 HEX [--stalled K --stall-timeout MS]
      non-blocking handshakes on one thread: K to a peer that never
      answers, then one, then N at once, each GETting PATH over HTTPS
  client.py abort --kill PID [--timeout MS]
      a handshake to a silent peer; SIGKILL to PID (ktlsod) once the
      ClientHello is on the wire; the errno, and whether the socket stays
      unusable
A failed handshake prints "handshake failed: ERRNO alert=N" (talk: exit 1).

A blocking setsockopt holds Python's GIL for the whole handshake, so
concurrency here comes from non-blocking sockets (EINPROGRESS, then POLLOUT
or POLLERR), not from threads.
"""
import argparse
import errno
import hashlib
import os
import select
import selectors
import signal
import socket
import struct
import sys
import time

SOL_TLS = 282
TCP_ULP = 31
KTLSO_HANDSHAKE = 0x6B01
TLS_SET_RECORD_TYPE = 1
TLS_GET_RECORD_TYPE = 2
ROLE_CLIENT, ROLE_SERVER = 1, 2
HS_IN_PROGRESS, HS_DONE, HS_FAILED = 1, 2, 3
# struct ktlso_handshake_req and struct ktlso_handshake_status
# (include/uapi/linux/ktlso.h), native byte order, no padding.
REQ = struct.Struct("=II256s256s64s")
STATUS = struct.Struct("=IiiHHHBB256s256s")
CT_ALERT, CT_HANDSHAKE, CT_DATA = 21, 22, 23
HS_NEW_SESSION_TICKET = 4


class HandshakeError(OSError):
    def __init__(self, err, st):
        super().__init__(err, os.strerror(err))
        self.status = st

    def __str__(self):
        return "handshake failed: %s alert=%d" % (errname(self), self.status["alert"])


class BadResponse(Exception):
    """The GET ended cleanly (EOF or close_notify) without the whole file:
    no errno from the kernel, so not named like one."""


def errname(e):
    if isinstance(e, BadResponse):
        return "bad-response"
    if not isinstance(e, OSError):
        return "ok"
    return errno.errorcode.get(e.errno, str(e.errno))


def status(sock):
    (state, error, alert, version, suite, _, verified, _, alpn,
     subject) = STATUS.unpack(sock.getsockopt(SOL_TLS, KTLSO_HANDSHAKE, STATUS.size))
    cstr = lambda b: b.split(b"\0", 1)[0].decode()
    return dict(state=state, error=error, alert=alert, version=version,
                suite=suite, verified=verified, alpn=cstr(alpn),
                subject=cstr(subject))


def start_handshake(sock, name="", profile="", alpn="", timeout_ms=0,
                    role=ROLE_CLIENT):
    """The two setsockopt calls. On a blocking socket this returns when
    TLS is up (or raises); on a non-blocking one at once."""
    sock.setsockopt(socket.SOL_TCP, TCP_ULP, b"ktlso")
    req = REQ.pack(role, timeout_ms, name.encode(), alpn.encode(),
                   profile.encode())
    try:
        sock.setsockopt(SOL_TLS, KTLSO_HANDSHAKE, req)
    except BlockingIOError:
        pass  # EINPROGRESS: POLLOUT when done, POLLERR on failure
    except OSError as e:
        raise HandshakeError(e.errno, status(sock)) from None


def handshake_result(sock):
    """The status once the handshake has ended; None while it runs."""
    st = status(sock)
    if st["state"] == HS_IN_PROGRESS:
        return None
    if st["state"] == HS_FAILED:
        raise HandshakeError(st["error"], st)
    return st


def describe(st):
    version = {0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}.get(st["version"], hex(st["version"]))
    return "%s suite=0x%04x verified=%d peer=%r" % (version, st["suite"],
                                                     st["verified"], st["subject"])


def recv(sock, n=65536):
    """Plaintext, b"" at close_notify or EOF. Every record's type comes
    in a control message; TLS 1.3 session tickets are dropped (OpenSSL
    sends each in a record of its own)."""
    while True:
        data, anc, _, _ = sock.recvmsg(n, socket.CMSG_SPACE(1))
        ctype = CT_DATA
        for level, kind, value in anc:
            if level == SOL_TLS and kind == TLS_GET_RECORD_TYPE:
                ctype = value[0]
        if ctype == CT_DATA or not data:
            return data
        if ctype == CT_ALERT and data[1] == 0:
            return b""
        if ctype == CT_HANDSHAKE and data[0] == HS_NEW_SESSION_TICKET:
            continue
        raise OSError(errno.EPROTO, "record type %d: %s" % (ctype, data[:8].hex()))


def close_notify(sock):
    sock.sendmsg([b"\x01\x00"], [(SOL_TLS, TLS_SET_RECORD_TYPE, bytes([CT_ALERT]))])


def talk(args):
    sock = socket.create_connection((args.host, args.port))
    try:
        start_handshake(sock, args.name or args.host, args.profile,
                        timeout_ms=args.timeout)
        st = handshake_result(sock)
    except HandshakeError as e:
        print(e)
        return 1
    print(describe(st))
    sock.sendall(args.line.encode() + b"\n")
    got = b""
    # Plain recv(), as any program would: the kernel keeps the server's
    # TLS 1.3 session tickets away from a daemon-established socket.
    while not got.endswith(b"\n"):
        data = sock.recv(65536)
        if not data:
            break
        got += data
    print(got.decode(errors="replace").rstrip("\n"))
    close_notify(sock)
    sock.close()
    return 0


class Get:
    """One HTTPS GET on a non-blocking socket, driven by Loop."""

    def __init__(self, loop, addr, path, timeout_ms=0):
        self.request = b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path.encode()
        self.response = b""
        self.error = None
        self.seconds = None
        self.t0 = time.monotonic()
        self.sock = socket.create_connection(addr)
        self.sock.setblocking(False)
        self.handshaking = True
        try:
            start_handshake(self.sock, "localhost", timeout_ms=timeout_ms)
        except OSError as e:
            self.end(e)
            return
        loop.add(self)

    @property
    def done(self):
        return self.seconds is not None

    def end(self, error=None):
        self.error = error
        self.seconds = time.monotonic() - self.t0
        self.sock.close()

    def event(self, loop):
        """Returns True when finished."""
        try:
            if self.handshaking:
                if handshake_result(self.sock) is None:
                    return False
                self.handshaking = False
                self.sock.send(self.request)  # small: fits the buffer
                loop.want_read(self)
                return False
            data = recv(self.sock)
            if data:
                self.response += data
                return False
            self.end()
        except BlockingIOError:
            return False  # a ticket record was all there was
        except OSError as e:
            self.end(e)
        return True

    def check(self, sha256):
        head, _, body = self.response.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200 ") or hashlib.sha256(body).hexdigest() != sha256:
            self.error = BadResponse("%d bytes" % len(self.response))


class Loop:
    """poll() over many sockets: a handshake ends with POLLOUT or POLLERR
    (selectors reports POLLERR as readable and writable)."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()

    def add(self, conn):
        self.sel.register(conn.sock, selectors.EVENT_WRITE, conn)

    def want_read(self, conn):
        self.sel.modify(conn.sock, selectors.EVENT_READ, conn)

    def run_until(self, finished):
        while not finished():
            for key, _ in self.sel.select(timeout=1):
                conn = key.data
                if conn.event(self):
                    self.sel.unregister(key.fileobj)


def many(args):
    ok = True
    loop = Loop()
    addr = (args.host, args.port)
    silent = socket.create_server(("127.0.0.1", 0), backlog=args.stalled + 1)
    stalled = [Get(loop, silent.getsockname(), "/", args.stall_timeout)
               for _ in range(args.stalled)]
    if stalled:
        time.sleep(1)  # ktlsod has them and waits for answers
        one = Get(loop, addr, args.path)
        loop.run_until(lambda: one.done)
        if not one.error:
            one.check(args.sha256)
        pending = sum(not s.done for s in stalled)
        print("one GET while %d handshakes stall: %s in %.1fs, %d of them still waiting"
              % (len(stalled), errname(one.error), one.seconds, pending))
        ok &= one.error is None and pending == len(stalled)

    t0 = time.monotonic()
    gets = [Get(loop, addr, args.path) for _ in range(args.count)]
    loop.run_until(lambda: all(g.done for g in gets))
    errors = {}
    for g in gets:
        if not g.error:
            g.check(args.sha256)
        if g.error:
            # A failure after a good handshake is not a handshake failure.
            name = errname(g.error)
            if not isinstance(g.error, (HandshakeError, BadResponse)):
                name += "-after-handshake" if not g.handshaking else ""
            errors[name] = errors.get(name, 0) + 1
    good = args.count - sum(errors.values())
    print("%d of %d concurrent GETs ok in %.1fs, slowest %.1fs%s"
          % (good, args.count, time.monotonic() - t0, max(g.seconds for g in gets),
             "".join(", %d %s" % (v, k) for k, v in sorted(errors.items()))))
    ok &= good == args.count

    if stalled:
        loop.run_until(lambda: all(s.done for s in stalled))
        names = sorted({errname(s.error) for s in stalled})
        first = min(s.seconds for s in stalled)
        print("%d stalled handshakes: %s after %.1fs to %.1fs (timeout %.1fs)"
              % (len(stalled), ",".join(names), first,
                 max(s.seconds for s in stalled), args.stall_timeout / 1000))
        ok &= names == ["ETIMEDOUT"]
        ok &= first >= args.stall_timeout / 1000 * 0.9  # the request's own timeout
    return 0 if ok else 1


def abort(args):
    silent = socket.create_server(("127.0.0.1", 0))
    sock = socket.create_connection(silent.getsockname())
    peer, _ = silent.accept()
    sock.setblocking(False)
    t0 = time.monotonic()
    start_handshake(sock, "localhost", timeout_ms=args.timeout)
    hello = peer.recv(5)  # the ClientHello: ktlsod is mid-handshake
    os.kill(args.kill, signal.SIGKILL)
    result = "still running"
    p = select.poll()
    p.register(sock, select.POLLOUT)
    while p.poll(args.timeout + 5000):
        try:
            if handshake_result(sock) is not None:
                result = "none"
                break
        except HandshakeError as e:
            result = errname(e)
            break
    seconds = time.monotonic() - t0
    try:
        sock.send(b"plaintext after a failed handshake")
        after = "sent"
    except OSError as e:
        after = errname(e)
    peer.settimeout(1)
    try:
        rest = peer.recv(65536)
    except socket.timeout:
        rest = b""
    print("first record type %d; killed pid %d; handshake: %s after %.1fs; "
          "send after: %s; plaintext on the wire: %s"
          % (hello[0] if hello else -1, args.kill, result, seconds, after,
             "yes" if b"plaintext" in rest else "no"))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("talk")
    t.add_argument("host")
    t.add_argument("port", type=int)
    t.add_argument("--name", default="")
    t.add_argument("--profile", default="")
    t.add_argument("--timeout", type=int, default=0)
    t.add_argument("--line", default="hello from python")
    m = sub.add_parser("many")
    m.add_argument("host")
    m.add_argument("port", type=int)
    m.add_argument("path")
    m.add_argument("--count", type=int, default=200)
    m.add_argument("--sha256", required=True)
    m.add_argument("--stalled", type=int, default=0)
    m.add_argument("--stall-timeout", type=int, default=15000)
    a = sub.add_parser("abort")
    a.add_argument("--kill", type=int, required=True)
    a.add_argument("--timeout", type=int, default=30000)
    args = ap.parse_args()
    return {"talk": talk, "many": many, "abort": abort}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
