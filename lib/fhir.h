/*
 * fhir.h - the FHIR R4 read API under MED_FHIR_BASE (docs/FHIR.md).
 *
 * Its routes are rows of their own table (med_fhir_routes(), route.c),
 * run by the same dispatch pipeline as /api/v1.  The one difference is
 * the format: on the FHIR base every answer is FHIR JSON
 * ("application/fhir+json"), so dispatch hands every refusal it makes in
 * the API envelope (404, 405, 401, 403, 415, 422, 5xx) to
 * fhir_outcome_from_envelope(), which rewrites it as an OperationOutcome;
 * a validation failure (422 in the API) is 400, as FHIR search expects.
 */
#ifndef FHIR_H
#define FHIR_H

#include "http.h"
#include "route.h"

#define MED_FHIR_BASE "/fhir/r4"
#define FHIR_VERSION "4.0.1"
/* CapabilityStatement.date: when what is served last changed (bump with the table). */
#define FHIR_CAPABILITY_DATE "2026-11-29"
#define FHIR_JSON "application/fhir+json"
#define FHIR_NDJSON "application/fhir+ndjson"
/* Searchset page size: default and cap (above it: 400). */
#define FHIR_COUNT_DEFAULT 50
#define FHIR_COUNT_MAX 200

/* 1 when path lies under the FHIR base. */
int fhir_path(const char *path);

/* The FHIR routes, NULL-terminated like med_routes(). */
const struct med_route *med_fhir_routes(void);

/* Rewrite an envelope refusal in resp as an OperationOutcome (no-op on FHIR bodies). */
void fhir_outcome_from_envelope(struct med_resp *resp);

/* 1 when the client sent "Prefer: handling=lenient". */
int fhir_lenient(const struct med_req *req);

/*
 * FHIR search: a query parameter the route's spec does not name is 400
 * (OperationOutcome), unless the client prefers lenient handling, in
 * which case it is ignored.  Returns 0 when resp was filled.
 */
int fhir_known_params(const struct med_req *req, const struct med_spec *spec,
    struct med_resp *resp);

/* Answer a resource (consumed), as application/fhir+json. */
int fhir_reply(struct med_resp *resp, int status, cJSON *resource);
/* Answer an OperationOutcome with one error issue. */
int fhir_error(struct med_resp *resp, int status, const char *code, const char *diagnostics);
/* The FHIR answer for a library error. */
int fhir_fail(struct med_resp *resp, enum med_err e);

/*
 * Everything on one patient as a FHIR "collection" Bundle: Patient,
 * Appointments, the Practitioners they name, and each medical record as
 * a Condition, a CarePlan and a MedicationRequest (docs/FHIR.md says what
 * maps).  The caller holds the transaction and writes the audit row.
 * MED_ENOTFOUND: no such patient.
 */
enum med_err fhir_patient_bundle(struct med_ctx *ctx, const char *patient_id, cJSON **out);

#endif
