/* token: the token gate. Takes an Authorization value, answers with a verified
 * identity or the reason for refusal; remembers verified tokens by SHA-256. */
#ifndef S3GATE_TOKEN_H
#define S3GATE_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "auth/jwt.h"
#include "conf.h"

int token_init(const struct conf *c, char *err, size_t errlen);
void token_cleanup(void);
/* The token inside an Authorization header value: "Bearer <t>" or "<t>". */
jwt_err token_from_header(const char *authz, const char **tok, size_t *len);
/* Full validation; claims (may be NULL) receives the verified payload, which
 * the caller frees with cJSON_Delete. now is seconds since the epoch. */
jwt_err token_verify(const char *tok, size_t len, double now, struct jwt_identity *id,
		     cJSON **claims);
/* The same for the ID token a sign-in brings back, whatever token_use allows
 * for API calls; claims must not be NULL (the caller checks the nonce). */
jwt_err token_verify_id(const char *tok, size_t len, double now, struct jwt_identity *id,
			cJSON **claims);

/* Where keys come from; jwks_lookup unless a test installs its own. */
typedef jwt_err (*token_lookup_fn)(const char *kid, double now, EVP_PKEY_CTX **vctx);
void token_set_lookup(token_lookup_fn fn);
/* A check of the whole payload whose verdict the identity carries as claims_ok
 * (NULL: always 1); it is remembered with the token. */
void token_set_claims_check(int (*fn)(const cJSON *payload));

#endif
