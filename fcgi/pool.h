/*
 * pool.h - the prefork master: it never touches the database; it forks N
 * serving processes that accept on the inherited listening socket,
 * restarts those that die (backing off when they die right after start),
 * and on SIGTERM, SIGINT or SIGHUP stops them and exits 0.
 */
#ifndef POOL_H
#define POOL_H

#include "med.h"
#include "log.h"

#define POOL_MAX_WORKERS 256

/* Supervise n (1..POOL_MAX_WORKERS) serving processes until asked to stop;
 * returns the exit status of the master. */
int pool_run(const struct med_config *cfg, struct logs *lg, int n);

#endif
