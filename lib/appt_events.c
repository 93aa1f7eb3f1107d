/*
 * appt_events.c - the consequences of a change to a visit, in one list.
 */
#include "appt_events.h"
#include "waitlist.h"

enum med_err
appt_changed(struct med_ctx *ctx, const struct appt_change *c)
{
	enum med_err e;

	/* The consequences (messages, waitlist offers, live events) are added here, one call each. */
	if ((e = waitlist_on_change(ctx, c)) != MED_OK)
		return e;
	return MED_OK;
}
