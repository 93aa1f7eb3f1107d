#!/bin/sh
# run-e2e.sh BUILD_DIR - the end-to-end tests against a real stack (nginx,
# spawn-fcgi, the workers of BUILD_DIR) in a fresh temporary directory.
#
# The tests get MED_BASE_URL, MED_DATA_DIR (the stack's directory, for its
# logs), MEDADM (a medadm on the same database) and MED_FAKE_SENDMAIL (the
# development mail catcher, scripts/fake-sendmail.sh).  Fails if the tests
# fail or if any sanitizer wrote a report (workers, medadm and the test
# program all log under MED_DATA_DIR/log).  The stack is always stopped;
# the directory is removed after a success and kept after a failure.
set -eu

[ $# -eq 1 ] || { echo "usage: run-e2e.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
STACK=$ROOT/scripts/stack.sh
TESTS=$BUILD/t/e2e_tests

[ -x "$TESTS" ] || { echo "run-e2e.sh: no $TESTS (make $TESTS)" >&2; exit 1; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/med-e2e.XXXXXX")

STOPPED=0
stop() {
	[ "$STOPPED" -eq 0 ] || return 0
	STOPPED=1
	sh "$STACK" stop "$DIR" || true
}
trap 'stop' EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM HUP

# Print every non-empty sanitizer report; true if there was one.
sanitizer_reports() {
	_found=1
	for _f in "$DIR"/log/asan.* "$DIR"/log/ubsan.*; do
		[ -s "$_f" ] || continue
		echo "run-e2e.sh: sanitizer report $_f:" >&2
		cat "$_f" >&2
		_found=0
	done
	return "$_found"
}

# The test program and the medadm it runs report to the same place as the
# workers (stack.sh sets the same for what it starts).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$DIR/log/asan:abort_on_error=1"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$DIR/log/ubsan:print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS UBSAN_OPTIONS

# The suites book days ahead of today: the seed's holidays (dated from
# today) would close some of those days on some runs.  Holidays have their
# own tests, which make the holidays they need.
open_every_day() {
	"$BUILD/medadm" --db "$DIR/clinic.db" holiday list | while read -r _date _rest; do
		"$BUILD/medadm" --db "$DIR/clinic.db" holiday remove "$_date" || return 1
	done
}

# No outbox sender beside the workers: the tests run it themselves, one
# pass at a time (medadm outbox run --once, mail captured by
# MED_FAKE_SENDMAIL).  The workers get mail commands that sleep 5 s: a
# request that ran one inline would show it (e2e_auth times /auth/forgot).
rc=0
MED_SENDER=0 MAIL_COMMAND='sleep 5' RESET_MAIL_COMMAND='sleep 5' \
    sh "$STACK" start "$DIR" "$BUILD" || rc=1
[ "$rc" -ne 0 ] || open_every_day || rc=1
if [ "$rc" -eq 0 ]; then
	MED_BASE_URL=$(cat "$DIR/base_url") MED_DATA_DIR=$DIR MEDADM=$BUILD/medadm \
	    MED_FAKE_SENDMAIL=$ROOT/scripts/fake-sendmail.sh "$TESTS" || rc=1
fi
# Stop before looking: leak reports are written when the workers exit.
stop
if sanitizer_reports; then
	rc=1
fi
if [ "$rc" -eq 0 ]; then
	rm -rf "$DIR"
else
	echo "run-e2e.sh: FAILED; logs kept in $DIR/log" >&2
fi
exit "$rc"
