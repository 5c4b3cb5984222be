#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth/oidc.h"
#include "auth/session.h"
#include "auth/token.h"
#include "aws/s3.h"
#include "aws/sigv4.h"
#include "http/cookie.h"
#include "http/page.h"
#include "util/b64url.h"
#include "util/fetch.h"
#include "util/log.h"

#define OIDC_URL_MAX 2048

struct oidc_state {
	const struct conf *c;
	char authorize[OIDC_URL_MAX];
	char token[OIDC_URL_MAX];
	char logout[OIDC_URL_MAX];
	int rp_logout; /* OpenID RP-initiated logout rather than Cognito's /logout */
	int ready;
	int enabled;
};

static struct oidc_state os;

int oidc_init(const struct conf *c, char *err, size_t errlen)
{
	memset(&os, 0, sizeof(os));
	os.c = c;
	os.enabled = c->flow != CONF_FLOW_NONE && c->session_secret != NULL;
	return os.enabled ? session_init(c->session_secret, err, errlen) : 0;
}

static int oidc_copy_url(char *dst, const cJSON *v)
{
	return cJSON_IsString(v) && strlen(v->valuestring) < OIDC_URL_MAX &&
		       (strncmp(v->valuestring, "https://", 8) == 0 ||
			strncmp(v->valuestring, "http://", 7) == 0)
		       ? (snprintf(dst, OIDC_URL_MAX, "%s", v->valuestring), 0)
		       : -1;
}

/* The issuer's discovery document (OpenID Connect Discovery 1.0 §4). */
static int oidc_discover(char *why, size_t whylen)
{
	struct fetch_opts o = { os.c->http_timeout, os.c->http_connect_timeout };
	char url[OIDC_URL_MAX + 64];
	long status = 0;
	cJSON *d = NULL;
	buf_t b;
	int rc = -1;

	buf_init(&b, 65536);
	snprintf(url, sizeof(url), "%s/.well-known/openid-configuration", os.c->issuer);
	if (fetch_get(url, &o, &b, &status, why, whylen) != 0 || status != 200 ||
	    (d = cJSON_ParseWithLength(b.ptr, b.len)) == NULL) {
		if (status != 0)
			snprintf(why, whylen, "discovery answered HTTP %ld", status);
		goto out;
	}
	if ((os.authorize[0] == '\0' &&
	     oidc_copy_url(os.authorize, cJSON_GetObjectItemCaseSensitive(d, "authorization_endpoint")) != 0) ||
	    (os.token[0] == '\0' &&
	     oidc_copy_url(os.token, cJSON_GetObjectItemCaseSensitive(d, "token_endpoint")) != 0)) {
		snprintf(why, whylen, "discovery names no authorization or token endpoint");
		goto out;
	}
	if (os.logout[0] == '\0' &&
	    oidc_copy_url(os.logout, cJSON_GetObjectItemCaseSensitive(d, "end_session_endpoint")) == 0)
		os.rp_logout = 1;
	rc = 0;
out:
	cJSON_Delete(d);
	buf_free(&b);
	return rc;
}

/* Endpoints from the configuration, else from discovery, once per process. */
static int oidc_endpoints(char *why, size_t whylen)
{
	const struct conf *c = os.c;
	char *tail;
	int rc = 0;

	if (os.ready)
		return 0;
	snprintf(os.authorize, sizeof(os.authorize), "%s", c->authorize_url ? c->authorize_url : "");
	snprintf(os.token, sizeof(os.token), "%s", c->token_url ? c->token_url : "");
	snprintf(os.logout, sizeof(os.logout), "%s", c->logout_url ? c->logout_url : "");
	if (os.authorize[0] == '\0' || os.token[0] == '\0')
		rc = oidc_discover(why, whylen);
	/* Cognito's Hosted UI: <domain>/oauth2/authorize and <domain>/logout */
	tail = strstr(os.authorize, "/oauth2/authorize");
	if (rc == 0 && os.logout[0] == '\0' && tail != NULL && tail[17] == '\0')
		snprintf(os.logout, sizeof(os.logout), "%.*s/logout", (int)(tail - os.authorize),
			 os.authorize);
	os.ready = rc == 0;
	return rc;
}

/* https://host/base: this installation, as the browser sees it. */
static int oidc_base_url(const struct app_req *a, buf_t *out)
{
	const char *host = a->req->host;
	size_t n = host != NULL ? strlen(host) : 0;

	if (n == 0 || n > 255 || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "0123456789.-:[]") != n)
		return -1;
	return buf_printf(out, "%s://%s%s", a->req->https ? "https" : "http", host, a->c->base_path);
}

static int oidc_redirect_uri(const struct app_req *a, buf_t *out)
{
	return a->c->redirect_uri != NULL ? buf_addstr(out, a->c->redirect_uri)
					  : oidc_base_url(a, out) || buf_addstr(out, "/callback");
}

static int oidc_param(buf_t *b, const char *name, const char *value)
{
	return buf_printf(b, "%c%s=", strchr(b->ptr != NULL ? b->ptr : "", '?') ? '&' : '?', name) ||
	       sigv4_uri_encode(value, strlen(value), 0, b);
}

static int oidc_cookie_path(const struct app_req *a, buf_t *b)
{
	return buf_printf(b, "%s/", a->c->base_path);
}

static int oidc_set_cookie(struct app_req *a, const char *name, const char *value, long max_age)
{
	buf_t v, path;
	int rc;

	buf_init(&v, 8192);
	buf_init(&path, 1024);
	rc = oidc_cookie_path(a, &path) ||
	     cookie_set(&v, name, value, buf_str(&path), max_age, (int)a->c->cookie_secure) ||
	     resp_header(a->resp, "Set-Cookie", buf_str(&v));
	buf_free(&v);
	buf_free(&path);
	return rc;
}

static int oidc_redirect(struct app_req *a, const char *location)
{
	resp_header(a->resp, "Location", location);
	resp_header(a->resp, "Cache-Control", "no-store");
	return resp_error(a->resp, 302, "found", "see Location");
}

static int oidc_unavailable(struct app_req *a, const char *why)
{
	log_msg(LOGL_ERR, "sign-in unavailable: %s", why);
	return page_message(a->resp, 503, "Sign-in is unavailable",
			    "The sign-in service cannot be reached right now. Please try again in a "
			    "moment.", NULL, NULL);
}

/* RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(code_verifier)) */
static int oidc_challenge(const char *verifier, buf_t *out)
{
	unsigned char md[32];

	return EVP_Digest(verifier, strlen(verifier), md, NULL, EVP_sha256(), NULL) != 1 ||
	       b64url_encode(md, 32, out);
}

int oidc_login(struct app_req *a)
{
	const char *fn = req_param(a->req, "fn");
	cJSON *o = cJSON_CreateObject();
	buf_t state, nonce, verifier, challenge, cookie, url, redir;
	int rc = -1;

	buf_init(&state, 64);
	buf_init(&nonce, 64);
	buf_init(&verifier, 64);
	buf_init(&challenge, 64);
	buf_init(&cookie, 4096);
	buf_init(&url, 8192);
	buf_init(&redir, OIDC_URL_MAX);
	if (!os.enabled) {
		rc = oidc_unavailable(a, "sign-in is off (flow = none)");
		goto out;
	}
	if (fn != NULL && s3_key_ok(fn) != 0) {
		rc = page_message(a->resp, 400, "Not a file name", "The link names no valid file.",
				  NULL, NULL);
		goto out;
	}
	if (oidc_endpoints(a->why, sizeof(a->why)) != 0) {
		rc = oidc_unavailable(a, a->why);
		goto out;
	}
	if (o == NULL || session_random(24, &state) || session_random(24, &nonce) ||
	    session_random(32, &verifier) || oidc_challenge(verifier.ptr, &challenge) ||
	    oidc_redirect_uri(a, &redir)) {
		rc = resp_error(a->resp, 400, "bad_request", "cannot start sign-in for this host");
		goto out;
	}
	cJSON_AddStringToObject(o, "st", state.ptr);
	cJSON_AddStringToObject(o, "n", nonce.ptr);
	cJSON_AddStringToObject(o, "v", verifier.ptr);
	cJSON_AddNumberToObject(o, "t", a->now);
	if (fn != NULL)
		cJSON_AddStringToObject(o, "fn", fn);
	rc = session_seal(SESSION_LOGIN, o, &cookie) || buf_addstr(&url, os.authorize) ||
	     oidc_param(&url, "response_type",
			a->c->flow == CONF_FLOW_CODE ? "code" : a->c->implicit_response_type) ||
	     oidc_param(&url, "client_id", a->c->client_ids[0]) ||
	     oidc_param(&url, "redirect_uri", redir.ptr) || oidc_param(&url, "scope", a->c->scopes) ||
	     oidc_param(&url, "state", state.ptr) || oidc_param(&url, "nonce", nonce.ptr);
	if (rc == 0 && a->c->flow == CONF_FLOW_CODE)
		rc = oidc_param(&url, "code_challenge", challenge.ptr) ||
		     oidc_param(&url, "code_challenge_method", "S256");
	rc = rc ? resp_error(a->resp, 500, "internal", "cannot start sign-in")
		: oidc_set_cookie(a, OIDC_LOGIN_COOKIE, cookie.ptr, OIDC_LOGIN_MAX_AGE) ||
			  oidc_redirect(a, url.ptr);
out:
	cJSON_Delete(o);
	buf_free(&state);
	buf_free(&nonce);
	buf_free(&verifier);
	buf_free(&challenge);
	buf_free(&cookie);
	buf_free(&url);
	buf_free(&redir);
	return rc;
}

/* The sealed login cookie, unexpired, and the state the provider returned. */
static cJSON *oidc_login_cookie(struct app_req *a, const char *state)
{
	char value[COOKIE_VALUE_MAX];
	cJSON *o = NULL;
	const cJSON *st, *t;

	if (cookie_get(a->req->cookie, OIDC_LOGIN_COOKIE, value, sizeof(value)) != 0 ||
	    (o = session_open(SESSION_LOGIN, value)) == NULL) {
		snprintf(a->why, sizeof(a->why), "sign-in cookie missing or altered");
		goto bad;
	}
	st = cJSON_GetObjectItemCaseSensitive(o, "st");
	t = cJSON_GetObjectItemCaseSensitive(o, "t");
	if (!cJSON_IsNumber(t) || a->now - t->valuedouble > OIDC_LOGIN_MAX_AGE ||
	    a->now < t->valuedouble - 5) {
		snprintf(a->why, sizeof(a->why), "sign-in took too long");
		goto bad;
	}
	if (state == NULL || !cJSON_IsString(st) || strlen(st->valuestring) != strlen(state) ||
	    CRYPTO_memcmp(st->valuestring, state, strlen(state)) != 0) {
		snprintf(a->why, sizeof(a->why), "state does not match");
		goto bad;
	}
	return o;
bad:
	cJSON_Delete(o);
	return NULL;
}

static const char *oidc_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Where to go after signing in: the file asked for, else the link page. */
static int oidc_after(struct app_req *a, const char *fn, buf_t *out)
{
	int rc = buf_printf(out, "%s/", a->c->base_path);

	if (rc == 0 && fn != NULL && s3_key_ok(fn) == 0)
		rc = buf_addstr(out, "download?fn=") || sigv4_uri_encode(fn, strlen(fn), 0, out);
	return rc;
}

/* <base>/login, with ?fn= when fn names a valid key. */
static int oidc_login_href(const struct app_req *a, const char *fn, buf_t *out)
{
	int rc = buf_printf(out, "%s/login", a->c->base_path);

	if (rc == 0 && fn != NULL && s3_key_ok(fn) == 0)
		rc = buf_addstr(out, "?fn=") || sigv4_uri_encode(fn, strlen(fn), 0, out);
	return rc;
}

static int oidc_retry_page(struct app_req *a, int status, const char *title, const char *msg,
			   const char *fn)
{
	buf_t href;
	int rc;

	buf_init(&href, 4096);
	rc = oidc_login_href(a, fn, &href);
	oidc_set_cookie(a, OIDC_LOGIN_COOKIE, "", 0);
	rc = page_message(a->resp, status, title, msg, rc == 0 ? href.ptr : NULL, "Sign in again");
	buf_free(&href);
	return rc;
}

/* Verifies the ID token (signature, claims, nonce) and sets the session. */
static int oidc_start_session(struct app_req *a, const char *id_token, const char *nonce,
			      int code_flow, struct jwt_identity *id)
{
	cJSON *claims = NULL;
	const char *n;
	jwt_err e = id_token != NULL ? token_verify_id(id_token, strlen(id_token), a->now, id, &claims)
				     : JWT_E_MISSING;
	buf_t v;
	int rc = -1;

	buf_init(&v, COOKIE_VALUE_MAX);
	if (e != JWT_OK) {
		snprintf(a->why, sizeof(a->why), "ID token refused: %s", jwt_strerror(e));
		goto out;
	}
	/* A provider that drops the nonce (cognito-local does) is tolerated in the
	 * code flow, where PKCE binds the code to this browser; never in the
	 * implicit flow, where the nonce is what binds the token. */
	n = oidc_str(claims, "nonce");
	if ((n == NULL && (!code_flow || nonce == NULL)) ||
	    (n != NULL && (nonce == NULL || strlen(n) != strlen(nonce) ||
			   CRYPTO_memcmp(n, nonce, strlen(n)) != 0))) {
		snprintf(a->why, sizeof(a->why), "ID token nonce does not match");
		goto out;
	}
	if (session_from_identity(id, &v) != 0 || v.len >= COOKIE_VALUE_MAX) {
		snprintf(a->why, sizeof(a->why), "identity too large for a cookie");
		goto out;
	}
	memcpy(a->sub, id->sub, sizeof(a->sub));
	rc = oidc_set_cookie(a, OIDC_SESSION_COOKIE, v.ptr, (long)(id->exp - a->now)) ||
	     oidc_set_cookie(a, OIDC_LOGIN_COOKIE, "", 0);
out:
	cJSON_Delete(claims);
	buf_free(&v);
	return rc;
}

/* RFC 6749 §4.1.3 with RFC 7636 §4.5; client secret by HTTP Basic (§2.3.1). */
static int oidc_exchange(struct app_req *a, const char *code, const char *verifier, buf_t *id_token)
{
	struct fetch_opts o = { a->c->http_timeout, a->c->http_connect_timeout };
	const char *hdrs[3] = { "Content-Type: application/x-www-form-urlencoded", NULL, NULL };
	char basic[4096];
	long status = 0;
	cJSON *j = NULL;
	buf_t form, body, redir;
	int rc = -1;

	buf_init(&form, 16384);
	buf_init(&body, 65536);
	buf_init(&redir, OIDC_URL_MAX);
	if (oidc_redirect_uri(a, &redir) || buf_addstr(&form, "grant_type=authorization_code&code=") ||
	    sigv4_uri_encode(code, strlen(code), 0, &form) || buf_addstr(&form, "&redirect_uri=") ||
	    sigv4_uri_encode(redir.ptr, redir.len, 0, &form) || buf_addstr(&form, "&client_id=") ||
	    sigv4_uri_encode(a->c->client_ids[0], strlen(a->c->client_ids[0]), 0, &form) ||
	    buf_addstr(&form, "&code_verifier=") || buf_addstr(&form, verifier))
		goto out;
	if (a->c->client_secret != NULL) {
		buf_t raw;

		buf_init(&raw, 1024);
		/* base64, not base64url: the Basic scheme (RFC 7617) */
		if (sigv4_uri_encode(a->c->client_ids[0], strlen(a->c->client_ids[0]), 0, &raw) ||
		    buf_addc(&raw, ':') ||
		    sigv4_uri_encode(a->c->client_secret, strlen(a->c->client_secret), 0, &raw) ||
		    EVP_EncodeBlock((unsigned char *)basic + 21, (const unsigned char *)raw.ptr,
				    (int)raw.len) <= 0) {
			buf_free(&raw);
			goto out;
		}
		memcpy(basic, "Authorization: Basic ", 21);
		hdrs[1] = basic;
		buf_free(&raw);
	}
	if (fetch_request("POST", os.token, hdrs, form.ptr, &o, &body, &status, a->why,
			  sizeof(a->why)) != 0)
		goto out;
	j = cJSON_ParseWithLength(body.ptr, body.len);
	if (status != 200 || oidc_str(j, "id_token") == NULL) {
		snprintf(a->why, sizeof(a->why), "token endpoint answered HTTP %ld%s%.64s", status,
			 oidc_str(j, "error") ? " " : "", oidc_str(j, "error") ? oidc_str(j, "error") : "");
		goto out;
	}
	rc = buf_addstr(id_token, oidc_str(j, "id_token"));
out:
	OPENSSL_cleanse(basic, sizeof(basic));
	cJSON_Delete(j);
	buf_free(&form);
	buf_free(&body);
	buf_free(&redir);
	return rc;
}

int oidc_callback(struct app_req *a)
{
	const char *code = req_param(a->req, "code"), *err = req_param(a->req, "error");
	const char *state = req_param(a->req, "state");
	struct jwt_identity id;
	cJSON *login = NULL;
	buf_t tok, next;
	int rc;

	buf_init(&tok, JWT_TOKEN_MAX);
	buf_init(&next, 4096);
	if (a->c->flow == CONF_FLOW_IMPLICIT && code == NULL && err == NULL) {
		rc = page_file(a->resp, a->c->htdocs_dir, "callback.html", 1);
		goto out;
	}
	if (err != NULL) {
		/* the file asked for survives, when the state still matches */
		login = oidc_login_cookie(a, state);
		snprintf(a->why, sizeof(a->why), "provider said %.64s", err);
		rc = oidc_retry_page(a, 400, "Sign-in did not complete",
				     strcmp(err, "access_denied") == 0
					     ? "Access was denied at sign-in."
					     : "The sign-in service reported a problem.",
				     login != NULL ? oidc_str(login, "fn") : NULL);
		goto out;
	}
	if (!os.enabled || oidc_endpoints(a->why, sizeof(a->why)) != 0) {
		rc = oidc_unavailable(a, os.enabled ? a->why : "sign-in is off (flow = none)");
		goto out;
	}
	login = oidc_login_cookie(a, state);
	if (login == NULL || code == NULL) {
		if (code == NULL && login != NULL)
			snprintf(a->why, sizeof(a->why), "no code");
		rc = oidc_retry_page(a, 400, "Sign-in expired",
				     "This sign-in link is no longer valid (it was used already, "
				     "took too long, or did not start here).",
				     login != NULL ? oidc_str(login, "fn") : NULL);
		goto out;
	}
	if (oidc_exchange(a, code, oidc_str(login, "v"), &tok) != 0 ||
	    oidc_start_session(a, tok.ptr, oidc_str(login, "n"), 1, &id) != 0) {
		log_msg(LOGL_WARN, "sign-in failed: %s", a->why);
		rc = oidc_retry_page(a, 400, "Sign-in failed", "The sign-in could not be completed.",
				     oidc_str(login, "fn"));
		goto out;
	}
	rc = oidc_after(a, oidc_str(login, "fn"), &next) ||
	     oidc_redirect(a, next.ptr);
out:
	cJSON_Delete(login);
	buf_free(&tok);
	buf_free(&next);
	return rc;
}

/* The origin this request came to, for the same-origin check. */
static int oidc_same_origin(const struct app_req *a)
{
	const char *origin = a->req->origin, *slash;
	buf_t base;
	int same = 0;

	buf_init(&base, 1024);
	if (origin != NULL && oidc_base_url(a, &base) == 0) {
		slash = strchr(base.ptr + 8, '/');
		same = strlen(origin) == (size_t)(slash != NULL ? slash - base.ptr : (long)base.len) &&
		       strncmp(origin, base.ptr, strlen(origin)) == 0;
	}
	buf_free(&base);
	return same;
}

/* POST /session from the implicit flow's callback page (form-encoded body:
 * id_token, state). */
int oidc_session(struct app_req *a)
{
	struct jwt_identity id;
	cJSON *login = NULL;
	buf_t next, body;
	int rc;

	buf_init(&next, 4096);
	buf_init(&body, 256 + 4096);
	if (!os.enabled || !oidc_same_origin(a)) {
		snprintf(a->why, sizeof(a->why), "%s", os.enabled ? "cross-origin session request"
								 : "sign-in is off (flow = none)");
		rc = resp_error(a->resp, 403, "forbidden", "not allowed");
		goto out;
	}
	login = oidc_login_cookie(a, req_param(a->req, "state"));
	if (login == NULL ||
	    oidc_start_session(a, req_param(a->req, "id_token"), oidc_str(login, "n"), 0, &id) != 0) {
		rc = resp_error(a->resp, 400, "signin_failed", "sign-in could not be completed");
		goto out;
	}
	rc = oidc_after(a, oidc_str(login, "fn"), &next) || buf_addstr(&body, "{\"next\":\"") ||
	     buf_add_json_str(&body, next.ptr, next.len) || buf_addstr(&body, "\"}\n");
	rc = rc ? resp_error(a->resp, 500, "internal", "cannot answer")
		: resp_json(a->resp, 200, body.ptr, body.len);
out:
	cJSON_Delete(login);
	buf_free(&next);
	buf_free(&body);
	return rc;
}

int oidc_logout(struct app_req *a)
{
	buf_t url, back;
	int rc;

	buf_init(&url, 8192);
	buf_init(&back, OIDC_URL_MAX);
	oidc_set_cookie(a, OIDC_SESSION_COOKIE, "", 0);
	if (!os.enabled || oidc_endpoints(a->why, sizeof(a->why)) != 0 || os.logout[0] == '\0' ||
	    oidc_base_url(a, &back) || buf_addc(&back, '/') || buf_addstr(&url, os.logout) ||
	    oidc_param(&url, "client_id", a->c->client_ids[0]) ||
	    oidc_param(&url, os.rp_logout ? "post_logout_redirect_uri" : "logout_uri", back.ptr)) {
		buf_reset(&url);
		rc = buf_printf(&url, "%s/", a->c->base_path) || oidc_redirect(a, url.ptr);
	} else {
		rc = oidc_redirect(a, url.ptr);
	}
	buf_free(&url);
	buf_free(&back);
	return rc;
}

int oidc_redirect_to_login(struct app_req *a, const char *key)
{
	buf_t url;
	int rc;

	buf_init(&url, 8192);
	rc = oidc_login_href(a, key, &url) || oidc_redirect(a, url.ptr);
	buf_free(&url);
	return rc;
}

int oidc_session_identity(struct app_req *a, struct jwt_identity *id)
{
	char value[COOKIE_VALUE_MAX];

	if (!os.enabled || cookie_get(a->req->cookie, OIDC_SESSION_COOKIE, value, sizeof(value)) != 0 ||
	    value[0] == '\0')
		return -1;
	return session_identity(value, a->now, id) == 0 ? 0 : -2;
}
