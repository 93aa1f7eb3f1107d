/*
 * notifications.c - in-app notifications (notifications.h) and their
 * routes: GET /notifications, POST /notifications/{id}/read and
 * POST /notifications/read-all, each on the caller's own rows only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "notifications.h"
#include "template.h"
#include "util.h"

static const char SQL_ADD[] =
    "INSERT INTO notifications (id, user_id, kind, title, body, appointment_id, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/* s cut to at most max bytes, never inside a UTF-8 character (malloc'd). */
static char *
cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return strndup(s, n);
}

enum med_err
notification_add(struct med_ctx *ctx, const char *user_id, const char *kind, const char *title,
    const char *body, const char *appointment_id)
{
	char id[MED_UUID_LEN + 1], *t, *b;
	sqlite3_stmt *st;
	enum med_err e;

	if (!db_in_tx(ctx))
		return MED_EINVAL;
	if ((e = util_uuid4(id)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_ADD)) == NULL)
		return MED_EDB;
	t = cut(title, NOTIFICATION_TITLE_MAX);
	b = cut(body, NOTIFICATION_BODY_MAX);
	if (t == NULL || b == NULL) {
		free(t);
		free(b);
		return MED_ENOMEM;
	}
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, user_id);
	db_bind_text(st, 3, kind);
	db_bind_text(st, 4, t);
	db_bind_text(st, 5, b);
	db_bind_text(st, 6, appointment_id);
	db_bind_int(st, 7, med_now(ctx));
	e = db_step_done(st);
	free(t);
	free(b);
	return e;
}

/* ---- routes ------------------------------------------------------------- */

#define NOTIFICATION_COLUMNS "id, kind, title, body, appointment_id, created_at, read_at"

/* ?4: NULL all, 1 unread only, 0 read only. */
static const char SQL_LIST[] =
    "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE user_id = ?1"
    " AND (?4 IS NULL OR (?4 = 1 AND read_at IS NULL) OR (?4 = 0 AND read_at IS NOT NULL))"
    " ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3";
/* The caller's own row only: another user's id is as unknown as a made-up one. */
static const char SQL_READ_ONE[] =
    "UPDATE notifications SET read_at = coalesce(read_at, ?3) WHERE id = ?1 AND user_id = ?2";
static const char SQL_GET[] =
    "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE id = ?1";
static const char SQL_READ_ALL[] =
    "UPDATE notifications SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL";

static const struct db_col notification_cols[] = {
	{ "id", DB_TEXT }, { "kind", DB_TEXT }, { "title", DB_TEXT }, { "body", DB_TEXT },
	{ "appointment_id", DB_TEXT }, { "created_at", DB_INSTANT }, { "read_at", DB_INSTANT },
};

static cJSON *
notification_row(sqlite3_stmt *st)
{
	return db_row_json(st, notification_cols, DB_NCOLS(notification_cols));
}

SPEC(notifications_query,
	{ "unread", FT_BOOL, 0 },
	FLD_PAGING,
);

int
h_notifications_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct fval *unread = med_qarg(req, "unread");
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	med_paging(req, &skip, &limit);
	if ((st = db_stmt(ctx, SQL_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, req->user.id);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, skip);
	if (fval_set(unread))
		db_bind_int(st, 4, unread->b);
	if ((e = db_rows_raw(st, notification_cols, DB_NCOLS(notification_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

int
h_notification_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "notification_id");
	sqlite3_stmt *st;
	cJSON *out;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_READ_ONE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, req->user.id);
	db_bind_int(st, 3, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	if (db_changes(ctx) == 0)
		return med_error(resp, 404, "Notification not found");
	if ((e = db_load_one(ctx, SQL_GET, id, notification_row, &out)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, out);
}

int
h_notifications_read_all(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	sqlite3_stmt *st;
	cJSON *out;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_READ_ALL)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, req->user.id);
	db_bind_int(st, 2, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	if ((out = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(out, "marked", db_changes(ctx)) == NULL) {
		cJSON_Delete(out);
		return med_fail(resp, MED_ENOMEM);
	}
	return med_ok(resp, out);
}

enum med_err
notification_of_message(struct med_ctx *ctx, const char *user_id, const char *kind,
    const char *locale, const cJSON *params, const char *appointment_id)
{
	char note[64], *subject, *body, *unused = NULL, *line = NULL;
	enum med_err e;

	if ((size_t)snprintf(note, sizeof note, "%s" NOTIFICATION_NOTE_SUFFIX, kind) >= sizeof note)
		return MED_EINVAL;
	if ((e = tpl_render(kind, locale, params, &subject, &body)) != MED_OK)
		return e;
	free(body);
	if ((e = tpl_render(note, locale, params, &unused, &line)) == MED_OK) {
		/* The summary is the template's one line, whatever a value holds. */
		line[strcspn(line, "\r\n")] = '\0';
		e = notification_add(ctx, user_id, kind, subject, line, appointment_id);
	}
	free(subject);
	free(unused);
	free(line);
	return e;
}
