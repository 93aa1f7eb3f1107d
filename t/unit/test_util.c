/*
 * test_util.c - dates, times, RFC 3339 instants, clinic-local time across
 * daylight-saving changes, UUIDs and UTF-8.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testreg.h"
#include "util.h"

static void
use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
back_to_utc(void)
{
	use_tz("UTC");
}

START_TEST(dates_and_times)
{
	int y, m, d, s;

	ck_assert_int_eq(util_parse_date("2028-02-29", &y, &m, &d), MED_OK);
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20280229);
	ck_assert_int_eq(util_parse_date("2026-02-29", NULL, NULL, NULL), MED_EINVAL);
	ck_assert_int_eq(util_parse_date("2026-02-30", NULL, NULL, NULL), MED_EINVAL);
	ck_assert_int_eq(util_parse_date("2100-02-29", NULL, NULL, NULL), MED_EINVAL);
	ck_assert_int_eq(util_parse_date("2000-02-29", NULL, NULL, NULL), MED_OK);
	ck_assert_int_eq(util_parse_date("2026-13-01", NULL, NULL, NULL), MED_EINVAL);
	ck_assert_int_eq(util_parse_date("2026-1-01", NULL, NULL, NULL), MED_EINVAL);
	ck_assert_int_eq(util_parse_date("2026-01-01x", NULL, NULL, NULL), MED_EINVAL);
	ck_assert_int_eq(util_parse_time("09:30", &s), MED_OK);
	ck_assert_int_eq(s, 9 * 3600 + 30 * 60);
	ck_assert_int_eq(util_parse_time("23:59:59", &s), MED_OK);
	ck_assert_int_eq(s, 86399);
	ck_assert_int_eq(util_parse_time("25:00", &s), MED_EINVAL);
	ck_assert_int_eq(util_parse_time("12:60", &s), MED_EINVAL);
	ck_assert_int_eq(util_parse_time("12:00:60", &s), MED_EINVAL);
	ck_assert_int_eq(util_parse_time("9:30", &s), MED_EINVAL);
	ck_assert_int_eq(util_parse_time("09:30:", &s), MED_EINVAL);
}
END_TEST

START_TEST(instants_utc_and_offsets)
{
	int64_t t;
	char buf[32];

	ck_assert_int_eq(util_parse_instant("2026-12-01T09:30:00Z", &t), MED_OK);
	ck_assert_int_eq(t, 1796117400);
	util_fmt_instant(t, buf);
	ck_assert_str_eq(buf, "2026-12-01T09:30:00Z");
	ck_assert_int_eq(util_parse_instant("2026-12-01T10:30:00+01:00", &t), MED_OK);
	ck_assert_int_eq(t, 1796117400);
	ck_assert_int_eq(util_parse_instant("2026-12-01T05:00:00.123-04:30", &t), MED_OK);
	ck_assert_int_eq(t, 1796117400);
	ck_assert_int_eq(util_parse_instant("1970-01-01T00:00:00Z", &t), MED_OK);
	ck_assert_int_eq(t, 0);
	util_fmt_instant(-1, buf);
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	ck_assert_int_eq(util_parse_instant("2026-02-30T09:00:00Z", &t), MED_EINVAL);
	ck_assert_int_eq(util_parse_instant("2026-12-01T25:00:00Z", &t), MED_EINVAL);
	ck_assert_int_eq(util_parse_instant("2026-12-01", &t), MED_EINVAL);
	ck_assert_int_eq(util_parse_instant("2026-12-01T09:30:00+1", &t), MED_EINVAL);
	ck_assert_int_eq(util_parse_instant("2026-12-01T09:30:00Zjunk", &t), MED_EINVAL);
	ck_assert_int_eq(util_parse_instant("2026-12-01T09:30:00.Z", &t), MED_EINVAL);
}
END_TEST

/* Rule: no offset means clinic-local time; DST decided by the tz database. */
START_TEST(local_time_across_dst)
{
	int64_t t;
	int y, m, d, wd, secs;
	char date[11];

	use_tz("Europe/Paris");
	/* Winter: UTC+1. */
	ck_assert_int_eq(util_parse_instant("2026-12-01T09:30:00", &t), MED_OK);
	ck_assert_int_eq(t, 1796117400 - 3600);
	/* 2026-03-29: clocks go forward at 02:00; 09:00 local is 07:00Z. */
	ck_assert_int_eq(util_local_to_utc(2026, 3, 29, 9 * 3600), 1774767600);
	ck_assert_int_eq(util_local_to_utc(2026, 3, 28, 9 * 3600), 1774684800);
	/* 2026-10-25: clocks go back; 09:00 local is 08:00Z. */
	ck_assert_int_eq(util_local_to_utc(2026, 10, 25, 9 * 3600), 1792915200);
	util_utc_to_local(1774767600, &y, &m, &d, &wd, &secs);
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20260329);
	ck_assert_int_eq(wd, 6); /* Sunday */
	ck_assert_int_eq(secs, 9 * 3600);
	/* 23:30Z on 2026-12-01 is already Wednesday 2 December in Paris. */
	util_local_date(1796117400 + 14 * 3600, date);
	ck_assert_str_eq(date, "2026-12-02");
	back_to_utc();
	util_local_date(1796117400 + 14 * 3600, date);
	ck_assert_str_eq(date, "2026-12-01");
}
END_TEST

START_TEST(add_days_civil)
{
	int y = 2026, m = 12, d = 30;

	util_add_days(&y, &m, &d, 3);
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20270102);
	util_add_days(&y, &m, &d, -365);
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20260102);
	y = 2028, m = 2, d = 28;
	util_add_days(&y, &m, &d, 1);
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20280229);
}
END_TEST

START_TEST(uuids)
{
	char u[MED_UUID_LEN + 1], low[MED_UUID_LEN + 1];
	char hex[33];

	ck_assert_int_eq(util_uuid4(u), MED_OK);
	ck_assert_int_eq(util_is_uuid(u), 1);
	ck_assert_int_eq(u[14], '4');
	ck_assert(strchr("89ab", u[19]) != NULL);
	ck_assert_int_eq(util_is_uuid("0B7E0C3E-6F3A-4C1D-9A55-2F0D7D1A0001"), 1);
	util_uuid_lower("0B7E0C3E-6F3A-4C1D-9A55-2F0D7D1A0001", low);
	ck_assert_str_eq(low, "0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001");
	ck_assert_int_eq(util_is_uuid("0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a000"), 0);
	ck_assert_int_eq(util_is_uuid("0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a000g"), 0);
	ck_assert_int_eq(util_is_uuid("0b7e0c3e+6f3a-4c1d-9a55-2f0d7d1a0001"), 0);
	ck_assert_int_eq(util_is_uuid("../../etc/passwd"), 0);
	ck_assert_int_eq(util_random_hex(hex, 16), MED_OK);
	ck_assert_int_eq(strlen(hex), 32);
	ck_assert_int_eq(strspn(hex, "0123456789abcdef"), 32);
}
END_TEST

START_TEST(utf8)
{
	ck_assert_int_eq(util_utf8_valid("Pédiatrie", strlen("Pédiatrie")), 1);
	ck_assert_int_eq(util_utf8_len("Pédiatrie"), 9);
	ck_assert_int_eq(util_utf8_valid("a\0b", 3), 0);
	ck_assert_int_eq(util_utf8_valid("\xc3", 1), 0);           /* truncated */
	ck_assert_int_eq(util_utf8_valid("\xc0\xaf", 2), 0);       /* overlong '/' */
	ck_assert_int_eq(util_utf8_valid("\xe0\x80\xaf", 3), 0);   /* overlong */
	ck_assert_int_eq(util_utf8_valid("\xed\xa0\x80", 3), 0);   /* surrogate */
	ck_assert_int_eq(util_utf8_valid("\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	ck_assert_int_eq(util_utf8_valid("\xff", 1), 0);
	ck_assert_int_eq(util_utf8_valid("\xf0\x9f\x98\x80", 4), 1); /* emoji */
	ck_assert_int_eq(util_ct_equal("abc", "abc", 3), 1);
	ck_assert_int_eq(util_ct_equal("abc", "abd", 3), 0);
}
END_TEST

/* Search keys: case, accents and Arabic vowel marks fold away; letters stay. */
START_TEST(fold_keys)
{
	static const struct { const char *in, *key; } c[] = {
		{ "Émilie", "emilie" }, { "BÉJAÏA", "bejaia" }, { "Béjaïa", "bejaia" },
		{ "Pédiatrie", "pediatrie" }, { "MÉDECINE-SPORT", "medecine-sport" },
		{ "Médecine-sport", "medecine-sport" }, { "Straße", "strasse" },
		{ "ﬁlm", "film" }, { "", "" },
		/* Arabic: harakat are marks, the letters themselves are kept. */
		{ "مُحَمَّد", "محمد" }, { "سارة", "سارة" },
	};
	char *k;

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		ck_assert_ptr_nonnull(k = util_fold(c[i].in));
		ck_assert_msg(strcmp(k, c[i].key) == 0, "%s -> %s, want %s", c[i].in, k, c[i].key);
		free(k);
	}
	ck_assert_ptr_null(util_fold("\xc3\x28"));
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");

	tcase_add_checked_fixture(tc, NULL, back_to_utc);
	tcase_add_test(tc, dates_and_times);
	tcase_add_test(tc, instants_utc_and_offsets);
	tcase_add_test(tc, local_time_across_dst);
	tcase_add_test(tc, add_days_civil);
	tcase_add_test(tc, uuids);
	tcase_add_test(tc, utf8);
	tcase_add_test(tc, fold_keys);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(util_suite)
