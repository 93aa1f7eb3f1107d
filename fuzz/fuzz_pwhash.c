/*
 * fuzz_pwhash.c - libFuzzer target for the stored password-hash parser.
 *
 * Any input not starting with '!' is a stored string: pwhash_parse() and
 * pwhash_needs_rehash() must cope with anything (a corrupt or hostile row)
 * and, when parsing succeeds, return bounded parameters and lengths.
 * pwhash_verify() runs only when the parameters are the minimum
 * (ln=10, r=1, p=1) so the fuzzer never derives an expensive key.
 *
 * An input starting with '!' is a password (up to 64 bytes, up to the
 * first NUL): hashed at the minimum cost, the string must parse back to
 * those parameters, verify with that password and fail with another.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "pwhash.h"

static const struct pwhash_params fast = { 10, 1, 1 };

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_pwhash: %s\n", what);
	abort();
}

static void
parse_stored(const char *s)
{
	struct pwhash_params pp;
	unsigned char salt[64], hash[64];
	size_t saltlen = sizeof salt, hashlen = sizeof hash;
	enum med_err e = pwhash_parse(s, &pp, salt, &saltlen, hash, &hashlen);

	(void)pwhash_needs_rehash(s);
	if (e == MED_EINVAL)
		return;
	if (e != MED_OK)
		fail("unexpected status from pwhash_parse");
	if (pp.ln < 10 || pp.ln > 20 || pp.r < 1 || pp.r > 32 || pp.p < 1 || pp.p > 16)
		fail("parameters out of bounds accepted");
	if (saltlen < 8 || saltlen > sizeof salt || hashlen < 16 || hashlen > sizeof hash)
		fail("salt or hash length out of bounds");
	if (pp.ln == fast.ln && pp.r == fast.r && pp.p == fast.p) {
		e = pwhash_verify("fuzz-password", s);
		if (e != MED_OK && e != MED_EAUTH)
			fail("a parsable hash did not verify or mismatch");
	}
}

static void
round_trip(const char *password)
{
	char stored[PWHASH_MAX], other[80];
	struct pwhash_params pp;
	unsigned char salt[64], hash[64];
	size_t saltlen = sizeof salt, hashlen = sizeof hash;

	if (pwhash_hash_params(password, &fast, stored) != MED_OK)
		fail("hashing failed");
	if (pwhash_parse(stored, &pp, salt, &saltlen, hash, &hashlen) != MED_OK ||
	    pp.ln != fast.ln || pp.r != fast.r || pp.p != fast.p)
		fail("own hash does not parse back");
	if (pwhash_verify(password, stored) != MED_OK)
		fail("own hash does not verify");
	snprintf(other, sizeof other, "%sx", password);
	if (pwhash_verify(other, stored) != MED_EAUTH)
		fail("another password verified");
	if (!pwhash_needs_rehash(stored))
		fail("minimum-cost hash not marked for rehash");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;
	s = fuzz_strndup(data, size);
	if (size > 0 && data[0] == '!') {
		if (size <= 65)
			round_trip(s + 1);
	} else {
		parse_stored(s);
	}
	free(s);
	return 0;
}
