/*
 * e2ekit.h - shared helpers for tests that drive the real stack over HTTP:
 * log in, make fresh accounts with a given role, read envelope fields.
 * Everything aborts the current Check test on an unexpected answer.
 */
#ifndef E2EKIT_H
#define E2EKIT_H

#include <cjson/cJSON.h>
#include "httpc.h"

#define E2E_PW "Algeria123!"

/* data of the envelope in r (NULL if none). */
cJSON *e2e_data(const struct http_result *r);
/* String member of obj or NULL. */
const char *e2e_str(const cJSON *obj, const char *name);

/* Access token (malloc'd) of email/password; fails the test unless 200. */
char *e2e_token(const char *email, const char *password);

/*
 * Register a fresh account (unique email from tag), give it role (NULL keeps
 * PATIENT) as admin, and return its access token (malloc'd); its user id
 * goes to user_id[37] when not NULL.
 */
char *e2e_fresh_account(const char *admin_token, const char *tag, const char *role,
    char *user_id);

/*
 * Call and return the status; when id is not NULL and the answer is 2xx,
 * copy data.id into id[37].
 */
int e2e_call(const char *method, const char *path, const char *token, const char *body,
    char *id);

/*
 * A member of a suite's cast: access token (malloc'd), user id, and its
 * patient or doctor profile id ("" if none).
 */
struct e2e_who {
	char *token;
	char user_id[40];
	char profile_id[40];
};

/* The message and data.id of the last e2e_env() answer ("" when none). */
extern char e2e_last_message[256];
extern char e2e_last_id[40];

/*
 * One API call as w (NULL: anonymous): the status.  Asserts every body is
 * the envelope (a bodiless answer is a 204) and nothing is a 5xx; keeps
 * the message and data.id in e2e_last_message / e2e_last_id.
 */
int e2e_env(const char *method, const char *path, const struct e2e_who *w, const char *body);
/* GET a list as w: its length (-1 unless 200) and whether id is in it (has_id may be NULL). */
int e2e_list_count(const char *path, const struct e2e_who *w, const char *id, int *has_id);
/* A fresh PATIENT account with its own profile {first_name, last_name}. */
void e2e_fresh_patient(const struct e2e_who *admin, const char *tag, const char *first,
    const char *last, struct e2e_who *w);
/*
 * A fresh DOCTOR account and profile {first_name: first, last_name: tag}
 * made by admin; with windows, 08:00-18:00 on every day of the week.
 */
void e2e_fresh_doctor(const struct e2e_who *admin, const char *tag, const char *first,
    int windows, struct e2e_who *w);
/* "YYYY-MM-DDTHH:MM:00" clinic-local, days ahead of today (UTC date); returns out. */
const char *e2e_local_at(int days, int hour, int minute, char out[32]);

/*
 * Send n requests at once: one forked child each, held at a pipe until
 * all exist and released together by closing it (no sleeps).  Child i
 * runs request(i, arg), which only calls the API, and its result (an HTTP
 * status) lands in statuses[i].  Asserts every child exited cleanly.
 */
void e2e_fire(int n, int (*request)(int i, void *arg), void *arg, int *statuses);

/* The stack's directory (MED_DATA_DIR, set by t/run-e2e.sh); asserts it is set. */
const char *e2e_data_dir(void);
/* Sleep ms milliseconds (restarted after signals): pacing, never synchronisation. */
void e2e_pause_ms(long ms);

#endif
