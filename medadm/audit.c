/*
 * audit.c - medadm audit: read the audit log with filters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_query.h"
#include "auth.h"
#include "medadm.h"
#include "util.h"

#define DEFAULT_LIMIT 1000

/*
 * A day (YYYY-MM-DD, clinic-local) or an instant.  end: the bound is
 * exclusive, so a day means its end (next midnight) and an instant the
 * second after it.
 */
static int
parse_when(const char *s, int end, int64_t *t)
{
	int y, m, d;

	if (strlen(s) == 10 && util_parse_date(s, &y, &m, &d) == MED_OK) {
		if (end)
			util_add_days(&y, &m, &d, 1);
		*t = util_local_to_utc(y, m, d, 0);
		return 1;
	}
	if (util_parse_instant(s, t) != MED_OK)
		return 0;
	if (end)
		*t += 1;
	return 1;
}

static int
parse_limit(const char *s, int *limit)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < 1 || n > AUDIT_QUERY_MAX)
		return 0;
	*limit = (int)n;
	return 1;
}

static void
print_rows(cJSON *rows)
{
	cJSON *r;

	printf("%-20s  %-36s  %-8s  %-16s  %-14s  %-36s  %-9s  %s\n", "AT", "USER", "ROLE",
	    "ACTION", "ENTITY", "ENTITY_ID", "OUTCOME", "DETAIL");
	cJSON_ArrayForEach(r, rows) {
		const char *f[8] = { "at", "user_id", "role", "action", "entity", "entity_id",
		    "outcome", "detail" };
		const char *v[8];
		for (int i = 0; i < 8; i++) {
			cJSON *x = cJSON_GetObjectItem(r, f[i]);
			v[i] = cJSON_IsString(x) ? x->valuestring : "-";
		}
		printf("%-20s  %-36s  %-8s  %-16s  %-14s  %-36s  %-9s  %s\n",
		    v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
	}
}

int
cmd_audit(struct adm *a, int argc, char **argv)
{
	struct audit_filter f = { .limit = DEFAULT_LIMIT };
	char user_id[MED_UUID_LEN + 1], patient_id[MED_UUID_LEN + 1];
	const char *user = NULL, *val;
	struct med_user u;
	enum med_err e;
	cJSON *rows;
	int r;

	for (int i = 0; i < argc; i++) {
		if ((r = adm_opt(argc, argv, &i, "--user", &val)) == 1)
			user = val;
		else if (r == 0 && (r = adm_opt(argc, argv, &i, "--patient", &val)) == 1) {
			if (!util_is_uuid(val)) {
				fprintf(stderr, "medadm: audit: --patient takes a patient id (UUID)\n");
				return ADM_USAGE;
			}
			util_uuid_lower(val, patient_id);
			f.patient_id = patient_id;
		} else if (r == 0 && (r = adm_opt(argc, argv, &i, "--entity", &val)) == 1) {
			if (*val == '\0')
				return ADM_USAGE;
			f.entity = val;
		} else if (r == 0 && (r = adm_opt(argc, argv, &i, "--from", &val)) == 1) {
			if (!parse_when(val, 0, &f.from))
				return ADM_USAGE;
			f.has_from = 1;
		} else if (r == 0 && (r = adm_opt(argc, argv, &i, "--to", &val)) == 1) {
			if (!parse_when(val, 1, &f.to))
				return ADM_USAGE;
			f.has_to = 1;
		} else if (r == 0 && (r = adm_opt(argc, argv, &i, "--limit", &val)) == 1) {
			if (!parse_limit(val, &f.limit))
				return ADM_USAGE;
		}
		if (r != 1)
			return ADM_USAGE;
	}
	if (user != NULL) {
		if (util_is_uuid(user)) {
			util_uuid_lower(user, user_id);
		} else if ((e = auth_load_user_by_email(&a->ctx, user, &u, NULL, 0)) == MED_OK) {
			snprintf(user_id, sizeof user_id, "%s", u.id);
		} else {
			fprintf(stderr, "medadm: audit: no user %s\n", user);
			return ADM_FAIL;
		}
		f.user_id = user_id;
	}
	if ((e = audit_query(&a->ctx, &f, &rows)) != MED_OK)
		return adm_fail("audit", e);
	if (a->json) {
		adm_print_json(rows);
	} else {
		print_rows(rows);
		cJSON_Delete(rows);
	}
	return ADM_OK;
}
