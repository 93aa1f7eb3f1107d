/*
 * notifications.h - in-app notifications: what a person was told, shown
 * in the application (GET /notifications) beside the mail or SMS that
 * carried it.  Written by notify.c in the same transaction as the outbox
 * rows, so the two never disagree.
 */
#ifndef NOTIFICATIONS_H
#define NOTIFICATIONS_H

#include "med.h"

/* Title and body are cut to these many bytes (on a UTF-8 boundary). */
#define NOTIFICATION_TITLE_MAX 200
#define NOTIFICATION_BODY_MAX 4000

/*
 * Record one unread notification for user_id inside the caller's open
 * transaction (MED_EINVAL outside one).  appointment_id may be NULL.
 */
enum med_err notification_add(struct med_ctx *ctx, const char *user_id, const char *kind,
    const char *title, const char *body, const char *appointment_id);

/* The template of a message's in-app text: KIND_note (templates/README). */
#define NOTIFICATION_NOTE_SUFFIX "_note"

struct cJSON;
/*
 * The in-app twin of a message, rendered now in locale with params (the
 * values the sender will render its mail with): the title is the mail's
 * subject (template kind), the body the one-line summary of template
 * KIND_note (not the mail's body: a list of notifications is read at a
 * glance).  Recorded for user_id by notification_add().
 */
enum med_err notification_of_message(struct med_ctx *ctx, const char *user_id, const char *kind,
    const char *locale, const struct cJSON *params, const char *appointment_id);

#endif
