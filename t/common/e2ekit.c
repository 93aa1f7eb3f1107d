/* e2ekit.c - see e2ekit.h. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
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

const char *
e2e_data_dir(void)
{
	const char *d = getenv("MED_DATA_DIR");

	ck_assert_msg(d != NULL && *d != '\0', "MED_DATA_DIR is not set (run through t/run-e2e.sh)");
	return d;
}

void
e2e_pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

char e2e_last_message[256];
char e2e_last_id[40];

int
e2e_env(const char *method, const char *path, const struct e2e_who *w, const char *body)
{
	struct http_result r;
	const char *s;
	int status = api(method, path, w != NULL ? w->token : NULL, body, &r);

	e2e_last_message[0] = e2e_last_id[0] = '\0';
	if (r.body_len > 0) {
		ck_assert_msg(r.json != NULL, "%s %s: body is not JSON", method, path);
		ck_assert(cJSON_IsBool(cJSON_GetObjectItem(r.json, "success")));
		ck_assert(cJSON_HasObjectItem(r.json, "data"));
		if ((s = e2e_str(r.json, "message")) != NULL)
			snprintf(e2e_last_message, sizeof e2e_last_message, "%s", s);
		if ((s = e2e_str(e2e_data(&r), "id")) != NULL)
			snprintf(e2e_last_id, sizeof e2e_last_id, "%s", s);
	} else {
		ck_assert_msg(status == 204, "%s %s: %d without a body", method, path, status);
	}
	http_result_free(&r);
	ck_assert_msg(status > 0 && status < 500, "%s %s: status %d", method, path, status);
	return status;
}

int
e2e_list_count(const char *path, const struct e2e_who *w, const char *id, int *has_id)
{
	struct http_result r;
	const cJSON *item;
	int n = 0;

	if (has_id != NULL)
		*has_id = 0;
	if (api("GET", path, w != NULL ? w->token : NULL, NULL, &r) != 200) {
		http_result_free(&r);
		return -1;
	}
	cJSON_ArrayForEach(item, e2e_data(&r)) {
		const char *s = e2e_str(item, "id");
		n++;
		if (has_id != NULL && id != NULL && s != NULL && strcmp(s, id) == 0)
			*has_id = 1;
	}
	http_result_free(&r);
	return n;
}

void
e2e_fresh_patient(const struct e2e_who *admin, const char *tag, const char *first,
    const char *last, struct e2e_who *w)
{
	char body[256];

	memset(w, 0, sizeof *w);
	w->token = e2e_fresh_account(admin->token, tag, NULL, w->user_id);
	snprintf(body, sizeof body, "{\"first_name\":\"%s\",\"last_name\":\"%s\"}", first, last);
	ck_assert_int_eq(e2e_env("POST", "/patients/me", w, body), 201);
	snprintf(w->profile_id, sizeof w->profile_id, "%s", e2e_last_id);
}

void
e2e_fresh_doctor(const struct e2e_who *admin, const char *tag, const char *first, int windows,
    struct e2e_who *w)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	char body[256], path[128];

	memset(w, 0, sizeof *w);
	w->token = e2e_fresh_account(admin->token, tag, "DOCTOR", w->user_id);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"%s\",\"last_name\":\"%s\"}",
	    w->user_id, first, tag);
	ck_assert_int_eq(e2e_env("POST", "/doctors", admin, body), 201);
	snprintf(w->profile_id, sizeof w->profile_id, "%s", e2e_last_id);
	snprintf(path, sizeof path, "/doctors/%s/availability", w->profile_id);
	for (int i = 0; windows && i < 7; i++) {
		snprintf(body, sizeof body, "{\"weekday\":\"%s\",\"start_time\":\"08:00\","
		    "\"end_time\":\"18:00\"}", days[i]);
		ck_assert_int_eq(e2e_env("POST", path, admin, body), 201);
	}
}

const char *
e2e_local_at(int days, int hour, int minute, char out[32])
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:00", (tm.tm_year + 1900) % 10000,
	    (tm.tm_mon + 1) % 100, tm.tm_mday % 100, hour % 100, minute % 100);
	return out;
}

void
e2e_fire(int n, int (*request)(int i, void *arg), void *arg, int *statuses)
{
	int gate[2], results[2], msg[2];
	pid_t pid;

	ck_assert_int_eq(pipe(gate), 0);
	ck_assert_int_eq(pipe(results), 0);
	for (int i = 0; i < n; i++) {
		ck_assert_int_ne(pid = fork(), -1);
		if (pid == 0) {
			ssize_t got;
			char c;

			close(gate[1]);
			close(results[0]);
			/* Wait at the gate: EOF when the parent closes it. */
			do
				got = read(gate[0], &c, 1);
			while (got < 0 && errno == EINTR);
			msg[0] = i;
			msg[1] = request(i, arg);
			_exit(write(results[1], msg, sizeof msg) == sizeof msg ? 0 : 2);
		}
	}
	close(gate[0]);
	close(results[1]);
	/* Every child exists: open the gate. */
	close(gate[1]);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(read(results[0], msg, sizeof msg), sizeof msg);
		ck_assert_int_ge(msg[0], 0);
		ck_assert_int_lt(msg[0], n);
		statuses[msg[0]] = msg[1];
	}
	close(results[0]);
	for (int i = 0; i < n; i++) {
		int ws;
		ck_assert_int_gt(wait(&ws), 0);
		ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	}
}
