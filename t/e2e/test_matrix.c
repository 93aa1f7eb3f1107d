/*
 * test_matrix.c - the access matrix: for every route of the routing table
 * (lib/route.c) and each of ten identities, the HTTP status the contract
 * (API.md) promises, checked against the real stack.
 *
 * The identities: anonymous; patients A and B; doctor X, who treats A (A
 * has appointments with X, one of them COMPLETED, and records X wrote);
 * doctor Y, with no tie to A; staff; admin; an inactive user (a fresh
 * ADMIN account deactivated by the seed admin after it logged in, so its
 * token is otherwise valid: the active check must stop it even where its
 * role would pass); and two demoted accounts, each turned into a PATIENT
 * by the seed admin after it logged in (a role change leaves tokens
 * valid), without a patient profile: a demoted doctor, who treated A just
 * as X does and keeps its doctor profile and that history, and a demoted
 * staff member.  Ownership holds only while the role behind it does, so
 * each is simply a PATIENT without a profile: 404 "Patient profile not
 * found" on the patient /me routes, 403 wherever its old role or its old
 * ties would have let it in.  In the demoted doctor's column X's targets
 * are its own (A's appointments with it, the records it wrote, its
 * windows), so each 403 there is a tie it had as a doctor.  All but
 * anonymous are fresh accounts: the suite shares the stack with the others
 * and mutates only what it made.
 *
 * How the rows stay order-independent:
 *  - targets that a request consumes (deletes, cancellations, status
 *    changes, new profiles) are {tmp_*} placeholders: made in the setup
 *    or on first use, made again after a request on them succeeded, so every identity that
 *    gets through meets an untouched target, and one refused leaves it as
 *    it was (which is the point of refusing);
 *  - bookings, windows, e-mails and policy numbers are fresh per request;
 *  - the public auth rows log in, refresh, ask for and use reset tokens
 *    (from medadm, as out of band) on a spare account of their own;
 *  - logout is sent with a second session of the identity (made by a
 *    refresh in the setup), so its main token survives the row.
 * Every answer with a body must be the JSON envelope (and 204 none) - on
 * the FHIR base, FHIR JSON with refusals as OperationOutcome - every
 * 401 must carry the Bearer challenge, and the inactive user's 403s must
 * say "Inactive user".  Password hashes dominate the run time, so the
 * accounts of the setup and the register and login rows go concurrently.
 * Rows run top to bottom, as the table reads, and each row runs its
 * identities in run_order (admin last).  The one dependency between rows
 * is on purpose: the fresh admin has neither a patient nor a doctor
 * profile until the POST /patients/me and POST /doctors/me/profile rows
 * make them (201 shows the success path), so the GET rows above them say
 * 404 and the /me rows below them say 200.  The demoted accounts make one
 * too (201: a PATIENT may), which the seed admin deletes at once, so they
 * stay without one down the table.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2ekit.h"
#include "httpc.h"
#include "testreg.h"
#include "route.h"

enum who { AN, PA, PB, DX, DY, ST, AD, IN, DD, DS, NWHO };

static const char *const who_name[NWHO] = {
	"anonymous", "patient_A", "patient_B", "doctor_X", "doctor_Y", "staff", "admin",
	"inactive", "demoted_doctor", "demoted_staff",
};

/* Admin last: a destructive row's success comes after every refusal. */
static const enum who run_order[NWHO] = { AN, PA, PB, DX, DY, ST, IN, DD, DS, AD };

#define M_SPARE 1u /* send the identity's second session, not its main one */
#define M_PAR 2u   /* independent requests: the identities run concurrently */
#define M_UNDO 4u  /* a profile a demoted account made is deleted again */
#define M_TICKET 8u /* a live ticket in the query authenticates, not the bearer token:
                       its 403s say so in their own words, the inactive user's too */

struct mrow {
	const char *method;
	const char *pattern;   /* exactly as in lib/route.c */
	const char *path;      /* concrete, relative to /api/v1, with {placeholders} */
	const char *body;      /* JSON template or NULL */
	unsigned flags;
	int expect[NWHO];      /* AN PA PB DX DY ST AD IN DD DS */
};

#define V1 "/api/v1"
#define R4 "/fhir/r4"
#define PW "\"" E2E_PW "\""
#define ALL(s) { s, s, s, s, s, s, s, s, s, s }

/*
 * The matrix, in the order of the routing table.  Columns: anonymous,
 * patient A, patient B, doctor X, doctor Y, staff, admin, inactive,
 * demoted doctor, demoted staff.
 */
static const struct mrow matrix[] = {
	{ "GET", V1 "/health", "/health", NULL, 0, ALL(200) },
	{ "GET", V1 "/clinic", "/clinic", NULL, 0, ALL(200) },

	/* Public auth routes: a token changes nothing. */
	{ "POST", V1 "/auth/register", "/auth/register",
	    "{\"email\":\"{fresh_email}\",\"password\":" PW "}", M_PAR, ALL(200) },
	{ "POST", V1 "/auth/login", "/auth/login",
	    "{\"email\":\"{spare_email}\",\"password\":" PW "}", M_PAR, ALL(200) },
	{ "POST", V1 "/auth/refresh", "/auth/refresh",
	    "{\"refresh_token\":\"{spare_refresh}\"}", 0, ALL(200) },
	{ "POST", V1 "/auth/logout", "/auth/logout", NULL, M_SPARE, ALL(200) },
	{ "POST", V1 "/auth/forgot", "/auth/forgot", "{\"email\":\"{spare_email}\"}", 0, ALL(200) },
	{ "POST", V1 "/auth/reset", "/auth/reset",
	    "{\"reset_token\":\"{reset_token}\",\"new_password\":" PW "}", 0, ALL(200) },

	/*                                                          AN   PA   PB   DX   DY   ST   AD   IN   DD   DS */
	{ "GET", V1 "/users/me", "/users/me", NULL, 0,          { 401, 200, 200, 200, 200, 200, 200, 403, 200, 200 } },
	{ "PATCH", V1 "/users/me", "/users/me", "{\"email\":\"{fresh_email}\"}", 0,
	                                                        { 401, 200, 200, 200, 200, 200, 200, 403, 200, 200 } },
	{ "GET", V1 "/users", "/users", NULL, 0,                { 401, 403, 403, 403, 403, 403, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/users/{user_id}", "/users/{B_user}", "{\"is_active\":true}", 0,
	                                                        { 401, 403, 403, 403, 403, 403, 200, 403, 403, 403 } },

	{ "GET", V1 "/patients", "/patients", NULL, 0,          { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "POST", V1 "/patients", "/patients",
	    "{\"user_id\":\"{tmp_user}\",\"first_name\":\"Matrix\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 403, 201, 403, 403, 403 } },
	{ "GET", V1 "/patients/me", "/patients/me", NULL, 0,    { 401, 200, 200, 403, 403, 403, 404, 403, 404, 404 } },
	{ "POST", V1 "/patients/me", "/patients/me",
	    "{\"first_name\":\"Matrix\",\"last_name\":\"Me\"}", M_UNDO,
	                                                        { 401, 409, 409, 403, 403, 403, 201, 403, 201, 201 } },
	{ "PATCH", V1 "/patients/me", "/patients/me", "{\"city\":\"Oran\"}", 0,
	                                                        { 401, 200, 200, 403, 403, 403, 200, 403, 404, 404 } },
	{ "GET", V1 "/patients/{patient_id}", "/patients/{A_patient}", NULL, 0,
	                                                        { 401, 403, 403, 200, 403, 200, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/patients/{patient_id}", "/patients/{A_patient}", "{\"phone\":\"0550000001\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 403, 200, 403, 403, 403 } },
	{ "DELETE", V1 "/patients/{patient_id}", "/patients/{tmp_patient}", NULL, 0,
	                                                        { 401, 403, 403, 403, 403, 403, 204, 403, 403, 403 } },
	/* The front desk registers a walk-in: a fresh address each time. */
	{ "POST", V1 "/desk/patients", "/desk/patients",
	    "{\"email\":\"{fresh_email}\",\"first_name\":\"Matrix\",\"last_name\":\"Desk\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 201, 201, 403, 403, 403 } },

	{ "GET", V1 "/doctors", "/doctors", NULL, 0, ALL(200) },
	{ "POST", V1 "/doctors", "/doctors",
	    "{\"user_id\":\"{tmp_doctor_user}\",\"first_name\":\"Matrix\",\"last_name\":\"New\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 403, 201, 403, 403, 403 } },
	{ "GET", V1 "/doctors/specialties", "/doctors/specialties", NULL, 0, ALL(200) },
	{ "GET", V1 "/doctors/me/profile", "/doctors/me/profile", NULL, 0,
	                                                        { 401, 403, 403, 200, 200, 403, 404, 403, 403, 403 } },
	{ "POST", V1 "/doctors/me/profile", "/doctors/me/profile",
	    "{\"first_name\":\"Matrix\",\"last_name\":\"Self\"}", 0,
	                                                        { 401, 403, 403, 409, 409, 403, 201, 403, 403, 403 } },
	{ "PATCH", V1 "/doctors/me/profile", "/doctors/me/profile", "{\"bio\":\"matrix\"}", 0,
	                                                        { 401, 403, 403, 200, 200, 403, 200, 403, 403, 403 } },
	{ "GET", V1 "/doctors/me/favorites", "/doctors/me/favorites", NULL, 0,
	                                                        { 401, 200, 200, 403, 403, 403, 403, 403, 404, 404 } },
	{ "PATCH", V1 "/doctors/availability/{availability_id}", "/doctors/availability/{tmp_avail_X}",
	    "{\"is_active\":true}", 0,                          { 401, 403, 403, 200, 403, 403, 200, 403, 403, 403 } },
	{ "DELETE", V1 "/doctors/availability/{availability_id}", "/doctors/availability/{tmp_avail_X}",
	    NULL, 0,                                            { 401, 403, 403, 204, 403, 403, 204, 403, 403, 403 } },
	{ "PATCH", V1 "/doctors/services/{service_id}", "/doctors/services/{tmp_service_X}",
	    "{\"name\":\"Matrix\"}", 0,                                 { 401, 403, 403, 200, 403, 403, 200, 403, 403, 403 } },
	{ "DELETE", V1 "/doctors/services/{service_id}", "/doctors/services/{tmp_service_X}",
	    NULL, 0,                                                    { 401, 403, 403, 204, 403, 403, 204, 403, 403, 403 } },
	{ "DELETE", V1 "/doctors/time-off/{time_off_id}", "/doctors/time-off/{tmp_time_off_X}",
	    NULL, 0,                                                    { 401, 403, 403, 204, 403, 204, 204, 403, 403, 403 } },
	{ "GET", V1 "/doctors/{doctor_id}/time-off", "/doctors/{X_doctor}/time-off", NULL, 0,
	    ALL(200) },
	{ "POST", V1 "/doctors/{doctor_id}/time-off", "/doctors/{X_doctor}/time-off",
	    "{\"start_time\":\"2035-01-01T09:00:00Z\",\"end_time\":\"2035-01-01T10:00:00Z\"}", 0,
	                                                                { 401, 403, 403, 201, 403, 201, 201, 403, 403, 403 } },
	{ "GET", V1 "/doctors/{doctor_id}/services", "/doctors/{X_doctor}/services", NULL, 0,
	    ALL(200) },
	{ "POST", V1 "/doctors/{doctor_id}/services", "/doctors/{X_doctor}/services",
	    "{\"name\":\"Matrix\",\"duration_minutes\":30}", 0,       { 401, 403, 403, 201, 403, 403, 201, 403, 403, 403 } },
	{ "GET", V1 "/doctors/{doctor_id}", "/doctors/{X_doctor}", NULL, 0, ALL(200) },
	{ "PATCH", V1 "/doctors/{doctor_id}", "/doctors/{X_doctor}", "{\"bio\":\"matrix\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 403, 200, 403, 403, 403 } },
	{ "DELETE", V1 "/doctors/{doctor_id}", "/doctors/{tmp_doctor}", NULL, 0,
	                                                        { 401, 403, 403, 403, 403, 403, 204, 403, 403, 403 } },
	{ "GET", V1 "/doctors/{doctor_id}/availability", "/doctors/{X_doctor}/availability", NULL, 0,
	    ALL(200) },
	{ "POST", V1 "/doctors/{doctor_id}/availability", "/doctors/{X_doctor}/availability",
	    "{\"weekday\":\"Mon\",\"start_time\":\"{win_start}\",\"end_time\":\"{win_end}\"}", 0,
	                                                        { 401, 403, 403, 201, 403, 403, 201, 403, 403, 403 } },
	{ "GET", V1 "/doctors/{doctor_id}/availability/slots", "/doctors/{X_doctor}/availability/slots",
	    NULL, 0, ALL(200) },
	{ "POST", V1 "/doctors/{doctor_id}/favorite", "/doctors/{X_doctor}/favorite", NULL, 0,
	                                                        { 401, 201, 201, 403, 403, 403, 403, 403, 404, 404 } },
	{ "DELETE", V1 "/doctors/{doctor_id}/favorite", "/doctors/{X_doctor}/favorite", NULL, 0,
	                                                        { 401, 204, 204, 403, 403, 403, 403, 403, 404, 404 } },
	{ "GET", V1 "/doctors/{doctor_id}/reviews", "/doctors/{X_doctor}/reviews", NULL, 0, ALL(200) },
	/* Only a patient with a COMPLETED visit (A) may review; B is refused. */
	{ "POST", V1 "/doctors/{doctor_id}/reviews", "/doctors/{X_doctor}/reviews",
	    "{\"rating\":5,\"comment\":\"matrix\"}", 0,         { 401, 201, 403, 403, 403, 403, 403, 403, 404, 404 } },

	/* Staff and admin book for A; a patient books for itself (patient_id ignored). */
	{ "POST", V1 "/appointments", "/appointments",
	    "{\"doctor_id\":\"{X_doctor}\",\"patient_id\":\"{A_patient}\",\"start_time\":\"{slot_start}\","
	    "\"end_time\":\"{slot_end}\",\"reason\":\"matrix\"}", 0,
	                                                        { 401, 201, 201, 403, 403, 201, 201, 403, 404, 404 } },
	{ "POST", V1 "/appointments/series", "/appointments/series",
	    "{\"doctor_id\":\"{X_doctor}\",\"patient_id\":\"{A_patient}\",\"start_time\":\"{series_start}\","
	    "\"end_time\":\"{series_end}\",\"frequency\":\"WEEKLY\",\"count\":2}", 0,
	                                                                { 401, 201, 201, 403, 403, 201, 201, 403, 404, 404 } },
	/* A's series: A, X (its doctor), staff and admin; B and Y are strangers to it. */
	{ "POST", V1 "/appointments/series/{series_id}/cancel", "/appointments/series/{tmp_series_AX}/cancel",
	    "{}", 0,                                                    { 401, 200, 403, 200, 403, 200, 200, 403, 403, 403 } },
	{ "GET", V1 "/appointments/me", "/appointments/me", NULL, 0,
	                                                        { 401, 200, 200, 403, 403, 403, 200, 403, 404, 404 } },
	{ "GET", V1 "/appointments/doctor/me", "/appointments/doctor/me", NULL, 0,
	                                                        { 401, 403, 403, 200, 200, 403, 200, 403, 403, 403 } },
	{ "GET", V1 "/appointments/doctor/{doctor_id}", "/appointments/doctor/{X_doctor}", NULL, 0,
	                                                                { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "GET", V1 "/appointments/{appointment_id}", "/appointments/{appt_AX}", NULL, 0,
	                                                        { 401, 200, 403, 200, 403, 200, 200, 403, 403, 403 } },
	{ "POST", V1 "/appointments/{appointment_id}/cancel", "/appointments/{tmp_appt_AX}/cancel",
	    "{\"cancellation_reason\":\"matrix\"}", 0,          { 401, 200, 403, 200, 403, 200, 200, 403, 403, 403 } },
	{ "POST", V1 "/appointments/{appointment_id}/reschedule", "/appointments/{tmp_appt_AX}/reschedule",
	    "{\"start_time\":\"{slot_start}\",\"end_time\":\"{slot_end}\"}", 0,
	                                                        { 401, 200, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/appointments/{appointment_id}/reschedule", "/appointments/{tmp_appt_AX}/reschedule",
	    "{\"start_time\":\"{slot_start}\",\"end_time\":\"{slot_end}\"}", 0,
	                                                        { 401, 200, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/appointments/{appointment_id}/status", "/appointments/{tmp_appt_AX}/status",
	    "{\"status\":\"COMPLETED\"}", 0,                    { 401, 403, 403, 200, 403, 403, 200, 403, 403, 403 } },

	{ "GET", V1 "/medical-records/me", "/medical-records/me", NULL, 0,
	                                                        { 401, 200, 200, 403, 403, 403, 200, 403, 404, 404 } },
	{ "GET", V1 "/medical-records/doctor/me", "/medical-records/doctor/me", NULL, 0,
	                                                        { 401, 403, 403, 200, 200, 403, 200, 403, 403, 403 } },
	{ "POST", V1 "/medical-records", "/medical-records",
	    "{\"patient_id\":\"{A_patient}\",\"diagnosis\":\"matrix\"}", 0,
	                                                        { 401, 403, 403, 201, 403, 403, 201, 403, 403, 403 } },
	{ "GET", V1 "/medical-records/{record_id}", "/medical-records/{record_AX}", NULL, 0,
	                                                        { 401, 200, 403, 200, 403, 403, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/medical-records/{record_id}", "/medical-records/{record_AX}",
	    "{\"notes\":\"matrix\"}", 0,                        { 401, 403, 403, 200, 403, 403, 200, 403, 403, 403 } },
	{ "DELETE", V1 "/medical-records/{record_id}", "/medical-records/{tmp_record_AX}", NULL, 0,
	                                                        { 401, 403, 403, 403, 403, 403, 204, 403, 403, 403 } },

	{ "POST", V1 "/billing", "/billing", "{\"patient_id\":\"{A_patient}\",\"amount\":12.5}", 0,
	                                                        { 401, 403, 403, 403, 403, 201, 201, 403, 403, 403 } },
	{ "GET", V1 "/billing/me", "/billing/me", NULL, 0,      { 401, 200, 200, 403, 403, 403, 200, 403, 404, 404 } },
	{ "POST", V1 "/billing/policies", "/billing/policies",
	    "{\"patient_id\":\"{A_patient}\",\"provider_name\":\"CNAS\",\"policy_number\":\"M-{uniq}\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 201, 201, 403, 403, 403 } },
	{ "GET", V1 "/billing/policies/me", "/billing/policies/me", NULL, 0,
	                                                        { 401, 200, 200, 403, 403, 403, 200, 403, 404, 404 } },
	{ "GET", V1 "/billing/policies/patient/{patient_id}", "/billing/policies/patient/{A_patient}",
	    NULL, 0,                                            { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/billing/policies/{policy_id}", "/billing/policies/{policy_A}",
	    "{\"coverage_details\":\"matrix\"}", 0,             { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "DELETE", V1 "/billing/policies/{policy_id}", "/billing/policies/{tmp_policy_A}", NULL, 0,
	                                                        { 401, 403, 403, 403, 403, 403, 204, 403, 403, 403 } },
	{ "POST", V1 "/billing/claims", "/billing/claims",
	    "{\"policy_id\":\"{policy_A}\",\"billing_id\":\"{bill_A}\",\"notes\":\"matrix\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 201, 201, 403, 403, 403 } },
	{ "GET", V1 "/billing/claims/policy/{policy_id}", "/billing/claims/policy/{policy_A}", NULL, 0,
	                                                        { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/billing/claims/{claim_id}", "/billing/claims/{claim_A}", "{\"notes\":\"matrix\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "GET", V1 "/billing/patient/{patient_id}", "/billing/patient/{A_patient}", NULL, 0,
	                                                        { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "GET", V1 "/billing/{billing_id}", "/billing/{bill_A}", NULL, 0,
	                                                        { 401, 200, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/billing/{billing_id}", "/billing/{bill_A}", "{\"description\":\"matrix\"}", 0,
	                                                        { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },

	/* The waitlist: patients for themselves, the front desk for a named patient. */
	{ "POST", V1 "/waitlist", "/waitlist", "{\"doctor_id\":\"{X_doctor}\","
	    "\"patient_id\":\"{tmp_patient}\",\"from_date\":\"{wl_from}\",\"to_date\":\"{wl_to}\"}", 0,
	                                                                { 401, 201, 201, 403, 403, 201, 201, 403, 404, 404 } },
	{ "GET", V1 "/waitlist", "/waitlist?doctor_id={X_doctor}", NULL, 0,
	                                                                { 401, 403, 403, 200, 403, 200, 200, 403, 403, 403 } },
	{ "GET", V1 "/waitlist/me", "/waitlist/me", NULL, 0,            { 401, 200, 200, 403, 403, 403, 403, 403, 404, 404 } },
	{ "DELETE", V1 "/waitlist/{entry_id}", "/waitlist/{tmp_wl_entry_A}", NULL, 0,
	                                                                { 401, 204, 403, 403, 403, 204, 204, 403, 403, 403 } },
	{ "POST", V1 "/waitlist/offers/{offer_id}/accept", "/waitlist/offers/{tmp_wl_offer_A}/accept",
	    NULL, 0,                                                    { 401, 201, 403, 403, 403, 403, 403, 403, 403, 403 } },
	{ "POST", V1 "/waitlist/offers/{offer_id}/decline", "/waitlist/offers/{tmp_wl_offer_A}/decline",
	    NULL, 0,                                                    { 401, 200, 403, 403, 403, 200, 200, 403, 403, 403 } },

	{ "GET", V1 "/holidays", "/holidays", NULL, 0, ALL(200) },
	{ "POST", V1 "/holidays", "/holidays", "{\"date\":\"{far_date}\",\"name\":\"Matrix\"}", 0,
	                                                                { 401, 403, 403, 403, 403, 403, 201, 403, 403, 403 } },
	{ "DELETE", V1 "/holidays/{holiday_id}", "/holidays/{tmp_holiday}", NULL, 0,
	                                                                { 401, 403, 403, 403, 403, 403, 204, 403, 403, 403 } },
	{ "GET", V1 "/settings", "/settings", NULL, 0,                  { 401, 403, 403, 403, 403, 200, 200, 403, 403, 403 } },
	{ "PATCH", V1 "/settings", "/settings", "{\"slot_step_minutes\":15}", 0,
	                                                                { 401, 403, 403, 403, 403, 403, 200, 403, 403, 403 } },

	/* Live updates: each identity's own ticket, "none" for those refused one (POST /live/ticket). */
	{ "POST", V1 "/live/ticket", "/live/ticket", NULL, 0,   { 401, 403, 403, 200, 200, 200, 200, 403, 403, 403 } },
	{ "GET", V1 "/live/auth", "/live/auth?ticket={live_ticket}", NULL, M_TICKET,
	                                                        { 403, 403, 403, 204, 204, 204, 204, 403, 403, 403 } },
	/* Own notifications only: A's, by id, is unknown to everyone else. */
	{ "GET", V1 "/notifications", "/notifications", NULL, 0,
	                                                        { 401, 200, 200, 200, 200, 200, 200, 403, 200, 200 } },
	{ "POST", V1 "/notifications/read-all", "/notifications/read-all", NULL, 0,
	                                                        { 401, 200, 200, 200, 200, 200, 200, 403, 200, 200 } },
	{ "POST", V1 "/notifications/{notification_id}/read", "/notifications/{notif_A}/read", NULL, 0,
	                                                        { 401, 200, 404, 404, 404, 404, 404, 403, 404, 404 } },
	/* Feeds are for patients and doctors (the demoted are PATIENTs now). */
	{ "POST", V1 "/calendar/feed", "/calendar/feed", NULL, 0,
	                                                        { 401, 201, 201, 201, 201, 403, 403, 403, 201, 201 } },
	{ "DELETE", V1 "/calendar/feed", "/calendar/feed", NULL, 0,
	                                                        { 401, 204, 204, 204, 204, 403, 403, 403, 204, 204 } },
	{ "GET", V1 "/calendar/{token}.ics",
	    "/calendar/0000000000000000000000000000000000000000000000000000000000000000.ics", NULL, 0,
	    ALL(404) },

	{ "GET", V1 "/audit", "/audit", NULL, 0,                { 401, 403, 403, 403, 403, 403, 200, 403, 403, 403 } },

	/*
	 * The FHIR table (med_fhir_routes()), paths in full: every answer is
	 * FHIR JSON, every refusal an OperationOutcome.  The public resources
	 * ignore a token; Patient and Appointment follow the API's ownership.
	 */
	{ "GET", R4 "/metadata", R4 "/metadata", NULL, 0, ALL(200) },
	{ "GET", R4 "/Location", R4 "/Location", NULL, 0, ALL(200) },
	{ "GET", R4 "/Location/{location_id}", R4 "/Location/c11a1c00-0000-4000-8000-000000000001",
	    NULL, 0, ALL(200) },
	{ "GET", R4 "/Practitioner", R4 "/Practitioner", NULL, 0, ALL(200) },
	{ "GET", R4 "/Practitioner/{doctor_id}", R4 "/Practitioner/{X_doctor}", NULL, 0, ALL(200) },
	{ "GET", R4 "/PractitionerRole", R4 "/PractitionerRole", NULL, 0, ALL(200) },
	{ "GET", R4 "/PractitionerRole/{doctor_id}", R4 "/PractitionerRole/{X_doctor}", NULL, 0,
	    ALL(200) },
	{ "GET", R4 "/Schedule", R4 "/Schedule", NULL, 0, ALL(200) },
	{ "GET", R4 "/Schedule/{doctor_id}", R4 "/Schedule/{X_doctor}", NULL, 0, ALL(200) },
	{ "GET", R4 "/Slot", R4 "/Slot?schedule={X_doctor}", NULL, 0, ALL(200) },
	{ "GET", R4 "/HealthcareService", R4 "/HealthcareService"
	    "?_has:PractitionerRole:service:practitioner={X_doctor}", NULL, 0, ALL(200) },
	{ "GET", R4 "/HealthcareService/{service_id}", R4 "/HealthcareService/{X_service}", NULL, 0,
	    ALL(200) },
	/*
	 * A PATIENT without a profile (DD, DS) searches as /patients/me reads:
	 * 404 "Patient profile not found".
	 */
	/*                                                              AN   PA   PB   DX   DY   ST   AD   IN   DD   DS */
	{ "GET", R4 "/Patient", R4 "/Patient", NULL, 0,         { 401, 200, 200, 200, 200, 200, 200, 403, 404, 404 } },
	{ "GET", R4 "/Patient/{patient_id}", R4 "/Patient/{A_patient}", NULL, 0,
	                                                        { 401, 200, 403, 200, 403, 200, 200, 403, 403, 403 } },
	{ "GET", R4 "/Appointment", R4 "/Appointment", NULL, 0, { 401, 200, 200, 200, 200, 200, 200, 403, 404, 404 } },
	{ "GET", R4 "/Appointment/{appointment_id}", R4 "/Appointment/{appt_AX}", NULL, 0,
	                                                        { 401, 200, 403, 200, 403, 200, 200, 403, 403, 403 } },
	{ "GET", R4 "/$bulk-publish", R4 "/$bulk-publish", NULL, 0, ALL(200) },
	{ "GET", R4 "/$bulk-publish/Location.ndjson", R4 "/$bulk-publish/Location.ndjson", NULL, 0,
	    ALL(200) },
	{ "GET", R4 "/$bulk-publish/Schedule.ndjson", R4 "/$bulk-publish/Schedule.ndjson", NULL, 0,
	    ALL(200) },
	{ "GET", R4 "/$bulk-publish/Slot.ndjson", R4 "/$bulk-publish/Slot.ndjson", NULL, 0, ALL(200) },
};

#define NROWS (sizeof matrix / sizeof matrix[0])

/* ---- the world ---------------------------------------------------------- */

struct ident {
	char token[1024];      /* main session ("" for anonymous) */
	char spare[1024];      /* second session, for the logout row */
	char refresh[1024];
	char user_id[40];
	char profile[40];      /* patient or doctor id */
};

static struct ident ids[NWHO];
static char boot[1024];            /* the seed admin: builds the world */
static char appt_ax[40], record_ax[40], bill_a[40], policy_a[40], claim_a[40];
static char appt_add[40], record_add[40];  /* A's with the demoted doctor, as appt_ax, record_ax */
static char notif_a[40];           /* A's confirmation of appt_ax, in the application */
static char service_x[40];         /* X's default service, made with X */
static char spare_email[160], spare_refresh[1024];
static int nslot, nwin, nuniq, nrequests, nseries;
static char slot_end[32], win_end[16], series_end[32];

/* Consumable targets: made on first use and again after a success on them. */
struct tmp {
	const char *name;
	char id[40];
};

static struct tmp tmps[] = {
	{ "tmp_user", "" }, { "tmp_doctor_user", "" }, { "tmp_patient", "" }, { "tmp_doctor", "" },
	{ "tmp_avail_X", "" }, { "tmp_appt_AX", "" }, { "tmp_record_AX", "" }, { "tmp_policy_A", "" },
	{ "tmp_avail_DD", "" }, { "tmp_appt_ADD", "" }, { "tmp_record_ADD", "" },
	{ "tmp_service_X", "" }, { "tmp_time_off_X", "" }, { "tmp_holiday", "" },
	{ "tmp_series_AX", "" }, { "tmp_wl_entry_A", "" }, { "tmp_wl_offer_A", "" },
};

#define NTMPS (sizeof tmps / sizeof tmps[0])

/*
 * The demoted doctor treats A as X does: in its column, the placeholders
 * naming X and its ties to A name its own, so its refusals there are the
 * ties it held as a doctor.
 */
static const struct {
	const char *x, *dd;
} as_dd[] = {
	{ "X_doctor", "DD_doctor" }, { "appt_AX", "appt_ADD" }, { "record_AX", "record_ADD" },
	{ "tmp_avail_X", "tmp_avail_DD" }, { "tmp_appt_AX", "tmp_appt_ADD" },
	{ "tmp_record_AX", "tmp_record_ADD" },
};

/* A request as the given token; the status must be want; data.id to id. */
static void
must(const char *method, const char *path, const char *token, const char *body, int want,
    char *id)
{
	struct http_result r;
	const char *s;
	int status = api(method, path, token, body, &r);

	ck_assert_msg(status == want, "setup %s %s: %d, wanted %d: %s", method, path, status, want,
	    r.body != NULL ? r.body : "");
	if (id != NULL) {
		s = e2e_str(e2e_data(&r), "id");
		ck_assert_msg(s != NULL, "setup %s %s: no data.id", method, path);
		snprintf(id, 37, "%s", s);
	}
	http_result_free(&r);
}

/* The id of w's newest notification (there must be one). */
static void
first_notification(enum who w, char *id)
{
	struct http_result r;
	const cJSON *d;

	ck_assert_int_eq(api("GET", "/notifications", ids[w].token, NULL, &r), 200);
	d = e2e_data(&r);
	ck_assert_int_gt(cJSON_GetArraySize(d), 0);
	snprintf(id, 37, "%s", e2e_str(cJSON_GetArrayItem(d, 0), "id"));
	http_result_free(&r);
}

static void
fresh_email(char *out, size_t size, const char *tag)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, size, "matrix.%s.%ld.%d.%ld@example.dz", tag, (long)getpid(), ++nuniq,
	    ts.tv_nsec);
}

/* One request, run by a thread: only api() runs there (no Check calls). */
struct preq {
	const char *method;
	char path[1024];
	const char *token;
	char body[4096];
	int has_body;
	int status;
	struct http_result r;
};

/* A FHIR path: sent as it is (api() would put it under /api/v1). */
static int
fhir_call(const char *method, const char *path, const char *token, struct http_result *out)
{
	char auth[4096];
	const char *headers[2] = { NULL, NULL };

	if (token != NULL) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		headers[0] = auth;
	}
	return http_call(method, path, headers, NULL, 0, out);
}

static void *
preq_run(void *arg)
{
	struct preq *q = arg;

	if (strncmp(q->path, R4 "/", sizeof R4) == 0)
		q->status = fhir_call(q->method, q->path, q->token, &q->r);
	else
		q->status = api(q->method, q->path, q->token, q->has_body ? q->body : NULL, &q->r);
	return NULL;
}

/*
 * Run n independent requests at once.  A password hash (register, login)
 * costs a worker about 0.3 s of CPU; the stack has several workers, so
 * hashing ones side by side is what keeps the suite short.
 */
static void
run_parallel(struct preq *q, size_t n)
{
	pthread_t t[16];
	int started[16] = { 0 };

	ck_assert_uint_le(n, 16);
	for (size_t i = 0; i < n; i++)
		started[i] = pthread_create(&t[i], NULL, preq_run, &q[i]) == 0;
	for (size_t i = 0; i < n; i++) {
		if (started[i])
			pthread_join(t[i], NULL);
		else
			preq_run(&q[i]);
	}
}

static void
register_req(struct preq *q, const char *email)
{
	memset(q, 0, sizeof *q);
	q->method = "POST";
	snprintf(q->path, sizeof q->path, "/auth/register");
	snprintf(q->body, sizeof q->body, "{\"email\":\"%s\",\"password\":" PW "}", email);
	q->has_body = 1;
}

/* The register answer is the session: keep it, learn the id, give role. */
static void
register_done(struct preq *q, const char *role, struct ident *w)
{
	struct http_result r;
	char body[128], path[96];

	ck_assert_msg(q->status == 200, "register: %d %s", q->status, q->r.body ? q->r.body : "");
	memset(w, 0, sizeof *w);
	snprintf(w->token, sizeof w->token, "%s", e2e_str(e2e_data(&q->r), "access_token"));
	snprintf(w->refresh, sizeof w->refresh, "%s", e2e_str(e2e_data(&q->r), "refresh_token"));
	http_result_free(&q->r);
	ck_assert_int_eq(api("GET", "/users/me", w->token, NULL, &r), 200);
	snprintf(w->user_id, sizeof w->user_id, "%s", e2e_str(e2e_data(&r), "id"));
	http_result_free(&r);
	if (role != NULL) {
		snprintf(path, sizeof path, "/users/%s", w->user_id);
		snprintf(body, sizeof body, "{\"role\":\"%s\"}", role);
		must("PATCH", path, boot, body, 200, NULL);
	}
}

/* A fresh account (one scrypt hash) with role (NULL keeps PATIENT). */
static void
fresh_account(const char *tag, const char *role, struct ident *w)
{
	struct preq q;
	char email[160];

	fresh_email(email, sizeof email, tag);
	register_req(&q, email);
	preq_run(&q);
	register_done(&q, role, w);
}

/* A second session of w, by refresh (no password hash): w->spare. */
static void
second_session(struct ident *w)
{
	struct http_result r;
	char body[1200];

	snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", w->refresh);
	ck_assert_int_eq(api("POST", "/auth/refresh", NULL, body, &r), 200);
	snprintf(w->spare, sizeof w->spare, "%s", e2e_str(e2e_data(&r), "access_token"));
	snprintf(w->refresh, sizeof w->refresh, "%s", e2e_str(e2e_data(&r), "refresh_token"));
	http_result_free(&r);
}

/*
 * Booking slot n: 30 minutes inside X's 08:00-18:00 windows, clinic-local
 * (no offset), 20 slots a day from 20 days ahead: never in the past, never
 * on a day another suite's doctor matters (X is ours alone).
 */
static void
slot(int n, char start[32], char end[32])
{
	time_t t = time(NULL) + (time_t)(20 + n / 20) * 86400;
	unsigned minutes = 8 * 60 + (unsigned)(n % 20) * 30;
	char date[16];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(start, 32, "%.10sT%02u:%02u:00", date, minutes / 60 % 100, minutes % 60);
	minutes += 30;
	snprintf(end, 32, "%.10sT%02u:%02u:00", date, minutes / 60 % 100, minutes % 60);
}

/*
 * Series n: weekly pairs starting 100 days ahead, 20 a day, so no
 * occurrence meets another series or a single booking (20 to 99 days).
 */
static void
series_slot(int n, char start[32], char end[32])
{
	time_t t = time(NULL) + (time_t)(100 + n / 20) * 86400;
	unsigned minutes = 8 * 60 + (unsigned)(n % 20) * 30;
	char date[16];
	struct tm tm;

	ck_assert_int_lt(n, 140);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(start, 32, "%.10sT%02u:%02u:00", date, minutes / 60 % 100, minutes % 60);
	minutes += 30;
	snprintf(end, 32, "%.10sT%02u:%02u:00", date, minutes / 60 % 100, minutes % 60);
}

/* Window n of X: Mondays, 5 minutes from 18:30 on (beyond the 08:00-18:00 one). */
static void
window(int n, char start[16], char end[16])
{
	unsigned minutes = 18 * 60 + 30 + (unsigned)n * 5;

	ck_assert_uint_lt(minutes + 5, 24 * 60);
	snprintf(start, 16, "%02u:%02u", minutes / 60 % 100, minutes % 60);
	minutes += 5;
	snprintf(end, 16, "%02u:%02u", minutes / 60 % 100, minutes % 60);
}

/* A booking of A with the doctor of identity w (X or the demoted one) on a fresh slot, by A. */
static void
book_a(enum who w, char *id)
{
	char body[512], s[32], e[32];

	slot(nslot++, s, e);
	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"start_time\":\"%s\",\"end_time\":\"%s\"}",
	    ids[w].profile, s, e);
	must("POST", "/appointments", ids[PA].token, body, 201, id);
}

/* A series of A with X, by A; its series_id into id. */
static void
must_series(const char *body, char *id)
{
	struct http_result r;
	const char *s;
	int status = api("POST", "/appointments/series", ids[PA].token, body, &r);

	ck_assert_msg(status == 201, "setup series: %d: %s", status, r.body != NULL ? r.body : "");
	s = e2e_str(e2e_data(&r), "series_id");
	ck_assert_ptr_nonnull(s);
	snprintf(id, 37, "%s", s);
	http_result_free(&r);
}

/* Run medadm on the stack's database; its first output line. */
static void
medadm_line(const char *args, char *out, size_t size)
{
	const char *medadm = getenv("MEDADM"), *dir = getenv("MED_DATA_DIR");
	char cmd[1024];
	FILE *p;

	ck_assert_ptr_nonnull(medadm);
	ck_assert_ptr_nonnull(dir);
	snprintf(cmd, sizeof cmd, "'%s' --db '%s/clinic.db' %s", medadm, dir, args);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	if (fgets(out, (int)size, p) == NULL)
		out[0] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	out[strcspn(out, "\n")] = '\0';
}

/* The first four consumables are accounts: the role each needs. */
static const char *const tmp_roles[4] = { NULL, "DOCTOR", NULL, "DOCTOR" };

/*
 * A date no other holiday has, far beyond any booking of the other suites
 * (the holiday rows and the stack are shared): a new one on every call.
 */
static void
far_date(char *out, size_t size)
{
	static int n;
	int k = n++ + (int)(getpid() % 1000) * 400;

	snprintf(out, size, "%04d-%02d-%02d", 2200 + k / 336, 1 + (k / 28) % 12, 1 + k % 28);
}

/* The UTC date (the stack's clinic zone) days from today. */
static void
wl_date(int days, char *out, size_t size)
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d", &tm);
}

/*
 * An offer held for A: A waits (for a fresh service of X, so never a
 * duplicate) on the day of a fresh slot that B books and cancels.  An
 * earlier entry of A that declined may be the one offered it: the id is
 * read from A's list, where only one offer is ever held.
 */
static void
make_offer_a(char *id)
{
	char body[512], path[160], svc[40], appt[40], s[32], e[32];
	struct http_result r;
	const cJSON *entry, *offer;

	snprintf(path, sizeof path, "/doctors/%s/services", ids[DX].profile);
	snprintf(body, sizeof body, "{\"name\":\"Wait %d\",\"duration_minutes\":30}", ++nuniq);
	must("POST", path, boot, body, 201, svc);
	slot(nslot++, s, e);
	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"patient_id\":\"%s\",\"service_id\":\"%s\","
	    "\"from_date\":\"%.10s\",\"to_date\":\"%.10s\"}", ids[DX].profile, ids[PA].profile, svc, s,
	    s);
	must("POST", "/waitlist", boot, body, 201, NULL);
	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"start_time\":\"%s\",\"end_time\":\"%s\"}",
	    ids[DX].profile, s, e);
	must("POST", "/appointments", ids[PB].token, body, 201, appt);
	snprintf(path, sizeof path, "/appointments/%s/cancel", appt);
	must("POST", path, ids[PB].token, "{}", 200, NULL);
	ck_assert_int_eq(api("GET", "/waitlist/me", ids[PA].token, NULL, &r), 200);
	id[0] = '\0';
	cJSON_ArrayForEach(entry, e2e_data(&r)) {
		offer = cJSON_GetObjectItemCaseSensitive(entry, "offer");
		if (cJSON_IsObject(offer) && e2e_str(offer, "status") != NULL &&
		    strcmp(e2e_str(offer, "status"), "HELD") == 0)
			snprintf(id, 37, "%s", e2e_str(offer, "id"));
	}
	http_result_free(&r);
	ck_assert_msg(id[0] != '\0', "setup: no offer held for A");
}

/* Turn the fresh account w (role set) into consumable t. */
static void
finish_tmp(struct tmp *t, struct ident *w)
{
	char body[256];

	if (strcmp(t->name, "tmp_patient") == 0) {
		must("POST", "/patients/me", w->token, "{\"first_name\":\"Tmp\"}", 201, t->id);
	} else if (strcmp(t->name, "tmp_doctor") == 0) {
		snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"Tmp\","
		    "\"last_name\":\"Doctor\"}", w->user_id);
		must("POST", "/doctors", boot, body, 201, t->id);
	} else {
		snprintf(t->id, sizeof t->id, "%s", w->user_id);
	}
}

static void
make_tmp(struct tmp *t)
{
	char body[512], s[16], e[16], path[128];
	struct ident w;
	size_t i = (size_t)(t - tmps);

	if (i < 4) {
		fresh_account(t->name, tmp_roles[i], &w);
		finish_tmp(t, &w);
	} else if (strcmp(t->name, "tmp_avail_X") == 0 || strcmp(t->name, "tmp_avail_DD") == 0) {
		window(nwin++, s, e);
		snprintf(path, sizeof path, "/doctors/%s/availability",
		    ids[strcmp(t->name, "tmp_avail_X") == 0 ? DX : DD].profile);
		snprintf(body, sizeof body, "{\"weekday\":\"Mon\",\"start_time\":\"%s\","
		    "\"end_time\":\"%s\"}", s, e);
		must("POST", path, boot, body, 201, t->id);
	} else if (strcmp(t->name, "tmp_appt_AX") == 0) {
		book_a(DX, t->id);
	} else if (strcmp(t->name, "tmp_appt_ADD") == 0) {
		book_a(DD, t->id);
	} else if (strcmp(t->name, "tmp_record_AX") == 0) {
		snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"diagnosis\":\"tmp\"}",
		    ids[PA].profile);
		must("POST", "/medical-records", ids[DX].token, body, 201, t->id);
	} else if (strcmp(t->name, "tmp_record_ADD") == 0) {
		/* No longer a doctor, it can't write: the admin names it the author. */
		snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"doctor_id\":\"%s\","
		    "\"diagnosis\":\"tmp\"}", ids[PA].profile, ids[DD].profile);
		must("POST", "/medical-records", boot, body, 201, t->id);
	} else if (strcmp(t->name, "tmp_policy_A") == 0) {
		snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"provider_name\":\"CNAS\","
		    "\"policy_number\":\"TMP-%d\"}", ids[PA].profile, ++nuniq);
		must("POST", "/billing/policies", boot, body, 201, t->id);
	} else if (strcmp(t->name, "tmp_service_X") == 0) {
		snprintf(path, sizeof path, "/doctors/%s/services", ids[DX].profile);
		must("POST", path, boot, "{\"name\":\"Tmp\",\"duration_minutes\":20}", 201, t->id);
	} else if (strcmp(t->name, "tmp_time_off_X") == 0) {
		snprintf(path, sizeof path, "/doctors/%s/time-off", ids[DX].profile);
		must("POST", path, boot, "{\"start_time\":\"2036-01-01T09:00:00Z\","
		    "\"end_time\":\"2036-01-01T10:00:00Z\"}", 201, t->id);
	} else if (strcmp(t->name, "tmp_series_AX") == 0) {
		char st[32], en[32];
		series_slot(nseries++, st, en);
		snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"start_time\":\"%s\","
		    "\"end_time\":\"%s\",\"frequency\":\"WEEKLY\",\"count\":2}",
		    ids[DX].profile, st, en);
		must_series(body, t->id);
	} else if (strcmp(t->name, "tmp_wl_entry_A") == 0) {
		wl_date(2, s, sizeof s);
		wl_date(10, e, sizeof e);
		snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"patient_id\":\"%s\","
		    "\"from_date\":\"%s\",\"to_date\":\"%s\"}", ids[DY].profile, ids[PA].profile, s, e);
		must("POST", "/waitlist", boot, body, 201, t->id);
	} else if (strcmp(t->name, "tmp_wl_offer_A") == 0) {
		make_offer_a(t->id);
	} else if (strcmp(t->name, "tmp_holiday") == 0) {
		far_date(s, sizeof s);
		snprintf(body, sizeof body, "{\"date\":\"%s\",\"name\":\"Tmp\"}", s);
		must("POST", "/holidays", boot, body, 201, t->id);
	} else {
		ck_abort_msg("no maker for %s", t->name);
	}
}

/* w's own subscribe ticket into out, "none" when w may have none. */
static void
live_ticket(enum who w, char *out, size_t size)
{
	struct http_result r;

	snprintf(out, size, "none");
	if (ids[w].token[0] != '\0' &&
	    api("POST", "/live/ticket", ids[w].token, NULL, &r) == 200)
		snprintf(out, size, "%s", e2e_str(e2e_data(&r), "ticket"));
	if (ids[w].token[0] != '\0')
		http_result_free(&r);
}

/*
 * The value of placeholder name for identity w, into out.  *consumed gets
 * the bit of each consumable used.  Returns 0 for an unknown name.
 */
static int
resolve(const char *name, enum who w, char *out, size_t size, unsigned *consumed)
{
	char s[32];

	for (size_t i = 0; w == DD && i < sizeof as_dd / sizeof as_dd[0]; i++)
		if (strcmp(name, as_dd[i].x) == 0)
			name = as_dd[i].dd;
	for (size_t i = 0; i < NTMPS; i++) {
		if (strcmp(name, tmps[i].name) != 0)
			continue;
		if (tmps[i].id[0] == '\0')
			make_tmp(&tmps[i]);
		snprintf(out, size, "%s", tmps[i].id);
		*consumed |= 1u << i;
		return 1;
	}
	if (strcmp(name, "A_patient") == 0)
		snprintf(out, size, "%s", ids[PA].profile);
	else if (strcmp(name, "B_user") == 0)
		snprintf(out, size, "%s", ids[PB].user_id);
	else if (strcmp(name, "X_doctor") == 0)
		snprintf(out, size, "%s", ids[DX].profile);
	else if (strcmp(name, "DD_doctor") == 0)
		snprintf(out, size, "%s", ids[DD].profile);
	else if (strcmp(name, "X_service") == 0)
		snprintf(out, size, "%s", service_x);
	else if (strcmp(name, "appt_AX") == 0)
		snprintf(out, size, "%s", appt_ax);
	else if (strcmp(name, "appt_ADD") == 0)
		snprintf(out, size, "%s", appt_add);
	else if (strcmp(name, "record_AX") == 0)
		snprintf(out, size, "%s", record_ax);
	else if (strcmp(name, "record_ADD") == 0)
		snprintf(out, size, "%s", record_add);
	else if (strcmp(name, "bill_A") == 0)
		snprintf(out, size, "%s", bill_a);
	else if (strcmp(name, "notif_A") == 0)
		snprintf(out, size, "%s", notif_a);
	else if (strcmp(name, "policy_A") == 0)
		snprintf(out, size, "%s", policy_a);
	else if (strcmp(name, "claim_A") == 0)
		snprintf(out, size, "%s", claim_a);
	else if (strcmp(name, "far_date") == 0)
		far_date(out, size);
	else if (strcmp(name, "wl_from") == 0)
		wl_date(2, out, size);
	else if (strcmp(name, "wl_to") == 0)
		wl_date(10, out, size);
	else if (strcmp(name, "fresh_email") == 0)
		fresh_email(out, size, "row");
	else if (strcmp(name, "spare_email") == 0)
		snprintf(out, size, "%s", spare_email);
	else if (strcmp(name, "spare_refresh") == 0)
		snprintf(out, size, "%s", spare_refresh);
	else if (strcmp(name, "reset_token") == 0) {
		char args[256];
		snprintf(args, sizeof args, "user reset-password '%s'", spare_email);
		medadm_line(args, out, size);
		ck_assert_int_gt((int)strlen(out), 40);
	} else if (strcmp(name, "slot_start") == 0)
		slot(nslot++, out, slot_end);
	else if (strcmp(name, "slot_end") == 0)
		snprintf(out, size, "%s", slot_end);
	else if (strcmp(name, "series_start") == 0)
		series_slot(nseries++, out, series_end);
	else if (strcmp(name, "series_end") == 0)
		snprintf(out, size, "%s", series_end);
	else if (strcmp(name, "win_start") == 0) {
		window(nwin++, s, win_end);
		snprintf(out, size, "%s", s);
	} else if (strcmp(name, "win_end") == 0)
		snprintf(out, size, "%s", win_end);
	else if (strcmp(name, "uniq") == 0)
		snprintf(out, size, "%d", ++nuniq);
	else if (strcmp(name, "live_ticket") == 0)
		live_ticket(w, out, size);
	else
		return 0;
	return 1;
}

/*
 * Copy tmpl to out with every {name} replaced by its value for w (name:
 * letters, digits, '_'; a JSON brace is never followed by one of those and
 * a '}').  With real 0, every placeholder becomes a well-formed unknown
 * UUID instead.
 */
static void
expand(const char *tmpl, enum who w, char *out, size_t size, unsigned *consumed, int real)
{
	size_t o = 0;

	for (const char *p = tmpl; *p != '\0';) {
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		char name[64], val[2048];

		if (*p == '{' && n > 0 && n < sizeof name && p[1 + n] == '}') {
			memcpy(name, p + 1, n);
			name[n] = '\0';
			if (real)
				ck_assert_msg(resolve(name, w, val, sizeof val, consumed),
				    "unknown placeholder {%s}", name);
			else
				snprintf(val, sizeof val, "00000000-0000-4000-8000-000000000000");
			ck_assert_msg(o + strlen(val) < size, "template too long: %s", tmpl);
			memcpy(out + o, val, strlen(val));
			o += strlen(val);
			p += n + 2;
			continue;
		}
		ck_assert_msg(o + 1 < size, "template too long: %s", tmpl);
		out[o++] = *p++;
	}
	out[o] = '\0';
}

/*
 * Doctor w treats A: 08:00-18:00 windows every day, one visit to come
 * (appt), one done (A may review w), a record w wrote (record).  Each step
 * a doctor takes is taken with w's own token.
 */
static void
treat_a(enum who w, char *appt, char *record)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	char body[256], path[160], done[40];

	snprintf(path, sizeof path, "/doctors/%s/availability", ids[w].profile);
	for (int i = 0; i < 7; i++) {
		snprintf(body, sizeof body, "{\"weekday\":\"%s\",\"start_time\":\"08:00\","
		    "\"end_time\":\"18:00\"}", days[i]);
		must("POST", path, boot, body, 201, NULL);
	}
	book_a(w, appt);
	book_a(w, done);
	snprintf(path, sizeof path, "/appointments/%s/status", done);
	must("PATCH", path, ids[w].token, "{\"status\":\"COMPLETED\"}", 200, NULL);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"diagnosis\":\"matrix\"}",
	    ids[PA].profile);
	must("POST", "/medical-records", ids[w].token, body, 201, record);
}

/*
 * The world the placeholders name, built through the API as the seed
 * admin.  The accounts (the nine identities, the spare account of the
 * public auth rows, the four account-backed consumables) register at once,
 * beside the seed admin's login: each costs a password hash.
 */
static void
setup_world(void)
{
	static const enum who doctors[] = { DX, DY, DD };
	static const char *const roles[NWHO] = {
		[PA] = NULL, [PB] = NULL, [DX] = "DOCTOR", [DY] = "DOCTOR", [ST] = "STAFF",
		[AD] = "ADMIN", [IN] = "ADMIN", [DD] = "DOCTOR", [DS] = "STAFF",
	};
	enum { NACC = (NWHO - 1) + 1 + 4 };      /* identities, spare, tmps */
	char body[512], path[160], email[NACC][160];
	struct http_result r;
	static struct preq q[NACC + 1];
	struct ident acc[NACC];

	for (int i = 0; i < NACC; i++) {
		fresh_email(email[i], sizeof email[i], i < NWHO - 1 ? who_name[PA + i] :
		    i == NWHO - 1 ? "spare" : tmps[i - NWHO].name);
		register_req(&q[i], email[i]);
	}
	memset(&q[NACC], 0, sizeof q[NACC]);
	q[NACC].method = "POST";
	snprintf(q[NACC].path, sizeof q[NACC].path, "/auth/login");
	snprintf(q[NACC].body, sizeof q[NACC].body,
	    "{\"email\":\"admin@example.dz\",\"password\":" PW "}");
	q[NACC].has_body = 1;
	run_parallel(q, NACC + 1);
	ck_assert_int_eq(q[NACC].status, 200);
	snprintf(boot, sizeof boot, "%s", e2e_str(e2e_data(&q[NACC].r), "access_token"));
	http_result_free(&q[NACC].r);

	memset(&ids[AN], 0, sizeof ids[AN]);
	for (int w = PA; w < NWHO; w++) {
		register_done(&q[w - PA], roles[w], &ids[w]);
		second_session(&ids[w]);
	}
	/* The account the public auth rows use (login, refresh, forgot, reset). */
	register_done(&q[NWHO - 1], NULL, &acc[NWHO - 1]);
	snprintf(spare_email, sizeof spare_email, "%s", email[NWHO - 1]);
	snprintf(spare_refresh, sizeof spare_refresh, "%s", acc[NWHO - 1].refresh);
	for (int i = NWHO; i < NACC; i++) {
		register_done(&q[i], tmp_roles[i - NWHO], &acc[i]);
		finish_tmp(&tmps[i - NWHO], &acc[i]);
	}

	must("POST", "/patients/me", ids[PA].token, "{\"first_name\":\"Matrix\",\"last_name\":\"A\"}",
	    201, ids[PA].profile);
	must("POST", "/patients/me", ids[PB].token, "{\"first_name\":\"Matrix\",\"last_name\":\"B\"}",
	    201, ids[PB].profile);
	for (size_t i = 0; i < sizeof doctors / sizeof doctors[0]; i++) {
		enum who w = doctors[i];

		snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"Matrix\","
		    "\"last_name\":\"%s\"}", ids[w].user_id, who_name[w]);
		must("POST", "/doctors", boot, body, 201, ids[w].profile);
	}
	snprintf(path, sizeof path, "/doctors/%s/services", ids[DX].profile);
	ck_assert_int_eq(api("GET", path, NULL, NULL, &r), 200);
	ck_assert_ptr_nonnull(e2e_str(cJSON_GetArrayItem(e2e_data(&r), 0), "id"));
	snprintf(service_x, sizeof service_x, "%s", e2e_str(cJSON_GetArrayItem(e2e_data(&r), 0), "id"));
	http_result_free(&r);
	/* X treats A, and so does the doctor to be demoted. */
	treat_a(DX, appt_ax, record_ax);
	first_notification(PA, notif_a);
	treat_a(DD, appt_add, record_add);
	/* Before the demotion both pass checks their columns will fail. */
	snprintf(path, sizeof path, "/appointments/%s", appt_add);
	must("GET", path, ids[DD].token, NULL, 200, NULL);
	snprintf(path, sizeof path, "/medical-records/%s", record_add);
	must("GET", path, ids[DD].token, NULL, 200, NULL);
	snprintf(path, sizeof path, "/patients/%s", ids[PA].profile);
	must("GET", path, ids[DD].token, NULL, 200, NULL);
	must("GET", path, ids[DS].token, NULL, 200, NULL);
	snprintf(path, sizeof path, "/appointments/%s", appt_ax);
	must("GET", path, ids[DS].token, NULL, 200, NULL);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"amount\":10}", ids[PA].profile);
	must("POST", "/billing", boot, body, 201, bill_a);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"provider_name\":\"CNAS\","
	    "\"policy_number\":\"MATRIX-%ld\"}", ids[PA].profile, (long)getpid());
	must("POST", "/billing/policies", boot, body, 201, policy_a);
	snprintf(body, sizeof body, "{\"policy_id\":\"%s\",\"billing_id\":\"%s\"}", policy_a, bill_a);
	must("POST", "/billing/claims", boot, body, 201, claim_a);
	/* Deactivated after logging in: its token stays otherwise valid. */
	snprintf(path, sizeof path, "/users/%s", ids[IN].user_id);
	must("PATCH", path, boot, "{\"is_active\":false}", 200, NULL);
	/* Demoted after logging in: a role change leaves its sessions valid. */
	for (int w = DD; w <= DS; w++) {
		snprintf(path, sizeof path, "/users/%s", ids[w].user_id);
		must("PATCH", path, boot, "{\"role\":\"PATIENT\"}", 200, NULL);
	}
}

/* "" when r is a well-formed answer for status, else what is wrong. */
static const char *
envelope_problem(const struct http_result *r)
{
	const cJSON *success;
	const char *ct;

	if (r->status == 204)
		return r->body_len == 0 ? "" : "204 with a body";
	if (r->body_len == 0)
		return "no body";
	if (r->json == NULL || !cJSON_IsObject(r->json))
		return "body is not a JSON object";
	if ((ct = http_header(r, "Content-Type")) == NULL || strncmp(ct, "application/json", 16) != 0)
		return "Content-Type is not application/json";
	success = cJSON_GetObjectItemCaseSensitive(r->json, "success");
	if (!cJSON_IsBool(success) || !cJSON_HasObjectItem(r->json, "data") ||
	    !cJSON_HasObjectItem(r->json, "message"))
		return "not the {success, data, message} envelope";
	if (cJSON_IsTrue(success) != (r->status < 400))
		return "success disagrees with the status";
	return "";
}

/* "" when r is a well-formed FHIR answer: FHIR JSON, refusals as OperationOutcome. */
static const char *
fhir_problem(const struct http_result *r)
{
	const cJSON *type;
	const char *ct = http_header(r, "Content-Type"), *cc = http_header(r, "Cache-Control");

	/* $bulk-publish: NDJSON files and a plain JSON manifest, cacheable. */
	if (r->status == 200 && ct != NULL && (strncmp(ct, "application/fhir+ndjson", 23) == 0 ||
	    (strncmp(ct, "application/json", 16) == 0 && cJSON_HasObjectItem(r->json, "output"))))
		return cc != NULL && strstr(cc, "max-age=300") != NULL ? "" :
		    "published file without Cache-Control: max-age=300";
	if (r->body_len == 0 || r->json == NULL || !cJSON_IsObject(r->json))
		return "body is not a JSON object";
	if (ct == NULL || strncmp(ct, "application/fhir+json", 21) != 0)
		return "Content-Type is not application/fhir+json";
	type = cJSON_GetObjectItemCaseSensitive(r->json, "resourceType");
	if (!cJSON_IsString(type))
		return "no resourceType";
	if ((r->status >= 400) != (strcmp(type->valuestring, "OperationOutcome") == 0))
		return "OperationOutcome disagrees with the status";
	return "";
}

/* The message of a refusal: the envelope's, or the OperationOutcome's diagnostics. */
static const char *
refusal_text(const struct http_result *r, int fhir)
{
	const cJSON *issue;

	if (!fhir)
		return e2e_str(r->json, "message");
	issue = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "issue"), 0);
	return e2e_str(issue, "diagnostics");
}

/* Append one line to report (truncated, never overflowing). */
static void
note(char *report, size_t size, size_t *len, const char *line)
{
	size_t n = strlen(line);

	if (*len + n >= size)
		n = size - 1 - *len;
	memcpy(report + *len, line, n);
	*len += n;
	report[*len] = '\0';
}

/* Check one answer of row m for w; returns 1 on a mismatch (noted in report). */
static int
check_answer(const struct mrow *m, enum who w, struct preq *q, unsigned consumed, char *report,
    size_t size, size_t *len)
{
	int fhir = strncmp(m->pattern, R4 "/", sizeof R4) == 0;
	const char *problem = q->status <= 0 ? "transport error" :
	    fhir ? fhir_problem(&q->r) : envelope_problem(&q->r);
	const char *www = http_header(&q->r, "WWW-Authenticate"), *msg;
	char line[512];
	int bad;

	/* The contract's words for two refusals: the Bearer challenge, "Inactive user". */
	msg = refusal_text(&q->r, fhir);
	if (problem[0] == '\0' && q->status == 401 && (www == NULL || strncmp(www, "Bearer", 6) != 0))
		problem = "401 without WWW-Authenticate: Bearer";
	if (problem[0] == '\0' && w == IN && q->status == 403 && !(m->flags & M_TICKET) &&
	    (msg == NULL || strcmp(msg, "Inactive user") != 0))
		problem = "403 for the inactive user is not \"Inactive user\"";
	bad = q->status != m->expect[w] || problem[0] != '\0';

	if (bad) {
		snprintf(line, sizeof line, "  %s %s %s: expected %d got %d%s%s\n", m->method,
		    m->pattern, who_name[w], m->expect[w], q->status, problem[0] ? "; " : "", problem);
		note(report, size, len, line);
	}
	/* A success used its targets up: the next identity gets new ones. */
	for (size_t t = 0; t < NTMPS; t++)
		if ((consumed & (1u << t)) && q->status >= 200 && q->status < 300)
			tmps[t].id[0] = '\0';
	/* The demoted stay without a patient profile: the one a row made goes again. */
	if ((m->flags & M_UNDO) && (w == DD || w == DS) && q->status == 201) {
		const char *id = e2e_str(e2e_data(&q->r), "id");
		char path[96];

		ck_assert_ptr_nonnull(id);
		snprintf(path, sizeof path, "/patients/%s", id);
		must("DELETE", path, boot, NULL, 204, NULL);
	}
	/* Refresh rotates: keep the chain's newest token. */
	if (m->body != NULL && strstr(m->body, "{spare_refresh}") != NULL && q->status == 200)
		snprintf(spare_refresh, sizeof spare_refresh, "%s",
		    e2e_str(e2e_data(&q->r), "refresh_token"));
	http_result_free(&q->r);
	return bad;
}

START_TEST(matrix_runs)
{
	static char report[32768];
	static struct preq q[NWHO];
	unsigned consumed[NWHO];
	struct timespec t0, t1;
	size_t len = 0;
	int mismatches = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	setup_world();
	report[0] = '\0';
	for (size_t i = 0; i < NROWS; i++) {
		const struct mrow *m = &matrix[i];

		for (int k = 0; k < NWHO; k++) {
			enum who w = run_order[k];

			memset(&q[k], 0, sizeof q[k]);
			q[k].method = m->method;
			q[k].token = w == AN ? NULL : (m->flags & M_SPARE) ? ids[w].spare : ids[w].token;
			consumed[k] = 0;
			expand(m->path, w, q[k].path, sizeof q[k].path, &consumed[k], 1);
			if ((q[k].has_body = m->body != NULL))
				expand(m->body, w, q[k].body, sizeof q[k].body, &consumed[k], 1);
			if (m->flags & M_PAR)
				continue;
			preq_run(&q[k]);
			mismatches += check_answer(m, w, &q[k], consumed[k], report, sizeof report, &len);
		}
		if (m->flags & M_PAR) {
			run_parallel(q, NWHO);
			for (int k = 0; k < NWHO; k++)
				mismatches += check_answer(m, run_order[k], &q[k], consumed[k], report,
				    sizeof report, &len);
		}
		nrequests += NWHO;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("e2e_matrix: %zu routes x %d identities: %d requests in %.1f s, %d mismatches\n",
	    NROWS, NWHO, nrequests, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, mismatches);
	fflush(stdout);
	ck_assert_msg(mismatches == 0, "%d mismatches (method pattern identity):\n%s", mismatches,
	    report);
}
END_TEST

/*
 * The matrix covers the routing table exactly: every route has a row and
 * every row is a route (method + pattern, compared as strings), no row
 * twice, and each row's concrete path reaches its own route (the first
 * match for its method, as dispatch picks it).
 */
START_TEST(matrix_covers_routes)
{
	static char report[16384];
	const struct med_route *tables[] = { med_routes(), med_fhir_routes() };
	char path[1024], *params[MED_MAX_PARAMS];
	size_t len = 0, nroutes = 0;
	int nparams, problems = 0;

#define PROBLEM(...) do { \
	problems++; \
	len += (size_t)snprintf(report + len, len < sizeof report ? sizeof report - len : 0, \
	    __VA_ARGS__); \
	if (len >= sizeof report) \
		len = sizeof report - 1; \
} while (0)

	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
	for (const struct med_route *rt = tables[t]; rt->handler != NULL; rt++) {
		int found = 0;

		nroutes++;
		for (size_t i = 0; i < NROWS; i++)
			if (strcmp(matrix[i].method, rt->method) == 0 &&
			    strcmp(matrix[i].pattern, rt->pattern) == 0)
				found++;
		if (found == 0)
			PROBLEM("  route not in the matrix: %s %s\n", rt->method, rt->pattern);
		else if (found > 1)
			PROBLEM("  route in the matrix %d times: %s %s\n", found, rt->method, rt->pattern);
	}
	for (size_t i = 0; i < NROWS; i++) {
		/* A FHIR row names its whole path; the others are under /api/v1. */
		int fhir = strncmp(matrix[i].path, R4 "/", sizeof R4) == 0;
		const struct med_route *first = NULL, *routes = tables[fhir];
		int found = 0;
		unsigned unused = 0;

		for (const struct med_route *rt = routes; rt->handler != NULL; rt++)
			if (strcmp(matrix[i].method, rt->method) == 0 &&
			    strcmp(matrix[i].pattern, rt->pattern) == 0)
				found = 1;
		if (!found) {
			PROBLEM("  matrix row not in the routing table: %s %s\n", matrix[i].method,
			    matrix[i].pattern);
			continue;
		}
		if (fhir) {
			expand(matrix[i].path, AN, path, sizeof path, &unused, 0);
		} else {
			memcpy(path, V1, sizeof V1);
			expand(matrix[i].path, AN, path + sizeof V1 - 1, sizeof path - sizeof V1, &unused, 0);
		}
		path[strcspn(path, "?")] = '\0';
		for (const struct med_route *rt = routes; rt->handler != NULL && first == NULL; rt++) {
			if (strcmp(rt->method, matrix[i].method) != 0 ||
			    !route_match(rt->pattern, path, params, &nparams))
				continue;
			while (nparams > 0)
				free(params[--nparams]);
			first = rt;
		}
		if (first == NULL || strcmp(first->pattern, matrix[i].pattern) != 0)
			PROBLEM("  row %s %s: path %s reaches %s\n", matrix[i].method, matrix[i].pattern,
			    matrix[i].path, first != NULL ? first->pattern : "no route");
	}
#undef PROBLEM
	printf("e2e_matrix: %zu routes in the tables, %zu rows in the matrix\n", nroutes, NROWS);
	fflush(stdout);
	ck_assert_msg(problems == 0, "matrix and routing table differ:\n%s", report);
	ck_assert_uint_eq(nroutes, NROWS);
}
END_TEST

static Suite *
matrix_e2e_suite(void)
{
	Suite *s = suite_create("e2e_matrix");
	TCase *tc = tcase_create("matrix");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, matrix_covers_routes);
	tcase_add_test(tc, matrix_runs);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(matrix_e2e_suite)
