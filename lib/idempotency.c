/*
 * idempotency.c - stored answers of retried writes (idempotency.h).
 *
 * Only committed answers are stored: a refusal wrote nothing, so its retry
 * simply runs again.  Two requests with one key never run side by side:
 * both hold the write lock of their route's transaction in turn, and the
 * second finds the first one's answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "db.h"
#include "idempotency.h"

static const char SQL_FIND[] =
    "SELECT request, status, body FROM idempotency_keys"
    " WHERE user_id = ?1 AND key = ?2 AND created_at > ?3";
static const char SQL_STORE[] =
    "INSERT OR REPLACE INTO idempotency_keys (user_id, key, request, status, body, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_EXPIRE[] =
    "DELETE FROM idempotency_keys WHERE created_at <= ?1";

/* Visible ASCII only, like a token: nothing to escape in logs or SQL. */
static int
key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > IDEM_KEY_MAX)
		return 0;
	for (; *key != '\0'; key++)
		if ((unsigned char)*key < 0x21 || (unsigned char)*key > 0x7e)
			return 0;
	return 1;
}

/* Hex SHA-256 of what makes two requests the same: method, path, body. */
static enum med_err
request_digest(const struct med_req *req, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	int ok;

	if (h == NULL)
		return MED_ENOMEM;
	ok = EVP_DigestInit_ex(h, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(h, req->method, strlen(req->method) + 1) == 1 &&
	    EVP_DigestUpdate(h, req->path, strlen(req->path) + 1) == 1 &&
	    (req->body_len == 0 || EVP_DigestUpdate(h, req->body, req->body_len) == 1) &&
	    EVP_DigestFinal_ex(h, md, &len) == 1 && len == sizeof md;
	EVP_MD_CTX_free(h);
	if (!ok)
		return MED_ECRYPTO;
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return MED_OK;
}

/* Put the stored answer of the current row of st back into resp. */
static enum med_err
replay(sqlite3_stmt *st, struct med_resp *resp)
{
	const unsigned char *body = sqlite3_column_text(st, 2);

	free(resp->body);
	resp->body = NULL;
	if (body != NULL && (resp->body = strdup((const char *)body)) == NULL)
		return MED_ENOMEM;
	resp->status = sqlite3_column_int(st, 1);
	resp->replayed = 1;
	return MED_OK;
}

enum med_err
idem_begin(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp,
    enum idem_verdict *verdict)
{
	char digest[65];
	sqlite3_stmt *st;
	enum med_err e;
	int rc;

	*verdict = IDEM_ANSWERED;
	if (!key_valid(req->idempotency_key)) {
		med_invalid(resp, "header", "Idempotency-Key",
		    "Idempotency-Key must be 1 to 255 visible ASCII characters", "value_error");
		return MED_OK;
	}
	if ((e = request_digest(req, digest)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_FIND)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, req->user.id);
	db_bind_text(st, 2, req->idempotency_key);
	db_bind_int(st, 3, med_now(ctx) - IDEM_TTL_SECONDS);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		*verdict = IDEM_NEW;
		return MED_OK;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_err(rc);
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0), digest) != 0)
		med_invalid(resp, "header", "Idempotency-Key",
		    "Idempotency-Key was already used for a different request", "value_error");
	else
		e = replay(st, resp);
	sqlite3_reset(st);
	return e;
}

enum med_err
idem_store(struct med_ctx *ctx, const struct med_req *req, const struct med_resp *resp)
{
	int64_t now = med_now(ctx);
	char digest[65];
	sqlite3_stmt *st;
	enum med_err e;

	if ((e = request_digest(req, digest)) != MED_OK)
		return e;
	/* Expired keys go as new ones come: an index range, usually empty. */
	if ((st = db_stmt(ctx, SQL_EXPIRE)) == NULL)
		return MED_EDB;
	db_bind_int(st, 1, now - IDEM_TTL_SECONDS);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	if ((st = db_stmt(ctx, SQL_STORE)) == NULL)
		return MED_EDB;
	db_bind_text(st, 1, req->user.id);
	db_bind_text(st, 2, req->idempotency_key);
	db_bind_text(st, 3, digest);
	db_bind_int(st, 4, resp->status);
	db_bind_text(st, 5, resp->body);
	db_bind_int(st, 6, now);
	return db_step_done(st);
}
