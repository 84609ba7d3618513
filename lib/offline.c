/*
 * The offline first load: the plan's adds as entries for slapadd -q.
 * Every entry is the change the online run would send (the plan's own
 * step change), so whatever an add writes, the file writes too; what
 * slapd's overlays would add to it online is added here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <ldap.h>
#include <ldif.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "msg.h"
#include "offline.h"
#include "passwords.h"
#include "policy.h"
#include "rules.h"
#include "strmap.h"
#include "banned.h"

#define SALT_LEN 16
#define SHOW_MAX 5	/* a refusal names at most this many */

/* ---- the hash --------------------------------------------------------- */

char *
ulogin_hash_ssha512(const char *password)
{
	size_t len = strlen(password);
	unsigned char *in = xmalloc(len + SALT_LEN);
	unsigned char out[64 + SALT_LEN];
	/* base64 of 80 bytes: 108 characters and the NUL. */
	char b64[4 * ((sizeof(out) + 2) / 3) + 1];
	unsigned int mdlen = 0;
	char *hash = NULL;

	memcpy(in, password, len);
	if (RAND_bytes(in + len, SALT_LEN) == 1 &&
	    EVP_Digest(in, len + SALT_LEN, out, &mdlen, EVP_sha512(),
		       NULL) == 1 && mdlen == 64) {
		memcpy(out + 64, in + len, SALT_LEN);
		EVP_EncodeBlock((unsigned char *)b64, out, sizeof(out));
		hash = xasprintf("{SSHA512}%s", b64);
	}
	OPENSSL_cleanse(in, len + SALT_LEN);
	free(in);
	OPENSSL_cleanse(out, sizeof(out));
	return hash;
}

/* ---- a first load only ------------------------------------------------ */

static int
note_found(const struct ulogin_entry *e, void *data)
{
	*(bool *)data = true;
	return 1;	/* one is enough */
}

static int
keep_lock(const struct ulogin_entry *e, void *data)
{
	const char *lock = ulogin_entry_get(e, "uloginLock");

	*(char **)data = xstrdup(lock ? lock : "");
	return 1;
}

/* The steps that are not adds, shown as the plan prints them. */
static size_t
not_adds(struct ulogin_plan *plan, struct strv *shown)
{
	size_t n = 0;

	for (size_t i = 0; i < ulogin_plan_nsteps(plan); i++) {
		enum ulogin_step_kind k = ulogin_plan_step_kind(plan, i);

		if (k == ULOGIN_STEP_ADD || k == ULOGIN_STEP_CLASS_ADD)
			continue;
		if (n++ < SHOW_MAX)
			strv_push_owned(shown, ulogin_plan_step_text(plan, i));
	}
	return n;
}

int
ulogin_offline_check(struct ulogin_conn *c, const char *source,
		     struct ulogin_plan *plan, const char **outcome)
{
	static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };
	static const char *const lock_attrs[] = { "uloginLock", NULL };
	const char *base = ulogin_conn_base(c);
	char *people = ulogin_dn_people(base), *classes = ulogin_dn_classes(base);
	char *imports = ulogin_dn_imports(base);
	char *dn = ulogin_dn_child(imports, "cn", source);
	char *users_f = ulogin_filter("(uloginSource=%s)", source);
	char *classes_f = ulogin_filter("(&(objectClass=uloginClass)"
					"(uloginSource=%s))", source);
	bool users = false, has_classes = false;
	char *lock = NULL;
	struct ulogin_query q[] = {
		{ people, ULOGIN_SCOPE_ONE, users_f, no_attrs, note_found,
		  &users, 0 },
		{ classes, ULOGIN_SCOPE_SUB, classes_f, no_attrs, note_found,
		  &has_classes, 0 },
		{ dn, ULOGIN_SCOPE_BASE, "(objectClass=*)", lock_attrs,
		  keep_lock, &lock, 0 },
	};
	struct strv shown = STRV_INIT;
	size_t n;
	int rc = ulogin_search_all(c, q, sizeof(q) / sizeof(*q));

	for (size_t i = 0; rc == LDAP_SUCCESS && i < sizeof(q) / sizeof(*q);
	     i++)
		if (q[i].rc != LDAP_SUCCESS && q[i].rc != LDAP_NO_SUCH_OBJECT)
			rc = q[i].rc;
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot read the directory");
		*outcome = "failed: cannot read the directory";
	} else if (lock && *lock) {
		ulogin_error("source '%s' is being imported by another run (%s)",
			     source, lock);
		ulogin_hint("an offline load is for a source no run has "
			    "touched yet");
		rc = ULOGIN_EX_TEMPFAIL;
		*outcome = "refused: another run holds the lock";
	} else if (users || has_classes) {
		ulogin_error("source '%s' already has %s in the directory: "
			     "--offline is only for its first load", source,
			     users ? "users" : "classes");
		ulogin_hint("run without --offline to bring it up to date "
			    "online");
		rc = ULOGIN_EX_DATAERR;
		*outcome = "refused: the source already has users";
	} else if (lock) {
		ulogin_error("source '%s' already has an entry in the directory "
			     "('%s'): --offline is only for its first load",
			     source, dn);
		ulogin_hint("it has no users or classes: delete the entry "
			    "(ldapdelete) and run again, or run without "
			    "--offline");
		rc = ULOGIN_EX_DATAERR;
		*outcome = "refused: the source exists";
	} else if ((n = not_adds(plan, &shown))) {
		char *list = strv_join(&shown, "; ");

		ulogin_error("%zu row%s or class%s would change what is "
			     "already in the directory, which an offline load "
			     "cannot: %s%s", n, n == 1 ? "" : "s",
			     n == 1 ? "" : "es", list,
			     n > SHOW_MAX ? "; ..." : "");
		ulogin_hint("these users or classes exist already (made by "
			    "hand or by another source); see them all with "
			    "--dry-run, and load this source without "
			    "--offline");
		free(list);
		rc = ULOGIN_EX_DATAERR;
		*outcome = "refused: entries exist already";
	}
	strv_free(&shown);
	free(lock);
	free(users_f);
	free(classes_f);
	free(dn);
	free(imports);
	free(people);
	free(classes);
	return rc;
}

/* ---- what the directory would do with an add ---------------------------- */

/* A password policy as the directory holds it. */
struct dir_policy {
	bool aging;		/* pwdMaxAge or pwdMinAge: pwdChangedTime */
	long quality;		/* pwdCheckQuality */
	long min_length;	/* pwdMinLength, in bytes as slapd counts */
	long max_length;
	bool module;		/* a pwdCheckModule with ... */
	bool has_rules;		/* ... rules (pwdCheckModuleArg) that ... */
	const char *rules_why;	/* ... could not be read, or NULL */
	struct ulogin_rules rules;
};

struct writer {
	struct ulogin_conn *c;
	struct ulogin_plan *plan;
	const struct ulogin_config *cfg;
	struct ulogin_offline *off;
	struct dir_policy **policies;
	size_t npolicies;
	struct strmap policy_dn;	/* DN -> struct dir_policy */
	struct strmap policy_cn;	/* cn -> struct dir_policy */
	struct strmap institutions;	/* numbers with an entry */
	struct strmap missing;		/* numbers named without one */
	struct strv missing_list;
	/* The classes of each student: a list of nodes, its head found by
	 * the student's DN (indexes + 1; 0 ends a list).  Small: 100k
	 * students must not cost a string or an array each. */
	struct strmap member_of;
	struct of_node {
		size_t klass, next;
	} *nodes;
	size_t nnodes, anodes;
	char **class_dns;		/* the class adds, in order */
	size_t *class_steps;
	size_t nclasses;
	char changed[32];		/* pwdChangedTime */
};

struct ulogin_offline {
	struct ulogin_conn *c;
	char *path, *passwords_path, *source_dn, *source;
	FILE *ldif;
	struct passwords *passwords;	/* NULL: new users get none */
	bool made, made_passwords;	/* the files are ours to remove */
	size_t users, classes;
	time_t now;
};

static long
number(const struct ulogin_entry *e, const char *attr)
{
	const char *v = ulogin_entry_get(e, attr);

	return v ? strtol(v, NULL, 10) : 0;
}

static int
note_policy(const struct ulogin_entry *e, void *data)
{
	struct writer *w = data;
	struct dir_policy *p = xcalloc(1, sizeof(*p));
	const char *arg = ulogin_entry_get(e, "pwdCheckModuleArg");
	const char *cn = ulogin_entry_get(e, "cn");

	p->aging = number(e, "pwdMaxAge") > 0 || number(e, "pwdMinAge") > 0;
	p->quality = number(e, "pwdCheckQuality");
	p->min_length = number(e, "pwdMinLength");
	p->max_length = number(e, "pwdMaxLength");
	p->module = ulogin_entry_get(e, "pwdCheckModule") != NULL;
	ulogin_rules_init(&p->rules);
	if (arg) {
		p->has_rules = true;
		if (ulogin_rules_parse(arg, &p->rules, &p->rules_why) < 0 &&
		    !p->rules_why)
			p->rules_why = "unreadable";
	}
	w->policies = xreallocarray(w->policies, w->npolicies + 1,
				    sizeof(*w->policies));
	w->policies[w->npolicies++] = p;
	strmap_put(&w->policy_dn, e->dn, p);
	if (cn)
		strmap_put(&w->policy_cn, cn, p);
	return 0;
}

static int
note_institution(const struct ulogin_entry *e, void *data)
{
	const char *o = ulogin_entry_get(e, "o");

	if (o)
		strmap_put(data, o, data);
	return 0;
}

/* The policies (what ppolicy does on an add) and the institutions. */
static int
read_policies(struct writer *w)
{
	static const char *const policy_attrs[] = { "cn", "pwdMaxAge",
		"pwdMinAge", "pwdCheckQuality", "pwdCheckModule",
		"pwdCheckModuleArg", "pwdMinLength", "pwdMaxLength", NULL };
	static const char *const o_only[] = { "o", NULL };
	const char *base = ulogin_conn_base(w->c);
	char *pol = ulogin_dn_policies(base);
	char *inst = ulogin_dn_institutions(base);
	struct ulogin_query q[] = {
		{ pol, ULOGIN_SCOPE_ONE, "(objectClass=pwdPolicy)",
		  policy_attrs, note_policy, w, 0 },
		{ inst, ULOGIN_SCOPE_ONE, "(o=*)", o_only, note_institution,
		  &w->institutions, 0 },
	};
	int rc = ulogin_search_all(w->c, q, 2);

	for (size_t i = 0; rc == LDAP_SUCCESS && i < 2; i++)
		if (q[i].rc != LDAP_SUCCESS && q[i].rc != LDAP_NO_SUCH_OBJECT)
			rc = q[i].rc;
	free(pol);
	free(inst);
	return rc == LDAP_SUCCESS ? 0
		: ulogin_ldap_error(w->c, rc, "cannot read the password "
				    "policies and institutions");
}

static const char *
change_value(const struct ulogin_change *ch, const char *attr)
{
	for (size_t i = 0; i < ch->nmods; i++)
		if (!strcasecmp(ch->mods[i].attr, attr) &&
		    ch->mods[i].values.n)
			return ch->mods[i].values.v[0];
	return NULL;
}

/* The policy ppolicy applies to the new entry: its link, else the
 * default (the config's, which ppolicy's olcPPolicyDefault names).  NULL
 * when there is none: then ppolicy does nothing. */
static const struct dir_policy *
policy_of(struct writer *w, const struct ulogin_change *ch)
{
	const char *link = change_value(ch, "pwdPolicySubentry");
	struct dir_policy *p;
	char *cn;

	if (!link)
		return w->cfg->policies.default_name
			? strmap_get(&w->policy_cn,
				     w->cfg->policies.default_name)
			: NULL;
	if ((p = strmap_get(&w->policy_dn, link)))
		return p;
	/* The same DN written another way. */
	if ((cn = ulogin_dn_first_value(link, "cn"))) {
		if ((p = strmap_get(&w->policy_cn, cn)))
			strmap_put(&w->policy_dn, link, p);
		free(cn);
	}
	return p;
}

/*
 * What slapd's password check would say of the password on an add (NULL:
 * nothing): pwdMinLength and pwdMaxLength, then the rules of ulogin's
 * check module, as ppolicy runs them when pwdCheckQuality is set.
 */
static char *
refusal(const struct dir_policy *p, const char *password,
	const struct ulogin_change *ch)
{
	struct ulogin_person who = { change_value(ch, "uid"),
		change_value(ch, "givenName"), change_value(ch, "sn"), NULL };
	struct ulogin_violations v = { NULL, 0 };
	struct strv words = STRV_INIT;
	size_t len = strlen(password);
	char *out = NULL;

	if (!p || p->quality <= 0)
		return NULL;
	if (!len || (p->min_length > 0 && len < (size_t)p->min_length))
		return xstrdup("the password is shorter than the policy's "
			       "pwdMinLength");
	if (p->max_length > 0 && len > (size_t)p->max_length)
		return xstrdup("the password is longer than the policy's "
			       "pwdMaxLength");
	if (!p->module)
		return NULL;
	if (!p->has_rules)
		return xstrdup("the password policy has no rules for the "
			       "ulogin check (pwdCheckModuleArg is missing)");
	if (p->rules_why)
		return xasprintf("the password policy's rules cannot be read "
				 "(pwdCheckModuleArg: %s)", p->rules_why);
	if (ulogin_rules_check(&p->rules, password, &who, NULL, &v) != 0) {
		for (size_t i = 0; i < v.n; i++)
			strv_push(&words, v.v[i].message);
		out = words.n ? strv_join(&words, " ")
			: xstrdup("the password could not be checked");
		strv_free(&words);
	}
	ulogin_violations_free(&v);
	return out;
}

/* ---- writing ------------------------------------------------------------ */

static int
open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, 0600);

	if (fd < 0) {
		ulogin_error("cannot create '%s': %s", path, strerror(errno));
		if (errno == EEXIST)
			ulogin_hint("it holds password hashes, so it is never "
				    "overwritten: move it away first");
	}
	return fd;
}

static void
put_value(FILE *f, const char *attr, const char *value)
{
	char *line = ldif_put_wrap(LDIF_PUT_VALUE, attr, value, strlen(value),
				   LDIF_LINE_WIDTH);

	if (!line) {
		/* A line left out would load a different entry. */
		ulogin_error("out of memory");
		exit(ULOGIN_EX_SOFTWARE);
	}
	fputs(line, f);
	ber_memfree(line);
}

/* The DN and every value of an add, without the blank line that ends
 * the entry (the caller may add values). */
static void
put_entry(FILE *f, const struct ulogin_change *ch)
{
	put_value(f, "dn", ch->dn);
	for (size_t i = 0; i < ch->nmods; i++)
		for (size_t j = 0; j < ch->mods[i].values.n; j++)
			put_value(f, ch->mods[i].attr, ch->mods[i].values.v[j]);
}

/* Replace the cleartext userPassword of an add with its hash. */
static void
set_hash(struct ulogin_change *ch, char *hash)
{
	for (size_t i = 0; i < ch->nmods; i++)
		if (!strcasecmp(ch->mods[i].attr, "userPassword") &&
		    ch->mods[i].values.n) {
			ulogin_secret_free(ch->mods[i].values.v[0]);
			ch->mods[i].values.v[0] = hash;
			return;
		}
	free(hash);
}

/* Institutions the new entries name that have no entry. */
static void
note_institutions(struct writer *w, const struct ulogin_change *ch)
{
	for (size_t i = 0; i < ch->nmods; i++) {
		const struct strv *v = &ch->mods[i].values;

		if (strcasecmp(ch->mods[i].attr, "uloginInstitution"))
			continue;
		for (size_t j = 0; j < v->n; j++)
			if (!strmap_get(&w->institutions, v->v[j]) &&
			    !strmap_get(&w->missing, v->v[j])) {
				strmap_put(&w->missing, v->v[j], w);
				strv_push(&w->missing_list, v->v[j]);
			}
	}
}

/* Class klass (an index of class_dns) has the member dn. */
static void
note_member(struct writer *w, const char *dn, size_t klass)
{
	size_t head = (size_t)(uintptr_t)strmap_get(&w->member_of, dn);

	if (w->nnodes == w->anodes) {
		w->anodes = w->anodes ? 2 * w->anodes : 1024;
		w->nodes = xreallocarray(w->nodes, w->anodes,
					 sizeof(*w->nodes));
	}
	w->nodes[w->nnodes].klass = klass;
	w->nodes[w->nnodes].next = head;
	strmap_put(&w->member_of, dn, (void *)(uintptr_t)++w->nnodes);
}

/* The class adds' members, before the users are written: they get
 * memberOf, as slapo-memberof gives it when a class is added online. */
static void
collect_classes(struct writer *w)
{
	size_t n = ulogin_plan_nsteps(w->plan);

	for (size_t i = 0; i < n; i++) {
		struct ulogin_change ch;

		if (ulogin_plan_step_kind(w->plan, i) != ULOGIN_STEP_CLASS_ADD)
			continue;
		ulogin_plan_step_change(w->plan, i, NULL, &ch, NULL, NULL);
		w->class_dns = xreallocarray(w->class_dns, w->nclasses + 1,
					     sizeof(*w->class_dns));
		w->class_steps = xreallocarray(w->class_steps, w->nclasses + 1,
					       sizeof(*w->class_steps));
		w->class_dns[w->nclasses] = xstrdup(ch.dn);
		w->class_steps[w->nclasses] = i;
		note_institutions(w, &ch);
		for (size_t j = 0; j < ch.nmods; j++)
			if (!strcasecmp(ch.mods[j].attr, "member"))
				for (size_t k = 0; k < ch.mods[j].values.n; k++)
					note_member(w, ch.mods[j].values.v[k],
						    w->nclasses);
		w->nclasses++;
		ulogin_change_free(&ch);
	}
}

/* One new user: 0, or an exit code (said). */
static int
write_user(struct writer *w, size_t i, const struct ulogin_pictures *pictures)
{
	struct ulogin_offline *off = w->off;
	struct ulogin_change ch;
	const struct dir_policy *p;
	size_t node;
	const char *why = NULL;
	char *pw = NULL, *no, *hash;
	int rc = 0;

	/* A first password only when it has somewhere to go. */
	if (ulogin_plan_step_change(w->plan, i, pictures, &ch,
				    off->passwords ? &pw : NULL, &why) < 0) {
		ulogin_error("cannot make an initial password: %s",
			     why ? why : "the random generator failed");
		ulogin_change_free(&ch);
		return ULOGIN_EX_SOFTWARE;
	}
	p = policy_of(w, &ch);
	/* slapd would refuse the add: so is the entry left out. */
	if (pw && (no = refusal(p, pw, &ch))) {
		ulogin_plan_step_done(w->plan, i, LDAP_CONSTRAINT_VIOLATION, no);
		free(no);
		goto out;
	}
	if (pw) {
		if (!(hash = ulogin_hash_ssha512(pw))) {
			ulogin_error("cannot hash an initial password: the "
				     "random generator failed");
			rc = ULOGIN_EX_SOFTWARE;
			goto out;
		}
		set_hash(&ch, hash);
	}
	note_institutions(w, &ch);
	put_entry(off->ldif, &ch);
	for (node = (size_t)(uintptr_t)strmap_get(&w->member_of, ch.dn); node;
	     node = w->nodes[node - 1].next)
		put_value(off->ldif, "memberOf",
			  w->class_dns[w->nodes[node - 1].klass]);
	/* As ppolicy stamps an add with a password whose policy ages
	 * passwords. */
	if (pw && p && p->aging)
		put_value(off->ldif, "pwdChangedTime", w->changed);
	fputc('\n', off->ldif);
	/* On disk (ulogin_passwords_sync) before the file's last line. */
	if (pw)
		ulogin_passwords_add(off->passwords,
				     ulogin_plan_step_name(w->plan, i), pw);
	ulogin_plan_step_done(w->plan, i, LDAP_SUCCESS, NULL);
	off->users++;
out:
	ulogin_secret_free(pw);
	ulogin_change_wipe(&ch);
	return rc;
}

static void
write_class(struct writer *w, size_t i)
{
	struct ulogin_change ch;

	ulogin_plan_step_change(w->plan, i, NULL, &ch, NULL, NULL);
	put_entry(w->off->ldif, &ch);
	fputc('\n', w->off->ldif);
	ulogin_change_free(&ch);
	ulogin_plan_step_done(w->plan, i, LDAP_SUCCESS, NULL);
	w->off->classes++;
}

static void
writer_free(struct writer *w)
{
	for (size_t i = 0; i < w->npolicies; i++) {
		ulogin_rules_free(&w->policies[i]->rules);
		free(w->policies[i]);
	}
	free(w->policies);
	free(w->nodes);
	for (size_t i = 0; i < w->nclasses; i++)
		free(w->class_dns[i]);
	free(w->class_dns);
	free(w->class_steps);
	strmap_free(&w->policy_dn);
	strmap_free(&w->policy_cn);
	strmap_free(&w->institutions);
	strmap_free(&w->missing);
	strmap_free(&w->member_of);
	strv_free(&w->missing_list);
}

static void
offline_free(struct ulogin_offline *off, bool remove)
{
	if (off->ldif)
		fclose(off->ldif);
	ulogin_passwords_close(off->passwords);
	if (remove && off->made)
		unlink(off->path);
	if (remove && off->made_passwords)
		unlink(off->passwords_path);
	free(off->path);
	free(off->passwords_path);
	free(off->source_dn);
	free(off->source);
	free(off);
}

void
ulogin_offline_abandon(struct ulogin_offline *off)
{
	bool made = off && off->made;

	if (!off)
		return;
	offline_free(off, true);
	if (made)
		ulogin_info("the offline files were removed: nothing is to be "
			    "loaded");
}

/* The files, made new and private, and the first lines. */
static int
create_files(struct ulogin_offline *off, const char *base)
{
	int fd;
	char stamp[32];

	if ((fd = open_private(off->path)) < 0)
		return ULOGIN_EX_CANTCREAT;
	off->made = true;
	if (!(off->ldif = fdopen(fd, "w"))) {
		close(fd);
		return ULOGIN_EX_CANTCREAT;
	}
	if (off->passwords_path) {
		int rc = ulogin_passwords_create(off->passwords_path,
						 &off->passwords);

		if (rc)
			return rc;
		off->made_passwords = true;
	}
	ulogin_time_iso(off->now, stamp, sizeof(stamp));
	fprintf(off->ldif, "%s\n"
		"# source: %s\n"
		"# base: %s\n"
		"# Written by ulogin-import --offline on %s: the first load of "
		"the\n"
		"# source, for slapadd -q with slapd stopped (see "
		"ulogin-offline-load(8)).\n"
		"# It holds password hashes and national ID HMACs: keep it "
		"private and\n"
		"# remove it once loaded.\n\n",
		ULOGIN_OFFLINE_MAGIC, off->source, base, stamp);
	return 0;
}

/* A warning, not a refusal: the online run writes the same numbers. */
static void
warn_institutions(const struct writer *w)
{
	const struct strv *m = &w->missing_list;
	struct strv shown = STRV_INIT;
	char *list;

	if (!m->n || ulogin_verbosity() < 0)
		return;
	for (size_t i = 0; i < m->n && i < SHOW_MAX; i++)
		strv_push(&shown, m->v[i]);
	list = strv_join(&shown, ", ");
	ulogin_warn("%zu institution%s the roster names ha%s no entry under "
		    "ou=institutions: %s%s", m->n, m->n == 1 ? "" : "s",
		    m->n == 1 ? "s" : "ve", list, m->n > SHOW_MAX ? ", ..." : "");
	ulogin_hint("their users are attached to them all the same; add them "
		    "with 'ulogin-class institution add NUMBER --name NAME'");
	free(list);
	strv_free(&shown);
}

int
ulogin_offline_write(struct ulogin_conn *c, struct ulogin_plan *plan,
		     const struct ulogin_import_opts *o,
		     struct ulogin_offline **out)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_pictures pictures = { NULL, 0 };
	struct strv names = STRV_INIT;
	struct ulogin_offline *off = xcalloc(1, sizeof(*off));
	struct writer w;
	char *imports = ulogin_dn_imports(ulogin_conn_base(c));
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.plan = plan;
	w.cfg = cfg;
	w.off = off;
	w.policy_dn.fold = w.policy_cn.fold = w.member_of.fold = true;
	off->c = c;
	off->path = xstrdup(o->offline_file);
	off->passwords_path = o->passwords_file ? xstrdup(o->passwords_file)
						: NULL;
	off->source = xstrdup(o->source);
	off->source_dn = ulogin_dn_child(imports, "cn", o->source);
	off->now = time(NULL);
	free(imports);
	ulogin_gtime_format(off->now, w.changed, sizeof(w.changed));

	/* The audit trail first: it must be writable before anything is. */
	if ((rc = ulogin_prepare_changes(c)) || (rc = read_policies(&w))) {
		offline_free(off, false);
		writer_free(&w);
		return rc;
	}
	if ((rc = create_files(off, ulogin_conn_base(c))))
		goto fail;
	if (cfg->policies.pictures_file &&
	    ulogin_pictures_load(cfg->policies.pictures_file, &names) == 0) {
		pictures.names = (const char *const *)names.v;
		pictures.count = names.n;
	}
	collect_classes(&w);
	for (size_t i = 0; i < ulogin_plan_nsteps(plan) && !rc; i++)
		if (ulogin_plan_step_kind(plan, i) == ULOGIN_STEP_ADD)
			rc = write_user(&w, i, &pictures);
	for (size_t i = 0; i < w.nclasses && !rc; i++)
		write_class(&w, w.class_steps[i]);
	strv_free(&names);
	if (!rc && ferror(off->ldif)) {
		ulogin_error("cannot write '%s': %s", off->path,
			     strerror(errno));
		rc = ULOGIN_EX_CANTCREAT;
	}
	if (rc)
		goto fail;
	warn_institutions(&w);
	writer_free(&w);
	*out = off;
	return 0;
fail:
	strv_free(&names);
	writer_free(&w);
	ulogin_offline_abandon(off);
	return rc;
}

int
ulogin_offline_finish(struct ulogin_offline *off, const char *kind,
		      const char *outcome, const char *counts)
{
	struct ulogin_change ch;
	char stamp[32], *note;
	bool failed;
	int rc;

	/* The passwords on disk before the file that sets them is whole. */
	rc = ulogin_passwords_close(off->passwords);
	off->passwords = NULL;
	if (rc < 0) {
		ulogin_offline_abandon(off);
		return ULOGIN_EX_CANTCREAT;
	}
	/* The source entry as a run leaves it online: made with the lock,
	 * and the lock released with the outcome. */
	ulogin_gtime_format(off->now, stamp, sizeof(stamp));
	ulogin_change_init(&ch, ULOGIN_CHANGE_ADD, off->source_dn,
			   "import.source");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass",
			  "uloginImportSource");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "cn", off->source);
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginSourceKind", kind);
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginLastRun", stamp);
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginLastOutcome", outcome);
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginLastCounts", counts);
	put_entry(off->ldif, &ch);
	ulogin_change_free(&ch);
	fprintf(off->ldif, "\n%s entries=%zu users=%zu classes=%zu\n",
		ULOGIN_OFFLINE_END, off->users + off->classes + 1, off->users,
		off->classes);
	/* No fdatasync here: a file lost in a crash is made again (and a
	 * file cut short is refused by the loader); 74 MB for 100k users
	 * would cost the run a second of its 2. */
	failed = fflush(off->ldif) != 0 || ferror(off->ldif);
	if (fclose(off->ldif) != 0)
		failed = true;
	off->ldif = NULL;
	if (failed) {
		ulogin_error("cannot write '%s': %s", off->path,
			     strerror(errno));
		ulogin_offline_abandon(off);
		return ULOGIN_EX_CANTCREAT;
	}
	note = xasprintf("%zu users and %zu classes written to '%s' for "
			 "slapadd", off->users, off->classes, off->path);
	if (ulogin_audit_note(off->c, "import.offline", off->source_dn, note))
		rc = ULOGIN_EX_CANTCREAT;
	free(note);
	if (!rc)
		ulogin_info("wrote %zu users, %zu classes and the source entry "
			    "to '%s'; load them with slapd stopped: "
			    "ulogin-offline-load %s", off->users, off->classes,
			    off->path, off->path);
	offline_free(off, rc != 0);
	return rc;
}

int
ulogin_offline_precheck(const struct ulogin_import_opts *o)
{
	if (access(o->offline_file, F_OK) == 0) {
		ulogin_error("cannot create '%s': it exists", o->offline_file);
		ulogin_hint("it holds password hashes, so it is never "
			    "overwritten: move it away first");
		return ULOGIN_EX_CANTCREAT;
	}
	if (o->passwords_file && !strcmp(o->passwords_file, o->offline_file))
		return ulogin_usage_error("run", "--offline and --passwords "
					  "name the same file");
	return 0;
}
