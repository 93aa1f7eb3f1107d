/*
 * test_fhir.c - the FHIR R4 read API in-process: the CapabilityStatement
 * is the FHIR table, the public resources, Slot against the slots route
 * (the same instants), and every refusal an OperationOutcome.
 *
 * With FHIR_DUMP_DIR set, every resource answered is also written there
 * (one file each) for the JSON-schema check (make fhir-validate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testctx.h"
#include "unitkit.h"
#include "util.h"
#include "testreg.h"
#include "fhir.h"
#include "route.h"

UT_SEEDED_FIXTURE

#define R4 "/fhir/r4"

/* Keep what the server emitted, for the schema validation. */
static void
dump(const char *body)
{
	static int n;
	const char *dir = getenv("FHIR_DUMP_DIR");
	char path[1024];
	FILE *f;

	if (dir == NULL || *dir == '\0')
		return;
	snprintf(path, sizeof path, "%s/unit-%d-%04d.json", dir, (int)getpid(), ++n);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(body, f);
		fclose(f);
	}
}

/*
 * GET path on the FHIR base (token and Prefer may be NULL).  Every body
 * must be FHIR JSON with a resourceType, and every refusal an
 * OperationOutcome with one issue.
 */
static int
fcall(const char *path, const char *token, const char *prefer, cJSON **out)
{
	struct med_req req = { 0 };
	struct med_resp resp;
	char pathbuf[2048], auth[2048];
	char *q;
	cJSON *json;
	int status;

	snprintf(pathbuf, sizeof pathbuf, "%s", path);
	if ((q = strchr(pathbuf, '?')) != NULL) {
		*q = '\0';
		req.query = q + 1;
	}
	req.method = "GET";
	req.path = pathbuf;
	req.remote_addr = "127.0.0.1";
	req.prefer = prefer;
	if (token != NULL) {
		snprintf(auth, sizeof auth, "Bearer %s", token);
		req.authorization = auth;
	}
	med_handle(&ctx, &req, &resp);
	status = resp.status;
	ck_assert_msg(resp.body != NULL, "%s: no body", path);
	ck_assert_msg(resp.content_type != NULL && strcmp(resp.content_type, FHIR_JSON) == 0,
	    "%s: %d not FHIR JSON: %s", path, status, resp.body);
	json = cJSON_Parse(resp.body);
	ck_assert_msg(json != NULL, "%s: not JSON", path);
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(json, "resourceType")));
	if (status >= 400) {
		ck_assert_str_eq(ut_str(json, "resourceType"), "OperationOutcome");
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(json, "issue")), 1);
	}
	dump(resp.body);
	med_resp_free(&resp);
	med_req_free(&req);
	if (out != NULL)
		*out = json;
	else
		cJSON_Delete(json);
	return status;
}

/* The issue code of an OperationOutcome. */
static const char *
issue_code(const cJSON *oo)
{
	return ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(oo, "issue"), 0), "code");
}

static const cJSON *
cs_resource(const cJSON *cs, const char *type)
{
	const cJSON *r;
	cJSON *rest = cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "rest"), 0);

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(rest, "resource"))
		if (strcmp(ut_str(r, "type"), type) == 0)
			return r;
	return NULL;
}

static int
has_code(const cJSON *list, const char *member, const char *value)
{
	const cJSON *i;

	cJSON_ArrayForEach(i, list)
		if (ut_str(i, member) != NULL && strcmp(ut_str(i, member), value) == 0)
			return 1;
	return 0;
}

START_TEST(metadata_is_the_table)
{
	cJSON *cs;
	const cJSON *slot;
	int reads = 0, searches = 0, listed = 0;

	ck_assert_int_eq(fcall(R4 "/metadata", NULL, NULL, &cs), 200);
	ck_assert_str_eq(ut_str(cs, "resourceType"), "CapabilityStatement");
	ck_assert_str_eq(ut_str(cs, "fhirVersion"), "4.0.1");
	ck_assert_str_eq(ut_str(cs, "kind"), "instance");
	/* Every GET "/Type" row is a search-type, every "/Type/{x}" a read. */
	for (const struct med_route *r = med_fhir_routes(); r->handler != NULL; r++) {
		const char *p = r->pattern + strlen(R4) + 1;
		char type[64];
		const cJSON *res;
		if (p[0] < 'A' || p[0] > 'Z')
			continue;
		snprintf(type, sizeof type, "%.*s", (int)strcspn(p, "/"), p);
		res = cs_resource(cs, type);
		ck_assert_msg(res != NULL, "%s missing", type);
		if (strchr(p, '/') != NULL) {
			reads++;
			ck_assert(has_code(cJSON_GetObjectItem(res, "interaction"), "code", "read"));
		} else {
			searches++;
			ck_assert(has_code(cJSON_GetObjectItem(res, "interaction"), "code", "search-type"));
		}
	}
	cJSON_ArrayForEach(slot, cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cs,
	    "rest"), 0), "resource"))
		listed += cJSON_GetArraySize(cJSON_GetObjectItem(slot, "interaction"));
	ck_assert_int_eq(listed, reads + searches);
	slot = cs_resource(cs, "Slot");
	ck_assert_ptr_nonnull(slot);
	ck_assert(has_code(cJSON_GetObjectItem(slot, "searchParam"), "name", "schedule"));
	ck_assert(has_code(cJSON_GetObjectItem(slot, "searchParam"), "name", "start"));
	ck_assert(has_code(cJSON_GetObjectItem(slot, "searchParam"), "name", "status"));
	slot = cs_resource(cs, "HealthcareService");
	ck_assert_ptr_nonnull(slot);
	ck_assert(has_code(cJSON_GetObjectItem(slot, "interaction"), "code", "read"));
	ck_assert(has_code(cJSON_GetObjectItem(slot, "interaction"), "code", "search-type"));
	ck_assert(has_code(cJSON_GetObjectItem(slot, "searchParam"), "name", "_id"));
	ck_assert(has_code(cJSON_GetObjectItem(slot, "searchParam"), "name", "active"));
	ck_assert(has_code(cJSON_GetObjectItem(slot, "searchParam"), "name",
	    "_has:PractitionerRole:service:practitioner"));
	ck_assert_ptr_null(cs_resource(cs, "Observation"));
	cJSON_Delete(cs);
}
END_TEST

START_TEST(practitioner_and_friends)
{
	cJSON *r, *b;

	ck_assert_int_eq(fcall(R4 "/Practitioner/" DOC_SAMIR, NULL, NULL, &r), 200);
	ck_assert_str_eq(ut_str(r, "resourceType"), "Practitioner");
	ck_assert_str_eq(ut_str(r, "id"), DOC_SAMIR);
	ck_assert_ptr_nonnull(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "name"), 0), "family"));
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/PractitionerRole/" DOC_SAMIR, NULL, NULL, &r), 200);
	ck_assert_str_eq(ut_str(cJSON_GetObjectItem(r, "practitioner"), "reference"),
	    "Practitioner/" DOC_SAMIR);
	ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(r, "specialty")), 1);
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/Schedule/" DOC_SAMIR, NULL, NULL, &r), 200);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "actor"), 0), "reference"),
	    "Practitioner/" DOC_SAMIR);
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/Location", NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 1);
	cJSON_Delete(b);

	/* Searchsets: total, and paging links that walk the whole set. */
	ck_assert_int_eq(fcall(R4 "/Practitioner?_count=2", NULL, NULL, &b), 200);
	ck_assert_str_eq(ut_str(b, "type"), "searchset");
	ck_assert_int_eq((int)ut_num(b, "total"), 5);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 2);
	ck_assert(has_code(cJSON_GetObjectItem(b, "link"), "relation", "next"));
	ck_assert(!has_code(cJSON_GetObjectItem(b, "link"), "relation", "previous"));
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Practitioner?_count=2&_offset=4", NULL, NULL, &b), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "entry")), 1);
	ck_assert(!has_code(cJSON_GetObjectItem(b, "link"), "relation", "next"));
	ck_assert(has_code(cJSON_GetObjectItem(b, "link"), "relation", "previous"));
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Schedule?actor=Practitioner/" DOC_NADIA, NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 1);
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/PractitionerRole?practitioner=" DOC_NADIA, NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 1);
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Practitioner/" NO_SUCH_ID, NULL, NULL, &r), 404);
	ck_assert_str_eq(issue_code(r), "not-found");
	cJSON_Delete(r);
}
END_TEST

/* The start instants of the slots route, comma-joined. */
static void
route_slots(const char *doctor, const char *date, int days, char *buf, size_t size)
{
	char path[256];
	cJSON *env = NULL, *el;
	size_t used = 0;

	buf[0] = '\0';
	snprintf(path, sizeof path, "/api/v1/doctors/%s/availability/slots?start_date=%s&days=%d",
	    doctor, date, days);
	ck_assert_int_eq(test_call(&ctx, "GET", path, NULL, NULL, &env), 200);
	cJSON_ArrayForEach(el, ut_data(env))
		used += (size_t)snprintf(buf + used, size - used, "%s%s|%s", used ? "," : "",
		    ut_str(el, "start_time"), ut_str(el, "end_time"));
	cJSON_Delete(env);
}

/* The same from FHIR Slot, page by page through the next links. */
static void
fhir_free_slots(const char *doctor, const char *from, const char *to, char *buf, size_t size)
{
	char path[512];
	size_t used = 0;
	int offset = 0, total;

	buf[0] = '\0';
	do {
		cJSON *b, *e;
		snprintf(path, sizeof path, R4 "/Slot?schedule=Schedule/%s&start=ge%s&start=lt%s"
		    "&status=free&_count=37&_offset=%d", doctor, from, to, offset);
		ck_assert_int_eq(fcall(path, NULL, NULL, &b), 200);
		total = (int)ut_num(b, "total");
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(b, "entry")) {
			cJSON *s = cJSON_GetObjectItem(e, "resource");
			ck_assert_str_eq(ut_str(s, "status"), "free");
			ck_assert_ptr_nonnull(strstr(ut_str(s, "id"), doctor));
			used += (size_t)snprintf(buf + used, size - used, "%s%s|%s", used ? "," : "",
			    ut_str(s, "start"), ut_str(s, "end"));
			offset++;
		}
		cJSON_Delete(b);
	} while (offset < total);
}

START_TEST(slot_equals_slots_route)
{
	static char a[65536], b[65536];
	const char *docs[] = { DOC_SAMIR, DOC_NADIA };
	char today[11], end[11];
	int y, m, d;

	util_local_date(med_now(&ctx), today);
	(void)util_parse_date(today, &y, &m, &d);
	util_add_days(&y, &m, &d, 14);
	snprintf(end, sizeof end, "%04d-%02d-%02d", y, m, d);
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		route_slots(docs[i], today, 14, a, sizeof a);
		fhir_free_slots(docs[i], today, end, b, sizeof b);
		ck_assert_msg(strlen(a) > 0, "no slots to compare");
		ck_assert_str_eq(a, b);
	}
}
END_TEST

/* 1 when the comma list of "start|end" pairs has a slot starting at start. */
static int
has_start(const char *list, const char *start)
{
	char key[64];
	size_t n = (size_t)snprintf(key, sizeof key, "%s|", start);

	for (const char *p = list; (p = strstr(p, key)) != NULL; p += n)
		if (p == list || p[-1] == ',')
			return 1;
	return 0;
}

/*
 * Every rule of the slots route holds in Slot too: a booked visit of a
 * service with buffers, time off, a holiday, minimum notice and booking
 * horizon.  The clock is 2031-01-01T00:00Z, a Wednesday; Samir works on
 * Mondays 09-12 and 14-17 (clinic time UTC).
 */
START_TEST(slot_equals_slots_route_with_closures)
{
	static char a[65536], b[65536];
	char *admin, *staff, *svc, *visit, body[256];
	cJSON *bundle, *e;
	int busy930 = 0, busy1030 = 0;

	ctx.fixed_now = 1924992000LL;
	admin = ut_mint(&ctx, EM_ADMIN);
	staff = ut_mint(&ctx, EM_STAFF);
	svc = ut_create_id(&ctx, "/api/v1/doctors/" DOC_SAMIR "/services", admin,
	    "{\"name\":\"Soins\",\"duration_minutes\":30,\"buffer_before_minutes\":15,"
	    "\"buffer_after_minutes\":15}");
	/* Monday 6th 10:00-10:30 with its buffers: 09:45-10:45 is taken. */
	snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\",\"patient_id\":\"" PAT_AMINA
	    "\",\"start_time\":\"2031-01-06T10:00:00Z\",\"service_id\":\"%s\"}", svc);
	visit = ut_create_id(&ctx, "/api/v1/appointments", staff, body);
	/* The visit names its service. */
	snprintf(body, sizeof body, R4 "/Appointment/%s", visit);
	ck_assert_int_eq(fcall(body, staff, NULL, &bundle), 200);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(bundle, "serviceType"), 0),
	    "text"), "Soins");
	cJSON_Delete(bundle);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/time-off", admin,
	    "{\"start_time\":\"2031-01-13T14:00:00Z\",\"end_time\":\"2031-01-13T15:30:00Z\"}"), 201);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/holidays", admin,
	    "{\"date\":\"2031-01-20\",\"name\":\"Fermeture\"}"), 201);
	/* Bookable from Monday 6th 09:30 (notice 5 days 9.5 hours), 30 days ahead. */
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/settings", admin,
	    "{\"min_notice_minutes\":7770,\"booking_horizon_days\":30}"), 200);

	route_slots(DOC_SAMIR, "2031-01-01", 40, a, sizeof a);
	fhir_free_slots(DOC_SAMIR, "2031-01-01", "2031-02-10", b, sizeof b);
	ck_assert_str_eq(a, b);
	/* The rules did their part, so the comparison covers them. */
	ck_assert(!has_start(a, "2031-01-06T09:00:00Z"));  /* notice */
	ck_assert(!has_start(a, "2031-01-06T09:30:00Z"));  /* the visit's buffer */
	ck_assert(!has_start(a, "2031-01-06T10:30:00Z"));
	ck_assert(has_start(a, "2031-01-06T11:00:00Z"));
	ck_assert(!has_start(a, "2031-01-13T15:00:00Z"));  /* time off */
	ck_assert(has_start(a, "2031-01-13T15:30:00Z"));
	ck_assert(has_start(a, "2031-01-13T09:00:00Z"));
	ck_assert(strstr(a, "2031-01-20T") == NULL);        /* holiday */
	ck_assert(has_start(a, "2031-01-27T09:00:00Z"));
	ck_assert(strstr(a, "2031-02-03T") == NULL);        /* horizon */

	/* Busy is what a visit holds, buffers included. */
	ck_assert_int_eq(fcall(R4 "/Slot?schedule=" DOC_SAMIR "&status=busy&start=ge2031-01-06"
	    "&start=lt2031-01-07", NULL, NULL, &bundle), 200);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(bundle, "entry")) {
		const char *st = ut_str(cJSON_GetObjectItem(e, "resource"), "start");
		busy930 += strcmp(st, "2031-01-06T09:30:00Z") == 0;
		busy1030 += strcmp(st, "2031-01-06T10:30:00Z") == 0;
	}
	ck_assert_int_eq((int)ut_num(bundle, "total"), 3);
	ck_assert_int_eq(busy930 + busy1030, 2);
	cJSON_Delete(bundle);
	free(visit);
	free(svc);
	free(staff);
	free(admin);
}
END_TEST

START_TEST(slot_busy_is_the_booking)
{
	cJSON *b, *e;
	int busy = 0, free = 0;

	/* Samir (doctor 1) has a SCHEDULED appointment next Monday at 9:00 local. */
	ck_assert_int_eq(fcall(R4 "/Slot?schedule=" DOC_SAMIR "&_count=200", NULL, NULL, &b), 200);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(b, "entry")) {
		const char *st = ut_str(cJSON_GetObjectItem(e, "resource"), "status");
		busy += strcmp(st, "busy") == 0;
		free += strcmp(st, "free") == 0;
	}
	ck_assert_int_ge(busy, 1);
	ck_assert_int_ge(free, 1);
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Slot?schedule=" DOC_SAMIR "&status=busy", NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), busy);
	cJSON_Delete(b);
}
END_TEST

/* Every kind of bad input: a clear OperationOutcome with its status, never a 500. */
/* The extension of r whose URL ends in name. */
static const cJSON *
ext(const cJSON *r, const char *name)
{
	const cJSON *x;
	size_t n = strlen(name);

	cJSON_ArrayForEach(x, cJSON_GetObjectItem(r, "extension")) {
		const char *url = ut_str(x, "url");
		if (url != NULL && strlen(url) > n && strcmp(url + strlen(url) - n, name) == 0 &&
		    url[strlen(url) - n - 1] == '/')
			return x;
	}
	return NULL;
}

/* 1 when PractitionerRole role lists HealthcareService/id. */
static int
role_lists(const cJSON *role, const char *id)
{
	char ref[80];

	snprintf(ref, sizeof ref, "HealthcareService/%s", id);
	return has_code(cJSON_GetObjectItem(role, "healthcareService"), "reference", ref);
}

#define BY_SAMIR "_has:PractitionerRole:service:practitioner=Practitioner/" DOC_SAMIR

/*
 * A doctor's services as HealthcareService: read, search by the doctor
 * (the reverse chain through PractitionerRole), _id and active, an
 * inactive service flagged, and the active ones listed by the
 * PractitionerRole.
 */
START_TEST(healthcare_service)
{
	char *admin = ut_mint(&ctx, EM_ADMIN), *soins, *old, path[256];
	const cJSON *x, *d;
	cJSON *r, *b, *env = NULL;
	long long all = ut_count(&ctx, "SELECT count(*) FROM doctor_services");

	soins = ut_create_id(&ctx, "/api/v1/doctors/" DOC_SAMIR "/services", admin,
	    "{\"name\":\"Soins\",\"duration_minutes\":45,\"buffer_before_minutes\":10,"
	    "\"buffer_after_minutes\":5,\"price\":2500.5,\"currency\":\"DZD\"}");
	old = ut_create_id(&ctx, "/api/v1/doctors/" DOC_SAMIR "/services", admin,
	    "{\"name\":\"Ancien\",\"duration_minutes\":20}");
	snprintf(path, sizeof path, "/api/v1/doctors/services/%s", old);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", path, admin, "{\"is_active\":false}"), 200);

	snprintf(path, sizeof path, R4 "/HealthcareService/%s", soins);
	ck_assert_int_eq(fcall(path, NULL, NULL, &r), 200);
	ck_assert_str_eq(ut_str(r, "resourceType"), "HealthcareService");
	ck_assert_str_eq(ut_str(r, "id"), soins);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r, "active")));
	ck_assert_str_eq(ut_str(r, "name"), "Soins");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "type"), 0), "text"), "Soins");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "location"), 0), "reference"),
	    "Location/c11a1c00-0000-4000-8000-000000000001");
	ck_assert_ptr_nonnull(strstr(ut_str(r, "comment"), "45-minute"));
	ck_assert_ptr_nonnull(x = ext(r, "service-duration"));
	ck_assert_int_eq((int)ut_num(d = cJSON_GetObjectItem(x, "valueDuration"), "value"), 45);
	ck_assert_str_eq(ut_str(d, "code"), "min");
	ck_assert_str_eq(ut_str(x, "url"),
	    "https://localhost/fhir/r4/StructureDefinition/service-duration");
	ck_assert_int_eq((int)ut_num(cJSON_GetObjectItem(ext(r, "service-buffer-before"),
	    "valueDuration"), "value"), 10);
	ck_assert_int_eq((int)ut_num(cJSON_GetObjectItem(ext(r, "service-buffer-after"),
	    "valueDuration"), "value"), 5);
	d = cJSON_GetObjectItem(ext(r, "service-price"), "valueMoney");
	ck_assert(ut_num(d, "value") == 2500.5);
	ck_assert_str_eq(ut_str(d, "currency"), "DZD");
	cJSON_Delete(r);

	/* Inactive: still read, flagged. */
	snprintf(path, sizeof path, R4 "/HealthcareService/%s", old);
	ck_assert_int_eq(fcall(path, NULL, NULL, &r), 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r, "active")));
	cJSON_Delete(r);

	/* The role lists the active services only, the default Consultation among them. */
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/" DOC_SAMIR "/services", NULL, NULL,
	    &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 3);
	ck_assert_int_eq(fcall(R4 "/PractitionerRole/" DOC_SAMIR, NULL, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r, "healthcareService")), 2);
	cJSON_ArrayForEach(x, ut_data(env))
		ck_assert_int_eq(role_lists(r, ut_str(x, "id")), cJSON_IsTrue(cJSON_GetObjectItem(x,
		    "is_active")));
	cJSON_Delete(r);
	cJSON_Delete(env);

	/* Searches: all, by the doctor, active or not, by id; each entry one of Samir's. */
	ck_assert_int_eq(fcall(R4 "/HealthcareService?_count=200", NULL, NULL, &b), 200);
	ck_assert_int_eq((long long)ut_num(b, "total"), all + 2);
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/HealthcareService?" BY_SAMIR, NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 3);
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/HealthcareService?" BY_SAMIR "&active=true", NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 2);
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(b, "entry"))
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "resource"), "active")));
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/HealthcareService?" BY_SAMIR "&active=false", NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 1);
	ck_assert_str_eq(ut_str(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "entry"),
	    0), "resource"), "id"), old);
	cJSON_Delete(b);
	snprintf(path, sizeof path, R4 "/HealthcareService?_id=%s", soins);
	ck_assert_int_eq(fcall(path, NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 1);
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/HealthcareService?_has:PractitionerRole:service:practitioner="
	    NO_SUCH_ID, NULL, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 0);
	cJSON_Delete(b);

	/* Unknown id: 404, an OperationOutcome. */
	ck_assert_int_eq(fcall(R4 "/HealthcareService/" NO_SUCH_ID, NULL, NULL, &r), 404);
	ck_assert_str_eq(issue_code(r), "not-found");
	cJSON_Delete(r);
	free(admin);
	free(soins);
	free(old);
}
END_TEST

START_TEST(bad_input)
{
	static const struct {
		const char *path;
		int status;
		const char *code;
	} cases[] = {
		{ R4 "/Observation", 404, "not-found" },
		{ R4 "/Practitioner/not-a-uuid", 400, "invalid" },
		{ R4 "/Practitioner?family=x", 400, "not-supported" },
		{ R4 "/Practitioner?_count=201", 400, "invalid" },
		{ R4 "/Practitioner?_count=0", 400, "invalid" },
		{ R4 "/Practitioner?_count=x", 400, "invalid" },
		{ R4 "/Practitioner?_id=Patient/" DOC_SAMIR, 400, "invalid" },
		{ R4 "/Slot", 400, "invalid" },
		{ R4 "/Slot?schedule=nope", 400, "invalid" },
		{ R4 "/Slot?schedule=" NO_SUCH_ID, 404, "not-found" },
		{ R4 "/Slot?schedule=" DOC_SAMIR "&start=2026-13-01", 400, "invalid" },
		{ R4 "/Slot?schedule=" DOC_SAMIR "&start=xx2026-01-01", 400, "invalid" },
		{ R4 "/Slot?schedule=" DOC_SAMIR "&start=ge2026-01-01T25:00:00Z", 400, "invalid" },
		{ R4 "/Slot?schedule=" DOC_SAMIR "&start=ge2099-01-01&start=lt2099-06-01", 400, "too-costly" },
		{ R4 "/Slot?schedule=" DOC_SAMIR "&status=maybe", 400, "invalid" },
		{ R4 "/Slot?schedule=" DOC_SAMIR "&_sort=start", 400, "not-supported" },
		{ R4 "/HealthcareService/not-a-uuid", 400, "invalid" },
		{ R4 "/HealthcareService?practitioner=" DOC_SAMIR, 400, "not-supported" },
		{ R4 "/HealthcareService?_has:PractitionerRole:service:practitioner=Patient/" DOC_SAMIR,
		    400, "invalid" },
		{ R4 "/HealthcareService?_has:PractitionerRole:service:practitioner=nope", 400, "invalid" },
		{ R4 "/HealthcareService?_id=nope", 400, "invalid" },
		{ R4 "/HealthcareService?active=maybe", 400, "invalid" },
		{ R4 "/HealthcareService?_count=201", 400, "invalid" },
	};
	cJSON *oo;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int st = fcall(cases[i].path, NULL, NULL, &oo);
		ck_assert_msg(st == cases[i].status, "%s: %d", cases[i].path, st);
		ck_assert_msg(strcmp(issue_code(oo), cases[i].code) == 0, "%s: %s", cases[i].path,
		    issue_code(oo));
		ck_assert_ptr_nonnull(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(oo, "issue"), 0),
		    "diagnostics"));
		cJSON_Delete(oo);
	}
	/* The longest window, 62 days from a time of day (63 local days), is served. */
	ck_assert_int_eq(fcall(R4 "/Slot?schedule=" DOC_SAMIR "&start=ge2099-01-01T12:00:00Z"
	    "&start=lt2099-03-04T12:00:00Z&_count=1", NULL, NULL, NULL), 200);
	/* Lenient handling ignores what it does not know. */
	ck_assert_int_eq(fcall(R4 "/Practitioner?family=x", NULL, "handling=lenient", NULL), 200);
	/* A wrong method: 405 as an OperationOutcome too. */
	{
		struct med_req req = { .method = "DELETE", .path = R4 "/Practitioner" };
		struct med_resp resp;
		med_handle(&ctx, &req, &resp);
		ck_assert_int_eq(resp.status, 405);
		ck_assert_ptr_nonnull(strstr(resp.body, "OperationOutcome"));
		ck_assert_str_eq(resp.content_type, FHIR_JSON);
		med_resp_free(&resp);
		med_req_free(&req);
	}
	/* The API keeps its envelope. */
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/nothing", NULL, NULL), 404);
}
END_TEST

static long long
audits(const char *entity, const char *id, const char *outcome)
{
	/* A search is one event naming what it showed (audit_seen_all), a read a row of its own. */
	return ut_count(&ctx, "SELECT count(*) FROM audit_log WHERE action = 'read' AND entity = '%s'"
	    " AND outcome = '%s' AND (entity_id = '%s' OR id IN"
	    " (SELECT event_id FROM audit_seen_all WHERE entity_id = '%s'))", entity, outcome, id, id);
}

/* The same ownership rules as /api/v1, and every read in the audit log. */
START_TEST(patient_ownership_and_audit)
{
	char *amina = ut_login(&ctx, EM_AMINA), *samir = ut_login(&ctx, EM_SAMIR);
	char *nadia = ut_login(&ctx, EM_NADIA), *staff = ut_login(&ctx, EM_STAFF);
	char *admin = ut_login(&ctx, EM_ADMIN);
	cJSON *r;

	ck_assert_int_eq(fcall(R4 "/Patient/" PAT_AMINA, NULL, NULL, &r), 401);
	ck_assert_str_eq(issue_code(r), "login");
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/Patient/" PAT_AMINA, amina, NULL, &r), 200);
	ck_assert_str_eq(ut_str(r, "resourceType"), "Patient");
	ck_assert_str_eq(ut_str(r, "id"), PAT_AMINA);
	cJSON_Delete(r);
	ck_assert_int_eq(audits("patient", PAT_AMINA, "ok"), 1);
	/* Another patient, a doctor who does not see her: 403, logged. */
	ck_assert_int_eq(fcall(R4 "/Patient/" PAT_SOFIANE, amina, NULL, &r), 403);
	ck_assert_str_eq(issue_code(r), "forbidden");
	cJSON_Delete(r);
	ck_assert_int_eq(audits("patient", PAT_SOFIANE, "denied"), 1);
	ck_assert_int_eq(fcall(R4 "/Patient/" PAT_AMINA, nadia, NULL, NULL), 403);
	ck_assert_int_eq(fcall(R4 "/Patient/" NO_SUCH_ID, nadia, NULL, NULL), 403);
	ck_assert_int_eq(fcall(R4 "/Patient/" PAT_AMINA, samir, NULL, NULL), 200);
	ck_assert_int_eq(fcall(R4 "/Patient/" PAT_AMINA, staff, NULL, NULL), 200);
	ck_assert_int_eq(fcall(R4 "/Patient/" NO_SUCH_ID, admin, NULL, NULL), 404);
	ck_assert_int_eq(audits("patient", PAT_AMINA, "ok"), 3);
	ck_assert_int_eq(audits("patient", PAT_AMINA, "denied"), 1);

	/* Searches list only what reads would show, each row audited. */
	ck_assert_int_eq(fcall(R4 "/Patient", amina, NULL, &r), 200);
	ck_assert_int_eq((int)ut_num(r, "total"), 1);
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/Patient?_id=" PAT_SOFIANE, amina, NULL, &r), 200);
	ck_assert_int_eq((int)ut_num(r, "total"), 0);
	ck_assert_ptr_null(cJSON_GetObjectItem(r, "entry"));
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/Patient", samir, NULL, &r), 200);
	ck_assert_int_eq((int)ut_num(r, "total"), 1);
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/Patient", staff, NULL, &r), 200);
	ck_assert_int_eq((int)ut_num(r, "total"),
	    (int)ut_count(&ctx, "SELECT count(*) FROM patients"));
	cJSON_Delete(r);
	ck_assert_int_eq(audits("patient", PAT_AMINA, "ok"), 6);
	free(amina);
	free(samir);
	free(nadia);
	free(staff);
	free(admin);
}
END_TEST

/* A PATIENT without a profile searches as /patients/me reads: 404, said so. */
START_TEST(search_without_profile)
{
	char *fresh;
	cJSON *r;

	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/auth/register", NULL,
	    "{\"email\":\"noprofile@example.dz\",\"password\":\"longenough\"}"), 200);
	fresh = test_login(&ctx, "noprofile@example.dz", "longenough");
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/me", fresh, NULL), 404);
	ck_assert_int_eq(fcall(R4 "/Patient", fresh, NULL, &r), 404);
	ck_assert_str_eq(issue_code(r), "not-found");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "issue"), 0),
	    "diagnostics"), "Patient profile not found");
	cJSON_Delete(r);
	ck_assert_int_eq(fcall(R4 "/Appointment", fresh, NULL, NULL), 404);
	ck_assert_int_eq(fcall(R4 "/Patient/" PAT_AMINA, fresh, NULL, NULL), 403);
	free(fresh);
}
END_TEST

START_TEST(appointment_ownership_and_search)
{
	char *amina = ut_login(&ctx, EM_AMINA), *samir = ut_login(&ctx, EM_SAMIR);
	char *nadia = ut_login(&ctx, EM_NADIA), *staff = ut_login(&ctx, EM_STAFF);
	cJSON *b, *e;
	const char *appt;
	char path[256], appt_id[MED_UUID_LEN + 1];
	int n;

	ck_assert_int_eq(fcall(R4 "/Appointment", amina, NULL, &b), 200);
	n = (int)ut_num(b, "total");
	ck_assert_int_eq(n, (int)ut_count(&ctx, "SELECT count(*) FROM appointments"
	    " WHERE patient_id = '" PAT_AMINA "'"));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(b, "entry")) {
		cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "resource"),
		    "participant"), 0);
		ck_assert_str_eq(ut_str(cJSON_GetObjectItem(p, "actor"), "reference"),
		    "Patient/" PAT_AMINA);
	}
	appt = ut_str(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "entry"), 0),
	    "resource"), "id");
	snprintf(appt_id, sizeof appt_id, "%s", appt);
	snprintf(path, sizeof path, R4 "/Appointment/%s", appt);
	ck_assert_int_eq(fcall(path, amina, NULL, NULL), 200);
	ck_assert_int_eq(fcall(path, samir, NULL, NULL), 200);
	ck_assert_int_eq(fcall(path, staff, NULL, NULL), 200);
	ck_assert_int_eq(fcall(path, nadia, NULL, NULL), 403);
	ck_assert_int_eq(audits("appointment", appt, "ok"), 4);
	ck_assert_int_eq(audits("appointment", appt, "denied"), 1);
	cJSON_Delete(b);

	/* Filters: status, practitioner, date with prefixes. */
	ck_assert_int_eq(fcall(R4 "/Appointment?status=booked&practitioner=Practitioner/" DOC_SAMIR,
	    staff, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), (int)ut_count(&ctx, "SELECT count(*) FROM"
	    " appointments WHERE status = 'SCHEDULED' AND doctor_id = '" DOC_SAMIR "'"));
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Appointment?date=ge2000-01-01&date=lt2000-01-02", staff, NULL, &b),
	    200);
	ck_assert_int_eq((int)ut_num(b, "total"), 0);
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Appointment?patient=Patient/" PAT_SOFIANE, amina, NULL, &b), 200);
	ck_assert_int_eq((int)ut_num(b, "total"), 0);
	cJSON_Delete(b);
	/* Check-in and no-show have FHIR statuses of their own. */
	ut_exec(&ctx, "UPDATE appointments SET status = 'ARRIVED' WHERE id = '%s'", appt_id);
	snprintf(path, sizeof path, R4 "/Appointment/%s", appt_id);
	ck_assert_int_eq(fcall(path, staff, NULL, &b), 200);
	ck_assert_str_eq(ut_str(b, "status"), "arrived");
	cJSON_Delete(b);
	ut_exec(&ctx, "UPDATE appointments SET status = 'NO_SHOW' WHERE id = '%s'", appt_id);
	ck_assert_int_eq(fcall(path, staff, NULL, &b), 200);
	ck_assert_str_eq(ut_str(b, "status"), "noshow");
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Appointment?status=noshow", staff, NULL, &b), 200);
	ck_assert_int_ge((int)ut_num(b, "total"), 1);
	ck_assert_int_eq((int)ut_num(b, "total"),
	    (int)ut_count(&ctx, "SELECT count(*) FROM appointments WHERE status = 'NO_SHOW'"));
	cJSON_Delete(b);
	ck_assert_int_eq(fcall(R4 "/Appointment?status=pending", staff, NULL, NULL), 400);
	ck_assert_int_eq(fcall(R4 "/Appointment?date=tomorrow", staff, NULL, NULL), 400);
	ck_assert_int_eq(fcall(R4 "/Appointment?patient=x", staff, NULL, NULL), 400);
	free(amina);
	free(samir);
	free(nadia);
	free(staff);
}
END_TEST

/* A failure of the database is a 5xx OperationOutcome too, never the envelope. */
START_TEST(fault_is_outcome)
{
	cJSON *oo;
	int st;

	ut_exec(&ctx, "ALTER TABLE doctors RENAME TO doctors_gone");
	st = fcall(R4 "/Practitioner", NULL, NULL, &oo);
	ck_assert_int_ge(st, 500);
	ck_assert_str_eq(ut_str(oo, "resourceType"), "OperationOutcome");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(oo, "issue"), 0), "severity"),
	    "fatal");
	cJSON_Delete(oo);
}
END_TEST

/* GET path on the FHIR base; the raw answer in resp (caller frees). */
static void
raw_get(const char *path, struct med_resp *resp)
{
	struct med_req req = { .method = "GET", .path = path };

	med_handle(&ctx, &req, resp);
	med_req_free(&req);
}

/* Count the NDJSON lines of body whose text holds needle (all with NULL); each must parse. */
static int
ndjson_lines(const char *body, const char *type, const char *needle)
{
	int n = 0;

	for (const char *p = body; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		char *line;
		cJSON *r;

		ck_assert_ptr_nonnull(nl);
		line = strndup(p, (size_t)(nl - p));
		r = cJSON_Parse(line);
		ck_assert_msg(r != NULL, "not JSON: %s", line);
		ck_assert_str_eq(ut_str(r, "resourceType"), type);
		dump(line);
		if (needle == NULL || strstr(line, needle) != NULL)
			n++;
		cJSON_Delete(r);
		free(line);
		p = nl + 1;
	}
	return n;
}

/* SMART Scheduling Links: the manifest, its files, the free slots of the horizon. */
START_TEST(bulk_publish)
{
	struct med_resp resp;
	cJSON *m, *o, *b;
	char from[32], to[32], path[512], needle[64];
	int types = 0;

	raw_get(R4 "/$bulk-publish", &resp);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.cache_control, "public, max-age=300");
	m = cJSON_Parse(resp.body);
	ck_assert_ptr_nonnull(ut_str(m, "transactionTime"));
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(m, "output")) {
		const char *url = ut_str(o, "url");
		ck_assert_ptr_nonnull(strstr(url, "/fhir/r4/$bulk-publish/"));
		ck_assert_ptr_nonnull(strstr(url, ut_str(o, "type")));
		types++;
	}
	ck_assert_int_eq(types, 3);
	cJSON_Delete(m);
	med_resp_free(&resp);

	raw_get(R4 "/$bulk-publish/Location.ndjson", &resp);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, FHIR_NDJSON);
	ck_assert_int_eq(ndjson_lines(resp.body, "Location", NULL), 1);
	med_resp_free(&resp);
	raw_get(R4 "/$bulk-publish/Schedule.ndjson", &resp);
	ck_assert_int_eq(ndjson_lines(resp.body, "Schedule", NULL), 5);
	med_resp_free(&resp);

	/* The free slots of each doctor: exactly Slot?status=free over the horizon. */
	util_fmt_instant(med_now(&ctx), from);
	util_fmt_instant(med_now(&ctx) + 14 * 86400, to);
	raw_get(R4 "/$bulk-publish/Slot.ndjson", &resp);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.cache_control, "public, max-age=300");
	ck_assert_int_eq(ndjson_lines(resp.body, "Slot", "\"busy\""), 0);
	ck_assert_int_eq(ndjson_lines(resp.body, "Slot", NULL),
	    ndjson_lines(resp.body, "Slot", "booking-deep-link"));
	/* Into the web app's booking page of the slot's doctor. */
	ck_assert_int_eq(ndjson_lines(resp.body, "Slot", "\"valueUrl\":\"https://localhost/#/doctor/"),
	    ndjson_lines(resp.body, "Slot", NULL));
	snprintf(path, sizeof path, R4 "/Slot?schedule=" DOC_SAMIR "&status=free&start=ge%s"
	    "&start=lt%s&_count=1", from, to);
	ck_assert_int_eq(fcall(path, NULL, NULL, &b), 200);
	snprintf(needle, sizeof needle, "Schedule/%s", DOC_SAMIR);
	ck_assert_int_gt((int)ut_num(b, "total"), 0);
	ck_assert_int_eq(ndjson_lines(resp.body, "Slot", needle), (int)ut_num(b, "total"));
	cJSON_Delete(b);
	/* No medical data: nothing of a patient or an appointment. */
	ck_assert_ptr_null(strstr(resp.body, "Patient"));
	ck_assert_ptr_null(strstr(resp.body, "Appointment"));
	med_resp_free(&resp);
}
END_TEST

static Suite *
fhir_suite(void)
{
	Suite *s = suite_create("fhir");
	TCase *tc = tcase_create("fhir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, metadata_is_the_table);
	tcase_add_test(tc, practitioner_and_friends);
	tcase_add_test(tc, slot_equals_slots_route);
	tcase_add_test(tc, slot_equals_slots_route_with_closures);
	tcase_add_test(tc, slot_busy_is_the_booking);
	tcase_add_test(tc, healthcare_service);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, patient_ownership_and_audit);
	tcase_add_test(tc, search_without_profile);
	tcase_add_test(tc, appointment_ownership_and_search);
	tcase_add_test(tc, bulk_publish);
	tcase_add_test(tc, fault_is_outcome);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(fhir_suite)
