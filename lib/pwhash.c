/*
 * pwhash.c - scrypt password hashes in a PHC-style string.
 *
 * The stored string carries its own parameters, so raising the defaults
 * later only affects new hashes; login upgrades old ones on success
 * (pwhash_needs_rehash).  Parameters read back from a string are bounded,
 * so a corrupt or hostile row can't make a worker allocate gigabytes.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "pwhash.h"
#include "util.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define LN_MIN 10
#define LN_MAX 20
#define R_MAX 32
#define P_MAX 16

/* OWASP (2025): scrypt N=2^15 (ln=15), r=8, p=3 - about 32 MiB per hash. */
const struct pwhash_params pwhash_default = { 15, 8, 3 };

static int
params_ok(const struct pwhash_params *pp)
{
	return pp->ln >= LN_MIN && pp->ln <= LN_MAX && pp->r >= 1 && pp->r <= R_MAX &&
	    pp->p >= 1 && pp->p <= P_MAX;
}

static enum med_err
derive(const char *password, const unsigned char *salt, size_t saltlen,
    const struct pwhash_params *pp, unsigned char *out, size_t outlen)
{
	uint64_t n = (uint64_t)1 << pp->ln;
	/*
	 * OpenSSL refuses by default anything above 32 MiB, which is exactly
	 * where our defaults sit; allow what the parameters need (V plus the
	 * p blocks) with some slack.
	 */
	uint64_t maxmem = 128u * (uint64_t)pp->r * (n + (uint64_t)pp->p + 2) + (1u << 20);

	if (EVP_PBE_scrypt(password, strlen(password), salt, saltlen, n, (uint64_t)pp->r,
	    (uint64_t)pp->p, maxmem, out, outlen) != 1)
		return MED_ECRYPTO;
	return MED_OK;
}

/* Standard base64 without padding; -1 if it doesn't fit. */
static long
b64_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	unsigned char tmp[128];
	int len;

	if (n > 90 || ((n + 2) / 3) * 4 + 1 > sizeof tmp)
		return -1;
	len = EVP_EncodeBlock(tmp, in, (int)n);
	while (len > 0 && tmp[len - 1] == '=')
		len--;
	if ((size_t)len + 1 > outsz)
		return -1;
	memcpy(out, tmp, (size_t)len);
	out[len] = '\0';
	return len;
}

static long
b64_decode(const char *in, size_t n, unsigned char *out, size_t outsz)
{
	unsigned char padded[128], tmp[96];
	size_t pad = (4 - n % 4) % 4, i;
	int len;

	if (n == 0 || pad == 3 || n + pad > sizeof padded)
		return -1;
	for (i = 0; i < n; i++)
		if (in[i] == '=' || in[i] == '\n' || in[i] == ' ' || in[i] == '\r' || in[i] == '\t')
			return -1;
	memcpy(padded, in, n);
	memset(padded + n, '=', pad);
	len = EVP_DecodeBlock(tmp, padded, (int)(n + pad));
	if (len < 0)
		return -1;
	len -= (int)pad;    /* EVP_DecodeBlock counts padding as zero bytes */
	if (len <= 0 || (size_t)len > outsz)
		return -1;
	memcpy(out, tmp, (size_t)len);
	return len;
}

enum med_err
pwhash_hash_params(const char *password, const struct pwhash_params *pp, char out[PWHASH_MAX])
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salt64[32], hash64[64];
	enum med_err e;
	int n;

	if (!params_ok(pp))
		return MED_EINVAL;
	if (RAND_bytes(salt, sizeof salt) != 1)
		return MED_ECRYPTO;
	if ((e = derive(password, salt, sizeof salt, pp, hash, sizeof hash)) != MED_OK)
		return e;
	if (b64_encode(salt, sizeof salt, salt64, sizeof salt64) < 0 ||
	    b64_encode(hash, sizeof hash, hash64, sizeof hash64) < 0)
		return MED_ERANGE;
	n = snprintf(out, PWHASH_MAX, "$scrypt$ln=%d,r=%d,p=%d$%s$%s", pp->ln, pp->r, pp->p,
	    salt64, hash64);
	OPENSSL_cleanse(hash, sizeof hash);
	return n > 0 && n < PWHASH_MAX ? MED_OK : MED_ERANGE;
}

enum med_err
pwhash_hash(const char *password, char out[PWHASH_MAX])
{
	return pwhash_hash_params(password, &pwhash_default, out);
}

/* A small positive decimal with no sign, no leading zero, at most 3 digits. */
static int
small_int(const char **p, int *out)
{
	int v = 0, n = 0;

	if (**p == '0')
		return 0;
	while (**p >= '0' && **p <= '9' && n < 3) {
		v = v * 10 + (*(*p)++ - '0');
		n++;
	}
	if (n == 0 || (**p >= '0' && **p <= '9'))
		return 0;
	*out = v;
	return 1;
}

enum med_err
pwhash_parse(const char *stored, struct pwhash_params *pp, unsigned char *salt,
    size_t *saltlen, unsigned char *hash, size_t *hashlen)
{
	const char *p = stored, *dollar;
	long n;

	if (stored == NULL || strncmp(p, "$scrypt$ln=", 11) != 0)
		return MED_EINVAL;
	p += 11;
	if (!small_int(&p, &pp->ln) || strncmp(p, ",r=", 3) != 0)
		return MED_EINVAL;
	p += 3;
	if (!small_int(&p, &pp->r) || strncmp(p, ",p=", 3) != 0)
		return MED_EINVAL;
	p += 3;
	if (!small_int(&p, &pp->p) || *p++ != '$' || !params_ok(pp))
		return MED_EINVAL;
	if ((dollar = strchr(p, '$')) == NULL)
		return MED_EINVAL;
	if ((n = b64_decode(p, (size_t)(dollar - p), salt, *saltlen)) < 8)
		return MED_EINVAL;
	*saltlen = (size_t)n;
	p = dollar + 1;
	if ((n = b64_decode(p, strlen(p), hash, *hashlen)) < 16)
		return MED_EINVAL;
	*hashlen = (size_t)n;
	return MED_OK;
}

enum med_err
pwhash_verify(const char *password, const char *stored)
{
	struct pwhash_params pp;
	unsigned char salt[64], want[64], got[64];
	size_t saltlen = sizeof salt, wantlen = sizeof want;
	enum med_err e;

	if (pwhash_parse(stored, &pp, salt, &saltlen, want, &wantlen) != MED_OK)
		return MED_EINVAL;
	if ((e = derive(password, salt, saltlen, &pp, got, wantlen)) != MED_OK)
		return e;
	e = util_ct_equal(got, want, wantlen) ? MED_OK : MED_EAUTH;
	OPENSSL_cleanse(got, sizeof got);
	return e;
}

/* Whether stored parses, its parameters into pp. */
static int
parsed_params(const char *stored, struct pwhash_params *pp)
{
	unsigned char salt[64], hash[64];
	size_t saltlen = sizeof salt, hashlen = sizeof hash;

	return pwhash_parse(stored, pp, salt, &saltlen, hash, &hashlen) == MED_OK;
}

int
pwhash_needs_rehash(const char *stored)
{
	struct pwhash_params pp;

	if (!parsed_params(stored, &pp))
		return 1;
	return pp.ln < pwhash_default.ln || pp.r < pwhash_default.r || pp.p < pwhash_default.p;
}

int
pwhash_is_hash(const char *stored)
{
	struct pwhash_params pp;

	return parsed_params(stored, &pp);
}
