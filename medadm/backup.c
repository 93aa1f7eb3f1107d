/*
 * backup.c - medadm backup, restore and check: argument handling and
 * output; the work is in lib/backup.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backup.h"
#include "medadm.h"

#define DEFAULT_MAX_WAL_MB 256

/* FILE [--force]: exactly one path, which may not look like an option. */
static int
file_and_force(int argc, char **argv, const char **file, int *force)
{
	*file = NULL;
	*force = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			*force = 1;
		else if (argv[i][0] == '-' || argv[i][0] == '\0' || *file != NULL)
			return 0;
		else
			*file = argv[i];
	}
	return *file != NULL;
}

static cJSON *
tables_json(const struct backup_report *rep)
{
	cJSON *t = cJSON_CreateObject();

	for (int i = 0; i < rep->ntables; i++)
		cJSON_AddNumberToObject(t, rep->tables[i].name, (double)rep->tables[i].rows);
	return t;
}

int
cmd_backup(struct adm *a, int argc, char **argv)
{
	char detail[MED_PATH_MAX + 32];
	struct backup_report rep;
	const char *file;
	enum med_err e;
	int force;

	if (!file_and_force(argc, argv, &file, &force))
		return ADM_USAGE;
	if ((e = backup_run(&a->ctx, file, force, &rep)) == MED_ECONFLICT) {
		fprintf(stderr, "medadm: backup: %s exists (use --force to replace it)\n", file);
		return ADM_FAIL;
	}
	if (e != MED_OK)
		return adm_fail("backup", e);
	/* Who took a copy of every medical record, and where it went. */
	snprintf(detail, sizeof detail, "medadm: to %s", file);
	if ((e = audit_add(&a->ctx, NULL, "backup", "database", NULL, "ok", detail)) != MED_OK)
		return adm_fail("audit", e);
	if (a->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "file", file);
		cJSON_AddNumberToObject(o, "bytes", (double)rep.bytes);
		cJSON_AddNumberToObject(o, "pages", rep.pages);
		cJSON_AddNumberToObject(o, "steps", rep.steps);
		cJSON_AddNumberToObject(o, "elapsed_ms", (double)rep.elapsed_ms);
		cJSON_AddStringToObject(o, "integrity", "ok");
		cJSON_AddItemToObject(o, "tables", tables_json(&rep));
		adm_print_json(o);
		return ADM_OK;
	}
	printf("backup %s: %lld bytes, %d pages in %d steps, %lld ms, integrity ok\n", file,
	    (long long)rep.bytes, rep.pages, rep.steps, (long long)rep.elapsed_ms);
	for (int i = 0; i < rep.ntables; i++)
		printf("  %-22s %10lld\n", rep.tables[i].name, (long long)rep.tables[i].rows);
	return ADM_OK;
}

int
cmd_restore(struct adm *a, int argc, char **argv)
{
	char why[256], aside[MED_PATH_MAX + 64];
	const char *file;
	enum med_err e;
	int force, in_use;
	pid_t holder;

	if (!file_and_force(argc, argv, &file, &force))
		return ADM_USAGE;
	if (backup_verify(file, why, sizeof why) != MED_OK) {
		fprintf(stderr, "medadm: restore: refusing %s: %s\n", file, why);
		return ADM_FAIL;
	}
	if ((in_use = backup_in_use(a->cfg.db_path, &holder)) < 0) {
		fprintf(stderr, "medadm: restore: cannot tell whether %s is in use\n", a->cfg.db_path);
		return ADM_FAIL;
	}
	if (in_use && !force) {
		fprintf(stderr, "medadm: restore: %s is open in process %ld (the workers?): stop the\n"
		    "stack first, or use --force to restore online into the running database\n",
		    a->cfg.db_path, (long)holder);
		return ADM_FAIL;
	}
	if ((e = backup_restore(&a->cfg, file, in_use, aside, sizeof aside)) != MED_OK)
		return adm_fail("restore", e);
	if (a->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "database", a->cfg.db_path);
		cJSON_AddStringToObject(o, "restored_from", file);
		cJSON_AddBoolToObject(o, "online", in_use);
		if (aside[0] != '\0')
			cJSON_AddStringToObject(o, "previous", aside);
		else
			cJSON_AddNullToObject(o, "previous");
		adm_print_json(o);
	} else {
		printf("restored %s into %s (%s)\n", file, a->cfg.db_path, in_use ? "online" : "offline");
		if (aside[0] != '\0')
			printf("previous database kept as %s\n", aside);
	}
	return ADM_OK;
}

/* A finding of the check is null when it could not be made: never print it as clean. */
static void
print_check(cJSON *o)
{
	cJSON *missing = cJSON_GetObjectItem(o, "missing_tables");
	cJSON *problems = cJSON_GetObjectItem(o, "problems"), *it;
	cJSON *pid = cJSON_GetObjectItem(o, "in_use_by_pid");
	cJSON *fk = cJSON_GetObjectItem(o, "foreign_key_violations");
	cJSON *version = cJSON_GetObjectItem(o, "schema_version");
	double expected = cJSON_GetObjectItem(o, "expected_schema_version")->valuedouble;

	printf("database      %s (%.0f bytes)\n", cJSON_GetObjectItem(o, "database")->valuestring,
	    cJSON_GetObjectItem(o, "size_bytes")->valuedouble);
	printf("integrity     %s\n", cJSON_GetObjectItem(o, "integrity")->valuestring);
	if (cJSON_IsNumber(fk))
		printf("foreign keys  %.0f violations\n", fk->valuedouble);
	else
		printf("foreign keys  could not be checked\n");
	if (cJSON_IsNumber(version))
		printf("schema        version %.0f (expected %.0f)\n", version->valuedouble, expected);
	else
		printf("schema        version unknown (expected %.0f)\n", expected);
	if (!cJSON_IsArray(missing))
		printf("tables        could not be listed");
	else if (cJSON_GetArraySize(missing) == 0)
		printf("tables        all present");
	else
		printf("tables        missing:");
	cJSON_ArrayForEach(it, missing)
		printf(" %s", it->valuestring);
	printf("\nwal           %.0f bytes (limit %.0f)\n",
	    cJSON_GetObjectItem(o, "wal_bytes")->valuedouble,
	    cJSON_GetObjectItem(o, "wal_limit_bytes")->valuedouble);
	if (pid != NULL)
		printf("in use        yes (pid %.0f)\n", pid->valuedouble);
	else
		printf("in use        no\n");
	printf("status        %s\n", cJSON_GetArraySize(problems) == 0 ? "OK" : "PROBLEMS");
	cJSON_ArrayForEach(it, problems)
		printf("  - %s\n", it->valuestring);
}

int
cmd_check(struct adm *a, int argc, char **argv)
{
	long long max_wal_mb = DEFAULT_MAX_WAL_MB;
	const char *val;
	enum med_err e;
	cJSON *o;
	int ok, r;

	for (int i = 0; i < argc; i++) {
		char *end;
		if ((r = adm_opt(argc, argv, &i, "--max-wal", &val)) != 1)
			return ADM_USAGE;
		max_wal_mb = strtoll(val, &end, 10);
		if (*val == '\0' || *end != '\0' || max_wal_mb < 0 || max_wal_mb > 1024 * 1024)
			return ADM_USAGE;
	}
	if ((e = backup_check(a->cfg.db_path, max_wal_mb * 1024 * 1024, &o, &ok)) == MED_ENOTFOUND) {
		fprintf(stderr, "medadm: check: no database %s\n", a->cfg.db_path);
		return ADM_FAIL;
	}
	if (e != MED_OK)
		return adm_fail("check", e);
	if (a->json) {
		adm_print_json(o);
	} else {
		print_check(o);
		cJSON_Delete(o);
	}
	return ok ? ADM_OK : ADM_FAIL;
}
