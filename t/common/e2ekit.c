/* e2ekit.c - see e2ekit.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2ekit.h"

cJSON *
e2e_data(const struct http_result *r)
{
	return r->json != NULL ? cJSON_GetObjectItem(r->json, "data") : NULL;
}

const char *
e2e_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *
e2e_token(const char *email, const char *password)
{
	struct http_result r;
	char body[512];
	char *tok = NULL;
	int status;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	status = api("POST", "/auth/login", NULL, body, &r);
	ck_assert_msg(status == 200, "login %s: %d %s", email, status, r.body ? r.body : "");
	tok = strdup(e2e_str(e2e_data(&r), "access_token"));
	http_result_free(&r);
	ck_assert_ptr_nonnull(tok);
	return tok;
}

char *
e2e_fresh_account(const char *admin_token, const char *tag, const char *role, char *user_id)
{
	struct http_result r;
	struct timespec ts;
	char email[160], body[320], path[96];
	const char *id;
	char *tok;
	int status;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(email, sizeof email, "%s.%ld.%ld@example.dz", tag, (long)getpid(), ts.tv_nsec);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" E2E_PW "\"}", email);
	status = api("POST", "/auth/register", NULL, body, &r);
	ck_assert_msg(status == 200, "register %s: %d", email, status);
	http_result_free(&r);
	tok = e2e_token(email, E2E_PW);
	status = api("GET", "/users/me", tok, NULL, &r);
	ck_assert_int_eq(status, 200);
	id = e2e_str(e2e_data(&r), "id");
	ck_assert_ptr_nonnull(id);
	snprintf(path, sizeof path, "/users/%s", id);
	if (user_id != NULL)
		snprintf(user_id, 37, "%s", id);
	http_result_free(&r);
	if (role != NULL) {
		snprintf(body, sizeof body, "{\"role\":\"%s\"}", role);
		ck_assert_int_eq(e2e_call("PATCH", path, admin_token, body, NULL), 200);
	}
	return tok;
}

int
e2e_call(const char *method, const char *path, const char *token, const char *body, char *id)
{
	struct http_result r;
	int status = api(method, path, token, body, &r);

	if (id != NULL && status >= 200 && status < 300) {
		const char *s = e2e_str(e2e_data(&r), "id");
		ck_assert_msg(s != NULL, "%s %s: no data.id in %s", method, path, r.body);
		snprintf(id, 37, "%s", s);
	}
	http_result_free(&r);
	return status;
}
