#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Mutual TLS, ktlsod on either side, and client certificates refused.
#
#   ktlso connect --profile client-cert ══► openssl s_server -Verify (needs one)
#   curl --cert / ktlso connect         ══► ktlso serve --profile mtls
#                                             (client_auth = required)
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

# connect NAME PORT [options...]: ktlso connect, stdin from NAME.in;
# NAME.out and NAME.log.
connect() {
	local name=$1 port=$2
	shift 2
	"$KTLSO" connect "localhost:$port" "$@" <"$tmp/$name.in" \
		>"$tmp/$name.out" 2>"$tmp/$name.log"
}

# As a client: ktlsod presents client.pem to a server that insists.
port=9461
s_server "$port" -Verify 2 -CAfile "$PKI/root.pem" -verify_return_error
echo hello >"$tmp/c1.in"
check "ktlso connect --profile client-cert to s_server -Verify: exit 0" \
	connect c1 "$port" --profile client-cert
check "  s_server verified our certificate, CN=client" \
	grep -q 'Peer certificate: O = ktlso test, CN = client' "$tmp/s_server-$port.log"
check "  data went both ways" grep -qx olleh "$tmp/c1.out"

port=9462
s_server "$port" -Verify 2 -CAfile "$PKI/root.pem" -verify_return_error
: >"$tmp/c2.in"
check "without a client certificate the same server refuses: exit 1" \
	fails connect c2 "$port"
# TLS 1.3: the client is done before the server judges its (missing)
# certificate, so the alert may come during the handshake or just after.
check "  the server's alert is reported" \
	grep -Eq '^ktlso: (handshake failed: .* \(alert [a-z_]+\)|.* sent alert [a-z_]+)$' \
	"$tmp/c2.log"

# As a server: ktlso serve asks for a certificate and checks it.
port=9463
mkdir "$tmp/www"
echo secret >"$tmp/www/s.txt"
bg "$KTLSO" serve "$port" --dir "$tmp/www" --profile mtls 2>"$tmp/serve.log"
wait_listen "$port"
curl_s() {
	curl -s --max-time 20 --cacert "$PKI/root.pem" "$@" \
		"https://localhost:$port/s.txt"
}
check "curl with the client certificate gets the file" \
	test "$(curl_s --cert "$PKI/client-chain.pem" --key "$PKI/client.key")" = secret
check "  ktlso serve logged the client as verified, CN=client" \
	grep -q '"GET /s.txt HTTP/1.1" 200 7 TLSv1.3 .* peer=".*CN=client.*" verified=yes' \
	"$tmp/serve.log"
check "curl without a certificate gets nothing" fails curl_s
check "curl with a certificate from an unknown root gets nothing" \
	fails curl_s --cert "$PKI/other-server-chain.pem" --key "$PKI/other-server.key"
check "  ktlso serve: that certificate rejected (EKEYREJECTED)" \
	grep -q 'handshake failed: Key was rejected by service' "$tmp/serve.log"

# ktlsod on both ends.
printf 'GET /s.txt HTTP/1.0\r\n\r\n' >"$tmp/get.in"
cp "$tmp/get.in" "$tmp/c3.in"
cp "$tmp/get.in" "$tmp/c4.in"
check "ktlso connect --profile client-cert to ktlso serve --profile mtls" \
	connect c3 "$port" --profile client-cert
check "  200 and the file" grep -qx secret "$tmp/c3.out"
check "ktlso connect --profile client-stranger is refused: exit 1" \
	fails connect c4 "$port" --profile client-stranger
check "  with the server's alert, and no file" \
	bash -c "grep -q 'alert [a-z_]*' '$tmp/c4.log' && ! grep -q secret '$tmp/c4.out'"
check "only the two verified clients' requests reached the server" \
	test "$(grep -c '"GET /s.txt' "$tmp/serve.log")" = 2
finish
