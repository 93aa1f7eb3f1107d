/*
 * users.c - medadm's user commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "throttle.h"
#include "db.h"
#include "jwt.h"
#include "medadm.h"
#include "route.h"
#include "users.h"
#include "util.h"

/* Resolve an email or a UUID to a user; prints the error itself. */
static int
find_user(struct adm *a, const char *who, struct med_user *u)
{
	enum med_err e = util_is_uuid(who) ? auth_load_user(&a->ctx, who, u) :
	    auth_load_user_by_email(&a->ctx, who, u, NULL, 0);

	if (e == MED_ENOTFOUND)
		fprintf(stderr, "medadm: no user %s\n", who);
	else if (e != MED_OK)
		adm_fail(who, e);
	return e == MED_OK;
}

/* Audit an admin action taken from the command line. */
static int
audited(struct adm *a, const char *action, const struct med_user *u, enum med_err e)
{
	if (e != MED_OK)
		return adm_fail(action, e);
	if ((e = audit_add(&a->ctx, NULL, action, "user", u->id, "ok", "medadm")) != MED_OK)
		return adm_fail("audit", e);
	return ADM_OK;
}

/* First line of stdin, without its newline. */
static int
read_password(char *buf, size_t size)
{
	size_t n;

	if (fgets(buf, (int)size, stdin) == NULL)
		return 0;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == size - 1)
		return 0; /* longer than the buffer */
	buf[n] = '\0';
	return 1;
}

int
cmd_user_add(struct adm *a, int argc, char **argv)
{
	char password[PASSWORD_MAX + 2], id[MED_UUID_LEN + 1];
	struct med_user u;
	enum med_err e;
	size_t len;

	if (argc != 3 || strcmp(argv[1], "--role") != 0)
		return ADM_USAGE;
	if (role_from_name(argv[2]) == 0) {
		fprintf(stderr, "medadm: unknown role %s (ADMIN, DOCTOR, PATIENT, STAFF)\n", argv[2]);
		return ADM_USAGE;
	}
	if (!read_password(password, sizeof password) ||
	    (len = util_utf8_len(password)) < PASSWORD_MIN || len > PASSWORD_MAX) {
		fprintf(stderr, "medadm: the password (first line of stdin) must have %d to %d characters\n",
		    PASSWORD_MIN, PASSWORD_MAX);
		return ADM_FAIL;
	}
	e = auth_create_user(&a->ctx, argv[0], password, argv[2], id);
	memset(password, 0, sizeof password);
	if (e == MED_ECONFLICT) {
		fprintf(stderr, "medadm: %s is already registered\n", argv[0]);
		return ADM_FAIL;
	}
	if (e != MED_OK || (e = auth_load_user(&a->ctx, id, &u)) != MED_OK)
		return adm_fail("user add", e);
	if (audited(a, "user.create", &u, MED_OK) != ADM_OK)
		return ADM_FAIL;
	printf("%s\n", id);
	return ADM_OK;
}

static const char SQL_LIST[] =
    "SELECT u.id, u.email, coalesce(r.name, '-'), u.is_active, u.is_superuser"
    " FROM users u LEFT JOIN roles r ON r.id = u.role_id ORDER BY u.email";

int
cmd_user_list(struct adm *a, int argc, char **argv)
{
	sqlite3_stmt *st = db_stmt(&a->ctx, SQL_LIST);
	cJSON *list = a->json ? cJSON_CreateArray() : NULL;
	int rc;

	(void)argv;
	if (argc != 0)
		return ADM_USAGE;
	if (st == NULL)
		return adm_fail("user list", MED_EDB);
	if (!a->json)
		printf("%-36s  %-8s  %-6s  %s\n", "ID", "ROLE", "ACTIVE", "EMAIL");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *email = (const char *)sqlite3_column_text(st, 1);
		const char *role = (const char *)sqlite3_column_text(st, 2);
		int active = sqlite3_column_int(st, 3);
		if (a->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", id);
			cJSON_AddStringToObject(o, "email", email);
			cJSON_AddStringToObject(o, "role", role);
			cJSON_AddBoolToObject(o, "is_active", active);
			cJSON_AddBoolToObject(o, "is_superuser", sqlite3_column_int(st, 4));
			cJSON_AddItemToArray(list, o);
		} else {
			printf("%-36s  %-8s  %-6s  %s\n", id, role, active ? "yes" : "no", email);
		}
	}
	sqlite3_reset(st);
	if (a->json) {
		char *text = cJSON_Print(list);
		if (text != NULL)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(list);
	}
	return rc == SQLITE_DONE ? ADM_OK : adm_fail("user list", db_err(rc));
}

int
cmd_user_show(struct adm *a, int argc, char **argv)
{
	struct med_user u;
	cJSON *user;
	char *text;
	enum med_err e;

	if (argc != 1)
		return ADM_USAGE;
	if (!find_user(a, argv[0], &u))
		return ADM_FAIL;
	if ((e = users_get_json(&a->ctx, u.id, &user)) != MED_OK)
		return adm_fail("user show", e);
	cJSON_AddNumberToObject(user, "token_version", u.token_version);
	text = cJSON_Print(user);
	printf("%s\n", text != NULL ? text : "{}");
	free(text);
	cJSON_Delete(user);
	return ADM_OK;
}

int
cmd_user_set_role(struct adm *a, int argc, char **argv)
{
	struct med_user u;

	if (argc != 2)
		return ADM_USAGE;
	if (role_from_name(argv[1]) == 0) {
		fprintf(stderr, "medadm: unknown role %s (ADMIN, DOCTOR, PATIENT, STAFF)\n", argv[1]);
		return ADM_USAGE;
	}
	if (!find_user(a, argv[0], &u))
		return ADM_FAIL;
	return audited(a, "user.set_role", &u, users_set_role(&a->ctx, u.id, argv[1]));
}

static int
set_active(struct adm *a, int argc, char **argv, int active)
{
	struct med_user u;

	if (argc != 1)
		return ADM_USAGE;
	if (!find_user(a, argv[0], &u))
		return ADM_FAIL;
	return audited(a, active ? "user.activate" : "user.deactivate", &u,
	    users_set_active(&a->ctx, u.id, active));
}

int
cmd_user_activate(struct adm *a, int argc, char **argv)
{
	return set_active(a, argc, argv, 1);
}

int
cmd_user_deactivate(struct adm *a, int argc, char **argv)
{
	return set_active(a, argc, argv, 0);
}

int
cmd_user_reset_password(struct adm *a, int argc, char **argv)
{
	char token[JWT_MAX];
	struct med_user u;
	enum med_err e;

	if (argc != 1)
		return ADM_USAGE;
	if (!find_user(a, argv[0], &u))
		return ADM_FAIL;
	/* The workers must accept the token: their keys, never new ones. */
	if ((e = med_ctx_load_secrets(&a->ctx, 0)) != MED_OK) {
		fprintf(stderr, "medadm: user reset-password: JWT keys in %s/secrets: %s "
		    "(run medadm init)\n", a->cfg.data_dir,
		    e == MED_ENOTFOUND ? "missing" : med_strerror(e));
		return ADM_FAIL;
	}
	if ((e = auth_issue_reset_token(&a->ctx, u.email, token, sizeof token)) != MED_OK)
		return adm_fail("user reset-password", e);
	if (audited(a, "user.reset_token", &u, MED_OK) != ADM_OK)
		return ADM_FAIL;
	/* The token goes to stdout only: the admin hands it over out of band. */
	printf("%s\n", token);
	return ADM_OK;
}

int
cmd_user_unlock(struct adm *a, int argc, char **argv)
{
	struct med_user u;

	if (argc != 1)
		return ADM_USAGE;
	if (!find_user(a, argv[0], &u))
		return ADM_FAIL;
	return audited(a, "user.unlock", &u, throttle_unlock(&a->ctx, u.email));
}

int
cmd_user_revoke_sessions(struct adm *a, int argc, char **argv)
{
	struct med_user u;

	if (argc != 1)
		return ADM_USAGE;
	if (!find_user(a, argv[0], &u))
		return ADM_FAIL;
	return audited(a, "user.revoke_sessions", &u, auth_revoke_sessions(&a->ctx, u.id));
}
