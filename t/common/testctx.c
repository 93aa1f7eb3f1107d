/*
 * testctx.c - fresh databases and in-process API calls for tests.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "embedded.h"
#include "route.h"
#include "testctx.h"

void
test_ctx_open(struct med_ctx *ctx, int seed)
{
	struct med_config cfg;
	char tmpl[] = "/tmp/medtest.XXXXXX";
	const char *dir = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(dir);
	ck_assert_int_eq(med_config_from_env(&cfg), MED_OK);
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
	snprintf(cfg.db_path, sizeof cfg.db_path, "%s/clinic.db", dir);
	ck_assert_int_eq(med_ctx_open(ctx, &cfg, 1), MED_OK);
	/* A fresh directory of the test's own: it makes its keys, as medadm init would. */
	ck_assert_int_eq(med_ctx_load_secrets(ctx, 1), MED_OK);
	ctx->fixed_now = (int64_t)time(NULL);
	if (seed)
		ck_assert_int_eq(db_exec(ctx, med_seed_sql), MED_OK);
}

void
test_ctx_close(struct med_ctx *ctx)
{
	char cmd[MED_PATH_MAX + 16];

	med_ctx_close(ctx);
	if (strncmp(ctx->cfg.data_dir, "/tmp/medtest.", 13) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", ctx->cfg.data_dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

int
test_call(struct med_ctx *ctx, const char *method, const char *path,
    const char *token, const char *body, cJSON **out)
{
	return test_call_note(ctx, method, path, token, body, out, NULL, 0);
}

int
test_call_note(struct med_ctx *ctx, const char *method, const char *path,
    const char *token, const char *body, cJSON **out, char *note, size_t note_size)
{
	struct med_req req = { 0 };
	struct med_resp resp;
	char auth[2048], pathbuf[8192];
	char *q;
	int status;

	snprintf(pathbuf, sizeof pathbuf, "%s", path);
	if ((q = strchr(pathbuf, '?')) != NULL) {
		*q = '\0';
		req.query = q + 1;
	}
	req.method = method;
	req.path = pathbuf;
	req.remote_addr = "127.0.0.1";
	if (token != NULL) {
		snprintf(auth, sizeof auth, "Bearer %s", token);
		req.authorization = auth;
	}
	if (body != NULL) {
		req.body = body;
		req.body_len = strlen(body);
		req.content_type = "application/json";
	}
	med_handle(ctx, &req, &resp);
	status = resp.status;
	if (note != NULL)
		snprintf(note, note_size, "%s", resp.note);
	if (out != NULL)
		*out = resp.body != NULL ? cJSON_Parse(resp.body) : NULL;
	if (resp.body != NULL && status != 204) {
		/* Every body is the envelope: check it here once for all tests. */
		cJSON *env = cJSON_Parse(resp.body);
		ck_assert_msg(env != NULL, "response is not JSON: %s", resp.body);
		ck_assert(cJSON_IsBool(cJSON_GetObjectItem(env, "success")));
		ck_assert(cJSON_HasObjectItem(env, "data"));
		ck_assert(cJSON_HasObjectItem(env, "message"));
		cJSON_Delete(env);
	}
	ck_assert_msg(status != 204 || resp.body == NULL, "204 with a body");
	med_resp_free(&resp);
	med_req_free(&req);
	return status;
}

int
test_get_text(struct med_ctx *ctx, const char *path, char **text, char ctype[48])
{
	struct med_req req = { 0 };
	struct med_resp resp;
	int status;

	req.method = "GET";
	req.path = path;
	req.remote_addr = "127.0.0.1";
	med_handle(ctx, &req, &resp);
	status = resp.status;
	snprintf(ctype, 48, "%s", resp.content_type != NULL ? resp.content_type : "");
	*text = strdup(resp.body != NULL ? resp.body : "");
	ck_assert_ptr_nonnull(*text);
	med_resp_free(&resp);
	med_req_free(&req);
	return status;
}

char *
test_login(struct med_ctx *ctx, const char *email, const char *password)
{
	char body[512];
	cJSON *env = NULL, *tok;
	char *token = NULL;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	if (test_call(ctx, "POST", "/api/v1/auth/login", NULL, body, &env) == 200 &&
	    (tok = cJSON_GetObjectItem(cJSON_GetObjectItem(env, "data"), "access_token")) != NULL &&
	    cJSON_IsString(tok))
		token = strdup(tok->valuestring);
	cJSON_Delete(env);
	return token;
}
