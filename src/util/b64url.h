/* b64url: base64url without padding (RFC 4648 §5, as JWS uses it, RFC 7515 §2). */
#ifndef S3GATE_B64URL_H
#define S3GATE_B64URL_H

#include <stddef.h>

#include "util/buf.h"

/* Bytes that decoding n characters can produce at most. */
size_t b64url_decoded_len(size_t n);
/* Strict decode: only the url-safe alphabet, no padding, no leftover bits.
 * Returns 0 and sets *outlen, or -1 when the input is not canonical
 * base64url or does not fit in outcap. */
int b64url_decode(const char *in, size_t n, unsigned char *out, size_t outcap,
		  size_t *outlen);
int b64url_encode(const unsigned char *in, size_t n, buf_t *out);

#endif
