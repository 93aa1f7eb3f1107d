/*
 * doctors.c - /doctors: doctor profiles, their specialties and the public
 * directory (API.md §5).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "doctors.h"
#include "handlers.h"
#include "profiles.h"
#include "util.h"
#include "valid.h"

/* Profile fields in column order, then specialties, then user_id for admins. */
#define NFIELDS 8
#define F_SPECIALTIES NFIELDS
#define F_USER_ID (NFIELDS + 1)

static const struct fld doctor_specs[NFIELDS + 2] = {
	{ "first_name", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "last_name", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "phone", FT_STRING, FF_NULLABLE, 0, 20 },
	{ "bio", FT_STRING, FF_NULLABLE, 0, 2000 },
	{ "years_experience", FT_INT, FF_NULLABLE, 0, 100 },
	{ "clinic_address", FT_STRING, FF_NULLABLE, 0, 255 },
	{ "city", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "country", FT_STRING, FF_NULLABLE, 0, 100 },
	{ "specialties", FT_STRLIST, FF_NULLABLE, 1, 100 },
	{ "user_id", FT_UUID, FF_REQUIRED },
};

static const char SQL_GET[] = "SELECT " DOCTOR_COLUMNS " FROM doctors d WHERE d.id = ?1";

/*
 * The directory.  lower() folds ASCII only (SQLite without ICU), which is
 * also what the NOCASE collations of specialties.name and doctors.city do:
 * the three filters agree on what "case-insensitive" means.  The page is
 * chosen on narrow rows first (p), so the full columns and the
 * specialties of only that page are built, not of every doctor.
 */
static const char SQL_LIST[] =
    "SELECT " DOCTOR_COLUMNS " FROM (SELECT d.id, d.last_name, d.first_name FROM doctors d"
    " WHERE (?1 IS NULL OR instr(lower(d.first_name), lower(?1)) > 0"
    "        OR instr(lower(d.last_name), lower(?1)) > 0)"
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM doctor_specialties ds"
    "      JOIN specialties s ON s.id = ds.specialty_id"
    "      WHERE ds.doctor_id = d.id AND s.name = ?2))"
    " AND (?3 IS NULL OR d.city = ?3)"
    " AND (?4 IS NULL OR d.avg_rating >= ?4)"
    " ORDER BY d.last_name, d.first_name, d.id LIMIT ?5 OFFSET ?6) p"
    " JOIN doctors d ON d.id = p.id ORDER BY p.last_name, p.first_name, p.id";
static const char SQL_SPECIALTIES[] =
    "SELECT id, name, description FROM specialties ORDER BY id";
static const char SQL_USER_ROLE[] =
    "SELECT r.name FROM users u LEFT JOIN roles r ON r.id = u.role_id WHERE u.id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO doctors (id, user_id, first_name, last_name, phone, bio, years_experience,"
    " clinic_address, city, country, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)";

/* Field i: flag ?(2i+2) says it was sent, ?(2i+3) is its value (see patients.c). */
#define SETF(col, f, v) col " = CASE WHEN ?" #f " THEN ?" #v " ELSE " col " END, "
static const char SQL_UPDATE[] =
    "UPDATE doctors SET "
    SETF("first_name", 2, 3) SETF("last_name", 4, 5) SETF("phone", 6, 7)
    SETF("bio", 8, 9) SETF("years_experience", 10, 11) SETF("clinic_address", 12, 13)
    SETF("city", 14, 15) SETF("country", 16, 17)
    "updated_at = ?18 WHERE id = ?1";

static const char SQL_SPEC_CLEAR[] = "DELETE FROM doctor_specialties WHERE doctor_id = ?1";
/* specialties.name is COLLATE NOCASE: "cardiologie" finds "Cardiologie". */
static const char SQL_SPEC_ADD[] = "INSERT OR IGNORE INTO specialties (name) VALUES (?1)";
static const char SQL_SPEC_LINK[] =
    "INSERT OR IGNORE INTO doctor_specialties (doctor_id, specialty_id)"
    " SELECT ?1, id FROM specialties WHERE name = ?2";

static const char SQL_HISTORY[] =
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM appointments WHERE doctor_id = ?1)"
    " OR EXISTS (SELECT 1 FROM medical_records WHERE doctor_id = ?1)"
    " OR EXISTS (SELECT 1 FROM doctor_reviews WHERE doctor_id = ?1)";
static const char SQL_DELETE[] = "DELETE FROM doctors WHERE id = ?1";

/* The columns of DOCTOR_COLUMNS (doctors.h), in order. */
static const struct db_col doctor_cols[] = {
	{ "id", DB_TEXT }, { "user_id", DB_TEXT }, { "first_name", DB_TEXT },
	{ "last_name", DB_TEXT }, { "phone", DB_TEXT }, { "bio", DB_TEXT },
	{ "years_experience", DB_INT }, { "clinic_address", DB_TEXT }, { "city", DB_TEXT },
	{ "country", DB_TEXT }, { "avg_rating", DB_REAL }, { "rating_count", DB_INT },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT }, { "specialties", DB_JSON },
};

cJSON *
doctor_json(sqlite3_stmt *st)
{
	return db_row_json(st, doctor_cols, DB_NCOLS(doctor_cols));
}

/* The Doctor object for id; MED_ENOTFOUND when there is none. */
static enum med_err
doctor_load(struct med_ctx *ctx, const char *id, cJSON **out)
{
	return db_load_one(ctx, SQL_GET, id, doctor_json, out);
}

/* Replace the doctor's specialties by the names in list (NULL = none). */
static enum med_err
set_specialties(struct med_ctx *ctx, const char *doctor_id, const cJSON *list)
{
	const cJSON *el;
	sqlite3_stmt *st;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_SPEC_CLEAR)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, doctor_id);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	cJSON_ArrayForEach(el, list) {
		if ((st = db_stmt(ctx, SQL_SPEC_ADD)) == NULL)
			return MED_EDB;
		db_bind_text(st, 1, el->valuestring);
		if ((e = db_step_done(st)) != MED_OK)
			return e;
		if ((st = db_stmt(ctx, SQL_SPEC_LINK)) == NULL)
			return MED_EDB;
		db_bind_text(st, 1, doctor_id);
		db_bind_text(st, 2, el->valuestring);
		if ((e = db_step_done(st)) != MED_OK)
			return e;
	}
	return MED_OK;
}

/*
 * The role name of user_id into role ("" when none).  MED_ENOTFOUND when
 * there is no such user.
 */
static enum med_err
user_role(struct med_ctx *ctx, const char *user_id, char *role, size_t size)
{
	return db_lookup(ctx, SQL_USER_ROLE, user_id, 0, role, size);
}

/*
 * The end of a create or an update inside its transaction: step the bound
 * write st; a present specialties list replaces the set (null clears it);
 * load the Doctor and commit.
 */
static enum med_err
doctor_finish(struct med_ctx *ctx, const char *id, sqlite3_stmt *st, const struct fval *v,
    cJSON **out)
{
	const struct fval *specialties = &v[F_SPECIALTIES];
	enum med_err e;

	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if (specialties->present && (e = set_specialties(ctx, id, specialties->is_null ? NULL :
	    specialties->raw)) != MED_OK)
		return e;
	if ((e = doctor_load(ctx, id, out)) != MED_OK)
		return e;
	return db_commit(ctx);
}

/*
 * Create the doctor profile of user_id.  With need_role, the user must
 * have the DOCTOR role (MED_EINVAL otherwise).  MED_ENOTFOUND: no such
 * user; MED_ECONFLICT: the profile exists.
 */
static enum med_err
doctor_create(struct med_ctx *ctx, const char *user_id, int need_role, const struct fval *v,
    cJSON **out)
{
	char id[MED_UUID_LEN + 1], role[16];
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = util_uuid4(id)) != MED_OK || (e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = user_role(ctx, user_id, role, sizeof role)) != MED_OK)
		goto fail;
	if (need_role && strcmp(role, "DOCTOR") != 0) {
		e = MED_EINVAL;
		goto fail;
	}
	if ((e = profile_doctor_of_user(ctx, user_id, NULL)) != MED_ENOTFOUND) {
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
		valid_bind(st, 3 + i, &doctor_specs[i], &v[i]);
	db_bind_int(st, 11, med_now(ctx));
	if ((e = doctor_finish(ctx, id, st, v, out)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	return db_abort(ctx, e, out);
}

static enum med_err
doctor_update(struct med_ctx *ctx, const char *id, const struct fval *v, cJSON **out)
{
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = profile_doctor_exists(ctx, id)) != MED_OK)
		goto fail;
	if ((st = db_stmt(ctx, SQL_UPDATE)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_text(st, 1, id);
	valid_bind_update(st, 2, doctor_specs, v, NFIELDS);
	db_bind_int(st, 18, med_now(ctx));
	if ((e = doctor_finish(ctx, id, st, v, out)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	return db_abort(ctx, e, out);
}

static int
reply_doctor(enum med_err e, cJSON *doctor, int status, struct med_resp *resp)
{
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_reply(resp, status, doctor, NULL);
}

HANDLER(h_doctors_list)
{
	static const struct fld specs[] = {
		{ "name", FT_STRING, 0, 0, 100 },
		{ "specialty", FT_STRING, 0, 0, 100 },
		{ "city", FT_STRING, 0, 0, 100 },
		{ "min_rating", FT_NUMBER, 0 },
	};
	struct fval v[4];
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	if (valid_paging(req, &skip, &limit, resp) != MED_OK ||
	    valid_query(req, specs, 4, v, resp) != MED_OK)
		return resp->status;
	if ((st = db_stmt(ctx, SQL_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	for (int i = 0; i < 3; i++)
		db_bind_text(st, 1 + i, v[i].present ? v[i].s : NULL);
	if (v[3].present)
		sqlite3_bind_double(st, 4, v[3].d);
	db_bind_int(st, 5, limit);
	db_bind_int(st, 6, skip);
	/* Only sent back: text straight from the rows (db.h). */
	if ((e = db_rows_raw(st, doctor_cols, DB_NCOLS(doctor_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

HANDLER(h_doctors_specialties)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_SPECIALTIES);
	cJSON *list, *o;
	int rc;

	(void)req;
	if (st == NULL)
		return med_fail(resp, MED_EDB);
	if ((list = cJSON_CreateArray()) == NULL)
		return med_fail(resp, MED_ENOMEM);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((o = cJSON_CreateObject()) == NULL)
			continue;
		db_json_int(o, "id", st, 0);
		db_json_text(o, "name", st, 1);
		db_json_text(o, "description", st, 2);
		cJSON_AddItemToArray(list, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(list);
		return med_fail(resp, db_err(rc));
	}
	return med_ok(resp, list);
}

HANDLER(h_doctors_create)
{
	struct fval v[NFIELDS + 2];
	cJSON *doctor;
	enum med_err e;

	if (valid_body(req, doctor_specs, NFIELDS + 2, v, resp) != MED_OK)
		return resp->status;
	e = doctor_create(ctx, v[F_USER_ID].s, 1, v, &doctor);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "User not found");
	if (e == MED_EINVAL)
		return med_error(resp, 400, "User is not a doctor");
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Doctor profile already exists");
	return reply_doctor(e, doctor, 201, resp);
}

HANDLER(h_doctors_me_get)
{
	char id[MED_UUID_LEN + 1];
	cJSON *doctor;
	enum med_err e;

	if (profile_own_doctor(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = doctor_load(ctx, id, &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

HANDLER(h_doctors_me_create)
{
	struct fval v[NFIELDS + 1];
	cJSON *doctor;
	enum med_err e;

	/* No user_id here: one's own profile; the route already admitted the role. */
	if (valid_body(req, doctor_specs, NFIELDS + 1, v, resp) != MED_OK)
		return resp->status;
	e = doctor_create(ctx, req->user.id, 0, v, &doctor);
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Doctor profile already exists");
	return reply_doctor(e, doctor, 201, resp);
}

HANDLER(h_doctors_me_patch)
{
	char id[MED_UUID_LEN + 1];
	struct fval v[NFIELDS + 1];
	cJSON *doctor;
	enum med_err e;

	if (valid_body(req, doctor_specs, NFIELDS + 1, v, resp) != MED_OK ||
	    profile_own_doctor(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = doctor_update(ctx, id, v, &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

HANDLER(h_doctors_get)
{
	char id[MED_UUID_LEN + 1];
	cJSON *doctor;
	enum med_err e;

	if (valid_path_uuid(req, 0, "doctor_id", id, resp) != MED_OK)
		return resp->status;
	e = doctor_load(ctx, id, &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

HANDLER(h_doctors_patch)
{
	char id[MED_UUID_LEN + 1];
	struct fval v[NFIELDS + 1];
	cJSON *doctor;
	enum med_err e;

	if (valid_path_uuid(req, 0, "doctor_id", id, resp) != MED_OK ||
	    valid_body(req, doctor_specs, NFIELDS + 1, v, resp) != MED_OK)
		return resp->status;
	e = doctor_update(ctx, id, v, &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

/* Delete doctor id unless it has history (MED_ECONFLICT). */
static enum med_err
doctor_delete(struct med_ctx *ctx, const char *id)
{
	sqlite3_stmt *st;
	enum med_err e;
	int history;

	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = profile_doctor_exists(ctx, id)) != MED_OK ||
	    (e = db_exists(ctx, SQL_HISTORY, id, &history)) != MED_OK)
		goto fail;
	if (history) {
		e = MED_ECONFLICT;
		goto fail;
	}
	/* Windows, favorites and specialty links go with the profile (ON DELETE CASCADE). */
	if ((st = db_stmt(ctx, SQL_DELETE)) == NULL) {
		e = MED_EDB;
		goto fail;
	}
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK || (e = db_commit(ctx)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	db_rollback(ctx);
	return e;
}

HANDLER(h_doctors_delete)
{
	char id[MED_UUID_LEN + 1];
	enum med_err e;

	if (valid_path_uuid(req, 0, "doctor_id", id, resp) != MED_OK)
		return resp->status;
	e = doctor_delete(ctx, id);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Doctor has appointments, records or reviews");
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}
