/* audit: one JSON line per download decision, to a file (reopened after
 * SIGHUP, for logrotate) or to syslog. Never a token or a cookie. */
#ifndef S3GATE_AUDIT_H
#define S3GATE_AUDIT_H

#include <stddef.h>

struct audit_entry {
	const char *client;
	const char *sub;
	const char *username;
	const char *key;
	const char *mode;   /* "relay", "head", "url", "redirect", "list" */
	int status;
	unsigned long long bytes;
	double duration;
	const char *decision; /* the rule or reason that decided */
};

/* target: a file path, "syslog", or "" (off). -1 with err when the file
 * cannot be opened for appending. */
int audit_init(const char *target, char *err, size_t errlen);
void audit_write(const struct audit_entry *e);
/* From the SIGHUP handler: the file is reopened before the next line. */
void audit_hup(int sig);
void audit_cleanup(void);

#endif
