#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# After the handshake, against real peers: the TLS 1.3 server's
# NewSessionTickets go to ktlsod, not to the application; close_notify
# goes out on shutdown; a TLS 1.2 renegotiation request, from OpenSSL's
# server (its R command) or GnuTLS's client (--rehandshake), is refused
# with a warning no_renegotiation.
#
#   ktlso connect ══ TLS ══► openssl s_server -msg   (R: HelloRequest)
#        └─ KTLSO_HANDSHAKE ─► ktlsod -v ◄── TICKET (ktlso.ko)
#   gnutls-cli --rehandshake ══ TLS 1.2 ══► ktlso serve
set -euo pipefail
. "$(dirname "$0")/lib.bash"
make_pki
write_config
start_daemon -v

# TLS 1.3: OpenSSL's server sends two tickets after the handshake.
port=9471
tickets0=$(counter KtlsoTicketRx)
s_server "$port" -tls1_3 -msg
lines 20 >"$tmp/up.txt"
rev "$tmp/up.txt" >"$tmp/reversed.txt"
check "TLS 1.3 ktlso connect to s_server: exits 0" \
	sh -c "'$KTLSO' connect localhost:$port <'$tmp/up.txt' >'$tmp/t13.out' 2>'$tmp/t13.log'"
check "  the lines came back reversed, nothing else (the tickets never reached it)" \
	cmp "$tmp/t13.out" "$tmp/reversed.txt"
sleep 0.5
check "  s_server sent two NewSessionTickets" \
	test "$(grep -c '^>>> TLS 1.3, Handshake \[length [0-9a-f]*\], NewSessionTicket' \
		"$tmp/s_server-$port.log")" = 2
check "  ktlsod was handed both, with the peer name and profile (debug log)" \
	test "$(grep -c 'NewSessionTicket from peer="localhost" profile=default' \
		"$tmp/ktlsod.log")" = 2
check "  s_server got our close_notify" \
	grep -q '^<<< TLS 1.3, Alert \[length 0002\], warning close_notify' \
	"$tmp/s_server-$port.log"
check "  KtlsoTicketRx counted both tickets" \
	test $(($(counter KtlsoTicketRx) - tickets0)) = 2

# TLS 1.2: s_server's R sends a HelloRequest. OpenSSL ends a connection
# whose renegotiation is refused (a fatal handshake_failure of its own:
# ssl/record/rec_layer_s3.c), so what we can see here is the refusal.
port=9472
mkfifo "$tmp/s_in" "$tmp/c_in"
exec 3<>"$tmp/s_in" 4<>"$tmp/c_in"
# Not through bg(): a background command's stdin is /dev/null unless
# redirected on the command itself.
openssl s_server -accept "$port" -naccept 1 -tls1_2 -msg \
	-cert "$PKI/server-p256.pem" -key "$PKI/server-p256.key" \
	-cert_chain "$PKI/inter.pem" <&3 >"$tmp/s_server-$port.log" 2>&1 &
pids+=($!)
wait_listen "$port"
"$KTLSO" connect "localhost:$port" <&4 >"$tmp/t12.out" 2>"$tmp/t12.log" &
pids+=($!)
for _ in $(seq 100); do
	grep -q "TLSv1.2" "$tmp/t12.log" && break
	sleep 0.1
done
echo "before" >&4
for _ in $(seq 50); do
	grep -q before "$tmp/s_server-$port.log" && break
	sleep 0.1
done
alerts_tx0=$(counter KtlsoAlertTx) alerts_rx0=$(counter KtlsoAlertRx)
echo R >&3
sleep 2
check "TLS 1.2 s_server R: the HelloRequest went out" \
	grep -q '^>>> TLS 1.2, Handshake \[length 0004\], HelloRequest' "$tmp/s_server-$port.log"
check "  ktlso answered with a warning no_renegotiation" \
	grep -q '^<<< TLS 1.2, Alert \[length 0002\], warning no_renegotiation' \
	"$tmp/s_server-$port.log"
check "  the data before it reached s_server" grep -q '^before' "$tmp/s_server-$port.log"
check "  KtlsoAlertTx counted the alerts s_server read from us" \
	test $(($(counter KtlsoAlertTx) - alerts_tx0)) = \
	"$(grep -c '^<<< TLS 1.2, Alert' "$tmp/s_server-$port.log")"
check "  KtlsoAlertRx counted the alerts s_server sent us" \
	test $(($(counter KtlsoAlertRx) - alerts_rx0)) = \
	"$(grep -c '^>>> TLS 1.2, Alert' "$tmp/s_server-$port.log")"
exec 3>&- 4>&-

# TLS 1.2: GnuTLS's client renegotiates right after the handshake. It
# asks again after each refusal, then gives up on its own (internal_error).
port=9473
bg "$KTLSO" serve "$port" --dir "$PKI" --timeout 20000 2>"$tmp/serve.log"
wait_listen "$port"
timeout 60 gnutls-cli --rehandshake -p "$port" --x509cafile "$PKI/root.pem" \
	--priority "NORMAL:-VERS-ALL:+VERS-TLS1.2" localhost </dev/null \
	>"$tmp/gnutls-cli.log" 2>&1 || true
check "TLS 1.2 gnutls-cli --rehandshake to ktlso serve: the handshake completed" \
	grep -q 'Handshake was completed' "$tmp/gnutls-cli.log"
check "  each renegotiation got a warning no_renegotiation" \
	grep -q '^\*\*\* Received alert \[100\]: No renegotiation is allowed' "$tmp/gnutls-cli.log"
check "  and none was done" fails grep -q 'ReHandshake was completed' "$tmp/gnutls-cli.log"
finish
