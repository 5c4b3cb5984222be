#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "aws/creds.h"
#include "util/fetch.h"
#include "util/log.h"

#define CREDS_FIELD_MAX 256
#define CREDS_TOKEN_MAX 4096
#define CREDS_REFRESH_AHEAD 300 /* seconds before expiry */
#define CREDS_IMDS_DEFAULT "http://169.254.169.254"
#define CREDS_ECS_HOST "http://169.254.170.2"

struct creds_state {
	enum creds_source source;
	char profile[128];
	char file[1024];
	char access_key[CREDS_FIELD_MAX];
	char secret_key[CREDS_FIELD_MAX];
	char session_token[CREDS_TOKEN_MAX];
	int have;
	time_t expires; /* 0: never */
	time_t last_try;
	const struct conf *c;
};

static struct creds_state cs;

static const char *creds_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static int creds_copy(char *dst, size_t cap, const char *v)
{
	size_t n = v != NULL ? strlen(v) : 0;

	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

static int creds_from_env(char *err, size_t errlen)
{
	const char *tok = creds_env("AWS_SESSION_TOKEN");
	int rc = -1;

	if (creds_copy(cs.access_key, sizeof(cs.access_key), creds_env("AWS_ACCESS_KEY_ID")) != 0 ||
	    creds_copy(cs.secret_key, sizeof(cs.secret_key), creds_env("AWS_SECRET_ACCESS_KEY")) != 0 ||
	    (tok != NULL && creds_copy(cs.session_token, sizeof(cs.session_token), tok) != 0)) {
		snprintf(err, errlen, "credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
			 "must both be set");
		goto out;
	}
	cs.have = 1;
	rc = 0;
out:
	return rc;
}

static char *creds_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* One line of the INI file inside the wanted profile. */
static void creds_file_kv(char *line)
{
	char *eq = strchr(line, '='), *k, *v;

	if (eq == NULL)
		return;
	*eq = '\0';
	k = creds_trim(line);
	v = creds_trim(eq + 1);
	if (strcmp(k, "aws_access_key_id") == 0)
		creds_copy(cs.access_key, sizeof(cs.access_key), v);
	else if (strcmp(k, "aws_secret_access_key") == 0)
		creds_copy(cs.secret_key, sizeof(cs.secret_key), v);
	else if (strcmp(k, "aws_session_token") == 0)
		creds_copy(cs.session_token, sizeof(cs.session_token), v);
}

static int creds_from_file(char *err, size_t errlen)
{
	char line[CREDS_TOKEN_MAX + 64], want[160];
	FILE *fp = fopen(cs.file, "r");
	int in = 0, rc = -1;

	snprintf(want, sizeof(want), "[%s]", cs.profile);
	if (fp == NULL) {
		snprintf(err, errlen, "credentials: cannot open %s", cs.file);
		goto out;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = creds_trim(line);

		if (*s == '[')
			in = strcmp(s, want) == 0;
		else if (in && *s != '#' && *s != ';')
			creds_file_kv(s);
	}
	fclose(fp);
	if (cs.access_key[0] == '\0' || cs.secret_key[0] == '\0') {
		snprintf(err, errlen, "credentials: profile %s in %s has no aws_access_key_id and "
			 "aws_secret_access_key", cs.profile, cs.file);
		goto out;
	}
	cs.have = 1;
	rc = 0;
out:
	return rc;
}

/* 1 when the shared credentials file is the source: it exists and holds
 * the profile (an explicitly named profile must be there). */
static int creds_file_path(int *explicit_profile)
{
	const char *f = creds_env("AWS_SHARED_CREDENTIALS_FILE"), *home = creds_env("HOME");
	int n = f != NULL ? snprintf(cs.file, sizeof(cs.file), "%s", f)
			  : snprintf(cs.file, sizeof(cs.file), "%s/.aws/credentials",
				     home != NULL ? home : "/nonexistent");

	*explicit_profile = creds_env("AWS_PROFILE") != NULL;
	snprintf(cs.profile, sizeof(cs.profile), "%s",
		 *explicit_profile ? creds_env("AWS_PROFILE") : "default");
	return n > 0 && (size_t)n < sizeof(cs.file) && access(cs.file, R_OK) == 0;
}

/* ECS: plain http only to the container agent's own addresses or loopback,
 * as the AWS SDKs allow; https anywhere. */
static int creds_full_uri_ok(const char *u)
{
	static const char *const ok[] = { "http://127.", "http://localhost:", "http://localhost/",
		"http://[::1]", "http://169.254.170.2:", "http://169.254.170.2/",
		"http://169.254.170.23:", "http://169.254.170.23/", "http://[fd00:ec2::23]", NULL };
	size_t i;
	int good = strncmp(u, "https://", 8) == 0;

	for (i = 0; ok[i] != NULL && !good; i++)
		good = strncmp(u, ok[i], strlen(ok[i])) == 0;
	return good;
}

int creds_init(const struct conf *c, char *err, size_t errlen)
{
	const char *full = creds_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	int rc = 0, explicit_profile = 0;

	memset(&cs, 0, sizeof(cs));
	cs.c = c;
	if (creds_env("AWS_ACCESS_KEY_ID") != NULL || creds_env("AWS_SECRET_ACCESS_KEY") != NULL) {
		cs.source = CREDS_ENV;
		rc = creds_from_env(err, errlen);
	} else if (creds_file_path(&explicit_profile) &&
		   (creds_from_file(err, errlen) == 0 || explicit_profile)) {
		/* a file without the default profile is passed over, as the SDKs do */
		cs.source = CREDS_FILE;
		rc = cs.have ? 0 : -1;
	} else if (full != NULL && creds_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == NULL &&
		   !creds_full_uri_ok(full)) {
		snprintf(err, errlen, "credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, "
			 "or http to loopback or the container agent's address");
		rc = -1;
	} else if (creds_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != NULL ||
		   creds_env("AWS_CONTAINER_CREDENTIALS_FULL_URI") != NULL) {
		cs.source = CREDS_ECS;
	} else if (creds_env("AWS_EC2_METADATA_DISABLED") == NULL ||
		   strcasecmp(creds_env("AWS_EC2_METADATA_DISABLED"), "true") != 0) {
		cs.source = CREDS_IMDS;
	}
	return rc;
}

/* ISO 8601 "2026-11-25T18:00:00Z" (also with fractional seconds). */
static time_t creds_parse_time(const char *s)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	return end != NULL ? timegm(&tm) : 0;
}

/* The JSON both the ECS and the EC2 endpoints answer with; the cached
 * credentials change only when every field of the answer is good. */
static int creds_from_json(const buf_t *b, char *err, size_t errlen)
{
	static char ak_new[CREDS_FIELD_MAX], sk_new[CREDS_FIELD_MAX], tk_new[CREDS_TOKEN_MAX];
	cJSON *j = cJSON_ParseWithLength(b->ptr, b->len);
	const cJSON *ak = cJSON_GetObjectItemCaseSensitive(j, "AccessKeyId");
	const cJSON *sk = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey");
	const cJSON *tk = cJSON_GetObjectItemCaseSensitive(j, "Token");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "Expiration");
	time_t expires = 0;
	int rc = -1;

	tk_new[0] = '\0';
	if (!cJSON_IsString(ak) || !cJSON_IsString(sk) ||
	    creds_copy(ak_new, sizeof(ak_new), ak->valuestring) != 0 ||
	    creds_copy(sk_new, sizeof(sk_new), sk->valuestring) != 0 ||
	    (tk != NULL && (!cJSON_IsString(tk) ||
			    creds_copy(tk_new, sizeof(tk_new), tk->valuestring) != 0))) {
		snprintf(err, errlen, "credentials endpoint: answer without usable keys");
		goto out;
	}
	if (ex != NULL && (!cJSON_IsString(ex) || (expires = creds_parse_time(ex->valuestring)) == 0)) {
		snprintf(err, errlen, "credentials endpoint: unreadable Expiration");
		goto out;
	}
	memcpy(cs.access_key, ak_new, sizeof(ak_new));
	memcpy(cs.secret_key, sk_new, sizeof(sk_new));
	memcpy(cs.session_token, tk_new, sizeof(tk_new));
	cs.expires = expires;
	cs.have = 1;
	rc = 0;
out:
	OPENSSL_cleanse(sk_new, sizeof(sk_new));
	OPENSSL_cleanse(tk_new, sizeof(tk_new));
	cJSON_Delete(j);
	return rc;
}

static int creds_http(const char *method, const char *url, const char *const *hdrs, buf_t *b,
		      char *err, size_t errlen)
{
	struct fetch_opts o = { cs.c->http_timeout, cs.c->http_connect_timeout };
	char sub[192];
	long status = 0;
	int rc = fetch_request(method, url, hdrs, NULL, &o, b, &status, sub, sizeof(sub));

	if (rc != 0)
		snprintf(err, errlen, "credentials endpoint: %s", sub);
	else if (status != 200) {
		snprintf(err, errlen, "credentials endpoint answered HTTP %ld", status);
		rc = -1;
	}
	return rc;
}

static int creds_fetch_ecs(char *err, size_t errlen)
{
	const char *rel = creds_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *tok = creds_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char url[2048], auth[CREDS_TOKEN_MAX];
	const char *hdrs[2] = { NULL, NULL };
	buf_t b;
	int rc;

	buf_init(&b, 65536);
	snprintf(url, sizeof(url), "%s%s", rel != NULL ? CREDS_ECS_HOST : "",
		 rel != NULL ? rel : creds_env("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
	if (tok != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: %s", tok);
		hdrs[0] = auth;
	}
	rc = creds_http("GET", url, hdrs, &b, err, errlen);
	if (rc == 0)
		rc = creds_from_json(&b, err, errlen);
	OPENSSL_cleanse(auth, sizeof(auth));
	buf_free(&b);
	return rc;
}

/* IMDSv2: a session token by PUT, then the role's name, then its credentials. */
static int creds_fetch_imds(char *err, size_t errlen)
{
	const char *base = creds_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *put_hdrs[] = { "X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL };
	char url[2048], tokhdr[512], role[256];
	const char *hdrs[] = { tokhdr, NULL };
	size_t blen;
	buf_t b;
	int rc;

	buf_init(&b, 65536);
	if (base == NULL)
		base = CREDS_IMDS_DEFAULT;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	snprintf(url, sizeof(url), "%.*s/latest/api/token", (int)blen, base);
	rc = creds_http("PUT", url, put_hdrs, &b, err, errlen);
	if (rc == 0 && (b.len == 0 || b.len > 400 || strpbrk(b.ptr, "\r\n") != NULL)) {
		snprintf(err, errlen, "instance metadata answered a malformed token");
		rc = -1;
	}
	if (rc == 0) {
		snprintf(tokhdr, sizeof(tokhdr), "X-aws-ec2-metadata-token: %s", b.ptr);
		buf_reset(&b);
		snprintf(url, sizeof(url), "%.*s/latest/meta-data/iam/security-credentials/",
			 (int)blen, base);
		rc = creds_http("GET", url, hdrs, &b, err, errlen);
	}
	if (rc == 0) {
		snprintf(role, sizeof(role), "%.*s", (int)strcspn(buf_str(&b), "\r\n"), buf_str(&b));
		if (role[0] == '\0' || strchr(role, '/') != NULL) {
			snprintf(err, errlen, "instance metadata names no role");
			rc = -1;
		}
	}
	if (rc == 0) {
		buf_reset(&b);
		snprintf(url, sizeof(url), "%.*s/latest/meta-data/iam/security-credentials/%s",
			 (int)blen, base, role);
		rc = creds_http("GET", url, hdrs, &b, err, errlen);
	}
	if (rc == 0)
		rc = creds_from_json(&b, err, errlen);
	OPENSSL_cleanse(tokhdr, sizeof(tokhdr));
	buf_free(&b);
	return rc;
}

static int creds_refresh(time_t now, char *err, size_t errlen)
{
	int rc = -1;

	cs.last_try = now;
	if (cs.source == CREDS_ECS)
		rc = creds_fetch_ecs(err, errlen);
	else if (cs.source == CREDS_IMDS)
		rc = creds_fetch_imds(err, errlen);
	else
		snprintf(err, errlen, "no AWS credentials found (environment, shared file, "
			 "container or instance metadata)");
	if (rc == 0)
		log_msg(LOGL_INFO, "credentials: obtained from %s%s",
			cs.source == CREDS_ECS ? "the container endpoint" : "instance metadata",
			cs.expires ? ", refreshed before they expire" : "");
	return rc;
}

int creds_get(struct sigv4_creds *out, time_t now, char *err, size_t errlen)
{
	int rc = 0;
	int stale = !cs.have || (cs.expires != 0 && now >= cs.expires - CREDS_REFRESH_AHEAD);

	/* a failing endpoint is asked at most every 5 s; unexpired keys keep working */
	if (stale && (cs.source == CREDS_ECS || cs.source == CREDS_IMDS) &&
	    (!cs.have || now - cs.last_try >= 5)) {
		rc = creds_refresh(now, err, errlen);
		if (rc != 0 && cs.have && (cs.expires == 0 || now < cs.expires)) {
			log_msg(LOGL_WARN, "%s; using the cached credentials until they expire", err);
			rc = 0;
		}
	}
	if (rc == 0 && (!cs.have || (cs.expires != 0 && now >= cs.expires))) {
		if (cs.have)
			snprintf(err, errlen, "credentials expired and could not be refreshed");
		else if (cs.source == CREDS_NONE)
			snprintf(err, errlen, "no AWS credentials found");
		rc = -1;
	}
	if (rc == 0) {
		out->access_key = cs.access_key;
		out->secret_key = cs.secret_key;
		out->session_token = cs.session_token[0] != '\0' ? cs.session_token : NULL;
	}
	return rc;
}

const char *creds_describe(char *dst, size_t cap)
{
	switch (cs.source) {
	case CREDS_ENV:
		snprintf(dst, cap, "environment (AWS_ACCESS_KEY_ID %.4s…%s)", cs.access_key,
			 cs.session_token[0] ? ", with a session token" : "");
		break;
	case CREDS_FILE:
		snprintf(dst, cap, "shared credentials file %s, profile %s", cs.file, cs.profile);
		break;
	case CREDS_ECS:
		snprintf(dst, cap, "container credentials endpoint");
		break;
	case CREDS_IMDS:
		snprintf(dst, cap, "EC2 instance metadata (IMDSv2)");
		break;
	default:
		snprintf(dst, cap, "none found");
		break;
	}
	return dst;
}

void creds_cleanup(void)
{
	OPENSSL_cleanse(&cs, sizeof(cs));
}
