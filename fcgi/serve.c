/*
 * serve.c - the accept loop of a serving process: FastCGI request in,
 * adapter, med_handle(), adapter, FastCGI response out, one access.log
 * line; and the stop signals that end the loop between requests.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "adapter.h"
#include "http.h"
#include "route.h"
#include "serve.h"
#include "util.h"

/*
 * The only mutable global: set by the SIGTERM/SIGINT handler of a serving
 * process.  The pool's master uses sigtimedwait() and needs no flag at all.
 */
static volatile sig_atomic_t stop_requested;


static int
stream_read(void *arg, char *buf, int len)
{
	return FCGX_GetStr(buf, len, arg);
}

/* Write resp as a CGI response; returns the status actually sent. */
static int
write_response(FCGX_Stream *out, const struct med_resp *resp)
{
	char head[ADAPTER_HEAD_MAX];
	const char *body;
	size_t hlen, blen;
	int status = adapter_render(resp, head, &hlen, &body, &blen);

	if (hlen == 0 || FCGX_PutStr(head, (int)hlen, out) < 0)
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

/* One request, start to end: map, handle, answer, log, free. */
static void
serve_one(struct med_ctx *ctx, FCGX_Request *fr, const struct logs *lg)
{
	struct med_req req;
	struct med_resp resp;
	struct adapter_owned own = { NULL, NULL };
	struct access_entry a;
	int64_t t0 = util_mono_us();
	char id[33];

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	adapter_request_id(fr->envp, id);
	if (adapter_map(fr->envp, stream_read, fr->in, &req, &own, &resp))
		med_handle(ctx, &req, &resp);
	snprintf(resp.request_id, sizeof resp.request_id, "%s", id);
	a.status = write_response(fr->out, &resp);
	/* Every failure of ours leaves one line a person can find by the client's id. */
	if (a.status >= 500)
		elog(lg, "request=%s status=%d %s", id, a.status,
		    resp.cause[0] != '\0' ? resp.cause : "(no cause recorded)");
	/* What a committed request could not do after its commit (live updates). */
	if (resp.note[0] != '\0')
		elog(lg, "request=%s %s", id, resp.note);
	/*
	 * Flush the answer, then log, then let FCGX_Finish_r() end the
	 * request: the line is in access.log before the client sees the
	 * connection close.
	 */
	FCGX_FFlush(fr->out);
	a.method = req.method;
	a.path = req.path;
	a.us = util_mono_us() - t0;
	a.user_id = resp.user_id;
	a.request_id = id;
	(void)access_log(lg, &a);
	med_req_free(&req);
	med_resp_free(&resp);
	adapter_owned_free(&own);
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

int
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
	/*
	 * A worker respawned while the files cannot be opened (read-only,
	 * I/O errors) still serves: it answers 503 and reopens the database
	 * once a second, so the pool keeps answering and recovers by itself.
	 * Anything else (a schema to migrate, below: no keys) stops it.
	 */
	if ((e = med_ctx_open(&ctx, cfg, 0)) != MED_OK) {
		if (e != MED_ESTORAGE && e != MED_EIO && e != MED_EFULL) {
			elog(lg, "cannot open %s: %s", cfg->db_path, med_strerror(e));
			close(lg->access_fd);
			return 1;
		}
		elog(lg, "database %s unavailable (%s): answering 503 until it opens",
		    cfg->db_path, med_strerror(e));
	} else if (ctx.readonly) {
		elog(lg, "database %s opened read-only (its files are not writable): writes answer"
		    " 503 until it can be reopened for writing", cfg->db_path);
	}
	/*
	 * Never create the keys here: a worker that made its own would sign
	 * tokens the other workers refuse.  They come from medadm init, or
	 * from the pool's master before it forked us.
	 */
	if ((e = med_ctx_load_secrets(&ctx, 0)) != MED_OK) {
		elog(lg, "refusing to serve: JWT keys in %s/secrets: %s; workers never create "
		    "them: run medadm init", cfg->data_dir,
		    e == MED_ENOTFOUND ? "missing" : med_strerror(e));
		med_ctx_close(&ctx);
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
