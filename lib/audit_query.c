/*
 * audit_query.c - filtered reads of the append-only audit log.
 */
#include "audit_query.h"
#include "db.h"

/* Optional filters are NULL parameters, so one prepared statement serves all. */
static const char SQL_AUDIT_QUERY[] =
    "WITH patient_ids(id) AS ("
    " SELECT ?5 UNION ALL SELECT user_id FROM patients WHERE id = ?5"
    " UNION ALL SELECT id FROM appointments WHERE patient_id = ?5"
    " UNION ALL SELECT id FROM medical_records WHERE patient_id = ?5"
    " UNION ALL SELECT id FROM billings WHERE patient_id = ?5"
    " UNION ALL SELECT id FROM insurance_policies WHERE patient_id = ?5"
    " UNION ALL SELECT c.id FROM insurance_claims c"
    "  JOIN insurance_policies p ON p.id = c.policy_id WHERE p.patient_id = ?5) "
    "SELECT id, at, user_id, role, action, entity, entity_id, outcome, detail, entity_ids FROM ("
    " SELECT * FROM audit_log"
    " WHERE (?1 IS NULL OR user_id = ?1)"
    "  AND (?2 IS NULL OR entity = ?2)"
    "  AND (?3 IS NULL OR at >= ?3)"
    "  AND (?4 IS NULL OR at < ?4)"
    "  AND (?5 IS NULL OR entity_id IN (SELECT id FROM patient_ids)"
    "   OR id IN (SELECT event_id FROM audit_seen_all WHERE entity_id IN (SELECT id FROM patient_ids))"
    "   OR instr(detail, ?5) > 0)"
    " ORDER BY id DESC LIMIT ?6)"
    " ORDER BY id";

enum med_err
audit_query(struct med_ctx *ctx, const struct audit_filter *f, cJSON **rows)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_AUDIT_QUERY);

	*rows = NULL;
	if (f->limit < 1 || f->limit > AUDIT_QUERY_MAX)
		return MED_EINVAL;
	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, f->user_id);
	db_bind_text(st, 2, f->entity);
	if (f->has_from)
		db_bind_int(st, 3, f->from);
	if (f->has_to)
		db_bind_int(st, 4, f->to);
	db_bind_text(st, 5, f->patient_id);
	db_bind_int(st, 6, f->limit);
	return db_rows_json(st, audit_row_json, rows);
}

static const struct db_col audit_cols[] = {
	{ "id", DB_INT }, { "at", DB_INSTANT }, { "user_id", DB_TEXT }, { "role", DB_TEXT },
	{ "action", DB_TEXT }, { "entity", DB_TEXT }, { "entity_id", DB_TEXT },
	{ "outcome", DB_TEXT }, { "detail", DB_TEXT }, { "entity_ids", DB_JSON },
};

cJSON *
audit_row_json(sqlite3_stmt *st)
{
	return db_row_json(st, audit_cols, DB_NCOLS(audit_cols));
}
