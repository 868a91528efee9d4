#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ktlso connect` against unmodified OpenSSL and GnuTLS servers, TLS 1.2
# and 1.3, with data both ways at once.
#
#   up.txt ─► ktlso connect ══ TLS ══► openssl s_server -rev   (lines reversed)
#   stdout ◄─      │                   gnutls-serv --echo      (echoed)
#                  └─ KTLSO_HANDSHAKE ─► ktlsod
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

lines 4000 >"$tmp/up.txt"	# 300 KiB, more than the socket buffers
rev "$tmp/up.txt" >"$tmp/reversed.txt"

# run NAME PORT: ktlso connect with up.txt; its stdout in NAME.out.
run() {
	"$KTLSO" connect "localhost:$2" <"$tmp/up.txt" >"$tmp/$1.out" \
		2>"$tmp/$1.log"
}

port=9440
for v in 1.2 1.3; do
	port=$((port + 1))
	s_server "$port" "-tls${v/./_}"
	check "openssl s_server TLS $v: ktlso connect exits 0" run "openssl-$v" "$port"
	cat "$tmp/openssl-$v.log"
	check "  the handshake line: TLSv$v, peer CN=server p256, verified=yes" \
		grep -q "^ktlso: .*:$port TLSv$v TLS_.* peer=\".*CN=server p256.*\" verified=yes$" \
		"$tmp/openssl-$v.log"
	check "  4000 lines went up and came back reversed" \
		cmp "$tmp/openssl-$v.out" "$tmp/reversed.txt"
done

for v in 1.2 1.3; do
	port=$((port + 1))
	bg gnutls-serv --echo -p "$port" \
		--x509certfile "$PKI/server-p256-chain.pem" \
		--x509keyfile "$PKI/server-p256.key" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS$v" >"$tmp/gnutls-$port.log" 2>&1
	wait_listen "$port"
	check "gnutls-serv TLS $v: ktlso connect exits 0" run "gnutls-$v" "$port"
	cat "$tmp/gnutls-$v.log"
	check "  the handshake line: TLSv$v, verified=yes" \
		grep -q "^ktlso: .*:$port TLSv$v TLS_.* verified=yes$" "$tmp/gnutls-$v.log"
	check "  4000 lines went up and came back" \
		cmp "$tmp/gnutls-$v.out" "$tmp/up.txt"
done
finish
