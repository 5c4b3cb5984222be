/* utf8: UTF-8 validation (RFC 3629 §4). */
#ifndef S3GATE_UTF8_H
#define S3GATE_UTF8_H

#include <stddef.h>

/* Length of the valid sequence at p (avail bytes there), 0 when invalid:
 * overlongs, surrogates and values past U+10FFFF are invalid. */
size_t utf8_seq(const unsigned char *p, size_t avail);
/* 1 when all n bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t n);

#endif
