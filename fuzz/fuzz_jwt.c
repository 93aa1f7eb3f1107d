/*
 * fuzz_jwt.c - libFuzzer target for jwt_verify() and the sign/verify
 * round trip.  The first byte picks the mode:
 *
 *   'R' + bytes   round trip: claims built from the bytes are signed and
 *                 verified back; then the token is checked against the
 *                 other types, another key and a one-character mutation.
 *   'S' + H\nP    H and P are taken as the header and payload JSON text,
 *                 base64url-encoded and correctly signed, so the header
 *                 and claim parsers behind the signature check are
 *                 reached with arbitrary JSON.
 *   anything else the whole input is a token.
 *
 * Invariants (abort() = a finding): verify answers only MED_OK, MED_EAUTH
 * or MED_EEXPIRED; an accepted token has a UUID sub, a 32-hex jti, exp
 * after now and the expected type; no token is accepted as two types; a
 * round trip returns the very claims that were signed; a token signed
 * with one key never verifies with another; a mutated token that still
 * verifies carries the same claims.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fuzz_common.h"
#include "jwt.h"
#include "util.h"

#define NOW 1790000000   /* fixed: 2026-09-21 */

static const unsigned char key[MED_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_key[MED_KEY_LEN] = "fedcba9876543210fedcba9876543210";

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_jwt: %s\n", what);
	abort();
}

/* Verify token as each type; check the per-result invariants. */
static int
verify_all(const unsigned char *k, const char *token, struct jwt_claims out[3], enum med_err e[3])
{
	int accepted = 0;

	for (int t = 0; t < 3; t++) {
		e[t] = jwt_verify(k, MED_KEY_LEN, token, (enum jwt_type)t, NOW, &out[t]);
		if (e[t] != MED_OK && e[t] != MED_EAUTH && e[t] != MED_EEXPIRED)
			fail("unexpected status from jwt_verify");
		if (e[t] != MED_OK)
			continue;
		accepted++;
		if (!util_is_uuid(out[t].sub) || strlen(out[t].jti) != JWT_JTI_LEN ||
		    out[t].exp <= NOW || out[t].type != (enum jwt_type)t || out[t].ver < 0)
			fail("accepted claims are malformed");
	}
	if (accepted > 1)
		fail("one token accepted as two types");
	return accepted;
}

static int
same_claims(const struct jwt_claims *a, const struct jwt_claims *b)
{
	return strcmp(a->sub, b->sub) == 0 && strcmp(a->jti, b->jti) == 0 &&
	    a->iat == b->iat && a->exp == b->exp && a->ver == b->ver && a->type == b->type;
}

static void
hex(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int64_t
take64(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | (*p < end ? *(*p)++ : 0);
	return (int64_t)v;
}

static void
round_trip(const uint8_t *p, const uint8_t *end)
{
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct jwt_claims c, out[3];
	enum med_err e[3];
	uint8_t raw[32] = { 0 };
	char h[65], token[JWT_MAX + 1];
	size_t n = (size_t)(end - p) < sizeof raw ? (size_t)(end - p) : sizeof raw, len, pos;
	int64_t span;

	memcpy(raw, p, n);
	p += n;
	memset(&c, 0, sizeof c);
	hex(raw, 16, h);
	snprintf(c.sub, sizeof c.sub, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
	hex(raw + 16, 16, c.jti);
	c.type = (enum jwt_type)((p < end ? *p++ : 0) % 3);
	/* Claims as the library makes them: exact doubles, ver >= 0. */
	span = take64(&p, end) % (400LL * 24 * 3600);
	c.iat = NOW - (take64(&p, end) & 0xffffff);
	c.exp = NOW + span;
	c.ver = take64(&p, end) & 0x7fffffff;
	if (jwt_sign(key, MED_KEY_LEN, &c, token, sizeof token) != MED_OK)
		fail("jwt_sign failed on valid claims");
	len = strlen(token);
	verify_all(key, token, out, e);
	if (c.exp > NOW) {
		if (e[c.type] != MED_OK || !same_claims(&c, &out[c.type]))
			fail("round trip lost the claims");
	} else if (e[c.type] != MED_EEXPIRED) {
		fail("expired token not reported as expired");
	}
	if (verify_all(other_key, token, out, e) != 0)
		fail("token verified with another key");
	/* One character replaced by a different base64url character. */
	pos = (size_t)(take64(&p, end) & 0x7fffffff) % len;
	if (token[pos] != '.') {
		struct jwt_claims orig = c;
		const char *at = strchr(b64url, token[pos]);
		token[pos] = b64url[((at != NULL ? at - b64url : 0) + 1 + (p < end ? *p : 0) % 63) % 64];
		if (verify_all(key, token, out, e) == 1)
			for (int t = 0; t < 3; t++)
				if (e[t] == MED_OK && !same_claims(&orig, &out[t]))
					fail("a mutated token verified with other claims");
	}
}

static void
signed_json(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
	char token[3 * JWT_MAX];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct jwt_claims out[3];
	enum med_err e[3];
	long a, b, s;

	if (nl == NULL || (size_t)(end - p) > JWT_MAX)
		return;
	if ((a = b64url_encode(p, (size_t)(nl - p), token, sizeof token)) < 0)
		return;
	token[a++] = '.';
	if ((b = b64url_encode(nl + 1, (size_t)(end - nl - 1), token + a, sizeof token - (size_t)a)) < 0)
		return;
	a += b;
	if (HMAC(EVP_sha256(), key, MED_KEY_LEN, (const unsigned char *)token, (size_t)a, mac, &maclen) == NULL)
		fail("HMAC");
	token[a++] = '.';
	if ((s = b64url_encode(mac, maclen, token + a, sizeof token - (size_t)a)) < 0)
		return;
	verify_all(key, token, out, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwt_claims out[3];
	enum med_err e[3];
	char *token;

	if (size > 4 * JWT_MAX)
		return 0;
	if (size > 0 && data[0] == 'R') {
		round_trip(data + 1, data + size);
		return 0;
	}
	if (size > 0 && data[0] == 'S') {
		signed_json(data + 1, data + size);
		return 0;
	}
	token = fuzz_strndup(data, size);
	verify_all(key, token, out, e);
	free(token);
	return 0;
}
