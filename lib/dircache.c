/*
 * dircache.c - the per-worker cache of directory answers (see dircache.h).
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dircache.h"

static const char SQL_VERSION[] = "SELECT n FROM directory_version";

struct dir_slot {
	char key[DIRCACHE_KEY_MAX];
	int64_t version;
	char *text;          /* NULL: empty slot */
};

struct dir_cache {
	struct dir_slot slot[DIRCACHE_SLOTS];
	int next;            /* the slot the next put replaces */
	long hits;
};

enum med_err
dircache_version(struct med_ctx *ctx, int64_t *version)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_VERSION);
	int rc;

	if (st == NULL)
		return MED_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? MED_OK : rc == SQLITE_DONE ? MED_EDB : db_err(rc);
}

const char *
dircache_get(struct med_ctx *ctx, const char *key, int64_t version)
{
	struct dir_cache *c = ctx->dir_cache;

	if (c == NULL)
		return NULL;
	for (int i = 0; i < DIRCACHE_SLOTS; i++) {
		struct dir_slot *s = &c->slot[i];
		if (s->text != NULL && s->version == version && strcmp(s->key, key) == 0) {
			c->hits++;
			return s->text;
		}
	}
	return NULL;
}

void
dircache_put(struct med_ctx *ctx, const char *key, int64_t version, const char *text)
{
	struct dir_cache *c = ctx->dir_cache;
	struct dir_slot *s;
	char *copy;

	if (strlen(key) >= DIRCACHE_KEY_MAX)
		return;
	if (c == NULL && (c = ctx->dir_cache = calloc(1, sizeof *c)) == NULL)
		return;
	if ((copy = strdup(text)) == NULL)
		return;
	s = &c->slot[c->next];
	c->next = (c->next + 1) % DIRCACHE_SLOTS;
	free(s->text);
	memcpy(s->key, key, strlen(key) + 1);
	s->version = version;
	s->text = copy;
}

long
dircache_hits(const struct med_ctx *ctx)
{
	return ctx->dir_cache != NULL ? ctx->dir_cache->hits : 0;
}

void
dircache_free(struct med_ctx *ctx)
{
	struct dir_cache *c = ctx->dir_cache;

	if (c == NULL)
		return;
	for (int i = 0; i < DIRCACHE_SLOTS; i++)
		free(c->slot[i].text);
	free(c);
	ctx->dir_cache = NULL;
}
