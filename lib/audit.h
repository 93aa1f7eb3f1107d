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
 * One row per element of list (objects carrying a string "id"): how a list
 * read is audited, so that "who saw entity X" is one filter on entity_id
 * whichever route showed it.
 */
enum med_err audit_add_list(struct med_ctx *ctx, const struct med_user *user,
    const char *action, const char *entity, const cJSON *list, const char *detail);

/*
 * audit_add() as the last step of the open transaction, then commit; on
 * any failure everything is rolled back and the status returned.
 */
enum med_err audit_commit(struct med_ctx *ctx, const struct med_user *user,
    const char *action, const char *entity, const char *entity_id,
    const char *outcome, const char *detail);

#endif
