#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documentation builds without a warning: every reStructuredText file
# through docutils (a misaligned table cell or a broken literal block is an
# error, not a silently mangled page), every man page through groff with
# all its warnings on; and the netlink spec agrees with the kernel.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=0
# Debian's docutils, whatever python3 comes first in PATH.
rst2html=/usr/bin/rst2html
for f in Documentation/*.rst; do
	if out=$("$rst2html" --halt=warning --report=warning "$f" 2>&1 >/dev/null); then
		echo "ok - $f"
	else
		echo "not ok - $f: $out"
		failed=1
	fi
done
for m in Documentation/*.[1-8]; do
	out=$(groff -man -ww -z "$m" 2>&1)
	if [ -z "$out" ]; then
		echo "ok - $m"
	else
		echo "not ok - $m: $out"
		failed=1
	fi
done
# The netlink spec's DONE lists what the kernel's DONE policy takes
# (kernel/upcall.c), no more, no less.
spec_done=$(awk '/^      name: /{op=$2} op=="done" && /^            - /{print $2}' \
	Documentation/netlink/specs/ktlso.yaml | tr a-z- A-Z_ | sort)
kernel_done=$(sed -n 's/^\t\[KTLSO_A_\([A-Z_]*\)\] = .*/\1/p' kernel/upcall.c | sort)
if [ -n "$spec_done" ] && [ "$spec_done" = "$kernel_done" ]; then
	echo "ok - the spec's done attributes are the kernel's DONE policy"
else
	echo "not ok - the spec's done attributes differ from the kernel's DONE policy:"
	diff <(echo "$spec_done") <(echo "$kernel_done") | sed 's/^/    /'
	failed=1
fi
exit "$failed"
