/* The strict JSON check that runs before cJSON on token headers and payloads. */
#include "config.h"

#include "tap.h"
#include "util/json.h"

static void accepts(const char *s)
{
	ok(json_strict_check(s, strlen(s)) == 0, "accepts %s", s);
}

static void refuses(const char *s, const char *why)
{
	ok(json_strict_check(s, strlen(s)) != 0, "refuses %s", why);
}

int main(void)
{
	char deep[2 * JSON_DEPTH_MAX + 8];
	size_t i;

	accepts("{}");
	accepts(" {\"a\" : [1, -0.5e+3, 0, true, false, null, \"x\"]}\n");
	accepts("{\"s\":\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"}");
	accepts("{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}");
	accepts("[1E5,2e-1]");
	refuses("", "empty text");
	refuses("{\"a\":1,}", "trailing comma");
	refuses("{\"a\":1}x", "trailing garbage");
	refuses("{\"a\":01}", "leading zero");
	refuses("{\"a\":1.}", "trailing dot");
	refuses("{\"a\":.5}", "leading dot");
	refuses("{\"a\":+1}", "plus sign");
	refuses("{\"a\":1e}", "empty exponent");
	refuses("{\"a\":\"x\x01y\"}", "raw control character");
	refuses("{\"a\":\"x\ny\"}", "raw newline in a string");
	refuses("{\"a\":\"x\\u0000y\"}", "\\u0000 escape");
	refuses("{\"a\":\"\\ud800\"}", "lone high surrogate");
	refuses("{\"a\":\"\\udc00\"}", "lone low surrogate");
	refuses("{\"a\":\"\\x41\"}", "unknown escape");
	refuses("{\"a\":\"\xc0\xaf\"}", "overlong UTF-8");
	refuses("{\"a\":\"\xed\xa0\x80\"}", "UTF-8 surrogate");
	refuses("{\"a\":\"\xf4\x90\x80\x80\"}", "UTF-8 past U+10FFFF");
	refuses("{\"a\":\"\xe6\x97\"}", "truncated UTF-8");
	refuses("{\"a\":\"abc}", "unterminated string");
	refuses("{a:1}", "unquoted name");
	refuses("{\"a\" 1}", "missing colon");
	refuses("[1 2]", "missing comma");
	refuses("{\"a\":tru}", "bad literal");
	ok(json_strict_check("{\"a\":1}\0{", 9) != 0, "refuses a NUL after the text");
	for (i = 0; i <= JSON_DEPTH_MAX; i++)
		deep[i] = '[';
	for (i = 0; i <= JSON_DEPTH_MAX; i++)
		deep[JSON_DEPTH_MAX + 1 + i] = ']';
	ok(json_strict_check(deep, 2 * (JSON_DEPTH_MAX + 1)) != 0, "refuses nesting past the cap");
	ok(json_strict_check(deep + 1, 2 * JSON_DEPTH_MAX) == 0, "accepts nesting at the cap");
	return tap_done();
}
