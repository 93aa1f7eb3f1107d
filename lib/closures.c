/*
 * closures.c - a doctor's time off (/doctors/{id}/time-off) and the
 * clinic's holidays (/holidays): no slots and no bookings inside them.
 *
 * Time off over visits already booked is allowed (a doctor falls ill):
 * nothing is cancelled silently, the answer lists the SCHEDULED and
 * ARRIVED visits it covers in "conflicts" for the front desk to move.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "appointments.h"
#include "closures.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "util.h"
#include "valid.h"

#define REASON_MAX 500
#define HOLIDAY_NAME_MAX 100

/*
 * Rows ending after ?2 through the (doctor_id, end_time) index, then the
 * start; in index order, since no caller needs another.
 */
const char closure_sql_time_off[] =
    "SELECT start_time, end_time FROM doctor_time_off WHERE doctor_id = ?1"
    " AND end_time > ?2 AND start_time < ?3";
const char closure_sql_holidays[] =
    "SELECT date FROM clinic_holidays WHERE date >= ?1 AND date < ?2 ORDER BY date";

#define TIME_OFF_COLUMNS "id, doctor_id, start_time, end_time, reason"

static const char SQL_TO_LIST[] =
    "SELECT " TIME_OFF_COLUMNS " FROM doctor_time_off WHERE doctor_id = ?1 AND end_time > ?2"
    " ORDER BY start_time, id LIMIT ?3 OFFSET ?4";
static const char SQL_TO_GET[] = "SELECT " TIME_OFF_COLUMNS " FROM doctor_time_off WHERE id = ?1";
static const char SQL_TO_INSERT[] =
    "INSERT INTO doctor_time_off (" TIME_OFF_COLUMNS ", created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_TO_DELETE[] = "DELETE FROM doctor_time_off WHERE id = ?1";
/* The same bounds as appt_sql_doctor_overlap. */
static const char SQL_TO_CONFLICTS[] =
    "SELECT id FROM appointments WHERE doctor_id = ?1 AND status IN ('SCHEDULED', 'ARRIVED')"
    " AND start_time > ?2 - " APPT_REACH " AND start_time < ?3 AND end_time > ?2 ORDER BY start_time";

#define HOLIDAY_COLUMNS "id, date, name"
static const char SQL_HOL_LIST[] =
    "SELECT " HOLIDAY_COLUMNS " FROM clinic_holidays WHERE date >= ?1 AND date < ?2"
    " ORDER BY date";
static const char SQL_HOL_GET[] = "SELECT " HOLIDAY_COLUMNS " FROM clinic_holidays WHERE id = ?1";
static const char SQL_HOL_ON[] = "SELECT 1 FROM clinic_holidays WHERE date = ?1";
static const char SQL_HOL_INSERT[] =
    "INSERT INTO clinic_holidays (" HOLIDAY_COLUMNS ", created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_HOL_DELETE[] = "DELETE FROM clinic_holidays WHERE id = ?1";

static const struct db_col time_off_cols[] = {
	{ "id", DB_TEXT }, { "doctor_id", DB_TEXT }, { "start_time", DB_INSTANT },
	{ "end_time", DB_INSTANT }, { "reason", DB_TEXT },
};
/* The public list: the reason is the doctor's business. */
static const struct db_col time_off_public_cols[] = {
	{ "id", DB_TEXT }, { "doctor_id", DB_TEXT }, { "start_time", DB_INSTANT },
	{ "end_time", DB_INSTANT }, { "reason", DB_SKIP },
};
static const struct db_col holiday_cols[] = {
	{ "id", DB_TEXT }, { "date", DB_TEXT }, { "name", DB_TEXT },
};

int
closure_time_off(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end)
{
	sqlite3_stmt *st = db_stmt(ctx, closure_sql_time_off);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, doctor_id);
	db_bind_int(st, 2, start);
	db_bind_int(st, 3, end);
	return db_step_found(st);
}

int
closure_holiday(struct med_ctx *ctx, int64_t t)
{
	char date[11];
	int found;

	util_local_date(t, date);
	if (db_exists(ctx, SQL_HOL_ON, date, &found) != MED_OK)
		return -1;
	return found;
}

/* ---- time off ------------------------------------------------------- */

static int
reply_err(enum med_err e, const char *not_found, struct med_resp *resp)
{
	switch (e) {
	case MED_ENOTFOUND:
		return med_error(resp, 404, not_found);
	case MED_EFORBIDDEN:
		return med_error(resp, 403, "Forbidden");
	case MED_ECONFLICT:
		return med_error(resp, 409, "A holiday on that date exists");
	default:
		return med_fail(resp, e);
	}
}

SPEC(time_off_list_query,
	FLD_PAGING,
	{ "from", FT_DATETIME, 0 },
);

/* Time off ending after `from` (default now), by start; the reason only for its managers. */
int
h_time_off_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = med_path(req, "doctor_id");
	const struct fval *from = med_qarg(req, "from");
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;
	int managed;

	if ((e = profile_doctor_exists(ctx, doctor)) != MED_OK)
		return reply_err(e, "Doctor not found", resp);
	if ((e = profile_may_manage_doctor(ctx, req, doctor, 1)) != MED_OK && e != MED_EFORBIDDEN)
		return med_fail(resp, e);
	managed = e == MED_OK;
	med_paging(req, &skip, &limit);
	if ((st = db_stmt(ctx, SQL_TO_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, doctor);
	db_bind_int(st, 2, from->present ? from->i : med_now(ctx));
	db_bind_int(st, 3, limit);
	db_bind_int(st, 4, skip);
	e = managed ? db_rows_raw(st, time_off_cols, DB_NCOLS(time_off_cols), &list) :
	    db_rows_raw(st, time_off_public_cols, DB_NCOLS(time_off_public_cols), &list);
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

/* The ids of the doctor's visits inside [start, end), as a new array in *out. */
static enum med_err
conflicts(struct med_ctx *ctx, const char *doctor, int64_t start, int64_t end, cJSON **out)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_TO_CONFLICTS);
	enum med_err e = MED_OK;
	int rc = SQLITE_DONE;

	if (st == NULL)
		return MED_EDB;
	if ((*out = cJSON_CreateArray()) == NULL)
		return MED_ENOMEM;
	db_bind_text(st, 1, doctor);
	db_bind_int(st, 2, start);
	db_bind_int(st, 3, end);
	while (e == MED_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!cJSON_AddItemToArray(*out,
		    cJSON_CreateString((const char *)sqlite3_column_text(st, 0))))
			e = MED_ENOMEM;
	sqlite3_reset(st);
	if (e == MED_OK && rc != SQLITE_DONE)
		e = db_err(rc);
	if (e != MED_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return e;
}

/* Load time off id as JSON (with its reason). */
static enum med_err
time_off_json(sqlite3_stmt *st, void *arg)
{
	cJSON **out = arg;

	return (*out = db_row_json(st, time_off_cols, DB_NCOLS(time_off_cols))) == NULL ?
	    MED_ENOMEM : MED_OK;
}

SPEC(time_off_create_body,
	{ "start_time", FT_DATETIME, FF_REQUIRED },
	{ "end_time", FT_DATETIME, FF_REQUIRED },
	{ "reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
);

int
h_time_off_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = med_path(req, "doctor_id");
	int64_t start = med_body(req, "start_time")->i, end = med_body(req, "end_time")->i;
	char id[MED_UUID_LEN + 1];
	cJSON *json = NULL, *clash = NULL;
	sqlite3_stmt *st;
	enum med_err e;

	if (end <= start)
		return med_invalid(resp, "body", "end_time", "end_time must be after start_time",
		    "value_error");
	if ((e = profile_doctor_exists(ctx, doctor)) != MED_OK ||
	    (e = profile_may_manage_doctor(ctx, req, doctor, 1)) != MED_OK ||
	    (e = util_uuid4(id)) != MED_OK)
		return reply_err(e, "Doctor not found", resp);
	if ((st = db_stmt(ctx, SQL_TO_INSERT)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, doctor);
	db_bind_int(st, 3, start);
	db_bind_int(st, 4, end);
	db_bind_text(st, 5, fval_str(med_body(req, "reason")));
	db_bind_int(st, 6, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = db_first(ctx, SQL_TO_GET, id, time_off_json, &json)) != MED_OK ||
	    (e = conflicts(ctx, doctor, start, end, &clash)) != MED_OK) {
		cJSON_Delete(json);
		return med_fail(resp, e);
	}
	cJSON_AddItemToObject(json, "conflicts", clash);
	return med_reply(resp, 201, json, NULL);
}

/* The doctor of a time off row (db_first() callback). */
static enum med_err
time_off_doctor(sqlite3_stmt *st, void *arg)
{
	db_col_copy(st, 1, arg, MED_UUID_LEN + 1);
	return MED_OK;
}

int
h_time_off_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "time_off_id");
	char doctor[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = db_first(ctx, SQL_TO_GET, id, time_off_doctor, doctor)) != MED_OK ||
	    (e = profile_may_manage_doctor(ctx, req, doctor, 1)) != MED_OK)
		return reply_err(e, "Time off not found", resp);
	if ((st = db_stmt(ctx, SQL_TO_DELETE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}

/* ---- holidays ------------------------------------------------------- */

SPEC(holiday_list_query,
	{ "from", FT_DATE, 0 },
	{ "to", FT_DATE, 0 },
);

/* Holidays with from <= date < to (both optional), by date. */
int
h_holidays_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *from = fval_str(med_qarg(req, "from")), *to = fval_str(med_qarg(req, "to"));
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_HOL_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	/* Dates compare as text; "" and "~" lie before and after every date. */
	db_bind_text(st, 1, from != NULL ? from : "");
	db_bind_text(st, 2, to != NULL ? to : "~");
	if ((e = db_rows_raw(st, holiday_cols, DB_NCOLS(holiday_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

static enum med_err
holiday_json(sqlite3_stmt *st, void *arg)
{
	cJSON **out = arg;

	return (*out = db_row_json(st, holiday_cols, DB_NCOLS(holiday_cols))) == NULL ?
	    MED_ENOMEM : MED_OK;
}

enum med_err
closure_holiday_add(struct med_ctx *ctx, const char *date, const char *name, char id[MED_UUID_LEN + 1])
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = util_uuid4(id)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_HOL_INSERT)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, name);
	db_bind_int(st, 4, med_now(ctx));
	return db_step_done(st);
}

enum med_err
closure_holiday_remove(struct med_ctx *ctx, const char *id)
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = db_first(ctx, SQL_HOL_GET, id, NULL, NULL)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_HOL_DELETE)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	return db_step_done(st);
}

SPEC(holiday_create_body,
	{ "date", FT_DATE, FF_REQUIRED },
	{ "name", FT_STRING, FF_REQUIRED, 1, HOLIDAY_NAME_MAX },
);

int
h_holidays_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char id[MED_UUID_LEN + 1];
	cJSON *json = NULL;
	enum med_err e;

	if ((e = closure_holiday_add(ctx, fval_str(med_body(req, "date")),
	    fval_str(med_body(req, "name")), id)) != MED_OK ||
	    (e = db_first(ctx, SQL_HOL_GET, id, holiday_json, &json)) != MED_OK)
		return reply_err(e, "Holiday not found", resp);
	return med_reply(resp, 201, json, NULL);
}

int
h_holidays_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	enum med_err e;

	if ((e = closure_holiday_remove(ctx, med_path(req, "holiday_id"))) != MED_OK)
		return reply_err(e, "Holiday not found", resp);
	return med_no_content(resp);
}
