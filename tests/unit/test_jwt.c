/* The token gate: every refusal reason, with tokens signed here. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwks.h"
#include "auth/token.h"
#include "tap.h"
#include "testkeys.h"

#define ISS "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST"

static struct jwks_set keys;
static EVP_PKEY *key_a, *key_b;
static double now;

static jwt_err lookup_set(const char *kid, double t, EVP_PKEY_CTX **vctx)
{
	(void)t;
	return jwks_set_find(&keys, kid, vctx);
}

static jwt_err lookup_down(const char *kid, double t, EVP_PKEY_CTX **vctx)
{
	(void)kid;
	(void)t;
	(void)vctx;
	return JWT_E_KEYS_UNAVAILABLE;
}

static double iat_offset = -10;

static char *payload(const char *use, const char *aud_field, const char *extra)
{
	buf_t b;

	buf_init(&b, 1 << 20);
	buf_printf(&b, "{\"sub\":\"1234-abcd\",\"iss\":\"" ISS "\",\"token_use\":\"%s\",%s,"
		       "\"email\":\"alice@example.com\",\"cognito:username\":\"alice\","
		       "\"cognito:groups\":[\"finance\",\"staff\"],\"iat\":%.0f%s",
		   use, aud_field, now + iat_offset, extra);
	if (strstr(extra, "\"exp\"") == NULL && strstr(extra, "NOEXP") == NULL)
		buf_printf(&b, ",\"exp\":%.0f", now + 3600);
	buf_addc(&b, '}');
	return b.ptr;
}

/* Signs with key k under kid and checks the gate's answer. */
static void expect(jwt_err want, const char *name, char *tok)
{
	struct jwt_identity id;
	jwt_err e = tok != NULL ? token_verify(tok, strlen(tok), now, &id, NULL) : JWT_E_INTERNAL;

	ok(e == want, "%s: %s (got %s)", name, jwt_strerror(want), jwt_strerror(e));
	free(tok);
}

static char *rs(EVP_PKEY *k, const char *kid, const char *pl)
{
	char hdr[256];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
	return tk_sign(k, "SHA256", hdr, pl);
}

/* An ID token signed with key A with one more numeric claim. */
static char *id_token_at(const char *claim, double t)
{
	char more[256];
	char *pl, *tok;

	snprintf(more, sizeof(more), ",\"%s\":%.0f", claim, t);
	pl = payload("id", "\"aud\":\"client1\"", more);
	tok = rs(key_a, "A", pl);
	free(pl);
	return tok;
}

static char *id_token(const char *extra)
{
	char *pl = payload("id", "\"aud\":\"client1\"", extra);
	char *tok = rs(key_a, "A", pl);

	free(pl);
	return tok;
}

static void load_keys(void)
{
	EVP_PKEY *small = tk_rsa(1024);
	char err[64];
	buf_t b;

	buf_init(&b, 1 << 20);
	buf_addstr(&b, "{\"keys\":[");
	tk_jwk(key_a, "A", ",\"use\":\"sig\",\"alg\":\"RS256\"", &b);
	buf_addc(&b, ',');
	tk_jwk(key_a, "enc", ",\"use\":\"enc\"", &b);
	buf_addc(&b, ',');
	tk_jwk(key_a, "rs512", ",\"alg\":\"RS512\"", &b);
	buf_addc(&b, ',');
	tk_jwk(small, "small", "", &b);
	buf_addstr(&b, ",{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}");
	/* an unusable entry must not hide a usable one with the same kid */
	buf_addstr(&b, ",{\"kty\":\"EC\",\"kid\":\"twice\"},");
	tk_jwk(key_a, "twice", "", &b);
	buf_addstr(&b, ",{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}");
	ok(jwks_parse(&keys, b.ptr, b.len, err, sizeof(err)) == 0 && keys.n == 7,
	   "JWKS with seven kid entries parsed (%zu)", keys.n);
	{
		struct jwks_set other;

		ok(jwks_parse(&other, "[1]", 3, err, sizeof(err)) != 0 && other.n == 0,
		   "non-JWKS document refused");
	}
	buf_free(&b);
	EVP_PKEY_free(small);
}

static void test_valid(void)
{
	struct jwt_identity id;
	char *tok = id_token("");
	jwt_err e = token_verify(tok, strlen(tok), now, &id, NULL);

	ok(e == JWT_OK, "valid ID token accepted (%s)", jwt_strerror(e));
	is_str(id.sub, "1234-abcd", "identity sub");
	is_str(id.username, "alice", "identity username from cognito:username");
	is_str(id.email, "alice@example.com", "identity email");
	is_int(id.n_groups, 2, "two groups");
	is_str(id.groups + strlen(id.groups) + 1, "staff", "second group");
	is_str(id.token_use, "id", "token_use");
	/* the cache answers a token seen before without asking for keys */
	token_set_lookup(lookup_down);
	ok(token_verify(tok, strlen(tok), now, &id, NULL) == JWT_OK, "repeat served from cache");
	ok(token_verify(tok, strlen(tok), now + 7200, &id, NULL) == JWT_E_EXPIRED,
	   "cached token still expires");
	token_set_lookup(lookup_set);
	free(tok);
}

static void test_header_refusals(void)
{
	char *pl = payload("id", "\"aud\":\"client1\"", ""), *pem = tk_public_pem(key_a);
	char big[JWT_TOKEN_MAX + 2];

	expect(JWT_E_SIGNATURE, "signed by another key", rs(key_b, "A", pl));
	expect(JWT_E_ALG, "HS256 with the public key as secret",
	       tk_sign_hmac(pem, strlen(pem), "{\"alg\":\"HS256\",\"kid\":\"A\"}", pl));
	expect(JWT_E_ALG, "alg none with a signature", tk_join("{\"alg\":\"none\",\"kid\":\"A\"}", pl, "AA"));
	expect(JWT_E_FORMAT, "alg none, empty signature", tk_join("{\"alg\":\"none\"}", pl, ""));
	expect(JWT_E_ALG, "RS384", tk_sign(key_a, "SHA384", "{\"alg\":\"RS384\",\"kid\":\"A\"}", pl));
	expect(JWT_E_ALG, "alg in lower case", tk_sign(key_a, "SHA256", "{\"alg\":\"rs256\",\"kid\":\"A\"}", pl));
	expect(JWT_E_KID, "missing kid", tk_sign(key_a, "SHA256", "{\"alg\":\"RS256\"}", pl));
	expect(JWT_E_KID_UNKNOWN, "unknown kid", rs(key_a, "nope", pl));
	expect(JWT_E_KEY, "JWK use enc", rs(key_a, "enc", pl));
	expect(JWT_E_KEY, "JWK alg RS512", rs(key_a, "rs512", pl));
	expect(JWT_E_KEY, "JWK of 1024 bits", rs(key_a, "small", pl));
	expect(JWT_E_KEY, "JWK kty EC", rs(key_a, "ec", pl));
	expect(JWT_OK, "usable JWK after an unusable one with the same kid", rs(key_a, "twice", pl));
	expect(JWT_E_DUPLICATE, "duplicate header member",
	       tk_sign(key_a, "SHA256", "{\"alg\":\"RS256\",\"kid\":\"A\",\"kid\":\"A\"}", pl));
	expect(JWT_E_CRIT, "crit header", tk_sign(key_a, "SHA256",
	       "{\"alg\":\"RS256\",\"kid\":\"A\",\"crit\":[\"exp\"]}", pl));
	expect(JWT_E_HEADER, "header not JSON", tk_sign(key_a, "SHA256", "{alg:RS256}", pl));
	expect(JWT_E_HEADER, "header a JSON array", tk_sign(key_a, "SHA256", "[\"RS256\"]", pl));
	expect(JWT_E_FORMAT, "two parts", strdup("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0"));
	expect(JWT_E_FORMAT, "four parts", strdup("a.b.c.d"));
	expect(JWT_E_FORMAT, "malformed base64url", strdup("eyJhbGciOiJSUzI1NiJ9.e$J9.AA"));
	expect(JWT_E_FORMAT, "padded base64", strdup("eyJhbGciOiJSUzI1NiJ9.eyJ9==.AA"));
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = big[20] = '.';
	expect(JWT_E_SIZE, "oversized token", strdup(big));
	free(pl);
	free(pem);
}

static void test_claim_refusals(void)
{
	char *pl;

	expect(JWT_E_EXPIRED, "expired by 1 s", id_token_at("exp", now - 1));
	expect(JWT_E_NBF, "nbf ahead", id_token_at("nbf", now + 60));
	expect(JWT_OK, "nbf past", id_token_at("nbf", now - 1));
	expect(JWT_E_EXP, "exp missing", id_token(",\"NOEXP\":1"));
	expect(JWT_E_EXP, "exp a string", id_token(",\"exp\":\"9999999999\""));
	expect(JWT_E_DUPLICATE, "duplicated claim", id_token(",\"iss\":\"" ISS "\""));
	expect(JWT_E_DUPLICATE, "duplicated nested member",
	       id_token(",\"x\":{\"a\":1,\"a\":2}"));
	pl = payload("id", "\"aud\":\"client1\"", "");
	pl[strlen(pl) - 1] = ']';
	pl[0] = '[';
	expect(JWT_E_PAYLOAD, "payload a JSON array", rs(key_a, "A", pl));
	free(pl);
	expect(JWT_E_PAYLOAD, "payload not JSON", rs(key_a, "A", "not json"));
	pl = payload("id", "\"aud\":\"client1\"", "");
	memcpy(strstr(pl, ISS), "https://evil", 12);
	expect(JWT_E_ISS, "wrong iss", rs(key_a, "A", pl));
	free(pl);
	pl = payload("id", "\"aud\":\"client9\"", "");
	expect(JWT_E_AUD, "wrong aud", rs(key_a, "A", pl));
	free(pl);
	pl = payload("id", "\"aud\":[\"x\",\"client1\"]", "");
	/* Cognito ID tokens carry one audience; aws-jwt-verify refuses an array */
	expect(JWT_E_AUD, "aud an array, even holding the client", rs(key_a, "A", pl));
	free(pl);
	pl = payload("id", "\"aud\":\"client2\"", "");
	expect(JWT_OK, "second configured client id", rs(key_a, "A", pl));
	free(pl);
	pl = payload("access", "\"client_id\":\"client1\"", "");
	expect(JWT_E_TOKEN_USE, "access token when id is required", rs(key_a, "A", pl));
	free(pl);
	pl = payload("refresh", "\"aud\":\"client1\"", "");
	expect(JWT_E_TOKEN_USE, "unknown token_use", rs(key_a, "A", pl));
	free(pl);
	iat_offset = 10;
	expect(JWT_E_IAT, "iat 10 s ahead", id_token(""));
	iat_offset = -10;
}

static void test_header_forms(void)
{
	const char *t = NULL;
	size_t n = 0;

	ok(token_from_header("Bearer a.b.c", &t, &n) == JWT_OK && n == 5 && memcmp(t, "a.b.c", 5) == 0,
	   "Bearer form");
	ok(token_from_header("bearer  a.b.c ", &t, &n) == JWT_OK && n == 5, "scheme case-insensitive, spaces trimmed");
	ok(token_from_header("a.b.c", &t, &n) == JWT_OK && n == 5, "bare token (API Gateway form)");
	ok(token_from_header("Basic dXNlcjpwYXNz", &t, &n) == JWT_E_MISSING, "another scheme is no token");
	ok(token_from_header("Bearer ", &t, &n) == JWT_E_MISSING, "empty Bearer is no token");
	ok(token_from_header(NULL, &t, &n) == JWT_E_MISSING, "no header is no token");
}

int main(void)
{
	struct conf c;
	char err[256];

	now = (double)time(NULL);
	key_a = tk_rsa(2048);
	key_b = tk_rsa(2048);
	memset(&c, 0, sizeof(c));
	c.issuer = ISS;
	c.client_ids[0] = "client1";
	c.client_ids[1] = "client2";
	c.n_client_ids = 2;
	c.token_use = CONF_TOKEN_ID;
	c.token_cache_size = 64;
	c.cache_dir = "/nonexistent/s3gate-test";
	c.jwks_url = "http://127.0.0.1:9/jwks.json";
	ok(token_init(&c, err, sizeof(err)) == 0, "token gate initialised");
	token_set_lookup(lookup_set);
	load_keys();
	test_header_forms();
	test_valid();
	test_header_refusals();
	test_claim_refusals();
	token_cleanup();
	jwks_set_free(&keys);
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	return tap_done();
}
