/* Token verification benchmark: a first sighting (RSA) against OpenSSL's own
 * RS256 verify, and a repeated token (cache) against a plain SHA-256 of it.
 * Prints rates and ratios measured in the same run; asserts nothing. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "auth/jwks.h"
#include "auth/token.h"
#include "testkeys.h"

#define BENCH_TOKENS 3000
#define ISS "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_BENCH"

static struct jwks_set keys;

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static jwt_err bench_lookup(const char *kid, double t, EVP_PKEY_CTX **vctx)
{
	(void)t;
	return jwks_set_find(&keys, kid, vctx);
}

static char *bench_token(EVP_PKEY *k, int i, double now)
{
	char pl[1024];

	snprintf(pl, sizeof(pl),
		 "{\"sub\":\"8d2c6b3e-0a5f-4f4e-9c1e-%012d\",\"cognito:groups\":[\"finance\"],"
		 "\"email_verified\":true,\"iss\":\"" ISS "\",\"cognito:username\":\"user%d\","
		 "\"aud\":\"client1\",\"event_id\":\"e%d\",\"token_use\":\"id\",\"auth_time\":%.0f,"
		 "\"exp\":%.0f,\"iat\":%.0f,\"jti\":\"j%d\",\"email\":\"user%d@example.com\"}",
		 i, i, i, now, now + 3600, now, i, i);
	return tk_sign(k, "SHA256", "{\"kid\":\"bench\",\"alg\":\"RS256\"}", pl);
}

/* OpenSSL's own rate: EVP_DigestVerify over each token's signing input, the
 * signatures decoded beforehand so that only the verification is timed. */
static double bench_openssl(EVP_PKEY *k, char **toks, int n)
{
	static unsigned char sigs[BENCH_TOKENS][JWT_SIG_MAX];
	static size_t sig_len[BENCH_TOKENS], signed_len[BENCH_TOKENS];
	double t0;
	int i;

	for (i = 0; i < n; i++) {
		struct jwt j;

		jwt_parse(&j, toks[i], strlen(toks[i]));
		memcpy(sigs[i], j.sig, j.sig_len);
		sig_len[i] = j.sig_len;
		signed_len[i] = j.signed_len;
		jwt_free(&j);
	}
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) != 1 ||
		    EVP_DigestVerify(ctx, sigs[i], sig_len[i], (const unsigned char *)toks[i],
				     signed_len[i]) != 1)
			fprintf(stderr, "baseline verify failed\n");
		EVP_MD_CTX_free(ctx);
	}
	return n / (bench_now() - t0);
}

static double bench_first(char **toks, int n, double now)
{
	struct jwt_identity id;
	double t0 = bench_now();
	int i, bad = 0;

	for (i = 0; i < n; i++)
		bad += token_verify(toks[i], strlen(toks[i]), now, &id, NULL) != JWT_OK;
	if (bad)
		fprintf(stderr, "%d first sightings refused\n", bad);
	return n / (bench_now() - t0);
}

static double bench_repeat(const char *tok, int n, double now, int hash_only)
{
	unsigned char md[32];
	struct jwt_identity id;
	size_t len = strlen(tok);
	double t0 = bench_now();
	int i;

	for (i = 0; i < n; i++) {
		if (hash_only)
			EVP_Digest(tok, len, md, NULL, EVP_sha256(), NULL);
		else
			token_verify(tok, len, now, &id, NULL);
	}
	return n / (bench_now() - t0);
}

int main(void)
{
	static char *toks[BENCH_TOKENS];
	EVP_PKEY *k = tk_rsa(2048);
	struct conf c;
	char err[128];
	double now = (double)time(NULL), ossl, first, rep, sha;
	buf_t jwks;
	int i;

	buf_init(&jwks, 1 << 16);
	buf_addstr(&jwks, "{\"keys\":[");
	tk_jwk(k, "bench", ",\"alg\":\"RS256\",\"use\":\"sig\"", &jwks);
	buf_addstr(&jwks, "]}");
	jwks_parse(&keys, jwks.ptr, jwks.len, err, sizeof(err));
	memset(&c, 0, sizeof(c));
	c.issuer = ISS;
	c.client_ids[0] = "client1";
	c.n_client_ids = 1;
	c.token_cache_size = 2 * BENCH_TOKENS;
	c.cache_dir = "/nonexistent";
	c.jwks_url = "http://127.0.0.1:9/";
	token_init(&c, err, sizeof(err));
	token_set_lookup(bench_lookup);
	for (i = 0; i < BENCH_TOKENS; i++)
		toks[i] = bench_token(k, i, now);
	ossl = bench_openssl(k, toks, BENCH_TOKENS);
	first = bench_first(toks, BENCH_TOKENS, now);
	rep = bench_repeat(toks[0], 200000, now, 0);
	sha = bench_repeat(toks[0], 200000, now, 1);
	printf("token verification, RSA-2048, %zu-byte token\n", strlen(toks[0]));
	printf("  baseline openssl RS256 verify  %10.0f /s\n", ossl);
	printf("  s3gate first sighting          %10.0f /s   ratio %.2f (target >= 0.80)\n",
	       first, first / ossl);
	printf("  baseline sha256 of the token   %10.0f /s\n", sha);
	printf("  s3gate repeated token (cache)  %10.0f /s   ratio to first %.1f (target >= 10)"
	       ", to sha256 %.2f\n", rep, rep / first, rep / sha);
	for (i = 0; i < BENCH_TOKENS; i++)
		free(toks[i]);
	token_cleanup();
	jwks_set_free(&keys);
	buf_free(&jwks);
	EVP_PKEY_free(k);
	return 0;
}
