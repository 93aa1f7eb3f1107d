/*
 * fhir_res.c - the public FHIR resources: Practitioner, PractitionerRole
 * and Schedule (one of each per doctor, with the doctor's UUID as id),
 * Location (the clinic) and Slot (computed by slots_compute(), the code
 * behind the slots route, so both always agree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"
#include "db.h"
#include "fhir_int.h"
#include "handlers.h"
#include "util.h"
#include "valid.h"

#define DOCTOR_COLUMNS "d.id, d.first_name, d.last_name, d.phone, d.clinic_address, d.city," \
    " d.country, (SELECT json_group_array(s.name) FROM doctor_specialties ds" \
    " JOIN specialties s ON s.id = ds.specialty_id WHERE ds.doctor_id = d.id)," \
    " (SELECT json_group_array(v.id) FROM doctor_services v" \
    " WHERE v.doctor_id = d.id AND v.is_active = 1)"
enum { DC_ID, DC_FIRST, DC_LAST, DC_PHONE, DC_ADDRESS, DC_CITY, DC_COUNTRY, DC_SPECIALTIES,
    DC_SERVICES };

static const char SQL_DOCTOR[] = "SELECT " DOCTOR_COLUMNS " FROM doctors d WHERE d.id = ?1";
/* ?1: one doctor or all (NULL); by id, so pages are stable. */
static const char SQL_DOCTORS[] = "SELECT " DOCTOR_COLUMNS " FROM doctors d"
    " WHERE ?1 IS NULL OR d.id = ?1 ORDER BY d.id LIMIT ?2 OFFSET ?3";
static const char SQL_DOCTORS_COUNT[] =
    "SELECT count(*) FROM doctors WHERE ?1 IS NULL OR id = ?1";

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static cJSON *
resource(const char *type, const char *id)
{
	cJSON *r = cJSON_CreateObject();

	if (r == NULL || cJSON_AddStringToObject(r, "resourceType", type) == NULL ||
	    cJSON_AddStringToObject(r, "id", id) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

int
fhir_add_extension(cJSON *r, const char *url, const char *key, cJSON *value)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(r, "extension"), *x;

	if (value == NULL || (list == NULL && (list = cJSON_AddArrayToObject(r, "extension")) == NULL) ||
	    (x = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(value);
		return 0;
	}
	cJSON_AddItemToArray(list, x);
	if (cJSON_AddStringToObject(x, "url", url) == NULL || !cJSON_AddItemToObject(x, key, value)) {
		cJSON_Delete(value);
		return 0;
	}
	return 1;
}

/* [{"system": "phone", "value": phone, "use": use}] (no use when NULL), nothing without a phone. */
int
fhir_add_phone(cJSON *o, const char *phone, const char *use)
{
	cJSON *list, *t;

	if (phone == NULL || *phone == '\0')
		return 1;
	if ((list = cJSON_AddArrayToObject(o, "telecom")) == NULL ||
	    (t = cJSON_CreateObject()) == NULL)
		return 0;
	cJSON_AddItemToArray(list, t);
	return cJSON_AddStringToObject(t, "system", "phone") != NULL &&
	    cJSON_AddStringToObject(t, "value", phone) != NULL &&
	    (use == NULL || cJSON_AddStringToObject(t, "use", use) != NULL);
}

/* [{"line": [line], "city", "country"}], nothing when all are empty. */
int
fhir_add_address(cJSON *o, const char *line, const char *city, const char *country)
{
	cJSON *list, *a, *lines;

	if ((line == NULL || !*line) && (city == NULL || !*city) && (country == NULL || !*country))
		return 1;
	if ((list = cJSON_AddArrayToObject(o, "address")) == NULL ||
	    (a = cJSON_CreateObject()) == NULL)
		return 0;
	cJSON_AddItemToArray(list, a);
	if (line != NULL && *line != '\0' && ((lines = cJSON_AddArrayToObject(a, "line")) == NULL ||
	    !cJSON_AddItemToArray(lines, cJSON_CreateString(line))))
		return 0;
	return fhir_add_str(a, "city", city) && fhir_add_str(a, "country", country);
}

/* [{"use": "official", "family", "given": [first]}], nothing when both are empty. */
int
fhir_add_name(cJSON *o, const char *first, const char *last)
{
	cJSON *list, *n, *given;

	if ((first == NULL || !*first) && (last == NULL || !*last))
		return 1;
	if ((list = cJSON_AddArrayToObject(o, "name")) == NULL ||
	    (n = cJSON_CreateObject()) == NULL)
		return 0;
	cJSON_AddItemToArray(list, n);
	if (cJSON_AddStringToObject(n, "use", "official") == NULL || !fhir_add_str(n, "family", last))
		return 0;
	if (first != NULL && *first != '\0' && ((given = cJSON_AddArrayToObject(n, "given")) == NULL ||
	    !cJSON_AddItemToArray(given, cJSON_CreateString(first))))
		return 0;
	return 1;
}

static cJSON *
practitioner_json(sqlite3_stmt *st)
{
	cJSON *r = resource("Practitioner", col(st, DC_ID));

	if (r == NULL || cJSON_AddBoolToObject(r, "active", 1) == NULL ||
	    !fhir_add_name(r, col(st, DC_FIRST), col(st, DC_LAST)) ||
	    !fhir_add_phone(r, col(st, DC_PHONE), "work") ||
	    !fhir_add_address(r, col(st, DC_ADDRESS), col(st, DC_CITY), col(st, DC_COUNTRY))) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

/* specialty: [{"text": name}] from the JSON array of names. */
static int
add_specialties(cJSON *r, const char *names)
{
	cJSON *arr = names != NULL ? cJSON_Parse(names) : NULL, *n, *list, *cc;
	int ok = 1;

	if (cJSON_GetArraySize(arr) > 0 && (list = cJSON_AddArrayToObject(r, "specialty")) != NULL) {
		cJSON_ArrayForEach(n, arr) {
			if (!cJSON_IsString(n) || (cc = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(list, cc) ||
			    cJSON_AddStringToObject(cc, "text", n->valuestring) == NULL) {
				ok = 0;
				break;
			}
		}
	}
	cJSON_Delete(arr);
	return ok;
}

/* healthcareService: a reference to each active service, from the JSON array of ids. */
static int
add_services(cJSON *r, const char *ids)
{
	cJSON *arr = ids != NULL ? cJSON_Parse(ids) : NULL, *n, *list, *ref;
	char buf[64];
	int ok = 1;

	if (cJSON_GetArraySize(arr) > 0 &&
	    (ok = (list = cJSON_AddArrayToObject(r, "healthcareService")) != NULL)) {
		cJSON_ArrayForEach(n, arr) {
			if (!cJSON_IsString(n))
				continue;
			fhir_ref(buf, sizeof buf, "HealthcareService", n->valuestring);
			if ((ref = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, ref) ||
			    cJSON_AddStringToObject(ref, "reference", buf) == NULL) {
				ok = 0;
				break;
			}
		}
	}
	cJSON_Delete(arr);
	return ok;
}

static cJSON *
role_json(sqlite3_stmt *st)
{
	const char *id = col(st, DC_ID);
	cJSON *r = resource("PractitionerRole", id), *locs, *loc;

	if (r == NULL || cJSON_AddBoolToObject(r, "active", 1) == NULL ||
	    !fhir_add_ref(r, "practitioner", "Practitioner", id) ||
	    (locs = cJSON_AddArrayToObject(r, "location")) == NULL ||
	    (loc = cJSON_CreateObject()) == NULL)
		goto fail;
	cJSON_AddItemToArray(locs, loc);
	if (cJSON_AddStringToObject(loc, "reference", "Location/" FHIR_LOCATION_ID) == NULL ||
	    !add_specialties(r, col(st, DC_SPECIALTIES)) || !add_services(r, col(st, DC_SERVICES)) ||
	    !fhir_add_phone(r, col(st, DC_PHONE), "work"))
		goto fail;
	return r;
fail:
	cJSON_Delete(r);
	return NULL;
}

cJSON *
fhir_schedule_json(const char *doctor_id)
{
	cJSON *r = resource("Schedule", doctor_id), *actors, *a;
	char ref[64];

	if (r == NULL || cJSON_AddBoolToObject(r, "active", 1) == NULL ||
	    (actors = cJSON_AddArrayToObject(r, "actor")) == NULL)
		goto fail;
	fhir_ref(ref, sizeof ref, "Practitioner", doctor_id);
	if ((a = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(actors, a) ||
	    cJSON_AddStringToObject(a, "reference", ref) == NULL ||
	    (a = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(actors, a) ||
	    cJSON_AddStringToObject(a, "reference", "Location/" FHIR_LOCATION_ID) == NULL)
		goto fail;
	return r;
fail:
	cJSON_Delete(r);
	return NULL;
}

static cJSON *
schedule_json(sqlite3_stmt *st)
{
	return fhir_schedule_json(col(st, DC_ID));
}

cJSON *
fhir_location_json(const struct med_ctx *ctx)
{
	cJSON *r = resource("Location", FHIR_LOCATION_ID);

	if (r == NULL || cJSON_AddStringToObject(r, "status", "active") == NULL ||
	    cJSON_AddStringToObject(r, "name", ctx->cfg.clinic_name) == NULL ||
	    cJSON_AddStringToObject(r, "mode", "instance") == NULL ||
	    !fhir_add_phone(r, ctx->cfg.clinic_phone, "work")) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

enum med_err
fhir_practitioner(struct med_ctx *ctx, const char *doctor_id, cJSON **out)
{
	return db_load_one(ctx, SQL_DOCTOR, doctor_id, practitioner_json, out);
}

/* ---- doctor-based read and search ------------------------------------- */

static int
doctor_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, db_row_fn fn)
{
	cJSON *r = NULL;
	enum med_err e = db_load_one(ctx, SQL_DOCTOR, med_path(req, "doctor_id"), fn, &r);

	if (e != MED_OK)
		return fhir_fail(resp, e);
	return fhir_reply(resp, 200, r);
}

/*
 * A search over doctors, one resource each, narrowed by the reference
 * parameter param (of type reftype) when sent.
 */
static int
doctor_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    const char *param, const char *reftype, db_row_fn fn)
{
	const char *ref = fval_str(med_qarg(req, param));
	char id[MED_UUID_LEN + 1], why[160];
	struct fhir_page pg;
	sqlite3_stmt *st;
	cJSON *list = NULL;
	int64_t total;
	enum med_err e;

	if (ref != NULL && fhir_parse_ref(ref, reftype, id) != MED_OK) {
		snprintf(why, sizeof why, "%s: expected %s/<uuid>", param, reftype);
		return fhir_error(resp, 400, NULL, why);
	}
	fhir_page(req, &pg);
	if ((st = db_stmt(ctx, SQL_DOCTORS_COUNT)) == NULL)
		return fhir_fail(resp, MED_EDB);
	db_bind_text(st, 1, ref != NULL ? id : NULL);
	if ((e = fhir_count(st, &total)) != MED_OK)
		return fhir_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_DOCTORS)) == NULL)
		return fhir_fail(resp, MED_EDB);
	db_bind_text(st, 1, ref != NULL ? id : NULL);
	db_bind_int(st, 2, pg.count);
	db_bind_int(st, 3, pg.offset);
	if ((e = db_rows_json(st, fn, &list)) != MED_OK)
		return fhir_fail(resp, e);
	return fhir_list_reply(ctx, req, resp, &pg, total, list);
}

SPEC(fhir_practitioner_query, { "_id", FT_STRING, 0, 1, 80 }, FLD_FHIR_PAGING);
SPEC(fhir_role_query, { "practitioner", FT_STRING, 0, 1, 80 }, FLD_FHIR_PAGING);
SPEC(fhir_schedule_query, { "actor", FT_STRING, 0, 1, 80 }, FLD_FHIR_PAGING);
SPEC(fhir_location_query, FLD_FHIR_PAGING);

int
h_fhir_practitioner_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return doctor_search(ctx, req, resp, "_id", "Practitioner", practitioner_json);
}

int
h_fhir_practitioner_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return doctor_read(ctx, req, resp, practitioner_json);
}

int
h_fhir_role_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return doctor_search(ctx, req, resp, "practitioner", "Practitioner", role_json);
}

int
h_fhir_role_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return doctor_read(ctx, req, resp, role_json);
}

int
h_fhir_schedule_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return doctor_search(ctx, req, resp, "actor", "Practitioner", schedule_json);
}

int
h_fhir_schedule_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return doctor_read(ctx, req, resp, schedule_json);
}

int
h_fhir_location_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct fhir_page pg;
	cJSON *bundle;
	enum med_err e = MED_OK;

	fhir_page(req, &pg);
	if ((bundle = fhir_bundle(ctx, req, &pg, 1)) == NULL)
		return fhir_fail(resp, MED_ENOMEM);
	if (pg.offset == 0)
		e = fhir_bundle_add(ctx, bundle, fhir_location_json(ctx));
	if (e != MED_OK) {
		cJSON_Delete(bundle);
		return fhir_fail(resp, e);
	}
	return fhir_bundle_reply(resp, bundle);
}

int
h_fhir_location_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *r;

	if (strcmp(med_path(req, "location_id"), FHIR_LOCATION_ID) != 0)
		return fhir_fail(resp, MED_ENOTFOUND);
	if ((r = fhir_location_json(ctx)) == NULL)
		return fhir_fail(resp, MED_ENOMEM);
	return fhir_reply(resp, 200, r);
}

/* ---- Slot -------------------------------------------------------------- */

/* Default window of a Slot search without a start bound. */
#define SLOT_WINDOW_DAYS 14

enum { SLOT_FREE = 1, SLOT_BUSY = 2 };

struct slot_pick {
	int64_t from, to;   /* starts kept: [from, to) */
	unsigned status;    /* SLOT_* bits */
	struct fhir_slot *v;
	size_t n, cap;
};

static enum med_err
slot_keep(int64_t start, int64_t end, int free, void *arg)
{
	struct slot_pick *p = arg;
	struct fhir_slot *nv;

	if (start < p->from || start >= p->to || !(p->status & (free ? SLOT_FREE : SLOT_BUSY)))
		return MED_OK;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		if ((nv = realloc(p->v, cap * sizeof *nv)) == NULL)
			return MED_ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = (struct fhir_slot){ start, end, free };
	return MED_OK;
}

enum med_err
fhir_slots(struct med_ctx *ctx, const char *doctor, int64_t from, int64_t to, int free_only,
    struct fhir_slot **out, size_t *n)
{
	struct slot_pick p = { from, to, free_only ? SLOT_FREE : SLOT_FREE | SLOT_BUSY, NULL, 0, 0 };
	int y, m, d, days = 0, yy, mm, dd;
	enum med_err e;

	*out = NULL;
	*n = 0;
	/* The clinic-local days that hold [from, to). */
	util_utc_to_local(from, &y, &m, &d, NULL, NULL);
	for (yy = y, mm = m, dd = d; util_local_to_utc(yy, mm, dd, 0) < to; days++) {
		/* 62 days from a time of day touch 63 clinic-local days. */
		if (days > SLOTS_DAYS_MAX + 1)
			return MED_ERANGE;
		util_add_days(&yy, &mm, &dd, 1);
	}
	e = slots_compute(ctx, &(struct slot_request){ .doctor = doctor, .y = y, .m = m, .d = d,
	    .days = days, .minutes = SLOTS_MINUTES_DEFAULT }, slot_keep, &p);
	if (e != MED_OK) {
		free(p.v);
		return e;
	}
	*out = p.v;
	*n = p.n;
	return MED_OK;
}

cJSON *
fhir_slot_json(const char *doctor, const struct fhir_slot *s)
{
	char id[64], a[32], b[32];
	cJSON *r;

	snprintf(id, sizeof id, "%s-%lld", doctor, (long long)s->start);
	util_fmt_instant(s->start, a);
	util_fmt_instant(s->end, b);
	if ((r = resource("Slot", id)) == NULL || !fhir_add_ref(r, "schedule", "Schedule", doctor) ||
	    cJSON_AddStringToObject(r, "status", s->free ? "free" : "busy") == NULL ||
	    cJSON_AddStringToObject(r, "start", a) == NULL ||
	    cJSON_AddStringToObject(r, "end", b) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

/* status=free|busy, comma lists and repeats allowed; 0 on a bad value. */
static unsigned
slot_status(const struct med_req *req)
{
	unsigned bits = 0, any = 0;

	for (int i = 0; i < req->nqs; i++) {
		const char *v = req->qs[i].val;
		if (strcmp(req->qs[i].key, "status") != 0)
			continue;
		any = 1;
		while (*v != '\0') {
			size_t len = strcspn(v, ",");
			if (len == 4 && strncmp(v, "free", 4) == 0)
				bits |= SLOT_FREE;
			else if (len == 4 && strncmp(v, "busy", 4) == 0)
				bits |= SLOT_BUSY;
			else
				return 0;
			v += len + (v[len] == ',');
		}
	}
	return any ? bits : SLOT_FREE | SLOT_BUSY;
}

SPEC(fhir_slot_query,
	{ "schedule", FT_STRING, FF_REQUIRED, 1, 80 },
	{ "start", FT_STRING, 0, 1, 64 },
	{ "status", FT_STRING, 0, 1, 32 },
	FLD_FHIR_PAGING,
);

/*
 * Slot search: one schedule (doctor), a window of start instants (now
 * and the next 14 days unless start bounds it, at most 62 days), free
 * and/or busy.  Slots are computed, not stored: the id is the doctor's
 * UUID and the start instant.
 */
int
h_fhir_slot_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char doctor[MED_UUID_LEN + 1], why[200];
	int64_t now = med_now(ctx), from = now, to = INT64_MAX;
	struct fhir_slot *v = NULL;
	struct fhir_page pg;
	cJSON *bundle;
	unsigned status;
	enum med_err e = MED_OK;
	size_t n;

	if (fhir_parse_ref(fval_str(med_qarg(req, "schedule")), "Schedule", doctor) != MED_OK)
		return fhir_error(resp, 400, NULL, "schedule: expected Schedule/<uuid>");
	if ((status = slot_status(req)) == 0)
		return fhir_error(resp, 400, NULL, "status: expected free or busy");
	if (fhir_date_range(req, "start", &from, &to, why, sizeof why) != MED_OK)
		return fhir_error(resp, 400, NULL, why);
	if (to == INT64_MAX)
		to = (from > now ? from : now) + SLOT_WINDOW_DAYS * 86400;
	if (to > from && to - from > (int64_t)SLOTS_DAYS_MAX * 86400)
		return fhir_error(resp, 400, "too-costly", "start: the window may span at most 62 days");
	fhir_page(req, &pg);
	if (to > from && (e = fhir_slots(ctx, doctor, from, to, status == SLOT_FREE, &v, &n)) != MED_OK) {
		if (e == MED_ENOTFOUND)
			return fhir_error(resp, 404, NULL, "Schedule not found");
		if (e == MED_ERANGE)
			return fhir_error(resp, 400, "too-costly", "start: the window may span at most 62 days");
		return fhir_fail(resp, e);
	}
	if (to <= from)
		n = 0;
	if (status == SLOT_BUSY) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!v[i].free)
				v[k++] = v[i];
		n = k;
	}
	if ((bundle = fhir_bundle(ctx, req, &pg, (int64_t)n)) == NULL) {
		free(v);
		return fhir_fail(resp, MED_ENOMEM);
	}
	for (size_t i = (size_t)pg.offset; i < n && i < (size_t)(pg.offset + pg.count) && e == MED_OK; i++)
		e = fhir_bundle_add(ctx, bundle, fhir_slot_json(doctor, &v[i]));
	free(v);
	if (e != MED_OK) {
		cJSON_Delete(bundle);
		return fhir_fail(resp, e);
	}
	return fhir_bundle_reply(resp, bundle);
}
