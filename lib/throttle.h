/*
 * throttle.h - how many password guesses a login may cost.
 *
 * The policy (README, "Login throttling"):
 * - per account and client address: at most LOGIN_MAX_FAILURES failures in
 *   LOGIN_WINDOW_SECONDS, then 429 until the oldest leaves the window;
 * - per account across addresses: no lock-out.  Once the account has
 *   LOGIN_MAX_FAILURES failures in the window, each further attempt from
 *   an address the account has never logged in from waits a delay that
 *   doubles with every failure (1 s, 2 s, 4 s ... up to the window), so a
 *   guesser slows to a crawl while the owner, from a known address, logs
 *   in at once;
 * - per client address across accounts: 4 x LOGIN_MAX_FAILURES failures,
 *   except for accounts known from that address (people behind one NAT do
 *   not lock each other out).
 * An attempt is counted before its password is checked, in the same
 * transaction as the check, so parallel guesses cannot run more checks
 * than the limit; a right password takes its count back.
 */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stdint.h>
#include "med.h"

struct login_attempt {
	char account[300];   /* "account:<email, lower case>" */
	char addr[128];      /* "addr:<client address>" */
	char pair[430];      /* "pair:<email>|<address>" */
	int64_t addr_row;    /* this attempt's row under addr */
};

/*
 * Check the limits for email from remote_addr (NULL: unknown) and, when
 * the attempt may go on (*wait == 0), count it as a failure.  *wait > 0:
 * refused, retry after that many seconds.
 */
enum med_err throttle_claim(struct med_ctx *ctx, const char *email, const char *remote_addr,
    struct login_attempt *a, int64_t *wait);
/* The password was right: take the attempt back, remember the address. */
enum med_err throttle_success(struct med_ctx *ctx, const struct login_attempt *a);
/* Forget every failure of the account (medadm user unlock). */
enum med_err throttle_unlock(struct med_ctx *ctx, const char *email);

#endif
