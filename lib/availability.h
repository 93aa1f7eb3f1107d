/*
 * availability.h - what other modules and the index tests need from
 * availability.c: the free-slot query over a doctor's appointments.
 */
#ifndef AVAILABILITY_H
#define AVAILABILITY_H

#include <stdint.h>
#include "med.h"

/* SCHEDULED appointments of doctor ?1 starting in [?2, ?3) and ending after ?4. */
extern const char avail_sql_busy[];

#define SLOTS_DAYS_MAX 62
#define SLOTS_MINUTES_DEFAULT 30

/* Which slots: a doctor's, over `days` clinic-local days from y-m-d. */
struct slot_request {
	const char *doctor;
	const char *service_id;  /* NULL: slots of `minutes`, unpadded */
	int y, m, d, days;       /* days <= SLOTS_DAYS_MAX + 1 */
	int minutes;             /* slot length without a service */
};

/* One slot: [start, end) in UTC seconds; free = 0 when a visit (or its buffers) holds it. */
typedef enum med_err (*slot_fn)(int64_t start, int64_t end, int free, void *arg);

/*
 * The one slot computation, shared by the slots route and FHIR Slot:
 * the doctor's slots by start, from the active windows but on holidays,
 * of the service's length and step when rq names one, that end after
 * now, start within the doctor's minimum notice and booking horizon and
 * touch no time off; each is given to fn with whether it is free (no
 * visit's span, buffers included, overlaps it padded by the service's
 * buffers).  Every booking rule lives behind this call, so every caller
 * follows it.  MED_ENOTFOUND: no such doctor, or service_id is not an
 * active service of the doctor; fn's error stops the walk and is returned.
 */
enum med_err slots_compute(struct med_ctx *ctx, const struct slot_request *rq, slot_fn fn,
    void *arg);

#endif
