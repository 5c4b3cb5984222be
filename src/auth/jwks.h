/* jwks: the pool's signing keys (RFC 7517 §5), fetched, cached in memory and
 * in a file under cache_dir, refreshed on a lifetime and, rate-limited, for an
 * unknown kid. */
#ifndef S3GATE_JWKS_H
#define S3GATE_JWKS_H

#include <stddef.h>
#include <time.h>

#include "auth/jwt.h"
#include "conf.h"

#define JWKS_KEYS_MAX 32
#define JWKS_BYTES_MAX 65536

struct jwks_key {
	char kid[JWT_KID_MAX + 1];
	jwt_err usable; /* JWT_OK, or why this entry cannot verify RS256 */
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *vctx;
};

struct jwks_set {
	struct jwks_key keys[JWKS_KEYS_MAX];
	size_t n;
};

/* Parses a JWKS document; entries without a kid are ignored. */
int jwks_parse(struct jwks_set *s, const char *json, size_t len, char *err, size_t errlen);
jwt_err jwks_set_find(const struct jwks_set *s, const char *kid, EVP_PKEY_CTX **vctx);
void jwks_set_free(struct jwks_set *s);

/* Prepares the per-process key cache; -1 with err when cache_dir is unusable. */
int jwks_init(const struct conf *c, char *err, size_t errlen);
jwt_err jwks_lookup(const char *kid, double now, EVP_PKEY_CTX **vctx);
void jwks_cleanup(void);

#endif
