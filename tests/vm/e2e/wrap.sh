#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ktlso wrap`: unmodified programs over ktlso, against each other and
# against peers that know TLS themselves.
#
#   ktlso wrap -- iperf3 -c 127.0.0.1 ──ktlso──► ktlso wrap --ports 5201 -- iperf3 -s
#   ktlso wrap -- curl http://127.0.0.1:8444 ──► ktlso serve 8444 (TLS)
#   openssl s_client ──TLS──► ktlso wrap --ports 8445 -- python3 echo (upper-cases)
#   ktlso wrap -- python3 client ──► python3 plain TCP sink (must see only a
#                                     ClientHello, and the client an errno)
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'" >&2; return 1; }; }
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {"d": d}))' "$@"; }

# --- iperf3 on both ends, each wrapped ---
tx0=$(counter KtlsoTxRecords) rx0=$(counter KtlsoRxRecords)
bg "$KTLSO" wrap --ports 5201 -- iperf3 -s -1 -p 5201 >"$tmp/iperf3-s.log" 2>&1
wait_listen 5201
iperf3_client() {
	timeout 60 "$KTLSO" wrap --name localhost -- \
		iperf3 -c 127.0.0.1 -p 5201 -t 2 -J >"$tmp/iperf3-c.json" 2>"$tmp/iperf3-c.log"
}
check "wrapped iperf3 -c to wrapped iperf3 -s exits 0" iperf3_client
bytes=$(json "$tmp/iperf3-c.json" 'd["end"]["sum_received"]["bytes"]' 2>/dev/null || echo 0)
echo "# iperf3 moved $bytes bytes"
check "iperf3 moved data (end.sum_received.bytes > 1 MiB)" test "$bytes" -gt $((1 << 20))
tx=$(($(counter KtlsoTxRecords) - tx0)) rx=$(($(counter KtlsoRxRecords) - rx0))
echo "# ktlso_stat: $tx records sealed, $rx opened"
# Each record holds at most 16 KiB: at least bytes/16384 of them, each way.
check "/proc/net/ktlso_stat: iperf3's bytes went as records (sealed)" \
	test "$bytes" -gt 0 -a "$tx" -ge $((bytes / 16384))
check "/proc/net/ktlso_stat: iperf3's bytes went as records (opened)" \
	test "$bytes" -gt 0 -a "$rx" -ge $((bytes / 16384))

# --- curl, not knowing, against ktlso serve ---
mkdir -p "$tmp/www"
echo hello >"$tmp/www/a.txt"
bg "$KTLSO" serve 8444 --dir "$tmp/www" 2>"$tmp/serve.log"
wait_listen 8444
check "wrapped curl http:// (non-blocking connect) gets the file from ktlso serve" \
	is "$(timeout 30 "$KTLSO" wrap --name localhost -- \
		curl -sS http://127.0.0.1:8444/a.txt 2>"$tmp/curl.log")" hello
check "... and TLS 1.2 with --profile tls12" \
	is "$(timeout 30 "$KTLSO" wrap --name localhost --profile tls12 -- \
		curl -sS http://127.0.0.1:8444/a.txt 2>>"$tmp/curl.log")" hello
check "wrapped curl with a name the certificate lacks fails" \
	fails timeout 30 "$KTLSO" wrap --name wrong.invalid -- \
		curl -sS -o /dev/null http://127.0.0.1:8444/a.txt 2>>"$tmp/curl.log"

# --- openssl s_client against a wrapped server ---
# One line back per connection, then the server closes: s_client -quiet
# ignores its stdin's end and would wait for the server otherwise.
bg "$KTLSO" wrap --ports 8445 -- python3 -c 'import socket
s = socket.create_server(("127.0.0.1", 8445))
while True:
    try:
        c, _ = s.accept()
    except OSError:
        continue
    with c:
        d = b""
        while not d.endswith(b"\n") and (b := c.recv(65536)):
            d += b
        c.sendall(d.upper())' 2>"$tmp/echo.log"
wait_listen 8445
out=$(printf 'hello ktlso\n' | timeout 30 openssl s_client -quiet -connect 127.0.0.1:8445 \
	-servername localhost -CAfile "$PKI/root.pem" -verify_return_error \
	2>"$tmp/s_client.log" | head -n 1 || true)
check "openssl s_client to a wrapped python3 server: the reply comes back" \
	is "$out" "HELLO KTLSO"
out=$(printf 'x\n' | timeout 30 openssl s_client -quiet -connect 127.0.0.1:8445 \
	-tls1_2 -CAfile "$PKI/root.pem" -verify_return_error 2>>"$tmp/s_client.log" |
	head -n 1 || true)
check "... over TLS 1.2 too" is "$out" "X"

# --- a plain TCP server: the client gets an errno, the wire no plaintext ---
python3 -c 'import socket, sys
s = socket.create_server(("127.0.0.1", 8446))
c, _ = s.accept()
c.settimeout(5)
d = b""
try:
    while len(d) < 5:
        b = c.recv(5 - len(d))
        if not b: break
        d += b
except OSError:
    pass
open(sys.argv[1], "wb").write(d)
c.close()' "$tmp/sink.bin" &
sink=$!
wait_listen 8446
check "a wrapped client to a plain TCP server gets an errno from connect()" \
	timeout 30 "$KTLSO" wrap -- python3 -c 'import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", 8446))
    s.sendall(b"secret plaintext")
except OSError as e:
    print("errno", e.errno, e.strerror, file=sys.stderr)
    sys.exit(0)
sys.exit(1)' 2>"$tmp/plain.log"
wait "$sink" || true
check "the plain server got a TLS handshake record, not the plaintext" \
	is "$(head -c 3 "$tmp/sink.bin" | od -An -tx1 | tr -d ' ')" 160301

finish
