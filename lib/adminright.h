/*
 * The administrator right: a person administers the people of an
 * institution when their uloginAdminOf holds its number (ulogin(7),
 * ACCESS).  It is not a role.  The administrators of an institution
 * grant and revoke it, to its teachers and other staff only; slapd's
 * access rules check all of that, the functions here say it first, in
 * words.  Granting and revoking keep the user's policy link right: the
 * right decides the policy (the config's roles: admin).
 */
#ifndef ULOGIN_ADMINRIGHT_H
#define ULOGIN_ADMINRIGHT_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"

int ulogin_admin_grant(struct ulogin_conn *c, const char *username,
		       const char *institution);

/* Refuses to take the right from the last administrator of the
 * institution unless force. */
int ulogin_admin_revoke(struct ulogin_conn *c, const char *username,
			const char *institution, bool force);

/* The administrators (of institution, or all): username, name,
 * admin_of. */
int ulogin_admin_list(struct ulogin_conn *c, const char *institution,
		      struct ulogin_table **out);

#endif
