#!/bin/sh
# nginx-conf.sh - render deploy/nginx.conf.in, the one source of the
# clinic's nginx configurations, to standard output.
#
#   nginx-conf.sh dev DATA_DIR=DIR PORT=N [NAME=VALUE ...]
#   nginx-conf.sh site [NAME=VALUE ...]
#   nginx-conf.sh example [NAME=VALUE ...]
#
#   dev      a whole nginx.conf for `make run` and the end-to-end tests
#            (scripts/stack.sh): plain HTTP on 127.0.0.1:PORT, pid, logs
#            and temp files under DATA_DIR/run and DATA_DIR/log, the
#            workers' socket DATA_DIR/run/fcgi.sock, the docs and the
#            FastCGI include straight from this source tree
#   site     the Debian site file `make install` installs as nginx-site.conf
#   example  a whole production nginx.conf: nginx.conf.example
#            (`make nginx-conf` rewrites the committed one)
#
# Values, each overridable as NAME=VALUE (defaults: site and example /
# dev):
#   SHAREDIR          /usr/local/share/medclinic: where make install puts
#                     openapi.json, docs/ and nginx-fastcgi.conf
#   SBINDIR           /usr/local/sbin: medfcgi (named in a comment)
#   STATIC_DIR        SHAREDIR / the source tree: openapi.json and docs/
#   FASTCGI_CONF      SHAREDIR/nginx-fastcgi.conf / deploy/nginx-fastcgi.conf
#   SOCK              /run/medclinic/fcgi.sock / DATA_DIR/run/fcgi.sock
#   KDF_SOCK          /run/medclinic/kdf.sock / DATA_DIR/run/kdf.sock: the
#                     pool of the password-hashing routes
#   SERVER_NAME       clinic.example.dz / localhost
#   SSL_CERT SSL_KEY  Let's Encrypt's paths for SERVER_NAME (TLS only)
#   ACCESS_LOG ERROR_LOG  /var/log/nginx/medclinic-{access,error}.log /
#                     DATA_DIR/log/nginx-{access,error}.log
#   AUTH_RATE AUTH_BURST  10r/m and 20 / 200r/s and 500: limit_req on
#                     /api/v1/auth/
#   BODY_MAX          1m / 1088k: client_max_body_size
#   LIVE_SOCK         /run/medclinic/live.sock / DATA_DIR/run/live.sock:
#                     nchan's publisher for live updates (the workers'
#                     LIVE_PUBLISH)
#   NCHAN_MODULE      (dev only) /usr/lib/nginx/modules/ngx_nchan_module.so,
#                     Debian's libnginx-mod-nchan; site and example get it
#                     from /etc/nginx/modules-enabled/
#   WEB_ROOT          SHAREDIR/web / the source tree's web/: the clinic
#                     web app, served at /; WEB_ROOT= (empty): no app, /
#                     answers 404
#   a whole nginx.conf (dev, example) also: USER_LINE (user www-data; /
#   as root, `user` for the invoking user), WORKER_PROCESSES (auto / 2),
#   PID_FILE, MAIN_ERROR_LOG, and for dev RUN_DIR (DATA_DIR/run).
#
# Environment: MED_NGINX_TEMPLATE, another template (bench/run.sh adds a
# location to this one).  Fails, writing nothing useful, on an unknown
# mode or value, a value containing a newline or a double quote, a
# @NAME@ of the template without a value, or unbalanced #if/#endif.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TEMPLATE=${MED_NGINX_TEMPLATE:-$ROOT/deploy/nginx.conf.in}
NAMES="SHAREDIR SBINDIR STATIC_DIR FASTCGI_CONF SOCK KDF_SOCK SERVER_NAME SSL_CERT SSL_KEY \
ACCESS_LOG ERROR_LOG AUTH_RATE AUTH_BURST BODY_MAX WEB_ROOT LIVE_SOCK NCHAN_MODULE USER_LINE \
WORKER_PROCESSES PID_FILE MAIN_ERROR_LOG RUN_DIR DATA_DIR PORT"

die() {
	echo "nginx-conf.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: nginx-conf.sh dev|site|example [NAME=VALUE ...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
MODE=$1
shift
case $MODE in
dev) FLAGS="dev main" ;;
site) FLAGS="tls site" ;;
example) FLAGS="tls main example" ;;
*) usage ;;
esac

# Only the arguments set values, never the caller's environment (make run
# exports PORT, for one).
for _n in $NAMES; do
	unset "$_n" "MEDNGX_$_n"
done
for _a in "$@"; do
	case $_a in
	*=*) _n=${_a%%=*} ;;
	*) usage ;;
	esac
	case " $NAMES " in
	*" $_n "*) ;;
	*) die "unknown value $_n" ;;
	esac
	eval "$_n=\${_a#*=}"
done

if [ "$MODE" = dev ]; then
	if [ -z "${DATA_DIR:-}" ] || [ -z "${PORT:-}" ]; then
		die "dev needs DATA_DIR=DIR and PORT=N"
	fi
	: "${RUN_DIR:=$DATA_DIR/run}"
	: "${SOCK:=$RUN_DIR/fcgi.sock}"
	: "${KDF_SOCK:=$RUN_DIR/kdf.sock}"
	: "${LIVE_SOCK:=$RUN_DIR/live.sock}"
	: "${NCHAN_MODULE:=/usr/lib/nginx/modules/ngx_nchan_module.so}"
	: "${STATIC_DIR:=$ROOT}"
	: "${FASTCGI_CONF:=$ROOT/deploy/nginx-fastcgi.conf}"
	: "${SERVER_NAME:=localhost}"
	: "${ACCESS_LOG:=$DATA_DIR/log/nginx-access.log}"
	: "${ERROR_LOG:=$DATA_DIR/log/nginx-error.log}"
	: "${MAIN_ERROR_LOG:=$ERROR_LOG}"
	: "${PID_FILE:=$RUN_DIR/nginx.pid}"
	: "${WORKER_PROCESSES:=2}"
	: "${AUTH_RATE:=200r/s}"
	: "${AUTH_BURST:=500}"
	: "${BODY_MAX:=1088k}"
	: "${WEB_ROOT=$ROOT/web}"
	if [ -z "${USER_LINE+set}" ]; then
		if [ "$(id -u)" -eq 0 ]; then
			USER_LINE="user $(id -un) $(id -gn);"
		else
			USER_LINE="# not root: nginx workers run as the invoking user"
		fi
	fi
else
	: "${SHAREDIR:=/usr/local/share/medclinic}"
	: "${SBINDIR:=/usr/local/sbin}"
	: "${STATIC_DIR:=$SHAREDIR}"
	: "${FASTCGI_CONF:=$SHAREDIR/nginx-fastcgi.conf}"
	: "${SOCK:=/run/medclinic/fcgi.sock}"
	: "${KDF_SOCK:=/run/medclinic/kdf.sock}"
	: "${LIVE_SOCK:=/run/medclinic/live.sock}"
	: "${SERVER_NAME:=clinic.example.dz}"
	: "${SSL_CERT:=/etc/letsencrypt/live/$SERVER_NAME/fullchain.pem}"
	: "${SSL_KEY:=/etc/letsencrypt/live/$SERVER_NAME/privkey.pem}"
	: "${ACCESS_LOG:=/var/log/nginx/medclinic-access.log}"
	: "${ERROR_LOG:=/var/log/nginx/medclinic-error.log}"
	: "${MAIN_ERROR_LOG:=/var/log/nginx/error.log}"
	: "${PID_FILE:=/run/nginx.pid}"
	: "${WORKER_PROCESSES:=auto}"
	: "${AUTH_RATE:=10r/m}"
	: "${AUTH_BURST:=20}"
	: "${BODY_MAX:=1m}"
	: "${USER_LINE=user www-data;}"
	: "${WEB_ROOT=$SHAREDIR/web}"
fi
if [ -n "${WEB_ROOT:-}" ]; then
	FLAGS="$FLAGS web"
fi

# The values reach awk through the environment (no escaping to get
# wrong); a value may not break a line or a quoted nginx string.
_nl='
'
_set=
_v=
for _n in $NAMES; do
	eval "_set=\${$_n+set} _v=\${$_n-}"
	[ "$_set" = set ] || continue
	case $_v in
	*"$_nl"* | *'"'*) die "$_n: no newline or double quote allowed" ;;
	esac
	eval "MEDNGX_$_n=\$_v"
	export "MEDNGX_$_n"
done

[ -r "$TEMPLATE" ] || die "no template $TEMPLATE"
MEDNGX_FLAGS=$FLAGS MEDNGX_DEDENT=$([ "$MODE" = site ] && echo 1 || echo 0) \
    awk -v template="$TEMPLATE" '
function fail(msg) {
	printf "nginx-conf.sh: %s:%d: %s\n", template, NR, msg > "/dev/stderr"
	failed = 1
	exit 1
}
BEGIN {
	n = split("dev tls main site example web", k, " ")
	for (i = 1; i <= n; i++)
		known[k[i]] = 1
	n = split(ENVIRON["MEDNGX_FLAGS"], k, " ")
	for (i = 1; i <= n; i++)
		on[k[i]] = 1
	depth = 0
	skip = 0        # depth of the outermost block being dropped, 0: none
	blank = 1       # squeeze blank lines left by dropped blocks
}
/^[ \t]*#(if|endif)[ \t]/ {
	word = $1
	flag = $2
	name = flag
	neg = sub(/^!/, "", name)
	if (NF != 2 || !(name in known))
		fail("bad line: " $0)
	if (word == "#if") {
		open[++depth] = flag
		if (!skip && (name in on) == neg)
			skip = depth
	} else {
		if (depth == 0 || open[depth] != flag)
			fail("#endif " flag " does not close " (depth ? "#if " open[depth] : "anything"))
		if (skip == depth)
			skip = 0
		depth--
	}
	next
}
skip || /^##/ { next }
{
	line = $0
	out = ""
	while (match(line, /@[A-Z_]+@/)) {
		name = substr(line, RSTART + 1, RLENGTH - 2)
		if (!(("MEDNGX_" name) in ENVIRON))
			fail("no value for @" name "@")
		out = out substr(line, 1, RSTART - 1) ENVIRON["MEDNGX_" name]
		line = substr(line, RSTART + RLENGTH)
	}
	out = out line
	if (ENVIRON["MEDNGX_DEDENT"] == 1)
		sub(/^\t/, "", out)
	if (out == "") {
		if (blank)
			next
		blank = 1
	} else {
		blank = 0
	}
	print out
}
END {
	if (!failed && depth != 0)
		fail("#if " open[depth] " is never closed")
}
' "$TEMPLATE"
