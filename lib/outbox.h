/*
 * outbox.h - messages to people (mail now, SMS later), recorded in the
 * transaction of the change that causes them and delivered afterwards by
 * a sender outside any request (`medadm outbox run`).
 *
 * Why: a request never forks, waits on a mail server, or reveals by its
 * time what it did.  A message is one row of the table outbox, written by
 * outbox_add() inside the caller's transaction: a rolled-back change sends
 * nothing, a committed one loses nothing.
 *
 * Delivery is at least once.  The sender claims a due row (pushing its
 * next attempt past the command's time limit, so a parallel sender leaves
 * it alone), runs the mail command outside any transaction, then records
 * the outcome.  A sender killed in between leaves the claim to run out and
 * the row is sent again, with the same Message-ID, which is how receivers
 * recognise the duplicate.
 *
 * Failures are retried after OUTBOX_RETRY_SECONDS, doubling each time (at
 * most 6 hours apart); after OUTBOX_MAX_ATTEMPTS the row is dead, until
 * `medadm outbox retry`.  At most OUTBOX_RECIPIENT_PER_HOUR messages go to
 * one recipient in any hour; more wait, they are not dropped.  A message
 * whose expires_at has passed is not sent (dead, "expired"), and its
 * parameters, which may hold a secret such as a reset token, are cleared;
 * they are cleared on delivery too.
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "med.h"

#define OUTBOX_EMAIL "email"
#define OUTBOX_SMS "sms"

/* Delivered and dead rows are forgotten after this many days. */
#define OUTBOX_KEEP_DAYS 30

/* One message to record. */
struct outbox_msg {
	const char *kind;       /* its template: templates/KIND.LOCALE.txt */
	const char *channel;    /* OUTBOX_EMAIL or OUTBOX_SMS */
	const char *recipient;  /* an address (a phone number, for SMS) */
	const char *locale;     /* tpl_locale() of the person's preference */
	const cJSON *params;    /* the template's values (an object); NULL: none */
	int64_t expires_at;     /* 0: never; else not sent after that instant */
};

/*
 * Record m, due now, inside the caller's open transaction (MED_EINVAL
 * outside one: a message must stand or fall with its cause).  *id gets the
 * row's id when id != NULL.  MED_EINVAL also for an unknown kind or
 * channel, or a recipient with control characters.
 */
enum med_err outbox_add(struct med_ctx *ctx, const struct outbox_msg *m, int64_t *id);

/* Delete row id again, in the same transaction (a decoy: see auth.c). */
enum med_err outbox_discard(struct med_ctx *ctx, int64_t id);

/* *n = rows of kind for recipient created after since. */
enum med_err outbox_count_recent(struct med_ctx *ctx, const char *kind,
    const char *recipient, int64_t since, int *n);

/* What happened to one message during a run, for the sender's log. */
struct outbox_event {
	int64_t id;
	const char *kind;
	const char *outcome;    /* "sent", "retry", "dead" or "deferred" */
	int attempts;           /* attempts made so far */
	int64_t next_attempt_at; /* for "retry" and "deferred" */
	const char *error;      /* why, for "retry" and "dead"; "" otherwise */
};

/* How the program running the sender steers it; every member may be NULL. */
struct outbox_hooks {
	int (*stop)(void *arg);  /* non-zero: stop before the next message */
	void (*report)(void *arg, const struct outbox_event *ev);
	void *arg;
};

struct outbox_stats {
	int sent, retried, dead, deferred, expired;
};

/*
 * One pass of the sender: pass on the waitlist holds that ran out
 * (waitlist_expire()), expire what is past its expires_at, then send
 * every message due now (at most a few hundred), one at a time, each
 * within MAIL_TIMEOUT_SECONDS.  A message's failure is recorded on it, not
 * returned: the status is MED_OK unless the database fails.  stats (may
 * be NULL) counts this pass.
 */
enum med_err outbox_run(struct med_ctx *ctx, const struct outbox_hooks *hooks,
    struct outbox_stats *stats);

/* Delete delivered and dead rows created before `before`; *n (may be NULL) = how many. */
enum med_err outbox_forget_old(struct med_ctx *ctx, int64_t before, int *n);

/* Seconds before the next attempt after `attempts` failed ones. */
int64_t outbox_backoff(const struct med_mail_config *cfg, int attempts);

/*
 * The newest rows (at most limit) as a JSON array, never their
 * parameters; failed_only: dead ones and pending ones that failed before.
 */
enum med_err outbox_list(struct med_ctx *ctx, int failed_only, int limit, cJSON **out);

/*
 * Make row id due now with a fresh count of attempts.  MED_ENOTFOUND: no
 * such row; MED_ECONFLICT: already sent; MED_EEXPIRED: expired (nothing
 * left to send).
 */
enum med_err outbox_retry(struct med_ctx *ctx, int64_t id);

#endif
