#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Out of file descriptors: ktlsod with RLIMIT_NOFILE 300 runs both ends of
# 400 concurrent GETs. A handshake must end cleanly on both ends: success,
# or a failure both ends see as one (an errno from the table in
# Documentation/handshake.rst); never a client whose handshake succeeded
# and whose server then vanished.
#
#   client.py ── 400 concurrent GETs ══► ktlso serve 9471
#        │                                   │
#        └── client handshakes ─► ktlsod ◄── server handshakes
#                          (nofile 300: ~145 sockets at once)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

port=9471
mkdir "$tmp/www"
head -c 4096 /dev/urandom >"$tmp/www/f.bin"
# The server waits longer than its clients (30 s): a TLS 1.3 client
# completes before its server, so a server that gives up after its flight
# leaves a client with a dead connection (ktlsod(8), LIMITS).
bg "$KTLSO" serve "$port" --dir "$tmp/www" --timeout 60000 2>"$tmp/serve.log"
wait_listen "$port"
prlimit --pid "$daemon_pid" --nofile=300:300

python3 "$CLIENT_PY" many localhost "$port" /f.bin --count 400 \
	--sha256 "$(sha256sum <"$tmp/www/f.bin" | cut -d' ' -f1)" \
	>"$tmp/many.out" 2>"$tmp/many.log" || true
cat "$tmp/many.out"
grep -c 'result=' "$tmp/ktlsod.log" | sed 's/^/ktlsod handshake lines: /'
grep -o 'result=[A-Za-z]*' "$tmp/ktlsod.log" | sort | uniq -c
summary=$(grep -E '^[0-9]+ of 400 concurrent GETs' "$tmp/many.out" || true)
check "client.py ran all 400 GETs to an end" test -n "$summary"
check "no client read a record that failed authentication (EBADMSG)" \
	fails grep -q EBADMSG <<<"$summary"
check "no GET lost its response after its handshake succeeded" \
	fails grep -Eq 'bad-response|after-handshake' <<<"$summary"
# What a client may see: its own request refused or timed out, or its
# server's (a local server that gave up: the connection closes).
only_clean() { ! grep -Eo '[0-9]+ [A-Za-z-]+' <<<"${summary#*slowest}" |
	grep -Ev ' (EAGAIN|ETIMEDOUT|ECONNRESET)$' | grep -q .; }
check "every failed GET failed its handshake (EAGAIN, ETIMEDOUT, ECONNRESET)" \
	only_clean
check "most GETs succeed" test "$(cut -d' ' -f1 <<<"$summary")" -ge 200
check "ktlsod never failed a handshake it had started with EMFILE" \
	fails grep -q 'result=EMFILE' "$tmp/ktlsod.log"
check "ktlsod is still running" kill -0 "$daemon_pid"
finish
