/*
 * fuzz_pwfast.h - scrypt at the minimum cost for the targets that reach
 * login and registration (request, adapter).  At the production cost each
 * login takes ~100 ms, which would leave the fuzzer waiting instead of
 * exploring.  fuzz_pwfast.c defines ld --wrap replacements of
 * pwhash_hash, pwhash_verify and pwhash_needs_rehash; scripts/fuzz.sh links
 * it, with the --wrap flags, into those targets only.  The parser and the
 * compare are still the real ones (fuzz_pwhash covers the parser alone).
 */
#ifndef FUZZ_PWFAST_H
#define FUZZ_PWFAST_H

#include "pwhash.h"

/* The cost every new hash gets, and the only one that can verify. */
extern const struct pwhash_params fuzz_pw_fast;

#endif
