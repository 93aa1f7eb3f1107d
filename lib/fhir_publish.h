/*
 * fhir_publish.h - SMART Scheduling Links (docs/FHIR.md): the manifest
 * and the NDJSON files, for the worker routes under $bulk-publish and for
 * `medadm publish`, which writes the same files as static ones.
 */
#ifndef FHIR_PUBLISH_H
#define FHIR_PUBLISH_H

#include "fhir.h"

/* How far ahead the free slots are published; a doctor's booking horizon may end them sooner. */
#define FHIR_PUBLISH_DAYS 14

/* The published types, NULL-terminated: one <type>.ndjson each. */
extern const char *const fhir_publish_types[];

/* One NDJSON line (without its newline). */
typedef enum med_err (*fhir_line_fn)(const char *line, size_t len, void *arg);

/*
 * Every resource of the published type, one line each, from one
 * snapshot when the caller holds a read transaction.  MED_ENOTFOUND for
 * a type that is not published.
 */
enum med_err fhir_publish(struct med_ctx *ctx, const char *type, fhir_line_fn emit, void *arg);

/* The manifest naming files_url/<type>.ndjson for each type. */
cJSON *fhir_publish_manifest(const struct med_ctx *ctx, const char *files_url);

#endif
