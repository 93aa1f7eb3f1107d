#!/bin/sh
# run.sh - the body of `make run`: start the whole stack on this machine
# (nginx + spawn-fcgi workers on 127.0.0.1) and return once it answers, so
# the next command can curl it.  `make stop` (run.sh stop) stops it.
#
# Environment: PORT (default 8080), WORKERS (default 2 per CPU), PUBLIC_URL
# (default http://127.0.0.1:PORT),
# MED_DATA_DIR (default var, relative to the current directory).  The
# first run creates MED_DATA_DIR/clinic.db with the demo data; later runs
# keep it.  nginx listens on 127.0.0.1 only.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
STACK=$ROOT/scripts/stack.sh
PORT=${PORT:-8080}
CPUS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
WORKERS=${WORKERS:-$((2 * CPUS))}
DATA=${MED_DATA_DIR:-var}
case $DATA in
/*) ;;
*) DATA=$(pwd)/$DATA ;;
esac
# Links in mails, calendar feed URLs and FHIR links name the site people
# reach: here, this machine's stack.
PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:$PORT}
export WORKERS PUBLIC_URL

die() {
	echo "run.sh: $*" >&2
	exit 1
}

# First run: schema and demo data.  A failed init leaves no half-made
# database behind, so the next run tries again.
init_database() {
	[ ! -f "$DATA/clinic.db" ] || return 0
	echo "run.sh: creating $DATA/clinic.db with the demo data"
	if ! "$BUILD/medadm" --db "$DATA/clinic.db" init ||
	    ! "$BUILD/medadm" --db "$DATA/clinic.db" seed; then
		rm -f "$DATA/clinic.db" "$DATA/clinic.db-wal" "$DATA/clinic.db-shm"
		die "could not create the database"
	fi
}

banner() {
	if [ -n "${MAIL_COMMAND:-}" ]; then
		MAIL_NOTE="sent by the outbox sender with MAIL_COMMAND ($MAIL_COMMAND)"
	elif [ -n "${RESET_MAIL_COMMAND:-}" ]; then
		MAIL_NOTE="reset mails through RESET_MAIL_COMMAND (deprecated: use MAIL_COMMAND)"
	else
		MAIL_NOTE="not sent: the outbox sender writes each mail to $DATA/mail/"
	fi
	cat <<EOF

  Clinic app:  http://127.0.0.1:$PORT/   (the web app: French, English, Arabic)
  Clinic API:  http://127.0.0.1:$PORT/api/v1   (try /api/v1/health)
  API docs:    http://127.0.0.1:$PORT/docs   (Swagger UI; ReDoc at /redoc)
  Data:        $DATA   (logs in $DATA/log)
  Workers:     $WORKERS
  Mail:        $MAIL_NOTE

  Demo accounts, all with the password Algeria123!  (demo only: never
  keep these accounts on a real system)
    admin@example.dz             ADMIN
    reception@example.dz         STAFF (front desk)
    amina.benali@example.dz      PATIENT
    sofiane.rahmani@example.dz   PATIENT
    sara.bouzid@example.dz       PATIENT
    hakim.cheriet@example.dz     PATIENT
    samir.bensalah@example.dz    DOCTOR, Cardiologie, Oran
    nadia.khellaf@example.dz     DOCTOR, Dermatologie, Alger
    yacine.chekkal@example.dz    DOCTOR, Pédiatrie, Constantine
    lila.hamdani@example.dz      DOCTOR, Gynécologie, Blida
    mourad.aitali@example.dz     DOCTOR, ORL, Tizi Ouzou

  Stop with: make stop
EOF
}

main() {
	if [ "${1:-}" = stop ]; then
		sh "$STACK" stop "$DATA"
		echo "run.sh: stopped"
		return 0
	fi
	[ -x "$BUILD/medfcgi" ] && [ -x "$BUILD/medadm" ] || die "build first: make all"
	mkdir -p "$DATA/run" "$DATA/log"
	if sh "$STACK" status "$DATA" 2>/dev/null; then
		echo "run.sh: already running on http://127.0.0.1:$(cat "$DATA/port" 2>/dev/null || echo "$PORT")/api/v1 (make stop first to restart)"
		return 0
	fi
	init_database
	# Workers refuse a database of another schema version: bring an older
	# one forward first (a no-op when current).
	"$BUILD/medadm" --db "$DATA/clinic.db" migrate >/dev/null || die "migration failed"
	sh "$STACK" up "$DATA" "$BUILD" "$PORT"
	banner
}

main "$@"
