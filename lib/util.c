/*
 * util.c - random ids, clinic-local time, RFC 3339, UTF-8.
 *
 * Time zone work goes through the C library (mktime, localtime_r) and so
 * through the system tz database: the process TZ is the clinic's zone
 * (med_ctx_open sets it), and no offsets are ever computed by hand.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include <utf8proc.h>

#include "util.h"

enum med_err
util_random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	size_t i;

	if (nbytes > sizeof buf)
		return MED_ERANGE;
	if (RAND_bytes(buf, (int)nbytes) != 1)
		return MED_ECRYPTO;
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return MED_OK;
}

enum med_err
util_uuid4(char out[MED_UUID_LEN + 1])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1)
		return MED_ECRYPTO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
	snprintf(out, MED_UUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
	    b[12], b[13], b[14], b[15]);
	return MED_OK;
}

int
util_is_uuid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != MED_UUID_LEN)
		return 0;
	for (i = 0; i < MED_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

void
util_uuid_lower(const char *in, char out[MED_UUID_LEN + 1])
{
	size_t i;

	for (i = 0; i < MED_UUID_LEN && in[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dim[m - 1];
}

void
util_fmt_instant(int64_t t, char out[32])
{
	int64_t days = t / 86400, secs = t % 86400;
	int y, m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(secs / 3600),
		    (int)(secs / 60 % 60), (int)(secs % 60));
		return;
	}
	/*
	 * The same text without snprintf: lists print several instants per
	 * row and snprintf was a quarter of a 100-row list (bench/loop.c).
	 */
	memcpy(out, "0000-00-00T00:00:00Z", 21);
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[11] = (char)('0' + secs / 36000);
	out[12] = (char)('0' + secs / 3600 % 10);
	out[14] = (char)('0' + secs / 600 % 6);
	out[15] = (char)('0' + secs / 60 % 10);
	out[17] = (char)('0' + secs % 60 / 10);
	out[18] = (char)('0' + secs % 10);
}

/* Read exactly n digits at *p; advance. -1 when not n digits. */
static int
digits(const char **p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

static enum med_err
parse_date_at(const char **p, int *y, int *m, int *d)
{
	if ((*y = digits(p, 4)) < 0 || *(*p)++ != '-' || (*m = digits(p, 2)) < 0 ||
	    *(*p)++ != '-' || (*d = digits(p, 2)) < 0)
		return MED_EINVAL;
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return MED_EINVAL;
	return MED_OK;
}

enum med_err
util_parse_date(const char *s, int *y, int *m, int *d)
{
	int yy, mm, dd;
	const char *p = s;

	if (s == NULL || parse_date_at(&p, &yy, &mm, &dd) != MED_OK || *p != '\0')
		return MED_EINVAL;
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (d)
		*d = dd;
	return MED_OK;
}

/* HH:MM[:SS]; leaves *p after what it read. */
static enum med_err
parse_time_at(const char **p, int *secs)
{
	int h, mi, se = 0;

	if ((h = digits(p, 2)) < 0 || *(*p)++ != ':' || (mi = digits(p, 2)) < 0)
		return MED_EINVAL;
	if (**p == ':') {
		(*p)++;
		if ((se = digits(p, 2)) < 0)
			return MED_EINVAL;
	}
	if (h > 23 || mi > 59 || se > 59)
		return MED_EINVAL;
	*secs = h * 3600 + mi * 60 + se;
	return MED_OK;
}

enum med_err
util_parse_time(const char *s, int *secs)
{
	const char *p = s;

	if (s == NULL || parse_time_at(&p, secs) != MED_OK || *p != '\0')
		return MED_EINVAL;
	return MED_OK;
}

const char *const util_weekdays[8] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", NULL };

void
util_fmt_time(int secs, char out[9])
{
	unsigned s = (unsigned)secs % 86400u;

	snprintf(out, 9, "%02u:%02u:%02u", s / 3600u, s / 60u % 60u, s % 60u);
}

enum med_err
util_parse_instant(const char *s, int64_t *out)
{
	const char *p = s;
	int y, m, d, secs, oh, om, sign;

	if (s == NULL || parse_date_at(&p, &y, &m, &d) != MED_OK)
		return MED_EINVAL;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return MED_EINVAL;
	p++;
	if (parse_time_at(&p, &secs) != MED_OK)
		return MED_EINVAL;
	if (*p == '.') {            /* fractions are accepted and truncated */
		p++;
		if (!isdigit((unsigned char)*p))
			return MED_EINVAL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == '\0') {
		/* Rule: no offset means the clinic's wall clock. */
		*out = util_local_to_utc(y, m, d, secs);
		return MED_OK;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*out = days_from_civil(y, m, d) * 86400 + secs;
		return MED_OK;
	}
	if (*p != '+' && *p != '-')
		return MED_EINVAL;
	sign = *p++ == '-' ? -1 : 1;
	if ((oh = digits(&p, 2)) < 0 || *p++ != ':' || (om = digits(&p, 2)) < 0 || *p != '\0' ||
	    oh > 23 || om > 59)
		return MED_EINVAL;
	*out = days_from_civil(y, m, d) * 86400 + secs - sign * (oh * 3600 + om * 60);
	return MED_OK;
}

int64_t
util_local_to_utc(int y, int m, int d, int secs_of_day)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = secs_of_day / 3600;
	tm.tm_min = secs_of_day / 60 % 60;
	tm.tm_sec = secs_of_day % 60;
	/*
	 * Let the C library decide whether DST applies: a wall-clock time in
	 * the spring gap is moved forward, one in the autumn fold takes the
	 * first (daylight) occurrence, as glibc does with tm_isdst = -1.
	 */
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

void
util_utc_to_local(int64_t t, int *y, int *m, int *d, int *weekday, int *secs_of_day)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	if (y)
		*y = tm.tm_year + 1900;
	if (m)
		*m = tm.tm_mon + 1;
	if (d)
		*d = tm.tm_mday;
	if (weekday)
		*weekday = (tm.tm_wday + 6) % 7;
	if (secs_of_day)
		*secs_of_day = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

void
util_local_date(int64_t t, char out[11])
{
	char buf[48];
	int y, m, d;

	util_utc_to_local(t, &y, &m, &d, NULL, NULL);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

void
util_add_days(int *y, int *m, int *d, int n)
{
	civil_from_days(days_from_civil(*y, *m, *d) + n, y, m, d);
}

int
util_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len, k;
		unsigned cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

size_t
util_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
util_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= x[i] ^ y[i];
	return acc == 0;
}

char *
util_fold(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n;

	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out, UTF8PROC_NULLTERM |
	    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
	    UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return (char *)out;
}

int64_t
util_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
strbuf_put(struct strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap > 0 ? b->cap : 1024;
		char *p;
		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}
