#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Who may use a profile (ktlsod.conf(5): allow_users, allow_groups,
# allow_cgroups), with the real ktlsod and requests from other users.
#
#   asker.py as nobody / uid 4001 / gid 4000+4242 / in a cgroup
#      └─setsockopt KTLSO_HANDSHAKE─► ktlso.ko ─ACCEPT {uid,gid,groups,cgroup}─► ktlsod
#                                                   refused: DONE EACCES, nothing sent
#      └── TCP ──► a listener that counts bytes (refused) or s_server (allowed)
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
ASKER=$PWD/tests/vm/e2e/asker.py
CG=/sys/fs/cgroup/ktlso-access

make_pki
write_config
# Keyed client profiles (the test client certificate), each opened to one
# kind of requester; cgroups as ktlsod sees them, from the cgroup2 root.
for p in by-uid:"allow_users = 4001" by-group:"allow_groups = 4242" \
	by-cgroup:"allow_cgroups = /ktlso-access/allowed" \
	anyone:"allow_users = *"; do
	cat >>"$tmp/ktlsod.conf" <<EOF2

[profile ${p%%:*}]
cert = $PKI/client-chain.pem
key = $PKI/client.key
ca = $PKI/root.pem
${p#*:}
EOF2
done
start_daemon

# counter_peer PORT: accept one connection, write how many bytes came
# before it closed to $tmp/counted-PORT.
counter_peer() {
	bg python3 -c 'import socket, sys
s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
c, _ = s.accept()
c.settimeout(20)
n = 0
while True:
    d = c.recv(4096)
    if not d:
        break
    n += len(d)
open(sys.argv[2], "w").write("%d\n" % n)' "$1" "$tmp/counted-$1"
	wait_listen "$1"
}

# ask NAME PORT [asker options...]: asker.py's output in $tmp/NAME.out.
ask() {
	local name=$1 port=$2
	shift 2
	python3 "$ASKER" "$@" localhost "$port" >"$tmp/$name.out" 2>&1
}

# refused NAME: EACCES, and the socket stays unusable.
refused() {
	grep -qx 'handshake failed: EACCES' "$tmp/$1.out" &&
		grep -qx 'send after: ECONNABORTED' "$tmp/$1.out" &&
		grep -qx 'recv after: ECONNABORTED' "$tmp/$1.out"
}
allowed() { grep -qx 'handshake: ok' "$tmp/$1.out" && grep -qx 'echo: cba' "$tmp/$1.out"; }

# counted PORT N: the listener on PORT saw exactly N bytes, then the end.
counted() {
	for _ in $(seq 100); do
		[ -s "$tmp/counted-$1" ] && break
		sleep 0.1
	done
	[ "$(cat "$tmp/counted-$1" 2>/dev/null)" = "$2" ]
}

# refused_silently NAME PORT: refused, and the peer on PORT got nothing.
refused_silently() { refused "$1" && counted "$2" 0; }

# logged REGEX: a line of ktlsod's log matches (it logs after DONE).
logged() {
	for _ in $(seq 50); do
		grep -Eq "$1" "$tmp/ktlsod.log" && return 0
		sleep 0.1
	done
	return 1
}

port=9520
counter_peer $port
ask nobody-keyed $port --profile default
check "nobody, a profile with a key (default): EACCES" refused nobody-keyed
check "  the peer saw no byte (no ClientHello) and the connection closed" \
	counted $port 0
check "  ktlsod logged the refusal with who asked" \
	logged 'profile=default uid=65534 gid=65534 cgroup="[^"]*" result=EACCES'

s_server $((port + 1))
ask nobody-open $((port + 1)) --profile tls12
check "nobody, a profile without a key (tls12): allowed" allowed nobody-open

s_server $((port + 2))
ask by-group $((port + 2)) --uid 4000 --gid 4000 --groups 4242 --profile by-group
check "a listed supplementary group (4242): allowed" allowed by-group
counter_peer $((port + 3))
ask by-group-no $((port + 3)) --uid 4000 --gid 4000 --groups 4243 --profile by-group
check "  another group: EACCES, nothing sent" \
	refused_silently by-group-no $((port + 3))

s_server $((port + 4))
ask by-uid $((port + 4)) --uid 4001 --gid 4000 --profile by-uid
check "a listed uid (4001): allowed" allowed by-uid
counter_peer $((port + 5))
ask by-uid-no $((port + 5)) --uid 4002 --gid 4000 --profile by-uid
check "  uid 4002: EACCES, nothing sent" \
	refused_silently by-uid-no $((port + 5))

s_server $((port + 6))
ask anyone $((port + 6)) --profile anyone
check "allow_users = * opens a keyed profile to nobody" allowed anyone

s_server $((port + 7))
ask root-keyed $((port + 7)) --uid 0 --gid 0 --profile by-uid
check "root may use a keyed profile that lists others" allowed root-keyed

# The cgroup v2 hierarchy; the VM's init does not mount it.
grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p "$CG/allowed/worker" "$CG/allowed2"
# Sockets keep their cgroup only with CONFIG_SOCK_CGROUP_DATA (Debian's
# kernels; not the debug build): without it allow_cgroups admits nobody.
config=/lib/modules/$(uname -r)/build/.config
[ -e "$config" ] || config=/usr/src/linux-headers-$(uname -r)/.config
check "the kernel's .config is at hand ($config)" test -r "$config"
s_server $((port + 8))
ask in-cgroup $((port + 8)) --uid 4003 --gid 4003 --cgroup "$CG/allowed/worker" \
	--profile by-cgroup
if grep -qx 'CONFIG_SOCK_CGROUP_DATA=y' "$config"; then
	check "a cgroup under the listed prefix: allowed" allowed in-cgroup
else
	check "no socket cgroups in this kernel: a listed cgroup is refused" \
		refused in-cgroup
fi
counter_peer $((port + 9))
ask sibling-cgroup $((port + 9)) --uid 4003 --gid 4003 --cgroup "$CG/allowed2" \
	--profile by-cgroup
check "  a sibling cgroup with the same start (allowed2): EACCES" \
	refused_silently sibling-cgroup $((port + 9))
if grep -qx 'CONFIG_SOCK_CGROUP_DATA=y' "$config"; then
	check "  logged with its cgroup" \
		logged 'profile=by-cgroup uid=4003 gid=4003 cgroup="/ktlso-access/allowed2" result=EACCES'
else
	check "  logged without one" \
		logged 'profile=by-cgroup uid=4003 gid=4003 cgroup="\?" result=EACCES'
fi
rmdir "$CG/allowed/worker" "$CG/allowed" "$CG/allowed2" "$CG" 2>/dev/null || true
finish
