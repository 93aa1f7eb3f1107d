/*
 * jwt.c - HS256 JSON Web Tokens.
 *
 * Verification order matters: the header is checked for alg HS256 before
 * anything else, and the signature is checked (in constant time) before
 * the payload is even parsed, so an attacker's JSON never reaches cJSON
 * unless they hold the key.
 */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"
#include "util.h"

#define SIG_LEN 32 /* SHA-256 */

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

long
b64url_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0, need = (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0);

	if (need + 1 > outsz)
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
		out[o++] = b64url_alphabet[v >> 6 & 63];
		out[o++] = b64url_alphabet[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)in[i] << 16;
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
		out[o++] = b64url_alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return (long)o;
}

static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long
b64url_decode(const char *in, size_t n, unsigned char *out, size_t outsz)
{
	size_t i, o = 0;
	unsigned acc = 0;
	int bits = 0;

	/* A single leftover character can't encode a byte. */
	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64url_value(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	/* Non-canonical encodings (stray low bits) are refused. */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (long)o;
}

const char *
jwt_type_name(enum jwt_type t)
{
	switch (t) {
	case JWT_ACCESS:
		return "access";
	case JWT_REFRESH:
		return "refresh";
	case JWT_RESET:
		return "reset";
	case JWT_LIVE:
		return "live";
	}
	return "?";
}

static enum med_err
hmac_sha256(const unsigned char *key, size_t keylen, const char *data, size_t n,
    unsigned char mac[SIG_LEN])
{
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, n, mac,
	    &maclen) == NULL || maclen != SIG_LEN)
		return MED_ECRYPTO;
	return MED_OK;
}

/* JSON text to base64url at out; returns chars written or -1. */
static long
encode_json(const cJSON *obj, char *out, size_t outsz)
{
	char *text = cJSON_PrintUnformatted(obj);
	long n;

	if (text == NULL)
		return -1;
	n = b64url_encode((const unsigned char *)text, strlen(text), out, outsz);
	cJSON_free(text);
	return n;
}

enum med_err
jwt_sign(const unsigned char *key, size_t keylen, const struct jwt_claims *c, char *out,
    size_t outsz)
{
	cJSON *hdr = cJSON_CreateObject(), *pl = cJSON_CreateObject();
	unsigned char mac[SIG_LEN];
	long h, p, s;
	enum med_err e = MED_ENOMEM;

	if (hdr == NULL || pl == NULL ||
	    !cJSON_AddStringToObject(hdr, "alg", "HS256") ||
	    !cJSON_AddStringToObject(hdr, "typ", "JWT") ||
	    !cJSON_AddStringToObject(pl, "sub", c->sub) ||
	    !cJSON_AddNumberToObject(pl, "iat", (double)c->iat) ||
	    !cJSON_AddNumberToObject(pl, "exp", (double)c->exp) ||
	    !cJSON_AddStringToObject(pl, "type", jwt_type_name(c->type)) ||
	    !cJSON_AddNumberToObject(pl, "ver", (double)c->ver) ||
	    !cJSON_AddStringToObject(pl, "jti", c->jti))
		goto out;
	e = MED_ERANGE;
	if ((h = encode_json(hdr, out, outsz)) < 0 || (size_t)h + 2 >= outsz)
		goto out;
	out[h] = '.';
	if ((p = encode_json(pl, out + h + 1, outsz - (size_t)h - 1)) < 0 ||
	    (size_t)(h + p) + 2 >= outsz)
		goto out;
	if ((e = hmac_sha256(key, keylen, out, (size_t)(h + 1 + p), mac)) != MED_OK)
		goto out;
	out[h + 1 + p] = '.';
	s = b64url_encode(mac, SIG_LEN, out + h + p + 2, outsz - (size_t)(h + p + 2));
	e = s < 0 ? MED_ERANGE : MED_OK;
out:
	cJSON_Delete(hdr);
	cJSON_Delete(pl);
	if (e != MED_OK && outsz > 0)
		out[0] = '\0';
	return e;
}

/* Decode one base64url JSON segment into an object. */
static cJSON *
decode_segment(const char *seg, size_t n)
{
	unsigned char buf[JWT_MAX];
	long len = b64url_decode(seg, n, buf, sizeof buf - 1);
	cJSON *obj;

	if (len <= 0)
		return NULL;
	buf[len] = '\0';
	if (!util_utf8_valid((const char *)buf, (size_t)len))
		return NULL;
	obj = cJSON_ParseWithLength((const char *)buf, (size_t)len);
	if (obj != NULL && !cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

static int
header_ok(const char *seg, size_t n)
{
	cJSON *hdr = decode_segment(seg, n), *alg, *typ;
	int ok;

	if (hdr == NULL)
		return 0;
	alg = cJSON_GetObjectItemCaseSensitive(hdr, "alg");
	typ = cJSON_GetObjectItemCaseSensitive(hdr, "typ");
	ok = cJSON_IsString(alg) && strcmp(alg->valuestring, "HS256") == 0 &&
	    (typ == NULL || (cJSON_IsString(typ) && strcmp(typ->valuestring, "JWT") == 0)) &&
	    cJSON_GetObjectItemCaseSensitive(hdr, "crit") == NULL;
	cJSON_Delete(hdr);
	return ok;
}

/* An integral JSON number within the range of exact doubles. */
static int
int_claim(const cJSON *obj, const char *name, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
	    fabs(v->valuedouble) > 9007199254740992.0)
		return 0;
	*out = (int64_t)v->valuedouble;
	return 1;
}

static int
str_claim(const cJSON *obj, const char *name, char *out, size_t outsz)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= outsz)
		return 0;
	strcpy(out, v->valuestring);
	return 1;
}

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static enum med_err
claims_from_payload(const cJSON *pl, enum jwt_type expect, int64_t now, struct jwt_claims *out)
{
	char type[16];

	if (!str_claim(pl, "sub", out->sub, sizeof out->sub) || !util_is_uuid(out->sub) ||
	    !str_claim(pl, "jti", out->jti, sizeof out->jti) || !is_hex(out->jti, JWT_JTI_LEN) ||
	    !str_claim(pl, "type", type, sizeof type) || strcmp(type, jwt_type_name(expect)) != 0 ||
	    !int_claim(pl, "iat", &out->iat) || !int_claim(pl, "exp", &out->exp) ||
	    !int_claim(pl, "ver", &out->ver) || out->ver < 0)
		return MED_EAUTH;
	out->type = expect;
	/*
	 * Issued in the future: a clock far off, or a token minted with a
	 * stolen key to outlive a rotation.  A minute covers honest skew.
	 */
	if (out->iat > now + JWT_IAT_SKEW)
		return MED_EAUTH;
	if (out->exp <= now)
		return MED_EEXPIRED;
	return MED_OK;
}

enum med_err
jwt_verify(const unsigned char *key, size_t keylen, const char *token, enum jwt_type expect,
    int64_t now, struct jwt_claims *out)
{
	const char *dot1, *dot2;
	unsigned char mac[SIG_LEN], sig[SIG_LEN + 4];
	size_t len;
	long siglen;
	cJSON *pl;
	enum med_err e;

	memset(out, 0, sizeof *out);
	if (token == NULL || (len = strlen(token)) == 0 || len > JWT_MAX)
		return MED_EAUTH;
	if ((dot1 = strchr(token, '.')) == NULL || (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL)
		return MED_EAUTH;
	if (!header_ok(token, (size_t)(dot1 - token)))
		return MED_EAUTH;
	siglen = b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof sig);
	if (siglen != SIG_LEN)
		return MED_EAUTH;
	if (hmac_sha256(key, keylen, token, (size_t)(dot2 - token), mac) != MED_OK)
		return MED_EAUTH;
	if (!util_ct_equal(mac, sig, SIG_LEN))
		return MED_EAUTH;
	if ((pl = decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL)
		return MED_EAUTH;
	e = claims_from_payload(pl, expect, now, out);
	cJSON_Delete(pl);
	return e;
}
