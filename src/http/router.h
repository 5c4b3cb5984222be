/* router: route table lookup and the Allow header for 405 answers. */
#ifndef S3GATE_ROUTER_H
#define S3GATE_ROUTER_H

#include <stddef.h>

struct app_req; /* the handler's context, defined by the application */

enum router_method { ROUTER_GET = 1, ROUTER_HEAD = 2, ROUTER_POST = 4, ROUTER_OPTIONS = 8 };

struct router_route {
	const char *path;
	unsigned methods; /* enum router_method bits */
	int (*handler)(struct app_req *a);
};

const struct router_route *router_find(const struct router_route *t, size_t n,
				       const char *path);
/* The bit of an HTTP method name, 0 when unknown. */
unsigned router_method_bit(const char *method);
/* "GET, HEAD" style list of the route's methods. */
void router_allow(const struct router_route *rt, char *dst, size_t cap);

#endif
