#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "account.h"
#include "adminright.h"
#include "dn.h"
#include "exitcodes.h"
#include "msg.h"
#include "operator.h"
#include "ppolicy.h"
#include "banned.h"

/* Is the operator an administrator of the institution (or not a person
 * at all: the directory manager, whom the server alone judges)? */
static int
may_grant(struct ulogin_conn *c, const char *institution)
{
	struct ulogin_operator op;
	int rc;

	if ((rc = ulogin_operator_read(c, &op)))
		return rc;
	if (op.person && !ulogin_operator_admin_of(&op, institution)) {
		ulogin_error("you are not an administrator of institution '%s'",
			     institution);
		ulogin_hint("only the administrators of an institution (and "
			    "the directory manager) grant and revoke its "
			    "administrator right");
		rc = ULOGIN_EX_NOPERM;
	}
	ulogin_operator_free(&op);
	return rc;
}

static int
apply_change(struct ulogin_conn *c, struct ulogin_change *ch,
	     const char *what, const char *username)
{
	int lrc = ulogin_apply(c, ch);

	if (lrc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot %s '%s'", what,
					 username);
	return 0;
}

int
ulogin_admin_grant(struct ulogin_conn *c, const char *username,
		   const char *institution)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_change ch;
	struct ulogin_entry e;
	int rc;

	if ((rc = may_grant(c, institution)) ||
	    (rc = ulogin_user_read(c, username, &e)))
		return rc;
	if (ulogin_entry_has_value(&e, "uloginAdminOf", institution)) {
		ulogin_info("'%s' is an administrator of '%s' already",
			    username, institution);
		ulogin_entry_free(&e);
		return 0;
	}
	if (!ulogin_entry_has_value(&e, "uloginInstitution", institution)) {
		ulogin_error("'%s' is not at institution '%s'", username,
			     institution);
		ulogin_hint("the right to administer an institution goes to "
			    "its own people");
		ulogin_entry_free(&e);
		return ULOGIN_EX_DATAERR;
	}
	if (!ulogin_entry_has_value(&e, "uloginRole", "teacher") &&
	    !ulogin_entry_has_value(&e, "uloginRole", "staff")) {
		ulogin_error("'%s' is neither a teacher nor other staff",
			     username);
		ulogin_hint("the administrator right goes to teachers and "
			    "other staff only");
		ulogin_entry_free(&e);
		return ULOGIN_EX_DATAERR;
	}
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn, "admin.grant");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginAdminOf", institution);
	/* The right decides the policy: the link follows in the same
	 * write. */
	if (!(rc = ulogin_policy_follow(c, &cfg->policies, &e, &ch)) &&
	    !(rc = ulogin_prepare_changes(c)) &&
	    !(rc = apply_change(c, &ch, "grant the right to", username)))
		ulogin_info(cfg->dry_run ? "would make '%s' an administrator "
			    "of '%s' (dry run)" : "'%s' is now an "
			    "administrator of '%s'", username, institution);
	ulogin_change_free(&ch);
	ulogin_entry_free(&e);
	return rc;
}

static int
count_entry(const struct ulogin_entry *e, void *data)
{
	(*(size_t *)data)++;
	return 0;
}

int
ulogin_admin_revoke(struct ulogin_conn *c, const char *username,
		    const char *institution, bool force)
{
	static const char *const none[] = { LDAP_NO_ATTRS, NULL };
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_change ch, link;
	struct ulogin_entry e, after;
	char *people, *filter;
	size_t admins = 0;
	int rc, lrc;

	if ((rc = may_grant(c, institution)) ||
	    (rc = ulogin_user_read(c, username, &e)))
		return rc;
	if (!ulogin_entry_has_value(&e, "uloginAdminOf", institution)) {
		ulogin_info("'%s' is not an administrator of '%s'", username,
			    institution);
		ulogin_entry_free(&e);
		return 0;
	}
	/* An institution without an administrator can only be helped by
	 * the directory manager. */
	people = ulogin_dn_people(ulogin_conn_base(c));
	filter = ulogin_filter("(uloginAdminOf=%s)", institution);
	lrc = ulogin_search(c, people, ULOGIN_SCOPE_ONE, filter, none,
			    count_entry, &admins);
	free(filter);
	free(people);
	if (lrc != LDAP_SUCCESS) {
		ulogin_entry_free(&e);
		return ulogin_ldap_error(c, lrc, "cannot count the "
					 "administrators of '%s'", institution);
	}
	if (admins <= 1 && !force) {
		ulogin_error("'%s' is the last administrator of '%s'", username,
			     institution);
		ulogin_hint("grant the right to someone else first, or give "
			    "--force");
		ulogin_entry_free(&e);
		return ULOGIN_EX_DATAERR;
	}
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn, "admin.revoke");
	ulogin_change_mod(&ch, ULOGIN_MOD_DELETE, "uloginAdminOf", institution);
	if (!(rc = ulogin_prepare_changes(c)))
		rc = apply_change(c, &ch, "take the right from", username);
	/* Then the policy link: another administrator may not change an
	 * administrator's, so only now that the right is gone. */
	ulogin_entry_after(&e, &ch, &after);
	ulogin_change_init(&link, ULOGIN_CHANGE_MODIFY, e.dn, "policy.link");
	if (!rc && !(rc = ulogin_policy_follow(c, &cfg->policies, &after,
					       &link)) && link.nmods)
		rc = apply_change(c, &link, "link the policy of", username);
	if (!rc)
		ulogin_info(cfg->dry_run ? "'%s' would no longer be an "
			    "administrator of '%s' (dry run)"
			    : "'%s' is no longer an administrator of '%s'",
			    username, institution);
	ulogin_change_free(&link);
	ulogin_change_free(&ch);
	ulogin_entry_free(&after);
	ulogin_entry_free(&e);
	return rc;
}

static int
add_admin(const struct ulogin_entry *e, void *data)
{
	struct ulogin_table *t = data;
	const struct strv *v = ulogin_entry_values(e, "uloginAdminOf");

	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, ulogin_entry_get(e, "uid"));
	ulogin_table_set(t, 1, ulogin_entry_get(e, "cn"));
	for (size_t i = 0; v && i < v->n; i++)
		ulogin_table_set(t, 2, v->v[i]);
	return 0;
}

int
ulogin_admin_list(struct ulogin_conn *c, const char *institution,
		  struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "name", "admin_of*",
					    NULL };
	static const char *const attrs[] = { "uid", "cn", "uloginAdminOf",
					     NULL };
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char *filter = institution
		? ulogin_filter("(uloginAdminOf=%s)", institution)
		: xstrdup("(uloginAdminOf=*)");
	struct ulogin_table *t = ulogin_table_new(cols);
	int lrc = ulogin_search(c, people, ULOGIN_SCOPE_ONE, filter, attrs,
				add_admin, t);

	free(filter);
	free(people);
	if (lrc != LDAP_SUCCESS) {
		ulogin_table_free(t);
		return ulogin_ldap_error(c, lrc, "cannot list the "
					 "administrators");
	}
	ulogin_table_sort(t, 0);
	*out = t;
	return 0;
}
