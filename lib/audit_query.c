/*
 * audit_query.c - filtered reads of the append-only audit log.
 */
#include "audit_query.h"
#include "db.h"

/* Optional filters are NULL parameters, so one prepared statement serves all. */
static const char SQL_AUDIT_QUERY[] =
    "SELECT id, at, user_id, role, action, entity, entity_id, outcome, detail FROM ("
    " SELECT * FROM audit_log"
    " WHERE (?1 IS NULL OR user_id = ?1)"
    "  AND (?2 IS NULL OR entity = ?2)"
    "  AND (?3 IS NULL OR at >= ?3)"
    "  AND (?4 IS NULL OR at < ?4)"
    "  AND (?5 IS NULL OR entity_id = ?5"
    "   OR entity_id IN (SELECT user_id FROM patients WHERE id = ?5)"
    "   OR entity_id IN (SELECT id FROM appointments WHERE patient_id = ?5)"
    "   OR entity_id IN (SELECT id FROM medical_records WHERE patient_id = ?5)"
    "   OR entity_id IN (SELECT id FROM billings WHERE patient_id = ?5)"
    "   OR entity_id IN (SELECT id FROM insurance_policies WHERE patient_id = ?5)"
    "   OR entity_id IN (SELECT c.id FROM insurance_claims c"
    "    JOIN insurance_policies p ON p.id = c.policy_id WHERE p.patient_id = ?5)"
    "   OR instr(detail, ?5) > 0)"
    " ORDER BY id DESC LIMIT ?6)"
    " ORDER BY id";

enum med_err
audit_query(struct med_ctx *ctx, const struct audit_filter *f, cJSON **rows)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_AUDIT_QUERY);
	cJSON *list;
	int rc;

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
	if ((list = cJSON_CreateArray()) == NULL)
		return MED_ENOMEM;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		db_json_int(o, "id", st, 0);
		db_json_instant(o, "at", st, 1);
		db_json_text(o, "user_id", st, 2);
		db_json_text(o, "role", st, 3);
		db_json_text(o, "action", st, 4);
		db_json_text(o, "entity", st, 5);
		db_json_text(o, "entity_id", st, 6);
		db_json_text(o, "outcome", st, 7);
		db_json_text(o, "detail", st, 8);
		cJSON_AddItemToArray(list, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(list);
		return db_err(rc) == MED_OK ? MED_EDB : db_err(rc);
	}
	*rows = list;
	return MED_OK;
}
