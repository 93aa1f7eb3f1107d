/*
 * patients.c - /patients: patient profiles (API.md §4).
 *
 * A profile holds medical data (blood type, allergies, chronic conditions,
 * medications), so every read of a profile and every write to one leaves
 * an audit row in the route's transaction (TX_WRITE; TX_AUDIT for reads): the
 * row and what it logs are committed together or not at all.  A failed
 * audit write fails the request.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "profiles.h"
#include "route.h"
#include "template.h"
#include "util.h"
#include "valid.h"

/*
 * The profile fields, in column order: the names (flags and least length
 * vary: the front desk must name the patient), then the rest.
 */
#define NFIELDS 14
#define PATIENT_NAMES(flags, min) \
	{ "first_name", FT_STRING, flags, min, 100 }, \
	{ "last_name", FT_STRING, flags, min, 100 }
#define PATIENT_FIELDS PATIENT_NAMES(FF_NULLABLE, 0), PATIENT_DETAILS
#define PATIENT_DETAILS \
	{ "phone", FT_STRING, FF_NULLABLE, 0, 20 }, \
	{ "date_of_birth", FT_DATE, FF_NULLABLE }, \
	{ "gender", FT_STRING, FF_NULLABLE, 0, 20 }, \
	{ "address", FT_STRING, FF_NULLABLE, 0, 255 }, \
	{ "city", FT_STRING, FF_NULLABLE, 0, 100 }, \
	{ "country", FT_STRING, FF_NULLABLE, 0, 100 }, \
	{ "blood_type", FT_STRING, FF_NULLABLE, 0, 5 }, \
	{ "allergies", FT_STRING, FF_NULLABLE, 0, 500 }, \
	{ "chronic_conditions", FT_STRING, FF_NULLABLE, 0, 500 }, \
	{ "medications", FT_STRING, FF_NULLABLE, 0, 500 }, \
	{ "emergency_contact_name", FT_STRING, FF_NULLABLE, 0, 100 }, \
	{ "emergency_contact_phone", FT_STRING, FF_NULLABLE, 0, 20 }

/* One's own profile is always one's own: no user_id here, one sent is ignored. */
SPEC(patient_body, PATIENT_FIELDS);
/* The admin names the account; a missing user_id is the contract's 400, not a 422. */
SPEC(patient_create_body, PATIENT_FIELDS, { "user_id", FT_UUID, FF_NULLABLE });
/*
 * ids: the front desk's screens name the patients of a week of visits in
 * a few requests instead of one per patient (comma-separated UUIDs).
 */
#define LIST_IDS_MAX 100
SPEC(patient_list_query, FLD_PAGING,
	{ "ids", FT_STRING, 0, 1, LIST_IDS_MAX * (MED_UUID_LEN + 1) - 1 });
/*
 * The front desk registers a walk-in: the account's address and, when
 * known, the language of its mails (users.locale) after the profile.
 */
SPEC(desk_patient_body, PATIENT_NAMES(FF_REQUIRED, 1), PATIENT_DETAILS,
	{ "email", FT_EMAIL, FF_REQUIRED },
	{ "locale", FT_ENUM, 0, .enumv = tpl_locales });

_Static_assert(sizeof patient_body_fields / sizeof patient_body_fields[0] == NFIELDS,
    "the INSERT and UPDATE below bind NFIELDS profile fields");

#define PATIENT_COLUMNS \
    "id, user_id, first_name, last_name, phone, date_of_birth, gender, address, city," \
    " country, blood_type, allergies, chronic_conditions, medications," \
    " emergency_contact_name, emergency_contact_phone, created_at, updated_at"

/* What the API shows: the stored profile, then the counters the code keeps. */
#define PATIENT_SHOWN PATIENT_COLUMNS ", no_show_count"
static const char SQL_GET[] = "SELECT " PATIENT_SHOWN " FROM patients WHERE id = ?1";
static const char SQL_LIST[] = "SELECT " PATIENT_SHOWN " FROM patients"
    " ORDER BY last_name, first_name, id LIMIT ?1 OFFSET ?2";
/* The same for the ids of ?3 (a JSON array): one primary-key lookup each. */
static const char SQL_LIST_IDS[] = "SELECT " PATIENT_SHOWN " FROM patients"
    " WHERE id IN (SELECT value FROM json_each(?3))"
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

/* The columns of PATIENT_COLUMNS, in order: the Patient object. */
static const struct db_col patient_cols[] = {
	{ "id", DB_TEXT }, { "user_id", DB_TEXT }, { "first_name", DB_TEXT },
	{ "last_name", DB_TEXT }, { "phone", DB_TEXT }, { "date_of_birth", DB_TEXT },
	{ "gender", DB_TEXT }, { "address", DB_TEXT }, { "city", DB_TEXT },
	{ "country", DB_TEXT }, { "blood_type", DB_TEXT }, { "allergies", DB_TEXT },
	{ "chronic_conditions", DB_TEXT }, { "medications", DB_TEXT },
	{ "emergency_contact_name", DB_TEXT }, { "emergency_contact_phone", DB_TEXT },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT },
	{ "no_show_count", DB_INT },
};
_Static_assert(sizeof patient_cols / sizeof patient_cols[0] == NFIELDS + 5,
    "id, user_id, the profile fields, created_at, updated_at, no_show_count");

static cJSON *
patient_json(sqlite3_stmt *st)
{
	return db_row_json(st, patient_cols, DB_NCOLS(patient_cols));
}

/* The Patient object for id; MED_ENOTFOUND when there is none. */
static enum med_err
patient_load(struct med_ctx *ctx, const char *id, cJSON **out)
{
	return db_load_one(ctx, SQL_GET, id, patient_json, out);
}

/* Load a profile and log the read. */
static enum med_err
patient_read(struct med_ctx *ctx, const struct med_user *user, const char *id, cJSON **out)
{
	enum med_err e;

	if ((e = patient_load(ctx, id, out)) == MED_OK &&
	    (e = audit_add(ctx, user, "read", "patient", id, "ok", NULL)) != MED_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return e;
}

/*
 * The end of a create or an update: step the bound write st, audit it
 * naming the fields sent (v), load the Patient.
 */
static enum med_err
patient_finish(struct med_ctx *ctx, const struct med_user *actor, const char *action,
    const char *id, sqlite3_stmt *st, const struct fval *v, cJSON **out)
{
	char detail[512];
	enum med_err e;

	*out = NULL;
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	valid_fields_detail(patient_body_fields, v, NFIELDS, detail, sizeof detail);
	if ((e = audit_add(ctx, actor, action, "patient", id, "ok", detail)) != MED_OK)
		return e;
	return patient_load(ctx, id, out);
}

/*
 * Create the profile of user_id from the route's body, whose spec starts
 * with the NFIELDS profile fields (specs); *out = the new Patient.
 * MED_ENOTFOUND: no such user; MED_ECONFLICT: profile exists.
 */
static enum med_err
patient_create(struct med_ctx *ctx, const struct med_req *req, const struct fld *specs,
    const char *user_id, cJSON **out)
{
	char id[MED_UUID_LEN + 1];
	struct fval v[NFIELDS];
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = util_uuid4(id)) != MED_OK ||
	    (e = db_lookup(ctx, SQL_USER_EXISTS, user_id, 0, NULL, 0)) != MED_OK)
		return e;
	if ((e = profile_patient_of_user(ctx, user_id, NULL)) != MED_ENOTFOUND)
		return e == MED_OK ? MED_ECONFLICT : e;
	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL)
		return MED_EDB;
	profile_fields(req, specs, NFIELDS, v);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, user_id);
	for (int i = 0; i < NFIELDS; i++)
		valid_bind(st, 3 + i, &specs[i], &v[i]);
	db_bind_int(st, 17, med_now(ctx));
	return patient_finish(ctx, &req->user, "create", id, st, v, out);
}

/* Apply the fields the route's body sent to profile id; *out = the updated Patient. */
static enum med_err
patient_update(struct med_ctx *ctx, const struct med_req *req, const char *id, cJSON **out)
{
	struct fval v[NFIELDS];
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = profile_patient_exists(ctx, id)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_UPDATE)) == NULL)
		return MED_EDB;
	profile_fields(req, patient_body_fields, NFIELDS, v);
	db_bind_text(st, 1, id);
	valid_bind_update(st, 2, patient_body_fields, v, NFIELDS);
	db_bind_int(st, 30, med_now(ctx));
	return patient_finish(ctx, &req->user, "update", id, st, v, out);
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

/*
 * The ids filter as a JSON array of strings into out (size bytes), 0 when
 * it is not a comma-separated list of UUIDs: every item checked, so the
 * array is well formed without escaping.
 */
static int
ids_array(const char *ids, char *out, size_t size)
{
	size_t used = 0;
	int n = 0;

	for (const char *p = ids;; n++) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char one[MED_UUID_LEN + 1];

		if (len != MED_UUID_LEN || n == LIST_IDS_MAX || used + len + 4 >= size)
			return 0;
		memcpy(one, p, len);
		one[len] = '\0';
		if (!util_is_uuid(one))
			return 0;
		used += (size_t)snprintf(out + used, size - used, "%s\"%s\"", n ? "," : "[", one);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	snprintf(out + used, size - used, "]");
	return 1;
}

int
h_patients_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *ids = fval_str(med_qarg(req, "ids"));
	char ids_json[LIST_IDS_MAX * (MED_UUID_LEN + 3) + 8];
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	med_paging(req, &skip, &limit);
	if (ids != NULL && !ids_array(ids, ids_json, sizeof ids_json))
		return med_invalid(resp, "query", "ids",
		    "Input should be at most 100 comma-separated UUIDs", "value_error");
	if ((st = db_stmt(ctx, ids != NULL ? SQL_LIST_IDS : SQL_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_int(st, 1, limit);
	db_bind_int(st, 2, skip);
	if (ids != NULL)
		db_bind_text(st, 3, ids_json);
	if ((e = db_rows_json(st, patient_json, &list)) != MED_OK)
		return med_fail(resp, e);
	if ((e = audit_add_list(ctx, &req->user, "read", "patient", list, "list")) != MED_OK) {
		cJSON_Delete(list);
		return med_fail(resp, e);
	}
	return med_ok(resp, list);
}

/* Create a profile and answer it; 409 when the user has one. */
static int
create_reply(struct med_ctx *ctx, const struct med_req *req, const char *user_id,
    const char *no_user, struct med_resp *resp)
{
	cJSON *patient;
	enum med_err e = patient_create(ctx, req, patient_body_fields, user_id, &patient);

	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, no_user);
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Patient profile already exists");
	return reply_patient(e, patient, 201, resp);
}

int
h_patients_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *user_id = fval_str(med_body(req, "user_id"));

	if (user_id == NULL)
		return med_error(resp, 400, "user_id is required");
	return create_reply(ctx, req, user_id, "User not found", resp);
}

int
h_patients_me_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char id[MED_UUID_LEN + 1];
	cJSON *patient;
	enum med_err e;

	if (profile_own_patient(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = patient_read(ctx, &req->user, id, &patient);
	return reply_patient(e, patient, 200, resp);
}

int
h_patients_me_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	/* No such user only when the account vanished since it authenticated. */
	return create_reply(ctx, req, req->user.id, "Patient not found", resp);
}

int
h_patients_me_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char id[MED_UUID_LEN + 1];
	cJSON *patient;
	enum med_err e;

	if (profile_own_patient(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = patient_update(ctx, req, id, &patient);
	return reply_patient(e, patient, 200, resp);
}

int
h_patients_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *id = med_path(req, "patient_id");
	char doctor[MED_UUID_LEN + 1];
	cJSON *patient;
	enum med_err e;
	int treats;

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
			/* The attempt is the point of the log: it outlives the refusal. */
			route_keep_on_refusal(ctx);
			return med_error(resp, 403, "Forbidden");
		}
	}
	e = patient_read(ctx, &req->user, id, &patient);
	return reply_patient(e, patient, 200, resp);
}

int
h_patients_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *patient;
	enum med_err e;

	e = patient_update(ctx, req, med_path(req, "patient_id"), &patient);
	return reply_patient(e, patient, 200, resp);
}

int
h_patients_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return profile_delete(ctx, req, PROFILE_PATIENT, med_path(req, "patient_id"), resp);
}

/*
 * The front desk registers a walk-in patient, in the route's one
 * transaction: an account no password opens yet, its invitation mail
 * (auth_invite_user()) and the profile, audited as an admin's POST
 * /patients is.  The KDF never runs here: the patient sets the password.
 */
int
h_desk_patients_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char user_id[MED_UUID_LEN + 1];
	cJSON *patient;
	enum med_err e;

	e = auth_invite_user(ctx, fval_str(med_body(req, "email")),
	    fval_str(med_body(req, "locale")), user_id);
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Email already registered");
	if (e != MED_OK)
		return med_fail(resp, e);
	e = patient_create(ctx, req, desk_patient_body_fields, user_id, &patient);
	return reply_patient(e, patient, 201, resp);
}
