#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Each way a handshake can fail gives its documented errno
# (Documentation/handshake.rst), and never a hang or plaintext.
#
#   ktlso connect / client.py ══► openssl s_server with a bad certificate
#                             ──► a peer that never answers
#                             ──► a silent peer, ktlsod killed mid-handshake
#                             ──► anyone, no ktlsod at all
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

# fail_with NAME ERRNO-TEXT PORT [options...]: ktlso connect fails
# the handshake with that strerror text, exit status 1.
fail_with() {
	local name=$1 text=$2 port=$3 rc=0
	shift 3
	"$KTLSO" connect "localhost:$port" "$@" </dev/null >/dev/null \
		2>"$tmp/$name.log" || rc=$?
	[ "$rc" = 1 ] && grep -q "^ktlso: handshake failed: $text" "$tmp/$name.log"
}

# s_server_cert PORT NAME: s_server presenting NAME.pem.
s_server_cert() {
	s_server "$1" -cert "$PKI/$2.pem" -key "$PKI/$2.key"
}

port=9480
s_server_cert $((port + 1)) server-expired
check "expired server certificate: EKEYREJECTED" \
	fail_with expired 'Key was rejected by service' $((port + 1))
s_server_cert $((port + 2)) other-server
check "server certificate from an unknown root: EKEYREJECTED" \
	fail_with unknown 'Key was rejected by service' $((port + 2))
s_server $((port + 3))
check "a name the certificate does not carry: EKEYREJECTED" \
	fail_with name 'Key was rejected by service' $((port + 3)) \
	--servername www.example.com
s_server $((port + 4))
check "client.py sees the same errno: EKEYREJECTED" \
	bash -c "python3 '$CLIENT_PY' talk localhost $((port + 4)) --profile other-ca |
		grep -q '^handshake failed: EKEYREJECTED alert=[0-9]'"
s_server $((port + 5)) -tls1_3
check "TLS 1.3-only server, TLS 1.2-only profile: EPROTO" \
	fail_with version 'Protocol error' $((port + 5)) --profile tls12
s_server $((port + 6))
check "a profile ktlsod does not have: EINVAL" \
	fail_with profile 'Invalid argument' $((port + 6)) --profile no-such-profile

silent $((port + 7))
t0=$SECONDS
check "a peer that never answers: ETIMEDOUT" \
	fail_with silent 'Connection timed out' $((port + 7)) --timeout 3000
took=$((SECONDS - t0))
check "  after the 3 s asked for (${took}s)" test "$took" -ge 2 -a "$took" -le 10

# ktlsod dies with the handshake in its hands.
python3 "$CLIENT_PY" abort --kill "$daemon_pid" >"$tmp/abort.out" 2>&1 || true
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=
cat "$tmp/abort.out"
check "ktlsod killed mid-handshake: ECONNABORTED, well within the timeout" \
	grep -Eq 'handshake: ECONNABORTED after [0-9]\.[0-9]s;' "$tmp/abort.out"
check "  the socket refuses data afterwards, nothing in clear on the wire" \
	grep -Eq 'send after: E[A-Z]+; plaintext on the wire: no$' "$tmp/abort.out"

# And with no daemon at all.
silent $((port + 8))
t0=$SECONDS
check "no ktlsod: ECONNREFUSED" \
	fail_with nodaemon 'Connection refused' $((port + 8))
took=$((SECONDS - t0))
check "  at once (${took}s), never a hang" test "$took" -le 3
check "  client.py: ECONNREFUSED" \
	bash -c "python3 '$CLIENT_PY' talk localhost $((port + 8)) |
		grep -q '^handshake failed: ECONNREFUSED'"
finish
