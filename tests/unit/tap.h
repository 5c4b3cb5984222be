/* tap.h: the few TAP helpers the unit tests share (TAP version 13). */
#ifndef S3GATE_TAP_H
#define S3GATE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, name) \
	tap_is_str((got), (want), __FILE__, __LINE__, (name))
#define is_int(got, want, name) \
	tap_is_int((long)(got), (long)(want), __FILE__, __LINE__, (name))

__attribute__((format(printf, 4, 5)))
static void tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
}

__attribute__((unused)) static void tap_is_str(const char *got, const char *want, const char *file, int line,
		       const char *name)
{
	int cond = got != NULL && want != NULL ? strcmp(got, want) == 0 : got == want;

	tap_ok(cond, file, line, "%s", name);
	if (!cond)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
}

__attribute__((unused)) static void tap_is_int(long got, long want, const char *file, int line, const char *name)
{
	tap_ok(got == want, file, line, "%s", name);
	if (got != want)
		printf("#   got %ld, want %ld\n", got, want);
}

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
