#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# curl downloads 64 MiB from `ktlso serve`: the body leaves by sendfile()
# through ktlso.ko's records, the handshake was ktlsod's.
#
#   curl (libssl) ──── 127.0.0.1:8443 ────► ktlso serve ── sendfile ──► ktlso.ko
#                                              └── KTLSO_HANDSHAKE ──► ktlsod
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

port=8443
mkdir "$tmp/www"
head -c 64M /dev/urandom >"$tmp/www/big.bin"
want=$(sha256sum <"$tmp/www/big.bin" | cut -d' ' -f1)
bg "$KTLSO" serve "$port" --dir "$tmp/www" 2>"$tmp/serve.log"
wait_listen "$port"

tx0=$(counter KtlsoTxBytes)
check "curl --cacert downloads 64 MiB from ktlso serve" \
	curl -sS --fail --cacert "$PKI/root.pem" -o "$tmp/got" \
	"https://localhost:$port/big.bin"
check "its SHA-256 matches" \
	test "$(sha256sum <"$tmp/got" | cut -d' ' -f1)" = "$want"
check "ktlso.ko sealed it: KtlsoTxBytes grew by at least 64 MiB" \
	test $(($(counter KtlsoTxBytes) - tx0)) -ge $((64 << 20))
check "ktlso serve logged it: 200, 67108864 bytes, TLSv1.3, verified=no" \
	grep -q '"GET /big.bin HTTP/1.1" 200 67108864 TLSv1.3 .* verified=no' \
	"$tmp/serve.log"
finish
