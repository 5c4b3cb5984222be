/* base64url: RFC 4648 §10 vectors, strictness, bounds. */
#include "config.h"

#include "tap.h"
#include "util/b64url.h"

static void check_vector(const char *plain, const char *enc)
{
	unsigned char out[64];
	size_t n = 0;
	buf_t b;

	buf_init(&b, 64);
	ok(b64url_encode((const unsigned char *)plain, strlen(plain), &b) == 0 &&
		   strcmp(buf_str(&b), enc) == 0,
	   "encode '%s' -> '%s'", plain, enc);
	ok(b64url_decode(enc, strlen(enc), out, sizeof(out), &n) == 0 && n == strlen(plain) &&
		   memcmp(out, plain, n) == 0,
	   "decode '%s'", enc);
	buf_free(&b);
}

static int dec(const char *s, size_t cap)
{
	unsigned char out[64];
	size_t n = 0;

	return b64url_decode(s, strlen(s), out, cap, &n);
}

int main(void)
{
	unsigned char bin[3] = { 0xfb, 0xff, 0xfe }, out[8];
	size_t n = 0;
	buf_t b;

	check_vector("", "");
	check_vector("f", "Zg");
	check_vector("fo", "Zm8");
	check_vector("foo", "Zm9v");
	check_vector("foob", "Zm9vYg");
	check_vector("fooba", "Zm9vYmE");
	check_vector("foobar", "Zm9vYmFy");
	buf_init(&b, 16);
	ok(b64url_encode(bin, 3, &b) == 0 && strcmp(buf_str(&b), "-__-") == 0,
	   "url-safe alphabet on encode");
	ok(b64url_decode("-__-", 4, out, sizeof(out), &n) == 0 && n == 3 &&
		   memcmp(out, bin, 3) == 0, "url-safe alphabet on decode");
	buf_free(&b);
	ok(dec("Zg==", 64) != 0, "padding refused");
	ok(dec("+/8=", 64) != 0, "standard alphabet refused");
	ok(dec("Zm9v Yg", 64) != 0, "space refused");
	ok(dec("Z", 64) != 0, "impossible length refused");
	ok(dec("Zh", 64) != 0, "non-zero pad bits refused");
	ok(dec("Zm9vYmFy", 5) != 0, "output cap respected");
	ok(dec("Zm9vYmFy", 6) == 0, "exact output cap accepted");
	is_int(b64url_decoded_len(7), 5, "decoded length of 7 chars");
	return tap_done();
}
