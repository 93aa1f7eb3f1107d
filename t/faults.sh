#!/bin/sh
# faults.sh BUILD_DIR - storage faults on the real stack, made for real:
#
# * disk full: the stack's data directory is a small tmpfs, filled up;
#   writes answer 507 with Retry-After and an X-Request-Id, worker.log
#   holds one line with that id, the route and SQLite's error, /health
#   still answers, and once space is freed writes succeed again;
# * files that cannot be written: clinic.db and its -wal and -shm made
#   immutable (chattr +i) under the running workers; writes answer 503
#   "Storage unavailable" and /health says why (503), the pool stays up,
#   and within seconds of write access coming back writes succeed with no
#   restart; no acknowledged write is lost and integrity_check is ok.
#
# Needs root (mount, chattr); otherwise it says why and skips.  Ends with
# the plain "N passed, N failed" line.
set -eu

[ $# -eq 1 ] || { echo "usage: faults.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
STACK=$ROOT/scripts/stack.sh
PASS=0
FAIL=0
DIR=
OUT=
MOUNTED=0

if [ "$(id -u)" -ne 0 ]; then
	echo "faults.sh: skipped: needs root to mount a tmpfs and set immutable files"
	echo "0 passed, 0 failed, 2 skipped"
	exit 0
fi

cleanup() {
	if [ -n "$DIR" ]; then
		chattr -i "$DIR"/clinic.db* 2>/dev/null || true
		sh "$STACK" stop "$DIR" >/dev/null 2>&1 || true
		[ "$MOUNTED" -eq 0 ] || umount "$DIR" 2>/dev/null || true
		rm -rf "$DIR"
	fi
	[ -z "$OUT" ] || rm -rf "$OUT"
}
trap cleanup EXIT
[ -z "${FAULTS_KEEP:-}" ] || trap - EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1" >&2; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

# call METHOD PATH [BODY]: status on stdout; headers in $OUT/h, body in
# $OUT/b ($OUT is off the tmpfs, which is full at times).
call() {
	_body=${3:-}
	if [ -n "$_body" ]; then
		curl -s -o "$OUT/b" -D "$OUT/h" -w '%{http_code}' -X "$1" \
		    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		    --data-binary "$_body" "$BASE$2"
	else
		curl -s -o "$OUT/b" -D "$OUT/h" -w '%{http_code}' -X "$1" \
		    -H "Authorization: Bearer ${TOKEN:-none}" "$BASE$2"
	fi
}

header() { tr -d '\r' < "$OUT/h" | sed -n "s/^$1: //Ip" | head -n 1; }

bill() {
	call POST /billing "{\"patient_id\":\"$PATIENT\",\"amount\":12.5,\"description\":\"$DESC\"}"
}

# Repeat bill until it answers $1 or $2 attempts pass; the last status in
# LAST, every 201 on the way counted in ACKED (not in a subshell).
bill_until() {
	_i=0
	LAST=
	while [ "$_i" -lt "$2" ]; do
		LAST=$(bill)
		case "$LAST" in 201) ACKED=$((ACKED + 1)) ;; esac
		[ "$LAST" = "$1" ] && break
		_i=$((_i + 1))
	done
}

bills_in_db() {
	sqlite3 "$DIR/clinic.db" "SELECT count(*) FROM billings WHERE description = '$DESC'"
}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/med-faults-out.XXXXXX")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/med-faults.XXXXXX")
mount -t tmpfs -o size=24m,mode=0700 tmpfs "$DIR"
MOUNTED=1
# The logs live off the tmpfs: a full disk must not hide the lines checked.
mkdir "$OUT/log"
ln -s "$OUT/log" "$DIR/log"
WORKERS=2 sh "$STACK" start "$DIR" "$BUILD" >/dev/null
BASE=$(cat "$DIR/base_url")/api/v1
TOKEN=$(curl -s -H 'Content-Type: application/json' \
    -d '{"email":"admin@example.dz","password":"Algeria123!"}' "$BASE/auth/login" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { bad "admin login"; exit 1; }
call GET '/patients?limit=1' >/dev/null
PATIENT=$(sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p' "$OUT/b" | head -n 1)
DESC=$(printf 'x%.0s' $(seq 1 900))
ACKED=0

# ---- disk full ------------------------------------------------------------
bill_until 201 1
check "a write before the disk fills" "$LAST" 201
dd if=/dev/zero of="$DIR/filler" bs=64k 2>/dev/null || true
bill_until 507 3000
check "disk full: a write answers 507" "$LAST" 507
check "507 carries Retry-After" "$(header Retry-After)" 60
rid=$(header X-Request-Id)
if [ -n "$rid" ] && grep -q "request=$rid status=507 POST /api/v1/billing: SQLite 13" \
    "$DIR/log/worker.log"; then
	ok "worker.log names the request, the route and the SQLite error"
else
	bad "worker.log has no line for request '$rid'"
	tail -n 5 "$DIR/log/worker.log" >&2 || true
fi
# The access line is written just after the answer is flushed: wait for it.
_i=0
while [ "$_i" -lt 50 ] && ! grep -q "request=$rid$" "$DIR/log/access.log"; do
	sleep 0.1
	_i=$((_i + 1))
done
if grep -q "request=$rid$" "$DIR/log/access.log"; then
	ok "access.log carries the same request id"
else
	bad "access.log lacks request '$rid'"
fi
_i=0
while [ "$_i" -lt 50 ] && ! grep -q "request=$rid$" "$DIR/log/nginx-access.log"; do
	sleep 0.1
	_i=$((_i + 1))
done
grep -q "\" 507 .* request=$rid$" "$DIR/log/nginx-access.log" &&
    ok "nginx's access log has the same request id" || bad "nginx-access.log lacks '$rid'"
grep -q '"success":false' "$OUT/b" && ok "507 is the envelope" || bad "507 body: $(cat "$OUT/b")"
check "/health answers while the disk is full" "$(call GET /health)" 200
rm -f "$DIR/filler"
bill_until 201 20
check "space back: writes succeed again" "$LAST" 201

# ---- files that cannot be written ----------------------------------------
if ! chattr +i "$DIR/clinic.db" "$DIR/clinic.db-wal" "$DIR/clinic.db-shm" 2>/dev/null; then
	echo "faults.sh: immutable-file part skipped: chattr +i not supported here"
else
	bill_until 503 50
	check "immutable files: a write answers 503" "$LAST" 503
	grep -q 'Storage unavailable' "$OUT/b" && ok "503 says Storage unavailable" ||
	    bad "503 body: $(cat "$OUT/b")"
	check "/health answers 503 while writes cannot be made" "$(call GET /health)" 503
	grep -q 'read-only\|cannot be opened' "$OUT/b" && ok "/health says why" ||
	    bad "/health body: $(cat "$OUT/b")"
	sh "$STACK" status "$DIR" && ok "the pool is still up" || bad "the pool is down"
	chattr -i "$DIR/clinic.db" "$DIR/clinic.db-wal" "$DIR/clinic.db-shm"
	# Each worker reopens at most once a second: retry, bounded.
	bill_until 201 200
	check "write access back: writes succeed without a restart" "$LAST" 201
fi

sh "$STACK" stop "$DIR" >/dev/null
check "integrity_check after the faults" \
    "$(sqlite3 "$DIR/clinic.db" 'PRAGMA integrity_check')" ok
check "every acknowledged write is in the database" "$(bills_in_db)" "$ACKED"
echo "faults: $PASS passed, $FAIL failed"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
