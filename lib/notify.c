/*
 * notify.c - the messages about visits (notify.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "ics.h"
#include "notifications.h"
#include "notify.h"
#include "outbox.h"
#include "settings.h"
#include "template.h"
#include "util.h"

#define KIND_BOOKED "appointment_booked"
#define KIND_MOVED "appointment_moved"
#define KIND_CANCELLED "appointment_cancelled"
#define KIND_REMINDER "appointment_reminder"
#define SMS_SUFFIX "_sms"
/* Visits one scheduler pass looks at: a pass always ends; the next takes the rest. */
#define REMINDER_PASS_MAX 500

static const char SQL_VISIT[] =
    "SELECT a.id, a.start_time, a.end_time, a.sequence, a.updated_at,"
    " " NOTIFY_SQL_DOCTOR_NAME ","
    " coalesce(d.clinic_address, ''), u.id, u.email, u.locale, u.is_active,"
    " trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')),"
    " coalesce(p.phone, ''), coalesce(s.name, 'Consultation')"
    " FROM appointments a JOIN doctors d ON d.id = a.doctor_id"
    " JOIN patients p ON p.id = a.patient_id JOIN users u ON u.id = p.user_id"
    " LEFT JOIN doctor_services s ON s.id = a.service_id WHERE a.id = ?1";
static const char SQL_RAISE_SEQUENCE[] =
    "UPDATE appointments SET sequence = sequence + 1 WHERE id = ?1";
/* The params of a pending reminder name its visit; few rows are pending. */
static const char SQL_DROP_REMINDERS[] =
    "DELETE FROM outbox WHERE status = 'pending' AND kind IN ('" KIND_REMINDER "', '"
    KIND_REMINDER SMS_SUFFIX "') AND json_extract(params, '$.appointment_id') = ?1";
const char notify_sql_due_visits[] =
    "SELECT id FROM appointments WHERE status = 'SCHEDULED' AND start_time > ?1"
    " AND start_time <= ?2 ORDER BY start_time LIMIT ?3";
static const char SQL_REMINDED[] =
    "INSERT OR IGNORE INTO reminders_sent (appointment_id, offset_minutes, sequence, created_at)"
    " VALUES (?1, ?2, ?3, ?4)";

/* A visit with what its messages say. */
struct visit {
	char id[MED_UUID_LEN + 1];
	int64_t start, end, sequence, updated_at;
	char doctor[256], location[256];
	char user_id[MED_UUID_LEN + 1], email[320], locale[16];
	int active;
	char patient[256], phone[64], service[128];
};

static enum med_err
visit_row(sqlite3_stmt *st, void *arg)
{
	struct visit *v = arg;

	db_col_copy(st, 0, v->id, sizeof v->id);
	v->start = sqlite3_column_int64(st, 1);
	v->end = sqlite3_column_int64(st, 2);
	v->sequence = sqlite3_column_int64(st, 3);
	v->updated_at = sqlite3_column_int64(st, 4);
	db_col_copy(st, 5, v->doctor, sizeof v->doctor);
	db_col_copy(st, 6, v->location, sizeof v->location);
	db_col_copy(st, 7, v->user_id, sizeof v->user_id);
	db_col_copy(st, 8, v->email, sizeof v->email);
	db_col_copy(st, 9, v->locale, sizeof v->locale);
	v->active = sqlite3_column_int(st, 10);
	db_col_copy(st, 11, v->patient, sizeof v->patient);
	db_col_copy(st, 12, v->phone, sizeof v->phone);
	db_col_copy(st, 13, v->service, sizeof v->service);
	return MED_OK;
}

/* t as the date and time people read, in the clinic's zone and the message's locale. */
static void
local_when(int64_t t, const char *locale, char date[16], char time[8])
{
	int y, m, d, wd, secs;

	util_utc_to_local(t, &y, &m, &d, &wd, &secs);
	if (strcmp(locale, "en") == 0)
		snprintf(date, 16, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	else
		snprintf(date, 16, "%02d/%02d/%04d", d % 100, m % 100, y % 10000);
	snprintf(time, 8, "%02d:%02d", (secs / 3600) % 100, (secs / 60) % 60);
}

/* The bare address of MAIL_FROM ("Name <a@b>" -> "a@b"). */
static void
from_address(const char *from, char *out, size_t size)
{
	const char *lt = strchr(from, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
		snprintf(out, size, "%.*s", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(out, size, "%s", from);
}

/* The .ics of visit v as this change leaves it (malloc'd into *out). */
static enum med_err
visit_ics(struct med_ctx *ctx, const struct visit *v, int cancelled, char **out)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	char uid[ICS_UID_MAX], org[256], summary[400];
	struct ics_event ev;

	ics_uid(ctx->cfg.public_url, v->id, uid);
	from_address(ctx->cfg.mail.from, org, sizeof org);
	snprintf(summary, sizeof summary, "%s, %s", v->service, v->doctor);
	ev = (struct ics_event){ .uid = uid, .sequence = v->sequence, .stamp = med_now(ctx),
	    .start = v->start, .end = v->end, .summary = summary,
	    .location = v->location[0] != '\0' ? v->location : ctx->cfg.clinic_name,
	    .organizer_name = ctx->cfg.clinic_name, .organizer_email = org,
	    .attendee_name = v->patient, .attendee_email = v->email, .cancelled = cancelled };
	ics_begin(&b, cancelled ? "CANCEL" : "REQUEST", NULL);
	ics_event(&b, &ev);
	return ics_end(&b, out);
}

/* The template values of a message about v (old_start: 0 unless moved). */
static cJSON *
visit_params(struct med_ctx *ctx, const struct visit *v, const char *locale, int64_t old_start)
{
	cJSON *p = cJSON_CreateObject();
	char date[16], time[8];
	int ok;

	local_when(v->start, locale, date, time);
	ok = p != NULL && cJSON_AddStringToObject(p, "appointment_id", v->id) != NULL &&
	    cJSON_AddStringToObject(p, "patient_name", v->patient) != NULL &&
	    cJSON_AddStringToObject(p, "doctor_name", v->doctor) != NULL &&
	    cJSON_AddStringToObject(p, "service", v->service) != NULL &&
	    cJSON_AddStringToObject(p, "date", date) != NULL &&
	    cJSON_AddStringToObject(p, "time", time) != NULL &&
	    cJSON_AddStringToObject(p, "location",
	        v->location[0] != '\0' ? v->location : ctx->cfg.clinic_name) != NULL &&
	    cJSON_AddStringToObject(p, "clinic_name", ctx->cfg.clinic_name) != NULL &&
	    /* Without CLINIC_PHONE the site is the way to reach the clinic. */
	    cJSON_AddStringToObject(p, "clinic_phone", ctx->cfg.clinic_phone[0] != '\0' ?
	        ctx->cfg.clinic_phone : ctx->cfg.public_url) != NULL;
	if (ok && old_start != 0) {
		local_when(old_start, locale, date, time);
		ok = cJSON_AddStringToObject(p, "old_date", date) != NULL &&
		    cJSON_AddStringToObject(p, "old_time", time) != NULL;
	}
	if (!ok) {
		cJSON_Delete(p);
		return NULL;
	}
	return p;
}

/* One outbox row of kind on channel to recipient. */
static enum med_err
queue(struct med_ctx *ctx, const char *kind, const char *channel, const char *recipient,
    const char *locale, const cJSON *params, int64_t expires_at)
{
	struct outbox_msg m = { kind, channel, recipient, locale, params, expires_at };

	return outbox_add(ctx, &m, NULL);
}

/*
 * Tell the patient of v: a mail of kind (with an .ics unless ics_mode is
 * 0: 1 = REQUEST, 2 = CANCEL), its in-app notification, and, for
 * with_sms, an SMS of kind_sms when the patient has a number and SMS
 * are configured.  expires_at: 0 or when the message is useless.
 */
static enum med_err
tell_patient(struct med_ctx *ctx, const struct visit *v, const char *kind, int ics_mode,
    int64_t old_start, int with_sms, int64_t expires_at)
{
	const char *locale = tpl_locale(v->locale);
	char sms_kind[64], *ics = NULL;
	cJSON *params;
	enum med_err e;

	if (!v->active)
		return MED_OK;
	if ((params = visit_params(ctx, v, locale, old_start)) == NULL)
		return MED_ENOMEM;
	e = notification_of_message(ctx, v->user_id, kind, locale, params, v->id);
	if (e == MED_OK && with_sms && v->phone[0] != '\0' && ctx->cfg.mail.sms_command[0] != '\0') {
		snprintf(sms_kind, sizeof sms_kind, "%s" SMS_SUFFIX, kind);
		e = queue(ctx, sms_kind, OUTBOX_SMS, v->phone, locale, params, expires_at);
	}
	if (e == MED_OK && ics_mode != 0 && (e = visit_ics(ctx, v, ics_mode == 2, &ics)) == MED_OK &&
	    (cJSON_AddStringToObject(params, "ics", ics) == NULL ||
	    cJSON_AddStringToObject(params, "ics_method", ics_mode == 2 ? "CANCEL" : "REQUEST") == NULL))
		e = MED_ENOMEM;
	if (e == MED_OK)
		e = queue(ctx, kind, OUTBOX_EMAIL, v->email, locale, params, expires_at);
	free(ics);
	cJSON_Delete(params);
	return e;
}

static enum med_err
load_visit(struct med_ctx *ctx, const char *id, struct visit *v)
{
	memset(v, 0, sizeof *v);
	return db_first(ctx, SQL_VISIT, id, visit_row, v);
}

static enum med_err
run_text(struct med_ctx *ctx, const char *sql, const char *id)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	return db_step_done(st);
}

enum med_err
notify_appt_change(struct med_ctx *ctx, const struct appt_change *c)
{
	int cancelled = c->kind == APPT_CANCELLED || (c->kind == APPT_STATUS &&
	    c->new_status != NULL && strcmp(c->new_status, "CANCELLED") == 0);
	struct visit v;
	enum med_err e;

	/* Arrival, completion and no-show change nothing the patient's calendar shows. */
	if (c->kind == APPT_STATUS && !cancelled)
		return MED_OK;
	if (c->kind != APPT_BOOKED) {
		if ((e = run_text(ctx, SQL_RAISE_SEQUENCE, c->appointment_id)) != MED_OK ||
		    (e = run_text(ctx, SQL_DROP_REMINDERS, c->appointment_id)) != MED_OK)
			return e;
	}
	if ((e = load_visit(ctx, c->appointment_id, &v)) != MED_OK)
		return e;
	if (cancelled)
		return tell_patient(ctx, &v, KIND_CANCELLED, 2, 0, 0, 0);
	if (c->kind == APPT_MOVED)
		return tell_patient(ctx, &v, KIND_MOVED, 1, c->old_start, 0, 0);
	return tell_patient(ctx, &v, KIND_BOOKED, 1, 0, 1, 0);
}

/* ---- reminders ------------------------------------------------------------ */

/* Mark (visit, offset, sequence) reminded; *fresh = whether it was not before. */
static enum med_err
mark_reminded(struct med_ctx *ctx, const struct visit *v, int64_t offset, int *fresh)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_REMINDED);
	enum med_err e;

	*fresh = 0;
	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, v->id);
	db_bind_int(st, 2, offset);
	db_bind_int(st, 3, v->sequence);
	db_bind_int(st, 4, med_now(ctx));
	if ((e = db_step_done(st)) == MED_OK)
		*fresh = db_changes(ctx) == 1;
	return e;
}

/* The due offsets of one visit (offs ascending); *written += reminders written. */
static enum med_err
remind_visit(struct med_ctx *ctx, const char *id, const int64_t *offs, int n, int *written)
{
	int64_t now = med_now(ctx);
	int nearest = 1, fresh;
	struct visit v;
	enum med_err e;

	if ((e = load_visit(ctx, id, &v)) != MED_OK)
		return e == MED_ENOTFOUND ? MED_OK : e;
	for (int i = 0; i < n; i++) {
		int64_t at = v.start - offs[i] * 60;
		if (at > now)
			continue;
		/* Every due offset is marked; only the nearest one speaks. */
		if ((e = mark_reminded(ctx, &v, offs[i], &fresh)) != MED_OK)
			return e;
		if (fresh && nearest && v.updated_at <= at) {
			if ((e = tell_patient(ctx, &v, KIND_REMINDER, 0, 0, 1, v.start)) != MED_OK)
				return e;
			(*written)++;
		}
		nearest = 0;
	}
	return MED_OK;
}

/* The ids of the visits some reminder may be due for, into ids[]. */
static enum med_err
due_visits(struct med_ctx *ctx, int64_t max_offset, char (*ids)[MED_UUID_LEN + 1], int *n)
{
	sqlite3_stmt *st = db_stmt(ctx, notify_sql_due_visits);
	int64_t now = med_now(ctx);
	int rc;

	*n = 0;
	if (st == NULL)
		return MED_EDB;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now + max_offset * 60);
	db_bind_int(st, 3, REMINDER_PASS_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < REMINDER_PASS_MAX)
		db_col_copy(st, 0, ids[(*n)++], MED_UUID_LEN + 1);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

static int
cmp_offset(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static enum med_err
reminders_in_tx(struct med_ctx *ctx, char (*ids)[MED_UUID_LEN + 1], int *written)
{
	int64_t offs[SETTINGS_REMINDERS_MAX];
	int n, nv;
	enum med_err e;

	if ((e = settings_reminder_offsets(ctx, offs, &n)) != MED_OK || n == 0)
		return e;
	qsort(offs, (size_t)n, sizeof offs[0], cmp_offset);
	if ((e = due_visits(ctx, offs[n - 1], ids, &nv)) != MED_OK)
		return e;
	for (int i = 0; i < nv && e == MED_OK; i++)
		e = remind_visit(ctx, ids[i], offs, n, written);
	return e;
}

enum med_err
notify_reminders(struct med_ctx *ctx, int *written)
{
	char (*ids)[MED_UUID_LEN + 1] = malloc(REMINDER_PASS_MAX * sizeof *ids);
	int local = 0;
	enum med_err e;

	if (written == NULL)
		written = &local;
	*written = 0;
	if (ids == NULL)
		return MED_ENOMEM;
	if ((e = db_begin(ctx)) == MED_OK) {
		if ((e = reminders_in_tx(ctx, ids, written)) == MED_OK)
			e = db_commit(ctx);
		else
			db_rollback(ctx);
	}
	free(ids);
	if (e != MED_OK)
		*written = 0;
	return e;
}
