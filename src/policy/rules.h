/* rules: who may fetch which keys. An ordered list of
 *   allow|deny  any|user:NAME|group:NAME  PATTERN
 * where PATTERN is a key glob ('*' matches any run of characters, '/'
 * included) that may hold {sub}, {username} and {email}. The first rule that
 * matches decides; with rules present, a key no rule matches is denied. */
#ifndef S3GATE_RULES_H
#define S3GATE_RULES_H

#include <stddef.h>

#include "auth/jwt.h"

#define RULES_MAX 128
#define RULES_TEXT_MAX 1200
#define RULES_CLAIMS_MAX 8

enum rules_subject { RULES_ANY, RULES_USER, RULES_GROUP };

struct rules_rule {
	int allow;
	enum rules_subject subject;
	char who[JWT_EMAIL_MAX + 1];
	char pattern[RULES_TEXT_MAX];
	char text[RULES_TEXT_MAX + 400]; /* as written, for explanations and the audit log */
};

struct rules_claim {
	char name[128];
	char value[256];
};

struct rules {
	struct rules_rule r[RULES_MAX];
	size_t n;
	struct rules_claim claims[RULES_CLAIMS_MAX];
	size_t n_claims;
};

struct rules_decision {
	int allowed;
	int index;          /* the deciding rule, -1 for the default */
	const char *reason; /* e.g. "rule 2: allow group:finance finance/..." */
	char text[RULES_TEXT_MAX + 440];
};

/* Lines separated by '\n' (from the file) or ';' (from the environment). */
int rules_parse(struct rules *rs, const char *rule_lines, const char *claim_lines, char *err,
		size_t errlen);
/* The identity's own verdict on the required claims comes from the token gate. */
void rules_decide(const struct rules *rs, const struct jwt_identity *id, const char *key,
		  struct rules_decision *d);
/* 1 when every required claim holds in payload (a JSON object of claims). */
int rules_claims_ok(const struct rules *rs, const cJSON *payload);
/* Glob match, '*' only; exposed for tests. */
int rules_glob(const char *pat, const char *s);

#endif
