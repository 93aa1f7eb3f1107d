/*
 * testctx.h - in-process test fixtures: a fresh database in a temporary
 * data directory, and a one-call way to drive the whole API through
 * med_handle() without nginx.
 */
#ifndef TESTCTX_H
#define TESTCTX_H

#include <cjson/cJSON.h>
#include "med.h"
#include "http.h"

/* Fresh temp dir + schema (and seed.sql when seed != 0); fixed_now set to now. */
void test_ctx_open(struct med_ctx *ctx, int seed);
/* Close and remove the temp dir. */
void test_ctx_close(struct med_ctx *ctx);

/*
 * Call the API in-process.  token may be NULL; body may be NULL.  Returns
 * the status; *out (if out != NULL) receives the parsed envelope, which
 * the caller frees with cJSON_Delete (NULL for 204).
 */
int test_call(struct med_ctx *ctx, const char *method, const char *path,
    const char *token, const char *body, cJSON **out);

/* test_call(), and the answer's note (resp->note: what failed after commit) into note. */
int test_call_note(struct med_ctx *ctx, const char *method, const char *path,
    const char *token, const char *body, cJSON **out, char *note, size_t note_size);
/*
 * A GET whose answer may not be JSON (a calendar feed): its status, body
 * (malloc'd, "" for none) into *text and Content-Type ("" for the JSON
 * envelope) into ctype.
 */
int test_get_text(struct med_ctx *ctx, const char *path, char **text, char ctype[48]);

/* Log in through the API and return a malloc'd access token (NULL on failure). */
char *test_login(struct med_ctx *ctx, const char *email, const char *password);

#endif
