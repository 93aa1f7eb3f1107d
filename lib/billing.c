/*
 * billing.c - /billing: invoices, insurance policies and insurance claims.
 *
 * Staff and admins manage all of it; a patient reads its own invoices and
 * policies.  Like medical records, every read and write is audited, so
 * every route is TX_WRITE (TX_AUDIT for reads) and the audit rows commit
 * with what they trace (see records.c and audit.c for the vocabulary):
 * lists write one "list" row naming the items returned; a refused owner check keeps a "denied" row and an
 * unknown id of the path a "not_found" row (audit_refusal), while any
 * other refusal rolls back and leaves no row.
 *
 * Money is integer cents end to end: FT_MONEY turns the JSON number into
 * cents (refusing a third decimal) and DB_MONEY (db.h) turns it back.
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

#define E_BILLING "billing"
#define E_POLICY "insurance_policy"
#define E_CLAIM "insurance_claim"

#define AMOUNT_MAX 9999999999LL /* 99,999,999.99 */
#define DESCRIPTION_MAX 1000
#define NAME_MAX_LEN 255
#define NUMBER_MAX_LEN 100
#define TEXT_MAX 1000

static const char *const billing_statuses[] = { "PENDING", "PAID", "VOID", "REFUNDED", NULL };
static const char *const claim_statuses[] = {
	"PENDING", "SUBMITTED", "APPROVED", "REJECTED", "PAID", NULL,
};

#define PAGE " LIMIT ?2 OFFSET ?3"

/* --- billings ---------------------------------------------------------- */

#define BILL_COLUMNS "id, patient_id, appointment_id, amount_cents, currency, description," \
    " status, created_at, updated_at"
/* The columns of the SELECTs below, in order. */
static const struct db_col billing_cols[] = {
	{ "id", DB_TEXT }, { "patient_id", DB_TEXT }, { "appointment_id", DB_TEXT },
	{ "amount", DB_MONEY }, { "currency", DB_TEXT }, { "description", DB_TEXT },
	{ "status", DB_TEXT }, { "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT },
};
static const char SQL_BILL_GET[] =
    "SELECT " BILL_COLUMNS " FROM billings WHERE id = ?1";
static const char SQL_BILL_BY_PATIENT[] =
    "SELECT " BILL_COLUMNS " FROM billings WHERE patient_id = ?1"
    " ORDER BY created_at DESC, id DESC" PAGE;
static const char SQL_BILL_INSERT[] =
    "INSERT INTO billings (id, patient_id, appointment_id, amount_cents, currency,"
    " description, status, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
/* Partial update: each flag parameter says whether its field was sent. */
static const char SQL_BILL_UPDATE[] =
    "UPDATE billings SET"
    " amount_cents = CASE WHEN ?2 THEN ?3 ELSE amount_cents END,"
    " currency = CASE WHEN ?4 THEN ?5 ELSE currency END,"
    " description = CASE WHEN ?6 THEN ?7 ELSE description END,"
    " status = CASE WHEN ?8 THEN ?9 ELSE status END,"
    " updated_at = ?10 WHERE id = ?1";
static const char SQL_BILL_PATIENT[] =
    "SELECT patient_id FROM billings WHERE id = ?1";
static const char SQL_APPT_PATIENT[] =
    "SELECT patient_id FROM appointments WHERE id = ?1";

/* --- policies ---------------------------------------------------------- */

#define POLICY_COLUMNS "id, patient_id, provider_name, policy_number, coverage_details," \
    " created_at, updated_at"
/* The columns of the SELECTs below, in order. */
static const struct db_col policy_cols[] = {
	{ "id", DB_TEXT }, { "patient_id", DB_TEXT }, { "provider_name", DB_TEXT },
	{ "policy_number", DB_TEXT }, { "coverage_details", DB_TEXT },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT },
};
static const char SQL_POLICY_GET[] =
    "SELECT " POLICY_COLUMNS " FROM insurance_policies WHERE id = ?1";
static const char SQL_POLICY_BY_PATIENT[] =
    "SELECT " POLICY_COLUMNS " FROM insurance_policies WHERE patient_id = ?1"
    " ORDER BY created_at DESC, id DESC" PAGE;
static const char SQL_POLICY_INSERT[] =
    "INSERT INTO insurance_policies (id, patient_id, provider_name, policy_number,"
    " coverage_details, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char SQL_POLICY_UPDATE[] =
    "UPDATE insurance_policies SET"
    " provider_name = CASE WHEN ?2 THEN ?3 ELSE provider_name END,"
    " policy_number = CASE WHEN ?4 THEN ?5 ELSE policy_number END,"
    " coverage_details = CASE WHEN ?6 THEN ?7 ELSE coverage_details END,"
    " updated_at = ?8 WHERE id = ?1";
static const char SQL_POLICY_DELETE[] =
    "DELETE FROM insurance_policies WHERE id = ?1";
static const char SQL_POLICY_PATIENT[] =
    "SELECT patient_id FROM insurance_policies WHERE id = ?1";
static const char SQL_POLICY_HAS_CLAIMS[] =
    "SELECT 1 FROM insurance_claims WHERE policy_id = ?1 LIMIT 1";

/* --- claims ------------------------------------------------------------ */

#define CLAIM_COLUMNS "id, policy_id, billing_id, status, notes, created_at, updated_at"
/* The columns of the SELECTs below, in order. */
static const struct db_col claim_cols[] = {
	{ "id", DB_TEXT }, { "policy_id", DB_TEXT }, { "billing_id", DB_TEXT },
	{ "status", DB_TEXT }, { "notes", DB_TEXT },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT },
};
static const char SQL_CLAIM_GET[] =
    "SELECT " CLAIM_COLUMNS " FROM insurance_claims WHERE id = ?1";
static const char SQL_CLAIM_BY_POLICY[] =
    "SELECT " CLAIM_COLUMNS " FROM insurance_claims WHERE policy_id = ?1"
    " ORDER BY created_at DESC, id DESC" PAGE;
static const char SQL_CLAIM_INSERT[] =
    "INSERT INTO insurance_claims (id, policy_id, billing_id, status, notes, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char SQL_CLAIM_UPDATE[] =
    "UPDATE insurance_claims SET"
    " status = CASE WHEN ?2 THEN ?3 ELSE status END,"
    " notes = CASE WHEN ?4 THEN ?5 ELSE notes END,"
    " billing_id = CASE WHEN ?6 THEN ?7 ELSE billing_id END,"
    " updated_at = ?8 WHERE id = ?1";
static const char SQL_CLAIM_POLICY_PATIENT[] =
    "SELECT c.policy_id, p.patient_id FROM insurance_claims c"
    " JOIN insurance_policies p ON p.id = c.policy_id WHERE c.id = ?1";

static cJSON *
billing_json(sqlite3_stmt *st)
{
	return db_row_json(st, billing_cols, DB_NCOLS(billing_cols));
}

static cJSON *
policy_json(sqlite3_stmt *st)
{
	return db_row_json(st, policy_cols, DB_NCOLS(policy_cols));
}

static cJSON *
claim_json(sqlite3_stmt *st)
{
	return db_row_json(st, claim_cols, DB_NCOLS(claim_cols));
}

/* The patient_id (text column 0) of the row with this id; MED_ENOTFOUND when none. */
static enum med_err
patient_of(struct med_ctx *ctx, const char *sql, const char *id, char out[MED_UUID_LEN + 1])
{
	return db_lookup(ctx, sql, id, 0, out, MED_UUID_LEN + 1);
}

/*
 * The end of every write: step st, audit it, re-read the row (sql, fn) and
 * answer it with status.
 */
static int
finish_write(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, sqlite3_stmt *st,
    const char *action, const char *entity, const char *id, const char *detail,
    const char *sql, db_row_fn fn, int status)
{
	cJSON *row;
	enum med_err e;

	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, &req->user, action, entity, id, "ok", detail)) != MED_OK ||
	    (e = db_load_one(ctx, sql, id, fn, &row)) != MED_OK)
		return med_fail(resp, e);
	return med_reply(resp, status, row, NULL);
}

/*
 * The field names of a partial update for its audit row, and its
 * statement's flag/value pairs from ?2 on, in the order of spec.
 */
static void
bind_update(const struct med_req *req, const struct med_spec *spec, sqlite3_stmt *st,
    char *detail, size_t size)
{
	valid_fields_detail(spec->f, req->body_vals, spec->n, detail, size);
	valid_bind_update(st, 2, spec->f, req->body_vals, spec->n);
}

static int
in_list(const char *s, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

SPEC(billing_list_query,
	FLD_PAGING,
);

/*
 * GET of a list keyed by one id (a patient or a policy) with its audit
 * rows.  exists_sql/missing_msg: the key must name an existing row (404
 * otherwise).
 */
static int
reply_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    const char *exists_sql, const char *missing_msg, const char *key, const char *sql,
    db_row_fn fn, const char *entity, const char *detail)
{
	int64_t skip, limit;
	cJSON *list = NULL;
	enum med_err e;
	int found = 1;

	med_paging(req, &skip, &limit);
	if (exists_sql != NULL && (e = db_exists(ctx, exists_sql, key, &found)) != MED_OK)
		return med_fail(resp, e);
	if (!found)
		return med_error(resp, 404, missing_msg);
	if ((e = db_load_list(ctx, sql, key, limit, skip, fn, &list)) != MED_OK ||
	    (e = audit_add_list(ctx, &req->user, "list", entity, list, detail)) != MED_OK) {
		cJSON_Delete(list);
		return med_fail(resp, e);
	}
	return med_ok(resp, list);
}

static const char SQL_PATIENT_EXISTS[] = "SELECT 1 FROM patients WHERE id = ?1";
static const char SQL_POLICY_EXISTS[] = "SELECT 1 FROM insurance_policies WHERE id = ?1";

/* /me lists: the caller's own patient profile is the key. */
static int
reply_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp, const char *sql,
    db_row_fn fn, const char *entity, const char *detail)
{
	char patient[MED_UUID_LEN + 1];

	if (profile_own_patient(ctx, req, patient, resp) != MED_OK)
		return resp->status;
	return reply_list(ctx, req, resp, NULL, NULL, patient, sql, fn, entity, detail);
}

/* ----------------------------------------------------------------------- */

SPEC(billing_create_body,
	{ "patient_id", FT_UUID, FF_NULLABLE },
	{ "appointment_id", FT_UUID, FF_NULLABLE },
	{ "amount", FT_MONEY, FF_REQUIRED, 1, AMOUNT_MAX },
	{ "currency", FT_CURRENCY, 0, 3, 3 },
	{ "description", FT_STRING, FF_NULLABLE, 0, DESCRIPTION_MAX },
	{ "status", FT_ENUM, 0, .enumv = billing_statuses },
);

int
h_billing_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct fval *currency = med_body(req, "currency"), *status = med_body(req, "status");
	const char *named = fval_str(med_body(req, "patient_id"));
	const char *appt = fval_str(med_body(req, "appointment_id"));
	char id[MED_UUID_LEN + 1], patient[MED_UUID_LEN + 1] = "", appt_patient[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;

	if (named != NULL)
		snprintf(patient, sizeof patient, "%s", named);
	if (patient[0] == '\0' && appt == NULL)
		return med_error(resp, 400, "patient_id or appointment_id is required");
	if ((e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	if (appt != NULL) {
		if ((e = patient_of(ctx, SQL_APPT_PATIENT, appt, appt_patient)) == MED_ENOTFOUND)
			return med_error(resp, 404, "Appointment not found");
		if (e != MED_OK)
			return med_fail(resp, e);
		if (patient[0] != '\0' && strcmp(patient, appt_patient) != 0)
			return med_error(resp, 400, "Appointment does not belong to patient");
		memcpy(patient, appt_patient, sizeof patient);
	}
	if ((e = profile_patient_exists(ctx, patient)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Patient not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_BILL_INSERT)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, patient);
	db_bind_text(st, 3, appt);
	db_bind_int(st, 4, med_body(req, "amount")->i);
	db_bind_text(st, 5, currency->present ? currency->s : "USD");
	db_bind_text(st, 6, fval_str(med_body(req, "description")));
	db_bind_text(st, 7, status->present ? billing_statuses[status->i] : "PENDING");
	db_bind_int(st, 8, med_now(ctx));
	return finish_write(ctx, req, resp, st, "create", E_BILLING, id, NULL, SQL_BILL_GET, billing_json,
	    201);
}

int
h_billing_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_mine(ctx, req, resp, SQL_BILL_BY_PATIENT, billing_json, E_BILLING,
	    "/billing/me");
}

int
h_billing_patient(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_list(ctx, req, resp, SQL_PATIENT_EXISTS, "Patient not found",
	    med_path(req, "patient_id"), SQL_BILL_BY_PATIENT, billing_json, E_BILLING,
	    "/billing/patient");
}

int
h_billing_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "billing_id");
	char mine[MED_UUID_LEN + 1];
	const cJSON *owner;
	cJSON *bill;
	enum med_err e;

	if ((e = db_load_one(ctx, SQL_BILL_GET, id, billing_json, &bill)) == MED_ENOTFOUND)
		return audit_refusal(ctx, req, resp, "read", E_BILLING, id, NULL, 404,
		    "Billing not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	/* Staff and admins see every invoice; a patient only its own. */
	if (!med_has_role(req, ROLE_ADMIN | ROLE_STAFF)) {
		owner = cJSON_GetObjectItemCaseSensitive(bill, "patient_id");
		e = profile_patient_of_user(ctx, req->user.id, mine);
		if (e != MED_OK && e != MED_ENOTFOUND) {
			cJSON_Delete(bill);
			return med_fail(resp, e);
		}
		if (e == MED_ENOTFOUND || !cJSON_IsString(owner) ||
		    strcmp(owner->valuestring, mine) != 0) {
			cJSON_Delete(bill);
			return audit_refusal(ctx, req, resp, "read", E_BILLING, id, NULL, 403,
			    "Forbidden");
		}
	}
	if ((e = audit_add(ctx, &req->user, "read", E_BILLING, id, "ok", NULL)) != MED_OK) {
		cJSON_Delete(bill);
		return med_fail(resp, e);
	}
	return med_ok(resp, bill);
}

/* In the order of SQL_BILL_UPDATE's pairs. */
SPEC(billing_patch_body,
	{ "amount", FT_MONEY, 0, 1, AMOUNT_MAX },
	{ "currency", FT_CURRENCY, 0, 3, 3 },
	{ "description", FT_STRING, FF_NULLABLE, 0, DESCRIPTION_MAX },
	{ "status", FT_STRING, 0, 1, 32 },
);

int
h_billing_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "billing_id"), *status = fval_str(med_body(req, "status"));
	char detail[96], patient[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;

	/* The contract answers an unknown status with 400, not 422. */
	if (status != NULL && !in_list(status, billing_statuses))
		return med_error(resp, 400, "Invalid status");
	if ((e = patient_of(ctx, SQL_BILL_PATIENT, id, patient)) == MED_ENOTFOUND)
		return audit_refusal(ctx, req, resp, "update", E_BILLING, id, NULL, 404,
		    "Billing not found");
	if (e != MED_OK || (st = db_stmt(ctx, SQL_BILL_UPDATE)) == NULL)
		return med_fail(resp, e != MED_OK ? e : MED_EDB);
	db_bind_text(st, 1, id);
	bind_update(req, &billing_patch_body, st, detail, sizeof detail);
	db_bind_int(st, 10, med_now(ctx));
	return finish_write(ctx, req, resp, st, "update", E_BILLING, id, detail, SQL_BILL_GET, billing_json,
	    200);
}

/* --- policies ---------------------------------------------------------- */

SPEC(policy_create_body,
	{ "patient_id", FT_UUID, FF_REQUIRED },
	{ "provider_name", FT_STRING, FF_REQUIRED, 1, NAME_MAX_LEN },
	{ "policy_number", FT_STRING, FF_REQUIRED, 1, NUMBER_MAX_LEN },
	{ "coverage_details", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
);

int
h_policy_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *patient = fval_str(med_body(req, "patient_id"));
	char id[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	if ((e = profile_patient_exists(ctx, patient)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Patient not found");
	if (e != MED_OK || (st = db_stmt(ctx, SQL_POLICY_INSERT)) == NULL)
		return med_fail(resp, e != MED_OK ? e : MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, patient);
	db_bind_text(st, 3, fval_str(med_body(req, "provider_name")));
	db_bind_text(st, 4, fval_str(med_body(req, "policy_number")));
	db_bind_text(st, 5, fval_str(med_body(req, "coverage_details")));
	db_bind_int(st, 6, med_now(ctx));
	return finish_write(ctx, req, resp, st, "create", E_POLICY, id, NULL, SQL_POLICY_GET, policy_json,
	    201);
}

int
h_policy_mine(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_mine(ctx, req, resp, SQL_POLICY_BY_PATIENT, policy_json, E_POLICY,
	    "/billing/policies/me");
}

int
h_policy_patient(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_list(ctx, req, resp, SQL_PATIENT_EXISTS, "Patient not found",
	    med_path(req, "patient_id"), SQL_POLICY_BY_PATIENT, policy_json, E_POLICY,
	    "/billing/policies/patient");
}

/* In the order of SQL_POLICY_UPDATE's pairs. */
SPEC(policy_patch_body,
	{ "provider_name", FT_STRING, 0, 1, NAME_MAX_LEN },
	{ "policy_number", FT_STRING, 0, 1, NUMBER_MAX_LEN },
	{ "coverage_details", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
);

int
h_policy_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "policy_id");
	char detail[96], patient[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = patient_of(ctx, SQL_POLICY_PATIENT, id, patient)) == MED_ENOTFOUND)
		return audit_refusal(ctx, req, resp, "update", E_POLICY, id, NULL, 404,
		    "Policy not found");
	if (e != MED_OK || (st = db_stmt(ctx, SQL_POLICY_UPDATE)) == NULL)
		return med_fail(resp, e != MED_OK ? e : MED_EDB);
	db_bind_text(st, 1, id);
	bind_update(req, &policy_patch_body, st, detail, sizeof detail);
	db_bind_int(st, 8, med_now(ctx));
	return finish_write(ctx, req, resp, st, "update", E_POLICY, id, detail, SQL_POLICY_GET, policy_json,
	    200);
}

int
h_policy_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "policy_id");
	char patient[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;
	int has_claims;

	if ((e = patient_of(ctx, SQL_POLICY_PATIENT, id, patient)) == MED_ENOTFOUND)
		return audit_refusal(ctx, req, resp, "delete", E_POLICY, id, NULL, 404,
		    "Policy not found");
	if (e != MED_OK || (e = db_exists(ctx, SQL_POLICY_HAS_CLAIMS, id, &has_claims)) != MED_OK)
		return med_fail(resp, e);
	/* Claims are billing history: they are never cascaded away. */
	if (has_claims)
		return med_error(resp, 409, "Policy has claims");
	if ((st = db_stmt(ctx, SQL_POLICY_DELETE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK ||
	    (e = audit_add(ctx, &req->user, "delete", E_POLICY, id, "ok", NULL)) != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}

/* --- claims ------------------------------------------------------------ */

/* A claim's invoice must bill the policy holder: 0 when it does, else the status answered. */
static int
claim_billing_check(struct med_ctx *ctx, struct med_resp *resp, const char *billing,
    const char *policy_patient)
{
	char patient[MED_UUID_LEN + 1];
	enum med_err e = patient_of(ctx, SQL_BILL_PATIENT, billing, patient);

	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Billing not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if (strcmp(patient, policy_patient) != 0)
		return med_error(resp, 400, "Billing does not belong to the policy's patient");
	return 0;
}

SPEC(claim_create_body,
	{ "policy_id", FT_UUID, FF_REQUIRED },
	{ "billing_id", FT_UUID, FF_NULLABLE },
	{ "status", FT_ENUM, 0, .enumv = claim_statuses },
	{ "notes", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
);

int
h_claim_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *policy = fval_str(med_body(req, "policy_id"));
	const char *billing = fval_str(med_body(req, "billing_id"));
	const struct fval *status = med_body(req, "status");
	char id[MED_UUID_LEN + 1], patient[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;
	int refused;

	if ((e = util_uuid4(id)) != MED_OK)
		return med_fail(resp, e);
	if ((e = patient_of(ctx, SQL_POLICY_PATIENT, policy, patient)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Policy not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if (billing != NULL && (refused = claim_billing_check(ctx, resp, billing, patient)) != 0)
		return refused;
	if ((st = db_stmt(ctx, SQL_CLAIM_INSERT)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, policy);
	db_bind_text(st, 3, billing);
	db_bind_text(st, 4, status->present ? claim_statuses[status->i] : "PENDING");
	db_bind_text(st, 5, fval_str(med_body(req, "notes")));
	db_bind_int(st, 6, med_now(ctx));
	return finish_write(ctx, req, resp, st, "create", E_CLAIM, id, NULL, SQL_CLAIM_GET, claim_json,
	    201);
}

int
h_claim_policy(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_list(ctx, req, resp, SQL_POLICY_EXISTS, "Policy not found",
	    med_path(req, "policy_id"), SQL_CLAIM_BY_POLICY, claim_json, E_CLAIM,
	    "/billing/claims/policy");
}

/* The policy holder of a claim; MED_ENOTFOUND when the claim is unknown. */
static enum med_err
claim_patient(struct med_ctx *ctx, const char *id, char patient[MED_UUID_LEN + 1])
{
	return db_lookup(ctx, SQL_CLAIM_POLICY_PATIENT, id, 1, patient, MED_UUID_LEN + 1);
}

/* In the order of SQL_CLAIM_UPDATE's pairs. */
SPEC(claim_patch_body,
	{ "status", FT_STRING, 0, 1, 32 },
	{ "notes", FT_STRING, FF_NULLABLE, 0, TEXT_MAX },
	{ "billing_id", FT_UUID, FF_NULLABLE },
);

int
h_claim_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "claim_id"), *status = fval_str(med_body(req, "status"));
	const char *billing = fval_str(med_body(req, "billing_id"));
	char detail[96], patient[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;
	int refused;

	/* The contract answers an unknown claim status with 400, not 422. */
	if (status != NULL && !in_list(status, claim_statuses))
		return med_error(resp, 400, "Invalid claim status");
	if ((e = claim_patient(ctx, id, patient)) == MED_ENOTFOUND)
		return audit_refusal(ctx, req, resp, "update", E_CLAIM, id, NULL, 404,
		    "Claim not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if (billing != NULL && (refused = claim_billing_check(ctx, resp, billing, patient)) != 0)
		return refused;
	if ((st = db_stmt(ctx, SQL_CLAIM_UPDATE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, id);
	bind_update(req, &claim_patch_body, st, detail, sizeof detail);
	db_bind_int(st, 8, med_now(ctx));
	return finish_write(ctx, req, resp, st, "update", E_CLAIM, id, detail, SQL_CLAIM_GET, claim_json,
	    200);
}
