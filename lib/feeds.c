/*
 * feeds.c - calendar feeds (feeds.h): routes /calendar/feed and
 * /calendar/{token}.ics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "db.h"
#include "feeds.h"
#include "handlers.h"
#include "ics.h"
#include "util.h"

#define TOKEN_BYTES 32
#define TOKEN_HEX (2 * TOKEN_BYTES)

static const char SQL_SET[] =
    "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,"
    " created_at = excluded.created_at";
static const char SQL_DELETE[] = "DELETE FROM calendar_feeds WHERE user_id = ?1";
static const char SQL_OWNER[] =
    "SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id"
    " WHERE f.token_hash = ?1 AND u.is_active = 1";
/* ?1 the owner; each OR side has its index (appointments_patient_start, _doctor_start). */
static const char SQL_VISITS[] =
    "SELECT a.id, a.start_time, a.end_time, a.sequence, a.status = 'CANCELLED',"
    " coalesce(s.name, 'Consultation'),"
    " trim('Dr ' || coalesce(d.first_name, '') || ' ' || coalesce(d.last_name, '')),"
    " coalesce(d.clinic_address, ''), d.user_id = ?1"
    " FROM appointments a JOIN doctors d ON d.id = a.doctor_id"
    " LEFT JOIN doctor_services s ON s.id = a.service_id"
    " WHERE (a.patient_id = (SELECT id FROM patients WHERE user_id = ?1)"
    " OR a.doctor_id = (SELECT id FROM doctors WHERE user_id = ?1)) AND a.start_time >= ?2"
    " ORDER BY a.start_time LIMIT ?3";

/* SHA-256 of token as lowercase hex. */
static enum med_err
token_hash(const char *token, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	static const char hex[] = "0123456789abcdef";

	if (EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return MED_ECRYPTO;
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return MED_OK;
}

int
h_feed_create(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char token[TOKEN_HEX + 1], hash[65], url[512];
	size_t n = strlen(ctx->cfg.public_url);
	sqlite3_stmt *st;
	cJSON *out;
	enum med_err e;

	if ((e = util_random_hex(token, TOKEN_BYTES)) != MED_OK ||
	    (e = token_hash(token, hash)) != MED_OK)
		return med_fail(resp, e);
	if ((st = db_stmt(ctx, SQL_SET)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, req->user.id);
	db_bind_text(st, 2, hash);
	db_bind_int(st, 3, med_now(ctx));
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	while (n > 0 && ctx->cfg.public_url[n - 1] == '/')
		n--;
	snprintf(url, sizeof url, "%.*s/api/v1/calendar/%s.ics", (int)n, ctx->cfg.public_url, token);
	OPENSSL_cleanse(token, sizeof token);
	if ((out = cJSON_CreateObject()) == NULL || cJSON_AddStringToObject(out, "url", url) == NULL) {
		cJSON_Delete(out);
		OPENSSL_cleanse(url, sizeof url);
		return med_fail(resp, MED_ENOMEM);
	}
	OPENSSL_cleanse(url, sizeof url);
	return med_created(resp, out);
}

int
h_feed_delete(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	sqlite3_stmt *st;
	enum med_err e;

	if ((st = db_stmt(ctx, SQL_DELETE)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, req->user.id);
	if ((e = db_step_done(st)) != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}

/* One row of SQL_VISITS as an event into b. */
static void
put_visit(struct med_ctx *ctx, sqlite3_stmt *st, struct strbuf *b)
{
	char id[MED_UUID_LEN + 1], uid[ICS_UID_MAX], service[128], doctor[256], place[256];
	char summary[400];
	struct ics_event ev;

	db_col_copy(st, 0, id, sizeof id);
	db_col_copy(st, 5, service, sizeof service);
	db_col_copy(st, 6, doctor, sizeof doctor);
	db_col_copy(st, 7, place, sizeof place);
	ics_uid(ctx->cfg.public_url, id, uid);
	/* The doctor's own feed names no patient: a leaked URL tells no one who came. */
	if (sqlite3_column_int(st, 8))
		snprintf(summary, sizeof summary, "%s", service);
	else
		snprintf(summary, sizeof summary, "%s, %s", service, doctor);
	ev = (struct ics_event){ .uid = uid, .sequence = sqlite3_column_int64(st, 3),
	    .stamp = med_now(ctx), .start = sqlite3_column_int64(st, 1),
	    .end = sqlite3_column_int64(st, 2), .summary = summary,
	    .location = place[0] != '\0' ? place : ctx->cfg.clinic_name,
	    .cancelled = sqlite3_column_int(st, 4) };
	ics_event(b, &ev);
}

/* The feed of user_id into *out (malloc'd). */
static enum med_err
feed_text(struct med_ctx *ctx, const char *user_id, char **out)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	sqlite3_stmt *st = db_stmt(ctx, SQL_VISITS);
	int rc;

	*out = NULL;
	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, user_id);
	db_bind_int(st, 2, med_now(ctx) - (int64_t)FEED_PAST_DAYS * 86400);
	db_bind_int(st, 3, FEED_MAX_EVENTS);
	ics_begin(&b, NULL, ctx->cfg.clinic_name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		put_visit(ctx, st, &b);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(b.p);
		return db_err(rc);
	}
	return ics_end(&b, out);
}

int
h_feed_get(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *token = med_path(req, "token");
	char hash[65], owner[MED_UUID_LEN + 1], *text;
	enum med_err e;

	/* Only our tokens' shape is looked up; anything else is as unknown as a wrong one. */
	if (strlen(token) != TOKEN_HEX || strspn(token, "0123456789abcdef") != TOKEN_HEX)
		return med_error(resp, 404, "Calendar feed not found");
	if ((e = token_hash(token, hash)) != MED_OK)
		return med_fail(resp, e);
	e = db_lookup(ctx, SQL_OWNER, hash, 0, owner, sizeof owner);
	if (e == MED_ENOTFOUND)
		return med_error(resp, 404, "Calendar feed not found");
	if (e != MED_OK || (e = feed_text(ctx, owner, &text)) != MED_OK)
		return med_fail(resp, e);
	return med_ok_text(resp, "text/calendar; charset=utf-8", text);
}
