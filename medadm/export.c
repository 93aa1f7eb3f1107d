/*
 * export.c - medadm export-patient: the right-of-access document.
 */
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "medadm.h"

int
cmd_export_patient(struct adm *a, int argc, char **argv)
{
	enum med_err e;
	const char *who;
	cJSON *doc;
	int fhir = 0;

	if (argc == 2 && strcmp(argv[1], "--fhir") == 0)
		fhir = 1;
	else if (argc == 2 && strcmp(argv[0], "--fhir") == 0)
		fhir = 1, argv++;
	else if (argc != 1)
		return ADM_USAGE;
	who = argv[0];
	if (who[0] == '-' || who[0] == '\0')
		return ADM_USAGE;
	e = fhir ? export_patient_fhir(&a->ctx, who, &doc) : export_patient(&a->ctx, who, &doc);
	if (e == MED_ENOTFOUND) {
		fprintf(stderr, "medadm: export-patient: no patient %s\n", who);
		return ADM_FAIL;
	}
	if (e != MED_OK)
		return adm_fail("export-patient", e);
	/* Always JSON: the document is the output. */
	adm_print_json(doc);
	return ADM_OK;
}
