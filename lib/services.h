/*
 * services.h - a doctor's services (visit types), as booking and slots
 * read them.
 */
#ifndef SERVICES_H
#define SERVICES_H

#include "med.h"

#define SERVICE_DURATION_MIN 5
#define SERVICE_DURATION_MAX 480
#define SERVICE_BUFFER_MAX 120

struct service {
	char id[MED_UUID_LEN + 1];
	char doctor_id[MED_UUID_LEN + 1];
	int duration_minutes;
	int buffer_before_minutes, buffer_after_minutes;
	int is_active;
};

/* Service id into *s; MED_ENOTFOUND when there is none. */
enum med_err service_load(struct med_ctx *ctx, const char *id, struct service *s);

#endif
