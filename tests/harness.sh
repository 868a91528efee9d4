#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tests of the VM harness itself (tools/vm/run), from the host.
#
#   host: tools/vm/run ──qemu──> guest: Debian stock kernel, 9p root, CMD
#
# The harness must hand back CMD's exit status and output, bring files back
# through $KTLSO_VM_OUT, load ktlso.ko, fail a run whose kernel log shows a
# WARNING even when CMD succeeds (on 6.12-debug also a KASAN report or a
# kmemleak leak), enforce its timeout, and leave no QEMU behind.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
# Our VMs' work directories live under $tmp/vm, so only QEMUs started by
# this script count: other VMs on the machine may come and go meanwhile.
mkdir "$tmp/vm"
export TMPDIR=$tmp/vm
qemus() { pgrep -f "qemu-system-x86_64.*$tmp/vm/ktlso-vm\\." | sort || true; }  # none is fine
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() {
	local what=$1; shift
	if "$@"; then echo "ok - $what"; pass=$((pass + 1))
	else echo "not ok - $what"; fail=$((fail + 1)); fi
}
vm() { tools/vm/run "$@" >"$tmp/stdout" 2>"$tmp/stderr"; }
status_of() { local rc=0; vm "$@" || rc=$?; echo "$rc"; }

check "'-- true' exits 0" test "$(status_of -- true)" = 0
check "'-- false' exits 1" test "$(status_of -- false)" = 1

rc=$(KTLSO_VM_OUT=$tmp/out status_of --kernel 6.1 -- sh -c \
	'grep -q "^ktlso " /proc/modules || exit 9; echo to-stdout; echo to-stderr >&2; echo back >"$KTLSO_VM_OUT/file"; exit 7')
check "CMD's exit status (7) comes back" test "$rc" = 7
check "ktlso.ko was loaded before CMD" test "$rc" != 9
check "CMD's stdout reaches stdout" test "$(cat "$tmp/stdout")" = to-stdout
check "CMD's stderr reaches stderr" grep -qx to-stderr "$tmp/stderr"
check "a file written to \$KTLSO_VM_OUT comes back" test "$(cat "$tmp/out/file" 2>/dev/null)" = back

# The kernels under test, as tools/check takes them.
for k in ${KTLSO_KERNELS:-6.1 6.12 6.12-debug}; do
	kmod=build/$(tools/vm/kernel $k release)/tests/kmod
	warn_ko=$kmod/ktlso_test_warn.ko
	check "$k: test module $warn_ko is built (make KVER=$k test-modules)" test -f "$warn_ko"
	# The same log check on every kernel: the stock ones show it, and a
	# debug boot costs a minute and a half.
	case $k in
	*-debug) ;;
	*)
		rc=$(status_of --kernel $k -- insmod "$warn_ko")
		check "$k: a kernel WARNING fails the run although insmod succeeded" test "$rc" != 0
		check "$k: and the harness says why" grep -q 'reported a problem: kernel WARNING' "$tmp/stderr"
		continue
		;;
	esac

	# The debug kernel's checkers (tools/vm/debug.config). That a clean
	# debug boot passes is shown by every vm-$k suite, which is one; this
	# script boots it only for the faults (a debug boot costs a minute and
	# a half). Both faults in one boot:
	# each must be named on its own.
	rc=$(status_of --kernel $k -- sh -c \
		"insmod $kmod/ktlso_test_oob.ko && insmod $kmod/ktlso_test_leak.ko")
	check "$k: a KASAN out-of-bounds read and a leak fail the run although both insmods succeeded" test "$rc" != 0
	check "$k: and the harness says it was KASAN" grep -q 'reported a problem: KASAN report' "$tmp/stderr"
	check "$k: and shows the report" grep -q 'BUG: KASAN: slab-out-of-bounds in oob_init' "$tmp/stderr"
	check "$k: and the harness says it was kmemleak" grep -q 'reported a problem: .*kmemleak: 1 unreferenced object' "$tmp/stderr"
	check "$k: and shows where it was allocated" grep -q 'leak_one' "$tmp/stderr"
done

# A run that is sent SIGTERM, booted meanwhile so the two waits overlap.
tools/vm/run -- sleep 600 >/dev/null 2>&1 &
runner=$!
rc=$(status_of --timeout 20 -- sleep 600)
check "a run past its --timeout fails" test "$rc" != 0
check "and says it timed out" grep -q 'timed out' "$tmp/stderr"
kill -TERM "$runner"
wait "$runner" || true
sleep 1
qemus >"$tmp/qemus-after"
check "no QEMU process is left behind, after a timeout or a SIGTERM" \
	test ! -s "$tmp/qemus-after"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
