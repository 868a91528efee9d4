#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The legacy CBC-HMAC suites on ktlso sockets against OpenSSL: ktlsod with
# legacy = yes profiles, ktlso as client and as server, every CBC suite of
# userspace/lib/tls_suite.c, once in each role: with OpenSSL's
# encrypt_then_mac (RFC 7366) in one and without it (-no_etm:
# MAC-then-encrypt) in the other, alternating down the list so that each
# role has both for every HMAC (a run's handshake under emulation costs
# more than its data). Data goes both ways byte for byte (lines as
# client: 600 KiB for the first suite, 150 KiB for the others, s_server
# -rev answering each line in a record of its own; as server 2 MiB each
# way for the first, 1 MiB for the others; KTLSO_CBC_MB sets the 2),
# close_notify ends each (OpenSSL's -msg log shows it: both ways as
# client), ktlsod logs the etm= it negotiated and
# /proc/net/ktlso_stat counts the records. A default profile (no legacy)
# never offers a CBC suite, as client or as server.
#
#   lines ─► ktlso connect --profile legacy ══ CBC ══► openssl s_server -rev
#   stdout ◄─      └─ KTLSO_HANDSHAKE ─► ktlsod          -cipher S [-no_etm]
#
#   stream.py feed ─► openssl s_client ══ CBC ══ stream.py serve --profile
#   stream.py check ◄─  -cipher S [-no_etm]       legacy-ecdsa|legacy-rsa
#                                                 (ULP, KTLSO_HANDSHAKE)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
make_pki
write_config
cat >>"$tmp/ktlsod.conf" <<EOF

# CBC suites need legacy = yes (ktlsod.conf(5)); TLS 1.2 is all they have
[profile legacy]
ca = $PKI/root.pem
legacy = yes
max_version = 1.2

[profile legacy-ecdsa]
cert = $PKI/server-p256-chain.pem
key = $PKI/server-p256.key
legacy = yes

[profile legacy-rsa]
cert = $PKI/server-rsa2048-chain.pem
key = $PKI/server-rsa2048.key
legacy = yes
EOF
start_daemon

STREAM="python3 tests/vm/e2e/stream.py"
mb=${KTLSO_CBC_MB:-2}
# OpenSSL name, IANA name, the server key it needs: every CBC suite of
# tls_suite.c (checked below against the table's own count), each HMAC.
suites=(
	"ECDHE-ECDSA-AES128-SHA256 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 ecdsa"
	"ECDHE-RSA-AES128-SHA256 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 rsa"
	"ECDHE-ECDSA-AES256-SHA384 TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 ecdsa"
	"ECDHE-RSA-AES256-SHA384 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 rsa"
	"ECDHE-ECDSA-AES128-SHA TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA ecdsa"
	"ECDHE-RSA-AES128-SHA TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA rsa"
	"ECDHE-ECDSA-AES256-SHA TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA ecdsa"
	"ECDHE-RSA-AES256-SHA TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA rsa"
	"AES128-SHA256 TLS_RSA_WITH_AES_128_CBC_SHA256 rsa"
	"AES256-SHA256 TLS_RSA_WITH_AES_256_CBC_SHA256 rsa"
)
check "every CBC suite of tls_suite.c is here (${#suites[@]})" \
	test "$(grep -c '^	TLS12_CBC(TLS_' userspace/lib/tls_suite.c)" = ${#suites[@]}
check "ktlsod found cbc(aes), hmac(sha1), hmac(sha256), hmac(sha384) in the kernel" \
	grep -q "kernel ciphers: .*cbc(aes) yes, hmac(sha1) yes, hmac(sha256) yes, hmac(sha384) yes" "$tmp/ktlsod.log"

lines 8000 >"$tmp/up-big.txt"	# 600 KiB
head -n 2000 "$tmp/up-big.txt" >"$tmp/up-small.txt"	# 150 KiB
rev "$tmp/up-big.txt" >"$tmp/reversed-big.txt"
rev "$tmp/up-small.txt" >"$tmp/reversed-small.txt"
delta() { echo $(($(counter "$1") - $2)); }
# etm_for INDEX ROLE: yes or no for the INDEX-th suite in ROLE (client or
# server): alternating, the server the other way round.
etm_for() {
	local n=$1
	[ "$2" = client ] || n=$((n + 1))
	if [ $((n % 2)) = 0 ]; then echo yes; else echo no; fi
}
# closed_both MSG-LOG: OpenSSL's -msg log shows a close_notify each way.
closed_both() {
	grep -q "^<<< .*Alert.*close_notify" "$1" &&
		grep -q "^>>> .*Alert.*close_notify" "$1"
}
# connected RC IANA LOG: ktlso connect exited 0 after a TLS 1.2 handshake
# on IANA with the server verified.
connected() { test "$1" = 0 && grep -q "TLSv1.2 $2 .*verified=yes" "$3"; }
# handshake_line ROLE IANA ETM: ktlsod's line for the last handshake of ROLE.
handshake_line() {
	grep "handshake .* role=$1 " "$tmp/ktlsod.log" | tail -n 1 |
		grep -q " cipher=$2 etm=$3 .*result=ok"
}

# --- ktlso connect, openssl s_server ------------------------------------
port=9600 size=big i=0
for s in "${suites[@]}"; do
	read -r ossl iana _ <<<"$s"
	for etm in $(etm_for $i client); do
		port=$((port + 1))
		name=client-$ossl-$etm
		no_etm=()
		[ $etm = yes ] || no_etm=(-no_etm)
		tx0=$(counter KtlsoTxRecords) rx0=$(counter KtlsoRxRecords)
		s_server "$port" -tls1_2 -cipher "$ossl" "${no_etm[@]}" \
			-dcert "$PKI/server-rsa2048.pem" -dkey "$PKI/server-rsa2048.key" \
			-dcert_chain "$PKI/inter.pem" -msg -msgfile "$tmp/$name-msg.log"
		rc=0
		"$KTLSO" connect "localhost:$port" --profile legacy \
			<"$tmp/up-$size.txt" >"$tmp/$name.out" 2>"$tmp/$name.log" || rc=$?
		check "ktlso client, s_server -cipher $ossl${no_etm:+ ${no_etm[*]}}: exits 0, $iana" \
			connected "$rc" "$iana" "$tmp/$name.log"
		check "  ktlsod: etm=$etm" handshake_line client "$iana" $etm
		check "  $(wc -c <"$tmp/up-$size.txt") bytes of lines up and back reversed, byte for byte" \
			cmp "$tmp/$name.out" "$tmp/reversed-$size.txt"
		check "  close_notify both ways: s_server got ktlso's, and answered" \
			closed_both "$tmp/$name-msg.log"
		# up: at least one full record per 16 KiB; down: a record a line
		check "  records counted: tx +$(delta KtlsoTxRecords "$tx0"), rx +$(delta KtlsoRxRecords "$rx0")" \
			test "$(delta KtlsoTxRecords "$tx0")" -ge $(($(wc -c <"$tmp/up-$size.txt") / 16384)) -a \
			"$(delta KtlsoRxRecords "$rx0")" -ge $(wc -l <"$tmp/up-$size.txt")
	done
	size=small i=$((i + 1))
done

# --- stream.py serve (ktlso server), openssl s_client -------------------
size=$mb i=0
for s in "${suites[@]}"; do
	read -r ossl iana key <<<"$s"
	for etm in $(etm_for $i server); do
		port=$((port + 1))
		name=server-$ossl-$etm
		no_etm=()
		[ $etm = yes ] || no_etm=(-no_etm)
		tx0=$(counter KtlsoTxRecords) rx0=$(counter KtlsoRxRecords)
		$STREAM serve $port --send 11:"$size" --expect 12:"$size" \
			--profile "legacy-$key" --progress "$tmp/$name-up.progress" \
			2>"$tmp/$name-serve.log" &
		server=$!
		pids+=("$server")
		wait_listen $port
		crc=0 rc=0
		$STREAM feed 12 "$size" --hold "$tmp/$name-down.progress" --hold-mib "$size" \
			2>"$tmp/$name-feed.log" |
			openssl s_client -connect "localhost:$port" -tls1_2 \
				-cipher "$ossl" "${no_etm[@]}" -quiet -no_ign_eof \
				-CAfile "$PKI/root.pem" -msg -msgfile "$tmp/$name-msg.log" \
				2>"$tmp/$name.log" |
			$STREAM check 11 "$size" --noisy --progress "$tmp/$name-down.progress" \
				2>"$tmp/$name-check.log" || crc=${PIPESTATUS[2]}
		wait $server || rc=$?
		check "ktlso server, s_client -cipher $ossl${no_etm:+ ${no_etm[*]}}: $size MiB up byte for byte ($(tail -n 1 "$tmp/$name-serve.log"))" \
			test "$rc" = 0
		check "  $size MiB down byte for byte ($(cat "$tmp/$name-check.log"))" \
			test "$crc" = 0
		check "  ktlsod: $iana, etm=$etm" handshake_line server "$iana" $etm
		check "  s_client sent close_notify, the end of what the ktlso server read" \
			grep -q "^>>> .*Alert.*close_notify" "$tmp/$name-msg.log"
		check "  records counted: tx +$(delta KtlsoTxRecords "$tx0"), rx +$(delta KtlsoRxRecords "$rx0")" \
			test "$(delta KtlsoTxRecords "$tx0")" -ge $((size * 64)) -a \
			"$(delta KtlsoRxRecords "$rx0")" -ge $((size * 64))
	done
	size=1 i=$((i + 1))
done

# --- the default profile never offers CBC -------------------------------
# connect_fails PORT: ktlso connect with the default profile fails.
connect_fails() {
	! "$KTLSO" connect "localhost:$1" </dev/null >/dev/null \
		2>"$tmp/default-client.log"
}
# s_client_refused PORT: s_client offering only a CBC suite is refused.
s_client_refused() {
	openssl s_client -connect "localhost:$1" -tls1_2 \
		-cipher ECDHE-ECDSA-AES128-SHA256 -CAfile "$PKI/root.pem" \
		</dev/null >"$tmp/default-s_client.log" 2>&1 || true
	grep -q "alert handshake failure" "$tmp/default-s_client.log"
}
port=$((port + 1))
s_server "$port" -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256
check "default profile, client: s_server with only a CBC suite finds none in common" \
	connect_fails "$port"
check "  s_server says: no shared cipher" \
	grep -q "no shared cipher" "$tmp/s_server-$port.log"
port=$((port + 1))
bg "$KTLSO" serve "$port" --dir "$tmp" 2>"$tmp/default-serve.log"
wait_listen "$port"
check "default profile, server: s_client offering only a CBC suite gets handshake_failure" \
	s_client_refused "$port"
finish
