/*
 * Who the operator is, as the access rules see them (ulogin(7), ACCESS):
 * the institutions they administer (uloginAdminOf), the classes they
 * teach (uloginTeacher), the support role -- read once, so that a
 * program can check scope before it sends anything and say clearly why
 * something is not the operator's.  slapd is the guard; this is only for
 * the words.
 */
#ifndef ULOGIN_OPERATOR_H
#define ULOGIN_OPERATOR_H

#include <stdbool.h>

#include "connection.h"

struct ulogin_operator {
	bool person;		/* an entry of ou=people */
	bool support;		/* uloginRole: support */
	struct strv admin_of;	/* institution numbers */
	struct strv teaches;	/* class names (cn) */
};

/* Is the operator a person of ou=people (not the directory manager, a
 * service or a SASL identity)? */
bool ulogin_operator_is_person(struct ulogin_conn *c);

/* Read the operator's rights; 0, or an exit code (printed). */
int ulogin_operator_read(struct ulogin_conn *c, struct ulogin_operator *op);
void ulogin_operator_free(struct ulogin_operator *op);

/* Does the operator administer institution number? */
bool ulogin_operator_admin_of(const struct ulogin_operator *op,
			      const char *number);

/*
 * Say that WHAT ("user 'noah0001'", "class '280001-8a'": a user or a
 * class) is outside what the operator may change, in the words that fit
 * who they are, and return 77.
 */
int ulogin_operator_refused(const struct ulogin_operator *op,
			    const char *what);

/* The same, reading the operator's rights first. */
int ulogin_operator_refuse(struct ulogin_conn *c, const char *what);

/*
 * Read users (usernames) with attrs, as the operator, all at once
 * (pipelined).  A username that does not exist, or that slapd says the
 * operator may not see, is reported -- every one of them -- and the
 * exit code of the first is returned, with nothing in *out.  Otherwise
 * *out holds one entry per username, in order (free each, and *out).
 */
int ulogin_operator_users(struct ulogin_conn *c,
			  const struct ulogin_operator *op,
			  const struct strv *usernames,
			  const char *const *attrs,
			  struct ulogin_entry **out);

#endif
