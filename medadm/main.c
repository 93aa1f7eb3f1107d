/*
 * medadm - the clinic administrator's tool.  It links the same library as
 * the workers and works on the database file directly, never over HTTP.
 *
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "medadm.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: medadm [--db PATH] [--json] COMMAND [ARGS]\n"
	    "\n"
	    "commands:\n");
	for (const struct adm_command *c = adm_commands; c->name != NULL; c++)
		fprintf(f, "  %-34s %s\n", c->synopsis, c->summary);
	fprintf(f,
	    "\n"
	    "--db PATH   database file (default $MED_DB, else $MED_DATA_DIR/clinic.db,\n"
	    "            else var/clinic.db); secrets live in PATH's directory\n"
	    "--json      machine-readable output where it fits\n"
	    "COMMAND --help shows one command's usage.\n");
}

void
adm_usage(const struct adm_command *c, FILE *f)
{
	fprintf(f, "usage: medadm %s\n%s\n", c->synopsis, c->summary);
	if (c->help != NULL)
		fprintf(f, "\n%s", c->help);
}

int
adm_fail(const char *what, enum med_err e)
{
	fprintf(stderr, "medadm: %s: %s\n", what, med_strerror(e));
	return ADM_FAIL;
}

int
adm_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

void
adm_print_json(cJSON *v)
{
	char *text = cJSON_Print(v);

	if (text != NULL)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(v);
}

/* Point the configuration at one database file, its secrets beside it. */
static int
set_db(struct med_config *cfg, const char *path)
{
	char copy[MED_PATH_MAX];

	if (strlen(path) >= sizeof copy) {
		fprintf(stderr, "medadm: --db: path too long\n");
		return 0;
	}
	snprintf(cfg->db_path, sizeof cfg->db_path, "%s", path);
	snprintf(copy, sizeof copy, "%s", path);
	snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dirname(copy));
	return 1;
}

int
main(int argc, char **argv)
{
	struct adm opts = { 0 };
	enum med_err e;
	int i = 1;

	if ((e = med_config_from_env(&opts.cfg)) != MED_OK) {
		fprintf(stderr, "medadm: configuration: %s\n", med_strerror(e));
		return ADM_FAIL;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			if (!set_db(&opts.cfg, argv[++i]))
				return ADM_USAGE;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			if (!set_db(&opts.cfg, argv[i] + 5))
				return ADM_USAGE;
		} else if (strcmp(argv[i], "--json") == 0) {
			opts.json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return ADM_OK;
		} else {
			fprintf(stderr, "medadm: unknown option %s\n", argv[i]);
			usage(stderr);
			return ADM_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return ADM_USAGE;
	}
	return adm_dispatch(&opts, argc - i, argv + i);
}
