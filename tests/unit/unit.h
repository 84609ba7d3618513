/* Shared bits of the C unit tests: cmocka with TAP output, and capturing
 * what a function printed. */
#ifndef ULOGIN_TEST_UNIT_H
#define ULOGIN_TEST_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* Run fn with stream (stdout or stderr) redirected; return what it wrote. */
static inline char *
capture(FILE *stream, void (*fn)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int fd = fileno(stream), saved = dup(fd);
	long len;
	char *buf;

	fflush(stream);
	dup2(fileno(tmp), fd);
	fn(arg);
	fflush(stream);
	dup2(saved, fd);
	close(saved);
	len = ftell(tmp);
	buf = calloc(1, (size_t)len + 1);
	rewind(tmp);
	if (fread(buf, 1, (size_t)len, tmp) != (size_t)len)
		buf[0] = '\0';
	fclose(tmp);
	return buf;
}

/* Write text to a new temporary file; returns its path (free it). */
static inline char *
temp_file(const char *text)
{
	char *path = strdup("/tmp/ulogin-unit-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

#define RUN_TAP(tests) \
	(cmocka_set_message_output(CM_OUTPUT_TAP), \
	 cmocka_run_group_tests(tests, NULL, NULL))

#endif
