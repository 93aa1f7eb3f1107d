/*
 * test_doctors.c - /doctors in-process (API.md §5): the public directory
 * and its filters, specialties, profiles and their role rules, favorites
 * and reviews.
 */
#include "dircache.h"
#include "unitkit.h"
#include "testreg.h"

UT_SEEDED_FIXTURE

/* GET path anonymously; the last names of the doctors listed, comma-joined. */
static void
list_names(const char *path, char *buf, size_t size)
{
	cJSON *env = NULL, *el;
	size_t used = 0;

	buf[0] = '\0';
	ck_assert_int_eq(test_call(&ctx, "GET", path, NULL, NULL, &env), 200);
	cJSON_ArrayForEach(el, ut_data(env))
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "",
		    ut_str(el, "last_name"));
	cJSON_Delete(env);
}

START_TEST(directory_and_filters)
{
	char names[512];
	cJSON *env = NULL, *d, *specs;

	list_names("/api/v1/doctors", names, sizeof names);
	ck_assert_str_eq(names, "Ait Ali,Bensalah,Chekkal,Hamdani,Khellaf");
	list_names("/api/v1/doctors/?skip=1&limit=2", names, sizeof names);
	ck_assert_str_eq(names, "Bensalah,Chekkal");
	list_names("/api/v1/doctors?name=SAL", names, sizeof names);
	ck_assert_str_eq(names, "Bensalah");
	list_names("/api/v1/doctors?name=nadia", names, sizeof names);
	ck_assert_str_eq(names, "Khellaf");
	list_names("/api/v1/doctors?specialty=cardiologie", names, sizeof names);
	ck_assert_str_eq(names, "Bensalah");
	list_names("/api/v1/doctors?specialty=M%C3%A9decine%20interne", names, sizeof names);
	ck_assert_str_eq(names, "Bensalah");
	list_names("/api/v1/doctors?specialty=Cardio", names, sizeof names);
	ck_assert_str_eq(names, "");
	list_names("/api/v1/doctors?city=ORAN", names, sizeof names);
	ck_assert_str_eq(names, "Bensalah");
	list_names("/api/v1/doctors?city=Ora", names, sizeof names);
	ck_assert_str_eq(names, "");
	list_names("/api/v1/doctors?city=tizi+ouzou&specialty=orl", names, sizeof names);
	ck_assert_str_eq(names, "Ait Ali");
	list_names("/api/v1/doctors?city=oran&specialty=orl", names, sizeof names);
	ck_assert_str_eq(names, "");
	ut_exec(&ctx, "UPDATE doctors SET avg_rating = 4.5 WHERE id = '" DOC_NADIA "'");
	list_names("/api/v1/doctors?min_rating=4.5", names, sizeof names);
	ck_assert_str_eq(names, "Khellaf");
	list_names("/api/v1/doctors?min_rating=0", names, sizeof names);
	ck_assert_str_eq(names, "Ait Ali,Bensalah,Chekkal,Hamdani,Khellaf");
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors?min_rating=high", NULL, NULL), 422);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors?limit=abc", NULL, NULL), 422);

	/* The Doctor object, specialties included. */
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors?name=bensalah", NULL, NULL, &env), 200);
	d = cJSON_GetArrayItem(ut_data(env), 0);
	ck_assert_str_eq(ut_str(d, "id"), DOC_SAMIR);
	ck_assert_str_eq(ut_str(d, "city"), "Oran");
	ck_assert_int_eq((int)ut_num(d, "years_experience"), 18);
	ck_assert(ut_num(d, "avg_rating") == 0);
	ck_assert_int_eq((int)ut_num(d, "rating_count"), 0);
	specs = cJSON_GetObjectItem(d, "specialties");
	ck_assert_int_eq(cJSON_GetArraySize(specs), 2);
	ck_assert_int_eq((int)ut_num(cJSON_GetArrayItem(specs, 0), "id"), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(specs, 0), "name"), "Cardiologie");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(specs, 1), "name"), "Médecine interne");
	ck_assert_ptr_nonnull(ut_str(cJSON_GetArrayItem(specs, 1), "description"));
	cJSON_Delete(env);

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/" DOC_NADIA, NULL, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "last_name"), "Khellaf");
	ck_assert(ut_num(ut_data(env), "avg_rating") == 4.5);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/" NO_SUCH_ID, NULL, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/nope", NULL, NULL), 422);
}
END_TEST

/* The body of GET path, anonymously (caller frees). */
static char *
body_of(const char *path)
{
	cJSON *env = NULL;
	char *text;

	ck_assert_int_eq(test_call(&ctx, "GET", path, NULL, NULL, &env), 200);
	text = cJSON_PrintUnformatted(ut_data(env));
	cJSON_Delete(env);
	ck_assert_ptr_nonnull(text);
	return text;
}

/*
 * The worker keeps directory answers keyed by directory_version
 * (dircache.h): a second read is served from the cache, and every kind of
 * change to what the directory shows is seen at the next read.
 */
START_TEST(directory_cache)
{
	char *first, *again, *after;
	long hits = dircache_hits(&ctx);

	first = body_of("/api/v1/doctors");
	again = body_of("/api/v1/doctors");
	ck_assert_str_eq(first, again);
	ck_assert_int_eq(dircache_hits(&ctx), hits + 1);
	free(again);
	/* Other filters, other pages: other answers. */
	again = body_of("/api/v1/doctors?limit=2");
	ck_assert_str_ne(first, again);
	free(again);
	again = body_of("/api/v1/doctors?city=oran");
	ck_assert_ptr_null(strstr(again, "Khellaf"));
	free(again);
	/* A profile changed behind the API (the shell, another worker). */
	ut_exec(&ctx, "UPDATE doctors SET city = 'Blida' WHERE id = '" DOC_NADIA "'");
	after = body_of("/api/v1/doctors");
	ck_assert_ptr_nonnull(strstr(after, "\"Blida\""));
	ck_assert_str_ne(first, after);
	free(after);
	/* A specialty renamed, one taken from a doctor, a rating. */
	ut_exec(&ctx, "UPDATE specialties SET name = 'Cardiologie adulte' WHERE id = 1");
	after = body_of("/api/v1/doctors?name=bensalah");
	ck_assert_ptr_nonnull(strstr(after, "Cardiologie adulte"));
	free(after);
	ut_exec(&ctx, "DELETE FROM doctor_specialties WHERE doctor_id = '" DOC_SAMIR "' AND specialty_id = 1");
	after = body_of("/api/v1/doctors?name=bensalah");
	ck_assert_ptr_null(strstr(after, "Cardiologie adulte"));
	free(after);
	ut_exec(&ctx, "UPDATE doctors SET avg_rating = 4.5 WHERE id = '" DOC_SAMIR "'");
	after = body_of("/api/v1/doctors?name=bensalah");
	ck_assert_ptr_nonnull(strstr(after, "\"avg_rating\":4.5"));
	free(after);
	free(first);
}
END_TEST

/*
 * Rule: the filters fold case beyond ASCII and ignore accents; what was
 * typed is stored and shown as it was.
 */
START_TEST(unicode_filters)
{
	char *admin = ut_login(&ctx, "admin@example.dz"), names[512];
	cJSON *env = NULL;
	int n;

	ut_exec(&ctx, "UPDATE doctors SET city = 'Béjaïa', first_name = 'Émilie',"
	    " city_key = med_fold('Béjaïa'), first_name_key = med_fold('Émilie')"
	    " WHERE id = '" DOC_NADIA "'");
	list_names("/api/v1/doctors?city=B%C3%89JA%C3%8FA", names, sizeof names);
	ck_assert_str_eq(names, "Khellaf");
	list_names("/api/v1/doctors?city=bejaia", names, sizeof names);
	ck_assert_str_eq(names, "Khellaf");
	list_names("/api/v1/doctors?name=%C3%A9milie", names, sizeof names);
	ck_assert_str_eq(names, "Khellaf");
	list_names("/api/v1/doctors?name=EMILIE", names, sizeof names);
	ck_assert_str_eq(names, "Khellaf");
	list_names("/api/v1/doctors?specialty=pediatrie", names, sizeof names);
	ck_assert_str_eq(names, "Chekkal");
	list_names("/api/v1/doctors?specialty=P%C3%89DIATRIE", names, sizeof names);
	ck_assert_str_eq(names, "Chekkal");

	/* One specialty however it is spelt; the first spelling is kept. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/doctors/" DOC_NADIA, admin,
	    "{\"specialties\":[\"Médecine-sport\"]}", NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/doctors/" DOC_SAMIR, admin,
	    "{\"specialties\":[\"MÉDECINE-SPORT\", \"medecine-sport\"]}", &env), 200);
	n = cJSON_GetArraySize(cJSON_GetObjectItem(ut_data(env), "specialties"));
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(ut_data(env), "specialties"), 0),
	    "name"), "Médecine-sport");
	cJSON_Delete(env);
	list_names("/api/v1/doctors?specialty=medecine-SPORT", names, sizeof names);
	ck_assert_str_eq(names, "Bensalah,Khellaf");

	/* Arabic names round-trip unchanged and are found without vowel marks. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/doctors/" DOC_NADIA, admin,
	    "{\"last_name\":\"مُحَمَّد\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "last_name"), "مُحَمَّد");
	cJSON_Delete(env);
	list_names("/api/v1/doctors?name=%D9%85%D8%AD%D9%85%D8%AF", names, sizeof names);
	ck_assert_str_eq(names, "مُحَمَّد");
	free(admin);
}
END_TEST

/*
 * The plan of the cached statement the last request ran whose SQL holds
 * marker, as one string.
 */
static void
plan_of(const char *marker, char *detail, size_t size)
{
	sqlite3_stmt *cached = NULL, *st;
	char *sql;

	detail[0] = '\0';
	while ((cached = sqlite3_next_stmt(ctx.db, cached)) != NULL)
		if (strstr(sqlite3_sql(cached), marker) != NULL)
			break;
	ck_assert_msg(cached != NULL, "no statement with %s", marker);
	ck_assert_ptr_nonnull(sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(cached)));
	ck_assert_int_eq(sqlite3_prepare_v2(ctx.db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		strncat(detail, (const char *)sqlite3_column_text(st, 3), size - strlen(detail) - 1);
		strncat(detail, "; ", size - strlen(detail) - 1);
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
}

/* The directory's specialty and city filters reach their rows through an index. */
START_TEST(filters_use_indexes)
{
	char names[512], plan[2048];

	list_names("/api/v1/doctors?specialty=pediatrie&city=x", names, sizeof names);
	plan_of("s.name_key = med_fold(?2)", plan, sizeof plan);
	ck_assert_msg(strstr(plan, "INDEX specialties_key (name_key=?)") != NULL, "%s", plan);
	list_names("/api/v1/doctors?city=oran", names, sizeof names);
	plan_of("WHERE d.city_key = med_fold(?3) AND", plan, sizeof plan);
	ck_assert_msg(strstr(plan, "INDEX doctors_city_key (city_key=?)") != NULL, "%s", plan);
}
END_TEST

START_TEST(specialties)
{
	char *admin = ut_login(&ctx, EM_ADMIN), uid[37], body[256];
	cJSON *env = NULL, *specs;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/specialties", NULL, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 10);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 4), "name"), "ORL");
	cJSON_Delete(env);

	free(ut_new_user(&ctx, "doc.spec@example.dz", "DOCTOR", uid));
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"last_name\":\"Zerrouki\","
	    "\"specialties\":[\"cardiologie\",\"T\\u00e9l\\u00e9m\\u00e9decine\",\"CARDIOLOGIE\"]}",
	    uid);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/doctors", admin, body, &env), 201);
	specs = cJSON_GetObjectItem(ut_data(env), "specialties");
	ck_assert_int_eq(cJSON_GetArraySize(specs), 2);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(specs, 0), "name"), "Cardiologie");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(specs, 1), "name"), "Télémédecine");
	ck_assert(ut_is_null(cJSON_GetArrayItem(specs, 1), "description"));
	cJSON_Delete(env);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM specialties"), 11);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors?specialty=t%C3%A9l%C3%A9m%C3%A9decine",
	    NULL, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 1);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/doctors/" DOC_SAMIR, admin,
	    "{\"specialties\":[\"\"]}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/doctors/" DOC_SAMIR, admin,
	    "{\"specialties\":\"ORL\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/doctors/" DOC_SAMIR, admin,
	    "{\"specialties\":[1]}"), 422);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctor_specialties WHERE doctor_id = '"
	    DOC_SAMIR "'"), 2);
	free(admin);
}
END_TEST

START_TEST(admin_create_rules)
{
	char *admin = ut_login(&ctx, EM_ADMIN), *doc = ut_login(&ctx, EM_SAMIR);
	char uid[37], puid[37], body[256], msg[128];
	cJSON *env = NULL;

	free(ut_new_user(&ctx, "doc.new@example.dz", "DOCTOR", uid));
	free(ut_new_user(&ctx, "not.doc@example.dz", NULL, puid));
	snprintf(body, sizeof body, "{\"user_id\":\"%s\"}", puid);
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/doctors", admin, body, msg, sizeof msg),
	    400);
	ck_assert_str_eq(msg, "User is not a doctor");
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors", admin, "{\"first_name\":\"X\"}"),
	    422);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors", admin,
	    "{\"user_id\":\"" NO_SUCH_ID "\"}"), 404);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"Rym\",\"years_experience\":-1}",
	    uid);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors", admin, body), 422);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"Rym\",\"years_experience\":3,"
	    "\"avg_rating\":5,\"city\":\"Annaba\"}", uid);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors", doc, body), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors", NULL, body), 401);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/doctors/", admin, body, &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "user_id"), uid);
	ck_assert_int_eq((int)ut_num(ut_data(env), "years_experience"), 3);
	/* Ratings come from reviews only. */
	ck_assert(ut_num(ut_data(env), "avg_rating") == 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(ut_data(env), "specialties")), 0);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/doctors", admin, body, msg, sizeof msg),
	    409);
	ck_assert_str_eq(msg, "Doctor profile already exists");
	free(admin);
	free(doc);
}
END_TEST

START_TEST(own_profile)
{
	char uid[37], did[37];
	char *tok = ut_new_user(&ctx, "doc.me@example.dz", "DOCTOR", uid);
	char *pat = ut_login(&ctx, EM_AMINA), *staff = ut_login(&ctx, EM_STAFF);
	cJSON *env = NULL, *d;

	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/me/profile", tok, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/doctors/me/profile", tok, "{}"), 404);
	ut_own_profile(&ctx, "/api/v1/doctors/me/profile", tok,
	    "{\"first_name\":\"Rania\",\"last_name\":\"Saadi\",\"bio\":\"Neurologue\","
	    "\"specialties\":[\"neurologie\"]}", did);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/me/profile", tok, "{}"), 409);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/doctors/me/profile", tok,
	    "{\"bio\":null,\"phone\":\"+213770000000\"}", &env), 200);
	d = ut_data(env);
	ck_assert(ut_is_null(d, "bio"));
	ck_assert_str_eq(ut_str(d, "phone"), "+213770000000");
	ck_assert_str_eq(ut_str(d, "first_name"), "Rania");
	/* Absent specialties are kept. */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "specialties")), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "specialties"), 0), "name"),
	    "Neurologie");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/doctors/me/profile", tok,
	    "{\"specialties\":[]}", &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(ut_data(env), "specialties")), 0);
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/me/profile", tok, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "id"), did);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/me/profile", pat, NULL), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/me/profile", staff, "{}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/me/profile", NULL, NULL), 401);
	free(tok);
	free(pat);
	free(staff);
}
END_TEST

START_TEST(admin_patch_delete)
{
	char *admin = ut_login(&ctx, EM_ADMIN), *doc = ut_login(&ctx, EM_SAMIR);
	char *amina = ut_login(&ctx, EM_AMINA);
	char uid[37], did[37], path[128], msg[192];
	char *tok = ut_new_user(&ctx, "doc.del@example.dz", "DOCTOR", uid);
	cJSON *env = NULL;

	ut_own_profile(&ctx, "/api/v1/doctors/me/profile", tok, "{\"last_name\":\"Temp\"}", did);
	snprintf(path, sizeof path, "/api/v1/doctors/%s", did);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"city\":\"Béjaïa\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "city"), "Béjaïa");
	ck_assert_str_eq(ut_str(ut_data(env), "last_name"), "Temp");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", path, doc, "{\"city\":\"X\"}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/doctors/" NO_SUCH_ID, admin, "{}"), 404);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", path, doc, NULL), 403);
	ck_assert_int_eq(ut_call_msg(&ctx, "DELETE", "/api/v1/doctors/" DOC_SAMIR, admin, NULL, msg,
	    sizeof msg), 409);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctors WHERE id = '" DOC_SAMIR "'"), 1);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/me/profile", tok, "{}"), 409);
	snprintf(msg, sizeof msg, "%s/availability", path);
	ck_assert_int_eq(ut_status(&ctx, "POST", msg, tok,
	    "{\"weekday\":\"Mon\",\"start_time\":\"09:00\",\"end_time\":\"10:00\"}"), 201);
	snprintf(msg, sizeof msg, "%s/favorite", path);
	ck_assert_int_eq(ut_status(&ctx, "POST", msg, amina, NULL), 201);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", path, admin, NULL), 204);
	ck_assert_int_eq(ut_status(&ctx, "GET", path, NULL, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", path, admin, NULL), 404);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctor_availability WHERE doctor_id = '%s'",
	    did), 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM favorite_doctors WHERE doctor_id = '%s'",
	    did), 0);
	free(admin);
	free(doc);
	free(amina);
	free(tok);
}
END_TEST

START_TEST(favorites)
{
	char *amina = ut_login(&ctx, EM_AMINA), *doc = ut_login(&ctx, EM_SAMIR);
	char uid[37], id1[64], msg[128];
	char *noprof = ut_new_user(&ctx, "pat.noprofile@example.dz", NULL, uid);
	cJSON *env = NULL, *list;

	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/favorite", amina, NULL,
	    &env), 201);
	snprintf(id1, sizeof id1, "%s", ut_str(ut_data(env), "id"));
	ck_assert_str_eq(ut_str(ut_data(env), "doctor_id"), DOC_SAMIR);
	ck_assert_ptr_nonnull(ut_str(ut_data(env), "created_at"));
	cJSON_Delete(env);
	/* Idempotent: the same favorite again. */
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/favorite", amina, NULL,
	    &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "id"), id1);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_NADIA "/favorite", amina, NULL),
	    201);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/me/favorites", amina, NULL, &env), 200);
	list = ut_data(env);
	ck_assert_int_eq(cJSON_GetArraySize(list), 2);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(list, 0), "last_name"), "Bensalah");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0),
	    "specialties")), 2);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", "/api/v1/doctors/" DOC_SAMIR "/favorite", amina, NULL),
	    204);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", "/api/v1/doctors/" DOC_SAMIR "/favorite", amina, NULL),
	    204);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/me/favorites", amina, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "id"), DOC_NADIA);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" NO_SUCH_ID "/favorite", amina, NULL),
	    404);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/bad/favorite", amina, NULL), 422);
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/favorite", noprof,
	    NULL, msg, sizeof msg), 404);
	ck_assert_str_eq(msg, "Patient profile not found");
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/me/favorites", noprof, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/favorite", doc, NULL),
	    403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/me/favorites", doc, NULL), 403);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/me/favorites", NULL, NULL), 401);
	free(amina);
	free(doc);
	free(noprof);
}
END_TEST

/* patient_id of each review listed for doctor, as seen with token. */
static void
review_pids(const char *doctor, const char *token, char *buf, size_t size)
{
	char path[128];
	cJSON *env = NULL, *el;
	size_t used = 0;

	buf[0] = '\0';
	snprintf(path, sizeof path, "/api/v1/doctors/%s/reviews", doctor);
	ck_assert_int_eq(test_call(&ctx, "GET", path, token, NULL, &env), 200);
	cJSON_ArrayForEach(el, ut_data(env)) {
		const char *p = ut_str(el, "patient_id");
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "",
		    p != NULL ? p + 32 : "null");
	}
	cJSON_Delete(env);
}

START_TEST(reviews)
{
	char *amina = ut_login(&ctx, EM_AMINA), *sofiane = ut_login(&ctx, EM_SOFIANE);
	char *sara = ut_login(&ctx, EM_SARA), *admin = ut_login(&ctx, EM_ADMIN);
	char *doc = ut_login(&ctx, EM_SAMIR), msg[160], big[1100], body[1200], pids[256];
	cJSON *env = NULL, *r;

	/* Amina has a COMPLETED appointment with Samir (seed). */
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina,
	    "{\"rating\":0}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina,
	    "{\"rating\":6}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina,
	    "{\"rating\":\"5\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina,
	    "{\"rating\":4.5}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina,
	    "{}"), 422);
	memset(big, 'y', 1001);
	big[1001] = '\0';
	snprintf(body, sizeof body, "{\"rating\":5,\"comment\":\"%s\"}", big);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina, body),
	    422);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctor_reviews"), 0);

	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina,
	    "{\"rating\":5,\"comment\":\"Tr\\u00e8s bien\"}", &env), 201);
	r = ut_data(env);
	ck_assert_str_eq(ut_str(r, "patient_id"), PAT_AMINA);
	ck_assert_str_eq(ut_str(r, "doctor_id"), DOC_SAMIR);
	ck_assert_int_eq((int)ut_num(r, "rating"), 5);
	ck_assert_str_eq(ut_str(r, "comment"), "Très bien");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", amina,
	    "{\"rating\":1}", msg, sizeof msg), 409);
	/* Sofiane has never completed a visit with Samir. */
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", sofiane,
	    "{\"rating\":1}"), 403);
	/* A SCHEDULED or CANCELLED one is not enough either. */
	ut_appt(&ctx, "aaaaaaaa-0000-4000-8000-000000000001", DOC_SAMIR, PAT_SOFIANE, 100, 200,
	    "CANCELLED");
	ut_appt(&ctx, "aaaaaaaa-0000-4000-8000-000000000002", DOC_SAMIR, PAT_SOFIANE, 300, 400,
	    "SCHEDULED");
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", sofiane,
	    "{\"rating\":1}"), 403);
	ut_appt(&ctx, "aaaaaaaa-0000-4000-8000-000000000003", DOC_SAMIR, PAT_SOFIANE, 500, 600,
	    "COMPLETED");
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", sofiane,
	    "{\"rating\":4,\"comment\":null}"), 201);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" NO_SUCH_ID "/reviews", sofiane,
	    "{\"rating\":4}"), 404);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", doc,
	    "{\"rating\":4}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_SAMIR "/reviews", NULL,
	    "{\"rating\":4}"), 401);

	/* The rating moved in the same transaction. */
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/" DOC_SAMIR, NULL, NULL, &env), 200);
	ck_assert(ut_num(ut_data(env), "avg_rating") == 4.5);
	ck_assert_int_eq((int)ut_num(ut_data(env), "rating_count"), 2);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" DOC_NADIA "/reviews", sara,
	    "{\"rating\":3}"), 201);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors?min_rating=4", NULL, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "id"), DOC_SAMIR);
	cJSON_Delete(env);

	/* Rule: patient_id only for that patient and admins (ids end ...0001 / ...0002). */
	ut_exec(&ctx, "UPDATE doctor_reviews SET created_at = 1 WHERE patient_id = '" PAT_AMINA "'");
	review_pids(DOC_SAMIR, NULL, pids, sizeof pids);
	ck_assert_str_eq(pids, "null,null");
	review_pids(DOC_SAMIR, amina, pids, sizeof pids);
	ck_assert_str_eq(pids, "null,0001");
	review_pids(DOC_SAMIR, sofiane, pids, sizeof pids);
	ck_assert_str_eq(pids, "0002,null");
	review_pids(DOC_SAMIR, admin, pids, sizeof pids);
	ck_assert_str_eq(pids, "0002,0001");
	review_pids(DOC_SAMIR, doc, pids, sizeof pids);
	ck_assert_str_eq(pids, "null,null");
	review_pids(DOC_SAMIR, "not.a.token", pids, sizeof pids);
	ck_assert_str_eq(pids, "null,null");
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/" DOC_SAMIR "/reviews?limit=1", NULL,
	    NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 1);
	ck_assert_int_eq((int)ut_num(cJSON_GetArrayItem(ut_data(env), 0), "rating"), 4);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/" NO_SUCH_ID "/reviews", NULL, NULL),
	    404);
	free(amina);
	free(sofiane);
	free(sara);
	free(admin);
	free(doc);
}
END_TEST

static Suite *
doctors_suite(void)
{
	Suite *s = suite_create("doctors");
	TCase *tc = tcase_create("doctors");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, directory_and_filters);
	tcase_add_test(tc, directory_cache);
	tcase_add_test(tc, specialties);
	tcase_add_test(tc, unicode_filters);
	tcase_add_test(tc, filters_use_indexes);
	tcase_add_test(tc, admin_create_rules);
	tcase_add_test(tc, own_profile);
	tcase_add_test(tc, admin_patch_delete);
	tcase_add_test(tc, favorites);
	tcase_add_test(tc, reviews);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(doctors_suite)
