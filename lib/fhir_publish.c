/*
 * fhir_publish.c - SMART Scheduling Links: the $bulk-publish manifest and
 * its NDJSON files of Location, Schedule and Slot (the free slots of every
 * doctor over the booking horizon, each with the booking deep link and
 * the clinic's phone).  Public data only: no patient, no appointment
 * detail, a busy slot is simply absent.
 *
 * One writer, fhir_publish(), serves both ways of publishing: the worker
 * routes (a line callback into the answer) and `medadm publish` (into
 * static files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fhir_int.h"
#include "fhir_publish.h"
#include "handlers.h"
#include "util.h"
#include "valid.h"

#define EXT_DEEP_LINK "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
#define EXT_PHONE "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone"
/* Shared caches may keep the published files this long (the spec's advice). */
#define PUBLISH_CACHE "public, max-age=300"

static const char SQL_DOCTOR_IDS[] = "SELECT id FROM doctors ORDER BY id";

const char *const fhir_publish_types[] = { "Location", "Schedule", "Slot", NULL };

/* Print o as one NDJSON line to emit; o is consumed. */
static enum med_err
emit_json(cJSON *o, fhir_line_fn emit, void *arg)
{
	char *text;
	enum med_err e;

	if (o == NULL)
		return MED_ENOMEM;
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		return MED_ENOMEM;
	e = emit(text, strlen(text), arg);
	free(text);
	return e;
}

/* The doctor ids, for the per-doctor files. */
static enum med_err
doctor_ids(struct med_ctx *ctx, char (**ids)[MED_UUID_LEN + 1], size_t *n)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_DOCTOR_IDS);
	char (*v)[MED_UUID_LEN + 1] = NULL, (*nv)[MED_UUID_LEN + 1];
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (st == NULL)
		return MED_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				sqlite3_reset(st);
				free(v);
				return MED_ENOMEM;
			}
			v = nv;
		}
		db_col_copy(st, 0, v[*n], sizeof v[*n]);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_err(rc);
	}
	*ids = v;
	return MED_OK;
}

/*
 * A free slot with its deep link and the phone to book by.  The link
 * opens the doctor's booking page of the web app (web/, hash routes),
 * which lists the slot; start names it for a page that would preselect it.
 */
static cJSON *
published_slot(const struct med_ctx *ctx, const char *doctor, const struct fhir_slot *s)
{
	cJSON *r = fhir_slot_json(doctor, s);
	size_t n = strlen(ctx->cfg.public_url);
	char start[32], url[512];

	while (n > 0 && ctx->cfg.public_url[n - 1] == '/')
		n--;
	util_fmt_instant(s->start, start);
	snprintf(url, sizeof url, "%.*s/#/doctor/%s?start=%s", (int)n, ctx->cfg.public_url,
	    doctor, start);
	if (r == NULL ||
	    !fhir_add_extension(r, EXT_DEEP_LINK, "valueUrl", cJSON_CreateString(url)) ||
	    (ctx->cfg.clinic_phone[0] != '\0' && !fhir_add_extension(r, EXT_PHONE, "valueString",
	    cJSON_CreateString(ctx->cfg.clinic_phone)))) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static enum med_err
publish_slots(struct med_ctx *ctx, const char *doctor, int64_t from, int64_t to,
    fhir_line_fn emit, void *arg)
{
	struct fhir_slot *v;
	size_t n;
	enum med_err e = fhir_slots(ctx, doctor, from, to, 1, &v, &n);

	for (size_t i = 0; i < n && e == MED_OK; i++)
		e = emit_json(published_slot(ctx, doctor, &v[i]), emit, arg);
	free(v);
	return e;
}

enum med_err
fhir_publish(struct med_ctx *ctx, const char *type, fhir_line_fn emit, void *arg)
{
	char (*ids)[MED_UUID_LEN + 1];
	int64_t now = med_now(ctx);
	size_t n;
	enum med_err e;

	if (strcmp(type, "Location") == 0)
		return emit_json(fhir_location_json(ctx), emit, arg);
	if (strcmp(type, "Schedule") != 0 && strcmp(type, "Slot") != 0)
		return MED_ENOTFOUND;
	if ((e = doctor_ids(ctx, &ids, &n)) != MED_OK)
		return e;
	for (size_t i = 0; i < n && e == MED_OK; i++) {
		if (strcmp(type, "Schedule") == 0)
			e = emit_json(fhir_schedule_json(ids[i]), emit, arg);
		else
			e = publish_slots(ctx, ids[i], now, now + FHIR_PUBLISH_DAYS * 86400, emit, arg);
	}
	free(ids);
	return e;
}

cJSON *
fhir_publish_manifest(const struct med_ctx *ctx, const char *files_url)
{
	cJSON *m = cJSON_CreateObject(), *out, *o;
	char when[32], url[640];

	util_fmt_instant(med_now(ctx), when);
	snprintf(url, sizeof url, "%s", files_url);
	if (m == NULL || cJSON_AddStringToObject(m, "transactionTime", when) == NULL ||
	    cJSON_AddStringToObject(m, "request", url) == NULL ||
	    (out = cJSON_AddArrayToObject(m, "output")) == NULL ||
	    cJSON_AddArrayToObject(m, "error") == NULL)
		goto fail;
	for (int i = 0; fhir_publish_types[i] != NULL; i++) {
		snprintf(url, sizeof url, "%s/%s.ndjson", files_url, fhir_publish_types[i]);
		if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(out, o) ||
		    cJSON_AddStringToObject(o, "type", fhir_publish_types[i]) == NULL ||
		    cJSON_AddStringToObject(o, "url", url) == NULL)
			goto fail;
	}
	return m;
fail:
	cJSON_Delete(m);
	return NULL;
}

/* ---- the worker routes ------------------------------------------------ */

/* fhir_line_fn into a struct strbuf: the answer of a file route. */
static enum med_err
buf_line(const char *line, size_t len, void *arg)
{
	struct strbuf *b = arg;

	strbuf_put(b, line, len);
	strbuf_put(b, "\n", 1);
	return b->oom ? MED_ENOMEM : MED_OK;
}

static int
publish_file(struct med_ctx *ctx, struct med_resp *resp, const char *type)
{
	struct strbuf b = { 0 };
	enum med_err e = fhir_publish(ctx, type, buf_line, &b);

	/* An empty file is still a body. */
	if (e == MED_OK && b.p == NULL)
		strbuf_put(&b, "", 0);
	if (e == MED_OK && b.oom)
		e = MED_ENOMEM;
	if (e != MED_OK) {
		free(b.p);
		return fhir_fail(resp, e);
	}
	free(resp->body);
	resp->body = b.p;
	resp->status = 200;
	resp->content_type = FHIR_NDJSON;
	resp->cache_control = PUBLISH_CACHE;
	return 200;
}

int
h_fhir_publish_manifest(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	char files[512];
	size_t n = strlen(ctx->cfg.public_url);
	cJSON *m;
	char *text;

	(void)req;
	while (n > 0 && ctx->cfg.public_url[n - 1] == '/')
		n--;
	snprintf(files, sizeof files, "%.*s" MED_FHIR_BASE "/$bulk-publish", (int)n,
	    ctx->cfg.public_url);
	if ((m = fhir_publish_manifest(ctx, files)) == NULL ||
	    (text = cJSON_PrintUnformatted(m)) == NULL) {
		cJSON_Delete(m);
		return fhir_fail(resp, MED_ENOMEM);
	}
	cJSON_Delete(m);
	free(resp->body);
	resp->body = text;
	resp->status = 200;
	/* The manifest is plain JSON, not a FHIR resource (SMART Scheduling Links). */
	resp->content_type = "application/json";
	resp->cache_control = PUBLISH_CACHE;
	return 200;
}

int
h_fhir_publish_location(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	(void)req;
	return publish_file(ctx, resp, "Location");
}

int
h_fhir_publish_schedule(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	(void)req;
	return publish_file(ctx, resp, "Schedule");
}

int
h_fhir_publish_slot(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	(void)req;
	return publish_file(ctx, resp, "Slot");
}
