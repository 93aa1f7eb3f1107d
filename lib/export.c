/*
 * export.c - the patient export (see export.h).
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "audit_query.h"
#include "db.h"
#include "export.h"
#include "fhir.h"
#include "util.h"

static const char SQL_FIND[] =
    "SELECT p.id FROM patients p JOIN users u ON u.id = p.user_id"
    " WHERE p.id = ?1 OR p.user_id = ?1 OR u.email = ?1 COLLATE NOCASE";
static const char SQL_PATIENT[] = "SELECT * FROM patients WHERE id = ?1";
/* Named columns: the password hash and token version never leave the box. */
static const char SQL_USER[] =
    "SELECT u.id, u.email, r.name AS role, u.locale, u.theme_preference, u.is_active,"
    " u.is_superuser, u.created_at, u.updated_at"
    " FROM patients p JOIN users u ON u.id = p.user_id"
    " LEFT JOIN roles r ON r.id = u.role_id WHERE p.id = ?1";
static const char SQL_APPOINTMENTS[] =
    "SELECT a.*, d.first_name AS doctor_first_name, d.last_name AS doctor_last_name"
    " FROM appointments a LEFT JOIN doctors d ON d.id = a.doctor_id"
    " WHERE a.patient_id = ?1 ORDER BY a.start_time, a.id";
static const char SQL_RECORDS[] =
    "SELECT * FROM medical_records WHERE patient_id = ?1 ORDER BY recorded_at, id";
static const char SQL_BILLINGS[] =
    "SELECT * FROM billings WHERE patient_id = ?1 ORDER BY created_at, id";
static const char SQL_POLICIES[] =
    "SELECT * FROM insurance_policies WHERE patient_id = ?1 ORDER BY created_at, id";
static const char SQL_CLAIMS[] =
    "SELECT c.* FROM insurance_claims c JOIN insurance_policies p ON p.id = c.policy_id"
    " WHERE p.patient_id = ?1 ORDER BY c.created_at, c.id";
static const char SQL_REVIEWS[] =
    "SELECT * FROM doctor_reviews WHERE patient_id = ?1 ORDER BY created_at, id";
static const char SQL_FAVORITES[] =
    "SELECT * FROM favorite_doctors WHERE patient_id = ?1 ORDER BY created_at, id";

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The most columns of one export query (patients has 18). */
#define EXPORT_MAX_COLS 32

/* The column table of any export query (db.h). */
struct export_cols {
	struct db_col col[EXPORT_MAX_COLS];
	char name[EXPORT_MAX_COLS][64];
	int n;
};

/*
 * Type the columns of st by name: *_at, start_time and end_time are
 * instants (appointments are the only table here with the latter),
 * *_cents money named without the suffix, is_* booleans (the money and
 * boolean columns exported are all NOT NULL); everything else as stored.
 * MED_ERANGE when st has more columns than the table holds.
 */
static enum med_err
export_cols(sqlite3_stmt *st, struct export_cols *c)
{
	if ((c->n = sqlite3_column_count(st)) > EXPORT_MAX_COLS)
		return MED_ERANGE;
	for (int i = 0; i < c->n; i++) {
		const char *name = sqlite3_column_name(st, i);
		size_t len = strlen(name);
		enum db_col_type type = DB_VALUE;

		if (ends_with(name, "_at") || strcmp(name, "start_time") == 0 ||
		    strcmp(name, "end_time") == 0)
			type = DB_INSTANT;
		else if (ends_with(name, "_cents")) {
			type = DB_MONEY;
			len -= 6;
		} else if (strncmp(name, "is_", 3) == 0)
			type = DB_BOOL;
		snprintf(c->name[i], sizeof c->name[i], "%.*s", (int)len, name);
		c->col[i].name = c->name[i];
		c->col[i].type = type;
	}
	return MED_OK;
}

/* Rows of sql (bound to the patient id) under name: an array, or one object if single. */
static enum med_err
add_rows(struct med_ctx *ctx, cJSON *doc, const char *name, const char *sql, const char *id,
    int single)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);
	struct export_cols c;
	cJSON *list, *row = NULL;
	enum med_err e;
	int rc;

	if (st == NULL)
		return MED_EDB;
	if ((e = export_cols(st, &c)) != MED_OK)
		return e;
	db_bind_text(st, 1, id);
	if (single) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			row = db_row_json(st, c.col, c.n);
		else if (rc == SQLITE_DONE)
			row = cJSON_CreateNull();
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_err(rc);
		if (row == NULL || !cJSON_AddItemToObject(doc, name, row)) {
			cJSON_Delete(row);
			return MED_ENOMEM;
		}
		return MED_OK;
	}
	if ((list = cJSON_AddArrayToObject(doc, name)) == NULL) {
		sqlite3_reset(st);
		return MED_ENOMEM;
	}
	while (e == MED_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((row = db_row_json(st, c.col, c.n)) == NULL || !cJSON_AddItemToArray(list, row)) {
			cJSON_Delete(row);
			e = MED_ENOMEM;
		}
	}
	sqlite3_reset(st);
	if (e != MED_OK)
		return e;
	return rc == SQLITE_DONE ? MED_OK : (db_err(rc) == MED_OK ? MED_EDB : db_err(rc));
}

static enum med_err
find_patient(struct med_ctx *ctx, const char *who, char id[MED_UUID_LEN + 1])
{
	char lower[MED_UUID_LEN + 1];

	if (util_is_uuid(who)) {
		util_uuid_lower(who, lower);
		who = lower;
	}
	return db_lookup(ctx, SQL_FIND, who, 0, id, MED_UUID_LEN + 1);
}

enum med_err
export_patient(struct med_ctx *ctx, const char *who, cJSON **out)
{
	struct audit_filter f = { 0 };
	char id[MED_UUID_LEN + 1], now[32];
	cJSON *doc, *trail = NULL;
	enum med_err e;

	*out = NULL;
	/* A write transaction: the reads are one snapshot and the audit row commits with them. */
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = find_patient(ctx, who, id)) != MED_OK) {
		db_rollback(ctx);
		return e;
	}
	if ((doc = cJSON_CreateObject()) == NULL) {
		db_rollback(ctx);
		return MED_ENOMEM;
	}
	util_fmt_instant(med_now(ctx), now);
	cJSON_AddStringToObject(doc, "format", EXPORT_FORMAT);
	cJSON_AddStringToObject(doc, "exported_at", now);
	cJSON_AddStringToObject(doc, "patient_id", id);
	f.patient_id = id;
	f.limit = AUDIT_QUERY_MAX;
	if ((e = add_rows(ctx, doc, "patient", SQL_PATIENT, id, 1)) != MED_OK ||
	    (e = add_rows(ctx, doc, "user", SQL_USER, id, 1)) != MED_OK ||
	    (e = add_rows(ctx, doc, "appointments", SQL_APPOINTMENTS, id, 0)) != MED_OK ||
	    (e = add_rows(ctx, doc, "medical_records", SQL_RECORDS, id, 0)) != MED_OK ||
	    (e = add_rows(ctx, doc, "billings", SQL_BILLINGS, id, 0)) != MED_OK ||
	    (e = add_rows(ctx, doc, "insurance_policies", SQL_POLICIES, id, 0)) != MED_OK ||
	    (e = add_rows(ctx, doc, "insurance_claims", SQL_CLAIMS, id, 0)) != MED_OK ||
	    (e = add_rows(ctx, doc, "reviews", SQL_REVIEWS, id, 0)) != MED_OK ||
	    (e = add_rows(ctx, doc, "favorite_doctors", SQL_FAVORITES, id, 0)) != MED_OK ||
	    (e = audit_query(ctx, &f, &trail)) != MED_OK)
		goto fail;
	cJSON_AddItemToObject(doc, "access_log", trail);
	if ((e = audit_add(ctx, NULL, "export", "patient", id, "ok", "medadm export-patient")) != MED_OK ||
	    (e = db_commit(ctx)) != MED_OK)
		goto fail;
	*out = doc;
	return MED_OK;
fail:
	db_rollback(ctx);
	cJSON_Delete(doc);
	return e;
}

enum med_err
export_patient_fhir(struct med_ctx *ctx, const char *who, cJSON **out)
{
	char id[MED_UUID_LEN + 1];
	enum med_err e;

	*out = NULL;
	/* As export_patient(): one snapshot, and the audit row commits with it. */
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = find_patient(ctx, who, id)) != MED_OK ||
	    (e = fhir_patient_bundle(ctx, id, out)) != MED_OK ||
	    (e = audit_add(ctx, NULL, "export", "patient", id, "ok",
	    "medadm export-patient --fhir")) != MED_OK ||
	    (e = db_commit(ctx)) != MED_OK) {
		db_rollback(ctx);
		cJSON_Delete(*out);
		*out = NULL;
	}
	return e;
}
