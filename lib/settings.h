/*
 * settings.h - the clinic's booking rules (GET|PATCH /settings): minimum
 * notice, booking horizon, the no-show limit, the slot step, and the
 * reminders' offsets (notify.h).
 */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "med.h"
#include "valid.h"

#define NOTICE_MAX_MINUTES 525600  /* a year */
#define HORIZON_MAX_DAYS 3650
/* reminder_offsets_minutes: at most this many, each 5 minutes to 14 days. */
#define SETTINGS_REMINDERS_MAX FLD_INTLIST_MAX
#define REMINDER_OFFSET_MIN_MINUTES 5
#define REMINDER_OFFSET_MAX_MINUTES (14 * 1440)

struct clinic_settings {
	int64_t min_notice_minutes;
	int64_t booking_horizon_days;
	int64_t max_no_shows;         /* 0: no limit */
	int64_t slot_step_minutes;
	int64_t reminder_offsets[SETTINGS_REMINDERS_MAX]; /* minutes before a visit */
	int n_reminder_offsets;
};

/* The clinic's settings (defaults when the row is missing). */
enum med_err settings_load(struct med_ctx *ctx, struct clinic_settings *cs);

/*
 * Notice and horizon for doctor_id: the doctor's own values where the
 * profile sets them, the clinic's otherwise.
 */
enum med_err settings_for_doctor(struct med_ctx *ctx, const char *doctor_id,
    int64_t *notice_minutes, int64_t *horizon_days);

/* The reminders' offsets in minutes (as stored, unsorted) into offs[], *n of them. */
enum med_err settings_reminder_offsets(struct med_ctx *ctx,
    int64_t offs[SETTINGS_REMINDERS_MAX], int *n);

/*
 * Set one setting by its API name to value, within the limits PATCH
 * /settings applies; MED_EINVAL for an unknown name, a list setting
 * (reminder_offsets_minutes: PATCH /settings only) or a value out of
 * range.
 */
enum med_err settings_set(struct med_ctx *ctx, const char *name, int64_t value);
/* The settings as the API shows them, a new object; NULL when out of memory. */
cJSON *settings_json(const struct clinic_settings *cs);

#endif
