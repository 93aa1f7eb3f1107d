/*
 * audit.h - the append-only audit log of who read or changed medical and
 * billing data.  Rows are written inside the caller's transaction for
 * writes, right after the read for reads; a failed audit write fails the
 * request.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include "http.h"

/* user may be NULL (medadm or anonymous). outcome: "ok", "denied", "not_found". */
enum med_err audit_add(struct med_ctx *ctx, const struct med_user *user,
    const char *action, const char *entity, const char *entity_id,
    const char *outcome, const char *detail);

/*
 * How a list read is audited: one row (entity_id NULL) whose entity_ids
 * names every element of list (objects carrying a string "id"), in the
 * caller's transaction, so that "who saw entity X" is one filter on
 * entity_id whichever route showed it (audit_seen_all).  An empty list
 * leaves no row.
 */
enum med_err audit_add_list(struct med_ctx *ctx, const struct med_user *user,
    const char *action, const char *entity, const cJSON *list, const char *detail);
/* The same for a list sent raw: ids is the JSON array of its ids (db_rows_raw_ids), NULL if empty. */
enum med_err audit_add_ids(struct med_ctx *ctx, const struct med_user *user,
    const char *action, const char *entity, const char *ids, const char *detail);

/*
 * Index the ids of up to max_events list events not yet indexed into
 * audit_seen, in one transaction of its own; *events (may be NULL) = how
 * many.  Why after the fact: keyed by entity id, the index takes a write
 * on a random page per item shown, which made a page of 100 records cost
 * 100 page writes in the read's transaction; a batch writes each page
 * once.  Readers use the view audit_seen_all, which adds the events not
 * yet indexed, so nothing is missed in between.  Run by each pass of the
 * sender (medadm outbox run).
 */
enum med_err audit_index(struct med_ctx *ctx, int max_events, int *events);

/* The sender's batch: events indexed per call. */
#define AUDIT_INDEX_BATCH 20000
/*
 * Events indexed per transaction (a list event names up to 100 ids): the
 * index holds the write lock a few milliseconds at a time, and the
 * requests queued for it get it in between (bench/RESULTS.md: one
 * 20000-event transaction held bookings up for seconds).
 */
#define AUDIT_INDEX_TX_EVENTS 20
/* The longest pause between two of those transactions, in microseconds. */
#define AUDIT_INDEX_PAUSE_MAX_US 20000

/*
 * A refusal that stays in the log, for a route's TX_WRITE handler: an
 * attempt on an entity the caller may not touch, or that does not exist,
 * is itself worth tracing, so its row (outcome "not_found" for a 404,
 * "denied" otherwise) survives the route's rollback.  Answers status with
 * message (or the failure of the audit write) and returns the status.
 */
int audit_refusal(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp,
    const char *action, const char *entity, const char *entity_id, const char *detail,
    int status, const char *message);

#endif
