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

#endif
