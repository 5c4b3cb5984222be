/* Configuration: file + environment, defaults, derived values, one-line errors
 * that name the key. */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

static char path[] = "/tmp/s3gate-test-conf-XXXXXX";

static void clear_env(void)
{
	static const char *const vars[] = { "S3GATE_REGION", "S3GATE_USER_POOL_ID",
		"S3GATE_CLIENT_ID", "S3GATE_ISSUER", "S3GATE_JWKS_URL", "S3GATE_TOKEN_USE",
		"S3GATE_CLOCK_SKEW", "S3GATE_CACHE_DIR", "S3GATE_BASE_PATH", "S3GATE_CONFIG",
		"S3GATE_JWKS_LIFETIME", "S3GATE_JWKS_REFETCH_INTERVAL", "S3GATE_HTTP_TIMEOUT",
		"S3GATE_HTTP_CONNECT_TIMEOUT", "S3GATE_TOKEN_CACHE_SIZE", "S3GATE_LOG_LEVEL",
		"S3GATE_BUCKET", "S3GATE_S3_ENDPOINT", "S3GATE_S3_PATH_STYLE", "S3GATE_KEY_PREFIX",
		"S3GATE_PRESIGN_EXPIRES", "S3GATE_S3_TIMEOUT", "S3GATE_FLOW", "S3GATE_SESSION_SECRET" };
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static int load_text(const char *text, struct conf *c, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	return conf_load(c, path, err, errlen);
}

/* The load fails and the message holds want. */
static void refuses(const char *text, const char *want)
{
	struct conf c;
	char err[CONF_ERR_MAX] = "";
	int rc = load_text(text, &c, err, sizeof(err));

	ok(rc != 0 && strstr(err, want) != NULL, "refused with '%s' (got '%s')", want, err);
	conf_free(&c);
}

static void test_file(void)
{
	struct conf c;
	char err[CONF_ERR_MAX] = "";
	int rc = load_text("# pool\nregion = eu-west-1\nuser_pool_id = eu-west-1_AbC\n"
			   "client_id = abc,def\n\n  token_use = any  \nclock_skew=30\nbucket = docs\n",
			   &c, err, sizeof(err));

	ok(rc == 0, "valid file accepted (%s)", err);
	is_str(c.issuer, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
	       "issuer derived from region and pool");
	is_str(c.jwks_url,
	       "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
	       "jwks_url derived from issuer");
	is_int(c.n_client_ids, 2, "two client ids");
	ok(conf_client_id_ok(&c, "def") && !conf_client_id_ok(&c, "de"), "client id match is exact");
	is_int(c.token_use, CONF_TOKEN_ANY, "token_use any");
	is_int(c.clock_skew, 30, "clock_skew");
	is_int(c.jwks_refetch_interval, 30, "refetch interval default");
	ok(!conf_is_explicit(&c, "cache_dir") && conf_is_explicit(&c, "region"),
	   "sources recorded");
	conf_free(&c);
}

static void test_env_wins(void)
{
	struct conf c;
	char err[CONF_ERR_MAX] = "";
	int rc;

	setenv("S3GATE_CLOCK_SKEW", "5", 1);
	setenv("S3GATE_ISSUER", "http://127.0.0.1:9229/pool", 1);
	rc = load_text("client_id = abc\nclock_skew = 30\nbucket = docs\nregion = eu-west-1\n", &c, err, sizeof(err));
	ok(rc == 0 && c.clock_skew == 5, "environment wins over the file");
	is_str(c.issuer, "http://127.0.0.1:9229/pool", "issuer from the environment");
	is_str(c.s3_endpoint, "https://s3.eu-west-1.amazonaws.com", "regional S3 endpoint by default");
	ok(!c.s3_path_style && c.presign_expires == 300, "virtual-hosted style, presign 300 s by default");
	conf_free(&c);
	setenv("S3GATE_CLOCK_SKEW", "lots", 1);
	rc = load_text("client_id = abc\n", &c, err, sizeof(err));
	ok(rc != 0 && strstr(err, "S3GATE_CLOCK_SKEW") != NULL, "bad env value names the variable (%s)", err);
	conf_free(&c);
	clear_env();
}

int main(void)
{
	int fd = mkstemp(path);

	close(fd);
	clear_env();
	setenv("S3GATE_FLOW", "none", 1); /* sign-in's own keys are tested below */
	test_file();
	test_env_wins();
	setenv("S3GATE_FLOW", "none", 1);
	refuses("region = eu-west-1\nuser_pool_id = p\n", "client_id: missing");
	refuses("client_id = abc\n", "issuer: missing");
	refuses("client_id = abc\nregion = eu-west-1\nbogus = 1\n", "unknown key 'bogus'");
	refuses("client_id = abc\nissuer = ftp://x/y\n", "issuer: must be an http");
	refuses("client_id = abc\nissuer = https://x/y\ntoken_use = both\n", "token_use: must be one of id, access, any");
	refuses("client_id = abc\nissuer = https://x/y\nclock_skew = -1\n", "clock_skew: must be a whole number from 0 to 600");
	refuses("client_id = abc\nissuer = https://x/y\nclock_skew = 12abc\n", "clock_skew");
	refuses("client_id = abc,\nissuer = https://x/y\n", "client_id");
	refuses("client_id = a b\nissuer = https://x/y\n", "client_id");
	refuses("client_id = abc\nclient_id = def\nissuer = https://x/y\n", "client_id: set twice");
	refuses("client_id = abc\nissuer = https://x/y\nregion = r\nbucket = docs\nbase_path = /s3gate/\n", "base_path");
	refuses("client_id abc\n", ":1: expected key = value");
#define OKBASE "client_id = abc\nissuer = https://x/y\nregion = eu-west-1\n"
	refuses(OKBASE, "bucket: missing");
	refuses("client_id = abc\nissuer = https://x/y\nbucket = docs\n", "region: missing");
	refuses(OKBASE "bucket = docs\ns3_path_style = maybe\n", "s3_path_style: must be true or false");
	refuses(OKBASE "bucket = docs\ns3_endpoint = http://127.0.0.1:7480/x\n", "s3_endpoint: must be scheme://host");
	refuses(OKBASE "bucket = my.docs\n", "s3_path_style");
	refuses(OKBASE "bucket = docs\nkey_prefix = /a/\n", "key_prefix");
	refuses(OKBASE "bucket = docs\nkey_prefix = a\n", "key_prefix");
	refuses(OKBASE "bucket = docs\npresign_expires = 604801\n", "presign_expires");
	refuses(OKBASE "bucket = d\n", "bucket: must be");
	unsetenv("S3GATE_FLOW");
	refuses(OKBASE "bucket = docs\n", "session_secret: missing");
	refuses(OKBASE "bucket = docs\nsession_secret = short\n", "session_secret: must be");
	{
		struct conf c;
		char err[CONF_ERR_MAX] = "";

		ok(load_text(OKBASE "bucket = docs\nsession_secret = 0123456789abcdef0123456789abcdef\n",
			     &c, err, sizeof(err)) == 0 && c.flow == CONF_FLOW_CODE && c.cookie_secure,
		   "sign-in by default: code flow, secure cookies (%s)", err);
		conf_free(&c);
	}
	unlink(path);
	return tap_done();
}
