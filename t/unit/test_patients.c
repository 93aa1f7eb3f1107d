/*
 * test_patients.c - /patients in-process (API.md §4): own profile life
 * cycle, partial updates, limits, role rules, the doctor-treats rule, the
 * audit trail and deletion with history; the front desk's registration of
 * a walk-in (POST /desk/patients): account, profile and invitation mail in
 * one transaction, the invitation's link setting the password.
 */
#include <time.h>

#include "dbsum.h"
#include "outbox.h"
#include "proc.h"
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

/* The desk names a week's patients in a few requests: ?ids=, at most 100, UUIDs only. */
START_TEST(list_by_ids)
{
	char *staff = ut_login(&ctx, EM_STAFF);
	char path[8192];
	cJSON *env = NULL, *list;
	size_t used;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients?ids=" PAT_SOFIANE "," PAT_AMINA
	    "," NO_SUCH_ID, staff, NULL, &env), 200);
	list = ut_data(env);
	ck_assert_int_eq(cJSON_GetArraySize(list), 2);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(list, 0), "id"), PAT_AMINA);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(list, 1), "id"), PAT_SOFIANE);
	cJSON_Delete(env);
	/* Audited like any list: the two shown. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_seen_all s JOIN audit_log a"
	    " ON a.id = s.event_id WHERE a.entity = 'patient' AND a.detail = 'list'"
	    " AND s.entity_id IN ('" PAT_AMINA "', '" PAT_SOFIANE "')"), 2);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients?ids=" PAT_AMINA ",nope", staff,
	    NULL), 422);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients?ids=" PAT_AMINA ",", staff, NULL),
	    422);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/patients?ids=" PAT_AMINA "%20", staff, NULL),
	    422);
	/* 100 ids pass; 101 do not. */
	used = (size_t)snprintf(path, sizeof path, "/api/v1/patients?ids=%s", PAT_AMINA);
	for (int i = 1; i < 100; i++)
		used += (size_t)snprintf(path + used, sizeof path - used, ",%s", PAT_SOFIANE);
	ck_assert_int_eq(test_call(&ctx, "GET", path, staff, NULL, &env), 200);
	cJSON_Delete(env);
	snprintf(path + used, sizeof path - used, ",%s", PAT_SARA);
	ck_assert_int_eq(ut_status(&ctx, "GET", path, staff, NULL), 422);
	free(staff);
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

#define DESK "/api/v1/desk/patients"
#define WALKIN "walk.in@example.dz"

/* Deliver the outbox's messages, each written by a shell line into <data_dir>/mail.eml. */
static void
deliver_to_file(char *mail, size_t size)
{
	char path[MED_PATH_MAX];
	struct outbox_stats st;

	ck_assert_uint_lt((size_t)snprintf(path, sizeof path, "%s/mail.eml", ctx.cfg.data_dir),
	    sizeof path);
	ck_assert_uint_lt((size_t)snprintf(ctx.cfg.mail.command, sizeof ctx.cfg.mail.command,
	    "cat > '%s'", path), sizeof ctx.cfg.mail.command);
	ctx.cfg.mail.reset_command[0] = '\0';
	snprintf(ctx.cfg.mail.from, sizeof ctx.cfg.mail.from, "Clinic <no-reply@example.dz>");
	ctx.cfg.mail.timeout_seconds = 30;
	ctx.cfg.mail.max_attempts = 8;
	ctx.cfg.mail.retry_seconds = 60;
	ctx.cfg.mail.per_recipient_hour = 10;
	ck_assert_int_eq(outbox_run(&ctx, NULL, &st), MED_OK);
	ck_assert_int_eq(st.sent, 1);
	proc_slurp(path, mail, size);
}

/*
 * The front desk registers a walk-in: 201 with the Patient as GET
 * /patients/{id} shows it; one account (PATIENT, no password yet, its
 * locale), one profile, one invitation in the outbox and the audit row of
 * a create.  Nobody logs in before the link is used (401 as a wrong
 * password); the mailed link's token then sets the password.
 */
START_TEST(desk_registers_walk_in)
{
	char *staff = ut_login(&ctx, EM_STAFF), *admin = ut_login(&ctx, EM_ADMIN), *tok;
	char pid[37], uid[37], path[96], msg[128], mail[16384], token[2048], body[2300];
	const char *link;
	cJSON *env = NULL, *got = NULL;
	size_t n;

	ck_assert_int_eq(test_call(&ctx, "POST", DESK, staff,
	    "{\"email\":\"" WALKIN "\",\"first_name\":\"Yasmine\",\"last_name\":\"Kaci\","
	    "\"phone\":\"+213555123456\",\"date_of_birth\":\"1988-07-05\",\"locale\":\"en\","
	    "\"password\":\"ignored-here\",\"role\":\"ADMIN\"}", &env), 201);
	snprintf(pid, sizeof pid, "%s", ut_str(ut_data(env), "id"));
	snprintf(uid, sizeof uid, "%s", ut_str(ut_data(env), "user_id"));
	ck_assert_str_eq(ut_str(ut_data(env), "first_name"), "Yasmine");
	ck_assert_str_eq(ut_str(ut_data(env), "date_of_birth"), "1988-07-05");
	ck_assert(ut_is_null(ut_data(env), "allergies"));
	snprintf(path, sizeof path, "/api/v1/patients/%s", pid);
	ck_assert_int_eq(test_call(&ctx, "GET", path, staff, NULL, &got), 200);
	ck_assert_msg(cJSON_Compare(ut_data(env), ut_data(got), 1), "POST and GET differ");
	cJSON_Delete(env);
	cJSON_Delete(got);

	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM users u JOIN roles r ON r.id = u.role_id"
	    " WHERE u.id = '%s' AND u.email = '" WALKIN "' AND r.name = 'PATIENT' AND u.locale = 'en'"
	    " AND u.password_hash = '!unset' AND u.is_active = 1 AND u.is_superuser = 0", uid), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM patients WHERE user_id = '%s'", uid), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = 'patient_invite'"
	    " AND recipient = '" WALKIN "' AND locale = 'en' AND expires_at = %lld",
	    (long long)ctx.fixed_now + (long long)ctx.cfg.reset_minutes * 60), 1);
	ck_assert_int_eq(audit_rows("create", pid, "ok"), 1);

	/* Before the link is used: the same 401 as a wrong password, whatever is tried. */
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/auth/login", NULL,
	    "{\"email\":\"" WALKIN "\",\"password\":\"!unset\"}", msg, sizeof msg), 401);
	ck_assert_str_eq(msg, "Invalid credentials");
	ck_assert_ptr_null(test_login(&ctx, WALKIN, "ignored-here"));

	deliver_to_file(mail, sizeof mail);
	ck_assert_ptr_nonnull(strstr(mail, "\nTo: " WALKIN "\n"));
	ck_assert_ptr_nonnull(strstr(mail, "The clinic's front desk has just created your patient"));
	ck_assert_ptr_nonnull(link = strstr(mail, "/#/reset?token="));
	link += strlen("/#/reset?token=");
	n = strcspn(link, "\n");
	ck_assert_uint_gt(n, 40);
	ck_assert_uint_lt(n, sizeof token);
	snprintf(token, sizeof token, "%.*s", (int)n, link);
	/* The same token as a code, for the "I have a code" page. */
	snprintf(body, sizeof body, "\n%s\n", token);
	ck_assert_ptr_nonnull(strstr(mail, body));

	snprintf(body, sizeof body, "{\"reset_token\":\"%s\",\"new_password\":\"Walk-in-pass1\"}", token);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/auth/reset", NULL, body), 200);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/auth/reset", NULL, body), 400);
	ck_assert_ptr_nonnull(tok = test_login(&ctx, WALKIN, "Walk-in-pass1"));
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/patients/me", tok, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "id"), pid);
	cJSON_Delete(env);

	/* An admin registers too; without a locale the account has none (French mails). */
	ck_assert_int_eq(test_call(&ctx, "POST", DESK, admin, "{\"email\":\"walk.in2@example.dz\","
	    "\"first_name\":\"Omar\",\"last_name\":\"Saidi\"}", &env), 201);
	ck_assert(ut_is_null(ut_data(env), "phone"));
	cJSON_Delete(env);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM users WHERE email = 'walk.in2@example.dz'"
	    " AND locale IS NULL"), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox WHERE kind = 'patient_invite'"
	    " AND recipient = 'walk.in2@example.dz' AND locale = 'fr'"), 1);
	free(tok);
	free(staff);
	free(admin);
}
END_TEST

/*
 * A failed login of email, asserting the 401 of a wrong password; the
 * processor time it took, in ms: the KDF runs in this process, and
 * processor time is what another load on the machine does not move.
 */
static double
failed_login_ms(const char *email)
{
	char msg[64], body[256];
	clock_t c0 = clock();

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"Not-the-password9\"}", email);
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/auth/login", NULL, body, msg, sizeof msg),
	    401);
	ck_assert_str_eq(msg, "Invalid credentials");
	return (double)(clock() - c0) * 1000.0 / CLOCKS_PER_SEC;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define TIMED 4     /* per account; under the 5 failures of the login throttle */

/*
 * Logging in to an account no password opens yet runs the KDF all the
 * same (the dummy hash): its time is a wrong password's.  Skipping it
 * would cost a few milliseconds against a KDF's hundreds; the check is
 * that neither median is twice the other.
 */
START_TEST(desk_invited_login_costs_a_kdf)
{
	char *staff = ut_login(&ctx, EM_STAFF);
	double invited[TIMED], known[TIMED];

	ck_assert_int_eq(ut_status(&ctx, "POST", DESK, staff, "{\"email\":\"" WALKIN "\","
	    "\"first_name\":\"A\",\"last_name\":\"B\"}"), 201);
	for (int i = 0; i < TIMED; i++) {
		invited[i] = failed_login_ms(WALKIN);
		known[i] = failed_login_ms(EM_SARA);
	}
	qsort(invited, TIMED, sizeof invited[0], cmp_double);
	qsort(known, TIMED, sizeof known[0], cmp_double);
	fprintf(stderr, "login: invited account %.1f ms, wrong password %.1f ms (medians of %d)\n",
	    invited[TIMED / 2], known[TIMED / 2], TIMED);
	ck_assert_msg(invited[TIMED / 2] * 2 > known[TIMED / 2] && known[TIMED / 2] * 2 > invited[TIMED / 2],
	    "invited %.1f ms vs wrong password %.1f ms", invited[TIMED / 2], known[TIMED / 2]);
	free(staff);
}
END_TEST

/* A registered email (in any case) is 409 with register's words, and nothing is written. */
START_TEST(desk_duplicate_email)
{
	char *staff = ut_login(&ctx, EM_STAFF), msg[128];
	struct dbsum before, after;

	dbsum_take(ctx.cfg.db_path, NULL, &before);
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", DESK, staff, "{\"email\":\"" EM_AMINA "\","
	    "\"first_name\":\"A\",\"last_name\":\"B\"}", msg, sizeof msg), 409);
	ck_assert_str_eq(msg, "Email already registered");
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", DESK, staff, "{\"email\":\"Amina.BENALI@example.dz\","
	    "\"first_name\":\"A\",\"last_name\":\"B\"}", msg, sizeof msg), 409);
	ck_assert_str_eq(msg, "Email already registered");
	dbsum_take(ctx.cfg.db_path, NULL, &after);
	ck_assert_uint_eq(dbsum_total(&before), dbsum_total(&after));
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox"), 0);
	free(staff);
}
END_TEST

/* Validation (422) and roles: patients and doctors are refused, and nothing is written. */
START_TEST(desk_refusals)
{
	char *staff = ut_login(&ctx, EM_STAFF), *pat = ut_login(&ctx, EM_AMINA);
	char *doc = ut_login(&ctx, EM_SAMIR), body[400], big[102];
	static const char *const bad[] = {
		"{\"email\":\"no-at-sign\",\"first_name\":\"A\",\"last_name\":\"B\"}",
		"{\"email\":\"a@b\",\"first_name\":\"A\",\"last_name\":\"B\"}",
		"{\"email\":42,\"first_name\":\"A\",\"last_name\":\"B\"}",
		"{\"first_name\":\"A\",\"last_name\":\"B\"}",
		"{\"email\":\"x@example.dz\",\"last_name\":\"B\"}",
		"{\"email\":\"x@example.dz\",\"first_name\":\"A\",\"last_name\":\"\"}",
		"{\"email\":\"x@example.dz\",\"first_name\":null,\"last_name\":\"B\"}",
		"{\"email\":\"x@example.dz\",\"first_name\":\"A\",\"last_name\":\"B\",\"locale\":\"de\"}",
		"{\"email\":\"x@example.dz\",\"first_name\":\"A\",\"last_name\":\"B\",\"phone\":\"123456789012345678901\"}",
		"{\"email\":\"x@example.dz\",\"first_name\":\"A\",\"last_name\":\"B\",\"date_of_birth\":\"1990-02-30\"}",
		"[]",
	};
	const char *ok = "{\"email\":\"x@example.dz\",\"first_name\":\"A\",\"last_name\":\"B\"}";

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ut_status(&ctx, "POST", DESK, staff, bad[i]) == 422, "%s", bad[i]);
	memset(big, 'x', 101);
	big[101] = '\0';
	snprintf(body, sizeof body, "{\"email\":\"x@example.dz\",\"first_name\":\"%s\",\"last_name\":\"B\"}",
	    big);
	ck_assert_int_eq(ut_status(&ctx, "POST", DESK, staff, body), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", DESK, pat, ok), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", DESK, doc, ok), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", DESK, NULL, ok), 401);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM users WHERE email = 'x@example.dz'"), 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM outbox"), 0);
	/* 100 characters is the limit, as for a patient's own profile. */
	big[100] = '\0';
	snprintf(body, sizeof body, "{\"email\":\"x@example.dz\",\"first_name\":\"%s\",\"last_name\":\"B\"}",
	    big);
	ck_assert_int_eq(ut_status(&ctx, "POST", DESK, staff, body), 201);
	free(staff);
	free(pat);
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
	tcase_add_test(tc, list_by_ids);
	tcase_add_test(tc, get_by_id_rules);
	tcase_add_test(tc, admin_patch_delete);
	tcase_add_test(tc, admin_own_profile);
	tcase_add_test(tc, desk_registers_walk_in);
	tcase_add_test(tc, desk_duplicate_email);
	tcase_add_test(tc, desk_invited_login_costs_a_kdf);
	tcase_add_test(tc, desk_refusals);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(patients_suite)
