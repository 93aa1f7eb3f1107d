/*
 * records.c - /medical-records: diagnoses, treatment plans and
 * prescriptions.  Readable only by the patient they concern, the doctor
 * who wrote them and admins; staff never reaches these handlers (the
 * routing table keeps STAFF out).
 *
 * Rule: every read and write of a record is audited.  Every route is
 * TX_WRITE (TX_AUDIT for reads), so a read or write and its audit rows are
 * committed together before the answer leaves: no record is shown or
 * changed without its trace, and when the audit insert fails everything
 * rolls back and the request fails.  A list writes one "list" row naming
 * every record returned (audit_add_list), so GET /audit?entity_id=X tells who saw X
 * whichever route showed it; an empty list leaves no row, as no record was
 * read.  A refused attempt (403) keeps a "denied" row, an unknown id a
 * "not_found" row (audit_refusal).  Audit details name fields, never
 * medical content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "util.h"
#include "valid.h"

#define ENTITY "medical_record"
#define DIAGNOSIS_MAX 500
#define TEXT_MAX 1000

#define REC_COLUMNS "id, patient_id, doctor_id, diagnosis, treatment_plan, prescription," \
    " notes, recorded_at, created_at, updated_at"
#define REC_ORDER " ORDER BY recorded_at DESC, created_at DESC, id DESC LIMIT ?2 OFFSET ?3"

static const char SQL_REC_GET[] =
    "SELECT " REC_COLUMNS " FROM medical_records WHERE id = ?1";
static const char SQL_REC_BY_PATIENT[] =
    "SELECT " REC_COLUMNS " FROM medical_records WHERE patient_id = ?1" REC_ORDER;
static const char SQL_REC_BY_DOCTOR[] =
    "SELECT " REC_COLUMNS " FROM medical_records WHERE doctor_id = ?1" REC_ORDER;
static const char SQL_REC_INSERT[] =
    "INSERT INTO medical_records (id, patient_id, doctor_id, diagnosis, treatment_plan,"
    " prescription, notes, recorded_at, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
/* Partial update: each ?flag says whether its field was sent. */
static const char SQL_REC_UPDATE[] =
    "UPDATE medical_records SET"
    " diagnosis = CASE WHEN ?2 THEN ?3 ELSE diagnosis END,"
    " treatment_plan = CASE WHEN ?4 THEN ?5 ELSE treatment_plan END,"
    " prescription = CASE WHEN ?6 THEN ?7 ELSE prescription END,"
    " notes = CASE WHEN ?8 THEN ?9 ELSE notes END,"
    " recorded_at = CASE WHEN ?10 THEN ?11 ELSE recorded_at END,"
    " updated_at = ?12 WHERE id = ?1";
static const char SQL_REC_DELETE[] =
    "DELETE FROM medical_records WHERE id = ?1";

/* The columns of REC_COLUMNS, in order. */
/* The column of record_cols holding the record's id. */
#define RECORD_ID_COL 0
static const struct db_col record_cols[] = {
	{ "id", DB_TEXT }, { "patient_id", DB_TEXT }, { "doctor_id", DB_TEXT },
	{ "diagnosis", DB_TEXT }, { "treatment_plan", DB_TEXT }, { "prescription", DB_TEXT },
	{ "notes", DB_TEXT }, { "recorded_at", DB_INSTANT }, { "created_at", DB_INSTANT },
	{ "updated_at", DB_INSTANT },
};

static cJSON *
record_json(sqlite3_stmt *st)
{
	return db_row_json(st, record_cols, DB_NCOLS(record_cols));
}

/* Where record_load() puts a row (db_first() callback argument). */
struct record_dest {
	cJSON **out;
	char *patient, *doctor;
};

static enum med_err
record_row(sqlite3_stmt *st, void *arg)
{
	struct record_dest *d = arg;

	db_col_copy(st, 1, d->patient, MED_UUID_LEN + 1);
	db_col_copy(st, 2, d->doctor, MED_UUID_LEN + 1);
	if (d->out != NULL && (*d->out = record_json(st)) == NULL)
		return MED_ENOMEM;
	return MED_OK;
}

/* The record as JSON (when out != NULL) and its owners; MED_ENOTFOUND when missing. */
static enum med_err
record_load(struct med_ctx *ctx, const char *id, cJSON **out,
    char patient[MED_UUID_LEN + 1], char doctor[MED_UUID_LEN + 1])
{
	struct record_dest d = { out, patient, doctor };

	if (out != NULL)
		*out = NULL;
	return db_first(ctx, SQL_REC_GET, id, record_row, &d);
}

/*
 * May the caller read (write == 0) or change (write != 0) a record of this
 * patient written by this doctor?  Admins always; the author doctor both;
 * the patient only reads.  *allowed = 1/0; the return is a DB status.
 */
static enum med_err
record_allowed(struct med_ctx *ctx, const struct med_req *req, const char *patient,
    const char *doctor, int write, int *allowed)
{
	char mine[MED_UUID_LEN + 1];
	enum med_err e = MED_OK;

	*allowed = 0;
	if (med_is_admin(req)) {
		*allowed = 1;
		return MED_OK;
	}
	if (req->user.role == ROLE_DOCTOR) {
		e = profile_doctor_of_user(ctx, req->user.id, mine);
		if (e == MED_OK)
			*allowed = doctor[0] != '\0' && strcmp(mine, doctor) == 0;
	} else if (req->user.role == ROLE_PATIENT && !write) {
		e = profile_patient_of_user(ctx, req->user.id, mine);
		if (e == MED_OK)
			*allowed = strcmp(mine, patient) == 0;
	} else {
		return MED_OK;
	}
	return e == MED_ENOTFOUND ? MED_OK : e;
}

/*
 * Look up the record of the path and decide.  Returns 0 when the caller
 * may go on, with the record's JSON in *rec when rec != NULL; otherwise
 * the status answered, a refusal keeping its audit row.
 */
static int
record_gate(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    const char *action, int write, cJSON **rec)
{
	char patient[MED_UUID_LEN + 1], doctor[MED_UUID_LEN + 1];
	const char *id = med_path(req, "record_id");
	enum med_err e;
	int allowed = 0;

	e = record_load(ctx, id, rec, patient, doctor);
	if (e == MED_ENOTFOUND)
		return audit_refusal(ctx, req, resp, action, ENTITY, id, NULL, 404,
		    "Medical record not found");
	if (e == MED_OK)
		e = record_allowed(ctx, req, patient, doctor, write, &allowed);
	if (e != MED_OK || !allowed) {
		if (rec != NULL) {
			cJSON_Delete(*rec);
			*rec = NULL;
		}
		if (e != MED_OK)
			return med_fail(resp, e);
		return audit_refusal(ctx, req, resp, action, ENTITY, id, NULL, 403, "Forbidden");
	}
	return 0;
}

SPEC(records_list_query,
	FLD_PAGING,
);

/* /me lists: the caller's own profile (by user id) selects the records. */
static int
reply_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, int as_doctor)
{
	char owner[MED_UUID_LEN + 1];
	int64_t skip, limit;
	cJSON *list = NULL;
	char *ids = NULL;
	enum med_err e;

	med_paging(req, &skip, &limit);
	e = as_doctor ? profile_own_doctor(ctx, req, owner, resp) :
	    profile_own_patient(ctx, req, owner, resp);
	if (e != MED_OK)
		return resp->status;
	/* Only sent back: text straight from the rows, the ids for the audit in the same pass. */
	if ((e = db_load_raw_ids(ctx, as_doctor ? SQL_REC_BY_DOCTOR : SQL_REC_BY_PATIENT, owner,
	    limit, skip, record_cols, DB_NCOLS(record_cols), RECORD_ID_COL, &list, &ids)) != MED_OK ||
	    (e = audit_add_ids(ctx, &req->user, "list", ENTITY, ids,
	    as_doctor ? "/medical-records/doctor/me" : "/medical-records/me")) != MED_OK) {
		free(ids);
		cJSON_Delete(list);
		return med_fail(resp, e);
	}
	free(ids);
	return med_ok(resp, list);
}

int
h_records_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_mine(ctx, req, resp, 0);
}

int
h_records_doctor_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_mine(ctx, req, resp, 1);
}

int
h_records_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *rec = NULL;
	enum med_err e;
	int status;

	if ((status = record_gate(ctx, req, resp, "read", 0, &rec)) != 0)
		return status;
	if ((e = audit_add(ctx, &req->user, "read", ENTITY, med_path(req, "record_id"), "ok",
	    NULL)) != MED_OK) {
		cJSON_Delete(rec);
		return med_fail(resp, e);
	}
	return med_ok(resp, rec);
}

/*
 * Who authors a new record: a DOCTOR is always the author (any doctor_id
 * sent is ignored) and may write only for a patient who has an appointment
 * with them; an ADMIN names the doctor or none.  Returns 0 and fills
 * doctor ("" = none), or the status already answered.
 */
static int
record_author(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    const char *patient, char doctor[MED_UUID_LEN + 1])
{
	const char *named = fval_str(med_body(req, "doctor_id"));
	char detail[64];
	enum med_err e;
	int treats;

	doctor[0] = '\0';
	if (med_is_admin(req)) {
		if (named == NULL)
			return 0;
		if ((e = profile_doctor_exists(ctx, named)) == MED_ENOTFOUND)
			return med_error(resp, 404, "Doctor not found");
		if (e != MED_OK)
			return med_fail(resp, e);
		snprintf(doctor, MED_UUID_LEN + 1, "%s", named);
		return 0;
	}
	if ((e = profile_doctor_of_user(ctx, req->user.id, doctor)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor profile not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if ((treats = profile_doctor_treats(ctx, doctor, patient)) < 0)
		return med_fail(resp, MED_EDB);
	if (treats)
		return 0;
	/* Rule: no appointment, no record; the attempt itself is kept. */
	snprintf(detail, sizeof detail, "patient_id=%s", patient);
	return audit_refusal(ctx, req, resp, "create", ENTITY, NULL, detail, 403, "Forbidden");
}

SPEC(records_create_body,
	{ "diagnosis", FT_STRING, FF_REQUIRED, 1, DIAGNOSIS_MAX },
	{ "treatment_plan", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
	{ "prescription", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
	{ "notes", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
	{ "recorded_at", FT_DATETIME, FF_NULLABLE },
	/* Required, but its absence is the contract's 400, not a 422. */
	{ "patient_id", FT_UUID, FF_NULLABLE },
	{ "doctor_id", FT_UUID, FF_NULLABLE },
);

int
h_records_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *patient = fval_str(med_body(req, "patient_id"));
	const struct fval *recorded_at = med_body(req, "recorded_at");
	char id[MED_UUID_LEN + 1], doctor[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	cJSON *rec;
	enum med_err e;
	int64_t now = med_now(ctx);
	int status;

	if (patient == NULL)
		return med_error(resp, 400, "patient_id is required");
	if ((e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	if ((e = profile_patient_exists(ctx, patient)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Patient not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if ((status = record_author(ctx, req, resp, patient, doctor)) != 0)
		return status;
	if ((st = db_stmt(ctx, SQL_REC_INSERT)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, patient);
	db_bind_text(st, 3, doctor[0] != '\0' ? doctor : NULL);
	db_bind_text(st, 4, fval_str(med_body(req, "diagnosis")));
	db_bind_text(st, 5, fval_str(med_body(req, "treatment_plan")));
	db_bind_text(st, 6, fval_str(med_body(req, "prescription")));
	db_bind_text(st, 7, fval_str(med_body(req, "notes")));
	db_bind_int(st, 8, fval_set(recorded_at) ? recorded_at->i : now);
	db_bind_int(st, 9, now);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, &req->user, "create", ENTITY, id, "ok", NULL)) != MED_OK ||
	    (e = db_load_one(ctx, SQL_REC_GET, id, record_json, &rec)) != MED_OK)
		return med_fail(resp, e);
	return med_created(resp, rec);
}

/*
 * In the order of SQL_REC_UPDATE's pairs.  diagnosis may change but never
 * be cleared; recorded_at neither.
 */
SPEC(records_patch_body,
	{ "diagnosis", FT_STRING, 0, 1, DIAGNOSIS_MAX },
	{ "treatment_plan", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
	{ "prescription", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
	{ "notes", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
	{ "recorded_at", FT_DATETIME, 0 },
);

int
h_records_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "record_id");
	char detail[96];
	sqlite3_stmt *st;
	cJSON *rec;
	enum med_err e;
	int status;

	if ((status = record_gate(ctx, req, resp, "update", 1, NULL)) != 0)
		return status;
	if ((st = db_stmt(ctx, SQL_REC_UPDATE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	valid_bind_update(st, 2, records_patch_body.f, req->body_vals, records_patch_body.n);
	db_bind_int(st, 12, med_now(ctx));
	valid_fields_detail(records_patch_body.f, req->body_vals, records_patch_body.n, detail,
	    sizeof detail);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, &req->user, "update", ENTITY, id, "ok", detail)) != MED_OK ||
	    (e = db_load_one(ctx, SQL_REC_GET, id, record_json, &rec)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, rec);
}

int
h_records_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "record_id");
	sqlite3_stmt *st;
	enum med_err e;
	int status;

	if ((status = record_gate(ctx, req, resp, "delete", 1, NULL)) != 0)
		return status;
	if ((st = db_stmt(ctx, SQL_REC_DELETE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, &req->user, "delete", ENTITY, id, "ok", NULL)) != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}
