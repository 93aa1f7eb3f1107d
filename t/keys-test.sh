#!/bin/sh
# keys-test.sh BUILD_DIR - every worker of a data directory signs with one
# set of JWT keys.  Keys come from `medadm init` or from the pool's master
# before it forks; a serving process never makes its own (it would refuse
# every token of the others), it refuses to start instead.
#
#   1. a single worker (--single) without keys exits 1 with one clear line
#      in worker.log, and makes no keys;
#   2. the same for a single worker that systemd hands the socket with
#      LISTEN_FDS (MED_WORKERS set, as in the shared environment file);
#   3. a pool of 4 started on a directory without secrets/: its master
#      makes the keys, and 40 requests with one token all succeed;
#   4. the keys vanish while that pool runs and a worker is replaced: the
#      new one refuses to start, the others keep answering 40 out of 40.
#
# Needs spawn-fcgi, nginx and curl (as t/run-e2e.sh).  The directory is
# removed after a success and kept after a failure.
set -eu

[ $# -eq 1 ] || { echo "usage: keys-test.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
STACK=$ROOT/scripts/stack.sh
MEDADM=$BUILD/medadm
MEDFCGI=$BUILD/medfcgi
SPAWN_FCGI=$(command -v spawn-fcgi 2>/dev/null || echo /usr/bin/spawn-fcgi)
REFUSAL="refusing to serve: JWT keys in"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/med-keys.XXXXXX")
POOL=$TMP/pool
PASS=0
FAIL=0

stop() {
	sh "$STACK" stop "$POOL" >/dev/null 2>&1 || true
}
trap 'stop' EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM HUP

ok() {
	PASS=$((PASS + 1))
}

bad() {
	FAIL=$((FAIL + 1))
	echo "keys-test: FAIL $*" >&2
}

# A data directory $1 with a seeded database and no secrets/.
keyless_dir() {
	mkdir -p "$1"
	"$MEDADM" --db "$1/clinic.db" init >/dev/null
	"$MEDADM" --db "$1/clinic.db" seed >/dev/null
	rm -rf "$1/secrets"
}

# Run a worker alone, in the foreground (spawn-fcgi -n), on a keyless
# directory $1; the rest of the arguments are the program and its own.
# A worker that wrongly starts serving is stopped after 5 s.  Checks the
# exit status, the log line and that no key was made.
single_refuses() {
	_dir=$1
	_what=$2
	shift 2
	_rc=0
	MED_DATA_DIR=$_dir timeout 5 "$SPAWN_FCGI" -n -s "$_dir/fcgi.sock" -- "$@" \
	    >"$_dir/spawn.log" 2>&1 || _rc=$?
	if [ "$_rc" -eq 1 ]; then ok; else bad "$_what: exit status $_rc, want 1"; fi
	if [ "$(grep -c "$REFUSAL" "$_dir/log/worker.log" 2>/dev/null)" = 1 ]; then
		ok
	else
		bad "$_what: worker.log lacks one \"$REFUSAL\" line:"
		cat "$_dir/log/worker.log" >&2 2>/dev/null || true
	fi
	if [ ! -e "$_dir/secrets" ]; then ok; else bad "$_what: created $_dir/secrets"; fi
}

# The master of the pool (spawn-fcgi's child) and its children.
master_pid() {
	tr -cd '0-9' < "$POOL/run/spawn.pid"
}

children_of() {
	for _f in /proc/[0-9]*/stat; do
		{ read -r _line < "$_f"; } 2>/dev/null || continue
		_rest=${_line##*) }
		_ppid=${_rest#* }
		_ppid=${_ppid%% *}
		if [ "$_ppid" = "$1" ]; then
			_p=${_f#/proc/}
			echo "${_p%/stat}"
		fi
	done
}

# Start the pool (4 workers) on $POOL through stack.sh, as `make run` does,
# on a random free port.
start_pool() {
	for _try in 1 2 3 4 5; do
		_r=$(od -An -N2 -tu2 /dev/urandom | tr -cd '0-9')
		if WORKERS=4 sh "$STACK" up "$POOL" "$BUILD" $((20000 + _r % 40000)) \
		    >"$TMP/stack.log" 2>&1; then
			return 0
		fi
		grep -q 'Address already in use' "$POOL/log/nginx-error.log" \
		    "$POOL/log/nginx-start.log" 2>/dev/null || break
	done
	cat "$TMP/stack.log" >&2
	return 1
}

login() {
	curl -s --max-time 5 -X POST "$BASE/api/v1/auth/login" \
	    -H 'Content-Type: application/json' \
	    -d '{"email":"amina.benali@example.dz","password":"Algeria123!"}' |
	    sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
}

# 40 consecutive authenticated requests with token $1, over as many
# connections (nginx hands each to whichever worker accepts): all 200?
forty_with() {
	_codes=
	for _i in $(seq 40); do
		_codes="$_codes $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		    -H "Authorization: Bearer $1" "$BASE/api/v1/users/me")"
	done
	_good=$(echo "$_codes" | tr ' ' '\n' | grep -c '^200$' || true)
	if [ "$_good" -eq 40 ]; then ok; else bad "$2: $_good of 40 answered 200:$_codes"; fi
}

# --- 1, 2: a single worker never makes keys -------------------------------
keyless_dir "$TMP/single"
single_refuses "$TMP/single" "--single" "$MEDFCGI" --single

keyless_dir "$TMP/activated"
# The shell moves the socket to fd 3 and announces it as systemd does
# (sd_listen_fds(3)), then becomes medfcgi, keeping its pid for LISTEN_PID.
single_refuses "$TMP/activated" "LISTEN_FDS" "$(command -v env)" MED_WORKERS=4 /bin/sh -c \
    'exec 3<&0 </dev/null; LISTEN_PID=$$; LISTEN_FDS=1; export LISTEN_PID LISTEN_FDS; exec "$0"' \
    "$MEDFCGI"

# --- 3: the pool's master makes the keys before it forks ------------------
keyless_dir "$POOL"
if ! start_pool; then
	bad "the pool did not start"
else
	BASE=$(cat "$POOL/base_url")
	for k in jwt_access jwt_refresh jwt_reset; do
		if [ -s "$POOL/secrets/$k.key" ]; then ok; else bad "pool: no secrets/$k.key"; fi
	done
	if grep -q "created them for the workers" "$POOL/log/worker.log"; then
		ok
	else
		bad "pool: worker.log does not say the master made the keys"
	fi
	TOKEN=$(login)
	if [ -n "$TOKEN" ]; then ok; else bad "pool: login failed"; fi
	forty_with "$TOKEN" "pool started without keys"

	# --- 4: keys gone, a worker replaced ------------------------------
	rm -rf "$POOL/secrets"
	MASTER=$(master_pid)
	VICTIM=$(children_of "$MASTER" | head -n 1)
	kill -KILL "$VICTIM"
	# The master restarts it at once; wait (bounded) for its refusal.
	for _i in $(seq 50); do
		grep -q "$REFUSAL" "$POOL/log/worker.log" && break
		sleep 0.1
	done
	if grep -q "$REFUSAL" "$POOL/log/worker.log"; then
		ok
	else
		bad "keys gone: the replacement worker did not refuse to start"
	fi
	forty_with "$TOKEN" "keys gone, one worker replaced"
	if [ ! -e "$POOL/secrets" ]; then ok; else bad "keys gone: a worker made new keys"; fi
fi
stop

echo "keys-test: $PASS passed, $FAIL failed"
if [ "$FAIL" -eq 0 ]; then
	rm -rf "$TMP"
else
	echo "keys-test: logs kept in $TMP" >&2
fi
[ "$FAIL" -eq 0 ]
