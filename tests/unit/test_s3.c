/* Object keys, Content-Disposition, the extension table and presigned URL
 * shapes (path-style and virtual-hosted, key prefix). */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "aws/s3.h"
#include "http/response.h"
#include "tap.h"
#include "util/mime.h"

static void key_ok(const char *k, const char *what)
{
	ok(s3_key_ok(k) == 0, "key accepted: %s", what);
}

static void key_bad(const char *k, const char *what)
{
	ok(s3_key_ok(k) != 0, "key refused: %s", what);
}

static void test_keys(void)
{
	char big[S3_KEY_MAX + 2];

	key_ok("report.pdf", "plain");
	key_ok("a/b/c.txt", "nested folders");
	key_ok("a b+c%d~e=f&g.txt", "space + % ~ = &");
	key_ok("caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.pdf", "UTF-8");
	key_ok(".hidden/..x/x..", "dots inside segments");
	key_bad("", "empty");
	key_bad("/etc/passwd", "leading /");
	key_bad("a//b", "empty segment");
	key_bad("a/", "trailing /");
	key_bad("a/./b", ". segment");
	key_bad("a/../b", ".. segment");
	key_bad("..", ".. alone");
	key_bad("a\nb", "newline");
	key_bad("a\x01", "control character");
	key_bad("a\x7f", "DEL");
	key_bad("a\xc2\x85", "C1 control (NEL)");
	key_bad("a\xff", "invalid UTF-8");
	key_bad("a\xc0\xaf", "overlong UTF-8");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	key_bad(big, "1025 bytes");
	big[S3_KEY_MAX] = '\0';
	key_ok(big, "1024 bytes");
}

static void disp(const char *type, const char *name, const char *want)
{
	buf_t b;

	buf_init(&b, 4096);
	ok(resp_disposition(&b, type, name) == 0 && strcmp(buf_str(&b), want) == 0,
	   "Content-Disposition for '%s': %s", name, buf_str(&b));
	buf_free(&b);
}

static void test_disposition(void)
{
	disp("attachment", "report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
	disp("inline", "a b.txt", "inline; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt");
	disp("attachment", "caf\xc3\xa9.pdf",
	     "attachment; filename=\"caf_.pdf\"; filename*=UTF-8''caf%C3%A9.pdf");
	disp("attachment", "say \"hi\"\\;.txt",
	     "attachment; filename=\"say _hi__;.txt\"; filename*=UTF-8''say%20%22hi%22%5C%3B.txt");
	disp("attachment", "100%'x*.txt",
	     "attachment; filename=\"100%'x*.txt\"; filename*=UTF-8''100%25%27x%2A.txt");
}

static void test_mime(void)
{
	is_str(mime_for("a.pdf"), "application/pdf", "pdf");
	is_str(mime_for("A.PDF"), "application/pdf", "extension case-insensitive");
	is_str(mime_for("x.docx"),
	       "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx");
	is_str(mime_for("x.xlsx"),
	       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");
	is_str(mime_for("x.7z"), "application/x-7z-compressed", "7z");
	is_str(mime_for("x.jpeg"), "image/jpeg", "jpeg");
	ok(mime_for("noext") == NULL && mime_for("x.unknownext") == NULL, "unknown: NULL");
}

static int presign(const char *endpoint, const char *path_style, const char *prefix, buf_t *url)
{
	struct conf c;
	char err[256];
	int rc;

	setenv("S3GATE_S3_ENDPOINT", endpoint, 1);
	setenv("S3GATE_S3_PATH_STYLE", path_style, 1);
	setenv("S3GATE_KEY_PREFIX", prefix, 1);
	rc = conf_load(&c, "/dev/null", err, sizeof(err)) || s3_init(&c, err, sizeof(err)) ||
	     s3_presign("a b/c.pdf", 60, 1369353600, NULL, NULL, url, err, sizeof(err));
	s3_cleanup();
	conf_free(&c);
	return rc;
}

static void test_presign_shapes(void)
{
	buf_t u;

	setenv("S3GATE_ISSUER", "https://issuer.example/pool", 1);
	setenv("S3GATE_CLIENT_ID", "client1", 1);
	setenv("S3GATE_BUCKET", "docs", 1);
	setenv("S3GATE_REGION", "us-east-1", 1);
	setenv("S3GATE_FLOW", "none", 1);
	setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1);
	unsetenv("AWS_SESSION_TOKEN");
	buf_init(&u, 8192);
	ok(presign("https://s3.us-east-1.amazonaws.com", "false", "", &u) == 0 &&
		   strncmp(buf_str(&u), "https://docs.s3.us-east-1.amazonaws.com/a%20b/c.pdf?X-Amz-", 58) == 0,
	   "virtual-hosted URL: %.70s", buf_str(&u));
	buf_reset(&u);
	ok(presign("http://127.0.0.1:7480", "true", "team/", &u) == 0 &&
		   strncmp(buf_str(&u), "http://127.0.0.1:7480/docs/team/a%20b/c.pdf?X-Amz-", 50) == 0 &&
		   strstr(buf_str(&u), "X-Amz-Expires=60&") != NULL &&
		   strstr(buf_str(&u), "wJalrXUtnFEMI") == NULL,
	   "path-style URL with the key prefix, no secret: %.70s", buf_str(&u));
	buf_free(&u);
}

int main(void)
{
	test_keys();
	test_disposition();
	test_mime();
	test_presign_shapes();
	return tap_done();
}
