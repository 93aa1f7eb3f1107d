/*
 * appt_events.c - the consequences of a change to a visit, in one list.
 */
#include "appt_events.h"
#include "notify.h"

enum med_err
appt_changed(struct med_ctx *ctx, const struct appt_change *c)
{
	enum med_err e = MED_OK;

	/* The consequences (messages, waitlist offers, live events) are added here, one call each. */
	if (e == MED_OK)
		e = notify_appt_change(ctx, c);
	return e;
}
