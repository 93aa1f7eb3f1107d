/*
 * fuzz_common.c - temporary database and envelope checks for fuzz targets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "embedded.h"
#include "fhir.h"
#include "fuzz_common.h"

static char dir[64];

/* Remove the temporary directory; libFuzzer exits through exit(). */
static void
cleanup(void)
{
	char cmd[128];

	if (strncmp(dir, "/tmp/medfuzz.", 13) != 0)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", dir);
}

const char *
fuzz_dir(void)
{
	return dir;
}

void
fuzz_ctx_open(struct med_ctx *ctx, int seed)
{
	struct med_config cfg;

	snprintf(dir, sizeof dir, "/tmp/medfuzz.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(cleanup);
	if (med_config_from_env(&cfg) != MED_OK) {
		fprintf(stderr, "fuzz: bad configuration in the environment\n");
		abort();
	}
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
	snprintf(cfg.db_path, sizeof cfg.db_path, "%s/clinic.db", dir);
	if (med_ctx_open(ctx, &cfg, 1) != MED_OK || med_ctx_load_secrets(ctx, 1) != MED_OK ||
	    (seed && db_exec(ctx, med_seed_sql) != MED_OK)) {
		fprintf(stderr, "fuzz: cannot create the database in %s\n", dir);
		abort();
	}
	/* Seeded appointments are relative to the real day: stay near it. */
	ctx->fixed_now = (int64_t)time(NULL);
}

/*
 * A FHIR answer: a resource; every refusal an OperationOutcome.  NDJSON
 * files of $bulk-publish are a resource per line: the first one is checked.
 */
static int
fhir_resp_ok(const struct med_resp *resp)
{
	const cJSON *type;
	cJSON *res;
	int ok;

	if (resp->body == NULL)
		return 0;
	if (strcmp(resp->content_type, FHIR_NDJSON) == 0)
		return resp->status == 200;
	if ((res = cJSON_Parse(resp->body)) == NULL)
		return 0;
	type = cJSON_GetObjectItem(res, "resourceType");
	ok = cJSON_IsString(type) &&
	    (resp->status < 400 || strcmp(type->valuestring, "OperationOutcome") == 0);
	cJSON_Delete(res);
	return ok;
}

int
fuzz_resp_ok(const struct med_resp *resp)
{
	cJSON *env;
	int ok;

	if (resp->status < 200 || resp->status > 599)
		return 0;
	if (resp->status == 204)
		return resp->body == NULL;
	/* Not the envelope: FHIR, or a 200 in its own type (a calendar feed). */
	if (resp->content_type != NULL && strncmp(resp->content_type, "application/fhir", 16) == 0)
		return fhir_resp_ok(resp);
	if (resp->content_type != NULL)
		return resp->status == 200 && resp->body != NULL;
	if (resp->body == NULL || (env = cJSON_Parse(resp->body)) == NULL)
		return 0;
	ok = cJSON_IsObject(env) && cJSON_IsBool(cJSON_GetObjectItem(env, "success")) &&
	    cJSON_HasObjectItem(env, "data") && cJSON_HasObjectItem(env, "message") &&
	    /* success agrees with the status class */
	    (cJSON_IsTrue(cJSON_GetObjectItem(env, "success")) == (resp->status < 300));
	cJSON_Delete(env);
	return ok;
}

char *
fuzz_strndup(const unsigned char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void
fuzz_copy_db(sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");

	if (b == NULL || sqlite3_backup_step(b, -1) != SQLITE_DONE ||
	    sqlite3_backup_finish(b) != SQLITE_OK) {
		fprintf(stderr, "fuzz: database copy failed: %s\n", sqlite3_errmsg(dst));
		abort();
	}
}
