#!/bin/sh
# deps.sh - install the Debian 12 packages the build, the tests and
# `make run` need.  Idempotent and silent when everything is present, so
# `make check` and `make run` can call it every time.
#
# We start our own nginx with our own configuration and never use the
# system instance.  Installing nginx on Debian normally starts the system
# service on port 80, which can fail (port taken) and break dpkg, or leave
# an unwanted server running; a temporary policy-rc.d that answers 101
# ("action forbidden") keeps invoke-rc.d and deb-systemd-invoke from
# starting any service during our install.
set -eu

PKGS="build-essential pkg-config libsqlite3-dev libcjson-dev libssl-dev
libfcgi-dev check spawn-fcgi nginx-light sqlite3 curl tzdata ca-certificates
clang libclang-rt-14-dev valgrind libutf8proc-dev python3 python3-icalendar
libnginx-mod-nchan"
POLICY=/usr/sbin/policy-rc.d

# Print the packages of $PKGS that are not installed, one a line.
missing_packages() {
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$s" = installed ] || echo "$p"
	done
}

# Commands that need root go through $SUDO (empty when we are root).
pick_sudo() {
	if [ "$(id -u)" -eq 0 ]; then
		SUDO=
	elif command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps.sh: missing packages and neither root nor sudo:" >&2
		echo "  apt-get install $*" >&2
		exit 1
	fi
}

# Install our policy-rc.d unless the system already has one (Docker images
# ship one; we must not replace or remove someone else's).
OWN_POLICY=0
policy_on() {
	[ -e "$POLICY" ] && return 0
	$SUDO sh -c "printf '#!/bin/sh\n# temporary, from medclinic scripts/deps.sh\nexit 101\n' > $POLICY && chmod 0755 $POLICY"
	OWN_POLICY=1
}

policy_off() {
	if [ "$OWN_POLICY" -eq 1 ]; then
		$SUDO rm -f "$POLICY" || true
		OWN_POLICY=0
	fi
}

main() {
	# Arguments replace the list: `deps.sh wrk` (bench/run.sh) installs
	# extra tools only where they are used, not for every `make check`.
	[ $# -eq 0 ] || PKGS="$*"
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "deps.sh: not a Debian system (no dpkg-query); install by hand:" >&2
		echo "  $PKGS" >&2
		exit 1
	fi
	missing=$(missing_packages | tr '\n' ' ')
	[ -n "$missing" ] || exit 0
	pick_sudo "$missing"
	echo "deps.sh: installing $missing"
	trap 'policy_off' EXIT
	trap 'policy_off; exit 130' INT
	trap 'policy_off; exit 143' TERM
	policy_on
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086 # word splitting of the list is intended
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing
	policy_off
	still=$(missing_packages | tr '\n' ' ')
	if [ -n "$still" ]; then
		echo "deps.sh: still missing after install: $still" >&2
		exit 1
	fi
}

main "$@"
