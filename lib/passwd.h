/*
 * Users' passwords as people set them with ulogin-user: a new user's
 * initial password (add), a password an operator or the user types
 * (passwd) and a forced change at the next login (expire).  ppolicy does
 * not check a password that a privileged DN sets, so every password is
 * checked here against the user's effective policy before it is sent;
 * slapd's access rules decide who may set whose (data/access.model).
 */
#ifndef ULOGIN_PASSWD_H
#define ULOGIN_PASSWD_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"
#include "ppolicy.h"

struct passwords;

/*
 * The initial password of a user about to be added (ch: the add, with
 * the policy link): made for the policy of the entry as it will be, put
 * in the add with pwdReset: TRUE (it works for the first login only),
 * and written to file -- a line on disk -- before the add is sent.
 * Without a file it is handed back in *password (free with
 * ulogin_secret_free()).  With --dry-run only pwdReset goes in.
 * Returns 0 or an exit code (printed).
 */
int ulogin_initial_password(struct ulogin_conn *c, struct ulogin_change *ch,
			    const char *username, struct passwords *file,
			    char **password);

/* After the add: a line for a user who was not made is voided (unless
 * the outcome is unknown: the user may have been made).  Returns 0, or
 * -1 when the file could not be written (printed). */
int ulogin_initial_settled(struct passwords *file, const char *username,
			   int ldap_rc, const char *why);

/* The user whose password is to be set, and their rules. */
struct ulogin_passwd_target {
	char *username;
	struct ulogin_entry user;	/* empty when the operator cannot
					 * read their own entry (must change
					 * first): the server then checks */
	bool self;
	bool rules_loaded;
	struct ulogin_user_rules rules;
};

/*
 * Find the user (NULL: the operator's own account) and say before
 * anything is asked whether the operator may set their password: never
 * a teacher, never an administrator for staff (67, 77 and the rest,
 * printed).  must_change is --must-change, which is what passwd always
 * does for someone else's password: 64 for the operator's own.
 */
int ulogin_passwd_target(struct ulogin_conn *c, const char *username,
			 bool must_change, struct ulogin_passwd_target *t);
void ulogin_passwd_target_free(struct ulogin_passwd_target *t);

/* Check a new password: 0, or 65 with every broken rule in *broken
 * (columns code, rule) and the count said. */
int ulogin_passwd_check(const struct ulogin_passwd_target *t,
			const char *password, struct ulogin_table **broken);

/* Set it (Password Modify operation).  Someone else's password is one
 * they must change at the next login: pwdReset is added when slapd's
 * policy did not set it (DESIGN §12).  Returns 0 or an exit code
 * (printed; 1 when the password is set but pwdReset could not be). */
int ulogin_passwd_set(struct ulogin_conn *c,
		      const struct ulogin_passwd_target *t,
		      const char *password);

/* Force a change of password at the user's next login (pwdReset). */
int ulogin_user_expire(struct ulogin_conn *c, const char *username);

#endif
