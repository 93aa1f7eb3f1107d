/*
 * test_stack.c - end-to-end checks of what the stack itself guarantees
 * (nginx + spawn-fcgi + the medfcgi master and workers), independent of
 * any domain route: the envelope on every path, 404/405/413, no redirect
 * built from the client's Host, headers, the access logs (nginx's own
 * errors under the request's method and path), worker supervision, and
 * the worker's distrust of what arrives over FastCGI.
 *
 * Needs MED_BASE_URL and MED_DATA_DIR (the stack's directory), as set by
 * t/run-e2e.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <fastcgi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "e2ekit.h"
#include "httpc.h"
#include "testreg.h"

#define POLL_TRIES 100               /* x POLL_MS: bounded waits */
#define POLL_MS 50
#define ONE_MIB (1024 * 1024)

/* ---- helpers ------------------------------------------------------------ */

/* A string no other request can contain. */
static void
marker(char *buf, size_t size, const char *prefix)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, size, "%s%ld%09ld", prefix, (long)getpid(), ts.tv_nsec);
}

/* Whole file as a malloc'd string ("" if missing). */
static char *
slurp(const char *name)
{
	char path[4096];
	FILE *f;
	char *s = NULL;
	size_t len = 0;

	snprintf(path, sizeof path, "%s/%s", e2e_data_dir(), name);
	if ((f = fopen(path, "r")) == NULL)
		return strdup("");
	for (;;) {
		char chunk[8192];
		size_t n = fread(chunk, 1, sizeof chunk, f);
		char *t;
		if (n == 0)
			break;
		t = realloc(s, len + n + 1);
		ck_assert_ptr_nonnull(t);
		s = t;
		memcpy(s + len, chunk, n);
		len += n;
		s[len] = '\0';
	}
	fclose(f);
	return s != NULL ? s : strdup("");
}

static int
count_substr(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The full line of text containing needle (malloc'd), or NULL. */
static char *
line_with(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *start, *end;

	if (p == NULL)
		return NULL;
	for (start = p; start > text && start[-1] != '\n'; start--)
		;
	end = p + strcspn(p, "\n");
	return strndup(start, (size_t)(end - start));
}

/* Assert the error envelope: success false, data null, message given. */
static void
assert_error_envelope(const struct http_result *r, int status, const char *message)
{
	const cJSON *s, *d, *m;

	ck_assert_int_eq(r->status, status);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_int_eq(cJSON_GetArraySize(r->json), 3);
	s = cJSON_GetObjectItemCaseSensitive(r->json, "success");
	d = cJSON_GetObjectItemCaseSensitive(r->json, "data");
	m = cJSON_GetObjectItemCaseSensitive(r->json, "message");
	ck_assert(cJSON_IsFalse(s));
	ck_assert(cJSON_IsNull(d));
	ck_assert(cJSON_IsString(m));
	if (message != NULL)
		ck_assert_str_eq(m->valuestring, message);
	ck_assert_ptr_nonnull(http_header(r, "Content-Type"));
	ck_assert_str_eq(http_header(r, "Content-Type"), "application/json");
}

static void
assert_no_store(const struct http_result *r)
{
	ck_assert_int_eq(http_header_count(r, "Cache-Control"), 1);
	ck_assert_str_eq(http_header(r, "Cache-Control"), "no-store");
}

static void
get(const char *path, struct http_result *r)
{
	ck_assert_int_gt(http_call("GET", path, NULL, NULL, 0, r), 0);
}

/* ---- envelope, routing, headers ----------------------------------------- */

START_TEST(health_exact_envelope)
{
	struct http_result r;
	cJSON *want = cJSON_Parse("{\"success\":true,\"data\":{\"status\":\"ok\"},\"message\":null}");

	get("/api/v1/health", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(http_header(&r, "Content-Type"));
	ck_assert_str_eq(http_header(&r, "Content-Type"), "application/json");
	ck_assert_ptr_nonnull(r.json);
	ck_assert_msg(cJSON_Compare(r.json, want, 1), "health body: %s", r.body);
	assert_no_store(&r);
	ck_assert_str_eq(http_header(&r, "X-Content-Type-Options"), "nosniff");
	ck_assert_str_eq(http_header(&r, "X-Frame-Options"), "DENY");
	ck_assert_ptr_nonnull(http_header(&r, "Content-Security-Policy"));
	ck_assert_ptr_null(http_header(&r, "Access-Control-Allow-Origin"));
	/* No version in the Server header. */
	ck_assert_ptr_null(strchr(http_header(&r, "Server") ? http_header(&r, "Server") : "", '/'));
	cJSON_Delete(want);
	http_result_free(&r);
}
END_TEST

START_TEST(health_trailing_slash)
{
	struct http_result r;

	get("/api/v1/health/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "success")));
	http_result_free(&r);
}
END_TEST

START_TEST(unknown_paths_404_envelope)
{
	static const char *const paths[] = {
		"/api/v1/no-such-route", "/api/v1/health/extra", "/api/v1/",
		"/api/v2/health", "/no/such/page.html", "/vendor/", "/api/v1/health?x=1&y",
	};

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct http_result r;
		get(paths[i], &r);
		if (strcmp(paths[i], "/api/v1/health?x=1&y") == 0) {
			/* A query string never changes routing. */
			ck_assert_int_eq(r.status, 200);
		} else {
			ck_assert_msg(r.status == 404, "%s -> %d", paths[i], r.status);
			assert_error_envelope(&r, 404, NULL);
		}
		assert_no_store(&r);
		http_result_free(&r);
	}
}
END_TEST

/*
 * The web app at / on the same origin: HTML under its own CSP (scripts
 * from this origin only: no inline script, no eval; API calls to this
 * origin only), its module scripts with a JavaScript type (nosniff).
 */
START_TEST(web_app_served_with_csp)
{
	struct http_result r;
	const char *csp, *type;

	get("/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<script type=\"module\" src=\"/app/main.js\">"));
	csp = http_header(&r, "Content-Security-Policy");
	ck_assert_ptr_nonnull(csp);
	ck_assert_ptr_nonnull(strstr(csp, "default-src 'none'; script-src 'self';"));
	ck_assert_ptr_nonnull(strstr(csp, "connect-src 'self';"));
	ck_assert_ptr_null(strstr(csp, "unsafe"));
	http_result_free(&r);

	get("/app/main.js", &r);
	ck_assert_int_eq(r.status, 200);
	type = http_header(&r, "Content-Type");
	ck_assert_ptr_nonnull(type);
	ck_assert_str_eq(type, "application/javascript");
	http_result_free(&r);
}
END_TEST

/*
 * nginx answers a bare prefix of a location that reaches the workers, and
 * a directory, with a 301 to the same path plus a slash, its Location
 * built from the Host the client names.  None of them is a page: a 404
 * in the envelope, no Location.  (An absolute request target names the
 * host: httpc sends its own Host header.)
 */
START_TEST(no_redirect_from_host)
{
	static const char *const paths[] = {
		"/api/v1", "/api/v1?x=1", "http://evil.example/api/v1", "/api/v1/auth",
		"/api", "/docs/vendor", "/docs/vendor/", "http://evil.example/docs/vendor",
	};
	static const char *const pages[] = {
		"/api/v1/", "/api/v1/health", "/docs", "/docs/", "/redoc", "/redoc/",
		"/api/v1/openapi.json", "/docs/vendor/redoc/redoc.standalone.js",
	};
	struct http_result r;

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		get(paths[i], &r);
		ck_assert_msg(r.status == 404, "%s -> %d (Location: %s)", paths[i], r.status,
		    http_header(&r, "Location") ? http_header(&r, "Location") : "none");
		assert_error_envelope(&r, 404, "Not found");
		assert_no_store(&r);
		ck_assert_ptr_null(http_header(&r, "Location"));
		http_result_free(&r);
	}
	ck_assert_int_eq(http_call("POST", "/api/v1", NULL, "{}", 2, &r), 404);
	assert_error_envelope(&r, 404, "Not found");
	http_result_free(&r);

	/* What has a slash still works: the API (its 404 comes from the
	 * worker), the docs pages and their files. */
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		int want = strcmp(pages[i], "/api/v1/") == 0 ? 404 : 200;
		get(pages[i], &r);
		ck_assert_msg(r.status == want, "%s -> %d", pages[i], r.status);
		http_result_free(&r);
	}
}
END_TEST

START_TEST(wrong_method_405_with_allow)
{
	struct http_result r;

	ck_assert_int_eq(http_call("DELETE", "/api/v1/health", NULL, NULL, 0, &r), 405);
	assert_error_envelope(&r, 405, NULL);
	ck_assert_ptr_nonnull(http_header(&r, "Allow"));
	ck_assert_ptr_nonnull(strstr(http_header(&r, "Allow"), "GET"));
	assert_no_store(&r);
	http_result_free(&r);

	ck_assert_int_eq(api("PUT", "/auth/login", NULL, "{}", &r), 405);
	assert_error_envelope(&r, 405, NULL);
	ck_assert_ptr_nonnull(http_header(&r, "Allow"));
	ck_assert_ptr_nonnull(strstr(http_header(&r, "Allow"), "POST"));
	http_result_free(&r);
}
END_TEST

START_TEST(unauthenticated_401_bearer)
{
	struct http_result r;

	ck_assert_int_eq(api("GET", "/users/me", NULL, NULL, &r), 401);
	assert_error_envelope(&r, 401, NULL);
	ck_assert_ptr_nonnull(http_header(&r, "WWW-Authenticate"));
	ck_assert_str_eq(http_header(&r, "WWW-Authenticate"), "Bearer");
	assert_no_store(&r);
	http_result_free(&r);
}
END_TEST

/* ---- body size ---------------------------------------------------------- */

static void
post_size(const char *path, size_t len, struct http_result *r)
{
	static const char *const hdrs[] = { "Content-Type: application/json", NULL };
	char *body = malloc(len);

	ck_assert_ptr_nonnull(body);
	memset(body, ' ', len);
	ck_assert_int_gt(http_call("POST", path, hdrs, body, len, r), 0);
	free(body);
}

/* Exactly 1 MiB is not too large: it reaches the route (405 on health). */
START_TEST(body_of_one_mib_accepted)
{
	struct http_result r;

	post_size("/api/v1/health", ONE_MIB, &r);
	assert_error_envelope(&r, 405, NULL);
	http_result_free(&r);
}
END_TEST

/* One byte more reaches the worker (nginx allows a little more) and is
 * refused there, without the route ever running. */
START_TEST(body_over_one_mib_413_from_worker)
{
	struct http_result r;
	char path[128], *log, *line;

	marker(path, sizeof path, "/api/v1/e2e-big-");
	post_size(path, ONE_MIB + 1, &r);
	assert_error_envelope(&r, 413, "Request body too large");
	assert_no_store(&r);
	http_result_free(&r);

	log = slurp("log/access.log");
	line = line_with(log, path);
	ck_assert_msg(line != NULL, "no access.log line for %s", path);
	ck_assert_ptr_nonnull(strstr(line, "status=413"));
	free(line);
	free(log);
}
END_TEST

/* Far too large: nginx refuses it itself, still in the envelope. */
START_TEST(body_of_ten_mb_413_envelope)
{
	struct http_result r;

	post_size("/api/v1/auth/register", 10 * 1000 * 1000, &r);
	assert_error_envelope(&r, 413, "Request body too large");
	assert_no_store(&r);
	ck_assert_str_eq(http_header(&r, "X-Content-Type-Options"), "nosniff");
	http_result_free(&r);
}
END_TEST

/* ---- access log --------------------------------------------------------- */

START_TEST(access_log_one_line_no_secrets)
{
	char mark[64], path[128], target[256], token[96], auth[160], pw[64], body[256];
	char login_line[128];
	const char *hdrs[2] = { auth, NULL };
	struct http_result r;
	char *log, *line;
	int status;

	marker(mark, sizeof mark, "e2elog");
	snprintf(path, sizeof path, "/api/v1/%s", mark);
	marker(token, sizeof token, "eyJTOKENSECRET");
	marker(pw, sizeof pw, "PasswordSecret");
	snprintf(target, sizeof target, "%s?access_token=QuerySecret%s", path, mark);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);

	ck_assert_int_eq(http_call("GET", target, hdrs, NULL, 0, &r), 404);
	http_result_free(&r);
	snprintf(body, sizeof body, "{\"email\":\"%s@example.dz\",\"password\":\"%s\"}", mark, pw);
	/* 401 (no such user); whatever it is, the log must say it. */
	status = api("POST", "/auth/login", token, body, &r);
	ck_assert_int_gt(status, 0);
	snprintf(login_line, sizeof login_line, "method=POST path=/api/v1/auth/login status=%d ",
	    status);
	http_result_free(&r);

	log = slurp("log/access.log");
	ck_assert_int_eq(count_substr(log, path), 1);
	line = line_with(log, path);
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strncmp(line, "ts=", 3) == 0, "line: %s", line);
	ck_assert_ptr_nonnull(strstr(line, " method=GET "));
	ck_assert_ptr_nonnull(strstr(line, " status=404 "));
	ck_assert_ptr_nonnull(strstr(line, " us="));
	ck_assert_ptr_nonnull(strstr(line, " user=-"));
	ck_assert_ptr_nonnull(strstr(log, login_line));
	ck_assert_ptr_null(strstr(log, token));
	ck_assert_ptr_null(strstr(log, pw));
	ck_assert_ptr_null(strstr(log, "QuerySecret"));
	ck_assert_ptr_null(strstr(log, "access_token"));
	free(line);
	free(log);

	/* nginx's own log keeps query strings out too. */
	log = slurp("log/nginx-access.log");
	ck_assert_ptr_null(strstr(log, "QuerySecret"));
	ck_assert_ptr_null(strstr(log, token));
	free(log);
}
END_TEST

/* The line of the file under the data directory containing needle
 * (malloc'd), waited for: nginx writes its line after the answer. */
static char *
wait_line(const char *name, const char *needle)
{
	for (int i = 0; i < POLL_TRIES; i++) {
		char *log = slurp(name), *line = line_with(log, needle);
		free(log);
		if (line != NULL)
			return line;
		e2e_pause_ms(POLL_MS);
	}
	return NULL;
}

/* A line of nginx's access log: "METHOD path" status. */
static void
assert_nginx_line(const char *mark, const char *method, const char *path, int status)
{
	char want[512], *line = wait_line("log/nginx-access.log", mark);

	ck_assert_msg(line != NULL, "no nginx-access.log line for %s", mark);
	snprintf(want, sizeof want, "\"%s %s\" %d ", method, path, status);
	ck_assert_msg(strstr(line, want) != NULL, "want %s in: %s", want, line);
	ck_assert_msg(strstr(line, "/.med-error") == NULL, "line: %s", line);
	ck_assert_msg(strstr(line, "QuerySecret") == NULL, "line: %s", line);
	free(line);
}

/*
 * nginx answers its own errors from /.med-error, an internal redirect
 * that turns the request into GET /.med-error; its access log still
 * names the method and the path the client sent, without the query.
 */
START_TEST(nginx_errors_logged_as_sent)
{
	static const char *const json[] = { "Content-Type: application/json", NULL };
	char mark[64], path[128], target[256], *big;
	struct http_result r;
	size_t big_len = 2 * ONE_MIB;

	/* 404: no location but the catch-all. */
	marker(mark, sizeof mark, "e2engx404");
	snprintf(path, sizeof path, "/%s", mark);
	snprintf(target, sizeof target, "%s?q=QuerySecret", path);
	ck_assert_int_eq(http_call("DELETE", target, NULL, NULL, 0, &r), 404);
	assert_error_envelope(&r, 404, "Not found");
	http_result_free(&r);
	assert_nginx_line(mark, "DELETE", path, 404);

	/* 400: a NUL in the path, refused before any location. */
	marker(mark, sizeof mark, "e2engx400");
	snprintf(path, sizeof path, "/api/v1/%%00%s", mark);
	snprintf(target, sizeof target, "%s?q=QuerySecret", path);
	ck_assert_int_eq(http_call("PATCH", target, json, "{}", 2, &r), 400);
	assert_error_envelope(&r, 400, "Bad request");
	http_result_free(&r);
	assert_nginx_line(mark, "PATCH", path, 400);

	/* 413: far over nginx's cap, refused before the workers. */
	marker(mark, sizeof mark, "e2engx413");
	snprintf(path, sizeof path, "/api/v1/auth/%s", mark);
	snprintf(target, sizeof target, "%s?q=QuerySecret", path);
	big = malloc(big_len);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', big_len);
	ck_assert_int_eq(http_call("POST", target, json, big, big_len, &r), 413);
	free(big);
	assert_error_envelope(&r, 413, "Request body too large");
	http_result_free(&r);
	assert_nginx_line(mark, "POST", path, 413);
}
END_TEST

/* The path is attacker-controlled: it cannot break or fake a log line. */
START_TEST(access_log_path_sanitized)
{
	char inj[64], longp[64], target[512], tail[301], *log, *line;
	struct http_result r;

	marker(inj, sizeof inj, "e2einj");
	snprintf(target, sizeof target, "/api/v1/%s%%0Afake=1%%20status=200%%22%%09x", inj);
	get(target, &r);
	ck_assert_int_eq(r.status, 404);
	http_result_free(&r);

	marker(longp, sizeof longp, "e2elong");
	memset(tail, 'a', 300);
	tail[300] = '\0';
	snprintf(target, sizeof target, "/api/v1/%s%s", longp, tail);
	get(target, &r);
	ck_assert_int_eq(r.status, 404);
	http_result_free(&r);

	log = slurp("log/access.log");
	ck_assert_ptr_null(strstr(log, "\nfake=1"));
	line = line_with(log, inj);
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strstr(line, "?fake?1?status?200??x status=404") != NULL, "line: %s", line);
	free(line);
	line = line_with(log, longp);
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strstr(line, "aaa... status=404") != NULL, "line: %s", line);
	ck_assert_int_lt((long)strlen(line), 512);
	free(line);
	free(log);
}
END_TEST

/* ---- supervision -------------------------------------------------------- */

static pid_t
master_pid(void)
{
	char *s = slurp("run/spawn.pid");
	long pid = strtol(s, NULL, 10);

	free(s);
	ck_assert_msg(pid > 1, "no master pid in run/spawn.pid");
	ck_assert_int_eq(kill((pid_t)pid, 0), 0);
	return (pid_t)pid;
}

/* Live (non-zombie) children of parent, from /proc; returns the count. */
static int
children(pid_t parent, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		char path[300], stat[512], *p, state;
		long ppid;
		FILE *f;
		size_t len;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(stat, 1, sizeof stat - 1, f);
		fclose(f);
		stat[len] = '\0';
		if ((p = strrchr(stat, ')')) == NULL || sscanf(p + 1, " %c %ld", &state, &ppid) != 2)
			continue;
		if (ppid == (long)parent && state != 'Z' && n < max)
			out[n++] = (pid_t)atol(e->d_name);
	}
	closedir(d);
	return n;
}

static int
contains_pid(const pid_t *pids, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/* Wait (bounded) until parent has `want` children again, none of them `gone`. */
static int
wait_replaced(pid_t parent, int want, pid_t gone)
{
	pid_t kids[512];

	for (int i = 0; i < POLL_TRIES; i++) {
		int n = children(parent, kids, 512);
		if (n == want && !contains_pid(kids, n, gone))
			return 1;
		e2e_pause_ms(POLL_MS);
	}
	return 0;
}

static int
health_ok(void)
{
	for (int i = 0; i < POLL_TRIES; i++) {
		struct http_result r;
		int ok = http_call("GET", "/api/v1/health", NULL, NULL, 0, &r) == 200;
		http_result_free(&r);
		if (ok)
			return 1;
		e2e_pause_ms(POLL_MS);
	}
	return 0;
}

static void
signal_one_worker(int sig, const char *how)
{
	pid_t master = master_pid(), kids[512], victim;
	int n = children(master, kids, 512);
	char expect[128], *log;

	ck_assert_int_gt(n, 0);
	victim = kids[0];
	ck_assert_int_eq(kill(victim, sig), 0);
	ck_assert_msg(wait_replaced(master, n, victim), "worker %ld was not replaced",
	    (long)victim);
	ck_assert(health_ok());
	snprintf(expect, sizeof expect, "child %ld %s", (long)victim, how);
	log = slurp("log/worker.log");
	ck_assert_msg(strstr(log, expect) != NULL, "worker.log lacks \"%s\"", expect);
	free(log);
}

START_TEST(killed_worker_is_replaced)
{
	signal_one_worker(SIGKILL, "killed by signal 9");
}
END_TEST

/* A worker asked to stop exits cleanly (status 0) and the master, which
 * was not asked to stop, starts another. */
START_TEST(terminated_worker_exits_cleanly)
{
	signal_one_worker(SIGTERM, "exited with status 0");
}
END_TEST

/* ---- hostile FastCGI: talk to the worker socket directly ---------------- */

struct fcgi_case {
	const char *params[8];    /* "NAME=value" */
	const char *stdin_data;   /* NULL: none */
	int expect;               /* status */
};

static void
put_len(char **p, size_t n)
{
	if (n < 128) {
		*(*p)++ = (char)n;
	} else {
		*(*p)++ = (char)(0x80 | (n >> 24));
		*(*p)++ = (char)(n >> 16);
		*(*p)++ = (char)(n >> 8);
		*(*p)++ = (char)n;
	}
}

static size_t
record(char *out, int type, const char *content, size_t len)
{
	FCGI_Header h = { FCGI_VERSION_1, (unsigned char)type, 0, 1,
	    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	memcpy(out, &h, sizeof h);
	if (len > 0)
		memcpy(out + sizeof h, content, len);
	return sizeof h + len;
}

static int
fcgi_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 30, 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/run/fcgi.sock", e2e_data_dir());
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

/* Run one raw request; returns the Status of the answer. */
static int
fcgi_status(const struct fcgi_case *c, char *stdout_buf, size_t size)
{
	static const FCGI_BeginRequestBody begin = { 0, FCGI_RESPONDER, 0, { 0 } };
	char req[8192], params[4096], *p = params;
	size_t n = 0, got = 0;
	int fd = fcgi_connect(), status = -1;

	for (int i = 0; c->params[i] != NULL; i++) {
		const char *eq = strchr(c->params[i], '=');
		size_t nl = (size_t)(eq - c->params[i]), vl = strlen(eq + 1);
		put_len(&p, nl);
		put_len(&p, vl);
		memcpy(p, c->params[i], nl);
		memcpy(p + nl, eq + 1, vl);
		p += nl + vl;
	}
	n += record(req + n, FCGI_BEGIN_REQUEST, (const char *)&begin, sizeof begin);
	n += record(req + n, FCGI_PARAMS, params, (size_t)(p - params));
	n += record(req + n, FCGI_PARAMS, NULL, 0);
	if (c->stdin_data != NULL)
		n += record(req + n, FCGI_STDIN, c->stdin_data, strlen(c->stdin_data));
	n += record(req + n, FCGI_STDIN, NULL, 0);
	ck_assert_int_eq(send(fd, req, n, MSG_NOSIGNAL), (ssize_t)n);

	/* Collect FCGI_STDOUT until FCGI_END_REQUEST. */
	for (;;) {
		FCGI_Header h;
		char content[65536 + 256];
		size_t len;
		ssize_t r = recv(fd, &h, sizeof h, MSG_WAITALL);
		ck_assert_int_eq(r, (ssize_t)sizeof h);
		len = ((size_t)h.contentLengthB1 << 8 | h.contentLengthB0) + h.paddingLength;
		if (len > 0)
			ck_assert_int_eq(recv(fd, content, len, MSG_WAITALL), (ssize_t)len);
		if (h.type == FCGI_END_REQUEST)
			break;
		len -= h.paddingLength;
		if (h.type == FCGI_STDOUT && got + len < size) {
			memcpy(stdout_buf + got, content, len);
			got += len;
		}
	}
	stdout_buf[got] = '\0';
	close(fd);
	sscanf(stdout_buf, "Status: %d", &status);
	return status;
}

#define HEALTH_PARAMS "REQUEST_METHOD=GET", "DOCUMENT_URI=/api/v1/health"

/*
 * Idempotency-Key through nginx and the worker: the retry of a committed
 * write gets the first answer (status, body, the replay header) and
 * writes nothing; every answer carries an X-Request-Id.
 */
START_TEST(idempotent_retry_through_the_stack)
{
	char *admin = e2e_token("admin@example.dz", E2E_PW), auth[2100], body[256], *first;
	const char *hdrs[4], *id;
	struct http_result r;
	int before, after;

	ck_assert_ptr_nonnull(admin);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
	snprintf(body, sizeof body, "{\"patient_id\":\"3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001\","
	    "\"amount\":7.25,\"description\":\"idempotent retry\"}");
	ck_assert_int_eq(api("GET", "/api/v1/billing/patient/3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001",
	    admin, NULL, &r), 200);
	before = cJSON_GetArraySize(e2e_data(&r));
	http_result_free(&r);
	hdrs[0] = auth;
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = "Idempotency-Key: stack-retry-1";
	hdrs[3] = NULL;
	ck_assert_int_eq(http_call("POST", "/api/v1/billing", hdrs, body, strlen(body), &r), 201);
	ck_assert_ptr_null(http_header(&r, "Idempotent-Replayed"));
	ck_assert_ptr_nonnull(id = http_header(&r, "X-Request-Id"));
	ck_assert_int_eq((int)strlen(id), 32);
	first = strdup(r.body);
	http_result_free(&r);
	ck_assert_int_eq(http_call("POST", "/api/v1/billing", hdrs, body, strlen(body), &r), 201);
	ck_assert_str_eq(r.body, first);
	ck_assert_ptr_nonnull(http_header(&r, "Idempotent-Replayed"));
	http_result_free(&r);
	ck_assert_int_eq(api("GET", "/api/v1/billing/patient/3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001",
	    admin, NULL, &r), 200);
	after = cJSON_GetArraySize(e2e_data(&r));
	http_result_free(&r);
	ck_assert_int_eq(after, before + 1);
	free(first);
	free(admin);
}
END_TEST

START_TEST(fastcgi_hostile_params)
{
	static const struct fcgi_case cases[] = {
		{ { HEALTH_PARAMS, NULL }, NULL, 200 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=", NULL }, NULL, 200 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=0", NULL }, NULL, 200 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=12x", NULL }, NULL, 400 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=-1", NULL }, NULL, 400 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH= 2", NULL }, "{}", 400 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=+2", NULL }, "{}", 400 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=0x10", NULL }, NULL, 400 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=1048577", NULL }, NULL, 413 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=18446744073709551617", NULL }, NULL, 413 },
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=999999999999999999999999999999", NULL }, "{}", 413 },
		/* Says 10, sends 4, then end of stream. */
		{ { HEALTH_PARAMS, "CONTENT_LENGTH=10", NULL }, "abcd", 400 },
		{ { "DOCUMENT_URI=/api/v1/health", NULL }, NULL, 400 },
		{ { "REQUEST_METHOD=", "DOCUMENT_URI=/api/v1/health", NULL }, NULL, 400 },
		{ { "REQUEST_METHOD=GET", NULL }, NULL, 400 },
		{ { "REQUEST_METHOD=GET", "DOCUMENT_URI=api/v1/health", NULL }, NULL, 400 },
		/* Fallbacks when DOCUMENT_URI is absent. */
		{ { "REQUEST_METHOD=GET", "SCRIPT_NAME=/api/v1", "PATH_INFO=/health", NULL }, NULL, 200 },
		{ { "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/health?a=b", NULL }, NULL, 200 },
		/* A method that could split headers is just an unknown method. */
		{ { "REQUEST_METHOD=G\r\nX: y", "DOCUMENT_URI=/api/v1/health", NULL }, NULL, 405 },
	};
	char out[70000];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int status = fcgi_status(&cases[i], out, sizeof out);
		int want = cases[i].expect;
		ck_assert_msg(status == want, "case %zu: status %d, want %d\n%s",
		    i, status, want, out);
		if (status != 204)
			ck_assert_msg(strstr(out, "\r\n\r\n{\"success\":") != NULL,
			    "case %zu: no envelope:\n%s", i, out);
		ck_assert_msg(strstr(out, "Cache-Control: no-store\r\n") != NULL,
		    "case %zu: no Cache-Control", i);
	}
	/* The workers survived all of it. */
	ck_assert(health_ok());
}
END_TEST

static Suite *
stack_suite(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("http");
	TCase *sup = tcase_create("supervision");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, health_exact_envelope);
	tcase_add_test(tc, health_trailing_slash);
	tcase_add_test(tc, unknown_paths_404_envelope);
	tcase_add_test(tc, web_app_served_with_csp);
	tcase_add_test(tc, no_redirect_from_host);
	tcase_add_test(tc, wrong_method_405_with_allow);
	tcase_add_test(tc, unauthenticated_401_bearer);
	tcase_add_test(tc, body_of_one_mib_accepted);
	tcase_add_test(tc, body_over_one_mib_413_from_worker);
	tcase_add_test(tc, body_of_ten_mb_413_envelope);
	tcase_add_test(tc, access_log_one_line_no_secrets);
	tcase_add_test(tc, nginx_errors_logged_as_sent);
	tcase_add_test(tc, access_log_path_sanitized);
	tcase_add_test(tc, fastcgi_hostile_params);
	tcase_add_test(tc, idempotent_retry_through_the_stack);
	suite_add_tcase(s, tc);

	tcase_set_timeout(sup, 120);
	tcase_add_test(sup, killed_worker_is_replaced);
	tcase_add_test(sup, terminated_worker_exits_cleanly);
	suite_add_tcase(s, sup);
	return s;
}

TEST_SUITE(stack_suite)
