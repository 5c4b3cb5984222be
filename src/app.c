#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/token.h"
#include "auth/oidc.h"
#include "download.h"
#include "http/page.h"
#include "listing.h"
#include "http/router.h"
#include "policy/audit.h"
#include "policy/policy.h"
#include "util/log.h"

#define APP_REALM "s3gate"

static double app_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int app_add_json_field(buf_t *b, const char *name, const char *v, int comma)
{
	int rc = buf_printf(b, "%s\"%s\":\"", comma ? "," : "", name);

	if (rc == 0)
		rc = buf_add_json_str(b, v, strlen(v));
	if (rc == 0)
		rc = buf_addc(b, '"');
	return rc;
}

int app_identity_json(const struct jwt_identity *id, buf_t *b)
{
	const char *g = id->groups;
	size_t i;
	int rc;

	rc = buf_addc(b, '{');
	rc = rc ? rc : app_add_json_field(b, "sub", id->sub, 0);
	rc = rc ? rc : app_add_json_field(b, "username", id->username, 1);
	rc = rc ? rc : app_add_json_field(b, "email", id->email, 1);
	rc = rc ? rc : buf_addstr(b, ",\"groups\":[");
	for (i = 0; i < id->n_groups && rc == 0; i++) {
		rc = buf_printf(b, "%s\"", i ? "," : "");
		rc = rc ? rc : buf_add_json_str(b, g, strlen(g));
		rc = rc ? rc : buf_addc(b, '"');
		g += strlen(g) + 1;
	}
	rc = rc ? rc : buf_addc(b, ']');
	rc = rc ? rc : app_add_json_field(b, "token_use", id->token_use, 1);
	rc = rc ? rc : buf_printf(b, ",\"exp\":%.0f}\n", id->exp);
	return rc;
}

/* RFC 6750 §3: a refused token names the error; a missing one does not. */
int app_refuse(struct app_req *a, jwt_err e)
{
	char www[256];
	int rc;

	snprintf(a->why, sizeof(a->why), "%s", jwt_strerror(e));
	if (e == JWT_E_KEYS_UNAVAILABLE || e == JWT_E_INTERNAL) {
		log_msg(LOGL_ERR, "token check failed: %s", jwt_strerror(e));
		rc = resp_error(a->resp, e == JWT_E_INTERNAL ? 500 : 503, "unavailable",
				"cannot check tokens right now");
	} else if (e == JWT_E_MISSING) {
		if (a->session_bad)
			snprintf(a->why, sizeof(a->why), "session cookie expired or altered");
		resp_header(a->resp, "WWW-Authenticate", "Bearer realm=\"" APP_REALM "\"");
		rc = resp_error(a->resp, 401, "missing_token", "no token");
	} else {
		snprintf(www, sizeof(www),
			 "Bearer realm=\"" APP_REALM "\", error=\"invalid_token\", "
			 "error_description=\"%s\"", jwt_strerror(e));
		resp_header(a->resp, "WWW-Authenticate", www);
		rc = resp_error(a->resp, 401, "invalid_token", jwt_strerror(e));
	}
	return rc;
}

/* The gate every protected route passes: a token in Authorization, else the
 * session cookie a sign-in set. */
jwt_err app_authenticate(struct app_req *a, struct jwt_identity *id)
{
	const char *tok = NULL;
	size_t len = 0;
	jwt_err e = token_from_header(a->req->authorization, &tok, &len);

	if (e == JWT_OK)
		e = token_verify(tok, len, a->now, id, NULL);
	else if (a->req->authorization == NULL) {
		int s = oidc_session_identity(a, id);

		if (s == 0)
			e = JWT_OK;
		a->session_bad = s == -2;
	}
	if (e == JWT_OK) {
		memcpy(a->sub, id->sub, sizeof(a->sub));
		memcpy(a->username, id->username, sizeof(a->username));
	}
	return e;
}

static int app_healthz(struct app_req *a)
{
	static const char ok[] = "{\"status\":\"ok\"}\n";

	return resp_json(a->resp, 200, ok, sizeof(ok) - 1);
}

static int app_whoami(struct app_req *a)
{
	struct jwt_identity id;
	buf_t b;
	jwt_err e = app_authenticate(a, &id);
	int rc;

	if (e != JWT_OK)
		return app_refuse(a, e);
	buf_init(&b, 65536);
	if (app_identity_json(&id, &b) == 0)
		rc = resp_json(a->resp, 200, b.ptr, b.len);
	else
		rc = resp_error(a->resp, 500, "internal", "cannot encode identity");
	buf_free(&b);
	return rc;
}

static int app_page_index(struct app_req *a)
{
	char loc[1100];

	/* /s3gate -> /s3gate/, so that the page's relative links resolve below it */
	if (a->req->bare_base) {
		snprintf(loc, sizeof(loc), "%s/", a->c->base_path);
		resp_header(a->resp, "Location", loc);
		return resp_error(a->resp, 301, "moved", "see Location");
	}
	return page_file(a->resp, a->c->htdocs_dir, "index.html", 0);
}

static int app_page_app_js(struct app_req *a)
{
	return page_file(a->resp, a->c->htdocs_dir, "app.js", 0);
}

static int app_page_callback_js(struct app_req *a)
{
	return page_file(a->resp, a->c->htdocs_dir, "callback.js", 1);
}

static int app_page_style(struct app_req *a)
{
	return page_file(a->resp, a->c->htdocs_dir, "style.css", 0);
}

static int app_page_example(struct app_req *a)
{
	return page_file(a->resp, a->c->htdocs_dir, "example.html", 0);
}

static const struct router_route app_routes[] = {
	{ "/", ROUTER_GET | ROUTER_HEAD, app_page_index },
	{ "/app.js", ROUTER_GET | ROUTER_HEAD, app_page_app_js },
	{ "/callback.js", ROUTER_GET | ROUTER_HEAD, app_page_callback_js },
	{ "/style.css", ROUTER_GET | ROUTER_HEAD, app_page_style },
	{ "/example.html", ROUTER_GET | ROUTER_HEAD, app_page_example },
	{ "/login", ROUTER_GET, oidc_login },
	{ "/callback", ROUTER_GET, oidc_callback },
	{ "/session", ROUTER_POST, oidc_session },
	{ "/logout", ROUTER_GET, oidc_logout },
	{ "/healthz", ROUTER_GET | ROUTER_HEAD, app_healthz },
	{ "/whoami", ROUTER_GET | ROUTER_HEAD, app_whoami },
	{ "/download", ROUTER_GET | ROUTER_HEAD, download_handle },
	{ "/list", ROUTER_GET, listing_handle },
};

/* 1 when origin is listed in cors_origins (exact match; never a wildcard). */
static int app_cors_allowed(const struct app_req *a, const char *origin)
{
	const char *p = a->c->cors_origins;
	size_t n = origin != NULL ? strlen(origin) : 0;
	int hit = 0;

	while (n > 0 && *p != '\0' && !hit) {
		size_t len;

		p += strspn(p, ", ");
		len = strcspn(p, ", ");
		hit = len == n && strncmp(p, origin, n) == 0;
		p += len;
	}
	return hit;
}

/* CORS for applications on other origins that send a token: no credentials
 * (cookies) are ever allowed cross-origin, so '*' is never needed either. */
static int app_cors(struct app_req *a)
{
	const char *origin = a->req->origin;
	int preflight = strcmp(a->req->method, "OPTIONS") == 0;

	if (origin == NULL || !app_cors_allowed(a, origin)) {
		if (preflight)
			resp_error(a->resp, 403, "forbidden", "origin not allowed");
		return preflight;
	}
	resp_header(a->resp, "Access-Control-Allow-Origin", origin);
	resp_header(a->resp, "Vary", "Origin");
	if (!preflight) {
		resp_header(a->resp, "Access-Control-Expose-Headers",
			    "Content-Disposition, Content-Length, Content-Range, ETag, Last-Modified");
		return 0;
	}
	resp_header(a->resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
	resp_header(a->resp, "Access-Control-Allow-Headers",
		    "Authorization, Range, If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since");
	resp_header(a->resp, "Access-Control-Max-Age", "600");
	resp_status(a->resp, 204);
	resp_finish(a->resp);
	return 1;
}

static int app_cors_route(const struct router_route *rt)
{
	return strcmp(rt->path, "/download") == 0 || strcmp(rt->path, "/whoami") == 0 ||
	       strcmp(rt->path, "/list") == 0;
}

static void app_dispatch(struct app_req *a)
{
	const struct router_route *rt =
		router_find(app_routes, sizeof(app_routes) / sizeof(app_routes[0]), a->req->route);
	char allow[64];

	if (rt != NULL && strcmp(rt->path, "/healthz") != 0 &&
	    !policy_client_allowed(a->req->remote_addr, a->req->forwarded_for, a->client)) {
		snprintf(a->why, sizeof(a->why), "client address not allowed");
		if (strcmp(rt->path, "/download") == 0)
			download_audit_start(a);
		resp_error(a->resp, 403, "forbidden", "not allowed from this address");
	} else if (rt == NULL) {
		resp_error(a->resp, 404, "not_found", "no such route");
	} else if (app_cors_route(rt) && a->req->origin != NULL && app_cors(a)) {
		/* a preflight, answered */
	} else if (!(router_method_bit(a->req->method) & rt->methods)) {
		router_allow(rt, allow, sizeof(allow));
		resp_header(a->resp, "Allow", allow);
		resp_error(a->resp, 405, "method_not_allowed", "method not allowed");
	} else {
		rt->handler(a);
	}
}

static void app_audit(const struct app_req *a, double duration)
{
	const struct audit_entry e = {
		.client = a->client,
		.sub = a->sub[0] != '\0' ? a->sub : NULL,
		.username = a->username[0] != '\0' ? a->username : NULL,
		.key = a->audit_key,
		.mode = a->audit_mode,
		.status = a->resp->status,
		.bytes = a->resp->bytes,
		.duration = duration,
		.decision = a->audit_decision[0] != '\0' ? a->audit_decision : a->why,
	};

	audit_write(&e);
}

void app_handle(const struct conf *c, req_getenv_fn get, void *ctx, const struct req_in *in,
		const struct resp_out *out)
{
	struct req req;
	struct resp resp;
	struct app_req a;
	char err[128];
	double start = app_now();
	int status = req_parse(&req, get, ctx, c->base_path, err, sizeof(err));

	memset(&a, 0, sizeof(a));
	snprintf(a.client, sizeof(a.client), "%s", req.remote_addr);
	a.c = c;
	a.req = &req;
	a.resp = &resp;
	a.now = start;
	resp_init(&resp, out, req.is_head);
	if (status == 0 && strcmp(req.method, "POST") == 0)
		status = req_parse_form(&req, get, ctx, in);
	if (status == 404)
		resp_error(&resp, 404, "not_found", "no such route");
	else if (status != 0)
		resp_error(&resp, status, "bad_request", status == 400 && strcmp(req.method, "POST") == 0
							 ? "malformed form body" : status == 413
							 ? "body too large" : status == 415
							 ? "expected a form body" : err);
	else
		app_dispatch(&a);
	resp_finish(&resp);
	if (a.audit_key != NULL)
		app_audit(&a, app_now() - start);
	log_msg(a.cut_short || resp.failed ? LOGL_WARN : LOGL_INFO,
		"%s \"%s %s\" %d %llu %.3fs sub=%s%s%s%s", a.client,
		req.method, req.route[0] != '\0' ? req.route : "-", resp.status, resp.bytes,
		app_now() - start, a.sub[0] != '\0' ? a.sub : "-", a.why[0] != '\0' ? " reason=" : "",
		a.why, resp.failed ? " (client gone)" : "");
	resp_free(&resp);
}
