#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "inert.h"
#include "mem.h"
#include "msg.h"
#include "banned.h"

static const char *program = "ulogin";
static int verbosity;

void
ulogin_set_program(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	program = slash ? slash + 1 : argv0;
	/* libtool wrappers run the binary as lt-NAME. */
	if (strncmp(program, "lt-", 3) == 0)
		program += 3;
}

const char *
ulogin_program(void)
{
	return program;
}

void
ulogin_set_verbosity(int level)
{
	verbosity = level;
}

int
ulogin_verbosity(void)
{
	return verbosity;
}

/* One line to stderr: "PREFIX: TEXT", the text escaped whole, since the
 * values in it (names, keys, file names, the server's words) may come
 * from a roster or an entry that holds anything. */
static void
vsay(const char *prefix, const char *fmt, va_list ap)
{
	char *text = xvasprintf(fmt, ap), *safe = ulogin_inert(text);

	fflush(stdout);
	if (prefix)
		fprintf(stderr, "%s: %s\n", prefix, safe);
	else
		fprintf(stderr, "%s\n", safe);
	free(safe);
	free(text);
}

void
ulogin_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(program, fmt, ap);
	va_end(ap);
}

void
ulogin_warn(const char *fmt, ...)
{
	va_list ap;
	char *prefix;

	if (verbosity < 0)
		return;
	prefix = xasprintf("%s: warning", program);
	va_start(ap, fmt);
	vsay(prefix, fmt, ap);
	va_end(ap);
	free(prefix);
}

void
ulogin_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("hint", fmt, ap);
	va_end(ap);
}

void
ulogin_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 0)
		return;
	va_start(ap, fmt);
	vsay(program, fmt, ap);
	va_end(ap);
}

void
ulogin_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vsay(program, fmt, ap);
	va_end(ap);
}

int
ulogin_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(program, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "Try '%s %s --help'.\n", program, cmd);
	else
		fprintf(stderr, "Try '%s --help'.\n", program);
	return ULOGIN_EX_USAGE;
}

void
ulogin_msg_plain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(NULL, fmt, ap);
	va_end(ap);
}
