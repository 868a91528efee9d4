#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ktlso perf` in every mode, in the VM where ktlso.ko, tls.ko and ktlsod
# are all there: each moves data and its -J document parses; a mode whose
# daemon or module is missing says so.
#
#   ktlso perf -c 127.0.0.1 --mode M ──control (TCP) + data──► ktlso perf -s
#     M = ktlso: both ends ask ktlsod (KTLSO_HANDSHAKE)
#     M = tls: the engine in each ktlso perf, keys to tls.ko
#     M = tcp, openssl (libssl in userspace)
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup
modprobe tls 2>/dev/null || true

port=5301
bg "$KTLSO" perf -s -p "$port" --cert "$PKI/server-p256-chain.pem" \
	--key "$PKI/server-p256.key" >"$tmp/server.log" 2>&1
wait_listen "$port"

jq_() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
# run NAME ARGS...: a -J run into $tmp/NAME.json; true when it exits 0 and
# python3 -m json.tool parses what it printed.
run() {
	local name=$1; shift
	if timeout 120 "$KTLSO" perf -c 127.0.0.1 -p "$port" --name localhost -J "$@" \
		>"$tmp/$name.json" 2>"$tmp/$name.log" &&
		python3 -m json.tool "$tmp/$name.json" >/dev/null; then
		return 0
	fi
	cat "$tmp/$name.json" >>"$tmp/$name.log"
	return 1
}
# moved NAME: bytes were received, all that was sent.
moved() {
	test "$(jq_ "$tmp/$1.json" 'd["end"]["sum_received"]["bytes"] == d["end"]["sum_sent"]["bytes"] > 0')" = True
}
say() { echo "# $1: $(jq_ "$tmp/$1.json" '"%s %s, %.0f Mbit/s, %s records sealed" % (d["end"]["ktlso"]["mode"], d["end"]["ktlso"]["cipher"], d["end"]["sum_received"]["bits_per_second"] / 1e6, d["end"]["ktlso"]["records"]["tx"])')"; }

for m in ktlso tls tcp openssl; do
	case $m in
	tls | openssl) extra=(--ca "$PKI/root.pem") ;;
	*) extra=() ;;
	esac
	check "mode $m: -J exits 0 and parses" run "$m" --mode "$m" -t 1 "${extra[@]}"
	check "mode $m: data moved, every byte received" moved "$m"
	say "$m" || true
done
check "mode ktlso: ktlso_stat counted records both ways (integers)" \
	test "$(jq_ "$tmp/ktlso.json" 'all(type(d["end"]["ktlso"]["records"][k]) is int and d["end"]["ktlso"]["records"][k] > 0 for k in ("tx", "rx", "remote_tx", "remote_rx"))')" = True
check "mode ktlso: the cipher is named on both sides" \
	test "$(jq_ "$tmp/ktlso.json" 'd["end"]["ktlso"]["cipher"].startswith("TLSv1.") and d["end"]["ktlso"]["remote_cipher"] == d["end"]["ktlso"]["cipher"]')" = True
check "mode tls: the records are tls.ko's, not ktlso's (no ktlso records)" \
	test "$(jq_ "$tmp/tls.json" 'd["end"]["ktlso"]["records"]["tx"] == 0')" = True

check "mode ktlso -R -P 2: exits 0" run ktlso-rev --mode ktlso -t 1 -R -P 2
check "mode ktlso -R -P 2: data moved" moved ktlso-rev
head -c 4000000 /dev/urandom >"$tmp/file"
check "mode ktlso --sendfile: exits 0" run ktlso-sf --mode ktlso -t 1 --sendfile "$tmp/file"
check "mode ktlso --sendfile: data moved" moved ktlso-sf
check "mode tls --tls 1.2 --bidir: exits 0" run tls12 --mode tls --tls 1.2 -t 1 --bidir --ca "$PKI/root.pem"
check "mode tls --tls 1.2 --bidir: TLSv1.2, data both ways" \
	test "$(jq_ "$tmp/tls12.json" 'd["end"]["ktlso"]["cipher"].startswith("TLSv1.2 ") and all(s["receiver"]["bytes"] > 0 for s in d["end"]["streams"])')" = True
check "mode tls --cipher TLS_CHACHA20_POLY1305_SHA256 --sendfile: exits 0" \
	run tls-chacha --mode tls --cipher TLS_CHACHA20_POLY1305_SHA256 -t 1 \
	--sendfile "$tmp/file" --ca "$PKI/root.pem"
check "... that suite, data moved" \
	test "$(jq_ "$tmp/tls-chacha.json" 'd["end"]["ktlso"]["cipher"] == "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256" and d["end"]["sum_received"]["bytes"] > 0')" = True

check "--control-tls, mode tcp: exits 0" run ctl-tls --mode tcp -t 1 --control-tls
ctl_tls_seen() {
	[ "$(jq_ "$tmp/ctl-tls.json" 'd["end"]["ktlso"]["control_cipher"].startswith("TLSv1.")')" = True ] &&
		grep -q '^Control connection over TLS (ktlsod): TLSv1' "$tmp/server.log"
}
check "... the control connection was ktlsod's TLS, on both sides" ctl_tls_seen

# A mode whose pieces are missing: ktlsod stopped, then tls.ko unloaded.
stop_daemon
check "mode ktlso without ktlsod: exit 1, the error names the daemon" \
	bash -c "! '$KTLSO' perf -c 127.0.0.1 -p $port --name localhost --mode ktlso -t 1 \
		2>'$tmp/nodaemon.log' >/dev/null && grep -q 'mode ktlso: handshake failed: .*ktlsod' '$tmp/nodaemon.log'"
# setsockopt(TCP_ULP, "tls") loads tls.ko on demand: unload it and let
# the kernel's module loader fail for the length of the check.
modprobe_path=$(cat /proc/sys/kernel/modprobe)
if modprobe -r tls 2>/dev/null; then
	echo /bin/false >/proc/sys/kernel/modprobe
	check "mode tls without tls.ko: exit 1, the error names tls.ko" \
		bash -c "! '$KTLSO' perf -c 127.0.0.1 -p $port --mode tls -t 1 \
			2>'$tmp/notls.log' >/dev/null && grep -q 'mode tls unavailable: .*tls.ko' '$tmp/notls.log'"
	echo "$modprobe_path" >/proc/sys/kernel/modprobe
	modprobe tls 2>/dev/null || true
else
	echo "# tls.ko is in use: its absence is not checked in this boot"
fi
check "the server is still up after the failed tests" kill -0 "${pids[0]}"

finish
