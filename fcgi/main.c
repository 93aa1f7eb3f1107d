/*
 * medfcgi - the FastCGI worker: FastCGI parameters in, struct med_req to
 * med_handle(), struct med_resp back out as a CGI response.
 *
 *   medfcgi [-w N | --workers N | --single]
 *
 * Started by spawn-fcgi with the listening socket on fd 0.  With N > 0
 * (default MED_WORKERS, else 2 * online CPUs) this process becomes a
 * master supervising N children (see medfcgi.h); -w 0 or --single serves
 * in the foreground process, which is what valgrind wants.
 *
 * Everything nginx sends is treated as hostile: parameters may be missing
 * or malformed, CONTENT_LENGTH may lie, and the path ends up in a log file.
 *
 * spawn-fcgi points stdout and stderr at /dev/null, so diagnostics go to
 * <data_dir>/log/worker.log and one line per request to access.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "http.h"
#include "med.h"
#include "route.h"
#include "medfcgi.h"

/*
 * The only mutable global: set by the SIGTERM/SIGINT handler of a serving
 * process.  The master uses sigtimedwait() and needs no flag at all.
 */
static volatile sig_atomic_t stop_requested;

static const char fallback_500[] =
    "{\"success\":false,\"data\":null,\"message\":\"Internal server error\"}";

/* ---- time --------------------------------------------------------------- */

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* "2026-11-25T10:00:00.123Z"; always UTC whatever TZ (CLINIC_TZ) says. */
static void
utc_stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    (n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* ---- logging ------------------------------------------------------------ */

/* Open <data_dir>/log/<name> for appending, creating the directory. */
static int
log_open(const char *data_dir, const char *name, int *fd)
{
	char dir[MED_PATH_MAX + 8], path[MED_PATH_MAX + 64];

	*fd = -1;
	if ((size_t)snprintf(dir, sizeof dir, "%s/log", data_dir) >= sizeof dir ||
	    (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -1;
	*fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return *fd < 0 ? -1 : 0;
}

/*
 * One line, one write(2): O_APPEND makes concurrent lines from several
 * processes land whole.  A failing log never fails a request.
 */
static int
log_write(int fd, const char *line, size_t len)
{
	ssize_t n;

	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/* worker.log: "ts=... pid=... <message>". */
static void elog(const struct logs *lg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
elog(const struct logs *lg, const char *fmt, ...)
{
	char line[1024], ts[40];
	va_list ap;
	int n, m;

	utc_stamp(ts, sizeof ts);
	n = snprintf(line, sizeof line, "ts=%s pid=%ld ", ts, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	(void)log_write(lg->error_fd >= 0 ? lg->error_fd : STDERR_FILENO, line, (size_t)n);
}

/*
 * Copy an attacker-controlled string for a log line: anything that could
 * split the line or fake a field (controls, space, quotes, backslash,
 * non-ASCII) becomes '?', and long values are cut and marked with "...".
 */
static void
log_clean(char *dst, size_t size, const char *src, size_t max)
{
	size_t i = 0;

	if (src == NULL || *src == '\0')
		src = "-";
	if (max > size - 4)
		max = size - 4;
	for (; src[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' ||
		    c == '\\' || c == '=') ? '?' : (char)c;
	}
	if (src[i] != '\0') {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

/* What the access log records of one request: never the query string,
 * headers or body, where tokens and passwords travel. */
struct access_entry {
	const char *method;
	const char *path;
	int status;
	int64_t us;
	const char *user_id;
};

static int
access_log(const struct logs *lg, const struct access_entry *a)
{
	char line[MEDFCGI_LOG_PATH_MAX + 256], ts[40];
	char method[MEDFCGI_LOG_METHOD_MAX + 4], path[MEDFCGI_LOG_PATH_MAX + 4];
	char user[MED_UUID_LEN + 4];
	int n;

	if (lg->access_fd < 0)
		return -1;
	utc_stamp(ts, sizeof ts);
	log_clean(method, sizeof method, a->method, MEDFCGI_LOG_METHOD_MAX);
	log_clean(path, sizeof path, a->path, MEDFCGI_LOG_PATH_MAX);
	log_clean(user, sizeof user, a->user_id, MED_UUID_LEN);
	n = snprintf(line, sizeof line, "ts=%s pid=%ld method=%s path=%s status=%d us=%lld user=%s\n",
	    ts, (long)getpid(), method, path, a->status, (long long)a->us, user);
	if (n < 0 || (size_t)n >= sizeof line)
		return -1;
	return log_write(lg->access_fd, line, (size_t)n);
}

/* ---- request ------------------------------------------------------------ */

enum cl_result { CL_OK, CL_BAD, CL_TOO_BIG };

/*
 * CONTENT_LENGTH: absent or empty means 0; otherwise digits only (no sign,
 * no blanks).  The value saturates just above MEDFCGI_DRAIN_MAX, so no
 * input can overflow it.
 */
static enum cl_result
parse_content_length(const char *s, size_t *len)
{
	size_t n = 0;

	*len = 0;
	if (s == NULL || *s == '\0')
		return CL_OK;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return CL_BAD;
		if (n <= MEDFCGI_DRAIN_MAX)
			n = n * 10 + (size_t)(*s - '0');
	}
	*len = n;
	return n > MED_BODY_MAX ? CL_TOO_BIG : CL_OK;
}

/* Read and discard up to MEDFCGI_DRAIN_MAX bytes, in bounded chunks. */
static void
drain_body(FCGX_Stream *in, size_t len)
{
	char buf[16384];
	size_t left = len > MEDFCGI_DRAIN_MAX ? MEDFCGI_DRAIN_MAX : len;

	while (left > 0) {
		int want = left < sizeof buf ? (int)left : (int)sizeof buf;
		int n = FCGX_GetStr(buf, want, in);
		if (n <= 0)
			break;
		left -= (size_t)n;
	}
}

/* Exactly len bytes into a malloc'd, NUL-terminated buffer (NULL for 0).
 * Returns 0, -1 on a short read, -2 when out of memory. */
static int
read_body(FCGX_Stream *in, size_t len, char **body)
{
	size_t got = 0;
	char *buf;

	*body = NULL;
	if (len == 0)
		return 0;
	if ((buf = malloc(len + 1)) == NULL)
		return -2;
	while (got < len) {
		size_t want = len - got;
		int n = FCGX_GetStr(buf + got, want > INT_MAX ? INT_MAX : (int)want, in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != len) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*body = buf;
	return 0;
}

static const char *
param(FCGX_Request *fr, const char *name)
{
	return FCGX_GetParam(name, fr->envp);
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/*
 * The request path, without query string, malloc'd: DOCUMENT_URI (nginx's
 * normalised $uri), else SCRIPT_NAME + PATH_INFO, else REQUEST_URI up to
 * '?'.  Returns 0, -1 when none is usable, -2 when out of memory.
 */
static int
request_path(FCGX_Request *fr, char **path)
{
	const char *doc = param(fr, "DOCUMENT_URI");
	const char *sn = param(fr, "SCRIPT_NAME"), *pi = param(fr, "PATH_INFO");
	const char *uri = param(fr, "REQUEST_URI");

	*path = NULL;
	if (nonempty(doc)) {
		*path = strdup(doc);
	} else if (nonempty(sn) || nonempty(pi)) {
		size_t a = nonempty(sn) ? strlen(sn) : 0, b = nonempty(pi) ? strlen(pi) : 0;
		if ((*path = malloc(a + b + 1)) != NULL) {
			memcpy(*path, a > 0 ? sn : "", a);
			memcpy(*path + a, b > 0 ? pi : "", b);
			(*path)[a + b] = '\0';
		}
	} else if (nonempty(uri)) {
		*path = strndup(uri, strcspn(uri, "?"));
	} else {
		return -1;
	}
	if (*path == NULL)
		return -2;
	return (*path)[0] == '/' ? 0 : -1;
}

/* Strings of one request the adapter owns (struct med_req borrows them). */
struct owned {
	char *path;
	char *body;
};

/* Answer with an error envelope instead of dispatching; returns 0. */
static int
reject(struct med_resp *resp, int status, const char *message)
{
	if (status == 503)
		med_fail(resp, MED_ENOMEM);
	else
		med_error(resp, status, message);
	return 0;
}

/*
 * Fill req from the FastCGI parameters and body.  Returns 1 when the
 * request is ready for med_handle(), 0 when resp already holds the answer
 * (400 malformed, 413 too large, 503 out of memory).
 */
static int
map_request(FCGX_Request *fr, struct med_req *req, struct owned *own, struct med_resp *resp)
{
	size_t len;
	int rc;

	req->method = param(fr, "REQUEST_METHOD");
	req->query = param(fr, "QUERY_STRING");
	req->authorization = param(fr, "HTTP_AUTHORIZATION");
	req->refresh_header = param(fr, "HTTP_X_REFRESH_TOKEN");
	req->content_type = param(fr, "CONTENT_TYPE");
	req->origin = param(fr, "HTTP_ORIGIN");
	req->remote_addr = param(fr, "REMOTE_ADDR");

	rc = request_path(fr, &own->path);
	req->path = own->path;
	if (rc == -2)
		return reject(resp, 503, NULL);
	if (rc != 0 || !nonempty(req->method))
		return reject(resp, 400, "Bad request");

	switch (parse_content_length(param(fr, "CONTENT_LENGTH"), &len)) {
	case CL_BAD:
		return reject(resp, 400, "Bad request");
	case CL_TOO_BIG:
		drain_body(fr->in, len);
		return reject(resp, 413, "Request body too large");
	case CL_OK:
		break;
	}
	rc = read_body(fr->in, len, &own->body);
	if (rc == -2)
		return reject(resp, 503, NULL);
	if (rc != 0)
		return reject(resp, 400, "Incomplete request body");
	req->body = own->body;
	req->body_len = len;
	return 1;
}

/* ---- response ----------------------------------------------------------- */

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
}

/* A header value must be printable ASCII: nothing may split the header. */
static int
header_value_ok(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return 0;
	return 1;
}

/* Append "Name: value\r\n" to head; 0 on success (or skipped), -1 if full. */
static int
header_add(char *head, size_t size, size_t *len, const char *name, const char *value)
{
	int n;

	if (!header_value_ok(value))
		return 0;
	n = snprintf(head + *len, size - *len, "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

static int
response_head(char *head, size_t size, size_t *len, const struct med_resp *resp,
    int status, size_t body_len)
{
	char num[32];
	int n = snprintf(head, size, "Status: %d %s\r\n", status, reason_phrase(status));

	if (n < 0 || (size_t)n >= size)
		return -1;
	*len = (size_t)n;
	/* Medical data: no cache, shared or private, may keep any answer. */
	if (header_add(head, size, len, "Cache-Control", "no-store") != 0)
		return -1;
	if (body_len > 0) {
		snprintf(num, sizeof num, "%zu", body_len);
		if (header_add(head, size, len, "Content-Type", "application/json") != 0 ||
		    header_add(head, size, len, "Content-Length", num) != 0)
			return -1;
	}
	if (resp->allow[0] != '\0' && header_add(head, size, len, "Allow", resp->allow) != 0)
		return -1;
	if (resp->www_authenticate && header_add(head, size, len, "WWW-Authenticate", "Bearer") != 0)
		return -1;
	if (resp->retry_after > 0) {
		snprintf(num, sizeof num, "%d", resp->retry_after);
		if (header_add(head, size, len, "Retry-After", num) != 0)
			return -1;
	}
	if (resp->cors_origin[0] != '\0' && header_value_ok(resp->cors_origin) &&
	    (header_add(head, size, len, "Access-Control-Allow-Origin", resp->cors_origin) != 0 ||
	    header_add(head, size, len, "Vary", "Origin") != 0))
		return -1;
	/* A preflight the library approved: say what the real request may use. */
	if (resp->preflight && resp->cors_origin[0] != '\0' &&
	    (header_add(head, size, len, "Access-Control-Allow-Methods",
	    resp->allow[0] != '\0' ? resp->allow : "GET, POST, PATCH, DELETE") != 0 ||
	    header_add(head, size, len, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, X-Refresh-Token") != 0 ||
	    header_add(head, size, len, "Access-Control-Max-Age", "600") != 0))
		return -1;
	if (*len + 2 >= size)
		return -1;
	memcpy(head + *len, "\r\n", 3);
	*len += 2;
	return 0;
}

/*
 * Write resp as a CGI response; a response the library left unusable
 * (status 0, or no body where one is due) becomes a 500 envelope.
 * Returns the status actually sent.
 */
static int
write_response(FCGX_Stream *out, const struct med_resp *resp)
{
	static const struct med_resp bare;
	char head[1024];
	const char *body = resp->body;
	int status = resp->status;
	size_t hlen, blen;

	if (status < 200 || status > 599 || (status != 204 && body == NULL)) {
		status = 500;
		body = fallback_500;
		resp = &bare;
	}
	if (status == 204)
		body = NULL;
	blen = body != NULL ? strlen(body) : 0;
	if (response_head(head, sizeof head, &hlen, resp, status, blen) != 0) {
		status = 500;
		body = fallback_500;
		blen = strlen(body);
		if (response_head(head, sizeof head, &hlen, &bare, status, blen) != 0)
			return status;
	}
	if (FCGX_PutStr(head, (int)hlen, out) < 0)
		return status;
	while (blen > 0) {
		int chunk = blen > INT_MAX ? INT_MAX : (int)blen;
		if (FCGX_PutStr(body, chunk, out) < 0)
			break;
		body += chunk;
		blen -= (size_t)chunk;
	}
	return status;
}

/* ---- serving ------------------------------------------------------------ */

/* One request, start to end: map, handle, answer, log, free. */
static void
serve_one(struct med_ctx *ctx, FCGX_Request *fr, const struct logs *lg)
{
	struct med_req req;
	struct med_resp resp;
	struct owned own = { NULL, NULL };
	struct access_entry a;
	int64_t t0 = mono_us();

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	if (map_request(fr, &req, &own, &resp))
		med_handle(ctx, &req, &resp);
	a.status = write_response(fr->out, &resp);
	/*
	 * Flush the answer, then log, then let FCGX_Finish_r() end the
	 * request: the line is in access.log before the client sees the
	 * connection close.
	 */
	FCGX_FFlush(fr->out);
	a.method = req.method;
	a.path = req.path;
	a.us = mono_us() - t0;
	a.user_id = resp.user_id;
	(void)access_log(lg, &a);
	med_req_free(&req);
	med_resp_free(&resp);
	free(own.path);
	free(own.body);
}

/*
 * SIGTERM/SIGINT in a serving process.  Closing our copy of the listening
 * socket makes an accept() that is about to start fail at once, which
 * closes the window between testing the flag and blocking in accept().
 * Other processes keep their own descriptor of the socket.
 */
static void
on_stop(int sig)
{
	int saved = errno;

	(void)sig;
	stop_requested = 1;
	close(FCGI_LISTENSOCK_FILENO);
	errno = saved;
}

/*
 * Install the stop handler without SA_RESTART (accept() must return
 * EINTR), ignore SIGPIPE (a client gone mid-answer is an error return,
 * not death) and block the stop signals: they are let in only while
 * waiting in accept(), so a request in progress always completes.
 */
static int
serving_signals(sigset_t *stopset)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &sa, NULL) != 0 || sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	sigemptyset(stopset);
	sigaddset(stopset, SIGTERM);
	sigaddset(stopset, SIGINT);
	return sigprocmask(SIG_SETMASK, stopset, NULL);
}

/* Accept and serve until asked to stop.  Returns the exit status. */
static int
serve_loop(struct med_ctx *ctx, FCGX_Request *fr, const struct logs *lg,
    const sigset_t *stopset)
{
	for (;;) {
		int rc;

		if (sigprocmask(SIG_UNBLOCK, stopset, NULL) != 0)
			return 1;
		rc = stop_requested ? -EINTR : FCGX_Accept_r(fr);
		if (sigprocmask(SIG_BLOCK, stopset, NULL) != 0)
			return 1;
		if (rc < 0 && stop_requested)
			return 0;
		if (rc == -EINTR)
			continue;
		if (rc < 0) {
			elog(lg, "accept failed: %s", rc > -4096 ? strerror(-rc) : "libfcgi error");
			return 1;
		}
		serve_one(ctx, fr, lg);
		FCGX_Finish_r(fr);
	}
}

/* A serving process: own context, own access log, serve, clean up. */
static int
serve(const struct med_config *cfg, struct logs *lg)
{
	struct med_ctx ctx;
	FCGX_Request fr;
	sigset_t stopset;
	enum med_err e;
	int rc;

	if (serving_signals(&stopset) != 0) {
		elog(lg, "signal setup failed: %s", strerror(errno));
		return 1;
	}
	if (log_open(cfg->data_dir, "access.log", &lg->access_fd) != 0) {
		elog(lg, "cannot open access log under %s/log: %s", cfg->data_dir, strerror(errno));
		return 1;
	}
	if ((e = med_ctx_open(&ctx, cfg, 0)) != MED_OK) {
		elog(lg, "cannot open %s: %s", cfg->db_path, med_strerror(e));
		close(lg->access_fd);
		return 1;
	}
	if (FCGX_InitRequest(&fr, FCGI_LISTENSOCK_FILENO, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		elog(lg, "FCGX_InitRequest failed");
		rc = 1;
	} else {
		rc = serve_loop(&ctx, &fr, lg, &stopset);
		FCGX_Free(&fr, 1);
	}
	med_ctx_close(&ctx);
	close(lg->access_fd);
	lg->access_fd = -1;
	return rc;
}

/* ---- master ------------------------------------------------------------- */

struct master {
	const struct med_config *cfg;
	struct logs *lg;
	struct slot *slots;
	int n;
	pid_t pid;
	sigset_t sigs;   /* blocked; taken with sigtimedwait() */
};

static void
on_chld(int sig)
{
	(void)sig;   /* only there so SIGCHLD is never discarded */
}

static int
master_signals(struct master *m)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_chld;
	if (sigaction(SIGCHLD, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -1;
	sigemptyset(&m->sigs);
	sigaddset(&m->sigs, SIGCHLD);
	sigaddset(&m->sigs, SIGTERM);
	sigaddset(&m->sigs, SIGINT);
	sigaddset(&m->sigs, SIGHUP);
	return sigprocmask(SIG_BLOCK, &m->sigs, NULL);
}

/* In the child after fork(): die with the master, then serve. */
static int
child_main(struct master *m)
{
	int rc;

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != m->pid)
		return 1;
	rc = serve(m->cfg, m->lg);
	free(m->slots);
	return rc;
}

static void
slot_start(struct master *m, struct slot *s)
{
	pid_t pid = fork();

	if (pid == 0)
		exit(child_main(m));   /* exit(), not _exit(): sanitizers report at exit */
	if (pid < 0) {
		elog(m->lg, "fork failed: %s", strerror(errno));
		s->fails++;
		s->restart_ms = mono_ms() + MEDFCGI_BACKOFF_MAX_MS;
		return;
	}
	s->pid = pid;
	s->started_ms = mono_ms();
	s->restart_ms = 0;
}

/* Restart at once after a normal death; back off after fast deaths. */
static int64_t
backoff_ms(unsigned fails)
{
	int64_t d = MEDFCGI_BACKOFF_MIN_MS;

	if (fails == 0)
		return 0;
	while (--fails > 0 && d < MEDFCGI_BACKOFF_MAX_MS)
		d *= 2;
	return d < MEDFCGI_BACKOFF_MAX_MS ? d : MEDFCGI_BACKOFF_MAX_MS;
}

static void
log_death(const struct master *m, pid_t pid, int st)
{
	if (WIFSIGNALED(st))
		elog(m->lg, "child %ld killed by signal %d (%s)", (long)pid,
		    WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		elog(m->lg, "child %ld exited with status %d", (long)pid,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* Collect dead children; schedule restarts unless stopping.  Returns the
 * number of children still running. */
static int
reap(struct master *m, int stopping)
{
	int st, live = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < m->n; i++) {
			struct slot *s = &m->slots[i];
			if (s->pid != pid)
				continue;
			log_death(m, pid, st);
			s->pid = 0;
			if (stopping)
				break;
			s->fails = mono_ms() - s->started_ms < MEDFCGI_FAST_DEATH_MS ? s->fails + 1 : 0;
			s->restart_ms = mono_ms() + backoff_ms(s->fails);
			if (s->fails > 0)
				elog(m->lg, "child died %u time(s) right after start; restart in %lld ms",
				    s->fails, (long long)backoff_ms(s->fails));
		}
	}
	for (int i = 0; i < m->n; i++)
		live += m->slots[i].pid != 0;
	return live;
}

/* Start the children that are due; return ms until the next one is (-1: none). */
static int64_t
start_due(struct master *m)
{
	int64_t next = -1, now = mono_ms();

	for (int i = 0; i < m->n; i++) {
		struct slot *s = &m->slots[i];
		if (s->pid != 0 || s->restart_ms == 0)
			continue;
		if (s->restart_ms <= now)
			slot_start(m, s);
		if (s->pid == 0 && (next < 0 || s->restart_ms - now < next))
			next = s->restart_ms > now ? s->restart_ms - now : 0;
	}
	return next;
}

/* Wait up to ms (forever if < 0) for one of m->sigs; returns it, or 0. */
static int
wait_signal(const struct master *m, int64_t ms)
{
	struct timespec ts;
	int sig;

	if (ms < 0)
		sig = sigwaitinfo(&m->sigs, NULL);
	else {
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		sig = sigtimedwait(&m->sigs, NULL, &ts);
	}
	return sig < 0 ? 0 : sig;
}

static void
signal_all(const struct master *m, int sig)
{
	for (int i = 0; i < m->n; i++)
		if (m->slots[i].pid > 0)
			kill(m->slots[i].pid, sig);
}

/* SIGTERM every child, repeat it while they linger, SIGKILL after the grace. */
static void
stop_children(struct master *m)
{
	int64_t deadline = mono_ms() + MEDFCGI_STOP_GRACE_MS;

	signal_all(m, SIGTERM);
	while (reap(m, 1) > 0) {
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			elog(m->lg, "children still running after %d ms; killing them",
			    MEDFCGI_STOP_GRACE_MS);
			signal_all(m, SIGKILL);
			deadline = INT64_MAX;
			left = MEDFCGI_STOP_NUDGE_MS;
		}
		if (wait_signal(m, left < MEDFCGI_STOP_NUDGE_MS ? left : MEDFCGI_STOP_NUDGE_MS) == 0 &&
		    deadline != INT64_MAX)
			signal_all(m, SIGTERM);
	}
}

static int
master_run(const struct med_config *cfg, struct logs *lg, int n)
{
	struct master m = { cfg, lg, NULL, n, getpid() };
	int sig = 0;

	if (master_signals(&m) != 0) {
		elog(lg, "signal setup failed: %s", strerror(errno));
		return 1;
	}
	if ((m.slots = calloc((size_t)n, sizeof *m.slots)) == NULL) {
		elog(lg, "out of memory");
		return 1;
	}
	elog(lg, "master starting %d workers", n);
	for (int i = 0; i < n; i++)
		m.slots[i].restart_ms = 1;   /* due now */
	while (sig != SIGTERM && sig != SIGINT && sig != SIGHUP) {
		reap(&m, 0);
		sig = wait_signal(&m, start_due(&m));
	}
	elog(lg, "master stopping on signal %d", sig);
	stop_children(&m);
	free(m.slots);
	elog(lg, "master stopped");
	return 0;
}

/* ---- start-up ----------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f, "usage: medfcgi [-w N | --workers N | --single]\n"
	    "Run under spawn-fcgi (listening socket on fd 0).  N worker processes\n"
	    "(default $MED_WORKERS, else 2 per CPU); 0 or --single serves in the\n"
	    "foreground process.  Logs go to $MED_DATA_DIR/log/.\n");
}

/* A worker count: digits only, 0..MEDFCGI_MAX_WORKERS. */
static int
parse_workers(const char *s, int *n)
{
	long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > MEDFCGI_MAX_WORKERS)
			return -1;
	}
	*n = (int)v;
	return 0;
}

static int
default_workers(int *n)
{
	const char *env = getenv("MED_WORKERS");
	long cpus;

	if (env != NULL && *env != '\0')
		return parse_workers(env, n);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	*n = cpus * 2 > MEDFCGI_MAX_WORKERS ? MEDFCGI_MAX_WORKERS : (int)(cpus * 2);
	return 0;
}

/* Returns 0 to run, 1 to exit 0 (help), -1 on a usage error. */
static int
parse_args(int argc, char **argv, int *workers)
{
	if (default_workers(workers) != 0) {
		fprintf(stderr, "medfcgi: MED_WORKERS must be 0..%d\n", MEDFCGI_MAX_WORKERS);
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--single") == 0) {
			*workers = 0;
		} else if ((strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--workers") == 0) &&
		    i + 1 < argc) {
			if (parse_workers(argv[++i], workers) != 0) {
				fprintf(stderr, "medfcgi: worker count must be 0..%d\n",
				    MEDFCGI_MAX_WORKERS);
				return -1;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 1;
		} else {
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

/*
 * Open and close the database once before forking, so a missing or
 * unreadable database stops the start-up with one clear log line instead
 * of a stream of dying children (and first-start secrets are created by
 * one process).  The connection is closed before any fork.
 */
static int
probe_database(const struct med_config *cfg, const struct logs *lg)
{
	struct med_ctx ctx;
	enum med_err e;

	if ((e = med_ctx_open(&ctx, cfg, 0)) != MED_OK) {
		elog(lg, "cannot open database %s: %s", cfg->db_path, med_strerror(e));
		return -1;
	}
	med_ctx_close(&ctx);
	return 0;
}

int
main(int argc, char **argv)
{
	struct med_config cfg;
	struct logs lg = { -1, -1 };
	enum med_err e;
	sigset_t early;
	int workers, rc;

	if ((rc = parse_args(argc, argv, &workers)) != 0)
		return rc > 0 ? 0 : 2;
	if ((e = med_config_from_env(&cfg)) != MED_OK) {
		fprintf(stderr, "medfcgi: configuration: %s\n", med_strerror(e));
		return 1;
	}
	if (log_open(cfg.data_dir, "worker.log", &lg.error_fd) != 0)
		fprintf(stderr, "medfcgi: cannot open %s/log/worker.log: %s\n",
		    cfg.data_dir, strerror(errno));
	/*
	 * FCGX_Init() installs libfcgi's own signal handlers; a stop request
	 * arriving before ours are in place must stay pending, not be
	 * swallowed, so the stop signals are blocked from the start.
	 */
	sigemptyset(&early);
	sigaddset(&early, SIGTERM);
	sigaddset(&early, SIGINT);
	sigaddset(&early, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &early, NULL) != 0) {
		elog(&lg, "sigprocmask: %s", strerror(errno));
		rc = 1;
	} else if (FCGX_Init() != 0 || FCGX_IsCGI()) {
		elog(&lg, "fd 0 is not a FastCGI listening socket: start medfcgi with spawn-fcgi");
		rc = 1;
	} else if (probe_database(&cfg, &lg) != 0) {
		rc = 1;
	} else if (workers == 0) {
		elog(&lg, "serving in the foreground (single process)");
		rc = serve(&cfg, &lg);
	} else {
		rc = master_run(&cfg, &lg, workers);
	}
	if (lg.error_fd >= 0)
		close(lg.error_fd);
	return rc;
}
