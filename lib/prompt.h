/*
 * Talking to the person at the terminal: secrets without echo,
 * confirmation of destructive actions.
 */
#ifndef ULOGIN_PROMPT_H
#define ULOGIN_PROMPT_H

#include <stdbool.h>

/* Are stdin and stdout both a terminal? */
bool ulogin_interactive(void);

/* Read a secret from /dev/tty without echo, up to Enter.  NULL when there
 * is no terminal (errno ENXIO) or it cannot be read (EIO), and when the
 * input ends (Ctrl-D) before Enter (ECANCELED): the user cancelled, and
 * what was typed so far is not taken.  Free with ulogin_secret_free(). */
char *ulogin_prompt_secret(const char *prompt);

/* One line of standard input without its line end (a password a script
 * pipes in), read with read(2) so that no stdio buffer keeps a copy.
 * NULL when there is none, or when it is longer than max bytes
 * (*too_long).  Free with ulogin_secret_free(). */
char *ulogin_read_secret_line(size_t max, bool *too_long);

/* Ask a yes/no question on the terminal; true only for an explicit yes. */
bool ulogin_confirm(const char *question);

/*
 * Read a password file: the whole file, minus one trailing newline.  The
 * file must be a regular file not readable by group or others.  Returns
 * an exit code and prints why on failure.
 */
int ulogin_read_password_file(const char *path, char **out);

#endif
