#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define LOG_LINE_MAX 2048

static enum log_level log_level_max = LOGL_INFO;

static const char *const log_level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level lvl)
{
	log_level_max = lvl;
}

/* Copies src into dst escaping untrusted bytes; returns bytes written. */
static size_t log_escape(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *src != '\0' && o + 4 < cap; src++) {
		unsigned char c = (unsigned char)*src;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	return o;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX * 2];
	struct tm tm;
	time_t now = time(NULL);
	size_t n;
	va_list ap;
	int h;

	if (lvl > log_level_max)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	gmtime_r(&now, &tm);
	h = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ s3gate[%ld] %s: ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, (long)getpid(), log_level_names[lvl]);
	if (h < 0 || (size_t)h >= sizeof(line))
		return;
	n = (size_t)h + log_escape(line + h, sizeof(line) - (size_t)h - 1, msg);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
