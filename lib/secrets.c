/*
 * secrets.c - JWT secret rotation and pick-up (see secrets.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "audit.h"
#include "db.h"
#include "secrets.h"

static const char *const key_names[3] = { "jwt_access", "jwt_refresh", "jwt_reset" };

static const char SQL_BUMP_ALL[] = "UPDATE users SET token_version = token_version + 1";
static const char SQL_DROP_REFRESH[] = "DELETE FROM refresh_tokens";

/* Write 64 random hex chars to a new private file and fsync it. */
static enum med_err
write_random_key(const char *path)
{
	unsigned char raw[MED_KEY_LEN];
	char hex[2 * MED_KEY_LEN + 2];
	int fd, ok;

	if (RAND_bytes(raw, sizeof raw) != 1)
		return MED_ECRYPTO;
	for (size_t i = 0; i < MED_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof raw);
	hex[2 * MED_KEY_LEN] = '\n';
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return MED_EIO;
	ok = write(fd, hex, 2 * MED_KEY_LEN + 1) == 2 * MED_KEY_LEN + 1 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	OPENSSL_cleanse(hex, sizeof hex);
	return ok ? MED_OK : MED_EIO;
}

static enum med_err
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ok;

	if (fd < 0)
		return MED_EIO;
	ok = fsync(fd) == 0;
	close(fd);
	return ok ? MED_OK : MED_EIO;
}

enum med_err
secrets_rotate(struct med_ctx *ctx, int *users)
{
	char dir[MED_PATH_MAX + 16], tmp[4][MED_PATH_MAX + 64], fin[4][MED_PATH_MAX + 64];
	char detail[96];
	enum med_err e = MED_OK;
	sqlite3_stmt *st;
	int i, n;

	*users = 0;
	snprintf(dir, sizeof dir, "%s/secrets", ctx->cfg.data_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return MED_EIO;
	/* Slots 0..2 are the keys, 3 the generation marker renamed last. */
	for (i = 0; i < 4; i++) {
		const char *name = i < 3 ? key_names[i] : "generation";
		if ((size_t)snprintf(fin[i], sizeof fin[i], "%s/%s%s", dir, name,
		    i < 3 ? ".key" : "") >= sizeof fin[i] ||
		    (size_t)snprintf(tmp[i], sizeof tmp[i], "%s.rotate-%ld", fin[i],
		    (long)getpid()) >= sizeof tmp[i])
			return MED_ERANGE;
	}
	for (i = 0; i < 4 && e == MED_OK; i++)
		e = write_random_key(tmp[i]);
	if (e != MED_OK)
		goto clean;
	if ((e = db_begin(ctx)) != MED_OK)
		goto clean;
	if ((st = db_stmt(ctx, SQL_BUMP_ALL)) == NULL || (e = db_step_done(st)) != MED_OK)
		goto rollback;
	n = db_changes(ctx);
	if ((st = db_stmt(ctx, SQL_DROP_REFRESH)) == NULL || (e = db_step_done(st)) != MED_OK)
		goto rollback;
	snprintf(detail, sizeof detail, "medadm: %d users' sessions ended", n);
	if ((e = audit_add(ctx, NULL, "secrets.rotate", "secrets", NULL, "ok", detail)) != MED_OK)
		goto rollback;
	/*
	 * The files change while we hold the write lock, before COMMIT: if a
	 * rename fails nothing is committed and the admin runs it again.
	 */
	for (i = 0; i < 4; i++)
		if (rename(tmp[i], fin[i]) != 0) {
			e = MED_EIO;
			goto rollback;
		}
	if ((e = sync_dir(dir)) != MED_OK)
		goto rollback;
	if ((e = db_commit(ctx)) != MED_OK)
		goto clean;
	*users = n;
	/* This process uses the new keys too. */
	ctx->secrets_stamp = 0;
	e = secrets_refresh(ctx);
	goto clean;
rollback:
	if (e == MED_OK)
		e = MED_EDB;
	db_rollback(ctx);
clean:
	for (i = 0; i < 4; i++)
		unlink(tmp[i]);
	return e;
}

enum med_err
secrets_refresh(struct med_ctx *ctx)
{
	unsigned char keys[3][MED_KEY_LEN];
	char path[MED_PATH_MAX + 32];
	enum med_err e = MED_OK;
	struct stat sb;
	uint64_t stamp;

	if ((size_t)snprintf(path, sizeof path, "%s/secrets/generation", ctx->cfg.data_dir) >=
	    sizeof path)
		return MED_ERANGE;
	/* No generation file: never rotated, the keys loaded at start are current. */
	if (stat(path, &sb) != 0)
		return MED_OK;
	stamp = ((uint64_t)sb.st_ino * 0x9e3779b97f4a7c15ULL) ^
	    ((uint64_t)sb.st_mtim.tv_sec * 1000000000ULL + (uint64_t)sb.st_mtim.tv_nsec);
	stamp |= 1; /* 0 means "not loaded yet" */
	if (stamp == ctx->secrets_stamp)
		return MED_OK;
	/* All three or none: on failure the worker keeps the keys it has. */
	for (int i = 0; i < 3 && e == MED_OK; i++)
		e = med_secret_load(&ctx->cfg, key_names[i], keys[i], 0);
	if (e == MED_OK) {
		memcpy(ctx->access_key, keys[0], MED_KEY_LEN);
		memcpy(ctx->refresh_key, keys[1], MED_KEY_LEN);
		memcpy(ctx->reset_key, keys[2], MED_KEY_LEN);
		ctx->secrets_stamp = stamp;
	}
	OPENSSL_cleanse(keys, sizeof keys);
	return e;
}
