/* session: integrity-protected, stateless cookies. A value is
 * base64url(JSON) "." base64url(HMAC-SHA-256(key, base64url(JSON))), with one
 * key per purpose derived from session_secret, so a login cookie can never
 * pass for a session. Any process on any machine with the secret can check it. */
#ifndef S3GATE_SESSION_H
#define S3GATE_SESSION_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "auth/jwt.h"
#include "util/buf.h"

#define SESSION_SECRET_MIN 32

enum session_purpose { SESSION_LOGIN, SESSION_USER };

int session_init(const char *secret, char *err, size_t errlen);
void session_cleanup(void);
/* Signs the JSON object o into out. */
int session_seal(enum session_purpose p, const cJSON *o, buf_t *out);
/* The JSON object inside a value whose MAC checks, NULL otherwise. */
cJSON *session_open(enum session_purpose p, const char *value);
/* The identity as the session cookie carries it, and back. */
int session_from_identity(const struct jwt_identity *id, buf_t *out);
/* 0 and id filled when value is a valid, unexpired session. */
int session_identity(const char *value, double now, struct jwt_identity *id);
/* n random bytes as base64url. */
int session_random(size_t n, buf_t *out);

#endif
