/* conf: the configuration table, read and validated once per process. */
#ifndef S3GATE_CONF_H
#define S3GATE_CONF_H

#include <stddef.h>
#include <stdio.h>

#define CONF_CLIENT_IDS_MAX 16
#define CONF_ERR_MAX 512
#define CONF_KEYS_MAX 64

enum conf_token_use { CONF_TOKEN_ID, CONF_TOKEN_ACCESS, CONF_TOKEN_ANY };
enum conf_flow { CONF_FLOW_CODE, CONF_FLOW_IMPLICIT, CONF_FLOW_NONE };
enum conf_source { CONF_SRC_DEFAULT, CONF_SRC_DERIVED, CONF_SRC_FILE, CONF_SRC_ENV };

struct conf {
	char *region;
	char *user_pool_id;
	char *client_id; /* as written: one id or a comma-separated list */
	char *client_ids[CONF_CLIENT_IDS_MAX];
	size_t n_client_ids;
	char *issuer;
	char *jwks_url;
	long token_use;
	long clock_skew;
	char *cache_dir;
	char *base_path;
	long jwks_lifetime;
	long jwks_refetch_interval;
	long http_timeout;
	long http_connect_timeout;
	long token_cache_size;
	long log_level;
	char *bucket;
	char *s3_endpoint;
	long s3_path_style;
	char *key_prefix;
	long presign_expires;
	long s3_timeout;
	char *rule;          /* access rules, one per line */
	char *require_claim; /* CLAIM=VALUE, one per line */
	char *allow_ips;
	char *trusted_proxies;
	char *audit_log;     /* a file, "syslog", or empty for none */
	long list_page_size;
	char *authorize_url;
	char *token_url;
	char *logout_url;
	char *redirect_uri;
	char *client_secret;
	char *scopes;
	long flow;           /* enum conf_flow */
	char *implicit_response_type;
	char *session_secret;
	long cookie_secure;
	char *cors_origins;
	char *htdocs_dir;
	char *file; /* the file that was read, if any */
	unsigned char source[CONF_KEYS_MAX];
};

/* Reads the file (explicit path, else S3GATE_CONFIG, else the default one if
 * present) and S3GATE_* variables, which win. On failure returns -1 with a
 * one-line message naming the key in err. */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);
/* Writes the effective configuration, secrets masked, with each value's source. */
void conf_print(const struct conf *c, FILE *fp);
void conf_free(struct conf *c);
/* 1 when key was set by the file or the environment rather than defaulted. */
int conf_is_explicit(const struct conf *c, const char *key);
/* 1 when id is one of the configured client ids. */
int conf_client_id_ok(const struct conf *c, const char *id);

#endif
