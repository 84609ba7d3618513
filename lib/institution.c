#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "dn.h"
#include "exitcodes.h"
#include "institution.h"
#include "mem.h"
#include "msg.h"
#include "banned.h"

static const char *const inst_attrs[] = { "o", "uloginInstitutionName",
	"uloginCVR", "postalAddress", "telephoneNumber", "description", NULL };

bool
ulogin_institution_number_valid(const char *number)
{
	size_t n = strlen(number);

	return n >= 1 && n <= 10 && strspn(number, "0123456789") == n;
}

bool
ulogin_cvr_valid(const char *cvr)
{
	return strlen(cvr) == 8 && strspn(cvr, "0123456789") == 8 &&
	       cvr[0] != '0';
}

/* "Bakkevej 1, 8000 Aarhus C" to the Postal Address syntax (RFC 4517):
 * lines joined by '$', with '$' and '\' escaped. */
static char *
to_postal(const char *address)
{
	size_t len = strlen(address);
	char *out = xmalloc(3 * len + 1), *o = out;

	for (const char *p = address; *p; p++) {
		if (p[0] == ',' && p[1] == ' ') {
			*o++ = '$';
			p++;
			while (p[1] == ' ')
				p++;
		} else if (*p == '$') {
			memcpy(o, "\\24", 3);
			o += 3;
		} else if (*p == '\\') {
			memcpy(o, "\\5C", 3);
			o += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* And back, lines joined by ", ". */
static char *
from_postal(const char *postal)
{
	size_t len = strlen(postal);
	char *out = xmalloc(2 * len + 1), *o = out;

	for (const char *p = postal; *p; p++) {
		if (*p == '$') {
			memcpy(o, ", ", 2);
			o += 2;
		} else if (p[0] == '\\' && p[1] && p[2] &&
			   (!strncasecmp(p + 1, "24", 2) ||
			    !strncasecmp(p + 1, "5c", 2))) {
			*o++ = p[2] == '4' ? '$' : '\\';
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static bool
text_ok(const char *s)
{
	if (!*s)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	for (const char *p = s; *p; p++)
		if (!isspace((unsigned char)*p))
			return true;
	return false;
}

char *
ulogin_institution_dn(struct ulogin_conn *c, const char *number)
{
	char *parent = ulogin_dn_institutions(ulogin_conn_base(c));
	char *dn = parent ? ulogin_dn_child(parent, "o", number) : NULL;

	free(parent);
	return dn;
}

int
ulogin_institution_check(struct ulogin_conn *c, const char *number)
{
	char *dn = ulogin_institution_dn(c, number);
	int lrc, found = dn ? ulogin_exists(c, dn, &lrc) : 0;

	free(dn);
	if (found < 0)
		return ulogin_ldap_error(c, lrc, "cannot look up institution "
					 "'%s'", number);
	if (!found) {
		ulogin_error("cannot find institution '%s'", number);
		ulogin_hint("'ulogin-class institution list' lists them");
		return ULOGIN_EX_NOUSER;
	}
	return 0;
}

static int
add_row(const struct ulogin_entry *e, void *data)
{
	struct ulogin_table *t = data;
	const char *postal = ulogin_entry_get(e, "postalAddress");
	char *address = postal ? from_postal(postal) : NULL;

	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, ulogin_entry_get(e, "o"));
	ulogin_table_set(t, 1, ulogin_entry_get(e, "uloginInstitutionName"));
	ulogin_table_set(t, 2, ulogin_entry_get(e, "uloginCVR"));
	ulogin_table_set(t, 3, address);
	free(address);
	return 0;
}

int
ulogin_institution_list(struct ulogin_conn *c, struct ulogin_table **out)
{
	static const char *const cols[] = { "number", "name", "cvr",
					    "address", NULL };
	char *base = ulogin_dn_institutions(ulogin_conn_base(c));
	struct ulogin_table *t = ulogin_table_new(cols);
	int lrc = ulogin_search(c, base, ULOGIN_SCOPE_ONE,
				"(objectClass=uloginInstitutionEntry)",
				inst_attrs, add_row, t);

	free(base);
	if (lrc == LDAP_NO_SUCH_OBJECT)
		lrc = LDAP_SUCCESS;	/* no institutions yet */
	if (lrc != LDAP_SUCCESS) {
		ulogin_table_free(t);
		return ulogin_ldap_error(c, lrc, "cannot list the "
					 "institutions");
	}
	ulogin_table_sort(t, 0);
	*out = t;
	return 0;
}

static int
count_entry(const struct ulogin_entry *e, void *data)
{
	(*(long *)data)++;
	return 0;
}

static int
note_uid(const struct ulogin_entry *e, void *data)
{
	const char *uid = ulogin_entry_get(e, "uid");

	if (uid)
		strv_push(data, uid);
	return 0;
}

int
ulogin_institution_show(struct ulogin_conn *c, const char *number,
			struct ulogin_record **out)
{
	static const char *const uid_only[] = { "uid", NULL };
	static const char *const none[] = { LDAP_NO_ATTRS, NULL };
	const char *base = ulogin_conn_base(c);
	char *dn = ulogin_institution_dn(c, number), *people = ulogin_dn_people(base);
	char *classes = ulogin_dn_classes(base);
	char *admins_f = ulogin_filter("(uloginAdminOf=%s)", number);
	char *users_f = ulogin_filter("(&(objectClass=uloginAccount)"
				      "(uloginInstitution=%s))", number);
	char *classes_f = ulogin_filter("(&(objectClass=uloginClass)"
					"(uloginInstitution=%s))", number);
	struct strv admins = STRV_INIT;
	struct ulogin_entry e;
	struct ulogin_record *r;
	long nusers = 0, nclasses = 0;
	struct ulogin_query q[4];
	char *address = NULL;
	int rc = 0, lrc;

	memset(&e, 0, sizeof(e));
	q[0] = (struct ulogin_query){ dn, ULOGIN_SCOPE_BASE, "(objectClass=*)",
		inst_attrs, ulogin_entry_keep, &e, 0 };
	q[1] = (struct ulogin_query){ people, ULOGIN_SCOPE_ONE, admins_f,
		uid_only, note_uid, &admins, 0 };
	q[2] = (struct ulogin_query){ people, ULOGIN_SCOPE_ONE, users_f, none,
		count_entry, &nusers, 0 };
	q[3] = (struct ulogin_query){ classes, ULOGIN_SCOPE_ONE, classes_f,
		none, count_entry, &nclasses, 0 };
	lrc = dn ? ulogin_search_all(c, q, 4) : LDAP_NO_SUCH_OBJECT;
	if (lrc == LDAP_SUCCESS)
		lrc = q[0].rc == LDAP_SUCCESS && !e.dn ? LDAP_NO_SUCH_OBJECT
						       : q[0].rc;
	if (lrc == LDAP_NO_SUCH_OBJECT) {
		ulogin_error("cannot find institution '%s'", number);
		ulogin_hint("'ulogin-class institution list' lists them");
		rc = ULOGIN_EX_NOUSER;
		goto out;
	}
	if (lrc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "cannot read institution '%s'",
				       number);
		goto out;
	}
	if (ulogin_entry_get(&e, "postalAddress"))
		address = from_postal(ulogin_entry_get(&e, "postalAddress"));
	strv_sort(&admins);
	r = ulogin_record_new();
	ulogin_record_add(r, "number", "Number", ulogin_entry_get(&e, "o"));
	ulogin_record_add(r, "name", "Name",
			  ulogin_entry_get(&e, "uloginInstitutionName"));
	ulogin_record_add(r, "cvr", "CVR", ulogin_entry_get(&e, "uloginCVR"));
	ulogin_record_add(r, "address", "Address", address);
	ulogin_record_add(r, "telephone", "Telephone",
			  ulogin_entry_get(&e, "telephoneNumber"));
	ulogin_record_add(r, "dn", "DN", e.dn);
	/* Counts of what the operator may see. */
	ulogin_record_add_list(r, "administrators", "Administrators",
			       q[1].rc == LDAP_SUCCESS ? &admins : NULL);
	ulogin_record_add_count(r, "classes", "Classes", nclasses);
	ulogin_record_add_count(r, "users", "Users", nusers);
	*out = r;
out:
	free(address);
	strv_free(&admins);
	ulogin_entry_free(&e);
	free(classes_f);
	free(users_f);
	free(admins_f);
	free(classes);
	free(people);
	free(dn);
	return rc;
}

int
ulogin_institution_spec_check(const struct ulogin_institution_spec *s,
			      bool adding)
{
	if (!ulogin_institution_number_valid(s->number)) {
		ulogin_error("'%s' is not an institution number", s->number);
		ulogin_hint("an institution number is 1 to 10 digits, such as "
			    "280001");
		return ULOGIN_EX_USAGE;
	}
	if (adding && (!s->name || !s->cvr)) {
		ulogin_error("a new institution needs --name and --cvr");
		return ULOGIN_EX_USAGE;
	}
	if (s->name && !text_ok(s->name)) {
		ulogin_error("the name must be text, not blank and without "
			     "control characters");
		return ULOGIN_EX_USAGE;
	}
	if (s->cvr && !ulogin_cvr_valid(s->cvr)) {
		ulogin_error("'%s' is not a CVR number", s->cvr);
		ulogin_hint("a CVR number is 8 digits, such as 29184621");
		return ULOGIN_EX_USAGE;
	}
	if (s->address && !text_ok(s->address)) {
		ulogin_error("the address must be text, not blank and without "
			     "control characters");
		ulogin_hint("separate its lines with ', ', e.g. 'Bakkevej 1, "
			    "8000 Aarhus C'");
		return ULOGIN_EX_USAGE;
	}
	if (!adding && !s->name && !s->cvr && !s->address) {
		ulogin_error("nothing to change");
		ulogin_hint("give --name, --cvr or --address");
		return ULOGIN_EX_USAGE;
	}
	return 0;
}

static int
apply_spec(struct ulogin_conn *c, const struct ulogin_institution_spec *s,
	   bool adding)
{
	struct ulogin_change ch;
	char *dn = ulogin_institution_dn(c, s->number), *postal = NULL;
	int rc, lrc;

	if ((rc = ulogin_institution_spec_check(s, adding)))
		goto out;
	if (!dn) {
		rc = ULOGIN_EX_CONFIG;
		ulogin_error("cannot use base DN '%s'", ulogin_conn_base(c));
		goto out;
	}
	if (!adding && (rc = ulogin_institution_check(c, s->number)))
		goto out;
	if ((rc = ulogin_prepare_changes(c)))
		goto out;
	postal = s->address ? to_postal(s->address) : NULL;
	if (adding) {
		ulogin_change_init(&ch, ULOGIN_CHANGE_ADD, dn,
				   "institution.add");
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass",
				  "uloginInstitutionEntry");
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "o", s->number);
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginInstitutionName",
				  s->name);
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginCVR", s->cvr);
		if (postal)
			ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "postalAddress",
					  postal);
	} else {
		ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, dn,
				   "institution.modify");
		if (s->name)
			ulogin_change_set(&ch, "uloginInstitutionName",
					  s->name);
		if (s->cvr)
			ulogin_change_set(&ch, "uloginCVR", s->cvr);
		if (postal)
			ulogin_change_set(&ch, "postalAddress", postal);
	}
	lrc = ulogin_apply(c, &ch);
	ulogin_change_free(&ch);
	if (lrc == LDAP_ALREADY_EXISTS) {
		ulogin_error("institution '%s' exists already", s->number);
		ulogin_hint("change it with 'ulogin-class institution modify'");
		rc = ULOGIN_EX_DATAERR;
	} else if (lrc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "cannot %s institution '%s'",
				       adding ? "add" : "change", s->number);
		if (lrc == LDAP_INSUFFICIENT_ACCESS && adding)
			ulogin_hint("institutions are added by the directory "
				    "manager");
	} else {
		if (ulogin_conn_config(c)->dry_run)
			ulogin_info("would %s institution '%s' (dry run)",
				    adding ? "add" : "change", s->number);
		else
			ulogin_info("%s institution '%s'",
				    adding ? "added" : "changed", s->number);
	}
out:
	free(postal);
	free(dn);
	return rc;
}

int
ulogin_institution_add(struct ulogin_conn *c,
		       const struct ulogin_institution_spec *s)
{
	return apply_spec(c, s, true);
}

int
ulogin_institution_modify(struct ulogin_conn *c,
			  const struct ulogin_institution_spec *s)
{
	return apply_spec(c, s, false);
}
