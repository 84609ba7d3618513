#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "account.h"
#include "class.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "institution.h"
#include "mem.h"
#include "msg.h"
#include "operator.h"
#include "passwd.h"
#include "ppolicy.h"
#include "banned.h"

#define PREFIX_LETTERS 4
#define SUFFIX_DIGITS 4

const char *const ulogin_roles[] = {
	"student", "teacher", "staff", "parent", "support", NULL
};

/* ---- names ------------------------------------------------------------ */

static const struct {
	const char *utf8;
	const char *ascii;
} translit[] = {
	{ "æ", "ae" }, { "Æ", "ae" }, { "ø", "oe" }, { "Ø", "oe" },
	{ "å", "aa" }, { "Å", "aa" }, { "ä", "ae" }, { "Ä", "ae" },
	{ "ö", "oe" }, { "Ö", "oe" }, { "ü", "ue" }, { "Ü", "ue" },
	{ "ß", "ss" }, { "þ", "th" }, { "Þ", "th" }, { "ð", "d" },
	{ "Ð", "d" }, { "ł", "l" }, { "Ł", "l" }, { "ñ", "n" },
	{ "Ñ", "n" }, { "ç", "c" }, { "Ç", "c" }, { "č", "c" },
	{ "Č", "c" }, { "š", "s" }, { "Š", "s" }, { "ž", "z" },
	{ "Ž", "z" }, { "é", "e" }, { "è", "e" }, { "ê", "e" },
	{ "ë", "e" }, { "É", "e" }, { "È", "e" }, { "Ê", "e" },
	{ "Ë", "e" }, { "á", "a" }, { "à", "a" }, { "â", "a" },
	{ "ã", "a" }, { "Á", "a" }, { "À", "a" }, { "Â", "a" },
	{ "í", "i" }, { "ì", "i" }, { "î", "i" }, { "ï", "i" },
	{ "Í", "i" }, { "Î", "i" }, { "ó", "o" }, { "ò", "o" },
	{ "ô", "o" }, { "õ", "o" }, { "Ó", "o" }, { "Ô", "o" },
	{ "ú", "u" }, { "ù", "u" }, { "û", "u" }, { "Ú", "u" },
	{ "ý", "y" }, { "ÿ", "y" }, { "Ý", "y" },
};

char *
ulogin_transliterate(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(2 * len + 1), *o = out;

	while (*s) {
		unsigned char ch = (unsigned char)*s;
		size_t skip = 1, i;

		if (ch < 0x80) {
			if (isalpha(ch))
				*o++ = (char)tolower(ch);
			s++;
			continue;
		}
		for (i = 0; i < sizeof(translit) / sizeof(*translit); i++) {
			size_t n = strlen(translit[i].utf8);

			if (strncmp(s, translit[i].utf8, n) == 0) {
				size_t m = strlen(translit[i].ascii);

				memcpy(o, translit[i].ascii, m);
				o += m;
				skip = n;
				break;
			}
		}
		if (i == sizeof(translit) / sizeof(*translit)) {
			/* Another non-ASCII character: skip all of it. */
			while (s[skip] && ((unsigned char)s[skip] & 0xc0) ==
			       0x80)
				skip++;
		}
		s += skip;
	}
	*o = '\0';
	return out;
}

char *
ulogin_username_prefix(const char *given, const char *surname)
{
	const char *names[] = { given, surname };

	for (size_t i = 0; i < 2; i++) {
		char *t;

		if (!names[i])
			continue;
		t = ulogin_transliterate(names[i]);
		if (*t) {
			if (strlen(t) > PREFIX_LETTERS)
				t[PREFIX_LETTERS] = '\0';
			return t;
		}
		free(t);
	}
	return xstrdup("user");
}

const char *
ulogin_username_invalid(const char *u)
{
	const char *at = strchr(u, '@');
	size_t len = strlen(u);

	if (!len)
		return "it is empty";
	if (len > 64)
		return "it is longer than 64 characters";
	for (const char *p = u; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch >= 'A' && ch <= 'Z')
			return "usernames are lower case";
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= '0' && ch <= '9') &&
		    ch != '.' && ch != '-' && ch != '_' && ch != '@')
			return "only a-z, 0-9, '.', '-', '_' and one '@' "
			       "are allowed";
	}
	if (!(u[0] >= 'a' && u[0] <= 'z'))
		return "it must start with a letter";
	if (at && (strchr(at + 1, '@') || !at[1] || !strchr(at + 1, '.')))
		return "a login name with '@' needs one '@' and a domain";
	return NULL;
}

const char *
ulogin_level_for_grade(const char *g)
{
	char *end;
	long n;

	if (!g || !*g)
		return NULL;
	if (g[0] == 'g' && g[1] >= '1' && g[1] <= '3' && !g[2])
		return "gymnasium";
	if (!isdigit((unsigned char)g[0]))
		return NULL;
	/* Exports write grades with two digits ("03") as often as one. */
	n = strtol(g, &end, 10);
	if (*end || n < 0 || n > 10 || end - g > 2)
		return NULL;
	return n <= 3 ? "indskoling" : n <= 6 ? "mellemtrin" : "udskoling";
}

bool
ulogin_role_valid(const char *role)
{
	for (size_t i = 0; ulogin_roles[i]; i++)
		if (strcmp(role, ulogin_roles[i]) == 0)
			return true;
	return false;
}

bool
ulogin_role_importable(const char *role)
{
	/* Support comes from the directory manager only; the administrator
	 * right is not a role at all. */
	return ulogin_role_valid(role) && strcmp(role, "support") != 0;
}

const char *
ulogin_role_hint(const char *role)
{
	if (role && strcmp(role, "admin") == 0)
		return "administrator is not a role but a right per institution: "
		       "ulogin-user admin grant USER --institution NUMBER";
	return "roles are student, teacher, staff, parent and support";
}

void
ulogin_staff_password_hint(void)
{
	ulogin_hint("staff reset their own password with national e-ID "
		    "(MitID); one who cannot is sent a one-time password in a "
		    "sealed letter: an administrator of their institution asks "
		    "the support desk, with the workplace's CVR number, the "
		    "user's name and username");
}

bool
ulogin_user_is_staff(const struct ulogin_entry *e)
{
	return ulogin_entry_has_value(e, "uloginRole", "teacher") ||
	       ulogin_entry_has_value(e, "uloginRole", "staff") ||
	       ulogin_entry_has_value(e, "uloginRole", "support") ||
	       ulogin_entry_get(e, "uloginAdminOf");
}

/* ---- helpers for the operations ------------------------------------- */

static bool
entry_true(const struct ulogin_entry *e, const char *attr)
{
	const char *v = ulogin_entry_get(e, attr);

	return v && strcasecmp(v, "TRUE") == 0;
}

const char *const ulogin_user_attrs[] = {
	"uid", "cn", "givenName", "sn", "displayName", "mail", "mobile",
	"uloginRole", "uloginInstitution", "uloginGrade", "uloginLevel",
	"uloginPolicyOverride", "uloginSource", "uloginExternalId",
	"uloginIdentified", "uloginBlockReason", "uloginBlockedBy",
	"uloginBlockedAt", "uloginLeftAt", "uloginChangeBy",
	"uloginParent", "uloginAdminOf", "memberOf",
	"pwdPolicySubentry", "pwdChangedTime", "pwdAccountLockedTime",
	"pwdFailureTime", "pwdGraceUseTime", "pwdReset", "pwdLastSuccess",
	"createTimestamp", "modifyTimestamp", "uloginPrunedAt", NULL
};


char *
ulogin_user_dn(struct ulogin_conn *c, const char *username)
{
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char *dn = people ? ulogin_dn_child(people, "uid", username) : NULL;

	free(people);
	return dn;
}

/* Read a user; prints "cannot find user" and returns 67 when missing. */
int
ulogin_user_read(struct ulogin_conn *c, const char *username,
		 struct ulogin_entry *e)
{
	const char *why;
	char *dn;
	int rc;

	memset(e, 0, sizeof(*e));
	if ((why = ulogin_username_invalid(username))) {
		/* It cannot exist, so do not even ask the server. */
		ulogin_error("cannot find user '%s': %s", username, why);
		return ULOGIN_EX_NOUSER;
	}
	if (!(dn = ulogin_user_dn(c, username))) {
		ulogin_error("cannot use base DN '%s'", ulogin_conn_base(c));
		return ULOGIN_EX_CONFIG;
	}
	rc = ulogin_read(c, dn, ulogin_user_attrs, e);
	free(dn);
	if (rc == LDAP_NO_SUCH_OBJECT) {
		ulogin_error("cannot find user '%s'", username);
		ulogin_hint("search by name with 'ulogin-user find --name "
			    "NAME'");
		return ULOGIN_EX_NOUSER;
	}
	if (rc == LDAP_INSUFFICIENT_ACCESS) {
		/* slapd says the user exists, but not for this operator. */
		ulogin_error("user '%s' is not one you may see or change",
			     username);
		ulogin_hint("teachers manage the students of the classes they "
			    "teach; administrators, the people of the "
			    "institutions they administer (see ulogin(7), "
			    "ACCESS)");
		return ULOGIN_EX_NOPERM;
	}
	if (rc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, rc, "cannot read user '%s'",
					 username);
	return 0;
}

static int
check_values(struct ulogin_conn *c, const struct strv *roles,
	     const struct strv *institutions, const char *grade)
{
	int rc;

	for (size_t i = 0; roles && i < roles->n; i++)
		if (!ulogin_role_valid(roles->v[i])) {
			ulogin_error("unknown role '%s'", roles->v[i]);
			ulogin_hint("%s", ulogin_role_hint(roles->v[i]));
			return ULOGIN_EX_USAGE;
		}
	if (grade && *grade && !ulogin_level_for_grade(grade)) {
		ulogin_error("unknown grade '%s'", grade);
		ulogin_hint("grades are 0 to 10, or g1 to g3 for upper "
			    "secondary");
		return ULOGIN_EX_USAGE;
	}
	for (size_t i = 0; institutions && i < institutions->n; i++)
		if ((rc = ulogin_institution_check(c, institutions->v[i])))
			return rc;
	return 0;
}

/*
 * Roles a person may give or take away: student and parent, by an
 * administrator of the user's institution.  Teachers and staff come from
 * the import, support staff from the directory manager; slapd refuses
 * the rest (data/access.model, "people: roles"), and this says why before
 * it does.
 */
static int
check_role_changes(struct ulogin_conn *c, const struct ulogin_change *ch,
		   const char *username)
{
	for (size_t i = 0; i < ch->nmods; i++) {
		const struct ulogin_mod *m = &ch->mods[i];

		if (strcasecmp(m->attr, "uloginRole"))
			continue;
		for (size_t j = 0; j < m->values.n; j++) {
			const char *r = m->values.v[j];

			if (!strcmp(r, "student") || !strcmp(r, "parent") ||
			    !ulogin_operator_is_person(c))
				continue;
			ulogin_error("cannot %s the role '%s' %s '%s': "
				     "administrators give and take student "
				     "and parent only",
				     m->op == ULOGIN_MOD_DELETE ? "take"
								: "give",
				     r, m->op == ULOGIN_MOD_DELETE ? "from"
								   : "to",
				     username);
			ulogin_hint("teachers and staff come from the import "
				    "of their institution, support staff from "
				    "the directory manager");
			return ULOGIN_EX_NOPERM;
		}
	}
	return 0;
}

struct uid_scan {
	const char *prefix;
	unsigned char *used;	/* used[n] for prefix + %04d */
};

static int
note_uid(const struct ulogin_entry *e, void *data)
{
	struct uid_scan *s = data;
	const char *uid = ulogin_entry_get(e, "uid");
	size_t plen = strlen(s->prefix);

	if (uid && strncmp(uid, s->prefix, plen) == 0 &&
	    strlen(uid + plen) == SUFFIX_DIGITS &&
	    strspn(uid + plen, "0123456789") == SUFFIX_DIGITS)
		s->used[atoi(uid + plen)] = 1;
	return 0;
}

/* prefix + n if nobody has it.  The search shows only the users the
 * operator may see: a name at another school is still taken, and the
 * server says so when asked for it by name (it tells a person that a
 * username exists, as a login page does).  NULL if taken or on error
 * (reported, *exit_code set). */
static char *
unseen_free(struct ulogin_conn *c, const char *prefix, int n,
	    int *exit_code)
{
	char *uid = xasprintf("%s%04d", prefix, n);
	char *dn = ulogin_user_dn(c, uid);
	int rc = LDAP_SUCCESS, found = dn ? ulogin_exists(c, dn, &rc) : 1;

	if (found < 0 && rc != LDAP_INSUFFICIENT_ACCESS)
		*exit_code = ulogin_ldap_error(c, rc, "cannot look up "
					       "username '%s'", uid);
	free(dn);
	if (found)
		free(uid);
	return found ? NULL : uid;
}

/* The lowest free prefix + 4 digits; NULL (reported) on failure. */
static char *
generate_username(struct ulogin_conn *c, const char *given,
		  const char *surname, int *exit_code)
{
	static const char *const attrs[] = { "uid", NULL };
	struct uid_scan scan;
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char *filter, *out = NULL;
	int rc;

	*exit_code = 0;
	scan.prefix = ulogin_username_prefix(given, surname);
	scan.used = xcalloc(10000, 1);
	filter = ulogin_filter("(uid=%s*)", scan.prefix);
	rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE, filter, attrs,
			   note_uid, &scan);
	if (rc != LDAP_SUCCESS) {
		*exit_code = ulogin_ldap_error(c, rc, "cannot look up "
					       "usernames");
	} else {
		for (int n = 1; n < 10000 && !out && !*exit_code; n++)
			if (!scan.used[n])
				out = unseen_free(c, scan.prefix, n, exit_code);
		if (!out && !*exit_code) {
			ulogin_error("no free username starting with '%s'",
				     scan.prefix);
			ulogin_hint("give the username yourself");
			*exit_code = ULOGIN_EX_DATAERR;
		}
	}
	free(filter);
	free(people);
	free(scan.used);
	free((char *)scan.prefix);
	return out;
}

char *
ulogin_full_name(const char *given, const char *surname)
{
	/* An imported entry may lack a given name (inetOrgPerson allows
	 * it): use the parts that are there. */
	if (!given || !*given)
		return xstrdup(surname ? surname : "");
	if (!surname || !*surname)
		return xstrdup(given);
	return xasprintf("%s %s", given, surname);
}

/* ---- add ---------------------------------------------------------------- */

static void
fill_add(struct ulogin_change *ch, const struct ulogin_user_spec *s,
	 const char *username)
{
	char *cn = ulogin_full_name(s->given_name, s->surname);

	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "objectClass", "inetOrgPerson");
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "objectClass", "uloginAccount");
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uid", username);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "cn", cn);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "givenName", s->given_name);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "sn", s->surname);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "displayName", cn);
	if (s->mail)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "mail", s->mail);
	if (s->mobile)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "mobile", s->mobile);
	for (size_t i = 0; i < s->roles.n; i++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginRole",
				  s->roles.v[i]);
	for (size_t i = 0; i < s->institutions.n; i++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginInstitution",
				  s->institutions.v[i]);
	if (s->grade) {
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginGrade", s->grade);
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginLevel",
				  ulogin_level_for_grade(s->grade));
	}
	free(cn);
}

/*
 * An administrator adds people to the institutions they administer only
 * (slapd refuses any other number: data/access.model, "people:
 * institutions"); this says so before anything is sent.
 */
static int
check_institutions(struct ulogin_conn *c, const struct strv *institutions)
{
	struct ulogin_operator op;
	char *mine;
	int rc;

	if ((rc = ulogin_operator_read(c, &op)))
		return rc;
	for (size_t i = 0; op.person && i < institutions->n && !rc; i++) {
		if (ulogin_operator_admin_of(&op, institutions->v[i]))
			continue;
		ulogin_error("cannot add users to institution '%s': you are "
			     "not an administrator of it",
			     institutions->v[i]);
		mine = strv_join(&op.admin_of, ", ");
		if (op.admin_of.n)
			ulogin_hint("you add people to the institutions you "
				    "administer (%s); an administrator of "
				    "'%s' adds them there", mine,
				    institutions->v[i]);
		else
			ulogin_hint("users are added by the administrators of "
				    "their institution (and by its import)");
		free(mine);
		rc = ULOGIN_EX_NOPERM;
	}
	ulogin_operator_free(&op);
	return rc;
}

/* What reading back an add whose answer was lost found. */
enum add_outcome { ADD_MADE, ADD_NOT_MADE, ADD_UNKNOWN };

/*
 * The connection failed during the add of ch (DESIGN §6: the outcome is
 * read back, not assumed): over a new connection, is the entry there
 * with the add's values?  Those the operator may read, that name the
 * person: another add of the same DN in the meantime would differ.
 */
static enum add_outcome
read_back_add(struct ulogin_conn *c, const struct ulogin_change *ch)
{
	static const char *const attrs[] = { "uid", "cn", "givenName", "sn",
		"uloginRole", "uloginInstitution", "uloginGrade", "mail",
		"mobile", NULL };
	struct ulogin_conn *again;
	struct ulogin_entry e;
	enum add_outcome out = ADD_MADE;
	int lrc;

	ulogin_warn("the connection to the directory failed during the add "
		    "of '%s'; reading back whether it was made", ch->dn);
	if (!(again = ulogin_connect_again(ulogin_conn_config(c))))
		return ADD_UNKNOWN;
	memset(&e, 0, sizeof(e));
	lrc = ulogin_read(again, ch->dn, attrs, &e);
	if (lrc == LDAP_NO_SUCH_OBJECT)
		out = ADD_NOT_MADE;
	else if (lrc != LDAP_SUCCESS)
		out = ADD_UNKNOWN;
	for (size_t i = 0; out == ADD_MADE && i < ch->nmods; i++) {
		const struct ulogin_mod *m = &ch->mods[i];

		for (size_t k = 0; attrs[k]; k++)
			if (!strcasecmp(m->attr, attrs[k]))
				for (size_t j = 0; j < m->values.n; j++)
					if (!ulogin_entry_has_value(&e,
						m->attr, m->values.v[j]))
						out = ADD_NOT_MADE;
	}
	ulogin_entry_free(&e);
	ulogin_disconnect(again);
	return out;
}

/* The one row of what add made: username, name, dn. */
static struct ulogin_table *
added_row(const struct ulogin_user_spec *s, const char *username,
	  const char *dn)
{
	static const char *const cols[] = { "username", "name", "dn", NULL };
	struct ulogin_table *t = ulogin_table_new(cols);
	char *cn = ulogin_full_name(s->given_name, s->surname);

	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, username);
	ulogin_table_set(t, 1, cn);
	ulogin_table_set(t, 2, dn);
	free(cn);
	return t;
}

int
ulogin_user_add(struct ulogin_conn *c, const struct ulogin_user_spec *s,
		struct ulogin_initial *initial, struct ulogin_table **out)
{
	struct ulogin_change ch;
	char *username = NULL, *dn = NULL, *pw = NULL;
	enum add_outcome outcome = ADD_MADE;
	bool lost = false;
	const char *why;
	int rc = 0, ldap_rc;

	if (initial) {
		initial->password = NULL;
		initial->unknown = false;
	}
	if (s->username && (why = ulogin_username_invalid(s->username))) {
		ulogin_error("cannot use username '%s': %s", s->username, why);
		return ULOGIN_EX_USAGE;
	}
	if ((rc = check_values(c, &s->roles, &s->institutions, s->grade)) ||
	    (rc = check_institutions(c, &s->institutions)) ||
	    (rc = ulogin_prepare_changes(c)))
		return rc;
	/* A generated name can be taken by someone else between the look-up
	 * and the add: then look again, a few times. */
	for (int tries = 0;; tries++) {
		username = s->username ? xstrdup(s->username)
				       : generate_username(c, s->given_name,
							   s->surname, &rc);
		if (!username)
			return rc;
		dn = ulogin_user_dn(c, username);
		ulogin_change_init(&ch, ULOGIN_CHANGE_ADD, dn, "user.add");
		fill_add(&ch, s, username);
		/* Linked to their policy from the start, in the add, with
		 * the initial password. */
		if ((rc = check_role_changes(c, &ch, username)) ||
		    (rc = ulogin_policy_follow(c,
				&ulogin_conn_config(c)->policies, NULL, &ch)) ||
		    (initial && (rc = ulogin_initial_password(c, &ch, username,
				initial->file, &pw)))) {
			ulogin_change_wipe(&ch);
			free(dn);
			free(username);
			return rc;
		}
		ldap_rc = ulogin_apply(c, &ch);
		lost = ulogin_ldap_outcome_unknown(ldap_rc) &&
		       !ulogin_conn_config(c)->dry_run;
		if (lost && (outcome = read_back_add(c, &ch)) == ADD_MADE)
			ldap_rc = LDAP_SUCCESS;
		/* A line for a user not made says so (a file that cannot
		 * take it is said; the add's failure is the exit code);
		 * one whose add may have been made is kept. */
		if (initial)
			ulogin_initial_settled(initial->file, username,
				outcome == ADD_NOT_MADE ? LDAP_NO_SUCH_OBJECT
							: ldap_rc,
				ldap_rc == LDAP_ALREADY_EXISTS
				? "the username is taken"
				: outcome == ADD_NOT_MADE
				? "the connection failed before it was"
				: NULL);
		if (ldap_rc != LDAP_ALREADY_EXISTS || s->username || tries == 4)
			break;
		ulogin_secret_free(pw);
		pw = NULL;
		ulogin_change_wipe(&ch);
		free(dn);
		free(username);
	}
	if (ldap_rc == LDAP_ALREADY_EXISTS) {
		ulogin_error("cannot add user '%s': the username is taken",
			     username);
		ulogin_hint("choose another username, or leave it out to "
			    "have one generated");
		rc = ULOGIN_EX_DATAERR;
	} else if (ldap_rc != LDAP_SUCCESS && outcome == ADD_UNKNOWN) {
		rc = ulogin_ldap_error(c, ldap_rc, "cannot tell whether user "
				       "'%s' was added: the connection failed "
				       "during the add and the entry cannot be "
				       "read back", username);
		if (initial && initial->file)
			ulogin_hint("the initial password is kept in the "
				    "passwords file: once the directory "
				    "answers, 'ulogin-user show %s' tells "
				    "whether the user exists", username);
		if (initial) {
			initial->password = pw;
			initial->unknown = true;
			pw = NULL;
		}
		*out = added_row(s, username, dn);
	} else if (outcome == ADD_NOT_MADE) {
		ulogin_error("cannot add user '%s': the connection to the "
			     "directory failed, and reading back shows the "
			     "user was not added: nothing was changed",
			     username);
		ulogin_hint("run the same command again");
		rc = ulogin_ldap_exit_code(ldap_rc);
	} else if (ldap_rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, ldap_rc, "cannot add user '%s'",
				       username);
	} else {
		if (lost)
			ulogin_info("reading back shows that '%s' was added",
				    username);
		*out = added_row(s, username, dn);
		if (initial) {
			initial->password = pw;
			pw = NULL;
		}
	}
	ulogin_secret_free(pw);
	ulogin_change_wipe(&ch);
	free(dn);
	free(username);
	return rc;
}

/* ---- show -------------------------------------------------------------- */

struct class_scan {
	const char *dn;
	struct strv classes;
	struct strv teaches;
};

static int
note_class(const struct ulogin_entry *e, void *data)
{
	struct class_scan *s = data;
	const char *cn = ulogin_entry_get(e, "cn");
	const struct strv *v;

	if (!cn)
		return 0;
	if ((v = ulogin_entry_values(e, "member")))
		for (size_t i = 0; i < v->n; i++)
			if (ulogin_dn_equal(v->v[i], s->dn)) {
				strv_push(&s->classes, cn);
				break;
			}
	if ((v = ulogin_entry_values(e, "uloginTeacher")))
		for (size_t i = 0; i < v->n; i++)
			if (ulogin_dn_equal(v->v[i], s->dn)) {
				strv_push(&s->teaches, cn);
				break;
			}
	return 0;
}

static const char *const deprecated_attrs[] = { "cn", NULL };
#define DEPRECATED_FILTER ULOGIN_DEPRECATED_FILTER

static int
count_entry(const struct ulogin_entry *e, void *data)
{
	(*(int *)data)++;
	return 0;
}

/*
 * Everything show needs besides the entry, fetched in one pipelined batch:
 * the classes naming the user, the policy entry (its pwdPolicySubentry,
 * else cn=default), the import source, and whether a password is set.
 */
struct user_facts {
	struct class_scan cls;
	struct ulogin_entry policy;
	char *policy_dn;
	struct strv deprecated;	/* import sources being phased out */
	int password;		/* 1 yes, -1 this operator cannot tell */
	struct ulogin_entry stepup, reset;	/* the windows below */
	char *stepup_dn, *reset_dn;
};

static int
gather_facts(struct ulogin_conn *c, const struct ulogin_entry *e,
	     struct user_facts *f)
{
	static const char *const class_attrs[] = { "cn", "member",
						   "uloginTeacher", NULL };
	static const char *const none[] = { LDAP_NO_ATTRS, NULL };
	const char *link = ulogin_entry_get(e, "pwdPolicySubentry");
	char *classes = ulogin_dn_classes(ulogin_conn_base(c));
	char *policies = ulogin_dn_policies(ulogin_conn_base(c));
	char *imports = ulogin_dn_imports(ulogin_conn_base(c));
	char *filter = ulogin_filter("(|(member=%s)(uloginTeacher=%s))", e->dn,
				     e->dn);
	static const char *const window_attrs[] = { "entryExpireTimestamp",
		"creatorsName", NULL };
	struct ulogin_query q[6];
	size_t n = 0;
	int found = 0, rc;

	memset(f, 0, sizeof(*f));
	/* Step-up and reset windows are entries below the user (slapd
	 * stamps who opened them and ends them); a claimed reset window
	 * is used, not open (lib/reset.h). */
	f->stepup_dn = ulogin_dn_child(e->dn, "cn", "stepup");
	f->reset_dn = ulogin_dn_child(e->dn, "cn", "reset");
	q[n++] = (struct ulogin_query){ f->stepup_dn, ULOGIN_SCOPE_BASE,
		"(objectClass=uloginStepUp)", window_attrs, ulogin_entry_keep,
		&f->stepup, 0 };
	q[n++] = (struct ulogin_query){ f->reset_dn, ULOGIN_SCOPE_BASE,
		"(&(objectClass=uloginResetWindow)(!(description=claimed)))",
		window_attrs, ulogin_entry_keep, &f->reset, 0 };
	f->cls.dn = e->dn;
	f->policy_dn = link ? xstrdup(link)
			    : ulogin_dn_child(policies, "cn", "default");
	q[n++] = (struct ulogin_query){ classes, ULOGIN_SCOPE_SUB, filter,
		class_attrs, note_class, &f->cls, 0 };
	q[n++] = (struct ulogin_query){ f->policy_dn, ULOGIN_SCOPE_BASE,
		"(objectClass=*)", ulogin_state_policy_attrs, ulogin_entry_keep,
		&f->policy, 0 };
	if (ulogin_entry_get(e, "uloginSource"))
		q[n++] = (struct ulogin_query){ imports, ULOGIN_SCOPE_ONE,
			DEPRECATED_FILTER, deprecated_attrs, ulogin_entry_note_cn,
			&f->deprecated, 0 };
	/* ppolicy's pwdChangedTime says a password was set; else a presence
	 * test (no hash is ever read), which operators who may not search
	 * userPassword see as no match: unknown, not "no". */
	f->password = ulogin_entry_get(e, "pwdChangedTime") ? 1 : -1;
	if (f->password < 0)
		q[n++] = (struct ulogin_query){ e->dn, ULOGIN_SCOPE_BASE,
			"(userPassword=*)", none, count_entry, &found, 0 };
	rc = ulogin_search_all(c, q, n);
	/* A directory without ou=classes simply has no classes yet. */
	if (rc == LDAP_SUCCESS && q[2].rc != LDAP_NO_SUCH_OBJECT)
		rc = q[2].rc;
	if (found)
		f->password = 1;
	strv_sort(&f->cls.classes);
	strv_sort(&f->cls.teaches);
	free(filter);
	free(imports);
	free(policies);
	free(classes);
	return rc;
}

static void
free_facts(struct user_facts *f)
{
	strv_free(&f->cls.classes);
	strv_free(&f->cls.teaches);
	ulogin_entry_free(&f->policy);
	strv_free(&f->deprecated);
	free(f->policy_dn);
	ulogin_entry_free(&f->stepup);
	ulogin_entry_free(&f->reset);
	free(f->stepup_dn);
	free(f->reset_dn);
}

/* A window in force: until when, and who opened it (NULLs if none). */
static void
add_window(struct ulogin_record *r, const struct ulogin_entry *w,
	   const char *key, const char *label, const char *by_key,
	   const char *by_label)
{
	const char *exp = w->dn ? ulogin_entry_get(w, "entryExpireTimestamp")
				: NULL;
	char *by = NULL;
	time_t t;

	if (exp && ulogin_gtime_parse(exp, &t) == 0 && t > time(NULL)) {
		ulogin_record_add_time(r, key, label, t);
		by = ulogin_dn_who(ulogin_entry_get(w, "creatorsName"));
	} else {
		ulogin_record_add(r, key, label, NULL);
	}
	ulogin_record_add(r, by_key, by_label, by);
	free(by);
}

static void
add_time(struct ulogin_record *r, const char *key, const char *label,
	 const char *gtime)
{
	time_t t;

	if (gtime && ulogin_gtime_parse(gtime, &t) == 0)
		ulogin_record_add_time(r, key, label, t);
	else
		ulogin_record_add(r, key, label, gtime);
}

static void
add_attr(struct ulogin_record *r, const struct ulogin_entry *e,
	 const char *key, const char *label, const char *attr)
{
	ulogin_record_add(r, key, label, ulogin_entry_get(e, attr));
}

/* People named by DN (uid=...,ou=people), by username; any other DN as
 * it is. */
static void
add_usernames(struct ulogin_record *r, const char *key, const char *label,
	      const struct strv *dns)
{
	struct strv names = STRV_INIT;

	for (size_t i = 0; dns && i < dns->n; i++) {
		char *uid = ulogin_dn_first_value(dns->v[i], "uid");

		strv_push(&names, uid ? uid : dns->v[i]);
		free(uid);
	}
	ulogin_record_add_list(r, key, label, dns ? &names : NULL);
	strv_free(&names);
}

static void
add_password_facts(struct ulogin_record *r, const struct ulogin_entry *e,
		   const struct ulogin_state *st)
{
	const struct strv *fails = ulogin_entry_values(e, "pwdFailureTime");
	const struct strv *grace = ulogin_entry_values(e, "pwdGraceUseTime");
	add_time(r, "password_changed", "Password changed",
		 ulogin_entry_get(e, "pwdChangedTime"));
	if (st->expires) {
		ulogin_record_add_time(r, "password_expires",
				       "Password expires", st->expires);
	} else {
		ulogin_record_add(r, "password_expires", "Password expires",
				  NULL);
	}
	ulogin_record_add_bool(r, "must_change", "Must change password",
			       entry_true(e, "pwdReset"));
	ulogin_record_add_count(r, "failures", "Failed logins",
				fails ? (long)fails->n : 0);
	ulogin_record_add_count(r, "grace_logins_used", "Grace logins used",
				grace ? (long)grace->n : 0);
	add_time(r, "last_login", "Last login",
		 ulogin_entry_get(e, "pwdLastSuccess"));
}

/* A lock-out in force after wrong passwords: since and until when (no
 * end: until an administrator unlocks it). */
static void
add_lockout(struct ulogin_record *r, const struct ulogin_state *st)
{
	bool out = st->conditions & ULOGIN_COND_LOCKED_OUT;

	if (out && st->locked_at)
		ulogin_record_add_time(r, "locked_out_at", "Locked out at",
				       st->locked_at);
	else
		ulogin_record_add(r, "locked_out_at", "Locked out at", NULL);
	if (out && st->locked_until)
		ulogin_record_add_time(r, "locked_out_until",
				       "Locked out until", st->locked_until);
	else
		ulogin_record_add(r, "locked_out_until", "Locked out until",
				  out ? "until unlocked" : NULL);
}

/* The one account state, from what gather_facts() read. */
static void
state_of(const struct ulogin_entry *e, const struct user_facts *f,
	 struct ulogin_state *st)
{
	const char *exp = f->reset.dn ? ulogin_entry_get(&f->reset,
		"entryExpireTimestamp") : NULL;
	struct ulogin_state_facts facts = {
		.user = e,
		.policy = f->policy.dn ? &f->policy : NULL,
		.source_deprecated = ulogin_only_deprecated(e, &f->deprecated),
		.reset_by = f->reset.dn ? ulogin_entry_get(&f->reset,
			"creatorsName") : NULL,
		.now = time(NULL),
	};

	if (exp && ulogin_gtime_parse(exp, &facts.reset_until) < 0)
		facts.reset_until = 0;
	ulogin_account_state(&facts, st);
}

int
ulogin_user_show(struct ulogin_conn *c, const char *username,
		 struct ulogin_record **out)
{
	struct ulogin_entry e;
	struct ulogin_state st;
	struct user_facts f;
	struct ulogin_record *r;
	char *policy_name;
	int rc;

	if ((rc = ulogin_user_read(c, username, &e)))
		return rc;
	if ((rc = gather_facts(c, &e, &f)) != LDAP_SUCCESS) {
		free_facts(&f);
		ulogin_entry_free(&e);
		return ulogin_ldap_error(c, rc, "cannot look up the classes "
					 "and policy of '%s'", username);
	}
	state_of(&e, &f, &st);

	r = ulogin_record_new();
	add_attr(r, &e, "username", "Username", "uid");
	add_attr(r, &e, "name", "Name", "cn");
	add_attr(r, &e, "given_name", "Given name", "givenName");
	add_attr(r, &e, "surname", "Surname", "sn");
	add_attr(r, &e, "display_name", "Display name", "displayName");
	ulogin_record_add(r, "dn", "DN", e.dn);
	ulogin_record_add(r, "state", "State", st.state);
	ulogin_record_add(r, "state_reason", "Why", st.reason);
	ulogin_record_add_list(r, "roles", "Roles",
			       ulogin_entry_values(&e, "uloginRole"));
	ulogin_record_add_list(r, "institutions", "Institutions",
			       ulogin_entry_values(&e, "uloginInstitution"));
	ulogin_record_add_list(r, "classes", "Classes", &f.cls.classes);
	ulogin_record_add_list(r, "teaches", "Teaches", &f.cls.teaches);
	ulogin_record_add_list(r, "admin_of", "Administrator of",
			       ulogin_entry_values(&e, "uloginAdminOf"));
	add_usernames(r, "parents", "Parents",
		      ulogin_entry_values(&e, "uloginParent"));
	add_attr(r, &e, "grade", "Grade", "uloginGrade");
	add_attr(r, &e, "level", "Level", "uloginLevel");
	add_attr(r, &e, "mail", "Mail", "mail");
	add_attr(r, &e, "mobile", "Mobile", "mobile");
	policy_name = f.policy.dn && ulogin_entry_get(&f.policy, "cn")
		? xasprintf("%s (%s)", ulogin_entry_get(&f.policy, "cn"),
			    ulogin_entry_get(&e, "pwdPolicySubentry")
				? "linked" : "server default")
		: xasprintf("%s (missing!)", f.policy_dn);
	ulogin_record_add(r, "policy", "Password policy", policy_name);
	add_attr(r, &e, "policy_override", "Policy override",
		 "uloginPolicyOverride");
	if (f.password >= 0)
		ulogin_record_add_bool(r, "password_set", "Has a password",
				       f.password);
	else
		ulogin_record_add(r, "password_set", "Has a password", NULL);
	add_password_facts(r, &e, &st);
	add_time(r, "change_by", "Change password by",
		 ulogin_entry_get(&e, "uloginChangeBy"));
	add_attr(r, &e, "blocked_by", "Blocked by", "uloginBlockedBy");
	add_time(r, "blocked_at", "Blocked at",
		 ulogin_entry_get(&e, "uloginBlockedAt"));
	add_attr(r, &e, "block_reason", "Block reason", "uloginBlockReason");
	add_lockout(r, &st);
	add_window(r, &f.stepup, "step_up_until", "Stepped up until",
		   "step_up_by", "Stepped up by");
	add_window(r, &f.reset, "reset_until", "Reset window open until",
		   "reset_by", "Reset opened by");
	add_time(r, "left_at", "Left the school",
		 ulogin_entry_get(&e, "uloginLeftAt"));
	add_time(r, "pruned_at", "Blocked as unused",
		 ulogin_entry_get(&e, "uloginPrunedAt"));
	ulogin_record_add_bool(r, "identified", "Identified by national ID",
			       entry_true(&e, "uloginIdentified"));
	ulogin_record_add_list(r, "sources", "Import sources",
			       ulogin_entry_values(&e, "uloginSource"));
	add_attr(r, &e, "external_id", "External ID", "uloginExternalId");
	add_time(r, "created", "Created", ulogin_entry_get(&e,
							   "createTimestamp"));
	add_time(r, "modified", "Modified",
		 ulogin_entry_get(&e, "modifyTimestamp"));
	*out = r;

	free(policy_name);
	free(st.reason);
	free_facts(&f);
	ulogin_entry_free(&e);
	return 0;
}

/* ---- find / list ---------------------------------------------------------- */

struct find_state {
	struct ulogin_conn *c;
	struct ulogin_table *t;
	struct ulogin_state_reader *states;
	const struct ulogin_list_filter *filter;	/* NULL: none */
	unsigned extras;	/* the filter's columns (XCOL_*) */
	time_t now;
};

/* The columns a filtered list adds, in this order: what the filter is
 * about (ulogin-user(1), LISTS). */
enum {
	XCOL_BLOCKED = 1 << 0,	/* blocked_by, blocked_at, block_reason */
	XCOL_LOCKED = 1 << 1,	/* locked_at, locked_until */
	XCOL_EXPIRES = 1 << 2,	/* expires */
	XCOL_EXPIRING = 1 << 3,	/* days_left, mail, mobile */
	XCOL_LOGIN = 1 << 4,	/* last_login, created */
};

static const struct {
	unsigned group;
	const char *name;
} xcols[] = {
	{ XCOL_BLOCKED, "blocked_by" }, { XCOL_BLOCKED, "blocked_at" },
	{ XCOL_BLOCKED, "block_reason" },
	{ XCOL_LOCKED, "locked_at" }, { XCOL_LOCKED, "locked_until" },
	{ XCOL_EXPIRES, "expires" },
	{ XCOL_EXPIRING, "days_left#" }, { XCOL_EXPIRING, "mail" },
	{ XCOL_EXPIRING, "mobile" },
	{ XCOL_LOGIN, "last_login" }, { XCOL_LOGIN, "created" },
};
#define NXCOLS (sizeof(xcols) / sizeof(*xcols))
/* The first columns of a filtered list. */
#define NBASE 6

static unsigned
extra_columns(const struct ulogin_list_filter *f)
{
	unsigned x = 0;

	if (f->state && !strcmp(f->state, "blocked"))
		x |= XCOL_BLOCKED;
	if (f->state && !strcmp(f->state, "locked-out"))
		x |= XCOL_LOCKED;
	if ((f->state && !strcmp(f->state, "expired")) || f->expiring)
		x |= XCOL_EXPIRES;
	if (f->expiring)
		x |= XCOL_EXPIRING;
	if (f->idle || f->never_logged_in)
		x |= XCOL_LOGIN;
	return x;
}

static void
set_iso(struct ulogin_table *t, size_t col, time_t when)
{
	char iso[32];

	if (!when)
		return;
	ulogin_time_iso(when, iso, sizeof(iso));
	ulogin_table_set(t, col, iso);
}

static void
set_gtime(struct ulogin_table *t, size_t col, const char *gtime)
{
	time_t when;

	if (gtime && ulogin_gtime_parse(gtime, &when) == 0)
		set_iso(t, col, when);
}

/* A row of a filtered list: username, name, roles, institutions, state,
 * reason, then the filter's columns. */
static void
filtered_row(struct find_state *fs, const struct ulogin_entry *e,
	     const struct ulogin_state *st)
{
	struct ulogin_table *t = fs->t;
	const struct strv *v;
	char days[24], *by;
	size_t col = NBASE;

	ulogin_table_set(t, 0, ulogin_entry_get(e, "uid"));
	ulogin_table_set(t, 1, ulogin_entry_get(e, "cn"));
	for (size_t k = 0; k < 2; k++)
		if ((v = ulogin_entry_values(e, k ? "uloginInstitution"
						  : "uloginRole")))
			for (size_t i = 0; i < v->n; i++)
				ulogin_table_set(t, 2 + k, v->v[i]);
	ulogin_table_set(t, 4, st->state);
	ulogin_table_set(t, 5, st->reason);
	if (fs->extras & XCOL_BLOCKED) {
		by = ulogin_entry_get(e, "uloginBlockedBy")
			? ulogin_dn_who(ulogin_entry_get(e, "uloginBlockedBy"))
			: NULL;
		ulogin_table_set(t, col++, by);
		free(by);
		set_gtime(t, col++, ulogin_entry_get(e, "uloginBlockedAt"));
		ulogin_table_set(t, col++,
				 ulogin_entry_get(e, "uloginBlockReason"));
	}
	if (fs->extras & XCOL_LOCKED) {
		set_iso(t, col++, st->locked_at);
		set_iso(t, col++, st->locked_until);
	}
	if (fs->extras & XCOL_EXPIRES)
		set_iso(t, col++, st->expires);
	if (fs->extras & XCOL_EXPIRING) {
		snprintf(days, sizeof(days), "%ld",
			 (long)((st->expires - fs->now) / 86400));
		ulogin_table_set(t, col++, days);
		ulogin_table_set(t, col++, ulogin_entry_get(e, "mail"));
		ulogin_table_set(t, col++, ulogin_entry_get(e, "mobile"));
	}
	if (fs->extras & XCOL_LOGIN) {
		set_iso(t, col++, st->last_login);
		set_gtime(t, col++, ulogin_entry_get(e, "createTimestamp"));
	}
}

static int
add_found(const struct ulogin_entry *e, void *data)
{
	struct find_state *fs = data;
	const struct strv *v;
	struct ulogin_state st;

	ulogin_state_read(fs->states, e, fs->now, &st);
	if (fs->filter) {
		/* The state decides; the server's filter only narrowed. */
		if (ulogin_list_filter_match(fs->filter, &st, fs->now)) {
			ulogin_table_begin_row(fs->t);
			filtered_row(fs, e, &st);
		}
		ulogin_state_free(&st);
		return 0;
	}
	ulogin_table_begin_row(fs->t);
	ulogin_table_set(fs->t, 0, ulogin_entry_get(e, "uid"));
	ulogin_table_set(fs->t, 1, ulogin_entry_get(e, "givenName"));
	ulogin_table_set(fs->t, 2, ulogin_entry_get(e, "sn"));
	if ((v = ulogin_entry_values(e, "uloginRole")))
		for (size_t i = 0; i < v->n; i++)
			ulogin_table_set(fs->t, 3, v->v[i]);
	if ((v = ulogin_entry_values(e, "uloginInstitution")))
		for (size_t i = 0; i < v->n; i++)
			ulogin_table_set(fs->t, 4, v->v[i]);
	ulogin_table_set(fs->t, 5, ulogin_entry_get(e, "uloginGrade"));
	ulogin_table_set(fs->t, 6, st.state);
	ulogin_state_free(&st);
	return 0;
}

/* The columns of a find or list. */
static struct ulogin_table *
new_table(struct find_state *fs)
{
	static const char *const cols[] = { "username", "given_name",
		"surname", "roles*", "institutions*", "grade", "state", NULL };
	const char *fcols[NBASE + NXCOLS + 1] = { "username", "name",
		"roles*", "institutions*", "state", "reason" };
	size_t n = NBASE;

	if (!fs->filter)
		return ulogin_table_new(cols);
	fs->extras = extra_columns(fs->filter);
	for (size_t i = 0; i < NXCOLS; i++)
		if (fs->extras & xcols[i].group)
			fcols[n++] = xcols[i].name;
	fcols[n] = NULL;
	return ulogin_table_new(fcols);
}

/* Members and teachers of a class, or an exit code. */
static int
class_people(struct ulogin_conn *c, const char *name, struct strv *out)
{
	static const char *const attrs[] = { "member", "uloginTeacher", NULL };
	struct ulogin_entry e;
	int rc;

	if ((rc = ulogin_class_read(c, name, attrs, &e)))
		return rc;
	for (size_t k = 0; k < 2; k++) {
		const struct strv *v = ulogin_entry_values(&e, attrs[k]);

		for (size_t i = 0; v && i < v->n; i++)
			if (!strv_contains(out, v->v[i]))
				strv_push(out, v->v[i]);
	}
	ulogin_entry_free(&e);
	return 0;
}

/* "(|(attr=v1)(attr=v2)...)" over the values, each escaped. */
static char *
any_of(const char *attr, const struct strv *values)
{
	char *f = xstrdup("");

	for (size_t i = 0; i < values->n; i++) {
		char *one = ulogin_filter("(%r=%s)", attr, values->v[i]);
		char *next = xasprintf("%s%s", f, one);

		free(one);
		free(f);
		f = next;
	}
	if (values->n > 1) {
		char *or = ulogin_filter("(|%r)", f);

		free(f);
		f = or;
	}
	return f;
}

int
ulogin_user_find(struct ulogin_conn *c, const struct ulogin_user_query *q,
		 struct ulogin_table **out)
{
	static const char *const attrs[] = { "uid", "cn", "givenName", "sn",
		"uloginRole", "uloginInstitution", "uloginGrade", "mail",
		"mobile", "uloginLeftAt", "pwdAccountLockedTime",
		"uloginBlockReason", "uloginBlockedBy", "uloginBlockedAt",
		"pwdReset", "pwdChangedTime", "pwdLastSuccess",
		"pwdPolicySubentry", "uloginSource", "createTimestamp", NULL };
	struct find_state fs;
	struct strv members = STRV_INIT;
	char *filter, *parts[5] = { NULL }, *people;
	size_t np = 0;
	int rc;

	memset(&fs, 0, sizeof(fs));
	fs.now = time(NULL);
	if (ulogin_list_filter_set(q->filter))
		fs.filter = q->filter;
	if (q->class_name) {
		if ((rc = class_people(c, q->class_name, &members)))
			return rc;
	}
	if (q->name)
		parts[np++] = ulogin_filter("(|(cn=*%s*)(givenName=*%s*)"
			"(sn=*%s*)(displayName=*%s*)(uid=*%s*))", q->name,
			q->name, q->name, q->name, q->name);
	if (q->institutions && q->institutions->n)
		parts[np++] = any_of("uloginInstitution", q->institutions);
	if (q->roles && q->roles->n)
		parts[np++] = any_of("uloginRole", q->roles);
	if (q->mail)
		parts[np++] = ulogin_filter("(mail=%s)", q->mail);
	if (fs.filter)
		parts[np++] = ulogin_list_filter_ldap(fs.filter, fs.now);
	filter = ulogin_filter("(&(objectClass=uloginAccount)%r%r%r%r%r)",
			       np > 0 ? parts[0] : "", np > 1 ? parts[1] : "",
			       np > 2 ? parts[2] : "", np > 3 ? parts[3] : "",
			       np > 4 ? parts[4] : "");
	people = ulogin_dn_people(ulogin_conn_base(c));
	fs.c = c;
	fs.t = new_table(&fs);
	fs.states = ulogin_state_reader_new(c);
	if (q->class_name) {
		/* Read just the class's people, all requests at once, each
		 * with the other criteria as its filter. */
		struct ulogin_query *qs = xcalloc(members.n, sizeof(*qs));

		strv_sort(&members);
		for (size_t i = 0; i < members.n; i++)
			qs[i] = (struct ulogin_query){ members.v[i],
				ULOGIN_SCOPE_BASE, filter, attrs, add_found,
				&fs, 0 };
		rc = members.n ? ulogin_search_all(c, qs, members.n)
			       : LDAP_SUCCESS;
		/* A member whose entry is gone, or whom the operator may
		 * not see (a teacher's fellow teacher), is not an error
		 * here: the list is what the operator may see. */
		for (size_t i = 0; rc == LDAP_SUCCESS && i < members.n; i++)
			if (qs[i].rc != LDAP_NO_SUCH_OBJECT &&
			    qs[i].rc != LDAP_INSUFFICIENT_ACCESS)
				rc = qs[i].rc;
		free(qs);
	} else {
		rc = ulogin_search(c, people, ULOGIN_SCOPE_SUB, filter, attrs,
				   add_found, &fs);
	}
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot search for users");
		ulogin_table_free(fs.t);
	} else {
		ulogin_table_sort(fs.t, 0);
		*out = fs.t;
	}
	ulogin_state_reader_free(fs.states);
	strv_free(&members);
	for (size_t i = 0; i < np; i++)
		free(parts[i]);
	free(people);
	free(filter);
	return rc;
}

/* ---- modify ------------------------------------------------------------ */

struct field_map {
	const char *name;
	const char *attr;
	bool multi;
};

static const struct field_map fields[] = {
	{ "given-name", "givenName", false },
	{ "surname", "sn", false },
	{ "display-name", "displayName", false },
	{ "mail", "mail", false },
	{ "mobile", "mobile", false },
	{ "role", "uloginRole", true },
	{ "institution", "uloginInstitution", true },
	{ "grade", "uloginGrade", false },
	{ "external-id", "uloginExternalId", false },
	{ "identified", "uloginIdentified", false },
};

const char *const ulogin_user_fields[] = {
	"given-name", "surname", "display-name", "mail", "mobile", "role",
	"institution", "grade", "external-id", "identified", NULL
};

static const struct field_map *
find_field(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if ((strlen(fields[i].name) == len &&
		     strncmp(fields[i].name, name, len) == 0) ||
		    (strlen(fields[i].attr) == len &&
		     strncasecmp(fields[i].attr, name, len) == 0))
			return &fields[i];
	return NULL;
}

/* Why a field may not be changed here, with where to go instead. */
static const char *
refused_field(const char *name, size_t len)
{
	static const struct {
		const char *name;
		const char *why;
	} refused[] = {
		{ "password", "passwords are never set on the command line" },
		{ "userPassword", "passwords are never set on the command "
				  "line" },
		{ "policy", "policies are set with ulogin-policy" },
		{ "uid", "a username cannot be changed" },
		{ "username", "a username cannot be changed" },
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if (strlen(refused[i].name) == len &&
		    strncasecmp(refused[i].name, name, len) == 0)
			return refused[i].why;
	if (len > 3 && strncasecmp(name, "pwd", 3) == 0)
		return "password policy state is kept by the server";
	return NULL;
}

struct edit_plan {
	struct strv roles, institutions;	/* values to check */
	const char *grade;
	bool names_changed;
	bool display_name_set;
};

static int
plan_one(struct ulogin_change *ch, const char *assign, enum ulogin_mod_op op,
	 const struct ulogin_entry *e, struct edit_plan *plan)
{
	const char *eq = strchr(assign, '=');
	size_t len = eq ? (size_t)(eq - assign) : strlen(assign);
	const struct field_map *f;
	const char *value = eq ? eq + 1 : NULL, *why;

	if ((why = refused_field(assign, len))) {
		ulogin_error("cannot change '%.*s': %s", (int)len, assign, why);
		return ULOGIN_EX_USAGE;
	}
	if (!(f = find_field(assign, len))) {
		ulogin_error("unknown field '%.*s'", (int)len, assign);
		ulogin_hint("fields are given-name, surname, display-name, "
			    "mail, mobile, role, institution, grade, "
			    "external-id, identified");
		return ULOGIN_EX_USAGE;
	}
	if (!value || (op != ULOGIN_MOD_REPLACE && !*value)) {
		ulogin_error("'%s' needs a value: %s=VALUE", assign, f->name);
		return ULOGIN_EX_USAGE;
	}
	if (op != ULOGIN_MOD_REPLACE && !f->multi) {
		ulogin_error("'%s' has one value; use --set %s=VALUE",
			     f->name, f->name);
		return ULOGIN_EX_USAGE;
	}
	if (!strcmp(f->name, "identified")) {
		if (strcasecmp(value, "yes") && strcasecmp(value, "no") &&
		    strcasecmp(value, "true") && strcasecmp(value, "false")) {
			ulogin_error("'identified' is yes or no");
			return ULOGIN_EX_USAGE;
		}
		value = (!strcasecmp(value, "yes") ||
			 !strcasecmp(value, "true")) ? "TRUE" : "FALSE";
	}
	if ((!strcmp(f->name, "given-name") || !strcmp(f->name, "surname")) &&
	    !*value) {
		ulogin_error("'%s' cannot be empty", f->name);
		return ULOGIN_EX_USAGE;
	}
	if (!strcmp(f->name, "role") && op != ULOGIN_MOD_DELETE && *value)
		strv_push(&plan->roles, value);
	if (!strcmp(f->name, "institution") && op != ULOGIN_MOD_DELETE &&
	    *value)
		strv_push(&plan->institutions, value);
	if (!strcmp(f->name, "grade")) {
		/* Applied below, through the level-change rules. */
		plan->grade = value;
		return 0;
	}
	if (!strcmp(f->name, "given-name") || !strcmp(f->name, "surname"))
		plan->names_changed = true;
	if (!strcmp(f->name, "display-name"))
		plan->display_name_set = true;
	/* Adding a value that is there, or removing one that is not, is
	 * already done: say so and leave it out, so reruns succeed. */
	if (op == ULOGIN_MOD_ADD && ulogin_entry_has_value(e, f->attr, value)) {
		ulogin_info("'%s' already has %s=%s", ulogin_entry_get(e, "uid"),
			    f->name, value);
		return 0;
	}
	if (op == ULOGIN_MOD_DELETE &&
	    !ulogin_entry_has_value(e, f->attr, value)) {
		ulogin_info("'%s' has no %s=%s", ulogin_entry_get(e, "uid"),
			    f->name, value);
		return 0;
	}
	if (op == ULOGIN_MOD_REPLACE && !f->multi)
		/* Given twice, the last value wins. */
		ulogin_change_set(ch, f->attr, *value ? value : NULL);
	else
		ulogin_change_mod(ch, op, f->attr, *value ? value : NULL);
	return 0;
}

/*
 * slapd lets an administrator add and delete only certain values of
 * roles and institutions (those of their own institutions, student and
 * parent), never the whole attribute at once: a replace becomes deletes
 * of the values that go and adds of those that come.
 */
static void
replace_by_values(struct ulogin_change *ch, const struct ulogin_entry *e,
		  const char *attr)
{
	const struct strv *have = ulogin_entry_values(e, attr);
	struct strv want = STRV_INIT;
	bool found = false;

	for (size_t i = 0; i < ch->nmods; i++) {
		struct ulogin_mod *m = &ch->mods[i];

		if (m->op != ULOGIN_MOD_REPLACE || strcasecmp(m->attr, attr))
			continue;
		for (size_t j = 0; j < m->values.n; j++)
			if (!strv_contains(&want, m->values.v[j]))
				strv_push(&want, m->values.v[j]);
		/* Neutralised; a modify with no values of a delete of
		 * nothing is dropped below. */
		m->op = ULOGIN_MOD_DELETE;
		strv_free(&m->values);
		found = true;
	}
	if (!found)
		return;
	/* Drop the neutralised mods. */
	for (size_t i = 0; i < ch->nmods;)
		if (ch->mods[i].op == ULOGIN_MOD_DELETE &&
		    !ch->mods[i].values.n && !strcasecmp(ch->mods[i].attr,
							 attr)) {
			free(ch->mods[i].attr);
			memmove(&ch->mods[i], &ch->mods[i + 1],
				(ch->nmods - i - 1) * sizeof(*ch->mods));
			ch->nmods--;
		} else {
			i++;
		}
	for (size_t i = 0; have && i < have->n; i++)
		if (!strv_contains(&want, have->v[i]))
			ulogin_change_mod(ch, ULOGIN_MOD_DELETE, attr,
					  have->v[i]);
	for (size_t i = 0; i < want.n; i++)
		if (!have || !strv_contains(have, want.v[i]))
			ulogin_change_mod(ch, ULOGIN_MOD_ADD, attr, want.v[i]);
	strv_free(&want);
}

static const char *
pending_value(const struct ulogin_change *ch, const char *attr,
	      const struct ulogin_entry *e)
{
	for (size_t i = 0; i < ch->nmods; i++)
		if (ch->mods[i].op == ULOGIN_MOD_REPLACE &&
		    strcasecmp(ch->mods[i].attr, attr) == 0 &&
		    ch->mods[i].values.n)
			return ch->mods[i].values.v[0];
	return ulogin_entry_get(e, attr);
}

int
ulogin_user_modify(struct ulogin_conn *c, const char *username,
		   const struct ulogin_user_edit *edit)
{
	const struct strv *lists[] = { &edit->set, &edit->add, &edit->remove };
	const enum ulogin_mod_op ops[] = { ULOGIN_MOD_REPLACE, ULOGIN_MOD_ADD,
					   ULOGIN_MOD_DELETE };
	struct edit_plan plan;
	struct ulogin_change ch;
	struct ulogin_entry e;
	int rc = 0, lrc;

	if (!edit->set.n && !edit->add.n && !edit->remove.n) {
		ulogin_error("nothing to change");
		ulogin_hint("give --set, --add or --remove NAME=VALUE");
		return ULOGIN_EX_USAGE;
	}
	if ((rc = ulogin_user_read(c, username, &e)))
		return rc;
	memset(&plan, 0, sizeof(plan));
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn, "user.modify");
	for (size_t k = 0; k < 3 && !rc; k++)
		for (size_t i = 0; i < lists[k]->n && !rc; i++)
			rc = plan_one(&ch, lists[k]->v[i], ops[k], &e, &plan);
	if (!rc)
		rc = check_values(c, &plan.roles, &plan.institutions,
				  plan.grade);
	if (!rc) {
		replace_by_values(&ch, &e, "uloginRole");
		replace_by_values(&ch, &e, "uloginInstitution");
		rc = check_role_changes(c, &ch, username);
	}
	if (!rc && plan.grade)
		ulogin_policy_grade_mods(&ch, plan.grade);
	if (!rc && plan.names_changed) {
		char *cn = ulogin_full_name(pending_value(&ch, "givenName", &e),
				     pending_value(&ch, "sn", &e));

		ulogin_change_set(&ch, "cn", cn);
		if (!plan.display_name_set)
			ulogin_change_set(&ch, "displayName", cn);
		free(cn);
	}
	if (!rc && !ch.nmods) {
		ulogin_info("nothing to change for '%s'", username);
		goto out;
	}
	/* Whatever decides the policy (grade, roles) may have changed: the
	 * link follows in the same write. */
	if (!rc)
		rc = ulogin_policy_follow(c, &ulogin_conn_config(c)->policies,
					  &e, &ch);
	if (!rc)
		rc = ulogin_prepare_changes(c);
	if (!rc && (lrc = ulogin_apply(c, &ch)) != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot change user '%s'",
				       username);
	if (!rc)
		ulogin_info(ulogin_conn_config(c)->dry_run
			    ? "would change user '%s' (dry run)"
			    : "changed user '%s'", username);
out:
	strv_free(&plan.roles);
	strv_free(&plan.institutions);
	ulogin_change_free(&ch);
	ulogin_entry_free(&e);
	return rc;
}

/* ---- delete ------------------------------------------------------------ */

struct ref_scan {
	const char *dn;
	const char *action;
	struct ulogin_change *changes;
	size_t n;
};

static int
note_reference(const struct ulogin_entry *e, void *data)
{
	struct ref_scan *s = data;
	static const char *const attrs[] = { "member", "uloginTeacher" };
	struct ulogin_change *ch;

	s->changes = xreallocarray(s->changes, s->n + 1, sizeof(*s->changes));
	ch = &s->changes[s->n++];
	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, e->dn, s->action);
	for (size_t k = 0; k < 2; k++) {
		const struct strv *v = ulogin_entry_values(e, attrs[k]);

		for (size_t i = 0; v && i < v->n; i++)
			if (ulogin_dn_equal(v->v[i], s->dn))
				ulogin_change_mod(ch, ULOGIN_MOD_DELETE,
						  attrs[k], v->v[i]);
	}
	return 0;
}

int
ulogin_class_unlink_changes(struct ulogin_conn *c, const char *dn,
			    const char *action, struct ulogin_change **out,
			    size_t *n)
{
	static const char *const attrs[] = { "cn", "member", "uloginTeacher",
					     NULL };
	struct ref_scan refs = { dn, action, NULL, 0 };
	char *classes = ulogin_dn_classes(ulogin_conn_base(c));
	char *filter = ulogin_filter("(|(member=%s)(uloginTeacher=%s))", dn,
				     dn);
	int rc;

	rc = ulogin_search(c, classes, ULOGIN_SCOPE_SUB, filter, attrs,
			   note_reference, &refs);
	if (rc == LDAP_NO_SUCH_OBJECT)
		rc = LDAP_SUCCESS;	/* no classes yet */
	free(filter);
	free(classes);
	*out = refs.changes;
	*n = refs.n;
	return rc;
}

/* Delete the user (the entry only while it matches assertion, when not
 * NULL: else *mismatch, nothing said) and take it out of its classes. */
static int
delete_user(struct ulogin_conn *c, const char *username,
	    bool (*confirm)(const char *question), const char *assertion,
	    bool *mismatch)
{
	bool dry_run = ulogin_conn_config(c)->dry_run;
	struct ref_scan refs;
	struct ulogin_change ch;
	struct ulogin_entry e;
	char *question;
	int rc, lrc = LDAP_SUCCESS;

	if ((rc = ulogin_user_read(c, username, &e)))
		return rc;
	if (confirm) {
		question = xasprintf("Delete user '%s' (%s)? This cannot be "
				     "undone.", username,
				     ulogin_entry_get(&e, "cn"));
		if (!confirm(question)) {
			free(question);
			ulogin_entry_free(&e);
			ulogin_info("kept user '%s'", username);
			return 0;
		}
		free(question);
	}
	if ((rc = ulogin_prepare_changes(c))) {
		ulogin_entry_free(&e);
		return rc;
	}
	memset(&refs, 0, sizeof(refs));
	lrc = ulogin_class_unlink_changes(c, e.dn, "class.remove-member",
					  &refs.changes, &refs.n);
	if (lrc != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot look up the classes of "
				       "'%s'", username);
	/* A dry run's LDIF takes the user out of the classes first, so
	 * that it applies whether or not the server (slapo-memberof) does
	 * that itself when the entry goes. */
	for (size_t i = 0; !rc && dry_run && i < refs.n; i++)
		ulogin_apply(c, &refs.changes[i]);
	/* The entry first: if the server refuses, nothing has changed. */
	if (!rc) {
		ulogin_change_init(&ch, ULOGIN_CHANGE_DELETE, e.dn,
				   "user.delete");
		lrc = assertion && !dry_run
			? ulogin_apply_asserted(c, &ch, assertion)
			: ulogin_apply(c, &ch);
		ulogin_change_free(&ch);
		if (lrc == LDAP_ASSERTION_FAILED && assertion) {
			*mismatch = true;	/* the caller says it */
			goto out;
		}
		if (lrc != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, lrc, "cannot delete user "
					       "'%s'", username);
	}
	/* Then what the server left of the class references: memberof
	 * removes the member values itself, not uloginTeacher.  What
	 * cannot be removed is reported. */
	if (!rc && !dry_run) {
		for (size_t i = 0; i < refs.n; i++)
			ulogin_change_free(&refs.changes[i]);
		free(refs.changes);
		memset(&refs, 0, sizeof(refs));
		if ((lrc = ulogin_class_unlink_changes(c, e.dn,
				"class.remove-member", &refs.changes,
				&refs.n)) != LDAP_SUCCESS) {
			ulogin_ldap_error(c, lrc, "user '%s' was deleted but "
					  "its classes cannot be read",
					  username);
			rc = ULOGIN_EX_PARTIAL;
		}
	}
	for (size_t i = 0; !dry_run && i < refs.n &&
	     (!rc || rc == ULOGIN_EX_PARTIAL); i++)
		if ((lrc = ulogin_apply(c, &refs.changes[i])) != LDAP_SUCCESS) {
			ulogin_ldap_error(c, lrc, "user '%s' was deleted but "
					  "is still named in '%s'", username,
					  refs.changes[i].dn);
			rc = ULOGIN_EX_PARTIAL;
		}
	if (!rc)
		ulogin_info(ulogin_conn_config(c)->dry_run
			    ? "would delete user '%s' (dry run)"
			    : "deleted user '%s'", username);
out:
	for (size_t i = 0; i < refs.n; i++)
		ulogin_change_free(&refs.changes[i]);
	free(refs.changes);
	ulogin_entry_free(&e);
	return rc;
}

int
ulogin_user_delete(struct ulogin_conn *c, const char *username,
		   bool (*confirm)(const char *question))
{
	return delete_user(c, username, confirm, NULL, NULL);
}

int
ulogin_user_delete_asserted(struct ulogin_conn *c, const char *username,
			    const char *assertion, bool *mismatch)
{
	*mismatch = false;
	return delete_user(c, username, NULL, assertion, mismatch);
}
