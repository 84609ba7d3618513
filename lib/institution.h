/*
 * Institutions (schools) under ou=institutions, named by their number:
 * name, CVR number and postal address -- what a sealed letter to the
 * workplace needs.  The directory manager adds them; an administrator of
 * an institution keeps its details up to date.
 */
#ifndef ULOGIN_INSTITUTION_H
#define ULOGIN_INSTITUTION_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"

struct ulogin_institution_spec {
	const char *number;
	const char *name;	/* NULL: unchanged (modify) */
	const char *cvr;
	const char *address;	/* lines separated by ", " */
};

/* Are the values of an add (adding) or a modify usable?  0, or
 * ULOGIN_EX_USAGE (said).  Needs no connection: checked before one. */
int ulogin_institution_spec_check(const struct ulogin_institution_spec *s,
				  bool adding);

/* The DN of institution number (o=NUMBER,ou=institutions); NULL when the
 * base is bad. */
char *ulogin_institution_dn(struct ulogin_conn *c, const char *number);

/* An institution number: digits only, 1 to 10 of them. */
bool ulogin_institution_number_valid(const char *number);
/* A CVR number: 8 digits, the first not 0. */
bool ulogin_cvr_valid(const char *cvr);

/* number, name, cvr, address; sorted by number. */
int ulogin_institution_list(struct ulogin_conn *c, struct ulogin_table **out);
/* number, name, cvr, address, telephone, administrators, classes,
 * users. */
int ulogin_institution_show(struct ulogin_conn *c, const char *number,
			    struct ulogin_record **out);
int ulogin_institution_add(struct ulogin_conn *c,
			   const struct ulogin_institution_spec *s);
int ulogin_institution_modify(struct ulogin_conn *c,
			      const struct ulogin_institution_spec *s);

/* Does the institution exist?  0 yes; 67 (said so) no; else an exit
 * code. */
int ulogin_institution_check(struct ulogin_conn *c, const char *number);

#endif
