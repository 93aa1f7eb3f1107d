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
