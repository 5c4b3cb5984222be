#include "config.h"

#include <string.h>

#include "http/router.h"

static const char *const router_names[] = { "GET", "HEAD", "POST", "OPTIONS" };

const struct router_route *router_find(const struct router_route *t, size_t n,
				       const char *path)
{
	size_t i;
	const struct router_route *hit = NULL;

	for (i = 0; i < n && hit == NULL; i++)
		if (strcmp(t[i].path, path) == 0)
			hit = &t[i];
	return hit;
}

unsigned router_method_bit(const char *method)
{
	unsigned i, bit = 0;

	for (i = 0; i < 4 && bit == 0; i++)
		if (strcmp(router_names[i], method) == 0)
			bit = 1u << i;
	return bit;
}

void router_allow(const struct router_route *rt, char *dst, size_t cap)
{
	size_t used = 0;
	unsigned i;

	if (cap == 0)
		return;
	dst[0] = '\0';
	for (i = 0; i < 4; i++) {
		size_t n = strlen(router_names[i]);

		if (!(rt->methods & (1u << i)) || used + n + 3 > cap)
			continue;
		if (used > 0) {
			memcpy(dst + used, ", ", 2);
			used += 2;
		}
		memcpy(dst + used, router_names[i], n + 1);
		used += n;
	}
}
