/*
 * live.h - live updates: front-desk and doctor screens told of every
 * change to a visit within a second, pushed through nginx (Debian's
 * libnginx-mod-nchan) so that no worker is held per open screen.
 *
 *   appt_changed() --live_queue()--> ctx->live   (inside the transaction)
 *   dispatch, after COMMIT --live_publish()--> POST /pub/clinic on nchan's
 *       loopback-only publisher (LIVE_PUBLISH: a Unix socket or http://IP:PORT)
 *   browsers <--EventSource-- nchan at /api/v1/live?ticket=... (live_auth.c)
 *
 * An event names a kind and ids, never medical data:
 *   {"kind":"appointment.booked","appointment_id":"...","doctor_id":"...",
 *    "at":"2026-12-01T09:30:00Z"}
 * kinds appointment.booked, .moved, .cancelled, .status; a transaction
 * that changed more than LIVE_QUEUE_MAX visits (a long series) sends one
 * {"kind":"appointments.changed","doctor_id":... or null,"at":...}
 * instead: screens re-fetch what they show either way.
 *
 * Best effort by design: the change is committed before anything is sent,
 * so a publisher that is down or slow costs at most LIVE_BUDGET_MS per
 * request and a line in worker.log (resp->note), never the answer.  A
 * rolled-back change sends nothing.  Whoever commits publishes: dispatch
 * for the routing table; medadm changes no visit today (a command that
 * does must call live_publish() after its commit, or its events are
 * dropped with the next live_drop()).
 */
#ifndef LIVE_H
#define LIVE_H

#include <stddef.h>
#include "appt_events.h"
#include "http.h"
#include "med.h"

#define LIVE_CHANNEL "clinic"   /* one channel per clinic: kinds and ids only */
#define LIVE_QUEUE_MAX 16       /* events of one transaction before they merge */
#define LIVE_BUDGET_MS 50       /* a request waits at most this for publishing */
#define LIVE_TICKET_SECONDS 60  /* a subscribe ticket's life (live_auth.c) */
/* Who may subscribe: the roles of POST /live/ticket's row (front desk, doctors, admins). */
#define LIVE_ROLES (ROLE_ADMIN | ROLE_STAFF | ROLE_DOCTOR)

/*
 * LIVE_PUBLISH's value: "" (off), an absolute Unix socket path, or
 * "http://A.B.C.D:PORT" (an IPv4 literal: no name lookup in a request).
 * MED_EINVAL otherwise.
 */
enum med_err live_target_check(const char *target);

/* Queue the event of change c in ctx (only MED_ENOMEM can fail it). */
enum med_err live_queue(struct med_ctx *ctx, const struct appt_change *c);

/*
 * Send the queued events to ctx->cfg.live_publish, within LIVE_BUDGET_MS,
 * and empty the queue.  Call only after the commit that made them.  What
 * failed is described in note ("" when all went or nothing was queued).
 */
void live_publish(struct med_ctx *ctx, char *note, size_t note_size);

/* Forget the queued events (a rollback, or the end of a request). */
void live_drop(struct med_ctx *ctx);

/* Release the queue (med_ctx_close). */
void live_free(struct med_ctx *ctx);

#endif
