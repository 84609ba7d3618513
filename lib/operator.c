#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "msg.h"
#include "operator.h"
#include "banned.h"

/* A person logs in as uid=...,ou=people; the directory manager, a
 * service or a SASL identity is none. */
bool
ulogin_operator_is_person(struct ulogin_conn *c)
{
	const char *dn = ulogin_conn_operator(c);
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char *uid = dn ? ulogin_dn_first_value(dn, "uid") : NULL;
	char *own = uid && people ? ulogin_dn_child(people, "uid", uid) : NULL;
	bool person = own && ulogin_dn_equal(own, dn);

	free(own);
	free(uid);
	free(people);
	return person;
}

int
ulogin_operator_read(struct ulogin_conn *c, struct ulogin_operator *op)
{
	static const char *const attrs[] = { "uloginAdminOf", "uloginRole",
					     NULL };
	static const char *const cn_only[] = { "cn", NULL };
	const char *dn = ulogin_conn_operator(c);
	char *classes = ulogin_dn_classes(ulogin_conn_base(c));
	char *filter = NULL;
	struct ulogin_entry e;
	int rc = 0, lrc;

	memset(op, 0, sizeof(*op));
	/* Only a person holds rights of this kind to read. */
	op->person = ulogin_operator_is_person(c);
	if (!op->person)
		goto out;
	lrc = ulogin_read(c, dn, attrs, &e);
	if (lrc == LDAP_SUCCESS) {
		const struct strv *v = ulogin_entry_values(&e, "uloginAdminOf");

		for (size_t i = 0; v && i < v->n; i++)
			strv_push(&op->admin_of, v->v[i]);
		op->support = ulogin_entry_has_value(&e, "uloginRole",
						     "support");
		ulogin_entry_free(&e);
	} else if (lrc != LDAP_NO_SUCH_OBJECT) {
		rc = ulogin_ldap_error(c, lrc, "cannot read your own entry");
		goto out;
	}
	filter = ulogin_filter("(&(objectClass=uloginClass)"
			       "(uloginTeacher=%s))", dn);
	lrc = ulogin_search(c, classes, ULOGIN_SCOPE_ONE, filter, cn_only,
			    ulogin_entry_note_cn, &op->teaches);
	if (lrc != LDAP_SUCCESS && lrc != LDAP_NO_SUCH_OBJECT)
		rc = ulogin_ldap_error(c, lrc, "cannot read the classes you "
				       "teach");
	strv_sort(&op->teaches);
out:
	free(filter);
	free(classes);
	return rc;
}

void
ulogin_operator_free(struct ulogin_operator *op)
{
	strv_free(&op->admin_of);
	strv_free(&op->teaches);
	memset(op, 0, sizeof(*op));
}

bool
ulogin_operator_admin_of(const struct ulogin_operator *op,
			 const char *number)
{
	for (size_t i = 0; i < op->admin_of.n; i++)
		if (!strcasecmp(op->admin_of.v[i], number))
			return true;
	return false;
}

int
ulogin_operator_refused(const struct ulogin_operator *op, const char *what)
{
	bool a_class = !strncmp(what, "class ", 6);
	char *list;

	if (op->admin_of.n) {
		list = strv_join(&op->admin_of, ", ");
		ulogin_error("%s is not of an institution you administer (%s)",
			     what, list);
		free(list);
	} else if (op->teaches.n) {
		list = strv_join(&op->teaches, ", ");
		if (a_class)
			ulogin_error("you do not teach %s (you teach %s)", what,
				     list);
		else
			ulogin_error("%s is not in a class you teach (%s)",
				     what, list);
		free(list);
	} else if (op->person) {
		ulogin_error("%s is not yours to change: you teach no class "
			     "and administer no institution", what);
	} else {
		ulogin_error("%s is not yours to change", what);
	}
	ulogin_hint("the directory server decides who may change whom; "
		    "see ulogin(7), ACCESS");
	return ULOGIN_EX_NOPERM;
}

int
ulogin_operator_refuse(struct ulogin_conn *c, const char *what)
{
	struct ulogin_operator op;
	int rc;

	if (!(rc = ulogin_operator_read(c, &op)))
		rc = ulogin_operator_refused(&op, what);
	ulogin_operator_free(&op);
	return rc;
}

int
ulogin_operator_users(struct ulogin_conn *c, const struct ulogin_operator *op,
		      const struct strv *usernames, const char *const *attrs,
		      struct ulogin_entry **out)
{
	size_t n = usernames->n;
	struct ulogin_entry *e = xcalloc(n ? n : 1, sizeof(*e));
	struct ulogin_query *q = xcalloc(n ? n : 1, sizeof(*q));
	struct strv dns = STRV_INIT;
	int rc = 0, lrc;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *why = ulogin_username_invalid(usernames->v[i]);
		char *dn = why ? NULL : ulogin_user_dn(c, usernames->v[i]);

		if (!dn) {
			ulogin_error("cannot find user '%s': %s",
				     usernames->v[i], why ? why : "bad base DN");
			if (!rc)
				rc = ULOGIN_EX_NOUSER;
			strv_push(&dns, "");
			continue;
		}
		strv_push_owned(&dns, dn);
		q[i] = (struct ulogin_query){ dns.v[i], ULOGIN_SCOPE_BASE,
			"(objectClass=*)", attrs, ulogin_entry_keep, &e[i], 0 };
	}
	if (!rc && n && (lrc = ulogin_search_all(c, q, n)) != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot read the users");
	for (size_t i = 0; !rc && i < n; i++)
		if (q[i].rc == LDAP_SUCCESS && !e[i].dn)
			q[i].rc = LDAP_NO_SUCH_OBJECT;
	for (size_t i = 0; i < n; i++) {
		char *what;
		int one = 0;

		if (!dns.v[i][0] || q[i].rc == LDAP_SUCCESS)
			continue;
		if (q[i].rc == LDAP_NO_SUCH_OBJECT) {
			ulogin_error("cannot find user '%s'", usernames->v[i]);
			ulogin_hint("search by name with 'ulogin-user find "
				    "--name NAME'");
			one = ULOGIN_EX_NOUSER;
		} else if (q[i].rc == LDAP_INSUFFICIENT_ACCESS) {
			what = xasprintf("user '%s'", usernames->v[i]);
			one = ulogin_operator_refused(op, what);
			free(what);
		} else {
			one = ulogin_ldap_error(c, q[i].rc, "cannot read user "
						"'%s'", usernames->v[i]);
		}
		if (!rc)
			rc = one;
	}
	free(q);
	strv_free(&dns);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			ulogin_entry_free(&e[i]);
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}
