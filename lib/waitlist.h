/*
 * waitlist.h - patients waiting for a doctor's time, and the offers that
 * hand them a freed interval (README "Waitlist").
 *
 * When a visit is cancelled or moved away, the freed interval is offered,
 * in the same transaction, to the earliest WAITING entry that can book it
 * and held for that patient for WAITLIST_HOLD_MINUTES.  A hold is a rule
 * of appt_check_booking(), like a visit: every booking runs it inside its
 * BEGIN IMMEDIATE transaction, so a held interval is never booked by
 * anyone but the offer's acceptance, and the slots route leaves it out.
 * A hold past its hold_until blocks nothing (it is read by time, so no
 * process is needed for correctness); waitlist_expire() then passes the
 * interval on to the next entry, as a decline does at once.
 */
#ifndef WAITLIST_H
#define WAITLIST_H

#include <stdint.h>
#include "med.h"

struct appt_change;

/*
 * Held intervals of doctor ?1 that overlap [?2, ?3) and whose hold_until
 * is after ?4, except offer ?5 (bind "" for none): start_time, end_time.
 */
extern const char waitlist_sql_held[];

/*
 * The WAITING entries of doctor ?1 whose dates hold local date ?2, but
 * patient ?3's and those offered [?4, ?5) before, in the order served.
 */
extern const char waitlist_sql_queue[];

/*
 * 1 when [start, end) overlaps an interval held for doctor_id now, other
 * than offer except_offer_id (NULL: none); 0 when not; -1 on error.
 */
int waitlist_held(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end,
    const char *except_offer_id);

/* appt_changed(): offer what change c freed, in the caller's transaction. */
enum med_err waitlist_on_change(struct med_ctx *ctx, const struct appt_change *c);

/*
 * In a transaction of its own: expire the holds past their hold_until,
 * each entry back to WAITING and its interval offered to the next entry,
 * and expire the WAITING entries whose to_date has passed.  *n (may be
 * NULL) = holds expired.  Called by each pass of the outbox sender, so
 * the next patient's message goes out in the same pass.
 */
enum med_err waitlist_expire(struct med_ctx *ctx, int *n);

#endif
