/*
 * ulogin_check -- the ulogin password rule engine (lib/rules.c) inside
 * slapd, as the password check module of the ppolicy overlay.
 *
 * A policy entry switches it on:
 *
 *   objectClass: pwdPolicy
 *   objectClass: pwdPolicyChecker
 *   pwdCheckQuality: 2
 *   pwdCheckModule: /usr/lib/x86_64-linux-gnu/ulogin/ulogin_check.so  (2.5)
 *   pwdUseCheckModule: TRUE                                           (2.6)
 *   pwdCheckModuleArg: minlen=10 classes=3 forbid=%40%25%26 latin nouser
 *
 * OpenLDAP 2.5 loads the module named by the policy's pwdCheckModule for
 * every check and unloads it afterwards; 2.6 loads the one module named by
 * the overlay's olcPPolicyCheckModule once, and a policy only says whether
 * to use it (pwdUseCheckModule).  Both call check_password() with the
 * cleartext candidate, a place for the error text, the user's entry and
 * the policy's pwdCheckModuleArg; only the error text differs:
 *
 *   2.5: int check_password(char *pw, char **text, Entry *e,
 *                           struct berval *arg);
 *        *text is NULL on entry; a message must be malloc()ed, slapd
 *        free()s it.
 *   2.6: int check_password(char *pw, struct berval *errmsg, Entry *e,
 *                           struct berval *arg);
 *        errmsg is a buffer of errmsg->bv_len bytes; a longer message
 *        may replace it with a malloc()ed one, which slapd free()s.
 *
 * Any return other than LDAP_SUCCESS makes slapd refuse the password with
 * constraintViolation and our text.  ppolicy holds a mutex around the
 * call, but nothing here depends on that: there is no global state, every
 * call parses the rules afresh (2.5 unloads the module between calls, so a
 * cache would not survive anyway), and nothing is printed or exits.
 *
 * Picture passwords (pictures=N): slapd gives a check module nothing but
 * the rules text, so ulogin-policy apply writes the picture names into it
 * (names=) and the engine checks them here as in the tools.  Rules without
 * names= (written by hand) only get N words of letters checked.
 */
#include <ldap_features.h>

/*
 * slapd installs no development headers (Debian ships none), so the few
 * fields of slapd's in-memory entry that we read are mirrored below.  They
 * are the leading fields of struct Entry, struct Attribute and struct
 * AttributeDescription in servers/slapd/slap.h, identical in every release
 * from 2.5.4 to 2.6.14; we never allocate these structs or take their size,
 * so mirroring a prefix is enough.  Any other release must be checked
 * against its slap.h before it is added here.
 */
#if !defined(LDAP_VENDOR_VERSION) || LDAP_VENDOR_VERSION < 20500 || \
	LDAP_VENDOR_VERSION >= 20700
#error "ulogin_check knows slapd's entry layout for OpenLDAP 2.5 and 2.6 only"
#endif

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lber.h>
#include <ldap.h>

#include "rules.h"
#include "banned.h"

struct slap_attrdesc {			/* AttributeDescription */
	struct slap_attrdesc *ad_next;
	void *ad_type;			/* AttributeType * */
	struct berval ad_cname;		/* "uid", "givenName;lang-da" */
	/* ad_tags, ad_flags, ad_index follow */
};

struct slap_attr {			/* Attribute */
	struct slap_attrdesc *a_desc;
	struct berval *a_vals;		/* values, ending with a NULL bv_val */
	struct berval *a_nvals;		/* normalized (may be a_vals) */
	unsigned a_numvals;
	unsigned a_flags;
	struct slap_attr *a_next;
	/* a_comp_data follows when slapd has LDAP_COMP_MATCH */
};

struct slap_entry {			/* Entry */
	unsigned long e_id;		/* ID */
	struct berval e_name;		/* the DN */
	struct berval e_nname;		/* the normalized DN */
	struct slap_attr *e_attrs;
	/* e_ocflags, e_bv, e_private follow */
};

#if LDAP_VENDOR_VERSION >= 20600
#define ULOGIN_CHECK_26 1
typedef struct berval *errmsg_t;
#else
#define ULOGIN_CHECK_26 0
typedef char **errmsg_t;
#endif

int check_password(char *passwd, errmsg_t errmsg, struct slap_entry *e,
		   struct berval *arg);

/* Limits that no sane entry reaches; beyond them the layout is not ours. */
#define MAX_DN		8192
#define MAX_ADNAME	256
#define MAX_ATTRS	4096
#define MAX_VALUES	65536
#define MAX_NAME	1024
#define MAX_NAMES	8

/* What we read from the user's entry; every string is our own copy. */
struct names {
	char *username;
	char *given[MAX_NAMES];
	size_t ngiven;
	char *surname[MAX_NAMES];
	size_t nsurname;
};

static void
names_free(struct names *n)
{
	free(n->username);
	for (size_t i = 0; i < n->ngiven; i++)
		free(n->given[i]);
	for (size_t i = 0; i < n->nsurname; i++)
		free(n->surname[i]);
	memset(n, 0, sizeof(*n));
}

/* A berval that holds 1..max bytes of text without a NUL in them. */
static bool
sane_text(const struct berval *bv, size_t max)
{
	return bv->bv_val && bv->bv_len > 0 && bv->bv_len <= max &&
	       !memchr(bv->bv_val, '\0', bv->bv_len);
}

/* The same, NUL-terminated, as slapd keeps DNs and attribute names. */
static bool
sane_string(const struct berval *bv, size_t max)
{
	return sane_text(bv, max) && bv->bv_val[bv->bv_len] == '\0';
}

/* An attribute description: a name or OID, then ";options". */
static bool
sane_adname(const struct berval *bv)
{
	if (!sane_string(bv, MAX_ADNAME))
		return false;
	for (size_t i = 0; i < bv->bv_len; i++) {
		char c = bv->bv_val[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == ';'))
			return false;
	}
	return true;
}

static bool
named(const struct berval *bv, const char *name)
{
	return bv->bv_len == strlen(name) &&
	       strncasecmp(bv->bv_val, name, bv->bv_len) == 0;
}

static char *
copy_value(const struct berval *bv)
{
	char *s;

	if (!sane_text(bv, MAX_NAME))
		return NULL;
	if (!(s = malloc(bv->bv_len + 1)))
		return NULL;
	memcpy(s, bv->bv_val, bv->bv_len);
	s[bv->bv_len] = '\0';
	return s;
}

/* Copy up to MAX_NAMES values of a into list; -1 when out of memory. */
static int
copy_values(const struct slap_attr *a, char **list, size_t *n)
{
	for (unsigned i = 0; i < a->a_numvals && *n < MAX_NAMES; i++) {
		if (!sane_text(&a->a_vals[i], MAX_NAME))
			continue;	/* not a name we can use */
		if (!(list[*n] = copy_value(&a->a_vals[i])))
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * Read the username (uid), given names and surnames (sn) of the entry
 * into n.  Returns 0, or -1 if the entry does not look like the layout
 * mirrored above (or memory ran out): the caller then knows nothing about
 * the person.
 *
 * The check that the layout is right: the normalized DN is a plain
 * string, every attribute has a well-formed name and a value array of the
 * stated length, and the attribute named in the DN's first RDN is there,
 * holding the RDN's value ("uid=mett0001,..." -> uid: mett0001).  slapd
 * writes the canonical attribute name (ad_cname) into normalized DNs and
 * normalizes the value with the attribute's own matching rule, so both
 * compare byte for byte with what we read.
 */
static int
read_entry(const struct slap_entry *e, struct names *n)
{
	const char *dn, *eq, *end;
	size_t typelen, vallen;
	bool checkval, found = false;
	const struct slap_attr *a;
	unsigned count = 0;

	memset(n, 0, sizeof(*n));
	if (!e || !sane_string(&e->e_nname, MAX_DN) ||
	    !sane_string(&e->e_name, MAX_DN))
		return -1;
	dn = e->e_nname.bv_val;
	if (!(eq = strchr(dn, '=')))
		return -1;
	typelen = (size_t)(eq - dn);
	end = eq + 1 + strcspn(eq + 1, ",");
	vallen = (size_t)(end - eq - 1);
	/* Escaped or multi-valued RDNs: check the attribute, not the value. */
	checkval = !memchr(eq + 1, '\\', vallen) &&
		   !memchr(eq + 1, '+', vallen);

	for (a = e->e_attrs; a; a = a->a_next) {
		const struct berval *name, *vals;

		if (++count > MAX_ATTRS || !a->a_desc || !a->a_vals ||
		    a->a_numvals == 0 || a->a_numvals > MAX_VALUES)
			goto bad;
		name = &a->a_desc->ad_cname;
		if (!sane_adname(name) ||
		    a->a_vals[a->a_numvals].bv_val != NULL)
			goto bad;

		vals = a->a_nvals ? a->a_nvals : a->a_vals;
		if (name->bv_len == typelen &&
		    strncasecmp(name->bv_val, dn, typelen) == 0) {
			if (!checkval)
				found = true;
			for (unsigned i = 0; !found && i < a->a_numvals; i++)
				found = vals[i].bv_len == vallen &&
					vals[i].bv_val &&
					memcmp(vals[i].bv_val, eq + 1,
					       vallen) == 0;
		}
		if (named(name, "uid") && !n->username) {
			if (!(n->username = copy_value(&a->a_vals[0])) &&
			    sane_text(&a->a_vals[0], MAX_NAME))
				goto bad;	/* out of memory */
		} else if (named(name, "givenName")) {
			if (copy_values(a, n->given, &n->ngiven) < 0)
				goto bad;
		} else if (named(name, "sn")) {
			if (copy_values(a, n->surname, &n->nsurname) < 0)
				goto bad;
		}
	}
	if (found)
		return 0;
bad:
	names_free(n);
	return -1;
}

/* ---- the message ---------------------------------------------------- */

/* The n strings joined by sep, malloc()ed; NULL when out of memory. */
static char *
join(const char *const *s, size_t n, const char *sep)
{
	size_t len = 1, at = 0, seplen = strlen(sep);
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(s[i]) + seplen;
	if (!(out = malloc(len)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(s[i]);

		if (i) {
			memcpy(out + at, sep, seplen);
			at += seplen;
		}
		memcpy(out + at, s[i], l);
		at += l;
	}
	out[at] = '\0';
	return out;
}

/*
 * Hand msg (malloc()ed, or NULL) to slapd the way this release frees it.
 * The first word behind errmsg tells the two callers apart: 2.5 passes a
 * char * that it has set to NULL, 2.6 a berval whose first field, the
 * buffer size, is not 0.  If the caller is not the one we were built for,
 * we write nothing: slapd then answers with its own generic message.
 */
static void
give_message(errmsg_t errmsg, char *msg)
{
	if (!errmsg || !msg) {
		free(msg);
		return;
	}
#if ULOGIN_CHECK_26
	{
		size_t len = strlen(msg);

		if (errmsg->bv_len == 0 || !errmsg->bv_val) {
			free(msg);	/* a 2.5 caller: leave it alone */
		} else if (len < errmsg->bv_len) {
			memcpy(errmsg->bv_val, msg, len + 1);
			free(msg);
		} else {
			errmsg->bv_val = msg;	/* slapd free()s it */
			errmsg->bv_len = len;
		}
	}
#else
	if (*errmsg != NULL)
		free(msg);	/* a 2.6 caller: leave its buffer alone */
	else
		*errmsg = msg;	/* slapd free()s it */
#endif
}

static int
refuse(errmsg_t errmsg, int rc, const char *text)
{
	give_message(errmsg, join(&text, 1, ""));
	return rc;
}

/* ---- the check ------------------------------------------------------ */

/*
 * Picture passwords: the engine counts the words; without the picture
 * set, all we can add is that each word looks like a picture's name --
 * letters only (a-z, A-Z, or letters beyond ASCII such as æ ø å; the
 * engine has already refused invalid UTF-8).  Capitals are allowed because
 * the engine matches picture names without regard to case.
 */
static bool
picture_words(const char *pw)
{
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      *p >= 0x80 || *p == ' ' || *p == '\t'))
			return false;
	return true;
}

/*
 * The engine takes one given name and one surname; the other values (a
 * second givenName, say) are checked for the name rule alone, so that a
 * name in any of them is refused, and said once.
 */
static int
check_more_names(const char *pw, const struct names *n,
		 struct ulogin_violations *out)
{
	struct ulogin_rules only_names;
	size_t before = out->n;
	int rc = 0;

	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i].code, "name") == 0)
			return 0;
	ulogin_rules_init(&only_names);
	only_names.no_names = true;
	for (size_t i = 1; rc >= 0 && out->n == before && i < n->ngiven; i++) {
		struct ulogin_person who = { NULL, n->given[i], NULL, NULL };

		rc = ulogin_rules_check(&only_names, pw, &who, NULL, out);
	}
	for (size_t i = 1; rc >= 0 && out->n == before && i < n->nsurname;
	     i++) {
		struct ulogin_person who = { NULL, NULL, n->surname[i], NULL };

		rc = ulogin_rules_check(&only_names, pw, &who, NULL, out);
	}
	return rc < 0 ? -1 : 0;
}

int
check_password(char *passwd, errmsg_t errmsg, struct slap_entry *e,
	       struct berval *arg)
{
	struct ulogin_rules rules;
	struct ulogin_violations out = { NULL, 0 };
	struct ulogin_person who = { NULL, NULL, NULL, NULL };
	struct names n;
	const char *why = "unknown error";
	const char *sentences[32];
	size_t ns = 0;
	char *text;
	bool known;
	int rc;

	if (!passwd)
		return refuse(errmsg, LDAP_OTHER, "There is no password to "
			      "check.");
	/* The rules: pwdCheckModuleArg, a counted string. */
	if (!arg || !sane_text(arg, 4096))
		return refuse(errmsg, LDAP_OTHER, "The password policy has no "
			      "rules for the ulogin check (pwdCheckModuleArg "
			      "is missing): ask an administrator.");
	if (!(text = malloc(arg->bv_len + 1)))
		return LDAP_OTHER;
	memcpy(text, arg->bv_val, arg->bv_len);
	text[arg->bv_len] = '\0';
	rc = ulogin_rules_parse(text, &rules, &why);
	free(text);
	if (rc < 0) {
		const char *parts[] = {
			"The password policy's rules cannot be read "
			"(pwdCheckModuleArg: ", why,
			"): ask an administrator."
		};

		give_message(errmsg, join(parts, 3, ""));
		return LDAP_OTHER;
	}

	known = read_entry(e, &n) == 0;
	if (!known && (rules.no_username || rules.no_names)) {
		ulogin_rules_free(&rules);
		return refuse(errmsg, LDAP_OTHER, "The password cannot be "
			      "checked: the server could not read the "
			      "account's names. Ask an administrator.");
	}
	if (known) {
		who.username = n.username;
		who.given_name = n.ngiven ? n.given[0] : NULL;
		who.surname = n.nsurname ? n.surname[0] : NULL;
	}

	rc = ulogin_rules_check(&rules, passwd, &who, NULL, &out);
	if (rc >= 0 && known && rules.no_names && !rules.pictures &&
	    check_more_names(passwd, &n, &out) < 0)
		rc = -1;
	for (size_t i = 0; i < out.n && ns < 31; i++)
		sentences[ns++] = out.v[i].message;
	if (rc >= 0 && rules.pictures && !picture_words(passwd))
		sentences[ns++] = "Write the names of the pictures, in "
				  "letters, with a space between them.";
	if (known)
		names_free(&n);
	ulogin_rules_free(&rules);

	if (rc < 0) {
		rc = refuse(errmsg, LDAP_OTHER, "The password could not be "
			    "checked (the server is out of memory).");
	} else if (ns > 0) {
		give_message(errmsg, join(sentences, ns, " "));
		rc = LDAP_CONSTRAINT_VIOLATION;
	} else {
		rc = LDAP_SUCCESS;
	}
	ulogin_violations_free(&out);
	return rc;
}
