/* users.h - user objects shared with medadm. */
#ifndef USERS_H
#define USERS_H

#include <cjson/cJSON.h>
#include "med.h"

/* The API's User object for id; MED_ENOTFOUND when there is none. */
enum med_err users_get_json(struct med_ctx *ctx, const char *id, cJSON **out);

/* Admin changes shared by the API and medadm (each one transaction). */
enum med_err users_set_role(struct med_ctx *ctx, const char *id, const char *role);
enum med_err users_set_active(struct med_ctx *ctx, const char *id, int active);
enum med_err users_set_password(struct med_ctx *ctx, const char *id, const char *password);

#endif
