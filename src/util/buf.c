#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util/buf.h"

void buf_init(buf_t *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static int buf_grow(buf_t *b, size_t need)
{
	size_t ncap;
	char *np;

	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	np = malloc(ncap);
	if (np == NULL)
		return -1;
	if (b->ptr != NULL) {
		memcpy(np, b->ptr, b->len + 1);
		OPENSSL_cleanse(b->ptr, b->cap);
		free(b->ptr);
	}
	b->ptr = np;
	b->cap = ncap;
	return 0;
}

int buf_add(buf_t *b, const void *p, size_t n)
{
	int rc = -1;

	if (n > b->max || b->len > b->max - n)
		goto out;
	if (buf_grow(b, b->len + n + 1) != 0)
		goto out;
	if (n > 0)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	rc = 0;
out:
	return rc;
}

int buf_addstr(buf_t *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(buf_t *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_printf(buf_t *b, const char *fmt, ...)
{
	char small[256];
	char *big = NULL;
	va_list ap;
	int n, rc = -1;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	if ((size_t)n < sizeof(small)) {
		rc = buf_add(b, small, (size_t)n);
		goto out;
	}
	if ((size_t)n > b->max)
		goto out;
	big = malloc((size_t)n + 1);
	if (big == NULL)
		goto out;
	va_start(ap, fmt);
	n = vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (n >= 0)
		rc = buf_add(b, big, (size_t)n);
out:
	free(big);
	return rc;
}

int buf_add_json_str(buf_t *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			char two[2] = { '\\', (char)c };
			rc = buf_add(b, two, 2);
		} else if (c < 0x20 || c == 0x7f) {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			rc = buf_add(b, esc, 6);
		} else {
			rc = buf_add(b, &s[i], 1);
		}
	}
	return rc;
}

const char *buf_str(const buf_t *b)
{
	return b->ptr != NULL ? b->ptr : "";
}

void buf_reset(buf_t *b)
{
	if (b->ptr != NULL) {
		OPENSSL_cleanse(b->ptr, b->len);
		b->ptr[0] = '\0';
	}
	b->len = 0;
}

void buf_free(buf_t *b)
{
	if (b->ptr != NULL) {
		OPENSSL_cleanse(b->ptr, b->cap);
		free(b->ptr);
	}
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}
