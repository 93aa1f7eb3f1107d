/*
 * ctx.c - configuration, secrets and the per-process context.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "db.h"
#include "dircache.h"
#include "live.h"
#include "med.h"
#include "util.h"

const char *
med_strerror(enum med_err e)
{
	switch (e) {
	case MED_OK: return "success";
	case MED_ENOMEM: return "out of memory";
	case MED_EDB: return "database error";
	case MED_EBUSY: return "database busy";
	case MED_EINVAL: return "invalid input";
	case MED_ENOTFOUND: return "not found";
	case MED_ECONFLICT: return "conflict";
	case MED_EAUTH: return "authentication failed";
	case MED_EEXPIRED: return "expired";
	case MED_EFORBIDDEN: return "forbidden";
	case MED_EIO: return "I/O error";
	case MED_ECRYPTO: return "cryptography error";
	case MED_ERANGE: return "out of range";
	case MED_ESCHEMA: return "unsupported schema version (run medadm migrate)";
	case MED_EFULL: return "disk full";
	case MED_ESTORAGE: return "storage unavailable (read-only, I/O error or not a database)";
	}
	return "unknown error";
}

static void
env_str(char *dst, size_t size, const char *name, const char *def)
{
	const char *v = getenv(name);

	snprintf(dst, size, "%s", v != NULL && *v != '\0' ? v : def);
}

static enum med_err
env_int(int *dst, const char *name, int def, int min, int max)
{
	const char *v = getenv(name);
	char *end;
	long n;

	*dst = def;
	if (v == NULL || *v == '\0')
		return MED_OK;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return MED_EINVAL;
	*dst = (int)n;
	return MED_OK;
}

/*
 * RESET_MAIL_COMMAND predates the outbox: a command given the address as
 * $1 and the bare token on stdin.  It stays honoured for reset mails, by
 * that contract, until MAIL_COMMAND is set (which then wins).
 */
static enum med_err
mail_config_from_env(struct med_mail_config *m)
{
	const char *cmd = getenv("MAIL_COMMAND");

	env_str(m->command, sizeof m->command, "MAIL_COMMAND", "/usr/sbin/sendmail -t -i");
	if (cmd == NULL || *cmd == '\0')
		env_str(m->reset_command, sizeof m->reset_command, "RESET_MAIL_COMMAND", "");
	env_str(m->from, sizeof m->from, "MAIL_FROM", "no-reply@localhost");
	env_str(m->sms_command, sizeof m->sms_command, "SMS_COMMAND", "");
	if (env_int(&m->timeout_seconds, "MAIL_TIMEOUT_SECONDS", 30, 1, 3600) ||
	    env_int(&m->max_attempts, "OUTBOX_MAX_ATTEMPTS", 8, 1, 100) ||
	    env_int(&m->retry_seconds, "OUTBOX_RETRY_SECONDS", 60, 1, 86400) ||
	    env_int(&m->per_recipient_hour, "OUTBOX_RECIPIENT_PER_HOUR", 10, 1, 10000))
		return MED_EINVAL;
	return MED_OK;
}

enum med_err
med_config_from_env(struct med_config *cfg)
{
	enum med_err e = MED_OK;

	memset(cfg, 0, sizeof *cfg);
	env_str(cfg->data_dir, sizeof cfg->data_dir, "MED_DATA_DIR", "var");
	if (getenv("MED_DB") != NULL && *getenv("MED_DB") != '\0')
		env_str(cfg->db_path, sizeof cfg->db_path, "MED_DB", "");
	else if ((size_t)snprintf(cfg->db_path, sizeof cfg->db_path, "%s/clinic.db",
	    cfg->data_dir) >= sizeof cfg->db_path)
		return MED_ERANGE;
	env_str(cfg->clinic_tz, sizeof cfg->clinic_tz, "CLINIC_TZ", "UTC");
	env_str(cfg->cors_origins, sizeof cfg->cors_origins, "CORS_ORIGINS", "");
	/* PUBLIC_URL: where people reach the clinic's site (feed URLs, UIDs of .ics events). */
	env_str(cfg->public_url, sizeof cfg->public_url, "PUBLIC_URL", "https://localhost");
	env_str(cfg->clinic_name, sizeof cfg->clinic_name, "CLINIC_NAME", "Clinic");
	env_str(cfg->clinic_phone, sizeof cfg->clinic_phone, "CLINIC_PHONE", "");
	cfg->reset_minutes = 15;
	if (env_int(&cfg->access_minutes, "ACCESS_TOKEN_EXPIRE_MINUTES", 30, 1, 24 * 60) ||
	    env_int(&cfg->refresh_days, "REFRESH_TOKEN_EXPIRE_DAYS", 7, 1, 365) ||
	    env_int(&cfg->login_max_failures, "LOGIN_MAX_FAILURES", 5, 1, 1000) ||
	    env_int(&cfg->login_window_seconds, "LOGIN_WINDOW_SECONDS", 900, 1, 86400) ||
	    env_int(&cfg->waitlist_hold_minutes, "WAITLIST_HOLD_MINUTES", 30, 1, 1440) ||
	    mail_config_from_env(&cfg->mail) != MED_OK)
		e = MED_EINVAL;
	env_str(cfg->live_publish, sizeof cfg->live_publish, "LIVE_PUBLISH", "");
	if (e == MED_OK)
		e = live_target_check(cfg->live_publish);
	return e;
}

static enum med_err
read_key(const char *path, unsigned char key[MED_KEY_LEN])
{
	char hex[2 * MED_KEY_LEN + 2];
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return errno == ENOENT ? MED_ENOTFOUND : MED_EIO;
	n = fread(hex, 1, sizeof hex - 1, f);
	fclose(f);
	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	if (n != 2 * MED_KEY_LEN)
		return MED_EINVAL;
	/* sscanf() measures its input string first: it must end here. */
	hex[n] = '\0';
	for (size_t i = 0; i < MED_KEY_LEN; i++) {
		unsigned int byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return MED_EINVAL;
		key[i] = (unsigned char)byte;
	}
	return MED_OK;
}

/*
 * Write a fresh random key to a temporary file and link() it into place:
 * link fails if another creator won the race (two `medadm init` at once),
 * and then both read the winner's key, so they agree on one secret.
 */
static enum med_err
create_key(const char *path)
{
	unsigned char raw[MED_KEY_LEN];
	char tmp[MED_PATH_MAX + 32], hex[2 * MED_KEY_LEN + 2];
	int fd, ok;

	if (RAND_bytes(raw, sizeof raw) != 1)
		return MED_ECRYPTO;
	for (size_t i = 0; i < MED_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[2 * MED_KEY_LEN] = '\n';
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= sizeof tmp)
		return MED_ERANGE;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return MED_EIO;
	ok = write(fd, hex, 2 * MED_KEY_LEN + 1) == 2 * MED_KEY_LEN + 1 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && link(tmp, path) != 0 && errno != EEXIST)
		ok = 0;
	unlink(tmp);
	return ok ? MED_OK : MED_EIO;
}

enum med_err
med_secret_load(const struct med_config *cfg, const char *name, unsigned char key[MED_KEY_LEN],
    int create)
{
	char dir[MED_PATH_MAX + 16], path[MED_PATH_MAX + 64];
	enum med_err e;

	snprintf(dir, sizeof dir, "%s/secrets", cfg->data_dir);
	if ((size_t)snprintf(path, sizeof path, "%s/%s.key", dir, name) >= sizeof path)
		return MED_ERANGE;
	e = read_key(path, key);
	if (e != MED_ENOTFOUND || !create)
		return e;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return MED_EIO;
	if ((e = create_key(path)) != MED_OK)
		return e;
	return read_key(path, key);
}

enum med_err
med_ctx_load_secrets(struct med_ctx *ctx, int create)
{
	enum med_err e;

	if ((e = med_secret_load(&ctx->cfg, "jwt_access", ctx->access_key, create)) != MED_OK ||
	    (e = med_secret_load(&ctx->cfg, "jwt_refresh", ctx->refresh_key, create)) != MED_OK ||
	    (e = med_secret_load(&ctx->cfg, "jwt_reset", ctx->reset_key, create)) != MED_OK)
		return e;
	return MED_OK;
}

enum med_err
med_ctx_open(struct med_ctx *ctx, const struct med_config *cfg, int create)
{
	enum med_err e;

	memset(ctx, 0, sizeof *ctx);
	ctx->cfg = *cfg;
	/* Clinic-local wall clock is the process time zone: localtime/mktime use it. */
	if (setenv("TZ", cfg->clinic_tz, 1) != 0)
		return MED_EIO;
	tzset();
	if (create && mkdir(cfg->data_dir, 0750) != 0 && errno != EEXIST)
		return MED_EIO;
	/*
	 * The keys are the caller's to load (med_ctx_load_secrets), because
	 * only the caller knows whether it may create them.  Until then they
	 * are random bytes of this process alone, never a known all-zero key:
	 * a caller that forgot to load them can issue no token that another
	 * process accepts, and nobody can forge one for it.
	 */
	if (RAND_bytes(ctx->access_key, MED_KEY_LEN) != 1 ||
	    RAND_bytes(ctx->refresh_key, MED_KEY_LEN) != 1 ||
	    RAND_bytes(ctx->reset_key, MED_KEY_LEN) != 1)
		return MED_ECRYPTO;
	if ((e = db_open(ctx, cfg->db_path, create)) != MED_OK)
		return e;
	return MED_OK;
}

void
med_ctx_close(struct med_ctx *ctx)
{
	db_close(ctx);
	live_free(ctx);
	dircache_free(ctx);
	OPENSSL_cleanse(ctx->access_key, sizeof ctx->access_key);
	OPENSSL_cleanse(ctx->refresh_key, sizeof ctx->refresh_key);
	OPENSSL_cleanse(ctx->reset_key, sizeof ctx->reset_key);
}

int64_t
med_now(const struct med_ctx *ctx)
{
	if (ctx->fixed_now != 0)
		return ctx->fixed_now;
	return (int64_t)time(NULL);
}
