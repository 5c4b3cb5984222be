#include "config.h"

#include <stdio.h>
#include <string.h>

#include "aws/s3.h"
#include "listing.h"
#include "policy/policy.h"
#include "util/log.h"
#include "util/utf8.h"

#define LISTING_BODY_MAX (4L * 1024 * 1024)

struct listing_ctx {
	const struct jwt_identity *id;
	buf_t *body;
	size_t shown;
	int overflow;
};

/* A listing prefix: like a key, but may be empty or end with '/'. */
static int listing_prefix_ok(const char *p)
{
	size_t i, n = strlen(p);
	int ok = n <= S3_KEY_MAX && p[0] != '/' && utf8_valid(p, n);

	for (i = 0; i < n && ok; i++)
		ok = (unsigned char)p[i] >= 0x20 && p[i] != 0x7f;
	return ok && strstr(p, "..") == NULL;
}

/* S3's continuation tokens are opaque but printable and short. */
static int listing_token_ok(const char *t)
{
	size_t n = strlen(t);

	return n <= 1024 && strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789+/=_-.~:%") == n;
}

static int listing_on_object(void *ud, const struct s3_object *o)
{
	struct listing_ctx *l = ud;
	struct rules_decision d;
	buf_t *b = l->body;
	int rc;

	if (s3_key_ok(o->key) != 0)
		return 0; /* S3 "folders" and keys s3gate would refuse to serve */
	policy_decide(l->id, o->key, &d);
	if (!d.allowed)
		return 0;
	rc = buf_printf(b, "%s{\"key\":\"", l->shown ? "," : "") ||
	     buf_add_json_str(b, o->key, strlen(o->key)) ||
	     buf_printf(b, "\",\"size\":%s,\"last_modified\":\"", o->size[0] ? o->size : "null") ||
	     buf_add_json_str(b, o->last_modified, strlen(o->last_modified)) ||
	     buf_addstr(b, "\",\"etag\":\"") || buf_add_json_str(b, o->etag, strlen(o->etag)) ||
	     buf_addstr(b, "\"}");
	if (rc != 0)
		l->overflow = 1;
	l->shown++;
	return rc;
}

int listing_handle(struct app_req *a)
{
	struct jwt_identity id;
	struct s3_list_page page;
	struct listing_ctx l = { &id, NULL, 0, 0 };
	const char *prefix = req_param(a->req, "prefix"), *cont = req_param(a->req, "continuation");
	jwt_err e = app_authenticate(a, &id);
	enum s3_outcome out;
	buf_t body;
	int rc;

	if (e != JWT_OK)
		return app_refuse(a, e);
	if (prefix == NULL)
		prefix = "";
	if (!listing_prefix_ok(prefix) || (cont != NULL && !listing_token_ok(cont)))
		return resp_error(a->resp, 400, "bad_request", "bad prefix or continuation");
	buf_init(&body, LISTING_BODY_MAX);
	l.body = &body;
	page.on_object = listing_on_object;
	page.ud = &l;
	rc = buf_addstr(&body, "{\"objects\":[");
	out = rc == 0 ? s3_list(prefix, cont, a->c->list_page_size, &page, a->why, sizeof(a->why))
		      : S3_UPSTREAM;
	if (out == S3_OK && !l.overflow) {
		rc = buf_addstr(&body, "],\"next\":") ||
		     (page.next[0] != '\0'
			      ? buf_addc(&body, '"') || buf_add_json_str(&body, page.next, strlen(page.next)) ||
					buf_addc(&body, '"')
			      : buf_addstr(&body, "null")) ||
		     buf_addstr(&body, "}\n");
		rc = rc ? resp_error(a->resp, 500, "internal", "listing too large")
			: resp_json(a->resp, 200, body.ptr, body.len);
	} else {
		log_msg(LOGL_ERR, "listing failed: %s", l.overflow ? "too large" : a->why);
		rc = resp_error(a->resp, out == S3_TIMEOUT ? 504 : 502,
				out == S3_TIMEOUT ? "upstream_timeout" : "upstream_error",
				"file storage unavailable");
	}
	buf_free(&body);
	return rc;
}
