/*
 * test_outreach.c - messages and feeds on the real stack.  A booking
 * writes exactly one confirmation, which `medadm outbox run --once` hands
 * to the development fake mailer (MED_FAKE_SENDMAIL) and which parses as a
 * mail with a valid .ics (t/ical-check.py: Python's email package and
 * Debian's python3-icalendar); a booking refused with 409 (rolled back)
 * sends nothing; a sender killed after its mail command ran leaves the
 * message to be sent again with the same Message-ID (the claim's expiry
 * stood in for by `medadm outbox retry`); a calendar feed serves
 * text/calendar that the parser reads, and 404 once revoked.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2ekit.h"
#include "httpc.h"
#include "proc.h"
#include "testreg.h"
#include "unitkit.h"

static struct e2e_who admin, doctor;
static int nrun;

static void
setup(void)
{
	admin.token = e2e_token("admin@example.dz", E2E_PW);
	e2e_fresh_doctor(&admin, "outreach", "Outreach", 1, &doctor);
}

static void
teardown(void)
{
	free(admin.token);
	free(doctor.token);
}

/* who's e-mail address (GET /users/me). */
static void
email_of(const struct e2e_who *who, char *out, size_t size)
{
	struct http_result r;

	ck_assert_int_eq(api("GET", "/users/me", who->token, NULL, &r), 200);
	snprintf(out, size, "%s", e2e_str(e2e_data(&r), "email"));
	http_result_free(&r);
}

/* who books the doctor days ahead at hour:00 for 30 minutes; the status; the id into id. */
static int
book(const struct e2e_who *who, int days, int hour, char *id)
{
	char body[256], start[32], end[32];

	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"start_time\":\"%s\",\"end_time\":\"%s\"}",
	    doctor.profile_id, e2e_local_at(days, hour, 0, start), e2e_local_at(days, hour, 30, end));
	return e2e_call("POST", "/appointments", who->token, body, id);
}

/* A new capture directory under the stack's directory, into dir. */
static void
capture_dir(char *dir, size_t size)
{
	snprintf(dir, size, "%s/outreach-%ld-%d", e2e_data_dir(), (long)getpid(), ++nrun);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
}

/* One pass of the sender with mail_command (a shell line); its exit status. */
static int
run_sender(const char *mail_command, const char *dir)
{
	const char *medadm = getenv("MEDADM");
	char cmd[4096];
	int rc;

	ck_assert_ptr_nonnull(medadm);
	snprintf(cmd, sizeof cmd, "MAIL_COMMAND='%s' MAIL_CAPTURE_DIR='%s' '%s' --db '%s/clinic.db'"
	    " outbox run --once >/dev/null 2>&1", mail_command, dir, medadm, e2e_data_dir());
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
}

/* The fake mailer of t/run-e2e.sh, as a MAIL_COMMAND. */
static const char *
fake_mailer(void)
{
	static char cmd[1024];
	const char *fake = getenv("MED_FAKE_SENDMAIL");

	ck_assert_ptr_nonnull(fake);
	snprintf(cmd, sizeof cmd, "sh %s", fake);
	return cmd;
}

/*
 * How many captured mails in dir are to email; the text of one of them
 * into buf (other people's mails of the same pass are read, not kept).
 */
static int
mails_to(const char *dir, const char *email, char *buf, size_t size)
{
	static char text[65536];
	char want[300], path[1024];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(want, sizeof want, "\nTo: %s\n", email);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path)
			continue;
		proc_slurp(path, text, sizeof text);
		if (strstr(text, want) != NULL && n++ == 0)
			snprintf(buf, size, "%s", text);
	}
	closedir(d);
	return n;
}

START_TEST(booking_mails_one_valid_confirmation)
{
	struct e2e_who pat;
	char email[256], id[40], dir[1024], uid[128];
	static char mail[65536];
	const cJSON *ics, *ev;
	cJSON *m;

	e2e_fresh_patient(&admin, "outreach-a", "Amel", "Outreach", &pat);
	email_of(&pat, email, sizeof email);
	ck_assert_int_eq(book(&pat, 3, 10, id), 201);
	capture_dir(dir, sizeof dir);
	ck_assert_int_eq(run_sender(fake_mailer(), dir), 0);
	ck_assert_int_eq(mails_to(dir, email, mail, sizeof mail), 1);
	m = ut_ical_check("mail", mail);
	ck_assert_ptr_nonnull(strstr(ut_str(m, "subject"), "Rendez-vous confirm"));
	ck_assert_str_eq(ut_str(m, "type"), "multipart/mixed");
	ics = cJSON_GetObjectItem(m, "ics");
	ck_assert_str_eq(ut_str(ics, "method"), "REQUEST");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(ics, "events")), 1);
	ev = cJSON_GetArrayItem(cJSON_GetObjectItem(ics, "events"), 0);
	/* PUBLIC_URL is not set for the stack: https://localhost. */
	snprintf(uid, sizeof uid, "%s@localhost", id);
	ck_assert_str_eq(ut_str(ev, "uid"), uid);
	ck_assert_int_eq((int)ut_num(ev, "sequence"), 0);
	cJSON_Delete(m);
	/* Delivered: a second pass sends it no more. */
	capture_dir(dir, sizeof dir);
	ck_assert_int_eq(run_sender(fake_mailer(), dir), 0);
	ck_assert_int_eq(mails_to(dir, email, mail, sizeof mail), 0);
	free(pat.token);
}
END_TEST

START_TEST(refused_booking_mails_nothing)
{
	struct e2e_who a, b;
	char email_b[256], dir[1024];
	static char mail[65536];

	e2e_fresh_patient(&admin, "outreach-b1", "Badr", "Outreach", &a);
	e2e_fresh_patient(&admin, "outreach-b2", "Bahia", "Outreach", &b);
	email_of(&b, email_b, sizeof email_b);
	ck_assert_int_eq(book(&a, 4, 11, NULL), 201);
	/* The same slot: 409, and whatever it wrote is rolled back with it. */
	ck_assert_int_eq(book(&b, 4, 11, NULL), 409);
	capture_dir(dir, sizeof dir);
	ck_assert_int_eq(run_sender(fake_mailer(), dir), 0);
	ck_assert_int_eq(mails_to(dir, email_b, mail, sizeof mail), 0);
	free(a.token);
	free(b.token);
}
END_TEST

/* The Message-ID header of a mail (into out). */
static void
message_id(const char *mail, char *out, size_t size)
{
	const char *h = strstr(mail, "\nMessage-ID: ");

	ck_assert_ptr_nonnull(h);
	h += 13;
	snprintf(out, size, "%.*s", (int)strcspn(h, "\n"), h);
}

/* The id of the newest outbox row to email (medadm outbox list). */
static long
outbox_row_of(const char *email)
{
	char *argv[] = { getenv("MEDADM"), "--db", NULL, "outbox", "list", NULL };
	char db[1024], out[65536], err[4096], *p, *line;
	long id = 0;

	snprintf(db, sizeof db, "%s/clinic.db", e2e_data_dir());
	argv[2] = db;
	ck_assert_int_eq(proc_run(argv, NULL, "/tmp/outreach-list.out", "/tmp/outreach-list.err",
	    out, sizeof out, err, sizeof err), 0);
	/* Newest first: the first line naming email. */
	for (line = out; line != NULL && *line != '\0'; line = p != NULL ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (p != NULL)
			*p = '\0';
		if (strstr(line, email) != NULL && sscanf(line, "%ld", &id) == 1)
			break;
	}
	ck_assert_int_gt(id, 0);
	return id;
}

START_TEST(killed_sender_resends_with_same_message_id)
{
	struct e2e_who pat;
	char email[256], dir[1024], dir2[1024], mailer[2048], args[64], mid1[200], mid2[200];
	static char mail[65536];
	char *argv[] = { getenv("MEDADM"), "--db", NULL, "outbox", "retry", args, NULL };
	char db[1024], out[1024], err[1024];

	e2e_fresh_patient(&admin, "outreach-k", "Karim", "Outreach", &pat);
	email_of(&pat, email, sizeof email);
	ck_assert_int_eq(book(&pat, 5, 9, NULL), 201);
	/* The mail goes out, then the sender dies before it can write that down. */
	capture_dir(dir, sizeof dir);
	snprintf(mailer, sizeof mailer, "%s; kill -KILL $PPID", fake_mailer());
	ck_assert_int_ne(run_sender(mailer, dir), 0);
	ck_assert_int_ge(mails_to(dir, email, mail, sizeof mail), 1);
	message_id(mail, mid1, sizeof mid1);
	/* Still pending; retry makes it due now, as the claim's expiry would. */
	snprintf(args, sizeof args, "%ld", outbox_row_of(email));
	snprintf(db, sizeof db, "%s/clinic.db", e2e_data_dir());
	argv[2] = db;
	ck_assert_int_eq(proc_run(argv, NULL, "/tmp/outreach-retry.out", "/tmp/outreach-retry.err",
	    out, sizeof out, err, sizeof err), 0);
	capture_dir(dir2, sizeof dir2);
	ck_assert_int_eq(run_sender(fake_mailer(), dir2), 0);
	ck_assert_int_eq(mails_to(dir2, email, mail, sizeof mail), 1);
	message_id(mail, mid2, sizeof mid2);
	ck_assert_str_eq(mid1, mid2);
	free(pat.token);
}
END_TEST

START_TEST(feed_serves_ics_then_404_once_revoked)
{
	struct e2e_who pat;
	char id[40], path[512];
	struct http_result r;
	const char *url, *at;
	cJSON *j;

	e2e_fresh_patient(&admin, "outreach-f", "Farid", "Outreach", &pat);
	ck_assert_int_eq(book(&pat, 6, 14, id), 201);
	ck_assert_int_eq(api("POST", "/calendar/feed", pat.token, NULL, &r), 201);
	url = e2e_str(e2e_data(&r), "url");
	ck_assert_ptr_nonnull(url);
	ck_assert_ptr_nonnull(at = strstr(url, "/api/v1/calendar/"));
	snprintf(path, sizeof path, "%s", at);
	http_result_free(&r);
	/* No token: the URL is the credential. */
	ck_assert_int_eq(http_call("GET", path, NULL, NULL, 0, &r), 200);
	ck_assert_str_eq(http_header(&r, "Content-Type"), "text/calendar; charset=utf-8");
	j = ut_ical_check("ics", r.body);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "events")), 1);
	cJSON_Delete(j);
	http_result_free(&r);
	ck_assert_int_eq(api("DELETE", "/calendar/feed", pat.token, NULL, &r), 204);
	http_result_free(&r);
	ck_assert_int_eq(http_call("GET", path, NULL, NULL, 0, &r), 404);
	ck_assert_ptr_nonnull(e2e_str(cJSON_GetObjectItem(r.json, "message") != NULL ? r.json : NULL,
	    "message"));
	http_result_free(&r);
	free(pat.token);
}
END_TEST

static Suite *
outreach_suite(void)
{
	Suite *s = suite_create("e2e_outreach");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, booking_mails_one_valid_confirmation);
	tcase_add_test(tc, refused_booking_mails_nothing);
	tcase_add_test(tc, killed_sender_resends_with_same_message_id);
	tcase_add_test(tc, feed_serves_ics_then_404_once_revoked);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(outreach_suite)
