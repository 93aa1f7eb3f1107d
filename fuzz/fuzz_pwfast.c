/*
 * fuzz_pwfast.c - cheap scrypt for fuzz targets (see fuzz_pwfast.h).
 */
#include "fuzz_pwfast.h"

const struct pwhash_params fuzz_pw_fast = { 10, 1, 1 };

enum med_err __wrap_pwhash_hash(const char *password, char out[PWHASH_MAX]);
enum med_err __wrap_pwhash_verify(const char *password, const char *stored);
enum med_err __real_pwhash_verify(const char *password, const char *stored);
int __wrap_pwhash_needs_rehash(const char *stored);

enum med_err
__wrap_pwhash_hash(const char *password, char out[PWHASH_MAX])
{
	return pwhash_hash_params(password, &fuzz_pw_fast, out);
}

/*
 * A stored hash at another cost (auth.c's dummy hash for unknown
 * accounts, or seeded hashes a target did not rewrite) is answered as a
 * mismatch without the expensive derivation.
 */
enum med_err
__wrap_pwhash_verify(const char *password, const char *stored)
{
	struct pwhash_params pp;
	unsigned char salt[64], hash[64];
	size_t saltlen = sizeof salt, hashlen = sizeof hash;

	if (pwhash_parse(stored, &pp, salt, &saltlen, hash, &hashlen) != MED_OK)
		return MED_EINVAL;
	if (pp.ln != fuzz_pw_fast.ln || pp.r != fuzz_pw_fast.r || pp.p != fuzz_pw_fast.p)
		return MED_EAUTH;
	return __real_pwhash_verify(password, stored);
}

int
__wrap_pwhash_needs_rehash(const char *stored)
{
	(void)stored;
	return 0;
}
