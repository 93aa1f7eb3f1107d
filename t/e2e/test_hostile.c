/*
 * test_hostile.c - hundreds of malformed and hostile requests against the
 * real stack, generated from tables: invalid and truncated JSON, deep
 * nesting, huge numbers, a wrong type for every field of every body,
 * strings one over each length limit, invalid UTF-8, NUL bytes, bad
 * UUIDs and path traversal in ids, impossible dates and times, SQL
 * metacharacters, bad query values, oversized bodies, header floods,
 * wrong content types, forged or mangled JWTs, and bad FHIR searches.
 *
 * Every request must be refused with a 4xx (never 5xx, never 2xx) and,
 * when it has a body, the JSON envelope with success false (on the FHIR
 * base, an OperationOutcome).  A few cases
 * are answered by nginx before the worker sees them (10 MB body, 64 KB
 * header); they are flagged and may also end in a closed connection, but
 * must not hang, and the stack must answer /health afterwards.  A checksum
 * of every table of the database is identical before and after (in the
 * append-only audit_log, of the rows with outcome "ok": refused attempts
 * are logged there by design).
 *
 * Requests that would change shared state if they were wrongly accepted
 * use users created here (a fresh patient with a profile, a fresh doctor),
 * so a finding does not spill into other suites' data.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include "dbsum.h"
#include "httpc.h"
#include "jwt.h"
#include "med.h"
#include "testreg.h"

#define PW "Algeria123!"
#define V1 "/api/v1"

/* Seeded ids (seed.sql). */
#define SAMIR_DOC "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001"
#define AMINA_PAT "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001"
#define AMINA_USER "1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0001"
#define ADMIN_USER "0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001"
#define APPT1 "6b7f3e9d-8a02-4db4-9fc0-000000000001"
#define RECORD1 "7c804fae-9b13-4ec5-a0d1-000000000001"
#define BILLING1 "8d915abf-ac24-4fd6-b1e2-000000000001"
#define POLICY1 "9ea26bc0-bd35-4ae7-82f3-000000000001"
#define AVAIL1 "5a6e2d8c-7f91-4ca3-8ebf-000000000001"

/* Who sends a request. */
enum who { NOBODY, ADMIN, STAFF, DOCTOR, PATIENT, FRESH_PAT, FRESH_DOC, NWHO };

static char *tokens[NWHO];
static char fresh_user_id[MED_UUID_LEN + 1];
static char fresh_doc_id[MED_UUID_LEN + 1];

/* Tallies over the whole run. */
static int tried, seen_5xx, seen_2xx, bad_envelope, transport_errors;

/* ---- small helpers ------------------------------------------------------ */

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	ck_assert_ptr_nonnull(d);
	return d;
}

/* s with every "{KEY}" placeholder of the table below replaced (malloc'd). */
static char *
fill(const char *s)
{
	static const char *const keys[] = { "{FRESH_USER}", "{FRESH_DOC}" };
	const char *vals[] = { fresh_user_id, fresh_doc_id };
	size_t cap = strlen(s) * 2 + 128, len = 0;
	char *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	while (*s != '\0') {
		size_t k;
		for (k = 0; k < 2; k++)
			if (strncmp(s, keys[k], strlen(keys[k])) == 0)
				break;
		if (k < 2) {
			size_t vl = strlen(vals[k]);
			ck_assert_uint_lt(len + vl + 1, cap);
			memcpy(out + len, vals[k], vl);
			len += vl;
			s += strlen(keys[k]);
		} else {
			ck_assert_uint_lt(len + 2, cap);
			out[len++] = *s++;
		}
	}
	out[len] = '\0';
	return out;
}

static const char *
str_of(cJSON *obj, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A call that must succeed during set-up; returns data.<field> malloc'd. */
static char *
setup_call(const char *method, const char *path, const char *token, const char *body,
    int want, const char *field)
{
	struct http_result r;
	const char *v;
	char *out = NULL;
	int st = api(method, path, token, body, &r);

	ck_assert_msg(st == want, "set-up %s %s: %d, wanted %d: %s", method, path, st, want,
	    r.body != NULL ? r.body : "");
	if (field != NULL) {
		v = str_of(cJSON_GetObjectItem(r.json, "data"), field);
		ck_assert_msg(v != NULL, "set-up %s %s: no data.%s", method, path, field);
		out = xstrdup(v);
	}
	http_result_free(&r);
	return out;
}

static char *
login(const char *email)
{
	char body[256];

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	return setup_call("POST", V1 "/auth/login", NULL, body, 200, "access_token");
}

/* ---- database checksum -------------------------------------------------- */

/*
 * Every table of the stack's database.  The audit log is append-only and
 * records refused attempts on purpose (outcome "denied", "not_found"):
 * those rows are the trail of this very test.  Only its successful
 * actions count.
 */
static uint64_t
db_checksum(struct dbsum *sums)
{
	char path[MED_PATH_MAX + 16];
	const char *dir = getenv("MED_DATA_DIR");

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof path, "%s/clinic.db", dir);
	dbsum_take(path, "outcome = 'ok'", sums);
	return dbsum_total(sums);
}

/* ---- sending one hostile request ---------------------------------------- */

enum { F_NGINX = 1 };   /* nginx may answer (or close) before the worker */

static void
hostile_raw(const char *method, const char *path, const char *const *headers,
    const char *body, size_t body_len, int flags, const char *what)
{
	struct http_result r;
	int st = http_call(method, path, headers, body, body_len, &r);

	tried++;
	if (st < 0) {
		if (!(flags & F_NGINX)) {
			transport_errors++;
			fprintf(stderr, "hostile: %s %s (%s): transport error\n", method, path, what);
		}
		http_result_free(&r);
		return;
	}
	if (st >= 500) {
		seen_5xx++;
		fprintf(stderr, "hostile: 5xx %d for %s %.120s (%s): %.200s\n", st, method, path,
		    what, r.body);
	} else if (st < 400) {
		seen_2xx++;
		fprintf(stderr, "hostile: ACCEPTED %d for %s %.120s (%s): %.200s\n", st, method,
		    path, what, r.body);
	}
	/* On the FHIR base a refusal is an OperationOutcome, not the envelope. */
	if (r.body_len > 0 && strncmp(path, "/fhir/", 6) == 0 && !(flags & F_NGINX)) {
		const cJSON *t = cJSON_GetObjectItem(r.json, "resourceType");
		if (!cJSON_IsString(t) || strcmp(t->valuestring, "OperationOutcome") != 0) {
			bad_envelope++;
			fprintf(stderr, "hostile: not an OperationOutcome (%d) for %s %.120s (%s): %.200s\n",
			    st, method, path, what, r.body);
		}
	} else if (r.body_len > 0 && (r.json == NULL ||
	    !cJSON_IsFalse(cJSON_GetObjectItem(r.json, "success")) ||
	    !cJSON_HasObjectItem(r.json, "data") || !cJSON_HasObjectItem(r.json, "message"))) {
		bad_envelope++;
		fprintf(stderr, "hostile: not an error envelope (%d) for %s %.120s (%s): %.200s\n",
		    st, method, path, what, r.body);
	}
	http_result_free(&r);
}

/* A JSON request as `who`, body of body_len bytes (0: strlen). */
static void
hostile(const char *method, const char *path, enum who who, const char *body,
    size_t body_len, const char *what)
{
	char auth[2200];
	const char *headers[3];
	int n = 0;
	char *p = fill(path);

	if (who != NOBODY) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[who]);
		headers[n++] = auth;
	}
	if (body != NULL)
		headers[n++] = "Content-Type: application/json";
	headers[n] = NULL;
	if (body != NULL && body_len == 0)
		body_len = strlen(body);
	hostile_raw(method, p, headers, body, body_len, 0, what);
	free(p);
}

/* A request with a raw Authorization header value. */
static void
hostile_auth(const char *method, const char *path, const char *authz, const char *what)
{
	char *h = malloc(strlen(authz) + 32);
	const char *headers[2] = { h, NULL };

	ck_assert_ptr_nonnull(h);
	sprintf(h, "Authorization: %s", authz);
	hostile_raw(method, path, headers, NULL, 0, 0, what);
	free(h);
}

/* ---- the tables ---------------------------------------------------------- */

/* Field kinds: what "wrong" means depends on them. */
enum kind { K_STR, K_INT, K_NUM, K_BOOL, K_UUID, K_EMAIL, K_DATE, K_TIME, K_DT, K_ENUM,
	K_MONEY, K_LIST, K_INTLIST };

struct field {
	const char *name;
	enum kind kind;
	int max;        /* length limit of a string, 0 = none tested */
};

/*
 * Routes with a body.  base is a body that is valid in shape, so that only
 * the field under test is wrong; with it the route must still refuse.
 */
struct route {
	const char *method;
	const char *path;
	enum who who;
	const char *base;
	struct field fields[20];
};

static const struct route routes[] = {
	{ "POST", V1 "/auth/register", NOBODY, "{\"email\":\"h.reg@example.dz\",\"password\":\"longenough\"}",
	  { { "email", K_EMAIL }, { "password", K_STR, 128 } } },
	{ "POST", V1 "/auth/login", NOBODY, "{\"email\":\"admin@example.dz\",\"password\":\"" PW "\"}",
	  { { "email", K_STR }, { "password", K_STR } } },
	{ "POST", V1 "/auth/refresh", NOBODY, "{\"refresh_token\":\"x.y.z\"}",
	  { { "refresh_token", K_STR, 1024 } } },
	{ "POST", V1 "/auth/reset", NOBODY, "{\"reset_token\":\"x.y.z\",\"new_password\":\"longenough\"}",
	  { { "reset_token", K_STR }, { "new_password", K_STR, 128 } } },
	{ "POST", V1 "/auth/forgot", NOBODY, "{\"email\":\"nobody.h@example.dz\"}",
	  { { "email", K_EMAIL } } },
	{ "PATCH", V1 "/users/me", FRESH_PAT, "{\"email\":\"h.me@example.dz\"}",
	  { { "email", K_EMAIL }, { "password", K_STR, 128 } } },
	{ "PATCH", V1 "/users/{FRESH_USER}", ADMIN, "{\"is_active\":true}",
	  { { "email", K_EMAIL }, { "password", K_STR, 128 }, { "role", K_STR },
	    { "is_active", K_BOOL }, { "is_superuser", K_BOOL } } },
	{ "PATCH", V1 "/patients/me", FRESH_PAT, "{\"first_name\":\"H\"}",
	  { { "first_name", K_STR, 100 }, { "last_name", K_STR, 100 }, { "phone", K_STR, 20 },
	    { "date_of_birth", K_DATE }, { "gender", K_STR, 20 }, { "address", K_STR, 255 },
	    { "city", K_STR, 100 }, { "country", K_STR, 100 }, { "blood_type", K_STR, 5 },
	    { "allergies", K_STR, 500 }, { "chronic_conditions", K_STR, 500 },
	    { "medications", K_STR, 500 }, { "emergency_contact_name", K_STR, 100 },
	    { "emergency_contact_phone", K_STR, 20 } } },
	/* A mutation that slipped through would register h.desk and show in the checksum. */
	{ "POST", V1 "/desk/patients", STAFF,
	  "{\"email\":\"h.desk@example.dz\",\"first_name\":\"H\",\"last_name\":\"D\"}",
	  { { "email", K_EMAIL }, { "first_name", K_STR, 100 }, { "last_name", K_STR, 100 },
	    { "phone", K_STR, 20 }, { "date_of_birth", K_DATE }, { "gender", K_STR, 20 },
	    { "address", K_STR, 255 }, { "city", K_STR, 100 }, { "country", K_STR, 100 },
	    { "blood_type", K_STR, 5 }, { "allergies", K_STR, 500 },
	    { "chronic_conditions", K_STR, 500 }, { "medications", K_STR, 500 },
	    { "emergency_contact_name", K_STR, 100 }, { "emergency_contact_phone", K_STR, 20 },
	    { "locale", K_ENUM } } },
	{ "PATCH", V1 "/doctors/me/profile", FRESH_DOC, "{\"first_name\":\"D\"}",
	  { { "first_name", K_STR, 100 }, { "last_name", K_STR, 100 }, { "phone", K_STR, 20 },
	    { "bio", K_STR, 2000 }, { "years_experience", K_INT }, { "clinic_address", K_STR, 255 },
	    { "city", K_STR, 100 }, { "country", K_STR, 100 }, { "specialties", K_LIST } } },
	{ "POST", V1 "/doctors/{FRESH_DOC}/availability", FRESH_DOC,
	  "{\"weekday\":\"Sun\",\"start_time\":\"08:00\",\"end_time\":\"09:00\"}",
	  { { "weekday", K_ENUM }, { "start_time", K_TIME }, { "end_time", K_TIME },
	    { "is_active", K_BOOL } } },
	{ "POST", V1 "/appointments", FRESH_PAT,
	  "{\"doctor_id\":\"{FRESH_DOC}\",\"start_time\":\"2030-01-07T09:00:00Z\",\"end_time\":\"2030-01-07T09:30:00Z\"}",
	  { { "doctor_id", K_UUID }, { "start_time", K_DT }, { "end_time", K_DT },
	    { "reason", K_STR, 500 }, { "service_id", K_UUID } } },
	{ "POST", V1 "/appointments/series", FRESH_PAT,
	  "{\"doctor_id\":\"{FRESH_DOC}\",\"start_time\":\"2030-01-07T09:00:00Z\",\"end_time\":\"2030-01-07T09:30:00Z\","
	  "\"frequency\":\"WEEKLY\",\"count\":2}",
	  { { "doctor_id", K_UUID }, { "start_time", K_DT }, { "end_time", K_DT },
	    { "frequency", K_ENUM }, { "count", K_INT }, { "reason", K_STR, 500 },
	    { "service_id", K_UUID } } },
	/* price is left out: 0 and 100000000 are valid prices. */
	{ "POST", V1 "/doctors/{FRESH_DOC}/services", FRESH_DOC, "{\"name\":\"H\",\"duration_minutes\":30}",
	  { { "name", K_STR, 100 }, { "duration_minutes", K_INT }, { "buffer_before_minutes", K_INT },
	    { "buffer_after_minutes", K_INT }, { "currency", K_STR, 3 }, { "is_active", K_BOOL } } },
	{ "POST", V1 "/doctors/{FRESH_DOC}/time-off", FRESH_DOC,
	  "{\"start_time\":\"2030-01-07T09:00:00Z\",\"end_time\":\"2030-01-07T10:00:00Z\"}",
	  { { "start_time", K_DT }, { "end_time", K_DT }, { "reason", K_STR, 500 } } },
	/* Dates beyond any booking horizon: a mutation that slipped through would still be refused. */
	{ "POST", V1 "/waitlist", FRESH_PAT,
	  "{\"doctor_id\":\"{FRESH_DOC}\",\"from_date\":\"2099-01-07\",\"to_date\":\"2099-01-08\"}",
	  { { "doctor_id", K_UUID }, { "service_id", K_UUID }, { "from_date", K_DATE },
	    { "to_date", K_DATE } } },
	{ "POST", V1 "/holidays", ADMIN, "{\"date\":\"2099-01-01\",\"name\":\"H\"}",
	  { { "date", K_DATE }, { "name", K_STR, 100 } } },
	{ "PATCH", V1 "/settings", ADMIN, "{\"max_no_shows\":0}",
	  { { "min_notice_minutes", K_INT }, { "booking_horizon_days", K_INT },
	    { "max_no_shows", K_INT }, { "slot_step_minutes", K_INT },
	    { "reminder_offsets_minutes", K_INTLIST } } },
	{ "POST", V1 "/medical-records", FRESH_DOC,
	  "{\"patient_id\":\"" AMINA_PAT "\",\"diagnosis\":\"d\"}",
	  { { "patient_id", K_UUID }, { "diagnosis", K_STR, 500 }, { "treatment_plan", K_STR, 1000 },
	    { "prescription", K_STR, 1000 }, { "notes", K_STR, 1000 }, { "recorded_at", K_DT } } },
	{ "POST", V1 "/billing", STAFF,
	  "{\"patient_id\":\"" AMINA_PAT "\",\"amount\":10.5}",
	  { { "patient_id", K_UUID }, { "appointment_id", K_UUID }, { "amount", K_MONEY },
	    { "currency", K_STR, 3 }, { "description", K_STR, 1000 }, { "status", K_ENUM } } },
	{ "POST", V1 "/billing/policies", STAFF,
	  "{\"patient_id\":\"" AMINA_PAT "\",\"provider_name\":\"P\",\"policy_number\":\"N\"}",
	  { { "patient_id", K_UUID }, { "provider_name", K_STR }, { "policy_number", K_STR },
	    { "coverage_details", K_STR } } },
	{ "POST", V1 "/billing/claims", STAFF, "{\"policy_id\":\"" POLICY1 "\"}",
	  { { "policy_id", K_UUID }, { "billing_id", K_UUID }, { "status", K_ENUM },
	    { "notes", K_STR } } },
	{ "POST", V1 "/doctors/" SAMIR_DOC "/reviews", PATIENT, "{\"rating\":4}",
	  { { "rating", K_INT }, { "comment", K_STR, 1000 } } },
	{ "PATCH", V1 "/appointments/" APPT1 "/status", DOCTOR, "{\"status\":\"SCHEDULED\"}",
	  { { "status", K_ENUM } } },
	{ "POST", V1 "/appointments/" APPT1 "/reschedule", PATIENT,
	  "{\"start_time\":\"2030-01-07T09:00:00Z\",\"end_time\":\"2030-01-07T09:30:00Z\"}",
	  { { "start_time", K_DT }, { "end_time", K_DT } } },
	{ "PATCH", V1 "/billing/" BILLING1, STAFF, "{\"description\":\"x\"}",
	  { { "amount", K_MONEY }, { "currency", K_STR, 3 }, { "description", K_STR, 1000 },
	    { "status", K_STR } } },
	{ "PATCH", V1 "/medical-records/" RECORD1, DOCTOR, "{\"notes\":\"x\"}",
	  { { "diagnosis", K_STR, 500 }, { "treatment_plan", K_STR, 1000 },
	    { "prescription", K_STR, 1000 }, { "notes", K_STR, 1000 }, { "recorded_at", K_DT } } },
	{ "PATCH", V1 "/doctors/availability/" AVAIL1, DOCTOR, "{\"is_active\":true}",
	  { { "weekday", K_ENUM }, { "start_time", K_TIME }, { "end_time", K_TIME },
	    { "is_active", K_BOOL } } },
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Wrong values (JSON text) for each kind, ending with NULL. */
static const char *const *
wrong_values(enum kind k)
{
	static const char *const str[] = { "123", "true", "[]", "{\"a\":1}", "12.5", NULL };
	static const char *const integer[] = { "\"3\"", "3.5", "true", "[]", "1e400", "-1e400",
		"99999999999999999999", "-99999999999999999999", "1e30", "\"' OR 1=1 --\"", NULL };
	static const char *const number[] = { "\"1\"", "true", "1e400", NULL };
	static const char *const boolean[] = { "\"true\"", "1", "0", "\"yes\"", "[]", NULL };
	static const char *const uuid[] = { "123", "\"not-a-uuid\"", "\"' OR 1=1 --\"",
		"\"../../etc/passwd\"", "\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a000g\"",
		"\"0b7e0c3e6f3a4c1d9a552f0d7d1a0001\"", "\"{0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001}\"",
		"true", NULL };
	static const char *const email[] = { "123", "\"no-at-sign\"", "\"a@b\"", "\"@example.dz\"",
		"\"x@example.dz' OR 1=1 --\"", "\"a b@example.dz\"", "[]", NULL };
	static const char *const date[] = { "\"2026-02-30\"", "\"2026-13-01\"", "\"2025-02-29\"",
		"\"1990-4-12\"", "\"12/04/1990\"", "20260101", "\"2026-02-28T10:00:00Z\"", NULL };
	static const char *const time[] = { "\"25:00\"", "\"12:60\"", "\"24:00:00\"", "\"noon\"",
		"\"9:00\"", "\"12:00:61\"", "1200", "\"-01:00\"", NULL };
	static const char *const datetime[] = { "\"2026-02-30T10:00:00Z\"", "\"2026-01-01T25:00:00Z\"",
		"\"2026-01-01T10:61:00Z\"", "\"tomorrow\"", "1700000000", "\"2026-01-01T10:00:00+25:00\"",
		"\"2026-01-01\"", "\"' OR 1=1 --\"", NULL };
	static const char *const enumv[] = { "\"BOGUS\"", "\"' OR 1=1 --\"", "1", "\"\"", "[]", NULL };
	static const char *const money[] = { "\"12.34\"", "12.345", "-5", "0", "1e400",
		"100000000", "99999999999999999999", "true", NULL };
	static const char *const list[] = { "\"ORL\"", "[1]", "5", "[[\"a\"]]", "{\"a\":\"b\"}", NULL };
	static const char *const intlist[] = { "\"60\"", "60", "[\"60\"]", "[60.5]", "[4]",
		"[20161]", "[-60]", "[1e400]", "[99999999999999999999]", "[null]", "[[60]]",
		"{\"a\":60}", "[60,61,62,63,64,65,66,67,68]", "true", NULL };

	switch (k) {
	case K_STR: return str;
	case K_INT: return integer;
	case K_NUM: return number;
	case K_BOOL: return boolean;
	case K_UUID: return uuid;
	case K_EMAIL: return email;
	case K_DATE: return date;
	case K_TIME: return time;
	case K_DT: return datetime;
	case K_ENUM: return enumv;
	case K_MONEY: return money;
	case K_LIST: return list;
	case K_INTLIST: return intlist;
	}
	return str;
}

/*
 * The route's base body with field set to the JSON text value, spliced in
 * as text (malloc'd): a JSON library would print 1e400 as null.  The field
 * goes first, so it wins over the same key in the base (first match).
 */
static char *
with_field(const struct route *r, const char *field, const char *value)
{
	char *base = fill(r->base);
	size_t n = strlen(base) + strlen(field) + strlen(value) + 8;
	char *out = malloc(n);

	ck_assert_ptr_nonnull(out);
	snprintf(out, n, "{\"%s\":%s,%s", field, value, base + 1);
	free(base);
	return out;
}

/* The base body with field set to raw text spliced in as a string value:
 * raw may hold bytes no JSON library would produce (malloc'd). */
static char *
with_raw_string(const struct route *r, const char *field, const char *raw, size_t rawlen,
    size_t *len)
{
	char *base = fill(r->base);
	size_t blen = strlen(base), flen = strlen(field);
	char *out = malloc(blen + flen + rawlen + 16);

	ck_assert_ptr_nonnull(out);
	/* {"field":"<raw>", + the base without its '{' */
	*len = (size_t)sprintf(out, "{\"%s\":\"", field);
	memcpy(out + *len, raw, rawlen);
	*len += rawlen;
	memcpy(out + *len, "\",", 2);
	*len += 2;
	memcpy(out + *len, base + 1, blen - 1);
	*len += blen - 1;
	out[*len] = '\0';
	free(base);
	return out;
}

static char *
repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit);
	char *s = malloc(ul * n + 3);

	ck_assert_ptr_nonnull(s);
	s[0] = '"';
	for (size_t i = 0; i < n; i++)
		memcpy(s + 1 + i * ul, unit, ul);
	s[1 + ul * n] = '"';
	s[2 + ul * n] = '\0';
	return s;
}

static void
per_field_cases(void)
{
	static const struct { const char *bytes; const char *what; } bad_utf8[] = {
		{ "\xff", "invalid byte 0xff" },
		{ "\xc3\x28", "bad continuation" },
		{ "\xc0\xaf", "overlong '/'" },
		{ "\xed\xa0\x80", "UTF-16 surrogate" },
		{ "abc\xe2\x82", "truncated sequence" },
		{ "a\0b", "raw NUL byte" },
		{ "a\\u0000b", "escaped NUL" },
		{ "\\ud800", "lone escaped surrogate" },
	};
	char what[160];

	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *r = &routes[i];
		for (const struct field *f = r->fields; f->name != NULL; f++) {
			for (const char *const *w = wrong_values(f->kind); *w != NULL; w++) {
				char *body = with_field(r, f->name, *w);
				snprintf(what, sizeof what, "%s = %s", f->name, *w);
				hostile(r->method, r->path, r->who, body, 0, what);
				free(body);
			}
			if (f->max > 0) {
				/* One over the limit, in ASCII and in two-byte characters. */
				char *v = repeat("x", (size_t)f->max + 1), *body = with_field(r, f->name, v);
				snprintf(what, sizeof what, "%s one over %d", f->name, f->max);
				hostile(r->method, r->path, r->who, body, 0, what);
				free(body);
				free(v);
				v = repeat("\xc3\xa9", (size_t)f->max + 1);
				body = with_field(r, f->name, v);
				snprintf(what, sizeof what, "%s one over %d (UTF-8)", f->name, f->max);
				hostile(r->method, r->path, r->who, body, 0, what);
				free(body);
				free(v);
			}
			if (f->kind == K_STR || f->kind == K_EMAIL) {
				for (size_t b = 0; b < sizeof bad_utf8 / sizeof bad_utf8[0]; b++) {
					size_t len, rawlen = strlen(bad_utf8[b].bytes);
					char *body;
					if (strcmp(bad_utf8[b].what, "raw NUL byte") == 0)
						rawlen = 3;
					body = with_raw_string(r, f->name, bad_utf8[b].bytes, rawlen, &len);
					snprintf(what, sizeof what, "%s: %s", f->name, bad_utf8[b].what);
					hostile(r->method, r->path, r->who, body, len, what);
					free(body);
				}
			}
		}
	}
}

static void
malformed_json_cases(void)
{
	static const char *const bad[] = {
		"{", "}", "[", "{\"email\":", "{\"email\":\"a@example.dz\"", "{\"a\" 1}",
		"{'a':1}", "{\"a\":1,}", "{\"a\":tru}", "nul", "{}{}", "{} x",
		"{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":\"\\x41\"}", "{\"a\":\"unterminated}",
		"\xef\xbb\xbf{", "[1,2", "\"\\u12\"",
		/* Numbers and strings cJSON alone would accept. */
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":\"tab\there\"}",
	};
	/* Valid JSON, but not an object: the validators must refuse it. */
	static const char *const not_object[] = { "[]", "\"text\"", "123", "null", "true", "[{}]" };
	char what[96];

	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *r = &routes[i];
		for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
			snprintf(what, sizeof what, "malformed JSON #%zu", b);
			hostile(r->method, r->path, r->who, bad[b], 0, what);
		}
		for (size_t b = 0; b < sizeof not_object / sizeof not_object[0]; b++) {
			snprintf(what, sizeof what, "non-object JSON %s", not_object[b]);
			hostile(r->method, r->path, r->who, not_object[b], 0, what);
		}
		/* The valid base body cut in half. */
		{
			char *base = fill(r->base);
			hostile(r->method, r->path, r->who, base, strlen(base) / 2, "truncated body");
			free(base);
		}
	}
}

static void
nesting_and_numbers_cases(void)
{
	size_t n = 10000;
	char *deep = malloc(n * 6 + 8);
	size_t len = 0;

	ck_assert_ptr_nonnull(deep);
	memset(deep, '[', n);
	hostile("POST", V1 "/auth/login", NOBODY, deep, n, "10000 '['");
	hostile("PATCH", V1 "/patients/me", FRESH_PAT, deep, n, "10000 '['");
	for (size_t i = 0; i < n; i++) {
		memcpy(deep + len, "{\"a\":", 5);
		len += 5;
	}
	hostile("PATCH", V1 "/users/me", FRESH_PAT, deep, len, "10000 nested objects");
	/* Nested, but closed: valid JSON whose depth is the attack. */
	len = 0;
	deep[len++] = '{';
	memcpy(deep + len, "\"first_name\":", 13);
	len += 13;
	for (size_t i = 0; i < 2000; i++)
		deep[len++] = '[';
	for (size_t i = 0; i < 2000; i++)
		deep[len++] = ']';
	deep[len++] = '}';
	hostile("PATCH", V1 "/patients/me", FRESH_PAT, deep, len, "2000-deep closed array");
	free(deep);
}

static void
path_cases(void)
{
	static const char *const ids[] = {
		"not-a-uuid", "1", "0", "-1", "%27%20OR%201%3D1%20--", "'%20OR%20'1'='1",
		"..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252f..%252fetc",
		"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a000g", "0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a00011",
		"0b7e0c3e6f3a4c1d9a552f0d7d1a0001", "%00", "a%00b", "%ff%fe",
		"ffffffff-ffff-4fff-bfff-ffffffffffff", "00000000-0000-0000-0000-000000000000",
		"%7B0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001%7D",
	};
	static const struct { const char *method; const char *pre; const char *post; enum who who; const char *body; } p[] = {
		{ "GET", V1 "/patients/", "", ADMIN, NULL },
		{ "PATCH", V1 "/patients/", "", ADMIN, "{\"first_name\":\"X\"}" },
		{ "DELETE", V1 "/patients/", "", ADMIN, NULL },
		{ "GET", V1 "/doctors/", "", NOBODY, NULL },
		{ "DELETE", V1 "/doctors/", "", ADMIN, NULL },
		{ "GET", V1 "/doctors/", "/availability/slots", NOBODY, NULL },
		{ "POST", V1 "/doctors/", "/favorite", PATIENT, NULL },
		{ "GET", V1 "/appointments/", "", ADMIN, NULL },
		{ "GET", V1 "/appointments/doctor/", "", STAFF, NULL },
		{ "POST", V1 "/appointments/", "/cancel", ADMIN, NULL },
		{ "GET", V1 "/medical-records/", "", ADMIN, NULL },
		{ "DELETE", V1 "/medical-records/", "", ADMIN, NULL },
		{ "GET", V1 "/billing/", "", ADMIN, NULL },
		{ "PATCH", V1 "/users/", "", ADMIN, "{\"is_active\":false}" },
		{ "DELETE", V1 "/billing/policies/", "", ADMIN, NULL },
		{ "POST", V1 "/notifications/", "/read", PATIENT, NULL },
		/* Feed tokens are not UUIDs: every one of these is an unknown feed. */
		{ "GET", V1 "/calendar/", ".ics", NOBODY, NULL },
		{ "DELETE", V1 "/waitlist/", "", ADMIN, NULL },
		{ "POST", V1 "/waitlist/offers/", "/accept", PATIENT, NULL },
		{ "POST", V1 "/waitlist/offers/", "/decline", STAFF, NULL },
	};
	char path[512], what[600];

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		for (size_t j = 0; j < sizeof ids / sizeof ids[0]; j++) {
			snprintf(path, sizeof path, "%s%s%s", p[i].pre, ids[j], p[i].post);
			snprintf(what, sizeof what, "bad id %s", ids[j]);
			hostile(p[i].method, path, p[i].who, p[i].body, 0, what);
		}
	}
	/* Literal traversal: nginx normalises it to a path outside the API. */
	hostile("GET", V1 "/patients/../../../etc/passwd", ADMIN, NULL, 0, "literal ../");
	hostile("GET", V1 "/medical-records/..%2f..%2f..%2fetc%2fpasswd", ADMIN, NULL, 0, "encoded ../");
	hostile("GET", V1 "/doctors/" SAMIR_DOC "/../../users", PATIENT, NULL, 0, "../ to an admin route");
}

static void
query_cases(void)
{
	static const char *const q[] = {
		V1 "/doctors/" SAMIR_DOC "/availability/slots?start_date=2026-02-30",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?start_date=2026-13-01",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?start_date=%27%20OR%201%3D1%20--",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?days=0",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?days=63",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?days=-1",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?days=1e400",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?days=99999999999999999999",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?slot_minutes=4",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?slot_minutes=481",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?slot_minutes=abc",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?service_id=nope",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?service_id=%27%20OR%201%3D1%20--",
		V1 "/doctors/" SAMIR_DOC "/availability/slots?service_id=00000000-0000-4000-8000-000000000000",
		V1 "/doctors/" SAMIR_DOC "/time-off?from=2026-02-30T00:00:00Z",
		V1 "/doctors/" SAMIR_DOC "/time-off?limit=0",
		V1 "/holidays?from=2026-13-01", V1 "/holidays?to=%27%20OR%201=1--",
		V1 "/doctors/00000000-0000-4000-8000-000000000000/services",
		V1 "/doctors?limit=0", V1 "/doctors?limit=-1", V1 "/doctors?skip=-1",
		V1 "/doctors?limit=abc", V1 "/doctors?skip=99999999999999999999",
		V1 "/doctors?limit=1e400", V1 "/doctors?min_rating=abc", V1 "/doctors?min_rating=1e400",
		V1 "/doctors?min_rating=nan", V1 "/doctors?name=%ff%fe", V1 "/doctors?name=a%00b",
		V1 "/doctors?%zz=1", V1 "/doctors?limit=1%20OR%201=1",
	};
	static const char *const authed[] = {
		V1 "/appointments/me?status=BOGUS", V1 "/appointments/me?status=%27%20OR%201=1--",
		V1 "/appointments/me?from=2026-02-30T00:00:00Z", V1 "/appointments/me?to=garbage",
		V1 "/appointments/me?limit=0", V1 "/medical-records/me?skip=-5",
		V1 "/billing/me?limit=x", V1 "/appointments/me?from=2026-01-01T25:00:00Z",
	};

	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
		hostile("GET", q[i], NOBODY, NULL, 0, "bad query");
	for (size_t i = 0; i < sizeof authed / sizeof authed[0]; i++)
		hostile("GET", authed[i], PATIENT, NULL, 0, "bad query");
	hostile("GET", V1 "/users?limit=0", ADMIN, NULL, 0, "bad query");
	hostile("GET", V1 "/appointments/doctor/" SAMIR_DOC "?status=BOGUS", STAFF, NULL, 0,
	    "bad query");
	hostile("GET", V1 "/appointments/doctor/" SAMIR_DOC "?from=2026-02-30", STAFF, NULL, 0,
	    "bad query");
	hostile("GET", V1 "/audit?user_id=%27%20OR%201=1--", ADMIN, NULL, 0, "bad query");
	hostile("GET", V1 "/notifications?unread=maybe", PATIENT, NULL, 0, "bad query");
	hostile("GET", V1 "/notifications?unread=2", PATIENT, NULL, 0, "bad query");
	hostile("GET", V1 "/notifications?limit=0", PATIENT, NULL, 0, "bad query");
	hostile("GET", V1 "/calendar/"
	    "00000000000000000000000000000000000000000000000000000000000000000.ics", NOBODY, NULL, 0,
	    "feed token one digit too long");
	hostile("GET", V1 "/calendar/feed.ics", NOBODY, NULL, 0, "feed named like the route");
	hostile("GET", V1 "/waitlist?doctor_id=nope", STAFF, NULL, 0, "bad query");
	hostile("GET", V1 "/waitlist", STAFF, NULL, 0, "bad query");
	hostile("GET", V1 "/waitlist?doctor_id=" SAMIR_DOC "&status=BOGUS", STAFF, NULL, 0,
	    "bad query");
	hostile("GET", V1 "/waitlist?doctor_id=%27%20OR%201=1--", ADMIN, NULL, 0, "bad query");
	hostile("GET", V1 "/waitlist/me?limit=0", PATIENT, NULL, 0, "bad query");
}

static void
size_and_header_cases(void)
{
	size_t big = 10u * 1024 * 1024, over = 1024 * 1024 + 100;
	char *body = malloc(big + 1), *hdr;
	const char *headers[260];
	char names[256][32];
	struct http_result r;

	ck_assert_ptr_nonnull(body);
	memset(body, ' ', big);
	body[0] = '{';
	body[big - 1] = '}';
	{
		const char *h[] = { "Content-Type: application/json", NULL };
		hostile_raw("POST", V1 "/auth/login", h, body, big, F_NGINX, "10 MB body");
		/* Just over the worker's 1 MiB: nginx lets it through, the worker says 413. */
		body[over - 1] = '}';
		hostile_raw("POST", V1 "/auth/register", h, body, over, 0, "1 MiB + 100 body");
	}
	free(body);

	/* 200 small headers. */
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof names[i], "X-Flood-%d: %d", i, i);
		headers[i] = names[i];
	}
	headers[200] = NULL;
	hostile_raw("GET", V1 "/users/me", headers, NULL, 0, F_NGINX, "200 headers");
	/* One 64 KB header. */
	hdr = malloc(64 * 1024 + 32);
	ck_assert_ptr_nonnull(hdr);
	strcpy(hdr, "X-Big: ");
	memset(hdr + 7, 'a', 64 * 1024);
	hdr[7 + 64 * 1024] = '\0';
	headers[0] = hdr;
	headers[1] = NULL;
	hostile_raw("GET", V1 "/users/me", headers, NULL, 0, F_NGINX, "64 KB header");
	/* A 6 KB bearer token (inside nginx's buffers, so the worker sees it). */
	memcpy(hdr, "Authorization: Bearer ", 22);
	memset(hdr + 22, 'A', 6000);
	hdr[22 + 6000] = '\0';
	hostile_raw("GET", V1 "/users/me", headers, NULL, 0, 0, "6 KB token");
	free(hdr);
	/* A 16 KB URI. */
	{
		char *uri = malloc(16 * 1024 + 64);
		ck_assert_ptr_nonnull(uri);
		strcpy(uri, V1 "/doctors?name=");
		memset(uri + strlen(uri), 'a', 16 * 1024);
		uri[strlen(V1 "/doctors?name=") + 16 * 1024] = '\0';
		hostile_raw("GET", uri, NULL, NULL, 0, F_NGINX, "16 KB URI");
		free(uri);
	}
	/* The stack still answers. */
	ck_assert_int_eq(api("GET", V1 "/health", NULL, NULL, &r), 200);
	http_result_free(&r);
}

static const char admin_login[] =
    "{\"email\":\"admin@example.dz\",\"password\":\"Algeria123!\"}";

/*
 * A body that is valid JSON, with the right credentials, under any media
 * type but application/json: 415, never read.  Were the type ignored,
 * the login would succeed (200), so the assertion can fail
 * (content_type_accepted() shows it would).
 */
static void
content_type_cases(void)
{
	static const char *const types[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Content-Type: text/plain",
		"Content-Type: multipart/form-data; boundary=x",
		"Content-Type: application/xml",
		"Content-Type: application/jsonp",
		"Content-Type: application/json; charset=utf-16",
		NULL, /* no Content-Type at all */
	};
	struct http_result r;

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		const char *h[] = { types[i], NULL };
		const char *what = types[i] != NULL ? types[i] : "no Content-Type";

		ck_assert_msg(http_call("POST", V1 "/auth/login", h, admin_login, strlen(admin_login),
		    &r) == 415, "%s: got %d, want 415", what, r.status);
		http_result_free(&r);
		hostile_raw("POST", V1 "/auth/register", h, admin_login, strlen(admin_login), 0, what);
	}
}

/*
 * The control of content_type_cases(): the media type is case-insensitive
 * and may carry a UTF-8 charset.  The login writes a refresh token, so it
 * runs after the tables' checksum.
 */
static void
content_type_accepted(void)
{
	const char *ok[] = { "Content-Type: Application/JSON; charset=UTF-8", NULL };
	struct http_result r;

	ck_assert_int_eq(http_call("POST", V1 "/auth/login", ok, admin_login, strlen(admin_login),
	    &r), 200);
	http_result_free(&r);
}

/* ---- tokens --------------------------------------------------------------- */

static void
load_key(const char *name, unsigned char key[MED_KEY_LEN])
{
	struct med_config cfg;

	memset(&cfg, 0, sizeof cfg);
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", getenv("MED_DATA_DIR"));
	ck_assert_int_eq(med_secret_load(&cfg, name, key, 0), MED_OK);
}

static char *
b64(const void *p, size_t n)
{
	char *out = malloc(n * 2 + 8);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_ge(b64url_encode(p, n, out, n * 2 + 8), 0);
	return out;
}

/* header.payload signed with HMAC (md) under key; "" signature when md NULL. */
static char *
forge(const char *header, const char *payload, const EVP_MD *md, const unsigned char *key)
{
	char *h = b64(header, strlen(header)), *p = b64(payload, strlen(payload));
	size_t n = strlen(h) + strlen(p) + 200;
	char *tok = malloc(n), *sig = NULL;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	ck_assert_ptr_nonnull(tok);
	snprintf(tok, n, "%s.%s", h, p);
	if (md != NULL) {
		ck_assert_ptr_nonnull(HMAC(md, key, MED_KEY_LEN, (unsigned char *)tok, strlen(tok), mac, &maclen));
		sig = b64(mac, maclen);
	}
	strncat(tok, ".", n - strlen(tok) - 1);
	strncat(tok, sig != NULL ? sig : "", n - strlen(tok) - 1);
	free(h);
	free(p);
	free(sig);
	return tok;
}

static char *
sign_with(const unsigned char *key, enum jwt_type type, const char *sub, int64_t exp, int64_t ver)
{
	struct jwt_claims c;
	char *tok = malloc(JWT_MAX + 1);

	ck_assert_ptr_nonnull(tok);
	memset(&c, 0, sizeof c);
	snprintf(c.sub, sizeof c.sub, "%s", sub);
	snprintf(c.jti, sizeof c.jti, "%032x", (unsigned)getpid());
	c.iat = (int64_t)time(NULL) - 60;
	c.exp = exp;
	c.ver = ver;
	c.type = type;
	ck_assert_int_eq(jwt_sign(key, MED_KEY_LEN, &c, tok, JWT_MAX + 1), MED_OK);
	return tok;
}

static void
jwt_cases(char *revoked, char *refresh)
{
	unsigned char access_key[MED_KEY_LEN], reset_key[MED_KEY_LEN], refresh_key[MED_KEY_LEN];
	int64_t now = (int64_t)time(NULL);
	char payload[512], *toks[32], *t;
	const char *what[32];
	int n = 0;
	static const char *const paths[] = { V1 "/users/me", V1 "/users", V1 "/patients/me",
		V1 "/medical-records/me", V1 "/billing/" BILLING1 };

	load_key("jwt_access", access_key);
	load_key("jwt_reset", reset_key);
	load_key("jwt_refresh", refresh_key);
	snprintf(payload, sizeof payload,
	    "{\"sub\":\"" ADMIN_USER "\",\"exp\":%lld,\"iat\":%lld,\"type\":\"access\",\"ver\":0,"
	    "\"jti\":\"0123456789abcdef0123456789abcdef\"}", (long long)now + 600, (long long)now);

	what[n] = "alg none";
	toks[n++] = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, NULL, NULL);
	what[n] = "alg None";
	toks[n++] = forge("{\"alg\":\"None\"}", payload, NULL, NULL);
	what[n] = "HS512 with the real key";
	toks[n++] = forge("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, EVP_sha512(), access_key);
	what[n] = "HS384 with the real key";
	toks[n++] = forge("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", payload, EVP_sha384(), access_key);
	what[n] = "RS256 header, HMAC signature";
	toks[n++] = forge("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), access_key);
	what[n] = "RS256 header, no signature";
	toks[n++] = forge("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, NULL, NULL);
	what[n] = "HS256 with a wrong key";
	toks[n++] = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), reset_key);
	what[n] = "header without alg";
	toks[n++] = forge("{\"typ\":\"JWT\"}", payload, EVP_sha256(), access_key);
	/* Tampered: a real patient token with the payload swapped for the admin's. */
	{
		const char *real = tokens[PATIENT], *d1 = strchr(real, '.'), *d2 = strrchr(real, '.');
		char *p = b64(payload, strlen(payload));
		size_t len = strlen(real) + strlen(p) + 4;
		t = malloc(len);
		ck_assert_ptr_nonnull(t);
		snprintf(t, len, "%.*s.%s%s", (int)(d1 - real), real, p, d2);
		what[n] = "tampered payload";
		toks[n++] = t;
		free(p);
		t = xstrdup(real);
		t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
		what[n] = "tampered signature";
		toks[n++] = t;
	}
	what[n] = "expired (real key)";
	toks[n++] = sign_with(access_key, JWT_ACCESS, ADMIN_USER, now - 10, 0);
	what[n] = "exp = now (real key)";
	toks[n++] = sign_with(access_key, JWT_ACCESS, ADMIN_USER, now - 1, 0);
	what[n] = "wrong token_version (real key)";
	toks[n++] = sign_with(access_key, JWT_ACCESS, ADMIN_USER, now + 600, 7);
	what[n] = "unknown user (real key)";
	toks[n++] = sign_with(access_key, JWT_ACCESS, "ffffffff-ffff-4fff-bfff-ffffffffffff", now + 600, 0);
	what[n] = "reset token as access";
	toks[n++] = sign_with(reset_key, JWT_RESET, ADMIN_USER, now + 600, 0);
	what[n] = "reset type signed with the access key";
	toks[n++] = sign_with(access_key, JWT_RESET, ADMIN_USER, now + 600, 0);
	what[n] = "refresh type signed with the access key";
	toks[n++] = sign_with(access_key, JWT_REFRESH, ADMIN_USER, now + 600, 0);
	what[n] = "forged refresh token (real refresh key) as access";
	toks[n++] = sign_with(refresh_key, JWT_REFRESH, ADMIN_USER, now + 600, 0);
	what[n] = "refresh token as access";
	toks[n++] = xstrdup(refresh);
	what[n] = "revoked (logged out)";
	toks[n++] = xstrdup(revoked);
	{
		char p2[512];
		snprintf(p2, sizeof p2, "{\"sub\":\"' OR 1=1 --\",\"exp\":%lld,\"iat\":0,\"type\":\"access\","
		    "\"ver\":0,\"jti\":\"0123456789abcdef0123456789abcdef\"}", (long long)now + 600);
		what[n] = "SQL in sub (real key)";
		toks[n++] = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", p2, EVP_sha256(), access_key);
		snprintf(p2, sizeof p2, "{\"sub\":\"" ADMIN_USER "\",\"exp\":1e400,\"iat\":0,\"type\":\"access\","
		    "\"ver\":0,\"jti\":\"0123456789abcdef0123456789abcdef\"}");
		what[n] = "exp 1e400 (real key)";
		toks[n++] = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", p2, EVP_sha256(), access_key);
		snprintf(p2, sizeof p2, "{\"sub\":\"" ADMIN_USER "\",\"exp\":\"%lld\",\"iat\":0,\"type\":\"access\","
		    "\"ver\":0}", (long long)now + 600);
		what[n] = "exp as string, no jti (real key)";
		toks[n++] = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", p2, EVP_sha256(), access_key);
	}
	what[n] = "three dots";
	toks[n++] = xstrdup("a.b.c.d");
	what[n] = "empty segments";
	toks[n++] = xstrdup("..");
	what[n] = "not base64";
	toks[n++] = xstrdup("!!!.@@@.###");

	for (int i = 0; i < n; i++) {
		char *authz = malloc(strlen(toks[i]) + 16);
		ck_assert_ptr_nonnull(authz);
		sprintf(authz, "Bearer %s", toks[i]);
		for (size_t j = 0; j < sizeof paths / sizeof paths[0]; j++)
			hostile_auth("GET", paths[j], authz, what[i]);
		/* A token also must not let anyone write. */
		{
			char *h = malloc(strlen(authz) + 32);
			const char *headers[3] = { h, "Content-Type: application/json", NULL };
			const char *b = "{\"is_superuser\":true,\"role\":\"ADMIN\"}";
			ck_assert_ptr_nonnull(h);
			sprintf(h, "Authorization: %s", authz);
			hostile_raw("PATCH", V1 "/users/" AMINA_USER, headers, b, strlen(b), 0, what[i]);
			free(h);
		}
		free(authz);
		free(toks[i]);
	}
	/* Malformed Authorization headers. */
	{
		static const char *const bad[] = { "Bearer", "Bearer ", "Basic YWRtaW46eA==", "bearer",
			"Token abc", "Bearer a b c", "BearerX abc", "Bearer \"quoted\"" };
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			hostile_auth("GET", V1 "/users/me", bad[i], "malformed Authorization");
	}
}

/* ---- the test --------------------------------------------------------------- */

static void
setup(char **revoked, char **refresh)
{
	char email[128], body[256], path[128];
	long pid = (long)getpid();

	tokens[ADMIN] = login("admin@example.dz");
	tokens[STAFF] = login("reception@example.dz");
	tokens[DOCTOR] = login("samir.bensalah@example.dz");
	tokens[PATIENT] = login("amina.benali@example.dz");

	/* A fresh patient with a profile. */
	snprintf(email, sizeof email, "hostile.p.%ld@example.dz", pid);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	free(setup_call("POST", V1 "/auth/register", NULL, body, 200, NULL));
	tokens[FRESH_PAT] = login(email);
	free(setup_call("POST", V1 "/patients/me", tokens[FRESH_PAT], "{\"first_name\":\"Hostile\"}", 201, NULL));
	{
		char *id = setup_call("GET", V1 "/users/me", tokens[FRESH_PAT], NULL, 200, "id");
		snprintf(fresh_user_id, sizeof fresh_user_id, "%s", id);
		free(id);
	}
	/* A refresh token, and an access token that is then logged out. */
	{
		struct http_result r;
		char hdr[2200];
		const char *headers[2] = { hdr, NULL };
		ck_assert_int_eq(api("POST", V1 "/auth/login", NULL, body, &r), 200);
		*revoked = xstrdup(str_of(cJSON_GetObjectItem(r.json, "data"), "access_token"));
		*refresh = xstrdup(str_of(cJSON_GetObjectItem(r.json, "data"), "refresh_token"));
		http_result_free(&r);
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", *revoked);
		ck_assert_int_eq(http_call("POST", V1 "/auth/logout", headers, NULL, 0, &r), 200);
		http_result_free(&r);
		ck_assert_int_eq(api("GET", V1 "/users/me", *revoked, NULL, &r), 401);
		http_result_free(&r);
	}

	/* A fresh doctor with a profile. */
	snprintf(email, sizeof email, "hostile.d.%ld@example.dz", pid);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	free(setup_call("POST", V1 "/auth/register", NULL, body, 200, NULL));
	tokens[FRESH_DOC] = login(email);
	{
		char *id = setup_call("GET", V1 "/users/me", tokens[FRESH_DOC], NULL, 200, "id");
		snprintf(path, sizeof path, V1 "/users/%s", id);
		free(id);
	}
	free(setup_call("PATCH", path, tokens[ADMIN], "{\"role\":\"DOCTOR\"}", 200, NULL));
	free(tokens[FRESH_DOC]);
	tokens[FRESH_DOC] = login(email);
	{
		char *id = setup_call("POST", V1 "/doctors/me/profile", tokens[FRESH_DOC],
		    "{\"first_name\":\"Hostile\",\"last_name\":\"Doctor\"}", 201, "id");
		snprintf(fresh_doc_id, sizeof fresh_doc_id, "%s", id);
		free(id);
	}
}

/*
 * The FHIR base: unknown types, unknown and malformed search parameters,
 * prefixes, references, counts over the cap, ids that are not UUIDs,
 * wrong methods.  Each a 4xx OperationOutcome.
 */
#define R4 "/fhir/r4"
static void
fhir_cases(void)
{
	static const char *const anon[] = {
		R4 "/Observation", R4 "/observation", R4 "/Slot/x", R4 "/Practitioner/%20",
		R4 "/Practitioner/" SAMIR_DOC "x", R4 "/$bulk-publish/Patient.ndjson",
		R4 "/$everything", R4 "/Practitioner?family=x", R4 "/Practitioner?_count=0",
		R4 "/Practitioner?_count=201", R4 "/Practitioner?_count=-1",
		R4 "/Practitioner?_count=99999999999999999999", R4 "/Practitioner?_count=1e400",
		R4 "/Practitioner?_count=abc", R4 "/Practitioner?_offset=-1",
		R4 "/Practitioner?_id=%27%20OR%201%3D1%20--", R4 "/Practitioner?_id=%ff%fe",
		R4 "/Practitioner?_id=a%00b", R4 "/Practitioner?%zz=1",
		R4 "/PractitionerRole?practitioner=Patient/" SAMIR_DOC,
		R4 "/Schedule?actor=../../x", R4 "/Slot", R4 "/Slot?schedule=",
		R4 "/Slot?schedule=Schedule/x",
		R4 "/Slot?schedule=Schedule/00000000-0000-4000-8000-000000000000",
		R4 "/Slot?schedule=" SAMIR_DOC "&start=ge2026-02-30",
		R4 "/Slot?schedule=" SAMIR_DOC "&start=ge",
		R4 "/Slot?schedule=" SAMIR_DOC "&start=zz2026-01-01",
		R4 "/Slot?schedule=" SAMIR_DOC "&start=ge2026-01-01T10:00:00%2B25:00",
		R4 "/Slot?schedule=" SAMIR_DOC "&start=ge2026-01-01T24:00:00Z",
		R4 "/Slot?schedule=" SAMIR_DOC "&start=ge2099-01-01&start=lt2099-12-31",
		R4 "/Slot?schedule=" SAMIR_DOC "&status=FREE",
		R4 "/Slot?schedule=" SAMIR_DOC "&status=free,,busy",
		R4 "/Slot?schedule=" SAMIR_DOC "&_sort=start",
		R4 "/Patient", R4 "/Patient/" SAMIR_DOC, R4 "/Appointment",
		R4 "/HealthcareService/x", R4 "/HealthcareService/%20",
		R4 "/HealthcareService/" SAMIR_DOC "x",
		R4 "/HealthcareService/00000000-0000-4000-8000-000000000000",
		R4 "/HealthcareService?practitioner=" SAMIR_DOC, R4 "/HealthcareService?name=x",
		R4 "/HealthcareService?active=yes", R4 "/HealthcareService?active=",
		R4 "/HealthcareService?_id=%27%20OR%201%3D1%20--",
		R4 "/HealthcareService?_has:PractitionerRole:service:practitioner=Patient/" SAMIR_DOC,
		R4 "/HealthcareService?_has:PractitionerRole:service:practitioner=..%2F..%2Fx",
		R4 "/HealthcareService?_has:PractitionerRole:service:practitioner=",
		R4 "/HealthcareService?_has:Practitioner:service:practitioner=" SAMIR_DOC,
		R4 "/HealthcareService?_count=201", R4 "/HealthcareService?_offset=-1",
	};
	static const char *const authed[] = {
		R4 "/Patient?_id=x", R4 "/Patient?name=x", R4 "/Patient/not-a-uuid",
		R4 "/Appointment?status=pending", R4 "/Appointment?status=%27--",
		R4 "/Appointment?date=lt", R4 "/Appointment?date=2026-13-01",
		R4 "/Appointment?patient=Patient/../x", R4 "/Appointment?practitioner=x",
		R4 "/Appointment?_count=1000",
	};
	static const char *const methods[][2] = {
		{ "POST", R4 "/Patient" }, { "PUT", R4 "/Practitioner/" SAMIR_DOC },
		{ "DELETE", R4 "/Slot" }, { "PATCH", R4 "/metadata" }, { "POST", R4 "/$bulk-publish" },
		{ "POST", R4 "/HealthcareService" }, { "DELETE", R4 "/HealthcareService/" SAMIR_DOC },
	};

	for (size_t i = 0; i < sizeof anon / sizeof anon[0]; i++)
		hostile("GET", anon[i], NOBODY, NULL, 0, "fhir");
	for (size_t i = 0; i < sizeof authed / sizeof authed[0]; i++)
		hostile("GET", authed[i], PATIENT, NULL, 0, "fhir, patient");
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		hostile(methods[i][0], methods[i][1], ADMIN, "{}", 0, "fhir method");
}

/*
 * Live updates: GET /live/auth with every ticket but a good one (each a
 * 403 that writes nothing, or a 422), tickets where tokens go, and the
 * ticket route refused.
 */
static void
live_cases(void)
{
	unsigned char access_key[MED_KEY_LEN], reset_key[MED_KEY_LEN];
	int64_t now = (int64_t)time(NULL);
	char path[4200], authz[1100], *t[5], *big = repeat("A", 1100);
	static const char *const q[] = {
		"", "?ticket=", "?ticket=x", "?ticket=a.b.c", "?ticket=%00", "?ticket=%ff%fe",
		"?ticket=%27%20OR%201=1--", "?ticket=x&ticket=y", "?ticket=..", "?ticket=a.b.c.d.e",
		"?Ticket=x", "?ticket[]=x",
	};

	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		snprintf(path, sizeof path, V1 "/live/auth%s", q[i]);
		hostile("GET", path, NOBODY, NULL, 0, "bad live ticket");
	}
	snprintf(path, sizeof path, V1 "/live/auth?ticket=%s", big);
	hostile("GET", path, NOBODY, NULL, 0, "oversized live ticket");
	load_key("jwt_access", access_key);
	load_key("jwt_reset", reset_key);
	t[0] = sign_with(reset_key, JWT_LIVE, ADMIN_USER, now + 60, 0);      /* wrong key */
	t[1] = sign_with(access_key, JWT_LIVE, ADMIN_USER, now - 5, 0);      /* expired */
	t[2] = sign_with(access_key, JWT_LIVE, AMINA_USER, now + 60, 0);     /* a patient's */
	t[3] = sign_with(access_key, JWT_ACCESS, ADMIN_USER, now + 60, 0);   /* not a ticket */
	t[4] = sign_with(access_key, JWT_LIVE, ADMIN_USER, now + 60, 99);    /* old sessions */
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, V1 "/live/auth?ticket=%s", t[i]);
		hostile("GET", path, NOBODY, NULL, 0, "forged live ticket");
		/* Any ticket where an access token goes. */
		snprintf(authz, sizeof authz, "Bearer %s", t[i]);
		if (i != 3)
			hostile_auth("GET", V1 "/users/me", authz, "live ticket as a bearer token");
		free(t[i]);
	}
	hostile("POST", V1 "/live/ticket", NOBODY, NULL, 0, "live ticket, anonymous");
	hostile("POST", V1 "/live/ticket", PATIENT, NULL, 0, "live ticket, patient");
	hostile("GET", V1 "/live/ticket", STAFF, NULL, 0, "live ticket by GET");
	hostile("POST", V1 "/live/auth", NOBODY, NULL, 0, "live auth by POST");
	free(big);
}

/*
 * The front desk's registration: refused to every other role with a body
 * that would pass, to a registered address in any case (409, nothing
 * written), and to names and addresses carrying SQL or markup as shape.
 */
static void
desk_cases(void)
{
	static const char ok[] = "{\"email\":\"h.desk2@example.dz\",\"first_name\":\"H\","
	    "\"last_name\":\"D\"}";
	static const char *const bad[] = {
		"{\"email\":\"ADMIN@EXAMPLE.DZ\",\"first_name\":\"H\",\"last_name\":\"D\"}",
		"{\"email\":\"amina.benali@example.dz\",\"first_name\":\"H\",\"last_name\":\"D\"}",
		"{\"email\":\"h@example.dz' OR '1'='1\",\"first_name\":\"H\",\"last_name\":\"D\"}",
		"{\"email\":\"<script>@example.dz\",\"first_name\":\"H\",\"last_name\":\"D\"}",
		"{\"email\":\"h.desk3@example.dz\",\"first_name\":\"\",\"last_name\":\"\"}",
		"{\"email\":\"h.desk3@example.dz\",\"first_name\":[\"H\"],\"last_name\":\"D\"}",
		"{\"email\":\"h.desk3@example.dz\",\"first_name\":\"H\",\"last_name\":\"D\","
		    "\"locale\":\"fr' --\"}",
		"{\"email\":[\"a@example.dz\",\"b@example.dz\"],\"first_name\":\"H\",\"last_name\":\"D\"}",
	};

	hostile("POST", V1 "/desk/patients", NOBODY, ok, 0, "desk registration, anonymous");
	hostile("POST", V1 "/desk/patients", PATIENT, ok, 0, "desk registration, patient");
	hostile("POST", V1 "/desk/patients", DOCTOR, ok, 0, "desk registration, doctor");
	hostile("POST", V1 "/desk/patients", FRESH_DOC, ok, 0, "desk registration, fresh doctor");
	hostile("GET", V1 "/desk/patients", STAFF, NULL, 0, "desk registration by GET");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		hostile("POST", V1 "/desk/patients", STAFF, bad[i], 0, "desk registration, bad body");
}

START_TEST(hostile_requests)
{
	char *revoked = NULL, *refresh = NULL;
	uint64_t before, after;
	struct dbsum sb, sa;
	struct http_result r;

	setup(&revoked, &refresh);
	before = db_checksum(&sb);
	ck_assert_int_gt(sb.n, 10);

	jwt_cases(revoked, refresh);
	per_field_cases();
	malformed_json_cases();
	nesting_and_numbers_cases();
	path_cases();
	query_cases();
	content_type_cases();
	size_and_header_cases();
	fhir_cases();
	live_cases();
	desk_cases();

	ck_assert_int_eq(api("GET", V1 "/health", NULL, NULL, &r), 200);
	http_result_free(&r);
	after = db_checksum(&sa);
	for (int i = 0; i < sa.n && i < sb.n; i++)
		if (strcmp(sa.name[i], sb.name[i]) != 0 || sa.rows[i] != sb.rows[i] ||
		    sa.sum[i] != sb.sum[i])
			fprintf(stderr, "hostile: table %s changed\n", sa.name[i]);
	printf("hostile: %d requests tried, %d answered 5xx, %d answered 2xx, %d bad envelopes, "
	    "%d transport errors; %d tables, checksum %016llx -> %016llx\n", tried, seen_5xx,
	    seen_2xx, bad_envelope, transport_errors, sa.n, (unsigned long long)before,
	    (unsigned long long)after);
	fflush(stdout);
	ck_assert_int_ge(tried, 300);
	ck_assert_int_eq(seen_5xx, 0);
	ck_assert_int_eq(seen_2xx, 0);
	ck_assert_int_eq(bad_envelope, 0);
	ck_assert_int_eq(transport_errors, 0);
	ck_assert_int_eq(sb.n, sa.n);
	ck_assert_msg(before == after, "the database changed under hostile requests");
	content_type_accepted();

	free(revoked);
	free(refresh);
	for (int i = 0; i < NWHO; i++) {
		free(tokens[i]);
		tokens[i] = NULL;
	}
}
END_TEST

/* SQL metacharacters in search parameters are data: no error, no extra rows. */
START_TEST(sql_in_search_is_data)
{
	static const char *const q[] = {
		V1 "/doctors?name=%27%20OR%20%271%27%3D%271",
		V1 "/doctors?city=x%27%3B%20DROP%20TABLE%20doctors%3B--",
		V1 "/doctors?specialty=%25",
		V1 "/doctors?name=%25%27%20OR%201%3D1%20--",
	};
	struct http_result r;

	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		ck_assert_int_eq(api("GET", q[i], NULL, NULL, &r), 200);
		ck_assert(cJSON_IsArray(cJSON_GetObjectItem(r.json, "data")));
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "data")), 0);
		http_result_free(&r);
	}
	ck_assert_int_eq(api("GET", V1 "/doctors", NULL, NULL, &r), 200);
	ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "data")), 5);
	http_result_free(&r);
}
END_TEST

static Suite *
e2e_hostile_suite(void)
{
	Suite *s = suite_create("e2e_hostile");
	TCase *tc = tcase_create("hostile");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, hostile_requests);
	tcase_add_test(tc, sql_in_search_is_data);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(e2e_hostile_suite)
