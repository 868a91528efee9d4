#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ktlso status` with the module loaded and ktlsod running, then stopped.
#
#   ktlso status ── /sys/module, genetlink CTRL_CMD_GETFAMILY,
#                   /proc/net/netlink, AF_ALG (libkcapi), /proc/crypto,
#                   /proc/net/ktlso_stat, ktlsod's /run/ktlso/profiles
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

out=$tmp/status.txt
status_to() { "$KTLSO" status >"$1"; }
check "ktlso status exits 0 with ktlsod running" status_to "$out"
cat "$out"
check "  module: loaded" grep -qx 'module:   loaded (/sys/module/ktlso)' "$out"
check "  netlink: family \"ktlso\" and group \"handshake\" with their ids" \
	grep -Eq '^netlink:  family "ktlso" id [0-9]+, group "handshake" id [0-9]+$' "$out"
check "  daemon: reachable, with ktlsod's pid" \
	grep -Eq "^daemon:   (reachable|running): .*ktlsod pid $daemon_pid" "$out"
# cipher_ok ALG: status names a driver for ALG that /proc/crypto lists.
cipher_ok() {
	local driver
	driver=$(awk -v a="$1" '$1 == a { print $2 }' "$out")
	[ -n "$driver" ] && [ "$driver" != unavailable: ] &&
		awk -v n="$1" -v d="$driver" '
			$1 == "name" { name = $3 }
			$1 == "driver" && name == n && $3 == d { found = 1 }
			END { exit !found }' /proc/crypto
}
for alg in 'gcm(aes)' 'rfc7539(chacha20,poly1305)' 'ccm(aes)'; do
	check "  cipher $alg: a driver the kernel has, and its priority" \
		cipher_ok "$alg"
done
check "  counters: /proc/net/ktlso_stat's, KtlsoCurrSockets among them" \
	grep -Eq '^  KtlsoCurrSockets +[0-9]+$' "$out"
check "  profiles: the running ktlsod's, from its configuration" \
	grep -q "^profiles: $tmp/ktlsod.conf, from ktlsod pid $daemon_pid (" "$out"
check "  a profile with a key: root only" \
	grep -Eq '^  default +key +root only$' "$out"
check "  a profile without one: anyone" grep -Eq '^  tls12 +- +anyone$' "$out"

stop_daemon
check "without ktlsod: exit 1" fails status_to "$out"
check "  daemon: not running" grep -q '^daemon:   not' "$out"
check "  profiles: ktlsod took its list with it" \
	grep -q '^profiles: unknown: /run/ktlso/profiles: No such file' "$out"
finish
