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
#include <stdlib.h>
#include <string.h>

#include "appointments.h"
#include "appt_events.h"
#include "auth.h"
#include "closures.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "services.h"
#include "settings.h"
#include "util.h"
#include "valid.h"
#include "waitlist.h"

#define REASON_MAX 500

#define MSG_NOT_FOUND "Appointment not found"
#define MSG_FORBIDDEN "Forbidden"

#define APPT_COLUMNS \
    "id, doctor_id, patient_id, start_time, end_time, reason, status," \
    " cancellation_reason, created_at, updated_at, service_id, series_id, buffer_before," \
    " buffer_after"

/*
 * Overlap of half-open intervals: a.start < new.end AND new.start < a.end,
 * so back-to-back appointments do not collide.  "id <> ?4" leaves out the
 * appointment being rescheduled (a fresh booking binds "").  No visit
 * reaches further than APPT_REACH past its start, which bounds the index
 * range below: the check walks the few visits of the last hours, never
 * years of history, nor a whole day of back-to-back visits.
 *
 * The doctor is busy for a visit's buffers too: a visit occupies
 * [start_time - buffer_before, end_time + buffer_after), and ?2, ?3 are
 * the new visit's occupied span, so buffers count both ways.  A buffer
 * before is at most 7200 s, which widens the range above by that much.
 */
const char appt_sql_doctor_overlap[] =
    "SELECT 1 FROM appointments WHERE doctor_id = ?1 AND status IN ('SCHEDULED', 'ARRIVED')"
    " AND start_time > ?2 - " APPT_REACH " AND start_time < ?3 + 7200"
    " AND start_time - buffer_before < ?3 AND end_time + buffer_after > ?2 AND id <> ?4"
    " LIMIT 1";
/* A patient's own time is the visit itself: buffers are the doctor's. */
const char appt_sql_patient_overlap[] =
    "SELECT 1 FROM appointments WHERE patient_id = ?1 AND status IN ('SCHEDULED', 'ARRIVED')"
    " AND start_time > ?2 - " APPT_REACH " AND start_time < ?3 AND end_time > ?2 AND id <> ?4"
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
    " status, cancellation_reason, created_at, updated_at, service_id, buffer_before,"
    " buffer_after, series_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'SCHEDULED', NULL, ?7, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_CANCEL[] =
    "UPDATE appointments SET status = 'CANCELLED', cancellation_reason = ?2,"
    " updated_at = ?3 WHERE id = ?1 AND status = 'SCHEDULED'";
static const char SQL_MOVE[] =
    "UPDATE appointments SET start_time = ?2, end_time = ?3, updated_at = ?4"
    " WHERE id = ?1 AND status = 'SCHEDULED'";
static const char SQL_SET_STATUS[] =
    "UPDATE appointments SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status = ?4";
static const char SQL_COUNT_NO_SHOW[] =
    "UPDATE patients SET no_show_count = no_show_count + 1 WHERE id = ?1";
static const char SQL_NO_SHOWS[] = "SELECT no_show_count FROM patients WHERE id = ?1";

/* ARRIVED and NO_SHOW came later: appended, so the older names keep their order. */
static const char *const status_names[] = {
	"SCHEDULED", "COMPLETED", "CANCELLED", "ARRIVED", "NO_SHOW", NULL,
};

/* The columns of one appointment that the rules look at. */
struct appt {
	char id[MED_UUID_LEN + 1];
	char doctor_id[MED_UUID_LEN + 1];
	char patient_id[MED_UUID_LEN + 1];
	int64_t start, end;
	int64_t buffer_before, buffer_after;
	char status[16];
};

/* The columns of APPT_COLUMNS, in order. */
static const struct db_col appt_cols[] = {
	{ "id", DB_TEXT }, { "doctor_id", DB_TEXT }, { "patient_id", DB_TEXT },
	{ "start_time", DB_INSTANT }, { "end_time", DB_INSTANT }, { "reason", DB_TEXT },
	{ "status", DB_TEXT }, { "cancellation_reason", DB_TEXT },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT }, { "service_id", DB_TEXT },
	{ "series_id", DB_TEXT }, { "buffer_before", DB_SKIP }, { "buffer_after", DB_SKIP },
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
	a->buffer_before = sqlite3_column_int64(st, 12);
	a->buffer_after = sqlite3_column_int64(st, 13);
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

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, owner);
	db_bind_int(st, 2, start);
	db_bind_int(st, 3, end);
	db_bind_text(st, 4, exclude_id != NULL ? exclude_id : "");
	return db_step_found(st);
}

int
appt_in_window(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end)
{
	int y, m, d, wd, secs, ey, em, ed, ewd, esecs;
	sqlite3_stmt *st;

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
	return db_step_found(st);
}

static enum med_err
refuse(struct appt_verdict *v, int status, const char *message)
{
	v->status = status;
	v->message = message;
	return MED_OK;
}

/*
 * The minimum notice (waived for bookings on behalf) and the booking
 * horizon of the doctor, in whole minutes and days from now.
 */
static enum med_err
check_notice(struct med_ctx *ctx, const struct appt_booking *b, struct appt_verdict *v)
{
	int64_t notice, horizon, now = med_now(ctx);
	enum med_err e;

	if ((e = settings_for_doctor(ctx, b->doctor_id, &notice, &horizon)) != MED_OK)
		return e;
	if (!b->on_behalf && b->start < now + notice * 60)
		return refuse(v, 400, "Too soon: the minimum notice for booking is not met");
	if (b->start > now + horizon * 86400)
		return refuse(v, 400, "Too far ahead: the start is beyond the booking horizon");
	return MED_OK;
}

enum med_err
appt_check_booking(struct med_ctx *ctx, const struct appt_booking *b, struct appt_verdict *v)
{
	enum med_err e;
	int r;

	v->status = 0;
	v->message = NULL;
	if ((e = profile_patient_exists(ctx, b->patient_id)) == MED_ENOTFOUND)
		return refuse(v, 404, "Patient not found");
	if (e != MED_OK)
		return e;
	if ((e = profile_doctor_exists(ctx, b->doctor_id)) == MED_ENOTFOUND)
		return refuse(v, 404, "Doctor not found");
	if (e != MED_OK)
		return e;
	if (b->end <= b->start)
		return refuse(v, 400, "end_time must be after start_time");
	if (b->start < med_now(ctx))
		return refuse(v, 400, "Cannot book an appointment in the past");
	if ((e = check_notice(ctx, b, v)) != MED_OK || v->status != 0)
		return e;
	if ((r = closure_holiday(ctx, b->start)) < 0)
		return MED_EDB;
	if (r == 1)
		return refuse(v, 400, "The clinic is closed on that day");
	if ((r = closure_time_off(ctx, b->doctor_id, b->start, b->end)) < 0)
		return MED_EDB;
	if (r == 1)
		return refuse(v, 400, "Doctor is unavailable");
	if ((r = appt_in_window(ctx, b->doctor_id, b->start, b->end)) < 0)
		return MED_EDB;
	if (r == 0)
		return refuse(v, 400, "Requested time is outside doctor's availability");
	if ((r = overlaps(ctx, appt_sql_doctor_overlap, b->doctor_id, b->start - b->buffer_before,
	    b->end + b->buffer_after, b->exclude_id)) < 0)
		return MED_EDB;
	if (r == 1)
		return refuse(v, 409, "Doctor is not available at the requested time");
	if ((r = waitlist_held(ctx, b->doctor_id, b->start - b->buffer_before,
	    b->end + b->buffer_after, b->accepting_offer_id)) < 0)
		return MED_EDB;
	if (r == 1)
		return refuse(v, 409, "The requested time is held for a patient on the waitlist");
	if ((r = overlaps(ctx, appt_sql_patient_overlap, b->patient_id, b->start, b->end,
	    b->exclude_id)) < 0)
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
	/* Required unless service_id is given (then start + the service's length). */
	{ "end_time", FT_DATETIME, 0 },
	{ "reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
	/* Rule: ADMIN and STAFF book on behalf of a named patient; a patient's own is ignored. */
	{ "patient_id", FT_UUID, FF_NULLABLE, .roles = ROLE_ADMIN | ROLE_STAFF },
	{ "service_id", FT_UUID, FF_NULLABLE },
);

/*
 * Fill b's length and buffers from the service of the body, when one is
 * named: it must be an active service of the booked doctor, and an
 * end_time sent beside it must be start + its duration.  Without one the
 * visit is the end_time sent, with no buffers.  0 with the refusal set.
 */
int
appt_take_service(struct med_ctx *ctx, const char *service_id, const struct fval *end,
    struct appt_booking *b, struct med_resp *resp)
{
	struct service s;
	enum med_err e;

	b->service_id = service_id;
	b->buffer_before = b->buffer_after = 0;
	if (service_id == NULL) {
		if (!fval_set(end)) {
			med_invalid(resp, "body", "end_time", "Field required", "missing");
			return 0;
		}
		b->end = end->i;
		return 1;
	}
	if ((e = service_load(ctx, service_id, &s)) == MED_ENOTFOUND ||
	    (e == MED_OK && (strcmp(s.doctor_id, b->doctor_id) != 0 || !s.is_active))) {
		med_error(resp, 404, "Service not found");
		return 0;
	}
	if (e != MED_OK) {
		med_fail(resp, e);
		return 0;
	}
	if (fval_set(end) && end->i != b->start + s.duration_minutes * 60LL) {
		med_error(resp, 400, "end_time must be start_time plus the service's duration");
		return 0;
	}
	b->end = b->start + s.duration_minutes * 60LL;
	b->buffer_before = s.buffer_before_minutes * 60LL;
	b->buffer_after = s.buffer_after_minutes * 60LL;
	return 1;
}

/*
 * The patient a booking is for: the caller's own profile for a patient,
 * the named patient_id for ADMIN and STAFF.  0 with the refusal set.
 */
int
appt_booking_patient(struct med_ctx *ctx, struct med_req *req, char patient_id[MED_UUID_LEN + 1],
    struct med_resp *resp)
{
	const char *named;

	if (req->user.role == ROLE_PATIENT)
		return profile_own_patient(ctx, req, patient_id, resp) == MED_OK;
	if ((named = fval_str(med_body(req, "patient_id"))) == NULL) {
		med_error(resp, 400, "patient_id is required");
		return 0;
	}
	snprintf(patient_id, MED_UUID_LEN + 1, "%s", named);
	return 1;
}

enum med_err
appt_insert(struct med_ctx *ctx, const char *id, const struct appt_booking *b, const char *reason)
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, b->doctor_id);
	db_bind_text(st, 3, b->patient_id);
	db_bind_int(st, 4, b->start);
	db_bind_int(st, 5, b->end);
	db_bind_text(st, 6, reason);
	db_bind_int(st, 7, med_now(ctx));
	db_bind_text(st, 8, b->service_id);
	db_bind_int(st, 9, b->buffer_before);
	db_bind_int(st, 10, b->buffer_after);
	db_bind_text(st, 11, b->series_id);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	return appt_changed(ctx, &(struct appt_change){ .kind = APPT_BOOKED, .appointment_id = id,
	    .doctor_id = b->doctor_id, .patient_id = b->patient_id,
	    .actor_user_id = b->actor_user_id });
}

/*
 * The booking a POST body asks for (single or series): doctor, start,
 * patient (own or named by ADMIN/STAFF), service length and buffers, with
 * the no-show rule.  0 with the refusal set in resp.
 */
static int
booking_from_body(struct med_ctx *ctx, struct med_req *req, struct appt_booking *b,
    char patient_id[MED_UUID_LEN + 1], struct med_resp *resp)
{
	b->doctor_id = fval_str(med_body(req, "doctor_id"));
	b->start = med_body(req, "start_time")->i;
	b->patient_id = patient_id;
	b->on_behalf = req->user.role != ROLE_PATIENT;
	b->actor_user_id = req->user.id;
	return appt_booking_patient(ctx, req, patient_id, resp) &&
	    appt_self_booking_allowed(ctx, b, resp) &&
	    appt_take_service(ctx, fval_str(med_body(req, "service_id")), med_body(req, "end_time"),
	    b, resp);
}

int
h_appt_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char patient_id[MED_UUID_LEN + 1], id[MED_UUID_LEN + 1];
	struct appt_booking b = { 0 };
	enum med_err e;

	if (!booking_from_body(ctx, req, &b, patient_id, resp))
		return resp->status;
	if ((e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	return appt_book(ctx, &b, id, fval_str(med_body(req, "reason")), resp);
}

int
appt_book(struct med_ctx *ctx, const struct appt_booking *b, const char *id, const char *reason,
    struct med_resp *resp)
{
	struct appt_verdict v;
	enum med_err e;

	if ((e = appt_check_booking(ctx, b, &v)) != MED_OK)
		return med_fail(resp, e);
	if (v.status != 0)
		return med_error(resp, v.status, v.message);
	if ((e = appt_insert(ctx, id, b, reason)) != MED_OK)
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

/* Tell appt_changed() that the caller changed visit a (as it was before). */
static enum med_err
tell_change(struct med_ctx *ctx, const struct med_req *req, const struct appt *a,
    enum appt_change_kind kind, const char *new_status)
{
	return appt_changed(ctx, &(struct appt_change){ .kind = kind, .appointment_id = a->id,
	    .doctor_id = a->doctor_id, .patient_id = a->patient_id, .old_start = a->start,
	    .old_end = a->end, .old_status = a->status, .new_status = new_status,
	    .actor_user_id = req->user.id });
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
	if (strcmp(a.status, "SCHEDULED") != 0)
		return med_error(resp, 400, "Only scheduled appointments can be cancelled");
	if ((st = db_stmt(ctx, SQL_CANCEL)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, a.id);
	db_bind_text(st, 2, reason);
	db_bind_int(st, 3, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK || (e = tell_change(ctx, req, &a, APPT_CANCELLED,
	    "CANCELLED")) != MED_OK)
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
	struct appt_booking b = { 0 };
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
	/* The visit keeps the buffers it was booked with. */
	b.patient_id = a.patient_id;
	b.doctor_id = a.doctor_id;
	b.start = start->i;
	b.end = end->i;
	b.buffer_before = a.buffer_before;
	b.buffer_after = a.buffer_after;
	b.exclude_id = a.id;
	b.on_behalf = req->user.role != ROLE_PATIENT;
	if ((e = appt_check_booking(ctx, &b, &v)) != MED_OK)
		return med_fail(resp, e);
	if (v.status != 0)
		return med_error(resp, v.status, v.message);
	if ((st = db_stmt(ctx, SQL_MOVE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, a.id);
	db_bind_int(st, 2, start->i);
	db_bind_int(st, 3, end->i);
	db_bind_int(st, 4, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = tell_change(ctx, req, &a, APPT_MOVED, NULL)) != MED_OK)
		return med_fail(resp, e);
	return reply_appt(ctx, a.id, 200, resp);
}

SPEC(appt_status_body,
	{ "status", FT_ENUM, FF_REQUIRED, 0, 0, 0, 0, status_names },
);

/* One allowed status change. */
struct transition {
	const char *from, *to;
};

/*
 * Rule: check-in, completion, no-show and the doctor's cancellation.
 * Setting the current status again is no transition.
 */
static const struct transition transitions[] = {
	{ "SCHEDULED", "ARRIVED" },
	{ "ARRIVED", "COMPLETED" },
	{ "SCHEDULED", "COMPLETED" },
	{ "SCHEDULED", "NO_SHOW" },
	{ "SCHEDULED", "CANCELLED" },
};

static int
transition_allowed(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
		if (strcmp(transitions[i].from, from) == 0 && strcmp(transitions[i].to, to) == 0)
			return 1;
	return 0;
}

/* A no-show counts against the patient (max_no_shows in the settings). */
static enum med_err
count_no_show(struct med_ctx *ctx, const char *patient_id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(ctx, SQL_COUNT_NO_SHOW)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, patient_id);
	return db_step_done(st);
}

int
h_appt_status(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *to = status_names[med_body(req, "status")->i];
	sqlite3_stmt *st;
	struct appt a;
	enum med_err e;
	/* Rule: the owner doctor and admins make every change; the front desk checks in and out. */
	int staff_ok = strcmp(to, "ARRIVED") == 0 || strcmp(to, "NO_SHOW") == 0;

	if (!load_for_write(ctx, req, resp, &a, 0, 1, staff_ok))
		return resp->status;
	if (!transition_allowed(a.status, to))
		return med_error(resp, 400, "Invalid status transition");
	if (strcmp(to, "NO_SHOW") == 0 && med_now(ctx) < a.start)
		return med_error(resp, 400, "A visit can be marked NO_SHOW only after its start time");
	if ((st = db_stmt(ctx, SQL_SET_STATUS)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, a.id);
	db_bind_text(st, 2, to);
	db_bind_int(st, 3, med_now(ctx));
	db_bind_text(st, 4, a.status);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = tell_change(ctx, req, &a, APPT_STATUS, to)) != MED_OK)
		return med_fail(resp, e);
	if (strcmp(to, "NO_SHOW") == 0 && (e = count_no_show(ctx, a.patient_id)) != MED_OK)
		return med_fail(resp, e);
	return reply_appt(ctx, a.id, 200, resp);
}

/*
 * Rule: a patient who reached the clinic's max_no_shows (when > 0) no
 * longer books for themself: 0 with 403 set.  Bookings on behalf pass.
 */
int
appt_self_booking_allowed(struct med_ctx *ctx, const struct appt_booking *b,
    struct med_resp *resp)
{
	struct clinic_settings cs;
	char count[24];
	enum med_err e;

	if (b->on_behalf)
		return 1;
	if ((e = settings_load(ctx, &cs)) != MED_OK ||
	    (cs.max_no_shows > 0 &&
	    (e = db_lookup(ctx, SQL_NO_SHOWS, b->patient_id, 0, count, sizeof count)) != MED_OK)) {
		med_fail(resp, e);
		return 0;
	}
	if (cs.max_no_shows > 0 && strtoll(count, NULL, 10) >= cs.max_no_shows) {
		med_error(resp, 403, "Too many missed appointments: the front desk must book for you");
		return 0;
	}
	return 1;
}

/* ---- recurring series ------------------------------------------------ */

#define SERIES_MIN 2
#define SERIES_MAX 52

static const char SQL_SERIES_FIRST[] =
    "SELECT " APPT_COLUMNS " FROM appointments WHERE series_id = ?1 ORDER BY start_time LIMIT 1";
/* The series' visits still to cancel, through the series index. */
static const char SQL_SERIES_CANCEL[] =
    "UPDATE appointments SET status = 'CANCELLED', cancellation_reason = ?3, updated_at = ?4"
    " WHERE series_id = ?1 AND status = 'SCHEDULED' AND start_time >= ?2 RETURNING id";

static const char *const frequencies[] = { "WEEKLY", "BIWEEKLY", "MONTHLY", NULL };
enum { FREQ_WEEKLY, FREQ_BIWEEKLY, FREQ_MONTHLY };

SPEC(appt_series_body,
	{ "doctor_id", FT_UUID, FF_REQUIRED },
	{ "start_time", FT_DATETIME, FF_REQUIRED },
	{ "end_time", FT_DATETIME, 0 },
	{ "frequency", FT_ENUM, FF_REQUIRED, 0, 0, 0, 0, frequencies },
	{ "count", FT_INT, FF_REQUIRED, SERIES_MIN, SERIES_MAX },
	{ "reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
	{ "patient_id", FT_UUID, FF_NULLABLE, .roles = ROLE_ADMIN | ROLE_STAFF },
	{ "service_id", FT_UUID, FF_NULLABLE },
);

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * Occurrence k of a series starting at first: the same clinic-local wall
 * time k weeks, fortnights or months later, so 10:00 stays 10:00 across
 * DST changes.  0 when that month has no such day (a 31st).
 */
static int
occurrence(int64_t first, int freq, int k, int64_t *start)
{
	int y, m, d, secs;

	util_utc_to_local(first, &y, &m, &d, NULL, &secs);
	if (freq == FREQ_MONTHLY) {
		int months = (m - 1) + k;
		y += months / 12;
		m = months % 12 + 1;
		if (d > days_in_month(y, m))
			return 0;
	} else {
		util_add_days(&y, &m, &d, k * (freq == FREQ_WEEKLY ? 7 : 14));
	}
	*start = util_local_to_utc(y, m, d, secs);
	return 1;
}

/* Add occurrence k at start, refused with status and reason, to failures. */
static enum med_err
add_failure(cJSON *failures, int k, int64_t start, int64_t end, int status, const char *reason)
{
	char a[32], b[32];
	cJSON *o;

	util_fmt_instant(start, a);
	util_fmt_instant(end, b);
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(o, "index", k) == NULL ||
	    cJSON_AddStringToObject(o, "start_time", a) == NULL ||
	    cJSON_AddStringToObject(o, "end_time", b) == NULL ||
	    cJSON_AddNumberToObject(o, "status", status) == NULL ||
	    cJSON_AddStringToObject(o, "reason", reason) == NULL ||
	    !cJSON_AddItemToArray(failures, o)) {
		cJSON_Delete(o);
		return MED_ENOMEM;
	}
	return MED_OK;
}

/*
 * Check and insert every occurrence of b's series in turn (each checked
 * against those before it); the failures go to failures with their
 * reasons, the created appointments to booked, and *worst is 0 when all
 * passed, else the status to answer (409 over 400).  A missing patient
 * or doctor fails them all alike: *fatal is set to that verdict.  The
 * route's transaction is rolled back unless every occurrence passed.
 */
static enum med_err
book_series(struct med_ctx *ctx, struct appt_booking *b, int freq, int count,
    const char *reason, cJSON *booked, cJSON *failures, int *worst, struct appt_verdict *fatal)
{
	int64_t first = b->start, len = b->end - b->start;
	char id[MED_UUID_LEN + 1];
	struct appt_verdict v;
	struct appt a;
	cJSON *json;
	enum med_err e;

	*worst = 0;
	for (int k = 0; k < count; k++) {
		if (!occurrence(first, freq, k, &b->start)) {
			if ((e = add_failure(failures, k, first, first + len, 400,
			    "No such day in that month")) != MED_OK)
				return e;
			*worst = *worst ? *worst : 400;
			continue;
		}
		b->end = b->start + len;
		if ((e = appt_check_booking(ctx, b, &v)) != MED_OK)
			return e;
		if (v.status == 404) {
			*fatal = v;
			*worst = 404;
			return MED_OK;
		}
		if (v.status != 0) {
			if ((e = add_failure(failures, k, b->start, b->end, v.status, v.message)) != MED_OK)
				return e;
			/* A conflict says more than a rule: 409 wins. */
			if (*worst != 409)
				*worst = v.status;
			continue;
		}
		if ((e = util_uuid4(id)) != MED_OK || (e = appt_insert(ctx, id, b, reason)) != MED_OK ||
		    (e = appt_load(ctx, id, &a, &json)) != MED_OK)
			return e;
		if (!cJSON_AddItemToArray(booked, json)) {
			cJSON_Delete(json);
			return MED_ENOMEM;
		}
	}
	return MED_OK;
}

int
h_appt_series(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char patient_id[MED_UUID_LEN + 1], series_id[MED_UUID_LEN + 1];
	struct appt_booking b = { 0 };
	struct appt_verdict fatal = { 0 };
	cJSON *out = NULL, *booked = NULL, *failures = NULL;
	enum med_err e;
	int worst = 0;

	b.series_id = series_id;
	if (!booking_from_body(ctx, req, &b, patient_id, resp))
		return resp->status;
	if ((e = util_uuid4(series_id)) != MED_OK)
		return med_fail(resp, e);
	if ((out = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(out, "series_id", series_id) == NULL ||
	    (booked = cJSON_AddArrayToObject(out, "appointments")) == NULL ||
	    (failures = cJSON_CreateArray()) == NULL)
		e = MED_ENOMEM;
	else
		e = book_series(ctx, &b, (int)med_body(req, "frequency")->i,
		    (int)med_body(req, "count")->i, fval_str(med_body(req, "reason")), booked,
		    failures, &worst, &fatal);
	if (e == MED_OK && worst == 0) {
		cJSON_Delete(failures);
		return med_reply(resp, 201, out, NULL);
	}
	cJSON_Delete(out);
	if (e != MED_OK || fatal.status != 0) {
		cJSON_Delete(failures);
		return e != MED_OK ? med_fail(resp, e) : med_error(resp, fatal.status, fatal.message);
	}
	/* Not 2xx: dispatch rolls back every occurrence inserted before the failures. */
	if ((out = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToObject(out, "failures", failures)) {
		cJSON_Delete(out);
		cJSON_Delete(failures);
		return med_fail(resp, MED_ENOMEM);
	}
	return med_reply(resp, worst, out, "Series not booked: see failures");
}

/* The reason may come in the body only. */
SPEC(appt_series_cancel_body,
	{ "from", FT_DATETIME, 0 },
	{ "cancellation_reason", FT_STRING, FF_NULLABLE, 0, REASON_MAX },
);

/* Tell appt_changed() of each visit of ids, cancelled by the caller (all were SCHEDULED). */
static enum med_err
tell_series_cancelled(struct med_ctx *ctx, const struct med_req *req, const cJSON *ids)
{
	const cJSON *id;
	struct appt a;
	enum med_err e;

	cJSON_ArrayForEach(id, ids) {
		if ((e = appt_load(ctx, id->valuestring, &a, NULL)) != MED_OK)
			return e;
		snprintf(a.status, sizeof a.status, "SCHEDULED");
		if ((e = tell_change(ctx, req, &a, APPT_CANCELLED, "CANCELLED")) != MED_OK)
			return e;
	}
	return MED_OK;
}

/*
 * Cancel the SCHEDULED occurrences of a series starting at or after
 * `from` (default now); those before, and those already checked in or
 * done, stay.  Who may: as for cancelling one of them.
 */
int
h_appt_series_cancel(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *series_id = med_path(req, "series_id");
	const struct fval *from = med_body(req, "from");
	struct appt_dest d;
	sqlite3_stmt *st;
	struct appt a;
	cJSON *out, *ids;
	enum med_err e;
	int mine_p, mine_d, rc;

	d.a = &a;
	d.json = NULL;
	if ((e = db_first(ctx, SQL_SERIES_FIRST, series_id, appt_row, &d)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Series not found");
	if (e == MED_OK)
		e = relation(ctx, req, &a, &mine_p, &mine_d);
	if (e != MED_OK)
		return med_fail(resp, e);
	if (!med_is_admin(req) && !is_staff(req) && !mine_p && !mine_d)
		return med_error(resp, 403, MSG_FORBIDDEN);
	if ((st = db_stmt(ctx, SQL_SERIES_CANCEL)) == NULL)
		return med_fail(resp, MED_EDB);
	if ((out = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(out, "series_id", series_id) == NULL ||
	    (ids = cJSON_AddArrayToObject(out, "cancelled")) == NULL) {
		cJSON_Delete(out);
		return med_fail(resp, MED_ENOMEM);
	}
	db_bind_text(st, 1, series_id);
	db_bind_int(st, 2, from->present ? from->i : med_now(ctx));
	db_bind_text(st, 3, fval_str(med_body(req, "cancellation_reason")));
	db_bind_int(st, 4, med_now(ctx));
	e = MED_OK;
	while (e == MED_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!cJSON_AddItemToArray(ids,
		    cJSON_CreateString((const char *)sqlite3_column_text(st, 0))))
			e = MED_ENOMEM;
	sqlite3_reset(st);
	if (e == MED_OK && rc != SQLITE_DONE)
		e = db_err(rc);
	if (e == MED_OK)
		e = tell_series_cancelled(ctx, req, ids);
	if (e != MED_OK) {
		cJSON_Delete(out);
		return med_fail(resp, e);
	}
	return med_ok(resp, out);
}
