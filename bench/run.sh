#!/bin/sh
# run.sh BUILD_DIR - `make bench`: the clinic API on years of data,
# measured with wrk against the ceilings of its own architecture, written to
# bench/RESULTS.md.
#
# 1. Data: build/bench/gen fills a fresh database (see bench/gen.c).  The
#    result is cached in BUILD_DIR/bench/cache/<key>, key = checksum of the
#    generator, schema.sql and seed.sql, and regenerated when older than 6
#    days (the data is placed relative to the day it was made).  Each run
#    works on a copy, since the run books appointments and writes audit rows.
# 2. Probes: spawn-to-first-answer of a worker pool, the raw SQLite commit
#    rate on this disk, the cost of one password verification (bench/probe.c).
# 3. wrk, 2 threads, 32 connections, BENCH_SECONDS (default 10) per run:
#    R1 nginx alone (a static JSON location added to the nginx template),
#    R2 the hello-world FastCGI pool (bench/hello.c) behind that same
#    configuration, then the API routes on the real stack, then RSS.
#    Every run reports p50, p99 and p99.9 (bench/tail.lua).
# 4. Payload-matched ceilings: for each size a GET route answered, the
#    hello pool answering an envelope of that size (C) and nginx sending
#    a file of that size (S); each list GET is judged against its own C.
# 5. The WAL's size, sampled every second while the API stack runs.
#
# Environment: BENCH_SECONDS, WORKERS (pool size, default 2 per CPU, as
# medfcgi), BENCH_KEEP=1 keeps the work directory.  CLINIC_TZ is UTC.
set -eu

[ $# -eq 1 ] || { echo "usage: run.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
STACK=$ROOT/scripts/stack.sh
SECS=${BENCH_SECONDS:-10}
THREADS=2
CONNS=32
NCPU=$(getconf _NPROCESSORS_ONLN)
WORKERS=${WORKERS:-$((NCPU * 2))}
# The password-hashing pool of scripts/stack.sh: KDF_WORKERS, else one per two CPUs.
KDF_POOL=${KDF_WORKERS:-$((NCPU / 2))}
[ "$KDF_POOL" -ge 1 ] || KDF_POOL=1
CLINIC_TZ=UTC
export WORKERS CLINIC_TZ
# Where the wrk scripts find bench/tail.lua (the 99.9th percentile).
BENCH_LUA=$ROOT/bench
export BENCH_LUA
unset MED_DB MED_DATA_DIR

SAMIR_DOCTOR=4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001
PASSWORD='Algeria123!'

sh "$ROOT/scripts/deps.sh" wrk

for b in medfcgi bench/gen bench/probe bench/hello/medfcgi; do
	[ -x "$BUILD/$b" ] || { echo "run.sh: no $BUILD/$b (make bench builds it)" >&2; exit 1; }
done

# --- the data ---------------------------------------------------------------

KEY=$(cat "$ROOT/bench/gen.c" "$ROOT/schema.sql" "$ROOT/seed.sql" | sha256sum | cut -c1-16)
CACHE=$BUILD/bench/cache/$KEY
if [ -f "$CACHE/clinic.db" ] && [ -n "$(find "$CACHE/clinic.db" -mtime +5)" ]; then
	echo "run.sh: cached data set is older than 6 days; regenerating"
	rm -rf "$CACHE"
fi
if [ ! -f "$CACHE/gen.log" ]; then
	rm -rf "$BUILD/bench/cache"
	mkdir -p "$CACHE.tmp"
	echo "run.sh: generating the data set (bench/gen.c) into $CACHE"
	"$BUILD/bench/gen" "$CACHE.tmp" | tee "$CACHE.tmp/gen.log"
	mv "$CACHE.tmp" "$CACHE"
fi
GEN_SECONDS=$(sed -n 's/^gen: total \([0-9.]*\) s$/\1/p' "$CACHE/gen.log")

WORK=$BUILD/bench/work
STOPPED=0
stop_all() {
	[ "$STOPPED" -eq 0 ] || return 0
	STOPPED=1
	sh "$STACK" stop "$WORK/hello" >/dev/null 2>&1 || true
	sh "$STACK" stop "$WORK/api" >/dev/null 2>&1 || true
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap 'stop_all' EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM HUP

rm -rf "$WORK"
mkdir -p "$WORK/api" "$WORK/hello"
cp "$CACHE/clinic.db" "$WORK/api/clinic.db"
cp -r "$CACHE/secrets" "$WORK/api/secrets"
# The seed's holidays are dated from the day the data was made; the
# booking runs book days ahead and must not meet a closed day.
"$BUILD/medadm" --db "$WORK/api/clinic.db" holiday list | while read -r _date _rest; do
	"$BUILD/medadm" --db "$WORK/api/clinic.db" holiday remove "$_date"
done
: > "$WORK/hello/clinic.db"
DB_BYTES=$(stat -c %s "$WORK/api/clinic.db")

# The nginx template plus R1: a fixed JSON body straight from nginx
# (scripts/stack.sh renders it with development values).
sed '/^[[:space:]]*location \/api\/v1\/ {/i\
		location = /bench/static {\
			default_type application/json;\
			return 200 '"'"'{"success":true,"data":{"status":"ok"},"message":null}'"'"';\
		}\
		location /bench/files/ {\
			alias '"$WORK"'/files/;\
			default_type application/json;\
		}\
' "$ROOT/deploy/nginx.conf.in" > "$WORK/nginx-bench.conf.in"
grep -q 'location = /bench/static' "$WORK/nginx-bench.conf.in" ||
    { echo "run.sh: could not add the R1 location to the nginx template" >&2; exit 1; }
MED_NGINX_TEMPLATE=$WORK/nginx-bench.conf.in
export MED_NGINX_TEMPLATE

# Bring a stack up on a free port (bind is the only race-free test).
stack_up() {
	for _try in 1 2 3 4 5 6; do
		PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -cd '0-9') % 40000))
		if sh "$STACK" up "$1" "$2" "$PORT" >"$WORK/stack.log" 2>&1; then
			BASE=http://127.0.0.1:$PORT
			return 0
		fi
		sh "$STACK" stop "$1" >/dev/null 2>&1 || true
	done
	cat "$WORK/stack.log" >&2
	echo "run.sh: the stack in $1 would not start" >&2
	exit 1
}

# --- probes -----------------------------------------------------------------

echo "run.sh: probes"
eval "$("$BUILD/bench/probe" spawn "$BUILD/medfcgi" "$WORK/api" 7 | tr ' ' '=')"
SPAWN_API_MS=$spawn_ms_median SPAWN_API_MAX=$spawn_ms_max
eval "$("$BUILD/bench/probe" spawn "$BUILD/bench/hello/medfcgi" "$WORK/hello" 7 | tr ' ' '=')"
SPAWN_HELLO_MS=$spawn_ms_median
eval "$("$BUILD/bench/probe" fsync "$WORK" 3 | tr ' ' '=')"
eval "$("$BUILD/bench/probe" kdf 3 | tr ' ' '=')"
# The hot scheduling statements on the data set itself: no full scan.
"$BUILD/bench/probe" plans "$WORK/api/clinic.db" > "$WORK/plans.txt" ||
    { cat "$WORK/plans.txt" >&2; echo "run.sh: a hot statement scans a table" >&2; exit 1; }

# --- wrk ----------------------------------------------------------------------

RESULTS=$WORK/results.txt
: > "$RESULTS"

# A wrk latency figure ("812.00us", "1.23ms", "2.01s") in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000
		else if (v ~ /ms$/) n += 0
		else if (v ~ /m$/) n *= 60000
		else if (v ~ /s$/) n *= 1000
		printf "%.2f", n }'
}

# run NAME SECONDS URL [wrk options...]: one wrk run, one line in $RESULTS:
# name|rps|p50_ms|p99_ms|p99.9_ms|non2xx|socket errors|bytes of one answer
# (GET runs only: the size their payload-matched ceiling is measured at).
run() {
	_name=$1 _secs=$2 _url=$3
	shift 3
	echo "run.sh: $_name"
	# One file per run: two runs may go at once (the login storm).
	_out=$WORK/wrk-$(printf '%s' "$_name" | tr -c 'A-Za-z0-9' '_').out
	_bytes=""
	case $_name in
	"GET "*) _bytes=$(curl -s -o /dev/null -w '%{size_download}' "$@" "$_url") ;;
	esac
	case " $* " in
	*" -s "*) ;;
	*) set -- -s "$ROOT/bench/tail.lua" "$@" ;;
	esac
	wrk -t"$THREADS" -c"$CONNS" -d"${_secs}s" --timeout 30s --latency "$@" "$_url" \
	    > "$_out" 2>&1 || { cat "$_out" >&2; exit 1; }
	cat "$_out" >> "$WORK/wrk.all"
	quiesce "$STACK_DIR"
	_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$_out")
	_p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$_out")")
	_p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$_out")")
	_bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$_out")
	_err=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$_out")
	_p999=$(awk '$1 == "p999_us" { printf "%.2f", $2 / 1000 }' "$_out")
	echo "$_name|${_rps:-0}|$_p50|$_p99|${_p999:-?}|${_bad:-0}|${_err:-0}|$_bytes" >> "$RESULTS"
}

# Log in with curl; print the access token.
login() {
	curl -sf -H 'Content-Type: application/json' \
	    -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" |
	    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

worker_pids() {
	_master=$(tr -cd '0-9' < "$1/run/spawn.pid")
	for _f in /proc/[0-9]*/stat; do
		{ read -r _line < "$_f"; } 2>/dev/null || continue
		_rest=${_line##*) }
		set -- $_rest
		if [ "$2" = "$_master" ]; then
			_p=${_f#/proc/}
			echo "${_p%/stat}"
		fi
	done
}

# CPU time (clock ticks, user + system) of stack $1's nginx processes so far.
nginx_cpu_ticks() {
	_master=$(tr -cd '0-9' < "$1/run/nginx.pid")
	_ticks=0
	for _f in /proc/[0-9]*/stat; do
		{ read -r _line < "$_f"; } 2>/dev/null || continue
		_rest=${_line##*) }
		set -- $_rest
		if [ "$2" = "$_master" ] || [ "${_f#/proc/}" = "$_master/stat" ]; then
			_ticks=$((_ticks + ${12} + ${13}))
		fi
	done
	echo "$_ticks"
}

# Wait (bounded) until the workers of stack $1 have finished what an
# earlier run left queued (wrk stops; queued FastCGI requests do not):
# the access log must stop growing for half a second.
quiesce() {
	_i=0 _last=-1
	while [ "$_i" -lt 240 ]; do
		_now=$(stat -c %s "$1/log/access.log" 2>/dev/null || echo 0)
		[ "$_now" != "$_last" ] || return 0
		_last=$_now
		_i=$((_i + 1))
		sleep 0.5
	done
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

STACK_DIR=$WORK/hello
stack_up "$WORK/hello" "$BUILD/bench/hello"
run R1 "$SECS" "$BASE/bench/static"
run R2 "$SECS" "$BASE/api/v1/health"
sh "$STACK" stop "$WORK/hello" >/dev/null

STACK_DIR=$WORK/api
stack_up "$WORK/api" "$BUILD"
# The WAL's size every second while the API runs; the largest is kept.
echo 0 > "$WORK/wal.max"
(
	_max=0
	while [ -d "$WORK" ] && [ ! -e "$WORK/wal.stop" ]; do
		_s=$(stat -c %s "$WORK/api/clinic.db-wal" 2>/dev/null || echo 0)
		if [ "$_s" -gt "$_max" ]; then
			_max=$_s
			echo "$_max" > "$WORK/wal.max"
		fi
		sleep 1
	done
) &
WAL_SAMPLER=$!
AMINA=$(login amina.benali@example.dz)
SAMIR=$(login samir.bensalah@example.dz)
BOOKER=$(login bench.patient@example.dz)
[ -n "$AMINA" ] && [ -n "$SAMIR" ] && [ -n "$BOOKER" ] ||
    { echo "run.sh: login failed" >&2; exit 1; }
BOOK_DOCTOR=$(curl -sf "$BASE/api/v1/doctors?name=Booking" |
    sed -n 's/^{"success":true,"data":\[{"id":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$BOOK_DOCTOR" ] || { echo "run.sh: no booking doctor in the data set" >&2; exit 1; }
API=$BASE/api/v1

run "GET /doctors" "$SECS" "$API/doctors"
run "GET /doctors?specialty&city" "$SECS" "$API/doctors?specialty=Cardiologie&city=Oran"
run "GET /doctors/{id}/availability/slots?days=14" "$SECS" \
    "$API/doctors/$SAMIR_DOCTOR/availability/slots?days=14"
SAMIR_SERVICE=$(curl -sf "$BASE/api/v1/doctors/$SAMIR_DOCTOR/services" |
    sed -n 's/^{"success":true,"data":\[{"id":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$SAMIR_SERVICE" ] || { echo "run.sh: no service of Samir's in the data set" >&2; exit 1; }
run "GET /doctors/{id}/availability/slots?days=14&service_id" "$SECS" \
    "$API/doctors/$SAMIR_DOCTOR/availability/slots?days=14&service_id=$SAMIR_SERVICE"
run "GET /users/me" "$SECS" "$API/users/me" -H "Authorization: Bearer $AMINA"
run "GET /doctors/{id}" "$SECS" "$API/doctors/$SAMIR_DOCTOR"
AMINA_APPT=$(curl -sf -H "Authorization: Bearer $AMINA" "$API/appointments/me?limit=1" |
    sed -n 's/^{"success":true,"data":\[{"id":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$AMINA_APPT" ] || { echo "run.sh: Amina has no appointment in the data set" >&2; exit 1; }
run "GET /appointments/{id}" "$SECS" "$API/appointments/$AMINA_APPT" \
    -H "Authorization: Bearer $AMINA"
run "GET /appointments/me" "$SECS" "$API/appointments/me" -H "Authorization: Bearer $AMINA"
# The same page with and without gzip (nginx, level 1): bytes on the wire,
# and nginx's CPU time per thousand answers, from /proc, around each run.
_t0=$(nginx_cpu_ticks "$WORK/api")
run "GET /appointments/doctor/me" "$SECS" "$API/appointments/doctor/me" \
    -H "Authorization: Bearer $SAMIR"
_t1=$(nginx_cpu_ticks "$WORK/api")
run "GET /appointments/doctor/me (gzip)" "$SECS" "$API/appointments/doctor/me" \
    -H "Authorization: Bearer $SAMIR" -H "Accept-Encoding: gzip"
_t2=$(nginx_cpu_ticks "$WORK/api")
GZ_PLAIN_TICKS=$((_t1 - _t0)) GZ_TICKS=$((_t2 - _t1))
run "GET /medical-records/doctor/me" "$SECS" "$API/medical-records/doctor/me" \
    -H "Authorization: Bearer $SAMIR"
# FHIR (docs/FHIR.md): Slot search for one doctor over the default 14 days,
# the same slots as the route above, as a searchset of up to 200.
run "GET /fhir/r4/Slot?schedule (14 days)" "$SECS" \
    "$BASE/fhir/r4/Slot?schedule=Schedule/$SAMIR_DOCTOR&status=free&_count=200"
# The $bulk-publish Slot file for every doctor: too big for a wrk run of
# its own; FHIR_PUBLISH_RUNS sequential fetches, the median, its size.
# Its resources and a few of each other type from this data set are
# checked against the FHIR R4 schema when make fhir-deps has installed it.
FHIR_DIR=$WORK/fhir
mkdir -p "$FHIR_DIR"
: > "$WORK/publish.ms"
for _i in 1 2 3 4 5; do
	curl -sf -o "$FHIR_DIR/Slot.ndjson" -w '%{time_total}\n' \
	    "$BASE/fhir/r4/\$bulk-publish/Slot.ndjson" >> "$WORK/publish.ms"
done
PUBLISH_MS=$(sort -n "$WORK/publish.ms" | awk '{ v[NR] = $1 * 1000 } END { printf "%.0f", v[int((NR + 1) / 2)] }')
PUBLISH_BYTES=$(stat -c %s "$FHIR_DIR/Slot.ndjson")
PUBLISH_LINES=$(wc -l < "$FHIR_DIR/Slot.ndjson")
curl -sf -o "$FHIR_DIR/Schedule.ndjson" "$BASE/fhir/r4/\$bulk-publish/Schedule.ndjson"
curl -sf -o "$FHIR_DIR/practitioners.json" "$BASE/fhir/r4/Practitioner?_count=200"
curl -sf -o "$FHIR_DIR/roles.json" "$BASE/fhir/r4/PractitionerRole?_count=200"
curl -sf -o "$FHIR_DIR/services.json" "$BASE/fhir/r4/HealthcareService?_count=200"
curl -sf -o "$FHIR_DIR/patients.json" -H "Authorization: Bearer $SAMIR" \
    "$BASE/fhir/r4/Patient?_count=200"
curl -sf -o "$FHIR_DIR/appointments.json" -H "Authorization: Bearer $SAMIR" \
    "$BASE/fhir/r4/Appointment?_count=200"
FHIR_VALID="not run (make fhir-deps installs the validator)"
if [ -d "$ROOT/t/fhir/node_modules" ] && command -v node >/dev/null 2>&1; then
	if node "$ROOT/t/fhir/validate.js" "$FHIR_DIR" > "$WORK/fhir-validate.out" 2>&1; then
		FHIR_VALID=$(tail -n 1 "$WORK/fhir-validate.out")
	else
		FHIR_VALID="FAILED: $(tail -n 1 "$WORK/fhir-validate.out")"
	fi
fi
# Ten days from today's midnight (UTC): all future, well clear of "now".
BOOK_BASE=$(( ($(date +%s) / 86400 + 10) * 86400 ))
BOOK_THREADS=$THREADS
export BOOK_DOCTOR BOOK_BASE BOOK_THREADS
run "POST /appointments" "$SECS" "$API/appointments" -s "$ROOT/bench/book.lua" \
    -H "Authorization: Bearer $BOOKER"
# A hundred days ahead: clear of the single bookings above.
SERIES_BASE=$(( ($(date +%s) / 86400 + 100) * 86400 ))
export SERIES_BASE
run "POST /appointments/series" "$SECS" "$API/appointments/series" -s "$ROOT/bench/series.lua" \
    -H "Authorization: Bearer $BOOKER"
# A login storm, KDF-bound by design (a few logins a second at most: twice
# the time), and GET /users/me at the same time: the password-hashing
# routes have their own worker pool (deploy/nginx.conf.in), so the storm
# must not stall the rest of the API.
run "POST /auth/login" "$((SECS * 2))" "$API/auth/login" -s "$ROOT/bench/login.lua" &
STORM=$!
run "GET /users/me during the login storm" "$SECS" "$API/users/me" \
    -H "Authorization: Bearer $AMINA"
wait "$STORM" || { echo "run.sh: the login storm failed" >&2; exit 1; }

# RSS once the load is over (quiesced), and the peak (VmHWM) during it.
RSS_KB=0 HWM_KB=0
RSS_PIDS=""
for p in $(worker_pids "$WORK/api"); do
	kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
	RSS_PIDS="$RSS_PIDS $kb"
	[ "${kb:-0}" -le "$RSS_KB" ] || RSS_KB=$kb
	[ "${hwm:-0}" -le "$HWM_KB" ] || HWM_KB=$hwm
done
DB_AFTER=$(stat -c %s "$WORK/api/clinic.db")
WAL_BYTES=$(stat -c %s "$WORK/api/clinic.db-wal" 2>/dev/null || echo 0)
touch "$WORK/wal.stop"
wait "$WAL_SAMPLER" || true
WAL_MAX=$(cat "$WORK/wal.max")
sh "$STACK" stop "$WORK/api" >/dev/null

# --- payload-matched ceilings -------------------------------------------------
# For every size a GET above answered: C, the hello pool answering an
# envelope of exactly that size (bench/hello.c, bytes=N), and S, nginx
# sending a file of that size.  A list GET is judged against the C of its size.
mkdir -p "$WORK/files"
SIZES=$(awk -F'|' '$8 != "" { print $8 }' "$RESULTS" | sort -un)
STACK_DIR=$WORK/hello
stack_up "$WORK/hello" "$BUILD/bench/hello"
for _n in $SIZES; do
	head -c "$_n" /dev/zero | tr '\0' 'x' > "$WORK/files/$_n.json"
	_got=$(curl -s -o /dev/null -w '%{size_download}' "$BASE/api/v1/health?bytes=$_n")
	[ "$_got" = "$_n" ] || { echo "run.sh: the hello pool answered $_got bytes, not $_n" >&2; exit 1; }
	run "C $_n" "$SECS" "$BASE/api/v1/health?bytes=$_n"
	run "S $_n" "$SECS" "$BASE/bench/files/$_n.json"
done
sh "$STACK" stop "$WORK/hello" >/dev/null
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- RESULTS.md ---------------------------------------------------------------

R2_RPS=$(awk -F'|' '$1 == "R2" { print $2 }' "$RESULTS")
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
OUT=$ROOT/bench/RESULTS.md
{
	echo "# Benchmark results"
	echo
	echo "Written by \`make bench\` (bench/run.sh); do not edit by hand.  What is measured"
	echo "and why: the comments of bench/run.sh, bench/gen.c, bench/probe.c."
	echo
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- Machine: $CPU, $NCPU CPUs, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
	echo "- Load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
	echo "- wrk $THREADS threads, $CONNS connections, ${SECS} s per run (login $((SECS * 2)) s), --latency;"
	echo "  $WORKERS FastCGI workers (spawn-fcgi + master) and $KDF_POOL password-hashing worker(s) at nice 10"
	echo "  behind nginx (deploy/nginx.conf.in, development values)"
	echo "- Data set: 206 doctors, 50,005 patients, 1,000,000 appointments over 5 years,"
	echo "  200,000 medical records, 300,000 billing entries; generated in ${GEN_SECONDS:-?} s;"
	echo "  database $(awk -v b="$DB_BYTES" 'BEGIN { printf "%.0f MiB", b / 1048576 }') before the run"
	echo
	echo "× C: against the payload-matched FastCGI ceiling of the same size (C rows)."
	echo "Targets (Performance II): list GETs ≥ 0.6 × C with p99 < 10 ms; single"
	echo "objects ≥ 0.6 × R2; POST /appointments p99 < 25 ms and ≥ 0.5 × the raw"
	echo "SQLite commit rate."
	echo
	echo "| Run | req/s | p50 ms | p99 ms | p99.9 ms | bytes | × R2 | × C | non-2xx | target |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	while IFS='|' read -r label rps p50 p99 p999 bad err bytes; do
		ratio=$(awk -v a="$rps" -v b="$R2_RPS" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		ceil=$(awk -F'|' -v n="C $bytes" '$1 == n { print $2 }' "$RESULTS")
		own=$(awk -v a="$rps" -v b="${ceil:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		case $label in
		R1) label="R1 nginx alone, fixed JSON"; target="ceiling" ;;
		R2) label="R2 hello-world FastCGI pool"; target="ceiling" ;;
		"C "*) label="C FastCGI ceiling, ${label#C } bytes"; target="ceiling"; own="-" ;;
		"S "*) label="S nginx static file, ${label#S } bytes"; target="ceiling"; own="-" ;;
		*"(gzip)") target="compression: see below" ;;
		"GET /users/me during the login storm") target=$(awk -v p="$p99" -v b="$((bad + err))" 'BEGIN {
			miss = ""
			if (p >= 20) miss = miss sprintf(" p99 %.1f× the 20 ms;", p / 20)
			if (b > 0) miss = miss " errors;"
			print miss == "" ? "met (p99 < 20 ms)" : "MISSED:" miss }') ;;
		"GET /users/me"|"GET /doctors/{id}"|"GET /appointments/{id}")
			target=$(awk -v r="$ratio" -v p="$p99" -v b="$((bad + err))" 'BEGIN {
			miss = ""
			if (r < 0.6) miss = miss sprintf(" %.0f%% under 0.6 × R2;", (0.6 - r) / 0.6 * 100)
			if (p >= 10) miss = miss sprintf(" p99 %.1f× the 10 ms;", p / 10)
			if (b > 0) miss = miss " errors;"
			print miss == "" ? "met" : "MISSED:" miss }') ;;
		"GET "*) target=$(awk -v r="$own" -v p="$p99" -v b="$((bad + err))" 'BEGIN {
			miss = ""
			if (r < 0.6) miss = miss sprintf(" %.0f%% under 0.6 × C;", (0.6 - r) / 0.6 * 100)
			if (p >= 10) miss = miss sprintf(" p99 %.1f× the 10 ms;", p / 10)
			if (b > 0) miss = miss " errors;"
			print miss == "" ? "met" : "MISSED:" miss }') ;;
		"POST /auth/login") target=$(awk -v r="$rps" -v k="$kdf_ms" -v n="$KDF_POOL" 'BEGIN {
			printf "KDF ceiling %.1f/s (%d hashing worker(s) / %.0f ms per scrypt %s)", n * 1000 / k, n, k, "'"$kdf_params"'" }') ;;
		"POST /appointments") target=$(awk -v r="$rps" -v p="$p99" -v f="$fsync_tx_per_s" 'BEGIN {
			miss = ""
			if (p >= 25) miss = miss sprintf(" p99 %.1f× the 25 ms;", p / 25)
			if (r < 0.5 * f) miss = miss sprintf(" %.2f × the raw commit rate, not 0.5;", r / f)
			print miss == "" ? "met" : "MISSED:" miss }') ;;
		"POST /appointments/series") target="4 visits a commit: raw SQLite $fsync_tx_per_s commits/s" ;;
		*) target="" ;;
		esac
		echo "| $label | $rps | $p50 | $p99 | $p999 | ${bytes:--} | $ratio | $own | $((bad + err)) | $target |"
	done < "$RESULTS"
	echo
	echo "- Raw SQLite commit rate on this disk (WAL, synchronous=FULL, one-row"
	echo "  INSERT per transaction): $fsync_tx_per_s transactions/s."
	echo "- Password verification: $kdf_ms ms per scrypt ($kdf_params), one CPU."
	echo "- Spawn to first answer (fork+exec of a pool of one, GET /health over"
	echo "  FastCGI): medfcgi ${SPAWN_API_MS} ms median (worst ${SPAWN_API_MAX} ms), hello ${SPAWN_HELLO_MS} ms."
	echo "- Worker RSS after the load: max $((RSS_KB / 1024)) MiB (VmRSS kB of each worker:$RSS_PIDS);"
	echo "  target < 16 MiB: $( [ "$RSS_KB" -lt 16384 ] && echo met || echo MISSED ).  Peak during the load"
	echo "  (VmHWM) $((HWM_KB / 1024)) MiB: a login's scrypt needs 128·r·N = 32 MiB while it runs, by design."
	echo "- Query plans of the booking and slot checks on this data set (bench/probe.c plans):"
	sed 's/^plan_\([a-z_]*\) /  - \1: /' "$WORK/plans.txt"
	echo "- FHIR \$bulk-publish Slot.ndjson, every doctor's free slots over 14 days,"
	echo "  served by a worker: ${PUBLISH_MS} ms median of 5 fetches, $PUBLISH_LINES slots,"
	echo "  $(awk -v b="$PUBLISH_BYTES" 'BEGIN { printf "%.1f MiB", b / 1048576 }') (Cache-Control: max-age=300)."
	echo "- FHIR resources of this data set against the R4 JSON schema: $FHIR_VALID."
	echo "- Database after the run: $(awk -v b="$DB_AFTER" 'BEGIN { printf "%.0f MiB", b / 1048576 }') file, WAL $((WAL_BYTES / 1024)) KiB."
	awk -F'|' -v hz="$(getconf CLK_TCK)" -v secs="$SECS" -v tp="$GZ_PLAIN_TICKS" -v tg="$GZ_TICKS" '
		$1 == "GET /appointments/doctor/me" { pr = $2; pb = $8 }
		$1 == "GET /appointments/doctor/me (gzip)" { gr = $2; gb = $8 }
		END {
			if (pr > 0 && gr > 0 && pb > 0) {
				printf "- gzip (level 1) on GET /appointments/doctor/me: %d bytes -> %d (%.0f%% saved);\n", pb, gb, (pb - gb) * 100 / pb
				printf "  nginx CPU per 1,000 answers %.1f ms plain, %.1f ms gzip; req/s %.2f x plain.\n",
				    tp * 1000 / hz / (pr * secs) * 1000, tg * 1000 / hz / (gr * secs) * 1000, gr / pr
			}
		}' "$RESULTS"
	echo "- WAL sampled every second while the API stack ran: largest"
	echo "  $(awk -v b="$WAL_MAX" 'BEGIN { printf "%.1f MiB", b / 1048576 }'); target < 64 MiB: $( [ "$WAL_MAX" -lt 67108864 ] && echo met || echo MISSED )."
	if [ -f "$ROOT/bench/NOTES.md" ]; then
		echo
		cat "$ROOT/bench/NOTES.md"
	fi
} > "$OUT"
cat "$OUT"
