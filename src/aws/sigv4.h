/* sigv4: AWS Signature Version 4 for S3, header and query (presigned) forms,
 * from the AWS specification ("Signature Version 4 signing process",
 * "Authenticating Requests: Using Query Parameters"). */
#ifndef S3GATE_SIGV4_H
#define S3GATE_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "util/buf.h"

#define SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SIGV4_UNSIGNED "UNSIGNED-PAYLOAD"
#define SIGV4_KV_MAX 16

struct sigv4_creds {
	const char *access_key;
	const char *secret_key;
	const char *session_token; /* NULL without temporary credentials */
};

struct sigv4_kv {
	const char *name;
	const char *value;
};

struct sigv4_req {
	const char *method;
	const char *host;  /* the Host header: host or host:port */
	const char *path;  /* decoded; each segment is encoded once when signed */
	struct sigv4_kv query[SIGV4_KV_MAX];   /* decoded names and values */
	size_t n_query;
	struct sigv4_kv headers[SIGV4_KV_MAX]; /* more headers to sign, lower-case names */
	size_t n_headers;
	const char *region;
	const char *service;
	time_t when;
};

/* RFC 3986 unreserved characters bare, everything else %XX in upper case;
 * '/' kept when keep_slash (S3 paths). */
int sigv4_uri_encode(const char *s, size_t n, int keep_slash, buf_t *out);
/* Signs in the Authorization header: fills authorization, amz_date and
 * content_sha256 (the empty payload's hash, a GET has no body). The caller
 * sends host, x-amz-date, x-amz-content-sha256, x-amz-security-token (with a
 * session token) and the extra headers, exactly as given. */
int sigv4_sign(const struct sigv4_req *r, const struct sigv4_creds *c, buf_t *authorization,
	       char amz_date[17]);
/* A presigned URL query string (without '?'), X-Amz-Signature last. */
int sigv4_presign(const struct sigv4_req *r, const struct sigv4_creds *c, long expires,
		  buf_t *query);
/* The encoded request target: path and, when present, the canonical query. */
int sigv4_target(const struct sigv4_req *r, buf_t *out);
#endif
