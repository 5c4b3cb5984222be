/* Addresses, CIDR ranges, X-Forwarded-For behind trusted proxies, and the
 * key rules: subjects, placeholders, order, default deny, required claims. */
#include "config.h"

#include "policy/ip.h"
#include "policy/rules.h"
#include "tap.h"

static int in_list(const char *list, const char *addr)
{
	struct ip_list l;
	unsigned char a[16];
	char err[128];

	return ip_list_parse(&l, list, err, sizeof(err)) == 0 && ip_parse(addr, a) == 0 &&
	       ip_list_has(&l, a);
}

static void test_ip(void)
{
	struct ip_list l;
	char err[128], client[IP_TEXT_MAX];
	unsigned char a[16];

	ok(in_list("203.0.113.7", "203.0.113.7"), "IPv4 address");
	ok(!in_list("203.0.113.7", "203.0.113.8"), "other IPv4 address");
	ok(in_list("10.0.0.0/8", "10.255.1.2") && !in_list("10.0.0.0/8", "11.0.0.1"), "IPv4 /8");
	ok(in_list("192.168.1.128/25", "192.168.1.200") && !in_list("192.168.1.128/25", "192.168.1.127"),
	   "IPv4 /25 (a prefix inside a byte)");
	ok(in_list("0.0.0.0/0", "8.8.8.8") && !in_list("0.0.0.0/0", "2001:db8::1"),
	   "IPv4 /0 is every IPv4 address, no IPv6 one");
	ok(in_list("2001:db8::/32", "2001:db8:ffff::1") && !in_list("2001:db8::/32", "2001:db9::1"),
	   "IPv6 /32");
	ok(in_list("::1", "::1") && !in_list("::1", "::2"), "IPv6 address");
	ok(in_list("127.0.0.1", "::ffff:127.0.0.1"), "IPv4-mapped IPv6 equals IPv4");
	ok(in_list("10.0.0.1, fe80::/10 ::1", "::1"), "comma and space separated");
	ok(ip_list_parse(&l, "10.0.0.0/33", err, sizeof(err)) != 0, "IPv4 prefix over 32 refused");
	ok(ip_list_parse(&l, "::/129", err, sizeof(err)) != 0, "IPv6 prefix over 128 refused");
	ok(ip_list_parse(&l, "example.com", err, sizeof(err)) != 0, "a name refused");
	ok(ip_list_parse(&l, "10.0.0.1/", err, sizeof(err)) != 0, "empty prefix refused");
	ok(ip_list_parse(&l, "10.0.0.1/8", err, sizeof(err)) != 0 &&
		   ip_list_parse(&l, "2001:db8::1/32", err, sizeof(err)) != 0,
	   "host bits set refused (a typo, not a range)");
	ip_list_parse(&l, "127.0.0.1, 10.0.0.0/8", err, sizeof(err));
	ip_client("127.0.0.1", "198.51.100.9, 10.1.1.1", &l, client, a);
	is_str(client, "198.51.100.9", "XFF from a trusted proxy: right-most untrusted entry");
	ip_client("127.0.0.1", "6.6.6.6, 198.51.100.9", &l, client, a);
	is_str(client, "198.51.100.9", "a forged left-most entry changes nothing");
	ip_client("203.0.113.5", "10.1.1.1", &l, client, a);
	is_str(client, "203.0.113.5", "XFF from an untrusted peer is ignored");
	ip_client("127.0.0.1", "10.1.1.1,10.2.2.2", &l, client, a);
	is_str(client, "10.1.1.1", "all trusted: the left-most");
	ok(ip_client("127.0.0.1", "garbage, 10.1.1.1", &l, client, a) != 0 &&
		   strcmp(client, "garbage") == 0, "a non-address entry is the client, and unusable");
}

static struct jwt_identity who(const char *sub, const char *user, const char *email,
			       const char *group)
{
	struct jwt_identity id;

	memset(&id, 0, sizeof(id));
	snprintf(id.sub, sizeof(id.sub), "%s", sub);
	snprintf(id.username, sizeof(id.username), "%s", user);
	snprintf(id.email, sizeof(id.email), "%s", email);
	if (group != NULL) {
		snprintf(id.groups, sizeof(id.groups), "%s", group);
		id.groups_len = strlen(group) + 1;
		id.n_groups = 1;
	}
	id.claims_ok = 1;
	id.email_verified = 1;
	return id;
}

static int decide(const struct rules *rs, const struct jwt_identity *id, const char *key,
		  int want_index)
{
	struct rules_decision d;

	rules_decide(rs, id, key, &d);
	return d.index == want_index ? d.allowed : -1;
}

static void test_rules(void)
{
	struct rules rs;
	struct jwt_identity alice = who("u-1", "alice", "alice@example.com", "finance");
	struct jwt_identity bob = who("u-2", "bob", "bob@example.com", NULL);
	struct jwt_identity odd = who("x/../y", "*", "", NULL);
	char err[256];

	ok(rules_parse(&rs, "", NULL, err, sizeof(err)) == 0 && decide(&rs, &bob, "any/key", -1) == 1,
	   "no rules: allowed");
	ok(rules_parse(&rs, "allow group:finance finance/*\n"
			    "deny any */secret/*\n"
			    "allow any users/{sub}/*\n"
			    "allow user:alice@example.com reports/*\n"
			    "allow user:bob shared/{username}-*",
		       NULL, err, sizeof(err)) == 0, "five rules parsed (%s)", err);
	is_int(decide(&rs, &alice, "finance/q1.xlsx", 0), 1, "group rule allows");
	is_int(decide(&rs, &bob, "finance/q1.xlsx", -1), 0, "not in the group: default deny");
	is_int(decide(&rs, &alice, "finance/secret/x", 0), 1, "rule order: the group rule comes first");
	is_int(decide(&rs, &bob, "users/u-2/secret/a", 1), 0, "deny before the {sub} rule");
	is_int(decide(&rs, &bob, "users/u-2/a.pdf", 2), 1, "{sub} placeholder");
	is_int(decide(&rs, &bob, "users/u-1/a.pdf", -1), 0, "someone else's folder denied");
	is_int(decide(&rs, &alice, "reports/2024.pdf", 3), 1, "user: matches the email");
	is_int(decide(&rs, &bob, "reports/2024.pdf", -1), 0, "user: another user denied");
	{
		struct jwt_identity unverified = alice, lookalike = who("x", "alice@example.com", "m@evil.test", NULL);

		unverified.email_verified = 0;
		is_int(decide(&rs, &unverified, "reports/2024.pdf", -1), 0,
		       "user:EMAIL needs a verified email");
		is_int(decide(&rs, &lookalike, "reports/2024.pdf", -1), 0,
		       "user:EMAIL never matches a username that looks like it");
	}
	is_int(decide(&rs, &bob, "shared/bob-notes.txt", 4), 1, "user: matches the username, {username}");
	is_int(decide(&rs, &odd, "users/x/../y/a", -1), 0, "a sub with '/' fills no placeholder");
	ok(rules_parse(&rs, "allow any {email}/*", NULL, err, sizeof(err)) == 0 &&
		   decide(&rs, &odd, "/x", -1) == 0, "an empty email fills no placeholder");
	{
		struct jwt_identity unverified = alice;

		unverified.email_verified = 0;
		ok(decide(&rs, &alice, "alice@example.com/a", 0) == 1 &&
			   decide(&rs, &unverified, "alice@example.com/a", -1) == 0,
		   "an unverified email fills no placeholder");
	}
	ok(rules_parse(&rs, "allow any x; deny any y", NULL, err, sizeof(err)) == 0 && rs.n == 2,
	   "';' separates rules (environment form)");
	ok(rules_parse(&rs, "permit any x", NULL, err, sizeof(err)) != 0, "unknown action refused");
	ok(rules_parse(&rs, "allow who:x x", NULL, err, sizeof(err)) != 0, "unknown subject refused");
	ok(rules_parse(&rs, "allow any", NULL, err, sizeof(err)) != 0, "missing pattern refused");
	ok(rules_parse(&rs, "allow any a b", NULL, err, sizeof(err)) != 0, "two patterns refused");
	ok(rules_parse(&rs, "allow any {phone}/*", NULL, err, sizeof(err)) != 0, "unknown placeholder refused");
	{
		/* regression (fuzz_policy): the rule past the last slot was cleared before the count check */
		static char many[RULES_MAX * 16 + 32];
		size_t i;

		many[0] = '\0';
		for (i = 0; i <= RULES_MAX; i++)
			snprintf(many + strlen(many), 16, "allow any k%zu;", i);
		ok(rules_parse(&rs, many, NULL, err, sizeof(err)) != 0 && rs.n == RULES_MAX,
		   "rule %d refused, the first %d kept", RULES_MAX + 1, RULES_MAX);
	}
	ok(rules_glob("a*b*c", "axxbyyc") && !rules_glob("a*b*c", "axxbyy") && rules_glob("*", "") &&
		   rules_glob("*/secret/*", "a/b/secret/c") && !rules_glob("x", "xy"), "glob");
}

static void test_claims(void)
{
	struct rules rs;
	char err[128];
	cJSON *yes = cJSON_Parse("{\"email_verified\":true,\"custom:tier\":\"gold\",\"n\":3}");
	cJSON *str = cJSON_Parse("{\"email_verified\":\"true\",\"custom:tier\":\"gold\",\"n\":3}");
	cJSON *no = cJSON_Parse("{\"email_verified\":false,\"custom:tier\":\"gold\"}");

	ok(rules_parse(&rs, NULL, "email_verified=true\ncustom:tier=gold\nn=3", err, sizeof(err)) == 0,
	   "required claims parsed");
	ok(rules_claims_ok(&rs, yes), "boolean, string and number claims hold");
	ok(rules_claims_ok(&rs, str), "a string \"true\" holds too (cognito-local)");
	ok(!rules_claims_ok(&rs, no), "false and a missing claim do not");
	ok(rules_parse(&rs, NULL, "novalue", err, sizeof(err)) != 0, "CLAIM=VALUE required");
	{
		cJSON *g = cJSON_Parse("{\"cognito:groups\":[\"staff\",\"finance\"]}");
		cJSON *h = cJSON_Parse("{\"cognito:groups\":[\"staff\"]}");

		ok(rules_parse(&rs, NULL, "cognito:groups=finance", err, sizeof(err)) == 0 &&
			   rules_claims_ok(&rs, g) && !rules_claims_ok(&rs, h),
		   "an array claim holds when one element equals the value");
		cJSON_Delete(g);
		cJSON_Delete(h);
	}
	cJSON_Delete(yes);
	cJSON_Delete(str);
	cJSON_Delete(no);
}

int main(void)
{
	test_ip();
	test_rules();
	test_claims();
	return tap_done();
}
