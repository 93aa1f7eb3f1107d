/*
 * ics.c - the iCalendar writer (ics.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ics.h"

#define PRODID "-//medclinic//appointments//EN"

/* t as a UTC DATE-TIME: 20260303T090500Z. */
static void
utc_stamp(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y%m%dT%H%M%SZ", &tm);
}

void
ics_line(struct strbuf *b, const char *name, const char *value)
{
	struct strbuf raw = { NULL, 0, 0, 0 };
	size_t run = 0, i, n;

	strbuf_puts(&raw, name);
	strbuf_puts(&raw, ":");
	strbuf_puts(&raw, value != NULL ? value : "");
	if (raw.oom) {
		b->oom = 1;
		free(raw.p);
		return;
	}
	/*
	 * A continuation line starts with one space, which counts among its
	 * 75 octets; a break never falls before a UTF-8 continuation byte.
	 */
	for (i = 0; i < raw.len; i += n) {
		for (n = 1; i + n < raw.len && ((unsigned char)raw.p[i + n] & 0xc0) == 0x80; n++)
			;
		if (run + n > ICS_LINE_OCTETS) {
			strbuf_puts(b, "\r\n ");
			run = 1;
		}
		strbuf_put(b, raw.p + i, n);
		run += n;
	}
	strbuf_puts(b, "\r\n");
	free(raw.p);
}

void
ics_text(struct strbuf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '\\': strbuf_puts(b, "\\\\"); break;
		case ';': strbuf_puts(b, "\\;"); break;
		case ',': strbuf_puts(b, "\\,"); break;
		case '\n': strbuf_puts(b, "\\n"); break;
		case '\r':
			/* CRLF is one break; a lone CR too. */
			if (s[1] != '\n')
				strbuf_puts(b, "\\n");
			break;
		default:
			/* Other control characters are not allowed in TEXT. */
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				strbuf_put(b, s, 1);
		}
	}
}

/* A TEXT property, left out when empty. */
static void
text_prop(struct strbuf *b, const char *name, const char *s)
{
	struct strbuf v = { NULL, 0, 0, 0 };

	if (s == NULL || *s == '\0')
		return;
	ics_text(&v, s);
	if (v.oom)
		b->oom = 1;
	else
		ics_line(b, name, v.p);
	free(v.p);
}

/*
 * ORGANIZER or ATTENDEE: a CN parameter (quoted, so ; , : stay literal;
 * a double quote cannot be in one and is dropped) and a mailto: URI.
 */
static void
person_prop(struct strbuf *b, const char *prop, const char *extra, const char *name,
    const char *email)
{
	struct strbuf p = { NULL, 0, 0, 0 };

	if (email == NULL || *email == '\0' || strpbrk(email, "\r\n\"") != NULL)
		return;
	strbuf_puts(&p, prop);
	if (extra != NULL)
		strbuf_puts(&p, extra);
	if (name != NULL && *name != '\0') {
		strbuf_puts(&p, ";CN=\"");
		for (const char *s = name; *s != '\0'; s++)
			if (*s != '"' && (unsigned char)*s >= 0x20 && *s != 0x7f)
				strbuf_put(&p, s, 1);
		strbuf_puts(&p, "\"");
	}
	if (p.oom) {
		b->oom = 1;
	} else {
		char uri[400];
		snprintf(uri, sizeof uri, "mailto:%s", email);
		ics_line(b, p.p, uri);
	}
	free(p.p);
}

void
ics_begin(struct strbuf *b, const char *method, const char *calname)
{
	ics_line(b, "BEGIN", "VCALENDAR");
	ics_line(b, "PRODID", PRODID);
	ics_line(b, "VERSION", "2.0");
	ics_line(b, "CALSCALE", "GREGORIAN");
	if (method != NULL)
		ics_line(b, "METHOD", method);
	text_prop(b, "X-WR-CALNAME", calname);
}

void
ics_event(struct strbuf *b, const struct ics_event *ev)
{
	char t[32], seq[24];

	ics_line(b, "BEGIN", "VEVENT");
	ics_line(b, "UID", ev->uid);
	snprintf(seq, sizeof seq, "%lld", (long long)ev->sequence);
	ics_line(b, "SEQUENCE", seq);
	utc_stamp(ev->stamp, t);
	ics_line(b, "DTSTAMP", t);
	utc_stamp(ev->start, t);
	ics_line(b, "DTSTART", t);
	utc_stamp(ev->end, t);
	ics_line(b, "DTEND", t);
	text_prop(b, "SUMMARY", ev->summary);
	text_prop(b, "LOCATION", ev->location);
	person_prop(b, "ORGANIZER", NULL, ev->organizer_name, ev->organizer_email);
	person_prop(b, "ATTENDEE", ";ROLE=REQ-PARTICIPANT", ev->attendee_name, ev->attendee_email);
	ics_line(b, "STATUS", ev->cancelled ? "CANCELLED" : "CONFIRMED");
	ics_line(b, "TRANSP", "OPAQUE");
	ics_line(b, "END", "VEVENT");
}

enum med_err
ics_end(struct strbuf *b, char **out)
{
	ics_line(b, "END", "VCALENDAR");
	*out = NULL;
	if (b->oom || b->p == NULL) {
		free(b->p);
		b->p = NULL;
		return MED_ENOMEM;
	}
	*out = b->p;
	b->p = NULL;
	return MED_OK;
}

void
ics_host(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://");
	size_t n = 0;

	p = p != NULL ? p + 3 : url;
	/* userinfo@ is not part of the host. */
	for (const char *q = p; *q != '\0' && *q != '/'; q++)
		if (*q == '@')
			p = q + 1;
	for (; p[n] != '\0' && p[n] != '/' && p[n] != ':' && p[n] != '?' && p[n] != '#'; n++)
		;
	if (n == 0 || n >= size)
		snprintf(out, size, "localhost");
	else
		snprintf(out, size, "%.*s", (int)n, p);
}

void
ics_uid(const char *public_url, const char *appointment_id, char out[ICS_UID_MAX])
{
	char host[ICS_UID_MAX - MED_UUID_LEN - 2];

	ics_host(public_url, host, sizeof host);
	snprintf(out, ICS_UID_MAX, "%.36s@%s", appointment_id, host);
}
