/*
 * runner.c - main() for the unit and the end-to-end test programs: runs
 * every registered suite and exits non-zero on
 * any failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "testreg.h"

#define MAX_SUITES 128

static suite_fn suites[MAX_SUITES];
static int nsuites;

void
test_register(suite_fn fn)
{
	if (nsuites == MAX_SUITES) {
		fprintf(stderr, "too many test suites\n");
		abort();
	}
	suites[nsuites++] = fn;
}

/* Select suites or cases with Check's CK_RUN_SUITE / CK_RUN_CASE. */
int
main(void)
{
	SRunner *sr = NULL;
	int failed;

	for (int i = 0; i < nsuites; i++) {
		if (sr == NULL)
			sr = srunner_create(suites[i]());
		else
			srunner_add_suite(sr, suites[i]());
	}
	if (sr == NULL) {
		fprintf(stderr, "no test suite registered\n");
		return 1;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
