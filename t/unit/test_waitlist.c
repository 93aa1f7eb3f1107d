/*
 * test_waitlist.c - the waitlist in-process: entries and their rules,
 * which entry a freed interval is offered to, the hold as a booking rule
 * (other bookings refused, the slots route leaves it out, free again after
 * hold_until), acceptance, decline and expiry passing the interval on,
 * leaving the list, and who may do what.
 *
 * "Now" is pinned to Wednesday 2031-01-01 00:00 UTC, clinic zone UTC.
 * Seeded doctor Samir works Monday 09-12; 2031-01-06 is a Monday.  Amina
 * frees the intervals; Sofiane and Sara wait.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "outbox.h"
#include "testctx.h"
#include "unitkit.h"
#include "template.h"
#include "testreg.h"
#include "waitlist.h"

#define V1 "/api/v1"
#define NOW_2031 1924992000LL /* 2031-01-01T00:00:00Z, a Wednesday */
#define MON_0900 "2031-01-06T09:00:00Z"
#define MON_0930 "2031-01-06T09:30:00Z"
#define SLOTS V1 "/doctors/" DOC_SAMIR "/availability/slots?start_date=2031-01-06&days=1"
#define QUEUE V1 "/waitlist?doctor_id=" DOC_SAMIR

static struct med_ctx ctx;
static char *tok_amina, *tok_sofiane, *tok_sara, *tok_samir, *tok_nadia, *tok_staff;

static void
setup(void)
{
	setenv("CLINIC_TZ", "UTC", 1);
	test_ctx_open(&ctx, 1);
	ctx.fixed_now = NOW_2031;
	tok_amina = ut_mint(&ctx, EM_AMINA);
	tok_sofiane = ut_mint(&ctx, EM_SOFIANE);
	tok_sara = ut_mint(&ctx, EM_SARA);
	tok_samir = ut_mint(&ctx, EM_SAMIR);
	tok_nadia = ut_mint(&ctx, EM_NADIA);
	tok_staff = ut_mint(&ctx, EM_STAFF);
}

static void
teardown(void)
{
	free(tok_amina);
	free(tok_sofiane);
	free(tok_sara);
	free(tok_samir);
	free(tok_nadia);
	free(tok_staff);
	test_ctx_close(&ctx);
	unsetenv("CLINIC_TZ");
}

static char last_message[256];
static cJSON *last_data;

/* Call; remember the message and a copy of data; returns the status. */
static int
call(const char *method, const char *path, const char *token, const char *body)
{
	cJSON *env = NULL;
	int status = test_call(&ctx, method, path, token, body, &env);
	const char *s;

	last_message[0] = '\0';
	cJSON_Delete(last_data);
	last_data = cJSON_Duplicate(ut_data(env), 1);
	if ((s = ut_str(env, "message")) != NULL)
		snprintf(last_message, sizeof last_message, "%s", s);
	cJSON_Delete(env);
	return status;
}

/* The front desk books patient with Samir at [start, end); the visit's id into id. */
static void
book(const char *patient, const char *start, const char *end, char id[MED_UUID_LEN + 1])
{
	char body[512];

	snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\",\"patient_id\":\"%s\","
	    "\"start_time\":\"%s\",\"end_time\":\"%s\"}", patient, start, end);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, body), 201);
	snprintf(id, MED_UUID_LEN + 1, "%s", ut_str(last_data, "id"));
}

/* token puts its patient on Samir's list (service may be NULL); the entry's id into id. */
static void
join(const char *token, const char *service, const char *from, const char *to,
    char id[MED_UUID_LEN + 1])
{
	char body[512];

	snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\",\"from_date\":\"%s\","
	    "\"to_date\":\"%s\"%s%s%s}", from, to, service ? ",\"service_id\":\"" : "",
	    service ? service : "", service ? "\"" : "");
	ck_assert_int_eq(call("POST", V1 "/waitlist", token, body), 201);
	ck_assert_str_eq(ut_str(last_data, "status"), "WAITING");
	ck_assert(ut_is_null(last_data, "offer"));
	snprintf(id, MED_UUID_LEN + 1, "%s", ut_str(last_data, "id"));
}

static int
cancel(const char *appt_id, const char *token)
{
	char path[128];

	snprintf(path, sizeof path, V1 "/appointments/%s/cancel", appt_id);
	return call("POST", path, token, "{}");
}

/* Status of entry id (as in the table). */
static const char *
entry_status(const char *id)
{
	static char buf[16];
	const char *names[] = { "WAITING", "OFFERED", "BOOKED", "REMOVED", "EXPIRED" };
	long long i = ut_count(&ctx, "SELECT CASE status WHEN 'WAITING' THEN 0 WHEN 'OFFERED'"
	    " THEN 1 WHEN 'BOOKED' THEN 2 WHEN 'REMOVED' THEN 3 ELSE 4 END"
	    " FROM waitlist_entries WHERE id = '%s'", id);

	ck_assert_int_ge(i, 0);
	snprintf(buf, sizeof buf, "%s", names[i]);
	return buf;
}

/* The HELD offer of entry id into offer (asserted to exist), via GET /waitlist/me of token. */
static void
held_offer(const char *token, const char *entry, char offer[MED_UUID_LEN + 1])
{
	const cJSON *e, *o;

	ck_assert_int_eq(call("GET", V1 "/waitlist/me", token, NULL), 200);
	cJSON_ArrayForEach(e, last_data) {
		if (strcmp(ut_str(e, "id"), entry) != 0)
			continue;
		ck_assert_str_eq(ut_str(e, "status"), "OFFERED");
		o = cJSON_GetObjectItemCaseSensitive(e, "offer");
		ck_assert(cJSON_IsObject(o));
		ck_assert_str_eq(ut_str(o, "status"), "HELD");
		snprintf(offer, MED_UUID_LEN + 1, "%s", ut_str(o, "id"));
		return;
	}
	ck_abort_msg("entry %s not listed", entry);
}

static long long
offers_of(const char *entry)
{
	return ut_count(&ctx, "SELECT count(*) FROM waitlist_offers WHERE entry_id = '%s'", entry);
}

static int
offer_call(const char *offer, const char *what, const char *token)
{
	char path[160];

	snprintf(path, sizeof path, V1 "/waitlist/offers/%s/%s", offer, what);
	return call("POST", path, token, NULL);
}

/* Whether the slots route lists a slot starting at start on 2031-01-06. */
static int
slot_listed(const char *start)
{
	const cJSON *s;

	ck_assert_int_eq(call("GET", SLOTS, NULL, NULL), 200);
	cJSON_ArrayForEach(s, last_data)
		if (strcmp(ut_str(s, "start_time"), start) == 0)
			return 1;
	return 0;
}

/* The one waitlist_offer row renders in both locales, with the clinic-local time and the link. */
static void
render_offer_mail(void)
{
	static const char *const locales[] = { "fr", "en" };
	sqlite3_stmt *st;
	cJSON *params;
	char *subject, *body;

	ck_assert_int_eq(sqlite3_prepare_v2(ctx.db, "SELECT params FROM outbox"
	    " WHERE kind = 'waitlist_offer'", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	params = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ck_assert_ptr_nonnull(params);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(tpl_render("waitlist_offer", locales[i], params, &subject, &body),
		    MED_OK);
		/* The doctor named as every other mail names them. */
		ck_assert_ptr_nonnull(strstr(subject, "Dr Samir Bensalah"));
		ck_assert_ptr_nonnull(strstr(body, "Dr Samir Bensalah"));
		ck_assert_ptr_nonnull(strstr(body, "2031-01-06 09:00"));
		ck_assert_ptr_nonnull(strstr(body, "https://localhost/#/waitlist/offers/"));
		free(subject);
		free(body);
	}
	cJSON_Delete(params);
}

START_TEST(offer_holds_the_freed_interval)
{
	char visit[37], sofiane[37], sara[37], offer[37], other[37], path[128];

	book(PAT_AMINA, MON_0900, MON_0930, visit);
	join(tok_sofiane, NULL, "2031-01-02", "2031-01-10", sofiane);
	ctx.fixed_now += 60;
	join(tok_sara, NULL, "2031-01-02", "2031-01-10", sara);
	ck_assert(!slot_listed(MON_0900));
	ck_assert_int_eq(cancel(visit, tok_amina), 200);
	/* The earliest entry gets it, the later one keeps waiting; one mail says so. */
	ck_assert_str_eq(entry_status(sofiane), "OFFERED");
	ck_assert_str_eq(entry_status(sara), "WAITING");
	ck_assert_int_eq(offers_of(sara), 0);
	held_offer(tok_sofiane, sofiane, offer);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = 'waitlist_offer'"
	    " AND recipient = '" EM_SOFIANE "' AND params LIKE '%%/#/waitlist/offers/%s%%'", offer), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = 'waitlist_offer'"), 1);
	render_offer_mail();
	/* In the app: the mail's subject, and one line instead of the mail's body. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications WHERE kind ="
	    " 'waitlist_offer' AND title = 'Un créneau s''est libéré avec Dr Samir Bensalah'"
	    " AND body LIKE 'Un créneau avec Dr Samir Bensalah est libre : 2031-01-06 09:00,"
	    " réservé pour vous jusqu''au 2031-01-0%%' AND instr(body, char(10)) = 0"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT hold_until - %lld FROM waitlist_offers"
	    " WHERE id = '%s'", (long long)ctx.fixed_now, offer), 30 * 60);
	/* Held: nobody else books it, by themself or at the desk, and no slot shows it. */
	ck_assert(!slot_listed(MON_0900));
	ck_assert(slot_listed(MON_0930));
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_sara, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"" MON_0900 "\",\"end_time\":\"" MON_0930 "\"}"), 409);
	ck_assert_str_eq(last_message, "The requested time is held for a patient on the waitlist");
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"patient_id\":\"" PAT_SARA "\",\"start_time\":\"2031-01-06T09:15:00Z\","
	    "\"end_time\":\"2031-01-06T09:45:00Z\"}"), 409);
	/* Nor is a visit moved onto it. */
	book(PAT_SARA, "2031-01-06T10:00:00Z", "2031-01-06T10:30:00Z", other);
	snprintf(path, sizeof path, V1 "/appointments/%s/reschedule", other);
	ck_assert_int_eq(call("POST", path, tok_sara, "{\"start_time\":\"" MON_0900 "\","
	    "\"end_time\":\"" MON_0930 "\"}"), 409);
	ck_assert_str_eq(last_message, "The requested time is held for a patient on the waitlist");
	ck_assert_int_eq(cancel(other, tok_sara), 200);
	/* Past hold_until it blocks nothing, before any expiry pass ran. */
	ctx.fixed_now += 30 * 60;
	ck_assert(slot_listed(MON_0900));
	ck_assert_int_eq(call("GET", V1 "/waitlist/me", tok_sofiane, NULL), 200);
	ck_assert_str_eq(ut_str(cJSON_GetObjectItem(cJSON_GetArrayItem(last_data, 0), "offer"),
	    "status"), "EXPIRED");
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_sara, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"" MON_0900 "\",\"end_time\":\"" MON_0930 "\"}"), 201);
	ck_assert_int_eq(offer_call(offer, "accept", tok_sofiane), 409);
	ck_assert_str_eq(last_message, "The offer is no longer held");
}
END_TEST

START_TEST(accept_books_the_hold)
{
	char visit[37], sofiane[37], offer[37], path[128];

	book(PAT_AMINA, MON_0900, MON_0930, visit);
	join(tok_sofiane, NULL, "2031-01-06", "2031-01-06", sofiane);
	ck_assert_int_eq(cancel(visit, tok_amina), 200);
	held_offer(tok_sofiane, sofiane, offer);
	/* Only the offer's patient accepts. */
	ck_assert_int_eq(offer_call(offer, "accept", tok_sara), 403);
	ck_assert_int_eq(offer_call(offer, "accept", tok_staff), 403);
	ck_assert_int_eq(offer_call(NO_SUCH_ID, "accept", tok_sofiane), 404);
	ck_assert_int_eq(offer_call(offer, "accept", tok_sofiane), 201);
	ck_assert_str_eq(ut_str(last_data, "patient_id"), PAT_SOFIANE);
	ck_assert_str_eq(ut_str(last_data, "doctor_id"), DOC_SAMIR);
	ck_assert_str_eq(ut_str(last_data, "start_time"), MON_0900);
	ck_assert_str_eq(ut_str(last_data, "end_time"), MON_0930);
	ck_assert_str_eq(ut_str(last_data, "status"), "SCHEDULED");
	ck_assert_str_eq(entry_status(sofiane), "BOOKED");
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM waitlist_offers WHERE id = '%s'"
	    " AND status = 'ACCEPTED' AND appointment_id IS NOT NULL", offer), 1);
	ck_assert_int_eq(offer_call(offer, "accept", tok_sofiane), 409);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE doctor_id = '"
	    DOC_SAMIR "' AND start_time = %lld AND status = 'SCHEDULED'", NOW_2031 + 5 * 86400 +
	    9 * 3600), 1);
	/* A booked entry is history: leaving the list changes nothing. */
	snprintf(path, sizeof path, V1 "/waitlist/%s", sofiane);
	ck_assert_int_eq(call("DELETE", path, tok_sofiane, NULL), 204);
	ck_assert_str_eq(entry_status(sofiane), "BOOKED");
}
END_TEST

START_TEST(decline_passes_on)
{
	char visit[37], sofiane[37], sara[37], offer[37], offer2[37];

	book(PAT_AMINA, MON_0900, MON_0930, visit);
	join(tok_sofiane, NULL, "2031-01-02", "2031-01-10", sofiane);
	ctx.fixed_now += 1;
	join(tok_sara, NULL, "2031-01-02", "2031-01-10", sara);
	ck_assert_int_eq(cancel(visit, tok_amina), 200);
	held_offer(tok_sofiane, sofiane, offer);
	ck_assert_int_eq(offer_call(offer, "decline", tok_sara), 403);
	ck_assert_int_eq(offer_call(offer, "decline", tok_sofiane), 200);
	ck_assert_str_eq(ut_str(last_data, "status"), "WAITING");
	ck_assert_str_eq(ut_str(cJSON_GetObjectItem(last_data, "offer"), "status"), "DECLINED");
	/* The next entry holds it now; the one who declined is not offered it again. */
	held_offer(tok_sara, sara, offer2);
	ck_assert_str_ne(offer, offer2);
	ck_assert_int_eq(offers_of(sofiane), 1);
	ck_assert_int_eq(offer_call(offer, "decline", tok_sofiane), 409);
	/* The front desk declines for a patient; nobody is left to offer it to. */
	ck_assert_int_eq(offer_call(offer2, "decline", tok_staff), 200);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM waitlist_offers WHERE status = 'HELD'"),
	    0);
	ck_assert(slot_listed(MON_0900));
}
END_TEST

START_TEST(expiry_passes_on)
{
	char visit[37], sofiane[37], sara[37], offer[37];
	int n = -1;

	book(PAT_AMINA, MON_0900, MON_0930, visit);
	join(tok_sofiane, NULL, "2031-01-02", "2031-01-10", sofiane);
	ctx.fixed_now += 1;
	join(tok_sara, NULL, "2031-01-02", "2031-01-10", sara);
	ck_assert_int_eq(cancel(visit, tok_amina), 200);
	held_offer(tok_sofiane, sofiane, offer);
	ck_assert_int_eq(waitlist_expire(&ctx, &n), MED_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(offers_of(sara), 0);
	ctx.fixed_now += 30 * 60;
	ck_assert_int_eq(waitlist_expire(&ctx, &n), MED_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(entry_status(sofiane), "WAITING");
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM waitlist_offers WHERE id = '%s'"
	    " AND status = 'EXPIRED'", offer), 1);
	held_offer(tok_sara, sara, offer);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = 'waitlist_offer'"
	    " AND recipient = '" EM_SARA "'"), 1);
	/* Entries whose last date has passed expire too. */
	ctx.fixed_now = NOW_2031 + 10 * 86400;
	ck_assert_int_eq(waitlist_expire(&ctx, &n), MED_OK);
	ck_assert_str_eq(entry_status(sofiane), "EXPIRED");
}
END_TEST

/* The sender's pass hands an offer not taken in time on, and mails the next patient only. */
START_TEST(sender_pass_passes_on)
{
	char visit[37], sofiane[37], sara[37], offer[37];
	struct outbox_stats st;

	snprintf(ctx.cfg.mail.command, sizeof ctx.cfg.mail.command, "cat >/dev/null");
	book(PAT_AMINA, MON_0900, MON_0930, visit);
	join(tok_sofiane, NULL, "2031-01-02", "2031-01-10", sofiane);
	ctx.fixed_now += 1;
	join(tok_sara, NULL, "2031-01-02", "2031-01-10", sara);
	ck_assert_int_eq(cancel(visit, tok_amina), 200);
	ctx.fixed_now += 30 * 60;
	ck_assert_int_eq(outbox_run(&ctx, NULL, &st), MED_OK);
	held_offer(tok_sara, sara, offer);
	ck_assert_str_eq(entry_status(sofiane), "WAITING");
	/* Sofiane's mail came too late to be of use: dropped; Sara's went. */
	ck_assert_int_eq(st.expired, 1);
	/* Sara's offer, and Amina's booking confirmation and cancellation (notify.h). */
	ck_assert_int_eq(st.sent, 3);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = 'waitlist_offer'"
	    " AND status = 'sent'"), 1);
	/* Each offer is also in the app, for its own patient (the in-app twin of the mail). */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications n JOIN users u"
	    " ON u.id = n.user_id WHERE n.kind = 'waitlist_offer' AND u.email IN ('" EM_SARA "',"
	    " (SELECT email FROM users WHERE id = (SELECT user_id FROM patients WHERE id ="
	    " (SELECT patient_id FROM waitlist_entries WHERE id = '%s'))))", sofiane), 2);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = 'waitlist_offer'"
	    " AND recipient = '" EM_SARA "' AND status = 'sent'"), 1);
}
END_TEST

START_TEST(who_matches)
{
	char v1[37], v2[37], amina[37], narrow[37], longer[37], sofiane[37], sara[37];
	char consult[37], svc[37], path[128];

	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR "/services", NULL, NULL), 200);
	snprintf(consult, sizeof consult, "%s", ut_str(cJSON_GetArrayItem(last_data, 0), "id"));
	ck_assert_int_eq(call("POST", V1 "/doctors/" DOC_SAMIR "/services", tok_samir,
	    "{\"name\":\"Long\",\"duration_minutes\":60}"), 201);
	snprintf(svc, sizeof svc, "%s", ut_str(last_data, "id"));
	book(PAT_AMINA, MON_0900, MON_0930, v1);
	book(PAT_AMINA, "2031-01-06T10:00:00Z", "2031-01-06T10:30:00Z", v2);
	/* Sara sees Nadia at 09:00 that Monday. */
	ut_appt(&ctx, "aaaaaaaa-0000-4000-8000-000000000001", DOC_NADIA, PAT_SARA,
	    NOW_2031 + 5 * 86400 + 9 * 3600, NOW_2031 + 5 * 86400 + 9 * 3600 + 1800, "SCHEDULED");
	/* In queue order: the one who frees it, a range that misses the day, a service too long, fits. */
	join(tok_amina, NULL, "2031-01-02", "2031-01-10", amina);
	ctx.fixed_now += 1;
	join(tok_sofiane, NULL, "2031-01-07", "2031-01-10", narrow);
	ctx.fixed_now += 1;
	join(tok_sofiane, svc, "2031-01-02", "2031-01-10", longer);
	ctx.fixed_now += 1;
	join(tok_sara, consult, "2031-01-02", "2031-01-10", sara);
	ctx.fixed_now += 1;
	join(tok_sofiane, consult, "2031-01-02", "2031-01-10", sofiane);
	/* One active entry per patient, doctor and service. */
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"from_date\":\"2031-01-03\",\"to_date\":\"2031-01-04\"}"), 409);
	ck_assert_int_eq(cancel(v1, tok_amina), 200);
	/* Sara has a visit then: the next fitting entry, Sofiane's consultation, gets it. */
	ck_assert_int_eq(offers_of(amina) + offers_of(narrow) + offers_of(longer) + offers_of(sara),
	    0);
	ck_assert_str_eq(entry_status(sofiane), "OFFERED");
	/* The doctor's own cancellation frees an interval too. */
	snprintf(path, sizeof path, V1 "/appointments/%s/status", v2);
	ck_assert_int_eq(call("PATCH", path, tok_samir, "{\"status\":\"CANCELLED\"}"), 200);
	/* 10:00-10:30 is too short for the hour; Sara is free then and waits for a consultation. */
	ck_assert_int_eq(offers_of(longer), 0);
	ck_assert_str_eq(entry_status(sara), "OFFERED");
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM waitlist_offers WHERE entry_id = '%s'"
	    " AND start_time = %lld", sara, NOW_2031 + 5 * 86400 + 10 * 3600), 1);
}
END_TEST

START_TEST(moved_away_is_offered)
{
	char visit[37], sofiane[37], path[128];

	book(PAT_AMINA, MON_0900, MON_0930, visit);
	join(tok_sofiane, NULL, "2031-01-06", "2031-01-06", sofiane);
	snprintf(path, sizeof path, V1 "/appointments/%s/reschedule", visit);
	/* Moved by a quarter of an hour: the old interval is not free, nothing is offered. */
	ck_assert_int_eq(call("POST", path, tok_amina, "{\"start_time\":\"2031-01-06T09:15:00Z\","
	    "\"end_time\":\"2031-01-06T09:45:00Z\"}"), 200);
	ck_assert_int_eq(offers_of(sofiane), 0);
	ck_assert_int_eq(call("POST", path, tok_amina, "{\"start_time\":\"2031-01-06T11:00:00Z\","
	    "\"end_time\":\"2031-01-06T11:30:00Z\"}"), 200);
	ck_assert_str_eq(entry_status(sofiane), "OFFERED");
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM waitlist_offers WHERE entry_id = '%s'"
	    " AND start_time = %lld AND end_time = %lld", sofiane,
	    NOW_2031 + 5 * 86400 + 9 * 3600 + 900, NOW_2031 + 5 * 86400 + 9 * 3600 + 2700), 1);
}
END_TEST

START_TEST(leave_the_list)
{
	char visit[37], sofiane[37], sara[37], offer[37], path[128];

	book(PAT_AMINA, MON_0900, MON_0930, visit);
	join(tok_sofiane, NULL, "2031-01-02", "2031-01-10", sofiane);
	ctx.fixed_now += 1;
	join(tok_sara, NULL, "2031-01-02", "2031-01-10", sara);
	ck_assert_int_eq(cancel(visit, tok_amina), 200);
	held_offer(tok_sofiane, sofiane, offer);
	snprintf(path, sizeof path, V1 "/waitlist/%s", sofiane);
	ck_assert_int_eq(call("DELETE", path, tok_sara, NULL), 403);
	ck_assert_int_eq(call("DELETE", path, tok_samir, NULL), 403);
	ck_assert_int_eq(call("DELETE", V1 "/waitlist/" NO_SUCH_ID, tok_staff, NULL), 404);
	/* Leaving with a hold hands it on at once. */
	ck_assert_int_eq(call("DELETE", path, tok_sofiane, NULL), 204);
	ck_assert_str_eq(entry_status(sofiane), "REMOVED");
	held_offer(tok_sara, sara, offer);
	/* A new entry is allowed once the old one left. */
	join(tok_sofiane, NULL, "2031-01-02", "2031-01-10", sofiane);
	snprintf(path, sizeof path, V1 "/waitlist/%s", sofiane);
	ck_assert_int_eq(call("DELETE", path, tok_staff, NULL), 204);
	ck_assert_str_eq(entry_status(sofiane), "REMOVED");
}
END_TEST

START_TEST(entry_rules)
{
	/* Dates: ordered, not past, within the booking horizon (365 days by default). */
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"from_date\":\"2031-01-05\",\"to_date\":\"2031-01-04\"}"), 422);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"from_date\":\"2030-12-31\",\"to_date\":\"2031-01-04\"}"), 422);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"from_date\":\"2031-01-01\",\"to_date\":\"2032-01-02\"}"), 422);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"from_date\":\"2031-01-01\",\"to_date\":\"2032-01-01\"}"), 201);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" NO_SUCH_ID
	    "\",\"from_date\":\"2031-01-01\",\"to_date\":\"2031-01-02\"}"), 404);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"service_id\":\"" NO_SUCH_ID "\",\"from_date\":\"2031-01-01\","
	    "\"to_date\":\"2031-01-02\"}"), 404);
	/* The front desk names the patient; a patient's patient_id is ignored. */
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_staff, "{\"doctor_id\":\"" DOC_NADIA
	    "\",\"from_date\":\"2031-01-01\",\"to_date\":\"2031-01-02\"}"), 400);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_staff, "{\"doctor_id\":\"" DOC_NADIA
	    "\",\"patient_id\":\"" PAT_SARA "\",\"from_date\":\"2031-01-01\","
	    "\"to_date\":\"2031-01-02\"}"), 201);
	ck_assert_str_eq(ut_str(last_data, "patient_id"), PAT_SARA);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_sofiane, "{\"doctor_id\":\"" DOC_NADIA
	    "\",\"patient_id\":\"" PAT_SARA "\",\"from_date\":\"2031-01-01\","
	    "\"to_date\":\"2031-01-02\"}"), 201);
	ck_assert_str_eq(ut_str(last_data, "patient_id"), PAT_SOFIANE);
	ck_assert_int_eq(call("POST", V1 "/waitlist", tok_samir, "{\"doctor_id\":\"" DOC_NADIA
	    "\",\"from_date\":\"2031-01-01\",\"to_date\":\"2031-01-02\"}"), 403);
	/* Lists: own for a patient; a doctor's queue for its doctor and the front desk. */
	ck_assert_int_eq(ut_list_len(&ctx, V1 "/waitlist/me", tok_sofiane), 2);
	ck_assert_int_eq(ut_list_len(&ctx, V1 "/waitlist/me", tok_amina), 0);
	ck_assert_int_eq(ut_list_len(&ctx, QUEUE, tok_samir), 1);
	ck_assert_int_eq(ut_list_len(&ctx, QUEUE, tok_staff), 1);
	ck_assert_int_eq(ut_list_len(&ctx, QUEUE "&status=OFFERED", tok_staff), 0);
	ck_assert_int_eq(call("GET", QUEUE, tok_nadia, NULL), 403);
	ck_assert_int_eq(call("GET", QUEUE, tok_sofiane, NULL), 403);
	ck_assert_int_eq(call("GET", V1 "/waitlist?doctor_id=" NO_SUCH_ID, tok_staff, NULL), 404);
	ck_assert_int_eq(call("GET", V1 "/waitlist", tok_staff, NULL), 422);
	ck_assert_int_eq(call("GET", V1 "/waitlist/me", tok_staff, NULL), 403);
}
END_TEST

static Suite *
waitlist_suite(void)
{
	Suite *s = suite_create("waitlist");
	TCase *tc = tcase_create("waitlist");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, offer_holds_the_freed_interval);
	tcase_add_test(tc, accept_books_the_hold);
	tcase_add_test(tc, decline_passes_on);
	tcase_add_test(tc, expiry_passes_on);
	tcase_add_test(tc, sender_pass_passes_on);
	tcase_add_test(tc, who_matches);
	tcase_add_test(tc, moved_away_is_offered);
	tcase_add_test(tc, leave_the_list);
	tcase_add_test(tc, entry_rules);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(waitlist_suite)
