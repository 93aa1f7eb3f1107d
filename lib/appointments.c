/*
 * appointments.c - /appointments (API.md §6): booking, the owner's lists,
 * cancel, reschedule and the doctor's status changes.
 *
 * Double booking is the classic scheduler bug, so every write re-runs the
 * whole check and writes inside one BEGIN IMMEDIATE transaction: two
 * workers racing for the same slot are serialised by SQLite's write lock,
 * and the second one sees the first one's row.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "appointments.h"
#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "util.h"
#include "valid.h"

#define REASON_MAX 500

#define MSG_NOT_FOUND "Appointment not found"
#define MSG_FORBIDDEN "Forbidden"

#define APPT_COLUMNS \
    "id, doctor_id, patient_id, start_time, end_time, reason, status," \
    " cancellation_reason, created_at, updated_at"

/*
 * Overlap of half-open intervals: a.start < new.end AND new.start < a.end,
 * so back-to-back appointments do not collide.  "id <> ?4" leaves out the
 * appointment being rescheduled (a fresh booking binds "").  Every booking
 * lies inside one window of one local day, so it lasts at most 25 hours
 * (a DST fall-back day): "start_time > ?2 - 90000" bounds the index range
 * below, and years of history are never walked.
 */
const char appt_sql_doctor_overlap[] =
    "SELECT 1 FROM appointments WHERE doctor_id = ?1 AND status = 'SCHEDULED'"
    " AND start_time > ?2 - 90000 AND start_time < ?3 AND end_time > ?2 AND id <> ?4"
    " LIMIT 1";
const char appt_sql_patient_overlap[] =
    "SELECT 1 FROM appointments WHERE patient_id = ?1 AND status = 'SCHEDULED'"
    " AND start_time > ?2 - 90000 AND start_time < ?3 AND end_time > ?2 AND id <> ?4"
    " LIMIT 1";
/* Bounds are always bound (open ends as INT64 extremes) so the index range applies. */
const char appt_sql_list_patient[] =
    "SELECT " APPT_COLUMNS " FROM appointments WHERE patient_id = ?1"
    " AND start_time >= ?2 AND start_time < ?3 AND (?4 IS NULL OR status = ?4)"
    " ORDER BY start_time DESC, id LIMIT ?5 OFFSET ?6";
const char appt_sql_list_doctor[] =
    "SELECT " APPT_COLUMNS " FROM appointments WHERE doctor_id = ?1"
    " AND start_time >= ?2 AND start_time < ?3 AND (?4 IS NULL OR status = ?4)"
    " ORDER BY start_time DESC, id LIMIT ?5 OFFSET ?6";
const char appt_sql_window[] =
    "SELECT 1 FROM doctor_availability WHERE doctor_id = ?1 AND weekday = ?2"
    " AND is_active = 1 AND start_time <= ?3 AND end_time >= ?4 LIMIT 1";

static const char SQL_GET[] =
    "SELECT " APPT_COLUMNS " FROM appointments WHERE id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO appointments (id, doctor_id, patient_id, start_time, end_time, reason,"
    " status, cancellation_reason, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'SCHEDULED', NULL, ?7, ?7)";
static const char SQL_CANCEL[] =
    "UPDATE appointments SET status = 'CANCELLED', cancellation_reason = ?2,"
    " updated_at = ?3 WHERE id = ?1 AND status = 'SCHEDULED'";
static const char SQL_MOVE[] =
    "UPDATE appointments SET start_time = ?2, end_time = ?3, updated_at = ?4"
    " WHERE id = ?1 AND status = 'SCHEDULED'";
static const char SQL_SET_STATUS[] =
    "UPDATE appointments SET status = ?2, updated_at = ?3"
    " WHERE id = ?1 AND status = 'SCHEDULED'";

static const char *const status_names[] = { "SCHEDULED", "COMPLETED", "CANCELLED", NULL };

/* The columns of one appointment that the rules look at. */
struct appt {
	char id[MED_UUID_LEN + 1];
	char doctor_id[MED_UUID_LEN + 1];
	char patient_id[MED_UUID_LEN + 1];
	int64_t start, end;
	char status[16];
};

/* The columns of APPT_COLUMNS, in order. */
static const struct db_col appt_cols[] = {
	{ "id", DB_TEXT }, { "doctor_id", DB_TEXT }, { "patient_id", DB_TEXT },
	{ "start_time", DB_INSTANT }, { "end_time", DB_INSTANT }, { "reason", DB_TEXT },
	{ "status", DB_TEXT }, { "cancellation_reason", DB_TEXT },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT },
};

static cJSON *
appt_json(sqlite3_stmt *st)
{
	return db_row_json(st, appt_cols, DB_NCOLS(appt_cols));
}

/* Where appt_load() puts a row (db_first() callback argument). */
struct appt_dest {
	struct appt *a;
	cJSON **json;
};

static enum med_err
appt_row(sqlite3_stmt *st, void *arg)
{
	struct appt_dest *d = arg;
	struct appt *a = d->a;

	memset(a, 0, sizeof *a);
	db_col_copy(st, 0, a->id, sizeof a->id);
	db_col_copy(st, 1, a->doctor_id, sizeof a->doctor_id);
	db_col_copy(st, 2, a->patient_id, sizeof a->patient_id);
	a->start = sqlite3_column_int64(st, 3);
	a->end = sqlite3_column_int64(st, 4);
	db_col_copy(st, 6, a->status, sizeof a->status);
	if (d->json != NULL && (*d->json = appt_json(st)) == NULL)
		return MED_ENOMEM;
	return MED_OK;
}

/* Load appointment id into a and, when json != NULL, its API object. */
static enum med_err
appt_load(struct med_ctx *ctx, const char *id, struct appt *a, cJSON **json)
{
	struct appt_dest d = { a, json };

	if (json != NULL)
		*json = NULL;
	return db_first(ctx, SQL_GET, id, appt_row, &d);
}

/* 1 when a row of the overlap statement sql exists, 0 when not, -1 on error. */
static int
overlaps(struct med_ctx *ctx, const char *sql, const char *owner, int64_t start, int64_t end,
    const char *exclude_id)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, owner);
	db_bind_int(st, 2, start);
	db_bind_int(st, 3, end);
	db_bind_text(st, 4, exclude_id != NULL ? exclude_id : "");
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
appt_in_window(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end)
{
	int y, m, d, wd, secs, ey, em, ed, ewd, esecs;
	sqlite3_stmt *st;
	int rc;

	if (end <= start)
		return 0;
	util_utc_to_local(start, &y, &m, &d, &wd, &secs);
	util_utc_to_local(end, &ey, &em, &ed, &ewd, &esecs);
	if (ey != y || em != m || ed != d) {
		/* Ending at local midnight is the end of the start's day (a window may end at 24:00). */
		int ny = y, nm = m, nd = d;
		util_add_days(&ny, &nm, &nd, 1);
		if (esecs != 0 || ey != ny || em != nm || ed != nd)
			return 0;
		esecs = 86400;
	}
	if ((st = db_stmt(ctx, appt_sql_window)) == NULL)
		return -1;
	db_bind_text(st, 1, doctor_id);
	db_bind_int(st, 2, wd);
	db_bind_int(st, 3, secs);
	db_bind_int(st, 4, esecs);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static enum med_err
refuse(struct appt_verdict *v, int status, const char *message)
{
	v->status = status;
	v->message = message;
	return MED_OK;
}

enum med_err
appt_check_booking(struct med_ctx *ctx, const char *patient_id, const char *doctor_id,
    int64_t start, int64_t end, const char *exclude_id, struct appt_verdict *v)
{
	enum med_err e;
	int r;

	v->status = 0;
	v->message = NULL;
	if ((e = profile_patient_exists(ctx, patient_id)) == MED_ENOTFOUND)
		return refuse(v, 404, "Patient not found");
	if (e != MED_OK)
		return e;
	if ((e = profile_doctor_exists(ctx, doctor_id)) == MED_ENOTFOUND)
		return refuse(v, 404, "Doctor not found");
	if (e != MED_OK)
		return e;
	if (end <= start)
		return refuse(v, 400, "end_time must be after start_time");
	if (start < med_now(ctx))
		return refuse(v, 400, "Cannot book an appointment in the past");
	if ((r = appt_in_window(ctx, doctor_id, start, end)) < 0)
		return MED_EDB;
	if (r == 0)
		return refuse(v, 400, "Requested time is outside doctor's availability");
	if ((r = overlaps(ctx, appt_sql_doctor_overlap, doctor_id, start, end, exclude_id)) < 0)
		return MED_EDB;
	if (r == 1)
		return refuse(v, 409, "Doctor is not available at the requested time");
	if ((r = overlaps(ctx, appt_sql_patient_overlap, patient_id, start, end, exclude_id)) < 0)
		return MED_EDB;
	if (r == 1)
		return refuse(v, 409, "Patient already has an appointment at the requested time");
	return MED_OK;
}

/*
 * The caller's ties to appointment a.  A tie holds only while the role
 * behind it does: a doctor demoted to STAFF keeps the doctor profile (its
 * history must stay) but no longer owns that doctor's visits.
 */
static enum med_err
relation(struct med_ctx *ctx, const struct med_req *req, const struct appt *a,
    int *is_patient, int *is_doctor)
{
	char pid[MED_UUID_LEN + 1], did[MED_UUID_LEN + 1];
	enum med_err e;

	*is_patient = *is_doctor = 0;
	if (req->user.role != ROLE_PATIENT)
		e = MED_ENOTFOUND;
	else
		e = profile_patient_of_user(ctx, req->user.id, pid);
	if (e == MED_OK)
		*is_patient = strcmp(pid, a->patient_id) == 0;
	else if (e != MED_ENOTFOUND)
		return e;
	if (req->user.role != ROLE_DOCTOR)
		e = MED_ENOTFOUND;
	else
		e = profile_doctor_of_user(ctx, req->user.id, did);
	if (e == MED_OK)
		*is_doctor = strcmp(did, a->doctor_id) == 0;
	else if (e != MED_ENOTFOUND)
		return e;
	return MED_OK;
}

static int
is_staff(const struct med_req *req)
{
	return req->authed && req->user.role == ROLE_STAFF;
}

/* Answer status with appointment id as it now stands. */
static int
reply_appt(struct med_ctx *ctx, const char *id, int status, struct med_resp *resp)
{
	struct appt a;
	cJSON *json;
	enum med_err e;

	if ((e = appt_load(ctx, id, &a, &json)) != MED_OK)
		return med_fail(resp, e);
	return med_reply(resp, status, json, NULL);
}

SPEC(appt_create_body,
	{ "doctor_id", FT_UUID, FF_REQUIRED },
	{ "start_time", FT_DATETIME, FF_REQUIRED },
	{ "end_time", FT_DATETIME, FF_REQUIRED },
	{ "reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
	/* Rule: ADMIN and STAFF book on behalf of a named patient; a patient's own is ignored. */
	{ "patient_id", FT_UUID, FF_NULLABLE, .roles = ROLE_ADMIN | ROLE_STAFF },
);

int
h_appt_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor_id = fval_str(med_body(req, "doctor_id"));
	int64_t start = med_body(req, "start_time")->i, end = med_body(req, "end_time")->i;
	char patient_id[MED_UUID_LEN + 1], id[MED_UUID_LEN + 1];
	struct appt_verdict v;
	sqlite3_stmt *st;
	enum med_err e;

	if (req->user.role == ROLE_PATIENT) {
		if (profile_own_patient(ctx, req, patient_id, resp) != MED_OK)
			return resp->status;
	} else {
		const char *named = fval_str(med_body(req, "patient_id"));
		if (named == NULL)
			return med_error(resp, 400, "patient_id is required");
		snprintf(patient_id, sizeof patient_id, "%s", named);
	}
	if ((e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	if ((e = appt_check_booking(ctx, patient_id, doctor_id, start, end, NULL, &v)) != MED_OK)
		return med_fail(resp, e);
	if (v.status != 0)
		return med_error(resp, v.status, v.message);
	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, doctor_id);
	db_bind_text(st, 3, patient_id);
	db_bind_int(st, 4, start);
	db_bind_int(st, 5, end);
	db_bind_text(st, 6, fval_str(med_body(req, "reason")));
	db_bind_int(st, 7, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return reply_appt(ctx, id, 201, resp);
}

/*
 * A list bound: a date is clinic-local midnight starting that day, a
 * datetime is that instant.  MED_EINVAL when it is neither.
 */
static enum med_err
parse_bound(const char *s, int64_t *out)
{
	int y, m, d;

	if (strlen(s) == 10 && util_parse_date(s, &y, &m, &d) == MED_OK) {
		*out = util_local_to_utc(y, m, d, 0);
		return MED_OK;
	}
	return util_parse_instant(s, out);
}

SPEC(appt_list_query,
	FLD_PAGING,
	{ "status", FT_ENUM, 0, 0, 0, 0, 0, status_names },
	{ "from", FT_STRING, 0, 1, 64 },
	{ "to", FT_STRING, 0, 1, 64 },
);

/*
 * GET a list of owner's appointments with sql.  Filters (Rule): status,
 * from (start_time >= from) and to (start_time < to, exclusive, so
 * from=2026-12-01&to=2026-12-02 is exactly that local day); newest first.
 */
static int
list_for(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, const char *sql,
    const char *owner)
{
	const struct fval *status = med_qarg(req, "status");
	const char *from_s = fval_str(med_qarg(req, "from")), *to_s = fval_str(med_qarg(req, "to"));
	int64_t skip, limit, from = INT64_MIN, to = INT64_MAX;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	med_paging(req, &skip, &limit);
	if (from_s != NULL && parse_bound(from_s, &from) != MED_OK)
		return med_invalid(resp, "query", "from",
		    "Input should be a valid date or RFC 3339 datetime", "datetime_parsing");
	if (to_s != NULL && parse_bound(to_s, &to) != MED_OK)
		return med_invalid(resp, "query", "to",
		    "Input should be a valid date or RFC 3339 datetime", "datetime_parsing");
	if ((st = db_stmt(ctx, sql)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, owner);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, to);
	db_bind_text(st, 4, status->present ? status_names[status->i] : NULL);
	db_bind_int(st, 5, limit);
	db_bind_int(st, 6, skip);
	/* Only sent back: text straight from the rows (db.h). */
	if ((e = db_rows_raw(st, appt_cols, DB_NCOLS(appt_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

int
h_appt_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char pid[MED_UUID_LEN + 1];

	if (profile_own_patient(ctx, req, pid, resp) != MED_OK)
		return resp->status;
	return list_for(ctx, req, resp, appt_sql_list_patient, pid);
}

int
h_appt_doctor_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char did[MED_UUID_LEN + 1];

	if (profile_own_doctor(ctx, req, did, resp) != MED_OK)
		return resp->status;
	return list_for(ctx, req, resp, appt_sql_list_doctor, did);
}

/* The front desk's view of one doctor's diary (ADMIN, STAFF by the table). */
int
h_appt_of_doctor(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *did = med_path(req, "doctor_id");
	enum med_err e;

	if ((e = profile_doctor_exists(ctx, did)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	return list_for(ctx, req, resp, appt_sql_list_doctor, did);
}

int
h_appt_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	int mine_p, mine_d;
	struct appt a;
	cJSON *json;
	enum med_err e;

	if ((e = appt_load(ctx, med_path(req, "appointment_id"), &a, &json)) == MED_ENOTFOUND)
		return med_error(resp, 404, MSG_NOT_FOUND);
	if (e != MED_OK)
		return med_fail(resp, e);
	if ((e = relation(ctx, req, &a, &mine_p, &mine_d)) != MED_OK) {
		cJSON_Delete(json);
		return med_fail(resp, e);
	}
	/* Rule: owner patient, owner doctor, admin and front desk only. */
	if (!mine_p && !mine_d && !med_is_admin(req) && !is_staff(req)) {
		cJSON_Delete(json);
		return med_error(resp, 403, MSG_FORBIDDEN);
	}
	return med_ok(resp, json);
}

/*
 * Load the appointment of the path and check the caller may act on it:
 * who says which ties suffice besides admin (always) and staff (when
 * staff_ok).  Returns 1 when the caller may go on, 0 with the refusal set.
 */
static int
load_for_write(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp,
    struct appt *a, int patient_ok, int doctor_ok, int staff_ok)
{
	int mine_p, mine_d;
	enum med_err e;

	if ((e = appt_load(ctx, med_path(req, "appointment_id"), a, NULL)) == MED_ENOTFOUND) {
		med_error(resp, 404, MSG_NOT_FOUND);
		return 0;
	}
	if (e == MED_OK)
		e = relation(ctx, req, a, &mine_p, &mine_d);
	if (e != MED_OK) {
		med_fail(resp, e);
		return 0;
	}
	if (med_is_admin(req) || (staff_ok && is_staff(req)) || (patient_ok && mine_p) ||
	    (doctor_ok && mine_d))
		return 1;
	med_error(resp, 403, MSG_FORBIDDEN);
	return 0;
}

/* The reason may come in the query or the body; the route reads both. */
SPEC(appt_cancel_reason,
	{ "cancellation_reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
);

int
h_appt_cancel(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct fval *in_body = med_body(req, "cancellation_reason");
	const char *reason;
	sqlite3_stmt *st;
	struct appt a;
	enum med_err e;

	/* The body wins when both carry a reason. */
	reason = in_body->present ? fval_str(in_body) : fval_str(med_qarg(req, "cancellation_reason"));
	if (!load_for_write(ctx, req, resp, &a, 1, 1, 1))
		return resp->status;
	/* Cancelling twice is harmless: the first reason stays. */
	if (strcmp(a.status, "CANCELLED") == 0)
		return reply_appt(ctx, a.id, 200, resp);
	if (strcmp(a.status, "COMPLETED") == 0)
		return med_error(resp, 400, "Completed appointments cannot be cancelled");
	if ((st = db_stmt(ctx, SQL_CANCEL)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, a.id);
	db_bind_text(st, 2, reason);
	db_bind_int(st, 3, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return reply_appt(ctx, a.id, 200, resp);
}

SPEC(appt_reschedule_body,
	{ "start_time", FT_DATETIME, FF_NULLABLE },
	{ "end_time", FT_DATETIME, FF_NULLABLE },
);

int
h_appt_reschedule(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct fval *start = med_body(req, "start_time"), *end = med_body(req, "end_time");
	struct appt_verdict v;
	sqlite3_stmt *st;
	struct appt a;
	enum med_err e;

	if (!fval_set(start) || !fval_set(end))
		return med_error(resp, 400, "start_time and end_time required");
	/* The owner doctor may not move a visit: only the patient and the front desk. */
	if (!load_for_write(ctx, req, resp, &a, 1, 0, 1))
		return resp->status;
	if (strcmp(a.status, "SCHEDULED") != 0)
		return med_error(resp, 400, "Only scheduled appointments can be rescheduled");
	if ((e = appt_check_booking(ctx, a.patient_id, a.doctor_id, start->i, end->i, a.id, &v)) !=
	    MED_OK)
		return med_fail(resp, e);
	if (v.status != 0)
		return med_error(resp, v.status, v.message);
	if ((st = db_stmt(ctx, SQL_MOVE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, a.id);
	db_bind_int(st, 2, start->i);
	db_bind_int(st, 3, end->i);
	db_bind_int(st, 4, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return reply_appt(ctx, a.id, 200, resp);
}

SPEC(appt_status_body,
	{ "status", FT_ENUM, FF_REQUIRED, 0, 0, 0, 0, status_names },
);

int
h_appt_status(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *to = status_names[med_body(req, "status")->i];
	sqlite3_stmt *st;
	struct appt a;
	enum med_err e;

	/* Rule: only the appointment's own doctor (or an admin), not any doctor. */
	if (!load_for_write(ctx, req, resp, &a, 0, 1, 0))
		return resp->status;
	/*
	 * Rule: SCHEDULED -> COMPLETED | CANCELLED only.  Setting the current
	 * status again is refused too: it is no transition.
	 */
	if (strcmp(a.status, "SCHEDULED") != 0 || strcmp(to, "SCHEDULED") == 0)
		return med_error(resp, 400, "Invalid status transition");
	if ((st = db_stmt(ctx, SQL_SET_STATUS)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, a.id);
	db_bind_text(st, 2, to);
	db_bind_int(st, 3, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return reply_appt(ctx, a.id, 200, resp);
}
