#!/bin/sh
# nginx-test.sh - the nginx configurations and their one source,
# deploy/nginx.conf.in (with deploy/nginx-fastcgi.conf) rendered by
# scripts/nginx-conf.sh:
#
# * nginx.conf.example is exactly what the renderer produces (after a
#   change to the template: make nginx-conf);
# * the renderer refuses what it cannot render: an unknown mode or value,
#   dev without its values, a double quote in a value, an unbalanced #if,
#   a @NAME@ without a value;
# * every mode renders completely (no @NAME@, #if or ## line left) and
#   `nginx -t` accepts it, also with a static web app at /;
# * the production site served by a real nginx over TLS, with its ports,
#   logs and certificate moved into a temporary directory and no workers
#   behind it: security headers with HSTS, nginx's own errors in the JSON
#   envelope (404, 400, 405, 413 above 1 MiB, 502 without workers), 429
#   after the auth burst, the docs pages, a 404 and no redirect for the
#   API's prefix without its slash or a docs directory, the redirect of
#   plain HTTP to the server's own name whatever the Host header, and an
#   access log with the method and path of every request (nginx's own
#   errors too) and no query string.
#
# The end-to-end suites (t/run-e2e.sh) run against the same template
# rendered with development values.
#
#   sh t/nginx-test.sh      (from anywhere; uses the source tree it is in)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONF_SH=$ROOT/scripts/nginx-conf.sh
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
HOST=clinic.example.dz
TMP=$(mktemp -d)
PASS=0
FAIL=0
NGINX_UP=0

cleanup() {
	if [ "$NGINX_UP" -eq 1 ] && [ -s "$TMP/nginx.pid" ]; then
		kill -TERM "$(cat "$TMP/nginx.pid")" 2>/dev/null || true
		_i=0
		while [ -s "$TMP/nginx.pid" ] && [ "$_i" -lt 50 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

render() {
	sh "$CONF_SH" "$@"
}

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

fails() {
	_what=$1
	shift
	if "$@" >/dev/null 2>&1; then bad "$_what"; else ok; fi
}

# --- nginx.conf.example is the rendered template --------------------------

if render example > "$TMP/example.conf" &&
    cmp -s "$TMP/example.conf" "$ROOT/nginx.conf.example"; then
	ok
else
	bad "nginx.conf.example differs from the rendered template (make nginx-conf):"
	diff -u "$ROOT/nginx.conf.example" "$TMP/example.conf" | head -n 40 || true
fi

# --- the renderer refuses what it cannot render ---------------------------

fails "unknown mode refused" render prod
fails "unknown value refused" render site NO_SUCH_VALUE=1
fails "a value without = refused" render site SHAREDIR
fails "dev without DATA_DIR and PORT refused" render dev
fails "a double quote in a value refused" render site 'SHAREDIR=/a"b'
printf '#if tls\nx;\n' > "$TMP/open.in"
fails "unclosed #if refused" env MED_NGINX_TEMPLATE="$TMP/open.in" sh "$CONF_SH" site
printf '#if tls\nx;\n#endif main\n' > "$TMP/cross.in"
fails "mismatched #endif refused" env MED_NGINX_TEMPLATE="$TMP/cross.in" sh "$CONF_SH" site
printf '#if tsl\nx;\n#endif tsl\n' > "$TMP/flag.in"
fails "unknown flag refused" env MED_NGINX_TEMPLATE="$TMP/flag.in" sh "$CONF_SH" site
printf 'x @NO_SUCH_VALUE@;\n' > "$TMP/value.in"
fails "@NAME@ without a value refused" env MED_NGINX_TEMPLATE="$TMP/value.in" sh "$CONF_SH" site
# The caller's environment sets nothing: only arguments do.
check "environment ignored" sh -c \
    "SHAREDIR=/elsewhere sh '$CONF_SH' site | grep -q 'alias \"/usr/local/share/medclinic/docs/\";'"

# --- every mode renders completely and nginx -t accepts it ----------------

mkdir -p "$TMP/dev/run/nginx-tmp" "$TMP/dev/log"
# Debian's modules-enabled/*.conf name their modules relative to nginx's
# prefix (/usr/share/nginx, whose modules/ is /usr/lib/nginx/modules); the
# tests' prefix is $TMP.
ln -s /usr/lib/nginx/modules "$TMP/modules"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$HOST" \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1

# Production values where the test cannot use the real ones: certificate,
# logs and docs in reach, a socket nobody listens on.
PROD_VALUES="STATIC_DIR=$ROOT FASTCGI_CONF=$ROOT/deploy/nginx-fastcgi.conf
SOCK=$TMP/no-workers.sock LIVE_SOCK=$TMP/live.sock SSL_CERT=$TMP/cert.pem SSL_KEY=$TMP/key.pem
ACCESS_LOG=$TMP/access.log ERROR_LOG=$TMP/error.log WEB_ROOT=$ROOT/web"

# A whole nginx.conf around a site file, every path in $TMP; modules
# as Debian's nginx.conf loads them (libnginx-mod-nchan, live updates).
wrap_site() {
	if [ "$(id -u)" -eq 0 ]; then
		echo "user $(id -un) $(id -gn);"
	fi
	cat <<EOF
include /etc/nginx/modules-enabled/*.conf;
pid $TMP/nginx.pid;
error_log $TMP/error.log warn;
events { worker_connections 64; }
http {
	client_body_temp_path $TMP/body;
	fastcgi_temp_path $TMP/fastcgi;
	proxy_temp_path $TMP/proxy;
	scgi_temp_path $TMP/scgi;
	uwsgi_temp_path $TMP/uwsgi;
	include $1;
}
EOF
}

nginx_t() {
	"$NGINX" -t -q -p "$TMP/" -e "$TMP/error.log" -c "$1"
}

complete() {
	! grep -q -e '@[A-Z_]*@' -e '^[[:space:]]*#if ' -e '^[[:space:]]*#endif ' -e '^##' "$1"
}

for web in "WEB_ROOT=" "WEB_ROOT=$ROOT/web"; do
	label=${web#WEB_ROOT=}
	label=${label:+" with a web root"}
	# shellcheck disable=SC2086
	if render dev DATA_DIR="$TMP/dev" PORT=1 $web > "$TMP/dev.conf"; then
		check "dev$label renders completely" complete "$TMP/dev.conf"
		check "nginx -t accepts dev$label" "$NGINX" -t -q -p "$TMP/dev/run/" \
		    -e "$TMP/dev/log/nginx-error.log" -c "$TMP/dev.conf"
	else
		bad "dev$label does not render"
	fi
	# shellcheck disable=SC2086
	if render site $PROD_VALUES $web > "$TMP/site.conf"; then
		check "site$label renders completely" complete "$TMP/site.conf"
		wrap_site "$TMP/site.conf" > "$TMP/site-test.conf"
		check "nginx -t accepts site$label" nginx_t "$TMP/site-test.conf"
	else
		bad "site$label does not render"
	fi
	# shellcheck disable=SC2086
	if render example $PROD_VALUES PID_FILE="$TMP/nginx.pid" MAIN_ERROR_LOG="$TMP/error.log" \
	    $web > "$TMP/example-test.conf"; then
		check "example$label renders completely" complete "$TMP/example-test.conf"
		check "nginx -t accepts example$label" nginx_t "$TMP/example-test.conf"
	else
		bad "example$label does not render"
	fi
done
check "site: one level less indented than example" sh -c \
    "sh '$CONF_SH' site | grep -q '^server {' && sh '$CONF_SH' example | grep -q '^	server {'"
check "dev: no TLS" sh -c "! grep -q -e ssl -e 'listen 443' '$TMP/dev.conf'"

# --- the production site, served ------------------------------------------

# req URL [curl options]: status in CODE, headers in $TMP/h, body in $TMP/b.
req() {
	_url=$1
	shift
	CODE=$(curl -sk --max-time 10 --resolve "$HOST:$HTTPS:127.0.0.1" \
	    --resolve "$HOST:$HTTP:127.0.0.1" -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' \
	    "$@" "$_url") || CODE=000
}

header_is() {
	tr -d '\r' < "$TMP/h" | grep -q -i -x -F -- "$1"
}

envelope_is() {
	[ "$(cat "$TMP/b")" = "{\"success\":false,\"data\":null,\"message\":\"$1\"}" ] &&
	    header_is "Content-Type: application/json"
}

no_location() {
	! tr -d '\r' < "$TMP/h" | grep -q -i '^Location:'
}

# logged TEXT: the access log has a line with TEXT.
logged() {
	grep -q -F -- "$1" "$TMP/access.log"
}

security_headers() {
	header_is "Strict-Transport-Security: max-age=63072000; includeSubDomains" &&
	    header_is "X-Content-Type-Options: nosniff" &&
	    header_is "X-Frame-Options: DENY" &&
	    header_is "Referrer-Policy: no-referrer" &&
	    tr -d '\r' < "$TMP/h" | grep -q -i "^Content-Security-Policy: default-src 'none';" &&
	    ! tr -d '\r' < "$TMP/h" | grep -q -i '^Server: .*/'
}

# expect WHAT STATUS URL [curl options]
expect() {
	_what=$1
	_want=$2
	shift 2
	req "$@"
	if [ "$CODE" = "$_want" ]; then ok; else bad "$_what: status $CODE, not $_want"; fi
}

random_port() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -cd '0-9')
	echo $((20000 + _r % 40000))
}

# The rendered site on loopback ports; retried when a port is taken.
start_site() {
	for _try in 1 2 3 4 5 6; do
		# A try that failed on a taken port may have bound the live socket
		# already: its file would make every later try fail the same way.
		rm -f "$TMP/live.sock"
		HTTPS=$(random_port)
		HTTP=$(random_port)
		# shellcheck disable=SC2086
		render site $PROD_VALUES |
		    sed -e "s/^\([[:space:]]*\)listen 443 ssl http2;/\1listen 127.0.0.1:$HTTPS ssl http2;/" \
		        -e "s/^\([[:space:]]*\)listen 80;/\1listen 127.0.0.1:$HTTP;/" \
		        -e '/^[[:space:]]*listen \[::\]/d' > "$TMP/site.conf"
		if ! grep -q "listen 127.0.0.1:$HTTPS ssl" "$TMP/site.conf" ||
		    ! grep -q "listen 127.0.0.1:$HTTP;" "$TMP/site.conf"; then
			echo "nginx-test: the site's listen lines moved" >&2
			return 1
		fi
		wrap_site "$TMP/site.conf" > "$TMP/site-run.conf"
		if "$NGINX" -p "$TMP/" -e "$TMP/error.log" -c "$TMP/site-run.conf" \
		    > "$TMP/start.log" 2>&1; then
			NGINX_UP=1
			return 0
		fi
		grep -q 'Address already in use' "$TMP/start.log" "$TMP/error.log" 2>/dev/null ||
		    { cat "$TMP/start.log" >&2; return 1; }
	done
	return 1
}

if ! command -v curl >/dev/null 2>&1; then
	bad "curl is missing (make deps)"
elif ! start_site; then
	bad "the rendered production site did not start"
else
	B=https://$HOST:$HTTPS

	expect "no workers: 502" 502 "$B/api/v1/health?secret=QuerySecret"
	check "502 in the envelope" envelope_is "Service unavailable"
	check "502 with the security headers and HSTS" security_headers

	expect "unknown path: 404" 404 "$B/no/such/page.html"
	check "404 in the envelope, JSON despite .html" envelope_is "Not found"
	check "404 with the security headers" security_headers
	expect "/ serves the web app" 200 "$B/"
	check "the web app: text/html" header_is "Content-Type: text/html"
	check "the web app's CSP: no inline script, no eval, API calls to this origin only" sh -c \
	    "tr -d '\\r' < '$TMP/h' | grep -q -i \"^Content-Security-Policy: default-src 'none'; script-src 'self'; .*connect-src 'self';\""
	check "the web app: HSTS and nosniff" sh -c \
	    "tr -d '\\r' < '$TMP/h' | grep -q -i '^Strict-Transport-Security: max-age' && tr -d '\\r' < '$TMP/h' | grep -q -i '^X-Content-Type-Options: nosniff'"
	expect "the web app's scripts" 200 "$B/app/main.js" -H 'Accept-Encoding: gzip'
	check "scripts: application/javascript, compressed" sh -c \
	    "tr -d '\\r' < '$TMP/h' | grep -q -i '^Content-Type: application/javascript' && tr -d '\\r' < '$TMP/h' | grep -q -i '^Content-Encoding: gzip'"
	expect "another API version: 404, not the app" 404 "$B/api/v2/health"
	check "another API version: 404 in the envelope" envelope_is "Not found"
	expect "a web directory: 404" 404 "$B/vendor/"
	expect "DELETE on an unknown path: 404" 404 "$B/no/such/thing" -X DELETE
	check "DELETE: 404 in the envelope" envelope_is "Not found"
	expect "HEAD on an unknown path: 404" 404 "$B/no/such/head" -I
	expect "an absolute request target: 404" 404 "$B/" --http1.1 \
	    --request-target "http://evil.example/no/such/absolute?q=QuerySecret"

	# nginx redirects a bare prefix of a FastCGI location, and a directory,
	# to the same path with a slash, its Location built from the client's
	# Host header.  Neither is a page: a 404 in the envelope, no Location.
	for _p in /api/v1 /api/v1/auth /api "/api/v1?x=1" /docs/vendor /docs/vendor/; do
		expect "$_p: 404" 404 "$B$_p" -H 'Host: evil.example'
		check "$_p: 404 in the envelope" envelope_is "Not found"
		check "$_p: no Location" no_location
		check "$_p: the security headers" security_headers
	done
	expect "/api/v1/ still reaches the workers" 502 "$B/api/v1/"

	expect "NUL in the path: 400" 400 "$B/api/v1/%00"
	check "400 in the envelope" envelope_is "Bad request"
	expect "NUL in the path over HTTP/1.1: 400" 400 "$B/api/v1/%00h1" --http1.1 -X PATCH
	check "HTTP/1.1 400 in the envelope" envelope_is "Bad request"

	head -c 1048576 /dev/zero > "$TMP/1m"
	head -c 1048577 /dev/zero > "$TMP/1m+1"
	expect "1 MiB body reaches the upstream" 502 "$B/api/v1/patients" \
	    -H 'Content-Type: application/json' --data-binary "@$TMP/1m"
	expect "1 MiB + 1 refused by nginx" 413 "$B/api/v1/patients" \
	    -H 'Content-Type: application/json' --data-binary "@$TMP/1m+1"
	check "413 in the envelope" envelope_is "Request body too large"

	# burst=20, nodelay: the first 21 pass at once, then 429.
	codes=
	for _i in $(seq 1 24); do
		req "$B/api/v1/auth/login" -H 'Content-Type: application/json' --data '{}'
		codes="$codes $CODE"
	done
	case $codes in
	*" 429"*) ok ;;
	*) bad "auth routes: no 429 after the burst:$codes" ;;
	esac
	check "429 in the envelope" envelope_is "Too many requests"
	check "429 with the security headers" security_headers
	first=$(echo "$codes" | awk '{ for (i = 1; i <= 20; i++) if ($i != 502) { print "no"; exit } print "yes" }')
	check "auth routes: the burst of 20 passes ($codes)" test "$first" = yes
	expect "other routes are not limited" 502 "$B/api/v1/health"

	expect "/docs" 200 "$B/docs"
	check "/docs is the Swagger UI page" sh -c "grep -qi '<html' '$TMP/b' && grep -q swagger '$TMP/b'"
	check "/docs: text/html" header_is "Content-Type: text/html"
	check "/docs: HSTS and its own CSP" sh -c \
	    "tr -d '\r' < '$TMP/h' | grep -qi '^Strict-Transport-Security: max-age=' &&
	     tr -d '\r' < '$TMP/h' | grep -qi \"^Content-Security-Policy: .*script-src 'self'\""
	expect "/docs/" 200 "$B/docs/"
	check "/docs/ is the Swagger UI page" grep -q swagger "$TMP/b"
	expect "a docs script" 200 "$B/docs/vendor/redoc/redoc.standalone.js"
	check "a docs script: JavaScript" header_is "Content-Type: application/javascript"
	expect "PUT on a docs page: 405" 405 "$B/docs/index.html" -X PUT --data x
	check "405 in the envelope" envelope_is "Method not allowed"
	expect "/redoc" 200 "$B/redoc"
	check "/redoc is the ReDoc page" grep -qi redoc "$TMP/b"
	expect "/redoc/" 200 "$B/redoc/"
	expect "/api/v1/openapi.json" 200 "$B/api/v1/openapi.json"
	check "openapi.json is the API description" grep -q '"openapi"' "$TMP/b"
	check "openapi.json: JSON" header_is "Content-Type: application/json"
	check "openapi.json: the security headers" security_headers

	# Live updates: the publisher only on its Unix socket, never through
	# the site's ports; the subscriber location asks the workers first.
	expect "live: no publisher on the site's port" 404 "$B/pub/clinic" -X POST --data '{}'
	check "live: publisher 404 in the envelope" envelope_is "Not found"
	_pub=$(curl -s --max-time 5 --unix-socket "$TMP/live.sock" -o /dev/null -w '%{http_code}' \
	    -X POST -H 'Content-Type: application/json' --data '{"kind":"test"}' \
	    http://localhost/pub/clinic || echo 000)
	check "live: the publisher answers on its Unix socket ($_pub)" test "$_pub" = 202
	check "live: the site listens on no other port" sh -c \
	    "! grep -E '^[[:space:]]*listen' '$TMP/site.conf' | grep -v -e 'listen 127.0.0.1:' -e 'listen unix:$TMP/live.sock;'"
	expect "live: subscribing without workers: 502" 502 "$B/api/v1/live?ticket=QuerySecret" \
	    -H 'Accept: text/event-stream'

	expect "plain HTTP redirects" 301 "http://$HOST:$HTTP/api/v1/health"
	check "redirect to https" header_is "Location: https://$HOST/api/v1/health"
	expect "plain HTTP, a forged Host: redirects" 301 "http://$HOST:$HTTP/api/v1/health" \
	    -H 'Host: evil.example'
	check "the redirect names the server, not the Host header" \
	    header_is "Location: https://$HOST/api/v1/health"

	# nginx's own errors are answered from /.med-error, an internal
	# redirect; the log still names what the client asked for.
	check "access log: the 502 (no workers)" logged '"GET /api/v1/health" 502 '
	check "access log: nginx's 404" logged '"GET /no/such/page.html" 404 '
	check "access log: nginx's 404 to a DELETE" logged '"DELETE /no/such/thing" 404 '
	check "access log: nginx's 404 to a HEAD" logged '"HEAD /no/such/head" 404 '
	check "access log: the bare prefix" logged '"GET /api/v1" 404 '
	check "access log: an absolute target's path only" logged '"GET /no/such/absolute" 404 '
	# (Over HTTP/2 nginx refuses a :path with a NUL before it builds the
	# request line: that line reads "- -".)
	check "access log: nginx's 400" logged '"PATCH /api/v1/%00h1" 400 '
	check "access log: nginx's 405" logged '"PUT /docs/index.html" 405 '
	check "access log: nginx's 413" logged '"POST /api/v1/patients" 413 '
	check "access log: nginx's 429" logged '"POST /api/v1/auth/login" 429 '
	check "access log: the path asked for, not a rewrite" logged '"GET /redoc" 200 '
	check "access log: no /.med-error" sh -c "! grep -q -F /.med-error '$TMP/access.log'"

	check "access log written" test -s "$TMP/access.log"
	check "no query string in the access log" sh -c "! grep -q QuerySecret '$TMP/access.log'"
fi

echo "nginx-test: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
