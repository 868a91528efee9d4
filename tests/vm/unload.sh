#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Module unload while a socket still carries the ULP, in the VM.
#
#   holder (python3): client (ULP "ktlso") --- 127.0.0.1 --- server
#   this script:      rmmod ktlso  -> refused while the holder lives
#                     holder exits -> rmmod succeeds, attach is ENOENT,
#                     insmod again -> attach works
set -euo pipefail

module=build/$KTLSO_VM_KVER/kernel/ktlso.ko
tmp=$(mktemp -d)
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null || true
	rm -rf "$tmp"
	grep -q '^ktlso ' /proc/modules || insmod "$module"
}
trap cleanup EXIT

pass=0 fail=0
check() {
	local what=$1; shift
	if "$@"; then echo "ok - $what"; pass=$((pass + 1))
	else echo "not ok - $what"; fail=$((fail + 1)); fi
}

# attach.py [hold]: attach ktlso to a loopback connection; with "hold", keep it
# open until the file $tmp/release appears. Exit status 0 on attach, else the
# errno of the failed setsockopt.
cat >"$tmp/attach.py" <<'PY'
import os, socket, sys, time
SOL_TCP, TCP_ULP = 6, 31
lsn = socket.create_server(("127.0.0.1", 0))
cli = socket.create_connection(lsn.getsockname())
srv, _ = lsn.accept()
try:
    cli.setsockopt(SOL_TCP, TCP_ULP, b"ktlso")
except OSError as e:
    sys.exit(e.errno)
if len(sys.argv) > 1:
    d = sys.argv[1]
    open(os.path.join(d, "ready"), "w").close()
    while not os.path.exists(os.path.join(d, "release")):
        time.sleep(0.05)
    cli.sendall(b"still plaintext")
    assert srv.recv(64) == b"still plaintext"
PY

wait_for() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
module_refs() { awk '$1 == "ktlso" { print $3 }' /proc/modules; }
rmmod_eventually() {
	# Closing a socket destroys it asynchronously; give it a moment.
	for _ in $(seq 50); do rmmod ktlso 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
attach_errno() { python3 "$tmp/attach.py" && echo 0 || echo $?; }

python3 "$tmp/attach.py" "$tmp" & holder=$!
check "holder attached ktlso" wait_for "$tmp/ready"
check "module refcount counts the socket ($(module_refs))" test "$(module_refs)" -ge 1
check "rmmod is refused while the socket is open" bash -c '! rmmod ktlso 2>/dev/null'
check "module is still loaded" grep -q '^ktlso ' /proc/modules
touch "$tmp/release"
check "holder's stream still works and it exits cleanly" wait "$holder"
holder=
check "rmmod succeeds once the socket is gone" rmmod_eventually
check "attach without the module is ENOENT" test "$(attach_errno)" = 2
check "insmod again" insmod "$module"
check "attach works after reload" test "$(attach_errno)" = 0

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
