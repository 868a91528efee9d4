# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034
# Sourced by every end-to-end script (tests/vm/e2e/*.sh) inside the VM:
# checks that print one line each, a test PKI, a ktlsod.conf, ktlsod itself,
# background processes that die with the script, and a few waits.
#
#   ktlso connect / serve / client.py ──setsockopt──► ktlso.ko ──genl──► ktlsod
#                                                        │
#                                              openssl s_server, gnutls-serv,
#                                              curl, ktlso serve: real peers

cd "$(dirname "${BASH_SOURCE[0]}")/../../.." || exit 1
KTLSO=$PWD/build/ktlso
KTLSOD=$PWD/build/ktlsod
CLIENT_PY=$PWD/tests/vm/e2e/client.py
# The guest's /tmp is fresh for every boot: one PKI per boot, shared by
# the scripts (making it is the slow part under emulation).
PKI=/tmp/ktlso-e2e-pki

. tests/lib/check.bash
daemon_pid=
before_cleanup() { stop_daemon; }

# The closing line and the exit status; on failure, the logs' ends.
finish() {
	local f
	echo "$passed passed, $failed failed"
	if [ "$failed" != 0 ]; then
		for f in "$tmp"/*.log; do
			[ -s "$f" ] || continue
			echo "--- $(basename "$f")"
			tail -n 15 "$f"
		done
	fi
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
}

# bg CMD...: run in the background, killed at exit; $! as usual.
bg() {
	"$@" &
	pids+=($!)
}

# make_pki: the test PKI in $PKI, once per boot: a copy of the one
# tools/check made on the host for this run (RSA keys take seconds under
# emulation), else made here.
make_pki() {
	[ -f "$PKI/.done" ] && return 0
	if [ -n "$(find build/e2e-pki/.done -mmin -720 2>/dev/null)" ]; then
		rm -rf "$PKI" && cp -a build/e2e-pki "$PKI"
	else
		tests/pki/mkpki "$PKI" >/dev/null
	fi
	touch "$PKI/.done"
}

# The profiles every script uses; a client verifies with the test root.
write_config() {
	cat >"$tmp/ktlsod.conf" <<EOF
# server: server-p256 (ECDSA); client: verify against the test root
[profile default]
cert = $PKI/server-p256-chain.pem
key = $PKI/server-p256.key
ca = $PKI/root.pem

[profile tls12]
ca = $PKI/root.pem
max_version = 1.2

[profile tls13]
ca = $PKI/root.pem
min_version = 1.3

# client with a certificate from the test root
[profile client-cert]
cert = $PKI/client-chain.pem
key = $PKI/client.key
ca = $PKI/root.pem

# client with a certificate from a root nobody here trusts
[profile client-stranger]
cert = $PKI/other-server-chain.pem
key = $PKI/other-server.key
ca = $PKI/root.pem

# client that trusts only the other root: every test server is a stranger
[profile other-ca]
ca = $PKI/other-root.pem

# server that requires a client certificate from the test root
[profile mtls]
cert = $PKI/server-p256-chain.pem
key = $PKI/server-p256.key
ca = $PKI/root.pem
client_auth = required
EOF
}

# Is the daemon reachable, by `ktlso status`'s own judgement?
reachable() { "$KTLSO" status >"$tmp/status.out" 2>&1; }

# start_daemon [ktlsod options...]: ktlsod with the test configuration,
# ready.
start_daemon() {
	"$KTLSOD" -c "$tmp/ktlsod.conf" "$@" 2>>"$tmp/ktlsod.log" &
	daemon_pid=$!
	# The first start in a boot loads the AEAD modules it probes (~11 s).
	for _ in $(seq 300); do
		reachable && return 0
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "ktlsod did not come up:" >&2
	cat "$tmp/ktlsod.log" "$tmp/status.out" >&2
	return 1
}

stop_daemon() {
	[ -n "$daemon_pid" ] || return 0
	kill "$daemon_pid" 2>/dev/null || true
	wait "$daemon_pid" 2>/dev/null || true
	daemon_pid=
}

# setup: what every script needs, the daemon running.
setup() {
	make_pki
	write_config
	start_daemon
}

# counter NAME: a counter of /proc/net/ktlso_stat.
counter() { awk -v n="$1" '$1 == n { print $2 }' /proc/net/ktlso_stat; }

# s_server PORT [openssl options...]: openssl s_server with the test
# server certificate, for one connection, echoing lines reversed; its
# output in $tmp/s_server-PORT.log.
s_server() {
	local port=$1
	shift
	bg openssl s_server -accept "$port" -naccept 1 -rev \
		-cert "$PKI/server-p256.pem" -key "$PKI/server-p256.key" \
		-cert_chain "$PKI/inter.pem" "$@" >"$tmp/s_server-$port.log" 2>&1
	wait_listen "$port"
}

# silent PORT: a TCP peer that accepts and never says a word.
silent() {
	bg python3 -c 'import socket, sys, time
s = socket.create_server(("127.0.0.1", int(sys.argv[1])), backlog=64)
conns = []
while True:
    conns.append(s.accept())' "$1"
	wait_listen "$1"
}

# lines N: N lines of random printable text, for data both ways.
lines() { head -c $(($1 * 57)) /dev/urandom | base64 -w 76; }
