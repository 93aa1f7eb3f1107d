/*
 * clinic.c - what a client must know about the clinic itself to show its
 * data the way people read it: the zone its wall-clock times live in.
 * Public: the booking page needs it before anyone logs in.
 */
#include <cjson/cJSON.h>

#include "handlers.h"
#include "http.h"
#include "med.h"

int
h_clinic_info(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *data = cJSON_CreateObject();

	(void)req;
	if (data == NULL || cJSON_AddStringToObject(data, "timezone", ctx->cfg.clinic_tz) == NULL) {
		cJSON_Delete(data);
		return med_fail(resp, MED_ENOMEM);
	}
	return med_ok(resp, data);
}
