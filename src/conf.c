#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "util/buf.h"

#define CONF_LINE_MAX 4096
#define CONF_VALUE_MAX 2048

enum conf_type { CONF_T_STR, CONF_T_URL, CONF_T_PATH, CONF_T_INT, CONF_T_ENUM, CONF_T_BOOL,
		 CONF_T_LIST };

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t off;
	long min, max;         /* CONF_T_INT range, CONF_T_STR length */
	const char *def;       /* NULL: no default */
	const char *charset;   /* CONF_T_STR: allowed characters */
	const char *const *names; /* CONF_T_ENUM */
	int secret;
};

static const char *const conf_token_uses[] = { "id", "access", "any", NULL };
static const char *const conf_log_levels[] = { "error", "warn", "info", "debug", NULL };
static const char *const conf_bools[] = { "false", "true", NULL };
static const char *const conf_flows[] = { "code", "implicit", "none", NULL };

#define CONF_LOWER "abcdefghijklmnopqrstuvwxyz"
#define CONF_UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define CONF_DIGIT "0123456789"
#define CONF_ID CONF_LOWER CONF_UPPER CONF_DIGIT "._-"
#define O(f) offsetof(struct conf, f)

static const struct conf_key conf_keys[] = {
	{ "region", CONF_T_STR, O(region), 1, 64, NULL, CONF_LOWER CONF_DIGIT "-", NULL, 0 },
	{ "user_pool_id", CONF_T_STR, O(user_pool_id), 1, 128, NULL, CONF_ID, NULL, 0 },
	{ "client_id", CONF_T_STR, O(client_id), 1, 1024, NULL, CONF_ID ",", NULL, 0 },
	{ "issuer", CONF_T_URL, O(issuer), 0, 0, NULL, NULL, NULL, 0 },
	{ "jwks_url", CONF_T_URL, O(jwks_url), 0, 0, NULL, NULL, NULL, 0 },
	{ "token_use", CONF_T_ENUM, O(token_use), 0, 0, "id", NULL, conf_token_uses, 0 },
	{ "clock_skew", CONF_T_INT, O(clock_skew), 0, 600, "0", NULL, NULL, 0 },
	{ "cache_dir", CONF_T_PATH, O(cache_dir), 0, 0, LOCALSTATEDIR "/cache/s3gate", NULL, NULL, 0 },
	{ "base_path", CONF_T_PATH, O(base_path), 0, 0, "", NULL, NULL, 0 },
	{ "jwks_lifetime", CONF_T_INT, O(jwks_lifetime), 60, 604800, "3600", NULL, NULL, 0 },
	{ "jwks_refetch_interval", CONF_T_INT, O(jwks_refetch_interval), 1, 3600, "30", NULL, NULL, 0 },
	{ "http_timeout", CONF_T_INT, O(http_timeout), 1, 300, "10", NULL, NULL, 0 },
	{ "http_connect_timeout", CONF_T_INT, O(http_connect_timeout), 1, 60, "5", NULL, NULL, 0 },
	{ "token_cache_size", CONF_T_INT, O(token_cache_size), 0, 8192, "256", NULL, NULL, 0 },
	{ "log_level", CONF_T_ENUM, O(log_level), 0, 0, "info", NULL, conf_log_levels, 0 },
	/* S3 bucket names: 3 to 63 of [a-z0-9.-] (dots and upper case of old buckets kept) */
	{ "bucket", CONF_T_STR, O(bucket), 3, 255, NULL, CONF_LOWER CONF_UPPER CONF_DIGIT ".-_", NULL, 0 },
	{ "s3_endpoint", CONF_T_URL, O(s3_endpoint), 0, 0, NULL, NULL, NULL, 0 },
	{ "s3_path_style", CONF_T_BOOL, O(s3_path_style), 0, 0, "false", NULL, conf_bools, 0 },
	{ "key_prefix", CONF_T_STR, O(key_prefix), 0, 512, "", CONF_ID "/!*'()", NULL, 0 },
	{ "presign_expires", CONF_T_INT, O(presign_expires), 1, 604800, "300", NULL, NULL, 0 },
	{ "s3_timeout", CONF_T_INT, O(s3_timeout), 1, 3600, "30", NULL, NULL, 0 },
	/* lists: repeated lines in the file; ';' between entries in the environment */
	{ "rule", CONF_T_LIST, O(rule), 0, 0, NULL, NULL, NULL, 0 },
	{ "require_claim", CONF_T_LIST, O(require_claim), 0, 0, NULL, NULL, NULL, 0 },
	{ "allow_ips", CONF_T_STR, O(allow_ips), 0, 4096, "", CONF_LOWER CONF_UPPER CONF_DIGIT ":./, ", NULL, 0 },
	{ "trusted_proxies", CONF_T_STR, O(trusted_proxies), 0, 4096, "", CONF_LOWER CONF_UPPER CONF_DIGIT ":./, ", NULL, 0 },
	{ "audit_log", CONF_T_STR, O(audit_log), 0, 1024, "", CONF_ID "/+@~", NULL, 0 },
	{ "list_page_size", CONF_T_INT, O(list_page_size), 1, 1000, "100", NULL, NULL, 0 },
	/* sign-in: endpoints from <issuer>/.well-known/openid-configuration unless set */
	{ "authorize_url", CONF_T_URL, O(authorize_url), 0, 0, NULL, NULL, NULL, 0 },
	{ "token_url", CONF_T_URL, O(token_url), 0, 0, NULL, NULL, NULL, 0 },
	{ "logout_url", CONF_T_URL, O(logout_url), 0, 0, NULL, NULL, NULL, 0 },
	{ "redirect_uri", CONF_T_URL, O(redirect_uri), 0, 0, NULL, NULL, NULL, 0 },
	{ "client_secret", CONF_T_STR, O(client_secret), 1, 512, NULL, CONF_ID "+/=~", NULL, 1 },
	{ "scopes", CONF_T_STR, O(scopes), 1, 512, "openid email profile", CONF_ID " :/", NULL, 0 },
	{ "flow", CONF_T_ENUM, O(flow), 0, 0, "code", NULL, conf_flows, 0 },
	/* Cognito's implicit grant is "token"; OpenID providers want "id_token token" */
	{ "implicit_response_type", CONF_T_STR, O(implicit_response_type), 5, 14, "token",
	  CONF_LOWER "_ ", NULL, 0 },
	{ "session_secret", CONF_T_STR, O(session_secret), 32, 512, NULL,
	  CONF_ID "+/=~!@#$%^&*()[]{}:,?", NULL, 1 },
	{ "cookie_secure", CONF_T_BOOL, O(cookie_secure), 0, 0, "true", NULL, conf_bools, 0 },
	{ "cors_origins", CONF_T_STR, O(cors_origins), 0, 4096, "", CONF_ID ":/, []", NULL, 0 },
	{ "htdocs_dir", CONF_T_PATH, O(htdocs_dir), 0, 0, DATADIR "/htdocs", NULL, NULL, 0 },
};

#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

_Static_assert(CONF_NKEYS <= CONF_KEYS_MAX, "CONF_KEYS_MAX too small");

static const char *const conf_source_names[] = { "default", "derived", "file", "environment" };

static int conf_key_index(const char *name, size_t n)
{
	size_t i;
	int idx = -1;

	for (i = 0; i < CONF_NKEYS && idx < 0; i++)
		if (strlen(conf_keys[i].name) == n && memcmp(conf_keys[i].name, name, n) == 0)
			idx = (int)i;
	return idx;
}

static char **conf_str_field(struct conf *c, const struct conf_key *k)
{
	return (char **)(void *)((char *)c + k->off);
}

static long *conf_long_field(struct conf *c, const struct conf_key *k)
{
	return (long *)(void *)((char *)c + k->off);
}

static int conf_check_chars(const char *v, const char *charset)
{
	return v[strspn(v, charset)] == '\0';
}

static int conf_no_ctl(const char *v)
{
	int ok = 1;

	for (; *v != '\0' && ok; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v == 0x7f)
			ok = 0;
	return ok;
}

static int conf_parse_long(const char *v, long *out)
{
	char *end = NULL;
	long n;
	int rc = -1;

	errno = 0;
	if (*v == '\0' || isspace((unsigned char)*v))
		goto out;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == NULL || *end != '\0')
		goto out;
	*out = n;
	rc = 0;
out:
	return rc;
}

static int conf_set_enum(const struct conf_key *k, const char *v, long *out)
{
	long i;
	int rc = -1;

	for (i = 0; k->names[i] != NULL && rc != 0; i++)
		if (strcmp(k->names[i], v) == 0) {
			*out = i;
			rc = 0;
		}
	return rc;
}

#define CONF_LIST_MAX 65536

/* Appends v as one more line of a list value. */
static int conf_list_add(char **field, const char *v)
{
	size_t old = *field != NULL ? strlen(*field) : 0, n = strlen(v);
	char *nv;

	if (old + n + 2 > CONF_LIST_MAX || strchr(v, '\n') != NULL)
		return -1;
	nv = realloc(*field, old + n + 2);
	if (nv == NULL)
		return -1;
	if (old > 0)
		nv[old++] = '\n';
	memcpy(nv + old, v, n + 1);
	*field = nv;
	return 0;
}

/* Converts and range-checks one value; fills err naming the key. */
static int conf_set(struct conf *c, const struct conf_key *k, const char *v,
		    char *err, size_t errlen)
{
	size_t len = strlen(v);
	long n = 0;
	int rc = -1;

	switch (k->type) {
	case CONF_T_INT:
		if (conf_parse_long(v, &n) != 0 || n < k->min || n > k->max) {
			snprintf(err, errlen, "%s: must be a whole number from %ld to %ld",
				 k->name, k->min, k->max);
			goto out;
		}
		*conf_long_field(c, k) = n;
		break;
	case CONF_T_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0 ||
		    strcmp(v, "1") == 0) {
			*conf_long_field(c, k) = 1;
		} else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
			   strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
			*conf_long_field(c, k) = 0;
		} else {
			snprintf(err, errlen, "%s: must be true or false", k->name);
			goto out;
		}
		break;
	case CONF_T_ENUM:
		if (conf_set_enum(k, v, conf_long_field(c, k)) != 0) {
			snprintf(err, errlen, "%s: must be one of %s%s%s%s%s", k->name,
				 k->names[0], k->names[1] ? ", " : "", k->names[1] ? k->names[1] : "",
				 k->names[1] && k->names[2] ? ", " : "",
				 k->names[1] && k->names[2] ? k->names[2] : "");
			goto out;
		}
		break;
	case CONF_T_STR:
		if (len < (size_t)k->min || len > (size_t)k->max || !conf_check_chars(v, k->charset)) {
			snprintf(err, errlen, "%s: must be %ld to %ld characters of [%s]",
				 k->name, k->min, k->max, k->charset);
			goto out;
		}
		break;
	case CONF_T_URL:
		if (len > CONF_VALUE_MAX || !conf_no_ctl(v) ||
		    (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		    strlen(v) < 9) {
			snprintf(err, errlen, "%s: must be an http:// or https:// URL", k->name);
			goto out;
		}
		break;
	case CONF_T_LIST:
		if (conf_list_add(conf_str_field(c, k), v) != 0) {
			snprintf(err, errlen, "%s: at most %d bytes in all", k->name, CONF_LIST_MAX);
			goto out;
		}
		rc = 0;
		goto out;
	case CONF_T_PATH:
		if (len > CONF_VALUE_MAX || !conf_no_ctl(v) || (len > 0 && v[0] != '/')) {
			snprintf(err, errlen, "%s: must be an absolute path", k->name);
			goto out;
		}
		break;
	}
	if (k->type == CONF_T_STR || k->type == CONF_T_URL || k->type == CONF_T_PATH) {
		char **f = conf_str_field(c, k);

		free(*f);
		*f = strdup(v);
		if (*f == NULL) {
			snprintf(err, errlen, "%s: out of memory", k->name);
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

static char *conf_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* One "key = value" line; comments and blank lines are skipped. */
static int conf_file_line(struct conf *c, char *line, const char *file, unsigned lineno,
			  char *err, size_t errlen)
{
	char *s = conf_trim(line), *eq, *key, *val;
	char sub[CONF_ERR_MAX];
	int idx, rc = -1;

	if (*s == '\0' || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "%s:%u: expected key = value", file, lineno);
		goto out;
	}
	*eq = '\0';
	key = conf_trim(s);
	val = conf_trim(eq + 1);
	idx = conf_key_index(key, strlen(key));
	if (idx < 0) {
		snprintf(err, errlen, "%s:%u: unknown key '%.64s'", file, lineno, key);
		goto out;
	}
	if (c->source[idx] == CONF_SRC_FILE && conf_keys[idx].type != CONF_T_LIST) {
		snprintf(err, errlen, "%s:%u: %s: set twice", file, lineno, key);
		goto out;
	}
	if (conf_set(c, &conf_keys[idx], val, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s:%u: %s", file, lineno, sub);
		goto out;
	}
	c->source[idx] = CONF_SRC_FILE;
	rc = 0;
out:
	return rc;
}

static int conf_read_file(struct conf *c, const char *file, char *err, size_t errlen)
{
	char line[CONF_LINE_MAX];
	unsigned lineno = 0;
	FILE *fp = fopen(file, "r");
	int rc = -1;

	if (fp == NULL) {
		snprintf(err, errlen, "config: cannot open %s: %s", file, strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s:%u: line too long", file, lineno);
			goto out;
		}
		if (conf_file_line(c, line, file, lineno, err, errlen) != 0)
			goto out;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "config: cannot read %s", file);
		goto out;
	}
	c->file = strdup(file);
	rc = c->file != NULL ? 0 : -1;
out:
	if (fp != NULL)
		fclose(fp);
	return rc;
}

static int conf_read_env(struct conf *c, char *err, size_t errlen)
{
	char name[64], sub[CONF_ERR_MAX];
	size_t i, j;
	int rc = 0;

	for (i = 0; i < CONF_NKEYS && rc == 0; i++) {
		const char *v;

		snprintf(name, sizeof(name), "S3GATE_%s", conf_keys[i].name);
		for (j = 7; name[j] != '\0'; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		v = getenv(name);
		if (v == NULL || *v == '\0')
			continue;
		if (conf_keys[i].type == CONF_T_LIST) { /* the environment replaces the file's list */
			free(*conf_str_field(c, &conf_keys[i]));
			*conf_str_field(c, &conf_keys[i]) = NULL;
		}
		if (conf_set(c, &conf_keys[i], v, sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "%s: %s", name, sub);
			rc = -1;
		}
		c->source[i] = CONF_SRC_ENV;
	}
	return rc;
}

static int conf_defaults(struct conf *c, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < CONF_NKEYS && rc == 0; i++)
		if (conf_keys[i].def != NULL)
			rc = conf_set(c, &conf_keys[i], conf_keys[i].def, err, errlen);
	return rc;
}

static int conf_split_client_ids(struct conf *c, char *err, size_t errlen)
{
	const char *p = c->client_id;
	int rc = -1;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (n == 0 || c->n_client_ids == CONF_CLIENT_IDS_MAX) {
			snprintf(err, errlen, "client_id: expected 1 to %d ids separated by commas",
				 CONF_CLIENT_IDS_MAX);
			goto out;
		}
		c->client_ids[c->n_client_ids] = strndup(p, n);
		if (c->client_ids[c->n_client_ids++] == NULL)
			goto out;
		p += n;
		if (*p == ',' && *++p == '\0') {
			snprintf(err, errlen, "client_id: trailing comma");
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

/* Joins up to four parts into a derived URL value. */
static int conf_derive_url(struct conf *c, char **field, const char *key, const char *p1,
			   const char *p2, const char *p3, const char *p4)
{
	buf_t u;
	int rc;

	buf_init(&u, CONF_VALUE_MAX);
	rc = buf_addstr(&u, p1) || buf_addstr(&u, p2) || buf_addstr(&u, p3) || buf_addstr(&u, p4);
	if (rc == 0) {
		*field = strdup(buf_str(&u));
		rc = *field != NULL ? 0 : -1;
		c->source[conf_key_index(key, strlen(key))] = CONF_SRC_DERIVED;
	}
	buf_free(&u);
	return rc;
}

/* scheme://host[:port], optionally one trailing '/', nothing more. */
static int conf_endpoint_check(char *url)
{
	char *host = strstr(url, "://") + 3, *slash = strchr(host, '/');

	if (slash != NULL && slash[1] == '\0')
		*slash = '\0';
	return slash != NULL && slash[1] != '\0' ? -1 : *host == '\0' || strchr(host, '@') ||
								strchr(host, '?') || strchr(host, '#') ? -1 : 0;
}

/* Required keys, values derived from others, and cross-key rules. */
static int conf_finish(struct conf *c, char *err, size_t errlen)
{
	size_t len;
	int rc = -1;

	if (c->client_id == NULL) {
		snprintf(err, errlen, "client_id: missing (the Cognito app client id)");
		goto out;
	}
	if (conf_split_client_ids(c, err, errlen) != 0)
		goto out;
	if (c->issuer == NULL) {
		if (c->region == NULL || c->user_pool_id == NULL) {
			snprintf(err, errlen, "issuer: missing (set issuer, or region and user_pool_id)");
			goto out;
		}
		if (conf_derive_url(c, &c->issuer, "issuer", "https://cognito-idp.", c->region,
				    ".amazonaws.com/", c->user_pool_id) != 0)
			goto out;
	}
	if (c->jwks_url == NULL &&
	    conf_derive_url(c, &c->jwks_url, "jwks_url", c->issuer, "/.well-known/jwks.json",
			    "", "") != 0)
		goto out;
	if (c->bucket == NULL) {
		snprintf(err, errlen, "bucket: missing (the S3 bucket holding the files)");
		goto out;
	}
	if (c->region == NULL) {
		snprintf(err, errlen, "region: missing (the bucket's AWS region, e.g. eu-west-1)");
		goto out;
	}
	if (c->s3_endpoint == NULL &&
	    conf_derive_url(c, &c->s3_endpoint, "s3_endpoint", "https://s3.", c->region,
			    ".amazonaws.com", "") != 0)
		goto out;
	if (conf_endpoint_check(c->s3_endpoint) != 0) {
		snprintf(err, errlen, "s3_endpoint: must be scheme://host[:port] without a path");
		goto out;
	}
	if (!c->s3_path_style && strchr(c->bucket, '.') != NULL &&
	    strncmp(c->s3_endpoint, "https://", 8) == 0) {
		snprintf(err, errlen, "s3_path_style: a bucket name with dots needs s3_path_style = "
			 "true over https (the certificate does not cover it)");
		goto out;
	}
	len = strlen(c->key_prefix);
	if (len > 0 && (c->key_prefix[0] == '/' || c->key_prefix[len - 1] != '/')) {
		snprintf(err, errlen, "key_prefix: must not start with '/' and must end with '/'");
		goto out;
	}
	if (c->flow != CONF_FLOW_NONE && c->session_secret == NULL) {
		snprintf(err, errlen, "session_secret: missing (32 or more characters, e.g. from "
			 "openssl rand -base64 48; or flow = none for tokens in Authorization only)");
		goto out;
	}
	if (strcmp(c->implicit_response_type, "token") != 0 &&
	    strcmp(c->implicit_response_type, "id_token token") != 0 &&
	    strcmp(c->implicit_response_type, "id_token") != 0) {
		snprintf(err, errlen, "implicit_response_type: must be token, id_token token or id_token");
		goto out;
	}
	len = strlen(c->base_path);
	if (len > 0 && c->base_path[len - 1] == '/') {
		snprintf(err, errlen, "base_path: must not end with '/' (use \"\" for the root)");
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	const char *file = path;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (conf_defaults(c, err, errlen) != 0)
		goto out;
	if (file == NULL)
		file = getenv("S3GATE_CONFIG");
	if (file == NULL || *file == '\0')
		file = access(SYSCONFDIR "/s3gate.conf", F_OK) == 0 ? SYSCONFDIR "/s3gate.conf" : NULL;
	if (file != NULL && conf_read_file(c, file, err, errlen) != 0)
		goto out;
	if (conf_read_env(c, err, errlen) != 0)
		goto out;
	rc = conf_finish(c, err, errlen);
out:
	return rc;
}

int conf_is_explicit(const struct conf *c, const char *key)
{
	int idx = conf_key_index(key, strlen(key));

	return idx >= 0 && c->source[idx] >= CONF_SRC_FILE;
}

int conf_client_id_ok(const struct conf *c, const char *id)
{
	size_t i;
	int ok = 0;

	for (i = 0; i < c->n_client_ids && !ok; i++)
		ok = strcmp(c->client_ids[i], id) == 0;
	return ok;
}

static void conf_print_list(FILE *fp, const char *name, const char *v, const char *src)
{
	while (*v != '\0') {
		size_t n = strcspn(v, "\n;");

		if (n > 0)
			fprintf(fp, "%s = %.*s  # %s\n", name, (int)n, v, src);
		v += n;
		v += *v != '\0';
	}
}

void conf_print(const struct conf *c, FILE *fp)
{
	size_t i;

	fprintf(fp, "# s3gate %s: effective configuration (file: %s)\n", PACKAGE_VERSION,
		c->file != NULL ? c->file : "none");
	for (i = 0; i < CONF_NKEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *src = conf_source_names[c->source[i]];

		if (k->type == CONF_T_INT) {
			fprintf(fp, "%s = %ld  # %s\n", k->name,
				*conf_long_field((struct conf *)c, k), src);
		} else if (k->type == CONF_T_ENUM || k->type == CONF_T_BOOL) {
			fprintf(fp, "%s = %s  # %s\n", k->name,
				k->names[*conf_long_field((struct conf *)c, k)], src);
		} else {
			const char *v = *conf_str_field((struct conf *)c, k);

			if (v == NULL)
				fprintf(fp, "%s =  # unset\n", k->name);
			else if (k->type == CONF_T_LIST)
				conf_print_list(fp, k->name, v, src);
			else
				fprintf(fp, "%s = %s  # %s\n", k->name,
					k->secret ? "********" : v, src);
		}
	}
}

void conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (conf_keys[i].type != CONF_T_INT && conf_keys[i].type != CONF_T_ENUM &&
		    conf_keys[i].type != CONF_T_BOOL)
			free(*conf_str_field(c, &conf_keys[i]));
	for (i = 0; i < c->n_client_ids; i++)
		free(c->client_ids[i]);
	free(c->file);
	memset(c, 0, sizeof(*c));
}
