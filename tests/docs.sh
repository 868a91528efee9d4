#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documentation builds without a warning: every reStructuredText file
# through docutils (a misaligned table cell or a broken literal block is an
# error, not a silently mangled page), every man page through groff with
# all its warnings on.
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
exit "$failed"
