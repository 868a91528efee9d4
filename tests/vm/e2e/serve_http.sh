#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What `ktlso serve` answers, and that it answers several clients at once.
#
#   curl / openssl s_client / ktlso connect ──► ktlso serve 8444 --dir www
#                                                 www/index.html, a.txt
#                                                 www/sub/b.bin
#                                                 www/out  -> /etc/passwd
#                                                 www/etc  -> /etc
#
# ktlso-e2e: once (its subject is ktlsod or the CLI; Documentation/testing.rst)
set -euo pipefail
. "$(dirname "$0")/lib.bash"
setup

port=8444 url=https://localhost:8444
www=$tmp/www
mkdir -p "$www/sub"
echo '<h1>ktlso</h1>' >"$www/index.html"
echo hello >"$www/a.txt"
head -c 100000 /dev/urandom >"$www/sub/b.bin"
ln -s /etc/passwd "$www/out"
ln -s /etc "$www/etc"
mkfifo "$www/fifo"
bg "$KTLSO" serve "$port" --dir "$www" --timeout 60000 2>"$tmp/serve.log"
wait_listen "$port"

# code [curl options...] PATH: the status curl got.
code() {
	local path=${*: -1}
	curl -s -o /dev/null -w '%{http_code}' --path-as-is --max-time 20 \
		--cacert "$PKI/root.pem" "${@:1:$#-1}" "$url$path"
}
is() { [ "$1" = "$2" ] || { echo "got $1, want $2" >&2; return 1; }; }

check "GET /a.txt is 200 with the file" \
	test "$(curl -s --cacert "$PKI/root.pem" "$url/a.txt")" = hello
check "GET / serves index.html as text/html" \
	is "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' \
		--cacert "$PKI/root.pem" "$url/")" "200 text/html; charset=utf-8"
curl -s --cacert "$PKI/root.pem" -o "$tmp/b.bin" "$url/sub/b.bin" || true
check "GET /sub/b.bin: 100000 bytes, the same" cmp "$tmp/b.bin" "$www/sub/b.bin"
check "HEAD: Content-Length 100000, no body" \
	is "$(curl -s -I --cacert "$PKI/root.pem" "$url/sub/b.bin" |
		tr -d '\r' | awk -F': ' '$1 == "Content-Length" { print $2 }')" 100000
check "HTTP/1.0 is served too" is "$(code -0 /a.txt)" 200
check "a missing file is 404" is "$(code /nope)" 404
check "/../etc/passwd is 400" is "$(code /../etc/passwd)" 400
check "/sub/%2e%2e/%2e%2e/etc/passwd is 400" is "$(code /sub/%2e%2e/%2e%2e/etc/passwd)" 400
check "a symbolic link to /etc/passwd is 403" is "$(code /out)" 403
check "a path through a symbolic link to /etc is not served" \
	is "$(code /etc/passwd)" 404
check "a FIFO is not served (404), and does not hang" is "$(code /fifo)" 404
check "POST is 405" is "$(code -X POST -d x /a.txt)" 405
check "a 9000-byte path is refused (414)" \
	is "$(code "/$(head -c 9000 /dev/zero | tr '\0' a)")" 414

# raw REQUEST: the status line the server answers, via openssl s_client.
raw() {
	printf '%b' "$1" | timeout 20 openssl s_client -quiet -connect "localhost:$port" \
		-CAfile "$PKI/root.pem" -verify_return_error 2>/dev/null |
		head -n 1 | tr -d '\r'
}
check "HTTP/2.0 in the request line is 505" \
	is "$(raw 'GET / HTTP/2.0\r\n\r\n')" "HTTP/1.1 505 HTTP Version Not Supported"
check "a request line without a version is 400" \
	is "$(raw 'GET /a.txt\r\n\r\n')" "HTTP/1.1 400 Bad Request"
check "a control byte in the path is 400" \
	is "$(raw 'GET /a%01.txt HTTP/1.1\r\n\r\n')" "HTTP/1.1 400 Bad Request"

# Both ends through ktlsod, over IPv6.
check "ktlso connect [::1] to ktlso serve: 200 over IPv6" \
	bash -c "printf 'GET /a.txt HTTP/1.0\r\n\r\n' |
		'$KTLSO' connect '[::1]:$port' --servername localhost 2>'$tmp/connect.log' |
		grep -q '^HTTP/1.1 200 OK'"

# A client that holds its connection without a request must not stop
# anyone else: each connection has its own process.
mkfifo "$tmp/idle"
exec 3<>"$tmp/idle"	# stdin that never ends and never says anything
bg openssl s_client -quiet -connect "localhost:$port" -CAfile "$PKI/root.pem" \
	<&3 >/dev/null 2>&1
sleep 2
t0=$SECONDS
got=$(code /a.txt)
took=$((SECONDS - t0))
check "while a client holds a connection idle, another is served (${took}s)" \
	test "$got" = 200 -a "$took" -lt 15

# 18 requests above; the idle client never sent one.
check "one log line per request" \
	test "$(grep -c '" [0-9][0-9][0-9] [0-9]' "$tmp/serve.log")" = 18
finish
