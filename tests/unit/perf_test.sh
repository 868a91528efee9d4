#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ktlso perf` on the host, where no module is needed: modes tcp and
# openssl over loopback, the option errors, -J parsed by python3 -m
# json.tool and its fields checked, the errors for a peer that is not
# ktlso perf and for a mode this host cannot run. The modes ktlso and tls
# are moved through in the VM (tests/vm/e2e/perf.sh).
# Runs as build/tests/unit/perf_test (make copies it there).
#
#   ktlso perf -c 127.0.0.1 ──control + data (tcp | openssl)──► ktlso perf -s -1
#   ktlso perf -c ──► iperf3 -s        iperf3 -c ──► ktlso perf -s
set -euo pipefail
cd "$(dirname "$0")/../../.."
KTLSO=$PWD/build/ktlso
. tests/lib/check.bash
status() { "$@" >/dev/null 2>&1 && echo 0 || echo $?; }
# jq_ FILE EXPR: a Python expression over the document d, printed.
jq_() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

tests/pki/mkpki "$tmp/pki" >/dev/null
PKI=$tmp/pki

# --- options ---
for bad in "" "-s -c 127.0.0.1" "-c 127.0.0.1 --mode nope" \
	"-c 127.0.0.1 --mode tcp --cipher TLS_AES_128_GCM_SHA256" \
	"-c 127.0.0.1 --tls 1.3" "-c 127.0.0.1 -R --bidir" "-c 127.0.0.1 -P 0" \
	"-c 127.0.0.1 -t soon" "-c 127.0.0.1 --tls 1.1 --mode openssl" \
	"-c 127.0.0.1 --mode openssl --sendfile /etc/hostname" \
	"-c 127.0.0.1 -R --sendfile /etc/hostname" "-c 127.0.0.1 extra" \
	"-s --control-tls"; do
	# shellcheck disable=SC2086
	check "'ktlso perf $bad' is exit status 2" test "$(status "$KTLSO" perf $bad)" = 2
done
# shellcheck disable=SC2016
check "a bad option's message names it" \
	bash -c '"$1" perf -c 127.0.0.1 --mode tcp --cipher x 2>&1 | grep -q "mode tcp has no TLS"' _ "$KTLSO"

# --- a server for every test below, with a certificate for openssl ---
port=$(free_port)
"$KTLSO" perf -s -p "$port" --cert "$PKI/server-p256-chain.pem" \
	--key "$PKI/server-p256.key" >"$tmp/server.log" 2>&1 &
pids+=($!)
wait_listen "$port"
perf() { timeout 60 "$KTLSO" perf -c 127.0.0.1 -p "$port" "$@"; }

# run NAME ARGS...: a -J run into $tmp/NAME.json; true if it exits 0 and
# the document parses.
run() {
	local name=$1; shift
	if perf -J "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" &&
		python3 -m json.tool "$tmp/$name.json" >/dev/null; then
		return 0
	fi
	sed "s/^/# /" "$tmp/$name.err" "$tmp/$name.json"
	return 1
}

text_run() { perf --mode tcp -t 1 >"$tmp/tcp.txt"; }
check "text: tcp for 1 s exits 0" text_run
check "text: a sender and a receiver line" \
	bash -c "grep -Eq 'sec .* sender\$' '$tmp/tcp.txt' && grep -Eq 'sec .* receiver\$' '$tmp/tcp.txt'"
check "text: CPU Utilization and the ktlso line" \
	bash -c "grep -q '^CPU Utilization: local' '$tmp/tcp.txt' && grep -q '^ktlso: mode tcp' '$tmp/tcp.txt'"

check "-J tcp: exits 0, json.tool parses it" run tcp --mode tcp -t 1
check "-J tcp: end.sum_sent.bits_per_second > 0" \
	test "$(jq_ "$tmp/tcp.json" 'd["end"]["sum_sent"]["bits_per_second"] > 0')" = True
check "-J tcp: every byte sent was received" \
	test "$(jq_ "$tmp/tcp.json" 'd["end"]["sum_sent"]["bytes"] == d["end"]["sum_received"]["bytes"] > 0')" = True
check "-J tcp: start, intervals, cpu_utilization_percent host_*/remote_*" \
	test "$(jq_ "$tmp/tcp.json" 'len(d["intervals"]) >= 1 and d["start"]["test_start"]["num_streams"] == 1 and all(k in d["end"]["cpu_utilization_percent"] for k in ("host_total", "host_user", "host_system", "remote_total", "remote_user", "remote_system"))')" = True
check "-J tcp: ktlso fields (mode tcp, cipher none, no records here)" \
	test "$(jq_ "$tmp/tcp.json" 'd["end"]["ktlso"]["mode"] == "tcp" and d["end"]["ktlso"]["cipher"] == "none" and d["end"]["ktlso"]["control_cipher"] == "none" and d["end"]["ktlso"]["cpu_seconds_per_gb"]["local"] > 0')" = True
check "-J -n 8M: at least 8 MiB sent" run bytes --mode tcp -n 8M
check "... sum_sent.bytes >= 8 MiB" \
	test "$(jq_ "$tmp/bytes.json" 'd["end"]["sum_sent"]["bytes"] >= 8 << 20')" = True
check "-J -P 3 -R: exits 0" run rev --mode tcp -t 1 -P 3 -R
check "... 3 streams, the server sent, the client received it all" \
	test "$(jq_ "$tmp/rev.json" 'len(d["end"]["streams"]) == 3 and d["end"]["sum_received"]["bytes"] == d["end"]["sum_sent"]["bytes"] > 0 and d["intervals"][0]["streams"][0]["sender"] is False')" = True
check "-J --bidir -P 2: exits 0" run bidir --mode tcp -t 1 -P 2 --bidir
check "... 4 streams, each with bytes" \
	test "$(jq_ "$tmp/bidir.json" 'len(d["end"]["streams"]) == 4 and all(s["receiver"]["bytes"] > 0 for s in d["end"]["streams"])')" = True
head -c 3000000 /dev/urandom >"$tmp/file"
check "-J --sendfile: exits 0" run sendfile --mode tcp -t 1 --sendfile "$tmp/file" -l 1M
check "... bytes moved" test "$(jq_ "$tmp/sendfile.json" 'd["end"]["sum_received"]["bytes"] > 3000000')" = True

check "-J openssl, verifying the server: exits 0" \
	run ossl --mode openssl -t 1 --ca "$PKI/root.pem" --name localhost
check "... TLS 1.3 on both sides, every byte received" \
	test "$(jq_ "$tmp/ossl.json" 'd["end"]["ktlso"]["cipher"].startswith("TLSv1.3 ") and d["end"]["ktlso"]["remote_cipher"] == d["end"]["ktlso"]["cipher"] and d["end"]["sum_received"]["bytes"] == d["end"]["sum_sent"]["bytes"] > 0')" = True
check "-J openssl --tls 1.2 -R: exits 0" run ossl12 --mode openssl --tls 1.2 -t 1 -R
check "... TLSv1.2" test "$(jq_ "$tmp/ossl12.json" 'd["end"]["ktlso"]["cipher"].split()[0]')" = TLSv1.2
check "-J openssl --cipher TLS_CHACHA20_POLY1305_SHA256: exits 0" \
	run chacha --mode openssl --cipher TLS_CHACHA20_POLY1305_SHA256 -t 1
check "... that suite" test "$(jq_ "$tmp/chacha.json" 'd["end"]["ktlso"]["cipher"]')" = "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256"

# --- errors ---
untrusted() {
	! perf --mode openssl -t 1 --ca "$PKI/other-root.pem" >/dev/null 2>"$tmp/untrusted.err" &&
		grep -q 'handshake failed' "$tmp/untrusted.err"
}
check "openssl with a CA that does not trust the server: exit 1, says so" untrusted
error_doc() {
	! perf -J --mode openssl -t 1 --ca "$PKI/other-root.pem" >"$tmp/error.json" 2>/dev/null &&
		test "$(jq_ "$tmp/error.json" '"error" in d and "handshake failed" in d["error"]')" = True
}
check "-J on failure: an \"error\" document" error_doc
# This host's kernel has no ktlso.ko (Documentation/testing.rst): the
# control connection cannot be secured, and the client says why.
if [ ! -e /sys/module/ktlso ]; then
	no_control_tls() {
		! perf --mode tcp -t 1 --control-tls >/dev/null 2>"$tmp/ctl.err" &&
			grep -q -- '--control-tls unavailable: TCP_ULP "ktlso"' "$tmp/ctl.err"
	}
	check "--control-tls without ktlso.ko: exit 1, the ULP named" no_control_tls
else
	echo "# ktlso.ko is loaded here: --control-tls's error is not checked"
fi
check "no server: exit 1, errno named" \
	bash -c "'$KTLSO' perf -c 127.0.0.1 -p $(free_port) 2>&1 | grep -q 'unable to connect to server .*Connection refused'"

ip=$(free_port)
iperf3 -s -1 -p "$ip" >"$tmp/iperf3-s.log" 2>&1 &
pids+=($!)
wait_listen "$ip"
check "against iperf3 -s: 'not a ktlso perf server' at once" \
	bash -c "timeout 5 '$KTLSO' perf -c 127.0.0.1 -p $ip -t 1 2>&1 | grep -q 'not a ktlso perf server'"
check "iperf3 -c against ktlso perf -s fails, the server says why and goes on" \
	bash -c "! timeout 20 iperf3 -c 127.0.0.1 -p $port -t 1 >/dev/null 2>&1 && grep -q 'not a ktlso perf client' '$tmp/server.log'"

# A server without a certificate cannot run openssl: the client hears why.
np=$(free_port)
"$KTLSO" perf -s -1 -p "$np" >"$tmp/nocert.log" 2>&1 &
pids+=($!)
wait_listen "$np"
check "openssl against a server without --cert: the server's reason" \
	bash -c "'$KTLSO' perf -c 127.0.0.1 -p $np --mode openssl -t 1 2>&1 | grep -q 'server: mode openssl needs --cert and --key'"

# Modes this host may lack: either they run, or the message says which
# module is missing.
for m in ktlso tls; do
	if out=$(perf --mode "$m" -t 1 2>&1); then
		check "mode $m runs here" grep -q "ktlso: mode $m" <<<"$out"
	else
		check "mode $m unavailable here: the error says so ($(grep -m1 -o 'error - .*' <<<"$out" | cut -c9-70)...)" \
			grep -Eq "mode $m (unavailable|: handshake failed)" <<<"$out"
	fi
done
check "the server is still up after all of it" kill -0 "${pids[0]}"

[ "$failed" = 0 ] || sed 's/^/# server: /' "$tmp/server.log" | grep error || true
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
