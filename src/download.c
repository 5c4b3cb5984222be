#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/s3.h"
#include "auth/oidc.h"
#include "download.h"
#include "policy/policy.h"
#include "util/log.h"
#include "util/mime.h"

#define DL_HEADER_VALUE_MAX 256

struct dl_ctx {
	struct app_req *a;
	const char *key;
	const char *disposition; /* "attachment" or "inline" */
	unsigned long long expected; /* Content-Length promised, 0 when unknown */
};

/* A client header worth passing to S3: short and printable, else ignored. */
static const char *dl_client_header(const char *v)
{
	size_t i, n = v != NULL ? strlen(v) : 0;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] == 0x7f)
			return NULL;
	return n > 0 && n <= DL_HEADER_VALUE_MAX ? v : NULL;
}

static const char *dl_last_segment(const char *key)
{
	const char *slash = strrchr(key, '/');

	return slash != NULL ? slash + 1 : key;
}

/* The extension table first, then the object's own type, then octet-stream. */
static const char *dl_content_type(const char *key, const char *s3_type)
{
	const char *t = mime_for(dl_last_segment(key));

	if (t == NULL && s3_type[0] != '\0' && dl_client_header(s3_type) != NULL)
		t = s3_type;
	return t != NULL ? t : "application/octet-stream";
}

static void dl_pass(struct resp *r, const char *name, const char *v)
{
	if (v[0] != '\0')
		resp_header(r, name, v);
}

static int dl_on_head(void *ud, const struct s3_head *h)
{
	struct dl_ctx *d = ud;
	struct resp *r = d->a->resp;
	buf_t cd;
	int rc = 0;

	if (h->status == 412 || h->status == 416) {
		if (h->status == 416)
			dl_pass(r, "Content-Range", h->content_range);
		return resp_error(r, (int)h->status, h->status == 412 ? "precondition_failed"
								      : "range_not_satisfiable",
				  h->status == 412 ? "precondition failed" : "range not satisfiable");
	}
	resp_status(r, (int)h->status);
	dl_pass(r, "ETag", h->etag);
	dl_pass(r, "Last-Modified", h->last_modified);
	resp_header(r, "Cache-Control", "private");
	if (h->status == 304)
		return resp_finish(r);
	buf_init(&cd, 8192);
	resp_header(r, "Content-Type", dl_content_type(d->key, h->content_type));
	resp_header(r, "X-Content-Type-Options", "nosniff");
	if (resp_disposition(&cd, d->disposition, dl_last_segment(d->key)) == 0)
		resp_header(r, "Content-Disposition", buf_str(&cd));
	dl_pass(r, "Content-Length", h->content_length);
	if (h->status == 206)
		dl_pass(r, "Content-Range", h->content_range);
	resp_header(r, "Accept-Ranges", "bytes");
	d->expected = strtoull(h->content_length, NULL, 10);
	buf_free(&cd);
	/* the head goes out now, before the first body byte */
	if (r->head_only || h->content_length[0] == '0')
		rc = resp_finish(r);
	return rc;
}

static int dl_on_body(void *ud, const char *p, size_t n)
{
	struct dl_ctx *d = ud;

	return resp_body(d->a->resp, p, n);
}

static int dl_relay(struct dl_ctx *d)
{
	struct app_req *a = d->a;
	const struct s3_get_opts o = {
		.head_only = a->req->is_head,
		.range = dl_client_header(a->req->range),
		.if_match = dl_client_header(a->req->if_match),
		.if_none_match = dl_client_header(a->req->if_none_match),
		.if_modified_since = dl_client_header(a->req->if_modified_since),
		.if_unmodified_since = dl_client_header(a->req->if_unmodified_since),
	};
	const struct s3_sink sink = { dl_on_head, dl_on_body, d };
	enum s3_outcome out = s3_get(d->key, &o, &sink, a->why, sizeof(a->why));
	int rc = 0;

	switch (out) {
	case S3_OK:
	case S3_CLIENT_GONE:
		break;
	case S3_CUT_SHORT:
		a->cut_short = 1;
		log_msg(LOGL_ERR, "download cut short after %llu of %llu bytes: %s",
			a->resp->bytes, d->expected, a->why);
		break;
	case S3_NOT_FOUND:
		if (strstr(a->why, "AccessDenied") != NULL || strstr(a->why, "403") != NULL)
			log_msg(LOGL_WARN, "S3 refused access to a key; answered 404: %s", a->why);
		rc = resp_error(a->resp, 404, "not_found", "no such file");
		break;
	case S3_TIMEOUT:
		log_msg(LOGL_ERR, "S3 timed out: %s", a->why);
		rc = resp_error(a->resp, 504, "upstream_timeout", "file storage did not answer in time");
		break;
	case S3_UPSTREAM:
		log_msg(LOGL_ERR, "S3 failed: %s", a->why);
		rc = resp_error(a->resp, 502, "upstream_error", "file storage unavailable");
		break;
	}
	return rc;
}

/* mode=url answers JSON (with the recipe's presignedUrl too); mode=redirect a 302. */
static int dl_presign(struct dl_ctx *d, int redirect)
{
	struct app_req *a = d->a;
	const char *name = dl_last_segment(d->key);
	long exp = a->c->presign_expires;
	buf_t url, cd, body;
	int rc;

	buf_init(&url, 65536);
	buf_init(&cd, 8192);
	buf_init(&body, 2 * 65536 + 128);
	rc = resp_disposition(&cd, d->disposition, name) ||
	     s3_presign(d->key, exp, time(NULL), buf_str(&cd), mime_for(name), &url, a->why,
			sizeof(a->why));
	if (rc != 0) {
		log_msg(LOGL_ERR, "presign failed: %s", a->why);
		rc = resp_error(a->resp, 502, "upstream_error", "file storage unavailable");
	} else if (redirect) {
		resp_header(a->resp, "Location", buf_str(&url));
		rc = buf_addstr(&body, "{\"url\":\"") || buf_add_json_str(&body, url.ptr, url.len) ||
		     buf_addstr(&body, "\"}\n");
		rc = rc ? resp_error(a->resp, 500, "internal", "cannot encode the answer")
			: resp_json(a->resp, 302, body.ptr, body.len);
	} else {
		rc = buf_addstr(&body, "{\"url\":\"") ||
		     buf_add_json_str(&body, url.ptr, url.len) ||
		     buf_printf(&body, "\",\"expires_in\":%ld,\"presignedUrl\":\"", exp) ||
		     buf_add_json_str(&body, url.ptr, url.len) || buf_addstr(&body, "\"}\n");
		rc = rc ? resp_error(a->resp, 500, "internal", "cannot encode the answer")
			: resp_json(a->resp, 200, body.ptr, body.len);
	}
	buf_free(&url);
	buf_free(&cd);
	buf_free(&body);
	return rc;
}

void download_audit_start(struct app_req *a)
{
	const char *key = req_param(a->req, "fn"), *mode = req_param(a->req, "mode");

	a->audit_key = key != NULL ? key : "";
	if (mode == NULL || mode[0] == '\0')
		a->audit_mode = a->req->is_head ? "head" : "relay";
	else
		a->audit_mode = strcmp(mode, "url") == 0 || strcmp(mode, "redirect") == 0 ? mode
											   : "invalid";
}

static int download_is_browser(const struct app_req *a)
{
	const char *acc = a->req->accept;

	/* a navigation asks for text/html; an API client asks for JSON or anything */
	return a->req->authorization == NULL && !a->req->is_head && acc != NULL &&
	       strstr(acc, "text/html") != NULL && strstr(acc, "application/json") == NULL;
}

int download_handle(struct app_req *a)
{
	struct jwt_identity id;
	struct rules_decision dec;
	struct dl_ctx d = { a, req_param(a->req, "fn"), "attachment", 0 };
	const char *mode = req_param(a->req, "mode"), *disp = req_param(a->req, "disposition");
	jwt_err e;

	/* every answer of this route is a download decision: audited */
	download_audit_start(a);
	e = app_authenticate(a, &id);
	/* a browser following a link signs in first; an API client gets 401 */
	if (e == JWT_E_MISSING && download_is_browser(a))
		return oidc_redirect_to_login(a, d.key);
	if (e != JWT_OK)
		return app_refuse(a, e);
	if (d.key == NULL || s3_key_ok(d.key) != 0)
		return resp_error(a->resp, 400, "bad_request", "fn must name a file");
	policy_decide(&id, d.key, &dec);
	snprintf(a->audit_decision, sizeof(a->audit_decision), "%s", dec.reason);
	/* the same answer whether the key exists or not */
	if (!dec.allowed)
		return resp_error(a->resp, 403, "forbidden", "not allowed");
	if (disp != NULL && strcmp(disp, "inline") != 0 && strcmp(disp, "attachment") != 0)
		return resp_error(a->resp, 400, "bad_request", "disposition must be inline or attachment");
	if (disp != NULL)
		d.disposition = disp;
	if (mode == NULL || mode[0] == '\0')
		return dl_relay(&d);
	if (strcmp(mode, "url") == 0 || strcmp(mode, "redirect") == 0)
		return dl_presign(&d, mode[0] == 'r');
	return resp_error(a->resp, 400, "bad_request", "mode must be url or redirect");
}
