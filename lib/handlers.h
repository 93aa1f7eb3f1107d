/*
 * handlers.h - every API handler, by domain.  Each takes the context, the
 * request (path parameters in req->params, caller in req->user) and fills
 * the response through the http.h envelope builders; each returns the
 * HTTP status it set.  The routing table in route.c says who may call it.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "http.h"
#include "valid.h"

#define HANDLER(name) int name(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)

/* auth.c */
SPEC_DECL(auth_register_body);
SPEC_DECL(auth_login_body);
SPEC_DECL(auth_refresh_body);
SPEC_DECL(auth_forgot_body);
SPEC_DECL(auth_reset_body);
HANDLER(h_health);
HANDLER(h_auth_register);
HANDLER(h_auth_login);
HANDLER(h_auth_refresh);
HANDLER(h_auth_logout);
HANDLER(h_auth_forgot);
HANDLER(h_auth_reset);

/* clinic.c */
HANDLER(h_clinic_info);
HANDLER(h_appt_of_doctor);

/* users.c */
SPEC_DECL(users_me_patch_body);
SPEC_DECL(users_list_query);
SPEC_DECL(users_patch_body);
HANDLER(h_users_me_get);
HANDLER(h_users_me_patch);
HANDLER(h_users_list);
HANDLER(h_users_patch);

/* patients.c */
SPEC_DECL(patient_body);
SPEC_DECL(patient_create_body);
SPEC_DECL(patient_list_query);
SPEC_DECL(desk_patient_body);
HANDLER(h_patients_list);
HANDLER(h_patients_create);
HANDLER(h_patients_me_get);
HANDLER(h_patients_me_create);
HANDLER(h_patients_me_patch);
HANDLER(h_patients_get);
HANDLER(h_patients_patch);
HANDLER(h_patients_delete);
HANDLER(h_desk_patients_create);

/* doctors.c */
SPEC_DECL(doctor_body);
SPEC_DECL(doctor_create_body);
SPEC_DECL(doctor_list_query);
HANDLER(h_doctors_list);
HANDLER(h_doctors_specialties);
HANDLER(h_doctors_create);
HANDLER(h_doctors_me_get);
HANDLER(h_doctors_me_create);
HANDLER(h_doctors_me_patch);
HANDLER(h_doctors_get);
HANDLER(h_doctors_patch);
HANDLER(h_doctors_delete);

/* availability.c (windows and slots) */
SPEC_DECL(avail_create_body);
SPEC_DECL(slots_query);
SPEC_DECL(avail_patch_body);
HANDLER(h_availability_list);
HANDLER(h_availability_create);
HANDLER(h_availability_patch);
HANDLER(h_availability_delete);
HANDLER(h_slots);

/* reviews.c (favorites and reviews) */
SPEC_DECL(reviews_paging);
SPEC_DECL(review_create_body);
HANDLER(h_favorite_add);
HANDLER(h_favorite_remove);
HANDLER(h_favorites_list);
HANDLER(h_reviews_list);
HANDLER(h_reviews_create);

/* appointments.c */
SPEC_DECL(appt_create_body);
SPEC_DECL(appt_list_query);
SPEC_DECL(appt_cancel_reason);
SPEC_DECL(appt_reschedule_body);
SPEC_DECL(appt_status_body);
HANDLER(h_appt_create);
HANDLER(h_appt_mine);
HANDLER(h_appt_doctor_mine);
HANDLER(h_appt_get);
HANDLER(h_appt_cancel);
HANDLER(h_appt_reschedule);
HANDLER(h_appt_status);

/* records.c */
SPEC_DECL(records_list_query);
SPEC_DECL(records_create_body);
SPEC_DECL(records_patch_body);
HANDLER(h_records_mine);
HANDLER(h_records_doctor_mine);
HANDLER(h_records_get);
HANDLER(h_records_create);
HANDLER(h_records_patch);
HANDLER(h_records_delete);

/* billing.c */
SPEC_DECL(billing_list_query);
SPEC_DECL(billing_create_body);
SPEC_DECL(billing_patch_body);
SPEC_DECL(policy_create_body);
SPEC_DECL(policy_patch_body);
SPEC_DECL(claim_create_body);
SPEC_DECL(claim_patch_body);
HANDLER(h_billing_create);
HANDLER(h_billing_mine);
HANDLER(h_billing_get);
HANDLER(h_billing_patch);
HANDLER(h_billing_patient);
HANDLER(h_policy_create);
HANDLER(h_policy_mine);
HANDLER(h_policy_patient);
HANDLER(h_policy_patch);
HANDLER(h_policy_delete);
HANDLER(h_claim_create);
HANDLER(h_claim_policy);
HANDLER(h_claim_patch);

/* services.c */
SPEC_DECL(service_create_body);
SPEC_DECL(service_patch_body);
HANDLER(h_services_list);
HANDLER(h_services_create);
HANDLER(h_services_patch);
HANDLER(h_services_delete);

/* appointments.c: recurring series */
SPEC_DECL(appt_series_body);
SPEC_DECL(appt_series_cancel_body);
HANDLER(h_appt_series);
HANDLER(h_appt_series_cancel);

/* closures.c (time off and holidays) */
SPEC_DECL(time_off_list_query);
SPEC_DECL(time_off_create_body);
SPEC_DECL(holiday_list_query);
SPEC_DECL(holiday_create_body);
HANDLER(h_time_off_list);
HANDLER(h_time_off_create);
HANDLER(h_time_off_delete);
HANDLER(h_holidays_list);
HANDLER(h_holidays_create);
HANDLER(h_holidays_delete);

/* notifications.c */
SPEC_DECL(notifications_query);
HANDLER(h_notifications_list);
HANDLER(h_notification_read);
HANDLER(h_notifications_read_all);

/* feeds.c */
HANDLER(h_feed_create);
HANDLER(h_feed_delete);
HANDLER(h_feed_get);

/* waitlist.c */
SPEC_DECL(waitlist_create_body);
SPEC_DECL(waitlist_mine_query);
SPEC_DECL(waitlist_list_query);
HANDLER(h_waitlist_create);
HANDLER(h_waitlist_mine);
HANDLER(h_waitlist_list);
HANDLER(h_waitlist_delete);
HANDLER(h_waitlist_accept);
HANDLER(h_waitlist_decline);

/* settings.c */
SPEC_DECL(settings_patch_body);
HANDLER(h_settings_get);
HANDLER(h_settings_patch);

/* live_auth.c */
SPEC_DECL(live_auth_query);
HANDLER(h_live_ticket);
HANDLER(h_live_auth);

/* audit.c */
SPEC_DECL(audit_list_query);
HANDLER(h_audit_list);

/* fhir.c, fhir_res.c, fhir_clin.c, fhir_publish.c: the FHIR table (route.c) */
SPEC_DECL(fhir_metadata_query);
SPEC_DECL(fhir_practitioner_query);
SPEC_DECL(fhir_role_query);
SPEC_DECL(fhir_schedule_query);
SPEC_DECL(fhir_location_query);
SPEC_DECL(fhir_slot_query);
HANDLER(h_fhir_metadata);
HANDLER(h_fhir_practitioner_search);
HANDLER(h_fhir_practitioner_read);
HANDLER(h_fhir_role_search);
HANDLER(h_fhir_role_read);
HANDLER(h_fhir_schedule_search);
HANDLER(h_fhir_schedule_read);
HANDLER(h_fhir_location_search);
HANDLER(h_fhir_location_read);
HANDLER(h_fhir_slot_search);
SPEC_DECL(fhir_service_query);
HANDLER(h_fhir_service_search);
HANDLER(h_fhir_service_read);
SPEC_DECL(fhir_patient_query);
SPEC_DECL(fhir_appointment_query);
HANDLER(h_fhir_patient_search);
HANDLER(h_fhir_patient_read);
HANDLER(h_fhir_appointment_search);
HANDLER(h_fhir_appointment_read);
HANDLER(h_fhir_publish_manifest);
HANDLER(h_fhir_publish_location);
HANDLER(h_fhir_publish_schedule);
HANDLER(h_fhir_publish_slot);

#endif
