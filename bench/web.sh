#!/bin/sh
# web.sh BUILD_DIR - `make bench-web`: the web app's budgets in headless
# Chromium (bench/web.mjs) on a busy week, written to bench/WEB.md.
#
# 1. A stack of its own (scripts/stack.sh start on a temporary directory:
#    a fresh database with the demo seed), stopped again so the week can be
#    written straight into its database: five more doctors (ten in all),
#    1,000 patients, and 400 visits for each doctor in the seven days from
#    tomorrow (10-minute visits from 07:00, UTC), with one SQL statement per
#    table (recursive CTEs: under a second), then brought up again.
# 2. bench/web.mjs measures, median of 5: the front desk's week view
#    (#/desk/week) from navigation to every visit rendered, and the booking
#    page's first load with an empty cache (bytes, load + slots shown).
#
# Needs node, npm and chromium, found and installed as t/web-test.sh does
# (tools/web/node_modules, `npm ci` on first use).  CLINIC_TZ is UTC.
set -eu

[ $# -eq 1 ] || { echo "usage: web.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
STACK=$ROOT/scripts/stack.sh
CLINIC_TZ=UTC
export CLINIC_TZ
unset MED_DB MED_DATA_DIR

die() {
	echo "web.sh: $*" >&2
	exit 1
}

for c in node npm chromium sqlite3; do
	command -v "$c" >/dev/null 2>&1 || die "$c missing (make web-test installs node, npm and chromium)"
done
[ -x "$BUILD/medfcgi" ] || die "no $BUILD/medfcgi: make all first"
sh "$ROOT/scripts/web-vendor.sh" --check
if [ ! -d "$ROOT/tools/web/node_modules/puppeteer-core" ]; then
	(cd "$ROOT/tools/web" && npm ci --ignore-scripts --no-audit --no-fund --silent) ||
	    die "npm ci in tools/web failed"
fi

TMP=$(mktemp -d)
DIR=$TMP/stack
cleanup() {
	sh "$STACK" stop "$DIR" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

sh "$STACK" start "$DIR" "$BUILD" >/dev/null
sh "$STACK" stop "$DIR" >/dev/null

# Ids shaped as the API's (UUID v4), numbered: 5a.. users of the new
# doctors, 5b.. those doctors, 7a.. users of the patients, 7b.. patients,
# 6b.. visits.  The password of every account is the seed's.
WEEK=$(date -u -d tomorrow +%F)
T0=$(date -u -d "$WEEK" +%s)
sqlite3 "$DIR/clinic.db" <<EOF
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE hash AS SELECT password_hash AS h FROM users WHERE email = 'admin@example.dz';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)
INSERT INTO users (id, email, password_hash, role_id, is_active, is_superuser, token_version, created_at, updated_at)
SELECT printf('5a000000-0000-4000-8000-%012d', i), printf('bench.doctor%d@example.dz', i),
       (SELECT h FROM hash), 2, 1, 0, 0, unixepoch(), unixepoch() FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)
INSERT INTO doctors (id, user_id, first_name, last_name, first_name_key, last_name_key, city, city_key,
    country, created_at, updated_at)
SELECT printf('5b000000-0000-4000-8000-%012d', i), printf('5a000000-0000-4000-8000-%012d', i),
       'Docteur', printf('Banc%d', i), 'docteur', printf('banc%d', i), 'Alger', 'alger', 'Algérie',
       unixepoch(), unixepoch() FROM n;
INSERT INTO doctor_specialties (doctor_id, specialty_id)
SELECT id, 6 FROM doctors WHERE id LIKE '5b000000-%';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO users (id, email, password_hash, role_id, is_active, is_superuser, token_version, created_at, updated_at)
SELECT printf('7a000000-0000-4000-8000-%012d', i), printf('bench.patient%d@example.dz', i),
       (SELECT h FROM hash), 3, 1, 0, 0, unixepoch(), unixepoch() FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO patients (id, user_id, first_name, last_name, phone, created_at, updated_at)
SELECT printf('7b000000-0000-4000-8000-%012d', i), printf('7a000000-0000-4000-8000-%012d', i),
       'Patient', printf('Banc%d', i), printf('+21355%07d', i), unixepoch(), unixepoch() FROM n;
-- Visit k of a doctor: day k / 58 of the week, the (k % 58)th 10-minute
-- slot from 07:00; the patients taken in turn across the clinic.
CREATE TEMP TABLE docs AS SELECT row_number() OVER (ORDER BY id) - 1 AS d, id FROM doctors;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 399)
INSERT INTO appointments (id, doctor_id, patient_id, start_time, end_time, reason, status, created_at, updated_at)
SELECT printf('6b000000-0000-4000-8000-%012d', docs.d * 1000 + k.i), docs.id,
       printf('7b000000-0000-4000-8000-%012d', 1 + (docs.d * 400 + k.i) % 1000),
       $T0 + (k.i / 58) * 86400 + 7 * 3600 + (k.i % 58) * 600,
       $T0 + (k.i / 58) * 86400 + 7 * 3600 + (k.i % 58) * 600 + 600,
       'Consultation', 'SCHEDULED', unixepoch(), unixepoch()
FROM docs, k;
COMMIT;
SELECT 'web.sh: seeded ' || (SELECT count(*) FROM doctors) || ' doctors, ' ||
       (SELECT count(*) FROM appointments WHERE start_time >= $T0 AND start_time < $T0 + 7 * 86400) ||
       ' visits in the week of $WEEK';
EOF

# Up again on a free port (bind is the only race-free test).
up=0
for _try in 1 2 3 4 5 6; do
	PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -cd '0-9') % 40000))
	if sh "$STACK" up "$DIR" "$BUILD" "$PORT" >"$TMP/up.log" 2>&1; then
		up=1
		break
	fi
	sh "$STACK" stop "$DIR" >/dev/null 2>&1 || true
done
[ "$up" = 1 ] || { cat "$TMP/up.log" >&2; die "the stack would not start"; }

BASE_URL=http://127.0.0.1:$PORT WEEK=$WEEK OUT=$ROOT/bench/WEB.md WORK=$TMP \
    CHROMIUM=$(command -v chromium) timeout 900 node "$ROOT/bench/web.mjs"
cat "$ROOT/bench/WEB.md"
