#include "config.h"

#include "util/b64url.h"

static const char b64url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64url_value(unsigned char c)
{
	int v = -1;

	if (c >= 'A' && c <= 'Z')
		v = c - 'A';
	else if (c >= 'a' && c <= 'z')
		v = c - 'a' + 26;
	else if (c >= '0' && c <= '9')
		v = c - '0' + 52;
	else if (c == '-')
		v = 62;
	else if (c == '_')
		v = 63;
	return v;
}

size_t b64url_decoded_len(size_t n)
{
	return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
}

int b64url_decode(const char *in, size_t n, unsigned char *out, size_t outcap,
		  size_t *outlen)
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, rc = -1;

	if (n % 4 == 1 || b64url_decoded_len(n) > outcap)
		goto out;
	for (i = 0; i < n; i++) {
		int v = b64url_value((unsigned char)in[i]);

		if (v < 0)
			goto out;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	/* RFC 4648 §3.5: the pad bits of a canonical encoding are zero */
	if (acc != 0)
		goto out;
	*outlen = o;
	rc = 0;
out:
	return rc;
}

int b64url_encode(const unsigned char *in, size_t n, buf_t *out)
{
	unsigned long acc = 0;
	size_t i;
	int bits = 0, rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6 && rc == 0) {
			bits -= 6;
			rc = buf_addc(out, b64url_alphabet[(acc >> bits) & 63]);
		}
		acc &= (1UL << bits) - 1;
	}
	if (bits > 0 && rc == 0)
		rc = buf_addc(out, b64url_alphabet[(acc << (6 - bits)) & 63]);
	return rc;
}
