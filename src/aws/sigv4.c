#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "aws/sigv4.h"

#define SIGV4_ALGO "AWS4-HMAC-SHA256"
#define SIGV4_PART_MAX 8192

/* An encoded name/value pair of the canonical query or a header line. */
struct sigv4_pair {
	buf_t name;
	buf_t value;
};

/* The derived signing key, kept for one day, region, service and secret. */
static struct {
	char date[9];
	char scope_rs[96];
	unsigned char secret_md[32];
	unsigned char key[32];
	int valid;
} sigv4_key_cache;

static const char sigv4_hex[] = "0123456789abcdef";

int sigv4_uri_encode(const char *s, size_t n, int keep_slash, buf_t *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && keep_slash)) {
			rc = buf_addc(out, (char)c);
		} else {
			char esc[3] = { '%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15] };

			rc = buf_add(out, esc, 3);
		}
	}
	return rc;
}

static void sigv4_hexify(const unsigned char *md, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = sigv4_hex[md[i] >> 4];
		out[2 * i + 1] = sigv4_hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

static int sigv4_sha256_hex(const char *p, size_t n, char out[65])
{
	unsigned char md[32];
	int rc = EVP_Digest(p, n, md, NULL, EVP_sha256(), NULL) == 1 ? 0 : -1;

	sigv4_hexify(md, 32, out);
	return rc;
}

/* HMAC-SHA-256 with the MAC fetched once per process (EVP_Q_mac fetches it
 * at every call, a measurable part of signing a small request). */
static int sigv4_hmac(const void *key, size_t klen, const char *data, unsigned char out[32])
{
	static EVP_MAC *mac;
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
				OSSL_PARAM_construct_end() };
	EVP_MAC_CTX *ctx = NULL;
	size_t n = 0;
	int rc = -1;

	if (mac == NULL)
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac != NULL && (ctx = EVP_MAC_CTX_new(mac)) != NULL &&
	    EVP_MAC_init(ctx, key, klen, params) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)data, strlen(data)) == 1 &&
	    EVP_MAC_final(ctx, out, &n, 32) == 1 && n == 32)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static int sigv4_signing_key(const struct sigv4_req *r, const struct sigv4_creds *c,
			     const char *date, unsigned char key[32])
{
	char seed[256], scope_rs[96];
	unsigned char md[32], k1[32], k2[32], k3[32];
	int rc = -1;

	if (snprintf(scope_rs, sizeof(scope_rs), "%s/%s", r->region, r->service) >= (int)sizeof(scope_rs) ||
	    strlen(c->secret_key) + 5 > sizeof(seed) ||
	    EVP_Digest(c->secret_key, strlen(c->secret_key), md, NULL, EVP_sha256(), NULL) != 1)
		goto out;
	if (sigv4_key_cache.valid && strcmp(sigv4_key_cache.date, date) == 0 &&
	    strcmp(sigv4_key_cache.scope_rs, scope_rs) == 0 &&
	    CRYPTO_memcmp(sigv4_key_cache.secret_md, md, 32) == 0) {
		memcpy(key, sigv4_key_cache.key, 32);
		rc = 0;
		goto out;
	}
	snprintf(seed, sizeof(seed), "AWS4%s", c->secret_key);
	if (sigv4_hmac(seed, strlen(seed), date, k1) != 0 ||
	    sigv4_hmac(k1, 32, r->region, k2) != 0 || sigv4_hmac(k2, 32, r->service, k3) != 0 ||
	    sigv4_hmac(k3, 32, "aws4_request", key) != 0)
		goto out;
	memcpy(sigv4_key_cache.date, date, 9);
	memcpy(sigv4_key_cache.scope_rs, scope_rs, sizeof(scope_rs));
	memcpy(sigv4_key_cache.secret_md, md, 32);
	memcpy(sigv4_key_cache.key, key, 32);
	sigv4_key_cache.valid = 1;
	rc = 0;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(k1, 32);
	OPENSSL_cleanse(k2, 32);
	OPENSSL_cleanse(k3, 32);
	return rc;
}

static int sigv4_pair_cmp(const void *a, const void *b)
{
	const struct sigv4_pair *x = a, *y = b;
	int d = strcmp(buf_str(&x->name), buf_str(&y->name));

	return d != 0 ? d : strcmp(buf_str(&x->value), buf_str(&y->value));
}

static void sigv4_pairs_free(struct sigv4_pair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_free(&p[i].name);
		buf_free(&p[i].value);
	}
}

/* Encodes (query) or copies (headers) each pair, then sorts them. */
static int sigv4_pairs(const struct sigv4_kv *kv, size_t n, int encode, struct sigv4_pair *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		buf_init(&out[i].name, SIGV4_PART_MAX);
		buf_init(&out[i].value, SIGV4_PART_MAX);
		if (rc != 0)
			continue;
		if (encode)
			rc = sigv4_uri_encode(kv[i].name, strlen(kv[i].name), 0, &out[i].name) ||
			     sigv4_uri_encode(kv[i].value, strlen(kv[i].value), 0, &out[i].value);
		else
			rc = buf_addstr(&out[i].name, kv[i].name) ||
			     buf_addstr(&out[i].value, kv[i].value);
		/* an empty value still needs a string to compare */
		rc = rc || buf_add(&out[i].name, "", 0) || buf_add(&out[i].value, "", 0);
	}
	if (rc == 0)
		qsort(out, n, sizeof(*out), sigv4_pair_cmp);
	return rc;
}

static int sigv4_canonical_query(const struct sigv4_kv *kv, size_t n, buf_t *out)
{
	struct sigv4_pair p[2 * SIGV4_KV_MAX];
	size_t i;
	int rc = n > 2 * SIGV4_KV_MAX ? -1 : sigv4_pairs(kv, n, 1, p);

	for (i = 0; i < n && rc == 0; i++)
		rc = buf_printf(out, "%s%s=%s", i ? "&" : "", buf_str(&p[i].name),
				buf_str(&p[i].value));
	if (n <= 2 * SIGV4_KV_MAX)
		sigv4_pairs_free(p, n);
	return rc;
}

/* Canonical headers (name:value\n, sorted) and the signed-headers list. */
static int sigv4_canonical_headers(const struct sigv4_kv *kv, size_t n, buf_t *out,
				   buf_t *signed_headers)
{
	struct sigv4_pair p[2 * SIGV4_KV_MAX];
	size_t i;
	int rc = n > 2 * SIGV4_KV_MAX ? -1 : sigv4_pairs(kv, n, 0, p);

	for (i = 0; i < n && rc == 0; i++)
		rc = buf_printf(out, "%s:%s\n", buf_str(&p[i].name), buf_str(&p[i].value)) ||
		     buf_printf(signed_headers, "%s%s", i ? ";" : "", buf_str(&p[i].name));
	if (n <= 2 * SIGV4_KV_MAX)
		sigv4_pairs_free(p, n);
	return rc;
}

int sigv4_target(const struct sigv4_req *r, buf_t *out)
{
	int rc = sigv4_uri_encode(r->path, strlen(r->path), 1, out);

	if (rc == 0 && r->n_query > 0)
		rc = buf_addc(out, '?') || sigv4_canonical_query(r->query, r->n_query, out);
	return rc;
}

static void sigv4_dates(time_t when, char amz_date[17], char date[9])
{
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(amz_date, 17, "%Y%m%dT%H%M%SZ", &tm);
	memcpy(date, amz_date, 8);
	date[8] = '\0';
}

/* The signature over canonical request creq, as lower-case hex. */
static int sigv4_signature(const struct sigv4_req *r, const struct sigv4_creds *c,
			   const char *amz_date, const char *date, const buf_t *creq, char sig[65])
{
	unsigned char key[32], mac[32];
	char creq_hash[65];
	buf_t sts;
	int rc;

	buf_init(&sts, 1024);
	rc = sigv4_sha256_hex(creq->ptr, creq->len, creq_hash) ||
	     buf_printf(&sts, SIGV4_ALGO "\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date,
			r->region, r->service, creq_hash) ||
	     sigv4_signing_key(r, c, date, key) || sigv4_hmac(key, 32, buf_str(&sts), mac);
	if (rc == 0)
		sigv4_hexify(mac, 32, sig);
	OPENSSL_cleanse(key, sizeof(key));
	buf_free(&sts);
	return rc;
}

/* METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n PAYLOAD */
static int sigv4_creq(const struct sigv4_req *r, const struct sigv4_kv *query, size_t nq,
		      const struct sigv4_kv *hdrs, size_t nh, const char *payload, buf_t *creq,
		      buf_t *signed_headers)
{
	int rc = buf_printf(creq, "%s\n", r->method) ||
		 sigv4_uri_encode(r->path, strlen(r->path), 1, creq) || buf_addc(creq, '\n') ||
		 sigv4_canonical_query(query, nq, creq) || buf_addc(creq, '\n') ||
		 sigv4_canonical_headers(hdrs, nh, creq, signed_headers) ||
		 buf_printf(creq, "\n%s\n%s", buf_str(signed_headers), payload);

	return rc;
}

int sigv4_sign(const struct sigv4_req *r, const struct sigv4_creds *c, buf_t *authorization,
	       char amz_date[17])
{
	struct sigv4_kv h[SIGV4_KV_MAX + 4];
	char date[9], sig[65];
	size_t nh = 0, i;
	buf_t creq, signed_headers;
	int rc = -1;

	buf_init(&creq, 4 * SIGV4_PART_MAX);
	buf_init(&signed_headers, 1024);
	if (r->n_headers > SIGV4_KV_MAX)
		goto out;
	sigv4_dates(r->when, amz_date, date);
	h[nh++] = (struct sigv4_kv){ "host", r->host };
	h[nh++] = (struct sigv4_kv){ "x-amz-content-sha256", SIGV4_EMPTY_SHA256 };
	h[nh++] = (struct sigv4_kv){ "x-amz-date", amz_date };
	if (c->session_token != NULL)
		h[nh++] = (struct sigv4_kv){ "x-amz-security-token", c->session_token };
	for (i = 0; i < r->n_headers; i++)
		h[nh++] = r->headers[i];
	if (sigv4_creq(r, r->query, r->n_query, h, nh, SIGV4_EMPTY_SHA256, &creq,
		       &signed_headers) != 0 ||
	    sigv4_signature(r, c, amz_date, date, &creq, sig) != 0)
		goto out;
	rc = buf_printf(authorization,
			SIGV4_ALGO " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
				   "Signature=%s",
			c->access_key, date, r->region, r->service, buf_str(&signed_headers), sig);
out:
	buf_free(&creq);
	buf_free(&signed_headers);
	return rc;
}

int sigv4_presign(const struct sigv4_req *r, const struct sigv4_creds *c, long expires,
		  buf_t *query)
{
	struct sigv4_kv q[SIGV4_KV_MAX + 6], h[1] = { { "host", r->host } };
	char amz_date[17], date[9], sig[65], exp[24];
	size_t nq = 0, i;
	buf_t cred, creq, signed_headers;
	int rc = -1;

	buf_init(&cred, 512);
	buf_init(&creq, 4 * SIGV4_PART_MAX);
	buf_init(&signed_headers, 64);
	if (r->n_query > SIGV4_KV_MAX || expires < 1 || expires > 604800)
		goto out;
	sigv4_dates(r->when, amz_date, date);
	snprintf(exp, sizeof(exp), "%ld", expires);
	if (buf_printf(&cred, "%s/%s/%s/%s/aws4_request", c->access_key, date, r->region,
		       r->service) != 0)
		goto out;
	for (i = 0; i < r->n_query; i++)
		q[nq++] = r->query[i];
	q[nq++] = (struct sigv4_kv){ "X-Amz-Algorithm", SIGV4_ALGO };
	q[nq++] = (struct sigv4_kv){ "X-Amz-Credential", buf_str(&cred) };
	q[nq++] = (struct sigv4_kv){ "X-Amz-Date", amz_date };
	q[nq++] = (struct sigv4_kv){ "X-Amz-Expires", exp };
	q[nq++] = (struct sigv4_kv){ "X-Amz-SignedHeaders", "host" };
	if (c->session_token != NULL)
		q[nq++] = (struct sigv4_kv){ "X-Amz-Security-Token", c->session_token };
	if (sigv4_creq(r, q, nq, h, 1, SIGV4_UNSIGNED, &creq, &signed_headers) != 0 ||
	    sigv4_signature(r, c, amz_date, date, &creq, sig) != 0)
		goto out;
	rc = sigv4_canonical_query(q, nq, query) || buf_printf(query, "&X-Amz-Signature=%s", sig);
out:
	buf_free(&cred);
	buf_free(&creq);
	buf_free(&signed_headers);
	return rc;
}
