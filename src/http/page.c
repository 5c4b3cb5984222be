#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/page.h"
#include "util/mime.h"

#define PAGE_FILE_MAX (512 * 1024)

void page_headers(struct resp *r)
{
	resp_header(r, "Content-Security-Policy", PAGE_CSP);
	resp_header(r, "Referrer-Policy", "no-referrer");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	resp_header(r, "X-Frame-Options", "DENY");
}

int page_escape(buf_t *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&': rc = buf_addstr(b, "&amp;"); break;
		case '<': rc = buf_addstr(b, "&lt;"); break;
		case '>': rc = buf_addstr(b, "&gt;"); break;
		case '"': rc = buf_addstr(b, "&quot;"); break;
		case '\'': rc = buf_addstr(b, "&#39;"); break;
		default: rc = buf_addc(b, *s); break;
		}
	}
	return rc;
}

int page_file(struct resp *r, const char *dir, const char *name, int no_store)
{
	char path[4096], len[32];
	struct stat st;
	char *data = NULL;
	const char *type = mime_for(name);
	int fd = -1, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size > PAGE_FILE_MAX ||
	    (data = malloc((size_t)st.st_size + 1)) == NULL ||
	    read(fd, data, (size_t)st.st_size) != st.st_size) {
		rc = resp_error(r, 404, "not_found", "no such page");
		goto out;
	}
	snprintf(len, sizeof(len), "%lld", (long long)st.st_size);
	page_headers(r);
	resp_header(r, "Content-Type", type != NULL ? type : "application/octet-stream");
	resp_header(r, "Content-Length", len);
	resp_header(r, "Cache-Control", no_store ? "no-store" : "no-cache");
	rc = resp_body(r, data, (size_t)st.st_size);
out:
	if (fd >= 0)
		close(fd);
	free(data);
	return rc;
}

int page_message(struct resp *r, int status, const char *title, const char *message,
		 const char *href, const char *link_text)
{
	char len[32];
	buf_t b;
	int rc;

	buf_init(&b, 16384);
	rc = buf_addstr(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			    "<title>") ||
	     page_escape(&b, title) ||
	     buf_addstr(&b, "</title><link rel=\"stylesheet\" href=\"style.css\"></head>\n"
			    "<body><main class=\"card\"><h1>") ||
	     page_escape(&b, title) || buf_addstr(&b, "</h1><p>") || page_escape(&b, message) ||
	     buf_addstr(&b, "</p>");
	if (rc == 0 && href != NULL)
		rc = buf_addstr(&b, "<p><a class=\"button\" href=\"") || page_escape(&b, href) ||
		     buf_addstr(&b, "\">") || page_escape(&b, link_text) || buf_addstr(&b, "</a></p>");
	rc = rc || buf_addstr(&b, "</main></body></html>\n");
	if (rc == 0) {
		resp_status(r, status);
		page_headers(r);
		snprintf(len, sizeof(len), "%zu", b.len);
		resp_header(r, "Content-Type", "text/html; charset=utf-8");
		resp_header(r, "Content-Length", len);
		resp_header(r, "Cache-Control", "no-store");
		rc = resp_body(r, b.ptr, b.len);
	}
	buf_free(&b);
	return rc;
}
