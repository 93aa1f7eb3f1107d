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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "availability.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "util.h"
#include "valid.h"

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
 * The doctor's SCHEDULED appointments that may overlap [?4, ?3): one range
 * scan of the (doctor_id, start_time) index.  ?2 bounds the scan below: an
 * appointment lies inside one availability window, so it is shorter than a
 * day and one starting more than a day before the range cannot reach it.
 */
const char avail_sql_busy[] =
    "SELECT start_time, end_time FROM appointments WHERE doctor_id = ?1"
    " AND start_time >= ?2 AND start_time < ?3 AND end_time > ?4"
    " AND status = 'SCHEDULED' ORDER BY start_time";
#define MAX_APPOINTMENT_SECONDS 86400

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

/* Rule: an admin, or the doctor owning the schedule; MED_EFORBIDDEN otherwise. */
static enum med_err
may_manage(struct med_ctx *ctx, const struct med_req *req, const char *doctor_id)
{
	char own[MED_UUID_LEN + 1];
	enum med_err e;

	if (med_is_admin(req))
		return MED_OK;
	if ((e = profile_doctor_of_user(ctx, req->user.id, own)) == MED_ENOTFOUND)
		return MED_EFORBIDDEN;
	if (e != MED_OK)
		return e;
	return strcmp(own, doctor_id) == 0 ? MED_OK : MED_EFORBIDDEN;
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
	    (e = may_manage(ctx, req, w.doctor_id)) == MED_OK)
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
	return may_manage(ctx, req, w->doctor_id);
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
);

struct slot_query {
	int y, m, d, days, minutes;
};

static void
read_slot_query(struct med_ctx *ctx, const struct med_req *req, struct slot_query *q)
{
	const struct fval *days = med_qarg(req, "days"), *minutes = med_qarg(req, "slot_minutes");
	const char *start = fval_str(med_qarg(req, "start_date"));
	char today[11];

	if (start == NULL) {
		util_local_date(med_now(ctx), today);
		start = today;
	}
	(void)util_parse_date(start, &q->y, &q->m, &q->d);
	q->days = days->present ? (int)days->i : DAYS_DEFAULT;
	q->minutes = minutes->present ? (int)minutes->i : SLOT_DEFAULT;
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

/* Candidate slots of every active window over the days of q, sorted. */
static enum med_err
candidate_slots(struct med_ctx *ctx, const char *doctor, const struct slot_query *q,
    struct spans *out)
{
	struct wwin *win = NULL, *nw;
	size_t nwin = 0, cap = 0;
	int rc, len = q->minutes * 60;
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
	for (int day = 0; day < q->days && e == MED_OK; day++) {
		int y = q->y, m = q->m, d = q->d, wd;
		util_add_days(&y, &m, &d, day);
		wd = local_weekday(y, m, d);
		for (size_t i = 0; i < nwin && e == MED_OK; i++) {
			if (win[i].weekday != wd)
				continue;
			for (int s = win[i].start; s + len <= win[i].end && e == MED_OK; s += len) {
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

/* The doctor's SCHEDULED appointments that may touch [from, to), by start. */
static enum med_err
busy_spans(struct med_ctx *ctx, const char *doctor, int64_t from, int64_t to, struct spans *out)
{
	sqlite3_stmt *st = db_stmt(ctx, avail_sql_busy);
	enum med_err e = MED_OK;
	int rc = SQLITE_DONE;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, doctor);
	db_bind_int(st, 2, from - MAX_APPOINTMENT_SECONDS);
	db_bind_int(st, 3, to);
	db_bind_int(st, 4, from);
	while (e == MED_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		e = spans_add(out, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	if (e != MED_OK)
		return e;
	return rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

/*
 * Walk the slots that end after now, each with whether a busy span
 * overlaps it.  Both lists are sorted by start; maxend[i] is the latest
 * end among busy[0..i], so once it is at or before a slot's start,
 * busy[0..i] are behind every later slot too and the scan starts after
 * them.
 */
static enum med_err
slots_walk(const struct spans *slots, const struct spans *busy, int64_t now, slot_fn fn,
    void *arg)
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

		if (s->end <= now || (i > 0 && s->start == slots->v[i - 1].start &&
		    s->end == slots->v[i - 1].end))
			continue;
		while (lo < busy->n && maxend[lo] <= s->start)
			lo++;
		for (size_t j = lo; j < busy->n && busy->v[j].start < s->end && !taken; j++)
			taken = busy->v[j].end > s->start;
		e = fn(s->start, s->end, !taken, arg);
	}
	free(maxend);
	return e;
}

enum med_err
slots_compute(struct med_ctx *ctx, const char *doctor, int y, int m, int d, int days,
    int minutes, slot_fn fn, void *arg)
{
	struct slot_query q = { y, m, d, days, minutes };
	struct spans slots = { 0 }, busy = { 0 };
	int64_t from, to;
	enum med_err e;

	from = util_local_to_utc(y, m, d, 0);
	util_add_days(&y, &m, &d, days);
	to = util_local_to_utc(y, m, d, 0);
	if ((e = profile_doctor_exists(ctx, doctor)) == MED_OK &&
	    (e = candidate_slots(ctx, doctor, &q, &slots)) == MED_OK &&
	    (e = busy_spans(ctx, doctor, from, to, &busy)) == MED_OK)
		e = slots_walk(&slots, &busy, med_now(ctx), fn, arg);
	free(slots.v);
	free(busy.v);
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
	struct slot_query q;
	cJSON *list;
	enum med_err e;

	read_slot_query(ctx, req, &q);
	if ((list = cJSON_CreateArray()) == NULL)
		return med_fail(resp, MED_ENOMEM);
	e = slots_compute(ctx, med_path(req, "doctor_id"), q.y, q.m, q.d, q.days, q.minutes,
	    slot_json, list);
	if (e == MED_OK)
		return med_ok(resp, list);
	cJSON_Delete(list);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	return med_fail(resp, e);
}
