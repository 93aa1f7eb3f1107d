/*
 * doctors.c - /doctors: doctor profiles, their specialties and the public
 * directory (API.md §5).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "dircache.h"
#include "doctors.h"
#include "handlers.h"
#include "profiles.h"
#include "settings.h"
#include "util.h"
#include "valid.h"

/* The profile fields, in column order, then the specialties. */
#define NFIELDS 8
#define DOCTOR_FIELDS \
	{ "first_name", FT_STRING, FF_NULLABLE, 0, 100 }, \
	{ "last_name", FT_STRING, FF_NULLABLE, 0, 100 }, \
	{ "phone", FT_STRING, FF_NULLABLE, 0, 20 }, \
	{ "bio", FT_STRING, FF_NULLABLE, 0, 2000 }, \
	{ "years_experience", FT_INT, FF_NULLABLE, 0, 100 }, \
	{ "clinic_address", FT_STRING, FF_NULLABLE, 0, 255 }, \
	{ "city", FT_STRING, FF_NULLABLE, 0, 100 }, \
	{ "country", FT_STRING, FF_NULLABLE, 0, 100 }, \
	{ "specialties", FT_STRLIST, FF_NULLABLE, 1, 100 }

/*
 * The doctor's own booking rules, after the profile fields: null (or
 * never set) means the clinic's settings apply.  Their order is that of
 * SQL_SCHED.
 */
#define DOCTOR_SCHED_FIELDS \
	{ "min_notice_minutes", FT_INT, FF_NULLABLE, 0, NOTICE_MAX_MINUTES }, \
	{ "booking_horizon_days", FT_INT, FF_NULLABLE, 1, HORIZON_MAX_DAYS }
#define NSCHED 2

/* One's own profile: no user_id here; the route already admitted the role. */
SPEC(doctor_body, DOCTOR_FIELDS, DOCTOR_SCHED_FIELDS);
SPEC(doctor_create_body, DOCTOR_FIELDS, DOCTOR_SCHED_FIELDS, { "user_id", FT_UUID, FF_REQUIRED });
SPEC(doctor_list_query,
	FLD_PAGING,
	{ "name", FT_STRING, 0, 0, 100 },
	{ "specialty", FT_STRING, 0, 0, 100 },
	{ "city", FT_STRING, 0, 0, 100 },
	{ "min_rating", FT_NUMBER, 0 },
);

_Static_assert(sizeof doctor_body_fields / sizeof doctor_body_fields[0] == NFIELDS + 1 + NSCHED,
    "the INSERT and UPDATE below bind NFIELDS profile fields, then the specialties,"
    " then SQL_SCHED the booking rules");

static const char SQL_GET[] = "SELECT " DOCTOR_COLUMNS " FROM doctors d WHERE d.id = ?1";

/*
 * The directory.  Filters compare folded keys (util_fold(): Unicode case
 * folding, accents ignored), kept beside the names by key_refresh(), so
 * ?city=BÉJAÏA finds Béjaïa and ?specialty=pediatrie finds Pédiatrie.
 * The most selective filter given drives the query, through its index:
 * the specialty, else the city, else the whole (small) directory in name
 * order.  The page is chosen on narrow rows first (p), so the full
 * columns and the specialties of only that page are built.
 */
#define LIST_OTHER_FILTERS \
    " AND (?1 IS NULL OR instr(d.first_name_key, med_fold(?1)) > 0" \
    "      OR instr(d.last_name_key, med_fold(?1)) > 0)" \
    " AND (?3 IS NULL OR d.city_key = med_fold(?3))" \
    " AND (?4 IS NULL OR d.avg_rating >= ?4)"
#define LIST_PAGE \
    " ORDER BY d.last_name, d.first_name, d.id LIMIT ?5 OFFSET ?6) p" \
    " JOIN doctors d ON d.id = p.id ORDER BY p.last_name, p.first_name, p.id"
static const char SQL_LIST_BY_SPECIALTY[] =
    "SELECT " DOCTOR_COLUMNS " FROM (SELECT d.id, d.last_name, d.first_name"
    " FROM specialties s JOIN doctor_specialties ds ON ds.specialty_id = s.id"
    " JOIN doctors d ON d.id = ds.doctor_id WHERE s.name_key = med_fold(?2)"
    LIST_OTHER_FILTERS LIST_PAGE;
static const char SQL_LIST_BY_CITY[] =
    "SELECT " DOCTOR_COLUMNS " FROM (SELECT d.id, d.last_name, d.first_name FROM doctors d"
    " WHERE d.city_key = med_fold(?3)" LIST_OTHER_FILTERS LIST_PAGE;
static const char SQL_LIST_ALL[] =
    "SELECT " DOCTOR_COLUMNS " FROM (SELECT d.id, d.last_name, d.first_name FROM doctors d"
    " WHERE 1" LIST_OTHER_FILTERS LIST_PAGE;
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

/* The doctor's booking rules, in the order of DOCTOR_SCHED_FIELDS (flag, value). */
static const char SQL_SCHED[] =
    "UPDATE doctors SET "
    SETF("min_notice_minutes", 2, 3) SETF("booking_horizon_days", 4, 5)
    "id = id WHERE id = ?1";

/* The search keys of the names and the city, after every write of them. */
static const char SQL_KEYS[] =
    "UPDATE doctors SET first_name_key = med_fold(first_name),"
    " last_name_key = med_fold(last_name), city_key = med_fold(city) WHERE id = ?1";

static const char SQL_SPEC_CLEAR[] = "DELETE FROM doctor_specialties WHERE doctor_id = ?1";
/*
 * specialties.name_key is UNIQUE: "MÉDECINE-SPORT" is the existing
 * "Médecine-sport", spelt as it was first entered.
 */
static const char SQL_SPEC_ADD[] =
    "INSERT OR IGNORE INTO specialties (name, name_key) VALUES (?1, med_fold(?1))";
static const char SQL_SPEC_LINK[] =
    "INSERT OR IGNORE INTO doctor_specialties (doctor_id, specialty_id)"
    " SELECT ?1, id FROM specialties WHERE name_key = med_fold(?2)";

/* The columns of DOCTOR_COLUMNS (doctors.h), in order. */
static const struct db_col doctor_cols[] = {
	{ "id", DB_TEXT }, { "user_id", DB_TEXT }, { "first_name", DB_TEXT },
	{ "last_name", DB_TEXT }, { "phone", DB_TEXT }, { "bio", DB_TEXT },
	{ "years_experience", DB_INT }, { "clinic_address", DB_TEXT }, { "city", DB_TEXT },
	{ "country", DB_TEXT }, { "avg_rating", DB_REAL }, { "rating_count", DB_INT },
	{ "created_at", DB_INSTANT }, { "updated_at", DB_INSTANT }, { "specialties", DB_JSON },
	{ "min_notice_minutes", DB_INT }, { "booking_horizon_days", DB_INT },
};

/* The columns of SQL_SPECIALTIES, in order. */
static const struct db_col specialty_cols[] = {
	{ "id", DB_INT }, { "name", DB_TEXT }, { "description", DB_TEXT },
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

/* The booking rules the body sent (DOCTOR_SCHED_FIELDS), if any, to profile id. */
static enum med_err
doctor_sched(struct med_ctx *ctx, const struct med_req *req, const char *id)
{
	const struct fval *v = &req->body_vals[NFIELDS + 1];
	sqlite3_stmt *st;
	int sent = 0;

	for (int i = 0; i < NSCHED; i++)
		sent |= v[i].present;
	if (!sent)
		return MED_OK;
	if ((st = db_stmt(ctx, SQL_SCHED)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	valid_bind_update(st, 2, &doctor_body_fields[NFIELDS + 1], v, NSCHED);
	return db_step_done(st);
}

/*
 * The end of a create or an update: step the bound write st; specialties
 * sent replace the set (null clears it); load the Doctor.
 */
static enum med_err
doctor_finish(struct med_ctx *ctx, const struct med_req *req, const char *id,
    sqlite3_stmt *st, cJSON **out)
{
	const struct fval *specialties = med_body(req, "specialties");
	enum med_err e;

	*out = NULL;
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_KEYS)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if (specialties->present && (e = set_specialties(ctx, id, specialties->is_null ? NULL :
	    specialties->raw)) != MED_OK)
		return e;
	if ((e = doctor_sched(ctx, req, id)) != MED_OK)
		return e;
	return doctor_load(ctx, id, out);
}

/*
 * Create the doctor profile of user_id from the route's body.  With
 * need_role, the user must have the DOCTOR role (MED_EINVAL otherwise).
 * MED_ENOTFOUND: no such user; MED_ECONFLICT: the profile exists.
 */
static enum med_err
doctor_create(struct med_ctx *ctx, const struct med_req *req, const char *user_id,
    int need_role, cJSON **out)
{
	char id[MED_UUID_LEN + 1], role[16];
	struct fval v[NFIELDS];
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = util_uuid4(id)) != MED_OK ||
	    (e = user_role(ctx, user_id, role, sizeof role)) != MED_OK)
		return e;
	if (need_role && strcmp(role, "DOCTOR") != 0)
		return MED_EINVAL;
	if ((e = profile_doctor_of_user(ctx, user_id, NULL)) != MED_ENOTFOUND)
		return e == MED_OK ? MED_ECONFLICT : e;
	if ((st = db_stmt(ctx, SQL_INSERT)) == NULL)
		return MED_EDB;
	profile_fields(req, doctor_body_fields, NFIELDS, v);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, user_id);
	for (int i = 0; i < NFIELDS; i++)
		valid_bind(st, 3 + i, &doctor_body_fields[i], &v[i]);
	db_bind_int(st, 11, med_now(ctx));
	return doctor_finish(ctx, req, id, st, out);
}

/* Apply the fields the route's body sent to profile id; *out = the updated Doctor. */
static enum med_err
doctor_update(struct med_ctx *ctx, const struct med_req *req, const char *id, cJSON **out)
{
	struct fval v[NFIELDS];
	sqlite3_stmt *st;
	enum med_err e;

	*out = NULL;
	if ((e = profile_doctor_exists(ctx, id)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_UPDATE)) == NULL)
		return MED_EDB;
	profile_fields(req, doctor_body_fields, NFIELDS, v);
	db_bind_text(st, 1, id);
	valid_bind_update(st, 2, doctor_body_fields, v, NFIELDS);
	db_bind_int(st, 18, med_now(ctx));
	return doctor_finish(ctx, req, id, st, out);
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

/* One filter of the cache key: absent and empty differ, lengths keep fields apart. */
static size_t
key_part(char *key, size_t used, size_t size, const char *value)
{
	int n = value != NULL ? snprintf(key + used, size - used, "%zu:%s|", strlen(value), value) :
	    snprintf(key + used, size - used, "-|");

	return n < 0 || (size_t)n >= size - used ? size : used + (size_t)n;
}

/* The directory cache's key of this query; 0 when it does not fit (no caching). */
static int
list_key(struct med_req *req, int64_t skip, int64_t limit, char key[DIRCACHE_KEY_MAX])
{
	const struct fval *min_rating = med_qarg(req, "min_rating");
	size_t used = 0;
	int n;

	used = key_part(key, used, DIRCACHE_KEY_MAX, fval_str(med_qarg(req, "name")));
	used = key_part(key, used, DIRCACHE_KEY_MAX, fval_str(med_qarg(req, "specialty")));
	used = key_part(key, used, DIRCACHE_KEY_MAX, fval_str(med_qarg(req, "city")));
	if (used >= DIRCACHE_KEY_MAX)
		return 0;
	n = min_rating->present ?
	    snprintf(key + used, DIRCACHE_KEY_MAX - used, "%.17g|%lld|%lld", min_rating->d,
	    (long long)limit, (long long)skip) :
	    snprintf(key + used, DIRCACHE_KEY_MAX - used, "-|%lld|%lld", (long long)limit,
	    (long long)skip);
	return n >= 0 && (size_t)n < DIRCACHE_KEY_MAX - used;
}

int
h_doctors_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct fval *min_rating = med_qarg(req, "min_rating");
	char key[DIRCACHE_KEY_MAX];
	int64_t skip, limit, version;
	const char *kept;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;
	int cacheable;

	const char *specialty = fval_str(med_qarg(req, "specialty"));
	const char *city = fval_str(med_qarg(req, "city"));

	med_paging(req, &skip, &limit);
	/* The route's read transaction holds the version and the rows together. */
	if ((e = dircache_version(ctx, &version)) != MED_OK)
		return med_fail(resp, e);
	cacheable = list_key(req, skip, limit, key);
	if (cacheable && (kept = dircache_get(ctx, key, version)) != NULL) {
		if ((list = cJSON_CreateRaw(kept)) == NULL)
			return med_fail(resp, MED_ENOMEM);
		return med_ok(resp, list);
	}
	st = db_stmt(ctx, specialty != NULL ? SQL_LIST_BY_SPECIALTY :
	    city != NULL ? SQL_LIST_BY_CITY : SQL_LIST_ALL);
	if (st == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, fval_str(med_qarg(req, "name")));
	db_bind_text(st, 2, specialty);
	db_bind_text(st, 3, city);
	if (min_rating->present)
		sqlite3_bind_double(st, 4, min_rating->d);
	db_bind_int(st, 5, limit);
	db_bind_int(st, 6, skip);
	/* Only sent back: text straight from the rows (db.h). */
	if ((e = db_rows_raw(st, doctor_cols, DB_NCOLS(doctor_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	if (cacheable)
		dircache_put(ctx, key, version, list->valuestring);
	return med_ok(resp, list);
}

int
h_doctors_specialties(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_SPECIALTIES);
	cJSON *list;
	enum med_err e;

	(void)req;
	if (st == NULL)
		return med_fail(resp, MED_EDB);
	if ((e = db_rows_raw(st, specialty_cols, DB_NCOLS(specialty_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

int
h_doctors_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *doctor;
	enum med_err e;

	e = doctor_create(ctx, req, fval_str(med_body(req, "user_id")), 1, &doctor);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "User not found");
	if (e == MED_EINVAL)
		return med_error(resp, 400, "User is not a doctor");
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Doctor profile already exists");
	return reply_doctor(e, doctor, 201, resp);
}

int
h_doctors_me_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char id[MED_UUID_LEN + 1];
	cJSON *doctor;
	enum med_err e;

	if (profile_own_doctor(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = doctor_load(ctx, id, &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

int
h_doctors_me_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *doctor;
	enum med_err e;

	e = doctor_create(ctx, req, req->user.id, 0, &doctor);
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Doctor profile already exists");
	return reply_doctor(e, doctor, 201, resp);
}

int
h_doctors_me_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char id[MED_UUID_LEN + 1];
	cJSON *doctor;
	enum med_err e;

	if (profile_own_doctor(ctx, req, id, resp) != MED_OK)
		return resp->status;
	e = doctor_update(ctx, req, id, &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

int
h_doctors_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *doctor;
	enum med_err e;

	e = doctor_load(ctx, med_path(req, "doctor_id"), &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

int
h_doctors_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *doctor;
	enum med_err e;

	e = doctor_update(ctx, req, med_path(req, "doctor_id"), &doctor);
	return reply_doctor(e, doctor, 200, resp);
}

int
h_doctors_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return profile_delete(ctx, req, PROFILE_DOCTOR, med_path(req, "doctor_id"), resp);
}
