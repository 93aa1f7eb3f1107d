/*
 * availability.h - what other modules and the index tests need from
 * availability.c: the free-slot query over a doctor's appointments.
 */
#ifndef AVAILABILITY_H
#define AVAILABILITY_H

/* SCHEDULED appointments of doctor ?1 starting in [?2, ?3) and ending after ?4. */
extern const char avail_sql_busy[];

#endif
