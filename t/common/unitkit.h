/*
 * unitkit.h - fixtures shared by the in-process (unit) suites: the seeded
 * cast of seed.sql, tokens, fresh accounts with a chosen role, small
 * readers of the envelope and test-only SQL.  Everything aborts the
 * current Check test on an unexpected answer.
 */
#ifndef UNITKIT_H
#define UNITKIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "testctx.h"

/* seed.sql: every account's password, e-mails and ids. */
#define PW "Algeria123!"
#define EM_ADMIN "admin@example.dz"
#define EM_STAFF "reception@example.dz"
#define EM_AMINA "amina.benali@example.dz"
#define EM_SOFIANE "sofiane.rahmani@example.dz"
#define EM_SARA "sara.bouzid@example.dz"
#define EM_SAMIR "samir.bensalah@example.dz"
#define EM_NADIA "nadia.khellaf@example.dz"

#define USR_ADMIN "0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001"
#define USR_AMINA "1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0001"
#define USR_SAMIR "2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0001"
#define USR_NADIA "2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0002"
#define PAT_AMINA "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001"
#define PAT_SOFIANE "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002"
#define PAT_SARA "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003"
#define DOC_SAMIR "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001"
#define DOC_NADIA "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0002"
#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"

/*
 * The usual fixture of a suite, declared at file scope: a static ctx,
 * and setup()/teardown() giving each test a fresh seeded database.
 */
#define UT_SEEDED_FIXTURE \
	static struct med_ctx ctx; \
	static void setup(void) { test_ctx_open(&ctx, 1); } \
	static void teardown(void) { test_ctx_close(&ctx); }

/* data of an envelope; a string member of obj (NULL unless a string). */
cJSON *ut_data(const cJSON *env);
const char *ut_str(const cJSON *obj, const char *name);
/* A number member (asserted to be one); whether a member is JSON null. */
double ut_num(const cJSON *obj, const char *name);
int ut_is_null(const cJSON *obj, const char *name);

/* Access token (malloc'd) of a seeded account; asserts the login works. */
char *ut_login(struct med_ctx *ctx, const char *email);

/*
 * Access token (malloc'd) of a seeded account signed directly with the
 * context's key, valid an hour from ctx->fixed_now: no password hash, for
 * tests that need many identities (auth tests cover login itself).
 */
char *ut_mint(struct med_ctx *ctx, const char *email);

/* Status of a call whose body we do not need. */
int ut_status(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body);
/* Status of a call; its message (or "") copied into buf. */
int ut_call_msg(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body, char *buf, size_t size);
/* Status of a call; with want_message, asserts the answer's message is that. */
int ut_call_expect(struct med_ctx *ctx, const char *method, const char *path,
    const char *token, const char *body, const char *want_message);
/* POST expecting 201; the new data.id (malloc'd). */
char *ut_create_id(struct med_ctx *ctx, const char *path, const char *token, const char *body);
/* Size of the data array of a GET, asserting 200. */
int ut_list_len(struct med_ctx *ctx, const char *path, const char *token);

/*
 * Register email, give it role (NULL: stay PATIENT) through the admin API
 * and return its access token; its user id into id.
 */
char *ut_new_user(struct med_ctx *ctx, const char *email, const char *role, char id[37]);
/* Create the caller's own profile (patients/me or doctors/me/profile); id out. */
void ut_own_profile(struct med_ctx *ctx, const char *path, const char *token,
    const char *body, char id[37]);

/* Test set-up SQL (never request data); the integer of a one-row query (-1: no row). */
__attribute__((format(printf, 2, 3))) void ut_exec(struct med_ctx *ctx, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) long long ut_count(struct med_ctx *ctx,
    const char *fmt, ...);
/*
 * Run t/ical-check.py (Debian's python3-icalendar and the email package)
 * on text, mode "ics" or "mail"; asserts it accepts it and returns its
 * JSON description (the caller deletes it).
 */
cJSON *ut_ical_check(const char *mode, const char *text);

/* Insert an appointment directly (status as given), for relationship tests. */
void ut_appt(struct med_ctx *ctx, const char *id, const char *doctor, const char *patient,
    long long start, long long end, const char *status);

#endif
