/*
 * profiles.c - profile look-ups shared by the domains.
 */
#include <string.h>

#include "db.h"
#include "profiles.h"

static const char SQL_PATIENT_OF_USER[] = "SELECT id FROM patients WHERE user_id = ?1";
static const char SQL_DOCTOR_OF_USER[] = "SELECT id FROM doctors WHERE user_id = ?1";
static const char SQL_PATIENT_EXISTS[] = "SELECT id FROM patients WHERE id = ?1";
static const char SQL_DOCTOR_EXISTS[] = "SELECT id FROM doctors WHERE id = ?1";
static const char SQL_DOCTOR_TREATS[] =
    "SELECT 1 FROM appointments WHERE doctor_id = ?1 AND patient_id = ?2 LIMIT 1";

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
