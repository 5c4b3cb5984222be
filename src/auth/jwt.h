/* jwt: JWS compact parsing (RFC 7515 §7.1), RS256 verification (RFC 7518 §3.3)
 * and the Cognito claim checks. */
#ifndef S3GATE_JWT_H
#define S3GATE_JWT_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#define JWT_TOKEN_MAX 16384
#define JWT_HEADER_MAX (JWT_TOKEN_MAX / 4 * 3) /* decoded header bytes */
#define JWT_SIG_MAX 1024     /* an 8192-bit RSA signature */
#define JWT_KID_MAX 256
#define JWT_SUB_MAX 256
#define JWT_USERNAME_MAX 256
#define JWT_EMAIL_MAX 320
#define JWT_GROUPS_MAX 13312 /* NUL-separated group names: Cognito's 100 of 128 */

typedef enum {
	JWT_OK = 0,
	JWT_E_MISSING,
	JWT_E_SIZE,
	JWT_E_FORMAT,
	JWT_E_HEADER,
	JWT_E_CRIT,
	JWT_E_ALG,
	JWT_E_KID,
	JWT_E_KID_UNKNOWN,
	JWT_E_KEY,
	JWT_E_SIGNATURE,
	JWT_E_PAYLOAD,
	JWT_E_DUPLICATE,
	JWT_E_ISS,
	JWT_E_TOKEN_USE,
	JWT_E_AUD,
	JWT_E_EXP,
	JWT_E_EXPIRED,
	JWT_E_NBF,
	JWT_E_IAT,
	JWT_E_CLAIM,
	JWT_E_KEYS_UNAVAILABLE,
	JWT_E_INTERNAL
} jwt_err;

/* A token split and decoded up to (not including) its payload JSON. */
struct jwt {
	const char *tok;
	size_t len;
	size_t signed_len; /* header.payload: the JWS signing input */
	char kid[JWT_KID_MAX + 1];
	unsigned char sig[JWT_SIG_MAX];
	size_t sig_len;
	char *payload_raw; /* decoded payload bytes, NUL-terminated */
	size_t payload_len;
	cJSON *payload;
};

/* What the access decision needs, copied out of the verified claims. */
struct jwt_identity {
	char sub[JWT_SUB_MAX + 1];
	char username[JWT_USERNAME_MAX + 1];
	char email[JWT_EMAIL_MAX + 1];
	char groups[JWT_GROUPS_MAX]; /* each name NUL-terminated, back to back */
	size_t groups_len;
	size_t n_groups;
	char token_use[8];
	double exp;
	double nbf; /* 0 when absent */
	double iat; /* 0 when absent */
	int claims_ok; /* the required claims (require_claim) hold */
	int email_verified; /* email_verified is true (or "true") */
};

struct jwt_policy {
	const char *issuer;
	int token_use; /* enum conf_token_use */
	const char *const *client_ids;
	size_t n_client_ids;
	long clock_skew;
};

const char *jwt_strerror(jwt_err e);
/* Size cap, three base64url parts, header JSON, alg, kid. */
jwt_err jwt_parse(struct jwt *j, const char *tok, size_t len);
/* RS256 over the signing input with a key prepared by jwt_key_from_jwk. */
jwt_err jwt_verify(const struct jwt *j, EVP_PKEY_CTX *vctx);
/* Payload JSON object without duplicate members. */
jwt_err jwt_parse_payload(struct jwt *j);
jwt_err jwt_check_claims(const cJSON *payload, const struct jwt_policy *p, double now);
/* Time claims only, for a token verified earlier. */
jwt_err jwt_check_times(const struct jwt_identity *id, long clock_skew, double now);
jwt_err jwt_identity_from(const cJSON *payload, struct jwt_identity *id);
/* RFC 7517 §4, RFC 7518 §6.3.1: an RSA signing key usable for RS256. */
jwt_err jwt_key_from_jwk(const cJSON *jwk, EVP_PKEY **pkey, EVP_PKEY_CTX **vctx);
/* 1 when an object anywhere in v has two members of the same name. */
int jwt_has_duplicates(const cJSON *v);
void jwt_free(struct jwt *j);

#endif
