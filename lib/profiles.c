/*
 * profiles.c - profile look-ups shared by the domains, and what patients.c
 * and doctors.c do alike: reading a profile body, deleting a profile.
 */
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "profiles.h"
#include "valid.h"

static const char SQL_PATIENT_OF_USER[] = "SELECT id FROM patients WHERE user_id = ?1";
static const char SQL_DOCTOR_OF_USER[] = "SELECT id FROM doctors WHERE user_id = ?1";
static const char SQL_PATIENT_EXISTS[] = "SELECT id FROM patients WHERE id = ?1";
static const char SQL_DOCTOR_EXISTS[] = "SELECT id FROM doctors WHERE id = ?1";
static const char SQL_DOCTOR_TREATS[] =
    "SELECT 1 FROM appointments WHERE doctor_id = ?1 AND patient_id = ?2 LIMIT 1";

/* History that must not be silently cascaded away with a profile. */
static const char SQL_PATIENT_HISTORY[] =
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM appointments WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM medical_records WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM billings WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM insurance_policies WHERE patient_id = ?1)"
    " OR EXISTS (SELECT 1 FROM doctor_reviews WHERE patient_id = ?1)";
static const char SQL_DOCTOR_HISTORY[] =
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM appointments WHERE doctor_id = ?1)"
    " OR EXISTS (SELECT 1 FROM medical_records WHERE doctor_id = ?1)"
    " OR EXISTS (SELECT 1 FROM doctor_reviews WHERE doctor_id = ?1)";
/*
 * Favorites (and a doctor's windows and specialty links) go with the
 * profile (ON DELETE CASCADE).  A reference the history check would miss
 * makes the DELETE itself fail (MED_ECONFLICT), answered as history too.
 */
static const char SQL_PATIENT_DELETE[] = "DELETE FROM patients WHERE id = ?1";
static const char SQL_DOCTOR_DELETE[] = "DELETE FROM doctors WHERE id = ?1";

static const struct {
	const char *entity;  /* of the audit row */
	const char *sql_exists, *sql_history, *sql_delete;
	const char *not_found, *has_history;
} kinds[] = {
	[PROFILE_PATIENT] = { "patient", SQL_PATIENT_EXISTS, SQL_PATIENT_HISTORY,
	    SQL_PATIENT_DELETE, "Patient not found",
	    "Patient has appointments, records or billing history" },
	[PROFILE_DOCTOR] = { "doctor", SQL_DOCTOR_EXISTS, SQL_DOCTOR_HISTORY,
	    SQL_DOCTOR_DELETE, "Doctor not found",
	    "Doctor has appointments, records or reviews" },
};

/* A one-column look-up by key; copies the id when out != NULL. */
static enum med_err
lookup(struct med_ctx *ctx, const char *sql, const char *key, char *out)
{
	return db_lookup(ctx, sql, key, 0, out, MED_UUID_LEN + 1);
}

enum med_err
profile_patient_of_user(struct med_ctx *ctx, const char *user_id, char out[MED_UUID_LEN + 1])
{
	return lookup(ctx, SQL_PATIENT_OF_USER, user_id, out);
}

enum med_err
profile_doctor_of_user(struct med_ctx *ctx, const char *user_id, char out[MED_UUID_LEN + 1])
{
	return lookup(ctx, SQL_DOCTOR_OF_USER, user_id, out);
}

enum med_err
profile_patient_exists(struct med_ctx *ctx, const char *patient_id)
{
	return lookup(ctx, SQL_PATIENT_EXISTS, patient_id, NULL);
}

enum med_err
profile_doctor_exists(struct med_ctx *ctx, const char *doctor_id)
{
	return lookup(ctx, SQL_DOCTOR_EXISTS, doctor_id, NULL);
}

/* The caller's profile id, or the contract's 404 (or a 5xx) answered in resp. */
static enum med_err
own(struct med_ctx *ctx, const char *sql, const struct med_req *req,
    char id[MED_UUID_LEN + 1], struct med_resp *resp, const char *message)
{
	enum med_err e = lookup(ctx, sql, req->user.id, id);

	if (e == MED_ENOTFOUND)
		med_error(resp, 404, message);
	else if (e != MED_OK)
		med_fail(resp, e);
	return e;
}

enum med_err
profile_own_patient(struct med_ctx *ctx, const struct med_req *req, char id[MED_UUID_LEN + 1],
    struct med_resp *resp)
{
	return own(ctx, SQL_PATIENT_OF_USER, req, id, resp, "Patient profile not found");
}

enum med_err
profile_own_doctor(struct med_ctx *ctx, const struct med_req *req, char id[MED_UUID_LEN + 1],
    struct med_resp *resp)
{
	return own(ctx, SQL_DOCTOR_OF_USER, req, id, resp, "Doctor profile not found");
}

int
profile_doctor_treats(struct med_ctx *ctx, const char *doctor_id, const char *patient_id)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_DOCTOR_TREATS);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, doctor_id);
	db_bind_text(st, 2, patient_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

void
profile_fields(const struct med_req *req, const struct fld *specs, int n, struct fval *v)
{
	for (int i = 0; i < n; i++)
		v[i] = *med_body(req, specs[i].name);
}

/* Delete profile id of kind unless it has history (MED_ECONFLICT). */
static enum med_err
delete_unless_history(struct med_ctx *ctx, const struct med_user *actor, enum profile_kind kind,
    const char *id)
{
	sqlite3_stmt *st;
	enum med_err e;
	int history;

	if ((e = lookup(ctx, kinds[kind].sql_exists, id, NULL)) != MED_OK ||
	    (e = db_exists(ctx, kinds[kind].sql_history, id, &history)) != MED_OK)
		return e;
	if (history)
		return MED_ECONFLICT;
	if ((st = db_stmt(ctx, kinds[kind].sql_delete)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	return audit_add(ctx, actor, "delete", kinds[kind].entity, id, "ok", NULL);
}

int
profile_delete(struct med_ctx *ctx, const struct med_req *req, enum profile_kind kind,
    const char *id, struct med_resp *resp)
{
	enum med_err e = delete_unless_history(ctx, &req->user, kind, id);

	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, kinds[kind].not_found);
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, kinds[kind].has_history);
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}

enum med_err
profile_may_manage_doctor(struct med_ctx *ctx, const struct med_req *req, const char *doctor_id,
    int staff_ok)
{
	char own[MED_UUID_LEN + 1];
	enum med_err e;

	if (med_is_admin(req) || (staff_ok && req->authed && req->user.role == ROLE_STAFF))
		return MED_OK;
	if (!req->authed || req->user.role != ROLE_DOCTOR)
		return MED_EFORBIDDEN;
	if ((e = profile_doctor_of_user(ctx, req->user.id, own)) == MED_ENOTFOUND)
		return MED_EFORBIDDEN;
	if (e != MED_OK)
		return e;
	return strcmp(own, doctor_id) == 0 ? MED_OK : MED_EFORBIDDEN;
}
