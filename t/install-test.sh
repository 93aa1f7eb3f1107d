#!/bin/sh
# install-test.sh - `make install PREFIX=/usr/local DESTDIR=<tmp>` and
# check the installed tree: binaries that run, schema and seed, the
# OpenAPI document and the docs pages with their vendored bundles intact,
# the systemd units (workers, backup, outbox sender: paths substituted,
# hardening present, accepted by systemd-analyze where it exists), the
# sysusers file, the man page when the source has one, and nginx
# configurations (rendered from deploy/nginx.conf.in, with the FastCGI
# include) that `nginx -t` accepts.
#
#   sh t/install-test.sh      (from anywhere; uses the source tree it is in)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/usr/local
TMP=$(mktemp -d)
DEST=$TMP/dest
P=$DEST$PREFIX
PASS=0
FAIL=0
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
	PASS=$((PASS + 1))
}

bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL $*"
}

check() {
	_what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok; else bad "$_what"; fi
}

has_line() {
	grep -q -x -F -- "$2" "$1"
}

if ! make -C "$ROOT" -s install PREFIX=$PREFIX DESTDIR="$DEST" > "$TMP/make.log" 2>&1; then
	cat "$TMP/make.log" >&2
	echo "install-test: 0 passed, 1 failed"
	exit 1
fi

# Nothing lands outside the prefix.
outside=$(cd "$DEST" && find . -type f ! -path ".$PREFIX/*" | head -n 5)
check "files installed outside $PREFIX: $outside" test -z "$outside"

# Binaries.
for b in medfcgi medadm; do
	check "sbin/$b executable" test -x "$P/sbin/$b"
done
check "medadm --help runs" "$P/sbin/medadm" --help
check "medfcgi --help runs" "$P/sbin/medfcgi" --help
check "medadm outbox run --help runs" "$P/sbin/medadm" outbox run --help

# Data files, byte for byte.  nginx.conf.example is rendered at install
# time; with the default prefix it is the committed file.
S=$P/share/medclinic
for f in schema.sql seed.sql nginx.conf.example openapi.json; do
	check "share/medclinic/$f matches the source" cmp "$ROOT/$f" "$S/$f"
done
check "share/medclinic/nginx-fastcgi.conf matches the source" \
    cmp "$ROOT/deploy/nginx-fastcgi.conf" "$S/nginx-fastcgi.conf"
check "installed schema creates a database" sh -c \
    "sqlite3 '$TMP/t.db' < '$S/schema.sql' && sqlite3 '$TMP/t.db' 'select count(*) from users' | grep -qx 0"
check "share/medclinic/medclinic.env" test -f "$S/medclinic.env"

# Docs pages and vendored bundles (checksums of docs/vendor/VERSIONS).
for f in index.html redoc.html swagger-init.js docs.css vendor/VERSIONS \
    vendor/swagger-ui/swagger-ui-bundle.js vendor/swagger-ui/swagger-ui.css \
    vendor/swagger-ui/LICENSE vendor/redoc/redoc.standalone.js vendor/redoc/LICENSE; do
	check "share/medclinic/docs/$f" test -s "$S/docs/$f"
done
check "vendored bundles match VERSIONS" sh -c \
    "cd '$S/docs/vendor' && sed -n 's/^sha256 //p' VERSIONS | sha256sum -c --quiet -"
check "docs pages reference only installed files" sh -c \
    "for u in \$(grep -ho '/docs/[A-Za-z0-9_./-]*[.][a-z]*' '$S/docs/index.html' '$S/docs/redoc.html'); do \
        test -f '$S'\$u || exit 1; done"
check "share/doc/medclinic/DEPLOY.md" test -s "$P/share/doc/medclinic/DEPLOY.md"

# The web app: every file of web/, the vendored libraries as recorded.
for f in $(cd "$ROOT/web" && find . -type f | sed 's|^\./||'); do
	check "share/medclinic/web/$f matches the source" cmp "$ROOT/web/$f" "$S/web/$f"
done
check "web vendor files match VERSIONS" sh -c \
    "cd '$S/web/vendor' && sed -n 's/^sha256 //p' VERSIONS | sha256sum -c --quiet -"

# Man page, when the source tree has one.
for m in medadm/medadm.8 man/medadm.8 docs/medadm.8 medadm.8; do
	if [ -f "$ROOT/$m" ]; then
		check "share/man/man8/medadm.8" cmp "$ROOT/$m" "$P/share/man/man8/medadm.8"
		break
	fi
done

# systemd units.
U=$P/lib/systemd/system
for u in medclinic-workers.socket medclinic-workers.service medclinic-kdf.socket \
    medclinic-kdf.service medclinic-backup.service medclinic-backup.timer \
    medclinic-outbox.service; do
	check "unit $u installed" test -s "$U/$u"
	check "unit $u has no @PLACEHOLDER@ left" sh -c "! grep -q '@[A-Z]*@' '$U/$u'"
done
W=$U/medclinic-workers.service
for l in "ExecStart=$PREFIX/sbin/medfcgi" "Restart=on-failure" "ProtectSystem=strict" \
    "PrivateTmp=yes" "NoNewPrivileges=yes" "User=medclinic" "StateDirectory=medclinic" \
    "StandardInput=socket" "Environment=MED_DATA_DIR=/var/lib/medclinic"; do
	check "workers service: $l" has_line "$W" "$l"
done
# socket_for_nginx LABEL UNIT PATH: the socket unit listens on PATH,
# reachable by www-data's group only.
socket_for_nginx() {
	check "$1: $3 for www-data" sh -c \
	    "grep -qx 'ListenStream=$3' '$U/$2' && grep -qx 'SocketGroup=www-data' '$U/$2' && \
	     grep -qx 'SocketMode=0660' '$U/$2'"
}
socket_for_nginx "socket unit" medclinic-workers.socket /run/medclinic/fcgi.sock
K=$U/medclinic-kdf.service
for l in "ExecStart=$PREFIX/sbin/medfcgi -w 1" "Nice=10" "Requires=medclinic-kdf.socket" \
    "Restart=on-failure" "ProtectSystem=strict" "NoNewPrivileges=yes" "User=medclinic" \
    "StandardInput=socket" "Environment=MED_DATA_DIR=/var/lib/medclinic"; do
	check "password-hashing service: $l" has_line "$K" "$l"
done
socket_for_nginx "password-hashing socket" medclinic-kdf.socket /run/medclinic/kdf.sock
check "backup service calls medadm backup" grep -q "$PREFIX/sbin/medadm backup " \
    "$U/medclinic-backup.service"
for l in "ProtectSystem=strict" "PrivateTmp=yes" "NoNewPrivileges=yes" "User=medclinic"; do
	check "backup service: $l" has_line "$U/medclinic-backup.service" "$l"
done
check "backup timer: daily and persistent" sh -c \
    "grep -q '^OnCalendar=' '$U/medclinic-backup.timer' && \
     grep -qx 'Persistent=true' '$U/medclinic-backup.timer'"
O=$U/medclinic-outbox.service
for l in "ExecStart=$PREFIX/sbin/medadm outbox run --loop" "Restart=on-failure" \
    "ProtectSystem=strict" "PrivateTmp=yes" "NoNewPrivileges=yes" "User=medclinic" \
    "StateDirectory=medclinic" "Environment=MED_DATA_DIR=/var/lib/medclinic" \
    "EnvironmentFile=-/etc/medclinic/medclinic.env" "TimeoutStopSec=60s"; do
	check "outbox service: $l" has_line "$O" "$l"
done
check "sysusers: user medclinic" grep -q '^u medclinic ' "$P/lib/sysusers.d/medclinic.conf"
if command -v systemd-analyze >/dev/null 2>&1; then
	# Only syntax and semantics: the binaries are not at their final path
	# yet and the man page may not be installed, so those lines are
	# filtered out.
	systemd-analyze verify "$U/medclinic-workers.socket" "$W" \
	    "$U/medclinic-kdf.socket" "$K" \
	    "$U/medclinic-backup.service" "$U/medclinic-backup.timer" "$O" \
	    > "$TMP/verify.log" 2>&1 || true
	if grep -v -e 'is not executable' -e "Command 'man " -e '^$' "$TMP/verify.log" |
	    grep -q .; then
		bad "systemd-analyze verify: $(head -n 3 "$TMP/verify.log")"
	else
		ok
	fi
fi

# nginx: the site file inside a minimal http {}, and nginx.conf.example,
# both with a throw-away certificate, logs in $TMP and the installed
# FastCGI include.
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
if [ -x "$NGINX" ] && command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=clinic.example.dz \
	    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
	localize() {
		sed -e "s|ssl_certificate [^;]*;|ssl_certificate $TMP/cert.pem;|" \
		    -e "s|ssl_certificate_key [^;]*;|ssl_certificate_key $TMP/key.pem;|" \
		    -e "s|/var/log/nginx/|$TMP/|g" -e "s|^pid .*|pid $TMP/nginx.pid;|" \
		    -e "s|^user .*||" -e "s|include /etc/nginx/mime.types;||" \
		    -e "s|unix:/run/medclinic/live.sock|unix:$TMP/live.sock|" \
		    -e "s|include \"$PREFIX/share/medclinic/|include \"$S/|" "$1"
	}
	for f in nginx-site.conf nginx.conf.example; do
		check "$f: no @PLACEHOLDER@ left" sh -c "! grep -q '@[A-Z_]*@' '$S/$f'"
		check "$f: docs from $PREFIX/share/medclinic" grep -q \
		    "alias \"$PREFIX/share/medclinic/docs/\";" "$S/$f"
		check "$f: includes the installed nginx-fastcgi.conf" grep -q \
		    "include \"$PREFIX/share/medclinic/nginx-fastcgi.conf\";" "$S/$f"
		check "$f: the web app from $PREFIX/share/medclinic/web" grep -q \
		    "root \"$PREFIX/share/medclinic/web\";" "$S/$f"
	done
	localize "$S/nginx-site.conf" > "$TMP/site.conf"
	# Debian's nginx.conf loads modules-enabled/ (libnginx-mod-nchan) first;
	# they name their modules relative to the prefix (here $TMP).
	ln -s /usr/lib/nginx/modules "$TMP/modules"
	printf 'include /etc/nginx/modules-enabled/*.conf;\npid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\ninclude %s/site.conf;\n}\n' \
	    "$TMP" "$TMP" "$TMP" > "$TMP/nginx-site-test.conf"
	check "nginx -t accepts the installed site" "$NGINX" -t -q -p "$TMP/" -e "$TMP/error.log" \
	    -c "$TMP/nginx-site-test.conf"
	localize "$S/nginx.conf.example" > "$TMP/example.conf"
	check "nginx -t accepts nginx.conf.example" "$NGINX" -t -q -p "$TMP/" -e "$TMP/error.log" \
	    -c "$TMP/example.conf"
fi

echo "install-test: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
