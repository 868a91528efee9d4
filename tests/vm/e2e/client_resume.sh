#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ktlsod's client session cache (tickets = on): `ktlso connect` twice to
# openssl s_server, which issues TLS 1.3 tickets. The first connection is a
# full handshake; its ticket goes from the kernel to ktlsod (TICKET, with
# the socket's cookie), which turns it into a session with the connection's
# resumption secret; the second connection offers it as a PSK and resumes.
# Both sides must say so: s_server "Reused session-id", ktlso connect
# "resumed". A SIGHUP empties the cache: the third connection is full.
# Then TLS 1.2 (a profile with max_version = 1.2): ktlsod keeps the session
# when the first handshake ends (the ticket comes inside it), and the
# second connection offers its ticket or session ID, to s_server with
# tickets only (-no_cache), with session IDs only (-no_ticket), and to
# gnutls-serv, each saying it resumed ("This is a resumed session").
#
#   ktlso connect ─1─► s_server ─NewSessionTicket─► ktlso.ko ─TICKET─► ktlsod
#   ktlso connect ─2─► s_server (PSK from ktlsod's cache): resumed
#   SIGHUP; ktlso connect ─3─► s_server: full handshake
#   TLS 1.2: ktlso connect ─1─► server (session ID / ticket) ─► ktlsod's cache
#            ktlso connect ─2─► server (the session offered): resumed
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
	echo "[profile resume12]"
	echo "ca = $PKI/root.pem"
	echo "tickets = on"
	echo "max_version = 1.2"
} >>"$tmp/ktlsod.conf"
start_daemon -v

# held_s_server PORT LOG ARGS...: not -rev (which does not report reuse);
# stdin held open so it serves on. Each end of the fifo is opened in its
# own child (a redirection of bg, a function, would block this shell).
mkfifo "$tmp/hold"
sleep 600 >"$tmp/hold" &
pids+=($!)
held_s_server() {
	local port=$1 log=$2
	shift 2
	openssl s_server -accept "$port" "$@" \
		-cert "$PKI/server-p256.pem" -key "$PKI/server-p256.key" \
		-cert_chain "$PKI/inter.pem" <"$tmp/hold" >"$log" 2>&1 &
	pids+=($!)
	wait_listen "$port"
}

port=9460
held_s_server "$port" "$tmp/s_server.log" -naccept 3 -tls1_3

# connect N [PROFILE]: ktlso connect with one line up to port; its messages
# in connect-N.log.
connect() {
	echo "line $1" | "$KTLSO" connect "localhost:$port" \
		--profile "${2:-resume}" \
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

# resume12 NAME LOG TEXT: two TLS 1.2 connections to port, the first full,
# the second resumed; the server's LOG says TEXT once.
resume12() {
	local name=$1 log=$2 text=$3
	check "$name: first ktlso connect exits 0" connect "$name-1" resume12
	cat "$tmp/connect-$name-1.log"
	check "  a full TLS 1.2 handshake, the server verified" \
		grep -q "^ktlso: .*:$port TLSv1.2 .* verified=yes$" \
		"$tmp/connect-$name-1.log"
	check "$name: second ktlso connect exits 0" connect "$name-2" resume12
	cat "$tmp/connect-$name-2.log"
	check "  ktlso connect says resumed" \
		grep -q "^ktlso: .*:$port TLSv1.2 .* verified=yes resumed$" \
		"$tmp/connect-$name-2.log"
	check "  the server says: $text" \
		test "$(grep -c "$text" "$log")" = 1
}

port=9461
held_s_server "$port" "$tmp/s_server-ticket.log" -naccept 2 -tls1_2 -no_cache
resume12 "s_server, tickets only" "$tmp/s_server-ticket.log" \
	"^Reused session-id"
port=9462
held_s_server "$port" "$tmp/s_server-id.log" -naccept 2 -tls1_2 -no_ticket
resume12 "s_server -no_ticket, session IDs" "$tmp/s_server-id.log" \
	"^Reused session-id"
port=9463
bg stdbuf -oL gnutls-serv --echo -p "$port" \
	--x509certfile "$PKI/server-p256-chain.pem" \
	--x509keyfile "$PKI/server-p256.key" \
	--priority "NORMAL:-VERS-ALL:+VERS-TLS1.2" >"$tmp/gnutls.log" 2>&1
wait_listen "$port"
resume12 "gnutls-serv" "$tmp/gnutls.log" "This is a resumed session"
finish
