#!/bin/sh
# valgrind.sh BUILD_DIR - the FastCGI worker of BUILD_DIR (a build without
# sanitizers) under valgrind memcheck, behind the real nginx, for a
# scripted session of requests; then a clean stop and a check of
# valgrind's report: no memory errors, no definite or indirect leaks.
#
# How the worker ends up under valgrind without touching scripts/stack.sh:
# the stack is started from a stand-in build directory whose `medfcgi` is
# a two-line script exec'ing valgrind on the real worker in single-process
# mode (--single: no master, no fork, one process for valgrind to follow),
# and whose `medadm` links to the real one.  spawn-fcgi starts the script;
# exec keeps the pid, so stack.sh's pid file, health check and SIGTERM
# stop work unchanged, and the worker exits normally on SIGTERM, which is
# when valgrind runs its leak check.
#
# Prints valgrind's error and leak summary; exits non-zero on any error,
# definite or indirect leak, failed request or missing report.  The
# directory is removed after a success and kept after a failure.
set -eu

[ $# -eq 1 ] || { echo "usage: valgrind.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
STACK=$ROOT/scripts/stack.sh
command -v valgrind >/dev/null 2>&1 || { echo "valgrind.sh: valgrind not installed (make deps)" >&2; exit 1; }
[ -x "$BUILD/medfcgi" ] && [ -x "$BUILD/medadm" ] || { echo "valgrind.sh: no worker in $BUILD (make all)" >&2; exit 1; }
if nm "$BUILD/medfcgi" 2>/dev/null | grep -q __asan_init; then
	echo "valgrind.sh: $BUILD/medfcgi is built with ASan; valgrind needs a plain build" >&2
	exit 1
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/med-valgrind.XXXXXX")
DATA=$DIR/stack
FAKE=$DIR/bin
mkdir -p "$FAKE" "$DATA"
ln -s "$BUILD/medadm" "$FAKE/medadm"
cat > "$FAKE/medfcgi" <<WRAP
#!/bin/sh
exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \\
    --error-exitcode=1 --track-origins=yes --log-file="$DIR/valgrind.%p.log" \\
    "$BUILD/medfcgi" --single
WRAP
chmod 0755 "$FAKE/medfcgi"

STOPPED=0
stop() {
	[ "$STOPPED" -eq 0 ] || return 0
	STOPPED=1
	sh "$STACK" stop "$DATA" || true
}
trap 'stop' EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM HUP

rc=0
sh "$STACK" start "$DATA" "$FAKE" || { echo "valgrind.sh: the stack did not start" >&2; exit 1; }
BASE=$(cat "$DATA/base_url")/api/v1
FAILS=0
COUNT=0

# req EXPECTED METHOD PATH [curl args...]: one request, status checked.
req() {
	_want=$1 _m=$2 _p=$3
	shift 3
	COUNT=$((COUNT + 1))
	_got=$(curl -s -o "$DIR/last.json" -w '%{http_code}' --max-time 120 -X "$_m" "$@" "$BASE$_p" || echo 000)
	if [ "$_got" != "$_want" ]; then
		echo "valgrind.sh: $_m $_p: $_got, expected $_want: $(head -c 300 "$DIR/last.json")" >&2
		FAILS=$((FAILS + 1))
	fi
}

# The value of "field" in the last answer's data (tokens, ids).
field() {
	sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$DIR/last.json"
}

J='Content-Type: application/json'
PW='Algeria123!'
req 200 GET /health
req 200 POST /auth/login -H "$J" -d "{\"email\":\"admin@example.dz\",\"password\":\"$PW\"}"
ADMIN=$(field access_token)
req 200 POST /auth/login -H "$J" -d "{\"email\":\"amina.benali@example.dz\",\"password\":\"$PW\"}"
AMINA=$(field access_token)
REFRESH=$(field refresh_token)
req 200 GET /users/me -H "Authorization: Bearer $AMINA"
req 200 GET '/users?limit=5' -H "Authorization: Bearer $ADMIN"
req 200 GET '/doctors?city=Oran'
req 200 GET /doctors/4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001
req 200 GET '/doctors/4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001/availability/slots?days=3'
req 200 GET /doctors/specialties
req 200 GET /patients/me -H "Authorization: Bearer $AMINA"
req 200 PATCH /patients/me -H "Authorization: Bearer $AMINA" -H "$J" -d '{"city":"Alger"}'
req 200 GET /appointments/me -H "Authorization: Bearer $AMINA"
req 200 GET /medical-records/me -H "Authorization: Bearer $AMINA"
req 200 GET /billing/me -H "Authorization: Bearer $AMINA"
req 200 GET '/audit?limit=5' -H "Authorization: Bearer $ADMIN"
req 200 POST /auth/register -H "$J" -d '{"email":"valgrind.user@example.dz","password":"longenough"}'
req 409 POST /auth/register -H "$J" -d '{"email":"valgrind.user@example.dz","password":"longenough"}'
req 200 POST /auth/refresh -H "$J" -d "{\"refresh_token\":\"$REFRESH\"}"
req 404 GET /nowhere
req 405 DELETE /health
req 401 GET /users/me -H 'Authorization: Bearer not.a.token'
req 403 GET /users -H "Authorization: Bearer $AMINA"
req 422 POST /auth/login -H "$J" -d '{"email":'
req 422 GET /patients/not-a-uuid -H "Authorization: Bearer $ADMIN"
req 422 PATCH /patients/me -H "Authorization: Bearer $AMINA" -H "$J" -d '{"first_name":123}'
head -c 1100000 /dev/zero | tr '\0' ' ' > "$DIR/big.json"
req 413 POST /auth/login -H "$J" --data-binary "@$DIR/big.json"
req 200 POST /auth/logout -H "Authorization: Bearer $AMINA"
req 401 GET /users/me -H "Authorization: Bearer $AMINA"

# SIGTERM: the worker finishes, exits, and valgrind writes its report.
stop
[ "$FAILS" -eq 0 ] || rc=1
set -- "$DIR"/valgrind.*.log
if [ ! -s "$1" ]; then
	echo "valgrind.sh: no valgrind report in $DIR" >&2
	rc=1
else
	for log in "$@"; do
		echo "valgrind.sh: $log ($COUNT requests, $FAILS unexpected statuses):"
		grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks' "$log" |
		    sed 's/^==[0-9]*== */  /'
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
			echo "valgrind.sh: memory errors or leaks reported:" >&2
			cat "$log" >&2
			rc=1
		fi
		if ! grep -q 'All heap blocks were freed' "$log" &&
		    ! grep -Eq 'definitely lost: 0 bytes' "$log"; then
			echo "valgrind.sh: leak summary missing or not clean" >&2
			rc=1
		fi
	done
fi
if [ "$rc" -eq 0 ]; then
	rm -rf "$DIR"
else
	echo "valgrind.sh: FAILED; kept $DIR" >&2
fi
exit "$rc"
