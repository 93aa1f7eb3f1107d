#!/bin/sh
# docs.sh - (re)vendor the two browser bundles behind /docs and /redoc.
#
#   sh scripts/docs.sh            fetch the pinned versions with `npm pack`
#                                 and copy the files we serve into docs/vendor/
#   sh scripts/docs.sh --check    only verify that docs/vendor/ matches
#                                 docs/vendor/VERSIONS (no network)
#
# The copied files are committed, so `make run`, `make install` and the
# tests never need npm or the network; this script runs only when someone
# bumps a version below.  No CDN is ever referenced: the pages load these
# files from our own origin (and nginx's CSP for /docs forbids anything
# else).  npm verifies each tarball against the registry's integrity hash;
# we record that hash and the sha256 of every file we keep.
set -eu

SWAGGER_UI_DIST_VERSION=5.35.0
REDOC_VERSION=2.5.4

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENDOR=$ROOT/docs/vendor

# What we serve from each package; everything else (source maps, ES
# module builds, the demo index.html) stays out of the tree.
SWAGGER_FILES="swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt"
REDOC_FILES="bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt LICENSE"

die() {
	echo "docs.sh: $*" >&2
	exit 1
}

# Verify every file listed in VERSIONS against its recorded sha256.
check() {
	[ -f "$VENDOR/VERSIONS" ] || die "no $VENDOR/VERSIONS; run sh scripts/docs.sh"
	grep -q "^swagger-ui-dist $SWAGGER_UI_DIST_VERSION " "$VENDOR/VERSIONS" ||
	    die "docs/vendor is not swagger-ui-dist $SWAGGER_UI_DIST_VERSION; run sh scripts/docs.sh"
	grep -q "^redoc $REDOC_VERSION " "$VENDOR/VERSIONS" ||
	    die "docs/vendor is not redoc $REDOC_VERSION; run sh scripts/docs.sh"
	(cd "$VENDOR" && sed -n 's/^sha256 //p' VERSIONS | sha256sum -c --quiet -) ||
	    die "docs/vendor files differ from VERSIONS; run sh scripts/docs.sh"
	echo "docs.sh: docs/vendor matches VERSIONS"
}

# npm pack NAME@VERSION into $TMP; prints the tarball's integrity.
fetch() {
	command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $1 (apt-get install npm)"
	(cd "$TMP" && npm pack --json --silent "$1" > "$TMP/pack.json") ||
	    die "npm pack $1 failed"
	sed -n 's/.*"integrity": *"\([^"]*\)".*/\1/p' "$TMP/pack.json" | head -n 1
}

vendor() {
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	su_int=$(fetch "swagger-ui-dist@$SWAGGER_UI_DIST_VERSION")
	rd_int=$(fetch "redoc@$REDOC_VERSION")
	mkdir -p "$TMP/su" "$TMP/rd"
	tar xzf "$TMP/swagger-ui-dist-$SWAGGER_UI_DIST_VERSION.tgz" -C "$TMP/su"
	tar xzf "$TMP/redoc-$REDOC_VERSION.tgz" -C "$TMP/rd"

	rm -rf "$VENDOR.new"
	mkdir -p "$VENDOR.new/swagger-ui" "$VENDOR.new/redoc"
	for f in $SWAGGER_FILES; do
		cp "$TMP/su/package/$f" "$VENDOR.new/swagger-ui/$f"
	done
	for f in $REDOC_FILES; do
		cp "$TMP/rd/package/$f" "$VENDOR.new/redoc/$(basename "$f")"
	done
	{
		echo "# Vendored by scripts/docs.sh; do not edit by hand."
		echo "# name version npm-integrity"
		echo "swagger-ui-dist $SWAGGER_UI_DIST_VERSION $su_int"
		echo "redoc $REDOC_VERSION $rd_int"
		(cd "$VENDOR.new" && find swagger-ui redoc -type f | LC_ALL=C sort |
		    xargs sha256sum | sed 's/^/sha256 /')
	} > "$VENDOR.new/VERSIONS"
	chmod -R a+rX "$VENDOR.new"
	rm -rf "$VENDOR"
	mv "$VENDOR.new" "$VENDOR"
	check
}

case ${1:-} in
--check) check ;;
'') vendor ;;
*) echo "usage: sh scripts/docs.sh [--check]" >&2; exit 2 ;;
esac
