/* json: a strict RFC 8259 syntax check run before cJSON sees untrusted text.
 * cJSON is lenient where a token check must not be: it takes raw control
 * characters in strings, leading zeros, "1." and cuts strings at \u0000. */
#ifndef S3GATE_JSON_H
#define S3GATE_JSON_H

#include <stddef.h>

#define JSON_DEPTH_MAX 32

/* 0 when p[0..n) is one JSON text (RFC 8259 §2) in valid UTF-8 with no
 * \u0000 and no unpaired surrogate escape, nested at most JSON_DEPTH_MAX. */
int json_strict_check(const char *p, size_t n);

#endif
