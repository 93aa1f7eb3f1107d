/*
 * fhir_int.h - what the FHIR files (fhir.c, fhir_res.c, fhir_hcs.c, ...) share and no one
 * else needs: Bundles, paging, references and search values.
 */
#ifndef FHIR_INT_H
#define FHIR_INT_H

#include <stdint.h>
#include <sqlite3.h>
#include "fhir.h"

/* Every searchset route's query spec ends with these. */
#define FLD_FHIR_PAGING \
	{ "_count", FT_INT, 0, 1, FHIR_COUNT_MAX }, \
	{ "_offset", FT_INT, 0, 0, INT32_MAX }

struct fhir_page {
	int64_t count, offset;
};

/* _count and _offset of a searchset route (FLD_FHIR_PAGING). */
void fhir_page(const struct med_req *req, struct fhir_page *pg);

/* An empty searchset Bundle with total and self/next/previous links. */
cJSON *fhir_bundle(const struct med_ctx *ctx, const struct med_req *req,
    const struct fhir_page *pg, int64_t total);
/* Append resource (consumed) as an entry with its fullUrl. */
enum med_err fhir_bundle_add(const struct med_ctx *ctx, cJSON *bundle, cJSON *resource);
/* Answer the bundle (consumed). */
int fhir_bundle_reply(struct med_resp *resp, cJSON *bundle);
/* Answer the resources of list (consumed) as a searchset Bundle of total matches. */
int fhir_list_reply(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp,
    const struct fhir_page *pg, int64_t total, cJSON *list);
/* Step the bound count query st into *n. */
enum med_err fhir_count(sqlite3_stmt *st, int64_t *n);

void fhir_ref(char *out, size_t size, const char *type, const char *id);
void fhir_full_url(const struct med_ctx *ctx, char *out, size_t size, const char *type,
    const char *id);
/* Add a string member unless value is NULL or empty; 0 on allocation failure. */
int fhir_add_str(cJSON *o, const char *name, const char *value);
/* Add {"reference": "type/id"} as member name. */
int fhir_add_ref(cJSON *o, const char *name, const char *type, const char *id);

enum fhir_prefix { FP_EQ, FP_GE, FP_GT, FP_LE, FP_LT };
enum med_err fhir_parse_date(const char *s, enum fhir_prefix *prefix, int64_t *lo,
    int64_t *hi);
/* Narrow [*from, *to) by every value of date parameter name. */
enum med_err fhir_date_range(const struct med_req *req, const char *name, int64_t *from,
    int64_t *to, char *why, size_t size);
/* "Type/uuid" or "uuid" into out, lower-cased. */
enum med_err fhir_parse_ref(const char *s, const char *type, char out[MED_UUID_LEN + 1]);

/* Add name / address / lists of a person or place; nothing when all parts are empty. */
int fhir_add_name(cJSON *o, const char *first, const char *last);
int fhir_add_phone(cJSON *o, const char *phone, const char *use);
int fhir_add_address(cJSON *o, const char *line, const char *city, const char *country);

/* Append {"url": url, key: value} to r.extension; value is consumed (NULL: 0). */
int fhir_add_extension(cJSON *r, const char *url, const char *key, cJSON *value);

/* One computed slot. */
struct fhir_slot {
	int64_t start, end;
	int free;
};
/*
 * The doctor's slots starting in [from, to) (at most 62 days), from
 * slots_compute(); only the free ones when free_only.  *out is malloc'd.
 * MED_ENOTFOUND: no such doctor; MED_ERANGE: window too long.
 */
enum med_err fhir_slots(struct med_ctx *ctx, const char *doctor, int64_t from, int64_t to,
    int free_only, struct fhir_slot **out, size_t *n);
cJSON *fhir_slot_json(const char *doctor, const struct fhir_slot *s);
cJSON *fhir_schedule_json(const char *doctor_id);
cJSON *fhir_location_json(const struct med_ctx *ctx);

/* The Practitioner of a doctor; MED_ENOTFOUND when there is none. */
enum med_err fhir_practitioner(struct med_ctx *ctx, const char *doctor_id, cJSON **out);

/* A row of fhir_clin.c's Patient / Appointment queries as its resource. */
cJSON *fhir_patient_row(sqlite3_stmt *st);
cJSON *fhir_appointment_row(sqlite3_stmt *st);

/* The clinic, the one Location. */
#define FHIR_LOCATION_ID "c11a1c00-0000-4000-8000-000000000001"

#endif
