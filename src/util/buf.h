/* buf: a growable byte buffer with a hard cap, always NUL-terminated. */
#ifndef S3GATE_BUF_H
#define S3GATE_BUF_H

#include <stddef.h>

typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max; /* largest len this buffer may ever hold */
} buf_t;

void buf_init(buf_t *b, size_t max);
/* Append; -1 (buffer unchanged) when the cap would be passed or memory ran out. */
int buf_add(buf_t *b, const void *p, size_t n);
int buf_addstr(buf_t *b, const char *s);
int buf_addc(buf_t *b, char c);
int buf_printf(buf_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s as the inside of a JSON string literal. */
int buf_add_json_str(buf_t *b, const char *s, size_t n);
const char *buf_str(const buf_t *b);
void buf_reset(buf_t *b);
/* Wipe and release; safe on a zeroed or initialised buffer. */
void buf_free(buf_t *b);

#endif
