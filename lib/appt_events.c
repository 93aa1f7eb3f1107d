/*
 * appt_events.c - the consequences of a change to a visit, in one list.
 */
#include "appt_events.h"

enum med_err
appt_changed(struct med_ctx *ctx, const struct appt_change *c)
{
	(void)ctx;
	(void)c;
	/* The consequences (messages, waitlist offers, live events) are added here, one call each. */
	return MED_OK;
}
