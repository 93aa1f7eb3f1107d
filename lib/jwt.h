/*
 * jwt.h - HS256 JSON Web Tokens with OpenSSL HMAC.
 *
 * Only {"alg":"HS256","typ":"JWT"} is produced and only alg HS256 is
 * accepted; the algorithm is pinned before anything else is read.  The
 * signature is compared in constant time before the payload is parsed.
 * Claims: sub (UUID), exp, iat, type, ver, jti - all required.
 */
#ifndef JWT_H
#define JWT_H

#include <stddef.h>
#include <stdint.h>
#include "med.h"

/*
 * JWT_LIVE: a subscribe ticket for live updates (live.h), never an access
 * token: jwt_verify() pins the type, so neither passes for the other.
 */
enum jwt_type { JWT_ACCESS, JWT_REFRESH, JWT_RESET, JWT_LIVE };

#define JWT_MAX 1024   /* longest token we produce or accept */
#define JWT_JTI_LEN 32 /* hex chars of a jti */

struct jwt_claims {
	char sub[MED_UUID_LEN + 1];
	char jti[JWT_JTI_LEN + 1];
	int64_t iat;
	int64_t exp;
	int64_t ver;
	enum jwt_type type;
};

/* base64url without padding.  Return the output length, or -1. */
long b64url_encode(const unsigned char *in, size_t n, char *out, size_t outsz);
long b64url_decode(const char *in, size_t n, unsigned char *out, size_t outsz);

/* Sign claims with key into out (NUL-terminated). */
enum med_err jwt_sign(const unsigned char *key, size_t keylen,
    const struct jwt_claims *c, char *out, size_t outsz);

/*
 * Verify token: structure, alg, signature, then claims (all present and
 * well typed, type == expect, exp > now, iat <= now + JWT_IAT_SKEW).
 * MED_EEXPIRED for an expired but otherwise valid token, MED_EAUTH for
 * everything else.
 */
#define JWT_IAT_SKEW 60
enum med_err jwt_verify(const unsigned char *key, size_t keylen, const char *token,
    enum jwt_type expect, int64_t now, struct jwt_claims *out);

const char *jwt_type_name(enum jwt_type t);

#endif
