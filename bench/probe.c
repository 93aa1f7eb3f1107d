/*
 * probe.c - two small measurements of the benchmark that wrk cannot make:
 *
 *   probe spawn WORKER DATA_DIR [RUNS]
 *       Time from fork+exec of a FastCGI worker pool (WORKER -w 1, the
 *       listening socket on fd 0, MED_DATA_DIR=DATA_DIR, as spawn-fcgi
 *       starts it) to the first complete answer to GET /api/v1/health,
 *       spoken directly in FastCGI on the socket.  Prints the median and
 *       the worst of RUNS (default 5) in milliseconds.
 *
 *   probe fsync DIR [SECONDS]
 *       The raw SQLite commit rate on the same disk: single-row INSERT
 *       transactions (BEGIN IMMEDIATE; INSERT; COMMIT) in a fresh WAL
 *       database with synchronous=FULL, the worker's settings, for
 *       SECONDS (default 3).  Prints transactions per second.
 *
 *   probe kdf [N]
 *       Milliseconds per password verification with the library's scrypt
 *       parameters (N runs, default 5): the cost that bounds POST /login.
 *
 *   probe plans DB
 *       EXPLAIN QUERY PLAN of the hot scheduling statements (booking and
 *       slot checks, with services' buffers, time off and holidays) on
 *       the data set DB, read-only: "plan_<name> <detail>" lines, and exit
 *       1 when one of them scans a whole table instead of an index.
 *
 * Output is "key value" lines for bench/run.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "appointments.h"
#include "availability.h"
#include "closures.h"
#include "pwhash.h"

#define MAX_RUNS 50

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- spawn ------------------------------------------------------------- */

/* One FastCGI record header (version 1, request id 1) plus content. */
static size_t
record(unsigned char *buf, int type, const unsigned char *content, size_t len)
{
	buf[0] = 1;
	buf[1] = (unsigned char)type;
	buf[2] = 0;
	buf[3] = 1;
	buf[4] = (unsigned char)(len >> 8);
	buf[5] = (unsigned char)len;
	buf[6] = 0;
	buf[7] = 0;
	if (len > 0)
		memcpy(buf + 8, content, len);
	return 8 + len;
}

/* Append a short name-value pair (both under 128 bytes). */
static size_t
pair(unsigned char *buf, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);

	buf[0] = (unsigned char)n;
	buf[1] = (unsigned char)v;
	memcpy(buf + 2, name, n);
	memcpy(buf + 2 + n, value, v);
	return 2 + n + v;
}

/* The whole request: BEGIN_REQUEST, PARAMS, empty PARAMS, empty STDIN. */
static size_t
health_request(unsigned char *buf)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 }; /* RESPONDER */
	unsigned char params[512];
	size_t p = 0, n = 0;

	p += pair(params + p, "REQUEST_METHOD", "GET");
	p += pair(params + p, "DOCUMENT_URI", "/api/v1/health");
	p += pair(params + p, "REQUEST_URI", "/api/v1/health");
	p += pair(params + p, "QUERY_STRING", "");
	p += pair(params + p, "SERVER_PROTOCOL", "HTTP/1.1");
	p += pair(params + p, "REMOTE_ADDR", "127.0.0.1");
	p += pair(params + p, "GATEWAY_INTERFACE", "CGI/1.1");
	n += record(buf + n, 1, begin, sizeof begin);
	n += record(buf + n, 4, params, p);
	n += record(buf + n, 4, NULL, 0);
	n += record(buf + n, 5, NULL, 0);
	return n;
}

/* Read records until END_REQUEST; 0 when the answer said "200". */
static int
read_answer(int fd)
{
	unsigned char hdr[8], body[65536 + 256];
	int ok = 0;

	for (;;) {
		size_t len, got = 0;
		ssize_t r;
		for (got = 0; got < 8; got += (size_t)r)
			if ((r = read(fd, hdr + got, 8 - got)) <= 0)
				return -1;
		len = ((size_t)hdr[4] << 8 | hdr[5]) + hdr[6];
		for (got = 0; got < len; got += (size_t)r)
			if ((r = read(fd, body + got, len - got)) <= 0)
				return -1;
		if (hdr[1] == 6 && len >= 11 && memcmp(body, "Status: 200", 11) == 0)
			ok = 1;
		if (hdr[1] == 3)
			return ok ? 0 : -1;
	}
}

/* One spawn: ms from fork to a complete 200, or < 0 on failure. */
static double
spawn_once(const char *worker, const char *dir)
{
	char sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un sa;
	unsigned char req[1024];
	size_t reqlen = health_request(req);
	int lfd, cfd, st;
	double t0, ms = -1;
	pid_t pid;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	/* Short and private to this run: sun_path holds 108 bytes, DATA_DIR may be longer. */
	if ((size_t)snprintf(sockpath, sizeof sockpath, "/tmp/medprobe.%ld.sock", (long)getpid()) >=
	    sizeof sockpath)
		return -1;
	memcpy(sa.sun_path, sockpath, sizeof sockpath);
	unlink(sockpath);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 16) != 0) {
		close(lfd);
		return -1;
	}
	t0 = now_ms();
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);
		if (dup2(lfd, 0) < 0 || null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		setenv("MED_DATA_DIR", dir, 1);
		unsetenv("MED_DB");
		execl(worker, worker, "-w", "1", (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		/* The connection is queued by the kernel until the worker accepts. */
		if ((cfd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
			if (connect(cfd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
			    write(cfd, req, reqlen) == (ssize_t)reqlen && read_answer(cfd) == 0)
				ms = now_ms() - t0;
			close(cfd);
		}
		kill(pid, SIGTERM);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	close(lfd);
	unlink(sockpath);
	return ms;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmd_spawn(const char *worker, const char *dir, int runs)
{
	double ms[MAX_RUNS];

	for (int i = 0; i < runs; i++)
		if ((ms[i] = spawn_once(worker, dir)) < 0) {
			fprintf(stderr, "probe: %s did not answer\n", worker);
			return 1;
		}
	qsort(ms, (size_t)runs, sizeof ms[0], cmp_double);
	printf("spawn_ms_median %.1f\nspawn_ms_max %.1f\n", ms[runs / 2], ms[runs - 1]);
	return 0;
}

/* ---- fsync ------------------------------------------------------------- */

static int
cmd_fsync(const char *dir, double seconds)
{
	char path[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	long n = 0;
	double t0, t;
	int rc = 1;

	if ((size_t)snprintf(path, sizeof path, "%s/fsync-probe.db", dir) >= sizeof path)
		return 1;
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    " CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?1)", -1, &ins, NULL) != SQLITE_OK)
		goto out;
	t0 = now_ms();
	do {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(ins, 1, "a row about the size of a booking", -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE || sqlite3_reset(ins) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto out;
		n++;
		t = now_ms() - t0;
	} while (t < seconds * 1000);
	printf("fsync_tx_per_s %.0f\nfsync_tx %ld\n", (double)n * 1000 / t, n);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "probe: %s\n", db != NULL ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_finalize(ins);
	sqlite3_close(db);
	unlink(path);
	strncat(path, "-wal", sizeof path - strlen(path) - 1);
	unlink(path);
	path[strlen(path) - 4] = '\0';
	strncat(path, "-shm", sizeof path - strlen(path) - 1);
	unlink(path);
	return rc;
}

/* ---- kdf --------------------------------------------------------------- */

static int
cmd_kdf(int runs)
{
	char stored[PWHASH_MAX];
	double t0;

	if (pwhash_hash("Algeria123!", stored) != MED_OK)
		return 1;
	t0 = now_ms();
	for (int i = 0; i < runs; i++)
		if (pwhash_verify("Algeria123!", stored) != MED_OK)
			return 1;
	printf("kdf_ms %.1f\nkdf_params ln=%d,r=%d,p=%d\n", (now_ms() - t0) / runs,
	    pwhash_default.ln, pwhash_default.r, pwhash_default.p);
	return 0;
}

/* The statements every booking and every slot list runs. */
static const struct {
	const char *name, *sql;
} hot[] = {
	{ "doctor_overlap", appt_sql_doctor_overlap },
	{ "patient_overlap", appt_sql_patient_overlap },
	{ "window", appt_sql_window },
	{ "slots_busy", avail_sql_busy },
	{ "time_off", closure_sql_time_off },
	{ "holidays", closure_sql_holidays },
};

static int
cmd_plans(const char *path)
{
	sqlite3 *db;
	int bad = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 1;
	for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++) {
		char eqp[2048], plan[1024] = "";
		sqlite3_stmt *st;

		snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", hot[i].sql);
		if (sqlite3_prepare_v2(db, eqp, -1, &st, NULL) != SQLITE_OK) {
			fprintf(stderr, "probe: %s: %s\n", hot[i].name, sqlite3_errmsg(db));
			bad = 1;
			continue;
		}
		while (sqlite3_step(st) == SQLITE_ROW) {
			size_t used = strlen(plan);
			snprintf(plan + used, sizeof plan - used, "%s%s", used ? "; " : "",
			    (const char *)sqlite3_column_text(st, 3));
		}
		sqlite3_finalize(st);
		/* A SCAN without an index walks the whole table. */
		if (strstr(plan, "SCAN ") != NULL && strstr(plan, "INDEX") == NULL)
			bad = 1;
		printf("plan_%s %s\n", hot[i].name, plan);
	}
	sqlite3_close(db);
	return bad;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && argc <= 5 && strcmp(argv[1], "spawn") == 0) {
		int runs = argc == 5 ? atoi(argv[4]) : 5;
		if (runs < 1 || runs > MAX_RUNS)
			runs = 5;
		return cmd_spawn(argv[2], argv[3], runs);
	}
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "fsync") == 0)
		return cmd_fsync(argv[2], argc == 4 ? atof(argv[3]) : 3.0);
	if (argc == 3 && strcmp(argv[1], "plans") == 0)
		return cmd_plans(argv[2]);
	if (argc >= 2 && argc <= 3 && strcmp(argv[1], "kdf") == 0)
		return cmd_kdf(argc == 3 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 5);
	fprintf(stderr, "usage: probe spawn WORKER DATA_DIR [RUNS] | probe fsync DIR [SECONDS]"
	    " | probe kdf [N] | probe plans DB\n");
	return 2;
}
