#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ktlso wrap` on a host without a usable ktlso (no module here, or no
# daemon): every wrapped TCP connection must fail with an errno and put not
# one byte in clear on the wire; what is not TCP, or not a listed port, is
# left alone. The VM test tests/vm/e2e/wrap.sh covers the working case.
# Runs as build/tests/unit/wrap_test (make copies it there).
#
#   wrapped curl / python3 ──TCP 127.0.0.1──► sink.py (counts the bytes it got)
#   curl (not wrapped)     ──TCP 127.0.0.1──► sink.py (the control)
#   python3 listener (wrapped, port listed or not) ◄── python3 client
set -euo pipefail
cd "$(dirname "$0")/../../.."
KTLSO=$PWD/build/ktlso
. tests/lib/check.bash

# sink: accepts, answers an HTTP 200 to whatever comes, appends the byte
# count of each connection to $tmp/sink.bytes; its port in $tmp/sink.port.
python3 -c 'import socket, sys
s = socket.create_server(("127.0.0.1", 0))
open(sys.argv[1] + "/sink.port", "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    c.settimeout(2)
    n = 0
    try:
        while True:
            d = c.recv(65536)
            if not d: break
            n += len(d)
            if b"\r\n\r\n" in d:
                c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
                break
    except OSError:
        pass
    c.close()
    open(sys.argv[1] + "/sink.bytes", "a").write("%d\n" % n)' "$tmp" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/sink.port" ] && break; sleep 0.05; done
port=$(cat "$tmp/sink.port")
url=http://127.0.0.1:$port/

# sink_total: bytes the sink received so far, once it logged N connections.
sink_total() {
	for _ in $(seq 60); do
		[ "$(wc -l <"$tmp/sink.bytes" 2>/dev/null || echo 0)" -ge "$1" ] && break
		sleep 0.05
	done
	awk '{ s += $1 } END { print s + 0 }' "$tmp/sink.bytes" 2>/dev/null || echo 0
}

check "usage: no program is exit status 2" \
	bash -c "'$KTLSO' wrap >/dev/null 2>&1; [ \$? = 2 ]"
check "usage: --ports with a bad port is exit status 2" \
	bash -c "'$KTLSO' wrap --ports 80,x -- true >/dev/null 2>&1; [ \$? = 2 ]"
check "a program with no TCP runs as usual" \
	bash -c "[ \"\$('$KTLSO' wrap -- printf hi)\" = hi ]"
check "curl, not wrapped, reaches the sink (the control)" \
	bash -c "[ \"\$(curl -sS -m 5 '$url')\" = ok ]"
control=$(sink_total 1)
check "the sink counted the control's request" test "$control" -gt 0

# curl connects non-blocking: the handshake is asked for at SO_ERROR.
check "wrapped curl (non-blocking connect) fails" \
	fails "$KTLSO" wrap -- curl -sS -m 5 -o /dev/null "$url"
check "wrapped python3 (blocking connect) fails with an errno" \
	bash -c "'$KTLSO' wrap -- python3 -c '
import socket, sys
s = socket.socket()
try:
    s.connect((\"127.0.0.1\", $port))
    s.sendall(b\"GET / HTTP/1.0\r\n\r\n\")
except OSError as e:
    sys.exit(0 if e.errno else 1)
sys.exit(1)'"
# TCP Fast Open puts data in the SYN, before any ULP: refused.
tfo() {
	"$@" python3 -c 'import socket, sys
s = socket.socket()
try:
    s.sendto(b"GET / HTTP/1.0\r\n\r\n", socket.MSG_FASTOPEN, ("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    print(e.errno)
    sys.exit(0)
s.settimeout(5)
try:
    s.recv(100)
except OSError:
    pass
print(0)' "$port"
}
check "wrapped sendto(MSG_FASTOPEN) fails with EOPNOTSUPP" \
	test "$(tfo "$KTLSO" wrap --)" = "$(python3 -c 'import errno; print(errno.EOPNOTSUPP)')"
# A non-blocking connect, then splice() from a pipe as the first write: the
# wrapper must ask for the handshake there too, not let TCP carry it.
check "wrapped splice() after a non-blocking connect fails with an errno" \
	"$KTLSO" wrap -- python3 -c 'import os, select, socket, sys
s = socket.socket()
s.setblocking(False)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except BlockingIOError:
    pass
select.select([], [s], [], 5)
r, w = os.pipe()
os.write(w, b"GET / HTTP/1.0\r\n\r\n")
for _ in range(50):
    try:
        os.splice(r, s.fileno(), 18)
        sys.exit(1)
    except BlockingIOError:
        select.select([], [s], [], 0.1)
    except OSError as e:
        sys.exit(0 if e.errno else 1)
sys.exit(1)' "$port"
# A connection accepted and closed, or none at all: either way no bytes.
sleep 0.5
check "not one byte of the wrapped clients reached the sink" \
	test "$(sink_total 1)" = "$control"

# listener LIST PORT: a wrapped server on PORT with --ports LIST, and a
# client (not wrapped) that sends "hello". Prints what the server read, or
# the errno name its accept() failed with.
listener() {
	"$KTLSO" wrap --ports "$1" -- python3 -c 'import socket, sys, errno
s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
print("up", flush=True)
try:
    a, _ = s.accept()
    a.settimeout(2)
    print(a.recv(100).decode())
except OSError as e:
    print(errno.errorcode.get(e.errno, "?"))' "$2" >"$tmp/listener.out" &
	local pid=$!
	for _ in $(seq 100); do grep -q up "$tmp/listener.out" && break; sleep 0.05; done
	python3 -c 'import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.sendall(b"hello")
c.settimeout(2)
try: c.recv(1)
except OSError: pass' "$2" || true
	wait "$pid" || true
	sed -n 2p "$tmp/listener.out"
}
p=$(free_port)
check "accept() on a port not listed is left alone" \
	test "$(listener 1 "$p")" = hello
p=$(free_port)
out=$(listener "1,$p" "$p")
check "accept() on a listed port fails with an errno ($out)" \
	bash -c "[ -n '$out' ] && [ '$out' != hello ]"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
