#include "config.h"

#include <string.h>

#include "util/json.h"
#include "util/utf8.h"

struct json_cur {
	const unsigned char *p, *end;
	int depth;
};

static int json_value(struct json_cur *c);

static void json_ws(struct json_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int json_lit(struct json_cur *c, const char *lit)
{
	size_t n = strlen(lit);
	int rc = -1;

	if ((size_t)(c->end - c->p) >= n && memcmp(c->p, lit, n) == 0) {
		c->p += n;
		rc = 0;
	}
	return rc;
}

static int json_digits(struct json_cur *c)
{
	const unsigned char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s ? 0 : -1;
}

/* RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int json_number(struct json_cur *c)
{
	int rc = -1;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (json_digits(c) != 0)
		goto out;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (json_digits(c) != 0)
			goto out;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (json_digits(c) != 0)
			goto out;
	}
	rc = 0;
out:
	return rc;
}

static long json_hex4(struct json_cur *c)
{
	long v = 0;
	int i;

	if (c->end - c->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned char h = *c->p++;

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= h - '0';
		else if (h >= 'a' && h <= 'f')
			v |= h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			v |= h - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* After the backslash; a high surrogate must be followed by a low one. */
static int json_escape(struct json_cur *c)
{
	long u, lo;
	int rc = -1;

	if (c->p >= c->end)
		goto out;
	if (strchr("\"\\/bfnrt", *c->p) != NULL && *c->p != '\0') {
		c->p++;
		rc = 0;
		goto out;
	}
	if (*c->p++ != 'u' || (u = json_hex4(c)) <= 0 || (u >= 0xdc00 && u <= 0xdfff))
		goto out;
	if (u >= 0xd800 && u <= 0xdbff) {
		if (json_lit(c, "\\u") != 0 || (lo = json_hex4(c)) < 0xdc00 || lo > 0xdfff)
			goto out;
	}
	rc = 0;
out:
	return rc;
}

static int json_utf8(struct json_cur *c)
{
	size_t n = utf8_seq(c->p, (size_t)(c->end - c->p));

	c->p += n;
	return n > 0 ? 0 : -1;
}

static int json_string(struct json_cur *c)
{
	int rc = -1;

	c->p++; /* the opening quote */
	while (c->p < c->end && *c->p != '"') {
		if (*c->p < 0x20)
			goto out;
		if (*c->p == '\\') {
			c->p++;
			if (json_escape(c) != 0)
				goto out;
		} else if (*c->p >= 0x80) {
			if (json_utf8(c) != 0)
				goto out;
		} else {
			c->p++;
		}
	}
	if (c->p < c->end) {
		c->p++;
		rc = 0;
	}
out:
	return rc;
}

/* Members or elements after the opening bracket, up to the closing one. */
static int json_container(struct json_cur *c, int object)
{
	unsigned char close = object ? '}' : ']';
	int rc = -1, first = 1;

	if (++c->depth > JSON_DEPTH_MAX)
		goto out;
	c->p++;
	json_ws(c);
	while (c->p < c->end && *c->p != close) {
		if (!first && *c->p++ != ',')
			goto out;
		json_ws(c);
		if (object) {
			if (c->p >= c->end || *c->p != '"' || json_string(c) != 0)
				goto out;
			json_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				goto out;
		}
		if (json_value(c) != 0)
			goto out;
		first = 0;
	}
	if (c->p < c->end) {
		c->p++;
		c->depth--;
		rc = 0;
	}
out:
	return rc;
}

static int json_value(struct json_cur *c)
{
	int rc = -1;

	json_ws(c);
	if (c->p >= c->end)
		goto out;
	switch (*c->p) {
	case '{': rc = json_container(c, 1); break;
	case '[': rc = json_container(c, 0); break;
	case '"': rc = json_string(c); break;
	case 't': rc = json_lit(c, "true"); break;
	case 'f': rc = json_lit(c, "false"); break;
	case 'n': rc = json_lit(c, "null"); break;
	default: rc = json_number(c); break;
	}
	json_ws(c);
out:
	return rc;
}

int json_strict_check(const char *p, size_t n)
{
	struct json_cur c = { (const unsigned char *)p, (const unsigned char *)p + n, 0 };

	return json_value(&c) == 0 && c.p == c.end ? 0 : -1;
}
