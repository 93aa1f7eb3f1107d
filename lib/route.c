/*
 * route.c - the routing table, read top to bottom: each row is the whole
 * truth of a route (method, path, auth, roles, transaction, query and body
 * specs, handler).  The first route whose pattern and method match wins,
 * so more specific literal paths stand above parameterised ones.  The
 * pipeline that runs a row is dispatch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "route.h"
#include "fhir.h"
#include "handlers.h"

#define A ROLE_ADMIN
#define D ROLE_DOCTOR
#define P ROLE_PATIENT
#define S ROLE_STAFF
#define ANY ROLE_ANY
#define V1 MED_API_BASE

static const struct med_route routes[] = {
	/* method pattern                                         auth           roles  tx        query                  body                   handler */
	{ "GET",  V1 "/health",                                  AUTH_NONE,     0,     TX_NONE,  NULL,                  NULL,                  h_health },

	{ "POST", V1 "/auth/register",                           AUTH_NONE,     0,     TX_NONE,  NULL,                  &auth_register_body,   h_auth_register },
	{ "POST", V1 "/auth/login",                              AUTH_NONE,     0,     TX_NONE,  NULL,                  &auth_login_body,      h_auth_login },
	{ "POST", V1 "/auth/refresh",                            AUTH_NONE,     0,     TX_WRITE, NULL,                  &auth_refresh_body,    h_auth_refresh },
	{ "POST", V1 "/auth/logout",                             AUTH_OPTIONAL, 0,     TX_WRITE, NULL,                  NULL,                  h_auth_logout },
	{ "POST", V1 "/auth/forgot",                             AUTH_NONE,     0,     TX_WRITE, NULL,                  &auth_forgot_body,     h_auth_forgot },
	{ "POST", V1 "/auth/reset",                              AUTH_NONE,     0,     TX_NONE,  NULL,                  &auth_reset_body,      h_auth_reset },

	{ "GET",  V1 "/users/me",                                AUTH_REQUIRED, ANY,   TX_READ,  NULL,                  NULL,                  h_users_me_get },
	{ "PATCH", V1 "/users/me",                                AUTH_REQUIRED, ANY,   TX_NONE,  NULL,                  &users_me_patch_body,  h_users_me_patch },
	{ "GET",  V1 "/users",                                   AUTH_REQUIRED, A,     TX_READ,  &users_list_query,     NULL,                  h_users_list },
	{ "PATCH", V1 "/users/{user_id}",                         AUTH_REQUIRED, A,     TX_NONE,  NULL,                  &users_patch_body,     h_users_patch },

	{ "GET",  V1 "/patients",                                AUTH_REQUIRED, A|S,   TX_AUDIT, &patient_list_query,   NULL,                  h_patients_list },
	{ "POST", V1 "/patients",                                AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &patient_create_body,  h_patients_create },
	{ "GET",  V1 "/patients/me",                             AUTH_REQUIRED, P|A,   TX_AUDIT, NULL,                  NULL,                  h_patients_me_get },
	{ "POST", V1 "/patients/me",                             AUTH_REQUIRED, P|A,   TX_WRITE, NULL,                  &patient_body,         h_patients_me_create },
	{ "PATCH", V1 "/patients/me",                             AUTH_REQUIRED, P|A,   TX_WRITE, NULL,                  &patient_body,         h_patients_me_patch },
	{ "GET",  V1 "/patients/{patient_id}",                   AUTH_REQUIRED, A|S|D, TX_AUDIT, NULL,                  NULL,                  h_patients_get },
	{ "PATCH", V1 "/patients/{patient_id}",                   AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &patient_body,         h_patients_patch },
	{ "DELETE", V1 "/patients/{patient_id}",                   AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_patients_delete },
	/* The front desk registers a walk-in: account, profile and invitation mail (no KDF). */
	{ "POST", V1 "/desk/patients",                           AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &desk_patient_body,    h_desk_patients_create },

	{ "GET",  V1 "/doctors",                                 AUTH_NONE,     0,     TX_READ,  &doctor_list_query,    NULL,                  h_doctors_list },
	{ "POST", V1 "/doctors",                                 AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &doctor_create_body,   h_doctors_create },
	{ "GET",  V1 "/doctors/specialties",                     AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_doctors_specialties },
	{ "GET",  V1 "/doctors/me/profile",                      AUTH_REQUIRED, D|A,   TX_READ,  NULL,                  NULL,                  h_doctors_me_get },
	{ "POST", V1 "/doctors/me/profile",                      AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &doctor_body,          h_doctors_me_create },
	{ "PATCH", V1 "/doctors/me/profile",                      AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &doctor_body,          h_doctors_me_patch },
	{ "GET",  V1 "/doctors/me/favorites",                    AUTH_REQUIRED, P,     TX_READ,  &reviews_paging,       NULL,                  h_favorites_list },
	{ "PATCH", V1 "/doctors/availability/{availability_id}",  AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  &avail_patch_body,     h_availability_patch },
	{ "DELETE", V1 "/doctors/availability/{availability_id}",  AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  NULL,                  h_availability_delete },
	{ "PATCH", V1 "/doctors/services/{service_id}",           AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  &service_patch_body,   h_services_patch },
	{ "DELETE", V1 "/doctors/services/{service_id}",           AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  NULL,                  h_services_delete },
	{ "DELETE", V1 "/doctors/time-off/{time_off_id}",          AUTH_REQUIRED, A|D|S, TX_WRITE, NULL,                  NULL,                  h_time_off_delete },
	{ "GET",  V1 "/doctors/{doctor_id}/time-off",            AUTH_OPTIONAL, 0,     TX_READ,  &time_off_list_query,  NULL,                  h_time_off_list },
	{ "POST", V1 "/doctors/{doctor_id}/time-off",            AUTH_REQUIRED, A|D|S, TX_WRITE, NULL,                  &time_off_create_body, h_time_off_create },
	{ "GET",  V1 "/doctors/{doctor_id}/services",            AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_services_list },
	{ "POST", V1 "/doctors/{doctor_id}/services",            AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  &service_create_body,  h_services_create },
	{ "GET",  V1 "/doctors/{doctor_id}",                     AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_doctors_get },
	{ "PATCH", V1 "/doctors/{doctor_id}",                     AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &doctor_body,          h_doctors_patch },
	{ "DELETE", V1 "/doctors/{doctor_id}",                     AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_doctors_delete },
	{ "GET",  V1 "/doctors/{doctor_id}/availability",        AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_availability_list },
	{ "POST", V1 "/doctors/{doctor_id}/availability",        AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  &avail_create_body,    h_availability_create },
	{ "GET",  V1 "/doctors/{doctor_id}/availability/slots",  AUTH_NONE,     0,     TX_READ,  &slots_query,          NULL,                  h_slots },
	{ "POST", V1 "/doctors/{doctor_id}/favorite",            AUTH_REQUIRED, P,     TX_WRITE, NULL,                  NULL,                  h_favorite_add },
	{ "DELETE", V1 "/doctors/{doctor_id}/favorite",            AUTH_REQUIRED, P,     TX_WRITE, NULL,                  NULL,                  h_favorite_remove },
	{ "GET",  V1 "/doctors/{doctor_id}/reviews",             AUTH_OPTIONAL, 0,     TX_READ,  &reviews_paging,       NULL,                  h_reviews_list },
	{ "POST", V1 "/doctors/{doctor_id}/reviews",             AUTH_REQUIRED, P,     TX_WRITE, NULL,                  &review_create_body,   h_reviews_create },

	{ "POST", V1 "/appointments",                            AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &appt_create_body,     h_appt_create },
	{ "POST", V1 "/appointments/series",                     AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &appt_series_body,     h_appt_series },
	{ "POST", V1 "/appointments/series/{series_id}/cancel",  AUTH_REQUIRED, P|D|A|S, TX_WRITE, NULL,                &appt_series_cancel_body, h_appt_series_cancel },
	{ "GET",  V1 "/appointments/me",                         AUTH_REQUIRED, P|A,   TX_READ,  &appt_list_query,      NULL,                  h_appt_mine },
	{ "GET",  V1 "/appointments/doctor/me",                  AUTH_REQUIRED, D|A,   TX_READ,  &appt_list_query,      NULL,                  h_appt_doctor_mine },
	{ "GET",  V1 "/appointments/{appointment_id}",           AUTH_REQUIRED, ANY,   TX_READ,  NULL,                  NULL,                  h_appt_get },
	{ "POST", V1 "/appointments/{appointment_id}/cancel",    AUTH_REQUIRED, ANY,   TX_WRITE, &appt_cancel_reason,   &appt_cancel_reason,   h_appt_cancel },
	{ "POST", V1 "/appointments/{appointment_id}/reschedule", AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &appt_reschedule_body, h_appt_reschedule },
	{ "PATCH", V1 "/appointments/{appointment_id}/reschedule", AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &appt_reschedule_body, h_appt_reschedule },
	{ "PATCH", V1 "/appointments/{appointment_id}/status",    AUTH_REQUIRED, D|A|S, TX_WRITE, NULL,                  &appt_status_body,     h_appt_status },

	{ "GET",  V1 "/medical-records/me",                      AUTH_REQUIRED, P|A,   TX_AUDIT, &records_list_query,   NULL,                  h_records_mine },
	{ "GET",  V1 "/medical-records/doctor/me",               AUTH_REQUIRED, D|A,   TX_AUDIT, &records_list_query,   NULL,                  h_records_doctor_mine },
	{ "POST", V1 "/medical-records",                         AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &records_create_body,  h_records_create },
	{ "GET",  V1 "/medical-records/{record_id}",             AUTH_REQUIRED, P|D|A, TX_AUDIT, NULL,                  NULL,                  h_records_get },
	{ "PATCH", V1 "/medical-records/{record_id}",             AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &records_patch_body,   h_records_patch },
	{ "DELETE", V1 "/medical-records/{record_id}",             AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_records_delete },

	{ "POST", V1 "/billing",                                 AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &billing_create_body,  h_billing_create },
	{ "GET",  V1 "/billing/me",                              AUTH_REQUIRED, P|A,   TX_AUDIT, &billing_list_query,   NULL,                  h_billing_mine },
	{ "POST", V1 "/billing/policies",                        AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &policy_create_body,   h_policy_create },
	{ "GET",  V1 "/billing/policies/me",                     AUTH_REQUIRED, P|A,   TX_AUDIT, &billing_list_query,   NULL,                  h_policy_mine },
	{ "GET",  V1 "/billing/policies/patient/{patient_id}",   AUTH_REQUIRED, A|S,   TX_AUDIT, &billing_list_query,   NULL,                  h_policy_patient },
	{ "PATCH", V1 "/billing/policies/{policy_id}",            AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &policy_patch_body,    h_policy_patch },
	{ "DELETE", V1 "/billing/policies/{policy_id}",            AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_policy_delete },
	{ "POST", V1 "/billing/claims",                          AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &claim_create_body,    h_claim_create },
	{ "GET",  V1 "/billing/claims/policy/{policy_id}",       AUTH_REQUIRED, A|S,   TX_AUDIT, &billing_list_query,   NULL,                  h_claim_policy },
	{ "PATCH", V1 "/billing/claims/{claim_id}",               AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &claim_patch_body,     h_claim_patch },
	{ "GET",  V1 "/billing/patient/{patient_id}",            AUTH_REQUIRED, A|S,   TX_AUDIT, &billing_list_query,   NULL,                  h_billing_patient },
	{ "GET",  V1 "/billing/{billing_id}",                    AUTH_REQUIRED, A|S|P, TX_AUDIT, NULL,                  NULL,                  h_billing_get },
	{ "PATCH", V1 "/billing/{billing_id}",                    AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &billing_patch_body,   h_billing_patch },

	{ "POST", V1 "/waitlist",                                AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &waitlist_create_body, h_waitlist_create },
	{ "GET",  V1 "/waitlist",                                AUTH_REQUIRED, A|S|D, TX_READ,  &waitlist_list_query,  NULL,                  h_waitlist_list },
	{ "GET",  V1 "/waitlist/me",                             AUTH_REQUIRED, P,     TX_READ,  &waitlist_mine_query,  NULL,                  h_waitlist_mine },
	{ "DELETE", V1 "/waitlist/{entry_id}",                     AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  NULL,                  h_waitlist_delete },
	{ "POST", V1 "/waitlist/offers/{offer_id}/accept",       AUTH_REQUIRED, P,     TX_WRITE, NULL,                  NULL,                  h_waitlist_accept },
	{ "POST", V1 "/waitlist/offers/{offer_id}/decline",      AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  NULL,                  h_waitlist_decline },

	{ "GET",  V1 "/holidays",                                AUTH_NONE,     0,     TX_READ,  &holiday_list_query,   NULL,                  h_holidays_list },
	{ "POST", V1 "/holidays",                                AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &holiday_create_body,  h_holidays_create },
	{ "DELETE", V1 "/holidays/{holiday_id}",                   AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_holidays_delete },
	{ "GET",  V1 "/settings",                                AUTH_REQUIRED, A|S,   TX_READ,  NULL,                  NULL,                  h_settings_get },
	{ "PATCH", V1 "/settings",                                AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &settings_patch_body,  h_settings_patch },
	/* For the web app: the clinic's zone, a doctor's day for the front desk. */
	{ "GET",  V1 "/clinic",                                  AUTH_NONE,     0,     TX_NONE,  NULL,                  NULL,                  h_clinic_info },
	{ "GET",  V1 "/appointments/doctor/{doctor_id}",         AUTH_REQUIRED, A|S,   TX_READ,  &appt_list_query,      NULL,                  h_appt_of_doctor },
	/*
	 * Live updates (lib/live.h): nginx serves GET /api/v1/live (nchan, EventSource)
	 * and asks /live/auth, with the subscriber's query string, before it does.
	 */
	{ "POST", V1 "/live/ticket",                             AUTH_REQUIRED, A|S|D, TX_READ,  NULL,                  NULL,                  h_live_ticket },
	{ "GET",  V1 "/live/auth",                               AUTH_NONE,     0,     TX_WRITE, &live_auth_query,      NULL,                  h_live_auth },

	{ "GET",  V1 "/notifications",                           AUTH_REQUIRED, ANY,   TX_READ,  &notifications_query,  NULL,                  h_notifications_list },
	{ "POST", V1 "/notifications/read-all",                  AUTH_REQUIRED, ANY,   TX_WRITE, NULL,                  NULL,                  h_notifications_read_all },
	{ "POST", V1 "/notifications/{notification_id}/read",    AUTH_REQUIRED, ANY,   TX_WRITE, NULL,                  NULL,                  h_notification_read },

	{ "POST", V1 "/calendar/feed",                           AUTH_REQUIRED, P|D,   TX_WRITE, NULL,                  NULL,                  h_feed_create },
	{ "DELETE", V1 "/calendar/feed",                           AUTH_REQUIRED, P|D,   TX_WRITE, NULL,                  NULL,                  h_feed_delete },
	{ "GET",  V1 "/calendar/{token}.ics",                    AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_feed_get },

	{ "GET",  V1 "/audit",                                   AUTH_REQUIRED, A,     TX_READ,  &audit_list_query,     NULL,                  h_audit_list },

	{ NULL, NULL, AUTH_NONE, 0, TX_NONE, NULL, NULL, NULL },
};

const struct med_route *
med_routes(void)
{
	return routes;
}

#define R4 MED_FHIR_BASE

/*
 * The FHIR R4 read API (fhir.h): the same rows, run by the same pipeline;
 * its refusals are OperationOutcomes.  The CapabilityStatement is this
 * table: "/Type" rows are searches (their query specs list the search
 * parameters), "/Type/{x}" rows are reads.
 */
static const struct med_route fhir_routes[] = {
	/* method pattern                                         auth           roles  tx        query                    body  handler */
	{ "GET",  R4 "/metadata",                                AUTH_NONE,     0,     TX_NONE,  &fhir_metadata_query,    NULL, h_fhir_metadata },
	{ "GET",  R4 "/Location",                                AUTH_NONE,     0,     TX_NONE,  &fhir_location_query,    NULL, h_fhir_location_search },
	{ "GET",  R4 "/Location/{location_id}",                  AUTH_NONE,     0,     TX_NONE,  NULL,                    NULL, h_fhir_location_read },
	{ "GET",  R4 "/Practitioner",                            AUTH_NONE,     0,     TX_READ,  &fhir_practitioner_query,NULL, h_fhir_practitioner_search },
	{ "GET",  R4 "/Practitioner/{doctor_id}",                AUTH_NONE,     0,     TX_READ,  NULL,                    NULL, h_fhir_practitioner_read },
	{ "GET",  R4 "/PractitionerRole",                        AUTH_NONE,     0,     TX_READ,  &fhir_role_query,        NULL, h_fhir_role_search },
	{ "GET",  R4 "/PractitionerRole/{doctor_id}",            AUTH_NONE,     0,     TX_READ,  NULL,                    NULL, h_fhir_role_read },
	{ "GET",  R4 "/Schedule",                                AUTH_NONE,     0,     TX_READ,  &fhir_schedule_query,    NULL, h_fhir_schedule_search },
	{ "GET",  R4 "/Schedule/{doctor_id}",                    AUTH_NONE,     0,     TX_READ,  NULL,                    NULL, h_fhir_schedule_read },
	{ "GET",  R4 "/Slot",                                    AUTH_NONE,     0,     TX_READ,  &fhir_slot_query,        NULL, h_fhir_slot_search },
	{ "GET",  R4 "/HealthcareService",                       AUTH_NONE,     0,     TX_READ,  &fhir_service_query,     NULL, h_fhir_service_search },
	{ "GET",  R4 "/HealthcareService/{service_id}",          AUTH_NONE,     0,     TX_READ,  NULL,                    NULL, h_fhir_service_read },
	/* Reads of medical data write their audit rows: TX_AUDIT. */
	{ "GET",  R4 "/Patient",                                 AUTH_REQUIRED, ANY,   TX_AUDIT, &fhir_patient_query,     NULL, h_fhir_patient_search },
	{ "GET",  R4 "/Patient/{patient_id}",                    AUTH_REQUIRED, ANY,   TX_AUDIT, NULL,                    NULL, h_fhir_patient_read },
	{ "GET",  R4 "/Appointment",                             AUTH_REQUIRED, ANY,   TX_AUDIT, &fhir_appointment_query, NULL, h_fhir_appointment_search },
	{ "GET",  R4 "/Appointment/{appointment_id}",            AUTH_REQUIRED, ANY,   TX_AUDIT, NULL,                    NULL, h_fhir_appointment_read },
	/* SMART Scheduling Links: public, cacheable for 5 minutes. */
	{ "GET",  R4 "/$bulk-publish",                           AUTH_NONE,     0,     TX_NONE,  NULL,                    NULL, h_fhir_publish_manifest },
	{ "GET",  R4 "/$bulk-publish/Location.ndjson",           AUTH_NONE,     0,     TX_NONE,  NULL,                    NULL, h_fhir_publish_location },
	{ "GET",  R4 "/$bulk-publish/Schedule.ndjson",           AUTH_NONE,     0,     TX_READ,  NULL,                    NULL, h_fhir_publish_schedule },
	{ "GET",  R4 "/$bulk-publish/Slot.ndjson",               AUTH_NONE,     0,     TX_READ,  NULL,                    NULL, h_fhir_publish_slot },

	{ NULL, NULL, AUTH_NONE, 0, TX_NONE, NULL, NULL, NULL },
};

const struct med_route *
med_fhir_routes(void)
{
	return fhir_routes;
}

/*
 * Segment-by-segment match.  "{x}" matches one non-empty segment, or the
 * non-empty start of one when the pattern's segment goes on after it
 * ("{token}.ics" takes "abc" of "abc.ics"); a single trailing slash on the
 * path is tolerated so "/x" and "/x/" answer alike.
 */
int
route_match(const char *pattern, const char *path, char **params, int *nparams)
{
	const char *p = pattern, *s = path;
	int n = 0;

	*nparams = 0;
	while (*p != '\0') {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			size_t len = strcspn(s, "/"), tail;
			if (pe == NULL || n >= MED_MAX_PARAMS)
				goto nomatch;
			/* The literal rest of the pattern's segment must end the path's. */
			tail = strcspn(pe + 1, "/");
			if (len <= tail || memcmp(s + len - tail, pe + 1, tail) != 0)
				goto nomatch;
			len -= tail;
			if ((params[n] = strndup(s, len)) == NULL)
				goto nomatch;
			n++;
			p = pe + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			goto nomatch;
		p++;
		s++;
	}
	if (*s == '/' && s[1] == '\0')
		s++;
	if (*s != '\0')
		goto nomatch;
	*nparams = n;
	return 1;
nomatch:
	while (n > 0)
		free(params[--n]);
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
	{ "ADMIN", ROLE_ADMIN }, { "DOCTOR", ROLE_DOCTOR },
	{ "PATIENT", ROLE_PATIENT }, { "STAFF", ROLE_STAFF },
};

unsigned
role_from_name(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof role_names / sizeof role_names[0]; i++)
		if (strcmp(name, role_names[i].name) == 0)
			return role_names[i].bit;
	return 0;
}

const char *
role_name(unsigned role)
{
	for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
		if (role_names[i].bit == role)
			return role_names[i].name;
	return NULL;
}

int
med_has_role(const struct med_req *req, unsigned roles)
{
	if (!req->authed)
		return 0;
	return req->user.is_superuser || (req->user.role & roles) != 0;
}
