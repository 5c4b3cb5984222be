/* log: one line per event on standard error (the web server's error log). */
#ifndef S3GATE_LOG_H
#define S3GATE_LOG_H

enum log_level { LOGL_ERR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };

void log_set_level(enum log_level lvl);
/* Formats, escapes every byte outside printable ASCII, writes one line at once. */
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
