#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "util/fetch.h"

static CURL *fetch_handle;

int fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void fetch_global_cleanup(void)
{
	if (fetch_handle != NULL)
		curl_easy_cleanup(fetch_handle);
	fetch_handle = NULL;
	curl_global_cleanup();
}

struct fetch_sink {
	buf_t *body;
	int overflow;
};

static size_t fetch_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct fetch_sink *s = ud;
	size_t n = size * nmemb;

	if (buf_add(s->body, p, n) != 0) {
		s->overflow = 1;
		n = 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

static CURLcode fetch_setup(CURL *h, const char *url, const struct fetch_opts *o,
			    struct fetch_sink *sink)
{
	CURLcode rc;

	curl_easy_reset(h);
	if ((rc = curl_easy_setopt(h, CURLOPT_URL, url)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_TIMEOUT, o->timeout)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
				   (curl_off_t)sink->body->max)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION)) !=
		    CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, sink)) != CURLE_OK)
		return rc;
	return CURLE_OK;
}

int fetch_get(const char *url, const struct fetch_opts *o, buf_t *body, long *status,
	      char *err, size_t errlen)
{
	return fetch_request("GET", url, NULL, NULL, o, body, status, err, errlen);
}

static struct curl_slist *fetch_headers(const char *const *headers)
{
	struct curl_slist *list = NULL, *next;

	for (; headers != NULL && *headers != NULL; headers++) {
		next = curl_slist_append(list, *headers);
		if (next == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

int fetch_request(const char *method, const char *url, const char *const *headers,
		  const char *send, const struct fetch_opts *o, buf_t *body, long *status,
		  char *err, size_t errlen)
{
	struct fetch_sink sink = { body, 0 };
	struct curl_slist *hl = fetch_headers(headers);
	CURLcode rc;
	int ret = -1;

	if (fetch_handle == NULL)
		fetch_handle = curl_easy_init();
	if (fetch_handle == NULL) {
		snprintf(err, errlen, "cannot create a transfer handle");
		goto out;
	}
	rc = fetch_setup(fetch_handle, url, o, &sink);
	if (rc == CURLE_OK && send != NULL)
		rc = curl_easy_setopt(fetch_handle, CURLOPT_POSTFIELDS, send);
	if (rc == CURLE_OK && strcmp(method, send != NULL ? "POST" : "GET") != 0)
		rc = curl_easy_setopt(fetch_handle, CURLOPT_CUSTOMREQUEST, method);
	if (rc == CURLE_OK && hl != NULL)
		rc = curl_easy_setopt(fetch_handle, CURLOPT_HTTPHEADER, hl);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(fetch_handle);
	curl_easy_setopt(fetch_handle, CURLOPT_HTTPHEADER, NULL);
	if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "response larger than %zu bytes", body->max);
		goto out;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(fetch_handle, CURLINFO_RESPONSE_CODE, status);
	ret = 0;
out:
	curl_slist_free_all(hl);
	return ret;
}
