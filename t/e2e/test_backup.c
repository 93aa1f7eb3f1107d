/*
 * test_backup.c - medadm against the running stack (env MEDADM, and the
 * stack's database $MED_DATA_DIR/clinic.db): a backup taken while HTTP
 * writers keep committing holds every write acknowledged before it
 * started and passes integrity_check; restore refuses the live database;
 * check reports it in use; rotate-secret is picked up by every worker.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "e2ekit.h"
#include "httpc.h"
#include "proc.h"
#include "testreg.h"

#define PW "Algeria123!"
#define WRITERS 4
#define WARMUP_ACKS 10      /* per writer, before the backup starts */
#define MAX_ARGS 12

static char out[1 << 16];
static char err[1 << 14];

/* Shared with the writer processes. */
struct load {
	volatile int stop;
	volatile long acked[WRITERS];   /* last n whose PATCH answered 200 */
	volatile long failed[WRITERS];  /* any other answer */
};

/* medadm --db <stack db> ARGS...; stdout in out[], stderr in err[]; exit status. */
static int
medadm(const char *arg, ...)
{
	const char *bin = getenv("MEDADM");
	char *argv[MAX_ARGS + 4], db[1024], opath[1100], epath[1100];
	va_list ap;
	int n = 0;

	ck_assert_msg(bin != NULL, "MEDADM is not set");
	snprintf(db, sizeof db, "%s/clinic.db", e2e_data_dir());
	snprintf(opath, sizeof opath, "%s/log/e2e-medadm.%ld.out", e2e_data_dir(), (long)getpid());
	snprintf(epath, sizeof epath, "%s/log/e2e-medadm.%ld.err", e2e_data_dir(), (long)getpid());
	argv[n++] = (char *)bin;
	argv[n++] = "--db";
	argv[n++] = db;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < MAX_ARGS; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return proc_run(argv, NULL, opath, epath, out, sizeof out, err, sizeof err);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Register a fresh account; returns a malloc'd access token. */
static char *
fresh_account(const char *email)
{
	struct http_result r;
	char body[256], *token;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(api("POST", "/api/v1/auth/register", NULL, body, &r), 200);
	token = strdup(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "data"),
	    "access_token")->valuestring);
	http_result_free(&r);
	return token;
}

/* Writer w's n-th email; tag: the test process, so runs never collide. */
static void
writer_email(char *buf, size_t size, long tag, int w, long n)
{
	snprintf(buf, size, "e2e.bk.%ld.w%d.n%ld@example.dz", tag, w, n);
}

/* A writer process: PATCH its own email to a new value, one after the other. */
static void
writer(struct load *ld, long tag, int w, const char *token)
{
	char email[128], body[192];

	for (long n = 1; !ld->stop; n++) {
		struct http_result r;
		int status;

		writer_email(email, sizeof email, tag, w, n);
		snprintf(body, sizeof body, "{\"email\":\"%s\"}", email);
		status = api("PATCH", "/api/v1/users/me", token, body, &r);
		http_result_free(&r);
		if (status == 200)
			__atomic_store_n(&ld->acked[w], n, __ATOMIC_SEQ_CST);
		else
			__atomic_add_fetch(&ld->failed[w], 1, __ATOMIC_SEQ_CST);
	}
	_exit(0);
}

/* The writer's email number in the users table of the copy, or -1. */
static long
email_number(sqlite3 *db, const char *prefix)
{
	sqlite3_stmt *st;
	long n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT email FROM users WHERE substr(email, 1, ?2) = ?1",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)strlen(prefix));
	if (sqlite3_step(st) == SQLITE_ROW)
		sscanf((const char *)sqlite3_column_text(st, 0) + strlen(prefix), "%ld", &n);
	ck_assert_int_ne(sqlite3_step(st), SQLITE_ROW); /* exactly one such user */
	sqlite3_finalize(st);
	return n;
}

#define BULK_ROWS 60000     /* ~30 MB: the copy takes many steps */

/*
 * Grow (or, with n = 0, shrink back) the stack's database with rows
 * nobody reads: login failures under keys no login ever uses.
 */
static void
bulk(long tag, int n)
{
	char db_path[1100], key[64];
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(db_path, sizeof db_path, "%s/clinic.db", e2e_data_dir());
	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	snprintf(key, sizeof key, "e2e-bulk-%ld-%%", tag);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "DELETE FROM login_failures WHERE key LIKE ?1",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO login_failures (key, failed_at)"
	    " VALUES (printf('e2e-bulk-%d-%d-%.400c', ?1, ?2, 'x'), 0)", -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, tag);
		sqlite3_bind_int(st, 2, i);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

START_TEST(backup_under_write_load)
{
	struct load *ld;
	pid_t pids[WRITERS];
	long before[WRITERS], total_before = 0, total_after = 0, failed = 0;
	char file[1100], prefix[96];
	long tag = (long)getpid();
	int64_t t0, t1;
	sqlite3 *db;
	sqlite3_stmt *st;
	cJSON *j;

	bulk(tag, BULK_ROWS);
	ld = mmap(NULL, sizeof *ld, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ld, MAP_FAILED);
	memset(ld, 0, sizeof *ld);
	for (int w = 0; w < WRITERS; w++) {
		char email[128];
		char *token;
		writer_email(email, sizeof email, tag, w, 0);
		token = fresh_account(email);
		fflush(NULL);
		ck_assert_int_ge(pids[w] = fork(), 0);
		if (pids[w] == 0)
			writer(ld, tag, w, token);
		free(token);
	}
	/* Let every writer get going (no sleep: wait on their acknowledgements). */
	for (int w = 0; w < WRITERS; w++) {
		int64_t deadline = now_ms() + 60000;
		while (__atomic_load_n(&ld->acked[w], __ATOMIC_SEQ_CST) < WARMUP_ACKS) {
			ck_assert_msg(now_ms() < deadline, "writer %d made no progress", w);
			ck_assert_int_eq(waitpid(pids[w], NULL, WNOHANG), 0);
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL); /* poll the condition */
		}
	}
	/* What was acknowledged before the backup starts must be in the copy. */
	for (int w = 0; w < WRITERS; w++)
		total_before += before[w] = __atomic_load_n(&ld->acked[w], __ATOMIC_SEQ_CST);
	snprintf(file, sizeof file, "%s/e2e-backup.%ld.db", e2e_data_dir(), (long)getpid());
	unlink(file);
	t0 = now_ms();
	ck_assert_msg(medadm("--json", "backup", file, NULL) == 0, "backup failed: %s", err);
	t1 = now_ms();
	for (int w = 0; w < WRITERS; w++)
		total_after += __atomic_load_n(&ld->acked[w], __ATOMIC_SEQ_CST);
	ld->stop = 1;
	for (int w = 0; w < WRITERS; w++) {
		int status;
		ck_assert_int_eq(waitpid(pids[w], &status, 0), pids[w]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		failed += ld->failed[w];
	}
	ck_assert_int_eq(failed, 0);
	/* The writers kept being served while the copy was taken. */
	ck_assert_int_gt(total_after, total_before);

	j = cJSON_Parse(out);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "integrity")->valuestring, "ok");
	ck_assert_int_gt(cJSON_GetObjectItem(j, "steps")->valueint, 4); /* really stepped */
	fprintf(stderr, "backup under load: %.0f bytes, %.0f pages in %.0f steps, %.0f ms in medadm"
	    " (%lld ms wall); %ld writes acknowledged during it by %d writers (%ld before)\n",
	    cJSON_GetObjectItem(j, "bytes")->valuedouble, cJSON_GetObjectItem(j, "pages")->valuedouble,
	    cJSON_GetObjectItem(j, "steps")->valuedouble,
	    cJSON_GetObjectItem(j, "elapsed_ms")->valuedouble, (long long)(t1 - t0),
	    total_after - total_before, WRITERS, total_before);
	cJSON_Delete(j);

	/* The copy, on its own: integrity_check, and every acknowledged write. */
	ck_assert_int_eq(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	for (int w = 0; w < WRITERS; w++) {
		long n;
		snprintf(prefix, sizeof prefix, "e2e.bk.%ld.w%d.n", tag, w);
		n = email_number(db, prefix);
		ck_assert_msg(n >= before[w], "writer %d: copy has write %ld, %ld was acknowledged"
		    " before the backup", w, n, before[w]);
	}
	sqlite3_close(db);
	unlink(file);
	munmap(ld, sizeof *ld);
	bulk(tag, 0);
}
END_TEST

START_TEST(restore_refuses_running_stack)
{
	char file[1100];
	cJSON *j;

	/* check: healthy, and it sees the workers holding the database. */
	ck_assert_msg(medadm("--json", "check", NULL) == 0, "check: %s%s", out, err);
	j = cJSON_Parse(out);
	ck_assert_ptr_nonnull(j);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "in_use")));
	cJSON_Delete(j);
	snprintf(file, sizeof file, "%s/e2e-restore.%ld.db", e2e_data_dir(), (long)getpid());
	unlink(file);
	ck_assert_int_eq(medadm("backup", file, NULL), 0);
	ck_assert_int_eq(medadm("restore", file, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "is open in process"));
	unlink(file);
	/* Still serving. */
	{
		struct http_result r;
		ck_assert_int_eq(api("GET", "/api/v1/health", NULL, NULL, &r), 200);
		http_result_free(&r);
	}
}
END_TEST

static int
me_status(const char *token)
{
	struct http_result r;
	int status = api("GET", "/api/v1/users/me", token, NULL, &r);

	http_result_free(&r);
	return status;
}

static char *
login(const char *email)
{
	struct http_result r;
	char body[256], *token;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(api("POST", "/api/v1/auth/login", NULL, body, &r), 200);
	token = strdup(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "data"),
	    "access_token")->valuestring);
	http_result_free(&r);
	return token;
}

/* Requests go to whichever worker accepts first: ask enough times to meet them all. */
#define ROUNDS 40

START_TEST(rotate_secret_reaches_every_worker)
{
	char email[128], *old, *fresh;

	snprintf(email, sizeof email, "e2e.rotate.%ld@example.dz", (long)getpid());
	old = fresh_account(email);
	for (int i = 0; i < ROUNDS; i++)
		ck_assert_int_eq(me_status(old), 200);
	ck_assert_msg(medadm("rotate-secret", NULL) == 0, "rotate-secret: %s", err);
	for (int i = 0; i < ROUNDS; i++)
		ck_assert_int_eq(me_status(old), 401);
	fresh = login(email);
	for (int i = 0; i < ROUNDS; i++)
		ck_assert_int_eq(me_status(fresh), 200);
	free(old);
	free(fresh);
}
END_TEST

static Suite *
e2e_backup_suite(void)
{
	Suite *s = suite_create("e2e_backup");
	TCase *tc = tcase_create("backup");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, backup_under_write_load);
	tcase_add_test(tc, restore_refuses_running_stack);
	tcase_add_test(tc, rotate_secret_reaches_every_worker);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(e2e_backup_suite)
