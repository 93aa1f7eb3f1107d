/*
 * sched.c - medadm holiday add|list|remove and settings show|set: the
 * clinic's closed days and booking rules, through the same library calls
 * as /holidays and /settings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closures.h"
#include "db.h"
#include "medadm.h"
#include "settings.h"
#include "util.h"

static const char SQL_HOLIDAYS[] = "SELECT id, date, name FROM clinic_holidays ORDER BY date";
static const char SQL_HOLIDAY_ON[] = "SELECT id FROM clinic_holidays WHERE date = ?1";

/* Run e's write in one transaction; ADM_OK or the failure printed. */
static int
committed(struct adm *a, const char *what, enum med_err e)
{
	if (e == MED_OK && (e = db_commit(&a->ctx)) == MED_OK)
		return ADM_OK;
	if (db_in_tx(&a->ctx))
		db_rollback(&a->ctx);
	return adm_fail(what, e);
}

int
cmd_holiday_add(struct adm *a, int argc, char **argv)
{
	char id[MED_UUID_LEN + 1];
	int y, m, d;
	enum med_err e;

	if (argc != 2)
		return ADM_USAGE;
	if (strlen(argv[0]) != 10 || util_parse_date(argv[0], &y, &m, &d) != MED_OK) {
		fprintf(stderr, "medadm: holiday add: DATE must be YYYY-MM-DD\n");
		return ADM_USAGE;
	}
	if (argv[1][0] == '\0' || strlen(argv[1]) > 100) {
		fprintf(stderr, "medadm: holiday add: NAME must be 1 to 100 characters\n");
		return ADM_USAGE;
	}
	if ((e = db_begin(&a->ctx)) != MED_OK)
		return adm_fail("holiday add", e);
	e = closure_holiday_add(&a->ctx, argv[0], argv[1], id);
	if (e == MED_ECONFLICT) {
		db_rollback(&a->ctx);
		fprintf(stderr, "medadm: holiday add: %s is already a holiday\n", argv[0]);
		return ADM_FAIL;
	}
	if (committed(a, "holiday add", e) != ADM_OK)
		return ADM_FAIL;
	printf("%s\n", id);
	return ADM_OK;
}

int
cmd_holiday_list(struct adm *a, int argc, char **argv)
{
	sqlite3_stmt *st = db_stmt(&a->ctx, SQL_HOLIDAYS);
	cJSON *list = a->json ? cJSON_CreateArray() : NULL;
	int rc;

	(void)argv;
	if (argc != 0)
		return ADM_USAGE;
	if (st == NULL || (a->json && list == NULL)) {
		cJSON_Delete(list);
		return adm_fail("holiday list", MED_EDB);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *date = (const char *)sqlite3_column_text(st, 1);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		if (a->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", id);
			cJSON_AddStringToObject(o, "date", date);
			cJSON_AddStringToObject(o, "name", name);
			cJSON_AddItemToArray(list, o);
		} else {
			printf("%s  %s  %s\n", date, id, name);
		}
	}
	sqlite3_reset(st);
	if (a->json)
		adm_print_json(list);
	return rc == SQLITE_DONE ? ADM_OK : adm_fail("holiday list", db_err(rc));
}

int
cmd_holiday_remove(struct adm *a, int argc, char **argv)
{
	char id[MED_UUID_LEN + 1];
	enum med_err e;

	if (argc != 1)
		return ADM_USAGE;
	/* A date names its holiday (one per date); anything else is an id. */
	if (util_is_uuid(argv[0]))
		util_uuid_lower(argv[0], id);
	else if ((e = db_lookup(&a->ctx, SQL_HOLIDAY_ON, argv[0], 0, id, sizeof id)) != MED_OK)
		return adm_fail("holiday remove", e);
	if ((e = db_begin(&a->ctx)) != MED_OK)
		return adm_fail("holiday remove", e);
	return committed(a, "holiday remove", closure_holiday_remove(&a->ctx, id));
}

int
cmd_settings_show(struct adm *a, int argc, char **argv)
{
	struct clinic_settings cs;
	enum med_err e;
	cJSON *o;

	(void)argv;
	if (argc != 0)
		return ADM_USAGE;
	if ((e = settings_load(&a->ctx, &cs)) != MED_OK)
		return adm_fail("settings show", e);
	if (a->json) {
		if ((o = settings_json(&cs)) == NULL)
			return adm_fail("settings show", MED_ENOMEM);
		adm_print_json(o);
		return ADM_OK;
	}
	printf("min_notice_minutes    %lld\n", (long long)cs.min_notice_minutes);
	printf("booking_horizon_days  %lld\n", (long long)cs.booking_horizon_days);
	printf("max_no_shows          %lld\n", (long long)cs.max_no_shows);
	printf("slot_step_minutes     %lld\n", (long long)cs.slot_step_minutes);
	printf("reminder_offsets_minutes");
	for (int i = 0; i < cs.n_reminder_offsets; i++)
		printf("%s%lld", i == 0 ? " " : ",", (long long)cs.reminder_offsets[i]);
	printf("\n");
	return ADM_OK;
}

int
cmd_settings_set(struct adm *a, int argc, char **argv)
{
	char *end;
	long long v;
	enum med_err e;

	if (argc != 2)
		return ADM_USAGE;
	errno = 0;
	v = strtoll(argv[1], &end, 10);
	if (errno != 0 || end == argv[1] || *end != '\0') {
		fprintf(stderr, "medadm: settings set: VALUE must be an integer\n");
		return ADM_USAGE;
	}
	if ((e = db_begin(&a->ctx)) != MED_OK)
		return adm_fail("settings set", e);
	e = settings_set(&a->ctx, argv[0], v);
	if (e == MED_EINVAL) {
		db_rollback(&a->ctx);
		fprintf(stderr, "medadm: settings set: unknown setting or value out of range\n");
		return ADM_FAIL;
	}
	return committed(a, "settings set", e);
}
