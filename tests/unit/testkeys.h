/* testkeys: RSA keys, JWKs and signed tokens made by the tests themselves. */
#ifndef S3GATE_TESTKEYS_H
#define S3GATE_TESTKEYS_H

#include <openssl/evp.h>

#include "util/buf.h"

EVP_PKEY *tk_rsa(int bits);
/* {"kty":"RSA","kid":kid,"n":..,"e":..<extra>} where extra starts with ',' */
int tk_jwk(EVP_PKEY *k, const char *kid, const char *extra, buf_t *out);
/* header.payload.signature, each part base64url; malloc'd */
char *tk_sign(EVP_PKEY *k, const char *md, const char *header, const char *payload);
char *tk_sign_hmac(const void *secret, size_t n, const char *header, const char *payload);
char *tk_join(const char *header, const char *payload, const char *sig_b64);
/* The public key as PEM text; malloc'd */
char *tk_public_pem(EVP_PKEY *k);

#endif
