/* s3: GetObject relayed as it arrives, presigned GET URLs, and S3's error
 * answers mapped to what a client may be told. */
#ifndef S3GATE_S3_H
#define S3GATE_S3_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "util/buf.h"

#define S3_KEY_MAX 1024

/* What S3 answered, as far as the client may see it. */
struct s3_head {
	long status;
	char content_length[24];
	char content_range[96];
	char content_type[256];
	char etag[256];
	char last_modified[64];
	char accept_ranges[32];
};

/* Conditional and range headers passed through from the client (NULL: none). */
struct s3_get_opts {
	int head_only;
	const char *range;
	const char *if_match;
	const char *if_none_match;
	const char *if_modified_since;
	const char *if_unmodified_since;
};

struct s3_sink {
	/* Once, before any body byte: returns 0 to go on, -1 to stop. */
	int (*on_head)(void *ud, const struct s3_head *h);
	/* Each chunk as it arrives; -1 stops the transfer (client gone). */
	int (*on_body)(void *ud, const char *p, size_t n);
	void *ud;
};

enum s3_outcome {
	S3_OK,           /* relayed (on_head was called; the body may still be cut short) */
	S3_NOT_FOUND,    /* NoSuchKey, or AccessDenied for the key */
	S3_UPSTREAM,     /* credentials, signature, S3 error: 502 */
	S3_TIMEOUT,      /* 504 */
	S3_CUT_SHORT,    /* failed after the head was sent */
	S3_CLIENT_GONE,  /* the client stopped reading */
};

int s3_init(const struct conf *c, char *err, size_t errlen);
void s3_cleanup(void);
/* 0 when key may be asked for: 1..1024 bytes of UTF-8 without control
 * characters, leading '/', or empty, "." or ".." segments. */
int s3_key_ok(const char *key);
enum s3_outcome s3_get(const char *key, const struct s3_get_opts *o, const struct s3_sink *sink,
		       char *why, size_t whylen);
struct s3_object {
	const char *key; /* without key_prefix */
	const char *size;
	const char *last_modified;
	const char *etag;
};

struct s3_list_page {
	int (*on_object)(void *ud, const struct s3_object *o); /* -1 stops */
	void *ud;
	char next[1100]; /* NextContinuationToken, "" on the last page */
};

/* One ListObjectsV2 page under key_prefix + prefix, at most max_keys keys,
 * parsed as it arrives. */
enum s3_outcome s3_list(const char *prefix, const char *continuation, long max_keys,
			struct s3_list_page *page, char *why, size_t whylen);

/* A presigned GET URL, optionally with response-* overrides (NULL: none). */
int s3_presign(const char *key, long expires, time_t now, const char *disposition,
	       const char *content_type, buf_t *url, char *why, size_t whylen);

#endif
