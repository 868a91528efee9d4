#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ktlsod started as root with "user = nobody": once its keys are read it
# is nobody with CAP_NET_ADMIN alone in every thread, not dumpable, and
# still serves both roles; a reload reads files as nobody (refused keys
# keep the old configuration); a crash leaves no core file; every system
# call it makes is in the unit's SystemCallFilter=@system-service.
#
#   root ─► ktlsod -c $tmp/ktlsod.conf ──(keys read)──► uid nobody,
#                                                       CapEff 1<<12
#   curl ══ TLS ══► ktlso serve 9501 (keyed profile) ─┐
#   ktlso connect ══ TLS ══► openssl s_server 95xx   ─┴─► ktlsod
#   kill -SEGV / -ABRT ktlsod  ─► core_pattern /tmp/ktlso-cores/core.%e.%p
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"

make_pki
write_config
nobody=$(id -u nobody)
nogroup=$(id -g nobody)
# nobody must reach the configuration and the key it is told to reload.
chmod 755 "$tmp"
# Copies of the keys, root's and 0600 to start with.
keys=$tmp/keys
mkdir -m 755 "$keys"
sed -n "s|^key = $PKI/||p" "$tmp/ktlsod.conf" | sort -u | while read -r k; do
	install -m 600 "$PKI/$k" "$keys/$k"
done
sed -i -e "1i user = nobody" -e "s|^key = $PKI/|key = $keys/|" "$tmp/ktlsod.conf"
chmod 644 "$tmp/ktlsod.conf"
server_key=$keys/server-p256.key

cores=/tmp/ktlso-cores
old_pattern=$(cat /proc/sys/kernel/core_pattern)
restore() { echo "$old_pattern" >/proc/sys/kernel/core_pattern; rm -rf "$cores"; }
trap 'restore; cleanup' EXIT
mkdir -p "$cores"
chmod 1777 "$cores"
echo "$cores/core.%e.%p" >/proc/sys/kernel/core_pattern
# ktlsod must forbid its core itself, whatever it inherits.
ulimit -c unlimited

# make install's user (tools/install-user), on the guest's throwaway /etc.
check "tools/install-user creates a system user" tools/install-user ktlsod-e2e
system_user() {
	local entry uid gid home shell
	entry=$(getent passwd "$1") || return 1
	IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
	echo "$1: uid $uid gid $gid home $home shell $shell"
	[ "$uid" -lt 1000 ] && [ "$(getent group "$gid" | cut -d: -f1)" = "$1" ] &&
		[ "$home" = /nonexistent ] && [ "$shell" = /usr/sbin/nologin ]
}
check "  with a system uid, its own group, no home, no shell" \
	system_user ktlsod-e2e
check "  and does nothing the second time" \
	test -z "$(tools/install-user ktlsod-e2e)"

start_daemon
log=$tmp/ktlsod.log

check "ktlsod says it runs as nobody with CAP_NET_ADMIN only" \
	grep -q "running as user nobody (uid $nobody, gid $nogroup) with CAP_NET_ADMIN only" "$log"

# field FILE NAME: the value of NAME: in a /proc status file.
field() { awk -v n="$2:" '$1 == n { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }
# every_thread NAME VALUE: each thread of ktlsod has NAME: VALUE.
every_thread() {
	local f n=0
	for f in /proc/"$daemon_pid"/task/*/status; do
		[ "$(field "$f" "$1")" = "$2" ] || {
			echo "$f: $1: $(field "$f" "$1"), want $2" >&2
			return 1
		}
		n=$((n + 1))
	done
	[ "$n" -ge 2 ]	# the acceptor and at least one worker
}
grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs):' "/proc/$daemon_pid/status"
check "every thread: real, effective, saved, fs uid $nobody" \
	every_thread Uid "$nobody $nobody $nobody $nobody"
check "every thread: gids $nogroup, no other group" \
	every_thread Gid "$nogroup $nogroup $nogroup $nogroup"
check "  Groups: $nogroup alone" every_thread Groups "$nogroup"
check "every thread: CapEff is CAP_NET_ADMIN (bit 12) alone" \
	every_thread CapEff 0000000000001000
check "every thread: CapPrm is CAP_NET_ADMIN alone" \
	every_thread CapPrm 0000000000001000
for set in CapInh CapBnd CapAmb; do
	check "every thread: $set empty" every_thread $set 0000000000000000
done
check "every thread: NoNewPrivs 1" every_thread NoNewPrivs 1

# A process that is not dumpable has its /proc files owned by root.
proc_owner() { stat -c %u "/proc/$1/status"; }
setpriv --reuid=nobody --regid="$nogroup" --clear-groups sleep 60 &
control=$!
pids+=("$control")
for _ in $(seq 100); do
	[ "$(cat "/proc/$control/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
check "control: a dumpable process of nobody owns its /proc files" \
	test "$(proc_owner "$control")" = "$nobody"
check "ktlsod (nobody) is not dumpable: its /proc files are root's" \
	test "$(proc_owner "$daemon_pid")" = 0

# Both roles, after the drop: the server's key was read as root.
mkdir -p "$tmp/www"
echo privs >"$tmp/www/a.txt"
bg "$KTLSO" serve 9501 --dir "$tmp/www" 2>"$tmp/serve.log"
wait_listen 9501
get() { test "$(curl -s --max-time 30 --cacert "$PKI/root.pem" https://localhost:9501/a.txt)" = privs; }
port=9510
# talk: ktlso connect to a fresh s_server -rev; "ih" back for "hi".
talk() {
	port=$((port + 1))
	s_server "$port"
	test "$(echo hi | "$KTLSO" connect "localhost:$port" 2>>"$tmp/connect.log")" = ih
}
check "server role (keyed profile) as nobody: curl GET over ktlso serve" get
check "client role as nobody: ktlso connect to openssl s_server" talk

# reload_says TEXT: SIGHUP, then wait for the Nth reload's outcome.
reloads=0
reload_says() {
	local want=$1
	reloads=$((reloads + 1))
	kill -HUP "$daemon_pid"
	for _ in $(seq 100); do
		[ "$(grep -c 'SIGHUP: reloading' "$log")" -ge "$reloads" ] &&
			tail -n 2 "$log" | grep -q -- "$want" && return 0
		sleep 0.1
	done
	echo "after SIGHUP $reloads, no \"$want\" in:" >&2
	tail -n 4 "$log" >&2
	return 1
}
check "SIGHUP as nobody, keys root's (0600): 'Permission denied; keeping the configuration in use'" \
	reload_says "$server_key: Permission denied; keeping the configuration in use"
check "  still serves with the old configuration" get
chown nobody "$keys"/*.key
check "SIGHUP with the keys nobody's: reloaded" \
	reload_says "$tmp/ktlsod.conf: [0-9]* profiles"
check "  serves with the new configuration" get
chmod 640 "$server_key"
check "SIGHUP with a key 0640: refused, naming file and mode" \
	reload_says "$server_key: mode 0640: a private key must not be readable or writable by group or others (chmod 600 it); keeping the configuration in use"
check "  still serves" get
chmod 600 "$server_key"

# Cores: the directory takes a core from nobody, but none from ktlsod.
setpriv --reuid=nobody --regid="$nogroup" --clear-groups sleep 60 &
victim=$!
# until setpriv has become sleep
for _ in $(seq 100); do
	[ "$(cat "/proc/$victim/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
kill -SEGV "$victim"
wait "$victim" || true
check "control: a crashing process of nobody leaves $cores/core.sleep.$victim" \
	test -s "$cores/core.sleep.$victim"
crash() {
	kill "-$1" "$daemon_pid"
	local rc=0
	wait "$daemon_pid" || rc=$?
	daemon_pid=
	# A dump is written before the parent hears of the death.
	echo "ktlsod exited with $rc (128 + $(kill -l "$1"))"
	[ "$rc" = $((128 + $(kill -l "$1"))) ]
}
check "SIGSEGV kills ktlsod" crash SEGV
check "  and leaves no core file" fails compgen -G "$cores/core.ktlsod*"
start_daemon
check "SIGABRT kills ktlsod" crash ABRT
check "  and leaves no core file" fails compgen -G "$cores/core.ktlsod*"
ls -l "$cores"

# The unit's SystemCallFilter=@system-service: every call ktlsod made in a
# start, the drop, handshakes of both roles and a reload is in it.
syscall_set() { # GROUP: its system calls, groups expanded
	systemd-analyze syscall-filter "$1" | tail -n +2 |
		awk '$1 !~ /^#/ && NF { print $1 }' | while read -r s; do
			case $s in @*) syscall_set "$s" ;; *) echo "$s" ;; esac
		done
}
if command -v strace >/dev/null && command -v systemd-analyze >/dev/null; then
	strace -f -qq -o "$tmp/strace.out" "$KTLSOD" -c "$tmp/ktlsod.conf" \
		2>>"$log" &
	tracer=$!
	pids+=("$tracer")
	for _ in $(seq 600); do reachable && break; sleep 0.1; done
	daemon_pid=$(pgrep -P "$tracer" -x ktlsod)
	check "under strace: server role" get
	check "under strace: client role" talk
	check "under strace: SIGHUP reload" reload_says "profiles"
	kill "$daemon_pid"
	wait "$tracer" || true
	daemon_pid=
	syscall_set @system-service | sort -u >"$tmp/allowed"
	sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' "$tmp/strace.out" |
		sort -u >"$tmp/used"
	echo "ktlsod used $(wc -l <"$tmp/used") system calls: $(tr '\n' ' ' <"$tmp/used")"
	comm -23 "$tmp/used" "$tmp/allowed" >"$tmp/outside"
	check "every system call ktlsod made is in @system-service" \
		test ! -s "$tmp/outside"
	cat "$tmp/outside"
else
	check "strace and systemd-analyze are installed (tools/deps)" false
fi
restore
finish
