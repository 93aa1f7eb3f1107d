/*
 * test_audit.c - the audit log in-process: the exact rows a scripted
 * sequence leaves, list and denied rows, billing traces, the GET /audit
 * filters, and that a failing audit write fails the request.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_query.h"
#include "db.h"
#include "clin_test.h"
#include "testreg.h"

#define R "/api/v1/medical-records"


/* GET /audit?<query> as admin; the data array (caller frees env). */
static cJSON *
audit_get(const char *query, cJSON **env)
{
	char path[512];

	snprintf(path, sizeof path, "/api/v1/audit?%s", query);
	ck_assert_int_eq(test_call(&ctx, "GET", path, c.admin, NULL, env), 200);
	ck_assert(cJSON_IsArray(ut_data(*env)));
	return ut_data(*env);
}

static void
expect_row(cJSON *row, const char *user_id, const char *role, const char *action,
    const char *entity, const char *entity_id, const char *outcome)
{
	ck_assert_ptr_nonnull(row);
	ck_assert_str_eq(ut_str(row, "user_id"), user_id);
	ck_assert_str_eq(ut_str(row, "role"), role);
	ck_assert_str_eq(ut_str(row, "action"), action);
	ck_assert_str_eq(ut_str(row, "entity"), entity);
	if (entity_id == NULL)
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(row, "entity_id")));
	else
		ck_assert_str_eq(ut_str(row, "entity_id"), entity_id);
	ck_assert_str_eq(ut_str(row, "outcome"), outcome);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(row, "id")));
	ck_assert_ptr_nonnull(ut_str(row, "at"));
	ck_assert(cJSON_HasObjectItem(row, "detail"));
}

/* The scripted sequence of the brief, row for row. */
START_TEST(audit_scripted_sequence)
{
	cJSON *env = NULL, *rows;
	char *id, query[128];

	/* Doctor X writes a record for A. */
	id = ut_create_id(&ctx, R, c.x, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"Angine\"}");
	snprintf(query, sizeof query, R "/%s", id);
	ctx.fixed_now += 10;
	/* A reads it. */
	ck_assert_int_eq(test_call(&ctx, "GET", query, c.a, NULL, NULL), 200);
	ctx.fixed_now += 10;
	/* Y tries and is refused. */
	ck_assert_int_eq(test_call(&ctx, "GET", query, c.y, NULL, NULL), 403);
	ctx.fixed_now += 10;
	/* The admin reads it. */
	ck_assert_int_eq(test_call(&ctx, "GET", query, c.admin, NULL, NULL), 200);

	snprintf(query, sizeof query, "entity_id=%s", id);
	rows = audit_get(query, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 4);
	/* Newest first. */
	expect_row(cJSON_GetArrayItem(rows, 0), U_ADMIN, "ADMIN", "read", "medical_record", id, "ok");
	expect_row(cJSON_GetArrayItem(rows, 1), U_Y, "DOCTOR", "read", "medical_record", id, "denied");
	expect_row(cJSON_GetArrayItem(rows, 2), U_A, "PATIENT", "read", "medical_record", id, "ok");
	expect_row(cJSON_GetArrayItem(rows, 3), U_X, "DOCTOR", "create", "medical_record", id, "ok");
	cJSON_Delete(env);
	/* Same rows when the entity is named too; none for another id. */
	snprintf(query, sizeof query, "entity=medical_record&entity_id=%s", id);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get(query, &env)), 4);
	cJSON_Delete(env);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("entity_id=" NOBODY, &env)), 0);
	cJSON_Delete(env);
	free(id);
}
END_TEST

START_TEST(audit_lists_and_writes)
{
	cJSON *env = NULL, *rows, *row;
	char *id, path[128];

	ck_assert_int_eq(ut_list_len(&ctx, R "/me", c.a), 1);
	rows = audit_get("entity_id=" REC_A, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	row = cJSON_GetArrayItem(rows, 0);
	expect_row(row, U_A, "PATIENT", "list", "medical_record", REC_A, "ok");
	ck_assert_str_eq(ut_str(row, "detail"), "/medical-records/me");
	cJSON_Delete(env);
	/* An empty list read no record, so it leaves no row. */
	ck_assert_int_eq(ut_list_len(&ctx, R "/doctor/me", c.y), 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_log WHERE user_id = '" U_Y "'"), 0);
	/* A refused create: a denied row naming the patient, no record. */
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.y,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\"}", NULL), 403);
	rows = audit_get("user_id=" U_Y, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	row = cJSON_GetArrayItem(rows, 0);
	expect_row(row, U_Y, "DOCTOR", "create", "medical_record", NULL, "denied");
	ck_assert_str_eq(ut_str(row, "detail"), "patient_id=" P_A);
	cJSON_Delete(env);
	/* Update names the fields (never the content); delete; unknown id. */
	id = ut_create_id(&ctx, R, c.x, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"Angine\"}");
	snprintf(path, sizeof path, R "/%s", id);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, c.x, "{\"notes\":\"secret\",\"diagnosis\":\"x\"}",
	    NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "DELETE", path, c.admin, NULL, NULL), 204);
	ck_assert_int_eq(test_call(&ctx, "GET", path, c.admin, NULL, NULL), 404);
	snprintf(path, sizeof path, "entity_id=%s", id);
	rows = audit_get(path, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 4);
	expect_row(cJSON_GetArrayItem(rows, 0), U_ADMIN, "ADMIN", "read", "medical_record", id, "not_found");
	expect_row(cJSON_GetArrayItem(rows, 1), U_ADMIN, "ADMIN", "delete", "medical_record", id, "ok");
	row = cJSON_GetArrayItem(rows, 2);
	expect_row(row, U_X, "DOCTOR", "update", "medical_record", id, "ok");
	ck_assert_str_eq(ut_str(row, "detail"), "fields=diagnosis,notes");
	{
		char *text = cJSON_PrintUnformatted(rows);
		ck_assert_ptr_nonnull(text);
		ck_assert_ptr_null(strstr(text, "secret"));
		free(text);
	}
	cJSON_Delete(env);
	free(id);
}
END_TEST

START_TEST(audit_billing_traces)
{
	cJSON *env = NULL, *rows;
	char *pol, query[128];

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/billing/" BILL_A, c.a, NULL, NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/billing/" BILL_A, c.b, NULL, NULL), 403);
	ck_assert_int_eq(ut_list_len(&ctx, "/api/v1/billing/patient/" P_A, c.staff), 1);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/billing/" BILL_A, c.staff,
	    "{\"status\":\"VOID\"}", NULL), 200);
	rows = audit_get("entity=billing&entity_id=" BILL_A, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 4);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(rows, 0), "action"), "update");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(rows, 0), "role"), "STAFF");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(rows, 1), "action"), "list");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(rows, 2), "outcome"), "denied");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(rows, 3), "outcome"), "ok");
	cJSON_Delete(env);
	/* Policies and claims too. */
	pol = ut_create_id(&ctx, "/api/v1/billing/policies", c.staff,
	    "{\"patient_id\":\"" P_B "\",\"provider_name\":\"CNAS\",\"policy_number\":\"N-9\"}");
	ck_assert_int_eq(ut_list_len(&ctx, "/api/v1/billing/policies/me", c.b), 1);
	snprintf(query, sizeof query, "entity=insurance_policy&entity_id=%s", pol);
	rows = audit_get(query, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(rows, 0), "action"), "list");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(rows, 1), "action"), "create");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/billing/claims", c.staff,
	    "{\"policy_id\":\"" POLICY_A "\"}", NULL), 201);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("entity=insurance_claim", &env)), 1);
	cJSON_Delete(env);
	free(pol);
}
END_TEST

START_TEST(audit_filters)
{
	cJSON *env = NULL;
	char query[128], *a, *x;

	/* Validation and roles (before the clock moves: tokens are from now). */
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/audit?user_id=x", c.admin, NULL, NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/audit?from=yesterday", c.admin, NULL, NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/audit?to=2026-13-01", c.admin, NULL, NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/audit?limit=0", c.admin, NULL, NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/audit", c.staff, NULL, NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/audit", c.x, NULL, NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/audit", NULL, NULL, NULL), 401);

	/* Tokens are issued at the controlled clock, so log in at each instant. */
	ctx.fixed_now = 1767268800; /* 2026-01-01T12:00:00Z */
	a = ut_login(&ctx, E_A);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, a, NULL, NULL), 200);
	ctx.fixed_now += 86400;     /* 2026-01-02T12:00:00Z */
	x = ut_login(&ctx, E_X);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, x, NULL, NULL), 200);
	free(a);
	free(x);
	free(c.admin);
	c.admin = ut_login(&ctx, E_ADMIN);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("", &env)), 2);
	cJSON_Delete(env);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("from=2026-01-02", &env)), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "user_id"), U_X);
	cJSON_Delete(env);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("to=2026-01-01", &env)), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "user_id"), U_A);
	cJSON_Delete(env);
	/* Instants: `to` is inclusive. */
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("to=2026-01-01T12:00:00Z", &env)), 1);
	cJSON_Delete(env);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("to=2026-01-01T11:59:59Z", &env)), 0);
	cJSON_Delete(env);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get(
	    "from=2026-01-01T12:00:01Z&to=2026-01-02T12:00:00Z", &env)), 1);
	cJSON_Delete(env);
	snprintf(query, sizeof query, "user_id=%s&entity=medical_record", U_A);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get(query, &env)), 1);
	cJSON_Delete(env);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("entity=billing", &env)), 0);
	cJSON_Delete(env);
	ck_assert_int_eq(cJSON_GetArraySize(audit_get("skip=1&limit=1", &env)), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "user_id"), U_A);
	cJSON_Delete(env);
}
END_TEST

/* The list event of audit_list_is_one_event, found by each way of asking. */
static void
list_event_found(char *const id[2])
{
	cJSON *env = NULL, *rows, *row;
	char query[128];

	rows = audit_get("user_id=" U_A, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	row = cJSON_GetArrayItem(rows, 0);
	expect_row(row, U_A, "PATIENT", "list", "medical_record", NULL, "ok");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(row, "entity_ids")), 3);
	cJSON_Delete(env);
	for (int i = 0; i < 2; i++) {
		snprintf(query, sizeof query, "entity=medical_record&entity_id=%s", id[i]);
		rows = audit_get(query, &env);
		/* The list event (newest) and the record's creation. */
		ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
		expect_row(cJSON_GetArrayItem(rows, 0), U_A, "PATIENT", "list", "medical_record",
		    id[i], "ok");
		expect_row(cJSON_GetArrayItem(rows, 1), U_X, "DOCTOR", "create", "medical_record",
		    id[i], "ok");
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 1),
		    "entity_ids")), 0);
		cJSON_Delete(env);
	}
	/* Found by one record, the event still names the whole page. */
	rows = audit_get("entity_id=" REC_A "&user_id=" U_A, &env);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0),
	    "entity_ids")), 3);
	cJSON_Delete(env);
	/* The patient's trail (medadm audit --patient, export) has the event; B's has not. */
	{
		struct audit_filter f = { .patient_id = P_A, .entity = "medical_record", .limit = 100 };
		int lists = 0;

		ck_assert_int_eq(audit_query(&ctx, &f, &rows), MED_OK);
		cJSON_ArrayForEach(row, rows)
			lists += strcmp(ut_str(row, "action"), "list") == 0;
		ck_assert_int_eq(lists, 1);
		cJSON_Delete(rows);
		f.patient_id = P_B;
		ck_assert_int_eq(audit_query(&ctx, &f, &rows), MED_OK);
		cJSON_ArrayForEach(row, rows)
			ck_assert_str_ne(ut_str(row, "action"), "list");
		cJSON_Delete(rows);
	}
}

/*
 * A list read is one event naming every record it showed: the log grows by
 * one row per page, not per record, and each record's own filter still
 * finds the event, under that record's id, before the sender's indexer
 * ran (audit_seen_all reads the event itself) and after (audit_seen).
 */
START_TEST(audit_list_is_one_event)
{
	char *id[2];
	long long before;
	int n;

	for (int i = 0; i < 2; i++)
		id[i] = ut_create_id(&ctx, R, c.x, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"Angine\"}");
	before = ut_count(&ctx, "SELECT count(*) FROM audit_log");
	ck_assert_int_eq(ut_list_len(&ctx, R "/me", c.a), 3);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_log"), before + 1);
	/* The audited read committed relaxed; the connection is back to FULL (2) for writes. */
	ck_assert_int_eq(ut_count(&ctx, "PRAGMA synchronous"), 2);
	/* What TX_AUDIT runs: NORMAL (1) through the transaction, FULL after; nested: unchanged. */
	ck_assert_int_eq(db_begin_audit(&ctx), MED_OK);
	ck_assert_int_eq(ut_count(&ctx, "PRAGMA synchronous"), 1);
	ck_assert_int_eq(db_begin_audit(&ctx), MED_OK);
	ck_assert_int_eq(db_commit(&ctx), MED_OK);
	ck_assert_int_eq(ut_count(&ctx, "PRAGMA synchronous"), 1);
	ck_assert_int_eq(db_commit(&ctx), MED_OK);
	ck_assert_int_eq(ut_count(&ctx, "PRAGMA synchronous"), 2);
	ck_assert_int_eq(db_begin_audit(&ctx), MED_OK);
	db_rollback(&ctx);
	ck_assert_int_eq(ut_count(&ctx, "PRAGMA synchronous"), 2);
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	ck_assert_int_eq(ut_count(&ctx, "PRAGMA synchronous"), 2);
	db_rollback(&ctx);

	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen"), 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen_all"), 3);
	list_event_found(id);
	/* The indexer, in two batches; a third finds nothing left. */
	ck_assert_int_eq(audit_index(&ctx, (int)before, &n), MED_OK);
	ck_assert_int_eq(n, (int)before);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen"), 0);
	ck_assert_int_eq(audit_index(&ctx, 1000, &n), MED_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(audit_index(&ctx, 1000, &n), MED_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen"), 3);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen_all"), 3);
	list_event_found(id);

	ck_assert_int_ne(db_exec(&ctx, "DELETE FROM audit_seen"), MED_OK);
	ck_assert_int_ne(db_exec(&ctx, "UPDATE audit_seen SET entity_id = 'x'"), MED_OK);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen"), 3);
	free(id[0]);
	free(id[1]);
}
END_TEST

/* No trace, no access: when the log refuses the row, the request fails whole. */
START_TEST(audit_failure_fails_request)
{
	long long records = ut_count(&ctx, "SELECT count(*) FROM medical_records");
	long long bills = ut_count(&ctx, "SELECT count(*) FROM billings");

	ck_assert_int_eq(db_exec(&ctx, "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log"
	    " BEGIN SELECT RAISE(ABORT, 'audit down'); END"), MED_OK);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/" REC_A, c.a, NULL, "Internal error"), 500);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/me", c.a, NULL, NULL), 500);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\"}", NULL), 500);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.x, "{\"diagnosis\":\"changed\"}", NULL), 500);
	ck_assert_int_eq(test_call(&ctx, "DELETE", R "/" REC_A, c.admin, NULL, NULL), 500);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/billing", c.staff,
	    "{\"patient_id\":\"" P_A "\",\"amount\":1}", NULL), 500);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/billing/" BILL_A, c.staff, NULL, NULL), 500);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM medical_records"), records);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM medical_records WHERE diagnosis = 'changed'"), 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM billings"), bills);
	/* Requests that read nothing audited still work. */
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users/me", c.a, NULL, NULL), 200);
	ck_assert_int_eq(db_exec(&ctx, "DROP TRIGGER audit_down"), MED_OK);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, c.a, NULL, NULL), 200);
}
END_TEST

/* The log is append-only even for a client holding the connection. */
START_TEST(audit_append_only)
{
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, c.a, NULL, NULL), 200);
	ck_assert_int_ne(db_exec(&ctx, "UPDATE audit_log SET outcome = 'ok'"), MED_OK);
	ck_assert_int_ne(db_exec(&ctx, "DELETE FROM audit_log"), MED_OK);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_log"), 1);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, audit_scripted_sequence);
	tcase_add_test(tc, audit_lists_and_writes);
	tcase_add_test(tc, audit_list_is_one_event);
	tcase_add_test(tc, audit_billing_traces);
	tcase_add_test(tc, audit_filters);
	tcase_add_test(tc, audit_failure_fails_request);
	tcase_add_test(tc, audit_append_only);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(audit_suite)
