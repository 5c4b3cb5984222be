/* page: HTML answers (static pages from htdocs_dir, and small generated
 * pages for sign-in errors), always with a CSP that forbids inline script. */
#ifndef S3GATE_PAGE_H
#define S3GATE_PAGE_H

#include "http/response.h"

#define PAGE_CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
		 "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* The security headers every page carries. */
void page_headers(struct resp *r);
/* htdocs_dir/name (a fixed name from s3gate's own table, never a request
 * path) with its type; 404 JSON when it cannot be read. */
int page_file(struct resp *r, const char *dir, const char *name, int no_store);
/* A small page: a title, a message and a link (href may be NULL). */
int page_message(struct resp *r, int status, const char *title, const char *message,
		 const char *href, const char *link_text);
/* Appends s with &, <, >, " and ' escaped. */
int page_escape(buf_t *b, const char *s);

#endif
