#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ktlsod's limits (ktlsod.conf(5), LIMITS): max_handshakes at once, the
# rest waiting in the kernel; handshake_memory per handshake. Peers that
# never finish fill every slot; ktlsod's memory stays under the bound
# ktlsod(8) states, computed here from the two keys.
#
#   flood.py ── 8 peers: a ClientHello of nearly the largest size
#            │  ktlsod takes, cut short                ══► ktlso serve 9472
#            ── 24 client handshakes ──► a listener that never answers
#            ── 1 GET while all is full, 1 GET after   ══► ktlso serve 9472
#   ktlsod: max_handshakes = 16, handshake_memory = 512K
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"

max=16 memory=$((512 * 1024)) stall_ms=8000
make_pki
write_config
sed -i "1i max_handshakes = $max\nhandshake_memory = $memory" "$tmp/ktlsod.conf"
start_daemon
# The largest handshake message ktlsod takes within handshake_memory.
max_message=$(sed -n 's/.*handshake messages up to \([0-9]*\) bytes.*/\1/p' \
	"$tmp/ktlsod.log")

port=9472
mkdir "$tmp/www"
head -c 4096 /dev/urandom >"$tmp/www/f.bin"
bg "$KTLSO" serve "$port" --dir "$tmp/www" --timeout "$stall_ms" \
	2>"$tmp/serve.log"
wait_listen "$port"

PYTHONPATH=$(dirname "$CLIENT_PY") python3 "$(dirname "$CLIENT_PY")/flood.py" \
	"$daemon_pid" localhost "$port" /f.bin \
	--sha256 "$(sha256sum <"$tmp/www/f.bin" | cut -d' ' -f1)" \
	--silent 24 --stuffers 8 --stall-timeout "$stall_ms" \
	--max-message "${max_message:-65536}" >"$tmp/flood.out" 2>"$tmp/flood.log" || true
cat "$tmp/flood.out"
val() { sed -n "s/^$1: //p" "$tmp/flood.out"; }

check "ktlsod states the largest message it takes" test -n "$max_message"
check "the warm-up GET succeeds" test "$(val 'warm-up GET')" = ok
check "a ClientHello over that size gets a fatal alert at once" \
	test "$(val 'oversized ClientHello answered with')" = \
	"record type 21, alert level 2"
check "ktlsod holds $max handshake sockets while 32 peers stall, no more" \
	test "$(( $(val 'stalled fds') - $(val 'idle fds') ))" = "$max"
check "a GET made while every slot is taken waits" \
	test "$(val 'waiting GET done while stalled')" = no
check "... and succeeds once slots free" \
	grep -Eq '^GET made while the slots were full: ok after' "$tmp/flood.out"
check "the silent handshakes all end with ETIMEDOUT" \
	test "$(val 'silent handshakes')" = ETIMEDOUT
check "a GET after they have all ended succeeds" \
	test "$(val 'GET after they ended')" = ok
bound=$(( $(val 'idle VmRSS') + max * memory ))
echo "ktlsod VmHWM $(val VmHWM) bytes; bound: idle VmRSS $(val 'idle VmRSS') + $max x $memory = $bound"
check "ktlsod's peak RSS stays within idle + max_handshakes x handshake_memory" \
	test "$(val VmHWM)" -le "$bound"
check "ktlsod gave back every descriptor" \
	test "$(val 'fds at the end')" = "$(val 'idle fds')"
check "ktlsod is still running" kill -0 "$daemon_pid"
finish
