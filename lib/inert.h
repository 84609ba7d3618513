/*
 * Inert output: every value that reaches a terminal, a log, a report or a
 * mail is shown with the characters that could act on the reader's
 * terminal, or reorder or hide text, escaped.  A roster file or an entry
 * in the directory may hold anything; printing it must never clear a
 * screen, set a window title or make "kari0042" look like another name.
 *
 * The escapes, in ulogin_inert() and everywhere else:
 *   tab, newline, carriage return       \t \n \r
 *   other control characters (C0, DEL)  \xHH          (ESC is \x1b)
 *   a byte that is not part of UTF-8    \xHH
 *   C1 controls, the bidirectional and  \uHHHH        (U+202E is \u202e)
 *   invisible format characters, the
 *   line and paragraph separators
 *   a backslash                         \\            (so it is unambiguous)
 * Everything else, æ ø å and every other printable character, passes.
 */
#ifndef ULOGIN_INERT_H
#define ULOGIN_INERT_H

#include <stdio.h>
#include <jansson.h>

#include "msg.h"

/* An escaped copy of s (free it). */
char *ulogin_inert(const char *s);

/* Format one line, escape it whole and write it with a newline. */
void ulogin_print_inert(FILE *out, const char *fmt, ...) ULOGIN_PRINTF(2, 3);

/* A JSON string for s that is never NULL: jansson refuses text that is
 * not UTF-8, so such a value is given in its escaped form.  NULL gives
 * JSON null. */
json_t *ulogin_json_text(const char *s);

/* The JSON text of v (jansson's dump flags), with every character that
 * ulogin_inert() escapes and JSON itself does not written as \uHHHH:
 * still the same value to a JSON reader, inert to anyone who looks at the
 * file.  NULL when jansson cannot dump v.  Free the result. */
char *ulogin_json_dumps(const json_t *v, size_t flags);
/* The same written to out, with a newline; 0, or -1 when it cannot be. */
int ulogin_json_dumpf(const json_t *v, FILE *out, size_t flags);

#endif
