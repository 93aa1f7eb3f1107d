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
 * The caller's ties to appointment a.  Profiles are looked up whatever the
 * role: the routing table has already said which roles may call at all.
 */
static enum med_err
relation(struct med_ctx *ctx, const struct med_req *req, const struct appt *a,
    int *is_patient, int *is_doctor)
{
	char pid[MED_UUID_LEN + 1], did[MED_UUID_LEN + 1];
	enum med_err e;

	*is_patient = *is_doctor = 0;
	e = profile_patient_of_user(ctx, req->user.id, pid);
	if (e == MED_OK)
		*is_patient = strcmp(pid, a->patient_id) == 0;
	else if (e != MED_ENOTFOUND)
		return e;
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

/* End a failed write: roll back and answer with status/message or the error. */
static int
abort_write(struct med_ctx *ctx, struct med_resp *resp, enum med_err e, int status,
    const char *message)
{
	db_rollback(ctx);
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_error(resp, status, message);
}

/* Commit and answer 200/201 with the appointment id as it now stands. */
static int
commit_reply(struct med_ctx *ctx, const char *id, int status, struct med_resp *resp)
{
	struct appt a;
	cJSON *json;
	enum med_err e;

	if ((e = appt_load(ctx, id, &a, &json)) != MED_OK) {
		db_rollback(ctx);
		return med_fail(resp, e);
	}
	if ((e = db_commit(ctx)) != MED_OK) {
		cJSON_Delete(json);
		return med_fail(resp, e);
	}
	return med_reply(resp, status, json, NULL);
}

HANDLER(h_appt_create)
{
	/* patient_id last: a PATIENT's request is validated without it (it is ignored). */
	static const struct fld specs[] = {
		{ "doctor_id", FT_UUID, FF_REQUIRED },
		{ "start_time", FT_DATETIME, FF_REQUIRED },
		{ "end_time", FT_DATETIME, FF_REQUIRED },
		{ "reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
		{ "patient_id", FT_UUID, FF_NULLABLE },
	};
	char patient_id[MED_UUID_LEN + 1], id[MED_UUID_LEN + 1];
	int own = req->user.role == ROLE_PATIENT;
	struct appt_verdict v;
	struct fval f[5];
	sqlite3_stmt *st;
	enum med_err e;

	if (valid_body(req, specs, own ? 4 : 5, f, resp) != MED_OK)
		return resp->status;
	if (own) {
		if (profile_own_patient(ctx, req, patient_id, resp) != MED_OK)
			return resp->status;
	} else {
		/* Rule: ADMIN and STAFF book on behalf of a named patient. */
		if (!f[4].present || f[4].is_null)
			return med_error(resp, 400, "patient_id is required");
		snprintf(patient_id, sizeof patient_id, "%s", f[4].s);
	}
	if ((e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if ((e = appt_check_booking(ctx, patient_id, f[0].s, f[1].i, f[2].i, NULL, &v)) != MED_OK ||
	    v.status != 0)
		return abort_write(ctx, resp, e, v.status, v.message);
	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL)
		return abort_write(ctx, resp, MED_EDB, 0, NULL);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, f[0].s);
	db_bind_text(st, 3, patient_id);
	db_bind_int(st, 4, f[1].i);
	db_bind_int(st, 5, f[2].i);
	db_bind_text(st, 6, f[3].present && !f[3].is_null ? f[3].s : NULL);
	db_bind_int(st, 7, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return abort_write(ctx, resp, e, 0, NULL);
	return commit_reply(ctx, id, 201, resp);
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

/*
 * GET a list of owner's appointments with sql.  Filters (Rule): status,
 * from (start_time >= from) and to (start_time < to, exclusive, so
 * from=2026-12-01&to=2026-12-02 is exactly that local day); newest first.
 */
static int
list_for(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, const char *sql,
    const char *owner)
{
	static const struct fld specs[] = {
		{ "status", FT_ENUM, 0, 0, 0, 0, 0, status_names },
		{ "from", FT_STRING, 0, 1, 64 },
		{ "to", FT_STRING, 0, 1, 64 },
	};
	int64_t skip, limit, from = INT64_MIN, to = INT64_MAX;
	struct fval f[3];
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	if (valid_paging(req, &skip, &limit, resp) != MED_OK ||
	    valid_query(req, specs, 3, f, resp) != MED_OK)
		return resp->status;
	if (f[1].present && parse_bound(f[1].s, &from) != MED_OK)
		return med_invalid(resp, "query", "from",
		    "Input should be a valid date or RFC 3339 datetime", "datetime_parsing");
	if (f[2].present && parse_bound(f[2].s, &to) != MED_OK)
		return med_invalid(resp, "query", "to",
		    "Input should be a valid date or RFC 3339 datetime", "datetime_parsing");
	if ((st = db_stmt(ctx, sql)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, owner);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, to);
	db_bind_text(st, 4, f[0].present ? status_names[f[0].i] : NULL);
	db_bind_int(st, 5, limit);
	db_bind_int(st, 6, skip);
	/* Only sent back: text straight from the rows (db.h). */
	if ((e = db_rows_raw(st, appt_cols, DB_NCOLS(appt_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

HANDLER(h_appt_mine)
{
	char pid[MED_UUID_LEN + 1];

	if (profile_own_patient(ctx, req, pid, resp) != MED_OK)
		return resp->status;
	return list_for(ctx, req, resp, appt_sql_list_patient, pid);
}

HANDLER(h_appt_doctor_mine)
{
	char did[MED_UUID_LEN + 1];

	if (profile_own_doctor(ctx, req, did, resp) != MED_OK)
		return resp->status;
	return list_for(ctx, req, resp, appt_sql_list_doctor, did);
}

HANDLER(h_appt_get)
{
	char id[MED_UUID_LEN + 1];
	int mine_p, mine_d;
	struct appt a;
	cJSON *json;
	enum med_err e;

	if (valid_path_uuid(req, 0, "appointment_id", id, resp) != MED_OK)
		return resp->status;
	if ((e = appt_load(ctx, id, &a, &json)) == MED_ENOTFOUND)
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
 * Load appointment id inside the open transaction and check the caller
 * may act on it: who says which ties suffice besides admin (always) and
 * staff (when staff_ok).  On refusal the transaction is rolled back and
 * the response set; returns 0 then, 1 when the caller may go on.
 */
static int
load_for_write(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp,
    const char *id, struct appt *a, int patient_ok, int doctor_ok, int staff_ok)
{
	int mine_p, mine_d;
	enum med_err e;

	if ((e = appt_load(ctx, id, a, NULL)) == MED_ENOTFOUND) {
		abort_write(ctx, resp, MED_OK, 404, MSG_NOT_FOUND);
		return 0;
	}
	if (e == MED_OK)
		e = relation(ctx, req, a, &mine_p, &mine_d);
	if (e != MED_OK) {
		abort_write(ctx, resp, e, 0, NULL);
		return 0;
	}
	if (med_is_admin(req) || (staff_ok && is_staff(req)) || (patient_ok && mine_p) ||
	    (doctor_ok && mine_d))
		return 1;
	abort_write(ctx, resp, MED_OK, 403, MSG_FORBIDDEN);
	return 0;
}

HANDLER(h_appt_cancel)
{
	static const struct fld specs[] = {
		{ "cancellation_reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
	};
	char id[MED_UUID_LEN + 1];
	const char *reason = NULL;
	struct fval bf, qf;
	sqlite3_stmt *st;
	struct appt a;
	enum med_err e;

	if (valid_path_uuid(req, 0, "appointment_id", id, resp) != MED_OK ||
	    valid_query(req, specs, 1, &qf, resp) != MED_OK ||
	    valid_body(req, specs, 1, &bf, resp) != MED_OK)
		return resp->status;
	/* The body wins when both carry a reason. */
	if (bf.present)
		reason = bf.is_null ? NULL : bf.s;
	else if (qf.present)
		reason = qf.s;
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if (!load_for_write(ctx, req, resp, id, &a, 1, 1, 1))
		return resp->status;
	/* Cancelling twice is harmless: the first reason stays. */
	if (strcmp(a.status, "CANCELLED") == 0)
		return commit_reply(ctx, id, 200, resp);
	if (strcmp(a.status, "COMPLETED") == 0)
		return abort_write(ctx, resp, MED_OK, 400, "Completed appointments cannot be cancelled");
	if ((st = db_stmt(ctx, SQL_CANCEL)) == NULL)
		return abort_write(ctx, resp, MED_EDB, 0, NULL);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, reason);
	db_bind_int(st, 3, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return abort_write(ctx, resp, e, 0, NULL);
	return commit_reply(ctx, id, 200, resp);
}

HANDLER(h_appt_reschedule)
{
	static const struct fld specs[] = {
		{ "start_time", FT_DATETIME, FF_NULLABLE },
		{ "end_time", FT_DATETIME, FF_NULLABLE },
	};
	char id[MED_UUID_LEN + 1];
	struct appt_verdict v;
	struct fval f[2];
	sqlite3_stmt *st;
	struct appt a;
	enum med_err e;

	if (valid_path_uuid(req, 0, "appointment_id", id, resp) != MED_OK ||
	    valid_body(req, specs, 2, f, resp) != MED_OK)
		return resp->status;
	if (!f[0].present || f[0].is_null || !f[1].present || f[1].is_null)
		return med_error(resp, 400, "start_time and end_time required");
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	/* The owner doctor may not move a visit: only the patient and the front desk. */
	if (!load_for_write(ctx, req, resp, id, &a, 1, 0, 1))
		return resp->status;
	if (strcmp(a.status, "SCHEDULED") != 0)
		return abort_write(ctx, resp, MED_OK, 400,
		    "Only scheduled appointments can be rescheduled");
	if ((e = appt_check_booking(ctx, a.patient_id, a.doctor_id, f[0].i, f[1].i, id, &v)) !=
	    MED_OK || v.status != 0)
		return abort_write(ctx, resp, e, v.status, v.message);
	if ((st = db_stmt(ctx, SQL_MOVE)) == NULL)
		return abort_write(ctx, resp, MED_EDB, 0, NULL);
	db_bind_text(st, 1, id);
	db_bind_int(st, 2, f[0].i);
	db_bind_int(st, 3, f[1].i);
	db_bind_int(st, 4, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return abort_write(ctx, resp, e, 0, NULL);
	return commit_reply(ctx, id, 200, resp);
}

HANDLER(h_appt_status)
{
	static const struct fld specs[] = {
		{ "status", FT_ENUM, FF_REQUIRED, 0, 0, 0, 0, status_names },
	};
	char id[MED_UUID_LEN + 1];
	const char *to;
	sqlite3_stmt *st;
	struct fval f;
	struct appt a;
	enum med_err e;

	if (valid_path_uuid(req, 0, "appointment_id", id, resp) != MED_OK ||
	    valid_body(req, specs, 1, &f, resp) != MED_OK)
		return resp->status;
	to = status_names[f.i];
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	/* Rule: only the appointment's own doctor (or an admin), not any doctor. */
	if (!load_for_write(ctx, req, resp, id, &a, 0, 1, 0))
		return resp->status;
	/*
	 * Rule: SCHEDULED -> COMPLETED | CANCELLED only.  Setting the current
	 * status again is refused too: it is no transition.
	 */
	if (strcmp(a.status, "SCHEDULED") != 0 || strcmp(to, "SCHEDULED") == 0)
		return abort_write(ctx, resp, MED_OK, 400, "Invalid status transition");
	if ((st = db_stmt(ctx, SQL_SET_STATUS)) == NULL)
		return abort_write(ctx, resp, MED_EDB, 0, NULL);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, to);
	db_bind_int(st, 3, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return abort_write(ctx, resp, e, 0, NULL);
	return commit_reply(ctx, id, 200, resp);
}
