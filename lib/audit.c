/*
 * audit.c - the append-only audit log and its admin-only reader.
 *
 * Vocabulary of the rows written by records.c and billing.c:
 *   entity   "medical_record", "billing", "insurance_policy", "insurance_claim"
 *   action   "read", "list", "create", "update", "delete"
 *   outcome  "ok", "denied" (403 to a caller who tried), "not_found"
 * A list read writes one "list" row naming the items it returned (see
 * audit_add_list).
 */
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_query.h"
#include "db.h"
#include "handlers.h"
#include "route.h"
#include "util.h"
#include "valid.h"

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit_log (at, user_id, role, action, entity, entity_id, outcome, detail,"
    " entity_ids) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
/*
 * The indexer: the ids of list events past the mark, in key order (so the
 * batch writes each index page once), and the mark moved past them, in one
 * transaction.
 */
static const char SQL_INDEX_RANGE[] =
    "SELECT (SELECT id FROM audit_seen_mark), coalesce(max(id), 0) FROM audit_log";
static const char SQL_INDEX_SEEN[] =
    "INSERT INTO audit_seen (entity_id, event_id)"
    " SELECT j.value, a.id FROM audit_log a, json_each(a.entity_ids) j"
    " WHERE a.id > ?1 AND a.id <= ?2 AND a.entity_ids IS NOT NULL ORDER BY j.value, a.id";
static const char SQL_INDEX_MARK[] = "UPDATE audit_seen_mark SET id = ?1";

/*
 * The reader: every filter is optional (NULL parameter = no filter).  Three
 * texts that differ only in the leading condition, so SQLite can walk the
 * matching index newest first instead of scanning the whole log.  By
 * entity_id, a list event that showed the entity is found through
 * audit_seen_all (indexed or not yet) and answered with that entity_id,
 * as a row of its own was before lists were one event.
 */
#define AUDIT_COLUMNS(entity_id) "SELECT id, at, user_id, role, action, entity, " entity_id \
    ", outcome, detail, entity_ids FROM audit_log WHERE "
#define AUDIT_FILTERS \
    " (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR entity = ?2)" \
    " AND (?4 IS NULL OR at >= ?4)" \
    " AND (?5 IS NULL OR at < ?5) ORDER BY at DESC, id DESC LIMIT ?6 OFFSET ?7"
static const char SQL_AUDIT_BY_ENTITY_ID[] = AUDIT_COLUMNS("coalesce(entity_id, ?3)")
    "id IN (SELECT id FROM audit_log WHERE entity_id = ?3"
    " UNION ALL SELECT event_id FROM audit_seen_all WHERE entity_id = ?3) AND" AUDIT_FILTERS;
static const char SQL_AUDIT_BY_USER[] = AUDIT_COLUMNS("entity_id")
    "user_id = ?1 AND" AUDIT_FILTERS;
static const char SQL_AUDIT_ALL[] = AUDIT_COLUMNS("entity_id") AUDIT_FILTERS;

/* The role an audit row records for user (NULL: none, or no user). */
static const char *
audit_role(const struct med_user *user)
{
	if (user == NULL)
		return NULL;
	if (user->is_superuser && user->role_name[0] == '\0')
		return "SUPERUSER";
	return user->role_name[0] != '\0' ? user->role_name : NULL;
}

/*
 * Whatever refused an audit row (a full disk, a trigger), it is the log
 * failing, never the client's conflict: only transient states keep their
 * meaning, so the request fails with 500 or 503.
 */
static enum med_err
log_failure(enum med_err e)
{
	return e == MED_OK || e == MED_EBUSY || e == MED_ENOMEM ? e : MED_EDB;
}

static enum med_err
insert_event(struct med_ctx *ctx, const struct med_user *user, const char *action,
    const char *entity, const char *entity_id, const char *outcome, const char *detail,
    const char *entity_ids)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_AUDIT_ADD);

	if (st == NULL)
		return MED_EDB;
	db_bind_int(st, 1, med_now(ctx));
	db_bind_text(st, 2, user != NULL && user->id[0] != '\0' ? user->id : NULL);
	db_bind_text(st, 3, audit_role(user));
	db_bind_text(st, 4, action);
	db_bind_text(st, 5, entity);
	db_bind_text(st, 6, entity_id);
	db_bind_text(st, 7, outcome);
	db_bind_text(st, 8, detail);
	db_bind_text(st, 9, entity_ids);
	return log_failure(db_step_done(st));
}

enum med_err
audit_add(struct med_ctx *ctx, const struct med_user *user, const char *action,
    const char *entity, const char *entity_id, const char *outcome, const char *detail)
{
	return insert_event(ctx, user, action, entity, entity_id, outcome, detail, NULL);
}

/* The "id" strings of list's objects as a JSON array text (caller frees); MED_EINVAL without. */
static enum med_err
ids_of(const cJSON *list, char **text)
{
	const cJSON *item;
	cJSON *ids;

	*text = NULL;
	if ((ids = cJSON_CreateArray()) == NULL)
		return MED_ENOMEM;
	cJSON_ArrayForEach(item, list) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
		cJSON *copy;

		if (!cJSON_IsString(id)) {
			cJSON_Delete(ids);
			return MED_EINVAL;
		}
		if ((copy = cJSON_CreateString(id->valuestring)) == NULL ||
		    !cJSON_AddItemToArray(ids, copy)) {
			cJSON_Delete(copy);
			cJSON_Delete(ids);
			return MED_ENOMEM;
		}
	}
	*text = cJSON_PrintUnformatted(ids);
	cJSON_Delete(ids);
	return *text != NULL ? MED_OK : MED_ENOMEM;
}

enum med_err
audit_add_list(struct med_ctx *ctx, const struct med_user *user, const char *action,
    const char *entity, const cJSON *list, const char *detail)
{
	char *ids;
	enum med_err e;

	if (cJSON_GetArraySize(list) == 0)
		return MED_OK;
	if ((e = ids_of(list, &ids)) != MED_OK)
		return e;
	e = audit_add_ids(ctx, user, action, entity, ids, detail);
	cJSON_free(ids);
	return e;
}

enum med_err
audit_add_ids(struct med_ctx *ctx, const struct med_user *user, const char *action,
    const char *entity, const char *ids, const char *detail)
{
	if (ids == NULL)
		return MED_OK;
	return insert_event(ctx, user, action, entity, NULL, "ok", detail, ids);
}

static enum med_err
index_in_tx(struct med_ctx *ctx, int max_events, int *n)
{
	sqlite3_stmt *st = db_stmt(ctx, SQL_INDEX_RANGE);
	int64_t mark, last;
	enum med_err e;
	int rc;

	if (st == NULL)
		return MED_EDB;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_err(rc);
	}
	mark = sqlite3_column_int64(st, 0);
	last = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (last > mark + max_events)
		last = mark + max_events;
	if (last <= mark)
		return MED_OK;
	if ((st = db_stmt(ctx, SQL_INDEX_SEEN)) == NULL)
		return MED_EDB;
	db_bind_int(st, 1, mark);
	db_bind_int(st, 2, last);
	if ((e = db_step_done(st)) != MED_OK)
		return e;
	*n = (int)(last - mark);
	if ((st = db_stmt(ctx, SQL_INDEX_MARK)) == NULL)
		return MED_EDB;
	db_bind_int(st, 1, last);
	return db_step_done(st);
}

enum med_err
audit_index(struct med_ctx *ctx, int max_events, int *events)
{
	enum med_err e;
	int64_t last_us = 0;
	int total = 0, n;

	if (max_events < 1)
		return MED_EINVAL;
	/*
	 * Short transactions, relaxed like the audited reads whose rows they
	 * index (db_begin_audit): the index and its mark move together, and
	 * what a power cut takes back is indexed again by the next pass.
	 */
	do {
		int step = max_events - total < AUDIT_INDEX_TX_EVENTS ?
		    max_events - total : AUDIT_INDEX_TX_EVENTS;
		int64_t began;

		/*
		 * Between two batches the indexer steps aside as long as the last
		 * one took.  The writers it woke at its commit need a moment to be
		 * scheduled; without it its own next BEGIN wins the lock again,
		 * and again, for a whole pass: bookings waited seconds behind a
		 * backlog of list reads (bench/NOTES.md).
		 */
		if (total > 0 && last_us > 0)
			usleep((useconds_t)(last_us < AUDIT_INDEX_PAUSE_MAX_US ? last_us :
			    AUDIT_INDEX_PAUSE_MAX_US));
		began = util_mono_us();
		n = 0;
		if ((e = db_begin_audit(ctx)) != MED_OK)
			return e;
		if ((e = index_in_tx(ctx, step, &n)) != MED_OK) {
			db_rollback(ctx);
			return e;
		}
		if ((e = db_commit(ctx)) != MED_OK)
			return e;
		last_us = util_mono_us() - began;
		total += n;
	} while (n == AUDIT_INDEX_TX_EVENTS && total < max_events);
	if (events != NULL)
		*events = total;
	return MED_OK;
}

/*
 * A from/to bound: an RFC 3339 instant, or a date meaning clinic-local
 * midnight.  Bounds are half-open [from, to): an instant `to` is inclusive
 * (so +1 s), a date `to` includes that whole day (so the next midnight).
 */
static int
parse_bound(const char *s, int end, int64_t *out)
{
	int y, m, d;

	if (strlen(s) == 10) {
		if (util_parse_date(s, &y, &m, &d) != MED_OK)
			return 0;
		if (end)
			util_add_days(&y, &m, &d, 1);
		*out = util_local_to_utc(y, m, d, 0);
		return 1;
	}
	if (util_parse_instant(s, out) != MED_OK)
		return 0;
	if (end)
		*out += 1;
	return 1;
}

SPEC(audit_list_query,
	{ "user_id", FT_UUID, 0 },
	{ "entity", FT_STRING, 0, 1, 64 },
	{ "entity_id", FT_STRING, 0, 1, 64 },
	{ "from", FT_STRING, 0, 1, 40 },
	{ "to", FT_STRING, 0, 1, 40 },
	FLD_PAGING,
);

int
h_audit_list(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	static const char *const bound_names[2] = { "from", "to" };
	const char *user_id = fval_str(med_qarg(req, "user_id"));
	const char *entity_id = fval_str(med_qarg(req, "entity_id"));
	int64_t skip, limit, bounds[2] = { 0, 0 };
	const char *sql, *bound[2];
	sqlite3_stmt *st;
	cJSON *list;
	enum med_err e;

	med_paging(req, &skip, &limit);
	for (int i = 0; i < 2; i++)
		if ((bound[i] = fval_str(med_qarg(req, bound_names[i]))) != NULL &&
		    !parse_bound(bound[i], i, &bounds[i]))
			return med_invalid(resp, "query", bound_names[i],
			    "Input should be a valid RFC 3339 datetime or a date YYYY-MM-DD",
			    "datetime_parsing");
	sql = entity_id != NULL ? SQL_AUDIT_BY_ENTITY_ID : user_id != NULL ? SQL_AUDIT_BY_USER :
	    SQL_AUDIT_ALL;
	if ((st = db_stmt(ctx, sql)) == NULL)
		return med_fail(resp, MED_EDB);
	db_bind_text(st, 1, user_id);
	db_bind_text(st, 2, fval_str(med_qarg(req, "entity")));
	db_bind_text(st, 3, entity_id);
	for (int i = 0; i < 2; i++)
		if (bound[i] != NULL)
			db_bind_int(st, 4 + i, bounds[i]);
	db_bind_int(st, 6, limit);
	db_bind_int(st, 7, skip);
	if ((e = db_rows_json(st, audit_row_json, &list)) != MED_OK)
		return med_fail(resp, e);
	return med_ok(resp, list);
}

int
audit_refusal(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp,
    const char *action, const char *entity, const char *entity_id, const char *detail,
    int status, const char *message)
{
	enum med_err e = audit_add(ctx, &req->user, action, entity, entity_id,
	    status == 404 ? "not_found" : "denied", detail);

	if (e != MED_OK)
		return med_fail(resp, e);
	route_keep_on_refusal(ctx);
	return med_error(resp, status, message);
}
