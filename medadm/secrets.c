/*
 * secrets.c - medadm rotate-secret.
 */
#include <stdio.h>

#include "medadm.h"
#include "secrets.h"

int
cmd_rotate_secret(struct adm *a, int argc, char **argv)
{
	enum med_err e;
	int users;

	(void)argv;
	if (argc != 0)
		return ADM_USAGE;
	if ((e = secrets_rotate(&a->ctx, &users)) != MED_OK)
		return adm_fail("rotate-secret", e);
	if (a->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "data_dir", a->cfg.data_dir);
		cJSON_AddNumberToObject(o, "users_signed_out", users);
		adm_print_json(o);
	} else {
		printf("new JWT secrets in %s/secrets; %d users' sessions ended\n"
		    "running workers pick them up at their next request\n", a->cfg.data_dir, users);
	}
	return ADM_OK;
}
