#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# KeyUpdate and renegotiation against the peers keyupdate.sh does not
# cover: ktlso as the TLS 1.3 server while openssl s_client sends k and K
# and gnutls-cli ^rekey^ and ^rekey1^; ktlso connect against gnutls-serv,
# which answers "**REHANDSHAKE**" with a KeyUpdate(update_requested) in
# TLS 1.3 and a HelloRequest in TLS 1.2; gnutls-cli's ^renegotiate^ to a
# ktlso TLS 1.2 server. Data flows both ways at once and every byte is
# checked on the fly against its seed (stream.py); the peer's own log
# (-msg, GnuTLS debug) counts the updates it sent and received, and a
# refused renegotiation must leave the connection carrying data.
#
#   stream.py feed ─► s_client / gnutls-cli ══ TLS ══ stream.py serve
#   (data, commands)        └─► stream.py check      (ULP, KTLSO_HANDSHAKE,
#                                                     role server; checks)
#   stream.py feed ─► ktlso connect ══ TLS ══ gnutls-serv --echo
#                          └─► stream.py check
#
# KTLSO_KU_MB sets s_client's size each way (8 MiB by default); the
# GnuTLS runs move 4 MiB each way.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
make_pki
write_config
cat >>"$tmp/ktlsod.conf" <<EOF

# server that speaks TLS 1.2 only
[profile server12]
cert = $PKI/server-p256-chain.pem
key = $PKI/server-p256.key
max_version = 1.2
EOF
start_daemon

mb=${KTLSO_KU_MB:-8}
gmb=4
parts=8
STREAM="python3 tests/vm/e2e/stream.py"

# A KeyUpdate line of an OpenSSL -msg log: >>> sent, <<< received.
count_updates() { grep -c "^$1 .*Handshake \[length 0005\], KeyUpdate" "$2" || true; }
# GnuTLS's debug log (-d 5): KeyUpdates it sent, update_requested (1) or not (0).
gnutls_sent() { grep -c "HSK\[.*\]: sending key update ($1)" "$2" || true; }
delta() { echo $(($(counter "$1") - $2)); }

# serve NAME PORT SEED_OUT SEED_IN MIB [profile]: stream.py serve in the
# background; progress in NAME-up.progress, its report in NAME-serve.log.
serve() {
	$STREAM serve "$2" --send "$3:$5" --expect "$4:$5" --profile "${6:-}" \
		--progress "$tmp/$1-up.progress" 2>"$tmp/$1-serve.log" &
	server=$!
	pids+=($server)
	wait_listen "$2"
}

# --- ktlso server, openssl s_client typing k and K ---------------------
port=9561 name=s_client
n_k=$((parts / 2)) n_K=$(((parts - 1) / 2))
rx0=$(counter KtlsoKeyUpdateRx) tx0=$(counter KtlsoKeyUpdateTx)
t0=$SECONDS
serve $name $port 11 12 "$mb"
crc=0 rc=0
# s_client reads commands from stdin between the parts; stdin stays open
# until the data the other way has all arrived (its end is s_client's).
$STREAM feed 12 "$mb" --parts $parts --after "$tmp/$name-up.progress" --cmd k --cmd K \
	--ack-counter KtlsoKeyUpdateRx --hold "$tmp/$name-down.progress" --hold-mib "$mb" 2>"$tmp/$name-feed.log" |
	openssl s_client -connect "localhost:$port" -tls1_3 -quiet -no_ign_eof \
		-CAfile "$PKI/root.pem" -msg -msgfile "$tmp/$name-msg.log" \
		2>"$tmp/$name.log" |
	$STREAM check 11 "$mb" --noisy --progress "$tmp/$name-down.progress" \
		2>"$tmp/$name-check.log" || crc=${PIPESTATUS[2]}
wait $server || rc=$?
echo "# $name: $mb MiB each way in $((SECONDS - t0)) s"
check "ktlso server, s_client k/K: $mb MiB up byte for byte ($(cat "$tmp/$name-serve.log" | tail -1))" \
	test "$rc" = 0
check "  $mb MiB down byte for byte ($(cat "$tmp/$name-check.log"))" test "$crc" = 0
check "  s_client's log shows the $((n_k + n_K)) KeyUpdates it sent" \
	test "$(count_updates '>>>' "$tmp/$name-msg.log")" -eq $((n_k + n_K))
check "  and $n_K received, one per K" \
	test "$(count_updates '<<<' "$tmp/$name-msg.log")" -eq $n_K
check "  KtlsoKeyUpdateRx +$((n_k + n_K)), KtlsoKeyUpdateTx +$n_K" \
	test "$(delta KtlsoKeyUpdateRx "$rx0")/$(delta KtlsoKeyUpdateTx "$tx0")" = \
	"$((n_k + n_K))/$n_K"

# --- ktlso server, gnutls-cli ^rekey^ (requested) and ^rekey1^ ---------
port=9562 name=gnutls-cli
n_req=2 n_one=1
rx0=$(counter KtlsoKeyUpdateRx) tx0=$(counter KtlsoKeyUpdateTx)
serve $name $port 21 22 $gmb
crc=0 rc=0
$STREAM feed 22 $gmb --parts 4 --after "$tmp/$name-up.progress" \
	--cmd '^rekey^' --cmd '^rekey1^' --ack-counter KtlsoKeyUpdateRx --hold "$tmp/$name-down.progress" \
	--hold-mib $gmb 2>"$tmp/$name-feed.log" |
	gnutls-cli --inline-commands -d 5 -p $port --x509cafile "$PKI/root.pem" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS1.3" localhost 2>"$tmp/$name.log" |
	$STREAM check 21 $gmb --noisy --progress "$tmp/$name-down.progress" \
		--noise-log "$tmp/$name-out.txt" 2>"$tmp/$name-check.log" || crc=${PIPESTATUS[2]}
wait $server || rc=$?
check "ktlso server, gnutls-cli ^rekey^/^rekey1^: $gmb MiB up byte for byte" test "$rc" = 0
check "  $gmb MiB down byte for byte ($(cat "$tmp/$name-check.log"))" test "$crc" = 0
check "  gnutls-cli: $((n_req + n_one)) times \"Rekey was completed\"" \
	test "$(grep -c '^- Rekey was completed' "$tmp/$name-out.txt")" -eq $((n_req + n_one))
check "  its debug log: $n_req KeyUpdates sent update_requested, $n_one not" \
	test "$(gnutls_sent 1 "$tmp/$name.log")/$(gnutls_sent 0 "$tmp/$name.log")" = \
	"$n_req/$n_one"
check "  KtlsoKeyUpdateRx +$((n_req + n_one)), KtlsoKeyUpdateTx +$n_req" \
	test "$(delta KtlsoKeyUpdateRx "$rx0")/$(delta KtlsoKeyUpdateTx "$tx0")" = \
	"$((n_req + n_one))/$n_req"

# gnutls_serv PORT PRIORITY: GnuTLS's echo server, debug log in
# gnutls-serv-PORT.log; it answers a record "**REHANDSHAKE**" with
# gnutls_rehandshake(): a KeyUpdate(update_requested) in TLS 1.3, a
# HelloRequest in TLS 1.2.
gnutls_serv() {
	bg gnutls-serv --echo -p "$1" -d 5 --disable-client-cert \
		--x509certfile "$PKI/server-p256-chain.pem" \
		--x509keyfile "$PKI/server-p256.key" --priority "$2" \
		>"$tmp/gnutls-serv-$1.out" 2>"$tmp/gnutls-serv-$1.log"
	wait_listen "$1"
}

# echo_through NAME PORT SEED ACK [ktlso connect options]: ktlso connect
# to the echo server, "**REHANDSHAKE**" between 4 parts, each in a record
# of its own (feed --ack-counter ACK, or a second); what comes back is
# checked. Sets rc (connect) and crc (check).
echo_through() {
	local name=$1 port=$2 seed=$3 ack=$4
	shift 4
	rc=0 crc=0
	$STREAM feed "$seed" $gmb --parts 4 --after "$tmp/$name.progress" \
		--cmd '**REHANDSHAKE**' $ack --hold "$tmp/$name.progress" --hold-mib $gmb \
		2>"$tmp/$name-feed.log" |
		"$KTLSO" connect "localhost:$port" "$@" 2>"$tmp/$name.log" |
		$STREAM check "$seed" $gmb --noisy --progress "$tmp/$name.progress" \
			2>"$tmp/$name-check.log" ||
		{ rc=${PIPESTATUS[1]} crc=${PIPESTATUS[2]}; }
}

# --- ktlso connect, gnutls-serv sending KeyUpdate(update_requested) -----
port=9563 name=gnutls-serv13
rx0=$(counter KtlsoKeyUpdateRx) tx0=$(counter KtlsoKeyUpdateTx)
gnutls_serv $port "NORMAL:-VERS-ALL:+VERS-TLS1.3"
echo_through $name $port 31 "--ack-counter KtlsoKeyUpdateRx" --profile tls13
check "ktlso connect, gnutls-serv TLS 1.3 rehandshake: connect exits 0" test "$rc" = 0
check "  $gmb MiB there and back byte for byte ($(cat "$tmp/$name-check.log"))" test "$crc" = 0
check "  gnutls-serv's debug log: 3 KeyUpdates sent, update_requested" \
	test "$(gnutls_sent 1 "$tmp/gnutls-serv-$port.log")" -eq 3
check "  KtlsoKeyUpdateRx +3, KtlsoKeyUpdateTx +3 (the answers)" \
	test "$(delta KtlsoKeyUpdateRx "$rx0")/$(delta KtlsoKeyUpdateTx "$tx0")" = 3/3

# right_before LOG: how many bytes a check that failed had right first.
right_before() { sed -n 's/.*FAILED: .*; \([0-9]*\) bytes right before.*/\1/p' "$1" | tail -1; }
# first_part N: N is past the first part (1 MiB) and short of the second.
first_part() { test "${1:-0}" -ge 1048576 -a "${1:-0}" -lt 2097152; }

# The TLS 1.2 peers ask for a renegotiation and are refused; both GnuTLS
# tools then end the connection themselves (gnutls-serv's echo loop takes
# the warning from gnutls_record_recv() as an error; gnutls-cli's
# handshake fails with an internal error), so what can be checked is the
# refusal, and the data before it. (A peer that carries on keeps the
# connection: tests/vm/posths_test.c.)

# --- ktlso connect TLS 1.2, gnutls-serv sending HelloRequest ------------
port=9564 name=gnutls-serv12
gnutls_serv $port "NORMAL:-VERS-ALL:+VERS-TLS1.2"
echo_through $name $port 41 "--ack-sleep 1" --profile tls12
check "ktlso connect TLS 1.2, gnutls-serv HelloRequest: the first MiB, sent before it, came back byte for byte ($(cat "$tmp/$name-check.log"))" \
	first_part "$(right_before "$tmp/$name-check.log")"
check "  gnutls-serv sent a HelloRequest" \
	grep -q 'HELLO REQUEST was queued' "$tmp/gnutls-serv-$port.log"
check "  and got a warning no_renegotiation back" \
	grep -q 'Alert\[1|100\] - No renegotiation is allowed - was received' \
		"$tmp/gnutls-serv-$port.log"
check "  then ended the connection itself" \
	grep -q '^Error: A TLS warning alert has been received' "$tmp/gnutls-serv-$port.log"

# --- ktlso server TLS 1.2, gnutls-cli ^renegotiate^ ---------------------
port=9565 name=gnutls-cli12
serve $name $port 51 52 $gmb server12
crc=0 rc=0
$STREAM feed 52 $gmb --parts 4 --after "$tmp/$name-up.progress" \
	--cmd '^renegotiate^' --ack-sleep 1 --hold "$tmp/$name-down.progress" \
	--hold-mib $gmb 2>"$tmp/$name-feed.log" |
	gnutls-cli --inline-commands -d 5 -p $port --x509cafile "$PKI/root.pem" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS1.2" localhost 2>"$tmp/$name.log" |
	$STREAM check 51 $gmb --noisy --progress "$tmp/$name-down.progress" \
		--noise-log "$tmp/$name-out.txt" 2>"$tmp/$name-check.log" || crc=${PIPESTATUS[2]}
wait $server || rc=$?
check "ktlso server TLS 1.2, gnutls-cli ^renegotiate^: the first MiB up, before it, byte for byte" \
	first_part "$(right_before "$tmp/$name-serve.log")"
check "  gnutls-cli got a warning no_renegotiation" \
	grep -q 'Alert\[1|100\] - No renegotiation is allowed - was received' "$tmp/$name.log"
check "  no renegotiation was done, and gnutls-cli gave up on it" \
	grep -q '^\*\*\* ReHandshake has failed' "$tmp/$name.log"
check "  what ktlso sent meanwhile arrived byte for byte ($(cat "$tmp/$name-check.log"))" \
	grep -Eq '^check: (FAILED: ended at byte [0-9]+ of [0-9]+|[0-9]+ MiB byte for byte)' \
		"$tmp/$name-check.log"
finish
