/*
 * Password policies in the directory: the ppolicy entries under
 * ou=policies that `ulogin-policy apply` writes from the config, each
 * user's pwdPolicySubentry link, administrator overrides, and which
 * policy applies to a user and why.  The server enforces; this module
 * keeps the entries and links right, and never writes a link to a policy
 * entry that does not exist (slapd would then skip every lock check).
 */
#ifndef ULOGIN_PPOLICY_H
#define ULOGIN_PPOLICY_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"
#include "policy.h"

enum ulogin_policy_source { ULOGIN_FROM_OVERRIDE, ULOGIN_FROM_LEVEL,
			    ULOGIN_FROM_ROLE, ULOGIN_FROM_DEFAULT };

struct ulogin_effective {
	const char *name;		/* policy name, in the set */
	enum ulogin_policy_source source;
	char *reason;			/* in words; owned */
};

/* Which policy applies to a user entry and why (DESIGN.md section 9).
 * Returns -1 when nothing applies (no default configured). */
int ulogin_policy_effective(const struct ulogin_policy_set *s,
			    const struct ulogin_entry *user,
			    struct ulogin_effective *out);

/* The ppolicy attributes a policy is written with (for apply and tests). */
void ulogin_policy_entry(const struct ulogin_policy *p,
			 const char *check_module, const char *picture_names,
			 struct ulogin_change *ch);

/* Write every configured policy to ou=policies (add or fix), then point
 * each user's pwdPolicySubentry at its effective policy.  Idempotent; the
 * table lists each change (kind, name, action). */
int ulogin_policy_apply(struct ulogin_conn *c, const struct ulogin_policy_set *s,
			const char *check_module, struct ulogin_table **out);

/* Policies as stored in the directory. */
int ulogin_policy_list(struct ulogin_conn *c, struct ulogin_table **out);
int ulogin_policy_show(struct ulogin_conn *c, const char *name,
		       struct ulogin_record **out);

/* The effective policy of a user, why, and when the password expires. */
int ulogin_policy_explain(struct ulogin_conn *c,
			  const struct ulogin_policy_set *s,
			  const char *username, struct ulogin_record **out);

/* Administrator overrides.  set refuses a policy whose entry is not in
 * the directory; clear re-links the user to the effective policy. */
int ulogin_policy_override(struct ulogin_conn *c,
			   const struct ulogin_policy_set *s,
			   const char *username, const char *policy);
int ulogin_policy_clear(struct ulogin_conn *c, const struct ulogin_policy_set *s,
			const char *username);

/*
 * A user's policy with what its rules need to know of the user: the
 * names a password may not contain and the picture names.  For setting
 * or checking a password of that user in the tools (ppolicy does not
 * check a password an administrator sets, so the tools do).
 */
struct ulogin_user_rules {
	const struct ulogin_policy *policy;
	struct ulogin_person who;	/* points into the user entry */
	struct strv more;		/* further given names and surnames */
	struct strv picture_names;
	struct ulogin_pictures pictures;
};
/* The rules of policy (NULL: the user's effective policy, or the default
 * without a user) for user (NULL: nobody in particular).  Prints errors;
 * returns an exit code.  Free with ulogin_user_rules_free(). */
int ulogin_user_rules_load(const struct ulogin_policy_set *s,
			   const struct ulogin_entry *user, const char *policy,
			   struct ulogin_user_rules *out);
void ulogin_user_rules_free(struct ulogin_user_rules *r);
/* A new password that meets them; NULL with *why set.  Free with
 * ulogin_secret_free(). */
char *ulogin_user_rules_generate(const struct ulogin_user_rules *r,
				 const char **why);
/* Every rule the candidate breaks: their number, or -1 (out of memory). */
int ulogin_user_rules_check(const struct ulogin_user_rules *r,
			    const char *candidate,
			    struct ulogin_violations *out);

/* The grade (empty or NULL: none) and its level, as replaces in ch. */
void ulogin_policy_grade_mods(struct ulogin_change *ch, const char *grade);

/*
 * Keep the user linked to their effective policy through a change: work
 * out the policy of the user as they will be after ch (before: the entry
 * as it is, NULL for an add) and add to ch the pwdPolicySubentry of it,
 * in the same write.  When the level changes the policy, also a
 * change-by deadline (level_change_days from now), after which `apply`
 * forces a password change.  A policy whose entry is not in the
 * directory is never linked (a warning says so).  Returns 0 or an exit
 * code (printed).
 */
int ulogin_policy_follow(struct ulogin_conn *c,
			 const struct ulogin_policy_set *s,
			 const struct ulogin_entry *before,
			 struct ulogin_change *ch);
/* The same, for many users: present names the policies in the
 * directory (ulogin_policy_present()), so none is looked up. */
int ulogin_policy_follow_known(struct ulogin_conn *c,
			       const struct ulogin_policy_set *s,
			       const struct strv *present,
			       const struct ulogin_entry *before,
			       struct ulogin_change *ch);
/* The names of the policies in the directory; an LDAP code. */
int ulogin_policy_present(struct ulogin_conn *c, struct strv *out);

/* Accounts whose password expires within the next within seconds (and
 * has not expired yet), optionally of some institutions; soonest first. */
int ulogin_policy_expiring(struct ulogin_conn *c, long within,
			   const struct strv *institutions,
			   struct ulogin_table **out);

#endif
