/* app: one request from CGI variables to a logged response. */
#ifndef S3GATE_APP_H
#define S3GATE_APP_H

#include "auth/jwt.h"
#include "conf.h"
#include "http/request.h"
#include "http/response.h"

/* One request on its way through the handlers. */
struct app_req {
	const struct conf *c;
	struct req *req;
	struct resp *resp;
	char sub[JWT_SUB_MAX + 1]; /* for the request log, once known */
	char why[256];             /* for the request log: why it was refused or failed */
	int cut_short;             /* a relayed body ended early */
	double now;
	char client[64];           /* the client address, behind trusted proxies */
	char username[JWT_USERNAME_MAX + 1];
	/* set by handlers that make a download decision: one audit line */
	const char *audit_key;
	int session_bad;  /* a session cookie came but did not hold */
	const char *audit_mode;
	char audit_decision[1700];
};

void app_handle(const struct conf *c, req_getenv_fn get, void *ctx, const struct req_in *in,
		const struct resp_out *out);
/* The identity as the JSON object /whoami answers. */
int app_identity_json(const struct jwt_identity *id, buf_t *b);

/* The token gate; fills id and the log's sub. */
jwt_err app_authenticate(struct app_req *a, struct jwt_identity *id);
/* 401 (or 503) for a token the gate refused. */
int app_refuse(struct app_req *a, jwt_err e);

#endif
