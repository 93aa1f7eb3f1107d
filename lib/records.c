/*
 * records.c - /medical-records: diagnoses, treatment plans and
 * prescriptions.  Readable only by the patient they concern, the doctor
 * who wrote them and admins; staff never reaches these handlers (the
 * routing table keeps STAFF out).
 *
 * Rule: every read and write of a record is audited.  Each handler runs
 * its read or write and its audit rows in one BEGIN IMMEDIATE transaction
 * and answers only after the commit, so no record is shown or changed
 * without its trace; when the audit insert fails, everything rolls back and
 * the request fails.  A list writes one "list" row per record returned
 * (entity_id = that record), so GET /audit?entity_id=X tells who saw X
 * whichever route showed it; an empty list leaves no row, as no record was
 * read.  A refused attempt (403) commits a "denied" row, an unknown id a
 * "not_found" row.  Audit details name fields, never medical content.
 */
#include <stdio.h>
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

/* Indexes of the body fields in the create and update spec tables. */
enum { F_DIAGNOSIS, F_TREATMENT, F_PRESCRIPTION, F_NOTES, F_RECORDED_AT, F_PATIENT, F_DOCTOR };

/* The columns of REC_COLUMNS, in order. */
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
 * Look up record id inside the open transaction and decide; on "no" the
 * refusal is audited, committed and answered (returns the status), on
 * "yes" returns 0 with the record's JSON in *rec (if rec != NULL).
 */
static int
record_gate(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    const char *action, const char *id, int write, cJSON **rec)
{
	char patient[MED_UUID_LEN + 1], doctor[MED_UUID_LEN + 1];
	enum med_err e;
	int allowed = 0;

	e = record_load(ctx, id, rec, patient, doctor);
	if (e == MED_ENOTFOUND) {
		if ((e = audit_commit(ctx, &req->user, action, ENTITY, id, "not_found", NULL)) != MED_OK)
			return med_fail(resp, e);
		return med_error(resp, 404, "Medical record not found");
	}
	if (e == MED_OK && (e = record_allowed(ctx, req, patient, doctor, write, &allowed)) == MED_OK &&
	    !allowed) {
		if (rec != NULL) {
			cJSON_Delete(*rec);
			*rec = NULL;
		}
		if ((e = audit_commit(ctx, &req->user, action, ENTITY, id, "denied", NULL)) != MED_OK)
			return med_fail(resp, e);
		return med_error(resp, 403, "Forbidden");
	}
	if (e != MED_OK) {
		if (rec != NULL) {
			cJSON_Delete(*rec);
			*rec = NULL;
		}
		db_rollback(ctx);
		return med_fail(resp, e);
	}
	return 0;
}

/* /me lists: the caller's own profile (by user id) selects the records. */
static int
reply_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, int as_doctor)
{
	char owner[MED_UUID_LEN + 1];
	int64_t skip, limit;
	cJSON *list = NULL;
	enum med_err e;

	if (valid_paging(req, &skip, &limit, resp) != MED_OK)
		return resp->status;
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	e = as_doctor ? profile_own_doctor(ctx, req, owner, resp) :
	    profile_own_patient(ctx, req, owner, resp);
	if (e != MED_OK) {
		db_rollback(ctx);
		return resp->status;
	}
	if ((e = db_load_list(ctx, as_doctor ? SQL_REC_BY_DOCTOR : SQL_REC_BY_PATIENT, owner,
	    limit, skip, record_json, &list)) != MED_OK ||
	    (e = audit_add_list(ctx, &req->user, "list", ENTITY, list,
	    as_doctor ? "/medical-records/doctor/me" : "/medical-records/me")) != MED_OK ||
	    (e = db_commit(ctx)) != MED_OK) {
		db_rollback(ctx);
		cJSON_Delete(list);
		return med_fail(resp, e);
	}
	return med_ok(resp, list);
}

HANDLER(h_records_mine)
{
	return reply_mine(ctx, req, resp, 0);
}

HANDLER(h_records_doctor_mine)
{
	return reply_mine(ctx, req, resp, 1);
}

HANDLER(h_records_get)
{
	char id[MED_UUID_LEN + 1];
	cJSON *rec = NULL;
	enum med_err e;
	int status;

	if (valid_path_uuid(req, 0, "record_id", id, resp) != MED_OK)
		return resp->status;
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if ((status = record_gate(ctx, req, resp, "read", id, 0, &rec)) != 0)
		return status;
	if ((e = audit_commit(ctx, &req->user, "read", ENTITY, id, "ok", NULL)) != MED_OK) {
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
    const struct fval *v, const char *patient, char doctor[MED_UUID_LEN + 1])
{
	char detail[64];
	enum med_err e;
	int treats;

	doctor[0] = '\0';
	if (med_is_admin(req)) {
		if (!v[F_DOCTOR].present || v[F_DOCTOR].is_null)
			return 0;
		if ((e = profile_doctor_exists(ctx, v[F_DOCTOR].s)) == MED_ENOTFOUND) {
			db_rollback(ctx);
			return med_error(resp, 404, "Doctor not found");
		}
		if (e != MED_OK)
			goto fail;
		snprintf(doctor, MED_UUID_LEN + 1, "%s", v[F_DOCTOR].s);
		return 0;
	}
	if ((e = profile_doctor_of_user(ctx, req->user.id, doctor)) == MED_ENOTFOUND) {
		db_rollback(ctx);
		return med_error(resp, 404, "Doctor profile not found");
	}
	if (e != MED_OK)
		goto fail;
	if ((treats = profile_doctor_treats(ctx, doctor, patient)) < 0) {
		e = MED_EDB;
		goto fail;
	}
	if (treats)
		return 0;
	/* Rule: no appointment, no record; the attempt itself is kept. */
	snprintf(detail, sizeof detail, "patient_id=%s", patient);
	if ((e = audit_commit(ctx, &req->user, "create", ENTITY, NULL, "denied", detail)) != MED_OK)
		return med_fail(resp, e);
	return med_error(resp, 403, "Forbidden");
fail:
	db_rollback(ctx);
	return med_fail(resp, e);
}

HANDLER(h_records_create)
{
	static const struct fld specs[] = {
		[F_DIAGNOSIS] = { "diagnosis", FT_STRING, FF_REQUIRED, 1, DIAGNOSIS_MAX },
		[F_TREATMENT] = { "treatment_plan", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
		[F_PRESCRIPTION] = { "prescription", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
		[F_NOTES] = { "notes", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
		[F_RECORDED_AT] = { "recorded_at", FT_DATETIME, FF_NULLABLE },
		[F_PATIENT] = { "patient_id", FT_UUID, FF_NULLABLE },
		[F_DOCTOR] = { "doctor_id", FT_UUID, FF_NULLABLE },
	};
	char id[MED_UUID_LEN + 1], doctor[MED_UUID_LEN + 1], patient[MED_UUID_LEN + 1];
	struct fval v[7];
	sqlite3_stmt *st;
	cJSON *rec;
	enum med_err e;
	int64_t now = med_now(ctx);
	int status;

	if (valid_body(req, specs, 7, v, resp) != MED_OK)
		return resp->status;
	if (!v[F_PATIENT].present || v[F_PATIENT].is_null)
		return med_error(resp, 400, "patient_id is required");
	snprintf(patient, sizeof patient, "%s", v[F_PATIENT].s);
	if ((e = util_uuid4(id)) != MED_OK || (e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if ((e = profile_patient_exists(ctx, patient)) == MED_ENOTFOUND) {
		db_rollback(ctx);
		return med_error(resp, 404, "Patient not found");
	}
	if (e != MED_OK)
		goto fail;
	if ((status = record_author(ctx, req, resp, v, patient, doctor)) != 0)
		return status;
	if ((st = db_stmt(ctx, SQL_REC_INSERT)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, patient);
	db_bind_text(st, 3, doctor[0] != '\0' ? doctor : NULL);
	db_bind_text(st, 4, v[F_DIAGNOSIS].s);
	for (int f = F_TREATMENT; f <= F_NOTES; f++)
		db_bind_text(st, 5 + f - F_TREATMENT, v[f].is_null ? NULL : v[f].s);
	db_bind_int(st, 8, v[F_RECORDED_AT].present && !v[F_RECORDED_AT].is_null ?
	    v[F_RECORDED_AT].i : now);
	db_bind_int(st, 9, now);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, &req->user, "create", ENTITY, id, "ok", NULL)) != MED_OK ||
	    (e = record_load(ctx, id, &rec, patient, doctor)) != MED_OK)
		goto fail;
	if ((e = db_commit(ctx)) != MED_OK) {
		cJSON_Delete(rec);
		return med_fail(resp, e);
	}
	return med_created(resp, rec);
fail:
	db_rollback(ctx);
	return med_fail(resp, e);
}

HANDLER(h_records_patch)
{
	/* diagnosis may change but never be cleared; recorded_at neither. */
	static const struct fld specs[] = {
		[F_DIAGNOSIS] = { "diagnosis", FT_STRING, 0, 1, DIAGNOSIS_MAX },
		[F_TREATMENT] = { "treatment_plan", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
		[F_PRESCRIPTION] = { "prescription", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
		[F_NOTES] = { "notes", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
		[F_RECORDED_AT] = { "recorded_at", FT_DATETIME, 0 },
	};
	char id[MED_UUID_LEN + 1], detail[96], patient[MED_UUID_LEN + 1],
	    doctor[MED_UUID_LEN + 1];
	struct fval v[5];
	sqlite3_stmt *st;
	cJSON *rec;
	enum med_err e;
	int status;

	if (valid_path_uuid(req, 0, "record_id", id, resp) != MED_OK ||
	    valid_body(req, specs, 5, v, resp) != MED_OK)
		return resp->status;
	valid_fields_detail(specs, v, 5, detail, sizeof detail);
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if ((status = record_gate(ctx, req, resp, "update", id, 1, NULL)) != 0)
		return status;
	if ((st = db_stmt(ctx, SQL_REC_UPDATE)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_text(st, 1, id);
	valid_bind_update(st, 2, specs, v, 5);
	db_bind_int(st, 12, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, &req->user, "update", ENTITY, id, "ok", detail)) != MED_OK ||
	    (e = record_load(ctx, id, &rec, patient, doctor)) != MED_OK)
		goto fail;
	if ((e = db_commit(ctx)) != MED_OK) {
		cJSON_Delete(rec);
		return med_fail(resp, e);
	}
	return med_ok(resp, rec);
fail:
	db_rollback(ctx);
	return med_fail(resp, e);
}

HANDLER(h_records_delete)
{
	char id[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;
	int status;

	if (valid_path_uuid(req, 0, "record_id", id, resp) != MED_OK)
		return resp->status;
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if ((status = record_gate(ctx, req, resp, "delete", id, 1, NULL)) != 0)
		return status;
	if ((st = db_stmt(ctx, SQL_REC_DELETE)) == NULL) {
		db_rollback(ctx);
		return med_fail(resp, MED_EDB);
	}
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_commit(ctx, &req->user, "delete", ENTITY, id, "ok", NULL)) != MED_OK) {
		db_rollback(ctx);
		return med_fail(resp, e);
	}
	return med_no_content(resp);
}
