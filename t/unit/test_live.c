/*
 * test_live.c - live updates in-process (lib/live.h, lib/live_auth.c):
 * what a change to a visit posts to nchan's publisher (a fake one on a
 * Unix socket, in a thread: it records each message before it answers,
 * so a request that returned has been heard), nothing for a refused
 * change, a publisher that is down or silent never failing or holding a
 * request beyond its budget; and the subscribe ticket: who gets one,
 * single use, expiry, type separation from access tokens, its holder
 * checked again at use.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "live.h"
#include "route.h"
#include "testreg.h"
#include "unitkit.h"
#include "util.h"

#define V1 "/api/v1"
#define NOW_2031 1924992000LL /* 2031-01-01T00:00:00Z, a Wednesday */

enum pub_mode { PUB_OK, PUB_SILENT, PUB_ERROR };

/* The fake publisher: what it heard, how it answers. */
static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	int listen_fd;
	enum pub_mode mode;
	int n;
	char path[8][64];
	char body[8][512];
	char sock[108];
} pub = { .lock = PTHREAD_MUTEX_INITIALIZER, .listen_fd = -1 };

static struct med_ctx ctx;
static char *tok_staff, *tok_amina, *tok_samir;

/* Read one request (head and Content-Length body) from fd and record it. */
static void
pub_serve_one(int fd)
{
	char buf[4096], *end, *cl;
	size_t got = 0;
	ssize_t rc;
	long len = -1;

	while (got < sizeof buf - 1 && (rc = read(fd, buf + got, sizeof buf - 1 - got)) > 0) {
		got += (size_t)rc;
		buf[got] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (len < 0 && (cl = strcasestr(buf, "Content-Length:")) != NULL)
			len = strtol(cl + 15, NULL, 10);
		if (len >= 0 && got >= (size_t)(end + 4 - buf) + (size_t)len)
			break;
	}
	if ((end = strstr(buf, "\r\n\r\n")) == NULL)
		return;
	pthread_mutex_lock(&pub.lock);
	if (pub.n < 8) {
		sscanf(buf, "POST %63s", pub.path[pub.n]);
		snprintf(pub.body[pub.n], sizeof pub.body[0], "%s", end + 4);
		pub.n++;
	}
	pthread_mutex_unlock(&pub.lock);
	if (pub.mode == PUB_OK)
		(void)!write(fd, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 44);
	else if (pub.mode == PUB_ERROR)
		(void)!write(fd, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", 41);
	else
		while (read(fd, buf, sizeof buf) > 0)   /* silent: until the client gives up */
			;
}

static void *
pub_loop(void *arg)
{
	int fd;

	(void)arg;
	while ((fd = accept(pub.listen_fd, NULL, NULL)) >= 0) {
		pub_serve_one(fd);
		close(fd);
	}
	return NULL;
}

static void
pub_start(enum pub_mode mode)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	pub.mode = mode;
	pub.n = 0;
	snprintf(pub.sock, sizeof pub.sock, "%.80s/live.sock", ctx.cfg.data_dir);
	snprintf(un.sun_path, sizeof un.sun_path, "%s", pub.sock);
	ck_assert_int_ge(pub.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(bind(pub.listen_fd, (struct sockaddr *)&un, sizeof un), 0);
	ck_assert_int_eq(listen(pub.listen_fd, 8), 0);
	ck_assert_int_eq(pthread_create(&pub.thread, NULL, pub_loop, NULL), 0);
	snprintf(ctx.cfg.live_publish, sizeof ctx.cfg.live_publish, "%s", pub.sock);
}

static void
pub_stop(void)
{
	if (pub.listen_fd < 0)
		return;
	shutdown(pub.listen_fd, SHUT_RDWR);
	close(pub.listen_fd);
	pthread_join(pub.thread, NULL);
	pub.listen_fd = -1;
	unlink(pub.sock);
}

static void
setup(void)
{
	setenv("CLINIC_TZ", "UTC", 1);
	test_ctx_open(&ctx, 1);
	ctx.fixed_now = NOW_2031;
	tok_staff = ut_mint(&ctx, EM_STAFF);
	tok_amina = ut_mint(&ctx, EM_AMINA);
	tok_samir = ut_mint(&ctx, EM_SAMIR);
}

static void
teardown(void)
{
	pub_stop();
	free(tok_staff);
	free(tok_amina);
	free(tok_samir);
	test_ctx_close(&ctx);
	unsetenv("CLINIC_TZ");
}

/* A request through med_handle(); its status, its note into note, its time into us. */
static int
handle(const char *method, const char *path, const char *token, const char *body,
    char *note, size_t note_size, int64_t *us)
{
	int64_t t0 = util_mono_us();
	int status = test_call_note(&ctx, method, path, token, body, NULL, note, note_size);

	if (us != NULL)
		*us = util_mono_us() - t0;
	return status;
}

/* Staff books Amina with Samir, 30 minutes from start (Monday 2031-01-06 is open). */
static int
book(const char *start, const char *end, char *note, int64_t *us)
{
	char body[256];

	snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\",\"patient_id\":\""
	    PAT_AMINA "\",\"start_time\":\"%s\",\"end_time\":\"%s\"}", start, end);
	return handle("POST", V1 "/appointments", tok_staff, body, note, 256, us);
}

START_TEST(booking_publishes_one_event)
{
	char note[256];
	cJSON *ev;

	pub_start(PUB_OK);
	ck_assert_int_eq(book("2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z", note, NULL), 201);
	ck_assert_str_eq(note, "");
	ck_assert_int_eq(pub.n, 1);
	ck_assert_str_eq(pub.path[0], "/pub/" LIVE_CHANNEL);
	ev = cJSON_Parse(pub.body[0]);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ut_str(ev, "kind"), "appointment.booked");
	ck_assert_str_eq(ut_str(ev, "doctor_id"), DOC_SAMIR);
	ck_assert(util_is_uuid(ut_str(ev, "appointment_id")));
	ck_assert_str_eq(ut_str(ev, "at"), "2031-01-01T00:00:00Z");
	/* Kinds and ids only: no patient, no reason, no times of the visit. */
	ck_assert_int_eq(cJSON_GetArraySize(ev), 4);
	cJSON_Delete(ev);

	/* The same slot again: 409, rolled back, nothing published. */
	ck_assert_int_eq(book("2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z", note, NULL), 409);
	ck_assert_int_eq(pub.n, 1);
	/* A read publishes nothing either. */
	ck_assert_int_eq(handle("GET", V1 "/appointments/doctor/" DOC_SAMIR, tok_staff, NULL,
	    note, sizeof note, NULL), 200);
	ck_assert_int_eq(pub.n, 1);
}
END_TEST

START_TEST(every_change_kind)
{
	char note[256], path[160], id[MED_UUID_LEN + 1];
	cJSON *ev;

	pub_start(PUB_OK);
	ck_assert_int_eq(book("2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z", note, NULL), 201);
	ev = cJSON_Parse(pub.body[0]);
	snprintf(id, sizeof id, "%s", ut_str(ev, "appointment_id"));
	cJSON_Delete(ev);
	snprintf(path, sizeof path, V1 "/appointments/%s/reschedule", id);
	ck_assert_int_eq(handle("POST", path, tok_staff, "{\"start_time\":\"2031-01-06T10:00:00Z\","
	    "\"end_time\":\"2031-01-06T10:30:00Z\"}", note, sizeof note, NULL), 200);
	snprintf(path, sizeof path, V1 "/appointments/%s/cancel", id);
	ck_assert_int_eq(handle("POST", path, tok_staff, "{}", note, sizeof note, NULL), 200);
	ck_assert_int_eq(pub.n, 3);
	ck_assert_ptr_nonnull(strstr(pub.body[1], "\"kind\":\"appointment.moved\""));
	ck_assert_ptr_nonnull(strstr(pub.body[2], "\"kind\":\"appointment.cancelled\""));
	ck_assert_ptr_nonnull(strstr(pub.body[2], id));

	ck_assert_int_eq(book("2031-01-06T11:00:00Z", "2031-01-06T11:30:00Z", note, NULL), 201);
	ev = cJSON_Parse(pub.body[3]);
	snprintf(path, sizeof path, V1 "/appointments/%s/status", ut_str(ev, "appointment_id"));
	cJSON_Delete(ev);
	ck_assert_int_eq(handle("PATCH", path, tok_staff, "{\"status\":\"ARRIVED\"}", note,
	    sizeof note, NULL), 200);
	ck_assert_int_eq(pub.n, 5);
	ck_assert_ptr_nonnull(strstr(pub.body[4], "\"kind\":\"appointment.status\""));
}
END_TEST

/* A long series is one appointments.changed for its doctor, not 20 posts. */
START_TEST(long_series_merges)
{
	char note[256];

	pub_start(PUB_OK);
	ck_assert_int_eq(handle("POST", V1 "/appointments/series", tok_staff,
	    "{\"doctor_id\":\"" DOC_SAMIR "\",\"patient_id\":\"" PAT_AMINA "\","
	    "\"start_time\":\"2031-01-06T09:00:00Z\",\"end_time\":\"2031-01-06T09:30:00Z\","
	    "\"frequency\":\"WEEKLY\",\"count\":20}",
	    note, sizeof note, NULL), 201);
	ck_assert_int_eq(pub.n, 1);
	ck_assert_str_eq(pub.body[0], "{\"kind\":\"appointments.changed\",\"doctor_id\":\""
	    DOC_SAMIR "\",\"at\":\"2031-01-01T00:00:00Z\"}");
}
END_TEST

/* Down, failing or silent: the booking stands, the note says why, the wait is bounded. */
START_TEST(publisher_trouble_is_not_the_clients)
{
	char note[256];
	int64_t us;

	snprintf(ctx.cfg.live_publish, sizeof ctx.cfg.live_publish, "%.80s/nobody.sock",
	    ctx.cfg.data_dir);
	ck_assert_int_eq(book("2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z", note, NULL), 201);
	ck_assert_msg(strstr(note, "live: 1 of 1 events not published") != NULL, "%s", note);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE start_time = %lld",
	    NOW_2031 + 5 * 86400 + 9 * 3600), 1);

	pub_start(PUB_ERROR);
	ck_assert_int_eq(book("2031-01-06T10:00:00Z", "2031-01-06T10:30:00Z", note, NULL), 201);
	ck_assert_msg(strstr(note, "answered 500") != NULL, "%s", note);
	pub_stop();

	pub_start(PUB_SILENT);
	ck_assert_int_eq(book("2031-01-06T11:00:00Z", "2031-01-06T11:30:00Z", note, &us), 201);
	ck_assert_msg(strstr(note, "no answer in time") != NULL, "%s", note);
	ck_assert_int_eq(pub.n, 1);
	/* The budget, and some room for a loaded machine, never the publisher's pace. */
	ck_assert_msg(us < (LIVE_BUDGET_MS + 450) * 1000, "booking took %lld us",
	    (long long)us);

	/* Off: nothing tried, nothing noted. */
	ctx.cfg.live_publish[0] = '\0';
	ck_assert_int_eq(book("2031-01-06T11:30:00Z", "2031-01-06T12:00:00Z", note, NULL), 201);
	ck_assert_str_eq(note, "");
	ck_assert_int_eq(pub.n, 1);
}
END_TEST

START_TEST(publish_targets)
{
	ck_assert_int_eq(live_target_check(""), MED_OK);
	ck_assert_int_eq(live_target_check("/run/medclinic/live.sock"), MED_OK);
	ck_assert_int_eq(live_target_check("http://127.0.0.1:8081"), MED_OK);
	ck_assert_int_eq(live_target_check("http://127.0.0.1:8081/"), MED_OK);
	ck_assert_int_eq(live_target_check("relative/live.sock"), MED_EINVAL);
	ck_assert_int_eq(live_target_check("http://localhost:8081"), MED_EINVAL);
	ck_assert_int_eq(live_target_check("http://127.0.0.1"), MED_EINVAL);
	ck_assert_int_eq(live_target_check("http://127.0.0.1:0"), MED_EINVAL);
	ck_assert_int_eq(live_target_check("http://127.0.0.1:70000"), MED_EINVAL);
	ck_assert_int_eq(live_target_check("https://127.0.0.1:8081"), MED_EINVAL);
	ck_assert_int_eq(live_target_check("/a/path/far/too/long/for/sun_path/xxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.sock"), MED_EINVAL);
}
END_TEST

static int ticket_life;   /* expires_in of the last ticket */

/* POST /live/ticket as token: the status; the ticket into out (200). */
static int
ticket(const char *token, char *out, size_t size)
{
	cJSON *env = NULL;
	int status = test_call(&ctx, "POST", V1 "/live/ticket", token, NULL, &env);

	out[0] = '\0';
	if (status == 200) {
		char url[1200];
		snprintf(out, size, "%s", ut_str(ut_data(env), "ticket"));
		ticket_life = (int)ut_num(ut_data(env), "expires_in");
		snprintf(url, sizeof url, V1 "/live?ticket=%s", out);
		ck_assert_str_eq(ut_str(ut_data(env), "url"), url);
	}
	cJSON_Delete(env);
	return status;
}

static int
use(const char *t)
{
	char path[1200];

	snprintf(path, sizeof path, V1 "/live/auth?ticket=%s", t);
	return test_call(&ctx, "GET", path, NULL, NULL, NULL);
}

START_TEST(ticket_single_use_and_typed)
{
	char t[1100], path[200];
	char *tok_admin = ut_mint(&ctx, EM_ADMIN);

	ck_assert_int_eq(ticket(tok_staff, t, sizeof t), 200);
	ck_assert_int_eq(ticket_life, LIVE_TICKET_SECONDS);
	ck_assert_int_eq(use(t), 204);
	ck_assert_int_eq(use(t), 403);    /* spent */
	ck_assert_int_eq(ticket(tok_samir, t, sizeof t), 200);
	ck_assert_int_eq(use(t), 204);
	ck_assert_int_eq(ticket(tok_admin, t, sizeof t), 200);
	/* A ticket is no access token, an access token no ticket. */
	ck_assert_int_eq(test_call(&ctx, "GET", V1 "/users/me", t, NULL, NULL), 401);
	ck_assert_int_eq(use(tok_admin), 403);
	ck_assert_int_eq(use("x"), 403);
	ck_assert_int_eq(test_call(&ctx, "GET", V1 "/live/auth", NULL, NULL, NULL), 403);
	ck_assert_int_eq(use(t), 204);
	/* Patients and anonymous get none. */
	ck_assert_int_eq(ticket(tok_amina, t, sizeof t), 403);
	ck_assert_int_eq(ticket(NULL, t, sizeof t), 401);
	/* The table's roles for the ticket are the ones checked at use. */
	for (const struct med_route *r = med_routes(); r->handler != NULL; r++)
		if (strcmp(r->pattern, V1 "/live/ticket") == 0)
			ck_assert_uint_eq(r->roles, LIVE_ROLES);
	snprintf(path, sizeof path, "%s", V1 "/live/auth?ticket=");
	ck_assert_int_eq(test_call(&ctx, "GET", path, NULL, NULL, NULL), 422);
	free(tok_admin);
}
END_TEST

START_TEST(ticket_expires_and_holder_rechecked)
{
	char t[1100], t2[1100], t3[1100], body[128];

	ck_assert_int_eq(ticket(tok_staff, t, sizeof t), 200);
	ctx.fixed_now += LIVE_TICKET_SECONDS + 1;
	ck_assert_int_eq(use(t), 403);
	ctx.fixed_now = NOW_2031;

	/* Samir deactivated after he got his ticket: refused. */
	ck_assert_int_eq(ticket(tok_samir, t, sizeof t), 200);
	ut_exec(&ctx, "UPDATE users SET is_active = 0 WHERE id = '%s'", USR_SAMIR);
	ck_assert_int_eq(use(t), 403);
	ut_exec(&ctx, "UPDATE users SET is_active = 1 WHERE id = '%s'", USR_SAMIR);

	/* Nadia demoted to PATIENT after hers: refused. */
	{
		char *tok_nadia = ut_mint(&ctx, EM_NADIA);
		ck_assert_int_eq(ticket(tok_nadia, t2, sizeof t2), 200);
		ut_exec(&ctx, "UPDATE users SET role_id = (SELECT id FROM roles WHERE name = "
		    "'PATIENT') WHERE id = '%s'", USR_NADIA);
		ck_assert_int_eq(use(t2), 403);
		free(tok_nadia);
	}

	/* Sessions ended (a password change) after the ticket: refused. */
	ck_assert_int_eq(ticket(tok_staff, t3, sizeof t3), 200);
	snprintf(body, sizeof body, "{\"password\":\"%s\"}", "Another-pass-1");
	ck_assert_int_eq(test_call(&ctx, "PATCH", V1 "/users/me", tok_staff, body, NULL), 200);
	ck_assert_int_eq(use(t3), 403);
}
END_TEST

/* Not even a short-lived access token makes a ticket that outlives it. */
START_TEST(ticket_never_outlives_its_token)
{
	char t[1100];

	ctx.fixed_now = NOW_2031 + 3600 - 10;  /* ut_mint's token has 10 s left */
	ck_assert_int_eq(ticket(tok_staff, t, sizeof t), 200);
	ck_assert_int_eq(ticket_life, 10);
	ctx.fixed_now += 11;
	ck_assert_int_eq(use(t), 403);
}
END_TEST

static Suite *
live_suite(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase_create("live");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, booking_publishes_one_event);
	tcase_add_test(tc, every_change_kind);
	tcase_add_test(tc, long_series_merges);
	tcase_add_test(tc, publisher_trouble_is_not_the_clients);
	tcase_add_test(tc, publish_targets);
	tcase_add_test(tc, ticket_single_use_and_typed);
	tcase_add_test(tc, ticket_expires_and_holder_rechecked);
	tcase_add_test(tc, ticket_never_outlives_its_token);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(live_suite)
