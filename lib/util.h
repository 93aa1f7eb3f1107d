/*
 * util.h - small helpers shared by every module: random UUIDs and hex ids,
 * time conversion between UTC instants and clinic-local wall clock, RFC 3339
 * formatting and parsing, money, UTF-8 checks.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "med.h"

/* Random lowercase v4 UUID into out[37]. */
enum med_err util_uuid4(char out[MED_UUID_LEN + 1]);
/* Random hex string of 2*nbytes chars into out (size >= 2*nbytes+1). */
enum med_err util_random_hex(char *out, size_t nbytes);
/* 1 if s is a canonical lowercase-or-uppercase 8-4-4-4-12 UUID. */
int util_is_uuid(const char *s);
/* Copy a UUID lowercased into out[37]. */
void util_uuid_lower(const char *in, char out[MED_UUID_LEN + 1]);

/* "2026-12-01T09:30:00Z" into out[21]. */
void util_fmt_instant(int64_t t, char out[32]);
/*
 * Parse RFC 3339 ("YYYY-MM-DDTHH:MM[:SS[.frac]]" with "Z", "+hh:mm" or no
 * offset).  Without offset the time is clinic-local wall clock (process
 * TZ).  Rejects impossible dates and times.  Returns MED_EINVAL on error.
 */
enum med_err util_parse_instant(const char *s, int64_t *out);
/* "YYYY-MM-DD", a real calendar date; *y,*m,*d out (any may be NULL). */
enum med_err util_parse_date(const char *s, int *y, int *m, int *d);
/* "HH:MM" or "HH:MM:SS" -> seconds since midnight (0..86399). */
enum med_err util_parse_time(const char *s, int *secs);
void util_fmt_time(int secs, char out[9]);
/* Weekday names, 0 = Monday .. 6 = Sunday, then NULL (an FT_ENUM list too). */
extern const char *const util_weekdays[8];

/*
 * Clinic-local wall clock -> UTC instant, using the system tz database via
 * mktime (so DST gaps and folds are resolved the way the C library does).
 */
int64_t util_local_to_utc(int y, int m, int d, int secs_of_day);
/* UTC instant -> clinic-local date and weekday (0 = Monday .. 6 = Sunday). */
void util_utc_to_local(int64_t t, int *y, int *m, int *d, int *weekday, int *secs_of_day);
/* Today's clinic-local date for instant t, as "YYYY-MM-DD". */
void util_local_date(int64_t t, char out[11]);
/* Add n days to a civil date (no time zone involved). */
void util_add_days(int *y, int *m, int *d, int n);

/* 1 if the n bytes are valid UTF-8 with no NUL byte. */
int util_utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t util_utf8_len(const char *s);

/*
 * The search key of a name, city or specialty: Unicode case folding,
 * compatibility forms unified and combining marks removed (utf8proc), so
 * "BÉJAÏA", "béjaïa" and "bejaia" share one key, and so do the Arabic
 * spellings with and without vowel marks.  The result is malloc'd; NULL
 * when s is not valid UTF-8 or memory runs out.  Keys are for matching
 * only: what people typed is stored and shown unchanged.
 */
char *util_fold(const char *s);

/*
 * A growing NUL-terminated text.  A failed allocation latches oom: later
 * puts do nothing, so a writer checks once at the end.  Start it zeroed;
 * the owner frees p.
 */
struct strbuf {
	char *p;
	size_t len, cap;
	int oom;
};
void strbuf_put(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);

/* Microseconds on the monotonic clock: for durations and deadlines, never dates. */
int64_t util_mono_us(void);

/* Constant-time comparison; 1 when equal. */
int util_ct_equal(const void *a, const void *b, size_t n);

#endif
