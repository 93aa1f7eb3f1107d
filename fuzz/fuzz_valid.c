/*
 * fuzz_valid.c - libFuzzer target for the field validator (valid.h).
 *
 * The input is used twice: as a JSON body (parsed with cJSON exactly as
 * the router does) checked by valid_body(), and as a query string parsed
 * by med_parse_query() and checked by valid_query(), against a table of
 * specs covering every field type, with and without bounds and flags.
 * Each spec also runs alone, so every field is reached whatever the
 * others hold.
 *
 * Invariants (abort() = a finding):
 *  - MED_OK leaves the response untouched, and every present value obeys
 *    its spec (length in code points, integer range, finite number in
 *    range, canonical lowercase UUID, time of day, whole cents in range,
 *    enum index in range, list of at most 50 strings);
 *  - MED_EINVAL sets a 422 envelope whose detail[0].loc names the field;
 *  - no other return value.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "http.h"
#include "util.h"
#include "valid.h"

static const char *const colours[] = { "RED", "GREEN", "BLUE", NULL };

static const struct fld specs[] = {
	{ "s", FT_STRING, 0 },
	{ "sb", FT_STRING, FF_NULLABLE, 2, 5 },
	{ "sr", FT_STRING, FF_REQUIRED, 1, 100 },
	{ "i", FT_INT, 0 },
	{ "ib", FT_INT, FF_NULLABLE, -5, 5 },
	{ "ir", FT_INT, FF_REQUIRED, 1, 1000 },
	{ "n", FT_NUMBER, 0 },
	{ "nb", FT_NUMBER, 0, 0, 0, 0.0, 5.0 },
	{ "b", FT_BOOL, 0 },
	{ "u", FT_UUID, FF_NULLABLE },
	{ "e", FT_EMAIL, 0 },
	{ "d", FT_DATE, 0 },
	{ "t", FT_TIME, 0 },
	{ "dt", FT_DATETIME, 0 },
	{ "en", FT_ENUM, 0, 0, 0, 0, 0, colours },
	{ "m", FT_MONEY, 0, 1, 9999999999 },
	{ "mu", FT_MONEY, 0 },
	{ "l", FT_STRLIST, FF_NULLABLE, 1, 10 },
	{ "cu", FT_CURRENCY, 0, 3, 3 },
	{ "il", FT_INTLIST, 0, 1, 100 },
};
#define NSPECS ((int)(sizeof specs / sizeof specs[0]))

static void
fail(const char *what, const struct fld *f)
{
	fprintf(stderr, "fuzz_valid: %s (field %s)\n", what, f != NULL ? f->name : "-");
	abort();
}

static void
check_value(const struct fld *f, const struct fval *v, int from_query)
{
	size_t len;

	if (!v->present || v->is_null) {
		if (v->is_null && !(f->flags & FF_NULLABLE))
			fail("null accepted", f);
		return;
	}
	switch (f->type) {
	case FT_STRING:
	case FT_EMAIL:
	case FT_DATE:
	case FT_CURRENCY:
		if (v->s == NULL || !util_utf8_valid(v->s, strlen(v->s)))
			fail("string not valid UTF-8", f);
		len = util_utf8_len(v->s);
		if ((f->max > 0 && (int64_t)len > f->max) || (f->min > 0 && (int64_t)len < f->min))
			fail("string length out of bounds", f);
		if (f->type == FT_EMAIL && (strlen(v->s) > 254 || strchr(v->s, '@') == NULL))
			fail("bad email accepted", f);
		if (f->type == FT_DATE && (strlen(v->s) != 10 || util_parse_date(v->s, NULL, NULL, NULL) != MED_OK))
			fail("bad date accepted", f);
		if (f->type == FT_CURRENCY && (strlen(v->s) != 3 ||
		    strspn(v->s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
			fail("bad currency accepted", f);
		break;
	case FT_UUID:
		if (v->s == NULL || !util_is_uuid(v->s))
			fail("bad uuid accepted", f);
		for (const char *c = v->s; *c != '\0'; c++)
			if (isupper((unsigned char)*c))
				fail("uuid not lowercased", f);
		break;
	case FT_INT:
		if ((f->min != 0 || f->max != 0) && (v->i < f->min || v->i > f->max))
			fail("int out of range", f);
		break;
	case FT_NUMBER:
		if (!isfinite(v->d) || ((f->fmin != 0 || f->fmax != 0) && (v->d < f->fmin || v->d > f->fmax)))
			fail("number out of range", f);
		break;
	case FT_TIME:
		if (v->i < 0 || v->i > 86399)
			fail("time of day out of range", f);
		break;
	case FT_ENUM:
		if (v->i < 0 || v->i >= 3 || strcmp(v->s, colours[v->i]) != 0)
			fail("enum index wrong", f);
		break;
	case FT_MONEY:
		if ((f->min > 0 && v->i <= 0) || (f->max > 0 && v->i > f->max))
			fail("money out of range", f);
		if (!from_query && fabs(v->d * 100.0 - (double)v->i) > 0.5)
			fail("cents disagree with the number", f);
		break;
	case FT_STRLIST:
		if (from_query)
			fail("list accepted from a query", f);
		if (!cJSON_IsArray(v->raw) || cJSON_GetArraySize(v->raw) > 50)
			fail("bad list accepted", f);
		break;
	case FT_INTLIST: {
		const cJSON *el;
		if (from_query)
			fail("list accepted from a query", f);
		if (!cJSON_IsArray(v->raw) || cJSON_GetArraySize(v->raw) > FLD_INTLIST_MAX)
			fail("bad integer list accepted", f);
		cJSON_ArrayForEach(el, v->raw)
			if (!cJSON_IsNumber(el) || el->valuedouble < f->min || el->valuedouble > f->max ||
			    el->valuedouble != (double)(int64_t)el->valuedouble)
				fail("integer list item out of range", f);
		break;
	}
	case FT_BOOL:
	case FT_DATETIME:
		break;
	}
}

static void
check_422(const struct med_resp *resp, const char *where)
{
	cJSON *env, *item, *loc;

	if (resp->status != 422 || !fuzz_resp_ok(resp))
		fail("refusal is not a 422 envelope", NULL);
	env = cJSON_Parse(resp->body);
	item = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(env, "data"), "detail"), 0);
	loc = cJSON_GetObjectItem(item, "loc");
	if (!cJSON_IsString(cJSON_GetArrayItem(loc, 0)) ||
	    strcmp(cJSON_GetArrayItem(loc, 0)->valuestring, where) != 0 ||
	    !cJSON_IsString(cJSON_GetObjectItem(item, "msg")) ||
	    !cJSON_IsString(cJSON_GetObjectItem(env, "message")))
		fail("422 detail malformed", NULL);
	cJSON_Delete(env);
}

static void
run(struct med_req *req, const struct fld *sp, int n, int query)
{
	struct fval out[NSPECS];
	struct med_resp resp;
	enum med_err e;

	memset(&resp, 0, sizeof resp);
	e = query ? valid_query(req, sp, n, out, &resp) : valid_body(req, sp, n, out, &resp);
	if (e == MED_OK) {
		if (resp.status != 0 || resp.body != NULL)
			fail("success set a response", NULL);
		for (int i = 0; i < n; i++)
			check_value(&sp[i], &out[i], query);
	} else if (e == MED_EINVAL) {
		check_422(&resp, query ? "query" : "body");
	} else {
		fail("unexpected status", NULL);
	}
	med_resp_free(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct med_req req;
	char *text = fuzz_strndup(data, size);

	if (size > 65536) {
		free(text);
		return 0;
	}
	/* As a body: the router hands handlers whatever cJSON parsed. */
	memset(&req, 0, sizeof req);
	req.json = cJSON_ParseWithLength(text, size);
	run(&req, specs, NSPECS, 0);
	for (int i = 0; i < NSPECS; i++)
		run(&req, &specs[i], 1, 0);
	med_req_free(&req);

	/* As a query string. */
	memset(&req, 0, sizeof req);
	req.query = text;
	if (med_parse_query(&req) == MED_OK) {
		int64_t skip, limit;
		struct med_resp resp;

		run(&req, specs, NSPECS, 1);
		for (int i = 0; i < NSPECS; i++)
			run(&req, &specs[i], 1, 1);
		memset(&resp, 0, sizeof resp);
		if (valid_paging(&req, &skip, &limit, &resp) == MED_OK) {
			if (skip < 0 || limit < 1 || limit > 1000)
				fail("paging out of range", NULL);
		} else {
			check_422(&resp, "query");
		}
		med_resp_free(&resp);
	}
	med_req_free(&req);
	free(text);
	return 0;
}
