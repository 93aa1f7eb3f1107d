/*
 * services.c - a doctor's services (visit types): each has its own length
 * and the buffers that keep the doctor free before and after it.  Booking
 * (appointments.c) and slots (availability.c) read them through
 * service_load().
 *
 * Every doctor has a default 30-minute "Consultation", created by the
 * database itself (the doctors_default_service trigger), so no path that
 * creates a doctor can forget it.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "services.h"
#include "util.h"
#include "valid.h"

#define NAME_MAX_LEN 100
#define PRICE_MAX 9999999999LL /* 99,999,999.99, as billing amounts */

#define SERVICE_COLUMNS \
    "id, doctor_id, name, duration_minutes, buffer_before_minutes, buffer_after_minutes," \
    " price_cents, currency, is_active"

static const char SQL_LIST[] = "SELECT " SERVICE_COLUMNS " FROM doctor_services"
    " WHERE doctor_id = ?1 ORDER BY name, id";
static const char SQL_GET[] = "SELECT " SERVICE_COLUMNS " FROM doctor_services WHERE id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO doctor_services (" SERVICE_COLUMNS ", created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)";
/* Partial update in the order of service_patch_body. */
static const char SQL_UPDATE[] =
    "UPDATE doctor_services SET"
    " name = CASE WHEN ?2 THEN ?3 ELSE name END,"
    " duration_minutes = CASE WHEN ?4 THEN ?5 ELSE duration_minutes END,"
    " buffer_before_minutes = CASE WHEN ?6 THEN ?7 ELSE buffer_before_minutes END,"
    " buffer_after_minutes = CASE WHEN ?8 THEN ?9 ELSE buffer_after_minutes END,"
    " price_cents = CASE WHEN ?10 THEN ?11 ELSE price_cents END,"
    " currency = CASE WHEN ?12 THEN ?13 ELSE currency END,"
    " is_active = CASE WHEN ?14 THEN ?15 ELSE is_active END,"
    " updated_at = ?16 WHERE id = ?1";
static const char SQL_USED[] = "SELECT 1 FROM appointments WHERE service_id = ?1 LIMIT 1";
static const char SQL_DELETE[] = "DELETE FROM doctor_services WHERE id = ?1";
static const char SQL_DEACTIVATE[] =
    "UPDATE doctor_services SET is_active = 0, updated_at = ?2 WHERE id = ?1";

/* The columns of SERVICE_COLUMNS, in order. */
static const struct db_col service_cols[] = {
	{ "id", DB_TEXT }, { "doctor_id", DB_TEXT }, { "name", DB_TEXT },
	{ "duration_minutes", DB_INT }, { "buffer_before_minutes", DB_INT },
	{ "buffer_after_minutes", DB_INT }, { "price", DB_MONEY }, { "currency", DB_TEXT },
	{ "is_active", DB_BOOL },
};

/* Where service_load() puts a row (db_first() callback argument). */
struct service_dest {
	struct service *s;
	cJSON **json;
};

static enum med_err
service_row(sqlite3_stmt *st, void *arg)
{
	struct service_dest *d = arg;
	struct service *s = d->s;

	memset(s, 0, sizeof *s);
	db_col_copy(st, 0, s->id, sizeof s->id);
	db_col_copy(st, 1, s->doctor_id, sizeof s->doctor_id);
	s->duration_minutes = sqlite3_column_int(st, 3);
	s->buffer_before_minutes = sqlite3_column_int(st, 4);
	s->buffer_after_minutes = sqlite3_column_int(st, 5);
	s->is_active = sqlite3_column_int(st, 8);
	if (d->json != NULL &&
	    (*d->json = db_row_json(st, service_cols, DB_NCOLS(service_cols))) == NULL)
		return MED_ENOMEM;
	return MED_OK;
}

static enum med_err
load(struct med_ctx *ctx, const char *id, struct service *s, cJSON **json)
{
	struct service_dest d = { s, json };

	if (json != NULL)
		*json = NULL;
	return db_first(ctx, SQL_GET, id, service_row, &d);
}

enum med_err
service_load(struct med_ctx *ctx, const char *id, struct service *s)
{
	return load(ctx, id, s, NULL);
}

/* The answer of a service route for e; not_found names what was not found. */
static int
reply_service(enum med_err e, cJSON *json, int status, const char *not_found,
    struct med_resp *resp)
{
	switch (e) {
	case MED_OK:
		return status == 204 ? med_no_content(resp) : med_reply(resp, status, json, NULL);
	case MED_ENOTFOUND:
		return med_error(resp, 404, not_found);
	case MED_EFORBIDDEN:
		return med_error(resp, 403, "Forbidden");
	default:
		return med_fail(resp, e);
	}
}

int
h_services_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = med_path(req, "doctor_id");
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	if ((e = profile_doctor_exists(ctx, doctor)) != MED_OK)
		return reply_service(e, NULL, 200, "Doctor not found", resp);
	if ((st = db_stmt(ctx, SQL_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, doctor);
	if ((e = db_rows_raw(st, service_cols, DB_NCOLS(service_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

SPEC(service_create_body,
	{ "name", FT_STRING, FF_REQUIRED, 1, NAME_MAX_LEN },
	{ "duration_minutes", FT_INT, FF_REQUIRED, SERVICE_DURATION_MIN, SERVICE_DURATION_MAX },
	{ "buffer_before_minutes", FT_INT, 0, 0, SERVICE_BUFFER_MAX },
	{ "buffer_after_minutes", FT_INT, 0, 0, SERVICE_BUFFER_MAX },
	{ "price", FT_MONEY, 0, 0, PRICE_MAX },
	{ "currency", FT_CURRENCY, 0, 3, 3 },
	{ "is_active", FT_BOOL, 0 },
);

/* An integer field of the body, or dflt when it was not sent. */
static int64_t
int_or(const struct med_req *req, const char *name, int64_t dflt)
{
	const struct fval *v = med_body(req, name);

	return v->present ? v->i : dflt;
}

int
h_services_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = med_path(req, "doctor_id");
	const struct fval *currency = med_body(req, "currency"), *active = med_body(req, "is_active");
	char id[MED_UUID_LEN + 1];
	struct service s;
	sqlite3_stmt *st;
	cJSON *json = NULL;
	enum med_err e;

	if ((e = profile_doctor_exists(ctx, doctor)) != MED_OK ||
	    (e = profile_may_manage_doctor(ctx, req, doctor, 0)) != MED_OK ||
	    (e = util_uuid4(id)) != MED_OK)
		return reply_service(e, NULL, 201, "Doctor not found", resp);
	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, doctor);
	db_bind_text(st, 3, fval_str(med_body(req, "name")));
	db_bind_int(st, 4, med_body(req, "duration_minutes")->i);
	db_bind_int(st, 5, int_or(req, "buffer_before_minutes", 0));
	db_bind_int(st, 6, int_or(req, "buffer_after_minutes", 0));
	db_bind_int(st, 7, int_or(req, "price", 0));
	db_bind_text(st, 8, currency->present ? currency->s : "USD");
	db_bind_int(st, 9, active->present ? active->b : 1);
	db_bind_int(st, 10, med_now(ctx));
	if ((e = db_step_done(st)) == MED_OK)
		e = load(ctx, id, &s, &json);
	return reply_service(e, json, 201, "Doctor not found", resp);
}

/* The service of the path, when the caller may manage it. */
static enum med_err
service_managed(struct med_ctx *ctx, const struct med_req *req, struct service *s)
{
	enum med_err e;

	if ((e = load(ctx, med_path(req, "service_id"), s, NULL)) != MED_OK)
		return e;
	return profile_may_manage_doctor(ctx, req, s->doctor_id, 0);
}

/* The fields of SQL_UPDATE, in its order. */
SPEC(service_patch_body,
	{ "name", FT_STRING, 0, 1, NAME_MAX_LEN },
	{ "duration_minutes", FT_INT, 0, SERVICE_DURATION_MIN, SERVICE_DURATION_MAX },
	{ "buffer_before_minutes", FT_INT, 0, 0, SERVICE_BUFFER_MAX },
	{ "buffer_after_minutes", FT_INT, 0, 0, SERVICE_BUFFER_MAX },
	{ "price", FT_MONEY, 0, 0, PRICE_MAX },
	{ "currency", FT_CURRENCY, 0, 3, 3 },
	{ "is_active", FT_BOOL, 0 },
);

/*
 * A change applies to later bookings only: a booked visit keeps the
 * length and buffers it was booked with.
 */
int
h_services_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct service s;
	sqlite3_stmt *st;
	cJSON *json = NULL;
	enum med_err e;

	if ((e = service_managed(ctx, req, &s)) != MED_OK)
		return reply_service(e, NULL, 200, "Service not found", resp);
	if ((st = db_stmt(ctx, SQL_UPDATE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, s.id);
	valid_bind_update(st, 2, service_patch_body.f, req->body_vals, service_patch_body.n);
	db_bind_int(st, 16, med_now(ctx));
	if ((e = db_step_done(st)) == MED_OK)
		e = load(ctx, s.id, &s, &json);
	return reply_service(e, json, 200, "Service not found", resp);
}

/*
 * Rule: a service that appointments name is deactivated, not deleted, so
 * their history keeps its visit type; the answer is then 200 with the
 * service as it stands, 204 when it is gone.
 */
int
h_services_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct service s;
	sqlite3_stmt *st;
	cJSON *json = NULL;
	enum med_err e;
	int used;

	if ((e = service_managed(ctx, req, &s)) != MED_OK ||
	    (e = db_exists(ctx, SQL_USED, s.id, &used)) != MED_OK)
		return reply_service(e, NULL, 204, "Service not found", resp);
	if ((st = db_stmt(ctx, used ? SQL_DEACTIVATE : SQL_DELETE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, s.id);
	if (used)
		db_bind_int(st, 2, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	if (!used)
		return med_no_content(resp);
	if ((e = load(ctx, s.id, &s, &json)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, json);
}
