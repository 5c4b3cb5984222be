#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "testkeys.h"
#include "util/b64url.h"

EVP_PKEY *tk_rsa(int bits)
{
	return EVP_RSA_gen((unsigned)bits);
}

static int tk_bn_b64(EVP_PKEY *k, const char *name, buf_t *out)
{
	unsigned char raw[1024];
	BIGNUM *bn = NULL;
	int n, rc = -1;

	if (EVP_PKEY_get_bn_param(k, name, &bn) == 1 && (n = BN_bn2bin(bn, raw)) > 0)
		rc = b64url_encode(raw, (size_t)n, out);
	BN_free(bn);
	return rc;
}

int tk_jwk(EVP_PKEY *k, const char *kid, const char *extra, buf_t *out)
{
	int rc = buf_printf(out, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"", kid);

	rc = rc ? rc : tk_bn_b64(k, OSSL_PKEY_PARAM_RSA_N, out);
	rc = rc ? rc : buf_addstr(out, "\",\"e\":\"");
	rc = rc ? rc : tk_bn_b64(k, OSSL_PKEY_PARAM_RSA_E, out);
	rc = rc ? rc : buf_printf(out, "\"%s}", extra != NULL ? extra : "");
	return rc;
}

static int tk_signing_input(const char *header, const char *payload, buf_t *b)
{
	int rc = b64url_encode((const unsigned char *)header, strlen(header), b);

	rc = rc ? rc : buf_addc(b, '.');
	rc = rc ? rc : b64url_encode((const unsigned char *)payload, strlen(payload), b);
	return rc;
}

static char *tk_finish(buf_t *b, const unsigned char *sig, size_t n)
{
	char *tok = NULL;

	if (buf_addc(b, '.') == 0 && b64url_encode(sig, n, b) == 0)
		tok = strdup(buf_str(b));
	buf_free(b);
	return tok;
}

char *tk_sign(EVP_PKEY *k, const char *md, const char *header, const char *payload)
{
	unsigned char sig[1024];
	size_t n = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	buf_t b;

	buf_init(&b, 1 << 20);
	if (tk_signing_input(header, payload, &b) != 0 ||
	    EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, k, NULL) != 1 ||
	    EVP_DigestSign(ctx, sig, &n, (const unsigned char *)b.ptr, b.len) != 1)
		n = 0;
	EVP_MD_CTX_free(ctx);
	return tk_finish(&b, sig, n);
}

char *tk_sign_hmac(const void *secret, size_t sn, const char *header, const char *payload)
{
	unsigned char mac[64];
	size_t n = 0;
	buf_t b;

	buf_init(&b, 1 << 20);
	if (tk_signing_input(header, payload, &b) != 0 ||
	    EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, sn,
		      (const unsigned char *)b.ptr, b.len, mac, sizeof(mac), &n) == NULL)
		n = 0;
	return tk_finish(&b, mac, n);
}

char *tk_join(const char *header, const char *payload, const char *sig_b64)
{
	char *tok = NULL;
	buf_t b;

	buf_init(&b, 1 << 20);
	if (tk_signing_input(header, payload, &b) == 0 && buf_addc(&b, '.') == 0 &&
	    buf_addstr(&b, sig_b64) == 0)
		tok = strdup(buf_str(&b));
	buf_free(&b);
	return tok;
}

char *tk_public_pem(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL, *p = NULL;
	long n;

	if (bio != NULL && PEM_write_bio_PUBKEY(bio, k) == 1 && (n = BIO_get_mem_data(bio, &p)) > 0)
		pem = strndup(p, (size_t)n);
	BIO_free(bio);
	return pem;
}
