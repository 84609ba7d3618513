/*
 * Setting users' passwords from ulogin-user: the initial password of an
 * add, passwd and expire.  The rule engine checks first (ppolicy does not
 * check what an administrator sets); slapd decides who may set whose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "inert.h"
#include "msg.h"
#include "operator.h"
#include "passwd.h"
#include "passwords.h"
#include "banned.h"

/* ---- the initial password of add -------------------------------------- */

int
ulogin_initial_password(struct ulogin_conn *c, struct ulogin_change *ch,
			const char *username, struct passwords *file,
			char **password)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_user_rules rules;
	struct ulogin_entry after;
	const char *why = NULL, *policy;
	char *pw;
	int rc;

	*password = NULL;
	/* The rules of the user as the add makes them: grade, roles. */
	ulogin_entry_after(NULL, ch, &after);
	if ((rc = ulogin_user_rules_load(&cfg->policies, &after, NULL,
					 &rules))) {
		ulogin_entry_free(&after);
		return rc;
	}
	policy = rules.policy->name;
	pw = ulogin_user_rules_generate(&rules, &why);
	ulogin_user_rules_free(&rules);
	ulogin_entry_free(&after);
	if (!pw) {
		ulogin_error("cannot make an initial password for '%s' "
			     "(policy '%s'): %s", username, policy,
			     why ? why : "the random generator failed");
		return ULOGIN_EX_CONFIG;
	}
	/* It works for the first login only, which must choose another. */
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "pwdReset", "TRUE");
	if (cfg->dry_run) {
		ulogin_secret_free(pw);
		ulogin_print_inert(stdout, "# user.add: an initial password "
				   "for policy '%s' goes in the add of '%s'; "
				   "--dry-run makes none and shows none",
				   policy, username);
		putchar('\n');
		return 0;
	}
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "userPassword", pw);
	if (!file) {
		*password = pw;
		return 0;
	}
	/* On disk before the add is sent: never a password nobody has. */
	ulogin_passwords_add(file, username, pw);
	ulogin_secret_free(pw);
	if (ulogin_passwords_sync(file) < 0) {
		ulogin_hint("nothing was sent: '%s' was not added", username);
		return ULOGIN_EX_CANTCREAT;
	}
	return 0;
}

int
ulogin_initial_settled(struct passwords *file, const char *username,
		       int ldap_rc, const char *why)
{
	/* A user who may have been made keeps the password line. */
	if (!file || ldap_rc == LDAP_SUCCESS ||
	    ulogin_ldap_outcome_unknown(ldap_rc))
		return 0;
	return ulogin_passwords_void(file, username,
				     why ? why : ulogin_ldap_words(ldap_rc));
}

/* ---- passwd ---------------------------------------------------------- */

static bool
shares_institution(const struct ulogin_operator *op,
		   const struct ulogin_entry *user)
{
	const struct strv *v = ulogin_entry_values(user, "uloginInstitution");

	for (size_t i = 0; v && i < v->n; i++)
		if (ulogin_operator_admin_of(op, v->v[i]))
			return true;
	return false;
}

/* What ulogin(7)'s ACCESS table says of passwords, told before slapd
 * refuses: 0, or 77 (printed).  The directory manager and services are
 * the server's to judge. */
static int
may_set(struct ulogin_conn *c, const struct ulogin_passwd_target *t)
{
	struct ulogin_operator op;
	const char *who = t->username;
	char *what;
	int rc;

	if ((rc = ulogin_operator_read(c, &op)))
		return rc;
	if (!op.person || (op.support && ulogin_user_is_staff(&t->user)) ||
	    (!ulogin_user_is_staff(&t->user) && shares_institution(&op, &t->user))) {
		rc = 0;
	} else if (ulogin_user_is_staff(&t->user)) {
		ulogin_error("cannot set the password of '%s': staff "
			     "passwords are not set by administrators", who);
		ulogin_staff_password_hint();
		rc = ULOGIN_EX_NOPERM;
	} else if (op.support) {
		ulogin_error("cannot set the password of '%s': the support "
			     "desk sets staff passwords only", who);
		ulogin_hint("an administrator of the user's institution sets "
			    "it");
		rc = ULOGIN_EX_NOPERM;
	} else if (op.teaches.n && !op.admin_of.n) {
		ulogin_error("cannot set the password of '%s': teachers do not "
			     "set passwords", who);
		ulogin_hint("open a reset window instead ('ulogin-user reset "
			    "%s'): the student then logs in within 5 minutes "
			    "and is given a new password", who);
		rc = ULOGIN_EX_NOPERM;
	} else {
		what = xasprintf("user '%s'", who);
		rc = ulogin_operator_refused(&op, what);
		free(what);
	}
	ulogin_operator_free(&op);
	return rc;
}

int
ulogin_passwd_target(struct ulogin_conn *c, const char *username,
		     bool must_change, struct ulogin_passwd_target *t)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	const char *op_dn = ulogin_conn_operator(c);
	bool person = ulogin_operator_is_person(c);
	char *own = person ? ulogin_dn_first_value(op_dn, "uid") : NULL;
	int rc, lrc;

	memset(t, 0, sizeof(*t));
	if (!username && !own) {
		ulogin_error("you are not logged in as a user (but as '%s'): "
			     "name the user whose password to set",
			     op_dn ? op_dn : "nobody");
		return ULOGIN_EX_USAGE;
	}
	t->username = xstrdup(username ? username : own);
	t->self = own && !strcmp(t->username, own);
	free(own);
	if (must_change && t->self) {
		ulogin_error("--must-change is for someone else's password: "
			     "the one you choose for yourself is yours to "
			     "keep");
		return ULOGIN_EX_USAGE;
	}
	if (!t->self) {
		if ((rc = ulogin_user_read(c, t->username, &t->user)) ||
		    (rc = may_set(c, t)))
			return rc;
	} else if ((lrc = ulogin_read(c, op_dn, ulogin_user_attrs,
				      &t->user)) != LDAP_SUCCESS) {
		/* An account that must change its password may do nothing
		 * else, not even read itself: the server checks its own
		 * change against its policy. */
		if (lrc != LDAP_INSUFFICIENT_ACCESS)
			return ulogin_ldap_error(c, lrc, "cannot read your own "
						 "entry");
		ulogin_info("your account must change its password before "
			    "anything else; the directory server checks the "
			    "new one against your policy");
		t->user.dn = xstrdup(op_dn);
		return 0;
	}
	if ((rc = ulogin_user_rules_load(&cfg->policies, &t->user, NULL,
					 &t->rules)))
		return rc;
	t->rules_loaded = true;
	return 0;
}

void
ulogin_passwd_target_free(struct ulogin_passwd_target *t)
{
	if (t->rules_loaded)
		ulogin_user_rules_free(&t->rules);
	ulogin_entry_free(&t->user);
	free(t->username);
	memset(t, 0, sizeof(*t));
}

int
ulogin_passwd_check(const struct ulogin_passwd_target *t,
		    const char *password, struct ulogin_table **broken)
{
	static const char *const cols[] = { "code", "rule", NULL };
	struct ulogin_violations v = { NULL, 0 };
	int n;

	*broken = NULL;
	if (!*password) {
		ulogin_error("the password is empty; nothing was changed");
		return ULOGIN_EX_DATAERR;
	}
	if (!t->rules_loaded)
		return 0;
	if ((n = ulogin_user_rules_check(&t->rules, password, &v)) < 0) {
		ulogin_violations_free(&v);
		ulogin_error("out of memory");
		return ULOGIN_EX_SOFTWARE;
	}
	if (n == 0)
		return 0;
	*broken = ulogin_table_new(cols);
	for (size_t i = 0; i < v.n; i++) {
		ulogin_table_begin_row(*broken);
		ulogin_table_set(*broken, 0, v.v[i].code);
		ulogin_table_set(*broken, 1, v.v[i].message);
	}
	ulogin_violations_free(&v);
	ulogin_error("the password breaks %d rule%s of policy '%s'; nothing "
		     "was changed", n, n == 1 ? "" : "s",
		     t->rules.policy->name);
	return ULOGIN_EX_DATAERR;
}

/* The change that makes the user choose a new password at the next
 * login. */
static void
must_change_change(struct ulogin_change *ch, const char *dn,
		   const char *comment)
{
	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, dn, "user.expire");
	/* Added, never replaced: the access rules let an administrator
	 * add the value TRUE, not remove what is there. */
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "pwdReset", "TRUE");
	if (comment)
		ch->comment = xstrdup(comment);
}

int
ulogin_passwd_set(struct ulogin_conn *c, const struct ulogin_passwd_target *t,
		  const char *password)
{
	static const char *const reset_attrs[] = { "pwdReset", NULL };
	const char *who = t->username;
	struct ulogin_change ch;
	struct ulogin_entry after;
	bool reset;
	int rc, lrc;

	if ((rc = ulogin_prepare_changes(c)))
		return rc;
	lrc = ulogin_password_modify(c, t->user.dn, password, "user.passwd",
				     t->self ? "own password" : NULL);
	if (lrc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot set the password of "
					 "'%s'", who);
	if (t->self) {
		if (!ulogin_conn_config(c)->dry_run)
			ulogin_info("your password is set");
		return 0;
	}
	/* A password someone else sets is always one the user must change
	 * at the next login (DESIGN §12): ppolicy asks for that itself
	 * when the policy says pwdMustChange; pwdReset is added where it
	 * does not.  "Value exists" (ppolicy set it after all) is fine. */
	memset(&after, 0, sizeof(after));
	reset = !ulogin_conn_config(c)->dry_run &&
		ulogin_read(c, t->user.dn, reset_attrs, &after) ==
		LDAP_SUCCESS &&
		ulogin_entry_has_value(&after, "pwdReset", "TRUE");
	ulogin_entry_free(&after);
	if (!reset) {
		must_change_change(&ch, t->user.dn, "passwd: must change at "
				   "the next login");
		lrc = ulogin_apply(c, &ch);
		ulogin_change_free(&ch);
		if (lrc == LDAP_TYPE_OR_VALUE_EXISTS)
			lrc = LDAP_SUCCESS;
		if (lrc != LDAP_SUCCESS) {
			ulogin_ldap_error(c, lrc, "the password of '%s' is "
					  "set, but not that it must be "
					  "changed at the next login", who);
			return ULOGIN_EX_PARTIAL;
		}
		reset = true;
	}
	if (!ulogin_conn_config(c)->dry_run)
		ulogin_info("the password of '%s' is set%s", who, reset
			    ? "; it must be changed at the next login" : "");
	return 0;
}

/* ---- expire ----------------------------------------------------------- */

int
ulogin_user_expire(struct ulogin_conn *c, const char *username)
{
	struct ulogin_change ch;
	struct ulogin_entry e;
	int rc, lrc;

	if ((rc = ulogin_user_read(c, username, &e)))
		return rc;
	if (ulogin_entry_has_value(&e, "pwdReset", "TRUE")) {
		ulogin_info("'%s' must already change password at the next "
			    "login", username);
		ulogin_entry_free(&e);
		return 0;
	}
	if ((rc = ulogin_prepare_changes(c))) {
		ulogin_entry_free(&e);
		return rc;
	}
	must_change_change(&ch, e.dn, NULL);
	lrc = ulogin_apply(c, &ch);
	ulogin_change_free(&ch);
	ulogin_entry_free(&e);
	if (lrc == LDAP_INSUFFICIENT_ACCESS) {
		ulogin_error("cannot expire the password of '%s': %s", username,
			     ulogin_ldap_words(lrc));
		ulogin_hint("an administrator of the user's institution forces "
			    "a change (not of another administrator's "
			    "password); a teacher opens a reset window "
			    "instead");
		return ULOGIN_EX_NOPERM;
	}
	if (lrc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot expire the password "
					 "of '%s'", username);
	if (!ulogin_conn_config(c)->dry_run)
		ulogin_info("'%s' must change password at the next login",
			    username);
	return 0;
}
