/*
 * outbox.c - the outbox table and its sender (outbox.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "db.h"
#include "mail.h"
#include "outbox.h"
#include "template.h"
#include "waitlist.h"

/* Messages one pass sends at most: a pass always ends. */
#define PASS_MAX 500
/* Retries never wait longer than this. */
#define BACKOFF_MAX (6 * 3600)
/* A claim outlives the command's time limit by this margin. */
#define CLAIM_MARGIN 60
#define RECIPIENT_MAX 320

static const char SQL_ADD[] =
    "INSERT INTO outbox (kind, channel, recipient, locale, params, message_id, created_at,"
    " expires_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7)";
static const char SQL_DISCARD[] =
    "DELETE FROM outbox WHERE id = ?1";
static const char SQL_COUNT_RECENT[] =
    "SELECT count(*) FROM outbox WHERE recipient = ?1 AND kind = ?2 AND created_at > ?3";
static const char SQL_EXPIRE_PENDING[] =
    "UPDATE outbox SET status = 'dead', params = NULL, last_error = 'expired before delivery'"
    " WHERE params IS NOT NULL AND expires_at <= ?1 AND status = 'pending'";
static const char SQL_EXPIRE_REST[] =
    "UPDATE outbox SET params = NULL WHERE params IS NOT NULL AND expires_at <= ?1";
static const char SQL_NEXT_DUE[] =
    "SELECT id, kind, channel, recipient, locale, params, message_id, attempts"
    " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1"
    " ORDER BY next_attempt_at, id LIMIT 1";
static const char SQL_SENT_TO[] =
    "SELECT count(*), min(sent_at) FROM outbox WHERE recipient = ?1 AND sent_at > ?2";
static const char SQL_SET_NEXT[] =
    "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1";
static const char SQL_CLAIM[] =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1";
static const char SQL_SENT[] =
    "UPDATE outbox SET status = 'sent', sent_at = ?2, params = NULL, last_error = NULL"
    " WHERE id = ?1";
static const char SQL_RETRY_LATER[] =
    "UPDATE outbox SET next_attempt_at = ?2, last_error = ?3 WHERE id = ?1 AND status = 'pending'";
static const char SQL_DEAD[] =
    "UPDATE outbox SET status = 'dead', last_error = ?3, next_attempt_at = ?2 WHERE id = ?1";
static const char SQL_FORGET_OLD[] =
    "DELETE FROM outbox WHERE status IN ('sent', 'dead') AND created_at < ?1";
static const char SQL_LIST[] =
    "SELECT id, kind, channel, recipient, locale, status, attempts, created_at,"
    " next_attempt_at, sent_at, expires_at, last_error, message_id FROM outbox"
    " WHERE ?1 = 0 OR status = 'dead' OR (status = 'pending' AND attempts > 0)"
    " ORDER BY id DESC LIMIT ?2";
static const char SQL_RETRY_GET[] =
    "SELECT status, params IS NOT NULL, coalesce(expires_at, 0) FROM outbox WHERE id = ?1";
static const char SQL_RETRY_SET[] =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?2 WHERE id = ?1";

static const struct db_col list_cols[] = {
	{ "id", DB_INT }, { "kind", DB_TEXT }, { "channel", DB_TEXT }, { "recipient", DB_TEXT },
	{ "locale", DB_TEXT }, { "status", DB_TEXT }, { "attempts", DB_INT },
	{ "created_at", DB_INSTANT }, { "next_attempt_at", DB_INSTANT },
	{ "sent_at", DB_INSTANT }, { "expires_at", DB_INSTANT }, { "last_error", DB_TEXT },
	{ "message_id", DB_TEXT },
};

/* ---- recording ---------------------------------------------------------- */

/* Printable, no line breaks or other control characters, not empty. */
static int
plain_text(const char *s, size_t max)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++, n++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || n >= max)
			return 0;
	return 1;
}

static int
valid_msg(const struct outbox_msg *m)
{
	return m->kind != NULL && tpl_exists(m->kind) && m->channel != NULL &&
	    (strcmp(m->channel, OUTBOX_EMAIL) == 0 || strcmp(m->channel, OUTBOX_SMS) == 0) &&
	    plain_text(m->recipient, RECIPIENT_MAX) && plain_text(m->locale, 15) &&
	    (m->params == NULL || cJSON_IsObject(m->params));
}

static enum med_err
insert(struct med_ctx *ctx, const struct outbox_msg *m, const char *params,
    const char *message_id, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_ADD);
	enum med_err e;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, m->kind);
	db_bind_text(st, 2, m->channel);
	db_bind_text(st, 3, m->recipient);
	db_bind_text(st, 4, m->locale);
	db_bind_text(st, 5, params);
	db_bind_text(st, 6, message_id);
	db_bind_int(st, 7, med_now(ctx));
	if (m->expires_at != 0)
		db_bind_int(st, 8, m->expires_at);
	if ((e = db_step_done(st)) == MED_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(ctx->db);
	return e;
}

enum med_err
outbox_add(struct med_ctx *ctx, const struct outbox_msg *m, int64_t *id)
{
	char message_id[MAIL_MSGID_MAX], *params;
	enum med_err e;

	if (!db_in_tx(ctx) || !valid_msg(m))
		return MED_EINVAL;
	if ((e = mail_message_id(ctx->cfg.mail.from, message_id)) != MED_OK)
		return e;
	params = m->params != NULL ? cJSON_PrintUnformatted(m->params) : strdup("{}");
	if (params == NULL)
		return MED_ENOMEM;
	e = insert(ctx, m, params, message_id, id);
	/* The text may hold a token: leave no copy in freed memory. */
	OPENSSL_cleanse(params, strlen(params));
	free(params);
	return e;
}

static enum med_err
run_id(struct med_ctx *ctx, const char *sql, int64_t id, int64_t at, const char *text)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st == NULL)
		return MED_EDB;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, at);
	db_bind_text(st, 3, text);
	return db_step_done(st);
}

enum med_err
outbox_discard(struct med_ctx *ctx, int64_t id)
{
	return run_id(ctx, SQL_DISCARD, id, 0, NULL);
}

enum med_err
outbox_count_recent(struct med_ctx *ctx, const char *kind, const char *recipient,
    int64_t since, int *n)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_COUNT_RECENT);
	int rc;

	*n = 0;
	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, recipient);
	db_bind_text(st, 2, kind);
	db_bind_int(st, 3, since);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? MED_OK : db_err(rc);
}

/* ---- the sender ---------------------------------------------------------- */

int64_t
outbox_backoff(const struct med_mail_config *cfg, int attempts)
{
	int64_t d = cfg->retry_seconds;

	for (int i = 1; i < attempts && d < BACKOFF_MAX; i++)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

/* A claimed row, copied out of the statement. */
struct claimed {
	int64_t id;
	char kind[64], channel[8], recipient[RECIPIENT_MAX + 1], locale[16];
	char message_id[MAIL_MSGID_MAX];
	char *params;
	int attempts;
};

static void
claimed_free(struct claimed *c)
{
	if (c->params != NULL) {
		OPENSSL_cleanse(c->params, strlen(c->params));
		free(c->params);
		c->params = NULL;
	}
}

static void
report(const struct outbox_hooks *h, const struct claimed *c, const char *outcome,
    int64_t next, const char *error)
{
	struct outbox_event ev = { c->id, c->kind, outcome, c->attempts, next, error };

	if (h != NULL && h->report != NULL)
		h->report(h->arg, &ev);
}

static enum med_err
run_at(struct med_ctx *ctx, const char *sql, int64_t at)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st == NULL)
		return MED_EDB;
	db_bind_int(st, 1, at);
	return db_step_done(st);
}

/* Parameters of what could not be sent in time are of no use any more. */
static enum med_err
expire(struct med_ctx *ctx, struct outbox_stats *stats)
{
	int64_t now = med_now(ctx);
	enum med_err e;

	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = run_at(ctx, SQL_EXPIRE_PENDING, now)) == MED_OK) {
		stats->expired += db_changes(ctx);
		e = run_at(ctx, SQL_EXPIRE_REST, now);
	}
	if (e != MED_OK) {
		db_rollback(ctx);
		return e;
	}
	return db_commit(ctx);
}

/* Copy the row of SQL_NEXT_DUE into c. */
static enum med_err
copy_due(sqlite3_stmt *st, struct claimed *c)
{
	const unsigned char *params = sqlite3_column_text(st, 5);

	c->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, c->kind, sizeof c->kind);
	db_col_copy(st, 2, c->channel, sizeof c->channel);
	db_col_copy(st, 3, c->recipient, sizeof c->recipient);
	db_col_copy(st, 4, c->locale, sizeof c->locale);
	db_col_copy(st, 6, c->message_id, sizeof c->message_id);
	c->attempts = sqlite3_column_int(st, 7);
	c->params = strdup(params != NULL ? (const char *)params : "{}");
	return c->params != NULL ? MED_OK : MED_ENOMEM;
}

static enum med_err
next_due(struct med_ctx *ctx, struct claimed *c)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_NEXT_DUE);
	enum med_err e;
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_int(st, 1, med_now(ctx));
	rc = sqlite3_step(st);
	e = rc == SQLITE_ROW ? copy_due(st, c) : rc == SQLITE_DONE ? MED_ENOTFOUND : db_err(rc);
	sqlite3_reset(st);
	return e;
}

/*
 * When the recipient may get another message: 0 for now, else the
 * instant the oldest of the last hour's deliveries leaves the window.
 */
static enum med_err
recipient_free_at(struct med_ctx *ctx, const char *recipient, int64_t *at)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_SENT_TO);
	int64_t now = med_now(ctx);
	int rc;

	*at = 0;
	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, recipient);
	db_bind_int(st, 2, now - 3600);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_int(st, 0) >= ctx->cfg.mail.per_recipient_hour)
		*at = sqlite3_column_int64(st, 1) + 3600 + 1;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? MED_OK : db_err(rc);
}

/*
 * Inside one write transaction: take the next due message whose recipient
 * is under the hourly limit (the others are deferred on the way).
 */
static enum med_err
claim_in_tx(struct med_ctx *ctx, const struct outbox_hooks *h, struct outbox_stats *stats,
    struct claimed *c)
{
	int64_t free_at, now = med_now(ctx);
	enum med_err e;

	for (;;) {
		if ((e = next_due(ctx, c)) != MED_OK)
			return e;
		if ((e = recipient_free_at(ctx, c->recipient, &free_at)) != MED_OK)
			return e;
		if (free_at == 0)
			break;
		/* Later, not never: the row is due again once the window moves. */
		if ((e = run_id(ctx, SQL_SET_NEXT, c->id, free_at, NULL)) != MED_OK)
			return e;
		stats->deferred++;
		report(h, c, "deferred", free_at, "");
		claimed_free(c);
	}
	c->attempts++;
	return run_id(ctx, SQL_CLAIM, c->id,
	    now + ctx->cfg.mail.timeout_seconds + CLAIM_MARGIN, NULL);
}

static enum med_err
claim(struct med_ctx *ctx, const struct outbox_hooks *h, struct outbox_stats *stats,
    struct claimed *c)
{
	enum med_err e;

	memset(c, 0, sizeof *c);
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = claim_in_tx(ctx, h, stats, c)) == MED_OK)
		return db_commit(ctx);
	claimed_free(c);
	if (e == MED_ENOTFOUND)
		return db_commit(ctx) == MED_OK ? MED_ENOTFOUND : MED_EDB;
	db_rollback(ctx);
	return e;
}

/* Hand the claimed message to the mail command. */
static enum med_err
deliver(struct med_ctx *ctx, const struct claimed *c, char *err, size_t errsz, int *permanent)
{
	cJSON *params = cJSON_Parse(c->params);
	struct mail_msg m = { c->kind, c->channel, c->recipient, c->locale, c->message_id, params,
	    med_now(ctx) };
	enum med_err e;

	if (params == NULL || !cJSON_IsObject(params)) {
		cJSON_Delete(params);
		*permanent = 1;
		snprintf(err, errsz, "stored parameters are not a JSON object");
		return MED_EINVAL;
	}
	e = mail_send(&ctx->cfg.mail, &m, err, errsz, permanent);
	cJSON_Delete(params);
	return e;
}

/* Write down how the attempt went. */
static enum med_err
record(struct med_ctx *ctx, const struct outbox_hooks *h, struct outbox_stats *stats,
    const struct claimed *c, enum med_err sent, const char *err, int permanent)
{
	int64_t now = med_now(ctx), next;
	enum med_err e;

	if (sent == MED_OK) {
		if ((e = run_id(ctx, SQL_SENT, c->id, now, NULL)) == MED_OK) {
			stats->sent++;
			report(h, c, "sent", 0, "");
		}
		return e;
	}
	if (permanent || c->attempts >= ctx->cfg.mail.max_attempts) {
		if ((e = run_id(ctx, SQL_DEAD, c->id, now, err)) == MED_OK) {
			stats->dead++;
			report(h, c, "dead", 0, err);
		}
		return e;
	}
	next = now + outbox_backoff(&ctx->cfg.mail, c->attempts);
	if ((e = run_id(ctx, SQL_RETRY_LATER, c->id, next, err)) == MED_OK) {
		stats->retried++;
		report(h, c, "retry", next, err);
	}
	return e;
}

/* Claim, send and record one message; MED_ENOTFOUND when none is due. */
static enum med_err
send_one(struct med_ctx *ctx, const struct outbox_hooks *h, struct outbox_stats *stats)
{
	struct claimed c;
	char err[512];
	int permanent = 0;
	enum med_err e, sent;

	if ((e = claim(ctx, h, stats, &c)) != MED_OK)
		return e;
	sent = deliver(ctx, &c, err, sizeof err, &permanent);
	/* The database may be busy for a moment; the claim keeps the row ours meanwhile. */
	e = record(ctx, h, stats, &c, sent, err, permanent);
	claimed_free(&c);
	return e;
}

enum med_err
outbox_run(struct med_ctx *ctx, const struct outbox_hooks *hooks, struct outbox_stats *stats)
{
	struct outbox_stats local;
	enum med_err e;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	/* Holds that ran out pass to the next patient, whose offer this pass sends. */
	if ((e = waitlist_expire(ctx, NULL)) != MED_OK || (e = expire(ctx, stats)) != MED_OK)
		return e;
	for (int i = 0; i < PASS_MAX; i++) {
		if (hooks != NULL && hooks->stop != NULL && hooks->stop(hooks->arg))
			break;
		if ((e = send_one(ctx, hooks, stats)) != MED_OK)
			return e == MED_ENOTFOUND ? MED_OK : e;
	}
	return MED_OK;
}

enum med_err
outbox_forget_old(struct med_ctx *ctx, int64_t before, int *n)
{
	enum med_err e = run_at(ctx, SQL_FORGET_OLD, before);

	if (n != NULL)
		*n = e == MED_OK ? db_changes(ctx) : 0;
	return e;
}

/* ---- administration ------------------------------------------------------ */

static cJSON *
list_row(sqlite3_stmt *st)
{
	return db_row_json(st, list_cols, DB_NCOLS(list_cols));
}

enum med_err
outbox_list(struct med_ctx *ctx, int failed_only, int limit, cJSON **out)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_LIST);

	*out = NULL;
	if (st == NULL)
		return MED_EDB;
	db_bind_int(st, 1, failed_only != 0);
	db_bind_int(st, 2, limit);
	return db_rows_json(st, list_row, out);
}

/* Whether row id may be sent again, from its status, parameters and expiry. */
static enum med_err
retry_allowed(struct med_ctx *ctx, int64_t id)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_RETRY_GET);
	const unsigned char *status;
	enum med_err e;
	int64_t expires;
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_int(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? MED_ENOTFOUND : db_err(rc);
	}
	status = sqlite3_column_text(st, 0);
	expires = sqlite3_column_int64(st, 2);
	if (status == NULL)
		e = MED_ENOMEM;
	else if (strcmp((const char *)status, "sent") == 0)
		e = MED_ECONFLICT;
	else if (sqlite3_column_int(st, 1) == 0 || (expires != 0 && expires <= med_now(ctx)))
		e = MED_EEXPIRED;
	else
		e = MED_OK;
	sqlite3_reset(st);
	return e;
}

enum med_err
outbox_retry(struct med_ctx *ctx, int64_t id)
{
	enum med_err e;

	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = retry_allowed(ctx, id)) == MED_OK)
		e = run_id(ctx, SQL_RETRY_SET, id, med_now(ctx), NULL);
	if (e != MED_OK) {
		db_rollback(ctx);
		return e;
	}
	return db_commit(ctx);
}
