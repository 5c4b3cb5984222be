/* app: one request from CGI variables to a logged response. */
#ifndef S3GATE_APP_H
#define S3GATE_APP_H

#include "auth/jwt.h"
#include "conf.h"
#include "http/request.h"
#include "http/response.h"

void app_handle(const struct conf *c, req_getenv_fn get, void *ctx,
		const struct resp_out *out);
/* The identity as the JSON object /whoami answers. */
int app_identity_json(const struct jwt_identity *id, buf_t *b);

#endif
