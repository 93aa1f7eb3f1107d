#!/bin/sh
# edge-test.sh BUILD_DIR - what nginx does in front of the workers
# (deploy/nginx.conf.in, deploy/nginx-fastcgi.conf), on a fresh stack:
#
# 1. Buffering: a slow client (4 KiB receive window, reading nothing
#    until the worker has logged its answer) of a 188 KB answer (the
#    seed's FHIR Slot.ndjson; 100-row pages are 40-60 KB) gets every byte,
#    and nginx never wrote it to a temporary file (no "buffered to a
#    temporary file" in its error log).  Linux grows a socket's send
#    buffer up to net.ipv4.tcp_wmem's maximum (4 MiB here), which would
#    take the whole answer whatever nginx's buffers; so this stack's
#    listen socket gets sndbuf=16k (the template is copied with that one
#    change), and only nginx's own buffers can hold the rest.
# 2. Compression: JSON over 1 KiB is gzip'ed for a client that asks, a
#    small answer is not, and nothing under /api/v1/auth/ ever is.
# 3. The password-hashing routes have a worker pool of their own: with
#    that pool stopped, POST /auth/login, /auth/register and /auth/reset
#    answer 502 in the JSON envelope (they went to the stopped pool),
#    while GET /users/me, POST /auth/refresh, POST /auth/forgot and
#    GET /health still answer 200 (they never go there).  So a storm of
#    logins, each one scrypt, can only fill its own pool.
#
# Needs spawn-fcgi, nginx and curl (as t/run-e2e.sh).  The directory is
# removed after a success and kept after a failure.
set -eu

[ $# -eq 1 ] || { echo "usage: edge-test.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
STACK=$ROOT/scripts/stack.sh
DIR=$(mktemp -d "${TMPDIR:-/tmp}/med-edge.XXXXXX")
PASS=0
FAIL=0

trap 'sh "$STACK" stop "$DIR" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "edge-test: FAIL $*" >&2; }

# call NAME WANT_STATUS METHOD PATH [curl options]: the status, and for a
# failure the envelope's "success":false.
call() {
	_name=$1 _want=$2 _method=$3 _path=$4
	shift 4
	_got=$(curl -s -o "$DIR/body" -w '%{http_code}' -X "$_method" "$@" "$BASE$_path") || _got=000
	if [ "$_got" != "$_want" ]; then
		bad "$_name: status $_got, want $_want ($(head -c 200 "$DIR/body"))"
	elif [ "$_want" -ge 400 ] && ! grep -q '^{"success":false,' "$DIR/body"; then
		bad "$_name: no JSON envelope: $(head -c 200 "$DIR/body")"
	else
		ok
	fi
}

# The shipped template, with a 16 KiB send buffer on the listen socket.
sed 's|^\([[:space:]]*listen 127.0.0.1:@PORT@\);|\1 sndbuf=16k;|' "$ROOT/deploy/nginx.conf.in" \
    > "$DIR/nginx.conf.in"
grep -q 'sndbuf=16k;' "$DIR/nginx.conf.in" || { echo "edge-test: no listen line to change" >&2; exit 1; }
MED_NGINX_TEMPLATE=$DIR/nginx.conf.in MED_SENDER=0 sh "$STACK" start "$DIR" "$BUILD" > "$DIR/start.log" 2>&1 ||
    { cat "$DIR/start.log" >&2; echo "edge-test: the stack did not start" >&2; exit 1; }
BASE=$(cat "$DIR/base_url")
PORT=$(cat "$DIR/port")
JSON='Content-Type: application/json'
LOGIN='{"email":"amina.benali@example.dz","password":"Algeria123!"}'

# 1. Buffering.  The worker writes its access.log line once nginx has
# taken the whole answer from it, whatever the client has read.
python3 - "$PORT" "$DIR/log/access.log" > "$DIR/slow.out" 2>&1 <<'PY' || true
import socket, sys, time
port, log = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(b"GET /fhir/r4/$bulk-publish/Slot.ndjson HTTP/1.1\r\nHost: localhost\r\n"
          b"Connection: close\r\n\r\n")
deadline = time.monotonic() + 20
while "Slot.ndjson" not in open(log).read():
    if time.monotonic() > deadline:
        sys.exit("the worker never logged the request")
    time.sleep(0.05)
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode(), len(body))
PY
SLOW=$(cat "$DIR/slow.out")
case $SLOW in
"HTTP/1.1 200 OK "*)
	if [ "${SLOW##* }" -gt 150000 ]; then ok; else bad "slow client: only ${SLOW##* } bytes"; fi ;;
*) bad "slow client: $SLOW" ;;
esac
if grep -q 'buffered to a temporary file' "$DIR/log/nginx-error.log" 2>/dev/null; then
	bad "nginx wrote an answer to a temporary file: $(grep 'buffered to a temporary file' "$DIR/log/nginx-error.log" | head -n 1)"
else
	ok
fi

# 2. Compression: what nginx sends for Accept-Encoding: gzip.
encoding() {
	curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$@" | tr -d '\r' |
	    sed -n 's/^[Cc]ontent-[Ee]ncoding: //p'
}
check_eq() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
check_eq "GET /doctors (3 KB) compressed" "$(encoding "$BASE/api/v1/doctors")" gzip
check_eq "GET /health (54 bytes) not compressed" "$(encoding "$BASE/api/v1/health")" ""
check_eq "tokens never compressed" "$(encoding -H "$JSON" -d "$LOGIN" "$BASE/api/v1/auth/login")" ""

# 3. Both pools up: a login works and gives the tokens used below.
curl -sf -H "$JSON" -d "$LOGIN" "$BASE/api/v1/auth/login" > "$DIR/login.json" ||
    { echo "edge-test: login failed with both pools up" >&2; exit 1; }
ACCESS=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$DIR/login.json")
REFRESH=$(sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p' "$DIR/login.json")
[ -n "$ACCESS" ] && [ -n "$REFRESH" ] || { echo "edge-test: no tokens in the login answer" >&2; exit 1; }

# Stop the hashing pool (its master takes its workers with it) and wait,
# bounded, for the master to be gone.
KDF_PID=$(tr -cd '0-9' < "$DIR/run/spawn-kdf.pid")
[ -n "$KDF_PID" ] && kill -TERM "$KDF_PID" || { echo "edge-test: no hashing pool to stop" >&2; exit 1; }
_i=0
while kill -0 "$KDF_PID" 2>/dev/null; do
	_i=$((_i + 1))
	[ "$_i" -lt 100 ] || { echo "edge-test: the hashing pool did not stop" >&2; exit 1; }
	sleep 0.1
done

call "login goes to the hashing pool" 502 POST /api/v1/auth/login -H "$JSON" -d "$LOGIN"
call "register goes to the hashing pool" 502 POST /api/v1/auth/register -H "$JSON" \
    -d '{"email":"new.patient@example.dz","password":"Algeria123!","role":"patient"}'
call "reset goes to the hashing pool" 502 POST /api/v1/auth/reset -H "$JSON" \
    -d '{"token":"x","new_password":"Algeria123!"}'
call "users/me stays with the workers" 200 GET /api/v1/users/me -H "Authorization: Bearer $ACCESS"
call "refresh stays with the workers" 200 POST /api/v1/auth/refresh -H "$JSON" \
    -d "{\"refresh_token\":\"$REFRESH\"}"
call "forgot stays with the workers" 200 POST /api/v1/auth/forgot -H "$JSON" \
    -d '{"email":"amina.benali@example.dz"}'
call "health stays with the workers" 200 GET /api/v1/health

echo "edge-test: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] || { trap - EXIT; sh "$STACK" stop "$DIR" >/dev/null 2>&1 || true;
    echo "edge-test: kept $DIR" >&2; exit 1; }
sh "$STACK" stop "$DIR" >/dev/null 2>&1 || true
rm -rf "$DIR"
