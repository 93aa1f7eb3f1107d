/*
 * test_patients.c - /patients in-process (API.md §4): own profile life
 * cycle, partial updates, limits, role rules, the doctor-treats rule, the
 * audit trail and deletion with history.
 */
#include "unitkit.h"
#include "testreg.h"

UT_SEEDED_FIXTURE

static long long
audit_rows(const char *action, const char *entity_id, const char *outcome)
{
	return ut_count(&ctx, "SELECT count(*) FROM audit_log WHERE entity = 'patient'"
	    " AND action = '%s' AND entity_id = '%s' AND outcome = '%s'", action, entity_id, outcome);
}

START_TEST(own_profile_lifecycle)
{
	char uid[37], pid[37], msg[128];
	char *tok = ut_new_user(&ctx, "pat.life@example.dz", NULL, uid);
	cJSON *env = NULL, *d;

	ck_assert_int_eq(ut_call_msg(&ctx, "GET", "/api/v1/patients/me", tok, NULL, msg,
	    sizeof msg), 404);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok, "{\"phone\":\"1\"}"), 404);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/patients/me", tok,
	    "{\"first_name\":\"Lina\",\"last_name\":\"Mansouri\",\"date_of_birth\":\"2001-02-03\","
	    "\"blood_type\":\"O-\",\"allergies\":\"Latex\",\"user_id\":\"" USR_AMINA "\"}", &env), 201);
	d = ut_data(env);
	snprintf(pid, sizeof pid, "%s", ut_str(d, "id"));
	/* A user_id in the body is ignored: the profile is the caller's. */
	ck_assert_str_eq(ut_str(d, "user_id"), uid);
	ck_assert_str_eq(ut_str(d, "first_name"), "Lina");
	ck_assert_str_eq(ut_str(d, "date_of_birth"), "2001-02-03");
	ck_assert(ut_is_null(d, "phone"));
	ck_assert_ptr_nonnull(ut_str(d, "created_at"));
	ck_assert_ptr_nonnull(ut_str(d, "updated_at"));
	cJSON_Delete(env);
	ck_assert_int_eq(audit_rows("create", pid, "ok"), 1);

	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/patients/me", tok, "{}", msg,
	    sizeof msg), 409);
	ck_assert_str_eq(msg, "Patient profile already exists");

	/* Partial: only present fields change; null clears. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/patients/me", tok,
	    "{\"phone\":\"+213555000111\",\"allergies\":null}", &env), 200);
	d = ut_data(env);
	ck_assert_str_eq(ut_str(d, "phone"), "+213555000111");
	ck_assert(ut_is_null(d, "allergies"));
	ck_assert_str_eq(ut_str(d, "first_name"), "Lina");
	ck_assert_str_eq(ut_str(d, "blood_type"), "O-");
	cJSON_Delete(env);
	ck_assert_int_eq(audit_rows("update", pid, "ok"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_log WHERE entity_id = '%s'"
	    " AND action = 'update' AND detail = 'fields=phone,allergies'", pid), 1);

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients/me", tok, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "id"), pid);
	ck_assert_str_eq(ut_str(ut_data(env), "phone"), "+213555000111");
	cJSON_Delete(env);
	ck_assert_int_eq(audit_rows("read", pid, "ok"), 1);
	free(tok);
}
END_TEST

START_TEST(limits_and_types)
{
	char *tok = ut_login(&ctx, EM_AMINA);
	char body[700], big[520];
	cJSON *env = NULL;

	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok,
	    "{\"blood_type\":\"ABCDEF\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok,
	    "{\"date_of_birth\":\"1990-02-30\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok,
	    "{\"phone\":213550100001}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok,
	    "{\"phone\":\"123456789012345678901\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok, "[1]"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok, "{bad"), 422);
	memset(big, 'x', 501);
	big[501] = '\0';
	snprintf(body, sizeof body, "{\"allergies\":\"%s\"}", big);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok, body), 422);
	big[500] = '\0';
	snprintf(body, sizeof body, "{\"allergies\":\"%s\"}", big);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/me", tok, body), 200);
	/* The rejected ones changed nothing. */
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients/me", tok, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "blood_type"), "A+");
	ck_assert_str_eq(ut_str(ut_data(env), "phone"), "+213550100001");
	ck_assert_str_eq(ut_str(ut_data(env), "date_of_birth"), "1990-04-12");
	ck_assert_int_eq((int)strlen(ut_str(ut_data(env), "allergies")), 500);
	cJSON_Delete(env);
	free(tok);
}
END_TEST

START_TEST(admin_create)
{
	char *admin = ut_login(&ctx, EM_ADMIN), *pat = ut_login(&ctx, EM_AMINA);
	char uid[37], body[256], msg[128];
	char *tok = ut_new_user(&ctx, "pat.admin@example.dz", NULL, uid);
	cJSON *env = NULL;

	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/patients", admin,
	    "{\"first_name\":\"X\"}", msg, sizeof msg), 400);
	ck_assert_str_eq(msg, "user_id is required");
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients", admin,
	    "{\"user_id\":\"not-a-uuid\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients", admin,
	    "{\"user_id\":\"" NO_SUCH_ID "\"}"), 404);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"last_name\":\"Haddad\"}", uid);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients", pat, body), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients", NULL, body), 401);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/patients/", admin, body, &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "user_id"), uid);
	ck_assert_str_eq(ut_str(ut_data(env), "last_name"), "Haddad");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients", admin, body), 409);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients/me", tok, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "last_name"), "Haddad");
	cJSON_Delete(env);
	free(admin);
	free(pat);
	free(tok);
}
END_TEST

START_TEST(list_roles)
{
	char *admin = ut_login(&ctx, EM_ADMIN), *staff = ut_login(&ctx, EM_STAFF);
	char *pat = ut_login(&ctx, EM_AMINA), *doc = ut_login(&ctx, EM_SAMIR);
	cJSON *env = NULL, *list;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients", admin, NULL, &env), 200);
	list = ut_data(env);
	ck_assert_int_eq(cJSON_GetArraySize(list), 4);
	/* Ordered by last name: Benali, Bouzid, Cheriet, Rahmani. */
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(list, 0), "last_name"), "Benali");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(list, 3), "last_name"), "Rahmani");
	cJSON_Delete(env);
	/* One event for the page, naming the four patients it showed. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_log WHERE entity = 'patient'"
	    " AND action = 'read' AND detail = 'list'"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen_all s JOIN audit_log a"
	    " ON a.id = s.event_id WHERE a.entity = 'patient' AND a.detail = 'list'"
	    " AND s.entity_id IN (SELECT id FROM patients)"), 4);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients/?skip=1&limit=2", staff, NULL,
	    &env), 200);
	list = ut_data(env);
	ck_assert_int_eq(cJSON_GetArraySize(list), 2);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(list, 0), "last_name"), "Bouzid");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients?limit=0", staff, NULL), 422);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients?skip=-1", staff, NULL), 422);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients", pat, NULL), 403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients", doc, NULL), 403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients", NULL, NULL), 401);
	free(admin);
	free(staff);
	free(pat);
	free(doc);
}
END_TEST

START_TEST(get_by_id_rules)
{
	char *admin = ut_login(&ctx, EM_ADMIN), *staff = ut_login(&ctx, EM_STAFF);
	char *samir = ut_login(&ctx, EM_SAMIR), *nadia = ut_login(&ctx, EM_NADIA);
	char *amina = ut_login(&ctx, EM_AMINA), msg[128];
	cJSON *env = NULL;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients/" PAT_AMINA, staff, NULL, &env),
	    200);
	ck_assert_str_eq(ut_str(ut_data(env), "allergies"), "Pénicilline");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/" PAT_AMINA, admin, NULL), 200);
	/* Rule: Samir sees Amina (appointments together); Nadia does not. */
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/" PAT_AMINA, samir, NULL), 200);
	ck_assert_int_eq(ut_call_msg(&ctx, "GET", "/api/v1/patients/" PAT_AMINA, nadia, NULL, msg,
	    sizeof msg), 403);
	ck_assert_str_eq(msg, "Forbidden");
	ck_assert_int_eq(audit_rows("read", PAT_AMINA, "denied"), 1);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/" PAT_SOFIANE, nadia, NULL), 200);
	/* A patient reads others through no route; not even themself by id. */
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/" PAT_AMINA, amina, NULL), 403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/" NO_SUCH_ID, admin, NULL), 404);
	/* A doctor learns nothing about unknown ids. */
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/" NO_SUCH_ID, samir, NULL), 403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/xyz", admin, NULL), 422);
	ck_assert_int_eq(audit_rows("read", PAT_AMINA, "ok"), 3);
	free(admin);
	free(staff);
	free(samir);
	free(nadia);
	free(amina);
}
END_TEST

START_TEST(admin_patch_delete)
{
	char *admin = ut_login(&ctx, EM_ADMIN), *staff = ut_login(&ctx, EM_STAFF);
	char uid[37], pid[37], path[128], msg[128];
	char *tok = ut_new_user(&ctx, "pat.del@example.dz", NULL, uid);
	cJSON *env = NULL;

	ut_own_profile(&ctx, "/api/v1/patients/me", tok, "{\"first_name\":\"Del\",\"city\":\"Oran\"}", pid);
	snprintf(path, sizeof path, "/api/v1/patients/%s", pid);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"city\":null,\"gender\":\"F\"}",
	    &env), 200);
	ck_assert(ut_is_null(ut_data(env), "city"));
	ck_assert_str_eq(ut_str(ut_data(env), "gender"), "F");
	ck_assert_str_eq(ut_str(ut_data(env), "first_name"), "Del");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", path, staff, "{\"city\":\"X\"}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", path, tok, "{\"city\":\"X\"}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/patients/" NO_SUCH_ID, admin, "{}"), 404);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", path, staff, NULL), 403);

	/* History is never cascaded away. */
	ck_assert_int_eq(ut_call_msg(&ctx, "DELETE", "/api/v1/patients/" PAT_AMINA, admin, NULL,
	    msg, sizeof msg), 409);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM patients WHERE id = '" PAT_AMINA "'"), 1);

	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/favorite", tok, NULL),
	    201);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", path, admin, NULL), 204);
	ck_assert_int_eq(ut_status(&ctx, "GET", path, admin, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", path, admin, NULL), 404);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM favorite_doctors WHERE patient_id = '%s'",
	    pid), 0);
	ck_assert_int_eq(audit_rows("delete", pid, "ok"), 1);
	/* The account can make a new profile afterwards. */
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients/me", tok, "{}"), 201);
	free(admin);
	free(staff);
	free(tok);
}
END_TEST

START_TEST(admin_own_profile)
{
	char *admin = ut_login(&ctx, EM_ADMIN), *doc = ut_login(&ctx, EM_SAMIR);

	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/me", admin, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients/me", admin, "{\"first_name\":\"A\"}"),
	    201);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/me", admin, NULL), 200);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/me", doc, NULL), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/patients/me", doc, "{}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients/me", NULL, NULL), 401);
	free(admin);
	free(doc);
}
END_TEST

static Suite *
patients_suite(void)
{
	Suite *s = suite_create("patients");
	TCase *tc = tcase_create("patients");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, own_profile_lifecycle);
	tcase_add_test(tc, limits_and_types);
	tcase_add_test(tc, admin_create);
	tcase_add_test(tc, list_roles);
	tcase_add_test(tc, get_by_id_rules);
	tcase_add_test(tc, admin_patch_delete);
	tcase_add_test(tc, admin_own_profile);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(patients_suite)
