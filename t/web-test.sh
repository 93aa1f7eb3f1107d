#!/bin/sh
# web-test.sh - the clinic web app in headless Chromium (Debian's
# chromium, driven by puppeteer-core) against a fresh stack:
# t/web/journeys.mjs.  Screenshots go to BUILD_DIR/web-test/.
#
#   sh t/web-test.sh [BUILD_DIR]                      own stack, default build
#   BASE_URL=http://127.0.0.1:8080 sh t/web-test.sh   an already running stack
#                                                     (journeys expect the seed)
#
# On its own stack the journeys also get the database (STACK_DB): the
# front desk's no-show needs a visit that has begun, and the API books
# only future times, so the test moves one of its own visits into the past
# there.  On a given BASE_URL that step is skipped.
#
# Needs node and npm (the test driver, pinned by tools/web/package-lock.json,
# is installed into tools/web/node_modules by `npm ci` on first use) and
# chromium (installed like t/docs-browser.sh does when missing).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
STACK_DIR=
STACK_DB=
TMP=$(mktemp -d)

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
	echo "web-test.sh: $*" >&2
	exit 1
}

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || die "$1 missing: apt-get install $2"
	echo "web-test.sh: installing $2"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $2 >/dev/null
}

need node nodejs
need npm npm
command -v chromium >/dev/null 2>&1 || need chromium chromium
sh "$ROOT/scripts/web-vendor.sh" --check
if [ ! -d "$ROOT/tools/web/node_modules/puppeteer-core" ]; then
	(cd "$ROOT/tools/web" && npm ci --ignore-scripts --no-audit --no-fund --silent) ||
	    die "npm ci in tools/web failed"
fi

if [ -z "${BASE_URL:-}" ]; then
	[ -x "$BUILD/medfcgi" ] || die "no $BUILD/medfcgi: make all first"
	STACK_DIR=$TMP/stack
	sh "$ROOT/scripts/stack.sh" start "$STACK_DIR" "$BUILD" >/dev/null
	BASE_URL=$(cat "$STACK_DIR/base_url")
	STACK_DB=$STACK_DIR/clinic.db
fi

BASE_URL=$BASE_URL STACK_DB=$STACK_DB OUT=$BUILD/web-test CHROMIUM=$(command -v chromium) \
    timeout 600 node "$ROOT/t/web/journeys.mjs"
