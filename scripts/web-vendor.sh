#!/bin/sh
# web-vendor.sh - (re)vendor the browser libraries of the clinic web app.
#
#   sh scripts/web-vendor.sh           npm ci in tools/web (versions pinned by
#                                      its package-lock.json), copy the files
#                                      the app serves into web/vendor/ and
#                                      axe-core into t/web/vendor/
#   sh scripts/web-vendor.sh --check   only verify both against their VERSIONS
#                                      (no network)
#
# The copied files are committed, so `make run`, `make install` and the
# app never need npm or the network at run time, and no CDN is ever
# referenced (the app's CSP forbids it).  Preact's hooks import the bare
# specifier "preact", which a browser cannot resolve without an import
# map (an inline script, which the CSP forbids), so the copy names the
# file instead.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS=$ROOT/tools/web
VENDOR=$ROOT/web/vendor
TVENDOR=$ROOT/t/web/vendor

die() {
	echo "web-vendor.sh: $*" >&2
	exit 1
}

check_dir() {
	[ -f "$1/VERSIONS" ] || die "no $1/VERSIONS; run sh scripts/web-vendor.sh"
	(cd "$1" && sed -n 's/^sha256 //p' VERSIONS | sha256sum -c --quiet -) ||
	    die "$1 differs from its VERSIONS; run sh scripts/web-vendor.sh"
}

check() {
	check_dir "$VENDOR"
	check_dir "$TVENDOR"
	echo "web-vendor.sh: web/vendor and t/web/vendor match VERSIONS"
}

# version NAME: the installed version of an npm package.
version() {
	node -p "require('$DEPS/node_modules/$1/package.json').version"
}

# versions DIR NAME...: write DIR/VERSIONS.
versions() {
	_dir=$1
	shift
	{
		echo "# Vendored by scripts/web-vendor.sh from tools/web/package-lock.json; do not edit."
		for _p in "$@"; do
			echo "npm $_p $(version "$_p")"
		done
		(cd "$_dir" && find . -type f ! -name "VERSIONS*" | sed 's|^\./||' | LC_ALL=C sort |
		    xargs sha256sum | sed 's/^/sha256 /')
	} > "$_dir/VERSIONS.tmp"
	mv "$_dir/VERSIONS.tmp" "$_dir/VERSIONS"
}

vendor() {
	command -v npm >/dev/null 2>&1 || die "npm is needed (apt-get install npm)"
	(cd "$DEPS" && npm ci --ignore-scripts --no-audit --no-fund --silent) || die "npm ci failed"
	M=$DEPS/node_modules
	rm -rf "$VENDOR" "$TVENDOR"
	mkdir -p "$VENDOR" "$TVENDOR"
	cp "$M/preact/dist/preact.module.js" "$VENDOR/preact.js"
	sed 's/from"preact"/from".\/preact.js"/' "$M/preact/hooks/dist/hooks.module.js" \
	    > "$VENDOR/hooks.js"
	grep -q 'from"./preact.js"' "$VENDOR/hooks.js" || die "hooks.js: import not rewritten"
	cp "$M/htm/dist/htm.module.js" "$VENDOR/htm.js"
	cp "$M/@picocss/pico/css/pico.min.css" "$VENDOR/pico.min.css"
	cp "$M/preact/LICENSE" "$VENDOR/LICENSE.preact"
	cp "$M/htm/LICENSE" "$VENDOR/LICENSE.htm"
	cp "$M/@picocss/pico/LICENSE.md" "$VENDOR/LICENSE.pico"
	cp "$M/axe-core/axe.min.js" "$TVENDOR/axe.min.js"
	cp "$M/axe-core/LICENSE" "$TVENDOR/LICENSE.axe-core"
	chmod 0644 "$VENDOR"/* "$TVENDOR"/*
	versions "$VENDOR" preact htm @picocss/pico
	versions "$TVENDOR" axe-core
	check
}

case ${1:-} in
--check) check ;;
'') vendor ;;
*) echo "usage: sh scripts/web-vendor.sh [--check]" >&2; exit 2 ;;
esac
