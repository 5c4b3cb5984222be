/* request: the CGI variables of one request (RFC 3875 §4.1), parsed once into
 * a bounded structure that handlers read. */
#ifndef S3GATE_REQUEST_H
#define S3GATE_REQUEST_H

#include <stddef.h>

#define REQ_ROUTE_MAX 1024
#define REQ_QUERY_MAX 8192
#define REQ_PARAMS_MAX 32
#define REQ_HEADER_MAX 16384
#define REQ_BODY_MAX 32768

/* Where the CGI variables come from: getenv for CGI, FCGX_GetParam for FastCGI. */
typedef const char *(*req_getenv_fn)(void *ctx, const char *name);

struct req_param {
	const char *name;
	const char *value;
};

struct req {
	const char *method;
	char route[REQ_ROUTE_MAX + 1];
	struct req_param params[REQ_PARAMS_MAX];
	size_t n_params;
	char arena[REQ_QUERY_MAX + REQ_BODY_MAX + REQ_PARAMS_MAX * 2]; /* decoded names, values */
	size_t arena_used;
	const char *authorization;
	const char *accept;
	const char *origin;
	const char *cookie;
	const char *host;
	const char *range;
	const char *if_match;
	const char *if_none_match;
	const char *if_modified_since;
	const char *if_unmodified_since;
	const char *remote_addr;
	const char *forwarded_for; /* X-Forwarded-For */
	int is_head;
	int bare_base; /* the path is base_path itself, without the trailing '/' */
	int https;
	const char *content_type;
};

/* Fills r; returns 0, or an HTTP status (400, 404) with a reason in err. */
int req_parse(struct req *r, req_getenv_fn get, void *ctx, const char *base_path,
	      char *err, size_t errlen);
const char *req_param(const struct req *r, const char *name);
/* The request body's reader: FCGX_GetStr for FastCGI, fread for CGI. */
struct req_in {
	size_t (*read)(void *ctx, char *p, size_t n);
	void *ctx;
};
/* Adds the parameters of a form-encoded POST body (CONTENT_LENGTH bytes, at
 * most REQ_BODY_MAX); returns 0 or an HTTP status (400, 413, 415). */
int req_parse_form(struct req *r, req_getenv_fn get, void *ctx, const struct req_in *in);
/* RFC 3986 §2.1 percent-decoding ('+' as space when form is set); -1 on a bad
 * escape or a decoded NUL. dst must hold n + 1 bytes. */
int req_pct_decode(const char *src, size_t n, char *dst, int form, size_t *outlen);

#endif
