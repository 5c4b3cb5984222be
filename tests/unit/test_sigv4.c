/* SigV4: AWS's published S3 examples, and keys with spaces, '+', '%', '~',
 * '=', '&', quotes, unicode and folders, whose signatures were computed by an
 * independent signer, botocore 1.29 (tests/unit/vectors/sigv4-botocore.py),
 * for header signing with and without a session token and for presigning. */
#include "config.h"

#include <stdlib.h>

#include "aws/sigv4.h"
#include "tap.h"

#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define WHEN 1369353600 /* 20130524T000000Z */

struct vector {
	const char *key;
	const char *sig_plain, *sig_session, *sig_presign;
};

static const struct vector vectors[] = {
	{ "test.txt", "0a414eabdac1e88b9428c09c47c66891daee74b3858c81dcc48fd83372301139",
	  "07fc081a463b4cf4541eb885c292101f072337d5a188ac280bc02f9e7f034edb",
	  "c78993b0e2e20ca7c7d83e4b5600f85236efababddc7f638776691f2fd25ac75" },
	{ "a b.txt", "4979b03d7092cc5e91ebca9175d7b13fa946c9ccbdd79ce2fcc881571b38c174",
	  "285b9af371a6607ff6c3e2da9113138a929bf1cfda142a3cc398066c4e546ea0",
	  "b32b42571f95f216d217e5470ec6c6c3ae40cde397753bde732c107e2d31ac03" },
	{ "a+b.txt", "89cfce329bb34c7a6dfa9061586dc8a611e415001c67935df11750cfe21e4f67",
	  "57e1bbb884ecb571baec1624ed9112cc55c3386bf86a26b46471cd5d97b6150d",
	  "1a05d091495aa39e51b424de0846530869e0eb1abb8049d495c5654363edd992" },
	{ "100%.txt", "d59f36e7e21675ab3a9c313cfeebb8793bbfdc3edd7b6a1e1ed973d003415e6d",
	  "a525df43483abb7f0764ef880488f079d18a24bffee90144149275d018dab0da",
	  "74ccd707a66e294fc00c9b71c55f2aca628234873ec72641bff804274a24aba9" },
	{ "~user/x.txt", "5e6a6b1dd0f7802bfe19c6250f67e558c0245839bbc9878e8193ffbb6a7247e8",
	  "b1c780473f0ad06ab4529874d8017c1a96f5d3235e604b80074df5d11329f1a1",
	  "8341880dbf4cc0af27508eb61646f9c2909f671a0ad66697c6fbbb2ea9793678" },
	{ "caf\xc3""\xa9"".pdf", "3e2f3bf1457bc17a98c7610fcc639d9713093882f2fe179655701aa73a138eaa",
	  "a4bfbadadd2b9386fcc15b6de09644ed3dcb5471bda33b0721b349b681a70c04",
	  "ccb72a74e5d806797f1fd351eb428ee4a6fc32c570acd31eb5a236465cf4a0fa" },
	{ "\xe6""\x97""\xa5""\xe6""\x9c""\xac""/\xe5""\xa0""\xb1""\xe5""\x91""\x8a"".xlsx", "5cf30bb05dc29c9020ca22f4b0aa7f77d7ed0895f6a34904f053335b81f6ddec",
	  "e96130c438d9f2a2b54e1df84420af562166cd19e21818b3d19606f825fbed33",
	  "b884e9fd56bdaed9dca263046660ada8add65fe63023acdf5913d37021ff0cd6" },
	{ "a/b/c.txt", "18dd402e32ff4cce3343c171ec90665d62bd4e3f6950049d7d9d0ea5632f942f",
	  "e863c58b4a1c2d54ff17e5fd1041611027be771fc2f659344287a6f7d00515ed",
	  "0a066452ebb5af4a4ee46b431e4bde4dd1fbe46fe8b1850afdc154264eff41c5" },
	{ "a=b&c.txt", "d662a1d06935cfcfb68400b5a2f92b09ed4bcee6561e07af7036ed37e3a3124d",
	  "39f67ec0f35616ace4570e66eb5fe12dfcb95b0ac93642e1cf2f4e6b6fadea57",
	  "9b04f3118052774ca13119314822a8c1642bcb68b0aa323db620b9f01ba4f268" },
	{ "it's (1)!*.txt", "543e566d500faaf1aeed01ed75ea812bb226d46017a6d0232e0acb2895ce0162",
	  "3401fe33d710deb0e0e8632e1e3218b69577b010f4cfc65a08992a733655e028",
	  "45690101e0755ec75ac49783e4a95390410110140e6a07ef47e10a358055a3e8" },
};

static const char *sig_of(const char *s)
{
	const char *p = strstr(s, "Signature=");

	return p != NULL ? p + 10 : "";
}

/* S3 documentation, GetObject with Range, signed in the header. */
static void test_aws_get_example(void)
{
	const struct sigv4_creds c = { AKID, SECRET, NULL };
	struct sigv4_req r = { .method = "GET", .host = "examplebucket.s3.amazonaws.com",
			       .path = "/test.txt", .region = "us-east-1", .service = "s3",
			       .when = WHEN };
	char date[17];
	buf_t auth;

	r.headers[0] = (struct sigv4_kv){ "range", "bytes=0-9" };
	r.n_headers = 1;
	buf_init(&auth, 1024);
	ok(sigv4_sign(&r, &c, &auth, date) == 0, "AWS GetObject example signs");
	is_str(date, "20130524T000000Z", "x-amz-date");
	is_str(buf_str(&auth),
	       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
	       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
	       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
	       "AWS GetObject example: Authorization header");
	buf_free(&auth);
}

/* S3 documentation, presigned GET of test.txt for 86400 s. */
static void test_aws_presign_example(void)
{
	const struct sigv4_creds c = { AKID, SECRET, NULL };
	const struct sigv4_req r = { .method = "GET", .host = "examplebucket.s3.amazonaws.com",
				     .path = "/test.txt", .region = "us-east-1", .service = "s3",
				     .when = WHEN };
	buf_t q;

	buf_init(&q, 4096);
	ok(sigv4_presign(&r, &c, 86400, &q) == 0, "AWS presigned example signs");
	is_str(buf_str(&q),
	       "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524"
	       "%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
	       "&X-Amz-SignedHeaders=host&X-Amz-Signature="
	       "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
	       "AWS presigned example: query string");
	buf_reset(&q);
	ok(sigv4_presign(&r, &c, 604801, &q) != 0 && sigv4_presign(&r, &c, 0, &q) != 0,
	   "X-Amz-Expires outside 1..604800 refused");
	buf_free(&q);
}

static void test_vector(const struct vector *v)
{
	const struct sigv4_creds plain = { AKID, SECRET, NULL };
	const struct sigv4_creds session = { AKID, SECRET, "SESSIONTOKEN/with+chars=" };
	char path[512], disp[512], date[17];
	const char *last = strrchr(v->key, '/') != NULL ? strrchr(v->key, '/') + 1 : v->key;
	struct sigv4_req r = { .method = "GET", .host = "127.0.0.1:7480", .path = path,
			       .region = "eu-west-1", .service = "s3", .when = WHEN };
	buf_t a, enc;

	snprintf(path, sizeof(path), "/bucket/%s", v->key);
	buf_init(&a, 4096);
	buf_init(&enc, 1024);
	ok(sigv4_sign(&r, &plain, &a, date) == 0 && strcmp(sig_of(buf_str(&a)), v->sig_plain) == 0,
	   "header signature, key '%s'", v->key);
	buf_reset(&a);
	ok(sigv4_sign(&r, &session, &a, date) == 0 && strcmp(sig_of(buf_str(&a)), v->sig_session) == 0 &&
		   strstr(buf_str(&a), "x-amz-security-token") != NULL,
	   "header signature with a session token, key '%s'", v->key);
	buf_reset(&a);
	sigv4_uri_encode(last, strlen(last), 0, &enc);
	snprintf(disp, sizeof(disp), "attachment; filename*=UTF-8''%s", buf_str(&enc));
	r.query[0] = (struct sigv4_kv){ "response-content-disposition", disp };
	r.n_query = 1;
	ok(sigv4_presign(&r, &plain, 300, &a) == 0 &&
		   strcmp(strstr(buf_str(&a), "X-Amz-Signature=") + 16, v->sig_presign) == 0,
	   "presigned signature, key '%s'", v->key);
	buf_free(&a);
	buf_free(&enc);
}

static void test_encode(void)
{
	buf_t b;

	buf_init(&b, 256);
	sigv4_uri_encode("/a b/+%~é", strlen("/a b/+%~é"), 1, &b);
	is_str(buf_str(&b), "/a%20b/%2B%25~%C3%A9", "path encoding keeps '/' and '~', upper-case hex");
	buf_reset(&b);
	sigv4_uri_encode("a/b", 3, 0, &b);
	is_str(buf_str(&b), "a%2Fb", "query encoding encodes '/'");
	buf_free(&b);
}

int main(void)
{
	size_t i;

	test_encode();
	test_aws_get_example();
	test_aws_presign_example();
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		test_vector(&vectors[i]);
	return tap_done();
}
