/*
 * pwhash.h - password hashing with OpenSSL's scrypt, stored as a
 * self-describing PHC-style string:
 *   $scrypt$ln=15,r=8,p=3$<b64 salt>$<b64 hash>
 * (standard base64, no padding).  Parameters travel with the hash so the
 * defaults can be raised later while old hashes still verify.
 */
#ifndef PWHASH_H
#define PWHASH_H

#include <stddef.h>
#include "med.h"

#define PWHASH_MAX 160

struct pwhash_params {
	int ln;   /* log2 N */
	int r;
	int p;
};

/* Current defaults (OWASP: N=2^15, r=8, p=3 ~ 32 MiB). */
extern const struct pwhash_params pwhash_default;

enum med_err pwhash_hash(const char *password, char out[PWHASH_MAX]);
enum med_err pwhash_hash_params(const char *password, const struct pwhash_params *pp,
    char out[PWHASH_MAX]);
/* MED_OK on match, MED_EAUTH on mismatch, MED_EINVAL if stored is unparsable. */
enum med_err pwhash_verify(const char *password, const char *stored);
/* Parse a stored string; salt/hash lengths out. */
enum med_err pwhash_parse(const char *stored, struct pwhash_params *pp,
    unsigned char *salt, size_t *saltlen, unsigned char *hash, size_t *hashlen);
/* 1 when stored uses weaker parameters than the defaults. */
int pwhash_needs_rehash(const char *stored);
/* 1 when stored is a hash a password can match (it parses), 0 otherwise. */
int pwhash_is_hash(const char *stored);

/*
 * The password_hash of an account no password opens until its holder
 * sets one with a reset token (a patient the front desk registered).  Not
 * a hash: writing it costs no KDF, and pwhash_is_hash() says no, so login
 * verifies its dummy hash instead and the account answers like a wrong
 * password, in the same time.
 */
#define PWHASH_UNSET "!unset"

#endif
