/* response: status, headers and body through one writer that refuses header
 * values able to split a response (CR, LF, other controls). */
#ifndef S3GATE_RESPONSE_H
#define S3GATE_RESPONSE_H

#include <stddef.h>

#include "util/buf.h"

#define RESP_HEAD_MAX 8192

/* The output stream: FastCGI's FCGX_Stream or CGI's stdout. */
struct resp_out {
	int (*write)(void *ctx, const char *p, size_t n); /* 0 or -1 */
	void *ctx;
};

struct resp {
	const struct resp_out *out;
	int status;
	buf_t head;
	int started;
	int failed;
	int head_only;
	unsigned long long bytes; /* body bytes written */
};

void resp_init(struct resp *r, const struct resp_out *out, int head_only);
void resp_free(struct resp *r);
void resp_status(struct resp *r, int status);
/* -1 (and nothing added) when name or value could break the header block. */
int resp_header(struct resp *r, const char *name, const char *value);
int resp_body(struct resp *r, const void *p, size_t n);
/* Sends the headers if no body was written. */
int resp_finish(struct resp *r);
/* A complete JSON response: status, security headers, body. */
int resp_json(struct resp *r, int status, const char *json, size_t n);
/* {"error":code,"message":message} with the given status. */
int resp_error(struct resp *r, int status, const char *code, const char *message);
const char *resp_reason(int status);
/* RFC 6266 Content-Disposition for a file name: an ASCII-safe filename=
 * (quotes, backslashes, controls and non-ASCII replaced by '_') and
 * filename*=UTF-8''... (RFC 5987 §3.2.1). type is "attachment" or "inline". */
int resp_disposition(buf_t *out, const char *type, const char *name);

#endif
