/*
 * export.c - medadm export-patient: the right-of-access document.
 */
#include <stdio.h>

#include "export.h"
#include "medadm.h"

int
cmd_export_patient(struct adm *a, int argc, char **argv)
{
	enum med_err e;
	cJSON *doc;

	if (argc != 1 || argv[0][0] == '-' || argv[0][0] == '\0')
		return ADM_USAGE;
	if ((e = export_patient(&a->ctx, argv[0], &doc)) == MED_ENOTFOUND) {
		fprintf(stderr, "medadm: export-patient: no patient %s\n", argv[0]);
		return ADM_FAIL;
	}
	if (e != MED_OK)
		return adm_fail("export-patient", e);
	/* Always JSON: the document is the output. */
	adm_print_json(doc);
	return ADM_OK;
}
