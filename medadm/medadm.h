/*
 * medadm.h - the CLI's command table and shared helpers.
 */
#ifndef MEDADM_H
#define MEDADM_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "med.h"

enum { ADM_OK = 0, ADM_FAIL = 1, ADM_USAGE = 2 };

struct adm {
	struct med_config cfg;
	struct med_ctx ctx;
	int json;
};

struct adm_command {
	const char *name;      /* "user add": words matched against argv */
	const char *synopsis;
	const char *summary;
	const char *help;      /* extra text for --help, may be NULL */
	int needs_db;          /* 1: open the existing database first */
	int (*run)(struct adm *a, int argc, char **argv);  /* argv after the name */
};

extern const struct adm_command adm_commands[];

int adm_dispatch(struct adm *a, int argc, char **argv);
void adm_usage(const struct adm_command *c, FILE *f);
int adm_fail(const char *what, enum med_err e);

/*
 * Option with a value, as "--name VALUE" or "--name=VALUE" at argv[*i]:
 * 1 and *val set (and *i advanced past a separate value), 0 if argv[*i]
 * is another word, -1 if the value is missing.
 */
int adm_opt(int argc, char **argv, int *i, const char *name, const char **val);
/* Print a cJSON value (pretty) on stdout and free it. */
void adm_print_json(cJSON *v);

int cmd_init(struct adm *a, int argc, char **argv);
int cmd_migrate(struct adm *a, int argc, char **argv);
int cmd_seed(struct adm *a, int argc, char **argv);
int cmd_user_add(struct adm *a, int argc, char **argv);
int cmd_user_list(struct adm *a, int argc, char **argv);
int cmd_user_show(struct adm *a, int argc, char **argv);
int cmd_user_set_role(struct adm *a, int argc, char **argv);
int cmd_user_activate(struct adm *a, int argc, char **argv);
int cmd_user_deactivate(struct adm *a, int argc, char **argv);
int cmd_user_reset_password(struct adm *a, int argc, char **argv);
int cmd_user_revoke_sessions(struct adm *a, int argc, char **argv);
int cmd_user_unlock(struct adm *a, int argc, char **argv);
int cmd_backup(struct adm *a, int argc, char **argv);
int cmd_restore(struct adm *a, int argc, char **argv);
int cmd_check(struct adm *a, int argc, char **argv);
int cmd_audit(struct adm *a, int argc, char **argv);
int cmd_export_patient(struct adm *a, int argc, char **argv);
int cmd_publish(struct adm *a, int argc, char **argv);
int cmd_rotate_secret(struct adm *a, int argc, char **argv);
int cmd_outbox_run(struct adm *a, int argc, char **argv);
int cmd_outbox_list(struct adm *a, int argc, char **argv);
int cmd_outbox_retry(struct adm *a, int argc, char **argv);
int cmd_holiday_add(struct adm *a, int argc, char **argv);
int cmd_holiday_list(struct adm *a, int argc, char **argv);
int cmd_holiday_remove(struct adm *a, int argc, char **argv);
int cmd_settings_show(struct adm *a, int argc, char **argv);
int cmd_settings_set(struct adm *a, int argc, char **argv);

#endif
