/*
 * med.h - shared vocabulary of the clinic library: status codes, the
 * per-process context (configuration, secrets, the one database
 * connection) and the clock.
 *
 * Every library function returns an enum med_err (MED_OK == 0) unless it
 * is a pure accessor.  Nothing in lib/ keeps global mutable state: all of
 * it lives in the struct med_ctx that the worker or the CLI owns.
 */
#ifndef MED_H
#define MED_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

enum med_err {
	MED_OK = 0,
	MED_ENOMEM,      /* allocation failed */
	MED_EDB,         /* SQLite reported an error */
	MED_EBUSY,       /* database locked beyond busy_timeout */
	MED_EINVAL,      /* malformed input */
	MED_ENOTFOUND,   /* no such row */
	MED_ECONFLICT,   /* unique constraint / overlap */
	MED_EAUTH,       /* bad credentials, bad token */
	MED_EEXPIRED,    /* token expired */
	MED_EFORBIDDEN,  /* authenticated but not allowed */
	MED_EIO,         /* file or OS error */
	MED_ECRYPTO,     /* OpenSSL failure */
	MED_ERANGE,      /* value or buffer out of range */
	MED_ESCHEMA,     /* unknown or newer schema version */
	MED_EFULL,       /* the disk is full */
	MED_ESTORAGE,    /* the database cannot be written or read: read-only
	                    files, I/O error, corruption, not a database */
};

const char *med_strerror(enum med_err e);

#define MED_KEY_LEN 32
#define MED_PATH_MAX 1024
#define MED_UUID_LEN 36 /* without the NUL */

/*
 * The outbox sender's settings (outbox.h).  The workers read them too,
 * only MAIL_FROM matters to them (the domain of each Message-ID).
 */
struct med_mail_config {
	char command[MED_PATH_MAX];       /* MAIL_COMMAND, "/usr/sbin/sendmail -t -i" */
	char reset_command[MED_PATH_MAX]; /* RESET_MAIL_COMMAND (deprecated), used for
	                                     reset mails only while MAIL_COMMAND is unset */
	char from[256];                   /* MAIL_FROM, "no-reply@localhost" */
	int timeout_seconds;              /* MAIL_TIMEOUT_SECONDS, 30: then the command is killed */
	int max_attempts;                 /* OUTBOX_MAX_ATTEMPTS, 8: then the message is dead */
	int retry_seconds;                /* OUTBOX_RETRY_SECONDS, 60: first retry, doubling */
	int per_recipient_hour;           /* OUTBOX_RECIPIENT_PER_HOUR, 10 messages sent */
	char sms_command[MED_PATH_MAX];   /* SMS_COMMAND, "": no SMS (number and text on stdin) */
};

/* Settings, read once at start-up from the environment (ctx.c). */
struct med_config {
	char data_dir[MED_PATH_MAX];   /* MED_DATA_DIR, default "var" */
	char db_path[MED_PATH_MAX];    /* MED_DB, default <data_dir>/clinic.db */
	char clinic_tz[64];            /* CLINIC_TZ, default "UTC" */
	int access_minutes;            /* ACCESS_TOKEN_EXPIRE_MINUTES, 30 */
	int refresh_days;              /* REFRESH_TOKEN_EXPIRE_DAYS, 7 */
	int reset_minutes;             /* fixed 15 */
	char cors_origins[512];        /* CORS_ORIGINS, comma list, "" = none */
	int login_max_failures;        /* LOGIN_MAX_FAILURES, 5 */
	int login_window_seconds;      /* LOGIN_WINDOW_SECONDS, 900 */
	struct med_mail_config mail;   /* the outbox sender (outbox.h) */
	/* The clinic as messages, feeds and FHIR name it. */
	char public_url[256];          /* PUBLIC_URL, default "https://localhost" */
	char clinic_name[128];         /* CLINIC_NAME, default "Clinic" */
	char clinic_phone[64];         /* CLINIC_PHONE, "" = none */
	char live_publish[MED_PATH_MAX]; /* LIVE_PUBLISH: nchan's publisher for live updates
	                                  (live.h), a Unix socket path or http://IP:PORT;
	                                  "" = off */
	int waitlist_hold_minutes;     /* WAITLIST_HOLD_MINUTES, 30: how long an offer holds */
};

struct stmt_cache;
struct live_queue;

struct med_ctx {
	struct med_config cfg;
	sqlite3 *db;
	struct stmt_cache *stmts;
	unsigned char access_key[MED_KEY_LEN];
	unsigned char refresh_key[MED_KEY_LEN];
	unsigned char reset_key[MED_KEY_LEN];
	int64_t fixed_now;   /* tests: when non-zero, med_now() returns it */
	uint64_t secrets_stamp; /* secrets.c: secrets/generation as last loaded */
	int tx_depth;        /* db.c: nesting of db_begin() calls, 0 = none open */
	int tx_doomed;       /* db.c: an inner level rolled back; the outer must too */
	int tx_keep;         /* route.c: commit the route's transaction on a refusal too */
	int sync_relaxed;    /* db.c: synchronous=NORMAL set by db_begin_audit, not yet put back */
	/* db.c: the storage, as this process last found it. */
	int readonly;        /* the database opened read-only (files not writable) */
	int fault;           /* extended SQLite code of this request's storage fault, 0 none */
	char fault_msg[128]; /* its text, for the worker log */
	int64_t reopen_after_ms; /* monotonic: the next try to reopen a failed database */
	int64_t busy_since_us;   /* db.c: monotonic start of the current wait for a lock */
	int64_t busy_limit_us;   /* db.c: that wait's bound when not the default, 0 = default */
	int wlock_fd;            /* db.c: the writers' queue file, when wlock_pid opened it */
	int wlock_pid;           /* db.c: the process that opened wlock_fd; 0 = none yet */
	struct live_queue *live; /* live.c: events of the open transaction, sent after commit */
	struct dir_cache *dir_cache; /* dircache.c: directory answers of this worker */
};

/* Fill cfg from the environment, with the defaults above. */
enum med_err med_config_from_env(struct med_config *cfg);

/*
 * Open the database (creating and migrating it when create is non-zero)
 * and apply CLINIC_TZ to the process.  On failure the context is left
 * closed.  The JWT keys are not read: a caller that signs or checks
 * tokens calls med_ctx_load_secrets() next (until then the context holds
 * random keys of its own, which no other process accepts).
 */
enum med_err med_ctx_open(struct med_ctx *ctx, const struct med_config *cfg, int create);
void med_ctx_close(struct med_ctx *ctx);

/*
 * Secrets live in <data_dir>/secrets/<name>.key as 64 hex chars, mode 0600;
 * with create, a missing one is generated, else it is MED_ENOTFOUND.
 * med_ctx_load_secrets() (re)reads the three JWT keys (access, refresh,
 * reset).  Every process serving one data directory must hold the same
 * keys, so only a process that runs before the workers start passes
 * create: medadm init, and the worker pool's master before it forks.  A
 * serving process never does: one that made its own keys would refuse
 * the tokens of all the others.
 */
enum med_err med_secret_load(const struct med_config *cfg, const char *name,
    unsigned char key[MED_KEY_LEN], int create);
enum med_err med_ctx_load_secrets(struct med_ctx *ctx, int create);

/* Seconds since the epoch, UTC; honours ctx->fixed_now. */
int64_t med_now(const struct med_ctx *ctx);

#endif
