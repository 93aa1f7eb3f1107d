/*
 * idempotency.h - Idempotency-Key on authenticated POSTs that write.
 *
 * A client that lost the answer to a committed write (a worker killed
 * after COMMIT answers 502) retries with the same key and gets the first
 * answer again, status and body, without a second write.  The key and the
 * answer are stored in the route's own transaction, so a key exists
 * exactly when its write does.  Keys are per user and live 24 hours.
 */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

#include "http.h"

#define IDEM_KEY_MAX 255
#define IDEM_TTL_SECONDS 86400

enum idem_verdict {
	IDEM_NEW,       /* run the handler, then idem_store() */
	IDEM_ANSWERED,  /* resp holds the replay or the refusal: do not run it */
};

/*
 * Inside the route's write transaction: look the caller's key up.  A key
 * seen with the same method, path and body replays the stored answer; with
 * another request it is 422; a malformed key is 422.
 */
enum med_err idem_begin(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp,
    enum idem_verdict *verdict);
/* Record the 2xx answer in resp under the caller's key (same transaction). */
enum med_err idem_store(struct med_ctx *ctx, const struct med_req *req,
    const struct med_resp *resp);

#endif
