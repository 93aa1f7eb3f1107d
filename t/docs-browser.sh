#!/bin/sh
# docs-browser.sh - the docs pages in a real browser: headless Chromium
# (Debian's chromium package) loads /docs (Swagger UI) and /redoc (ReDoc)
# from a running stack and the rendered DOM must list every operation of
# openapi.json, /auth/login among them.
#
#   sh t/docs-browser.sh [BUILD_DIR]        own stack (stack.sh start), default build
#   BASE_URL=http://127.0.0.1:8080 sh t/docs-browser.sh   an already running stack
#
# Installs chromium when it is missing (it is large, so only this test
# pulls it in; scripts/deps.sh does not).  Chromium's virtual time budget
# lets the page finish its scripts without any sleep here.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
BUDGET=${DOCS_VIRTUAL_TIME_MS:-20000}
PASS=0
FAIL=0
TMP=$(mktemp -d)
STACK_DIR=

cleanup() {
	if [ -n "$STACK_DIR" ]; then
		sh "$ROOT/scripts/stack.sh" stop "$STACK_DIR" >/dev/null 2>&1 || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "docs-browser.sh: $*" >&2
	exit 1
}

ok() {
	PASS=$((PASS + 1))
	echo "ok   $*"
}

bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL $*"
}

find_chromium() {
	for c in chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			command -v "$c"
			return 0
		fi
	done
	return 1
}

install_chromium() {
	find_chromium >/dev/null && return 0
	echo "docs-browser.sh: installing chromium"
	if [ "$(id -u)" -eq 0 ]; then
		SUDO=
	elif command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		die "chromium missing and neither root nor sudo: apt-get install chromium"
	fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    chromium >/dev/null
	find_chromium >/dev/null || die "chromium still missing after install"
}

# dump URL FILE: the DOM after the page's scripts ran.
dump() {
	set -- "$1" "$2"
	_sandbox=
	[ "$(id -u)" -ne 0 ] || _sandbox=--no-sandbox   # Chromium refuses root without it
	# shellcheck disable=SC2086 # $_sandbox is one word or none
	timeout 120 "$CHROMIUM" --headless $_sandbox --disable-gpu --no-first-run \
	    --user-data-dir="$TMP/profile" --virtual-time-budget="$BUDGET" \
	    --dump-dom "$1" > "$2" 2>>"$TMP/chromium.log" || true
}

install_chromium
CHROMIUM=$(find_chromium)

if [ -z "${BASE_URL:-}" ]; then
	[ -x "$BUILD/medfcgi" ] || die "no $BUILD/medfcgi: make all first"
	STACK_DIR=$TMP/stack
	sh "$ROOT/scripts/stack.sh" start "$STACK_DIR" "$BUILD" >/dev/null
	BASE_URL=$(cat "$STACK_DIR/base_url")
fi

# Every operation of the document carries exactly one "x-auth".
NOPS=$(curl -fsS "$BASE_URL/api/v1/openapi.json" | grep -o '"x-auth"' | wc -l | tr -d ' ')
if [ "$NOPS" -gt 0 ]; then
	ok "/api/v1/openapi.json served with $NOPS operations"
else
	bad "/api/v1/openapi.json not served or without operations"
fi

for page in /docs /docs/; do
	dump "$BASE_URL$page" "$TMP/swagger.html"
	n=$(grep -o 'class="opblock opblock-[a-z]*' "$TMP/swagger.html" | wc -l | tr -d ' ')
	if [ "$n" -eq "$NOPS" ]; then
		ok "Swagger UI at $page renders $n of $NOPS operations"
	else
		bad "Swagger UI at $page renders $n of $NOPS operations"
	fi
done
if grep -q 'opblock-summary-path" data-path="/auth/login"' "$TMP/swagger.html"; then
	ok "Swagger UI lists POST /auth/login"
else
	bad "Swagger UI does not list POST /auth/login"
fi
if grep -qi 'Failed to load API definition' "$TMP/swagger.html"; then
	bad "Swagger UI reports: Failed to load API definition"
else
	ok "Swagger UI loaded the definition"
fi

dump "$BASE_URL/redoc" "$TMP/redoc.html"
n=$(grep -o 'id="tag/[^"]*/operation/[^"]*"' "$TMP/redoc.html" | sort -u | wc -l | tr -d ' ')
if [ "$n" -eq "$NOPS" ]; then
	ok "ReDoc at /redoc renders $n of $NOPS operations"
else
	bad "ReDoc at /redoc renders $n of $NOPS operations"
fi
if grep -q 'operation/post_auth_login"' "$TMP/redoc.html"; then
	ok "ReDoc lists POST /auth/login"
else
	bad "ReDoc does not list POST /auth/login"
fi

echo "docs-browser: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
