/*
 * patients.c - /patients: patient profiles (API.md §4).
 *
 * A profile holds medical data (blood type, allergies, chronic conditions,
 * medications), so every read of a profile and every write to one leaves
 * an audit row: writes inside their own transaction, reads in the same
 * short transaction as the SELECT.  A failed audit write fails the request.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "route.h"
#include "util.h"
#include "valid.h"

/* The profile fields, in column order; user_id comes after them for admins. */
#define NFIELDS 14
#define F_USER_ID NFIELDS

static const struct fld patient_specs[NFIELDS + 1] = {
	{ "first_name", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "last_name", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "phone", FT_STRING, FF_NULLABLE, 0, 20 },
	{ "date_of_birth", FT_DATE, FF_NULLABLE },
	{ "gender", FT_STRING, FF_NULLABLE, 0, 20 },
	{ "address", FT_STRING, FF_NULLABLE, 0, 255 },
	{ "city", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "country", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "blood_type", FT_STRING, FF_NULLABLE, 0, 5 },
	{ "allergies", FT_STRING, FF_NULLABLE, 0, 500 },
	{ "chronic_conditions", FT_STRING, FF_NULLABLE, 0, 500 },
	{ "medications", FT_STRING, FF_NULLABLE, 0, 500 },
	{ "emergency_contact_name", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "emergency_contact_phone", FT_STRING, FF_NULLABLE, 0, 20 },
	{ "user_id", FT_UUID, FF_NULLABLE },
};

#define PATIENT_COLUMNS \
    "id, user_id, first_name, last_name, phone, date_of_birth, gender, address, city," \
    " country, blood_type, allergies, chronic_conditions, medications," \
    " emergency_contact_name, emergency_contact_phone, created_at, updated_at"

static const char SQL_GET[] = "SELECT " PATIENT_COLUMNS " FROM patients WHERE id = ?1";
static const char SQL_LIST[] = "SELECT " PATIENT_COLUMNS " FROM patients"
    " ORDER BY last_name, first_name, id LIMIT ?1 OFFSET ?2";
static const char SQL_USER_EXISTS[] = "SELECT 1 FROM users WHERE id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO patients (" PATIENT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)";

/*
 * One fixed statement serves every partial update: field i has a flag
 * ?(2i+2) saying whether it was sent and its value ?(2i+3), so an absent
 * field keeps its value and a null one is cleared.
 */
#define SETF(col, f, v) col " = CASE WHEN ?" #f " THEN ?" #v " ELSE " col " END, "
static const char SQL_UPDATE[] =
    "UPDATE patients SET "
    SETF("first_name", 2, 3) SETF("last_name", 4, 5) SETF("phone", 6, 7)
    SETF("date_of_birth", 8, 9) SETF("gender", 10, 11) SETF("address", 12, 13)
    SETF("city", 14, 15) SETF("country", 16, 17) SETF("blood_type", 18, 19)
    SETF("allergies", 20, 21) SETF("chronic_conditions", 22, 23)
    SETF("medications", 24, 25) SETF("emergency_contact_name", 26, 27)
    SETF("emergency_contact_phone", 28, 29)
    "updated_at = ?30 WHERE id = ?1";

/* History that must not be silently cascaded away with a profile. */
static const char SQL_HISTORY[] =
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM appointments WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM medical_records WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM billings WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM insurance_policies WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM doctor_reviews WHERE patient_id = ?1)";
static const char SQL_DELETE[] = "DELETE FROM patients WHERE id = ?1";

static cJSON *
patient_json(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	db_json_text(o, "id", st, 0);
	db_json_text(o, "user_id", st, 1);
	for (int i = 0; i < NFIELDS; i++)
		db_json_text(o, patient_specs[i].name, st, 2 + i);
	db_json_instant(o, "created_at", st, 2 + NFIELDS);
	db_json_instant(o, "updated_at", st, 3 + NFIELDS);
	return o;
}

/* The Patient object for id; MED_ENOTFOUND when there is none. */
static enum med_err
patient_load(struct med_ctx *ctx, const char *id, cJSON **out)
{
	return db_load_one(ctx, SQL_GET, id, patient_json, out);
}

/* Load a profile and log the read in one transaction. */
static enum med_err
patient_read(struct med_ctx *ctx, const struct med_user *user, const char *id, cJSON **out)
{
	enum med_err e;

	*out = NULL;
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = patient_load(ctx, id, out)) != MED_OK ||
	    (e = audit_add(ctx, user, "read", "patient", id, "ok", NULL)) != MED_OK ||
	    (e = db_commit(ctx)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	return db_abort(ctx, e, out);
}

/*
 * The end of a create or an update inside its transaction: step the bound
 * write st, audit it naming the fields sent, load the Patient, commit.
 */
static enum med_err
patient_finish(struct med_ctx *ctx, const struct med_user *actor, const char *action,
    const char *id, sqlite3_stmt *st, const struct fval *v, cJSON **out)
{
	char detail[512];
	enum med_err e;

	if ((e = db_step_done(st)) != MED_OK)
		return e;
	valid_fields_detail(patient_specs, v, NFIELDS, detail, sizeof detail);
	if ((e = audit_add(ctx, actor, action, "patient", id, "ok", detail)) != MED_OK ||
	    (e = patient_load(ctx, id, out)) != MED_OK)
		return e;
	return db_commit(ctx);
}

/*
 * Create the profile of user_id from validated fields; *out = the new
 * Patient.  MED_ENOTFOUND: no such user; MED_ECONFLICT: profile exists.
 */
static enum med_err
patient_create(struct med_ctx *ctx, const struct med_user *actor, const char *user_id,
    const struct fval *v, cJSON **out)
{
	char id[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = util_uuid4(id)) != MED_OK || (e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = db_lookup(ctx, SQL_USER_EXISTS, user_id, 0, NULL, 0)) != MED_OK)
		goto fail;
	if ((e = profile_patient_of_user(ctx, user_id, NULL)) != MED_ENOTFOUND) {
		e = e == MED_OK ? MED_ECONFLICT : e;
		goto fail;
	}
	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, user_id);
	for (int i = 0; i < NFIELDS; i++)
		valid_bind(st, 3 + i, &patient_specs[i], &v[i]);
	db_bind_int(st, 17, med_now(ctx));
	if ((e = patient_finish(ctx, actor, "create", id, st, v, out)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	return db_abort(ctx, e, out);
}

/* Apply the present fields to profile id; *out = the updated Patient. */
static enum med_err
patient_update(struct med_ctx *ctx, const struct med_user *actor, const char *id,
    const struct fval *v, cJSON **out)
{
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = profile_patient_exists(ctx, id)) != MED_OK)
		goto fail;
	if ((st = db_stmt(ctx, SQL_UPDATE)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_text(st, 1, id);
	valid_bind_update(st, 2, patient_specs, v, NFIELDS);
	db_bind_int(st, 30, med_now(ctx));
	if ((e = patient_finish(ctx, actor, "update", id, st, v, out)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	return db_abort(ctx, e, out);
}

static int
reply_patient(enum med_err e, cJSON *patient, int status, struct med_resp *resp)
{
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Patient not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_reply(resp, status, patient, NULL);
}

HANDLER(h_patients_list)
{
	char ids[1000][MED_UUID_LEN + 1];
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;
	int rc, n = 0;

	if (valid_paging(req, &skip, &limit, resp) != MED_OK)
		return resp->status;
	if ((list = cJSON_CreateArray()) == NULL)
		return med_fail(resp, MED_ENOMEM);
	/* One transaction: the rows shown and the audit rows naming them. */
	if ((e = db_begin(ctx)) != MED_OK)
		goto fail;
	if ((st = db_stmt(ctx, SQL_LIST)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_int(st, 1, limit);
	db_bind_int(st, 2, skip);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 1000) {
		db_col_copy(st, 0, ids[n++], sizeof ids[0]);
		cJSON_AddItemToArray(list, patient_json(st));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		e = db_err(rc);
		goto fail;
	}
	for (int i = 0; i < n; i++)
		if ((e = audit_add(ctx, &req->user, "read", "patient", ids[i], "ok", "list")) != MED_OK)
			goto fail;
	if ((e = db_commit(ctx)) != MED_OK)
		goto fail;
	return med_ok(resp, list);
fail:
	db_rollback(ctx);
	cJSON_Delete(list);
	return med_fail(resp, e);
}

HANDLER(h_patients_create)
{
	struct fval v[NFIELDS + 1];
	cJSON *patient;
	enum med_err e;

	if (valid_body(req, patient_specs, NFIELDS + 1, v, resp) != MED_OK)
		return resp->status;
	if (!v[F_USER_ID].present || v[F_USER_ID].is_null)
		return med_error(resp, 400, "user_id is required");
	e = patient_create(ctx, &req->user, v[F_USER_ID].s, v, &patient);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "User not found");
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Patient profile already exists");
	return reply_patient(e, patient, 201, resp);
}

HANDLER(h_patients_me_get)
{
	char id[MED_UUID_LEN + 1];
	cJSON *patient;
	enum med_err e;

	if (profile_own_patient(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = patient_read(ctx, &req->user, id, &patient);
	return reply_patient(e, patient, 200, resp);
}

HANDLER(h_patients_me_create)
{
	struct fval v[NFIELDS];
	cJSON *patient;
	enum med_err e;

	/* user_id is not among the specs: one's own profile is always one's own. */
	if (valid_body(req, patient_specs, NFIELDS, v, resp) != MED_OK)
		return resp->status;
	e = patient_create(ctx, &req->user, req->user.id, v, &patient);
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Patient profile already exists");
	return reply_patient(e, patient, 201, resp);
}

HANDLER(h_patients_me_patch)
{
	char id[MED_UUID_LEN + 1];
	struct fval v[NFIELDS];
	cJSON *patient;
	enum med_err e;

	if (valid_body(req, patient_specs, NFIELDS, v, resp) != MED_OK ||
	    profile_own_patient(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = patient_update(ctx, &req->user, id, v, &patient);
	return reply_patient(e, patient, 200, resp);
}

HANDLER(h_patients_get)
{
	char id[MED_UUID_LEN + 1], doctor[MED_UUID_LEN + 1];
	cJSON *patient;
	enum med_err e;
	int treats;

	if (valid_path_uuid(req, 0, "patient_id", id, resp) != MED_OK)
		return resp->status;
	if (!med_has_role(req, ROLE_ADMIN | ROLE_STAFF)) {
		/*
		 * Rule: a doctor reads only the patients they see.  Whether an
		 * unrelated patient exists is not disclosed: 403 either way.
		 */
		e = profile_doctor_of_user(ctx, req->user.id, doctor);
		if (e != MED_OK && e != MED_ENOTFOUND)
			return med_fail(resp, e);
		treats = e == MED_OK ? profile_doctor_treats(ctx, doctor, id) : 0;
		if (treats < 0)
			return med_fail(resp, MED_EDB);
		if (!treats) {
			if ((e = audit_add(ctx, &req->user, "read", "patient", id, "denied",
			    NULL)) != MED_OK)
				return med_fail(resp, e);
			return med_error(resp, 403, "Forbidden");
		}
	}
	e = patient_read(ctx, &req->user, id, &patient);
	return reply_patient(e, patient, 200, resp);
}

HANDLER(h_patients_patch)
{
	char id[MED_UUID_LEN + 1];
	struct fval v[NFIELDS];
	cJSON *patient;
	enum med_err e;

	if (valid_path_uuid(req, 0, "patient_id", id, resp) != MED_OK ||
	    valid_body(req, patient_specs, NFIELDS, v, resp) != MED_OK)
		return resp->status;
	e = patient_update(ctx, &req->user, id, v, &patient);
	return reply_patient(e, patient, 200, resp);
}

/* Delete profile id unless it has history.  MED_ECONFLICT when it does. */
static enum med_err
patient_delete(struct med_ctx *ctx, const struct med_user *actor, const char *id)
{
	sqlite3_stmt *st;
	enum med_err e;
	int history;

	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = profile_patient_exists(ctx, id)) != MED_OK ||
	    (e = db_exists(ctx, SQL_HISTORY, id, &history)) != MED_OK)
		goto fail;
	if (history) {
		e = MED_ECONFLICT;
		goto fail;
	}
	if ((st = db_stmt(ctx, SQL_DELETE)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, actor, "delete", "patient", id, "ok", NULL)) != MED_OK ||
	    (e = db_commit(ctx)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	db_rollback(ctx);
	return e;
}

HANDLER(h_patients_delete)
{
	char id[MED_UUID_LEN + 1];
	enum med_err e;

	if (valid_path_uuid(req, 0, "patient_id", id, resp) != MED_OK)
		return resp->status;
	e = patient_delete(ctx, &req->user, id);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Patient not found");
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Patient has appointments, records or billing history");
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}
