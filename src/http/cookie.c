#include "config.h"

#include <string.h>

#include "http/cookie.h"

int cookie_get(const char *header, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	int found = 0, rc = -1;

	while (header != NULL && *header != '\0') {
		const char *p = header + strspn(header, " \t;");
		size_t len = strcspn(p, ";");

		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t vl = len - nl - 1;

			while (vl > 0 && (p[nl + vl] == ' ' || p[nl + vl] == '\t'))
				vl--;
			if (found++ || vl >= cap)
				return -1; /* twice (planted by a sibling path?) or too long */
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			rc = 0;
		}
		header = p + len;
	}
	return rc;
}

/* RFC 6265 §4.1.1 cookie-octet */
static int cookie_octets_ok(const char *v)
{
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
			return 0;
	}
	return 1;
}

int cookie_set(buf_t *out, const char *name, const char *value, const char *path,
	       long max_age, int secure)
{
	if (!cookie_octets_ok(value) || !cookie_octets_ok(path))
		return -1;
	return buf_printf(out, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name, value,
			  path, max_age, secure ? "; Secure" : "");
}
