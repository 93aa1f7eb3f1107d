/*
 * reviews.c - a patient's favorite doctors and the doctors' reviews
 * (API.md §5, "Favorites and reviews").
 */

#include "auth.h"
#include "db.h"
#include "doctors.h"
#include "handlers.h"
#include "profiles.h"
#include "util.h"
#include "valid.h"

static const char SQL_FAV_ADD[] =
    "INSERT OR IGNORE INTO favorite_doctors (id, patient_id, doctor_id, created_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_FAV_GET[] =
    "SELECT id, doctor_id, created_at FROM favorite_doctors"
    " WHERE patient_id = ?1 AND doctor_id = ?2";
static const char SQL_FAV_DEL[] =
    "DELETE FROM favorite_doctors WHERE patient_id = ?1 AND doctor_id = ?2";
static const char SQL_FAV_LIST[] =
    "SELECT " DOCTOR_COLUMNS " FROM favorite_doctors f JOIN doctors d ON d.id = f.doctor_id"
    " WHERE f.patient_id = ?1 ORDER BY d.last_name, d.first_name, d.id LIMIT ?2 OFFSET ?3";

/*
 * Rule: patient_id says who saw which doctor, which is medical
 * information: the list shows it to that patient (?5, NULL for anyone
 * else) and to admins (?4) only, null otherwise.  SQL_REV_GET answers the
 * patient who just wrote the review.
 */
static const char SQL_REV_LIST[] =
    "SELECT id, CASE WHEN ?4 OR patient_id = ?5 THEN patient_id END, doctor_id, rating,"
    " comment, created_at FROM doctor_reviews"
    " WHERE doctor_id = ?1 ORDER BY created_at DESC, id LIMIT ?2 OFFSET ?3";
static const char SQL_REV_GET[] =
    "SELECT id, patient_id, doctor_id, rating, comment, created_at FROM doctor_reviews"
    " WHERE id = ?1";
static const char SQL_COMPLETED[] =
    "SELECT 1 FROM appointments WHERE doctor_id = ?1 AND patient_id = ?2"
    " AND status = 'COMPLETED' LIMIT 1";
static const char SQL_REVIEWED[] =
    "SELECT 1 FROM doctor_reviews WHERE doctor_id = ?1 AND patient_id = ?2";
static const char SQL_REV_INSERT[] =
    "INSERT INTO doctor_reviews (id, patient_id, doctor_id, rating, comment, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/* Recomputed from the rows, in the review's transaction: never drifts. */
static const char SQL_RATING[] =
    "UPDATE doctors SET"
    " avg_rating = coalesce((SELECT avg(rating) FROM doctor_reviews WHERE doctor_id = ?1), 0),"
    " rating_count = (SELECT count(*) FROM doctor_reviews WHERE doctor_id = ?1)"
    " WHERE id = ?1";

/* The columns of SQL_FAV_GET, in order: the Favorite object. */
static const struct db_col favorite_cols[] = {
	{ "id", DB_TEXT }, { "doctor_id", DB_TEXT }, { "created_at", DB_INSTANT },
};

/* The columns of SQL_REV_LIST and SQL_REV_GET, in order: the Review object. */
static const struct db_col review_cols[] = {
	{ "id", DB_TEXT }, { "patient_id", DB_TEXT }, { "doctor_id", DB_TEXT },
	{ "rating", DB_INT }, { "comment", DB_TEXT }, { "created_at", DB_INSTANT },
};

static cJSON *
review_json(sqlite3_stmt *st)
{
	return db_row_json(st, review_cols, DB_NCOLS(review_cols));
}

/* Does the two-key query sql find a row?  1 yes, 0 no, -1 error. */
static int
pair_exists(struct med_ctx *ctx, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, a);
	db_bind_text(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Add (idempotently) and return the favorite {id, doctor_id, created_at}. */
static enum med_err
favorite_add(struct med_ctx *ctx, const char *patient, const char *doctor, cJSON **out)
{
	char id[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;
	int rc;

	*out = NULL;
	if ((e = util_uuid4(id)) != MED_OK || (e = profile_doctor_exists(ctx, doctor)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_FAV_ADD)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, patient);
	db_bind_text(st, 3, doctor);
	db_bind_int(st, 4, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	/* A second POST inserted nothing: the first favorite is the answer. */
	if ((st = db_stmt(ctx, SQL_FAV_GET)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, patient);
	db_bind_text(st, 2, doctor);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = db_row_json(st, favorite_cols, DB_NCOLS(favorite_cols));
	sqlite3_reset(st);
	if (*out == NULL)
		return rc == SQLITE_ROW ? MED_ENOMEM : rc == SQLITE_DONE ? MED_EDB : db_err(rc);
	return MED_OK;
}

int
h_favorite_add(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char patient[MED_UUID_LEN + 1];
	cJSON *fav;
	enum med_err e;

	if (profile_own_patient(ctx, req, patient, resp) != MED_OK)
		return resp->status;
	e = favorite_add(ctx, patient, med_path(req, "doctor_id"), &fav);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_created(resp, fav);
}

int
h_favorite_remove(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = med_path(req, "doctor_id");
	char patient[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;

	if (profile_own_patient(ctx, req, patient, resp) != MED_OK)
		return resp->status;
	if ((e = profile_doctor_exists(ctx, doctor)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	/* Removing a non-favorite is a no-op. */
	if ((st = db_stmt(ctx, SQL_FAV_DEL)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, patient);
	db_bind_text(st, 2, doctor);
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}

/* Both lists of this file take paging only. */
SPEC(reviews_paging,
	FLD_PAGING,
);

int
h_favorites_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char patient[MED_UUID_LEN + 1];
	int64_t skip, limit;
	cJSON *list;
	enum med_err e;

	med_paging(req, &skip, &limit);
	if (profile_own_patient(ctx, req, patient, resp) != MED_OK)
		return resp->status;
	if ((e = db_load_list(ctx, SQL_FAV_LIST, patient, limit, skip, doctor_json, &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

int
h_reviews_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *doctor = med_path(req, "doctor_id");
	char viewer[MED_UUID_LEN + 1] = "";
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;
	int admin = 0;

	med_paging(req, &skip, &limit);
	/* The token is optional here; an inactive account sees what anyone sees. */
	if (req->authed && req->user.is_active) {
		admin = med_is_admin(req);
		e = profile_patient_of_user(ctx, req->user.id, viewer);
		if (e == MED_ENOTFOUND)
			viewer[0] = '\0';
		else if (e != MED_OK)
			return med_fail(resp, e);
	}
	if ((e = profile_doctor_exists(ctx, doctor)) == MED_ENOTFOUND)
		return med_error(resp, 404, "Doctor not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_REV_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, doctor);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, skip);
	db_bind_int(st, 4, admin);
	db_bind_text(st, 5, viewer[0] != '\0' ? viewer : NULL);
	if ((e = db_rows_raw(st, review_cols, DB_NCOLS(review_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

/*
 * Insert the review and refresh the doctor's rating.  MED_ENOTFOUND: no
 * such doctor; MED_EFORBIDDEN: no COMPLETED appointment with the doctor;
 * MED_ECONFLICT: already reviewed.
 */
static enum med_err
review_create(struct med_ctx *ctx, const char *patient, const char *doctor, int64_t rating,
    const char *comment, cJSON **out)
{
	char id[MED_UUID_LEN + 1];
	sqlite3_stmt *st;
	enum med_err e;
	int rc;

	*out = NULL;
	if ((e = util_uuid4(id)) != MED_OK || (e = profile_doctor_exists(ctx, doctor)) != MED_OK)
		return e;
	if ((rc = pair_exists(ctx, SQL_COMPLETED, doctor, patient)) != 1)
		return rc == 0 ? MED_EFORBIDDEN : MED_EDB;
	if ((rc = pair_exists(ctx, SQL_REVIEWED, doctor, patient)) != 0)
		return rc == 1 ? MED_ECONFLICT : MED_EDB;
	if ((st = db_stmt(ctx, SQL_REV_INSERT)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, patient);
	db_bind_text(st, 3, doctor);
	db_bind_int(st, 4, rating);
	db_bind_text(st, 5, comment);
	db_bind_int(st, 6, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_RATING)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, doctor);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	/* The row was written above: not finding it is a database fault, not a 404. */
	e = db_load_one(ctx, SQL_REV_GET, id, review_json, out);
	return e == MED_ENOTFOUND ? MED_EDB : e;
}

SPEC(review_create_body,
	{ "rating", FT_INT, FF_REQUIRED, 1, 5 },
	{ "comment", FT_STRING, FF_NULLABLE, 0, 1000 },
);

int
h_reviews_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char patient[MED_UUID_LEN + 1];
	cJSON *review;
	enum med_err e;

	if (profile_own_patient(ctx, req, patient, resp) != MED_OK)
		return resp->status;
	e = review_create(ctx, patient, med_path(req, "doctor_id"), med_body(req, "rating")->i,
	    fval_str(med_body(req, "comment")), &review);
	switch (e) {
	case MED_OK:
		return med_created(resp, review);
	case MED_ENOTFOUND:
		return med_error(resp, 404, "Doctor not found");
	case MED_EFORBIDDEN:
		return med_error(resp, 403, "Only a patient with a completed appointment may review this doctor");
	case MED_ECONFLICT:
		return med_error(resp, 409, "You have already reviewed this doctor");
	default:
		return med_fail(resp, e);
	}
}
