/* libFuzzer target: the policy parsers — address lists, X-Forwarded-For,
 * rule lines — and a decision over the input as a key. Input: three parts
 * separated by NUL bytes (list, X-Forwarded-For, rules); the rules are also
 * tried against each part as a key. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ip.h"
#include "policy/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rules rs;
	struct ip_list l;
	struct jwt_identity id;
	struct rules_decision d;
	char *copy = malloc(size + 3), err[256], client[IP_TEXT_MAX];
	const char *part[3];
	unsigned char a[16];
	size_t i, k = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = copy[size + 2] = '\0';
	part[0] = copy;
	for (i = 0; i < size && k < 2; i++)
		if (copy[i] == '\0')
			part[++k] = copy + i + 1;
	while (k < 2)
		part[++k] = copy + size + 1;
	memset(&id, 0, sizeof(id));
	memcpy(id.sub, "u-1", 4);
	memcpy(id.username, "alice", 6);
	memcpy(id.groups, "finance", 8);
	id.groups_len = 8;
	id.n_groups = 1;
	id.claims_ok = 1;
	if (ip_list_parse(&l, part[0], err, sizeof(err)) == 0)
		(void)ip_client("127.0.0.1", part[1], &l, client, a);
	if (rules_parse(&rs, part[2], part[1], err, sizeof(err)) == 0)
		for (i = 0; i < 3; i++)
			rules_decide(&rs, &id, part[i], &d);
	free(copy);
	return 0;
}
