/* ip: IPv4 and IPv6 addresses and CIDR ranges (RFC 4632, RFC 4291 §2.3), the
 * allow-list and the client address behind trusted proxies. */
#ifndef S3GATE_IP_H
#define S3GATE_IP_H

#include <stddef.h>

#define IP_LIST_MAX 64
#define IP_TEXT_MAX 64

struct ip_net {
	unsigned char addr[16]; /* IPv4 as ::ffff:a.b.c.d */
	unsigned bits;          /* prefix length over the 128 bits */
};

struct ip_list {
	struct ip_net nets[IP_LIST_MAX];
	size_t n;
};

/* One address, IPv4 or IPv6 (an IPv4-mapped IPv6 address equals its IPv4). */
int ip_parse(const char *s, unsigned char out[16]);
/* "a, b/24 c::/64": comma- or space-separated; -1 with the bad entry in err. */
int ip_list_parse(struct ip_list *l, const char *text, char *err, size_t errlen);
int ip_list_has(const struct ip_list *l, const unsigned char addr[16]);
/* The client: REMOTE_ADDR, or when that is a trusted proxy the right-most
 * X-Forwarded-For entry that is not one; copied into out. -1 when the chosen
 * address does not parse. */
int ip_client(const char *remote, const char *xff, const struct ip_list *trusted,
	      char out[IP_TEXT_MAX], unsigned char addr[16]);

#endif
