/*
 * outbox.c - medadm's outbox commands: the sender (`outbox run --once`
 * from cron, `outbox run --loop` as a service) and, for the administrator,
 * `outbox list` and `outbox retry`.
 *
 * Signals belong to the program, not to lib/: the sender blocks SIGTERM
 * and SIGINT from the start and only looks at them between two messages
 * and while it waits, so a stop never cuts a delivery in half and none
 * can slip in between a check and the wait (sigtimedwait).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "medadm.h"
#include "notify.h"
#include "outbox.h"
#include "util.h"

#define INTERVAL_DEFAULT 5
#define INTERVAL_MAX 3600
/* The loop forgets old delivered rows at most this often. */
#define FORGET_EVERY 3600
#define LIST_DEFAULT 50
#define LIST_MAX 100000

/* The signals that stop the sender. */
static void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

/* outbox_hooks.stop: a stop signal is pending. */
static int
stop_requested(void *arg)
{
	sigset_t pending;

	(void)arg;
	if (sigpending(&pending) != 0)
		return 0;
	return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

/* outbox_hooks.report: one log line per message; never its parameters. */
static void
log_event(void *arg, const struct outbox_event *ev)
{
	char when[32];

	(void)arg;
	if (strcmp(ev->outcome, "retry") == 0 || strcmp(ev->outcome, "deferred") == 0) {
		util_fmt_instant(ev->next_attempt_at, when);
		printf("outbox: #%lld %s %s (attempt %d), next at %s%s%s\n", (long long)ev->id,
		    ev->kind, ev->outcome, ev->attempts, when, ev->error[0] != '\0' ? ": " : "",
		    ev->error);
	} else {
		printf("outbox: #%lld %s %s (attempt %d)%s%s\n", (long long)ev->id, ev->kind,
		    ev->outcome, ev->attempts, ev->error[0] != '\0' ? ": " : "", ev->error);
	}
	fflush(stdout);
}

static void
print_stats(const struct outbox_stats *s)
{
	printf("outbox: %d sent, %d to retry, %d dead, %d deferred, %d expired\n", s->sent,
	    s->retried, s->dead, s->deferred, s->expired);
	fflush(stdout);
}

/* Delivered and dead rows older than OUTBOX_KEEP_DAYS go. */
static void
forget_old(struct adm *a)
{
	enum med_err e;
	int n;

	e = outbox_forget_old(&a->ctx, med_now(&a->ctx) - (int64_t)OUTBOX_KEEP_DAYS * 86400, &n);
	if (e != MED_OK)
		fprintf(stderr, "medadm: outbox: forgetting old messages: %s\n", med_strerror(e));
	else if (n > 0)
		printf("outbox: forgot %d messages older than %d days\n", n, OUTBOX_KEEP_DAYS);
}

/* RESET_MAIL_COMMAND still works for reset mails, but says it is on its way out. */
static void
warn_deprecated(const struct med_mail_config *m)
{
	const char *legacy = getenv("RESET_MAIL_COMMAND");

	if (m->reset_command[0] != '\0')
		fprintf(stderr, "medadm: RESET_MAIL_COMMAND is deprecated: reset mails still go "
		    "through it (address as $1, token on stdin) until MAIL_COMMAND is set to a "
		    "sendmail-compatible command\n");
	else if (legacy != NULL && *legacy != '\0')
		fprintf(stderr, "medadm: RESET_MAIL_COMMAND is ignored: MAIL_COMMAND is set\n");
}

/*
 * One pass: write the reminders that came due (notify.h), index the
 * audit's list reads (audit.h), then send.  A failing scheduler does not
 * hold back the messages already queued.
 */
static int
run_pass(struct adm *a, const struct outbox_hooks *h, struct outbox_stats *s)
{
	enum med_err e;
	int n;

	if ((e = notify_reminders(&a->ctx, &n)) != MED_OK)
		fprintf(stderr, "medadm: outbox: reminders: %s\n", med_strerror(e));
	else if (n > 0)
		printf("outbox: %d reminders due\n", n);
	/* Housekeeping of the same pass: the audit's "who saw what" index. */
	if ((e = audit_index(&a->ctx, AUDIT_INDEX_BATCH, &n)) != MED_OK)
		fprintf(stderr, "medadm: outbox: audit index: %s\n", med_strerror(e));
	e = outbox_run(&a->ctx, h, s);
	if (e != MED_OK) {
		fprintf(stderr, "medadm: outbox: %s\n", med_strerror(e));
		return ADM_FAIL;
	}
	return ADM_OK;
}

/*
 * Wait up to seconds for a stop signal; 1 if one came.  Other wake-ups
 * (EINTR) just end the wait early: the next pass finds nothing due.
 */
static int
wait_for_stop(int seconds)
{
	struct timespec ts = { seconds, 0 };
	sigset_t stops;

	stop_signals(&stops);
	return sigtimedwait(&stops, NULL, &ts) > 0;
}

/* The service: a pass every interval seconds until a stop signal. */
static int
run_loop(struct adm *a, const struct outbox_hooks *h, int interval)
{
	struct outbox_stats s;
	int64_t forgotten = med_now(&a->ctx);

	printf("outbox: sender started, polling every %d s\n", interval);
	fflush(stdout);
	for (;;) {
		/* A failed pass (say, the database busy) is logged; the next one tries again. */
		(void)run_pass(a, h, &s);
		if (stop_requested(NULL) || wait_for_stop(interval))
			break;
		if (med_now(&a->ctx) - forgotten >= FORGET_EVERY) {
			forget_old(a);
			forgotten = med_now(&a->ctx);
		}
	}
	printf("outbox: sender stopped\n");
	fflush(stdout);
	return ADM_OK;
}

/* --interval's value: 1 .. INTERVAL_MAX. */
static int
parse_interval(const char *s, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || n < 1 || n > INTERVAL_MAX)
		return 0;
	*out = (int)n;
	return 1;
}

int
cmd_outbox_run(struct adm *a, int argc, char **argv)
{
	struct outbox_hooks hooks = { stop_requested, log_event, NULL };
	struct outbox_stats s;
	int once = 0, loop = 0, interval = INTERVAL_DEFAULT, rc;
	const char *val;
	sigset_t stops;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--loop") == 0)
			loop = 1;
		else if ((rc = adm_opt(argc, argv, &i, "--interval", &val)) != 0) {
			if (rc < 0 || !parse_interval(val, &interval))
				return ADM_USAGE;
		} else
			return ADM_USAGE;
	}
	if (once == loop)
		return ADM_USAGE;
	stop_signals(&stops);
	if (sigprocmask(SIG_BLOCK, &stops, NULL) != 0)
		return adm_fail("outbox: signals", MED_EIO);
	warn_deprecated(&a->cfg.mail);
	forget_old(a);
	if (loop)
		return run_loop(a, &hooks, interval);
	if ((rc = run_pass(a, &hooks, &s)) == ADM_OK)
		print_stats(&s);
	return rc;
}

/* Column text of a list row ("-" for null). */
static const char *
field(const cJSON *row, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, name);

	return cJSON_IsString(v) ? v->valuestring : "-";
}

/* Integer column of a list row (0 for null). */
static long long
number(const cJSON *row, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, name);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static void
print_list(const cJSON *rows)
{
	const cJSON *r;

	printf("%-6s %-8s %-16s %-8s %-20s %-20s %s\n", "ID", "STATUS", "KIND", "ATTEMPTS",
	    "CREATED", "NEXT/SENT", "RECIPIENT");
	cJSON_ArrayForEach(r, rows) {
		const char *status = field(r, "status");
		printf("%-6lld %-8s %-16s %-8lld %-20s %-20s %s\n", number(r, "id"), status,
		    field(r, "kind"), number(r, "attempts"), field(r, "created_at"),
		    strcmp(status, "sent") == 0 ? field(r, "sent_at") :
		    strcmp(status, "pending") == 0 ? field(r, "next_attempt_at") : "-",
		    field(r, "recipient"));
		if (strcmp(field(r, "last_error"), "-") != 0)
			printf("       last error: %s\n", field(r, "last_error"));
	}
}

int
cmd_outbox_list(struct adm *a, int argc, char **argv)
{
	int failed = 0, limit = LIST_DEFAULT, rc;
	const char *val;
	char *end;
	cJSON *rows;
	enum med_err e;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--failed") == 0) {
			failed = 1;
		} else if ((rc = adm_opt(argc, argv, &i, "--limit", &val)) != 0) {
			errno = 0;
			limit = rc < 0 ? 0 : (int)strtol(val, &end, 10);
			if (rc < 0 || errno != 0 || *end != '\0' || limit < 1 || limit > LIST_MAX)
				return ADM_USAGE;
		} else {
			return ADM_USAGE;
		}
	}
	if ((e = outbox_list(&a->ctx, failed, limit, &rows)) != MED_OK)
		return adm_fail("outbox list", e);
	if (a->json) {
		adm_print_json(rows);
		return ADM_OK;
	}
	print_list(rows);
	cJSON_Delete(rows);
	return ADM_OK;
}

int
cmd_outbox_retry(struct adm *a, int argc, char **argv)
{
	char *end;
	long long id;
	enum med_err e;

	if (argc != 1)
		return ADM_USAGE;
	errno = 0;
	id = strtoll(argv[0], &end, 10);
	if (errno != 0 || *end != '\0' || end == argv[0] || id < 1)
		return ADM_USAGE;
	e = outbox_retry(&a->ctx, (int64_t)id);
	if (e == MED_ENOTFOUND || e == MED_ECONFLICT || e == MED_EEXPIRED) {
		fprintf(stderr, "medadm: outbox retry: message %lld %s\n", id,
		    e == MED_ENOTFOUND ? "does not exist" : e == MED_ECONFLICT ?
		    "was sent already" : "has expired: nothing left to send");
		return ADM_FAIL;
	}
	if (e != MED_OK)
		return adm_fail("outbox retry", e);
	if ((e = audit_add(&a->ctx, NULL, "outbox.retry", "outbox", argv[0], "ok", "medadm")) !=
	    MED_OK)
		return adm_fail("audit", e);
	printf("message %lld is due again\n", id);
	return ADM_OK;
}
