/* cookie: reading one cookie from a Cookie header (RFC 6265 §5.4) and
 * writing Set-Cookie values with the attributes s3gate always wants. */
#ifndef S3GATE_COOKIE_H
#define S3GATE_COOKIE_H

#include <stddef.h>

#include "util/buf.h"

#define COOKIE_VALUE_MAX 4096

/* Copies the value of cookie name into out (NUL-terminated); -1 when absent,
 * repeated (ambiguous) or too long. */
int cookie_get(const char *header, const char *name, char *out, size_t cap);
/* name=value; Path=path; Max-Age=max_age; HttpOnly; SameSite=Lax[; Secure].
 * max_age 0 clears the cookie. -1 when value holds characters a cookie
 * cannot carry. */
int cookie_set(buf_t *out, const char *name, const char *value, const char *path,
	       long max_age, int secure);

#endif
