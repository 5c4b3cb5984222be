#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth/jwks.h"
#include "auth/token.h"

#define TOKEN_WAYS 4

struct token_entry {
	unsigned char hash[32];
	struct jwt_identity id;
	int used;
};

struct token_state {
	const struct conf *c;
	struct jwt_policy policy;
	struct token_entry *cache;
	size_t nsets;
};

static struct token_state ts;
static token_lookup_fn token_lookup = jwks_lookup;
static int (*token_claims_check)(const cJSON *payload);

void token_set_claims_check(int (*fn)(const cJSON *payload))
{
	token_claims_check = fn;
}

void token_set_lookup(token_lookup_fn fn)
{
	token_lookup = fn;
}

int token_init(const struct conf *c, char *err, size_t errlen)
{
	int rc = jwks_init(c, err, errlen);

	ts.c = c;
	ts.policy.issuer = c->issuer;
	ts.policy.token_use = (int)c->token_use;
	ts.policy.client_ids = (const char *const *)c->client_ids;
	ts.policy.n_client_ids = c->n_client_ids;
	ts.policy.clock_skew = c->clock_skew;
	ts.nsets = ((size_t)c->token_cache_size + TOKEN_WAYS - 1) / TOKEN_WAYS;
	if (rc == 0 && ts.nsets > 0) {
		ts.cache = calloc(ts.nsets * TOKEN_WAYS, sizeof(*ts.cache));
		if (ts.cache == NULL) {
			snprintf(err, errlen, "token_cache_size: out of memory");
			rc = -1;
		}
	}
	return rc;
}

void token_cleanup(void)
{
	if (ts.cache != NULL) {
		OPENSSL_cleanse(ts.cache, ts.nsets * TOKEN_WAYS * sizeof(*ts.cache));
		free(ts.cache);
	}
	ts.cache = NULL;
	jwks_cleanup();
}

jwt_err token_from_header(const char *authz, const char **tok, size_t *len)
{
	const char *p = authz;
	jwt_err e = JWT_E_MISSING;

	if (p == NULL)
		goto out;
	while (*p == ' ' || *p == '\t')
		p++;
	/* RFC 6750 §2.1; the scheme is case-insensitive (RFC 7235 §2.1) */
	if (strncasecmp(p, "Bearer ", 7) == 0)
		for (p += 7; *p == ' ';)
			p++;
	*len = strlen(p);
	while (*len > 0 && (p[*len - 1] == ' ' || p[*len - 1] == '\t'))
		(*len)--;
	/* another scheme ("Basic …") carries no token: RFC 6750 §3.1 */
	if (*len == 0 || memchr(p, ' ', *len) != NULL || memchr(p, '\t', *len) != NULL)
		goto out;
	*tok = p;
	e = JWT_OK;
out:
	return e;
}

static struct token_entry *token_set(const unsigned char *hash)
{
	size_t h;

	memcpy(&h, hash, sizeof(h));
	return &ts.cache[(h % ts.nsets) * TOKEN_WAYS];
}

static const struct token_entry *token_cache_find(const unsigned char *hash)
{
	struct token_entry *set;
	const struct token_entry *hit = NULL;
	int i;

	if (ts.cache == NULL)
		goto out;
	set = token_set(hash);
	for (i = 0; i < TOKEN_WAYS && hit == NULL; i++)
		if (set[i].used && memcmp(set[i].hash, hash, 32) == 0)
			hit = &set[i];
out:
	return hit;
}

/* Replaces an empty, expired or else the soonest-expiring entry of the set. */
static void token_cache_put(const unsigned char *hash, const struct jwt_identity *id,
			    double now)
{
	struct token_entry *set, *victim;
	int i;

	if (ts.cache == NULL)
		return;
	set = token_set(hash);
	victim = &set[0];
	for (i = 0; i < TOKEN_WAYS; i++) {
		if (!set[i].used || set[i].id.exp <= now) {
			victim = &set[i];
			break;
		}
		if (set[i].id.exp < victim->id.exp)
			victim = &set[i];
	}
	memcpy(victim->hash, hash, 32);
	victim->id = *id;
	victim->used = 1;
}

static jwt_err token_verify_full(const char *tok, size_t len, double now,
				 const struct jwt_policy *policy, struct jwt_identity *id,
				 cJSON **claims)
{
	EVP_PKEY_CTX *vctx = NULL;
	struct jwt j;
	jwt_err e = jwt_parse(&j, tok, len);

	if (e == JWT_OK)
		e = token_lookup(j.kid, now, &vctx);
	if (e == JWT_OK)
		e = jwt_verify(&j, vctx);
	if (e == JWT_OK)
		e = jwt_parse_payload(&j);
	if (e == JWT_OK)
		e = jwt_check_claims(j.payload, policy, now);
	if (e == JWT_OK)
		e = jwt_identity_from(j.payload, id);
	if (e == JWT_OK)
		id->claims_ok = token_claims_check == NULL || token_claims_check(j.payload);
	if (e == JWT_OK && claims != NULL) {
		*claims = j.payload;
		j.payload = NULL;
	}
	jwt_free(&j);
	return e;
}

jwt_err token_verify(const char *tok, size_t len, double now, struct jwt_identity *id,
		     cJSON **claims)
{
	unsigned char hash[32];
	const struct token_entry *hit = NULL;
	jwt_err e;

	if (len > JWT_TOKEN_MAX) {
		e = JWT_E_SIZE;
		goto out;
	}
	if (EVP_Digest(tok, len, hash, NULL, EVP_sha256(), NULL) != 1) {
		e = JWT_E_INTERNAL;
		goto out;
	}
	if (claims == NULL)
		hit = token_cache_find(hash);
	if (hit != NULL) {
		*id = hit->id;
		e = jwt_check_times(id, ts.policy.clock_skew, now);
		goto out;
	}
	e = token_verify_full(tok, len, now, &ts.policy, id, claims);
	if (e == JWT_OK)
		token_cache_put(hash, id, now);
out:
	return e;
}

jwt_err token_verify_id(const char *tok, size_t len, double now, struct jwt_identity *id,
			cJSON **claims)
{
	struct jwt_policy p = ts.policy;

	p.token_use = CONF_TOKEN_ID;
	return len > JWT_TOKEN_MAX ? JWT_E_SIZE : token_verify_full(tok, len, now, &p, id, claims);
}
