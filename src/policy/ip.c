#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ip.h"

static const unsigned char ip_v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int ip_parse(const char *s, unsigned char out[16])
{
	unsigned char v4[4];
	int rc = -1;

	if (strlen(s) >= IP_TEXT_MAX)
		goto out;
	if (inet_pton(AF_INET, s, v4) == 1) {
		memcpy(out, ip_v4_mapped, 12);
		memcpy(out + 12, v4, 4);
		rc = 0;
	} else if (inet_pton(AF_INET6, s, out) == 1) {
		rc = 0;
	}
out:
	return rc;
}

static int ip_host_bits_clear(const struct ip_net *n)
{
	unsigned i;
	int clear = 1;

	for (i = n->bits; i < 128 && clear; i++)
		clear = !(n->addr[i / 8] & (0x80 >> (i % 8)));
	return clear;
}

/* "addr" or "addr/len"; an IPv4 prefix counts over the mapped 128 bits. */
static int ip_net_parse(const char *s, struct ip_net *n)
{
	char text[IP_TEXT_MAX];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	long bits;
	char *end = NULL;
	int v4, rc = -1;

	if (alen == 0 || alen >= sizeof(text))
		goto out;
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (ip_parse(text, n->addr) != 0)
		goto out;
	v4 = strchr(text, ':') == NULL;
	n->bits = 128;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || bits < 0 || bits > (v4 ? 32 : 128))
			goto out;
		n->bits = (unsigned)bits + (v4 ? 96 : 0);
	}
	rc = ip_host_bits_clear(n) ? 0 : -1; /* 10.0.0.1/8 is a typo, not a range */
out:
	return rc;
}

int ip_list_parse(struct ip_list *l, const char *text, char *err, size_t errlen)
{
	char item[IP_TEXT_MAX + 8];
	int rc = 0;

	l->n = 0;
	while (*text != '\0' && rc == 0) {
		size_t n = strcspn(text, ", \t");

		if (n > 0) {
			snprintf(item, sizeof(item), "%.*s", (int)n, text);
			if (n >= sizeof(item) - 1 || l->n == IP_LIST_MAX ||
			    ip_net_parse(item, &l->nets[l->n]) != 0) {
				snprintf(err, errlen, "'%.*s' is not an IPv4 or IPv6 address or CIDR range "
					 "with no host bits set (at most %d entries)", (int)(n > 64 ? 64 : n), text, IP_LIST_MAX);
				rc = -1;
			}
			l->n++;
		}
		text += n;
		text += strspn(text, ", \t");
	}
	return rc;
}

static int ip_in(const struct ip_net *n, const unsigned char a[16])
{
	unsigned full = n->bits / 8, rest = n->bits % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	return memcmp(n->addr, a, full) == 0 &&
	       (rest == 0 || ((n->addr[full] ^ a[full]) & mask) == 0);
}

int ip_list_has(const struct ip_list *l, const unsigned char addr[16])
{
	size_t i;
	int hit = 0;

	for (i = 0; i < l->n && !hit; i++)
		hit = ip_in(&l->nets[i], addr);
	return hit;
}

#define IP_XFF_MAX 4096

static void ip_trim(char **s)
{
	char *e;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	e = *s + strlen(*s);
	while (e > *s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
}

/* The right-most X-Forwarded-For entry that is not a trusted proxy; when all
 * are trusted, the left-most. An entry that is no address stops the walk. */
static void ip_from_xff(const char *xff, const struct ip_list *trusted, char out[IP_TEXT_MAX])
{
	char copy[IP_XFF_MAX], *comma;
	unsigned char a[16];
	int done = 0;

	if (strlen(xff) >= sizeof(copy))
		return;
	memcpy(copy, xff, strlen(xff) + 1);
	while (!done) {
		char *item;

		comma = strrchr(copy, ',');
		item = comma != NULL ? comma + 1 : copy;
		ip_trim(&item);
		snprintf(out, IP_TEXT_MAX, "%s", item[0] != '\0' && strlen(item) < IP_TEXT_MAX ? item : "-");
		done = comma == NULL || ip_parse(out, a) != 0 || !ip_list_has(trusted, a);
		if (comma != NULL)
			*comma = '\0';
	}
}

int ip_client(const char *remote, const char *xff, const struct ip_list *trusted,
	      char out[IP_TEXT_MAX], unsigned char addr[16])
{
	unsigned char r[16];
	int rc = -1;

	snprintf(out, IP_TEXT_MAX, "%s", remote != NULL ? remote : "-");
	if (remote == NULL || ip_parse(remote, r) != 0)
		goto out;
	if (xff != NULL && trusted->n > 0 && ip_list_has(trusted, r))
		ip_from_xff(xff, trusted, out);
	rc = ip_parse(out, addr);
out:
	return rc;
}
