/*
 * Messages to the user.  Every line goes to stderr as
 * "PROGRAM: what failed: why", lower case, no full stop, optionally
 * followed by a "hint: ..." line.
 */
#ifndef ULOGIN_MSG_H
#define ULOGIN_MSG_H

#define ULOGIN_PRINTF(a, b) __attribute__((format(printf, a, b)))

void ulogin_set_program(const char *argv0);
const char *ulogin_program(void);

/* 0 = normal, -1 = quiet (errors only), 1.. = verbose levels. */
void ulogin_set_verbosity(int level);
int ulogin_verbosity(void);

void ulogin_error(const char *fmt, ...) ULOGIN_PRINTF(1, 2);
void ulogin_warn(const char *fmt, ...) ULOGIN_PRINTF(1, 2);
void ulogin_hint(const char *fmt, ...) ULOGIN_PRINTF(1, 2);
/* Informational line, suppressed by --quiet. */
void ulogin_info(const char *fmt, ...) ULOGIN_PRINTF(1, 2);
/* Shown only with --verbose. */
void ulogin_debug(const char *fmt, ...) ULOGIN_PRINTF(1, 2);

/* A line to stderr as it is, even with --quiet: for messages that name
 * their own place, like "FILE:LINE: key=K: why". */
void ulogin_msg_plain(const char *fmt, ...) ULOGIN_PRINTF(1, 2);

/* Print a usage error plus "Try 'PROGRAM --help'." and return 64. */
int ulogin_usage_error(const char *cmd, const char *fmt, ...) ULOGIN_PRINTF(2, 3);

#endif
