#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "auth/jwks.h"
#include "util/buf.h"
#include "util/fetch.h"
#include "util/log.h"

struct jwks_state {
	const struct conf *c;
	struct jwks_set set;
	int loaded;
	double loaded_at;    /* when the keys in set were fetched */
	double last_attempt; /* this process's last fetch attempt */
	int use_file;
	char path[PATH_MAX];  /* cached JWKS document */
	char stamp[PATH_MAX]; /* touched at every fetch attempt, by any process */
};

static struct jwks_state jw;

static void jwks_key_free(struct jwks_key *k)
{
	EVP_PKEY_CTX_free(k->vctx);
	EVP_PKEY_free(k->pkey);
	k->vctx = NULL;
	k->pkey = NULL;
}

void jwks_set_free(struct jwks_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		jwks_key_free(&s->keys[i]);
	s->n = 0;
}

static void jwks_add(struct jwks_set *s, const cJSON *jwk)
{
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(jwk, "kid");
	struct jwks_key *k;

	if (!cJSON_IsString(kid) || kid->valuestring[0] == '\0' ||
	    strlen(kid->valuestring) > JWT_KID_MAX || s->n == JWKS_KEYS_MAX)
		return;
	k = &s->keys[s->n];
	memcpy(k->kid, kid->valuestring, strlen(kid->valuestring) + 1);
	k->usable = jwt_key_from_jwk(jwk, &k->pkey, &k->vctx);
	/* the last free slots are kept for usable keys */
	if (k->usable == JWT_OK || s->n < JWKS_KEYS_MAX / 2)
		s->n++;
}

int jwks_parse(struct jwks_set *s, const char *json, size_t len, char *err, size_t errlen)
{
	cJSON *doc = cJSON_ParseWithLength(json, len);
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(doc, "keys"), *jwk;
	int rc = -1;

	s->n = 0;
	if (!cJSON_IsObject(doc) || !cJSON_IsArray(keys)) {
		snprintf(err, errlen, "not a JWKS document");
		goto out;
	}
	cJSON_ArrayForEach(jwk, keys)
		jwks_add(s, jwk);
	rc = 0;
out:
	cJSON_Delete(doc);
	return rc;
}

jwt_err jwks_set_find(const struct jwks_set *s, const char *kid, EVP_PKEY_CTX **vctx)
{
	size_t i;
	jwt_err e = JWT_E_KID_UNKNOWN;

	/* a usable entry wins over an unusable one with the same kid */
	for (i = 0; i < s->n && e != JWT_OK; i++)
		if (strcmp(s->keys[i].kid, kid) == 0) {
			e = s->keys[i].usable;
			*vctx = s->keys[i].vctx;
		}
	return e;
}

/* The cache file's name depends on the URL, so two pools never share one. */
static int jwks_paths(const struct conf *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n1, n2;

	if (EVP_Digest(c->jwks_url, strlen(c->jwks_url), md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	n1 = snprintf(jw.path, sizeof(jw.path), "%s/jwks-%02x%02x%02x%02x%02x%02x%02x%02x.json",
		      c->cache_dir, md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7]);
	n2 = snprintf(jw.stamp, sizeof(jw.stamp), "%.*s.stamp", n1 > 5 ? n1 - 5 : 0, jw.path);
	return n1 > 0 && (size_t)n1 < sizeof(jw.path) && n2 > 0 && (size_t)n2 < sizeof(jw.stamp)
		       ? 0 : -1;
}

int jwks_init(const struct conf *c, char *err, size_t errlen)
{
	struct stat st;
	int usable, rc = 0;

	memset(&jw, 0, sizeof(jw));
	jw.c = c;
	/* others must not be able to plant a key set here */
	usable = stat(c->cache_dir, &st) == 0 && S_ISDIR(st.st_mode) &&
		 access(c->cache_dir, W_OK | X_OK) == 0 && (st.st_mode & 022) == 0 &&
		 jwks_paths(c) == 0;
	if (usable) {
		jw.use_file = 1;
	} else if (conf_is_explicit(c, "cache_dir")) {
		snprintf(err, errlen, "cache_dir: %s is not a directory writable by this user "
			 "and by no one else (mode 0700 or 0755)", c->cache_dir);
		rc = -1;
	} else {
		log_msg(LOGL_WARN, "cache_dir %s is not a directory writable by this user only; "
			"keys are cached in memory only", c->cache_dir);
	}
	return rc;
}

/* A cache file's time (to the nanosecond: a one-second grain let a second
 * fetch through early), trusted only when this user wrote it; a time in the
 * future counts as now so it cannot block fetches. */
static double jwks_mtime(const char *path, double now)
{
	struct stat st;
	double t = 0;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
		t = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
	return t > now ? now : t;
}

static int jwks_install(const char *json, size_t len, double fetched_at)
{
	struct jwks_set s;
	char err[128];
	int rc = -1;

	if (jwks_parse(&s, json, len, err, sizeof(err)) == 0) {
		jwks_set_free(&jw.set);
		jw.set = s;
		jw.loaded = 1;
		jw.loaded_at = fetched_at;
		rc = 0;
	}
	return rc;
}

static int jwks_load_file(void)
{
	char *data = NULL;
	struct stat st;
	ssize_t got = 0;
	int fd = open(jw.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size <= 0 || st.st_size > JWKS_BYTES_MAX)
		goto out;
	data = malloc((size_t)st.st_size);
	if (data != NULL)
		got = read(fd, data, (size_t)st.st_size);
	if (got == st.st_size)
		rc = jwks_install(data, (size_t)got,
				  (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9);
out:
	if (fd >= 0)
		close(fd);
	free(data);
	return rc;
}

/* Write to a temporary file and rename, so readers never see half a document. */
static void jwks_save_file(const buf_t *b)
{
	char tmp[PATH_MAX];
	int fd, ok = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", jw.path) >= sizeof(tmp))
		return;
	fd = mkstemp(tmp);
	if (fd < 0) {
		log_msg(LOGL_WARN, "jwks: cannot write the key cache: %s", strerror(errno));
		return;
	}
	ok = write(fd, b->ptr, b->len) == (ssize_t)b->len && fchmod(fd, 0644) == 0;
	ok = close(fd) == 0 && ok && rename(tmp, jw.path) == 0;
	if (!ok) {
		log_msg(LOGL_WARN, "jwks: cannot write the key cache: %s", strerror(errno));
		unlink(tmp);
	}
}

static void jwks_touch_stamp(void)
{
	int fd = open(jw.stamp, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd >= 0) {
		futimens(fd, NULL);
		close(fd);
	}
}

static int jwks_fetch(double now)
{
	struct fetch_opts o = { jw.c->http_timeout, jw.c->http_connect_timeout };
	char err[256];
	long status = 0;
	buf_t b;
	int rc = -1;

	buf_init(&b, JWKS_BYTES_MAX);
	jw.last_attempt = now;
	if (jw.use_file)
		jwks_touch_stamp();
	if (fetch_get(jw.c->jwks_url, &o, &b, &status, err, sizeof(err)) != 0) {
		log_msg(LOGL_WARN, "jwks: fetch failed: %s", err);
		goto out;
	}
	if (status != 200) {
		log_msg(LOGL_WARN, "jwks: fetch answered HTTP %ld", status);
		goto out;
	}
	if (jwks_install(b.ptr, b.len, now) != 0) {
		log_msg(LOGL_WARN, "jwks: fetched document is not a JWKS");
		goto out;
	}
	log_msg(LOGL_INFO, "jwks: fetched %zu keys", jw.set.n);
	if (jw.use_file) {
		jwks_save_file(&b);
		/* our own file is not "newer keys from another process" */
		double fm = jwks_mtime(jw.path, now + 1);

		jw.loaded_at = fm > now ? fm : now;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* Whether this process may fetch now: once per refetch interval, across
 * processes when there are keys to serve meanwhile (in memory or a file);
 * a process with no keys at all tries once per interval on its own. */
static int jwks_may_fetch(double now, int have_file)
{
	double last = jw.last_attempt;
	double stamp = jw.use_file && (jw.loaded || have_file) ? jwks_mtime(jw.stamp, now) : 0;

	if (stamp > last)
		last = stamp;
	return now - last >= (double)jw.c->jwks_refetch_interval;
}

/* Newer keys from another process's fetch, else from the source itself. */
static void jwks_refresh(double now)
{
	double fm = jw.use_file ? jwks_mtime(jw.path, now) : 0;

	if (fm > jw.loaded_at && now - fm < (double)jw.c->jwks_lifetime && jwks_load_file() == 0)
		return;
	if (jwks_may_fetch(now, fm > 0) && jwks_fetch(now) == 0)
		return;
	/* source down: keep what we have, or fall back to a stale file */
	if (!jw.loaded && fm > 0 && jwks_load_file() == 0)
		log_msg(LOGL_WARN, "jwks: serving keys from a stale cache file");
}

jwt_err jwks_lookup(const char *kid, double now, EVP_PKEY_CTX **vctx)
{
	jwt_err e;

	if (!jw.loaded || now - jw.loaded_at >= (double)jw.c->jwks_lifetime)
		jwks_refresh(now);
	e = jwks_set_find(&jw.set, kid, vctx);
	if (e == JWT_E_KID_UNKNOWN && jw.loaded) {
		jwks_refresh(now);
		e = jwks_set_find(&jw.set, kid, vctx);
	}
	if (!jw.loaded)
		e = JWT_E_KEYS_UNAVAILABLE;
	return e;
}

void jwks_cleanup(void)
{
	jwks_set_free(&jw.set);
	jw.loaded = 0;
}
