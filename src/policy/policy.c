#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth/token.h"
#include "policy/policy.h"

static struct {
	struct ip_list allow;
	struct ip_list trusted;
	struct rules rules;
} po;

static int policy_claims_check(const cJSON *payload)
{
	return rules_claims_ok(&po.rules, payload);
}

int policy_init(const struct conf *c, char *err, size_t errlen)
{
	char sub[256];
	int rc = -1;

	if (ip_list_parse(&po.allow, c->allow_ips, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "allow_ips: %s", sub);
		goto out;
	}
	if (ip_list_parse(&po.trusted, c->trusted_proxies, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "trusted_proxies: %s", sub);
		goto out;
	}
	if (rules_parse(&po.rules, c->rule, c->require_claim, err, errlen) != 0)
		goto out;
	token_set_claims_check(po.rules.n_claims > 0 ? policy_claims_check : NULL);
	rc = 0;
out:
	return rc;
}

int policy_client_allowed(const char *remote, const char *xff, char client[IP_TEXT_MAX])
{
	unsigned char a[16];
	int known = ip_client(remote, xff, &po.trusted, client, a) == 0;

	return po.allow.n == 0 || (known && ip_list_has(&po.allow, a));
}

void policy_decide(const struct jwt_identity *id, const char *key, struct rules_decision *d)
{
	rules_decide(&po.rules, id, key, d);
	if (!id->claims_ok) {
		d->allowed = 0;
		d->index = -1;
		snprintf(d->text, sizeof(d->text), "required claim not met");
		d->reason = d->text;
	}
}

const struct rules *policy_rules(void)
{
	return &po.rules;
}
