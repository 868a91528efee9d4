#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Any language can use ktlso: a Python program with nothing but
# socket.setsockopt (client.py) talks TLS to an unmodified openssl s_server.
#
#   client.py ── setsockopt(TCP_ULP), setsockopt(KTLSO_HANDSHAKE) ──► ktlsod
#       └════════════════ TLS ════════════════► openssl s_server -rev
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

# talk PORT LINE OUT: client.py's handshake and line, its output in OUT.
talk() { python3 "$CLIENT_PY" talk localhost "$1" --line "$2" >"$3" 2>&1; }

port=9450
for v in 1.2 1.3; do
	port=$((port + 1))
	s_server "$port" "-tls${v/./_}"
	check "TLS $v: client.py completes the handshake" \
		talk "$port" "hello from python $v" "$tmp/py-$v.out"
	cat "$tmp/py-$v.out"
	check "  getsockopt(KTLSO_HANDSHAKE) reports TLSv$v, verified, the server's subject" \
		grep -q "^TLSv$v suite=0x[0-9a-f]* verified=1 peer='.*CN=server p256.*'$" \
		"$tmp/py-$v.out"
	check "  and the line came back reversed through the kernel's records" \
		grep -qx "$(echo "hello from python $v" | rev)" "$tmp/py-$v.out"
	check "  s_server saw the same protocol" \
		grep -q "Protocol version: TLSv$v" "$tmp/s_server-$port.log"
done
finish
