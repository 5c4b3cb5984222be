#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http/response.h"

static const struct {
	int status;
	const char *reason;
} resp_reasons[] = {
	{ 200, "OK" }, { 204, "No Content" }, { 206, "Partial Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" }, { 304, "Not Modified" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 412, "Precondition Failed" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
};

const char *resp_reason(int status)
{
	size_t i;
	const char *r = "Unknown";

	for (i = 0; i < sizeof(resp_reasons) / sizeof(resp_reasons[0]); i++)
		if (resp_reasons[i].status == status)
			r = resp_reasons[i].reason;
	return r;
}

void resp_init(struct resp *r, const struct resp_out *out, int head_only)
{
	memset(r, 0, sizeof(*r));
	r->out = out;
	r->status = 200;
	r->head_only = head_only;
	buf_init(&r->head, RESP_HEAD_MAX);
}

void resp_free(struct resp *r)
{
	buf_free(&r->head);
}

void resp_status(struct resp *r, int status)
{
	r->status = status;
}

/* RFC 9110 §5.1 token characters */
static int resp_name_ok(const char *name)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t n = strlen(name);

	return n > 0 && strspn(name, tchar) == n;
}

/* RFC 9110 §5.5: visible characters, space and tab; obs-text allowed. */
static int resp_value_ok(const char *v)
{
	int ok = 1;

	for (; *v != '\0' && ok; v++) {
		unsigned char c = (unsigned char)*v;

		ok = c >= 0x20 ? c != 0x7f : c == '\t';
	}
	return ok;
}

int resp_header(struct resp *r, const char *name, const char *value)
{
	int rc = -1;

	if (r->started || !resp_name_ok(name) || !resp_value_ok(value))
		goto out;
	rc = buf_printf(&r->head, "%s: %s\r\n", name, value);
out:
	return rc;
}

static int resp_write(struct resp *r, const char *p, size_t n)
{
	if (!r->failed && n > 0 && r->out->write(r->out->ctx, p, n) != 0)
		r->failed = 1;
	return r->failed ? -1 : 0;
}

static int resp_start(struct resp *r)
{
	char status[64];
	int n;

	if (r->started)
		return r->failed ? -1 : 0;
	r->started = 1;
	n = snprintf(status, sizeof(status), "Status: %d %s\r\n", r->status,
		     resp_reason(r->status));
	if (resp_write(r, status, (size_t)n) == 0 && resp_write(r, r->head.ptr, r->head.len) == 0)
		resp_write(r, "\r\n", 2);
	return r->failed ? -1 : 0;
}

int resp_body(struct resp *r, const void *p, size_t n)
{
	int rc = resp_start(r);

	if (rc == 0 && !r->head_only) {
		rc = resp_write(r, p, n);
		if (rc == 0)
			r->bytes += n;
	}
	return rc;
}

int resp_finish(struct resp *r)
{
	return resp_start(r);
}

int resp_json(struct resp *r, int status, const char *json, size_t n)
{
	char len[32];

	resp_status(r, status);
	snprintf(len, sizeof(len), "%zu", n);
	resp_header(r, "Content-Type", "application/json");
	resp_header(r, "Content-Length", len);
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	return resp_body(r, json, n);
}

int resp_error(struct resp *r, int status, const char *code, const char *message)
{
	buf_t b;
	int rc = -1;

	buf_init(&b, 1024);
	if (buf_addstr(&b, "{\"error\":\"") == 0 &&
	    buf_add_json_str(&b, code, strlen(code)) == 0 &&
	    buf_addstr(&b, "\",\"message\":\"") == 0 &&
	    buf_add_json_str(&b, message, strlen(message)) == 0 && buf_addstr(&b, "\"}\n") == 0)
		rc = resp_json(r, status, b.ptr, b.len);
	buf_free(&b);
	return rc;
}

/* RFC 5987 §3.2.1 attr-char */
static int resp_attr_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

int resp_disposition(buf_t *out, const char *type, const char *name)
{
	const unsigned char *p;
	int rc = buf_printf(out, "%s; filename=\"", type);

	/* one '_' per character: UTF-8 continuation bytes add none */
	for (p = (const unsigned char *)name; *p != '\0' && rc == 0; p++)
		if ((*p & 0xc0) != 0x80)
			rc = buf_addc(out, *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' ? (char)*p
											: '_');
	rc = rc || buf_addstr(out, "\"; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p != '\0' && rc == 0; p++)
		rc = resp_attr_char(*p) ? buf_addc(out, (char)*p)
					: buf_printf(out, "%%%02X", (unsigned)*p);
	return rc;
}
