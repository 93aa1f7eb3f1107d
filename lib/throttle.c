/*
 * throttle.c - login throttling (the policy is in throttle.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "throttle.h"

/* Known addresses are forgotten after half a year without a login. */
#define KNOWN_SECONDS (183 * 86400)
/* The growing delay stops doubling here; the window caps it anyway. */
#define DELAY_MAX_DOUBLINGS 20

static const char SQL_PURGE[] =
    "DELETE FROM login_failures WHERE failed_at <= ?1";
static const char SQL_COUNT[] =
    "SELECT count(*), min(failed_at), max(failed_at) FROM login_failures"
    " WHERE key = ?1 AND failed_at > ?2";
static const char SQL_ADD[] =
    "INSERT INTO login_failures (key, failed_at) VALUES (?1, ?2)";
static const char SQL_CLEAR[] =
    "DELETE FROM login_failures WHERE key = ?1";
static const char SQL_CLEAR_PREFIX[] =
    "DELETE FROM login_failures WHERE key = ?1 OR substr(key, 1, length(?2)) = ?2";
static const char SQL_DROP_ROW[] =
    "DELETE FROM login_failures WHERE rowid = ?1";
static const char SQL_KNOWN[] =
    "SELECT 1 FROM login_known WHERE account = ?1 AND addr = ?2 AND seen_at > ?3";
static const char SQL_KNOW[] =
    "INSERT OR REPLACE INTO login_known (account, addr, seen_at) VALUES (?1, ?2, ?3)";
static const char SQL_FORGET_OLD[] =
    "DELETE FROM login_known WHERE seen_at <= ?1";

/* Failures of key in the window: how many, the oldest and the newest. */
struct tally {
	int n;
	int64_t oldest, newest;
};

static enum med_err
tally(struct med_ctx *ctx, const char *key, struct tally *t)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_COUNT);
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, key);
	db_bind_int(st, 2, med_now(ctx) - ctx->cfg.login_window_seconds);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t->n = sqlite3_column_int(st, 0);
		t->oldest = sqlite3_column_int64(st, 1);
		t->newest = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? MED_OK : db_err(rc);
}

static enum med_err
run_key(struct med_ctx *ctx, const char *sql, const char *key)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, key);
	return db_step_done(st);
}

static enum med_err
known_address(struct med_ctx *ctx, const struct login_attempt *a, int *known)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_KNOWN);
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, a->account);
	db_bind_text(st, 2, a->addr);
	db_bind_int(st, 3, med_now(ctx) - KNOWN_SECONDS);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*known = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

static int64_t
later(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Seconds until the attempt may go on, under the policy of throttle.h. */
static enum med_err
wait_for(struct med_ctx *ctx, const struct login_attempt *a, int64_t *wait)
{
	int64_t now = med_now(ctx), window = ctx->cfg.login_window_seconds;
	int max = ctx->cfg.login_max_failures, known;
	struct tally t;
	enum med_err e;

	*wait = 0;
	if ((e = tally(ctx, a->pair, &t)) != MED_OK)
		return e;
	if (t.n >= max)
		*wait = t.oldest + window - now;
	if ((e = known_address(ctx, a, &known)) != MED_OK || known)
		return e;
	if ((e = tally(ctx, a->addr, &t)) != MED_OK)
		return e;
	if (t.n >= 4 * max)
		*wait = later(*wait, t.oldest + window - now);
	if ((e = tally(ctx, a->account, &t)) != MED_OK)
		return e;
	if (t.n >= max) {
		int doublings = t.n - max < DELAY_MAX_DOUBLINGS ? t.n - max : DELAY_MAX_DOUBLINGS;
		int64_t delay = (int64_t)1 << doublings;
		*wait = later(*wait, t.newest + (delay < window ? delay : window) - now);
	}
	return MED_OK;
}

static enum med_err
add_failure(struct med_ctx *ctx, const char *key, int64_t *row)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_ADD);
	enum med_err e;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, key);
	db_bind_int(st, 2, med_now(ctx));
	if ((e = db_step_done(st)) == MED_OK && row != NULL)
		*row = sqlite3_last_insert_rowid(ctx->db);
	return e;
}

static void
attempt_keys(const char *email, const char *remote_addr, struct login_attempt *a)
{
	char lower[256];
	size_t i;

	for (i = 0; email[i] != '\0' && i < sizeof lower - 1; i++)
		lower[i] = (char)tolower((unsigned char)email[i]);
	lower[i] = '\0';
	if (remote_addr == NULL)
		remote_addr = "-";
	snprintf(a->account, sizeof a->account, "account:%s", lower);
	snprintf(a->addr, sizeof a->addr, "addr:%.120s", remote_addr);
	snprintf(a->pair, sizeof a->pair, "pair:%s|%.120s", lower, remote_addr);
	a->addr_row = 0;
}

enum med_err
throttle_claim(struct med_ctx *ctx, const char *email, const char *remote_addr,
    struct login_attempt *a, int64_t *wait)
{
	sqlite3_stmt *st;
	enum med_err e;

	attempt_keys(email, remote_addr, a);
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_PURGE)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_int(st, 1, med_now(ctx) - ctx->cfg.login_window_seconds);
	if ((e = db_step_done(st)) != MED_OK || (e = wait_for(ctx, a, wait)) != MED_OK)
		goto fail;
	if (*wait <= 0) {
		*wait = 0;
		if ((e = add_failure(ctx, a->pair, NULL)) != MED_OK ||
		    (e = add_failure(ctx, a->account, NULL)) != MED_OK ||
		    (e = add_failure(ctx, a->addr, &a->addr_row)) != MED_OK)
			goto fail;
	}
	return db_commit(ctx);
fail:
	db_rollback(ctx);
	return e;
}

enum med_err
throttle_success(struct med_ctx *ctx, const struct login_attempt *a)
{
	int64_t now = med_now(ctx);
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = run_key(ctx, SQL_CLEAR, a->pair)) != MED_OK ||
	    (e = run_key(ctx, SQL_CLEAR, a->account)) != MED_OK)
		goto fail;
	if ((st = db_stmt(ctx, SQL_DROP_ROW)) == NULL)
		goto fail_db;
	db_bind_int(st, 1, a->addr_row);
	if ((e = db_step_done(st)) != MED_OK)
		goto fail;
	if ((st = db_stmt(ctx, SQL_FORGET_OLD)) == NULL)
		goto fail_db;
	db_bind_int(st, 1, now - KNOWN_SECONDS);
	if ((e = db_step_done(st)) != MED_OK)
		goto fail;
	if ((st = db_stmt(ctx, SQL_KNOW)) == NULL)
		goto fail_db;
	db_bind_text(st, 1, a->account);
	db_bind_text(st, 2, a->addr);
	db_bind_int(st, 3, now);
	if ((e = db_step_done(st)) != MED_OK)
		goto fail;
	return db_commit(ctx);
fail_db:
	e = MED_EDB;
fail:
	db_rollback(ctx);
	return e;
}

enum med_err
throttle_unlock(struct med_ctx *ctx, const char *email)
{
	struct login_attempt a;
	char pair_prefix[sizeof a.account];
	sqlite3_stmt *st;

	attempt_keys(email, NULL, &a);
	snprintf(pair_prefix, sizeof pair_prefix, "pair:%.255s|", a.account + strlen("account:"));
	if ((st = db_stmt(ctx, SQL_CLEAR_PREFIX)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, a.account);
	db_bind_text(st, 2, pair_prefix);
	return db_step_done(st);
}
