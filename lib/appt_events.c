/*
 * appt_events.c - the consequences of a change to a visit, in one list.
 */
#include "appt_events.h"
#include "live.h"
#include "notify.h"
#include "waitlist.h"

enum med_err
appt_changed(struct med_ctx *ctx, const struct appt_change *c)
{
	enum med_err e;

	/* The consequences, one call each; the first failure dooms the change. */
	if ((e = notify_appt_change(ctx, c)) != MED_OK)  /* messages and notifications (notify.h) */
		return e;
	if ((e = live_queue(ctx, c)) != MED_OK)  /* screens told after commit (live.h) */
		return e;
	if ((e = waitlist_on_change(ctx, c)) != MED_OK)  /* a freed time offered to the waitlist (waitlist.h) */
		return e;
	return MED_OK;
}
