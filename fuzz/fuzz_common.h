/*
 * fuzz_common.h - what the libFuzzer targets share: a throw-away data
 * directory with a fresh (optionally seeded) database, and the envelope
 * invariant every response must meet.  No Check here: a fuzzer links only
 * the library.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <sqlite3.h>
#include "med.h"
#include "http.h"

/*
 * Open ctx on a new /tmp/medfuzz.XXXXXX (schema, plus seed.sql when seed),
 * removed again at exit; ctx->fixed_now is set once, to the start time, so
 * "now" does not move during a run.  Aborts on failure: a fuzzer without its
 * database would only report noise.
 */
void fuzz_ctx_open(struct med_ctx *ctx, int seed);

/* The temporary data directory of fuzz_ctx_open(). */
const char *fuzz_dir(void);

/*
 * 1 when resp is a well-formed answer: a status the API may give, a
 * JSON envelope {"success": bool, "data": ..., "message": ...} for every
 * status but 204, and no body on 204.
 */
int fuzz_resp_ok(const struct med_resp *resp);

/*
 * Copy src's main database over dst's in one backup step, so a target can
 * put back a snapshot after an input changed the data (abort on failure).
 */
void fuzz_copy_db(sqlite3 *dst, sqlite3 *src);

/* A malloc'd NUL-terminated copy of n bytes (abort on ENOMEM). */
char *fuzz_strndup(const unsigned char *p, size_t n);

#endif
