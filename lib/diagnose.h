/*
 * Why a login fails: the support desk's error table (DESIGN.md section 2)
 * walked check by check for one login as the person typed it, with the
 * operator's own rights (ulogin-user diagnose).
 */
#ifndef ULOGIN_DIAGNOSE_H
#define ULOGIN_DIAGNOSE_H

#include <stddef.h>
#include <stdio.h>

#include "connection.h"
#include "output.h"

/* How the checks came out, taken together. */
enum ulogin_verdict {
	ULOGIN_VERDICT_OK,	/* no check that could be made failed */
	ULOGIN_VERDICT_FAIL,	/* at least one check failed */
	ULOGIN_VERDICT_UNSEEN,	/* the account exists, but the operator
				   may not see it: no verdict */
};

/*
 * Walk the checks for login (as typed: upper case, "@domain" and all)
 * and fill *out with one row per check: check, result (OK, FAIL, SKIP:
 * does not apply, UNKNOWN: the operator may not read what it needs),
 * detail, remedy.  Returns 0 with *verdict set, or an exit code (the
 * server cannot be asked; said) with nothing in *out.
 */
int ulogin_user_diagnose(struct ulogin_conn *c, const char *login,
			 struct ulogin_table **out,
			 enum ulogin_verdict *verdict);

/* The rows for a person at a terminal: one line a check (check, result,
 * detail), and below each FAIL and UNKNOWN what to do.  Every value is
 * printed inert.  Returns 0, or 73 when out cannot be written. */
int ulogin_diagnose_print_text(const struct ulogin_table *t, FILE *out);

/* The edit distance of a and b (insertions, deletions, substitutions
 * and swaps of two neighbours each count one), or limit + 1 when it is
 * more than limit. */
size_t ulogin_edit_distance(const char *a, const char *b, size_t limit);

#endif
