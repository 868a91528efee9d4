#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A newcomer's first command: bare `make` in a clean copy of the tree builds
# the module and every program, for each test kernel.
#
#   host: copy of the tracked files (no build/) ── make; make KVER=6.1; make KVER=6.12
#
# Checks the module for each kernel (and its vermagic), the daemon, the
# command, ktlso-perf, the wrap library, hs-peer and the unit tests; and
# that the command and the wrap library link no libssl/libcrypto.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The tracked files as they are in the work tree, nothing built.
git ls-files -z | tar --null -T - -cf - | tar -C "$tmp" -xf -
touch "$tmp/.copied"

pass=0 fail=0
check() {
	local what=$1; shift
	if "$@"; then echo "ok - $what"; pass=$((pass + 1))
	else echo "not ok - $what"; fail=$((fail + 1)); fi
}

# No KVER: the running kernel when its headers are installed, else 6.1.
running=/lib/modules/$(uname -r)/build
for k in "" 6.1 6.12; do
	if [ -n "$k" ]; then release=$(tools/vm/kernel "$k" release)
	elif [ -f "$running/Makefile" ]; then release=$(uname -r)
	else release=$(tools/vm/kernel 6.1 release)
	fi
	ko=$tmp/build/$release/kernel/ktlso.ko
	rm -rf "$tmp/build/$release"
	check "make ${k:+KVER=$k }exits 0" make -C "$tmp" -s -j"$(nproc)" ${k:+KVER=$k}
	check "${k:-bare}: ktlso.ko is built in build/$release/" test -f "$ko"
	check "${k:-bare}: ktlso.ko is for $release" \
		test "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$release"
done
for p in ktlsod ktlso ktlso-perf libktlso-wrap.so tools/hs-peer/hs-peer tests/unit/engine_test tests/vm/upcall_test; do
	check "build/$p is built" test -x "$tmp/build/$p"
done
check "ktlso --help runs" bash -c "'$tmp/build/ktlso' --help >/dev/null"
check "ktlso (the command) links no libssl/libcrypto" \
	bash -c "! ldd '$tmp/build/ktlso' | grep -Eq 'libssl|libcrypto'"
check "libktlso-wrap.so (ktlso wrap's preload) links no libssl/libcrypto" \
	bash -c "! ldd '$tmp/build/libktlso-wrap.so' | grep -Eq 'libssl|libcrypto'"
new_files() { find "$tmp" -path "$tmp/build" -prune -o -type f -newer "$tmp/.copied" -print; }
check "nothing is written outside build/" test -z "$(new_files)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
