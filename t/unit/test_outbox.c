/*
 * test_outbox.c - the outbox and its sender, in-process: messages stand or
 * fall with their transaction, /auth/forgot records (never sends) with the
 * same answer and the same writes whatever the address, the hourly limits,
 * retries with backoff up to the dead state, the mail command's time
 * limit, the RFC 5322 mail the fake mailer receives, and the expiry that
 * wipes reset tokens.  Time moves through ctx.fixed_now; the mail command
 * is a small shell line.  The last case drives the medadm binary (env
 * MEDADM): list, retry, --once, and --loop stopped by SIGTERM.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "auth.h"
#include "db.h"
#include "mail.h"
#include "outbox.h"
#include "proc.h"
#include "route.h"
#include "template.h"
#include "testreg.h"
#include "unitkit.h"
#include "util.h"

#define FORGOT "/api/v1/auth/forgot"
#define RESET_SUBJECT_FR "Réinitialisation de votre mot de passe"
#define RESET_SUBJECT_EN "Resetting your password"
#define RESET_SUBJECT_AR "إعادة تعيين كلمة المرور"
/* MAIL_FROM of the tests: a display name that needs encoding. */
#define CLINIC_NAME "Clinique El Amel à Oran"
#define CLINIC_FROM CLINIC_NAME " <no-reply@clinic.example.dz>"
/* A mail command that takes the message and succeeds. */
#define SWALLOW "cat >/dev/null"

UT_SEEDED_FIXTURE

/* ---- helpers -------------------------------------------------------------- */

/* The first column of the first row of sql as text into buf ("" for NULL or no row). */
static void
col_text(const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *st;

	buf[0] = '\0';
	ck_assert_msg(sqlite3_prepare_v2(ctx.db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	    sqlite3_errmsg(ctx.db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* POST /auth/forgot for email: asserts 200 and returns the answer's text (malloc'd). */
static char *
forgot(const char *email)
{
	char body[320];
	cJSON *env;
	char *text;

	snprintf(body, sizeof body, "{\"email\":\"%s\"}", email);
	ck_assert_int_eq(test_call(&ctx, "POST", FORGOT, NULL, body, &env), 200);
	text = cJSON_PrintUnformatted(env);
	cJSON_Delete(env);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* Forgot, asserting the answer every address gets. */
static void
forgot_ok(const char *email)
{
	char *text = forgot(email);

	ck_assert_str_eq(text, "{\"success\":true,\"data\":{\"message\":\"If the email exists in our"
	    " system, you will receive password reset instructions\"},\"message\":null}");
	free(text);
}

static long long
rows(const char *where)
{
	return ut_count(&ctx, "SELECT count(*) FROM outbox WHERE %s", where);
}

/* A message of kind password_reset to recipient, with no expiry, in its own transaction. */
static int64_t
add_message(const char *channel, const char *recipient)
{
	cJSON *p = cJSON_CreateObject();
	struct outbox_msg m = { "password_reset", channel, recipient, "fr", p, 0 };
	int64_t id = 0;

	cJSON_AddStringToObject(p, "token", "TOKEN-FOR-TESTS");
	cJSON_AddStringToObject(p, "email", recipient);
	cJSON_AddNumberToObject(p, "minutes", 15);
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	ck_assert_int_eq(outbox_add(&ctx, &m, &id), MED_OK);
	ck_assert_int_eq(db_commit(&ctx), MED_OK);
	cJSON_Delete(p);
	return id;
}

/* The mail configuration of a test: a command, the defaults otherwise. */
static void
mail_setup(const char *command)
{
	ck_assert_uint_lt((size_t)snprintf(ctx.cfg.mail.command, sizeof ctx.cfg.mail.command, "%s",
	    command), sizeof ctx.cfg.mail.command);
	ctx.cfg.mail.reset_command[0] = '\0';
	snprintf(ctx.cfg.mail.from, sizeof ctx.cfg.mail.from, "%s", CLINIC_FROM);
	ctx.cfg.mail.timeout_seconds = 30;
	ctx.cfg.mail.max_attempts = 8;
	ctx.cfg.mail.retry_seconds = 60;
	ctx.cfg.mail.per_recipient_hour = 10;
}

static struct outbox_stats
run_pass(void)
{
	struct outbox_stats s;

	ck_assert_int_eq(outbox_run(&ctx, NULL, &s), MED_OK);
	return s;
}

/* The development fake mailer (scripts/fake-sendmail.sh) capturing into <data_dir>/mail. */
static void
use_fake_mailer(char *dir, size_t size)
{
	const char *script = getenv("MED_FAKE_SENDMAIL");
	char cmd[MED_PATH_MAX];

	if (script == NULL || *script == '\0')
		script = "scripts/fake-sendmail.sh";
	ck_assert_msg(access(script, R_OK) == 0, "%s: not found (run from the source tree"
	    " or set MED_FAKE_SENDMAIL)", script);
	ck_assert_uint_lt((size_t)snprintf(dir, size, "%s/mail", ctx.cfg.data_dir), size);
	ck_assert_int_eq(setenv("MAIL_CAPTURE_DIR", dir, 1), 0);
	snprintf(cmd, sizeof cmd, "sh '%s' -t -i", script);
	mail_setup(cmd);
}

/* The only file in dir, read into buf. */
static void
only_mail(const char *dir, char *buf, size_t size)
{
	char cmd[MED_PATH_MAX + 64], path[MED_PATH_MAX];
	FILE *p;

	snprintf(cmd, sizeof cmd, "ls '%s'/*.eml", dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(path, sizeof path, p));
	path[strcspn(path, "\n")] = '\0';
	ck_assert_msg(fgetc(p) == EOF, "more than one mail in %s", dir);
	pclose(p);
	proc_slurp(path, buf, size);
}

/* ---- an RFC 5322 reader, strict enough for what we send --------------------- */

struct mail {
	char header[8192];          /* unfolded: one "Name: value" a line */
	const char *body;
};

/*
 * Split text into header and body, checking the header's grammar on the
 * way: printable ASCII field names and values, folded lines starting with
 * white space, no line over 998 bytes, an empty line before the body.
 */
static void
mail_parse(const char *text, struct mail *m)
{
	const char *end = strstr(text, "\n\n"), *line, *eol;
	size_t n = 0;

	ck_assert_msg(end != NULL, "no empty line between header and body");
	m->body = end + 2;
	for (line = text; line <= end; line = eol + 1) {
		eol = strchr(line, '\n');
		ck_assert_int_le(eol - line, 998);
		for (const char *c = line; c < eol; c++)
			ck_assert_msg(*c >= 0x20 && *c < 0x7f, "non-ASCII header: %.*s",
			    (int)(eol - line), line);
		if (*line == ' ' || *line == '\t') {
			ck_assert_msg(n > 0, "a continuation line first");
			n--;    /* joins the previous line */
		} else {
			const char *colon = memchr(line, ':', (size_t)(eol - line));
			ck_assert_msg(colon != NULL && colon > line && colon[1] == ' ',
			    "not a header field: %.*s", (int)(eol - line), line);
			for (const char *c = line; c < colon; c++)
				ck_assert(*c > 0x20 && *c < 0x7f);
		}
		ck_assert_uint_lt(n + (size_t)(eol - line) + 2, sizeof m->header);
		memcpy(m->header + n, line, (size_t)(eol - line));
		n += (size_t)(eol - line);
		m->header[n++] = '\n';
		m->header[n] = '\0';
		if (eol == end)
			break;
	}
}

/* The value of header field name, which must occur exactly once. */
static void
mail_field(const struct mail *m, const char *name, char *buf, size_t size)
{
	char key[64];
	const char *at = NULL, *p = m->header;
	size_t klen = (size_t)snprintf(key, sizeof key, "%s: ", name);

	for (; (p = strstr(p, key)) != NULL; p += klen) {
		if (p != m->header && p[-1] != '\n')
			continue;
		ck_assert_msg(at == NULL, "%s twice", name);
		at = p;
	}
	ck_assert_msg(at != NULL, "no %s", name);
	snprintf(buf, size, "%.*s", (int)strcspn(at + klen, "\n"), at + klen);
}

/* RFC 2047 "B" words (separated by white space) decoded and joined. */
static void
decode_words(const char *s, char *out, size_t size)
{
	size_t n = 0;

	while (*s != '\0') {
		unsigned char bin[256];
		const char *start, *stop;
		int len, pad = 0;
		s += strspn(s, " ");
		ck_assert_msg(strncmp(s, "=?UTF-8?B?", 10) == 0, "not an encoded word: %s", s);
		start = s + 10;
		ck_assert_ptr_nonnull(stop = strstr(start, "?="));
		ck_assert_int_le(stop + 2 - s, 75);
		len = EVP_DecodeBlock(bin, (const unsigned char *)start, (int)(stop - start));
		ck_assert_int_ge(len, 0);
		for (const char *q = stop - 1; q >= start && *q == '='; q--)
			pad++;
		len -= pad;
		ck_assert_uint_lt(n + (size_t)len, size);
		memcpy(out + n, bin, (size_t)len);
		n += (size_t)len;
		s = stop + 2;
	}
	out[n] = '\0';
}

/* The reset token in a reset mail's body: the line made of JWT characters only. */
static void
token_in(const char *body, char *token, size_t size)
{
	static const char jwt_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.";
	const char *line = body;
	size_t n;

	for (;;) {
		n = strcspn(line, "\n");
		if (n > 40 && strspn(line, jwt_chars) == n) {
			snprintf(token, size, "%.*s", (int)n, line);
			return;
		}
		if (line[n] == '\0')
			break;
		line += n + 1;
	}
	ck_abort_msg("no token in the body:\n%s", body);
}

static int
reset_with(const char *token, const char *password)
{
	char body[2048];

	ck_assert_uint_lt((size_t)snprintf(body, sizeof body,
	    "{\"reset_token\":\"%s\",\"new_password\":\"%s\"}", token, password), sizeof body);
	return test_call(&ctx, "POST", "/api/v1/auth/reset", NULL, body, NULL);
}

/* ---- recording -------------------------------------------------------------- */

START_TEST(add_stands_or_falls_with_its_transaction)
{
	cJSON *p = cJSON_CreateObject();
	struct outbox_msg m = { "password_reset", OUTBOX_EMAIL, EM_AMINA, "fr", p, 0 };
	int64_t id;

	mail_setup(SWALLOW);
	cJSON_AddStringToObject(p, "token", "x");
	/* Outside a transaction: refused, nothing written. */
	ck_assert_int_eq(outbox_add(&ctx, &m, &id), MED_EINVAL);
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	ck_assert_int_eq(outbox_add(&ctx, &m, &id), MED_OK);
	db_rollback(&ctx);
	ck_assert_int_eq(rows("1"), 0);
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	ck_assert_int_eq(outbox_add(&ctx, &m, &id), MED_OK);
	ck_assert_int_eq(db_commit(&ctx), MED_OK);
	ck_assert_int_eq(rows("1"), 1);
	ck_assert_int_eq(rows("status = 'pending' AND attempts = 0 AND channel = 'email'"
	    " AND message_id LIKE '<%@clinic.example.dz>'"), 1);

	/* What can never be sent is refused up front. */
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	m.kind = "no_such_template";
	ck_assert_int_eq(outbox_add(&ctx, &m, &id), MED_EINVAL);
	m.kind = "password_reset";
	m.recipient = "a@example.dz\nBcc: everyone@example.dz";
	ck_assert_int_eq(outbox_add(&ctx, &m, &id), MED_EINVAL);
	m.recipient = EM_AMINA;
	m.channel = "fax";
	ck_assert_int_eq(outbox_add(&ctx, &m, &id), MED_EINVAL);
	db_rollback(&ctx);
	ck_assert_int_eq(rows("1"), 1);
	cJSON_Delete(p);
}
END_TEST

START_TEST(forgot_records_and_never_runs_a_command)
{
	char marker[MED_PATH_MAX + 64], cmd[MED_PATH_MAX + 128], params[2048];

	snprintf(marker, sizeof marker, "%s/ran", ctx.cfg.data_dir);
	snprintf(cmd, sizeof cmd, "touch '%s'", marker);
	mail_setup(cmd);
	ck_assert_uint_lt((size_t)snprintf(ctx.cfg.mail.reset_command,
	    sizeof ctx.cfg.mail.reset_command, "%s", cmd), sizeof ctx.cfg.mail.reset_command);
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(access(marker, F_OK), -1);
	ck_assert_int_eq(rows("kind = 'password_reset' AND recipient = '" EM_AMINA "'"
	    " AND locale = 'fr' AND status = 'pending'"), 1);
	/* Useless after the token's 15 minutes. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT expires_at - created_at FROM outbox"), 15 * 60);
	col_text("SELECT params FROM outbox", params, sizeof params);
	ck_assert_ptr_nonnull(strstr(params, "\"token\":\"eyJ"));
	/* The same answer, and no row, for an unknown or an inactive address. */
	forgot_ok("nobody@example.dz");
	ut_exec(&ctx, "UPDATE users SET is_active = 0 WHERE email = '" EM_SARA "'");
	forgot_ok(EM_SARA);
	ck_assert_int_eq(rows("1"), 1);
	/* A user's English preference picks the English template. */
	ut_exec(&ctx, "UPDATE users SET locale = 'en-GB' WHERE email = '" EM_SOFIANE "'");
	forgot_ok(EM_SOFIANE);
	ck_assert_int_eq(rows("recipient = '" EM_SOFIANE "' AND locale = 'en'"), 1);
	/* The address is matched without case; the row carries the stored one. */
	forgot_ok("AMINA.Benali@example.dz");
	ck_assert_int_eq(rows("recipient = '" EM_AMINA "'"), 2);
	ck_assert_int_eq(access(marker, F_OK), -1);
}
END_TEST

START_TEST(forgot_three_per_account_per_hour)
{
	for (int i = 0; i < 5; i++)
		forgot_ok(EM_AMINA);
	ck_assert_int_eq(rows("recipient = '" EM_AMINA "'"), 3);
	forgot_ok(EM_SOFIANE);
	ck_assert_int_eq(rows("recipient = '" EM_SOFIANE "'"), 1);
	ctx.fixed_now += 3599;
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(rows("recipient = '" EM_AMINA "'"), 3);
	ctx.fixed_now += 2;
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(rows("recipient = '" EM_AMINA "'"), 4);
}
END_TEST

/* Pages in the WAL after each commit (no checkpoints while our hook is in). */
static int wal_pages;

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)arg;
	(void)db;
	(void)name;
	wal_pages = pages;
	return SQLITE_OK;
}

/* Pages one forgot writes. */
static int
forgot_pages(const char *email)
{
	int before = wal_pages;

	forgot_ok(email);
	return wal_pages - before;
}

/*
 * The same work for every address: a mail recorded, an unknown address,
 * an account over its limit each commit the same number of pages (so the
 * same fsync), and the answer is byte for byte the same.
 */
START_TEST(forgot_writes_the_same_for_everyone)
{
	int real, pages;

	sqlite3_wal_hook(ctx.db, wal_hook, NULL);
	forgot_ok(EM_SOFIANE);     /* the table has a row: later inserts all land alike */
	real = forgot_pages(EM_AMINA);
	ck_assert_int_gt(real, 0);
	ck_assert_int_eq(forgot_pages("nobody@example.dz"), real);
	ck_assert_int_eq(forgot_pages(EM_AMINA), real);
	ck_assert_int_eq(forgot_pages("nobody.else@example.dz"), real);
	ck_assert_int_eq(forgot_pages(EM_AMINA), real);
	pages = forgot_pages(EM_AMINA);    /* the fourth this hour: no mail */
	ck_assert_int_eq(pages, real);
	ck_assert_int_eq(rows("recipient = '" EM_AMINA "'"), 3);
	ck_assert_int_eq(rows("recipient LIKE 'nobody%'"), 0);
}
END_TEST

/* ---- the sender ----------------------------------------------------------------- */

START_TEST(backoff_then_dead_then_retry)
{
	char err[512];
	int64_t id, due;
	struct outbox_stats s;

	mail_setup("cat >/dev/null; echo 'relay says no' >&2; exit 75");
	id = add_message(OUTBOX_EMAIL, EM_AMINA);
	for (int attempt = 1; attempt <= 8; attempt++) {
		s = run_pass();
		ck_assert_int_eq(ut_count(&ctx, "SELECT attempts FROM outbox WHERE id = %lld",
		    (long long)id), attempt);
		col_text("SELECT last_error FROM outbox", err, sizeof err);
		ck_assert_str_eq(err, "exit 75: relay says no");
		if (attempt == 8)
			break;
		ck_assert_int_eq(s.retried, 1);
		due = ut_count(&ctx, "SELECT next_attempt_at FROM outbox WHERE id = %lld", (long long)id);
		ck_assert_int_eq(due - ctx.fixed_now, 60LL << (attempt - 1));
		ck_assert_int_eq(due - ctx.fixed_now, outbox_backoff(&ctx.cfg.mail, attempt));
		/* Not due yet: a pass leaves it alone. */
		ctx.fixed_now = due - 1;
		s = run_pass();
		ck_assert_int_eq(s.sent + s.retried + s.dead, 0);
		ctx.fixed_now = due;
	}
	ck_assert_int_eq(s.dead, 1);
	ck_assert_int_eq(rows("status = 'dead'"), 1);
	ctx.fixed_now += 86400;
	s = run_pass();
	ck_assert_int_eq(s.sent + s.retried + s.dead, 0);

	/* By hand, again: fresh attempts, and this time the relay takes it. */
	ck_assert_int_eq(outbox_retry(&ctx, id), MED_OK);
	ck_assert_int_eq(rows("status = 'pending' AND attempts = 0"), 1);
	mail_setup(SWALLOW);
	s = run_pass();
	ck_assert_int_eq(s.sent, 1);
	ck_assert_int_eq(rows("status = 'sent' AND params IS NULL AND attempts = 1"), 1);
	ck_assert_int_eq(outbox_retry(&ctx, id), MED_ECONFLICT);
	ck_assert_int_eq(outbox_retry(&ctx, id + 1), MED_ENOTFOUND);
	/* Retries never wait more than six hours. */
	ck_assert_int_eq(outbox_backoff(&ctx.cfg.mail, 30), 6 * 3600);
}
END_TEST

START_TEST(max_attempts_configurable)
{
	mail_setup("exit 1");
	ctx.cfg.mail.max_attempts = 2;
	add_message(OUTBOX_EMAIL, EM_AMINA);
	ck_assert_int_eq(run_pass().retried, 1);
	ctx.fixed_now += 60;
	ck_assert_int_eq(run_pass().dead, 1);
	ck_assert_int_eq(rows("status = 'dead' AND attempts = 2 AND last_error = 'exit 1'"), 1);
}
END_TEST

/* A mail command that hangs is killed at the time limit; the message waits for a retry. */
START_TEST(hung_command_killed_at_time_limit)
{
	struct timespec t0, t1;
	char err[512];
	double secs;

	mail_setup("cat >/dev/null; echo started; sleep 30");
	ctx.cfg.mail.timeout_seconds = 1;
	add_message(OUTBOX_EMAIL, EM_AMINA);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(run_pass().retried, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(secs >= 0.9 && secs < 5.0, "took %.2f s", secs);
	col_text("SELECT last_error FROM outbox", err, sizeof err);
	ck_assert_str_eq(err, "timed out after 1 s, killed: started");
	ck_assert_int_eq(rows("status = 'pending' AND attempts = 1"), 1);

	/* A command that never reads its input is killed as well. */
	mail_setup("sleep 30");
	ctx.cfg.mail.timeout_seconds = 1;
	ctx.fixed_now += 60;
	ck_assert_int_eq(run_pass().retried, 1);
	col_text("SELECT last_error FROM outbox", err, sizeof err);
	ck_assert_str_eq(err, "timed out after 1 s, killed");
}
END_TEST

/*
 * The whole path: /auth/forgot, the sender, the development fake mailer.
 * The captured file is an RFC 5322 message with the token, and the token
 * resets the password.  Delivered, the row keeps no token.
 */
START_TEST(fake_mailer_gets_rfc5322_with_token)
{
	char dir[MED_PATH_MAX], text[16384], v[1024], id[MAIL_MSGID_MAX], token[2048], date[40];
	char subject[256], *access_token;
	struct tm tm = { 0 };
	struct mail m;

	use_fake_mailer(dir, sizeof dir);
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(run_pass().sent, 1);
	only_mail(dir, text, sizeof text);
	mail_parse(text, &m);

	mail_field(&m, "From", v, sizeof v);
	ck_assert_ptr_nonnull(strstr(v, "?= <no-reply@clinic.example.dz>"));
	*strstr(v, " <no-reply") = '\0';
	decode_words(v, subject, sizeof subject);
	ck_assert_str_eq(subject, CLINIC_NAME);
	mail_field(&m, "To", v, sizeof v);
	ck_assert_str_eq(v, EM_AMINA);
	mail_field(&m, "Subject", v, sizeof v);
	decode_words(v, subject, sizeof subject);
	ck_assert_str_eq(subject, RESET_SUBJECT_FR);
	mail_field(&m, "Date", v, sizeof v);
	mail_date(ctx.fixed_now, date);
	ck_assert_str_eq(v, date);
	ck_assert_ptr_nonnull(strptime(v, "%a, %d %b %Y %H:%M:%S +0000", &tm));
	ck_assert_int_eq((long long)timegm(&tm), (long long)ctx.fixed_now);
	mail_field(&m, "Message-ID", v, sizeof v);
	col_text("SELECT message_id FROM outbox", id, sizeof id);
	ck_assert_str_eq(v, id);
	ck_assert_int_eq(v[0], '<');
	ck_assert_ptr_nonnull(strstr(v, "@clinic.example.dz>"));
	mail_field(&m, "MIME-Version", v, sizeof v);
	ck_assert_str_eq(v, "1.0");
	mail_field(&m, "Content-Type", v, sizeof v);
	ck_assert_str_eq(v, "text/plain; charset=utf-8");
	mail_field(&m, "Content-Transfer-Encoding", v, sizeof v);
	ck_assert_str_eq(v, "8bit");
	ck_assert(util_utf8_valid(m.body, strlen(m.body)));
	ck_assert_ptr_nonnull(strstr(m.body, "Bonjour"));
	ck_assert_ptr_nonnull(strstr(m.body, "valable 15 minutes"));

	token_in(m.body, token, sizeof token);
	ck_assert_int_eq(rows("status = 'sent' AND params IS NULL AND sent_at IS NOT NULL"), 1);
	ck_assert_int_eq(rows("instr(coalesce(params, ''), 'eyJ') > 0"), 0);
	ck_assert_int_eq(reset_with(token, "Brand-new-pass1"), 200);
	ck_assert_ptr_nonnull(access_token = test_login(&ctx, EM_AMINA, "Brand-new-pass1"));
	free(access_token);
}
END_TEST

START_TEST(english_template)
{
	char dir[MED_PATH_MAX], text[16384], v[1024];
	struct mail m;

	use_fake_mailer(dir, sizeof dir);
	ut_exec(&ctx, "UPDATE users SET locale = 'en' WHERE email = '" EM_AMINA "'");
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(run_pass().sent, 1);
	only_mail(dir, text, sizeof text);
	mail_parse(text, &m);
	mail_field(&m, "Subject", v, sizeof v);
	ck_assert_str_eq(v, RESET_SUBJECT_EN);   /* ASCII: not encoded */
	ck_assert_ptr_nonnull(strstr(m.body, "valid for 15 minutes"));
}
END_TEST

/*
 * A user who chose Arabic (PATCH /users/me, as the web app does when the
 * language is switched) gets the Arabic message; a language we have no
 * messages in is refused.
 */
START_TEST(arabic_template)
{
	char dir[MED_PATH_MAX], text[16384], v[1024], subject[256];
	char *token = ut_mint(&ctx, EM_AMINA);
	struct mail m;

	use_fake_mailer(dir, sizeof dir);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/users/me", token, "{\"locale\":\"de\"}"),
	    422);
	ck_assert_int_eq(rows("1"), 0);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/users/me", token, "{\"locale\":\"ar\"}"),
	    200);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM users WHERE email = '" EM_AMINA "'"
	    " AND locale = 'ar'"), 1);
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(rows("recipient = '" EM_AMINA "' AND locale = 'ar'"), 1);
	ck_assert_int_eq(run_pass().sent, 1);
	only_mail(dir, text, sizeof text);
	mail_parse(text, &m);
	mail_field(&m, "Subject", v, sizeof v);
	decode_words(v, subject, sizeof subject);
	ck_assert_str_eq(subject, RESET_SUBJECT_AR);
	ck_assert_ptr_nonnull(strstr(m.body, "صالح لمدة 15 دقيقة"));
	free(token);
}
END_TEST

/* Not sent in 15 minutes: the token is wiped and the message dead. */
START_TEST(expired_reset_mail_wiped)
{
	char err[256];
	struct outbox_stats s;
	int64_t id;

	mail_setup("exit 1");
	forgot_ok(EM_AMINA);
	id = ut_count(&ctx, "SELECT id FROM outbox");
	ck_assert_int_eq(run_pass().retried, 1);
	ctx.fixed_now += 15 * 60;
	mail_setup(SWALLOW);
	s = run_pass();
	ck_assert_int_eq(s.expired, 1);
	ck_assert_int_eq(s.sent, 0);
	ck_assert_int_eq(rows("status = 'dead' AND params IS NULL"), 1);
	col_text("SELECT last_error FROM outbox", err, sizeof err);
	ck_assert_str_eq(err, "expired before delivery");
	ck_assert_int_eq(outbox_retry(&ctx, id), MED_EEXPIRED);
}
END_TEST

/* More than OUTBOX_RECIPIENT_PER_HOUR to one recipient wait for the window; others go. */
START_TEST(per_recipient_rate_limit)
{
	int64_t third, first_sent;
	struct outbox_stats s;

	mail_setup(SWALLOW);
	ctx.cfg.mail.per_recipient_hour = 2;
	add_message(OUTBOX_EMAIL, EM_AMINA);
	add_message(OUTBOX_EMAIL, EM_AMINA);
	third = add_message(OUTBOX_EMAIL, EM_AMINA);
	add_message(OUTBOX_EMAIL, EM_SOFIANE);
	s = run_pass();
	ck_assert_int_eq(s.sent, 3);
	ck_assert_int_eq(s.deferred, 1);
	first_sent = ut_count(&ctx, "SELECT min(sent_at) FROM outbox");
	ck_assert_int_eq(ut_count(&ctx, "SELECT next_attempt_at FROM outbox WHERE id = %lld",
	    (long long)third), first_sent + 3601);
	ck_assert_int_eq(rows("status = 'pending' AND attempts = 0"), 1);
	ctx.fixed_now += 1800;
	s = run_pass();
	ck_assert_int_eq(s.sent + s.deferred, 0);
	ctx.fixed_now = first_sent + 3601;
	ck_assert_int_eq(run_pass().sent, 1);
	ck_assert_int_eq(rows("status = 'sent'"), 4);
}
END_TEST

/* RESET_MAIL_COMMAND, deprecated, keeps its contract: address as $1, token on stdin. */
START_TEST(legacy_reset_command)
{
	char cmd[MED_PATH_MAX * 2 + 64], in[4096], arg[256], path[MED_PATH_MAX + 16];

	mail_setup("exit 1");   /* not used for reset mails while the legacy command is set */
	snprintf(cmd, sizeof cmd, "cat > '%s/legacy.in'; printf %%s \"$1\" > '%s/legacy.arg'",
	    ctx.cfg.data_dir, ctx.cfg.data_dir);
	ck_assert_uint_lt((size_t)snprintf(ctx.cfg.mail.reset_command,
	    sizeof ctx.cfg.mail.reset_command, "%s", cmd), sizeof ctx.cfg.mail.reset_command);
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(run_pass().sent, 1);
	snprintf(path, sizeof path, "%s/legacy.arg", ctx.cfg.data_dir);
	proc_slurp(path, arg, sizeof arg);
	ck_assert_str_eq(arg, EM_AMINA);
	snprintf(path, sizeof path, "%s/legacy.in", ctx.cfg.data_dir);
	proc_slurp(path, in, sizeof in);
	ck_assert_int_eq(in[strlen(in) - 1], '\n');
	in[strlen(in) - 1] = '\0';
	ck_assert_int_eq(reset_with(in, "Brand-new-pass1"), 200);
}
END_TEST

START_TEST(sms_without_sender_is_dead)
{
	char err[256];

	mail_setup(SWALLOW);
	add_message(OUTBOX_SMS, "+213555000111");
	ck_assert_int_eq(run_pass().dead, 1);
	col_text("SELECT last_error FROM outbox", err, sizeof err);
	ck_assert_str_eq(err, "no sender for channel sms");
}
END_TEST

/* Stopping between messages: the hook is asked before each one. */
static int
stop_after_one(void *arg)
{
	int *calls = arg;

	return (*calls)++ >= 1;
}

START_TEST(stop_hook_between_messages)
{
	int calls = 0;
	struct outbox_hooks h = { stop_after_one, NULL, &calls };
	struct outbox_stats s;

	mail_setup(SWALLOW);
	add_message(OUTBOX_EMAIL, EM_AMINA);
	add_message(OUTBOX_EMAIL, EM_SOFIANE);
	ck_assert_int_eq(outbox_run(&ctx, &h, &s), MED_OK);
	ck_assert_int_eq(s.sent, 1);
	ck_assert_int_eq(rows("status = 'pending'"), 1);
}
END_TEST

START_TEST(compose_refuses_header_injection)
{
	char *out = NULL, long_line[1200];

	ck_assert_int_eq(mail_compose("a@b", "x@y\nBcc: z@w", "s", "b", "<1@b>", 0, &out),
	    MED_EINVAL);
	ck_assert_int_eq(mail_compose("a@b", "x@y", "s\r\nBcc: z@w", "b", "<1@b>", 0, &out),
	    MED_EINVAL);
	ck_assert_int_eq(mail_compose("a@b", "x@y", "s", "b\r\n.", "<1@b>", 0, &out), MED_EINVAL);
	memset(long_line, 'x', sizeof long_line - 1);
	long_line[sizeof long_line - 1] = '\0';
	ck_assert_int_eq(mail_compose("a@b", "x@y", "s", long_line, "<1@b>", 0, &out), MED_EINVAL);
	ck_assert_ptr_null(out);
	/* A long non-ASCII subject: several encoded words, each on its own line. */
	ck_assert_int_eq(mail_compose("a@b", "x@y", "Éééééééééééééééééééééééééééééééééééééééééééééééééé",
	    "b", "<1@b>", 0, &out), MED_OK);
	ck_assert_ptr_nonnull(strstr(out, "?=\n =?UTF-8?B?"));
	free(out);
}
END_TEST

/* ---- medadm outbox ----------------------------------------------------------------- */

static char out[1 << 16], err[1 << 14];

/* medadm --db <ctx's db> ARGS... (NULL-terminated); the exit status. */
static int
medadm(const char *arg, ...)
{
	const char *bin = getenv("MEDADM");
	char *argv[16], opath[MED_PATH_MAX + 8], epath[MED_PATH_MAX + 8];
	va_list ap;
	int n = 0;

	ck_assert_msg(bin != NULL, "MEDADM is not set (run through make unit)");
	argv[n++] = (char *)bin;
	argv[n++] = "--db";
	argv[n++] = ctx.cfg.db_path;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < 15; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	snprintf(opath, sizeof opath, "%s/.out", ctx.cfg.data_dir);
	snprintf(epath, sizeof epath, "%s/.err", ctx.cfg.data_dir);
	return proc_run(argv, NULL, opath, epath, out, sizeof out, err, sizeof err);
}

START_TEST(medadm_run_list_retry)
{
	char id[32];
	cJSON *list;

	unsetenv("RESET_MAIL_COMMAND");
	ck_assert_int_eq(setenv("MAIL_COMMAND", "cat >/dev/null; echo nope >&2; exit 3", 1), 0);
	ck_assert_int_eq(setenv("OUTBOX_MAX_ATTEMPTS", "1", 1), 0);
	forgot_ok(EM_AMINA);
	snprintf(id, sizeof id, "%lld", ut_count(&ctx, "SELECT id FROM outbox"));
	ck_assert_int_eq(medadm("outbox", "run", "--once", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "password_reset dead (attempt 1): exit 3: nope"));
	ck_assert_ptr_nonnull(strstr(out, "0 sent, 0 to retry, 1 dead"));
	ck_assert_int_eq(medadm("--json", "outbox", "list", "--failed", NULL), 0);
	ck_assert_ptr_nonnull(list = cJSON_Parse(out));
	ck_assert_int_eq(cJSON_GetArraySize(list), 1);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(list, 0), "status"), "dead");
	cJSON_Delete(list);
	/* Never the parameters: no token in any listing. */
	ck_assert_ptr_null(strstr(out, "eyJ"));
	ck_assert_int_eq(medadm("outbox", "list", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "last error: exit 3: nope"));
	ck_assert_ptr_null(strstr(out, "eyJ"));

	ck_assert_int_eq(medadm("outbox", "retry", id, NULL), 0);
	ck_assert_int_eq(setenv("MAIL_COMMAND", SWALLOW, 1), 0);
	ck_assert_int_eq(medadm("outbox", "run", "--once", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "1 sent"));
	ck_assert_int_eq(medadm("outbox", "retry", id, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "was sent already"));
	ck_assert_int_eq(medadm("outbox", "retry", "999", NULL), 1);
	ck_assert_int_eq(medadm("outbox", "retry", "x", NULL), 2);
	ck_assert_int_eq(medadm("outbox", "run", NULL), 2);
	ck_assert_int_eq(medadm("outbox", "run", "--once", "--loop", NULL), 2);
	ck_assert_int_eq(medadm("outbox", "run", "--loop", "--interval", "0", NULL), 2);
	ck_assert_int_eq(medadm("outbox", "list", "--limit", "0", NULL), 2);
	ck_assert_int_eq(medadm("outbox", "run", "--help", NULL), 0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM audit_log WHERE action = 'outbox.retry'"), 1);

	/* The deprecated variable still works for reset mails, with a warning. */
	unsetenv("MAIL_COMMAND");
	ck_assert_int_eq(setenv("RESET_MAIL_COMMAND", SWALLOW, 1), 0);
	forgot_ok(EM_AMINA);
	ck_assert_int_eq(medadm("outbox", "run", "--once", NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "RESET_MAIL_COMMAND is deprecated"));
	ck_assert_int_eq(rows("status = 'sent'"), 2);
}
END_TEST

/* Start `medadm outbox run --loop` with its stdout on a pipe; *fd reads it. */
static pid_t
start_loop(int *fd)
{
	const char *bin = getenv("MEDADM");
	int p[2];
	pid_t pid;

	ck_assert_msg(bin != NULL, "MEDADM is not set (run through make unit)");
	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(p[0]);
		close(p[1]);
		execl(bin, bin, "--db", ctx.cfg.db_path, "outbox", "run", "--loop", "--interval",
		    "3600", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

/* Read from fd until text has been seen (or end of file); all of it into buf. */
static void
read_until(int fd, const char *text, char *buf, size_t size)
{
	size_t n = strlen(buf);
	ssize_t r;

	while (strstr(buf, text) == NULL && n + 1 < size) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
	}
}

/* Wait for a line written by the mail command into a FIFO (it blocks until we read). */
static void
fifo_read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, (int)size, f));
	fclose(f);
}

/*
 * SIGTERM while a mail is being handed over: the sender finishes that
 * message, records it sent, and exits 0.  Synchronised by FIFOs: the mail
 * command says it started, and waits until we let it finish.
 */
START_TEST(medadm_loop_stops_cleanly_on_sigterm)
{
	char started[MED_PATH_MAX], release[MED_PATH_MAX], cmd[3 * MED_PATH_MAX], buf[4096] = "";
	char line[64];
	int fd, status;
	FILE *f;
	pid_t pid;

	ck_assert_uint_lt((size_t)snprintf(started, sizeof started, "%s/started",
	    ctx.cfg.data_dir), sizeof started);
	ck_assert_uint_lt((size_t)snprintf(release, sizeof release, "%s/release",
	    ctx.cfg.data_dir), sizeof release);
	ck_assert_int_eq(mkfifo(started, 0600), 0);
	ck_assert_int_eq(mkfifo(release, 0600), 0);
	snprintf(cmd, sizeof cmd, "cat >/dev/null; echo go > '%s'; read x < '%s'", started,
	    release);
	unsetenv("RESET_MAIL_COMMAND");
	ck_assert_int_eq(setenv("MAIL_COMMAND", cmd, 1), 0);
	forgot_ok(EM_AMINA);
	forgot_ok(EM_SOFIANE);

	pid = start_loop(&fd);
	fifo_read_line(started, line, sizeof line);   /* the first mail is under way */
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_ptr_nonnull(f = fopen(release, "w"));
	fputs("done\n", f);
	fclose(f);
	read_until(fd, "sender stopped", buf, sizeof buf);
	close(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_ptr_nonnull(strstr(buf, "sender started"));
	ck_assert_ptr_nonnull(strstr(buf, "password_reset sent (attempt 1)"));
	ck_assert_ptr_nonnull(strstr(buf, "sender stopped"));
	/* One delivered; the other was not started and waits for the next run. */
	ck_assert_int_eq(rows("status = 'sent'"), 1);
	ck_assert_int_eq(rows("status = 'pending' AND attempts = 0"), 1);
}
END_TEST

/* Idle, waiting for the next poll: SIGTERM ends the wait at once. */
START_TEST(medadm_loop_stops_when_idle)
{
	char buf[4096] = "";
	int fd, status;
	pid_t pid;

	unsetenv("RESET_MAIL_COMMAND");
	ck_assert_int_eq(setenv("MAIL_COMMAND", SWALLOW, 1), 0);
	pid = start_loop(&fd);
	read_until(fd, "sender started", buf, sizeof buf);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	read_until(fd, "sender stopped", buf, sizeof buf);
	close(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_ptr_nonnull(strstr(buf, "sender stopped"));
}
END_TEST

static Suite *
outbox_suite(void)
{
	Suite *s = suite_create("outbox");
	TCase *rec = tcase_create("record"), *send = tcase_create("sender");
	TCase *adm = tcase_create("medadm");

	tcase_add_checked_fixture(rec, setup, teardown);
	tcase_add_test(rec, add_stands_or_falls_with_its_transaction);
	tcase_add_test(rec, forgot_records_and_never_runs_a_command);
	tcase_add_test(rec, forgot_three_per_account_per_hour);
	tcase_add_test(rec, forgot_writes_the_same_for_everyone);
	suite_add_tcase(s, rec);

	tcase_add_checked_fixture(send, setup, teardown);
	tcase_set_timeout(send, 30);
	tcase_add_test(send, backoff_then_dead_then_retry);
	tcase_add_test(send, max_attempts_configurable);
	tcase_add_test(send, hung_command_killed_at_time_limit);
	tcase_add_test(send, fake_mailer_gets_rfc5322_with_token);
	tcase_add_test(send, english_template);
	tcase_add_test(send, arabic_template);
	tcase_add_test(send, expired_reset_mail_wiped);
	tcase_add_test(send, per_recipient_rate_limit);
	tcase_add_test(send, legacy_reset_command);
	tcase_add_test(send, sms_without_sender_is_dead);
	tcase_add_test(send, stop_hook_between_messages);
	tcase_add_test(send, compose_refuses_header_injection);
	suite_add_tcase(s, send);

	tcase_add_checked_fixture(adm, setup, teardown);
	tcase_set_timeout(adm, 60);
	tcase_add_test(adm, medadm_run_list_retry);
	tcase_add_test(adm, medadm_loop_stops_cleanly_on_sigterm);
	tcase_add_test(adm, medadm_loop_stops_when_idle);
	suite_add_tcase(s, adm);
	return s;
}

TEST_SUITE(outbox_suite)
