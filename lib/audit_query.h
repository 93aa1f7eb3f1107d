/*
 * audit_query.h - reading the audit log for `medadm audit` and for the
 * patient export: filters by user, patient, entity and time.
 */
#ifndef AUDIT_QUERY_H
#define AUDIT_QUERY_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include "med.h"

#define AUDIT_QUERY_MAX 100000

struct audit_filter {
	const char *user_id;     /* rows written by this user (NULL: any) */
	const char *patient_id;  /* rows about this patient (see below) */
	const char *entity;      /* e.g. "patient", "medical_record", "user" */
	int64_t from, to;        /* at >= from, at < to; has_* says if set */
	int has_from, has_to;
	int limit;               /* the newest `limit` matching rows, 1..AUDIT_QUERY_MAX */
};

/*
 * Matching rows, oldest first, as a JSON array of objects {id, at, user_id,
 * role, action, entity, entity_id, outcome, detail}.
 *
 * "About a patient" means: entity_id is the patient's id or their user's
 * id, or the id of one of their appointments, medical records, billings,
 * insurance policies or claims as they exist now, or the detail text
 * mentions the patient id.  A row about a record since deleted is found
 * only through the first and last rules.
 */
enum med_err audit_query(struct med_ctx *ctx, const struct audit_filter *f, cJSON **rows);

/*
 * An audit row as the API shows it, from a statement selecting
 * id, at, user_id, role, action, entity, entity_id, outcome, detail.
 */
cJSON *audit_row_json(sqlite3_stmt *st);

#endif
