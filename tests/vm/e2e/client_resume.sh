#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ktlsod's client session cache (tickets = on): `ktlso connect` twice to
# openssl s_server, which issues TLS 1.3 tickets. The first connection is a
# full handshake; its ticket goes from the kernel to ktlsod (TICKET, with
# the socket's cookie), which turns it into a session with the connection's
# resumption secret; the second connection offers it as a PSK and resumes.
# Both sides must say so: s_server "Reused session-id", ktlso connect
# "resumed". A SIGHUP empties the cache: the third connection is full.
#
#   ktlso connect ─1─► s_server ─NewSessionTicket─► ktlso.ko ─TICKET─► ktlsod
#   ktlso connect ─2─► s_server (PSK from ktlsod's cache): resumed
#   SIGHUP; ktlso connect ─3─► s_server: full handshake
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
make_pki
write_config
{
	echo
	echo "# client that keeps the tickets servers give, and resumes with them"
	echo "[profile resume]"
	echo "ca = $PKI/root.pem"
	echo "tickets = on"
} >>"$tmp/ktlsod.conf"
start_daemon -v

port=9460
# not -rev (which does not report reuse); stdin held open so it serves
# on. Each end of the fifo is opened in its own child (a redirection of
# bg, a function, would block this shell).
mkfifo "$tmp/hold"
sleep 600 >"$tmp/hold" &
pids+=($!)
openssl s_server -accept "$port" -naccept 3 -tls1_3 \
	-cert "$PKI/server-p256.pem" -key "$PKI/server-p256.key" \
	-cert_chain "$PKI/inter.pem" <"$tmp/hold" >"$tmp/s_server.log" 2>&1 &
pids+=($!)
wait_listen "$port"

# connect N: ktlso connect with one line up; its messages in connect-N.log.
connect() {
	echo "line $1" | "$KTLSO" connect "localhost:$port" --profile resume \
		>"$tmp/connect-$1.out" 2>"$tmp/connect-$1.log"
}

# kept N: ktlsod has kept N tickets so far.
kept() {
	for _ in $(seq 100); do
		[ "$(grep -c 'NewSessionTicket .*: kept' "$tmp/ktlsod.log")" -ge "$1" ] &&
			return 0
		sleep 0.05
	done
	return 1
}

reused() { [ "$(grep -c '^Reused session-id' "$tmp/s_server.log")" = "$1" ]; }

check "first ktlso connect exits 0" connect 1
cat "$tmp/connect-1.log"
check "  a full handshake, the server verified" \
	grep -q "^ktlso: .*:$port TLSv1.3 .* verified=yes$" "$tmp/connect-1.log"
check "  ktlsod kept the server's ticket" kept 1
check "second ktlso connect exits 0" connect 2
cat "$tmp/connect-2.log"
check "  ktlso connect says resumed" \
	grep -q "^ktlso: .*:$port TLSv1.3 .* verified=yes resumed$" \
	"$tmp/connect-2.log"
check "  s_server says Reused session-id" reused 1
check "  ktlsod logged resumed=yes" grep -q "resumed=yes" "$tmp/ktlsod.log"
# The reload is done when ktlsod counts the profiles again, in a line of
# its own ("ktlsod.conf: N profiles"; at start they are "N profiles from").
reloaded() {
	for _ in $(seq 200); do
		grep -q 'ktlsod.conf: [0-9]* profiles$' "$tmp/ktlsod.log" && return 0
		sleep 0.05
	done
	return 1
}
kill -HUP "$daemon_pid"
check "ktlsod reloaded on SIGHUP" reloaded
check "after SIGHUP, third ktlso connect exits 0" connect 3
cat "$tmp/connect-3.log"
check "  a full handshake: the reload emptied the cache" \
	grep -q "^ktlso: .*:$port TLSv1.3 .* verified=yes$" "$tmp/connect-3.log"
check "  s_server reused no more sessions" reused 1
finish
