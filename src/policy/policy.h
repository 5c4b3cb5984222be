/* policy: the access decisions — the IP allow-list (before any token work),
 * required claims, and the key rules. */
#ifndef S3GATE_POLICY_H
#define S3GATE_POLICY_H

#include <stddef.h>

#include "conf.h"
#include "policy/ip.h"
#include "policy/rules.h"

int policy_init(const struct conf *c, char *err, size_t errlen);
/* The client address (behind trusted proxies) into client; 1 when it may
 * use s3gate at all (no allow_ips, or listed). */
int policy_client_allowed(const char *remote, const char *xff, char client[IP_TEXT_MAX]);
void policy_decide(const struct jwt_identity *id, const char *key, struct rules_decision *d);
const struct rules *policy_rules(void);

#endif
