#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TLS 1.3 KeyUpdate against OpenSSL, owned by the kernel: `ktlso connect`
# moves data both ways while s_server updates its keys on command (`k`:
# update_not_requested, `K`: update_requested, typed on its stdin), and
# while ktlso.ko updates its own every MiB (a profile with rekey_after =
# 1M). Every byte is compared on the fly against the seed it was made
# from (stream.py: no copy is kept, so any size fits the guest's tmpfs),
# and s_server's -msg log says which KeyUpdates it sent and received.
#
#   stream.py feed ─► openssl s_server -msg ══ TLS 1.3 ══ ktlso connect
#   (data, k, K)          │         │                       │      ▲
#        ▲             msg log      └─► stream.py check     │  stream.py gen
#        └── progress ◄── stream.py check ◄─────────────────┘
#
# KTLSO_KU_MB sets the size each way: 8 MiB by default, for make check's
# time (8 updates with rekey_after still); KTLSO_KU_REKEY_MB the
# rekey_after part's alone (default: the same), KTLSO_KU_PARTS the parts
# each way, with a k or K between two (8). The "# down: ..." lines
# print the time each part took. Documentation/testing.rst has the 1 GiB
# runs.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
make_pki
write_config
cat >>"$tmp/ktlsod.conf" <<EOF

# client that updates its sending key after every MiB
[profile rekey]
ca = $PKI/root.pem
min_version = 1.3
rekey_after = 1M
EOF
start_daemon

mb=${KTLSO_KU_MB:-8}
rekey_mb=${KTLSO_KU_REKEY_MB:-$mb}
parts=${KTLSO_KU_PARTS:-8}
STREAM="python3 tests/vm/e2e/stream.py"

# wait_counter NAME VALUE: until the counter reaches VALUE, 20 s at most.
wait_counter() {
	for _ in $(seq 200); do
		[ "$(counter "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 0
}

# A KeyUpdate line of an OpenSSL -msg log: >>> sent, <<< received.
count_updates() { grep -c "^$1 .*Handshake \[length 0005\], KeyUpdate" "$2" || true; }

# s_server PORT: OpenSSL's TLS 1.3 server for one connection, its -msg
# log in msg-PORT.log; stdin and stdout are the caller's.
s_server13() {
	openssl s_server -accept "$1" -naccept 1 -tls1_3 \
		-cert "$PKI/server-p256.pem" -key "$PKI/server-p256.key" \
		-cert_chain "$PKI/inter.pem" -msg -msgfile "$tmp/msg-$1.log" \
		2>"$tmp/s_server-$1.log"
}

# The commands between the parts, k first so that the last is k too: the
# answer to a K never has to cross the close.
n_cmds=$((parts - 1)) n_k=$((parts / 2)) n_K=$(((parts - 1) / 2))
cmds=(--cmd k --cmd K)

# --- down: s_server sends, updating its keys between parts -------------
port=9551
progress=$tmp/down.progress
# s_server reads its commands from stdin, between the parts of the data.
$STREAM feed 1 "$mb" --parts $parts --after "$progress" "${cmds[@]}" \
	--ack-counter KtlsoKeyUpdateRx --hold "$progress" --hold-mib "$mb" 2>"$tmp/feed-down.log" |
	s_server13 $port >/dev/null &
server=$!
pids+=($server)
wait_listen $port
mkfifo "$tmp/idle.in"
exec 5<>"$tmp/idle.in"	# connect's stdin: open, silent
t0=$SECONDS
rx0=$(counter KtlsoKeyUpdateRx) tx0=$(counter KtlsoKeyUpdateTx)
rc=0 crc=0
"$KTLSO" connect "localhost:$port" <&5 2>"$tmp/down.log" 5>&- |
	$STREAM check 1 "$mb" --progress "$progress" 2>"$tmp/down-check.log" 5>&- ||
	{ rc=${PIPESTATUS[0]} crc=${PIPESTATUS[1]}; }
exec 5>&-
wait $server || true
echo "# down: $mb MiB in $((SECONDS - t0)) s"
check "down: ktlso connect exits 0 after $n_k k and $n_K K" test "$rc" = 0
check "down: $mb MiB arrived byte for byte ($(cat "$tmp/down-check.log"))" test "$crc" = 0
check "down: s_server's log shows the $n_cmds KeyUpdates it sent" \
	test "$(count_updates '>>>' "$tmp/msg-$port.log")" -eq $n_cmds
check "down: and $n_K KeyUpdates received, one per K" \
	test "$(count_updates '<<<' "$tmp/msg-$port.log")" -eq $n_K
check "down: KtlsoKeyUpdateRx counted the $n_cmds" \
	test $(($(counter KtlsoKeyUpdateRx) - rx0)) -eq $n_cmds
check "down: KtlsoKeyUpdateTx counted the $n_K answers" \
	test $(($(counter KtlsoKeyUpdateTx) - tx0)) -eq $n_K

# up_to PORT SEED NAME [ktlso connect options...]: ktlso connect sends the
# stream while s_server prints it to a checker; pace types k and K on
# s_server's stdin as the data passes 1/8, 2/8 ... (none with NAME rekey),
# and keeps it open until all arrived. Sets rc (connect) and crc (check).
up_to() {
	local port=$1 seed=$2 name=$3 n=$n_cmds mb=$mb
	shift 3
	[ "$name" = rekey ] && n=0 mb=$rekey_mb
	$STREAM pace "$tmp/$name.progress" "$mb" $n "${cmds[@]}" |
		s_server13 "$port" |
		$STREAM check "$seed" "$mb" --noisy --progress "$tmp/$name.progress" \
			2>"$tmp/$name-check.log" &
	local server=$!
	wait_listen "$port"
	t0=$SECONDS
	rc=0 crc=0
	# The last command is typed as the last part arrives: keep sending
	# open (and so ktlso connect reading) until its KeyUpdate is in.
	local rx_until=$(($(counter KtlsoKeyUpdateRx) + n))
	{
		$STREAM gen "$seed" "$mb"
		wait_counter KtlsoKeyUpdateRx "$rx_until"
	} | "$KTLSO" connect "localhost:$port" "$@" \
		>/dev/null 2>"$tmp/$name.log" || rc=${PIPESTATUS[1]}
	wait $server || crc=$?
	echo "# $name: $mb MiB in $((SECONDS - t0)) s"
}

# --- up: ktlso connect sends, s_server updates meanwhile ---------------
port=9552
rx0=$(counter KtlsoKeyUpdateRx)
up_to $port 2 up
check "up: ktlso connect exits 0 with $n_k k and $n_K K meanwhile" test "$rc" = 0
check "up: $mb MiB arrived byte for byte ($(cat "$tmp/up-check.log"))" test "$crc" = 0
check "up: s_server's log shows the $n_cmds KeyUpdates it sent" \
	test "$(count_updates '>>>' "$tmp/msg-$port.log")" -eq $n_cmds
check "up: and at least one back, at most one per K" \
	test "$(count_updates '<<<' "$tmp/msg-$port.log")" -ge 1 -a \
	"$(count_updates '<<<' "$tmp/msg-$port.log")" -le $n_K
check "up: KtlsoKeyUpdateRx counted the $n_cmds" \
	test $(($(counter KtlsoKeyUpdateRx) - rx0)) -eq $n_cmds

# --- rekey_after: ktlso.ko updates its own key every MiB ---------------
port=9553
tx0=$(counter KtlsoKeyUpdateTx)
up_to $port 3 rekey --profile rekey
check "rekey_after 1M: ktlso connect exits 0" test "$rc" = 0
check "rekey_after 1M: $rekey_mb MiB arrived byte for byte ($(cat "$tmp/rekey-check.log"))" \
	test "$crc" = 0
check "rekey_after 1M: s_server received $((rekey_mb - 1)) KeyUpdates or more" \
	test "$(count_updates '<<<' "$tmp/msg-$port.log")" -ge $((rekey_mb - 1))
check "rekey_after 1M: KtlsoKeyUpdateTx agrees" \
	test $(($(counter KtlsoKeyUpdateTx) - tx0)) -eq "$(count_updates '<<<' "$tmp/msg-$port.log")"
echo "# s_server's KeyUpdates, sent/received: down $(count_updates '>>>' "$tmp/msg-9551.log")/$(count_updates '<<<' "$tmp/msg-9551.log"), up $(count_updates '>>>' "$tmp/msg-9552.log")/$(count_updates '<<<' "$tmp/msg-9552.log"), rekey_after $(count_updates '>>>' "$tmp/msg-9553.log")/$(count_updates '<<<' "$tmp/msg-9553.log")"
finish
