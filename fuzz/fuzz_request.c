/*
 * fuzz_request.c - libFuzzer target for the whole in-process request
 * path: method + target + headers + body -> med_handle() (router,
 * authentication, body parser, validator, handler) on a seeded
 * temporary database.
 *
 * Input: lines separated by '\n'
 *     METHOD
 *     PATH[?QUERY]
 *     AUTHORIZATION header value ("" = none)
 *     X-REFRESH-TOKEN header value ("" = none)
 *     ORIGIN header value ("" = none)
 *     BODY (everything after the fifth '\n', bytes as they are)
 * Missing lines are absent headers.  Anywhere in the input the markers
 * @ADMIN@ @STAFF@ @DOCTOR@ @PATIENT@ @PATIENT2@ (access tokens of seeded
 * users) and @REFRESH@ (a refresh token of @PATIENT@) are replaced by real
 * tokens, so the fuzzer reaches the handlers behind authentication.
 *
 * Invariants, checked after every call (abort() = a finding):
 *  - the status is 2xx-4xx, or 501 for a handler not written yet;
 *  - the body is the JSON envelope, none on 204, success == (status < 300);
 *  - a refused request (4xx) committed no change to the clinical tables:
 *    only the bookkeeping tables a refusal legitimately writes
 *    (login_failures, audit_log, revoked_tokens, refresh_tokens, and users
 *    for refresh-token reuse) may change.
 * After any committed change the database is restored from a snapshot, so
 * every input runs against the same data and a crash replays exactly.
 *
 * scrypt at the production cost would make each login ~100 ms; the link
 * wraps pwhash_hash/pwhash_verify/pwhash_needs_rehash (fuzz_pwfast.c) so
 * the library hashes at the minimum cost instead, and the seeded accounts
 * get a hash at that cost in init.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "db.h"
#include "fuzz_common.h"
#include "fuzz_pwfast.h"
#include "http.h"
#include "pwhash.h"
#include "route.h"

#define SEED_PASSWORD "Algeria123!"
#define MAX_INPUT (256 * 1024)

static struct med_ctx ctx;
static sqlite3 *snapshot;        /* in-memory copy of the database to restore */
static int64_t clean_changes;    /* sqlite3_total_changes() right after a restore */

/* ---- which tables a request changed ----------------------------------- */

static const char *const tables[] = {
	"login_failures", "audit_log", "revoked_tokens", "refresh_tokens", "users",
};
#define T_OTHER (1u << 5)
#define T_REFUSAL_OK 0x0fu   /* the first four: bookkeeping of refusals */
#define T_USERS (1u << 4)

static unsigned pending, committed;
static char other_table[64];

static void
on_update(void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
	(void)arg;
	(void)op;
	(void)db;
	(void)rowid;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (strcmp(table, tables[i]) == 0) {
			pending |= 1u << i;
			return;
		}
	}
	pending |= T_OTHER;
	snprintf(other_table, sizeof other_table, "%s", table);
}

static int
on_commit(void *arg)
{
	(void)arg;
	committed |= pending;
	pending = 0;
	return 0;
}

static void
on_rollback(void *arg)
{
	(void)arg;
	pending = 0;
}

/* ---- set-up ------------------------------------------------------------- */

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_request: %s (%s)\n", what, sqlite3_errmsg(ctx.db));
	abort();
}

/* Every seeded account gets a cheap hash of the seed password. */
static void
cheap_seed_hashes(void)
{
	char hash[PWHASH_MAX];
	sqlite3_stmt *st;

	if (pwhash_hash_params(SEED_PASSWORD, &fuzz_pw_fast, hash) != MED_OK)
		die("pwhash");
	if (sqlite3_prepare_v2(ctx.db, "UPDATE users SET password_hash = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		die("cannot rewrite the seeded hashes");
	sqlite3_finalize(st);
}

struct marker {
	const char *name;
	const char *email;
	const char *field;
	char token[1100];
};

static struct marker markers[] = {
	{ "@ADMIN@", "admin@example.dz", "access_token", "" },
	{ "@STAFF@", "reception@example.dz", "access_token", "" },
	{ "@DOCTOR@", "samir.bensalah@example.dz", "access_token", "" },
	{ "@PATIENT@", "amina.benali@example.dz", "access_token", "" },
	{ "@PATIENT2@", "sofiane.rahmani@example.dz", "access_token", "" },
	{ "@REFRESH@", "amina.benali@example.dz", "refresh_token", "" },
};
#define NMARKERS (sizeof markers / sizeof markers[0])

static void
login(struct marker *m)
{
	struct med_req req;
	struct med_resp resp;
	char body[256];
	cJSON *env, *tok;

	memset(&req, 0, sizeof req);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" SEED_PASSWORD "\"}", m->email);
	req.method = "POST";
	req.path = "/api/v1/auth/login";
	req.remote_addr = "127.0.0.1";
	req.content_type = "application/json";
	req.body = body;
	req.body_len = strlen(body);
	med_handle(&ctx, &req, &resp);
	env = resp.status == 200 ? cJSON_Parse(resp.body) : NULL;
	tok = cJSON_GetObjectItem(cJSON_GetObjectItem(env, "data"), m->field);
	if (!cJSON_IsString(tok) || strlen(tok->valuestring) >= sizeof m->token) {
		fprintf(stderr, "fuzz_request: login %s failed: %d %s\n", m->email, resp.status,
		    resp.body != NULL ? resp.body : "");
		abort();
	}
	snprintf(m->token, sizeof m->token, "%s", tok->valuestring);
	cJSON_Delete(env);
	med_resp_free(&resp);
	med_req_free(&req);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_ctx_open(&ctx, 1);
	/* One allowed origin, so the CORS and preflight paths are reachable. */
	snprintf(ctx.cfg.cors_origins, sizeof ctx.cfg.cors_origins, "https://app.example.dz");
	cheap_seed_hashes();
	for (size_t i = 0; i < NMARKERS; i++)
		login(&markers[i]);
	if (sqlite3_open(":memory:", &snapshot) != SQLITE_OK)
		die("snapshot");
	fuzz_copy_db(snapshot, ctx.db);
	sqlite3_update_hook(ctx.db, on_update, NULL);
	sqlite3_commit_hook(ctx.db, on_commit, NULL);
	sqlite3_rollback_hook(ctx.db, on_rollback, NULL);
	clean_changes = sqlite3_total_changes64(ctx.db);
	return 0;
}

/* ---- one input ---------------------------------------------------------- */

/* The input with every marker replaced by its token (malloc'd, *n bytes). */
static char *
expand(const uint8_t *data, size_t size, size_t *n)
{
	size_t cap = size + 1, len = 0;
	char *out = malloc(cap);

	if (out == NULL)
		abort();
	for (size_t i = 0; i < size;) {
		const char *add = (const char *)data + i;
		size_t addlen = 1, skip = 1;
		for (size_t m = 0; data[i] == '@' && m < NMARKERS; m++) {
			size_t ml = strlen(markers[m].name);
			if (size - i >= ml && memcmp(data + i, markers[m].name, ml) == 0) {
				add = markers[m].token;
				addlen = strlen(add);
				skip = ml;
				break;
			}
		}
		if (len + addlen + 1 > cap) {
			cap = (len + addlen + 1) * 2;
			if ((out = realloc(out, cap)) == NULL)
				abort();
		}
		memcpy(out + len, add, addlen);
		len += addlen;
		i += skip;
	}
	*n = len;
	return out;
}

/* Next '\n'-terminated line of [*p, end) as a malloc'd string, or NULL
 * when there is no further newline (the field is absent). */
static char *
next_line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	char *s;

	if (nl == NULL)
		return NULL;
	s = fuzz_strndup((const unsigned char *)*p, (size_t)(nl - *p));
	*p = nl + 1;
	return s;
}

static const char *
or_null(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

static void
restore_if_changed(void)
{
	if (sqlite3_total_changes64(ctx.db) == clean_changes)
		return;
	fuzz_copy_db(ctx.db, snapshot);
	pending = committed = 0;
	clean_changes = sqlite3_total_changes64(ctx.db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct med_req req;
	struct med_resp resp;
	char *in, *line[5] = { NULL }, *body = NULL, *q;
	const char *p, *end;
	size_t n, i;

	if (size > MAX_INPUT)
		return 0;
	in = expand(data, size, &n);
	p = in;
	end = in + n;
	for (i = 0; i < 5 && (line[i] = next_line(&p, end)) != NULL; i++)
		;
	if (i == 5 && p < end)
		body = fuzz_strndup((const unsigned char *)p, (size_t)(end - p));

	memset(&req, 0, sizeof req);
	req.method = or_null(line[0]);
	if (line[1] != NULL && (q = strchr(line[1], '?')) != NULL) {
		*q = '\0';
		req.query = q + 1;
	}
	req.path = or_null(line[1]);
	req.authorization = or_null(line[2]);
	req.refresh_header = or_null(line[3]);
	req.origin = or_null(line[4]);
	req.remote_addr = "127.0.0.1";
	req.content_type = "application/json";
	req.body = body;
	req.body_len = body != NULL ? (size_t)(end - p) : 0;

	committed = pending = 0;
	med_handle(&ctx, &req, &resp);

	if (!fuzz_resp_ok(&resp)) {
		fprintf(stderr, "fuzz_request: bad response %d: %s\n", resp.status,
		    resp.body != NULL ? resp.body : "(no body)");
		abort();
	}
	if (resp.status >= 500 && resp.status != 501) {
		fprintf(stderr, "fuzz_request: %d for %s %s: %s\n", resp.status,
		    req.method ? req.method : "-", req.path ? req.path : "-", resp.body);
		abort();
	}
	if (resp.status >= 400) {
		unsigned allowed = T_REFUSAL_OK;
		if (req.path != NULL && strncmp(req.path, "/api/v1/auth/refresh", 20) == 0)
			allowed |= T_USERS;
		if ((committed & ~allowed) != 0) {
			fprintf(stderr, "fuzz_request: refused with %d but committed changes "
			    "(mask %#x, other table %s) for %s %s\n", resp.status, committed,
			    other_table, req.method ? req.method : "-", req.path ? req.path : "-");
			abort();
		}
	}
	med_resp_free(&resp);
	med_req_free(&req);
	restore_if_changed();
	for (i = 0; i < 5; i++)
		free(line[i]);
	free(body);
	free(in);
	return 0;
}
