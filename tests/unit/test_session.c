/* Sealed cookies: round trip, tampering, purpose separation, expiry; cookie
 * header parsing and Set-Cookie attributes. */
#include "config.h"

#include <stdlib.h>

#include "auth/session.h"
#include "http/cookie.h"
#include "tap.h"

#define SECRET "0123456789abcdef0123456789abcdef-test"

static void test_seal(void)
{
	cJSON *o = cJSON_Parse("{\"st\":\"abc\",\"t\":1}"), *back;
	buf_t v;
	char *bad;

	buf_init(&v, 4096);
	ok(session_seal(SESSION_LOGIN, o, &v) == 0 && strchr(v.ptr, '.') != NULL, "sealed");
	back = session_open(SESSION_LOGIN, v.ptr);
	ok(back != NULL && strcmp(cJSON_GetObjectItem(back, "st")->valuestring, "abc") == 0,
	   "opened with the same purpose");
	cJSON_Delete(back);
	ok(session_open(SESSION_USER, v.ptr) == NULL, "a sign-in cookie is no session");
	bad = strdup(v.ptr);
	bad[2] = bad[2] == 'A' ? 'B' : 'A';
	ok(session_open(SESSION_LOGIN, bad) == NULL, "altered payload refused");
	strcpy(bad, v.ptr);
	bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
	ok(session_open(SESSION_LOGIN, bad) == NULL, "altered MAC refused");
	ok(session_open(SESSION_LOGIN, "nodot") == NULL && session_open(SESSION_LOGIN, ".") == NULL,
	   "malformed values refused");
	free(bad);
	buf_free(&v);
	cJSON_Delete(o);
}

static void test_identity(void)
{
	struct jwt_identity id, back;
	char err[128];
	buf_t v;

	memset(&id, 0, sizeof(id));
	strcpy(id.sub, "u-1");
	strcpy(id.username, "alice");
	strcpy(id.email, "alice@example.com");
	strcpy(id.token_use, "id");
	memcpy(id.groups, "a\0b", 4);
	id.groups_len = 4;
	id.n_groups = 2;
	id.exp = 2000000000;
	id.claims_ok = 1;
	buf_init(&v, 8192);
	ok(session_from_identity(&id, &v) == 0, "identity sealed");
	ok(session_identity(v.ptr, 1900000000, &back) == 0 && strcmp(back.sub, "u-1") == 0 &&
		   strcmp(back.email, "alice@example.com") == 0 && back.n_groups == 2 && back.claims_ok,
	   "identity back");
	ok(session_identity(v.ptr, 2000000001, &back) != 0, "expired session refused");
	session_init("another secret of at least thirty-two characters", err, sizeof(err));
	ok(session_identity(v.ptr, 1900000000, &back) != 0, "another secret refuses it");
	ok(session_init("short", err, sizeof(err)) != 0 && strstr(err, "session_secret") != NULL,
	   "a short secret refused: %s", err);
	session_init(SECRET, err, sizeof(err));
	buf_free(&v);
}

static void test_cookies(void)
{
	char v[64];
	buf_t b;

	ok(cookie_get("a=1; s3gate_session=xyz; b=2", "s3gate_session", v, sizeof(v)) == 0 &&
		   strcmp(v, "xyz") == 0, "cookie found among others");
	ok(cookie_get("s3gate_sessionx=1", "s3gate_session", v, sizeof(v)) != 0, "prefix is no match");
	ok(cookie_get("s=1; s=2", "s", v, sizeof(v)) != 0, "a repeated cookie is ambiguous: refused");
	ok(cookie_get("s=0123456789", "s", v, 5) != 0, "too long refused");
	ok(cookie_get(NULL, "s", v, sizeof(v)) != 0, "no header");
	buf_init(&b, 512);
	ok(cookie_set(&b, "s", "abc", "/s3gate/", 60, 1) == 0 &&
		   strcmp(b.ptr, "s=abc; Path=/s3gate/; Max-Age=60; HttpOnly; SameSite=Lax; Secure") == 0,
	   "Set-Cookie attributes: %s", buf_str(&b));
	buf_reset(&b);
	ok(cookie_set(&b, "s", "a;b", "/", 60, 0) != 0 && cookie_set(&b, "s", "a\r\nX: y", "/", 60, 0) != 0,
	   "values that could break the header refused");
	buf_free(&b);
}

int main(void)
{
	char err[128];

	ok(session_init(SECRET, err, sizeof(err)) == 0, "keys derived");
	test_seal();
	test_identity();
	test_cookies();
	session_cleanup();
	return tap_done();
}
