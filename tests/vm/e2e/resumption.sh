#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Session resumption through ktlsod: a client's second connection resumes
# (TLS 1.3 ticket, TLS 1.2 ticket and session ID), the application's
# getsockopt(KTLSO_HANDSHAKE) says so; so do curl's second request of one
# invocation (a new connection: ktlso serve closes after each response) and
# Python's ssl given the first connection's SSLSocket.session; a ticket
# from one ktlsod resumes on another holding the same ticket key file, and
# no more once that key is rotated out of the other's file.
#
#   openssl s_client -sess_out/-sess_in ══► ktlso serve :9471 --profile resume
#   curl URL URL, python3 ssl (session=) ══►   (ktlsod A: tickets, session cache)
#   openssl s_client -sess_out ═══════════► ktlso serve :9472 --profile fleet
#                                            (ktlsod A, ticket_key_file = k1)
#   ┌ netns ktlso-b ─────────────────────────────────────────────────────┐
#   │ openssl s_client -sess_in ══► ktlso serve :9473 --profile fleet     │
#   │                               (ktlsod B, ticket_key_file = kb:      │
#   │                                k1, then k2 alone after a SIGHUP)    │
#   └────────────────────────────────────────────────────────────────────┘
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"

NS=ktlso-b
b_pid=
trap 'kill $b_pid 2>/dev/null || true; cleanup; ip netns del $NS 2>/dev/null || true' EXIT

make_pki
write_config
# Key files: 16-byte name, 32-byte key (ktlsod.conf(5), ticket_key_file)
{ printf 'ktlso-e2e-key-01'; head -c 32 /dev/urandom; } >"$tmp/k1"
{ printf 'ktlso-e2e-key-02'; head -c 32 /dev/urandom; } >"$tmp/k2"
cp "$tmp/k1" "$tmp/kb"
chmod 600 "$tmp/k1" "$tmp/k2" "$tmp/kb"
profiles() { # KEY-FILE: the resume and fleet profiles
	cat <<EOF

[profile resume]
cert = $PKI/server-p256-chain.pem
key = $PKI/server-p256.key
tickets = on
session_cache = on

[profile fleet]
cert = $PKI/server-p256-chain.pem
key = $PKI/server-p256.key
tickets = on
ticket_key_file = $1
EOF
}
profiles "$tmp/k1" >>"$tmp/ktlsod.conf"
start_daemon

mkdir "$tmp/www"
echo resumed >"$tmp/www/f.txt"
bg "$KTLSO" serve 9471 --dir "$tmp/www" --profile resume 2>"$tmp/serve.log"
bg "$KTLSO" serve 9472 --dir "$tmp/www" --profile fleet 2>"$tmp/serve-fleet.log"
wait_listen 9471
wait_listen 9472

# get NAME PORT [ARGS...]: one GET through openssl s_client, its report in
# NAME.out; in the other namespace when $in_b is set.
in_b=
get() {
	local name=$1 port=$2
	shift 2
	printf 'GET /f.txt HTTP/1.0\r\n\r\n' |
		${in_b:+ip netns exec $NS} timeout 30 openssl s_client \
		-connect "localhost:$port" -servername localhost \
		-CAfile "$PKI/root.pem" -verify_return_error -ign_eof "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.log"
}

# said NAME WHAT: s_client's session line (New or Reused, version), and the
# file came.
said() { grep -q "^$2, TLSv" "$tmp/$1.out" && grep -qx resumed "$tmp/$1.out"; }

# served LOG WANT: ktlso serve's latest request line (its TLS part is
# getsockopt(KTLSO_HANDSHAKE)'s status) ends resumed (yes) or not (no).
served() {
	local last
	last=$(grep '"GET /f.txt' "$1" | tail -n 1)
	case $2 in
	yes) [[ $last == *" verified=no resumed "* ]] ;;
	no) [[ -n $last && $last != *" resumed "* ]] ;;
	esac
}

for v in 1.3 1.2 "1.2 -no_ticket"; do
	set -- $v
	ver=$1 opt=${2:-}
	what="TLS $ver${opt:+ $opt}"
	s=$tmp/sess-${ver}${opt}
	check "$what: a full handshake, the session saved" \
		get full "9471" "-tls${ver/./_}" $opt -sess_out "$s"
	check "  s_client: New; ktlso serve: not resumed" \
		eval 'said full New && served "$tmp/serve.log" no'
	check "$what: the saved session resumes" \
		get again "9471" "-tls${ver/./_}" $opt -sess_in "$s"
	check "  s_client: Reused, TLSv$ver" grep -q "^Reused, TLSv$ver" "$tmp/again.out"
	check "  getsockopt(KTLSO_HANDSHAKE) in ktlso serve: resumed" \
		served "$tmp/serve.log" yes
done
check "ktlsod logged the resumed handshakes: resumed=yes, 3 of them" \
	test "$(grep -c 'profile=resume .* resumed=yes result=ok' "$tmp/ktlsod.log")" = 3

# served_pair LOG: ktlso serve's two latest requests, a full handshake then
# a resumed one.
served_pair() {
	local first second
	first=$(grep '"GET /f.txt' "$1" | tail -n 2 | head -n 1)
	second=$(grep '"GET /f.txt' "$1" | tail -n 1)
	[[ -n $first && $first != *" resumed "* &&
		$second == *" verified=no resumed "* ]]
}

# py_get VERSION: Python's ssl, twice, the second given the first's session.
py_get() {
	timeout 20 python3 - 9471 "$PKI/root.pem" "$1" >"$tmp/py-$1.out" 2>&1 <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.minimum_version = ctx.maximum_version = (
    ssl.TLSVersion.TLSv1_3 if sys.argv[3] == "1.3" else ssl.TLSVersion.TLSv1_2)
def get(session=None):
    with socket.create_connection(("localhost", int(sys.argv[1]))) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost",
                             session=session) as s:
            s.sendall(b"GET /f.txt HTTP/1.0\r\n\r\n")
            body = b""
            while chunk := s.recv(4096):  # to the end: a TLS 1.3 ticket too
                body += chunk
            return s.session, s.session_reused, body.endswith(b"resumed\n")
session, first, got1 = get()
_, second, got2 = get(session)
print("session_reused:", first, second, "files:", got1, got2)
sys.exit(0 if (first, second, got1, got2) == (False, True, True, True) else 1)
PY
}

for ver in 1.3 1.2; do
	check "curl, TLS $ver: two URLs in one invocation, both files" \
		test "$(curl -sS --max-time 20 --cacert "$PKI/root.pem" \
			--tlsv"$ver" --tls-max "$ver" https://localhost:9471/f.txt \
			https://localhost:9471/f.txt | tr '\n' ' ')" = "resumed resumed "
	check "  ktlso serve: the second connection resumed the first's session" \
		served_pair "$tmp/serve.log"
	check "Python ssl, TLS $ver: session_reused False, then True" py_get "$ver"
	cat "$tmp/py-$ver.out"
	check "  ktlso serve: the second connection resumed the first's session" \
		served_pair "$tmp/serve.log"
done

# ktlsod B in its own network namespace, the same key file's keys.
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
cp "$tmp/ktlsod.conf" "$tmp/b.conf"
sed -i "s|^ticket_key_file = .*|ticket_key_file = $tmp/kb|" "$tmp/b.conf"
ip netns exec "$NS" "$KTLSOD" -c "$tmp/b.conf" 2>>"$tmp/ktlsod-b.log" &
b_pid=$!
b_up() { ip netns exec "$NS" "$KTLSO" status >/dev/null 2>&1; }
for _ in $(seq 300); do b_up && break; sleep 0.1; done
check "ktlsod B is up in netns $NS" b_up
ip netns exec "$NS" "$KTLSO" serve 9473 --dir "$tmp/www" --profile fleet \
	2>"$tmp/serve-b.log" &
pids+=($!)
# /proc/net/tcp of a process in the namespace shows its sockets; tcp6
# holds ktlso serve's, which listens dual-stack where the kernel has IPv6
in_ns_listen() {
	ip netns exec "$NS" cat /proc/self/net/tcp /proc/self/net/tcp6 2>/dev/null |
		awk '$2 ~ /:2501$/ && $4 == "0A" { f = 1 } END { exit !f }'
}
for _ in $(seq 100); do in_ns_listen && break; sleep 0.1; done

check "a ticket from ktlsod A (profile fleet)" \
	get fleet-a 9472 -tls1_3 -sess_out "$tmp/sess-fleet"
check "  s_client: New" said fleet-a New
in_b=1
check "the same ticket on ktlsod B, which has the same key file" \
	get fleet-b 9473 -tls1_3 -sess_in "$tmp/sess-fleet"
check "  s_client: Reused, TLSv1.3; ktlso serve on B: resumed" \
	eval 'said fleet-b Reused && served "$tmp/serve-b.log" yes'

# Rotation on B: k1 gone, k2 seals and opens; reloaded with SIGHUP.
cp "$tmp/k2" "$tmp/kb"
kill -HUP "$b_pid"
reloaded() { grep -Eq 'b\.conf: [0-9]+ profiles?$' "$tmp/ktlsod-b.log"; }
for _ in $(seq 100); do reloaded && break; sleep 0.1; done
check "ktlsod B reloaded its configuration" reloaded
check "the ticket of the rotated-out key on B: a full handshake that works" \
	get rotated 9473 -tls1_3 -sess_in "$tmp/sess-fleet"
check "  s_client: New; ktlso serve on B: not resumed" \
	eval 'said rotated New && served "$tmp/serve-b.log" no'
in_b=
finish
