#!/bin/sh
# fuzz.sh - build the libFuzzer targets of fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) into build/fuzz and run each for a
# bounded time.
#
#   FUZZ_SECONDS=60 sh scripts/fuzz.sh [target ...]   (default: all targets)
#
# The library is compiled from lib/*.c (plus the embedded schema, seed and
# message templates) with the same sanitizers, separately from the normal
# build; the adapter target also links the worker's fcgi/adapter.c and
# fcgi/log.c, which need no libfcgi.  Each target starts from its committed seed corpus
# fuzz/corpus/<target>/ and writes what it discovers to
# build/fuzz/work/<target>/ (the committed corpus is never modified).
# Crash, leak, timeout and OOM inputs land in
# build/fuzz/artifacts/<target>/; replay one with
#   build/fuzz/fuzz_<target> build/fuzz/artifacts/<target>/crash-...
#
# Prints one line per target with the executions and crashes from
# libFuzzer's final stats, and exits non-zero if any target crashed (or
# failed to build or run).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=build/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
CC_FUZZ=${CLANG:-clang}
ALL_TARGETS="request adapter valid jwt pwhash"
TARGETS=${*:-$ALL_TARGETS}
# The Makefile passes its PKGS: one list of libraries for every build.
: "${PKGS:?PKGS unset: run through make fuzz or make fuzz-smoke}"

case $SECONDS_EACH in
'' | *[!0-9]*) echo "fuzz.sh: FUZZ_SECONDS must be a whole number" >&2; exit 2 ;;
esac
command -v "$CC_FUZZ" >/dev/null 2>&1 || {
	echo "fuzz.sh: $CC_FUZZ not found (make deps installs clang and libclang-rt-14-dev)" >&2
	exit 1
}

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# shellcheck disable=SC2046 # pkg-config output is a list of flags
CFLAGS="-O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
-Ilib -Ifcgi -Ifuzz $(pkg-config --cflags $PKGS) $SAN"
LIBS="$(pkg-config --libs $PKGS) -lm"

mkdir -p "$OUT/lib" "$OUT/fcgi"

# Compile src to obj unless obj is newer than src and every header.
compile() {
	_src=$1
	_obj=$2
	if [ -f "$_obj" ] && [ -z "$(find "$_src" lib/*.h fcgi/*.h fuzz/*.h -newer "$_obj" 2>/dev/null)" ]; then
		return 0
	fi
	echo "  CC $_src"
	# shellcheck disable=SC2086
	$CC_FUZZ $CFLAGS -fsanitize=fuzzer-no-link -c -o "$_obj" "$_src"
}

build() {
	echo "fuzz.sh: building into $OUT"
	if [ ! -f "$OUT/lib/embedded.c" ] || [ -n "$(find schema.sql seed.sql -newer "$OUT/lib/embedded.c")" ]; then
		sh scripts/embed.sh schema.sql med_schema_sql seed.sql med_seed_sql > "$OUT/lib/embedded.c"
	fi
	# The outbox's message templates, compiled in as the Makefile does.
	if [ ! -f "$OUT/lib/tpl_embedded.c" ] ||
	    [ -n "$(find templates/*.txt scripts/embed-templates.sh -newer "$OUT/lib/tpl_embedded.c")" ]; then
		sh scripts/embed-templates.sh templates/*.txt > "$OUT/lib/tpl_embedded.c"
	fi
	OBJS=
	for _c in lib/*.c "$OUT/lib/embedded.c" "$OUT/lib/tpl_embedded.c" fuzz/fuzz_common.c; do
		_o=$OUT/lib/$(basename "$_c" .c).o
		compile "$_c" "$_o"
		OBJS="$OBJS $_o"
	done
	for _c in fuzz/fuzz_pwfast.c fcgi/adapter.c fcgi/log.c; do
		compile "$_c" "$OUT/fcgi/$(basename "$_c" .c).o"
	done
	_wrap="$OUT/fcgi/fuzz_pwfast.o -Wl,--wrap=pwhash_hash,--wrap=pwhash_verify,--wrap=pwhash_needs_rehash"
	for _t in $TARGETS; do
		[ -f "fuzz/fuzz_$_t.c" ] || { echo "fuzz.sh: no target fuzz/fuzz_$_t.c" >&2; exit 2; }
		# The targets that reach login hash passwords at the minimum
		# scrypt cost (see fuzz/fuzz_pwfast.h).
		case $_t in
		request) _extra=$_wrap ;;
		adapter) _extra="$_wrap $OUT/fcgi/adapter.o $OUT/fcgi/log.o" ;;
		*) _extra= ;;
		esac
		echo "  LD fuzz_$_t"
		# shellcheck disable=SC2086
		$CC_FUZZ $CFLAGS -fsanitize=fuzzer -o "$OUT/fuzz_$_t" "fuzz/fuzz_$_t.c" $OBJS $_extra $LIBS
	done
}

# Value of libFuzzer's "stat::NAME: value" line in log $1, or "?".
stat_of() {
	_v=$(sed -n "s/^stat::$2: *\([0-9]*\).*/\1/p" "$1" | tail -n 1)
	echo "${_v:-?}"
}

run_one() {
	_t=$1
	_work=$OUT/work/$_t
	_art=$OUT/artifacts/$_t
	_log=$OUT/fuzz_$_t.log
	mkdir -p "$_work" "$_art"
	rm -f "$_art"/crash-* "$_art"/leak-* "$_art"/timeout-* "$_art"/oom-*
	_rc=0
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
	UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1" \
	    "$OUT/fuzz_$_t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
	    -timeout=30 -rss_limit_mb=2048 -max_len=8192 \
	    -artifact_prefix="$_art/" "$_work" "fuzz/corpus/$_t" >"$_log" 2>&1 || _rc=$?
	_crashes=$(find "$_art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
	    -o -name 'oom-*' \) | wc -l | tr -d ' ')
	_execs=$(stat_of "$_log" number_of_executed_units)
	_rate=$(stat_of "$_log" average_exec_per_sec)
	_cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' "$_log" | tail -n 1)
	printf 'fuzz: %-8s executions=%s exec/s=%s cov=%s crashes=%s (%ss, log %s)\n' \
	    "$_t" "$_execs" "$_rate" "${_cov:-?}" "$_crashes" "$SECONDS_EACH" "$_log"
	if [ "$_rc" -ne 0 ] || [ "$_crashes" -ne 0 ]; then
		echo "fuzz.sh: $_t FAILED (exit $_rc); last lines of $_log:" >&2
		tail -n 40 "$_log" >&2
		return 1
	fi
	return 0
}

build
failed=0
for t in $TARGETS; do
	run_one "$t" || failed=1
done
exit "$failed"
