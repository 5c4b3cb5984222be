#include "config.h"

#include <stdio.h>
#include <string.h>

#include "policy/rules.h"

/* Iterative glob with one backtrack point: O(len(pat) * len(s)) at worst. */
int rules_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* Next field of a rule line; returns its length, skips blanks after it. */
static size_t rules_field(const char **p, const char **start)
{
	size_t n;

	*p += strspn(*p, " \t");
	*start = *p;
	n = strcspn(*p, " \t");
	*p += n;
	*p += strspn(*p, " \t");
	return n;
}

static int rules_parse_subject(struct rules_rule *r, const char *f, size_t n)
{
	int rc = 0;

	if (n == 3 && strncmp(f, "any", 3) == 0) {
		r->subject = RULES_ANY;
	} else if (n > 5 && strncmp(f, "user:", 5) == 0 && n - 5 < sizeof(r->who)) {
		r->subject = RULES_USER;
		snprintf(r->who, sizeof(r->who), "%.*s", (int)(n - 5), f + 5);
	} else if (n > 6 && strncmp(f, "group:", 6) == 0 && n - 6 < sizeof(r->who)) {
		r->subject = RULES_GROUP;
		snprintf(r->who, sizeof(r->who), "%.*s", (int)(n - 6), f + 6);
	} else {
		rc = -1;
	}
	return rc;
}

/* Placeholders allowed in a pattern; anything else in braces is an error. */
static int rules_pattern_ok(const char *p)
{
	int ok = *p != '/';

	while (ok && (p = strchr(p, '{')) != NULL) {
		ok = strncmp(p, "{sub}", 5) == 0 || strncmp(p, "{username}", 10) == 0 ||
		     strncmp(p, "{email}", 7) == 0;
		p++;
	}
	return ok;
}

static int rules_parse_rule(struct rules *rs, const char *line, size_t len, char *err,
			    size_t errlen)
{
	struct rules_rule *r = &rs->r[rs->n];
	const char *p, *f;
	char text[RULES_TEXT_MAX + 400];
	size_t n;
	int rc = -1;

	/* the count is checked before r, one past the last rule, is touched */
	if (rs->n == RULES_MAX || len >= sizeof(text)) {
		snprintf(err, errlen, "rule: at most %d rules of %d characters", RULES_MAX,
			 RULES_TEXT_MAX);
		goto out;
	}
	snprintf(text, sizeof(text), "%.*s", (int)len, line);
	p = text;
	memset(r, 0, sizeof(*r));
	n = rules_field(&p, &f);
	if (!(n == 5 && strncmp(f, "allow", 5) == 0) && !(n == 4 && strncmp(f, "deny", 4) == 0)) {
		snprintf(err, errlen, "rule %zu: must start with allow or deny", rs->n + 1);
		goto out;
	}
	r->allow = f[0] == 'a';
	n = rules_field(&p, &f);
	if (rules_parse_subject(r, f, n) != 0) {
		snprintf(err, errlen, "rule %zu: the subject must be any, user:NAME or group:NAME",
			 rs->n + 1);
		goto out;
	}
	n = rules_field(&p, &f);
	if (n == 0 || *p != '\0' || n >= sizeof(r->pattern)) {
		snprintf(err, errlen, "rule %zu: expected one key pattern after the subject", rs->n + 1);
		goto out;
	}
	snprintf(r->pattern, sizeof(r->pattern), "%.*s", (int)n, f);
	if (!rules_pattern_ok(r->pattern)) {
		snprintf(err, errlen, "rule %zu: pattern may use {sub}, {username}, {email} and must "
			 "not start with '/'", rs->n + 1);
		goto out;
	}
	snprintf(r->text, sizeof(r->text), "%s", text);
	rs->n++;
	rc = 0;
out:
	return rc;
}

static int rules_parse_claim(struct rules *rs, const char *line, size_t len, char *err,
			     size_t errlen)
{
	const char *eq = memchr(line, '=', len);
	struct rules_claim *c = &rs->claims[rs->n_claims];
	int rc = -1;

	if (rs->n_claims == RULES_CLAIMS_MAX || eq == NULL || eq == line ||
	    (size_t)(eq - line) >= sizeof(c->name) || len - (size_t)(eq - line) - 1 >= sizeof(c->value)) {
		snprintf(err, errlen, "require_claim: expected up to %d CLAIM=VALUE entries",
			 RULES_CLAIMS_MAX);
		goto out;
	}
	snprintf(c->name, sizeof(c->name), "%.*s", (int)(eq - line), line);
	snprintf(c->value, sizeof(c->value), "%.*s", (int)(len - (size_t)(eq - line) - 1), eq + 1);
	rs->n_claims++;
	rc = 0;
out:
	return rc;
}

/* Calls fn on each non-empty entry of text, split on '\n' and ';', trimmed. */
static int rules_each(struct rules *rs, const char *text,
		      int (*fn)(struct rules *, const char *, size_t, char *, size_t),
		      char *err, size_t errlen)
{
	int rc = 0;

	while (text != NULL && *text != '\0' && rc == 0) {
		size_t n = strcspn(text, "\n;"), t = n;
		const char *s = text;

		while (t > 0 && (*s == ' ' || *s == '\t'))
			s++, t--;
		while (t > 0 && (s[t - 1] == ' ' || s[t - 1] == '\t' || s[t - 1] == '\r'))
			t--;
		if (t > 0 && *s != '#')
			rc = fn(rs, s, t, err, errlen);
		text += n;
		text += *text != '\0';
	}
	return rc;
}

int rules_parse(struct rules *rs, const char *rule_lines, const char *claim_lines, char *err,
		size_t errlen)
{
	rs->n = 0;
	rs->n_claims = 0;
	return rules_each(rs, rule_lines, rules_parse_rule, err, errlen) ||
	       rules_each(rs, claim_lines, rules_parse_claim, err, errlen) ? -1 : 0;
}

static int rules_in_group(const struct jwt_identity *id, const char *group)
{
	const char *g = id->groups;
	size_t i;
	int hit = 0;

	for (i = 0; i < id->n_groups && !hit; i++, g += strlen(g) + 1)
		hit = strcmp(g, group) == 0;
	return hit;
}

static int rules_subject_matches(const struct rules_rule *r, const struct jwt_identity *id)
{
	switch (r->subject) {
	case RULES_USER:
		/* a name with '@' is an e-mail address: only a verified email
		 * matches it, never a username someone chose to look like one */
		if (strchr(r->who, '@') != NULL)
			return id->email_verified && strcmp(r->who, id->email) == 0;
		return strcmp(r->who, id->sub) == 0 ||
		       (id->username[0] != '\0' && strcmp(r->who, id->username) == 0);
	case RULES_GROUP:
		return rules_in_group(id, r->who);
	default:
		return 1;
	}
}

/* A claim value usable in a pattern: non-empty, no '/', '*', '{'. */
static const char *rules_placeholder(const char *name, size_t *n, const struct jwt_identity *id)
{
	const char *v = NULL;

	if (strncmp(name, "{sub}", 5) == 0)
		v = id->sub, *n = 5;
	else if (strncmp(name, "{username}", 10) == 0)
		v = id->username, *n = 10;
	else if (strncmp(name, "{email}", 7) == 0)
		v = id->email_verified ? id->email : "", *n = 7; /* unverified fills nothing */
	if (v != NULL && (v[0] == '\0' || strpbrk(v, "/*{") != NULL ||
			  strcmp(v, ".") == 0 || strcmp(v, "..") == 0))
		v = NULL;
	return v;
}

/* The pattern with placeholders filled in; -1 when one has no usable value. */
static int rules_expand(const char *pat, const struct jwt_identity *id, char *out, size_t cap)
{
	size_t o = 0;
	int rc = 0;

	while (*pat != '\0' && rc == 0) {
		size_t skip = 1, n;
		const char *v = *pat == '{' ? rules_placeholder(pat, &skip, id) : NULL;

		if (*pat == '{' && v == NULL) {
			rc = -1;
			break;
		}
		n = v != NULL ? strlen(v) : 1;
		if (o + n >= cap) {
			rc = -1;
			break;
		}
		memcpy(out + o, v != NULL ? v : pat, n);
		o += n;
		pat += skip;
	}
	out[o] = '\0';
	return rc;
}

void rules_decide(const struct rules *rs, const struct jwt_identity *id, const char *key,
		  struct rules_decision *d)
{
	char pat[2 * RULES_TEXT_MAX];
	size_t i;

	d->allowed = rs->n == 0;
	d->index = -1;
	d->reason = rs->n == 0 ? "no rules: every signed-in user may fetch every key"
			       : "no rule matched: denied";
	snprintf(d->text, sizeof(d->text), "%s", d->reason);
	for (i = 0; i < rs->n && d->index < 0; i++) {
		const struct rules_rule *r = &rs->r[i];

		if (!rules_subject_matches(r, id) ||
		    rules_expand(r->pattern, id, pat, sizeof(pat)) != 0 || !rules_glob(pat, key))
			continue;
		d->allowed = r->allow;
		d->index = (int)i;
		snprintf(d->text, sizeof(d->text), "rule %zu: %s", i + 1, r->text);
		d->reason = d->text;
	}
}

static int rules_claim_holds(const struct rules_claim *c, const cJSON *payload)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, c->name), *e;
	char num[64];

	/* an array claim (cognito:groups) holds when one string element equals */
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v)
			if (cJSON_IsString(e) && strcmp(e->valuestring, c->value) == 0)
				return 1;
		return 0;
	}
	if (cJSON_IsString(v))
		return strcmp(v->valuestring, c->value) == 0;
	if (cJSON_IsTrue(v))
		return strcmp(c->value, "true") == 0;
	if (cJSON_IsFalse(v))
		return strcmp(c->value, "false") == 0;
	if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		return strcmp(num, c->value) == 0;
	}
	return 0;
}

int rules_claims_ok(const struct rules *rs, const cJSON *payload)
{
	size_t i;
	int ok = 1;

	for (i = 0; i < rs->n_claims && ok; i++)
		ok = rules_claim_holds(&rs->claims[i], payload);
	return ok;
}
