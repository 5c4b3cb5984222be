#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "policy/audit.h"
#include "util/buf.h"
#include "util/log.h"

static struct {
	int fd;
	int syslog;
	char path[1024];
} au = { -1, 0, "" };

static volatile sig_atomic_t audit_reopen;

void audit_hup(int sig)
{
	(void)sig;
	audit_reopen = 1;
}

static int audit_open(void)
{
	int fd = open(au.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);

	if (fd >= 0) {
		if (au.fd >= 0)
			close(au.fd);
		au.fd = fd;
	}
	return fd >= 0 ? 0 : -1;
}

int audit_init(const char *target, char *err, size_t errlen)
{
	int rc = 0;

	if (strcmp(target, "syslog") == 0) {
		au.syslog = 1;
		openlog("s3gate", LOG_PID, LOG_AUTHPRIV);
	} else if (target[0] != '\0') {
		snprintf(au.path, sizeof(au.path), "%s", target);
		if (target[0] != '/' || audit_open() != 0) {
			snprintf(err, errlen, "audit_log: cannot append to %s: %s", target,
				 target[0] != '/' ? "not an absolute path" : strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

static int audit_field(buf_t *b, const char *name, const char *v, int comma)
{
	int rc = buf_printf(b, "%s\"%s\":", comma ? "," : "", name);

	if (rc == 0 && v == NULL)
		rc = buf_addstr(b, "null");
	else if (rc == 0)
		rc = buf_addc(b, '"') || buf_add_json_str(b, v, strlen(v)) || buf_addc(b, '"');
	return rc;
}

void audit_write(const struct audit_entry *e)
{
	char when[80];
	struct timespec ts;
	struct tm tm;
	buf_t b;
	int rc;

	if (au.fd < 0 && !au.syslog)
		return;
	if (audit_reopen && au.fd >= 0) {
		audit_reopen = 0;
		if (audit_open() != 0)
			log_msg(LOGL_ERR, "audit: cannot reopen %s: %s", au.path, strerror(errno));
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	buf_init(&b, 8192);
	rc = buf_addc(&b, '{') || audit_field(&b, "time", when, 0) ||
	     audit_field(&b, "client", e->client, 1) || audit_field(&b, "sub", e->sub, 1) ||
	     audit_field(&b, "username", e->username, 1) || audit_field(&b, "key", e->key, 1) ||
	     audit_field(&b, "mode", e->mode, 1) ||
	     buf_printf(&b, ",\"status\":%d,\"bytes\":%llu,\"duration\":%.3f", e->status, e->bytes,
			e->duration) ||
	     audit_field(&b, "decision", e->decision, 1) || buf_addstr(&b, "}\n");
	if (rc != 0)
		log_msg(LOGL_ERR, "audit: line too long, not written");
	else if (au.syslog)
		syslog(LOG_INFO, "%.*s", (int)b.len - 1, b.ptr);
	else if (write(au.fd, b.ptr, b.len) != (ssize_t)b.len)
		log_msg(LOGL_ERR, "audit: cannot write to %s: %s", au.path, strerror(errno));
	buf_free(&b);
}

void audit_cleanup(void)
{
	if (au.fd >= 0)
		close(au.fd);
	au.fd = -1;
	if (au.syslog)
		closelog();
	au.syslog = 0;
}
