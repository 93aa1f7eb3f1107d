/*
 * auth.h - authentication of requests and the token life cycle shared by
 * the API handlers and medadm.
 */
#ifndef AUTH_H
#define AUTH_H

#include "http.h"
#include "jwt.h"

/*
 * Password length in characters (code points), for the API and medadm
 * alike.  The maximum bounds the KDF's input: a megabyte password must
 * not cost more than a short one.
 */
#define PASSWORD_MIN 8
#define PASSWORD_MAX 128
/* A bound as a string literal, for help texts: PASSWORD_STR(PASSWORD_MIN). */
#define PASSWORD_STR(n) PASSWORD_STR_(n)
#define PASSWORD_STR_(n) #n

/*
 * Verify the Bearer access token of req and fill req->user.
 * MED_ENOTFOUND: no Authorization header; MED_EAUTH/MED_EEXPIRED: bad
 * token (signature, type, version, revoked, unknown user); MED_EDB.
 */
enum med_err auth_authenticate(struct med_ctx *ctx, struct med_req *req);

/*
 * The user u whose verified token claims c are: c's jti not revoked, the
 * user known, c signed for the user's current token version (or the user
 * is inactive: the caller then says "Inactive user").  MED_EAUTH
 * otherwise; MED_EDB.  For access tokens and live tickets alike.
 */
enum med_err auth_claims_user(struct med_ctx *ctx, const struct jwt_claims *c, struct med_user *u);

/*
 * Sign a token of type t for u, expiring after lifetime seconds, with a
 * fresh jti (its claims in c); verify one (jwt_verify() at med_now(), with
 * the key of its type).
 */
enum med_err auth_sign(struct med_ctx *ctx, const struct med_user *u, enum jwt_type t,
    int64_t lifetime, char *out, size_t outsz, struct jwt_claims *c);
enum med_err auth_verify(struct med_ctx *ctx, const char *token, enum jwt_type t,
    struct jwt_claims *c);

/* Load a user by id into u (role fields included). */
enum med_err auth_load_user(struct med_ctx *ctx, const char *user_id, struct med_user *u);
enum med_err auth_load_user_by_email(struct med_ctx *ctx, const char *email,
    struct med_user *u, char *pwhash, size_t pwhash_size);

/*
 * Issue a single-use password-reset token (15 minutes) for email, for
 * medadm to print.  /auth/forgot signs its own and records it in a mail
 * in the outbox (outbox.h), never in its answer.
 */
enum med_err auth_issue_reset_token(struct med_ctx *ctx, const char *email,
    char *out, size_t outsz);

/* End every session of a user (bump token_version). */
enum med_err auth_revoke_sessions(struct med_ctx *ctx, const char *user_id);

/* Revoke one jti until its expiry. */
enum med_err auth_revoke_jti(struct med_ctx *ctx, const char *jti, int64_t exp);

/* Create a user; role by name (NULL = PATIENT).  MED_ECONFLICT on duplicate email. */
enum med_err auth_create_user(struct med_ctx *ctx, const char *email, const char *password,
    const char *role, char out_id[MED_UUID_LEN + 1]);

/*
 * Inside the caller's write transaction: a PATIENT account for email
 * (locale: its users.locale, NULL for none) that no password opens
 * (PWHASH_UNSET, no KDF run), and its invitation in the outbox: the
 * reset mail of /auth/forgot, same token, lifetime and /auth/reset, as
 * kind patient_invite.  MED_ECONFLICT when the email is registered.
 */
enum med_err auth_invite_user(struct med_ctx *ctx, const char *email, const char *locale,
    char out_id[MED_UUID_LEN + 1]);

/* 1 when the caller is an admin (role ADMIN or superuser). */
int med_is_admin(const struct med_req *req);

#endif
