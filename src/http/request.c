#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/request.h"

static int req_hex(unsigned char c)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v;
}

int req_pct_decode(const char *src, size_t n, char *dst, int form, size_t *outlen)
{
	size_t i, o = 0;
	int rc = -1;

	for (i = 0; i < n; i++) {
		char c = src[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				goto out;
			hi = req_hex((unsigned char)src[i + 1]);
			lo = req_hex((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto out;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && form) {
			c = ' ';
		}
		dst[o++] = c;
	}
	dst[o] = '\0';
	*outlen = o;
	rc = 0;
out:
	return rc;
}

const char *req_param(const struct req *r, const char *name)
{
	size_t i;
	const char *v = NULL;

	for (i = 0; i < r->n_params && v == NULL; i++)
		if (strcmp(r->params[i].name, name) == 0)
			v = r->params[i].value;
	return v;
}

/* Decodes one "name=value" pair into the arena at *used. */
static int req_add_param(struct req *r, const char *p, size_t n, size_t *used)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq != NULL ? (size_t)(eq - p) : n, vlen = eq != NULL ? n - nlen - 1 : 0;
	size_t got = 0;
	char *name = r->arena + *used, *value;
	int rc = -1;

	if (nlen == 0 || r->n_params == REQ_PARAMS_MAX ||
	    *used + nlen + vlen + 2 > sizeof(r->arena) ||
	    req_pct_decode(p, nlen, name, 1, &got) != 0)
		goto out;
	value = name + got + 1;
	if (req_pct_decode(eq != NULL ? eq + 1 : "", vlen, value, 1, &got) != 0)
		goto out;
	*used = (size_t)(value - r->arena) + got + 1;
	if (req_param(r, name) != NULL)
		goto out;
	r->params[r->n_params].name = name;
	r->params[r->n_params++].value = value;
	rc = 0;
out:
	return rc;
}

static int req_parse_query(struct req *r, const char *q, size_t max)
{
	size_t len = strlen(q);
	int rc = 0;

	if (len > max)
		rc = -1;
	while (rc == 0 && *q != '\0') {
		size_t n = strcspn(q, "&");

		if (n > 0)
			rc = req_add_param(r, q, n, &r->arena_used);
		q += n;
		if (*q == '&')
			q++;
	}
	return rc;
}

/* SCRIPT_NAME + PATH_INFO is the decoded request path under every server;
 * the route is what follows the configured base path. */
static int req_route(struct req *r, const char *sn, const char *pi, const char *base)
{
	char full[REQ_ROUTE_MAX + 1];
	size_t sl = strlen(sn), pl = strlen(pi), bl = strlen(base);
	int status = 0;

	if (sl + pl > REQ_ROUTE_MAX) {
		status = 414;
		goto out;
	}
	memcpy(full, sn, sl);
	memcpy(full + sl, pi, pl + 1);
	if (strncmp(full, base, bl) != 0 || (full[bl] != '\0' && full[bl] != '/')) {
		status = 404;
		goto out;
	}
	memcpy(r->route, full[bl] != '\0' ? full + bl : "/",
	       full[bl] != '\0' ? sl + pl - bl + 1 : 2);
	r->bare_base = bl > 0 && full[bl] == '\0';
out:
	return status;
}

static int req_method_ok(const char *m)
{
	size_t n = strlen(m);

	return n > 0 && n <= 16 && strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
}

static const char *req_get(req_getenv_fn get, void *ctx, const char *name)
{
	const char *v = get(ctx, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

int req_parse(struct req *r, req_getenv_fn get, void *ctx, const char *base_path,
	      char *err, size_t errlen)
{
	const char *sn = req_get(get, ctx, "SCRIPT_NAME"), *pi = req_get(get, ctx, "PATH_INFO");
	const char *q = req_get(get, ctx, "QUERY_STRING");
	int status = 400;

	memset(r, 0, sizeof(*r));
	r->method = req_get(get, ctx, "REQUEST_METHOD");
	r->remote_addr = req_get(get, ctx, "REMOTE_ADDR");
	if (r->remote_addr == NULL || strlen(r->remote_addr) > 64)
		r->remote_addr = "-";
	r->authorization = req_get(get, ctx, "HTTP_AUTHORIZATION");
	if (r->authorization == NULL) /* Apache rewrite-rule workaround */
		r->authorization = req_get(get, ctx, "REDIRECT_HTTP_AUTHORIZATION");
	r->accept = req_get(get, ctx, "HTTP_ACCEPT");
	r->origin = req_get(get, ctx, "HTTP_ORIGIN");
	r->cookie = req_get(get, ctx, "HTTP_COOKIE");
	r->host = req_get(get, ctx, "HTTP_HOST");
	r->range = req_get(get, ctx, "HTTP_RANGE");
	r->forwarded_for = req_get(get, ctx, "HTTP_X_FORWARDED_FOR");
	r->content_type = req_get(get, ctx, "CONTENT_TYPE");
	r->https = (req_get(get, ctx, "HTTPS") != NULL && strcasecmp(req_get(get, ctx, "HTTPS"), "on") == 0) ||
		   (req_get(get, ctx, "REQUEST_SCHEME") != NULL &&
		    strcmp(req_get(get, ctx, "REQUEST_SCHEME"), "https") == 0);
	r->if_match = req_get(get, ctx, "HTTP_IF_MATCH");
	r->if_none_match = req_get(get, ctx, "HTTP_IF_NONE_MATCH");
	r->if_modified_since = req_get(get, ctx, "HTTP_IF_MODIFIED_SINCE");
	r->if_unmodified_since = req_get(get, ctx, "HTTP_IF_UNMODIFIED_SINCE");
	if (r->method == NULL || !req_method_ok(r->method)) {
		r->method = "-";
		snprintf(err, errlen, "bad request method");
		goto out;
	}
	r->is_head = strcmp(r->method, "HEAD") == 0;
	status = req_route(r, sn != NULL ? sn : "", pi != NULL ? pi : "", base_path);
	/* Apache after a RewriteRule (shared hosting's .htaccess): SCRIPT_NAME is
	 * the program's own path; REDIRECT_URL is the decoded path the client
	 * asked for, set by Apache itself, never from a request header */
	if (status == 404 && req_get(get, ctx, "REDIRECT_URL") != NULL)
		status = req_route(r, req_get(get, ctx, "REDIRECT_URL"), "", base_path);
	if (status != 0) {
		snprintf(err, errlen, status == 404 ? "not found" : "path too long");
		goto out;
	}
	if (q != NULL && req_parse_query(r, q, REQ_QUERY_MAX) != 0) {
		status = 400;
		snprintf(err, errlen, "malformed query string");
		goto out;
	}
	status = 0;
out:
	return status;
}

int req_parse_form(struct req *r, req_getenv_fn get, void *ctx, const struct req_in *in)
{
	static char body[REQ_BODY_MAX + 1];
	const char *ct = req_get(get, ctx, "CONTENT_TYPE"), *cl = req_get(get, ctx, "CONTENT_LENGTH");
	char *end = NULL;
	unsigned long len = cl != NULL ? strtoul(cl, &end, 10) : 0;
	size_t got = 0, n = 1;
	int status = 0;

	if (ct == NULL || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		status = 415;
	else if (cl == NULL || *end != '\0' || cl[0] < '0' || cl[0] > '9')
		status = 400;
	else if (len > REQ_BODY_MAX)
		status = 413;
	while (status == 0 && got < len && n > 0) {
		n = in->read(in->ctx, body + got, len - got);
		got += n;
	}
	if (status == 0 && got != len)
		status = 400;
	if (status == 0) {
		body[got] = '\0';
		status = memchr(body, '\0', got) != NULL || req_parse_query(r, body, REQ_BODY_MAX) != 0
				 ? 400 : 0;
	}
	return status;
}
