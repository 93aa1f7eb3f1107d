/*
 * fhir_hcs.c - HealthcareService: a doctor's service (visit type,
 * doctor_services) as FHIR.  Public like Practitioner: a service's name,
 * length, buffers and price are what the booking page shows anyone.
 *
 * R4 HealthcareService has no element for a visit's length, its buffers
 * or its price, and none naming the practitioner: the length and buffers
 * are extensions (valueDuration) and a sentence in comment, the price an
 * extension (valueMoney), each extension URL under PUBLIC_URL; the doctor
 * is found the FHIR way, from the PractitionerRole that lists the service
 * (PractitionerRole.healthcareService, and the reverse chain
 * _has:PractitionerRole:service:practitioner in search).
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "fhir_int.h"
#include "handlers.h"
#include "valid.h"

#define HAS_PRACTITIONER "_has:PractitionerRole:service:practitioner"

/*
 * ?1 one service or all, ?2 one doctor or all, ?3 active or all; by id,
 * so pages are stable.
 */
#define SERVICE_WHERE " FROM doctor_services WHERE (?1 IS NULL OR id = ?1)" \
    " AND (?2 IS NULL OR doctor_id = ?2) AND (?3 IS NULL OR is_active = ?3)"
static const char SQL_SERVICES[] = "SELECT id, name, duration_minutes, buffer_before_minutes,"
    " buffer_after_minutes, price_cents, currency, is_active" SERVICE_WHERE
    " ORDER BY id LIMIT ?4 OFFSET ?5";
static const char SQL_SERVICES_COUNT[] = "SELECT count(*)" SERVICE_WHERE;
enum { SC_ID, SC_NAME, SC_DURATION, SC_BEFORE, SC_AFTER, SC_PRICE, SC_CURRENCY, SC_ACTIVE };

/* What a search or a read asks for (NULL / -1: any). */
struct service_filter {
	const char *id, *doctor;
	int active;
};

/* {"value": minutes, "unit": "min", UCUM}: a valueDuration. */
static cJSON *
minutes(int n)
{
	cJSON *d = cJSON_CreateObject();

	if (d == NULL || cJSON_AddNumberToObject(d, "value", n) == NULL ||
	    cJSON_AddStringToObject(d, "unit", "min") == NULL ||
	    cJSON_AddStringToObject(d, "system", "http://unitsofmeasure.org") == NULL ||
	    cJSON_AddStringToObject(d, "code", "min") == NULL) {
		cJSON_Delete(d);
		return NULL;
	}
	return d;
}

/* {"value": amount, "currency": code}: a valueMoney from cents. */
static cJSON *
money(int64_t cents, const char *currency)
{
	cJSON *m = cJSON_CreateObject();

	if (m == NULL || cJSON_AddNumberToObject(m, "value", (double)cents / 100.0) == NULL ||
	    cJSON_AddStringToObject(m, "currency", currency) == NULL) {
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

static int
add_ext(const struct med_ctx *ctx, cJSON *r, const char *name, const char *key, cJSON *value)
{
	char url[512];

	fhir_full_url(ctx, url, sizeof url, "StructureDefinition", name);
	return fhir_add_extension(r, url, key, value);
}

/* member: [{key: value}] */
static int
add_one_list(cJSON *r, const char *member, const char *key, const char *value)
{
	cJSON *list = cJSON_AddArrayToObject(r, member), *o = cJSON_CreateObject();

	if (list == NULL || o == NULL) {
		cJSON_Delete(o);
		return 0;
	}
	cJSON_AddItemToArray(list, o);
	return cJSON_AddStringToObject(o, key, value) != NULL;
}

static cJSON *
service_json(const struct med_ctx *ctx, sqlite3_stmt *st)
{
	const char *name = (const char *)sqlite3_column_text(st, SC_NAME);
	int len = sqlite3_column_int(st, SC_DURATION), before = sqlite3_column_int(st, SC_BEFORE),
	    after = sqlite3_column_int(st, SC_AFTER);
	cJSON *r = cJSON_CreateObject();
	char comment[160];

	if (before == 0 && after == 0)
		snprintf(comment, sizeof comment, "A %d-minute visit.", len);
	else
		snprintf(comment, sizeof comment, "A %d-minute visit; the doctor is kept free %d"
		    " minutes before it and %d minutes after it.", len, before, after);
	if (r == NULL || cJSON_AddStringToObject(r, "resourceType", "HealthcareService") == NULL ||
	    cJSON_AddStringToObject(r, "id", (const char *)sqlite3_column_text(st, SC_ID)) == NULL ||
	    !add_ext(ctx, r, "service-duration", "valueDuration", minutes(len)) ||
	    !add_ext(ctx, r, "service-buffer-before", "valueDuration", minutes(before)) ||
	    !add_ext(ctx, r, "service-buffer-after", "valueDuration", minutes(after)) ||
	    !add_ext(ctx, r, "service-price", "valueMoney", money(sqlite3_column_int64(st, SC_PRICE),
	    (const char *)sqlite3_column_text(st, SC_CURRENCY))) ||
	    cJSON_AddBoolToObject(r, "active", sqlite3_column_int(st, SC_ACTIVE)) == NULL ||
	    !add_one_list(r, "type", "text", name) ||
	    !add_one_list(r, "location", "reference", "Location/" FHIR_LOCATION_ID) ||
	    cJSON_AddStringToObject(r, "name", name) == NULL ||
	    cJSON_AddStringToObject(r, "comment", comment) == NULL ||
	    cJSON_AddBoolToObject(r, "appointmentRequired", 1) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static void
bind_filter(sqlite3_stmt *st, const struct service_filter *f)
{
	db_bind_text(st, 1, f->id);
	db_bind_text(st, 2, f->doctor);
	if (f->active >= 0)
		db_bind_int(st, 3, f->active);
	else
		sqlite3_bind_null(st, 3);
}

/* service_json() for db_rows_json_arg(): the context names the extensions' URLs. */
static cJSON *
service_row(sqlite3_stmt *st, void *ctx)
{
	return service_json(ctx, st);
}

/* The services of f, a page of them, as resources into the new array *out. */
static enum med_err
services(struct med_ctx *ctx, const struct service_filter *f, const struct fhir_page *pg,
    cJSON **out)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_SERVICES);

	*out = NULL;
	if (st == NULL)
		return MED_EDB;
	bind_filter(st, f);
	db_bind_int(st, 4, pg->count);
	db_bind_int(st, 5, pg->offset);
	return db_rows_json_arg(st, service_row, ctx, out);
}

SPEC(fhir_service_query,
	{ "_id", FT_STRING, 0, 1, 80 },
	{ "active", FT_BOOL, 0 },
	{ HAS_PRACTITIONER, FT_STRING, 0, 1, 80 },
	FLD_FHIR_PAGING,
);

/*
 * Search: by _id, active, and the doctor through the PractitionerRole
 * that lists the service (a doctor's role has the doctor's id).
 */
int
h_fhir_service_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = fval_str(med_qarg(req, "_id")), *doc = fval_str(med_qarg(req, HAS_PRACTITIONER));
	const struct fval *active = med_qarg(req, "active");
	char idv[MED_UUID_LEN + 1], docv[MED_UUID_LEN + 1];
	struct service_filter f = { NULL, NULL, active->present ? active->b : -1 };
	struct fhir_page pg;
	sqlite3_stmt *st;
	cJSON *list;
	int64_t total;
	enum med_err e;

	if (id != NULL && fhir_parse_ref(id, "HealthcareService", idv) != MED_OK)
		return fhir_error(resp, 400, NULL, "_id: expected a UUID");
	if (doc != NULL && fhir_parse_ref(doc, "Practitioner", docv) != MED_OK)
		return fhir_error(resp, 400, NULL, HAS_PRACTITIONER ": expected Practitioner/<uuid>");
	f.id = id != NULL ? idv : NULL;
	f.doctor = doc != NULL ? docv : NULL;
	fhir_page(req, &pg);
	if ((st = db_stmt(ctx, SQL_SERVICES_COUNT)) == NULL)
		return fhir_fail(resp, MED_EDB);
	bind_filter(st, &f);
	if ((e = fhir_count(st, &total)) != MED_OK || (e = services(ctx, &f, &pg, &list)) != MED_OK)
		return fhir_fail(resp, e);
	return fhir_list_reply(ctx, req, resp, &pg, total, list);
}

int
h_fhir_service_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct service_filter f = { med_path(req, "service_id"), NULL, -1 };
	struct fhir_page one = { 1, 0 };
	cJSON *list, *r;
	enum med_err e;

	if ((e = services(ctx, &f, &one, &list)) != MED_OK)
		return fhir_fail(resp, e);
	r = cJSON_DetachItemFromArray(list, 0);
	cJSON_Delete(list);
	if (r == NULL)
		return fhir_error(resp, 404, NULL, "HealthcareService not found");
	return fhir_reply(resp, 200, r);
}
