/*
 * fhir_clin.c - Patient and Appointment: behind the bearer token and the
 * ownership rules of /api/v1 (a patient sees their own, a doctor the
 * patients they see and their own appointments, staff and admin all), and
 * every read audited like the API's: one "read" row per resource shown,
 * one "denied" row that outlives the refusal.
 *
 * The scope is part of each query: ?pat_user is the caller's user id
 * when the caller is only a patient, ?doc_user when only a doctor, NULL
 * otherwise, so a search can never list what a read would refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "fhir_int.h"
#include "handlers.h"
#include "profiles.h"
#include "util.h"
#include "valid.h"

/* ---- scope ---------------------------------------------------------- */

struct scope {
	const char *pat_user, *doc_user;  /* NULL: not narrowed that way */
	int unrestricted;                 /* admin or staff */
};

static void
caller_scope(const struct med_req *req, struct scope *s)
{
	s->pat_user = s->doc_user = NULL;
	s->unrestricted = med_has_role(req, ROLE_ADMIN | ROLE_STAFF);
	if (s->unrestricted)
		return;
	/* Anyone else is narrowed to something: a role without rows sees nothing. */
	if (req->user.role == ROLE_DOCTOR)
		s->doc_user = req->user.id;
	else
		s->pat_user = req->user.id;
}

/*
 * The scope of a search.  A patient lists what its profile holds; a
 * PATIENT without one (a demoted account) is told so, as GET /patients/me
 * tells it: 404 "Patient profile not found", not an empty Bundle.  0 to
 * go on; otherwise the status answered in resp.
 */
static int
search_scope(struct med_ctx *ctx, const struct med_req *req, struct scope *s,
    struct med_resp *resp)
{
	char id[MED_UUID_LEN + 1];
	enum med_err e;

	caller_scope(req, s);
	if (s->pat_user == NULL)
		return 0;
	if ((e = profile_patient_of_user(ctx, s->pat_user, id)) == MED_ENOTFOUND)
		return fhir_error(resp, 404, NULL, "Patient profile not found");
	return e == MED_OK ? 0 : fhir_fail(resp, e);
}

/* Read of one resource refused: 403 whether it exists or not, and the attempt is logged. */
static int
denied(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp,
    const char *entity, const char *id)
{
	enum med_err e = audit_add(ctx, &req->user, "read", entity, id, "denied", "fhir");

	if (e != MED_OK)
		return fhir_fail(resp, e);
	route_keep_on_refusal(ctx);
	return fhir_error(resp, 403, NULL, "Forbidden");
}

/*
 * The rows of the bound list statement st as resources (fn) into a
 * searchset Bundle with total, each audited as a read of entity.
 */
static int
answer_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    sqlite3_stmt *st, db_row_fn fn, const struct fhir_page *pg, int64_t total,
    const char *entity)
{
	cJSON *list = NULL;
	enum med_err e;

	if ((e = db_rows_json(st, fn, &list)) != MED_OK)
		return fhir_fail(resp, e);
	if ((e = audit_add_list(ctx, &req->user, "read", entity, list, "fhir")) != MED_OK) {
		cJSON_Delete(list);
		return fhir_fail(resp, e);
	}
	return fhir_list_reply(ctx, req, resp, pg, total, list);
}

/* ---- Patient -------------------------------------------------------- */

#define PATIENT_COLUMNS "p.id, p.first_name, p.last_name, p.phone, p.date_of_birth, p.gender," \
    " p.address, p.city, p.country"
enum { PC_ID, PC_FIRST, PC_LAST, PC_PHONE, PC_BIRTH, PC_GENDER, PC_ADDRESS, PC_CITY, PC_COUNTRY };

/* ?1 id or NULL, ?2 pat_user, ?3 doc_user. */
#define PATIENT_WHERE " WHERE (?1 IS NULL OR p.id = ?1)" \
    " AND (?2 IS NULL OR p.user_id = ?2)" \
    " AND (?3 IS NULL OR p.id IN (SELECT a.patient_id FROM appointments a" \
    " JOIN doctors d ON d.id = a.doctor_id WHERE d.user_id = ?3))"
static const char SQL_PATIENTS[] = "SELECT " PATIENT_COLUMNS " FROM patients p" PATIENT_WHERE
    " ORDER BY p.id LIMIT ?4 OFFSET ?5";
static const char SQL_PATIENTS_COUNT[] = "SELECT count(*) FROM patients p" PATIENT_WHERE;
static const char SQL_PATIENT_EXISTS[] = "SELECT 1 FROM patients WHERE id = ?1";

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Our free-text gender as FHIR's administrative gender; NULL when unset. */
static const char *
fhir_gender(const char *g)
{
	static const char *const male[] = { "m", "male", "homme", "h", "masculin" };
	static const char *const female[] = { "f", "female", "femme", "feminin", "féminin" };

	if (g == NULL || *g == '\0')
		return NULL;
	for (size_t i = 0; i < sizeof male / sizeof male[0]; i++)
		if (strcasecmp(g, male[i]) == 0)
			return "male";
	for (size_t i = 0; i < sizeof female / sizeof female[0]; i++)
		if (strcasecmp(g, female[i]) == 0)
			return "female";
	return "other";
}

static cJSON *
patient_json(sqlite3_stmt *st)
{
	cJSON *r = cJSON_CreateObject();
	const char *birth = col(st, PC_BIRTH);

	if (r == NULL || cJSON_AddStringToObject(r, "resourceType", "Patient") == NULL ||
	    cJSON_AddStringToObject(r, "id", col(st, PC_ID)) == NULL ||
	    cJSON_AddBoolToObject(r, "active", 1) == NULL ||
	    !fhir_add_name(r, col(st, PC_FIRST), col(st, PC_LAST)))
		goto fail;
	if (!fhir_add_phone(r, col(st, PC_PHONE), NULL) ||
	    !fhir_add_str(r, "gender", fhir_gender(col(st, PC_GENDER))) ||
	    (birth != NULL && util_parse_date(birth, NULL, NULL, NULL) == MED_OK &&
	    !fhir_add_str(r, "birthDate", birth)) ||
	    !fhir_add_address(r, col(st, PC_ADDRESS), col(st, PC_CITY), col(st, PC_COUNTRY)))
		goto fail;
	return r;
fail:
	cJSON_Delete(r);
	return NULL;
}

cJSON *
fhir_patient_row(sqlite3_stmt *st)
{
	return patient_json(st);
}

static void
bind_patient_scope(sqlite3_stmt *st, const char *id, const struct scope *s)
{
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, s->pat_user);
	db_bind_text(st, 3, s->doc_user);
}

SPEC(fhir_patient_query, { "_id", FT_STRING, 0, 1, 80 }, FLD_FHIR_PAGING);

int
h_fhir_patient_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *idp = fval_str(med_qarg(req, "_id"));
	char id[MED_UUID_LEN + 1];
	struct fhir_page pg = { 1, 0 };
	struct scope s;
	sqlite3_stmt *st;
	int64_t total;
	enum med_err e;
	int refused;

	if (idp != NULL && fhir_parse_ref(idp, "Patient", id) != MED_OK)
		return fhir_error(resp, 400, NULL, "_id: expected a UUID");
	if ((refused = search_scope(ctx, req, &s, resp)) != 0)
		return refused;
	fhir_page(req, &pg);
	if ((st = db_stmt(ctx, SQL_PATIENTS_COUNT)) == NULL)
		return fhir_fail(resp, MED_EDB);
	bind_patient_scope(st, idp != NULL ? id : NULL, &s);
	if ((e = fhir_count(st, &total)) != MED_OK)
		return fhir_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_PATIENTS)) == NULL)
		return fhir_fail(resp, MED_EDB);
	bind_patient_scope(st, idp != NULL ? id : NULL, &s);
	db_bind_int(st, 4, pg.count);
	db_bind_int(st, 5, pg.offset);
	return answer_search(ctx, req, resp, st, patient_json, &pg, total, "patient");
}

/*
 * One resource by id within the caller's scope: the row of st (bound by
 * bind) as fn.  Out of scope: 403 for the restricted (existence is not
 * disclosed), 404 for staff and admin when there is no such row.
 */
static int
scoped_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, const char *sql,
    const char *exists_sql, const char *id, db_row_fn fn, const char *entity,
    void (*bind)(sqlite3_stmt *, const char *, const struct scope *))
{
	struct scope s;
	sqlite3_stmt *st;
	cJSON *r;
	enum med_err e;
	int rc;

	caller_scope(req, &s);
	if ((st = db_stmt(ctx, sql)) == NULL)
		return fhir_fail(resp, MED_EDB);
	bind(st, id, &s);
	db_bind_int(st, 4, 1);
	db_bind_int(st, 5, 0);
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? fn(st) : NULL;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && r == NULL)
		return fhir_fail(resp, MED_ENOMEM);
	if (rc == SQLITE_ROW) {
		if ((e = audit_add(ctx, &req->user, "read", entity, id, "ok", "fhir")) != MED_OK) {
			cJSON_Delete(r);
			return fhir_fail(resp, e);
		}
		return fhir_reply(resp, 200, r);
	}
	if (rc != SQLITE_DONE)
		return fhir_fail(resp, db_err(rc));
	if (!s.unrestricted)
		return denied(ctx, req, resp, entity, id);
	if ((st = db_stmt(ctx, exists_sql)) == NULL)
		return fhir_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return denied(ctx, req, resp, entity, id);
	if (rc != SQLITE_DONE)
		return fhir_fail(resp, db_err(rc));
	if ((e = audit_add(ctx, &req->user, "read", entity, id, "not_found", "fhir")) != MED_OK)
		return fhir_fail(resp, e);
	route_keep_on_refusal(ctx);
	return fhir_error(resp, 404, NULL, "Resource not found");
}

int
h_fhir_patient_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return scoped_read(ctx, req, resp, SQL_PATIENTS, SQL_PATIENT_EXISTS,
	    med_path(req, "patient_id"), patient_json, "patient", bind_patient_scope);
}

/*
 * [{"text": text}] as member of r: one Annotation (note) or text-only
 * CodeableConcept (serviceType); nothing when text is empty.
 */
static int
add_text_list(cJSON *r, const char *member, const char *text)
{
	cJSON *list, *n;

	if (text == NULL || *text == '\0')
		return 1;
	if ((list = cJSON_AddArrayToObject(r, member)) == NULL || (n = cJSON_CreateObject()) == NULL)
		return 0;
	cJSON_AddItemToArray(list, n);
	return cJSON_AddStringToObject(n, "text", text) != NULL;
}

/* ---- Appointment ------------------------------------------------------ */

#define APPT_COLUMNS "a.id, a.patient_id, a.doctor_id, a.start_time, a.end_time, a.status," \
    " a.reason, a.cancellation_reason," \
    " (SELECT s.name FROM doctor_services s WHERE s.id = a.service_id)"
enum {
	AC_ID, AC_PATIENT, AC_DOCTOR, AC_START, AC_END, AC_STATUS, AC_REASON, AC_CANCEL,
	AC_SERVICE
};

/*
 * ?1 id, ?2 pat_user, ?3 doc_user (scope), ?6 patient, ?7 doctor, ?8 and
 * ?9 the start range, ?10 status: NULL narrows nothing.
 */
#define APPT_WHERE " WHERE (?1 IS NULL OR a.id = ?1)" \
    " AND (?2 IS NULL OR a.patient_id IN (SELECT id FROM patients WHERE user_id = ?2))" \
    " AND (?3 IS NULL OR a.doctor_id IN (SELECT id FROM doctors WHERE user_id = ?3))" \
    " AND (?6 IS NULL OR a.patient_id = ?6) AND (?7 IS NULL OR a.doctor_id = ?7)" \
    " AND a.start_time >= ?8 AND a.start_time < ?9 AND (?10 IS NULL OR a.status = ?10)"
static const char SQL_APPTS[] = "SELECT " APPT_COLUMNS " FROM appointments a" APPT_WHERE
    " ORDER BY a.start_time, a.id LIMIT ?4 OFFSET ?5";
static const char SQL_APPTS_COUNT[] = "SELECT count(*) FROM appointments a" APPT_WHERE;
static const char SQL_APPT_EXISTS[] = "SELECT 1 FROM appointments WHERE id = ?1";

/* Our status <-> FHIR Appointment.status. */
static const struct { const char *ours, *fhir; } appt_status[] = {
	{ "SCHEDULED", "booked" }, { "ARRIVED", "arrived" }, { "COMPLETED", "fulfilled" },
	{ "CANCELLED", "cancelled" }, { "NO_SHOW", "noshow" },
};

static const char *
status_fhir(const char *ours)
{
	for (size_t i = 0; ours != NULL && i < sizeof appt_status / sizeof appt_status[0]; i++)
		if (strcmp(appt_status[i].ours, ours) == 0)
			return appt_status[i].fhir;
	return "booked";
}

static const char *
status_ours(const char *fhir)
{
	for (size_t i = 0; i < sizeof appt_status / sizeof appt_status[0]; i++)
		if (strcmp(appt_status[i].fhir, fhir) == 0)
			return appt_status[i].ours;
	return NULL;
}

static int
add_participant(cJSON *list, const char *type, const char *id)
{
	cJSON *p = cJSON_CreateObject();

	if (p == NULL || !cJSON_AddItemToArray(list, p)) {
		cJSON_Delete(p);
		return 0;
	}
	return fhir_add_ref(p, "actor", type, id) && cJSON_AddStringToObject(p, "status", "accepted");
}

static cJSON *
appt_json(sqlite3_stmt *st)
{
	cJSON *r = cJSON_CreateObject(), *parts;
	char a[32], b[32];
	const char *status = status_fhir(col(st, AC_STATUS));

	util_fmt_instant(sqlite3_column_int64(st, AC_START), a);
	util_fmt_instant(sqlite3_column_int64(st, AC_END), b);
	if (r == NULL || cJSON_AddStringToObject(r, "resourceType", "Appointment") == NULL ||
	    cJSON_AddStringToObject(r, "id", col(st, AC_ID)) == NULL ||
	    cJSON_AddStringToObject(r, "status", status) == NULL ||
	    (strcmp(status, "cancelled") == 0 && col(st, AC_CANCEL) != NULL && *col(st, AC_CANCEL) &&
	    (cJSON_AddObjectToObject(r, "cancelationReason") == NULL ||
	    !fhir_add_str(cJSON_GetObjectItem(r, "cancelationReason"), "text", col(st, AC_CANCEL)))) ||
	    !add_text_list(r, "serviceType", col(st, AC_SERVICE)) ||
	    !fhir_add_str(r, "description", col(st, AC_REASON)) ||
	    cJSON_AddStringToObject(r, "start", a) == NULL ||
	    cJSON_AddStringToObject(r, "end", b) == NULL ||
	    (parts = cJSON_AddArrayToObject(r, "participant")) == NULL ||
	    !add_participant(parts, "Patient", col(st, AC_PATIENT)) ||
	    !add_participant(parts, "Practitioner", col(st, AC_DOCTOR))) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

cJSON *
fhir_appointment_row(sqlite3_stmt *st)
{
	return appt_json(st);
}

/* The search filters of an Appointment query beyond the scope. */
struct appt_filter {
	const char *patient, *doctor, *status;
	int64_t from, to;
};

static void
bind_appt(sqlite3_stmt *st, const char *id, const struct scope *s, const struct appt_filter *f)
{
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, s->pat_user);
	db_bind_text(st, 3, s->doc_user);
	db_bind_text(st, 6, f != NULL ? f->patient : NULL);
	db_bind_text(st, 7, f != NULL ? f->doctor : NULL);
	db_bind_int(st, 8, f != NULL ? f->from : INT64_MIN);
	db_bind_int(st, 9, f != NULL ? f->to : INT64_MAX);
	db_bind_text(st, 10, f != NULL ? f->status : NULL);
}

static void
bind_appt_one(sqlite3_stmt *st, const char *id, const struct scope *s)
{
	bind_appt(st, id, s, NULL);
}

SPEC(fhir_appointment_query,
	{ "patient", FT_STRING, 0, 1, 80 },
	{ "practitioner", FT_STRING, 0, 1, 80 },
	{ "date", FT_STRING, 0, 1, 64 },
	{ "status", FT_STRING, 0, 1, 32 },
	FLD_FHIR_PAGING,
);

int
h_fhir_appointment_search(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *pat = fval_str(med_qarg(req, "patient"));
	const char *doc = fval_str(med_qarg(req, "practitioner"));
	const char *status = fval_str(med_qarg(req, "status"));
	char pid[MED_UUID_LEN + 1], did[MED_UUID_LEN + 1], why[200];
	struct appt_filter f = { NULL, NULL, NULL, INT64_MIN, INT64_MAX };
	struct fhir_page pg;
	struct scope s;
	sqlite3_stmt *st;
	int64_t total;
	enum med_err e;
	int refused;

	if (pat != NULL && fhir_parse_ref(pat, "Patient", pid) != MED_OK)
		return fhir_error(resp, 400, NULL, "patient: expected Patient/<uuid>");
	if (doc != NULL && fhir_parse_ref(doc, "Practitioner", did) != MED_OK)
		return fhir_error(resp, 400, NULL, "practitioner: expected Practitioner/<uuid>");
	if (status != NULL && (f.status = status_ours(status)) == NULL)
		return fhir_error(resp, 400, NULL,
		    "status: expected booked, arrived, fulfilled, cancelled or noshow");
	if (fhir_date_range(req, "date", &f.from, &f.to, why, sizeof why) != MED_OK)
		return fhir_error(resp, 400, NULL, why);
	f.patient = pat != NULL ? pid : NULL;
	f.doctor = doc != NULL ? did : NULL;
	if ((refused = search_scope(ctx, req, &s, resp)) != 0)
		return refused;
	fhir_page(req, &pg);
	if ((st = db_stmt(ctx, SQL_APPTS_COUNT)) == NULL)
		return fhir_fail(resp, MED_EDB);
	bind_appt(st, NULL, &s, &f);
	if ((e = fhir_count(st, &total)) != MED_OK)
		return fhir_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_APPTS)) == NULL)
		return fhir_fail(resp, MED_EDB);
	bind_appt(st, NULL, &s, &f);
	db_bind_int(st, 4, pg.count);
	db_bind_int(st, 5, pg.offset);
	return answer_search(ctx, req, resp, st, appt_json, &pg, total, "appointment");
}

int
h_fhir_appointment_read(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return scoped_read(ctx, req, resp, SQL_APPTS, SQL_APPT_EXISTS,
	    med_path(req, "appointment_id"), appt_json, "appointment", bind_appt_one);
}

/* ---- export: everything on one patient as a FHIR collection ------------ */

#define RECORD_COLUMNS "id, doctor_id, diagnosis, treatment_plan, prescription, notes, recorded_at"
enum { RC_ID, RC_DOCTOR, RC_DIAGNOSIS, RC_PLAN, RC_PRESCRIPTION, RC_NOTES, RC_AT };
static const char SQL_RECORDS[] = "SELECT " RECORD_COLUMNS " FROM medical_records"
    " WHERE patient_id = ?1 ORDER BY recorded_at, id";
static const char SQL_PATIENT_DOCTORS[] =
    "SELECT DISTINCT doctor_id FROM appointments WHERE patient_id = ?1"
    " UNION SELECT doctor_id FROM medical_records WHERE patient_id = ?1 AND doctor_id IS NOT NULL"
    " ORDER BY 1";

/* A resource of type for record id about patient, with its recorder. */
static cJSON *
record_base(const char *type, sqlite3_stmt *st, const char *patient, const char *who_member)
{
	cJSON *r = cJSON_CreateObject();
	const char *doctor = col(st, RC_DOCTOR);

	if (r == NULL || cJSON_AddStringToObject(r, "resourceType", type) == NULL ||
	    cJSON_AddStringToObject(r, "id", col(st, RC_ID)) == NULL ||
	    !fhir_add_ref(r, "subject", "Patient", patient) ||
	    (doctor != NULL && *doctor != '\0' && !fhir_add_ref(r, who_member, "Practitioner", doctor))) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static int
add_text_concept(cJSON *r, const char *member, const char *text)
{
	cJSON *c = cJSON_AddObjectToObject(r, member);

	return c != NULL && cJSON_AddStringToObject(c, "text", text) != NULL;
}

/*
 * What a record's Condition led to - r, a CarePlan or MedicationRequest
 * (NULL: out of memory) - pointing at the Condition ref through list
 * member name, into the bundle.  Our records carry no status.
 */
static enum med_err
follow_up(const struct med_ctx *ctx, cJSON *bundle, cJSON *r, const char *intent,
    const char *name, const char *ref)
{
	cJSON *list, *a;

	if (r == NULL || cJSON_AddStringToObject(r, "status", "unknown") == NULL ||
	    cJSON_AddStringToObject(r, "intent", intent) == NULL ||
	    (list = cJSON_AddArrayToObject(r, name)) == NULL ||
	    (a = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, a) ||
	    cJSON_AddStringToObject(a, "reference", ref) == NULL) {
		cJSON_Delete(r);
		return MED_ENOMEM;
	}
	return fhir_bundle_add(ctx, bundle, r);
}

/*
 * One medical record: a Condition (the diagnosis), and a CarePlan (the
 * treatment plan) and a MedicationRequest (the prescription) when the
 * record has them, all under the record's id.
 */
static enum med_err
record_resources(const struct med_ctx *ctx, cJSON *bundle, sqlite3_stmt *st, const char *patient)
{
	const char *plan = col(st, RC_PLAN), *rx = col(st, RC_PRESCRIPTION);
	char at[32], ref[64];
	cJSON *r;
	enum med_err e;

	util_fmt_instant(sqlite3_column_int64(st, RC_AT), at);
	if ((r = record_base("Condition", st, patient, "recorder")) == NULL ||
	    !add_text_concept(r, "code", col(st, RC_DIAGNOSIS)) ||
	    cJSON_AddStringToObject(r, "recordedDate", at) == NULL ||
	    !add_text_list(r, "note", col(st, RC_NOTES))) {
		cJSON_Delete(r);
		return MED_ENOMEM;
	}
	if ((e = fhir_bundle_add(ctx, bundle, r)) != MED_OK)
		return e;
	fhir_ref(ref, sizeof ref, "Condition", col(st, RC_ID));
	if (plan != NULL && *plan != '\0' &&
	    (r = record_base("CarePlan", st, patient, "author")) != NULL &&
	    (cJSON_AddStringToObject(r, "description", plan) == NULL ||
	    cJSON_AddStringToObject(r, "created", at) == NULL)) {
		cJSON_Delete(r);
		return MED_ENOMEM;
	}
	if (plan != NULL && *plan != '\0' &&
	    (e = follow_up(ctx, bundle, r, "plan", "addresses", ref)) != MED_OK)
		return e;
	if (rx != NULL && *rx != '\0' &&
	    (r = record_base("MedicationRequest", st, patient, "requester")) != NULL &&
	    (!add_text_concept(r, "medicationCodeableConcept", rx) ||
	    cJSON_AddStringToObject(r, "authoredOn", at) == NULL)) {
		cJSON_Delete(r);
		return MED_ENOMEM;
	}
	if (rx != NULL && *rx != '\0' &&
	    (e = follow_up(ctx, bundle, r, "order", "reasonReference", ref)) != MED_OK)
		return e;
	return MED_OK;
}

/* Step st (bound) and add each row as fn's resource. */
static enum med_err
add_rows(const struct med_ctx *ctx, cJSON *bundle, sqlite3_stmt *st, db_row_fn fn)
{
	enum med_err e = MED_OK;
	int rc;

	while (e == MED_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		e = fhir_bundle_add(ctx, bundle, fn(st));
	sqlite3_reset(st);
	if (e != MED_OK)
		return e;
	return rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

static enum med_err
add_doctors(struct med_ctx *ctx, cJSON *bundle, const char *patient)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_PATIENT_DOCTORS);
	char (*ids)[MED_UUID_LEN + 1] = NULL, (*nv)[MED_UUID_LEN + 1];
	size_t n = 0, cap = 0;
	enum med_err e = MED_OK;
	cJSON *r;
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = realloc(ids, cap * sizeof *ids)) == NULL) {
				e = MED_ENOMEM;
				break;
			}
			ids = nv;
		}
		db_col_copy(st, 0, ids[n++], sizeof ids[0]);
	}
	sqlite3_reset(st);
	if (e == MED_OK && rc != SQLITE_DONE)
		e = db_err(rc);
	for (size_t i = 0; i < n && e == MED_OK; i++)
		if ((e = fhir_practitioner(ctx, ids[i], &r)) == MED_OK)
			e = fhir_bundle_add(ctx, bundle, r);
		else if (e == MED_ENOTFOUND)
			e = MED_OK; /* a doctor deleted since: the reference stays */
	free(ids);
	return e;
}

enum med_err
fhir_patient_bundle(struct med_ctx *ctx, const char *patient, cJSON **out)
{
	struct scope all = { NULL, NULL, 1 };
	struct appt_filter f = { patient, NULL, NULL, INT64_MIN, INT64_MAX };
	cJSON *b = cJSON_CreateObject();
	sqlite3_stmt *st;
	enum med_err e;
	char now[32];
	int rc;

	*out = NULL;
	util_fmt_instant(med_now(ctx), now);
	if (b == NULL || cJSON_AddStringToObject(b, "resourceType", "Bundle") == NULL ||
	    cJSON_AddStringToObject(b, "type", "collection") == NULL ||
	    cJSON_AddStringToObject(b, "timestamp", now) == NULL ||
	    cJSON_AddArrayToObject(b, "entry") == NULL) {
		cJSON_Delete(b);
		return MED_ENOMEM;
	}
	e = MED_EDB;
	if ((st = db_stmt(ctx, SQL_PATIENTS)) == NULL)
		goto fail;
	bind_patient_scope(st, patient, &all);
	db_bind_int(st, 4, 1);
	db_bind_int(st, 5, 0);
	if ((e = add_rows(ctx, b, st, patient_json)) != MED_OK)
		goto fail;
	if (cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")) == 0) {
		e = MED_ENOTFOUND;
		goto fail;
	}
	e = MED_EDB;
	if ((st = db_stmt(ctx, SQL_APPTS)) == NULL)
		goto fail;
	bind_appt(st, NULL, &all, &f);
	db_bind_int(st, 4, -1);
	db_bind_int(st, 5, 0);
	if ((e = add_rows(ctx, b, st, appt_json)) != MED_OK || (e = add_doctors(ctx, b, patient)) != MED_OK)
		goto fail;
	e = MED_EDB;
	if ((st = db_stmt(ctx, SQL_RECORDS)) == NULL)
		goto fail;
	db_bind_text(st, 1, patient);
	e = MED_OK;
	while (e == MED_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		e = record_resources(ctx, b, st, patient);
	sqlite3_reset(st);
	if (e == MED_OK && rc != SQLITE_DONE)
		e = db_err(rc);
	if (e != MED_OK)
		goto fail;
	*out = b;
	return MED_OK;
fail:
	cJSON_Delete(b);
	return e;
}
