/*
 * dircache.h - answers of the public doctor directory (GET /doctors),
 * kept per worker and keyed by the directory's version.
 *
 * The directory is read far more often than it changes (patients browse,
 * doctors rarely edit their profiles), and building a 100-doctor page is
 * the slowest list of the API (bench/RESULTS.md).  schema.sql's triggers
 * raise directory_version in the same transaction as every change to
 * what the directory shows (doctors, their specialties, the specialties
 * themselves, ratings, which live on the doctors row), so an answer kept
 * with the version read in its own read transaction is exactly what the
 * query would build again while that version holds: never stale, no
 * expiry time.  At most DIRCACHE_SLOTS answers per worker, replaced in
 * turn; memory only, per connection (struct med_ctx), nothing shared.
 */
#ifndef DIRCACHE_H
#define DIRCACHE_H

#include <stdint.h>
#include "med.h"

#define DIRCACHE_SLOTS 8
/* Longer keys (very long filters) are answered without the cache. */
#define DIRCACHE_KEY_MAX 512

/* The directory's version, read in the caller's open transaction. */
enum med_err dircache_version(struct med_ctx *ctx, int64_t *version);
/* The answer kept for key at version, or NULL; valid until the next dircache_put(). */
const char *dircache_get(struct med_ctx *ctx, const char *key, int64_t version);
/* Keep a copy of text for key at version; best effort (out of memory keeps nothing). */
void dircache_put(struct med_ctx *ctx, const char *key, int64_t version, const char *text);
/* Answers served from the cache so far (for the tests). */
long dircache_hits(const struct med_ctx *ctx);
void dircache_free(struct med_ctx *ctx);

#endif
