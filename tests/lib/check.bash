# SPDX-License-Identifier: MIT
# What the shell tests share (tests/unit/*.sh, and tests/vm/e2e/lib.bash
# inside the VM), sourced from the repository's root: a scratch directory
# $tmp, removed at exit together with the background processes the test
# lists in pids (and what a before_cleanup function, if the test defines
# one, stops first), and one "ok - ..." or "not ok - ..." line per check,
# counted in passed and failed.
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	if declare -F before_cleanup >/dev/null; then before_cleanup; fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

passed=0 failed=0
# check "what" CMD...
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what"
		failed=$((failed + 1))
	fi
}

# fails CMD...: CMD exits non-zero.
fails() { ! "$@"; }

# A loopback TCP port nobody holds now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listen PORT: until something listens on TCP PORT (IPv4 or IPv6),
# without connecting (a one-off server would take the probe for its client).
wait_listen() {
	local hex
	hex=$(printf ':%04X' "$1")
	for _ in $(seq 200); do
		awk -v p="$hex" '$2 ~ (p "$") && $4 == "0A" { f = 1 } END { exit !f }' \
			/proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
		sleep 0.05
	done
	echo "nothing listens on port $1" >&2
	return 1
}
