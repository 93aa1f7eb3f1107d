/*
 * test_ics.c - the iCalendar writer: TEXT escaping, folding at 75 octets
 * that never cuts a UTF-8 character, CRLF line ends, the host of a UID,
 * and a whole calendar read back by Debian's python3-icalendar
 * (t/ical-check.py) with what was put in.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ics.h"
#include "testreg.h"
#include "unitkit.h"
#include "util.h"

/* The TEXT form of s (malloc'd). */
static char *
text_of(const char *s)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	ics_text(&b, s);
	strbuf_puts(&b, "");
	ck_assert(!b.oom);
	return b.p;
}

START_TEST(test_ics_escaping)
{
	char *t = text_of("a\\b;c,d\ne\r\nf\rg\x01h: ok");

	ck_assert_str_eq(t, "a\\\\b\\;c\\,d\\ne\\nf\\ng" "h: ok");
	free(t);
}
END_TEST

/* Every line of text ends in CRLF and holds at most 75 octets; returns the line count. */
static int
check_lines(const char *text)
{
	int lines = 0;

	for (const char *p = text; *p != '\0'; lines++) {
		const char *crlf = strstr(p, "\r\n");
		ck_assert_msg(crlf != NULL, "no CRLF after %s", p);
		ck_assert_int_le(crlf - p, ICS_LINE_OCTETS);
		for (const char *q = p; q < crlf; q++)
			ck_assert_msg(*q != '\n' && *q != '\r', "bare line break");
		p = crlf + 2;
	}
	return lines;
}

/* Undo the folding: drop each CRLF followed by a space. */
static void
unfold(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < size; in++) {
		if (in[0] == '\r' && in[1] == '\n' && in[2] == ' ') {
			in += 2;
			continue;
		}
		out[n++] = *in;
	}
	out[n] = '\0';
}

START_TEST(test_ics_folding_multibyte)
{
	/* "é" is 2 octets, "€" 3, "𝄞" 4: a fold at 75 octets would cut each. */
	static const char *const pieces[] = { "é", "€", "𝄞" };
	char value[600], unfolded[800], want[800];

	for (int k = 0; k < 3; k++) {
		struct strbuf b = { NULL, 0, 0, 0 };
		for (int shift = 0; shift < 4; shift++) {
			size_t n = 0;
			free(b.p);
			memset(&b, 0, sizeof b);
			/* A different prefix length moves each character across the boundary. */
			for (int i = 0; i < shift; i++)
				value[n++] = 'x';
			while (n + strlen(pieces[k]) < 400) {
				memcpy(value + n, pieces[k], strlen(pieces[k]));
				n += strlen(pieces[k]);
			}
			value[n] = '\0';
			ics_line(&b, "SUMMARY", value);
			ck_assert(!b.oom);
			ck_assert_int_ge(check_lines(b.p), 400 / ICS_LINE_OCTETS);
			ck_assert(util_utf8_valid(b.p, b.len));
			/* Each physical line on its own is valid UTF-8: no character was cut. */
			for (char *p = b.p, *e; *p != '\0'; p = e + 2) {
				e = strstr(p, "\r\n");
				ck_assert(util_utf8_valid(p, (size_t)(e - p)));
			}
			unfold(b.p, unfolded, sizeof unfolded);
			snprintf(want, sizeof want, "SUMMARY:%s\r\n", value);
			ck_assert_str_eq(unfolded, want);
		}
		free(b.p);
	}
}
END_TEST

START_TEST(test_ics_short_line_unfolded)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	char value[80];

	/* Exactly 75 octets with the name: one line, no fold. */
	memset(value, 'a', 75 - 8);
	value[75 - 8] = '\0';
	ics_line(&b, "SUMMARY", value);
	ck_assert_int_eq(check_lines(b.p), 1);
	ck_assert_uint_eq(b.len, 77);
	free(b.p);
}
END_TEST

START_TEST(test_ics_host)
{
	char h[64];

	ics_host("https://clinic.example.dz:8443/app", h, sizeof h);
	ck_assert_str_eq(h, "clinic.example.dz");
	ics_host("http://user:pw@c.example/", h, sizeof h);
	ck_assert_str_eq(h, "c.example");
	ics_host("https://localhost", h, sizeof h);
	ck_assert_str_eq(h, "localhost");
	ics_host("", h, sizeof h);
	ck_assert_str_eq(h, "localhost");
}
END_TEST

START_TEST(test_ics_python_parses)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	struct ics_event ev = {
		.uid = "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001@clinic.example.dz", .sequence = 3,
		.stamp = 1924992000, .start = 1925370000, .end = 1925371800,
		.summary = "Consultation, Dr Samir Bensalah; \\ « Médecine générale » "
		    "avec un intitulé assez long pour être replié deux fois au moins 𝄞€é",
		.location = "Clinique El Amel, 12 rue de la Paix\nOran",
		.organizer_name = "Clinique \"El Amel\"; Oran", .organizer_email = "no-reply@c.example.dz",
		.attendee_name = "Amina Benali", .attendee_email = "amina@example.dz",
		.cancelled = 1,
	};
	const cJSON *e0;
	char *text;
	cJSON *j;

	ics_begin(&b, "CANCEL", NULL);
	ics_event(&b, &ev);
	ck_assert_int_eq(ics_end(&b, &text), MED_OK);
	check_lines(text);
	j = ut_ical_check("ics", text);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "method")->valuestring, "CANCEL");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "events")), 1);
	e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "events"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "uid")->valuestring, ev.uid);
	ck_assert_int_eq(cJSON_GetObjectItem(e0, "sequence")->valueint, 3);
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "status")->valuestring, "CANCELLED");
	ck_assert_int_eq((long long)cJSON_GetObjectItem(e0, "start")->valuedouble, ev.start);
	ck_assert_int_eq((long long)cJSON_GetObjectItem(e0, "end")->valuedouble, ev.end);
	/* The parser's unescaping gives back exactly what went in. */
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "summary")->valuestring, ev.summary);
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "location")->valuestring, ev.location);
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "attendee")->valuestring, "mailto:amina@example.dz");
	cJSON_Delete(j);
	free(text);
}
END_TEST

static Suite *
ics_suite(void)
{
	Suite *s = suite_create("ics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ics_escaping);
	tcase_add_test(tc, test_ics_folding_multibyte);
	tcase_add_test(tc, test_ics_short_line_unfolded);
	tcase_add_test(tc, test_ics_host);
	tcase_add_test(tc, test_ics_python_parses);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(ics_suite)
