/* oidc: sign-in through the pool's Hosted UI (OpenID Connect): /login makes
 * state, nonce and a PKCE verifier (RFC 7636, S256) and keeps them in a
 * sealed short-lived cookie; /callback checks them, exchanges the code at the
 * token endpoint and sets the session; /session takes the implicit flow's
 * tokens from the callback page; /logout ends the session. */
#ifndef S3GATE_OIDC_H
#define S3GATE_OIDC_H

#include "app.h"

#define OIDC_LOGIN_COOKIE "s3gate_login"
#define OIDC_SESSION_COOKIE "s3gate_session"
#define OIDC_LOGIN_MAX_AGE 600

int oidc_init(const struct conf *c, char *err, size_t errlen);
int oidc_login(struct app_req *a);
int oidc_callback(struct app_req *a);
int oidc_session(struct app_req *a);
int oidc_logout(struct app_req *a);
/* The browser way in: 302 to /login?fn=key. */
int oidc_redirect_to_login(struct app_req *a, const char *key);
/* The identity in a valid session cookie; -1 when there is none, -2 when
 * one came but is expired or altered. */
int oidc_session_identity(struct app_req *a, struct jwt_identity *id);

#endif
