/*
 * waitlist.c - /waitlist (waitlist.h): entries, the offers of freed
 * intervals, their acceptance, decline and expiry.
 *
 * Everything here runs inside the transaction of the request or of the
 * change that causes it: an offer exists exactly when the cancellation
 * that freed its interval committed, and two cancellations racing for the
 * same queue are serialised by the write lock, so no entry is offered two
 * intervals and no interval two entries.
 */
#include <stdio.h>
#include <string.h>

#include "appointments.h"
#include "appt_events.h"
#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "notifications.h"
#include "notify.h"
#include "outbox.h"
#include "profiles.h"
#include "services.h"
#include "settings.h"
#include "template.h"
#include "util.h"
#include "valid.h"
#include "waitlist.h"

#define OFFER_KIND "waitlist_offer"
/* One expiry pass passes on at most this many holds: a pass always ends. */
#define EXPIRE_MAX 500

/* A visit lies inside one local day: one starting 25 hours before ?2 cannot reach it. */
const char waitlist_sql_held[] =
    "SELECT start_time, end_time FROM waitlist_offers WHERE doctor_id = ?1 AND status = 'HELD'"
    " AND start_time > ?2 - 90000 AND start_time < ?3 AND end_time > ?2 AND hold_until > ?4"
    " AND id <> ?5";

#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"
/*
 * An entry with its latest offer (null when none).  A hold past its
 * hold_until reads as EXPIRED (?2 = now) before waitlist_expire() writes it.
 */
#define ENTRY_SELECT \
    "SELECT e.id, e.patient_id, e.doctor_id, e.service_id, e.from_date, e.to_date, e.status," \
    " e.created_at, (SELECT json_object('id', o.id, 'start_time', " ISO("o.start_time") "," \
    " 'end_time', " ISO("o.end_time") ", 'hold_until', " ISO("o.hold_until") "," \
    " 'status', CASE WHEN o.status = 'HELD' AND o.hold_until <= ?2 THEN 'EXPIRED'" \
    " ELSE o.status END) FROM waitlist_offers o WHERE o.entry_id = e.id" \
    " ORDER BY o.created_at DESC, o.rowid DESC LIMIT 1) FROM waitlist_entries e"

static const char SQL_GET[] = ENTRY_SELECT " WHERE e.id = ?1";
static const char SQL_MINE[] = ENTRY_SELECT " WHERE e.patient_id = ?1"
    " ORDER BY e.created_at DESC, e.id LIMIT ?3 OFFSET ?4";
/* The doctor's queue in the order it is served. */
static const char SQL_OF_DOCTOR[] = ENTRY_SELECT " WHERE e.doctor_id = ?1"
    " AND (?5 IS NULL OR e.status = ?5) ORDER BY e.created_at, e.id LIMIT ?3 OFFSET ?4";
static const char SQL_INSERT[] =
    "INSERT INTO waitlist_entries (id, patient_id, doctor_id, service_id, from_date, to_date,"
    " status, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'WAITING', ?7, ?8)";
static const char SQL_ENTRY_OWNER[] =
    "SELECT patient_id, status FROM waitlist_entries WHERE id = ?1";
static const char SQL_SET_ENTRY[] = "UPDATE waitlist_entries SET status = ?2 WHERE id = ?1";
/*
 * The queue for an interval starting on local date ?2: earliest first,
 * never the patient who freed it (?3), nor an entry offered it before.
 */
const char waitlist_sql_queue[] =
    "SELECT e.id, e.patient_id, e.service_id FROM waitlist_entries e"
    " WHERE e.doctor_id = ?1 AND e.status = 'WAITING' AND e.from_date <= ?2 AND e.to_date >= ?2"
    " AND e.patient_id <> ?3 AND NOT EXISTS (SELECT 1 FROM waitlist_offers o"
    " WHERE o.entry_id = e.id AND o.start_time = ?4 AND o.end_time = ?5)"
    " ORDER BY e.created_at, e.id";
static const char SQL_OFFER_INSERT[] =
    "INSERT INTO waitlist_offers (id, entry_id, doctor_id, service_id, start_time, end_time,"
    " hold_until, status, freed_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'HELD', ?8, ?9)";
#define OFFER_SELECT \
    "SELECT o.id, o.entry_id, o.doctor_id, o.service_id, o.start_time, o.end_time," \
    " o.hold_until, o.status, o.freed_by, e.patient_id FROM waitlist_offers o" \
    " JOIN waitlist_entries e ON e.id = o.entry_id"
static const char SQL_OFFER_GET[] = OFFER_SELECT " WHERE o.id = ?1";
static const char SQL_OFFER_OF_ENTRY[] = OFFER_SELECT " WHERE o.entry_id = ?1 AND o.status = 'HELD'";
static const char SQL_OFFER_DUE[] = OFFER_SELECT
    " WHERE o.status = 'HELD' AND o.hold_until <= ?1 ORDER BY o.hold_until LIMIT 1";
static const char SQL_OFFER_END[] =
    "UPDATE waitlist_offers SET status = ?2, appointment_id = ?3 WHERE id = ?1 AND status = 'HELD'";
static const char SQL_ENTRIES_PAST[] =
    "UPDATE waitlist_entries SET status = 'EXPIRED' WHERE status = 'WAITING' AND to_date < ?1";
/* Where and how to tell a patient, and the doctor's name for the message. */
static const char SQL_CONTACT[] =
    "SELECT u.email, coalesce(u.locale, ''), (SELECT " NOTIFY_SQL_DOCTOR_NAME
    " FROM doctors d WHERE d.id = ?2)"
    " , u.id FROM patients p JOIN users u ON u.id = p.user_id WHERE p.id = ?1";

static const char *const entry_statuses[] = {
	"WAITING", "OFFERED", "BOOKED", "REMOVED", "EXPIRED", NULL,
};

static const struct db_col entry_cols[] = {
	{ "id", DB_TEXT }, { "patient_id", DB_TEXT }, { "doctor_id", DB_TEXT },
	{ "service_id", DB_TEXT }, { "from_date", DB_TEXT }, { "to_date", DB_TEXT },
	{ "status", DB_TEXT }, { "created_at", DB_INSTANT }, { "offer", DB_JSON_OBJECT },
};

struct offer {
	char id[MED_UUID_LEN + 1], entry_id[MED_UUID_LEN + 1], doctor_id[MED_UUID_LEN + 1];
	char service_id[MED_UUID_LEN + 1];  /* "" when the entry named none */
	char freed_by[MED_UUID_LEN + 1], patient_id[MED_UUID_LEN + 1];
	int64_t start, end, hold_until;
	char status[16];
};

/* Step st (bound) once into *o; MED_ENOTFOUND when there is no row. */
static enum med_err
offer_step(sqlite3_stmt *st, struct offer *o)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		db_col_copy(st, 0, o->id, sizeof o->id);
		db_col_copy(st, 1, o->entry_id, sizeof o->entry_id);
		db_col_copy(st, 2, o->doctor_id, sizeof o->doctor_id);
		db_col_copy(st, 3, o->service_id, sizeof o->service_id);
		o->start = sqlite3_column_int64(st, 4);
		o->end = sqlite3_column_int64(st, 5);
		o->hold_until = sqlite3_column_int64(st, 6);
		db_col_copy(st, 7, o->status, sizeof o->status);
		db_col_copy(st, 8, o->freed_by, sizeof o->freed_by);
		db_col_copy(st, 9, o->patient_id, sizeof o->patient_id);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return MED_OK;
	return rc == SQLITE_DONE ? MED_ENOTFOUND : db_err(rc);
}

/* The offer sql finds with ?1 = key. */
static enum med_err
offer_load(struct med_ctx *ctx, const char *sql, const char *key, struct offer *o)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, key);
	return offer_step(st, o);
}

int
waitlist_held(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end,
    const char *except_offer_id)
{
	sqlite3_stmt *st = db_stmt(ctx, waitlist_sql_held);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, doctor_id);
	db_bind_int(st, 2, start);
	db_bind_int(st, 3, end);
	db_bind_int(st, 4, med_now(ctx));
	db_bind_text(st, 5, except_offer_id != NULL ? except_offer_id : "");
	return db_step_found(st);
}

/*
 * The visit patient would book in the interval [start, end) of doctor:
 * with service_id ("" none) it starts at start and lasts the service,
 * with its buffers (MED_ENOTFOUND when the service is gone, inactive or
 * longer than the interval); without, it is the whole interval.
 */
static enum med_err
offer_booking(struct med_ctx *ctx, const char *service_id, const char *patient_id,
    const char *doctor_id, int64_t start, int64_t end, struct appt_booking *b)
{
	struct service s;
	enum med_err e;

	memset(b, 0, sizeof *b);
	b->patient_id = patient_id;
	b->doctor_id = doctor_id;
	b->start = start;
	b->end = end;
	if (service_id[0] == '\0')
		return MED_OK;
	if ((e = service_load(ctx, service_id, &s)) != MED_OK)
		return e;
	if (strcmp(s.doctor_id, doctor_id) != 0 || !s.is_active ||
	    start + s.duration_minutes * 60LL > end)
		return MED_ENOTFOUND;
	b->service_id = service_id;
	b->end = start + s.duration_minutes * 60LL;
	b->buffer_before = s.buffer_before_minutes * 60LL;
	b->buffer_after = s.buffer_after_minutes * 60LL;
	return MED_OK;
}

/* "YYYY-MM-DD HH:MM", clinic-local: what the patient reads. */
static void
local_text(int64_t t, char out[32])
{
	int y, m, d, secs;

	util_utc_to_local(t, &y, &m, &d, NULL, &secs);
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d", y, m, d,
	    secs / 3600, secs / 60 % 60);
}

/*
 * Record the mail that tells o's patient of it (none for a patient without
 * an address) and its in-app notification.
 */
static enum med_err
tell_patient(struct med_ctx *ctx, const struct offer *o)
{
	char email[321], pref[16], doctor[256], start[32], until[32], link[512];
	char user_id[MED_UUID_LEN + 1];
	struct outbox_msg m = { OFFER_KIND, OUTBOX_EMAIL, email, NULL, NULL, o->hold_until };
	sqlite3_stmt *st = db_stmt(ctx, SQL_CONTACT);
	cJSON *p;
	enum med_err e;
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, o->patient_id);
	db_bind_text(st, 2, o->doctor_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, email, sizeof email);
		db_col_copy(st, 1, pref, sizeof pref);
		db_col_copy(st, 2, doctor, sizeof doctor);
		db_col_copy(st, 3, user_id, sizeof user_id);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE || (rc == SQLITE_ROW && email[0] == '\0'))
		return MED_OK;
	if (rc != SQLITE_ROW)
		return db_err(rc);
	local_text(o->start, start);
	local_text(o->hold_until, until);
	snprintf(link, sizeof link, "%s/#/waitlist/offers/%s", ctx->cfg.public_url, o->id);
	m.locale = tpl_locale(pref);
	if ((p = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(p, "doctor", doctor[0] != '\0' ? doctor : "-") == NULL ||
	    cJSON_AddStringToObject(p, "start", start) == NULL ||
	    cJSON_AddStringToObject(p, "hold_until", until) == NULL ||
	    cJSON_AddNumberToObject(p, "minutes", ctx->cfg.waitlist_hold_minutes) == NULL ||
	    cJSON_AddStringToObject(p, "link", link) == NULL) {
		cJSON_Delete(p);
		return MED_ENOMEM;
	}
	m.params = p;
	if ((e = outbox_add(ctx, &m, NULL)) == MED_OK)
		e = notification_of_message(ctx, user_id, OFFER_KIND, m.locale, p, NULL);
	cJSON_Delete(p);
	return e;
}

static enum med_err
set_entry(struct med_ctx *ctx, const char *entry_id, const char *status)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_SET_ENTRY);

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, entry_id);
	db_bind_text(st, 2, status);
	return db_step_done(st);
}

/* Hold o's interval for its entry, mark the entry OFFERED and tell its patient. */
static enum med_err
offer_insert(struct med_ctx *ctx, struct offer *o)
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = util_uuid4(o->id)) != MED_OK)
		return e;
	o->hold_until = med_now(ctx) + ctx->cfg.waitlist_hold_minutes * 60LL;
	if ((st = db_stmt(ctx, SQL_OFFER_INSERT)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, o->id);
	db_bind_text(st, 2, o->entry_id);
	db_bind_text(st, 3, o->doctor_id);
	db_bind_text(st, 4, o->service_id[0] != '\0' ? o->service_id : NULL);
	db_bind_int(st, 5, o->start);
	db_bind_int(st, 6, o->end);
	db_bind_int(st, 7, o->hold_until);
	db_bind_text(st, 8, o->freed_by[0] != '\0' ? o->freed_by : NULL);
	db_bind_int(st, 9, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK || (e = set_entry(ctx, o->entry_id, "OFFERED")) != MED_OK)
		return e;
	return tell_patient(ctx, o);
}

/*
 * 1 when the candidate of o (entry, patient, service) could book now in
 * o's interval by every booking rule, 0 when not, -1 on error.
 */
static int
candidate_fits(struct med_ctx *ctx, const struct offer *o)
{
	struct appt_booking b;
	struct appt_verdict v;
	enum med_err e;

	e = offer_booking(ctx, o->service_id, o->patient_id, o->doctor_id, o->start, o->end, &b);
	if (e == MED_ENOTFOUND)
		return 0;
	if (e != MED_OK || appt_check_booking(ctx, &b, &v) != MED_OK)
		return -1;
	return v.status == 0;
}

/*
 * Offer [start, end) of doctor, freed by patient freed_by (NULL: nobody),
 * to the first entry of the queue whose patient could book it now.
 */
static enum med_err
offer_interval(struct med_ctx *ctx, const char *doctor, int64_t start, int64_t end,
    const char *freed_by)
{
	struct offer o = { 0 };
	char date[11];
	sqlite3_stmt *st;
	int rc, fits = 0;

	/* Nobody can book the past: not worth a look at the queue. */
	if (start <= med_now(ctx) || end <= start)
		return MED_OK;
	if ((st = db_stmt(ctx, waitlist_sql_queue)) == NULL)
		return MED_EDB;
	util_local_date(start, date);
	snprintf(o.doctor_id, sizeof o.doctor_id, "%s", doctor);
	snprintf(o.freed_by, sizeof o.freed_by, "%s", freed_by != NULL ? freed_by : "");
	o.start = start;
	o.end = end;
	db_bind_text(st, 1, doctor);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, o.freed_by);
	db_bind_int(st, 4, start);
	db_bind_int(st, 5, end);
	while (!fits && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, o.entry_id, sizeof o.entry_id);
		db_col_copy(st, 1, o.patient_id, sizeof o.patient_id);
		db_col_copy(st, 2, o.service_id, sizeof o.service_id);
		if ((fits = candidate_fits(ctx, &o)) < 0)
			break;
	}
	sqlite3_reset(st);
	if (fits < 0)
		return MED_EDB;
	if (!fits)
		return rc == SQLITE_DONE ? MED_OK : db_err(rc);
	return offer_insert(ctx, &o);
}

enum med_err
waitlist_on_change(struct med_ctx *ctx, const struct appt_change *c)
{
	if (c->kind == APPT_CANCELLED || c->kind == APPT_MOVED ||
	    (c->kind == APPT_STATUS && c->new_status != NULL &&
	    strcmp(c->new_status, "CANCELLED") == 0))
		return offer_interval(ctx, c->doctor_id, c->old_start, c->old_end, c->patient_id);
	return MED_OK;
}

/*
 * Close held offer o as offer_status, its entry now entry_status, and
 * offer the interval to the next entry.
 */
static enum med_err
end_offer(struct med_ctx *ctx, const struct offer *o, const char *offer_status,
    const char *entry_status)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_OFFER_END);
	enum med_err e;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, o->id);
	db_bind_text(st, 2, offer_status);
	db_bind_text(st, 3, NULL);
	if ((e = db_step_done(st)) != MED_OK || (e = set_entry(ctx, o->entry_id, entry_status)) != MED_OK)
		return e;
	return offer_interval(ctx, o->doctor_id, o->start, o->end,
	    o->freed_by[0] != '\0' ? o->freed_by : NULL);
}

static enum med_err
expire_in_tx(struct med_ctx *ctx, int *n)
{
	sqlite3_stmt *st;
	struct offer o;
	char today[11];
	enum med_err e = MED_OK;
	int i;

	for (i = 0; i < EXPIRE_MAX && e == MED_OK; i++) {
		if ((st = db_stmt(ctx, SQL_OFFER_DUE)) == NULL)
			return MED_EDB;
		db_bind_int(st, 1, med_now(ctx));
		if ((e = offer_step(st, &o)) == MED_ENOTFOUND) {
			e = MED_OK;
			break;
		}
		if (e == MED_OK)
			e = end_offer(ctx, &o, "EXPIRED", "WAITING");
	}
	*n = i;
	if (e != MED_OK || (st = db_stmt(ctx, SQL_ENTRIES_PAST)) == NULL)
		return e != MED_OK ? e : MED_EDB;
	util_local_date(med_now(ctx), today);
	db_bind_text(st, 1, today);
	return db_step_done(st);
}

enum med_err
waitlist_expire(struct med_ctx *ctx, int *n)
{
	enum med_err e;
	int local;

	if (n == NULL)
		n = &local;
	*n = 0;
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = expire_in_tx(ctx, n)) != MED_OK) {
		db_rollback(ctx);
		return e;
	}
	return db_commit(ctx);
}

/* ---- routes ---------------------------------------------------------- */

/* Answer status with entry id as it now stands. */
static int
reply_entry(struct med_ctx *ctx, const char *id, int status, struct med_resp *resp)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_GET);
	cJSON *json = NULL;
	int rc;

	if (st == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_int(st, 2, med_now(ctx));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json = db_row_json(st, entry_cols, DB_NCOLS(entry_cols));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return med_error(resp, 404, "Waitlist entry not found");
	if (rc != SQLITE_ROW)
		return med_fail(resp, db_err(rc));
	if (json == NULL)
		return med_fail(resp, MED_ENOMEM);
	return med_reply(resp, status, json, NULL);
}

/* GET a page of the entries sql lists for owner; status (may be NULL) filters. */
static int
list_entries(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, const char *sql,
    const char *owner, const char *status)
{
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	med_paging(req, &skip, &limit);
	if ((st = db_stmt(ctx, sql)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, owner);
	db_bind_int(st, 2, med_now(ctx));
	db_bind_int(st, 3, limit);
	db_bind_int(st, 4, skip);
	if (status != NULL)
		db_bind_text(st, 5, status);
	if ((e = db_rows_raw(st, entry_cols, DB_NCOLS(entry_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

SPEC(waitlist_create_body,
	{ "doctor_id", FT_UUID, FF_REQUIRED },
	{ "service_id", FT_UUID, FF_NULLABLE },
	{ "from_date", FT_DATE, FF_REQUIRED },
	{ "to_date", FT_DATE, FF_REQUIRED },
	/* Rule: ADMIN and STAFF put a named patient on the list; a patient's own is ignored. */
	{ "patient_id", FT_UUID, FF_NULLABLE, .roles = ROLE_ADMIN | ROLE_STAFF },
);

/*
 * Rule: clinic-local dates, to_date not before from_date, from_date not
 * before today, to_date not beyond the doctor's booking horizon.  0 with
 * the 422 set when they are not.
 */
static int
dates_valid(struct med_ctx *ctx, const char *doctor, const char *from, const char *to,
    struct med_resp *resp)
{
	int64_t notice, horizon, now = med_now(ctx);
	char today[11], last[11];
	enum med_err e;

	util_local_date(now, today);
	if ((e = settings_for_doctor(ctx, doctor, &notice, &horizon)) != MED_OK) {
		med_fail(resp, e);
		return 0;
	}
	util_local_date(now + horizon * 86400, last);
	if (strcmp(to, from) < 0)
		med_invalid(resp, "body", "to_date", "to_date must not be before from_date",
		    "value_error");
	else if (strcmp(from, today) < 0)
		med_invalid(resp, "body", "from_date", "from_date must not be in the past",
		    "value_error");
	else if (strcmp(to, last) > 0)
		med_invalid(resp, "body", "to_date",
		    "to_date must be within the doctor's booking horizon", "value_error");
	else
		return 1;
	return 0;
}

int
h_waitlist_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = fval_str(med_body(req, "doctor_id"));
	const char *service = fval_str(med_body(req, "service_id"));
	const char *from = fval_str(med_body(req, "from_date")), *to = fval_str(med_body(req, "to_date"));
	char patient[MED_UUID_LEN + 1], id[MED_UUID_LEN + 1];
	struct service s;
	sqlite3_stmt *st;
	enum med_err e;

	if (!appt_booking_patient(ctx, req, patient, resp))
		return resp->status;
	if ((e = profile_patient_exists(ctx, patient)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Patient not found");
	if (e == MED_OK && (e = profile_doctor_exists(ctx, doctor)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e == MED_OK && service != NULL && ((e = service_load(ctx, service, &s)) == MED_ENOTFOUND ||
	    (e == MED_OK && (strcmp(s.doctor_id, doctor) != 0 || !s.is_active))))
		return med_error(resp, 404, "Service not found");
	if (e != MED_OK || (e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	if (!dates_valid(ctx, doctor, from, to, resp))
		return resp->status;
	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, patient);
	db_bind_text(st, 3, doctor);
	db_bind_text(st, 4, service);
	db_bind_text(st, 5, from);
	db_bind_text(st, 6, to);
	db_bind_int(st, 7, med_now(ctx));
	db_bind_text(st, 8, req->user.id);
	if ((e = db_step_done(st)) == MED_ECONFLICT)
		return med_error(resp, 409, "Already on the waitlist for this doctor and service");
	if (e != MED_OK)
		return med_fail(resp, e);
	return reply_entry(ctx, id, 201, resp);
}

SPEC(waitlist_mine_query,
	FLD_PAGING,
);

int
h_waitlist_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char pid[MED_UUID_LEN + 1];

	if (profile_own_patient(ctx, req, pid, resp) != MED_OK)
		return resp->status;
	return list_entries(ctx, req, resp, SQL_MINE, pid, NULL);
}

SPEC(waitlist_list_query,
	FLD_PAGING,
	{ "doctor_id", FT_UUID, FF_REQUIRED },
	{ "status", FT_ENUM, 0, 0, 0, 0, 0, entry_statuses },
);

/* A doctor's queue, in the order it is served: ADMIN, STAFF and that doctor. */
int
h_waitlist_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = fval_str(med_qarg(req, "doctor_id"));
	const struct fval *status = med_qarg(req, "status");
	enum med_err e;

	if ((e = profile_doctor_exists(ctx, doctor)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e == MED_OK && (e = profile_may_manage_doctor(ctx, req, doctor, 1)) == MED_EFORBIDDEN)
		return med_error(resp, 403, "Forbidden");
	if (e != MED_OK)
		return med_fail(resp, e);
	return list_entries(ctx, req, resp, SQL_OF_DOCTOR, doctor,
	    status->present ? entry_statuses[status->i] : NULL);
}

/*
 * MED_OK when the caller acts for patient: ADMIN and STAFF always, a
 * PATIENT for their own profile; MED_EFORBIDDEN otherwise.
 */
static enum med_err
acts_for(struct med_ctx *ctx, const struct med_req *req, const char *patient)
{
	char own[MED_UUID_LEN + 1];
	enum med_err e;

	if (med_is_admin(req) || req->user.role == ROLE_STAFF)
		return MED_OK;
	if (req->user.role != ROLE_PATIENT)
		return MED_EFORBIDDEN;
	if ((e = profile_patient_of_user(ctx, req->user.id, own)) == MED_ENOTFOUND)
		return MED_EFORBIDDEN;
	if (e != MED_OK)
		return e;
	return strcmp(own, patient) == 0 ? MED_OK : MED_EFORBIDDEN;
}

static int
refuse(struct med_resp *resp, enum med_err e, const char *not_found)
{
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, not_found);
	if (e == MED_EFORBIDDEN)
		return med_error(resp, 403, "Forbidden");
	return med_fail(resp, e);
}

/* Where SQL_ENTRY_OWNER puts a row (db_first() callback). */
struct entry_owner {
	char patient_id[MED_UUID_LEN + 1];
	char status[16];
};

static enum med_err
entry_owner_row(sqlite3_stmt *st, void *arg)
{
	struct entry_owner *o = arg;

	db_col_copy(st, 0, o->patient_id, sizeof o->patient_id);
	db_col_copy(st, 1, o->status, sizeof o->status);
	return MED_OK;
}

/*
 * Leave the list: a WAITING or OFFERED entry is REMOVED and its hold, if
 * any, passes to the next entry; a finished one stays as it is.
 */
int
h_waitlist_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "entry_id");
	struct entry_owner eo;
	struct offer o;
	enum med_err e;

	if ((e = db_first(ctx, SQL_ENTRY_OWNER, id, entry_owner_row, &eo)) != MED_OK ||
	    (e = acts_for(ctx, req, eo.patient_id)) != MED_OK)
		return refuse(resp, e, "Waitlist entry not found");
	if (strcmp(eo.status, "WAITING") != 0 && strcmp(eo.status, "OFFERED") != 0)
		return med_no_content(resp);
	if ((e = offer_load(ctx, SQL_OFFER_OF_ENTRY, id, &o)) == MED_OK)
		e = end_offer(ctx, &o, "DECLINED", "REMOVED");
	else if (e == MED_ENOTFOUND)
		e = set_entry(ctx, id, "REMOVED");
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}

/*
 * The offer of the path, when the caller acts for its patient (the
 * routing table leaves only the patient to accept) and it still holds its
 * interval.  0 with the refusal set.
 */
static int
live_offer(struct med_ctx *ctx, const struct med_req *req, struct offer *o,
    struct med_resp *resp)
{
	enum med_err e;

	if ((e = offer_load(ctx, SQL_OFFER_GET, med_path(req, "offer_id"), o)) != MED_OK ||
	    (e = acts_for(ctx, req, o->patient_id)) != MED_OK)
		refuse(resp, e, "Offer not found");
	else if (strcmp(o->status, "HELD") != 0 || o->hold_until <= med_now(ctx))
		med_error(resp, 409, "The offer is no longer held");
	else
		return 1;
	return 0;
}

/*
 * Book the held interval for the offer's patient, by every booking rule
 * but the hold itself (accepting_offer_id): 201 with the appointment.
 */
int
h_waitlist_accept(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char appt_id[MED_UUID_LEN + 1];
	struct appt_booking b;
	struct offer o;
	sqlite3_stmt *st;
	enum med_err e;

	if (!live_offer(ctx, req, &o, resp))
		return resp->status;
	if ((e = offer_booking(ctx, o.service_id, o.patient_id, o.doctor_id, o.start, o.end, &b)) ==
	    MED_ENOTFOUND)
		return med_error(resp, 409, "The service of the entry is no longer offered");
	if (e != MED_OK || (e = util_uuid4(appt_id)) != MED_OK)
		return med_fail(resp, e);
	b.accepting_offer_id = o.id;
	b.actor_user_id = req->user.id;
	if (!appt_self_booking_allowed(ctx, &b, resp) ||
	    appt_book(ctx, &b, appt_id, NULL, resp) != 201)
		return resp->status;
	if ((st = db_stmt(ctx, SQL_OFFER_END)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, o.id);
	db_bind_text(st, 2, "ACCEPTED");
	db_bind_text(st, 3, appt_id);
	if ((e = db_step_done(st)) != MED_OK || (e = set_entry(ctx, o.entry_id, "BOOKED")) != MED_OK)
		return med_fail(resp, e);
	return resp->status;
}

/* Leave the interval to the next entry and stay on the list: 200 with the entry. */
int
h_waitlist_decline(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct offer o;
	enum med_err e;

	if (!live_offer(ctx, req, &o, resp))
		return resp->status;
	if ((e = end_offer(ctx, &o, "DECLINED", "WAITING")) != MED_OK)
		return med_fail(resp, e);
	return reply_entry(ctx, o.entry_id, 200, resp);
}
