#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/bench/summary, the arithmetic of `make bench`, on results made up
# here: a ratio is the median of the in-round ratios (not the ratio of the
# medians), the sendfile ceiling is min(plain TCP, AEAD seal) of the same
# round, each target says met or MISSED, and a directory without results
# is an error. Runs as build/tests/unit/bench_summary_test (make copies it).
set -euo pipefail
cd "$(dirname "$0")/../../.."
. tests/lib/check.bash

# Two rounds. ktlso/tls.ko for send -P 1 is 2.0 then 1.0 (median 1.50,
# while the medians' ratio would be 50/30 = 1.67); sendfile -P 1: ktlso 30
# and 20 against TCP 100 and 10, AEAD seal 40 and 40, so the ceilings are
# 40 and 10 and the ratios 0.75 and 2.0 (median 1.375). Every other run
# moves 10 MB/s; ktlso's CPU s/GB is half tls.ko's.
python3 - "$tmp" <<'EOF'
import json, os, sys
d = sys.argv[1]
mbps = {("send", 1, "ktlso"): (80, 20), ("send", 1, "tls"): (40, 20),
        ("sendfile", 1, "ktlso"): (30, 20), ("sendfile", 1, "tcp"): (100, 10)}
for r in (1, 2):
    for kind in ("send", "sendfile"):
        for p in (1, 2, 4):
            for m in ("ktlso", "tls", "tcp", "openssl"):
                if (kind, m) == ("sendfile", "openssl"):
                    continue
                v = mbps.get((kind, p, m), (10, 10))[r - 1]
                cpu = 1.0 if m == "ktlso" else 2.0
                doc = {"end": {"sum_received": {"bits_per_second": v * 8e6},
                               "ktlso": {"cpu_seconds_per_gb": {"local": cpu, "remote": cpu}}}}
                json.dump(doc, open(os.path.join(d, "perf-r%d-%s-P%d-%s.json" % (r, kind, p, m)), "w"))
    json.dump({"runs": [{"round": r, "mode": "recv", "variant": v, "MBps": x}
                        for v, x in (("tls.ko", 10), ("ktlso", 12), ("openssl", 11))]},
              open(os.path.join(d, "recv-r%d.json" % r), "w"))
    json.dump({"seal_MBps": 40, "open_MBps": 30}, open(os.path.join(d, "aead-r%d.json" % r), "w"))
json.dump({"bytes_per_socket": {m: {"slab": s, "kernel": k, "over_tcp": k - 2300}
                                for m, s, k in (("tcp", 2100, 2300), ("tls", 3000, 3500),
                                                ("ktlso", 2900, 3300))}},
          open(os.path.join(d, "memory.json"), "w"))
EOF
tools/bench/summary "$tmp" >"$tmp/out" 2>&1 || true
line() { grep -E "^$1" "$tmp/out"; }
check "summary exits 0 on complete results" bash -c "tools/bench/summary '$tmp' >/dev/null"
check "ktlso / tls.ko send -P 1: the median of in-round ratios, 1.50" \
	bash -c "grep -E '^ktlso / tls.ko +1.50 ' '$tmp/out' >/dev/null"
check "send target: 1.50 met, from rounds 2.00 and 1.00" \
	bash -c "grep -E '^send: ktlso / tls.ko >= 1.30 +1.50  met +\(2.00 1.00\)$' '$tmp/out' >/dev/null"
check "sendfile ceiling: min(TCP, AEAD) of each round, 1.38 met" \
	bash -c "grep -E '^sendfile: ktlso / min\(TCP, AEAD\) >= 0.85 +1.38  met +\(0.75 2.00\)$' '$tmp/out' >/dev/null"
check "receive alone: 12/10 = 1.20, MISSED" \
	bash -c "grep -E '^receive alone: ktlso / tls.ko >= 1.30 +1.20  MISSED \(1.20 1.20\)$' '$tmp/out' >/dev/null"
check "CPU s/GB: half of tls.ko's, met" \
	bash -c "grep -E '^send: CPU s/GB sender, ktlso / tls.ko < 1 +0.50  met +\(0.50 0.50\)$' '$tmp/out' >/dev/null"
check "summary.json written, every target in it" \
	python3 -c "import json, sys; s = json.load(open(sys.argv[1])); assert len(s['targets']) == 8" "$tmp/summary.json"
check "memory per idle socket: ktlso's slab, kernel and excess over TCP" \
	bash -c "grep -E '^ktlso +2900 +3300 +1000$' '$tmp/out' >/dev/null"
mkdir "$tmp/empty"
check "a directory without results: exit 1" \
	bash -c "! tools/bench/summary '$tmp/empty' 2>/dev/null"
[ "$failed" = 0 ] || cat "$tmp/out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
