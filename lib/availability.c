/*
 * availability.c - a doctor's weekly availability windows and the free
 * slots computed from them (API.md §5).
 *
 * Windows are clinic-local wall-clock times (seconds after local midnight,
 * weekday 0 = Monday); slots are UTC instants.  The conversion goes through
 * the system tz database (util_local_to_utc), day by day, so a window at
 * 09:00 stays at 09:00 local on both sides of a DST change.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appointments.h"
#include "auth.h"
#include "closures.h"
#include "availability.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "services.h"
#include "settings.h"
#include "util.h"
#include "valid.h"
#include "waitlist.h"

#define WINDOW_COLUMNS \
    "id, doctor_id, weekday, start_time, end_time, is_active, created_at, updated_at"

static const char SQL_LIST[] = "SELECT " WINDOW_COLUMNS " FROM doctor_availability"
    " WHERE doctor_id = ?1 ORDER BY weekday, start_time, id";
static const char SQL_GET[] = "SELECT " WINDOW_COLUMNS " FROM doctor_availability WHERE id = ?1";
/* Half-open intervals: [9,12) and [12,14) touch but do not overlap. */
static const char SQL_OVERLAP[] =
    "SELECT 1 FROM doctor_availability WHERE doctor_id = ?1 AND weekday = ?2"
    " AND is_active = 1 AND start_time < ?4 AND end_time > ?3 AND id <> ?5 LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO doctor_availability (" WINDOW_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
/* The parameters of SQL_INSERT (window_store()); a window never changes doctor. */
static const char SQL_UPDATE[] =
    "UPDATE doctor_availability SET weekday = ?3, start_time = ?4, end_time = ?5,"
    " is_active = ?6, updated_at = ?7 WHERE id = ?1 AND doctor_id = ?2";
static const char SQL_DELETE[] = "DELETE FROM doctor_availability WHERE id = ?1";

static const char SQL_ACTIVE[] =
    "SELECT weekday, start_time, end_time FROM doctor_availability"
    " WHERE doctor_id = ?1 AND is_active = 1 ORDER BY weekday, start_time";
/*
 * The spans the doctor's SCHEDULED and ARRIVED visits occupy (the visit
 * and its buffers) that may overlap [?2, ?3): one range scan of the
 * (doctor_id, start_time) index, bounded below by APPT_REACH
 * (appointments.h): no visit starting earlier reaches ?2.
 */
const char avail_sql_busy[] =
    "SELECT start_time - buffer_before, end_time + buffer_after FROM appointments"
    " WHERE doctor_id = ?1 AND start_time > ?2 - " APPT_REACH " AND start_time < ?3"
    " AND end_time + buffer_after > ?2 AND status IN ('SCHEDULED', 'ARRIVED')"
    " ORDER BY start_time";
#define MAX_BUFFER_SECONDS (SERVICE_BUFFER_MAX * 60)

struct window {
	char id[MED_UUID_LEN + 1];
	char doctor_id[MED_UUID_LEN + 1];
	int weekday, start, end, active;
};

/* The columns of WINDOW_COLUMNS, in order. */
static const struct db_col window_cols[] = {
	{ "id", DB_TEXT }, { "doctor_id", DB_TEXT }, { "weekday", DB_WEEKDAY },
	{ "start_time", DB_WALLTIME }, { "end_time", DB_WALLTIME }, { "is_active", DB_BOOL },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT },
};

static cJSON *
window_json(sqlite3_stmt *st)
{
	return db_row_json(st, window_cols, DB_NCOLS(window_cols));
}

/* Where window_load() puts a row (db_first() callback argument). */
struct window_dest {
	struct window *w;
	cJSON **json;
};

static enum med_err
window_row(sqlite3_stmt *st, void *arg)
{
	struct window_dest *d = arg;
	struct window *w = d->w;

	db_col_copy(st, 0, w->id, sizeof w->id);
	db_col_copy(st, 1, w->doctor_id, sizeof w->doctor_id);
	w->weekday = sqlite3_column_int(st, 2);
	w->start = sqlite3_column_int(st, 3);
	w->end = sqlite3_column_int(st, 4);
	w->active = sqlite3_column_int(st, 5);
	if (d->json != NULL && (*d->json = window_json(st)) == NULL)
		return MED_ENOMEM;
	return MED_OK;
}

/* Window id into w, and as JSON into *json when json != NULL. */
static enum med_err
window_load(struct med_ctx *ctx, const char *id, struct window *w, cJSON **json)
{
	struct window_dest d = { w, json };

	if (json != NULL)
		*json = NULL;
	return db_first(ctx, SQL_GET, id, window_row, &d);
}

/* MED_ECONFLICT when an active window w would overlap another active one. */
static enum med_err
check_overlap(struct med_ctx *ctx, const struct window *w)
{
	sqlite3_stmt *st;
	int rc;

	if (!w->active)
		return MED_OK;
	if ((st = db_stmt(ctx, SQL_OVERLAP)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, w->doctor_id);
	db_bind_int(st, 2, w->weekday);
	db_bind_int(st, 3, w->start);
	db_bind_int(st, 4, w->end);
	db_bind_text(st, 5, w->id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return MED_ECONFLICT;
	return rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

/*
 * The answer of a window route: status with json (none for 204), or the
 * refusal e stands for; not_found names what MED_ENOTFOUND did not find.
 */
static int
reply_window(enum med_err e, cJSON *json, int status, const char *not_found,
    struct med_resp *resp)
{
	switch (e) {
	case MED_OK:
		return status == 204 ? med_no_content(resp) : med_reply(resp, status, json, NULL);
	case MED_ENOTFOUND:
		return med_error(resp, 404, not_found);
	case MED_EINVAL:
		return med_invalid(resp, "body", "end_time", "end_time must be after start_time",
		    "value_error");
	case MED_EFORBIDDEN:
		return med_error(resp, 403, "Forbidden");
	case MED_ECONFLICT:
		return med_error(resp, 409, "Availability overlaps an existing window");
	default:
		return med_fail(resp, e);
	}
}

int
h_availability_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = med_path(req, "doctor_id");
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	if ((e = profile_doctor_exists(ctx, doctor)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, doctor);
	if ((e = db_rows_raw(st, window_cols, DB_NCOLS(window_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

/*
 * Apply the fields the body sent to w (both window bodies declare the
 * same names).  MED_EINVAL: w would not end after it starts.
 */
static enum med_err
window_take(const struct med_req *req, struct window *w)
{
	const struct fval *v;

	if ((v = med_body(req, "weekday"))->present)
		w->weekday = (int)v->i;
	if ((v = med_body(req, "start_time"))->present)
		w->start = (int)v->i;
	if ((v = med_body(req, "end_time"))->present)
		w->end = (int)v->i;
	if ((v = med_body(req, "is_active"))->present)
		w->active = v->b;
	return w->end <= w->start ? MED_EINVAL : MED_OK;
}

/*
 * Write w with sql once no other active window overlaps it, and load the
 * stored row into *out.  SQL_INSERT and SQL_UPDATE take the same
 * parameters; an update is excluded from the overlap check by its id.
 */
static enum med_err
window_store(struct med_ctx *ctx, const char *sql, struct window *w, cJSON **out)
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = check_overlap(ctx, w)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, sql)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, w->id);
	db_bind_text(st, 2, w->doctor_id);
	db_bind_int(st, 3, w->weekday);
	db_bind_int(st, 4, w->start);
	db_bind_int(st, 5, w->end);
	db_bind_int(st, 6, w->active);
	db_bind_int(st, 7, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	return window_load(ctx, w->id, w, out);
}

SPEC(avail_create_body,
	{ "weekday", FT_ENUM, FF_REQUIRED, 0, 0, 0, 0, util_weekdays },
	{ "start_time", FT_TIME, FF_REQUIRED },
	{ "end_time", FT_TIME, FF_REQUIRED },
	{ "is_active", FT_BOOL, 0 },
);

int
h_availability_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct window w = { .active = 1 };
	cJSON *json = NULL;
	enum med_err e;

	snprintf(w.doctor_id, sizeof w.doctor_id, "%s", med_path(req, "doctor_id"));
	if ((e = window_take(req, &w)) == MED_OK && (e = util_uuid4(w.id)) == MED_OK &&
	    (e = profile_doctor_exists(ctx, w.doctor_id)) == MED_OK &&
	    (e = profile_may_manage_doctor(ctx, req, w.doctor_id, 0)) == MED_OK)
		e = window_store(ctx, SQL_INSERT, &w, &json);
	return reply_window(e, json, 201, "Doctor not found", resp);
}

/* The window of the path, when the caller may manage it. */
static enum med_err
window_managed(struct med_ctx *ctx, const struct med_req *req, struct window *w)
{
	enum med_err e;

	if ((e = window_load(ctx, med_path(req, "availability_id"), w, NULL)) != MED_OK)
		return e;
	return profile_may_manage_doctor(ctx, req, w->doctor_id, 0);
}

SPEC(avail_patch_body,
	{ "weekday", FT_ENUM, 0, 0, 0, 0, 0, util_weekdays },
	{ "start_time", FT_TIME, 0 },
	{ "end_time", FT_TIME, 0 },
	{ "is_active", FT_BOOL, 0 },
);

int
h_availability_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct window w;
	cJSON *json = NULL;
	enum med_err e;

	if ((e = window_managed(ctx, req, &w)) == MED_OK && (e = window_take(req, &w)) == MED_OK)
		e = window_store(ctx, SQL_UPDATE, &w, &json);
	return reply_window(e, json, 200, "Availability not found", resp);
}

int
h_availability_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct window w;
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = window_managed(ctx, req, &w)) == MED_OK) {
		if ((st = db_stmt(ctx, SQL_DELETE)) == NULL)
			return med_fail(resp, MED_EDB);
		db_bind_text(st, 1, w.id);
		e = db_step_done(st);
	}
	return reply_window(e, NULL, 204, "Availability not found", resp);
}

/* ---- slots ----------------------------------------------------------- */

#define DAYS_DEFAULT 7
#define DAYS_MAX SLOTS_DAYS_MAX
#define SLOT_DEFAULT SLOTS_MINUTES_DEFAULT
#define SLOT_MIN 5
#define SLOT_MAX 480

struct span {
	int64_t start, end;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static enum med_err
spans_add(struct spans *s, int64_t start, int64_t end)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct span *nv = realloc(s->v, cap * sizeof *nv);
		if (nv == NULL)
			return MED_ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->n++;
	return MED_OK;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/*
 * The slot query.  The contract says "400 on bad values", so every
 * problem with start_date, days or slot_minutes - malformed or out of
 * range - answers 400 with a message naming the parameter (never 422):
 * the fields carry their refusal.
 */
SPEC(slots_query,
	{ "start_date", FT_DATE, .refusal = "start_date must be a date YYYY-MM-DD" },
	{ "days", FT_INT, 0, 1, DAYS_MAX, .refusal = "days must be an integer from 1 to 62" },
	{ "slot_minutes", FT_INT, 0, SLOT_MIN, SLOT_MAX,
	  .refusal = "slot_minutes must be an integer from 5 to 480" },
	{ "service_id", FT_UUID, .refusal = "service_id must be a UUID" },
);

/*
 * A slot_request as the generator needs it.  Slots last `minutes` and
 * start every `step` minutes; a service sets both (its duration, the
 * clinic's slot step) and pads each slot with its buffers, which must be
 * free too.
 */
struct slot_query {
	int y, m, d, days, minutes, step;
	int64_t pad_before, pad_after;
	int64_t not_before, not_after;  /* bounds of a slot's start: notice and horizon */
};

/*
 * The doctor's minimum notice and booking horizon as bounds of a slot's
 * start.  No notice keeps the rule of old: a slot is shown until it ends.
 */
static enum med_err
take_notice(struct med_ctx *ctx, const char *doctor, struct slot_query *q)
{
	int64_t notice, horizon, now = med_now(ctx);
	enum med_err e;

	if ((e = settings_for_doctor(ctx, doctor, &notice, &horizon)) != MED_OK)
		return e;
	q->not_before = notice > 0 ? now + notice * 60 : INT64_MIN;
	q->not_after = now + horizon * 86400;
	return MED_OK;
}

/*
 * Apply the service id, if any, to q: its length, the clinic's slot
 * step, its buffers.  MED_ENOTFOUND when it is not an active service of
 * doctor.
 */
static enum med_err
take_service(struct med_ctx *ctx, const char *id, const char *doctor, struct slot_query *q)
{
	struct clinic_settings cs;
	struct service sv;
	enum med_err e;

	if (id == NULL)
		return MED_OK;
	if ((e = service_load(ctx, id, &sv)) != MED_OK)
		return e;
	if (strcmp(sv.doctor_id, doctor) != 0 || !sv.is_active)
		return MED_ENOTFOUND;
	if ((e = settings_load(ctx, &cs)) != MED_OK)
		return e;
	q->minutes = sv.duration_minutes;
	q->step = cs.slot_step_minutes;
	q->pad_before = sv.buffer_before_minutes * 60LL;
	q->pad_after = sv.buffer_after_minutes * 60LL;
	return MED_OK;
}

/* Clinic-local weekday (0 = Monday) of a civil date: noon is never in a DST gap. */
static int
local_weekday(int y, int m, int d)
{
	int wd;

	util_utc_to_local(util_local_to_utc(y, m, d, 12 * 3600), NULL, NULL, NULL, &wd, NULL);
	return wd;
}

/* An active window, as the slot generator needs it. */
struct wwin {
	int weekday, start, end;
};

/* The holiday dates "YYYY-MM-DD" in the days of q (at most DAYS_MAX + 1, see slot_request). */
struct holidays {
	char date[DAYS_MAX + 1][11];
	int n;
};

static enum med_err
load_holidays(struct med_ctx *ctx, const struct slot_query *q, struct holidays *h)
{
	sqlite3_stmt *st = db_stmt(ctx, closure_sql_holidays);
	char from[11], to[11];
	int y = q->y, m = q->m, d = q->d, rc;

	if (st == NULL)
		return MED_EDB;
	snprintf(from, sizeof from, "%04d-%02d-%02d", y, m, d);
	util_add_days(&y, &m, &d, q->days);
	snprintf(to, sizeof to, "%04d-%02d-%02d", y, m, d);
	h->n = 0;
	db_bind_text(st, 1, from);
	db_bind_text(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && h->n < DAYS_MAX + 1)
		db_col_copy(st, 0, h->date[h->n++], sizeof h->date[0]);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? MED_OK : db_err(rc);
}

static int
is_holiday(const struct holidays *h, int y, int m, int d)
{
	char date[11];

	snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->date[i], date) == 0)
			return 1;
	return 0;
}

/* Candidate slots of every active window over the days of q but holidays, sorted. */
static enum med_err
candidate_slots(struct med_ctx *ctx, const char *doctor, const struct slot_query *q,
    struct spans *out)
{
	struct holidays hol;
	struct wwin *win = NULL, *nw;
	size_t nwin = 0, cap = 0;
	int rc, len = q->minutes * 60, step = q->step * 60;
	sqlite3_stmt *st = db_stmt(ctx, SQL_ACTIVE);
	enum med_err e = MED_OK;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, doctor);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nwin == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nw = realloc(win, cap * sizeof *win)) == NULL) {
				e = MED_ENOMEM;
				break;
			}
			win = nw;
		}
		win[nwin].weekday = sqlite3_column_int(st, 0);
		win[nwin].start = sqlite3_column_int(st, 1);
		win[nwin].end = sqlite3_column_int(st, 2);
		nwin++;
	}
	sqlite3_reset(st);
	if (e == MED_OK && rc != SQLITE_DONE)
		e = db_err(rc);
	if (e == MED_OK)
		e = load_holidays(ctx, q, &hol);
	for (int day = 0; day < q->days && e == MED_OK; day++) {
		int y = q->y, m = q->m, d = q->d, wd;
		util_add_days(&y, &m, &d, day);
		if (is_holiday(&hol, y, m, d))
			continue;
		wd = local_weekday(y, m, d);
		for (size_t i = 0; i < nwin && e == MED_OK; i++) {
			if (win[i].weekday != wd)
				continue;
			for (int s = win[i].start; s + len <= win[i].end && e == MED_OK; s += step) {
				int64_t a = util_local_to_utc(y, m, d, s);
				int64_t b = util_local_to_utc(y, m, d, s + len);
				/* In a spring-forward gap a slot can collapse: skip it. */
				if (b > a)
					e = spans_add(out, a, b);
			}
		}
	}
	free(win);
	if (e == MED_OK && out->n > 1)
		qsort(out->v, out->n, sizeof out->v[0], span_cmp);
	return e;
}

/* Step the bound statement st, each row's two integers a span of out. */
static enum med_err
rows_spans(sqlite3_stmt *st, struct spans *out)
{
	enum med_err e = MED_OK;
	int rc = SQLITE_DONE;

	while (e == MED_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		e = spans_add(out, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	if (e != MED_OK)
		return e;
	return rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

/*
 * What keeps the doctor busy and may touch [from, to), by start: the
 * SCHEDULED and ARRIVED appointments with their buffers, and the
 * intervals the waitlist holds for a patient (waitlist.h), which nobody
 * else may book either.
 */
static enum med_err
busy_spans(struct med_ctx *ctx, const char *doctor, int64_t from, int64_t to, struct spans *out)
{
	sqlite3_stmt *st = db_stmt(ctx, avail_sql_busy);
	enum med_err e;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, doctor);
	db_bind_int(st, 2, from - MAX_BUFFER_SECONDS);
	db_bind_int(st, 3, to + 2 * MAX_BUFFER_SECONDS);
	if ((e = rows_spans(st, out)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, waitlist_sql_held)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, doctor);
	db_bind_int(st, 2, from - 2 * MAX_BUFFER_SECONDS);
	db_bind_int(st, 3, to + 2 * MAX_BUFFER_SECONDS);
	db_bind_int(st, 4, med_now(ctx));
	db_bind_text(st, 5, "");
	if ((e = rows_spans(st, out)) != MED_OK)
		return e;
	/* Buffers of different lengths can reorder the occupied starts. */
	if (out->n > 1)
		qsort(out->v, out->n, sizeof out->v[0], span_cmp);
	return MED_OK;
}

/* The doctor's time off overlapping [from, to). */
static enum med_err
time_off_spans(struct med_ctx *ctx, const char *doctor, int64_t from, int64_t to,
    struct spans *out)
{
	sqlite3_stmt *st = db_stmt(ctx, closure_sql_time_off);

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, doctor);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, to);
	return rows_spans(st, out);
}

/* 1 when [start, end) overlaps one of the (few) spans of s. */
static int
overlaps_any(const struct spans *s, int64_t start, int64_t end)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].start < end && s->v[i].end > start)
			return 1;
	return 0;
}

/*
 * Walk the slots that end after now and start within notice and
 * horizon, on no time off, each with whether a busy span overlaps it
 * padded by q's buffers.  Both lists are sorted by start; maxend[i] is
 * the latest end among busy[0..i], so once it is at or before a padded
 * slot's start, busy[0..i] are behind every later slot too and the scan
 * starts after them.
 */
static enum med_err
slots_walk(const struct spans *slots, const struct spans *busy, const struct spans *off,
    const struct slot_query *q, int64_t now, slot_fn fn, void *arg)
{
	int64_t *maxend = NULL;
	enum med_err e = MED_OK;
	size_t lo = 0;

	if (busy->n > 0 && (maxend = malloc(busy->n * sizeof *maxend)) == NULL)
		return MED_ENOMEM;
	for (size_t i = 0; i < busy->n; i++)
		maxend[i] = i == 0 || busy->v[i].end > maxend[i - 1] ? busy->v[i].end : maxend[i - 1];
	for (size_t i = 0; i < slots->n && e == MED_OK; i++) {
		const struct span *s = &slots->v[i];
		int taken = 0;

		if (s->end <= now || s->start < q->not_before || s->start > q->not_after ||
		    (i > 0 && s->start == slots->v[i - 1].start &&
		    s->end == slots->v[i - 1].end) || overlaps_any(off, s->start, s->end))
			continue;
		while (lo < busy->n && maxend[lo] <= s->start - q->pad_before)
			lo++;
		for (size_t j = lo; j < busy->n && busy->v[j].start < s->end + q->pad_after && !taken;
		    j++)
			taken = busy->v[j].end > s->start - q->pad_before;
		e = fn(s->start, s->end, !taken, arg);
	}
	free(maxend);
	return e;
}

enum med_err
slots_compute(struct med_ctx *ctx, const struct slot_request *rq, slot_fn fn, void *arg)
{
	struct slot_query q = { rq->y, rq->m, rq->d, rq->days, rq->minutes, rq->minutes,
	    0, 0, 0, 0 };
	struct spans slots = { 0 }, busy = { 0 }, off = { 0 };
	int64_t from, to;
	int y = rq->y, m = rq->m, d = rq->d;
	enum med_err e;

	from = util_local_to_utc(y, m, d, 0);
	util_add_days(&y, &m, &d, rq->days);
	to = util_local_to_utc(y, m, d, 0);
	if ((e = profile_doctor_exists(ctx, rq->doctor)) == MED_OK &&
	    (e = take_service(ctx, rq->service_id, rq->doctor, &q)) == MED_OK &&
	    (e = take_notice(ctx, rq->doctor, &q)) == MED_OK &&
	    (e = candidate_slots(ctx, rq->doctor, &q, &slots)) == MED_OK &&
	    (e = busy_spans(ctx, rq->doctor, from, to, &busy)) == MED_OK &&
	    (e = time_off_spans(ctx, rq->doctor, from, to, &off)) == MED_OK)
		e = slots_walk(&slots, &busy, &off, &q, med_now(ctx), fn, arg);
	free(slots.v);
	free(busy.v);
	free(off.v);
	return e;
}

/* slot_fn of the slots route: the free slots as {start_time, end_time}. */
static enum med_err
slot_json(int64_t start, int64_t end, int free, void *arg)
{
	cJSON *list = arg, *o;
	char a[32], b[32];

	if (!free)
		return MED_OK;
	util_fmt_instant(start, a);
	util_fmt_instant(end, b);
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "start_time", a) == NULL ||
	    cJSON_AddStringToObject(o, "end_time", b) == NULL ||
	    !cJSON_AddItemToArray(list, o)) {
		cJSON_Delete(o);
		return MED_ENOMEM;
	}
	return MED_OK;
}

/* The route is TX_READ: windows and appointments come from one snapshot. */
int
h_slots(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct fval *days = med_qarg(req, "days"), *minutes = med_qarg(req, "slot_minutes");
	const char *start = fval_str(med_qarg(req, "start_date"));
	struct slot_request rq = {
		.doctor = med_path(req, "doctor_id"),
		.service_id = fval_str(med_qarg(req, "service_id")),
		.days = days->present ? (int)days->i : DAYS_DEFAULT,
		.minutes = minutes->present ? (int)minutes->i : SLOT_DEFAULT,
	};
	char today[11];
	cJSON *list;
	enum med_err e;

	if (start == NULL) {
		util_local_date(med_now(ctx), today);
		start = today;
	}
	(void)util_parse_date(start, &rq.y, &rq.m, &rq.d);
	/* slots_compute() does not tell a missing doctor from a foreign service. */
	if ((e = profile_doctor_exists(ctx, rq.doctor)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if ((list = cJSON_CreateArray()) == NULL)
		return med_fail(resp, MED_ENOMEM);
	if ((e = slots_compute(ctx, &rq, slot_json, list)) == MED_OK)
		return med_ok(resp, list);
	cJSON_Delete(list);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Service not found");
	return med_fail(resp, e);
}
