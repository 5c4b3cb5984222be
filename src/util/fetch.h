/* fetch: bounded HTTP(S) GETs with libcurl, one handle per process for reuse. */
#ifndef S3GATE_FETCH_H
#define S3GATE_FETCH_H

#include <stddef.h>

#include "util/buf.h"

struct fetch_opts {
	long timeout;         /* seconds, whole transfer */
	long connect_timeout; /* seconds */
};

int fetch_global_init(void);
void fetch_global_cleanup(void);
/* GET url into body (capped at body->max). Returns 0 with *status set when an
 * HTTP answer arrived; -1 with a short reason in err otherwise. */
int fetch_get(const char *url, const struct fetch_opts *o, buf_t *body, long *status,
	      char *err, size_t errlen);
/* The same with a method ("GET", "PUT", "POST"), extra request header lines
 * ("Name: value", NULL-terminated; NULL for none) and a request body (NULL
 * for none). */
int fetch_request(const char *method, const char *url, const char *const *headers,
		  const char *send, const struct fetch_opts *o, buf_t *body, long *status,
		  char *err, size_t errlen);

#endif
