/* s3gate: start-up, the FastCGI or CGI request loop, and the subcommands. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/uio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "auth/token.h"
#include "aws/creds.h"
#include "auth/oidc.h"
#include "auth/session.h"
#include "aws/s3.h"
#include "policy/audit.h"
#include "policy/policy.h"
#include "conf.h"
#include "util/buf.h"
#include "util/fetch.h"
#include "util/log.h"

#define EXIT_REFUSED 1
#define EXIT_CONFIG 2

static const char main_usage[] =
	"Usage: s3gate [--config FILE] [COMMAND]\n"
	"\n"
	"Without a command, serves FastCGI when started by a FastCGI server and\n"
	"one CGI request when run as a CGI program.\n"
	"\n"
	"Commands:\n"
	"  check-config   validate the configuration and print it, secrets masked\n"
	"  check-token    validate the token on standard input; print its claims\n"
	"  check-access CLAIMS-JSON KEY\n"
	"                 explain which rule lets the user with these token claims\n"
	"                 fetch KEY, or not (exit 0 allowed, 1 denied)\n"
	"  presign KEY [--expires SECONDS]\n"
	"                 print a presigned GET URL for KEY (default: presign_expires)\n"
	"\n"
	"Options:\n"
	"  --config FILE  configuration file (default: $S3GATE_CONFIG, then\n"
	"                 " SYSCONFDIR "/s3gate.conf); S3GATE_<KEY> variables win\n"
	"  --help         this text\n"
	"  --version      the version\n"
	"\n"
	"Exit status: 0 success, 1 token refused, 2 configuration or usage error.\n";

/* SIGHUP reopens the audit log; SA_RESTART keeps accept() going. */
static void main_on_hup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = audit_hup;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
}

static int main_setup(struct conf *c, const char *path)
{
	char err[CONF_ERR_MAX];
	int rc = -1;

	if (conf_load(c, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "s3gate: configuration: %s\n", err);
		goto out;
	}
	log_set_level((enum log_level)c->log_level);
	if (fetch_global_init() != 0) {
		fprintf(stderr, "s3gate: cannot initialise libcurl\n");
		goto out;
	}
	if (token_init(c, err, sizeof(err)) != 0 || s3_init(c, err, sizeof(err)) != 0 ||
	    policy_init(c, err, sizeof(err)) != 0 || audit_init(c->audit_log, err, sizeof(err)) != 0 ||
	    oidc_init(c, err, sizeof(err)) != 0) {
		fprintf(stderr, "s3gate: configuration: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static const char *main_fcgi_getenv(void *ctx, const char *name)
{
	return FCGX_GetParam(name, (FCGX_ParamArray)ctx);
}

/* Writes all n bytes of iov to fd, resuming after partial writes. */
static int main_writev_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t w = writev(fd, iov, cnt);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Large bodies bypass libfcgi's fixed 8 KiB stream buffer: after a flush,
 * each chunk goes out as FastCGI STDOUT records of up to 64 KiB written
 * straight from the caller's buffer (FastCGI 1.0 §3.3, §5.3). */
static int main_fcgi_write(void *ctx, const char *p, size_t n)
{
	FCGX_Request *rq = ctx;
	int rc = 0;

	if (n < 16384)
		return FCGX_PutStr(p, (int)n, rq->out) == (int)n ? 0 : -1;
	if (FCGX_FFlush(rq->out) != 0)
		return -1;
	while (n > 0 && rc == 0) {
		size_t len = n > 65535 ? 65535 : n;
		unsigned char h[8] = { 1, 6, (unsigned char)(rq->requestId >> 8),
				       (unsigned char)(rq->requestId & 0xff), (unsigned char)(len >> 8),
				       (unsigned char)(len & 0xff), 0, 0 };
		struct iovec iov[2] = { { h, 8 }, { (void *)p, len } };

		rc = main_writev_all(rq->ipcFd, iov, 2);
		p += len;
		n -= len;
	}
	return rc;
}

static size_t main_fcgi_read(void *ctx, char *p, size_t n)
{
	int got = FCGX_GetStr(p, n > 65536 ? 65536 : (int)n, (FCGX_Stream *)ctx);

	return got > 0 ? (size_t)got : 0;
}

static size_t main_cgi_read(void *ctx, char *p, size_t n)
{
	return fread(p, 1, n, (FILE *)ctx);
}

static const char *main_cgi_getenv(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static int main_cgi_write(void *ctx, const char *p, size_t n)
{
	return fwrite(p, 1, n, (FILE *)ctx) == n ? 0 : -1;
}

static int main_serve(const struct conf *c)
{
	FCGX_Request rq;
	struct resp_out out;
	struct req_in in;

	if (FCGX_IsCGI()) {
		out.write = main_cgi_write;
		out.ctx = stdout;
		in.read = main_cgi_read;
		in.ctx = stdin;
		app_handle(c, main_cgi_getenv, NULL, &in, &out);
		fflush(stdout);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0) {
		fprintf(stderr, "s3gate: cannot initialise FastCGI\n");
		return EXIT_FAILURE;
	}
	log_msg(LOGL_INFO, "serving FastCGI");
	out.write = main_fcgi_write;
	in.read = main_fcgi_read;
	while (FCGX_Accept_r(&rq) >= 0) {
		out.ctx = &rq;
		in.ctx = rq.in;
		app_handle(c, main_fcgi_getenv, rq.envp, &in, &out);
		FCGX_Finish_r(&rq);
	}
	return 0;
}

static int main_check_config(const struct conf *c)
{
	char src[512];

	conf_print(c, stdout);
	printf("# credentials: %s\n", creds_describe(src, sizeof(src)));
	return 0;
}

static int main_read_stdin(buf_t *b)
{
	char chunk[4096];
	size_t n;
	int rc = 0;

	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		rc = buf_add(b, chunk, n);
	return rc;
}

static int main_check_token(void)
{
	struct jwt_identity id;
	cJSON *claims = NULL;
	const char *tok = NULL;
	char *text = NULL;
	size_t len = 0;
	buf_t in;
	jwt_err e = JWT_E_SIZE;
	struct timespec ts;

	buf_init(&in, JWT_TOKEN_MAX + 64);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (main_read_stdin(&in) == 0) {
		while (in.len > 0 && strchr("\r\n", in.ptr[in.len - 1]) != NULL)
			in.ptr[--in.len] = '\0';
		e = token_from_header(buf_str(&in), &tok, &len);
	}
	if (e == JWT_OK)
		e = token_verify(tok, len, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, &id,
				 &claims);
	if (e == JWT_OK && (text = cJSON_Print(claims)) != NULL)
		printf("%s\n", text);
	else
		fprintf(stderr, "s3gate: token refused: %s\n", jwt_strerror(e));
	cJSON_free(text);
	cJSON_Delete(claims);
	buf_free(&in);
	return e == JWT_OK ? 0 : EXIT_REFUSED;
}

/* s3gate check-access CLAIMS-JSON KEY: the decision and the rule behind it. */
static int main_check_access(const char *claims, const char *key)
{
	struct jwt_identity id;
	struct rules_decision d;
	cJSON *j = claims != NULL ? cJSON_Parse(claims) : NULL;
	int rc = EXIT_CONFIG;

	if (!cJSON_IsObject(j) || jwt_identity_from(j, &id) != JWT_OK || key == NULL) {
		fprintf(stderr, "s3gate: check-access: expected a JSON object of token claims "
			"with at least \"sub\", then a key\n");
		goto out;
	}
	id.claims_ok = rules_claims_ok(policy_rules(), j);
	if (s3_key_ok(key) != 0) {
		printf("denied: the key is not a valid file name\n");
		rc = EXIT_REFUSED;
		goto out;
	}
	policy_decide(&id, key, &d);
	printf("%s: %s\n", d.allowed ? "allowed" : "denied", d.reason);
	rc = d.allowed ? 0 : EXIT_REFUSED;
out:
	cJSON_Delete(j);
	return rc;
}

/* s3gate presign KEY [--expires N]: for scripts and operators. */
static int main_presign(const struct conf *c, const char *key, const char *expires)
{
	char why[256] = "", *end = NULL;
	long exp = c->presign_expires;
	buf_t url;
	int rc = EXIT_REFUSED;

	buf_init(&url, 65536);
	if (expires != NULL) {
		exp = strtol(expires, &end, 10);
		if (end == expires || *end != '\0' || exp < 1 || exp > 604800) {
			fprintf(stderr, "s3gate: --expires: must be a whole number from 1 to 604800\n");
			rc = EXIT_CONFIG;
			goto out;
		}
	}
	if (key == NULL || s3_key_ok(key) != 0) {
		fprintf(stderr, "s3gate: presign: KEY must be 1 to 1024 bytes of UTF-8 without "
			"control characters, a leading '/' or empty, '.' or '..' segments\n");
		goto out;
	}
	if (s3_presign(key, exp, time(NULL), NULL, NULL, &url, why, sizeof(why)) != 0) {
		fprintf(stderr, "s3gate: presign: %s\n", why);
		goto out;
	}
	printf("%s\n", buf_str(&url));
	rc = 0;
out:
	buf_free(&url);
	return rc;
}

int main(int argc, char **argv)
{
	struct conf c;
	const char *path = NULL, *cmd = NULL, *arg = NULL, *arg2 = NULL, *expires = NULL;
	int i, rc = EXIT_CONFIG;

	signal(SIGPIPE, SIG_IGN);
	main_on_hup();
	memset(&c, 0, sizeof(c));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(main_usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--expires") == 0 && i + 1 < argc) {
			expires = argv[++i];
		} else if (cmd == NULL && argv[i][0] != '-') {
			cmd = argv[i];
		} else if (arg == NULL && cmd != NULL &&
			   (strcmp(cmd, "presign") == 0 || strcmp(cmd, "check-access") == 0)) {
			arg = argv[i];
		} else if (arg2 == NULL && cmd != NULL && strcmp(cmd, "check-access") == 0) {
			arg2 = argv[i];
		} else {
			fprintf(stderr, "s3gate: unexpected argument '%s' (see --help)\n", argv[i]);
			return EXIT_CONFIG;
		}
	}
	if (cmd != NULL && strcmp(cmd, "check-config") != 0 && strcmp(cmd, "check-token") != 0 &&
	    strcmp(cmd, "presign") != 0 && strcmp(cmd, "check-access") != 0) {
		fprintf(stderr, "s3gate: unknown command '%s' (see --help)\n", cmd);
		return EXIT_CONFIG;
	}
	if (main_setup(&c, path) != 0)
		goto out;
	if (cmd == NULL)
		rc = main_serve(&c);
	else if (strcmp(cmd, "check-config") == 0)
		rc = main_check_config(&c);
	else if (strcmp(cmd, "presign") == 0)
		rc = main_presign(&c, arg, expires);
	else if (strcmp(cmd, "check-access") == 0)
		rc = main_check_access(arg, arg2);
	else
		rc = main_check_token();
out:
	session_cleanup();
	audit_cleanup();
	s3_cleanup();
	token_cleanup();
	fetch_global_cleanup();
	conf_free(&c);
	return rc;
}
