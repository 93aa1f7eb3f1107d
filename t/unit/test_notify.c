/*
 * test_notify.c - what patients are told about their visits, in-process:
 * one confirmation per booking (none for a rolled-back one) with a .ics
 * that Debian's python3-icalendar reads back, a move and a cancellation
 * raising SEQUENCE (REQUEST, REQUEST, CANCEL), French by default and
 * English by preference, SMS through a capturing SMS_COMMAND, and the
 * reminder scheduler under a stepped clock: exactly one reminder per
 * offset however often it runs, none for a cancelled visit, new ones
 * (and the stale one dropped) for a moved visit.
 *
 * "Now" is Wednesday 2031-01-01 00:00 UTC; seeded doctor Samir works
 * Monday 2031-01-06 and Tuesday 2031-01-07 from 09:00.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "notify.h"
#include "outbox.h"
#include "proc.h"
#include "testreg.h"
#include "unitkit.h"
#include "util.h"

#define V1 "/api/v1"
#define NOW_2031 1924992000LL     /* 2031-01-01T00:00:00Z */
#define MON_0900 1925456400LL     /* 2031-01-06T09:00:00Z */
#define TUE_0900 (MON_0900 + 86400)
#define HOST "clinic.example.dz"

static struct med_ctx ctx;
static char dir[64];

static void
setup(void)
{
	setenv("CLINIC_TZ", "UTC", 1);
	test_ctx_open(&ctx, 1);
	ctx.fixed_now = NOW_2031;
	snprintf(dir, sizeof dir, "/tmp/notify-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* Each message to its own file, in the order sent. */
	snprintf(ctx.cfg.mail.command, sizeof ctx.cfg.mail.command,
	    "cat > \"$(mktemp %s/mail.$(date +%%s%%N).XXXX)\"", dir);
	snprintf(ctx.cfg.mail.from, sizeof ctx.cfg.mail.from, "Clinique El Amel <no-reply@" HOST ">");
	ctx.cfg.mail.reset_command[0] = '\0';
	ctx.cfg.mail.sms_command[0] = '\0';
	ctx.cfg.mail.per_recipient_hour = 1000;
	snprintf(ctx.cfg.public_url, sizeof ctx.cfg.public_url, "https://" HOST ":8443/app");
	snprintf(ctx.cfg.clinic_name, sizeof ctx.cfg.clinic_name, "Clinique El Amel");
	snprintf(ctx.cfg.clinic_phone, sizeof ctx.cfg.clinic_phone, "+213 41 00 00 00");
}

static void
teardown(void)
{
	char cmd[128];

	test_ctx_close(&ctx);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	unsetenv("CLINIC_TZ");
}

/* A call as email with a token minted at the current (test) time; its status. */
static int
call_as(const char *email, const char *method, const char *path, const char *body,
    cJSON **env)
{
	char *token = ut_mint(&ctx, email);
	int status = test_call(&ctx, method, path, token, body, env);

	free(token);
	return status;
}

/*
 * email books Samir for patient at start (RFC 3339), 30 minutes; the new
 * id into id; returns the status.
 */
static int
book(const char *email, const char *patient, const char *start, char id[MED_UUID_LEN + 1])
{
	char body[256], end[32];
	int64_t t;
	cJSON *env = NULL;
	int status;

	ck_assert_int_eq(util_parse_instant(start, &t), MED_OK);
	util_fmt_instant(t + 1800, end);
	snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\",\"patient_id\":\"%s\","
	    "\"start_time\":\"%s\",\"end_time\":\"%s\"}", patient, start, end);
	status = call_as(email, "POST", V1 "/appointments", body, &env);
	if (id != NULL && status == 201)
		snprintf(id, MED_UUID_LEN + 1, "%s", ut_str(ut_data(env), "id"));
	cJSON_Delete(env);
	return status;
}

/* The status of a call as email whose answer we do not need. */
static int
status_as(const char *email, const char *method, const char *path, const char *body)
{
	cJSON *env = NULL;
	int status = call_as(email, method, path, body, &env);

	cJSON_Delete(env);
	return status;
}

static long long
rows(const char *kind)
{
	return ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = '%s'", kind);
}

/* Send what is due; returns how many were sent. */
static int
send_all(void)
{
	struct outbox_stats s;

	ck_assert_int_eq(outbox_run(&ctx, NULL, &s), MED_OK);
	ck_assert_int_eq(s.dead, 0);
	ck_assert_int_eq(s.retried, 0);
	return s.sent;
}

/* The captured messages, oldest first: file names into names[] (max n); the count. */
static int
captured(char names[][256], int n)
{
	struct dirent **list;
	int k = scandir(dir, &list, NULL, alphasort), got = 0;

	ck_assert_int_ge(k, 0);
	for (int i = 0; i < k; i++) {
		if (list[i]->d_name[0] != '.' && got < n)
			snprintf(names[got++], 256, "%.60s/%.180s", dir, list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return got;
}

/* The checker's reading of captured file path (mode "mail"). */
static cJSON *
check_file(const char *path)
{
	static char text[65536];

	proc_slurp(path, text, sizeof text);
	return ut_ical_check("mail", text);
}

static const cJSON *
event0(const cJSON *mail)
{
	const cJSON *ics = cJSON_GetObjectItem(mail, "ics");

	ck_assert_ptr_nonnull(ics);
	ck_assert(cJSON_IsObject(ics));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(ics, "events")), 1);
	return cJSON_GetArrayItem(cJSON_GetObjectItem(ics, "events"), 0);
}

START_TEST(test_notify_booking_confirmation)
{
	char id[MED_UUID_LEN + 1], uid[128], names[4][256];
	const cJSON *ev;
	cJSON *m;

	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	ck_assert_int_eq(rows("appointment_booked"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox"), 1);
	/* No SMS_COMMAND: no SMS row, though Amina has a number. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE channel = 'sms'"), 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications WHERE user_id = '"
	    USR_AMINA "' AND kind = 'appointment_booked' AND appointment_id = '%s'"
	    " AND read_at IS NULL", id), 1);
	ck_assert_int_eq(send_all(), 1);
	ck_assert_int_eq(captured(names, 4), 1);
	m = check_file(names[0]);
	ck_assert_str_eq(ut_str(m, "to"), EM_AMINA);
	ck_assert_str_eq(ut_str(m, "type"), "multipart/mixed");
	/* French by default: the date as French people write it. */
	ck_assert_str_eq(ut_str(m, "subject"), "Rendez-vous confirmé le 06/01/2031 à 09:00");
	ck_assert_ptr_nonnull(strstr(ut_str(m, "text"), "Dr Samir Bensalah"));
	ck_assert_ptr_nonnull(strstr(ut_str(m, "text"), "+213 41 00 00 00"));
	ck_assert_str_eq(ut_str(cJSON_GetObjectItem(m, "ics"), "method"), "REQUEST");
	ev = event0(m);
	snprintf(uid, sizeof uid, "%s@" HOST, id);
	ck_assert_str_eq(ut_str(ev, "uid"), uid);
	ck_assert_int_eq(ut_num(ev, "sequence"), 0);
	ck_assert_str_eq(ut_str(ev, "status"), "CONFIRMED");
	ck_assert_int_eq((long long)ut_num(ev, "start"), MON_0900);
	ck_assert_int_eq((long long)ut_num(ev, "end"), MON_0900 + 1800);
	ck_assert_str_eq(ut_str(ev, "attendee"), "mailto:" EM_AMINA);
	ck_assert_str_eq(ut_str(ev, "organizer"), "mailto:no-reply@" HOST);
	cJSON_Delete(m);
	/* Delivered once: a second pass sends nothing. */
	ck_assert_int_eq(send_all(), 0);
}
END_TEST

START_TEST(test_notify_rolled_back_booking_sends_nothing)
{
	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", NULL), 201);
	/* The same slot for Sofiane: 409, and its message goes with its transaction. */
	ck_assert_int_eq(book(EM_STAFF, PAT_SOFIANE, "2031-01-06T09:00:00Z", NULL), 409);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE recipient = '"
	    EM_SOFIANE "'"), 0);
}
END_TEST

START_TEST(test_notify_move_then_cancel_raise_sequence)
{
	char id[MED_UUID_LEN + 1], path[128], names[4][256];
	static const char *const kinds[] = { "REQUEST", "REQUEST", "CANCEL" };
	static const char *const status[] = { "CONFIRMED", "CONFIRMED", "CANCELLED" };
	static const long long starts[] = { MON_0900, MON_0900 + 3600, MON_0900 + 3600 };

	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	snprintf(path, sizeof path, V1 "/appointments/%s/reschedule", id);
	ck_assert_int_eq(status_as(EM_AMINA, "PATCH", path,
	    "{\"start_time\":\"2031-01-06T10:00:00Z\",\"end_time\":\"2031-01-06T10:30:00Z\"}"), 200);
	snprintf(path, sizeof path, V1 "/appointments/%s/cancel", id);
	ck_assert_int_eq(status_as(EM_AMINA, "POST", path, "{}"), 200);
	ck_assert_int_eq(ut_count(&ctx, "SELECT sequence FROM appointments WHERE id = '%s'", id), 2);
	ck_assert_int_eq(rows("appointment_moved"), 1);
	ck_assert_int_eq(rows("appointment_cancelled"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications WHERE kind ="
	    " 'appointment_moved' AND body = 'Rendez-vous avec Dr Samir Bensalah déplacé au"
	    " 06/01/2031 à 10:00 (au lieu du 06/01/2031 à 09:00).'"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications WHERE kind ="
	    " 'appointment_cancelled' AND body = 'Rendez-vous avec Dr Samir Bensalah du"
	    " 06/01/2031 à 10:00 annulé.'"), 1);
	/* Delivered in the order written: calendar apps see 0, 1, 2. */
	ck_assert_int_eq(send_all(), 3);
	ck_assert_int_eq(captured(names, 4), 3);
	for (int i = 0; i < 3; i++) {
		cJSON *m = check_file(names[i]);
		const cJSON *ev = event0(m);
		ck_assert_str_eq(ut_str(cJSON_GetObjectItem(m, "ics"), "method"), kinds[i]);
		ck_assert_int_eq(ut_num(ev, "sequence"), i);
		ck_assert_str_eq(ut_str(ev, "status"), status[i]);
		ck_assert_int_eq((long long)ut_num(ev, "start"), starts[i]);
		if (i == 1)
			ck_assert_ptr_nonnull(strstr(ut_str(m, "text"), "06/01/2031 à 09:00"));
		cJSON_Delete(m);
	}
}
END_TEST

START_TEST(test_notify_english_by_preference)
{
	char names[2][256];
	cJSON *m;

	ut_exec(&ctx, "UPDATE users SET locale = 'en-GB' WHERE id = '" USR_AMINA "'");
	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", NULL), 201);
	ck_assert_int_eq(send_all(), 1);
	ck_assert_int_eq(captured(names, 2), 1);
	m = check_file(names[0]);
	ck_assert_str_eq(ut_str(m, "subject"), "Appointment confirmed on 2031-01-06 at 09:00");
	cJSON_Delete(m);
}
END_TEST

START_TEST(test_notify_sms)
{
	char sms[512], path[128];

	snprintf(ctx.cfg.mail.sms_command, sizeof ctx.cfg.mail.sms_command,
	    "cat >> %s/sms.txt", dir);
	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", NULL), 201);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE channel = 'sms'"
	    " AND kind = 'appointment_booked_sms' AND recipient = '+213550100001'"), 1);
	ck_assert_int_eq(send_all(), 2);
	snprintf(path, sizeof path, "%s/sms.txt", dir);
	proc_slurp(path, sms, sizeof sms);
	ck_assert_str_eq(sms, "+213550100001\nClinique El Amel : RDV confirmé avec Dr Samir "
	    "Bensalah le 06/01/2031 à 09:00. Empêchement ? Annulez dans l'application ou appelez "
	    "le +213 41 00 00 00.\n");
	/* A patient without a number gets none. */
	ut_exec(&ctx, "UPDATE patients SET phone = NULL WHERE id = '" PAT_SOFIANE "'");
	ck_assert_int_eq(book(EM_STAFF, PAT_SOFIANE, "2031-01-06T10:00:00Z", NULL), 201);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE channel = 'sms'"), 1);
}
END_TEST

/* Run the scheduler twice at instant t; returns the reminders written by both. */
static int
remind_twice_at(long long t)
{
	int a, b;

	ctx.fixed_now = t;
	ck_assert_int_eq(notify_reminders(&ctx, &a), MED_OK);
	ck_assert_int_eq(notify_reminders(&ctx, &b), MED_OK);
	ck_assert_int_eq(b, 0);
	return a;
}

static long long
reminders_of(const char *id, int offset)
{
	return ut_count(&ctx, "SELECT count(*) FROM reminders_sent WHERE appointment_id = '%s'"
	    " AND offset_minutes = %d", id, offset);
}

START_TEST(test_reminders_once_per_offset)
{
	char id[MED_UUID_LEN + 1];

	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 1440 * 60 - 1), 0);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 1440 * 60), 1);
	ck_assert_int_eq(reminders_of(id, 1440), 1);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 120 * 60 - 1), 0);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 120 * 60), 1);
	ck_assert_int_eq(reminders_of(id, 120), 1);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 1), 0);
	ck_assert_int_eq(remind_twice_at(MON_0900 + 60), 0);
	ck_assert_int_eq(rows("appointment_reminder"), 2);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications"
	    " WHERE kind = 'appointment_reminder' AND user_id = '" USR_AMINA "'"
	    " AND body = 'Rappel : rendez-vous avec Dr Samir Bensalah le 06/01/2031 à 09:00.'"), 2);
	/* A reminder is useless once the visit began: it expires then. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind ="
	    " 'appointment_reminder' AND expires_at = %lld", MON_0900), 2);
	/* The key forbids a second row even to a scheduler that forgot to look. */
	ck_assert_int_ne(sqlite3_exec(ctx.db, "INSERT INTO reminders_sent VALUES"
	    " ((SELECT appointment_id FROM reminders_sent LIMIT 1), 120, 0, 0)", NULL, NULL, NULL),
	    SQLITE_OK);
}
END_TEST

START_TEST(test_reminders_nearest_only_when_booked_late)
{
	char id[MED_UUID_LEN + 1];

	/* Booked 3 hours ahead: the day-before reminder's time has passed, the confirmation told. */
	ctx.fixed_now = MON_0900 - 3 * 3600;
	ck_assert_int_eq(book(EM_STAFF, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 3 * 3600 + 60), 0);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 120 * 60), 1);
	ck_assert_int_eq(rows("appointment_reminder"), 1);
}
END_TEST

START_TEST(test_reminders_none_after_cancel)
{
	char id[MED_UUID_LEN + 1], path[128];

	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	snprintf(path, sizeof path, V1 "/appointments/%s/cancel", id);
	ck_assert_int_eq(status_as(EM_AMINA, "POST", path, "{}"), 200);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 1440 * 60), 0);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 120 * 60), 0);
	ck_assert_int_eq(rows("appointment_reminder"), 0);
}
END_TEST

START_TEST(test_reminders_follow_a_move)
{
	char id[MED_UUID_LEN + 1], path[128];

	snprintf(ctx.cfg.mail.sms_command, sizeof ctx.cfg.mail.sms_command, "cat >/dev/null");
	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 1440 * 60), 1);
	ck_assert_int_eq(rows("appointment_reminder"), 1);
	ck_assert_int_eq(rows("appointment_reminder_sms"), 1);
	/* Moved a day later before the reminders went out: the stale ones go. */
	snprintf(path, sizeof path, V1 "/appointments/%s/reschedule", id);
	ck_assert_int_eq(status_as(EM_AMINA, "PATCH", path,
	    "{\"start_time\":\"2031-01-07T09:00:00Z\",\"end_time\":\"2031-01-07T09:30:00Z\"}"), 200);
	ck_assert_int_eq(rows("appointment_reminder"), 0);
	ck_assert_int_eq(rows("appointment_reminder_sms"), 0);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 120 * 60), 0);
	ck_assert_int_eq(remind_twice_at(TUE_0900 - 1440 * 60), 1);
	ck_assert_int_eq(remind_twice_at(TUE_0900 - 120 * 60), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM reminders_sent WHERE"
	    " appointment_id = '%s' AND sequence = 1", id), 2);
	ck_assert_int_eq(rows("appointment_reminder"), 2);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind ="
	    " 'appointment_reminder' AND json_extract(params, '$.date') = '07/01/2031'"), 2);
}
END_TEST

START_TEST(test_settings_reminder_offsets)
{
	char id[MED_UUID_LEN + 1], big[128];
	cJSON *env = NULL;
	const cJSON *offs;

	ck_assert_int_eq(call_as(EM_ADMIN, "GET", V1 "/settings", NULL, &env), 200);
	offs = cJSON_GetObjectItem(ut_data(env), "reminder_offsets_minutes");
	ck_assert_int_eq(cJSON_GetArraySize(offs), 2);
	ck_assert_int_eq(cJSON_GetArrayItem(offs, 0)->valueint, 1440);
	ck_assert_int_eq(cJSON_GetArrayItem(offs, 1)->valueint, 120);
	cJSON_Delete(env);
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":[1]}"), 422);
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":[\"60\"]}"), 422);
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":[60.5]}"), 422);
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":60}"), 422);
	snprintf(big, sizeof big, "{\"reminder_offsets_minutes\":[60,61,62,63,64,65,66,67,68]}");
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings", big), 422);
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":[20161]}"), 422);
	ck_assert_int_eq(status_as(EM_STAFF, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":[60]}"), 403);
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":[60]}"), 200);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM clinic_settings"
	    " WHERE reminder_offsets = '[60]' AND slot_step_minutes = 15"), 1);
	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 1440 * 60), 0);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 60 * 60), 1);
	ck_assert_int_eq(reminders_of(id, 60), 1);
	/* No offsets: no reminders. */
	ck_assert_int_eq(status_as(EM_ADMIN, "PATCH", V1 "/settings",
	    "{\"reminder_offsets_minutes\":[]}"), 200);
	ck_assert_int_eq(remind_twice_at(MON_0900 - 5 * 60), 0);
}
END_TEST


/* The length of the list a GET of path as email answers. */
static int
list_len_as(const char *email, const char *path)
{
	char *token = ut_mint(&ctx, email);
	int n = ut_list_len(&ctx, path, token);

	free(token);
	return n;
}

/* The data of a call as email (a copy; the caller deletes it); asserts want. */
static cJSON *
data_as(const char *email, const char *method, const char *path, const char *body, int want)
{
	cJSON *env = NULL, *d;

	ck_assert_int_eq(call_as(email, method, path, body, &env), want);
	d = cJSON_Duplicate(ut_data(env), 1);
	cJSON_Delete(env);
	return d;
}

START_TEST(test_notifications_own_only)
{
	char id[MED_UUID_LEN + 1], nid[MED_UUID_LEN + 1], path[128];
	cJSON *d;

	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	d = data_as(EM_AMINA, "GET", V1 "/notifications", NULL, 200);
	ck_assert_int_eq(cJSON_GetArraySize(d), 1);
	snprintf(nid, sizeof nid, "%s", ut_str(cJSON_GetArrayItem(d, 0), "id"));
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(d, 0), "kind"), "appointment_booked");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(d, 0), "appointment_id"), id);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(d, 0), "title"),
	    "Rendez-vous confirmé le 06/01/2031 à 09:00");
	/* The body sums the mail up in one line, not a copy of it. */
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(d, 0), "body"),
	    "Rendez-vous pris avec Dr Samir Bensalah le 06/01/2031 à 09:00.");
	ck_assert(ut_is_null(cJSON_GetArrayItem(d, 0), "read_at"));
	cJSON_Delete(d);
	ck_assert_int_eq(list_len_as(EM_AMINA, V1 "/notifications?unread=true"), 1);
	ck_assert_int_eq(list_len_as(EM_AMINA, V1 "/notifications?unread=false"), 0);
	/* Others see none of it, and cannot mark it: 404 as for an unknown id. */
	ck_assert_int_eq(list_len_as(EM_SOFIANE, V1 "/notifications"), 0);
	snprintf(path, sizeof path, V1 "/notifications/%s/read", nid);
	ck_assert_int_eq(status_as(EM_SOFIANE, "POST", path, NULL), 404);
	ck_assert_int_eq(status_as(EM_ADMIN, "POST", path, NULL), 404);
	ck_assert_int_eq(status_as(EM_AMINA, "POST", V1 "/notifications/" NO_SUCH_ID "/read",
	    NULL), 404);
	ck_assert_int_eq(status_as(EM_AMINA, "POST", V1 "/notifications/nope/read", NULL), 422);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications WHERE read_at IS NULL"),
	    1);
	ctx.fixed_now += 60;
	d = data_as(EM_AMINA, "POST", path, NULL, 200);
	ck_assert_str_eq(ut_str(d, "id"), nid);
	ck_assert_str_eq(ut_str(d, "read_at"), "2031-01-01T00:01:00Z");
	cJSON_Delete(d);
	/* Again: the first read_at stays. */
	ctx.fixed_now += 60;
	d = data_as(EM_AMINA, "POST", path, NULL, 200);
	ck_assert_str_eq(ut_str(d, "read_at"), "2031-01-01T00:01:00Z");
	cJSON_Delete(d);
	ck_assert_int_eq(list_len_as(EM_AMINA, V1 "/notifications?unread=true"), 0);
	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T10:00:00Z", NULL), 201);
	ck_assert_int_eq(book(EM_STAFF, PAT_SOFIANE, "2031-01-06T11:00:00Z", NULL), 201);
	d = data_as(EM_AMINA, "POST", V1 "/notifications/read-all", NULL, 200);
	ck_assert_int_eq(ut_num(d, "marked"), 1);
	cJSON_Delete(d);
	/* Sofiane's stays unread. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM notifications WHERE read_at IS NULL"),
	    1);
	ck_assert_int_eq(list_len_as(EM_AMINA, V1 "/notifications?limit=1"), 1);
}
END_TEST

/* The token of a feed URL (after the last '/', before ".ics"). */
static void
feed_path(const char *url, char *path, size_t size)
{
	const char *slash = strrchr(url, '/');

	ck_assert_ptr_nonnull(slash);
	snprintf(path, size, V1 "/calendar%s", slash);
}

/* GET path; asserts status want; the body (malloc'd). */
static char *
get_feed(const char *path, int want)
{
	char ctype[48], *text;

	ck_assert_int_eq(test_get_text(&ctx, path, &text, ctype), want);
	ck_assert_str_eq(ctype, want == 200 ? "text/calendar; charset=utf-8" : "");
	return text;
}

START_TEST(test_calendar_feed)
{
	char id[MED_UUID_LEN + 1], id2[MED_UUID_LEN + 1], path[256], path2[256], uid[128];
	char body[256], cpath[128];
	const cJSON *evs;
	cJSON *d, *j;
	char *text;

	ck_assert_int_eq(book(EM_AMINA, PAT_AMINA, "2031-01-06T09:00:00Z", id), 201);
	snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\",\"start_time\":"
	    "\"2031-01-06T10:00:00Z\",\"end_time\":\"2031-01-06T10:30:00Z\","
	    "\"reason\":\"Secret symptom\"}");
	d = data_as(EM_AMINA, "POST", V1 "/appointments", body, 201);
	snprintf(id2, sizeof id2, "%s", ut_str(d, "id"));
	cJSON_Delete(d);
	snprintf(cpath, sizeof cpath, V1 "/appointments/%s/cancel", id2);
	ck_assert_int_eq(status_as(EM_AMINA, "POST", cpath, "{}"), 200);
	ck_assert_int_eq(status_as(EM_STAFF, "POST", V1 "/calendar/feed", NULL), 403);
	ck_assert_int_eq(status_as(EM_AMINA, "GET", V1 "/calendar/feed", NULL), 405);
	d = data_as(EM_AMINA, "POST", V1 "/calendar/feed", NULL, 201);
	ck_assert(strncmp(ut_str(d, "url"), "https://" HOST ":8443/app/api/v1/calendar/", 51) == 0);
	ck_assert_uint_eq(strlen(ut_str(d, "url")), 51 + 64 + 4);
	feed_path(ut_str(d, "url"), path, sizeof path);
	cJSON_Delete(d);
	/* Only the hash is stored. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM calendar_feeds WHERE user_id = '"
	    USR_AMINA "' AND length(token_hash) = 64 AND instr('%s', token_hash) = 0", path), 1);
	text = get_feed(path, 200);
	ck_assert_ptr_null(strstr(text, "Secret"));
	j = ut_ical_check("ics", text);
	free(text);
	evs = cJSON_GetObjectItem(j, "events");
	/* Seeded past visits are years before "now": only the two of January 2031. */
	ck_assert_int_eq(cJSON_GetArraySize(evs), 2);
	snprintf(uid, sizeof uid, "%s@" HOST, id);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(evs, 0), "uid"), uid);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(evs, 0), "status"), "CONFIRMED");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(evs, 0), "summary"),
	    "Consultation, Dr Samir Bensalah");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(evs, 1), "status"), "CANCELLED");
	ck_assert_int_eq(ut_num(cJSON_GetArrayItem(evs, 1), "sequence"), 1);
	cJSON_Delete(j);
	/* The doctor's feed names no patient. */
	d = data_as(EM_SAMIR, "POST", V1 "/calendar/feed", NULL, 201);
	feed_path(ut_str(d, "url"), path2, sizeof path2);
	cJSON_Delete(d);
	text = get_feed(path2, 200);
	ck_assert_ptr_null(strstr(text, "Amina"));
	ck_assert_ptr_null(strstr(text, "Benali"));
	j = ut_ical_check("ics", text);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "events"), 0), "summary"),
	    "Consultation");
	cJSON_Delete(j);
	free(text);
	/* A new URL replaces the old one. */
	d = data_as(EM_AMINA, "POST", V1 "/calendar/feed", NULL, 201);
	feed_path(ut_str(d, "url"), path2, sizeof path2);
	cJSON_Delete(d);
	free(get_feed(path, 404));
	free(get_feed(path2, 200));
	/* Revoked: 404; revoking again is still 204. */
	ck_assert_int_eq(status_as(EM_AMINA, "DELETE", V1 "/calendar/feed", NULL), 204);
	ck_assert_int_eq(status_as(EM_AMINA, "DELETE", V1 "/calendar/feed", NULL), 204);
	free(get_feed(path2, 404));
	/* Malformed tokens are unknown ones. */
	free(get_feed(V1 "/calendar/abc.ics", 404));
	free(get_feed(V1 "/calendar/.ics", 404));
	free(get_feed(V1 "/calendar/ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789.ics", 404));
	/* A deactivated account's feed closes with it. */
	d = data_as(EM_SAMIR, "POST", V1 "/calendar/feed", NULL, 201);
	feed_path(ut_str(d, "url"), path, sizeof path);
	cJSON_Delete(d);
	ut_exec(&ctx, "UPDATE users SET is_active = 0 WHERE id = '" USR_SAMIR "'");
	free(get_feed(path, 404));
}
END_TEST

/* The scheduler's look-ahead searches an index, never scans all visits. */
START_TEST(test_reminder_scan_uses_index)
{
	char eqp[1024], plan[1024] = "";
	sqlite3_stmt *st;

	snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", notify_sql_due_visits);
	ck_assert_int_eq(sqlite3_prepare_v2(ctx.db, eqp, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(plan + strlen(plan), sizeof plan - strlen(plan), "%s | ",
		    (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	ck_assert_msg(strstr(plan, "USING INDEX appointments_scheduled_start") != NULL, "%s", plan);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_notify_booking_confirmation);
	tcase_add_test(tc, test_notify_rolled_back_booking_sends_nothing);
	tcase_add_test(tc, test_notify_move_then_cancel_raise_sequence);
	tcase_add_test(tc, test_notify_english_by_preference);
	tcase_add_test(tc, test_notify_sms);
	tcase_add_test(tc, test_reminders_once_per_offset);
	tcase_add_test(tc, test_reminders_nearest_only_when_booked_late);
	tcase_add_test(tc, test_reminders_none_after_cancel);
	tcase_add_test(tc, test_reminders_follow_a_move);
	tcase_add_test(tc, test_settings_reminder_offsets);
	tcase_add_test(tc, test_notifications_own_only);
	tcase_add_test(tc, test_calendar_feed);
	tcase_add_test(tc, test_reminder_scan_uses_index);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(notify_suite)
