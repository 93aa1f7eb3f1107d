/*
 * settings.c - the clinic's booking rules, one row of clinic_settings:
 * minimum notice and booking horizon (a doctor's profile may override
 * both), the no-show limit of self-booking, and the step of service slots.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "settings.h"
#include "valid.h"

#define SETTINGS_COLUMNS \
    "min_notice_minutes, booking_horizon_days, max_no_shows, slot_step_minutes," \
    " reminder_offsets"

/* ?1 is "1": the one row (INTEGER affinity makes the text an integer). */
static const char SQL_GET[] = "SELECT " SETTINGS_COLUMNS " FROM clinic_settings WHERE id = ?1";
/* Partial update in the order of settings_patch_body, once SQL_ENSURE made the row. */
static const char SQL_UPDATE[] =
    "UPDATE clinic_settings SET"
    " min_notice_minutes = CASE WHEN ?1 THEN ?2 ELSE min_notice_minutes END,"
    " booking_horizon_days = CASE WHEN ?3 THEN ?4 ELSE booking_horizon_days END,"
    " max_no_shows = CASE WHEN ?5 THEN ?6 ELSE max_no_shows END,"
    " slot_step_minutes = CASE WHEN ?7 THEN ?8 ELSE slot_step_minutes END,"
    " reminder_offsets = CASE WHEN ?9 THEN ?10 ELSE reminder_offsets END,"
    " updated_at = ?11 WHERE id = 1";
static const char SQL_ENSURE[] = "INSERT OR IGNORE INTO clinic_settings (id) VALUES (1)";
static const char SQL_DOCTOR[] =
    "SELECT d.min_notice_minutes, d.booking_horizon_days FROM doctors d WHERE d.id = ?1";

static const struct db_col settings_cols[] = {
	{ "min_notice_minutes", DB_INT }, { "booking_horizon_days", DB_INT },
	{ "max_no_shows", DB_INT }, { "slot_step_minutes", DB_INT },
	{ "reminder_offsets_minutes", DB_JSON },
};

/* The stored JSON array of offsets into cs (a malformed one counts as none). */
static void
parse_offsets(const char *text, struct clinic_settings *cs)
{
	cJSON *a = cJSON_Parse(text != NULL ? text : "[]"), *el;

	cs->n_reminder_offsets = 0;
	if (!cJSON_IsArray(a)) {
		cJSON_Delete(a);
		return;
	}
	cJSON_ArrayForEach(el, a)
		if (cJSON_IsNumber(el) && cs->n_reminder_offsets < SETTINGS_REMINDERS_MAX)
			cs->reminder_offsets[cs->n_reminder_offsets++] = (int64_t)el->valuedouble;
	cJSON_Delete(a);
}

static enum med_err
settings_row(sqlite3_stmt *st, void *arg)
{
	struct clinic_settings *cs = arg;

	cs->min_notice_minutes = sqlite3_column_int64(st, 0);
	cs->booking_horizon_days = sqlite3_column_int64(st, 1);
	cs->max_no_shows = sqlite3_column_int64(st, 2);
	cs->slot_step_minutes = sqlite3_column_int64(st, 3);
	parse_offsets((const char *)sqlite3_column_text(st, 4), cs);
	return MED_OK;
}

enum med_err
settings_load(struct med_ctx *ctx, struct clinic_settings *cs)
{
	enum med_err e;

	cs->min_notice_minutes = 0;
	cs->booking_horizon_days = 365;
	cs->max_no_shows = 0;
	cs->slot_step_minutes = 15;
	parse_offsets("[1440,120]", cs);
	e = db_first(ctx, SQL_GET, "1", settings_row, cs);
	return e == MED_ENOTFOUND ? MED_OK : e;
}

/* The doctor's overrides (db_first() callback): a NULL column keeps the clinic's value. */
static enum med_err
doctor_row(sqlite3_stmt *st, void *arg)
{
	int64_t *v = arg;

	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		v[0] = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		v[1] = sqlite3_column_int64(st, 1);
	return MED_OK;
}

enum med_err
settings_for_doctor(struct med_ctx *ctx, const char *doctor_id, int64_t *notice_minutes,
    int64_t *horizon_days)
{
	struct clinic_settings cs;
	int64_t v[2];
	enum med_err e;

	if ((e = settings_load(ctx, &cs)) != MED_OK)
		return e;
	v[0] = cs.min_notice_minutes;
	v[1] = cs.booking_horizon_days;
	if ((e = db_first(ctx, SQL_DOCTOR, doctor_id, doctor_row, v)) != MED_OK &&
	    e != MED_ENOTFOUND)
		return e;
	*notice_minutes = v[0];
	*horizon_days = v[1];
	return MED_OK;
}

cJSON *
settings_json(const struct clinic_settings *cs)
{
	cJSON *o, *a;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(o, settings_cols[0].name, (double)cs->min_notice_minutes) == NULL ||
	    cJSON_AddNumberToObject(o, settings_cols[1].name, (double)cs->booking_horizon_days) == NULL ||
	    cJSON_AddNumberToObject(o, settings_cols[2].name, (double)cs->max_no_shows) == NULL ||
	    cJSON_AddNumberToObject(o, settings_cols[3].name, (double)cs->slot_step_minutes) == NULL ||
	    (a = cJSON_AddArrayToObject(o, settings_cols[4].name)) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (int i = 0; i < cs->n_reminder_offsets; i++) {
		if (!cJSON_AddItemToArray(a, cJSON_CreateNumber((double)cs->reminder_offsets[i]))) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

/* The settings as the API shows them. */
static int
reply_settings(struct med_ctx *ctx, struct med_resp *resp)
{
	struct clinic_settings cs;
	enum med_err e;
	cJSON *o;

	if ((e = settings_load(ctx, &cs)) != MED_OK)
		return med_fail(resp, e);
	if ((o = settings_json(&cs)) == NULL)
		return med_fail(resp, MED_ENOMEM);
	return med_ok(resp, o);
}

int
h_settings_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	(void)req;
	return reply_settings(ctx, resp);
}

/* The fields of SQL_UPDATE, in its order. */
SPEC(settings_patch_body,
	{ "min_notice_minutes", FT_INT, 0, 0, NOTICE_MAX_MINUTES },
	{ "booking_horizon_days", FT_INT, 0, 1, HORIZON_MAX_DAYS },
	{ "max_no_shows", FT_INT, 0, 0, 100 },
	{ "slot_step_minutes", FT_INT, 0, 5, 480 },
	{ "reminder_offsets_minutes", FT_INTLIST, 0, REMINDER_OFFSET_MIN_MINUTES,
	    REMINDER_OFFSET_MAX_MINUTES },
);

int
h_settings_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_ENSURE)) == NULL)
		return med_fail(resp, MED_EDB);
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_UPDATE)) == NULL)
		return med_fail(resp, MED_EDB);
	valid_bind_update(st, 1, settings_patch_body.f, req->body_vals, settings_patch_body.n);
	db_bind_int(st, 11, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return reply_settings(ctx, resp);
}

/* One statement per setting, in the order of settings_patch_body. */
static const char SQL_SET_NOTICE[] =
    "UPDATE clinic_settings SET min_notice_minutes = ?1, updated_at = ?2 WHERE id = 1";
static const char SQL_SET_HORIZON[] =
    "UPDATE clinic_settings SET booking_horizon_days = ?1, updated_at = ?2 WHERE id = 1";
static const char SQL_SET_NO_SHOWS[] =
    "UPDATE clinic_settings SET max_no_shows = ?1, updated_at = ?2 WHERE id = 1";
static const char SQL_SET_STEP[] =
    "UPDATE clinic_settings SET slot_step_minutes = ?1, updated_at = ?2 WHERE id = 1";
/* NULL: a list, set through PATCH /settings only. */
static const char *const set_sql[] = {
	SQL_SET_NOTICE, SQL_SET_HORIZON, SQL_SET_NO_SHOWS, SQL_SET_STEP, NULL,
};
_Static_assert(sizeof set_sql / sizeof set_sql[0] == sizeof settings_patch_body_fields /
    sizeof settings_patch_body_fields[0], "one statement per field of settings_patch_body");

enum med_err
settings_set(struct med_ctx *ctx, const char *name, int64_t value)
{
	sqlite3_stmt *st;
	enum med_err e;

	for (int i = 0; i < settings_patch_body.n; i++) {
		const struct fld *f = &settings_patch_body.f[i];
		if (strcmp(f->name, name) != 0)
			continue;
		if (set_sql[i] == NULL || value < f->min || value > f->max)
			return MED_EINVAL;
		if ((st = db_stmt(ctx, SQL_ENSURE)) == NULL)
			return MED_EDB;
		if ((e = db_step_done(st)) != MED_OK)
			return e;
		if ((st = db_stmt(ctx, set_sql[i])) == NULL)
			return MED_EDB;
		db_bind_int(st, 1, value);
		db_bind_int(st, 2, med_now(ctx));
		return db_step_done(st);
	}
	return MED_EINVAL;
}

enum med_err
settings_reminder_offsets(struct med_ctx *ctx, int64_t offs[SETTINGS_REMINDERS_MAX], int *n)
{
	struct clinic_settings cs;
	enum med_err e;

	*n = 0;
	if ((e = settings_load(ctx, &cs)) != MED_OK)
		return e;
	memcpy(offs, cs.reminder_offsets, sizeof cs.reminder_offsets);
	*n = cs.n_reminder_offsets;
	return MED_OK;
}
