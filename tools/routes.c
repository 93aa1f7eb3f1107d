/*
 * routes.c - print the routing table as JSON (lib/route_doc.h) on stdout:
 * the input of scripts/openapi.py (make openapi).  Exit 1 on failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "route_doc.h"

int
main(void)
{
	cJSON *doc = route_doc(med_routes());
	char *text;
	int rc = 1;

	if (doc == NULL) {
		fprintf(stderr, "routes: cannot render the routing table\n");
		return 1;
	}
	if ((text = cJSON_Print(doc)) != NULL && puts(text) != EOF && fflush(stdout) == 0)
		rc = 0;
	else
		fprintf(stderr, "routes: cannot write the routing table\n");
	free(text);
	cJSON_Delete(doc);
	return rc;
}
