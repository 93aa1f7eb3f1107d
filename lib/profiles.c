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

/* Run a one-column look-up by key; copy the id when out != NULL. */
static enum med_err
lookup(struct med_ctx *ctx, const char *sql, const char *key, char *out)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out != NULL)
		db_col_copy(st, 0, out, MED_UUID_LEN + 1);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return MED_OK;
	return rc == SQLITE_DONE ? MED_ENOTFOUND : db_err(rc);
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
