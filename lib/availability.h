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

/* One slot: [start, end) in UTC seconds; free = 0 when an appointment holds it. */
typedef enum med_err (*slot_fn)(int64_t start, int64_t end, int free, void *arg);

/*
 * The one slot computation, shared by the slots route and FHIR Slot:
 * doctor's slots of `minutes` over `days` clinic-local days from y-m-d,
 * by start, that end after now, each given to fn with whether it is free.
 * Every booking rule lives behind this call, so every caller follows it.
 * MED_ENOTFOUND: no such doctor; fn's error stops the walk and is returned.
 */
enum med_err slots_compute(struct med_ctx *ctx, const char *doctor, int y, int m, int d,
    int days, int minutes, slot_fn fn, void *arg);

#endif
