#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/session.h"
#include "util/b64url.h"

#define SESSION_VALUE_MAX 4096

static unsigned char session_keys[2][32];
static int session_ready;

static int session_mac(const unsigned char key[32], const char *data, size_t n,
		       unsigned char out[32])
{
	size_t len = 0;

	return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, (const unsigned char *)data,
			 n, out, 32, &len) != NULL && len == 32 ? 0 : -1;
}

int session_init(const char *secret, char *err, size_t errlen)
{
	static const char *const labels[2] = { "s3gate login cookie", "s3gate session cookie" };
	size_t len = 0;
	int i, rc = 0;

	session_ready = 0;
	if (secret == NULL || strlen(secret) < SESSION_SECRET_MIN) {
		snprintf(err, errlen, "session_secret: missing or shorter than %d characters "
			 "(e.g. openssl rand -base64 48)", SESSION_SECRET_MIN);
		return -1;
	}
	for (i = 0; i < 2 && rc == 0; i++)
		rc = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, strlen(secret),
			       (const unsigned char *)labels[i], strlen(labels[i]), session_keys[i],
			       32, &len) == NULL || len != 32;
	session_ready = rc == 0;
	return rc;
}

void session_cleanup(void)
{
	OPENSSL_cleanse(session_keys, sizeof(session_keys));
	session_ready = 0;
}

int session_seal(enum session_purpose p, const cJSON *o, buf_t *out)
{
	char *json = session_ready ? cJSON_PrintUnformatted(o) : NULL;
	unsigned char mac[32];
	size_t start = out->len;
	int rc = -1;

	if (json == NULL)
		goto out;
	rc = b64url_encode((const unsigned char *)json, strlen(json), out) ||
	     session_mac(session_keys[p], out->ptr + start, out->len - start, mac) ||
	     buf_addc(out, '.') || b64url_encode(mac, 32, out);
out:
	cJSON_free(json);
	return rc;
}

cJSON *session_open(enum session_purpose p, const char *value)
{
	const char *dot = strrchr(value, '.');
	unsigned char mac[32], want[32];
	char json[SESSION_VALUE_MAX];
	size_t n = 0, mn = 0;
	cJSON *o = NULL;

	if (!session_ready || dot == NULL || strlen(value) > SESSION_VALUE_MAX ||
	    b64url_decode(dot + 1, strlen(dot + 1), mac, sizeof(mac), &mn) != 0 || mn != 32 ||
	    session_mac(session_keys[p], value, (size_t)(dot - value), want) != 0 ||
	    CRYPTO_memcmp(mac, want, 32) != 0 ||
	    b64url_decode(value, (size_t)(dot - value), (unsigned char *)json, sizeof(json) - 1, &n) != 0)
		return NULL;
	json[n] = '\0';
	o = cJSON_ParseWithLength(json, n);
	if (o != NULL && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

int session_from_identity(const struct jwt_identity *id, buf_t *out)
{
	cJSON *o = cJSON_CreateObject(), *g = cJSON_CreateArray();
	const char *p = id->groups;
	size_t i;
	int rc = -1;

	if (o == NULL || g == NULL)
		goto out;
	cJSON_AddStringToObject(o, "sub", id->sub);
	cJSON_AddStringToObject(o, "cognito:username", id->username);
	cJSON_AddStringToObject(o, "email", id->email);
	cJSON_AddStringToObject(o, "token_use", id->token_use);
	for (i = 0; i < id->n_groups; i++, p += strlen(p) + 1)
		cJSON_AddItemToArray(g, cJSON_CreateString(p));
	cJSON_AddItemToObject(o, "cognito:groups", g);
	g = NULL;
	cJSON_AddNumberToObject(o, "exp", id->exp);
	cJSON_AddBoolToObject(o, "claims_ok", id->claims_ok);
	cJSON_AddBoolToObject(o, "email_verified", id->email_verified);
	rc = session_seal(SESSION_USER, o, out);
out:
	cJSON_Delete(g);
	cJSON_Delete(o);
	return rc;
}

int session_identity(const char *value, double now, struct jwt_identity *id)
{
	cJSON *o = session_open(SESSION_USER, value);
	int rc = -1;

	if (o != NULL && jwt_identity_from(o, id) == JWT_OK && id->exp > now) {
		id->claims_ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "claims_ok"));
		rc = 0;
	}
	cJSON_Delete(o);
	return rc;
}

int session_random(size_t n, buf_t *out)
{
	unsigned char r[64];
	int rc = n > sizeof(r) || RAND_bytes(r, (int)n) != 1 ? -1 : b64url_encode(r, n, out);

	OPENSSL_cleanse(r, sizeof(r));
	return rc;
}
