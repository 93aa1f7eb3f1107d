/*
 * test_crypto.c - base64url, HS256 JWTs (RFC 7515 vectors, forgeries,
 * claim rules) and the scrypt password-hash strings.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"
#include "pwhash.h"
#include "testreg.h"

static const unsigned char key[MED_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_key[MED_KEY_LEN] = "fedcba9876543210fedcba9876543210";
#define NOW 1790000000

static void
claims(struct jwt_claims *c, enum jwt_type t)
{
	memset(c, 0, sizeof *c);
	strcpy(c->sub, "0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001");
	strcpy(c->jti, "00112233445566778899aabbccddeeff");
	c->iat = NOW;
	c->exp = NOW + 600;
	c->ver = 3;
	c->type = t;
}

/* Build header.payload.signature from raw JSON parts, signed with k. */
static void
forge(const char *hdr, const char *payload, const unsigned char *k, char *out, size_t outsz)
{
	unsigned char mac[32];
	unsigned int maclen;
	long n;

	n = b64url_encode((const unsigned char *)hdr, strlen(hdr), out, outsz);
	ck_assert_int_gt(n, 0);
	out[n++] = '.';
	n += b64url_encode((const unsigned char *)payload, strlen(payload), out + n, outsz - (size_t)n);
	HMAC(EVP_sha256(), k, MED_KEY_LEN, (const unsigned char *)out, (size_t)n, mac, &maclen);
	out[n++] = '.';
	b64url_encode(mac, maclen, out + n, outsz - (size_t)n);
}

static const char good_payload[] =
    "{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":1790000600,"
    "\"type\":\"access\",\"ver\":3,\"jti\":\"00112233445566778899aabbccddeeff\"}";

START_TEST(b64url_round_trip)
{
	unsigned char in[64], back[64];
	char enc[128];
	size_t n;
	int i;

	for (i = 0; i < 64; i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof in; n++) {
		long e = b64url_encode(in, n, enc, sizeof enc);
		ck_assert_int_eq(e, (long)strlen(enc));
		ck_assert_ptr_null(strpbrk(enc, "+/="));
		ck_assert_int_eq(b64url_decode(enc, (size_t)e, back, sizeof back), (long)n);
		ck_assert_int_eq(memcmp(in, back, n), 0);
	}
	/* RFC 4648 test vector "foobar" -> "Zm9vYmFy". */
	ck_assert_int_eq(b64url_encode((const unsigned char *)"foobar", 6, enc, sizeof enc), 8);
	ck_assert_str_eq(enc, "Zm9vYmFy");
	ck_assert_int_eq(b64url_decode("Zm9vYg", 6, back, sizeof back), 4);
	ck_assert_int_eq(b64url_decode("Zm9vYh", 6, back, sizeof back), -1); /* stray bits */
	ck_assert_int_eq(b64url_decode("Zm9v+g", 6, back, sizeof back), -1);
	ck_assert_int_eq(b64url_decode("Z", 1, back, sizeof back), -1);
	ck_assert_int_eq(b64url_encode(in, 10, enc, 5), -1);
}
END_TEST

/* RFC 7515 A.1 uses HS256; we check our HMAC path against it. */
START_TEST(rfc7515_hs256_vector)
{
	static const char jwk_k[] =
	    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
	static const char signing_input[] =
	    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
	    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
	unsigned char k[128], mac[32];
	unsigned int maclen;
	char sig[64];
	long klen = b64url_decode(jwk_k, strlen(jwk_k), k, sizeof k);

	ck_assert_int_eq(klen, 64);
	HMAC(EVP_sha256(), k, (int)klen, (const unsigned char *)signing_input, strlen(signing_input),
	    mac, &maclen);
	b64url_encode(mac, maclen, sig, sizeof sig);
	ck_assert_str_eq(sig, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}
END_TEST

START_TEST(sign_verify_round_trip)
{
	struct jwt_claims c, got;
	char tok[JWT_MAX];

	claims(&c, JWT_ACCESS);
	ck_assert_int_eq(jwt_sign(key, MED_KEY_LEN, &c, tok, sizeof tok), MED_OK);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW, &got), MED_OK);
	ck_assert_str_eq(got.sub, c.sub);
	ck_assert_str_eq(got.jti, c.jti);
	ck_assert_int_eq(got.exp, c.exp);
	ck_assert_int_eq(got.iat, c.iat);
	ck_assert_int_eq(got.ver, 3);
	/* Wrong key, wrong expected type, expiry edge. */
	ck_assert_int_eq(jwt_verify(other_key, MED_KEY_LEN, tok, JWT_ACCESS, NOW, &got), MED_EAUTH);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_REFRESH, NOW, &got), MED_EAUTH);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_RESET, NOW, &got), MED_EAUTH);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW + 599, &got), MED_OK);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW + 600, &got), MED_EEXPIRED);
	ck_assert_int_eq(jwt_sign(key, MED_KEY_LEN, &c, tok, 40), MED_ERANGE);
}
END_TEST

/* A token issued more than a minute ahead of the verifier's clock is refused. */
START_TEST(future_iat_rejected)
{
	struct jwt_claims c, got;
	char tok[JWT_MAX];

	claims(&c, JWT_ACCESS);
	c.iat = NOW + JWT_IAT_SKEW + 1;
	c.exp = NOW + 3600;
	ck_assert_int_eq(jwt_sign(key, MED_KEY_LEN, &c, tok, sizeof tok), MED_OK);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW, &got), MED_EAUTH);
	/* Honest skew of up to a minute passes. */
	c.iat = NOW + JWT_IAT_SKEW;
	ck_assert_int_eq(jwt_sign(key, MED_KEY_LEN, &c, tok, sizeof tok), MED_OK);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW, &got), MED_OK);
}
END_TEST

START_TEST(tampering_rejected)
{
	struct jwt_claims c, got;
	char tok[JWT_MAX], bad[JWT_MAX];
	size_t i, n;

	claims(&c, JWT_ACCESS);
	jwt_sign(key, MED_KEY_LEN, &c, tok, sizeof tok);
	n = strlen(tok);
	/* Flipping any single character must break the token. */
	for (i = 0; i < n; i++) {
		if (tok[i] == '.')
			continue;
		strcpy(bad, tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		ck_assert_msg(jwt_verify(key, MED_KEY_LEN, bad, JWT_ACCESS, NOW, &got) != MED_OK,
		    "flip at %zu accepted", i);
	}
	/* Truncations, extra segments, empty. */
	for (i = 0; i < n; i++) {
		memcpy(bad, tok, i);
		bad[i] = '\0';
		ck_assert_int_ne(jwt_verify(key, MED_KEY_LEN, bad, JWT_ACCESS, NOW, &got), MED_OK);
	}
	snprintf(bad, sizeof bad, "%s.", tok);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, bad, JWT_ACCESS, NOW, &got), MED_EAUTH);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, NULL, JWT_ACCESS, NOW, &got), MED_EAUTH);
}
END_TEST

START_TEST(algorithms_pinned)
{
	struct jwt_claims got;
	char tok[JWT_MAX];
	static const char *const headers[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
		"{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
		"{\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"exp\"]}",
		"[\"HS256\"]",
		"not json",
	};
	size_t i;

	/* Control: the same construction with the right header passes. */
	forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", good_payload, key, tok, sizeof tok);
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW, &got), MED_OK);
	for (i = 0; i < sizeof headers / sizeof *headers; i++) {
		forge(headers[i], good_payload, key, tok, sizeof tok);
		ck_assert_msg(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW, &got) == MED_EAUTH,
		    "header %s accepted", headers[i]);
	}
	/* alg none with an empty signature. */
	ck_assert_int_eq(jwt_verify(key, MED_KEY_LEN,
	    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", JWT_ACCESS, NOW, &got), MED_EAUTH);
}
END_TEST

START_TEST(claims_required_and_typed)
{
	struct jwt_claims got;
	char tok[JWT_MAX];
	static const char *const payloads[] = {
		"{\"iat\":1790000000,\"exp\":1790000600,\"type\":\"access\",\"ver\":3,\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"{\"sub\":\"nope\",\"iat\":1790000000,\"exp\":1790000600,\"type\":\"access\",\"ver\":3,\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"type\":\"access\",\"ver\":3,\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":\"1790000600\",\"type\":\"access\",\"ver\":3,\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":1790000600.5,\"type\":\"access\",\"ver\":3,\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":1790000600,\"type\":\"refresh\",\"ver\":3,\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":1790000600,\"type\":\"access\",\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":1790000600,\"type\":\"access\",\"ver\":3}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":1790000600,\"type\":\"access\",\"ver\":3,\"jti\":\"short\"}",
		"{\"sub\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\",\"iat\":1790000000,\"exp\":1790000600,\"type\":\"access\",\"ver\":-1,\"jti\":\"00112233445566778899aabbccddeeff\"}",
		"[1,2,3]",
	};
	size_t i;

	for (i = 0; i < sizeof payloads / sizeof *payloads; i++) {
		forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payloads[i], key, tok, sizeof tok);
		ck_assert_msg(jwt_verify(key, MED_KEY_LEN, tok, JWT_ACCESS, NOW, &got) == MED_EAUTH,
		    "payload %zu accepted", i);
	}
}
END_TEST

START_TEST(pwhash_round_trip)
{
	static const struct pwhash_params fast = { 10, 8, 1 };
	char h[PWHASH_MAX], h2[PWHASH_MAX];

	ck_assert_int_eq(pwhash_hash_params("correct horse", &fast, h), MED_OK);
	ck_assert_int_eq(strncmp(h, "$scrypt$ln=10,r=8,p=1$", 22), 0);
	ck_assert_int_eq(pwhash_verify("correct horse", h), MED_OK);
	ck_assert_int_eq(pwhash_verify("correct horsE", h), MED_EAUTH);
	ck_assert_int_eq(pwhash_verify("", h), MED_EAUTH);
	/* Random salt: the same password hashes differently. */
	ck_assert_int_eq(pwhash_hash_params("correct horse", &fast, h2), MED_OK);
	ck_assert_str_ne(h, h2);
	/* Weaker than the defaults: login upgrades it. */
	ck_assert_int_eq(pwhash_needs_rehash(h), 1);
}
END_TEST

START_TEST(pwhash_default_strength)
{
	char h[PWHASH_MAX];

	ck_assert_int_eq(pwhash_hash("Algeria123!", h), MED_OK);
	ck_assert_int_eq(strncmp(h, "$scrypt$ln=15,r=8,p=3$", 22), 0);
	ck_assert_int_eq(pwhash_needs_rehash(h), 0);
	ck_assert_int_eq(pwhash_verify("Algeria123!", h), MED_OK);
}
END_TEST

START_TEST(pwhash_parser_refuses_garbage)
{
	static const char *const bad[] = {
		"",
		"plain",
		"$scrypt$",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$scrypt$ln=15,r=8$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=15,r=999,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=15,r=8,p=0$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=015,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=-5,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=15,r=8,p=1$$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$",
		"$scrypt$ln=15,r=8,p=1$c2Fs!HNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$aGFz=aGhhc2hoYXNoaGFzaGhhc2g",
	};
	struct pwhash_params pp;
	unsigned char salt[64], hash[64];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		size_t sl = sizeof salt, hl = sizeof hash;
		ck_assert_msg(pwhash_parse(bad[i], &pp, salt, &sl, hash, &hl) == MED_EINVAL,
		    "accepted %s", bad[i]);
		ck_assert_int_eq(pwhash_verify("x", bad[i]), MED_EINVAL);
	}
	ck_assert_int_eq(pwhash_verify("x", NULL), MED_EINVAL);
}
END_TEST

static Suite *
crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("jwt");

	tcase_add_test(tc, b64url_round_trip);
	tcase_add_test(tc, rfc7515_hs256_vector);
	tcase_add_test(tc, sign_verify_round_trip);
	tcase_add_test(tc, future_iat_rejected);
	tcase_add_test(tc, tampering_rejected);
	tcase_add_test(tc, algorithms_pinned);
	tcase_add_test(tc, claims_required_and_typed);
	suite_add_tcase(s, tc);
	tc = tcase_create("pwhash");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pwhash_round_trip);
	tcase_add_test(tc, pwhash_default_strength);
	tcase_add_test(tc, pwhash_parser_refuses_garbage);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(crypto_suite)
