/* Requests (routes under each server's CGI variables, query decoding) and the
 * response writer (no header splitting). */
#include "config.h"

#include <stdlib.h>

#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "tap.h"

struct env {
	const char *sn, *pi, *q, *method, *redirect_url;
};

static const char *env_get(void *ctx, const char *name)
{
	const struct env *e = ctx;
	const char *v = NULL;

	if (strcmp(name, "SCRIPT_NAME") == 0)
		v = e->sn;
	else if (strcmp(name, "PATH_INFO") == 0)
		v = e->pi;
	else if (strcmp(name, "QUERY_STRING") == 0)
		v = e->q;
	else if (strcmp(name, "REQUEST_METHOD") == 0)
		v = e->method;
	else if (strcmp(name, "REDIRECT_URL") == 0)
		v = e->redirect_url;
	return v;
}

static int parse(struct req *r, const char *sn, const char *pi, const char *q, const char *base)
{
	struct env e = { sn, pi, q, "GET", NULL };
	char err[128];

	return req_parse(r, env_get, &e, base, err, sizeof(err));
}

static void test_routes(void)
{
	static struct req r;

	ok(parse(&r, "/s3gate", "/whoami", NULL, "/s3gate") == 0 &&
		   strcmp(r.route, "/whoami") == 0, "lighttpd prefix mount: %s", r.route);
	ok(parse(&r, "/s3gate/whoami", NULL, NULL, "/s3gate") == 0 &&
		   strcmp(r.route, "/whoami") == 0, "SCRIPT_NAME only: %s", r.route);
	ok(parse(&r, "/cgi-bin/s3gate.cgi", "/healthz", NULL, "/cgi-bin/s3gate.cgi") == 0 &&
		   strcmp(r.route, "/healthz") == 0, "Apache ScriptAlias with PATH_INFO: %s", r.route);
	ok(parse(&r, "/whoami", NULL, NULL, "") == 0 && strcmp(r.route, "/whoami") == 0,
	   "root mount: %s", r.route);
	ok(parse(&r, "/s3gate", NULL, NULL, "/s3gate") == 0 && strcmp(r.route, "/") == 0,
	   "the mount point itself is /");
	is_int(parse(&r, "/s3gatex", "/whoami", NULL, "/s3gate"), 404, "other prefix is 404");
	is_int(parse(&r, "/other", NULL, NULL, "/s3gate"), 404, "outside the base path is 404");
	{
		/* shared hosting: /files/whoami rewritten to cgi-bin/s3gate.cgi/whoami */
		struct env e = { "/cgi-bin/s3gate.cgi", "/whoami", NULL, "GET", "/files/whoami" };
		char err[64];

		ok(req_parse(&r, env_get, &e, "/files", err, sizeof(err)) == 0 &&
			   strcmp(r.route, "/whoami") == 0, "Apache rewrite: REDIRECT_URL gives the route");
		e.redirect_url = "/elsewhere/whoami";
		is_int(req_parse(&r, env_get, &e, "/files", err, sizeof(err)), 404,
		       "REDIRECT_URL outside the base path is 404 too");
	}
}

static void test_query(void)
{
	static struct req r;

	ok(parse(&r, "/x", NULL, "fn=a%20b%2Bc+d&mode=url&empty=&flag", "") == 0,
	   "query parsed");
	is_str(req_param(&r, "fn"), "a b+c d", "percent and plus decoded");
	is_str(req_param(&r, "mode"), "url", "second parameter");
	is_str(req_param(&r, "empty"), "", "empty value");
	is_str(req_param(&r, "flag"), "", "name without value");
	ok(req_param(&r, "nope") == NULL, "absent parameter");
	ok(parse(&r, "/x", NULL, "fn=%E6%97%A5%E6%9C%AC.pdf", "") == 0 &&
		   strcmp(req_param(&r, "fn"), "\xe6\x97\xa5\xe6\x9c\xac.pdf") == 0, "UTF-8 decoded");
	is_int(parse(&r, "/x", NULL, "fn=%zz", ""), 400, "bad escape is 400");
	is_int(parse(&r, "/x", NULL, "fn=%4", ""), 400, "truncated escape is 400");
	is_int(parse(&r, "/x", NULL, "fn=a%00b", ""), 400, "NUL is 400");
	is_int(parse(&r, "/x", NULL, "fn=a&fn=b", ""), 400, "repeated parameter is 400");
	is_int(parse(&r, "/x", NULL, "=a", ""), 400, "empty name is 400");
}

static void test_limits(void)
{
	static struct req r;
	char *q = malloc(REQ_QUERY_MAX + 8), *p = malloc(REQ_ROUTE_MAX + 8);
	struct env e = { "/x", NULL, NULL, "G ET", NULL };
	char err[64];
	int i;

	memset(q, 'a', REQ_QUERY_MAX + 7);
	q[0] = 'f', q[1] = '=', q[REQ_QUERY_MAX + 7] = '\0';
	is_int(parse(&r, "/x", NULL, q, ""), 400, "over-long query is 400");
	memset(p, 'a', REQ_ROUTE_MAX + 7);
	p[0] = '/', p[REQ_ROUTE_MAX + 7] = '\0';
	is_int(parse(&r, p, NULL, NULL, ""), 414, "over-long path is 414");
	q[0] = '\0';
	for (i = 0; i <= REQ_PARAMS_MAX; i++)
		snprintf(q + strlen(q), 16, "p%d=1&", i);
	is_int(parse(&r, "/x", NULL, q, ""), 400, "too many parameters is 400");
	is_int(req_parse(&r, env_get, &e, "", err, sizeof(err)), 400, "bad method is 400");
	free(q);
	free(p);
}

static buf_t sink;

static int sink_write(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return buf_add(&sink, p, n);
}

static void test_response(void)
{
	const struct resp_out out = { sink_write, NULL };
	struct resp r;

	buf_init(&sink, 1 << 16);
	resp_init(&r, &out, 0);
	ok(resp_header(&r, "X-Test", "a\r\nSet-Cookie: x=1") != 0, "CRLF in a value refused");
	ok(resp_header(&r, "X-Test", "a\nb") != 0, "LF in a value refused");
	ok(resp_header(&r, "X-Test", "a\rb") != 0, "CR in a value refused");
	ok(resp_header(&r, "Bad Name", "v") != 0, "space in a name refused");
	ok(resp_header(&r, "X-Test", "fine\tvalue") == 0, "tab allowed");
	resp_error(&r, 404, "not_found", "no \"such\" route");
	resp_finish(&r);
	ok(strstr(buf_str(&sink), "Status: 404 Not Found\r\n") == buf_str(&sink), "status first");
	ok(strstr(buf_str(&sink), "Set-Cookie") == NULL, "nothing injected");
	ok(strstr(buf_str(&sink), "\r\n\r\n{\"error\":\"not_found\",\"message\":\"no \\\"such\\\" route\"}") != NULL,
	   "JSON body escaped");
	ok(strstr(buf_str(&sink), "Content-Length: 52\r\n") != NULL, "content length");
	resp_free(&r);
	buf_reset(&sink);
	resp_init(&r, &out, 1);
	resp_json(&r, 200, "{}", 2);
	resp_finish(&r);
	ok(strstr(buf_str(&sink), "\r\n\r\n") + 4 == buf_str(&sink) + sink.len, "HEAD has no body");
	is_int(r.bytes, 0, "HEAD counts no body bytes");
	resp_free(&r);
	buf_free(&sink);
}

static void test_router(void)
{
	static const struct router_route t[] = { { "/a", ROUTER_GET | ROUTER_HEAD, NULL },
						 { "/b", ROUTER_POST, NULL } };
	char allow[64];

	ok(router_find(t, 2, "/b") == &t[1], "route found");
	ok(router_find(t, 2, "/c") == NULL, "unknown route");
	router_allow(&t[0], allow, sizeof(allow));
	is_str(allow, "GET, HEAD", "Allow list");
	ok(router_method_bit("POST") == ROUTER_POST && router_method_bit("PUT") == 0, "method bits");
}

int main(void)
{
	test_routes();
	test_query();
	test_limits();
	test_response();
	test_router();
	return tap_done();
}
