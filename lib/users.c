/*
 * users.c - /users: the caller's own account and the admin's view of all.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "pwhash.h"
#include "route.h"
#include "template.h"
#include "util.h"
#include "users.h"
#include "valid.h"

/* The role is an object {id, name}, or null for a user without one. */
#define USER_COLUMNS \
    "u.id, u.email, u.is_active, u.is_superuser, u.created_at," \
    " CASE WHEN u.role_id IS NOT NULL THEN json_object('id', u.role_id, 'name', r.name) END"

static const char SQL_USER_GET[] =
    "SELECT " USER_COLUMNS " FROM users u LEFT JOIN roles r ON r.id = u.role_id"
    " WHERE u.id = ?1";
static const char SQL_USER_LIST[] =
    "SELECT " USER_COLUMNS " FROM users u LEFT JOIN roles r ON r.id = u.role_id"
    " ORDER BY u.created_at, u.id LIMIT ?1 OFFSET ?2";
static const char SQL_EMAIL_OTHER[] =
    "SELECT 1 FROM users WHERE email = ?1 AND id <> ?2";
static const char SQL_SET_EMAIL[] =
    "UPDATE users SET email = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_SET_PASSWORD[] =
    "UPDATE users SET password_hash = ?2, token_version = token_version + 1,"
    " updated_at = ?3 WHERE id = ?1";
/* The language of the messages sent to the user (template.h). */
static const char SQL_SET_LOCALE[] =
    "UPDATE users SET locale = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_SET_ROLE[] =
    "UPDATE users SET role_id = (SELECT id FROM roles WHERE name = ?2), updated_at = ?3"
    " WHERE id = ?1";
/*
 * Deactivation ends every session: tokens issued before it must not come
 * back to life when the account is activated again.
 */
static const char SQL_SET_ACTIVE[] =
    "UPDATE users SET is_active = ?2, token_version = token_version + (?2 = 0),"
    " updated_at = ?3 WHERE id = ?1";
static const char SQL_SET_SUPERUSER[] =
    "UPDATE users SET is_superuser = ?2, updated_at = ?3 WHERE id = ?1";

/* The columns of USER_COLUMNS, in order: the User object. */
static const struct db_col user_cols[] = {
	{ "id", DB_TEXT }, { "email", DB_TEXT }, { "is_active", DB_BOOL },
	{ "is_superuser", DB_BOOL }, { "created_at", DB_INSTANT }, { "role", DB_JSON_OBJECT },
};

static cJSON *
user_json(sqlite3_stmt *st)
{
	return db_row_json(st, user_cols, DB_NCOLS(user_cols));
}

/* The User object for id, or MED_ENOTFOUND. */
enum med_err
users_get_json(struct med_ctx *ctx, const char *id, cJSON **out)
{
	return db_load_one(ctx, SQL_USER_GET, id, user_json, out);
}

static int
reply_user(struct med_ctx *ctx, const char *id, struct med_resp *resp)
{
	cJSON *user;
	enum med_err e = users_get_json(ctx, id, &user);

	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "User not found");
	if (e != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, user);
}

/* Run one "UPDATE users SET x = ?2, updated_at = ?3 WHERE id = ?1". */
static enum med_err
set_text(struct med_ctx *ctx, const char *sql, const char *id, const char *value)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, value);
	db_bind_int(st, 3, med_now(ctx));
	return db_step_done(st);
}

static enum med_err
set_int(struct med_ctx *ctx, const char *sql, const char *id, int64_t value)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, id);
	db_bind_int(st, 2, value);
	db_bind_int(st, 3, med_now(ctx));
	return db_step_done(st);
}

static enum med_err
email_in_use(struct med_ctx *ctx, const char *email, const char *id)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_EMAIL_OTHER);
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return MED_ECONFLICT;
	return rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

/* Fields of a user update; absent ones are left alone. */
struct user_change {
	const char *email;
	const char *locale;
	const char *password_hash;
	const char *role;
	int set_active, is_active;
	int set_superuser, is_superuser;
};

/*
 * Write a change to user id inside the caller's transaction.  A new
 * password ends every session.
 */
static enum med_err
write_change(struct med_ctx *ctx, const char *id, const struct user_change *ch)
{
	struct med_user u;
	enum med_err e;

	if ((e = auth_load_user(ctx, id, &u)) != MED_OK)
		return e;
	if (ch->email != NULL && ((e = email_in_use(ctx, ch->email, id)) != MED_OK ||
	    (e = set_text(ctx, SQL_SET_EMAIL, id, ch->email)) != MED_OK))
		return e;
	if (ch->password_hash != NULL &&
	    (e = set_text(ctx, SQL_SET_PASSWORD, id, ch->password_hash)) != MED_OK)
		return e;
	if (ch->locale != NULL && (e = set_text(ctx, SQL_SET_LOCALE, id, ch->locale)) != MED_OK)
		return e;
	if (ch->role != NULL && (e = set_text(ctx, SQL_SET_ROLE, id, ch->role)) != MED_OK)
		return e;
	if (ch->set_active && (e = set_int(ctx, SQL_SET_ACTIVE, id, ch->is_active)) != MED_OK)
		return e;
	if (ch->set_superuser &&
	    (e = set_int(ctx, SQL_SET_SUPERUSER, id, ch->is_superuser)) != MED_OK)
		return e;
	return MED_OK;
}

/*
 * The change in its own transaction: medadm calls this outside any route,
 * and the PATCH routes are TX_NONE (they may hash a password first).
 */
static enum med_err
apply_change(struct med_ctx *ctx, const char *id, const struct user_change *ch)
{
	enum med_err e;

	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = write_change(ctx, id, ch)) != MED_OK) {
		db_rollback(ctx);
		return e;
	}
	return db_commit(ctx);
}

enum med_err
users_set_role(struct med_ctx *ctx, const char *id, const char *role)
{
	struct user_change ch = { .role = role };

	if (role_from_name(role) == 0)
		return MED_EINVAL;
	return apply_change(ctx, id, &ch);
}

enum med_err
users_set_active(struct med_ctx *ctx, const char *id, int active)
{
	struct user_change ch = { .set_active = 1, .is_active = active != 0 };

	return apply_change(ctx, id, &ch);
}

enum med_err
users_set_password(struct med_ctx *ctx, const char *id, const char *password)
{
	struct user_change ch = { 0 };
	char hash[PWHASH_MAX];
	enum med_err e;

	if ((e = pwhash_hash(password, hash)) != MED_OK)
		return e;
	ch.password_hash = hash;
	return apply_change(ctx, id, &ch);
}

int
h_users_me_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	return reply_user(ctx, req->user.id, resp);
}

/*
 * The email and password of a PATCH body, merged into ch, applied to user
 * id and answered with the user as it now stands.  The route is TX_NONE:
 * the KDF runs before apply_change() takes the write lock.
 */
static int
patch_user(struct med_ctx *ctx, const struct med_req *req, const char *id,
    struct user_change *ch, struct med_resp *resp)
{
	const char *password = fval_str(med_body(req, "password"));
	char hash[PWHASH_MAX];
	enum med_err e;

	ch->email = fval_str(med_body(req, "email"));
	if (password != NULL) {
		if ((e = pwhash_hash(password, hash)) != MED_OK)
			return med_fail(resp, e);
		ch->password_hash = hash;
	}
	e = apply_change(ctx, id, ch);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "User not found");
	if (e == MED_ECONFLICT)
		return med_error(resp, 409, "Email already registered");
	if (e != MED_OK)
		return med_fail(resp, e);
	return reply_user(ctx, id, resp);
}

SPEC(users_me_patch_body,
	{ "email", FT_EMAIL, 0 },
	{ "password", FT_STRING, 0, PASSWORD_MIN, PASSWORD_MAX },
	/* The language of the user's messages; the web app sends the one chosen. */
	{ "locale", FT_ENUM, 0, 0, 0, 0, 0, tpl_locales },
);

int
h_users_me_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct user_change ch = { 0 };

	/*
	 * Not in the spec: whatever the value, and whatever the case of the
	 * name, asking is refused.  Rule: no user may grant itself activation
	 * or superuser rights.
	 */
	if (cJSON_HasObjectItem(req->json, "role"))
		return med_error(resp, 403, "You cannot change your role");
	if (cJSON_HasObjectItem(req->json, "is_active") ||
	    cJSON_HasObjectItem(req->json, "is_superuser"))
		return med_error(resp, 403, "You cannot change your account status");
	if (med_body(req, "locale")->present)
		ch.locale = tpl_locales[med_body(req, "locale")->i];
	return patch_user(ctx, req, req->user.id, &ch, resp);
}

SPEC(users_list_query,
	FLD_PAGING,
);

int
h_users_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	int64_t skip, limit;
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	med_paging(req, &skip, &limit);
	if ((st = db_stmt(ctx, SQL_USER_LIST)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_int(st, 1, limit);
	db_bind_int(st, 2, skip);
	if ((e = db_rows_raw(st, user_cols, DB_NCOLS(user_cols), &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

SPEC(users_patch_body,
	{ "email", FT_EMAIL, 0 },
	{ "password", FT_STRING, 0, PASSWORD_MIN, PASSWORD_MAX },
	{ "role", FT_STRING, 0, 1, 16 },
	{ "is_active", FT_BOOL, 0 },
	{ "is_superuser", FT_BOOL, 0 },
);

int
h_users_patch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct fval *active = med_body(req, "is_active");
	const struct fval *superuser = med_body(req, "is_superuser");
	struct user_change ch = { 0 };

	ch.role = fval_str(med_body(req, "role"));
	if (ch.role != NULL && role_from_name(ch.role) == 0)
		return med_error(resp, 400, "Invalid role");
	ch.set_active = active->present;
	ch.is_active = active->b;
	ch.set_superuser = superuser->present;
	ch.is_superuser = superuser->b;
	return patch_user(ctx, req, med_path(req, "user_id"), &ch, resp);
}
