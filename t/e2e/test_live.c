/*
 * test_live.c - live updates on the real stack (issue 15, part 7): nginx
 * with nchan holds EventSource subscriptions at /api/v1/live, the workers
 * publish each committed change to a visit on nchan's Unix socket.
 *
 * A raw HTTP client here is the EventSource: it gets a ticket, subscribes,
 * and reads the stream itself.  The contract checked: a booking's event
 * reaches a subscriber within 1 s of the booking being sent (monotonic
 * clock, an upper bound: the event is read only after the booking's answer
 * came); a refused booking (409, rolled back) publishes nothing; events
 * carry kinds and ids only; anonymous and patient subscriptions are
 * refused (403), a ticket opens one subscription only, and no ticket
 * reaches a log.  Events are told apart by this suite's own doctor (other
 * suites share the stack).
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "e2ekit.h"
#include "httpc.h"
#include "testreg.h"

#define DEADLINE_MS 1000    /* the contract */

static struct e2e_who admin, staff, pat, doc;

static void
suite_setup(void)
{
	admin.token = e2e_token("admin@example.dz", E2E_PW);
	staff.token = e2e_token("reception@example.dz", E2E_PW);
	e2e_fresh_patient(&admin, "live_p", "Live", "Patient", &pat);
	e2e_fresh_doctor(&admin, "live_d", "Live", 1, &doc);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* POST /live/ticket as w: the status; the subscribe URL into url (200). */
static int
get_ticket(const struct e2e_who *w, char *url, size_t size, char *ticket, size_t tsize)
{
	struct http_result r;
	int status = api("POST", "/live/ticket", w != NULL ? w->token : NULL, NULL, &r);

	url[0] = '\0';
	if (status == 200) {
		snprintf(url, size, "%s", e2e_str(e2e_data(&r), "url"));
		if (ticket != NULL)
			snprintf(ticket, tsize, "%s", e2e_str(e2e_data(&r), "ticket"));
	}
	http_result_free(&r);
	return status;
}

/* A subscriber's stream: its socket and what was read but not yet taken. */
struct stream {
	int fd;
	char buf[65536];
	size_t len;
};

/* Read more into s until deadline; 1 if something came, 0 on timeout or close. */
static int
stream_more(struct stream *s, int64_t deadline)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	int64_t left = deadline - mono_ms();
	ssize_t n;

	if (left <= 0 || s->len >= sizeof s->buf - 1 || poll(&p, 1, (int)left) <= 0)
		return 0;
	if ((n = recv(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len, 0)) <= 0)
		return 0;
	s->len += (size_t)n;
	s->buf[s->len] = '\0';
	return 1;
}

/*
 * GET url with Accept: text/event-stream.  The status; with 200 the
 * stream is open in s (the answer's head consumed), else s->fd is -1.
 */
static int
subscribe(const char *url, struct stream *s)
{
	char req[2048], *end;
	int64_t deadline = mono_ms() + 10000;
	int status = -1;

	memset(s, 0, sizeof *s);
	ck_assert_int_ge(s->fd = http_connect(), 0);
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Accept: text/event-stream\r\n\r\n", url);
	ck_assert_int_eq(send(s->fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	while ((end = strstr(s->buf, "\r\n\r\n")) == NULL && stream_more(s, deadline))
		;
	ck_assert_msg(end != NULL, "no answer head from %s", url);
	ck_assert_int_eq(sscanf(s->buf, "HTTP/1.1 %d", &status), 1);
	if (status == 200) {
		ck_assert_msg(strcasestr(s->buf, "Content-Type: text/event-stream") != NULL, "%s",
		    s->buf);
		end += 4;
		s->len -= (size_t)(end - s->buf);
		memmove(s->buf, end, s->len + 1);
	} else {
		close(s->fd);
		s->fd = -1;
	}
	return status;
}

static void
stream_close(struct stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * The next event of doctor `doc` on s before deadline, parsed (caller
 * frees); NULL on timeout.  Comments (": hi") and other doctors' events
 * are skipped.
 */
static cJSON *
next_event(struct stream *s, int64_t deadline)
{
	for (;;) {
		char *data, *eol;

		while ((data = strstr(s->buf, "data: ")) == NULL || strchr(data, '\n') == NULL)
			if (!stream_more(s, deadline))
				return NULL;
		eol = strchr(data, '\n');
		*eol = '\0';
		cJSON *ev = cJSON_Parse(data + 6);
		s->len -= (size_t)(eol + 1 - s->buf);
		memmove(s->buf, eol + 1, s->len + 1);
		if (ev == NULL)
			continue;   /* an empty data line */
		if (e2e_str(ev, "doctor_id") != NULL && strcmp(e2e_str(ev, "doctor_id"),
		    doc.profile_id) == 0)
			return ev;
		cJSON_Delete(ev);
	}
}

/* The next event of doc on s must come before deadline and be kind, for appointment id. */
static void
expect_event(struct stream *s, int64_t deadline, const char *kind, const char *id)
{
	cJSON *ev = next_event(s, deadline);

	ck_assert_msg(ev != NULL, "no %s event for %s in time", kind, id);
	ck_assert_str_eq(e2e_str(ev, "kind"), kind);
	ck_assert_str_eq(e2e_str(ev, "appointment_id"), id);
	/* Kinds and ids only: nothing of the patient, the reason or the visit's times. */
	ck_assert_ptr_nonnull(e2e_str(ev, "at"));
	ck_assert_int_eq(cJSON_GetArraySize(ev), 4);
	cJSON_Delete(ev);
}

/* Staff books pat with doc on day at hh:mm for 30 minutes; the status. */
static int
book(int day, int h, int m)
{
	char body[512], s[32], e[32];

	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"patient_id\":\"%s\",\"start_time\":"
	    "\"%s\",\"end_time\":\"%s\"}", doc.profile_id, pat.profile_id,
	    e2e_local_at(day, h, m, s), e2e_local_at(day, h, m + 30, e));
	return e2e_env("POST", "/appointments", &staff, body);
}

START_TEST(booking_event_within_1s)
{
	struct stream s;
	char url[1200], id[40];
	int64_t t0, t1;

	ck_assert_int_eq(get_ticket(&staff, url, sizeof url, NULL, 0), 200);
	ck_assert_int_eq(subscribe(url, &s), 200);
	t0 = mono_ms();
	ck_assert_int_eq(book(9, 9, 0), 201);
	snprintf(id, sizeof id, "%s", e2e_last_id);
	expect_event(&s, t0 + DEADLINE_MS, "appointment.booked", id);
	t1 = mono_ms();
	printf("e2e_live: booking event read %lld ms after the booking was sent\n",
	    (long long)(t1 - t0));
	fflush(stdout);
	ck_assert_int_le(t1 - t0, DEADLINE_MS);

	/* A cancellation follows on the same stream. */
	t0 = mono_ms();
	{
		char path[128];
		snprintf(path, sizeof path, "/appointments/%s/cancel", id);
		ck_assert_int_eq(e2e_env("POST", path, &staff, "{}"), 200);
	}
	expect_event(&s, t0 + DEADLINE_MS, "appointment.cancelled", id);
	stream_close(&s);
}
END_TEST

/* A refused booking is rolled back and says nothing: the next event is the next booking's. */
START_TEST(rollback_publishes_nothing)
{
	struct stream s;
	char url[1200];

	ck_assert_int_eq(get_ticket(&staff, url, sizeof url, NULL, 0), 200);
	ck_assert_int_eq(subscribe(url, &s), 200);
	ck_assert_int_eq(book(10, 10, 0), 201);
	expect_event(&s, mono_ms() + DEADLINE_MS, "appointment.booked", e2e_last_id);
	ck_assert_int_eq(book(10, 10, 0), 409);      /* the same slot: rolled back */
	ck_assert_int_eq(book(10, 11, 0), 201);      /* the marker */
	expect_event(&s, mono_ms() + DEADLINE_MS, "appointment.booked", e2e_last_id);
	stream_close(&s);
}
END_TEST

START_TEST(subscribers_refused)
{
	struct stream s;
	char url[1200], ticket[1100], path[1300], line[512];
	FILE *f;

	/* Anonymous: no ticket, or one made up. */
	ck_assert_int_eq(subscribe("/api/v1/live", &s), 403);
	ck_assert_int_eq(subscribe("/api/v1/live?ticket=made.up.ticket", &s), 403);
	/* An access token is no ticket. */
	snprintf(path, sizeof path, "/api/v1/live?ticket=%s", staff.token);
	ck_assert_int_eq(subscribe(path, &s), 403);
	/* Patients get no ticket. */
	ck_assert_int_eq(get_ticket(&pat, url, sizeof url, NULL, 0), 403);
	ck_assert_int_eq(get_ticket(NULL, url, sizeof url, NULL, 0), 401);
	/* A doctor does; a ticket opens one subscription only. */
	ck_assert_int_eq(get_ticket(&doc, url, sizeof url, ticket, sizeof ticket), 200);
	ck_assert_int_eq(subscribe(url, &s), 200);
	stream_close(&s);
	ck_assert_int_eq(subscribe(url, &s), 403);

	/* Neither nginx's nor the workers' access log holds a ticket. */
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/log/%s", e2e_data_dir(),
		    i == 0 ? "nginx-access.log" : "access.log");
		ck_assert_ptr_nonnull(f = fopen(path, "r"));
		while (fgets(line, sizeof line, f) != NULL)
			ck_assert_msg(strstr(line, "ticket=") == NULL && strstr(line,
			    ticket + strlen(ticket) - 20) == NULL, "%s: %s", path, line);
		fclose(f);
	}
}
END_TEST

static Suite *
live_e2e_suite(void)
{
	Suite *s = suite_create("e2e_live");
	TCase *tc = tcase_create("live");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, suite_setup, NULL);
	tcase_add_test(tc, booking_event_within_1s);
	tcase_add_test(tc, rollback_publishes_nothing);
	tcase_add_test(tc, subscribers_refused);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(live_e2e_suite)
