#!/bin/sh
# stack.sh - one complete local stack (spawn-fcgi + medfcgi master and
# workers + nginx) living in a data directory.
#
#   stack.sh start DIR BUILD_DIR      fresh database in DIR (medadm init +
#                                     seed), nginx on a free loopback port
#   stack.sh up DIR BUILD_DIR PORT    existing DIR/clinic.db, given port
#                                     (what `make run` uses)
#   stack.sh stop DIR                 stop whatever start/up started
#   stack.sh status DIR               exit 0 if nginx and the workers run
#
# Layout of DIR: clinic.db, secrets/ (made by medadm init, or by the
# medfcgi master before it forks its workers), log/ (worker, access, nginx
# and sanitizer logs), run/ (socket, pid files, nginx.conf rendered from
# deploy/nginx.conf.in by scripts/nginx-conf.sh, nginx temp dirs), port
# and base_url (after start/up).
#
# Process and user scheme: everything runs as the invoking user.  The
# socket is created by spawn-fcgi owned by that user, mode 0660, and
# nginx's workers run as that same user (as root, nginx is told so with
# `user`; otherwise it cannot change user anyway).  So nginx can always
# reach the socket, even inside a 0700 temporary directory.
#
# Two pools, as in production: the workers on run/fcgi.sock, and on
# run/kdf.sock the pool of the password-hashing routes (login, register,
# reset; see deploy/nginx.conf.in), at nice 10, pid in run/spawn-kdf.pid.
#
# Environment: WORKERS (worker processes, default: medfcgi's own default,
# 2 per CPU); KDF_WORKERS (the hashing pool, default 1 per 2 CPUs, at
# least 1); everything else (CLINIC_TZ, LOGIN_MAX_FAILURES, ...) is passed
# through to the workers.  MED_DB is ignored: the stack owns DIR/clinic.db.
#
# Live updates: nginx (nchan) listens for the workers' events on
# run/live.sock; the workers get LIVE_PUBLISH pointing there unless the
# caller set LIVE_PUBLISH itself (empty: off).
#
# Beside the workers runs the outbox sender (medadm outbox run --loop,
# pid in run/outbox.pid, log in log/outbox.log), which mails what the API
# records (reset mails).  Unless the caller sets MAIL_COMMAND (or the
# deprecated RESET_MAIL_COMMAND), it hands every mail to
# scripts/fake-sendmail.sh, which writes it to DIR/mail/ instead of
# sending it.  MED_SENDER=0: no sender (the end-to-end tests run it
# themselves, one pass at a time); OUTBOX_INTERVAL: seconds between its
# passes (default 2).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
SPAWN_FCGI=$(command -v spawn-fcgi 2>/dev/null || echo /usr/bin/spawn-fcgi)
HEALTH_TRIES=300         # x 0.1 s: sanitizer builds start slowly
STOP_TRIES=150           # x 0.1 s before SIGKILL

die() {
	echo "stack.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: stack.sh start DIR BUILD_DIR | up DIR BUILD_DIR PORT | stop DIR | status DIR" >&2
	exit 2
}

# --- processes ------------------------------------------------------------

# True if pid is running (a zombie is not: it is only waiting to be reaped).
proc_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		{ read -r _st < "/proc/$1/stat"; } 2>/dev/null || return 1
		_st=${_st##*) }
		[ "${_st%% *}" != Z ] || return 1
	fi
	return 0
}

# True if pid is running and its command line mentions name (guards
# against a stale pid file naming a recycled pid).
proc_is() {
	proc_alive "$1" || return 1
	[ -r "/proc/$1/cmdline" ] || return 0
	tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"
}

# Print the pid stored in file if that process is alive and is name.
pid_from() {
	[ -r "$1" ] || return 1
	_pid=$(tr -cd '0-9' < "$1")
	[ -n "$_pid" ] || return 1
	proc_is "$_pid" "$2" || return 1
	echo "$_pid"
}

# Print the pids whose parent is $1 (no procps on minimal systems: /proc).
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

# Wait up to $2 tenths of a second for pid $1 to be gone.
wait_gone() {
	_i=0
	while proc_alive "$1"; do
		_i=$((_i + 1))
		[ "$_i" -le "$2" ] || return 1
		sleep 0.1
	done
}

# Stop the process in pid file $1 (named $2) with SIGTERM, SIGKILL if it
# lingers, and make sure none of its children survive it.
stop_pidfile() {
	if ! _pid=$(pid_from "$1" "$2"); then
		rm -f "$1"
		return 0
	fi
	_kids=$(children_of "$_pid")
	kill -TERM "$_pid" 2>/dev/null || true
	if ! wait_gone "$_pid" "$STOP_TRIES"; then
		echo "stack.sh: $2 ($_pid) did not stop; killing it" >&2
		kill -KILL "$_pid" 2>/dev/null || true
		wait_gone "$_pid" 50 || true
	fi
	for _k in $_kids; do
		# Orphans only if the parent was killed; workers then get
		# SIGTERM from the kernel (PR_SET_PDEATHSIG), nginx's do not.
		if proc_is "$_k" "$2" && ! wait_gone "$_k" 30; then
			kill -KILL "$_k" 2>/dev/null || true
		fi
	done
	rm -f "$1"
}

# --- set-up ---------------------------------------------------------------

# nginx.conf has no quoting for paths: accept only plain characters.
check_path() {
	case $1 in
	*[!A-Za-z0-9._/+,:@=-]*) die "unsupported characters in path: $1" ;;
	esac
}

# Absolute, existing directory.
absdir() {
	mkdir -p "$1"
	(cd "$1" && pwd)
}

prepare_dir() {
	mkdir -p "$DIR/run/nginx-tmp" "$DIR/log"
	chmod 0750 "$DIR/log"
	SOCK=$DIR/run/fcgi.sock
	KDF_SOCK=$DIR/run/kdf.sock
	LIVE_SOCK=$DIR/run/live.sock
	# sun_path holds 108 bytes including the NUL.
	[ "${#LIVE_SOCK}" -lt 108 ] || die "socket path too long (${#LIVE_SOCK} > 107): $LIVE_SOCK"
	for _what in spawn.pid:medfcgi spawn-kdf.pid:medfcgi nginx.pid:nginx outbox.pid:outbox; do
		if _pid=$(pid_from "$DIR/run/${_what%%:*}" "${_what#*:}"); then
			die "${_what#*:} already running for $DIR (pid $_pid); run: sh scripts/stack.sh stop $DIR"
		fi
	done
}

# Sanitizer reports go to files the test driver checks after the run.
sanitizer_env() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$DIR/log/asan:abort_on_error=1"
	UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$DIR/log/ubsan:print_stacktrace=1:halt_on_error=1"
	export ASAN_OPTIONS UBSAN_OPTIONS
}

fresh_database() {
	[ ! -e "$DIR/clinic.db" ] || die "$DIR/clinic.db exists: start wants a fresh directory"
	"$BUILD/medadm" --db "$DIR/clinic.db" init >>"$DIR/log/medadm.log" 2>&1 ||
	    die "medadm init failed (see $DIR/log/medadm.log)"
	"$BUILD/medadm" --db "$DIR/clinic.db" seed >>"$DIR/log/medadm.log" 2>&1 ||
	    die "medadm seed failed (see $DIR/log/medadm.log)"
}

# spawn_pool SOCKET PIDFILE [medfcgi options]: one pool under spawn-fcgi.
spawn_pool() {
	_sock=$1 _pidfile=$2
	shift 2
	set -- -s "$_sock" -M 0660 -P "$_pidfile" -- "$@"
	if ! (unset MED_DB; MED_DATA_DIR=$DIR; LIVE_PUBLISH=${LIVE_PUBLISH-$LIVE_SOCK};
	    export MED_DATA_DIR LIVE_PUBLISH;
	    exec "$SPAWN_FCGI" "$@") >>"$DIR/log/spawn-fcgi.log" 2>&1; then
		tail -n 5 "$DIR/log/spawn-fcgi.log" "$DIR/log/worker.log" >&2 2>/dev/null || true
		die "spawn-fcgi failed"
	fi
}

start_workers() {
	[ -x "$BUILD/medfcgi" ] || die "no worker binary $BUILD/medfcgi (make all?)"
	if [ -n "${WORKERS:-}" ]; then
		spawn_pool "$SOCK" "$DIR/run/spawn.pid" "$BUILD/medfcgi" -w "$WORKERS"
	else
		spawn_pool "$SOCK" "$DIR/run/spawn.pid" "$BUILD/medfcgi"
	fi
	_kdf=${KDF_WORKERS:-$(( $(getconf _NPROCESSORS_ONLN) / 2 ))}
	[ "$_kdf" -ge 1 ] || _kdf=1
	# nice(1) execs medfcgi: the pid spawn-fcgi records is the master's.
	spawn_pool "$KDF_SOCK" "$DIR/run/spawn-kdf.pid" "$(command -v nice)" -n 10 "$BUILD/medfcgi" -w "$_kdf"
}

# The outbox sender in the background, detached from the terminal's
# hang-up like the daemons beside it; its pid in run/outbox.pid.
start_sender() {
	[ "${MED_SENDER:-1}" != 0 ] || return 0
	(
		trap '' HUP
		unset MED_DB
		MED_DATA_DIR=$DIR
		export MED_DATA_DIR
		if [ -z "${MAIL_COMMAND:-}" ] && [ -z "${RESET_MAIL_COMMAND:-}" ]; then
			MAIL_COMMAND="sh '$ROOT/scripts/fake-sendmail.sh'"
			MAIL_CAPTURE_DIR=$DIR/mail
			export MAIL_COMMAND MAIL_CAPTURE_DIR
		fi
		exec "$BUILD/medadm" --db "$DIR/clinic.db" outbox run --loop \
		    --interval "${OUTBOX_INTERVAL:-2}"
	) </dev/null >>"$DIR/log/outbox.log" 2>&1 &
	echo $! > "$DIR/run/outbox.pid"
}

# The configuration that ships (deploy/nginx.conf.in and the FastCGI
# include) rendered with development values; MED_NGINX_TEMPLATE, when
# set, is honoured by the renderer (bench/run.sh adds a static location).
render_conf() {
	sh "$ROOT/scripts/nginx-conf.sh" dev DATA_DIR="$DIR" PORT="$1" SOCK="$SOCK" KDF_SOCK="$KDF_SOCK" \
	    LIVE_SOCK="$LIVE_SOCK" \
	    > "$DIR/run/nginx.conf.tmp" || die "could not render the nginx configuration"
	mv "$DIR/run/nginx.conf.tmp" "$DIR/run/nginx.conf"
}

# Start nginx on port $1.  Returns 2 when the port is taken (the caller may
# try another), 1 on any other failure.
start_nginx() {
	render_conf "$1"
	# No nginx of DIR runs (check_path): a live socket file left by a
	# killed one, or by a try on a taken port, would fail the bind.
	rm -f "$LIVE_SOCK"
	: > "$DIR/log/nginx-start.log"
	if "$NGINX" -p "$DIR/run/" -e "$DIR/log/nginx-error.log" -c "$DIR/run/nginx.conf" \
	    >>"$DIR/log/nginx-start.log" 2>&1; then
		return 0
	fi
	if grep -q 'Address already in use' "$DIR/log/nginx-start.log" "$DIR/log/nginx-error.log" 2>/dev/null; then
		return 2
	fi
	cat "$DIR/log/nginx-start.log" >&2
	return 1
}

# A port in 20000..59999 from /dev/urandom (dash has no $RANDOM).
random_port() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -cd '0-9')
	echo $((20000 + _r % 40000))
}

# nginx on a free port: a random one, retried when taken.  Binding is the
# only race-free test of "free".
start_nginx_free() {
	for _try in 1 2 3 4 5 6 7 8; do
		PORT=$(random_port)
		_rc=0
		start_nginx "$PORT" || _rc=$?
		case $_rc in
		0) return 0 ;;
		2) echo "stack.sh: port $PORT taken, trying another" >&2 ;;
		*) return 1 ;;
		esac
	done
	return 1
}

# Readiness: poll /api/v1/health, bounded; give up early if the workers died.
wait_health() {
	_i=0
	while :; do
		_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
		    "http://127.0.0.1:$PORT/api/v1/health" 2>/dev/null || true)
		[ "$_code" = 200 ] && return 0
		_i=$((_i + 1))
		if [ "$_i" -ge "$HEALTH_TRIES" ] || ! pid_from "$DIR/run/spawn.pid" medfcgi >/dev/null; then
			echo "stack.sh: the stack did not become healthy (last status: $_code)" >&2
			tail -n 20 "$DIR/log/worker.log" >&2 2>/dev/null || true
			return 1
		fi
		sleep 0.1
	done
}

# Workers, nginx, health; on any failure stop what was started.
launch() {
	trap 'cmd_stop "$DIR" >/dev/null 2>&1' EXIT
	start_workers
	if [ -n "$PORT" ]; then
		start_nginx "$PORT" || die "nginx failed to start on 127.0.0.1:$PORT (see $DIR/log/nginx-error.log)"
	else
		start_nginx_free || die "nginx failed to start (see $DIR/log/nginx-error.log)"
	fi
	echo "$PORT" > "$DIR/port"
	echo "http://127.0.0.1:$PORT" > "$DIR/base_url"
	wait_health || die "giving up; logs are in $DIR/log"
	start_sender
	trap - EXIT
}

# --- commands -------------------------------------------------------------

cmd_start() {
	DIR=$(absdir "$1")
	BUILD=$(absdir "$2")
	PORT=
	check_path "$DIR"
	prepare_dir
	sanitizer_env
	fresh_database
	launch
}

cmd_up() {
	DIR=$(absdir "$1")
	BUILD=$(absdir "$2")
	PORT=$3
	case $PORT in
	'' | *[!0-9]*) die "bad port: $PORT" ;;
	esac
	check_path "$DIR"
	[ -f "$DIR/clinic.db" ] || die "no database $DIR/clinic.db"
	prepare_dir
	sanitizer_env
	launch
}

cmd_stop() {
	[ -d "$1" ] || return 0
	# nginx first, so no new request reaches workers that are stopping.
	stop_pidfile "$1/run/nginx.pid" nginx
	stop_pidfile "$1/run/spawn.pid" medfcgi
	stop_pidfile "$1/run/spawn-kdf.pid" medfcgi
	stop_pidfile "$1/run/outbox.pid" outbox
	rm -f "$1/run/fcgi.sock" "$1/run/kdf.sock" "$1/run/live.sock" "$1/port" "$1/base_url"
}

cmd_status() {
	pid_from "$1/run/nginx.pid" nginx >/dev/null &&
	    pid_from "$1/run/spawn.pid" medfcgi >/dev/null &&
	    pid_from "$1/run/spawn-kdf.pid" medfcgi >/dev/null
}

[ $# -ge 1 ] || usage
case $1 in
start) [ $# -eq 3 ] || usage; cmd_start "$2" "$3" ;;
up) [ $# -eq 4 ] || usage; cmd_up "$2" "$3" "$4" ;;
stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
status) [ $# -eq 2 ] || usage; cmd_status "$2" ;;
*) usage ;;
esac
