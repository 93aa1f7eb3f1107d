/*
 * ics.h - iCalendar (RFC 5545) text for the visits a person is told of:
 * the .ics attached to a confirmation, reschedule or cancellation mail,
 * and the calendar feed a calendar app subscribes to.
 *
 * Why our own writer: the subset is small (VCALENDAR, VEVENT) and its
 * traps are few but real: TEXT escaping, CRLF line ends, and lines folded
 * at 75 octets without cutting a UTF-8 character in two.
 */
#ifndef ICS_H
#define ICS_H

#include <stdint.h>
#include "med.h"
#include "util.h"

/* RFC 5545 3.1: content lines are folded after this many octets. */
#define ICS_LINE_OCTETS 75

/* One visit as an event; every string may be NULL or "" (then left out). */
struct ics_event {
	const char *uid;        /* stable per visit: "<appointment id>@<host>" */
	int64_t sequence;       /* raised on each change of the visit */
	int64_t stamp;          /* DTSTAMP: when this text was made */
	int64_t start, end;     /* UTC instants */
	const char *summary;
	const char *location;
	const char *organizer_name, *organizer_email;
	const char *attendee_name, *attendee_email;
	int cancelled;          /* STATUS:CANCELLED, else STATUS:CONFIRMED */
};

/*
 * Append one content line "name:value" (value already in its final form,
 * e.g. escaped TEXT) to b, folded at ICS_LINE_OCTETS octets on UTF-8
 * character boundaries, ended by CRLF.
 */
void ics_line(struct strbuf *b, const char *name, const char *value);

/* Append s as a TEXT value (RFC 5545 3.3.11): \ ; , escaped, line breaks as \n. */
void ics_text(struct strbuf *b, const char *s);

/* Begin a VCALENDAR; method "REQUEST", "CANCEL" or "PUBLISH" (NULL: none, for feeds). */
void ics_begin(struct strbuf *b, const char *method, const char *calname);
/* Append one VEVENT. */
void ics_event(struct strbuf *b, const struct ics_event *ev);
/* End the VCALENDAR: *out gets the text (malloc'd); MED_ENOMEM if b ran out. */
enum med_err ics_end(struct strbuf *b, char **out);

/*
 * The host of url ("https://clinic.example.dz:8443/x" -> "clinic.example.dz"),
 * for UIDs; "localhost" when it has none.
 */
void ics_host(const char *url, char *out, size_t size);

/*
 * The UID of a visit's event, "<appointment id>@<host of public_url>": the
 * same in every mail and in the feed, so calendar apps merge them.
 */
#define ICS_UID_MAX 256
void ics_uid(const char *public_url, const char *appointment_id, char out[ICS_UID_MAX]);

#endif
