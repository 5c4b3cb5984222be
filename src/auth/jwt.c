#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "auth/jwt.h"
#include "conf.h"
#include "util/b64url.h"
#include "util/json.h"

#define JWT_RSA_BITS_MIN 2048
#define JWT_RSA_BITS_MAX 8192

static const char *const jwt_reasons[] = {
	[JWT_OK] = "ok",
	[JWT_E_MISSING] = "missing token",
	[JWT_E_SIZE] = "token too large",
	[JWT_E_FORMAT] = "malformed token",
	[JWT_E_HEADER] = "malformed token header",
	[JWT_E_CRIT] = "unsupported critical header",
	[JWT_E_ALG] = "unsupported alg",
	[JWT_E_KID] = "missing kid",
	[JWT_E_KID_UNKNOWN] = "unknown kid",
	[JWT_E_KEY] = "unusable key",
	[JWT_E_SIGNATURE] = "bad signature",
	[JWT_E_PAYLOAD] = "malformed token payload",
	[JWT_E_DUPLICATE] = "duplicate claim",
	[JWT_E_ISS] = "wrong issuer",
	[JWT_E_TOKEN_USE] = "wrong token_use",
	[JWT_E_AUD] = "wrong audience",
	[JWT_E_EXP] = "missing or invalid exp",
	[JWT_E_EXPIRED] = "token expired",
	[JWT_E_NBF] = "token not yet valid",
	[JWT_E_IAT] = "token issued in the future",
	[JWT_E_CLAIM] = "malformed claim",
	[JWT_E_KEYS_UNAVAILABLE] = "signing keys unavailable",
	[JWT_E_INTERNAL] = "internal error",
};

const char *jwt_strerror(jwt_err e)
{
	return (unsigned)e < sizeof(jwt_reasons) / sizeof(jwt_reasons[0]) ? jwt_reasons[e]
									   : "unknown error";
}

static int jwt_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Member names of one object sorted, so that a repeat sits next to its twin:
 * O(n log n), as the header is checked before its signature. */
static int jwt_object_has_duplicates(const cJSON *o)
{
	const cJSON *a;
	const char **names;
	size_t n = 0, i;
	int dup = 0;

	for (a = o->child; a != NULL; a = a->next)
		n++;
	if (n < 2)
		return 0;
	names = malloc(n * sizeof(*names));
	if (names == NULL)
		return 1; /* cannot tell: refuse */
	for (a = o->child, i = 0; a != NULL; a = a->next)
		names[i++] = a->string;
	qsort(names, n, sizeof(*names), jwt_name_cmp);
	for (i = 1; i < n && !dup; i++)
		dup = strcmp(names[i - 1], names[i]) == 0;
	free(names);
	return dup;
}

int jwt_has_duplicates(const cJSON *v)
{
	const cJSON *a;
	int dup = v != NULL && cJSON_IsObject(v) && jwt_object_has_duplicates(v);

	for (a = v != NULL ? v->child : NULL; a != NULL && !dup; a = a->next)
		if (cJSON_IsObject(a) || cJSON_IsArray(a))
			dup = jwt_has_duplicates(a);
	return dup;
}

/* Parses n decoded bytes as one JSON object, strictly checked first. */
static cJSON *jwt_parse_object(const char *p, size_t n)
{
	cJSON *o = NULL;

	if (json_strict_check(p, n) == 0)
		o = cJSON_ParseWithLength(p, n);
	if (o != NULL && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

static jwt_err jwt_check_header(struct jwt *j, const cJSON *h)
{
	const cJSON *alg = cJSON_GetObjectItemCaseSensitive(h, "alg");
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(h, "kid");
	jwt_err e = JWT_OK;

	if (jwt_has_duplicates(h))
		e = JWT_E_DUPLICATE;
	else if (cJSON_GetObjectItemCaseSensitive(h, "crit") != NULL)
		e = JWT_E_CRIT; /* RFC 7515 §4.1.11: no extension is understood here */
	else if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "RS256") != 0)
		e = JWT_E_ALG;
	else if (!cJSON_IsString(kid) || kid->valuestring[0] == '\0' ||
		 strlen(kid->valuestring) > JWT_KID_MAX)
		e = JWT_E_KID;
	else
		memcpy(j->kid, kid->valuestring, strlen(kid->valuestring) + 1);
	return e;
}

static jwt_err jwt_decode_header(struct jwt *j, const char *p, size_t n)
{
	unsigned char raw[JWT_HEADER_MAX];
	size_t len = 0;
	cJSON *h = NULL;
	jwt_err e = JWT_E_HEADER;

	if (b64url_decode(p, n, raw, JWT_HEADER_MAX, &len) != 0) {
		e = JWT_E_FORMAT;
		goto out;
	}
	h = jwt_parse_object((const char *)raw, len);
	if (h != NULL)
		e = jwt_check_header(j, h);
out:
	cJSON_Delete(h);
	return e;
}

jwt_err jwt_parse(struct jwt *j, const char *tok, size_t len)
{
	const char *d1, *d2;
	size_t plen;
	jwt_err e = JWT_E_FORMAT;

	memset(j, 0, sizeof(*j));
	j->tok = tok;
	j->len = len;
	if (len == 0) {
		e = JWT_E_MISSING;
		goto out;
	}
	if (len > JWT_TOKEN_MAX) {
		e = JWT_E_SIZE;
		goto out;
	}
	d1 = memchr(tok, '.', len);
	d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
	if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL ||
	    d1 == tok || d2 == d1 + 1 || d2 + 1 == tok + len)
		goto out;
	j->signed_len = (size_t)(d2 - tok);
	plen = (size_t)(d2 - d1 - 1);
	j->payload_raw = malloc(b64url_decoded_len(plen) + 1);
	if (j->payload_raw == NULL) {
		e = JWT_E_INTERNAL;
		goto out;
	}
	if (b64url_decode(d1 + 1, plen, (unsigned char *)j->payload_raw,
			  b64url_decoded_len(plen), &j->payload_len) != 0 ||
	    b64url_decode(d2 + 1, len - j->signed_len - 1, j->sig, sizeof(j->sig),
			  &j->sig_len) != 0)
		goto out;
	j->payload_raw[j->payload_len] = '\0';
	e = jwt_decode_header(j, tok, (size_t)(d1 - tok));
out:
	return e;
}

jwt_err jwt_verify(const struct jwt *j, EVP_PKEY_CTX *vctx)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	jwt_err e = JWT_E_SIGNATURE;

	if (EVP_Digest(j->tok, j->signed_len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		e = JWT_E_INTERNAL;
		goto out;
	}
	if (EVP_PKEY_verify(vctx, j->sig, j->sig_len, md, mdlen) == 1)
		e = JWT_OK;
out:
	return e;
}

jwt_err jwt_parse_payload(struct jwt *j)
{
	jwt_err e = JWT_E_PAYLOAD;

	j->payload = jwt_parse_object(j->payload_raw, j->payload_len);
	if (j->payload == NULL)
		goto out;
	e = jwt_has_duplicates(j->payload) ? JWT_E_DUPLICATE : JWT_OK;
out:
	return e;
}

static int jwt_client_ok(const struct jwt_policy *p, const cJSON *v)
{
	size_t i;
	int ok = 0;

	for (i = 0; cJSON_IsString(v) && i < p->n_client_ids && !ok; i++)
		ok = strcmp(v->valuestring, p->client_ids[i]) == 0;
	return ok;
}

static jwt_err jwt_check_use(const cJSON *payload, const struct jwt_policy *p, int *is_id)
{
	const cJSON *use = cJSON_GetObjectItemCaseSensitive(payload, "token_use");
	jwt_err e = JWT_E_TOKEN_USE;

	if (!cJSON_IsString(use))
		goto out;
	*is_id = strcmp(use->valuestring, "id") == 0;
	if (!*is_id && strcmp(use->valuestring, "access") != 0)
		goto out;
	if ((p->token_use == CONF_TOKEN_ID && !*is_id) ||
	    (p->token_use == CONF_TOKEN_ACCESS && *is_id))
		goto out;
	e = JWT_OK;
out:
	return e;
}

/* A time claim: absent (0 returned in *t, ok), or a finite number. */
static int jwt_time_claim(const cJSON *payload, const char *name, double *t, int *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, name);
	int rc = 0;

	*t = 0;
	*present = v != NULL;
	if (v != NULL) {
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
			*t = v->valuedouble;
		else
			rc = -1;
	}
	return rc;
}

static jwt_err jwt_check_time_values(double exp, double nbf, double iat, long skew, double now)
{
	jwt_err e = JWT_OK;

	/* RFC 7519 §4.1.4: now must be before exp */
	if (now >= exp + (double)skew)
		e = JWT_E_EXPIRED;
	else if (nbf != 0 && nbf > now + (double)skew)
		e = JWT_E_NBF;
	else if (iat != 0 && iat > now + (double)skew)
		e = JWT_E_IAT;
	return e;
}

jwt_err jwt_check_claims(const cJSON *payload, const struct jwt_policy *p, double now)
{
	const cJSON *iss = cJSON_GetObjectItemCaseSensitive(payload, "iss");
	double exp, nbf, iat;
	int is_id = 0, has_exp, has_nbf, has_iat;
	jwt_err e;

	if (!cJSON_IsString(iss) || strcmp(iss->valuestring, p->issuer) != 0) {
		e = JWT_E_ISS;
		goto out;
	}
	e = jwt_check_use(payload, p, &is_id);
	if (e != JWT_OK)
		goto out;
	if (is_id ? !jwt_client_ok(p, cJSON_GetObjectItemCaseSensitive(payload, "aud"))
		  : !jwt_client_ok(p, cJSON_GetObjectItemCaseSensitive(payload, "client_id"))) {
		e = JWT_E_AUD;
		goto out;
	}
	if (jwt_time_claim(payload, "exp", &exp, &has_exp) != 0 || !has_exp) {
		e = JWT_E_EXP;
		goto out;
	}
	if (jwt_time_claim(payload, "nbf", &nbf, &has_nbf) != 0) {
		e = JWT_E_NBF;
		goto out;
	}
	if (jwt_time_claim(payload, "iat", &iat, &has_iat) != 0) {
		e = JWT_E_IAT;
		goto out;
	}
	e = jwt_check_time_values(exp, nbf, iat, p->clock_skew, now);
out:
	return e;
}

jwt_err jwt_check_times(const struct jwt_identity *id, long clock_skew, double now)
{
	return jwt_check_time_values(id->exp, id->nbf, id->iat, clock_skew, now);
}

/* Copies an optional string claim; over-long or non-string values refuse the token. */
static int jwt_copy_claim(const cJSON *payload, const char *name, char *dst, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, name);
	size_t n;
	int rc = 0;

	if (v == NULL)
		goto out;
	rc = -1;
	if (!cJSON_IsString(v))
		goto out;
	n = strlen(v->valuestring);
	if (n >= cap)
		goto out;
	memcpy(dst, v->valuestring, n + 1);
	rc = 0;
out:
	return rc;
}

static int jwt_copy_groups(const cJSON *payload, struct jwt_identity *id)
{
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(payload, "cognito:groups"), *a;
	int rc = 0;

	if (g == NULL)
		goto out;
	rc = -1;
	if (!cJSON_IsArray(g))
		goto out;
	cJSON_ArrayForEach(a, g) {
		size_t n;

		if (!cJSON_IsString(a))
			goto out;
		n = strlen(a->valuestring) + 1;
		if (n > sizeof(id->groups) - id->groups_len)
			goto out;
		memcpy(id->groups + id->groups_len, a->valuestring, n);
		id->groups_len += n;
		id->n_groups++;
	}
	rc = 0;
out:
	return rc;
}

jwt_err jwt_identity_from(const cJSON *payload, struct jwt_identity *id)
{
	const cJSON *use = cJSON_GetObjectItemCaseSensitive(payload, "token_use");
	int has;
	jwt_err e = JWT_E_CLAIM;

	memset(id, 0, sizeof(*id));
	if (jwt_copy_claim(payload, "sub", id->sub, sizeof(id->sub)) != 0 || id->sub[0] == '\0')
		goto out;
	if (jwt_copy_claim(payload, "cognito:username", id->username, sizeof(id->username)) != 0)
		goto out;
	if (id->username[0] == '\0' &&
	    jwt_copy_claim(payload, "username", id->username, sizeof(id->username)) != 0)
		goto out;
	if (jwt_copy_claim(payload, "email", id->email, sizeof(id->email)) != 0 ||
	    jwt_copy_groups(payload, id) != 0)
		goto out;
	{
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(payload, "email_verified");

		id->email_verified = cJSON_IsTrue(ev) ||
				     (cJSON_IsString(ev) && strcmp(ev->valuestring, "true") == 0);
	}
	if (cJSON_IsString(use) && strlen(use->valuestring) < sizeof(id->token_use))
		memcpy(id->token_use, use->valuestring, strlen(use->valuestring) + 1);
	if (jwt_time_claim(payload, "exp", &id->exp, &has) != 0 ||
	    jwt_time_claim(payload, "nbf", &id->nbf, &has) != 0 ||
	    jwt_time_claim(payload, "iat", &id->iat, &has) != 0)
		goto out;
	e = JWT_OK;
out:
	return e;
}

static int jwt_jwk_string_is(const cJSON *jwk, const char *name, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(jwk, name);

	return v == NULL || (cJSON_IsString(v) && strcmp(v->valuestring, want) == 0);
}

static BIGNUM *jwt_jwk_bn(const cJSON *jwk, const char *name, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(jwk, name);
	unsigned char raw[JWT_SIG_MAX];
	size_t n = 0;
	BIGNUM *bn = NULL;

	if (cJSON_IsString(v) && max <= sizeof(raw) &&
	    b64url_decode(v->valuestring, strlen(v->valuestring), raw, max, &n) == 0 && n > 0)
		bn = BN_bin2bn(raw, (int)n, NULL);
	return bn;
}

static EVP_PKEY *jwt_rsa_pkey(BIGNUM *n, BIGNUM *e)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* A verification context kept per key: PKCS #1 v1.5 with SHA-256. */
static EVP_PKEY_CTX *jwt_verify_ctx(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);

	if (vctx != NULL && (EVP_PKEY_verify_init(vctx) != 1 ||
			     EVP_PKEY_CTX_set_rsa_padding(vctx, RSA_PKCS1_PADDING) != 1 ||
			     EVP_PKEY_CTX_set_signature_md(vctx, EVP_sha256()) != 1)) {
		EVP_PKEY_CTX_free(vctx);
		vctx = NULL;
	}
	return vctx;
}

jwt_err jwt_key_from_jwk(const cJSON *jwk, EVP_PKEY **pkey, EVP_PKEY_CTX **vctx)
{
	const cJSON *kty = cJSON_GetObjectItemCaseSensitive(jwk, "kty");
	BIGNUM *n = NULL, *e = NULL;
	int bits;
	jwt_err err = JWT_E_KEY;

	*pkey = NULL;
	*vctx = NULL;
	if (!cJSON_IsString(kty) || strcmp(kty->valuestring, "RSA") != 0 ||
	    !jwt_jwk_string_is(jwk, "use", "sig") || !jwt_jwk_string_is(jwk, "alg", "RS256"))
		goto out;
	n = jwt_jwk_bn(jwk, "n", JWT_RSA_BITS_MAX / 8);
	e = jwt_jwk_bn(jwk, "e", 8);
	bits = n != NULL ? BN_num_bits(n) : 0;
	if (e == NULL || bits < JWT_RSA_BITS_MIN || bits > JWT_RSA_BITS_MAX || !BN_is_odd(e) ||
	    BN_is_one(e))
		goto out;
	*pkey = jwt_rsa_pkey(n, e);
	*vctx = *pkey != NULL ? jwt_verify_ctx(*pkey) : NULL;
	if (*vctx == NULL) {
		EVP_PKEY_free(*pkey);
		*pkey = NULL;
		goto out;
	}
	err = JWT_OK;
out:
	BN_free(n);
	BN_free(e);
	return err;
}

void jwt_free(struct jwt *j)
{
	if (j->payload_raw != NULL) {
		OPENSSL_cleanse(j->payload_raw, j->payload_len);
		free(j->payload_raw);
	}
	cJSON_Delete(j->payload);
	j->payload_raw = NULL;
	j->payload = NULL;
}
