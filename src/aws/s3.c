#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <expat.h>

#include "aws/creds.h"
#include "aws/s3.h"
#include "aws/sigv4.h"
#include "util/log.h"
#include "util/utf8.h"

#define S3_ERRBODY_MAX 16384
#define S3_BUFFER_SIZE (256L * 1024)

struct s3_stall {
	curl_off_t seen;
	time_t since;
};

struct s3_state {
	const struct conf *c;
	CURL *h;
	struct s3_stall stall;
	char scheme[8];
	char host[512]; /* the endpoint's host[:port] */
};

static struct s3_state s3;

int s3_init(const struct conf *c, char *err, size_t errlen)
{
	const char *sep = strstr(c->s3_endpoint, "://");
	int n, rc = -1;

	memset(&s3, 0, sizeof(s3));
	s3.c = c;
	n = snprintf(s3.scheme, sizeof(s3.scheme), "%.*s", (int)(sep - c->s3_endpoint),
		     c->s3_endpoint);
	if (n <= 0 || (size_t)n >= sizeof(s3.scheme) ||
	    (size_t)snprintf(s3.host, sizeof(s3.host), "%s", sep + 3) >= sizeof(s3.host)) {
		snprintf(err, errlen, "s3_endpoint: too long");
		goto out;
	}
	rc = creds_init(c, err, errlen);
out:
	return rc;
}

void s3_cleanup(void)
{
	if (s3.h != NULL)
		curl_easy_cleanup(s3.h);
	s3.h = NULL;
	creds_cleanup();
}

int s3_key_ok(const char *key)
{
	size_t n = strlen(key), i, seg = 0;
	int ok = n > 0 && n <= S3_KEY_MAX && key[0] != '/' && utf8_valid(key, n);

	for (i = 0; i <= n && ok; i++) {
		unsigned char c = (unsigned char)key[i];

		if (i == n || c == '/') {
			/* the segment key[seg..i) */
			ok = i > seg && !(i - seg == 1 && key[seg] == '.') &&
			     !(i - seg == 2 && key[seg] == '.' && key[seg + 1] == '.');
			seg = i + 1;
		} else if (c < 0x20 || c == 0x7f) {
			ok = 0;
		} else if (c == 0xc2 && i + 1 < n && (unsigned char)key[i + 1] < 0xa0) {
			ok = 0; /* C1 controls U+0080..U+009F */
		}
	}
	return ok ? 0 : -1;
}

/* Host and decoded path of key, path-style or virtual-hosted. */
static int s3_locate(const char *key, buf_t *host, buf_t *path)
{
	const struct conf *c = s3.c;
	int rc;

	if (c->s3_path_style)
		rc = buf_addstr(host, s3.host) ||
		     buf_printf(path, "/%s/%s%s", c->bucket, c->key_prefix, key);
	else
		rc = buf_printf(host, "%s.%s", c->bucket, s3.host) ||
		     buf_printf(path, "/%s%s", c->key_prefix, key);
	return rc;
}

/* ---- S3's XML error answer: <Error><Code>…</Code>… ---- */

struct s3_xml {
	int depth, in_code;
	char code[64];
	size_t len;
};

static void XMLCALL s3_xml_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct s3_xml *x = ud;

	(void)attrs;
	x->depth++;
	x->in_code = x->depth == 2 && strcmp(name, "Code") == 0;
}

static void XMLCALL s3_xml_end(void *ud, const XML_Char *name)
{
	struct s3_xml *x = ud;

	(void)name;
	x->depth--;
	x->in_code = 0;
}

static void XMLCALL s3_xml_text(void *ud, const XML_Char *s, int n)
{
	struct s3_xml *x = ud;
	size_t take;

	if (!x->in_code || n <= 0)
		return;
	take = (size_t)n < sizeof(x->code) - 1 - x->len ? (size_t)n : sizeof(x->code) - 1 - x->len;
	memcpy(x->code + x->len, s, take);
	x->len += take;
	x->code[x->len] = '\0';
}

/* The <Code> of an S3 error document, "" when there is none. */
static void s3_error_code(const buf_t *body, char *code, size_t cap)
{
	struct s3_xml x;
	XML_Parser p = XML_ParserCreate(NULL);
	size_t i;

	memset(&x, 0, sizeof(x));
	if (p != NULL && body->len > 0 && body->len < (size_t)INT_MAX) {
		XML_SetUserData(p, &x);
		XML_SetElementHandler(p, s3_xml_start, s3_xml_end);
		XML_SetCharacterDataHandler(p, s3_xml_text);
		XML_Parse(p, body->ptr, (int)body->len, 1);
	}
	if (p != NULL)
		XML_ParserFree(p);
	for (i = 0; i < x.len; i++) /* it goes into a log line: keep it plain */
		if (!((x.code[i] >= 'A' && x.code[i] <= 'Z') || (x.code[i] >= 'a' && x.code[i] <= 'z') ||
		      (x.code[i] >= '0' && x.code[i] <= '9')))
			x.code[i] = '_';
	snprintf(code, cap, "%s", x.code);
}

/* ---- the transfer ---- */

struct s3_xfer {
	const struct s3_sink *sink;
	struct s3_head head;
	int head_sent;
	int client_gone;
	buf_t errbody;
};

static int s3_relay_status(long st)
{
	return st == 200 || st == 206;
}

static void s3_header_value(char *dst, size_t cap, const char *v, size_t n)
{
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	while (n > 0 && *v == ' ')
		v++, n--;
	if (n < cap) {
		memcpy(dst, v, n);
		dst[n] = '\0';
	}
}

static size_t s3_on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct s3_xfer *x = ud;
	size_t n = size * nmemb;
	static const struct {
		const char *name;
		size_t off, cap;
	} keep[] = {
		{ "content-length", offsetof(struct s3_head, content_length), 24 },
		{ "content-range", offsetof(struct s3_head, content_range), 96 },
		{ "content-type", offsetof(struct s3_head, content_type), 256 },
		{ "etag", offsetof(struct s3_head, etag), 256 },
		{ "last-modified", offsetof(struct s3_head, last_modified), 64 },
		{ "accept-ranges", offsetof(struct s3_head, accept_ranges), 32 },
	};
	const char *colon = memchr(p, ':', n);
	size_t i;

	if (n > 5 && strncmp(p, "HTTP/", 5) == 0) {
		long st = 0;
		const char *sp = memchr(p, ' ', n);

		memset(&x->head, 0, sizeof(x->head));
		if (sp != NULL && (size_t)(sp - p) + 4 <= n)
			st = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
		x->head.status = st;
	} else if (colon != NULL) {
		size_t nl = (size_t)(colon - p);

		for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			if (nl == strlen(keep[i].name) && strncasecmp(p, keep[i].name, nl) == 0)
				s3_header_value((char *)&x->head + keep[i].off, keep[i].cap, colon + 1,
						n - nl - 1);
	}
	return n;
}

static size_t s3_on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct s3_xfer *x = ud;
	size_t n = size * nmemb;

	if (!s3_relay_status(x->head.status)) {
		buf_add(&x->errbody, p, n < S3_ERRBODY_MAX - x->errbody.len ? n : 0);
		return n;
	}
	if (!x->head_sent) {
		x->head_sent = 1;
		if (x->sink->on_head(x->sink->ud, &x->head) != 0) {
			x->client_gone = 1;
			return 0;
		}
	}
	if (x->sink->on_body(x->sink->ud, p, n) != 0) {
		x->client_gone = 1;
		return 0;
	}
	return n;
}

static struct curl_slist *s3_add(struct curl_slist *l, int *bad, const char *name,
				 const char *value)
{
	char line[8192];
	struct curl_slist *n;

	if (value == NULL || *bad)
		return l;
	if ((size_t)snprintf(line, sizeof(line), "%s: %s", name, value) >= sizeof(line) ||
	    strpbrk(value, "\r\n") != NULL || (n = curl_slist_append(l, line)) == NULL) {
		*bad = 1;
		return l;
	}
	return n;
}

/* The signed request headers plus the client's range and conditions. */
static struct curl_slist *s3_headers(const struct sigv4_req *r, const struct sigv4_creds *cr,
				     const struct s3_get_opts *o, buf_t *auth, int *bad)
{
	char date[17];
	struct curl_slist *l = NULL;

	*bad = sigv4_sign(r, cr, auth, date) != 0;
	l = s3_add(l, bad, "Host", r->host);
	l = s3_add(l, bad, "x-amz-date", date);
	l = s3_add(l, bad, "x-amz-content-sha256", SIGV4_EMPTY_SHA256);
	l = s3_add(l, bad, "x-amz-security-token", cr->session_token);
	l = s3_add(l, bad, "Authorization", buf_str(auth));
	l = s3_add(l, bad, "Range", o->range);
	l = s3_add(l, bad, "If-Match", o->if_match);
	l = s3_add(l, bad, "If-None-Match", o->if_none_match);
	l = s3_add(l, bad, "If-Modified-Since", o->if_modified_since);
	l = s3_add(l, bad, "If-Unmodified-Since", o->if_unmodified_since);
	l = s3_add(l, bad, "Accept-Encoding", "identity");
	l = s3_add(l, bad, "Expect", "");
	return l;
}

/* Gives up when nothing arrived for s3_timeout seconds (libcurl's low-speed
 * limit averages over a window, so it waited several seconds more). */
static int s3_on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			  curl_off_t ulnow)
{
	struct s3_stall *st = ud;
	time_t now = time(NULL);

	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	if (dlnow != st->seen || st->since == 0) {
		st->seen = dlnow;
		st->since = now;
	}
	return now - st->since >= s3.c->s3_timeout ? 1 : 0;
}

static CURLcode s3_setup(CURL *h, const char *url, struct curl_slist *hl, struct s3_xfer *x,
			 int head_only)
{
	const struct conf *c = s3.c;
	CURLcode rc;

	curl_easy_reset(h);
	s3.stall.seen = 0;
	s3.stall.since = 0;
	if ((rc = curl_easy_setopt(h, CURLOPT_URL, url)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_NOBODY, head_only ? 1L : 0L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->http_connect_timeout)) != CURLE_OK ||
	    /* no total timeout: a big file takes long; a stalled one does not */
	    (rc = curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, s3_on_progress)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_XFERINFODATA, &s3.stall)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_BUFFERSIZE, S3_BUFFER_SIZE)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, s3_on_header)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_HEADERDATA, x)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s3_on_body)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, x)) != CURLE_OK)
		return rc;
	return CURLE_OK;
}

/* What an answer without a relayed body means. */
static enum s3_outcome s3_classify(struct s3_xfer *x, CURLcode rc, int head_only, char *why,
				   size_t whylen)
{
	char code[64];
	long st = x->head.status;

	if (x->head_sent)
		return x->client_gone ? S3_CLIENT_GONE
		       : rc != CURLE_OK ? (snprintf(why, whylen, "S3 transfer cut short: %s",
						    rc == CURLE_ABORTED_BY_CALLBACK
							    ? "S3 sent nothing for s3_timeout seconds"
							    : curl_easy_strerror(rc)), S3_CUT_SHORT)
					: S3_OK;
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(why, whylen, "S3 sent nothing for %ld s", s3.c->s3_timeout);
		return S3_TIMEOUT;
	}
	if (rc != CURLE_OK && st == 0) {
		snprintf(why, whylen, "S3 unreachable: %s", curl_easy_strerror(rc));
		return rc == CURLE_OPERATION_TIMEDOUT ? S3_TIMEOUT : S3_UPSTREAM;
	}
	if (s3_relay_status(st) || st == 304 || st == 412 || st == 416) {
		x->head_sent = 1;
		return x->sink->on_head(x->sink->ud, &x->head) != 0 ? S3_CLIENT_GONE : S3_OK;
	}
	s3_error_code(&x->errbody, code, sizeof(code));
	snprintf(why, whylen, "S3 answered HTTP %ld %s", st, code[0] ? code : "(no error code)");
	if (st == 404 || (st == 403 && (strcmp(code, "AccessDenied") == 0 || head_only)))
		return S3_NOT_FOUND;
	return rc == CURLE_OPERATION_TIMEDOUT ? S3_TIMEOUT : S3_UPSTREAM;
}

static int s3_probe_head(void *ud, const struct s3_head *h)
{
	(void)ud;
	(void)h;
	return -1; /* readable after all: stop at once */
}

static int s3_probe_body(void *ud, const char *p, size_t n)
{
	(void)ud;
	(void)p;
	(void)n;
	return -1;
}

/* S3 answers HEAD with a bare 403 for a missing key (without ListBucket) and
 * for a bad signature alike; one byte asked by GET brings the error code. */
static enum s3_outcome s3_probe_403(const char *key, char *why, size_t whylen)
{
	const struct s3_get_opts o = { .range = "bytes=0-0" };
	const struct s3_sink sink = { s3_probe_head, s3_probe_body, NULL };
	enum s3_outcome out = s3_get(key, &o, &sink, why, whylen);

	return out == S3_OK || out == S3_CLIENT_GONE ? S3_NOT_FOUND : out;
}

enum s3_outcome s3_get(const char *key, const struct s3_get_opts *o, const struct s3_sink *sink,
		       char *why, size_t whylen)
{
	struct sigv4_req r = { .method = o->head_only ? "HEAD" : "GET", .region = s3.c->region,
			       .service = "s3", .when = time(NULL) };
	struct sigv4_creds cr;
	struct s3_xfer x;
	struct curl_slist *hl = NULL;
	buf_t host, path, url, auth;
	enum s3_outcome out = S3_UPSTREAM;
	CURLcode rc = CURLE_OK;
	int bad = 0;

	memset(&x, 0, sizeof(x));
	x.sink = sink;
	buf_init(&x.errbody, S3_ERRBODY_MAX);
	buf_init(&host, 1024);
	buf_init(&path, 4 * S3_KEY_MAX);
	buf_init(&url, 16 * S3_KEY_MAX);
	buf_init(&auth, 2048);
	if (creds_get(&cr, r.when, why, whylen) != 0)
		goto out;
	if (s3_locate(key, &host, &path) != 0 ||
	    buf_printf(&url, "%s://%s", s3.scheme, buf_str(&host)) != 0) {
		snprintf(why, whylen, "key too long");
		goto out;
	}
	r.host = buf_str(&host);
	r.path = buf_str(&path);
	hl = s3_headers(&r, &cr, o, &auth, &bad);
	if (bad || sigv4_target(&r, &url) != 0) {
		snprintf(why, whylen, "cannot sign the request");
		goto out;
	}
	if (s3.h == NULL)
		s3.h = curl_easy_init();
	rc = s3.h != NULL ? s3_setup(s3.h, buf_str(&url), hl, &x, o->head_only) : CURLE_FAILED_INIT;
	if (rc == CURLE_OK)
		rc = curl_easy_perform(s3.h);
	out = s3_classify(&x, rc, o->head_only, why, whylen);
	if (out == S3_NOT_FOUND && o->head_only && x.head.status == 403)
		out = s3_probe_403(key, why, whylen);
out:
	if (s3.h != NULL)
		curl_easy_setopt(s3.h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	buf_free(&x.errbody);
	buf_free(&host);
	buf_free(&path);
	buf_free(&url);
	buf_free(&auth);
	return out;
}

int s3_presign(const char *key, long expires, time_t now, const char *disposition,
	       const char *content_type, buf_t *url, char *why, size_t whylen)
{
	struct sigv4_req r = { .method = "GET", .region = s3.c->region, .service = "s3",
			       .when = now };
	struct sigv4_creds cr;
	buf_t host, path, q;
	int rc = -1;

	buf_init(&host, 1024);
	buf_init(&path, 4 * S3_KEY_MAX);
	buf_init(&q, 16 * S3_KEY_MAX);
	if (creds_get(&cr, now, why, whylen) != 0)
		goto out;
	if (disposition != NULL)
		r.query[r.n_query++] = (struct sigv4_kv){ "response-content-disposition", disposition };
	if (content_type != NULL)
		r.query[r.n_query++] = (struct sigv4_kv){ "response-content-type", content_type };
	if (s3_locate(key, &host, &path) != 0 || (r.host = buf_str(&host),
						  r.path = buf_str(&path), 0) ||
	    sigv4_presign(&r, &cr, expires, &q) != 0 ||
	    buf_printf(url, "%s://%s", s3.scheme, r.host) != 0) {
		snprintf(why, whylen, "cannot presign");
		goto out;
	}
	r.n_query = 0;
	rc = sigv4_target(&r, url) || buf_addc(url, '?') || buf_addstr(url, buf_str(&q));
out:
	buf_free(&host);
	buf_free(&path);
	buf_free(&q);
	return rc;
}

/* ---- ListObjectsV2: <ListBucketResult><Contents><Key>… parsed as it streams ---- */

#define S3_LIST_BYTES_MAX (8L * 1024 * 1024)
#define S3_FIELD_MAX 1100

struct s3_lister {
	XML_Parser parser;
	struct s3_list_page *page;
	int depth;
	int in_contents;
	char *field;       /* where the current element's text goes, NULL: nowhere */
	size_t field_cap;
	size_t field_len;
	char key[S3_FIELD_MAX], size[32], modified[64], etag[256];
	size_t prefix_len;
	int stopped, failed;
	long status;
	size_t bytes;
	buf_t errbody;
};

static void XMLCALL s3_list_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct s3_lister *l = ud;
	struct {
		const char *name;
		char *dst;
		size_t cap;
	} f[] = { { "Key", l->key, sizeof(l->key) }, { "Size", l->size, sizeof(l->size) },
		  { "LastModified", l->modified, sizeof(l->modified) },
		  { "ETag", l->etag, sizeof(l->etag) } };
	size_t i;

	(void)attrs;
	l->depth++;
	l->field = NULL;
	if (l->depth == 2 && strcmp(name, "Contents") == 0) {
		l->in_contents = 1;
		l->key[0] = l->size[0] = l->modified[0] = l->etag[0] = '\0';
	} else if (l->depth == 2 && strcmp(name, "NextContinuationToken") == 0) {
		l->field = l->page->next;
		l->field_cap = sizeof(l->page->next);
	} else if (l->depth == 3 && l->in_contents) {
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (strcmp(name, f[i].name) == 0) {
				l->field = f[i].dst;
				l->field_cap = f[i].cap;
			}
	}
	l->field_len = 0;
	if (l->field != NULL)
		l->field[0] = '\0';
}

static void XMLCALL s3_list_text(void *ud, const XML_Char *s, int n)
{
	struct s3_lister *l = ud;

	if (l->field == NULL || n <= 0)
		return;
	if (l->field_len + (size_t)n >= l->field_cap) {
		l->failed = 1; /* an over-long value: refuse the page rather than cut it */
		XML_StopParser(l->parser, XML_FALSE);
		return;
	}
	memcpy(l->field + l->field_len, s, (size_t)n);
	l->field_len += (size_t)n;
	l->field[l->field_len] = '\0';
}

static void XMLCALL s3_list_end(void *ud, const XML_Char *name)
{
	struct s3_lister *l = ud;
	struct s3_object o;

	l->field = NULL;
	if (l->depth == 2 && l->in_contents && strcmp(name, "Contents") == 0) {
		l->in_contents = 0;
		if (strlen(l->key) > l->prefix_len) {
			o = (struct s3_object){ l->key + l->prefix_len, l->size, l->modified, l->etag };
			if (l->page->on_object(l->page->ud, &o) != 0) {
				l->stopped = 1;
				XML_StopParser(l->parser, XML_FALSE);
			}
		}
	}
	l->depth--;
}

static size_t s3_list_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct s3_lister *l = ud;
	size_t n = size * nmemb;

	if (n > 12 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', n);

		if (sp != NULL && (size_t)(sp - p) + 4 <= n)
			l->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	}
	return n;
}

static size_t s3_list_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct s3_lister *l = ud;
	size_t n = size * nmemb;

	l->bytes += n;
	if (l->bytes > S3_LIST_BYTES_MAX)
		return 0;
	if (l->status != 200) {
		buf_add(&l->errbody, p, n < S3_ERRBODY_MAX - l->errbody.len ? n : 0);
		return n;
	}
	if (l->stopped || l->failed)
		return n;
	if (XML_Parse(l->parser, p, (int)n, 0) == XML_STATUS_ERROR && !l->stopped)
		l->failed = 1;
	return n;
}

static enum s3_outcome s3_list_classify(struct s3_lister *l, CURLcode rc, char *why, size_t whylen)
{
	char code[64];

	if (rc != CURLE_OK && l->status == 0) {
		snprintf(why, whylen, "S3 unreachable: %s", curl_easy_strerror(rc));
		return rc == CURLE_OPERATION_TIMEDOUT ? S3_TIMEOUT : S3_UPSTREAM;
	}
	if (l->status != 200) {
		s3_error_code(&l->errbody, code, sizeof(code));
		snprintf(why, whylen, "S3 answered HTTP %ld %s to a listing", l->status,
			 code[0] ? code : "(no error code)");
		return S3_UPSTREAM;
	}
	if (rc != CURLE_OK || l->failed ||
	    (!l->stopped && XML_Parse(l->parser, "", 0, 1) == XML_STATUS_ERROR)) {
		snprintf(why, whylen, "S3 listing unreadable%s%s", rc != CURLE_OK ? ": " : "",
			 rc != CURLE_OK ? curl_easy_strerror(rc) : "");
		return S3_UPSTREAM;
	}
	return S3_OK;
}

enum s3_outcome s3_list(const char *prefix, const char *continuation, long max_keys,
			struct s3_list_page *page, char *why, size_t whylen)
{
	struct sigv4_req r = { .method = "GET", .region = s3.c->region, .service = "s3",
			       .when = time(NULL) };
	static const struct s3_get_opts no_conditions;
	struct sigv4_creds cr;
	struct s3_lister l;
	struct curl_slist *hl = NULL;
	char max[24];
	buf_t host, path, url, auth, full;
	enum s3_outcome out = S3_UPSTREAM;
	CURLcode rc = CURLE_OK;
	int bad = 0;

	memset(&l, 0, sizeof(l));
	l.page = page;
	page->next[0] = '\0';
	l.prefix_len = strlen(s3.c->key_prefix);
	buf_init(&l.errbody, S3_ERRBODY_MAX);
	buf_init(&host, 1024);
	buf_init(&path, 1024);
	buf_init(&url, 16 * S3_KEY_MAX);
	buf_init(&auth, 2048);
	buf_init(&full, 2 * S3_KEY_MAX);
	l.parser = XML_ParserCreate(NULL);
	if (l.parser == NULL || creds_get(&cr, r.when, why, whylen) != 0)
		goto out;
	XML_SetUserData(l.parser, &l);
	XML_SetElementHandler(l.parser, s3_list_start, s3_list_end);
	XML_SetCharacterDataHandler(l.parser, s3_list_text);
	snprintf(max, sizeof(max), "%ld", max_keys);
	if (buf_printf(&full, "%s%s", s3.c->key_prefix, prefix) != 0 ||
	    (s3.c->s3_path_style ? buf_printf(&host, "%s", s3.host) || buf_printf(&path, "/%s", s3.c->bucket)
				 : buf_printf(&host, "%s.%s", s3.c->bucket, s3.host) || buf_addc(&path, '/'))) {
		snprintf(why, whylen, "prefix too long");
		goto out;
	}
	r.host = buf_str(&host);
	r.path = buf_str(&path);
	r.query[r.n_query++] = (struct sigv4_kv){ "list-type", "2" };
	r.query[r.n_query++] = (struct sigv4_kv){ "max-keys", max };
	r.query[r.n_query++] = (struct sigv4_kv){ "prefix", buf_str(&full) };
	if (continuation != NULL && continuation[0] != '\0')
		r.query[r.n_query++] = (struct sigv4_kv){ "continuation-token", continuation };
	hl = s3_headers(&r, &cr, &no_conditions, &auth, &bad);
	if (bad || buf_printf(&url, "%s://%s", s3.scheme, r.host) != 0 || sigv4_target(&r, &url) != 0) {
		snprintf(why, whylen, "cannot sign the listing");
		goto out;
	}
	if (s3.h == NULL)
		s3.h = curl_easy_init();
	rc = s3.h != NULL ? s3_setup(s3.h, buf_str(&url), hl, NULL, 0) : CURLE_FAILED_INIT;
	if (rc == CURLE_OK &&
	    ((rc = curl_easy_setopt(s3.h, CURLOPT_HEADERFUNCTION, s3_list_header)) != CURLE_OK ||
	     (rc = curl_easy_setopt(s3.h, CURLOPT_HEADERDATA, &l)) != CURLE_OK ||
	     (rc = curl_easy_setopt(s3.h, CURLOPT_WRITEFUNCTION, s3_list_body)) != CURLE_OK ||
	     (rc = curl_easy_setopt(s3.h, CURLOPT_WRITEDATA, &l)) != CURLE_OK))
		goto out;
	if (rc == CURLE_OK)
		rc = curl_easy_perform(s3.h);
	out = s3_list_classify(&l, rc, why, whylen);
out:
	if (s3.h != NULL)
		curl_easy_setopt(s3.h, CURLOPT_HTTPHEADER, NULL);
	if (l.parser != NULL)
		XML_ParserFree(l.parser);
	curl_slist_free_all(hl);
	buf_free(&l.errbody);
	buf_free(&host);
	buf_free(&path);
	buf_free(&url);
	buf_free(&auth);
	buf_free(&full);
	return out;
}
