/*
 * auth.c - who is calling: bearer tokens, the token life cycle (issue,
 * rotate, revoke, reset) and the /auth routes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "throttle.h"
#include "db.h"
#include "handlers.h"
#include "outbox.h"
#include "pwhash.h"
#include "route.h"
#include "template.h"
#include "util.h"
#include "valid.h"

#define INVALID_CREDENTIALS "Invalid credentials"
#define INVALID_RESET "Invalid or expired reset token"
#define FORGOT_MESSAGE "If the email exists in our system, you will receive password reset instructions"

static const char SQL_USER_BY_ID[] =
    "SELECT u.id, u.email, u.role_id, r.name, u.is_active, u.is_superuser,"
    " u.token_version, u.password_hash"
    " FROM users u LEFT JOIN roles r ON r.id = u.role_id WHERE u.id = ?1";
static const char SQL_USER_BY_EMAIL[] =
    "SELECT u.id, u.email, u.role_id, r.name, u.is_active, u.is_superuser,"
    " u.token_version, u.password_hash"
    " FROM users u LEFT JOIN roles r ON r.id = u.role_id WHERE u.email = ?1";
static const char SQL_JTI_REVOKED[] =
    "SELECT 1 FROM revoked_tokens WHERE jti = ?1";
static const char SQL_REVOKE_JTI[] =
    "INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2)";
static const char SQL_PURGE_REVOKED[] =
    "DELETE FROM revoked_tokens WHERE expires_at < ?1";
static const char SQL_REFRESH_INSERT[] =
    "INSERT INTO refresh_tokens (jti, user_id, expires_at) VALUES (?1, ?2, ?3)";
static const char SQL_REFRESH_GET[] =
    "SELECT user_id, rotated_at FROM refresh_tokens WHERE jti = ?1";
static const char SQL_REFRESH_ROTATE[] =
    "UPDATE refresh_tokens SET rotated_at = ?2 WHERE jti = ?1";
static const char SQL_REFRESH_PURGE[] =
    "DELETE FROM refresh_tokens WHERE user_id = ?1 AND expires_at < ?2";
static const char SQL_BUMP_VERSION[] =
    "UPDATE users SET token_version = token_version + 1, updated_at = ?2 WHERE id = ?1";
static const char SQL_USER_INSERT[] =
    "INSERT INTO users (id, email, password_hash, role_id, locale, is_active, is_superuser,"
    " token_version, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, (SELECT id FROM roles WHERE name = ?4), ?6, 1, 0, 0, ?5, ?5)";
static const char SQL_EMAIL_TAKEN[] =
    "SELECT 1 FROM users WHERE email = ?1";
static const char SQL_SET_PASSWORD[] =
    "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_RESET_PASSWORD[] =
    "UPDATE users SET password_hash = ?2, token_version = token_version + 1,"
    " updated_at = ?3 WHERE id = ?1 AND token_version = ?4";

int
med_is_admin(const struct med_req *req)
{
	return req->authed && (req->user.is_superuser || req->user.role == ROLE_ADMIN);
}

/* Fill u from a row of SQL_USER_BY_*; copy the hash if asked. */
static void
user_from_row(sqlite3_stmt *st, struct med_user *u, char *pwhash, size_t pwhash_size)
{
	memset(u, 0, sizeof *u);
	db_col_copy(st, 0, u->id, sizeof u->id);
	db_col_copy(st, 1, u->email, sizeof u->email);
	u->role_id = sqlite3_column_int(st, 2);
	db_col_copy(st, 3, u->role_name, sizeof u->role_name);
	u->role = role_from_name(u->role_name);
	u->is_active = sqlite3_column_int(st, 4);
	u->is_superuser = sqlite3_column_int(st, 5);
	u->token_version = sqlite3_column_int(st, 6);
	if (pwhash != NULL)
		db_col_copy(st, 7, pwhash, pwhash_size);
}

/* Where load_user() puts a row (db_first() callback argument). */
struct user_dest {
	struct med_user *u;
	char *pwhash;
	size_t pwhash_size;
};

static enum med_err
user_row(sqlite3_stmt *st, void *arg)
{
	struct user_dest *d = arg;

	user_from_row(st, d->u, d->pwhash, d->pwhash_size);
	return MED_OK;
}

static enum med_err
load_user(struct med_ctx *ctx, const char *sql, const char *key, struct med_user *u,
    char *pwhash, size_t pwhash_size)
{
	struct user_dest d = { u, pwhash, pwhash_size };

	return db_first(ctx, sql, key, user_row, &d);
}

enum med_err
auth_load_user(struct med_ctx *ctx, const char *user_id, struct med_user *u)
{
	return load_user(ctx, SQL_USER_BY_ID, user_id, u, NULL, 0);
}

enum med_err
auth_load_user_by_email(struct med_ctx *ctx, const char *email, struct med_user *u,
    char *pwhash, size_t pwhash_size)
{
	return load_user(ctx, SQL_USER_BY_EMAIL, email, u, pwhash, pwhash_size);
}

/* 1 if jti is revoked, 0 if not, -1 on database error. */
static int
jti_revoked(struct med_ctx *ctx, const char *jti)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_JTI_REVOKED);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, jti);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

enum med_err
auth_revoke_jti(struct med_ctx *ctx, const char *jti, int64_t exp)
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_PURGE_REVOKED)) == NULL)
		return MED_EDB;
	db_bind_int(st, 1, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_REVOKE_JTI)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, jti);
	db_bind_int(st, 2, exp);
	return db_step_done(st);
}

enum med_err
auth_revoke_sessions(struct med_ctx *ctx, const char *user_id)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_BUMP_VERSION);
	enum med_err e;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, user_id);
	db_bind_int(st, 2, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	return db_changes(ctx) == 1 ? MED_OK : MED_ENOTFOUND;
}

/* "Bearer <token>", scheme case-insensitive; NULL if absent or malformed. */
static const char *
bearer_token(const char *header)
{
	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
		return NULL;
	header += 7;
	while (*header == ' ')
		header++;
	return *header != '\0' ? header : NULL;
}

enum med_err
auth_claims_user(struct med_ctx *ctx, const struct jwt_claims *c, struct med_user *u)
{
	enum med_err e;
	int revoked;

	if ((revoked = jti_revoked(ctx, c->jti)) != 0)
		return revoked < 0 ? MED_EDB : MED_EAUTH;
	if ((e = auth_load_user(ctx, c->sub, u)) != MED_OK)
		return e == MED_ENOTFOUND ? MED_EAUTH : e;
	/*
	 * Deactivation bumped the version; the holder of a token signed for
	 * an inactive account still hears why (403 "Inactive user", Rule).
	 */
	if (c->ver != u->token_version && u->is_active)
		return MED_EAUTH;
	return MED_OK;
}

enum med_err
auth_authenticate(struct med_ctx *ctx, struct med_req *req)
{
	struct jwt_claims c;
	const char *token;
	enum med_err e;

	req->authed = 0;
	if (req->authorization == NULL)
		return MED_ENOTFOUND;
	if ((token = bearer_token(req->authorization)) == NULL)
		return MED_EAUTH;
	if ((e = auth_verify(ctx, token, JWT_ACCESS, &c)) != MED_OK)
		return e;
	if ((e = auth_claims_user(ctx, &c, &req->user)) != MED_OK)
		return e;
	snprintf(req->user.jti, sizeof req->user.jti, "%s", c.jti);
	req->user.token_exp = c.exp;
	req->authed = 1;
	return MED_OK;
}

/* Live tickets share the access key: their type keeps the two apart. */
static const unsigned char *
token_key(const struct med_ctx *ctx, enum jwt_type t)
{
	return t == JWT_ACCESS || t == JWT_LIVE ? ctx->access_key :
	    t == JWT_REFRESH ? ctx->refresh_key : ctx->reset_key;
}

enum med_err
auth_verify(struct med_ctx *ctx, const char *token, enum jwt_type t, struct jwt_claims *c)
{
	return jwt_verify(token_key(ctx, t), MED_KEY_LEN, token, t, med_now(ctx), c);
}

enum med_err
auth_sign(struct med_ctx *ctx, const struct med_user *u, enum jwt_type t, int64_t lifetime,
    char *out, size_t outsz, struct jwt_claims *c)
{
	const unsigned char *key = token_key(ctx, t);
	enum med_err e;

	memset(c, 0, sizeof *c);
	snprintf(c->sub, sizeof c->sub, "%s", u->id);
	if ((e = util_random_hex(c->jti, JWT_JTI_LEN / 2)) != MED_OK)
		return e;
	c->iat = med_now(ctx);
	c->exp = c->iat + lifetime;
	c->ver = u->token_version;
	c->type = t;
	return jwt_sign(key, MED_KEY_LEN, c, out, outsz);
}

/*
 * Issue an access + refresh pair for u inside the caller's write
 * transaction (the refresh jti is recorded for rotation) and return
 * {access_token, refresh_token, token_type}.
 */
static enum med_err
issue_pair(struct med_ctx *ctx, const struct med_user *u, cJSON **out)
{
	char access[JWT_MAX], refresh[JWT_MAX];
	struct jwt_claims ac, rc;
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = auth_sign(ctx, u, JWT_ACCESS, (int64_t)ctx->cfg.access_minutes * 60,
	    access, sizeof access, &ac)) != MED_OK ||
	    (e = auth_sign(ctx, u, JWT_REFRESH, (int64_t)ctx->cfg.refresh_days * 86400,
	    refresh, sizeof refresh, &rc)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_REFRESH_INSERT)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, rc.jti);
	db_bind_text(st, 2, u->id);
	db_bind_int(st, 3, rc.exp);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if ((*out = cJSON_CreateObject()) == NULL)
		return MED_ENOMEM;
	cJSON_AddStringToObject(*out, "access_token", access);
	cJSON_AddStringToObject(*out, "refresh_token", refresh);
	cJSON_AddStringToObject(*out, "token_type", "bearer");
	return MED_OK;
}

/*
 * The browser app's session cookie.  A request that says `X-Client: web`
 * gets its refresh token as an HttpOnly cookie scoped to the auth routes
 * instead of in the JSON body, so no script on the page can ever read
 * it; JSON clients, which never send that header, see no change.  The
 * cookie is read back only together with that header: a cross-site form
 * cannot send a custom header, and SameSite=Strict keeps it home anyway.
 */
#define WEB_COOKIE "med_refresh"
#define WEB_COOKIE_ATTRS "Path=" MED_API_BASE "/auth; HttpOnly; Secure; SameSite=Strict"

static int
web_client(const struct med_req *req)
{
	return req->client != NULL && strcasecmp(req->client, "web") == 0;
}

/* A web client's cookie value from the Cookie header, copied to out; NULL if none. */
static const char *
web_cookie(const struct med_req *req, char *out, size_t outsz)
{
	const char *p = req->cookie;
	size_t n = strlen(WEB_COOKIE);

	if (!web_client(req) || p == NULL)
		return NULL;
	while (*p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, WEB_COOKIE, n) == 0 && p[n] == '=') {
			size_t len = strcspn(p + n + 1, "; ");

			if (len == 0 || len >= outsz)
				return NULL;
			memcpy(out, p + n + 1, len);
			out[len] = '\0';
			return out;
		}
		p += strcspn(p, ";");
	}
	return NULL;
}

/* For a web client, move the refresh token of pair into the cookie. */
static void
web_pair(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp, cJSON *pair)
{
	cJSON *rt = cJSON_GetObjectItemCaseSensitive(pair, "refresh_token");
	int n;

	if (!web_client(req) || !cJSON_IsString(rt))
		return;
	n = snprintf(resp->set_cookie, sizeof resp->set_cookie, WEB_COOKIE "=%s; Max-Age=%lld; "
	    WEB_COOKIE_ATTRS, rt->valuestring, (long long)ctx->cfg.refresh_days * 86400);
	if (n < 0 || (size_t)n >= sizeof resp->set_cookie) {
		/* Cannot happen with JWT_MAX; then the body keeps the token. */
		resp->set_cookie[0] = '\0';
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(pair, "refresh_token");
}

/* A web client's logout: the browser drops the cookie. */
static void
web_clear(const struct med_req *req, struct med_resp *resp)
{
	if (web_client(req))
		snprintf(resp->set_cookie, sizeof resp->set_cookie,
		    WEB_COOKIE "=; Max-Age=0; " WEB_COOKIE_ATTRS);
}

/* Issue a pair in its own transaction and answer 200 with it. */
static int
reply_with_pair(struct med_ctx *ctx, const struct med_req *req, const struct med_user *u,
    struct med_resp *resp)
{
	cJSON *pair = NULL;
	enum med_err e;

	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if ((e = issue_pair(ctx, u, &pair)) != MED_OK || (e = db_commit(ctx)) != MED_OK) {
		db_rollback(ctx);
		cJSON_Delete(pair);
		return med_fail(resp, e);
	}
	web_pair(ctx, req, resp, pair);
	return med_ok(resp, pair);
}

static enum med_err
email_taken(struct med_ctx *ctx, const char *email, int *taken)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_EMAIL_TAKEN);
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, email);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*taken = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

/*
 * Insert a user inside the caller's transaction; the hash is computed
 * already.  locale may be NULL.
 */
static enum med_err
insert_user(struct med_ctx *ctx, const char *email, const char *hash, const char *role,
    const char *locale, char out_id[MED_UUID_LEN + 1])
{
	sqlite3_stmt *st;
	enum med_err e;
	int taken;

	if ((e = email_taken(ctx, email, &taken)) != MED_OK)
		return e;
	if (taken)
		return MED_ECONFLICT;
	if ((e = util_uuid4(out_id)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_USER_INSERT)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, out_id);
	db_bind_text(st, 2, email);
	db_bind_text(st, 3, hash);
	db_bind_text(st, 4, role != NULL ? role : "PATIENT");
	db_bind_int(st, 5, med_now(ctx));
	db_bind_text(st, 6, locale);
	return db_step_done(st);
}

/*
 * Create a user and, when pair != NULL, issue its first token pair in the
 * same transaction.  The KDF runs before the write lock is taken: other
 * writers never wait on it.  On failure *pair may still need freeing.
 */
static enum med_err
create_user(struct med_ctx *ctx, const char *email, const char *password, const char *role,
    char out_id[MED_UUID_LEN + 1], cJSON **pair)
{
	char hash[PWHASH_MAX];
	struct med_user u;
	enum med_err e;

	if ((e = pwhash_hash(password, hash)) != MED_OK)
		return e;
	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	e = insert_user(ctx, email, hash, role, NULL, out_id);
	if (e == MED_OK && pair != NULL && (e = auth_load_user(ctx, out_id, &u)) == MED_OK)
		e = issue_pair(ctx, &u, pair);
	if (e != MED_OK) {
		db_rollback(ctx);
		return e;
	}
	return db_commit(ctx);
}

enum med_err
auth_create_user(struct med_ctx *ctx, const char *email, const char *password,
    const char *role, char out_id[MED_UUID_LEN + 1])
{
	if (role != NULL && role_from_name(role) == 0)
		return MED_EINVAL;
	return create_user(ctx, email, password, role, out_id, NULL);
}

int
h_health(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *data;

	(void)req;
	/* Monitoring must see what clients see: no writes possible is not healthy. */
	if (ctx->db == NULL || ctx->readonly || !db_files_writable(ctx)) {
		resp->retry_after = 5;
		return med_error(resp, 503, ctx->db == NULL ? "Storage unavailable: the database "
		    "cannot be opened" : "Storage unavailable: the database is read-only");
	}
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "status", "ok");
	return med_ok(resp, data);
}

SPEC(auth_register_body,
	{ "email", FT_EMAIL, FF_REQUIRED },
	{ "password", FT_STRING, FF_REQUIRED, PASSWORD_MIN, PASSWORD_MAX },
);

/* TX_NONE: the KDF must not run under the write lock (create_user() hashes first). */
int
h_auth_register(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *email = fval_str(med_body(req, "email"));
	const char *password = fval_str(med_body(req, "password"));
	char id[MED_UUID_LEN + 1];
	cJSON *pair = NULL;
	enum med_err e;

	e = create_user(ctx, email, password, "PATIENT", id, &pair);
	if (e != MED_OK) {
		cJSON_Delete(pair);
		if (e == MED_ECONFLICT)
			return med_error(resp, 409, "Email already registered");
		return med_fail(resp, e);
	}
	web_pair(ctx, req, resp, pair);
	return med_ok(resp, pair);
}

/* A hash of a random password: unknown accounts cost as much as known ones. */
static const char dummy_hash[] =
    "$scrypt$ln=15,r=8,p=3$9vu1QE9mSKdA38lspNbzdw$"
    "dLsD8FCqViMvRHaIxoVXqg/x4rM3UcJLl4PZCeQoeKs";

static int
too_many(struct med_resp *resp, int64_t wait)
{
	resp->retry_after = (int)(wait > 0 ? wait : 1);
	return med_error(resp, 429, "Too many failed login attempts; try again later");
}

/* Not FT_EMAIL: a malformed address is just one more wrong credential. */
SPEC(auth_login_body,
	{ "email", FT_STRING, FF_REQUIRED, 0, 254 },
	{ "password", FT_STRING, FF_REQUIRED, 0, PASSWORD_MAX },
);

/*
 * TX_NONE: verifying (and upgrading) a hash runs the KDF, so every write
 * here is its own short statement or transaction, outside the KDF.
 */
int
h_auth_login(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *email = fval_str(med_body(req, "email"));
	const char *password = fval_str(med_body(req, "password"));
	struct login_attempt attempt;
	char hash[PWHASH_MAX];
	struct med_user u;
	int64_t wait;
	enum med_err e, found;
	sqlite3_stmt *st;
	int usable;

	/* Counted before the KDF runs: parallel guesses cannot outrun the limit. */
	if ((e = throttle_claim(ctx, email, req->remote_addr, &attempt, &wait)) != MED_OK)
		return med_fail(resp, e);
	/* While throttled even the right password fails: no oracle for guessing. */
	if (wait > 0)
		return too_many(resp, wait);

	found = auth_load_user_by_email(ctx, email, &u, hash, sizeof hash);
	if (found != MED_OK && found != MED_ENOTFOUND)
		return med_fail(resp, found);
	/*
	 * No account, or one no password opens yet (PWHASH_UNSET): the dummy
	 * hash costs the same KDF, so the time tells nothing either.
	 */
	usable = found == MED_OK && pwhash_is_hash(hash);
	e = pwhash_verify(password, usable ? hash : dummy_hash);
	if (!usable || e != MED_OK)
		return med_unauthorized(resp, INVALID_CREDENTIALS);
	if (!u.is_active)
		return med_error(resp, 403, "Inactive user");
	if ((e = throttle_success(ctx, &attempt)) != MED_OK)
		return med_fail(resp, e);
	/* Old hashes are upgraded to the current KDF parameters on a successful login. */
	if (pwhash_needs_rehash(hash) && pwhash_hash(password, hash) == MED_OK &&
	    (st = db_stmt(ctx, SQL_SET_PASSWORD)) != NULL) {
		db_bind_text(st, 1, u.id);
		db_bind_text(st, 2, hash);
		db_bind_int(st, 3, med_now(ctx));
		if ((e = db_step_done(st)) != MED_OK)
			return med_fail(resp, e);
	}
	memcpy(resp->user_id, u.id, sizeof resp->user_id);
	return reply_with_pair(ctx, req, &u, resp);
}

/*
 * Refresh with rotation.  Inside one BEGIN IMMEDIATE: the presented jti
 * must be known and not yet rotated; it is marked rotated and a new pair is
 * issued.  A jti presented again after rotation is a stolen or replayed
 * token: every session of the user ends (token_version bump).
 */
static enum med_err
rotate(struct med_ctx *ctx, const struct jwt_claims *c, struct med_user *u, cJSON **pair,
    int *reused)
{
	sqlite3_stmt *st;
	enum med_err e;
	int rc, revoked;

	*reused = 0;
	if ((revoked = jti_revoked(ctx, c->jti)) != 0)
		return revoked < 0 ? MED_EDB : MED_EAUTH;
	if ((st = db_stmt(ctx, SQL_REFRESH_GET)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, c->jti);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? MED_EAUTH : db_err(rc);
	}
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		sqlite3_reset(st);
		*reused = 1;
		return auth_revoke_sessions(ctx, c->sub);
	}
	sqlite3_reset(st);
	if ((e = auth_load_user(ctx, c->sub, u)) != MED_OK)
		return e == MED_ENOTFOUND ? MED_EAUTH : e;
	if (c->ver != u->token_version)
		return MED_EAUTH;
	if (!u->is_active)
		return MED_EFORBIDDEN;
	if ((st = db_stmt(ctx, SQL_REFRESH_ROTATE)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, c->jti);
	db_bind_int(st, 2, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_REFRESH_PURGE)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, u->id);
	db_bind_int(st, 2, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	return issue_pair(ctx, u, pair);
}

/*
 * Not FF_REQUIRED: a web client's token is in its cookie.  Without either
 * the answer is the same 422 a missing required field gets.
 */
SPEC(auth_refresh_body,
	{ "refresh_token", FT_STRING, 0, 1, JWT_MAX },
);

int
h_auth_refresh(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct jwt_claims c;
	struct med_user u;
	cJSON *pair = NULL;
	enum med_err e;
	int reused;
	char cookie[JWT_MAX];
	const char *token = med_body(req, "refresh_token")->present ?
	    fval_str(med_body(req, "refresh_token")) : web_cookie(req, cookie, sizeof cookie);

	if (token == NULL)
		return med_invalid(resp, "body", "refresh_token", "Field required", "missing");
	if (auth_verify(ctx, token, JWT_REFRESH, &c) != MED_OK)
		return med_unauthorized(resp, "Invalid refresh token");
	e = rotate(ctx, &c, &u, &pair, &reused);
	if (reused && e == MED_OK) {
		/* The replay is refused, but the end of every session must stand. */
		route_keep_on_refusal(ctx);
		return med_unauthorized(resp, "Refresh token reuse detected; all sessions ended");
	}
	if (e == MED_EAUTH)
		return med_unauthorized(resp, "Invalid refresh token");
	if (e == MED_EFORBIDDEN)
		return med_error(resp, 403, "Inactive user");
	if (e != MED_OK)
		return med_fail(resp, e);
	memcpy(resp->user_id, u.id, sizeof resp->user_id);
	web_pair(ctx, req, resp, pair);
	return med_ok(resp, pair);
}

static cJSON *
message_object(const char *message)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "message", message);
	return o;
}

/*
 * Logout ends this session only: the presented access token and refresh
 * token are revoked by jti.  Bad or missing tokens are ignored: logging out
 * twice, or with an expired token, is not an error.
 */
int
h_auth_logout(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	struct jwt_claims c;
	char cookie[JWT_MAX];
	const char *refresh = req->refresh_header != NULL ? req->refresh_header :
	    web_cookie(req, cookie, sizeof cookie);
	enum med_err e = MED_OK;

	if (req->authed)
		e = auth_revoke_jti(ctx, req->user.jti, req->user.token_exp);
	if (e == MED_OK && refresh != NULL && strlen(refresh) < JWT_MAX &&
	    auth_verify(ctx, refresh, JWT_REFRESH, &c) == MED_OK)
		e = auth_revoke_jti(ctx, c.jti, c.exp);
	if (e != MED_OK)
		return med_fail(resp, e);
	web_clear(req, resp);
	return med_ok(resp, message_object("Successfully logged out"));
}

enum med_err
auth_issue_reset_token(struct med_ctx *ctx, const char *email, char *out, size_t outsz)
{
	struct jwt_claims c;
	struct med_user u;
	enum med_err e;

	if ((e = auth_load_user_by_email(ctx, email, &u, NULL, 0)) != MED_OK)
		return e;
	if (!u.is_active)
		return MED_EFORBIDDEN;
	return auth_sign(ctx, &u, JWT_RESET, (int64_t)ctx->cfg.reset_minutes * 60, out, outsz, &c);
}

/* Reset mails one account may cause per hour: nobody floods a mailbox through us. */
#define RESET_MAILS_PER_HOUR 3
/* The outbox kinds (and templates) of the reset mail and of the front desk's invitation. */
#define RESET_KIND "password_reset"
#define INVITE_KIND "patient_invite"

static const char SQL_USER_LOCALE[] =
    "SELECT locale FROM users WHERE id = ?1";

/* users.locale of user_id into buf ("" when unset or no such user). */
static enum med_err
user_locale(struct med_ctx *ctx, const char *user_id, char *buf, size_t size)
{
	enum med_err e = db_lookup(ctx, SQL_USER_LOCALE, user_id, 0, buf, size);

	if (e == MED_ENOTFOUND)
		buf[0] = '\0';
	return e == MED_ENOTFOUND ? MED_OK : e;
}

/* Who an unknown address is treated as: nobody, with the address given. */
static void
stand_in(struct med_user *u, const char *email)
{
	memset(u, 0, sizeof *u);
	snprintf(u->id, sizeof u->id, "00000000-0000-4000-8000-000000000000");
	snprintf(u->email, sizeof u->email, "%s", email);
}

/*
 * The reset mail's parameters: the token, as a code and in a link to the
 * web app's reset page (#/reset?token=, which fills the code in); NULL
 * when out of memory.
 */
static cJSON *
reset_params(const struct med_ctx *ctx, const char *token, const char *email, int minutes)
{
	char link[sizeof ctx->cfg.public_url + JWT_MAX + 32];
	cJSON *p = cJSON_CreateObject();

	snprintf(link, sizeof link, "%s/#/reset?token=%s", ctx->cfg.public_url, token);
	if (p == NULL || cJSON_AddStringToObject(p, "token", token) == NULL ||
	    cJSON_AddStringToObject(p, "email", email) == NULL ||
	    cJSON_AddNumberToObject(p, "minutes", minutes) == NULL ||
	    cJSON_AddStringToObject(p, "link", link) == NULL) {
		cJSON_Delete(p);
		p = NULL;
	}
	OPENSSL_cleanse(link, sizeof link);
	return p;
}

/* Free the parameters, wiping the token (alone and in the link) first. */
static void
reset_params_free(cJSON *p)
{
	static const char *const secret[] = { "token", "link" };

	for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(p, secret[i]);

		if (cJSON_IsString(v))
			OPENSSL_cleanse(v->valuestring, strlen(v->valuestring));
	}
	cJSON_Delete(p);
}

/*
 * Sign a reset token for u and record its mail of kind (RESET_KIND,
 * INVITE_KIND) in the outbox, inside the route's transaction; with !real,
 * delete the row again before commit.
 */
static enum med_err
record_reset_mail(struct med_ctx *ctx, const struct med_user *u, const char *kind, int real)
{
	char token[JWT_MAX], pref[16];
	struct outbox_msg m = { kind, OUTBOX_EMAIL, u->email, NULL, NULL, 0 };
	struct jwt_claims c;
	cJSON *params = NULL;
	int64_t id;
	enum med_err e;

	if ((e = user_locale(ctx, u->id, pref, sizeof pref)) != MED_OK ||
	    (e = auth_sign(ctx, u, JWT_RESET, (int64_t)ctx->cfg.reset_minutes * 60, token,
	    sizeof token, &c)) != MED_OK)
		return e;
	if ((params = reset_params(ctx, token, u->email, ctx->cfg.reset_minutes)) == NULL) {
		e = MED_ENOMEM;
		goto done;
	}
	m.locale = tpl_locale(pref);
	m.params = params;
	/* Useless after the token's expiry: the sender then drops it, token and all. */
	m.expires_at = c.exp;
	if ((e = outbox_add(ctx, &m, &id)) == MED_OK && !real)
		e = outbox_discard(ctx, id);
done:
	reset_params_free(params);
	OPENSSL_cleanse(token, sizeof token);
	return e;
}

/*
 * /auth/forgot records a mail and sends nothing itself.  An unknown or
 * inactive address, or an account that already caused its hourly quota
 * of reset mails, goes through the same steps on a stand-in (lookup,
 * signing, count, insert) and its row is deleted before commit: answer,
 * time and the pages written are the same as for a mail that goes out.
 */
static enum med_err
forgot(struct med_ctx *ctx, const char *email)
{
	struct med_user u;
	int real, recent;
	enum med_err e;

	e = auth_load_user_by_email(ctx, email, &u, NULL, 0);
	if (e != MED_OK && e != MED_ENOTFOUND)
		return e;
	real = e == MED_OK && u.is_active;
	if (!real)
		stand_in(&u, email);
	if ((e = outbox_count_recent(ctx, RESET_KIND, u.email, med_now(ctx) - 3600,
	    &recent)) != MED_OK)
		return e;
	return record_reset_mail(ctx, &u, RESET_KIND, real && recent < RESET_MAILS_PER_HOUR);
}

enum med_err
auth_invite_user(struct med_ctx *ctx, const char *email, const char *locale,
    char out_id[MED_UUID_LEN + 1])
{
	struct med_user u;
	enum med_err e;

	if ((e = insert_user(ctx, email, PWHASH_UNSET, "PATIENT", locale, out_id)) != MED_OK ||
	    (e = auth_load_user(ctx, out_id, &u)) != MED_OK)
		return e;
	return record_reset_mail(ctx, &u, INVITE_KIND, 1);
}

SPEC(auth_forgot_body,
	{ "email", FT_EMAIL, FF_REQUIRED },
);

/* TX_WRITE: the mail is recorded in the outbox in the route's transaction. */
int
h_auth_forgot(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	enum med_err e = forgot(ctx, fval_str(med_body(req, "email")));

	if (e != MED_OK)
		return med_fail(resp, e);
	/* Same answer whether or not the account exists: no account oracle. */
	return med_ok(resp, message_object(FORGOT_MESSAGE));
}

/* Check the reset token and set the new password; one transaction, single use. */
static enum med_err
apply_reset(struct med_ctx *ctx, const struct jwt_claims *c, const char *hash)
{
	sqlite3_stmt *st;
	enum med_err e;
	int revoked;

	if ((revoked = jti_revoked(ctx, c->jti)) != 0)
		return revoked < 0 ? MED_EDB : MED_EAUTH;
	if ((st = db_stmt(ctx, SQL_RESET_PASSWORD)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, c->sub);
	db_bind_text(st, 2, hash);
	db_bind_int(st, 3, med_now(ctx));
	db_bind_int(st, 4, c->ver);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	/* No row: unknown user, or the version moved on since the token was issued. */
	if (db_changes(ctx) != 1)
		return MED_EAUTH;
	return auth_revoke_jti(ctx, c->jti, c->exp);
}

SPEC(auth_reset_body,
	{ "reset_token", FT_STRING, FF_REQUIRED, 1, JWT_MAX },
	{ "new_password", FT_STRING, FF_REQUIRED, PASSWORD_MIN, PASSWORD_MAX },
);

/* TX_NONE: the KDF must not run under the write lock, so it runs before db_begin(). */
int
h_auth_reset(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *token = fval_str(med_body(req, "reset_token"));
	char hash[PWHASH_MAX];
	struct jwt_claims c;
	enum med_err e;

	if (auth_verify(ctx, token, JWT_RESET, &c) != MED_OK)
		return med_error(resp, 400, INVALID_RESET);
	if ((e = pwhash_hash(fval_str(med_body(req, "new_password")), hash)) != MED_OK)
		return med_fail(resp, e);
	if ((e = db_begin(ctx)) != MED_OK)
		return med_fail(resp, e);
	if ((e = apply_reset(ctx, &c, hash)) == MED_OK)
		e = db_commit(ctx);
	if (e != MED_OK) {
		db_rollback(ctx);
		return e == MED_EAUTH ? med_error(resp, 400, INVALID_RESET) : med_fail(resp, e);
	}
	memcpy(resp->user_id, c.sub, sizeof resp->user_id);
	return med_ok(resp, message_object("Password reset successful"));
}
