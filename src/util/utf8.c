#include "config.h"

#include "util/utf8.h"

size_t utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xbf;
	size_t n = 0, i;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf) {
		n = 2;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3;
		lo = b == 0xe0 ? 0xa0 : 0x80;
		hi = b == 0xed ? 0x9f : 0xbf;
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4;
		lo = b == 0xf0 ? 0x90 : 0x80;
		hi = b == 0xf4 ? 0x8f : 0xbf;
	}
	if (n == 0 || avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 1;

	while (i < n && k > 0) {
		k = utf8_seq(p + i, n - i);
		i += k;
	}
	return i == n;
}
