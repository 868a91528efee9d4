#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Many handshakes at once, and peers that never answer.
#
#   client.py ── 8 handshakes ──► a listener that never answers (15 s timeout)
#             ── then 1, then 200 concurrent GETs ══► ktlso serve 9470
#   ktlsod serves all 8 + 2 x 201 handshakes side by side
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

port=9470
mkdir "$tmp/www"
head -c 4096 /dev/urandom >"$tmp/www/f.bin"
bg "$KTLSO" serve "$port" --dir "$tmp/www" 2>"$tmp/serve.log"
wait_listen "$port"

python3 "$CLIENT_PY" many localhost "$port" /f.bin --count 200 \
	--sha256 "$(sha256sum <"$tmp/www/f.bin" | cut -d' ' -f1)" \
	--stalled 8 --stall-timeout 15000 >"$tmp/many.out" 2>"$tmp/many.log" || true
cat "$tmp/many.out"
check "a handshake started after 8 silent peers completes while they wait" \
	grep -Eq '^one GET while 8 handshakes stall: ok in .*, 8 of them still waiting$' \
	"$tmp/many.out"
check "200 concurrent handshakes (and GETs of the file) all succeed" \
	grep -q '^200 of 200 concurrent GETs ok' "$tmp/many.out"
check "the 8 silent peers each time out with ETIMEDOUT, not before 15 s" \
	grep -Eq '^8 stalled handshakes: ETIMEDOUT after (1[4-9]|2[0-9])\.[0-9]s' "$tmp/many.out"
check "ktlso serve logged 201 requests" \
	test "$(grep -c '"GET /f.bin HTTP/1.1" 200 4096 ' "$tmp/serve.log")" = 201
finish
