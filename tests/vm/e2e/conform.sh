#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What an independent TLS test suite sees of `ktlso serve`: P-521 and X448
# key exchange with OpenSSL, and hand-built ClientHellos that break a rule,
# each answered with the alert RFC 8446 names, at once.
#
#   openssl s_client -groups P-521|X448 ─┐
#   probe (python, raw bytes) ───────────┴──► ktlso serve 8446 ── ktlsod
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

port=8446
www=$tmp/www
mkdir -p "$www"
echo hello >"$www/a.txt"
bg "$KTLSO" serve "$port" --dir "$www" --timeout 60000 2>"$tmp/serve.log"
wait_listen "$port"

# s_client GROUP: a GET over TLS 1.3 with only that group offered.
s_client() {
	printf 'GET /a.txt HTTP/1.0\r\n\r\n' |
		timeout 20 openssl s_client -connect "localhost:$port" -tls1_3 \
			-groups "$1" -CAfile "$PKI/root.pem" -verify_return_error \
			-ign_eof >"$tmp/s_client.log" 2>&1 || true
}
has() { grep -q "$1" "$tmp/s_client.log"; }

s_client P-521
check "openssl s_client -groups P-521: 200, key exchange on P-521" \
	bash -c "grep -q 'HTTP/1.1 200 OK' '$tmp/s_client.log' &&
		grep -q 'Server Temp Key: ECDH, secp521r1' '$tmp/s_client.log'"
s_client X448
check "openssl s_client -groups X448: 200, key exchange on X448" \
	bash -c "grep -q 'HTTP/1.1 200 OK' '$tmp/s_client.log' &&
		grep -q 'Server Temp Key: X448' '$tmp/s_client.log'"

# probe CASE: send a hand-built first flight, print what came back (hex)
# and whether the server closed within WAIT seconds ("closed"/"open").
probe() {
	python3 - "$port" "$1" <<'EOF'
import os, socket, struct, sys, time

port, case = int(sys.argv[1]), sys.argv[2]

def vec(n, b):
    return len(b).to_bytes(n, "big") + b

def ext(t, b):
    return struct.pack(">H", t) + vec(2, b)

def client_hello(legacy=0x0303, groups=(0x001d,)):
    # any 32 bytes are an X25519 u-coordinate (RFC 7748 §5)
    share = struct.pack(">H", 0x001d) + vec(2, os.urandom(32))
    exts = (ext(10, vec(2, b"".join(struct.pack(">H", g) for g in groups)))
            + ext(13, vec(2, b"\x04\x03\x08\x04"))
            + ext(43, vec(1, b"\x03\x04"))
            + ext(51, vec(2, share)))
    body = (struct.pack(">H", legacy) + os.urandom(32) + vec(1, os.urandom(32))
            + vec(2, b"\x13\x01") + vec(1, b"\x00") + vec(2, exts))
    return b"\x16\x03\x01" + vec(2, b"\x01" + vec(3, body))

CCS = b"\x14\x03\x03\x00\x01\x01"
flights = {
    "sslv3": client_hello(legacy=0x0300),
    "share-not-listed": client_hello(groups=(0x0017,)),
    "one-ccs": client_hello() + CCS,
    "two-ccs": client_hello() + CCS + CCS,
}
wait = 4.0
s = socket.create_connection(("localhost", port))
s.sendall(flights[case])
got, state, end = b"", "open", time.monotonic() + wait
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        state = "closed"
        break
    if not b:
        state = "closed"
        break
    got += b
print(got.hex(), state)
EOF
}

# RFC 8446 §D.5: fatal protocol_version (70), plaintext, then the close.
check "ClientHello legacy_version 0x0300: protocol_version, closed" \
	test "$(probe sslv3)" = "15030300020246 closed"
# §4.2.8: fatal illegal_parameter (47)
check "an x25519 share, supported_groups only P-256: illegal_parameter, closed" \
	test "$(probe share-not-listed)" = "1503030002022f closed"
# §5: one CCS is dropped: the server sends its flight and waits
out=$(probe one-ccs)
check "ClientHello + one CCS: the server's flight, then it waits" \
	bash -c "[[ '$out' == 160303* ]] && [[ '$out' == *' open' ]]"
# §5, §D.4: a second one ends the handshake at once (the alert is under
# the server's application keys, unreadable here; the close is not)
out=$(probe two-ccs)
check "ClientHello + two CCS in one segment: the flight, then closed at once" \
	bash -c "[[ '$out' == 160303* ]] && [[ '$out' == *' closed' ]]"

finish
