/*
 * commands.c - the command table, dispatch, and the database life-cycle
 * commands (init, migrate, seed).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "backup.h"
#include "db.h"
#include "embedded.h"
#include "medadm.h"

const struct adm_command adm_commands[] = {
	{ "init", "init", "create the database (schema, secrets) if absent",
	  "Creates the JWT keys (secrets/) when they are missing; the workers never\n"
	  "do, except the pool's master before it starts them.\n", 0, cmd_init },
	{ "migrate", "migrate", "apply forward schema migrations", NULL, 0, cmd_migrate },
	{ "seed", "seed [--force]", "load the demo data (refuses a non-empty database)",
	  "The demo accounts share the password Algeria123!: demo only.\n", 1, cmd_seed },
	{ "user add", "user add EMAIL --role ROLE", "create a user; password read from stdin",
	  "ROLE is ADMIN, DOCTOR, PATIENT or STAFF.  The password (min "
	  PASSWORD_STR(PASSWORD_MIN) " characters)\n"
	  "is the first line of standard input.\n", 1, cmd_user_add },
	{ "user list", "user list", "list users", NULL, 1, cmd_user_list },
	{ "user show", "user show EMAIL|ID", "show one user", NULL, 1, cmd_user_show },
	{ "user set-role", "user set-role EMAIL|ID ROLE", "change a user's role", NULL, 1,
	  cmd_user_set_role },
	{ "user activate", "user activate EMAIL|ID", "allow a user to log in", NULL, 1,
	  cmd_user_activate },
	{ "user deactivate", "user deactivate EMAIL|ID", "refuse a user everything", NULL, 1,
	  cmd_user_deactivate },
	{ "user reset-password", "user reset-password EMAIL",
	  "print a single-use password-reset token (15 minutes)",
	  "Hand the token to the user out of band; they POST it to /api/v1/auth/reset.\n",
	  1, cmd_user_reset_password },
	{ "user revoke-sessions", "user revoke-sessions EMAIL|ID", "end every session of a user",
	  NULL, 1, cmd_user_revoke_sessions },
	{ "user unlock", "user unlock EMAIL|ID",
	  "forget a user's failed logins (lift login throttling)", NULL, 1, cmd_user_unlock },
	{ "backup", "backup FILE [--force]",
	  "consistent online copy of the database, verified",
	  "The copy is taken through SQLite's online backup API from one read\n"
	  "snapshot while the workers keep writing: it holds every transaction\n"
	  "committed before it started.  It is written beside FILE, checked with\n"
	  "PRAGMA integrity_check and renamed to FILE only if it passes.  FILE must\n"
	  "not exist unless --force.  Prints its size and per-table row counts.\n",
	  1, cmd_backup },
	{ "restore", "restore FILE [--force]",
	  "replace the database by a verified backup",
	  "FILE must pass integrity_check and foreign_key_check, have this\n"
	  "medadm's schema version and every table of schema.sql.  The current\n"
	  "database is first copied to DB.pre-restore-<UTC time>.\n"
	  "If any process has the database open (the workers), restore refuses\n"
	  "unless --force, which restores online: FILE is copied into the live\n"
	  "database in one transaction that the workers see as one commit.\n"
	  "Otherwise the file is replaced and the old -wal/-shm are removed.\n",
	  0, cmd_restore },
	{ "check", "check [--max-wal MB]",
	  "integrity, foreign keys, schema version, WAL size",
	  "Exits 1 if anything is wrong, including a WAL larger than MB\n"
	  "(default 256), the sign of a reader starving checkpoints.\n",
	  0, cmd_check },
	{ "audit", "audit [--user ID|EMAIL] [--patient ID] [--entity E] [--from DATE] [--to DATE] [--limit N]",
	  "read the audit log",
	  "DATE is YYYY-MM-DD (clinic-local day; --to includes that day) or an\n"
	  "RFC 3339 instant.  --patient matches rows about the patient, their\n"
	  "user account, and their current appointments, medical records,\n"
	  "billings, insurance policies and claims, and rows whose detail names\n"
	  "the patient id.  Shows the newest N matching rows (default 1000).\n",
	  1, cmd_audit },
	{ "export-patient", "export-patient ID|EMAIL [--fhir]",
	  "everything held on one patient, as one JSON document",
	  "The patient's right of access: profile, account (no password hash),\n"
	  "appointments, medical records, billings, insurance policies and\n"
	  "claims, reviews, favorite doctors and the access log.  The export is\n"
	  "itself audited.  With --fhir: a FHIR R4 Bundle (collection) of the\n"
	  "Patient, Appointments, Practitioners and the records as Condition,\n"
	  "CarePlan and MedicationRequest (docs/FHIR.md).\n",
	  1, cmd_export_patient },
	{ "holiday add", "holiday add DATE NAME", "close the clinic on a day (YYYY-MM-DD, clinic-local)",
	  "No slots and no bookings that day.  Prints the holiday's id.\n", 1, cmd_holiday_add },
	{ "holiday list", "holiday list", "list the clinic's holidays", NULL, 1, cmd_holiday_list },
	{ "holiday remove", "holiday remove ID|DATE", "open the clinic again on a holiday", NULL, 1,
	  cmd_holiday_remove },
	{ "settings show", "settings show", "show the clinic's booking rules", NULL, 1,
	  cmd_settings_show },
	{ "settings set", "settings set NAME VALUE", "change one booking rule",
	  "NAME is min_notice_minutes (0..525600), booking_horizon_days (1..3650),\n"
	  "max_no_shows (0..100, 0 = no limit) or slot_step_minutes (5..480).\n", 1,
	  cmd_settings_set },
	{ "publish", "publish DIR",
	  "write the SMART Scheduling Links files as static files",
	  "DIR receives manifest.json and Location.ndjson, Schedule.ndjson and\n"
	  "Slot.ndjson: the bytes the workers serve under /fhir/r4/$bulk-publish\n"
	  "(the free slots of the next 14 days, no medical data), from one\n"
	  "snapshot, each file renamed into place when complete.  For a timer\n"
	  "and a static server instead of the workers (docs/FHIR.md).\n",
	  1, cmd_publish },
	{ "rotate-secret", "rotate-secret",
	  "new JWT secrets: every session of every user ends",
	  "Running workers pick the new keys up at their next request (they\n"
	  "watch secrets/generation); no restart is needed.  Every user's token\n"
	  "version is bumped too, so old tokens die even where a key is stale.\n",
	  1, cmd_rotate_secret },
	{ "outbox run", "outbox run --once|--loop [--interval SECONDS]",
	  "send the outbox's due messages (mail): one pass, or a service",
	  "Each due message is rendered from its template and piped, as an RFC 5322\n"
	  "mail, into MAIL_COMMAND (default /usr/sbin/sendmail -t -i), which is\n"
	  "killed after MAIL_TIMEOUT_SECONDS (30).  A failure is retried after\n"
	  "OUTBOX_RETRY_SECONDS (60), doubling; after OUTBOX_MAX_ATTEMPTS (8) the\n"
	  "message is dead.  At most OUTBOX_RECIPIENT_PER_HOUR (10) messages go to\n"
	  "one recipient per hour; the rest wait.  Delivery is at least once, with\n"
	  "the same Message-ID on every attempt.  --once makes one pass (cron);\n"
	  "--loop makes one every --interval seconds (default 5) until SIGTERM or\n"
	  "SIGINT, finishing the message under way.  One line per message on\n"
	  "stdout, never its content.  Each pass first hands the waitlist offers\n"
	  "past their hold_until to the next waiting patient (README \"Waitlist\").\n",
	  1, cmd_outbox_run },
	{ "outbox list", "outbox list [--failed] [--limit N]",
	  "the newest messages of the outbox (default 50)",
	  "--failed: only dead ones and pending ones that failed before.  The\n"
	  "messages' parameters (a reset token, say) are never shown.\n",
	  1, cmd_outbox_list },
	{ "outbox retry", "outbox retry ID", "make a dead message due again, with fresh attempts",
	  "Refused for a message sent already, or expired (a reset mail after its\n"
	  "15 minutes: its token is gone).\n",
	  1, cmd_outbox_retry },
	{ NULL, NULL, NULL, NULL, 0, NULL },
};

/* Number of argv words matching the command's name, or 0. */
static int
name_matches(const char *name, int argc, char **argv)
{
	char buf[64];
	int words = 0;

	snprintf(buf, sizeof buf, "%s", name);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (words >= argc || strcmp(argv[words], w) != 0)
			return 0;
		words++;
	}
	return words;
}

static int
wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/*
 * The database would not open: say why in the words of backup_probe()
 * when it can tell (no such file, not a database), since the error code
 * of the open is only "database error" or "I/O error" for either.  When
 * creating, a missing file explains nothing: it was to be made.
 */
static int
open_failed(const struct adm *a, enum med_err e, int creating)
{
	char why[256];
	enum med_err p = backup_probe(a->cfg.db_path, why, sizeof why);

	if (p == MED_OK || (p == MED_ENOTFOUND && creating))
		snprintf(why, sizeof why, "%s", med_strerror(e));
	fprintf(stderr, "medadm: %s: %s\n", a->cfg.db_path, why);
	return ADM_FAIL;
}

int
adm_dispatch(struct adm *a, int argc, char **argv)
{
	enum med_err e;
	int rc, words;

	for (const struct adm_command *c = adm_commands; c->name != NULL; c++) {
		if ((words = name_matches(c->name, argc, argv)) == 0)
			continue;
		if (wants_help(argc - words, argv + words)) {
			adm_usage(c, stdout);
			return ADM_OK;
		}
		if (c->needs_db) {
			if ((e = med_ctx_open(&a->ctx, &a->cfg, 0)) != MED_OK)
				return open_failed(a, e, 0);
		}
		rc = c->run(a, argc - words, argv + words);
		if (c->needs_db)
			med_ctx_close(&a->ctx);
		if (rc == ADM_USAGE)
			adm_usage(c, stderr);
		return rc;
	}
	fprintf(stderr, "medadm: unknown command '%s' (see medadm --help)\n", argv[0]);
	return ADM_USAGE;
}

int
cmd_init(struct adm *a, int argc, char **argv)
{
	enum med_err e;
	int version;

	(void)argv;
	if (argc != 0)
		return ADM_USAGE;
	if ((e = med_ctx_open(&a->ctx, &a->cfg, 1)) != MED_OK)
		return open_failed(a, e, 1);
	/* Workers never create keys: init is where they come from. */
	if ((e = med_ctx_load_secrets(&a->ctx, 1)) != MED_OK) {
		med_ctx_close(&a->ctx);
		fprintf(stderr, "medadm: %s/secrets: %s\n", a->cfg.data_dir, med_strerror(e));
		return ADM_FAIL;
	}
	e = db_schema_version(&a->ctx, &version);
	med_ctx_close(&a->ctx);
	if (e != MED_OK)
		return adm_fail(a->cfg.db_path, e);
	printf("%s: schema version %d\n", a->cfg.db_path, version);
	return ADM_OK;
}

int
cmd_migrate(struct adm *a, int argc, char **argv)
{
	enum med_err e;
	int from = 0, to = 0;

	(void)argv;
	if (argc != 0)
		return ADM_USAGE;
	if ((e = db_peek_version(a->cfg.db_path, &from)) != MED_OK)
		return open_failed(a, e, 0);
	if (from == MED_SCHEMA_VERSION) {
		printf("schema version %d: up to date\n", from);
		return ADM_OK;
	}
	/* Opening with create applies the pending migrations in one transaction. */
	if ((e = med_ctx_open(&a->ctx, &a->cfg, 1)) != MED_OK)
		return open_failed(a, e, 0);
	e = db_schema_version(&a->ctx, &to);
	med_ctx_close(&a->ctx);
	if (e != MED_OK)
		return adm_fail("migrate", e);
	printf("schema version %d -> %d\n", from, to);
	return ADM_OK;
}

static int
count_users(struct med_ctx *ctx)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(ctx->db, "SELECT count(*) FROM users", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
cmd_seed(struct adm *a, int argc, char **argv)
{
	int force = argc == 1 && strcmp(argv[0], "--force") == 0, n;
	enum med_err e;

	if (argc > 1 || (argc == 1 && !force))
		return ADM_USAGE;
	if ((n = count_users(&a->ctx)) < 0)
		return adm_fail("seed", MED_EDB);
	if (n > 0 && !force) {
		fprintf(stderr, "medadm: seed: the database already holds %d users; "
		    "use --force to load the demo data anyway\n", n);
		return ADM_FAIL;
	}
	if ((e = db_begin(&a->ctx)) != MED_OK)
		return adm_fail("seed", e);
	if ((e = db_exec(&a->ctx, med_seed_sql)) != MED_OK) {
		fprintf(stderr, "medadm: seed: %s\n", sqlite3_errmsg(a->ctx.db));
		db_rollback(&a->ctx);
		return ADM_FAIL;
	}
	if ((e = db_commit(&a->ctx)) != MED_OK)
		return adm_fail("seed", e);
	printf("demo data loaded (password of every demo account: Algeria123!)\n");
	return ADM_OK;
}
