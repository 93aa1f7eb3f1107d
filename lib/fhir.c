/*
 * fhir.c - what every FHIR answer shares: the base path, OperationOutcome
 * errors, the application/fhir+json reply, searchset Bundles with paging
 * links, and the CapabilityStatement, which is rendered from the FHIR
 * routing table so it lists exactly what is served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "fhir.h"
#include "fhir_int.h"
#include "handlers.h"
#include "util.h"
#include "valid.h"

int
fhir_path(const char *path)
{
	size_t n = strlen(MED_FHIR_BASE);

	return path != NULL && strncmp(path, MED_FHIR_BASE, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

int
fhir_reply(struct med_resp *resp, int status, cJSON *resource)
{
	char *text = resource != NULL ? cJSON_PrintUnformatted(resource) : NULL;

	cJSON_Delete(resource);
	if (text == NULL)
		return med_fail(resp, MED_ENOMEM);
	free(resp->body);
	resp->body = text;
	resp->status = status;
	resp->content_type = FHIR_JSON;
	return status;
}

/* The issue code FHIR clients expect for an HTTP status. */
static const char *
issue_code(int status)
{
	switch (status) {
	case 401: return "login";
	case 403: return "forbidden";
	case 404: return "not-found";
	case 405: case 415: return "not-supported";
	case 409: return "conflict";
	case 413: return "too-costly";
	case 429: return "throttled";
	case 503: case 507: return "transient";
	default: return status >= 500 ? "exception" : "invalid";
	}
}

int
fhir_error(struct med_resp *resp, int status, const char *code, const char *diagnostics)
{
	cJSON *oo = cJSON_CreateObject(), *issues, *issue;

	if (oo == NULL || cJSON_AddStringToObject(oo, "resourceType", "OperationOutcome") == NULL ||
	    (issues = cJSON_AddArrayToObject(oo, "issue")) == NULL ||
	    (issue = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(oo);
		return med_fail(resp, MED_ENOMEM);
	}
	cJSON_AddItemToArray(issues, issue);
	if (cJSON_AddStringToObject(issue, "severity", status >= 500 ? "fatal" : "error") == NULL ||
	    cJSON_AddStringToObject(issue, "code", code != NULL ? code : issue_code(status)) == NULL ||
	    (diagnostics != NULL && *diagnostics != '\0' &&
	    cJSON_AddStringToObject(issue, "diagnostics", diagnostics) == NULL)) {
		cJSON_Delete(oo);
		return med_fail(resp, MED_ENOMEM);
	}
	return fhir_reply(resp, status, oo);
}

int
fhir_fail(struct med_resp *resp, enum med_err e)
{
	switch (e) {
	case MED_ENOTFOUND:
		return fhir_error(resp, 404, NULL, "Resource not found");
	case MED_EFORBIDDEN:
		return fhir_error(resp, 403, NULL, "Forbidden");
	case MED_EINVAL:
		return fhir_error(resp, 400, NULL, "Invalid request");
	default:
		med_fail(resp, e);
		fhir_outcome_from_envelope(resp);
		return resp->status;
	}
}

void
fhir_outcome_from_envelope(struct med_resp *resp)
{
	cJSON *env, *msg;
	char text[512] = "";
	int status = resp->status;

	if (status < 400 || resp->content_type != NULL)
		return;
	if (resp->body != NULL && (env = cJSON_Parse(resp->body)) != NULL) {
		msg = cJSON_GetObjectItemCaseSensitive(env, "message");
		if (cJSON_IsString(msg))
			snprintf(text, sizeof text, "%s", msg->valuestring);
		cJSON_Delete(env);
	}
	if (status == 404 && resp->allow[0] == '\0')
		snprintf(text, sizeof text, "Unknown resource type or path");
	/* FHIR search answers bad parameters with 400, not the API's 422. */
	fhir_error(resp, status == 422 ? 400 : status, NULL, text);
	/* An allocation failure leaves the envelope: still an answer. */
}

int
fhir_lenient(const struct med_req *req)
{
	return req->prefer != NULL && strcasestr(req->prefer, "handling=lenient") != NULL;
}

static int
spec_names(const struct med_spec *spec, const char *name)
{
	for (int i = 0; spec != NULL && i < spec->n; i++)
		if (strcmp(spec->f[i].name, name) == 0)
			return 1;
	return 0;
}

int
fhir_known_params(const struct med_req *req, const struct med_spec *spec, struct med_resp *resp)
{
	char text[160];

	if (fhir_lenient(req))
		return 1;
	for (int i = 0; i < req->nqs; i++) {
		/* JSON is the one format served: asking for it is always fine. */
		if (spec_names(spec, req->qs[i].key) || strcmp(req->qs[i].key, "_format") == 0)
			continue;
		snprintf(text, sizeof text, "Unsupported search parameter: %.100s", req->qs[i].key);
		fhir_error(resp, 400, "not-supported", text);
		return 0;
	}
	return 1;
}

/* ---- Bundle ------------------------------------------------------------ */

void
fhir_ref(char *out, size_t size, const char *type, const char *id)
{
	snprintf(out, size, "%s/%s", type, id);
}

/* The public URL without a trailing slash, then the FHIR base. */
static void
base_url(const struct med_ctx *ctx, char *out, size_t size)
{
	size_t n = strlen(ctx->cfg.public_url);

	while (n > 0 && ctx->cfg.public_url[n - 1] == '/')
		n--;
	snprintf(out, size, "%.*s" MED_FHIR_BASE, (int)n, ctx->cfg.public_url);
}

void
fhir_full_url(const struct med_ctx *ctx, char *out, size_t size, const char *type, const char *id)
{
	char base[320];

	base_url(ctx, base, sizeof base);
	snprintf(out, size, "%s/%s/%s", base, type, id);
}

/* Append s percent-encoded (RFC 3986 unreserved kept) to buf. */
static void
url_encode(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	for (; *s != '\0' && n + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~:", c) != NULL)
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, size - n, "%%%02X", c);
	}
	buf[n] = '\0';
}

/* The search URL of this request with another page. */
static void
page_url(const struct med_ctx *ctx, const struct med_req *req, int64_t offset, int64_t count,
    char *out, size_t size)
{
	char base[320];

	base_url(ctx, base, sizeof base);
	snprintf(out, size, "%s%s?", base, req->path + strlen(MED_FHIR_BASE));
	for (int i = 0; i < req->nqs; i++) {
		if (strcmp(req->qs[i].key, "_offset") == 0 || strcmp(req->qs[i].key, "_count") == 0)
			continue;
		url_encode(out, size, req->qs[i].key);
		strncat(out, "=", size - strlen(out) - 1);
		url_encode(out, size, req->qs[i].val);
		strncat(out, "&", size - strlen(out) - 1);
	}
	snprintf(out + strlen(out), size - strlen(out), "_count=%lld&_offset=%lld",
	    (long long)count, (long long)offset);
}

static int
add_link(cJSON *links, const char *relation, const char *url)
{
	cJSON *l = cJSON_CreateObject();

	if (l == NULL || !cJSON_AddItemToArray(links, l)) {
		cJSON_Delete(l);
		return 0;
	}
	return cJSON_AddStringToObject(l, "relation", relation) != NULL &&
	    cJSON_AddStringToObject(l, "url", url) != NULL;
}

void
fhir_page(const struct med_req *req, struct fhir_page *pg)
{
	const struct fval *c = med_qarg(req, "_count"), *o = med_qarg(req, "_offset");

	pg->count = c->present ? c->i : FHIR_COUNT_DEFAULT;
	pg->offset = o->present ? o->i : 0;
}

cJSON *
fhir_bundle(const struct med_ctx *ctx, const struct med_req *req, const struct fhir_page *pg,
    int64_t total)
{
	cJSON *b = cJSON_CreateObject(), *links;
	char url[2048];

	if (b == NULL || cJSON_AddStringToObject(b, "resourceType", "Bundle") == NULL ||
	    cJSON_AddStringToObject(b, "type", "searchset") == NULL ||
	    cJSON_AddNumberToObject(b, "total", (double)total) == NULL ||
	    (links = cJSON_AddArrayToObject(b, "link")) == NULL)
		goto fail;
	page_url(ctx, req, pg->offset, pg->count, url, sizeof url);
	if (!add_link(links, "self", url))
		goto fail;
	if (pg->offset + pg->count < total) {
		page_url(ctx, req, pg->offset + pg->count, pg->count, url, sizeof url);
		if (!add_link(links, "next", url))
			goto fail;
	}
	if (pg->offset > 0) {
		page_url(ctx, req, pg->offset > pg->count ? pg->offset - pg->count : 0, pg->count,
		    url, sizeof url);
		if (!add_link(links, "previous", url))
			goto fail;
	}
	if (cJSON_AddArrayToObject(b, "entry") == NULL)
		goto fail;
	return b;
fail:
	cJSON_Delete(b);
	return NULL;
}

enum med_err
fhir_bundle_add(const struct med_ctx *ctx, cJSON *bundle, cJSON *resource)
{
	cJSON *entry, *type = cJSON_GetObjectItemCaseSensitive(resource, "resourceType");
	cJSON *id = cJSON_GetObjectItemCaseSensitive(resource, "id"), *search;
	char url[512];

	if (resource == NULL || !cJSON_IsString(type) || !cJSON_IsString(id)) {
		cJSON_Delete(resource);
		return MED_ENOMEM;
	}
	fhir_full_url(ctx, url, sizeof url, type->valuestring, id->valuestring);
	if ((entry = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(bundle, "entry"), entry)) {
		cJSON_Delete(entry);
		cJSON_Delete(resource);
		return MED_ENOMEM;
	}
	if (cJSON_AddStringToObject(entry, "fullUrl", url) == NULL ||
	    !cJSON_AddItemToObject(entry, "resource", resource)) {
		cJSON_Delete(resource);
		return MED_ENOMEM;
	}
	if ((search = cJSON_AddObjectToObject(entry, "search")) == NULL ||
	    cJSON_AddStringToObject(search, "mode", "match") == NULL)
		return MED_ENOMEM;
	return MED_OK;
}

/*
 * An empty Bundle.entry is not allowed (FHIR: arrays are absent or
 * non-empty): drop it before answering.
 */
int
fhir_bundle_reply(struct med_resp *resp, cJSON *bundle)
{
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(bundle, "entry")) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(bundle, "entry");
	return fhir_reply(resp, 200, bundle);
}

int
fhir_list_reply(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    const struct fhir_page *pg, int64_t total, cJSON *list)
{
	cJSON *bundle, *item;
	enum med_err e = MED_OK;

	if ((bundle = fhir_bundle(ctx, req, pg, total)) == NULL) {
		cJSON_Delete(list);
		return fhir_fail(resp, MED_ENOMEM);
	}
	while (e == MED_OK && (item = cJSON_DetachItemFromArray(list, 0)) != NULL)
		e = fhir_bundle_add(ctx, bundle, item);
	cJSON_Delete(list);
	if (e != MED_OK) {
		cJSON_Delete(bundle);
		return fhir_fail(resp, e);
	}
	return fhir_bundle_reply(resp, bundle);
}

enum med_err
fhir_count(sqlite3_stmt *st, int64_t *n)
{
	int rc = sqlite3_step(st);

	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? MED_OK : db_err(rc);
}

/* ---- small JSON helpers -------------------------------------------- */

int
fhir_add_str(cJSON *o, const char *name, const char *value)
{
	/* FHIR strings are never empty: an empty value is left out. */
	if (value == NULL || *value == '\0')
		return 1;
	return cJSON_AddStringToObject(o, name, value) != NULL;
}

int
fhir_add_ref(cJSON *o, const char *name, const char *type, const char *id)
{
	char ref[160];
	cJSON *r = cJSON_AddObjectToObject(o, name);

	fhir_ref(ref, sizeof ref, type, id);
	return r != NULL && cJSON_AddStringToObject(r, "reference", ref) != NULL;
}

/* ---- search parameter values ------------------------------------------- */

/*
 * "ge2026-06-01T09:00:00Z", "2026-06-01": a FHIR date search value.  The
 * prefix (eq when absent) into *prefix; a date is the instant of its
 * clinic-local midnight, and with eq/le/gt it spans its whole day.
 */
enum med_err
fhir_parse_date(const char *s, enum fhir_prefix *prefix, int64_t *lo, int64_t *hi)
{
	static const char *const names[] = { "eq", "ge", "gt", "le", "lt" };
	int y, m, d;

	*prefix = FP_EQ;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(s, names[i], 2) == 0) {
			*prefix = (enum fhir_prefix)i;
			s += 2;
			break;
		}
	if (strlen(s) == 10 && util_parse_date(s, &y, &m, &d) == MED_OK) {
		*lo = util_local_to_utc(y, m, d, 0);
		util_add_days(&y, &m, &d, 1);
		*hi = util_local_to_utc(y, m, d, 0);
		return MED_OK;
	}
	if (strlen(s) > 10 && util_parse_instant(s, lo) == MED_OK) {
		*hi = *lo + 1;
		return MED_OK;
	}
	return MED_EINVAL;
}

/*
 * Narrow [*from, *to) by every value of the date parameter name.
 * MED_EINVAL with a message in why on a malformed value.
 */
enum med_err
fhir_date_range(const struct med_req *req, const char *name, int64_t *from, int64_t *to,
    char *why, size_t size)
{
	enum fhir_prefix p;
	int64_t lo, hi;

	for (int i = 0; i < req->nqs; i++) {
		if (strcmp(req->qs[i].key, name) != 0)
			continue;
		if (fhir_parse_date(req->qs[i].val, &p, &lo, &hi) != MED_OK) {
			snprintf(why, size, "%s: expected [eq|ge|gt|le|lt]YYYY-MM-DD or an instant"
			    " with its offset, got '%.60s'", name, req->qs[i].val);
			return MED_EINVAL;
		}
		if ((p == FP_EQ || p == FP_GE) && lo > *from)
			*from = lo;
		if (p == FP_GT && hi > *from)
			*from = hi;
		if ((p == FP_EQ || p == FP_LE) && hi < *to)
			*to = hi;
		if (p == FP_LT && lo < *to)
			*to = lo;
	}
	return MED_OK;
}

/* "Practitioner/ID" or "ID" of type: the lower-cased UUID into out. */
enum med_err
fhir_parse_ref(const char *s, const char *type, char out[MED_UUID_LEN + 1])
{
	size_t n = strlen(type);

	if (strncmp(s, type, n) == 0 && s[n] == '/')
		s += n + 1;
	if (!util_is_uuid(s))
		return MED_EINVAL;
	util_uuid_lower(s, out);
	return MED_OK;
}

/* ---- CapabilityStatement -------------------------------------------- */

/* The search parameter types FHIR declares for the names we serve. */
static const char *
param_type(const char *name)
{
	static const struct { const char *name, *type; } types[] = {
		{ "_id", "token" }, { "status", "token" }, { "specialty", "token" },
		{ "start", "date" }, { "date", "date" }, { "name", "string" },
		{ "schedule", "reference" }, { "actor", "reference" },
		{ "practitioner", "reference" }, { "patient", "reference" }, { "active", "token" },
		/* HealthcareService by its doctor: the reverse chain through PractitionerRole. */
		{ "_has:PractitionerRole:service:practitioner", "reference" },
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(types[i].name, name) == 0)
			return types[i].type;
	return NULL;
}

/* The resource entry of type in list, made on first sight. */
static cJSON *
resource_entry(cJSON *list, const char *type)
{
	cJSON *r;

	cJSON_ArrayForEach(r, list) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "type");
		if (cJSON_IsString(t) && strcmp(t->valuestring, type) == 0)
			return r;
	}
	if ((r = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, r) ||
	    cJSON_AddStringToObject(r, "type", type) == NULL ||
	    cJSON_AddArrayToObject(r, "interaction") == NULL)
		return NULL;
	return r;
}

static int
add_interaction(cJSON *res, const char *code)
{
	cJSON *i = cJSON_CreateObject();

	if (i == NULL || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(res, "interaction"), i)) {
		cJSON_Delete(i);
		return 0;
	}
	return cJSON_AddStringToObject(i, "code", code) != NULL;
}

static int
add_search_params(cJSON *res, const struct med_spec *spec)
{
	cJSON *list = cJSON_AddArrayToObject(res, "searchParam"), *p;

	for (int i = 0; list != NULL && spec != NULL && i < spec->n; i++) {
		const char *type = param_type(spec->f[i].name);
		if (type == NULL)
			continue; /* _count, _offset: result parameters, not search ones */
		if ((p = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, p) ||
		    cJSON_AddStringToObject(p, "name", spec->f[i].name) == NULL ||
		    cJSON_AddStringToObject(p, "type", type) == NULL)
			return 0;
	}
	if (list != NULL && cJSON_GetArraySize(list) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(res, "searchParam");
	return list != NULL;
}

/* One route row into the rest.resource list: "/Type" searches, "/Type/{x}" reads. */
static int
add_route(cJSON *list, const struct med_route *r)
{
	const char *p = r->pattern + strlen(MED_FHIR_BASE) + 1;
	size_t len = strcspn(p, "/");
	char type[64];
	cJSON *res;

	if (strcmp(r->method, "GET") != 0 || p[0] < 'A' || p[0] > 'Z' || len >= sizeof type)
		return 1; /* metadata, $bulk-publish: system level */
	snprintf(type, sizeof type, "%.*s", (int)len, p);
	if ((res = resource_entry(list, type)) == NULL)
		return 0;
	if (p[len] == '\0')
		return add_interaction(res, "search-type") && add_search_params(res, r->query);
	return add_interaction(res, "read");
}

static cJSON *
capability(const struct med_ctx *ctx)
{
	cJSON *cs = cJSON_CreateObject(), *rest, *restv, *list, *fmt, *sw, *impl;
	char url[320];

	base_url(ctx, url, sizeof url);
	if (cs == NULL || cJSON_AddStringToObject(cs, "resourceType", "CapabilityStatement") == NULL ||
	    cJSON_AddStringToObject(cs, "status", "active") == NULL ||
	    cJSON_AddStringToObject(cs, "date", FHIR_CAPABILITY_DATE) == NULL ||
	    cJSON_AddStringToObject(cs, "kind", "instance") == NULL ||
	    (sw = cJSON_AddObjectToObject(cs, "software")) == NULL ||
	    cJSON_AddStringToObject(sw, "name", "medclinic") == NULL ||
	    (impl = cJSON_AddObjectToObject(cs, "implementation")) == NULL ||
	    cJSON_AddStringToObject(impl, "description", ctx->cfg.clinic_name) == NULL ||
	    cJSON_AddStringToObject(impl, "url", url) == NULL ||
	    cJSON_AddStringToObject(cs, "fhirVersion", FHIR_VERSION) == NULL ||
	    (fmt = cJSON_AddArrayToObject(cs, "format")) == NULL ||
	    !cJSON_AddItemToArray(fmt, cJSON_CreateString("json")) ||
	    !cJSON_AddItemToArray(fmt, cJSON_CreateString(FHIR_JSON)) ||
	    (rest = cJSON_AddArrayToObject(cs, "rest")) == NULL ||
	    (restv = cJSON_CreateObject()) == NULL)
		goto fail;
	if (!cJSON_AddItemToArray(rest, restv)) {
		cJSON_Delete(restv);
		goto fail;
	}
	if (cJSON_AddStringToObject(restv, "mode", "server") == NULL ||
	    (list = cJSON_AddArrayToObject(restv, "resource")) == NULL)
		goto fail;
	for (const struct med_route *r = med_fhir_routes(); r->handler != NULL; r++)
		if (!add_route(list, r))
			goto fail;
	return cs;
fail:
	cJSON_Delete(cs);
	return NULL;
}

int
h_fhir_metadata(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	cJSON *cs;

	(void)req;
	if ((cs = capability(ctx)) == NULL)
		return fhir_fail(resp, MED_ENOMEM);
	return fhir_reply(resp, 200, cs);
}

SPEC(fhir_metadata_query,
	{ "_format", FT_STRING, 0, 0, 64 },
);
