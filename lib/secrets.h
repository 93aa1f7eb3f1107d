/*
 * secrets.h - rotation of the JWT secrets, and how running workers pick
 * the new ones up without a restart.
 *
 * Rotation writes three fresh keys (tmp file + rename each), then renames
 * a new <data_dir>/secrets/generation file into place last.  Every request
 * starts with secrets_refresh(): one stat() of that file; when its inode
 * or mtime changed since the keys were loaded, the worker re-reads the
 * three keys.  Because generation is renamed after the keys, a worker that
 * sees the new generation reads the new keys.
 */
#ifndef SECRETS_H
#define SECRETS_H

#include "med.h"

/*
 * New keys for access, refresh and reset tokens, atomically per file.  In
 * the same transaction every user's token_version is bumped and the
 * refresh-token table is emptied, so every session ends even for a
 * process that has not re-read the keys yet; the action is audited.
 * *users receives how many accounts lost their sessions.
 */
enum med_err secrets_rotate(struct med_ctx *ctx, int *users);

/* Re-read the keys if the generation file changed; MED_OK if nothing to do. */
enum med_err secrets_refresh(struct med_ctx *ctx);

#endif
