/*
 * Phasing out an import source.  Everything here goes through the
 * connection's change functions (audited, --dry-run honoured) and paged
 * searches; deleting a source is a run of the import with no rows, so it
 * has the run's lock, leaver path, mass-removal guard and plan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <ldap.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "msg.h"
#include "phaseout.h"
#include "strmap.h"
#include "banned.h"

/* ---- the source entry ------------------------------------------------- */

static const char *const source_attrs[] = {
	"cn", "uloginSourceKind", "uloginDeprecated", "uloginDeprecatedBy",
	"uloginLastOutcome", NULL
};

/* Read the entry of source into e (zeroed here); 67, said, when there is
 * none. */
static int
read_source(struct ulogin_conn *c, const char *source, struct ulogin_entry *e)
{
	char *imports = ulogin_dn_imports(ulogin_conn_base(c));
	char *dn = ulogin_dn_child(imports, "cn", source);
	int rc;

	memset(e, 0, sizeof(*e));
	rc = ulogin_read(c, dn, source_attrs, e);
	if (rc == LDAP_NO_SUCH_OBJECT) {
		ulogin_error("cannot find import source '%s'", source);
		ulogin_hint("'ulogin-import source list' shows the sources");
		rc = ULOGIN_EX_NOUSER;
	} else if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot read import source '%s'",
				       source);
	}
	free(dn);
	free(imports);
	return rc;
}

static bool
is_true(const struct ulogin_entry *e, const char *attr)
{
	const char *v = ulogin_entry_get(e, attr);

	return v && !strcasecmp(v, "TRUE");
}

/* "YYYY-MM-DD" of a generalized time, or "" (day needs 32 bytes). */
static void
day_of(const char *gtime, char *day, size_t len)
{
	time_t when;

	day[0] = '\0';
	if (gtime && ulogin_gtime_parse(gtime, &when) == 0) {
		ulogin_time_iso(when, day, len);
		day[10] = '\0';
	}
}

/* "being phased out, to be deleted by YYYY-MM-DD" (or without the date)
 * for a deprecated source's entry, else NULL. */
static char *
phase_note(const struct ulogin_entry *e)
{
	char day[32];

	if (!is_true(e, "uloginDeprecated"))
		return NULL;
	day_of(ulogin_entry_get(e, "uloginDeprecatedBy"), day, sizeof(day));
	return *day ? xasprintf("being phased out, to be deleted by %s", day)
		    : xstrdup("being phased out");
}

/* The value after "SOURCE:" of a key or grant of source, else NULL. */
static const char *
of_source(const char *value, const char *source)
{
	size_t len = strlen(source);

	if (strncasecmp(value, source, len) || value[len] != ':')
		return NULL;
	return value + len + 1;
}

/* The key of a user in source, if it has one. */
static const char *
key_of(const struct ulogin_entry *u, const char *source)
{
	const struct strv *keys = ulogin_entry_values(u, "uloginSourceKey");
	const char *id;

	for (size_t i = 0; keys && i < keys->n; i++)
		if ((id = of_source(keys->v[i], source)))
			return id;
	return NULL;
}

/* The external id of a user of source, as a run matches it: its key
 * there, else (from before keys were kept) uloginExternalId. */
static const char *
key_in(const struct ulogin_entry *u, const char *source)
{
	const char *id = key_of(u, source);

	return id ? id : ulogin_entry_get(u, "uloginExternalId");
}

/* Entries kept from a search. */
struct entries {
	struct ulogin_entry *v;
	size_t n, alloc;
};

static int
keep_entry(const struct ulogin_entry *e, void *data)
{
	struct entries *l = data;

	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 32;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(*l->v));
	ulogin_entry_keep(e, &l->v[l->n++]);
	return 0;
}

static void
entries_free(struct entries *l)
{
	for (size_t i = 0; i < l->n; i++)
		ulogin_entry_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The people of ou=people that filter finds. */
static int
search_people(struct ulogin_conn *c, const char *filter,
	      const char *const *attrs, struct entries *out)
{
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	int rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE, filter, attrs,
			       keep_entry, out);

	free(people);
	return rc;
}

/* ---- deprecate -------------------------------------------------------- */

int
ulogin_source_deprecate(struct ulogin_conn *c, const char *source,
			const char *day, bool undo)
{
	struct ulogin_entry e;
	struct ulogin_change ch;
	char stamp[32], had[32];
	time_t when = 0;
	int rc;

	if (day && ulogin_day_parse(day, &when)) {
		ulogin_error("bad date '%s': give a day as YYYY-MM-DD", day);
		return ULOGIN_EX_USAGE;
	}
	if ((rc = read_source(c, source, &e)))
		goto out;
	if (undo && !is_true(&e, "uloginDeprecated")) {
		ulogin_info("import source '%s' is not being phased out",
			    source);
		goto out;
	}
	if ((rc = ulogin_prepare_changes(c)))
		goto out;
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn, undo
			   ? "import.source.undeprecate"
			   : "import.source.deprecate");
	if (undo) {
		ulogin_change_set(&ch, "uloginDeprecated", NULL);
		ulogin_change_set(&ch, "uloginDeprecatedBy", NULL);
	} else {
		ulogin_change_set(&ch, "uloginDeprecated", "TRUE");
		if (day) {
			ulogin_gtime_format(when, stamp, sizeof(stamp));
			ulogin_change_set(&ch, "uloginDeprecatedBy", stamp);
		}
	}
	rc = ulogin_apply(c, &ch);
	ulogin_change_free(&ch);
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot %s import source '%s'",
				       undo ? "undo the phase-out of"
					    : "mark as phased out",
				       source);
		goto out;
	}
	rc = 0;
	if (ulogin_conn_config(c)->dry_run)
		goto out;
	if (undo) {
		ulogin_info("import source '%s' is no longer being phased out",
			    source);
		goto out;
	}
	day_of(ulogin_entry_get(&e, "uloginDeprecatedBy"), had, sizeof(had));
	ulogin_info("import source '%s' is being phased out%s%s; its runs "
		    "warn", source, day || *had ? ", to be deleted by " : "",
		    day ? day : had);
	if (ulogin_verbosity() >= 0)
		ulogin_hint("see who would lose access with 'ulogin-import "
			    "source review %s'", source);
out:
	ulogin_entry_free(&e);
	return rc;
}

/* ---- review ----------------------------------------------------------- */

enum state { AT_RISK, SAFE, LEFT };
static const char *const state_names[] = { "at-risk", "safe", "left" };

static const char *const review_attrs[] = {
	"uid", "cn", "uloginSource", "uloginSourceKey", "uloginExternalId",
	"uloginLeftAt", "pwdLastSuccess", NULL
};

/* The import sources being phased out, by name. */
static int
deprecated_sources(struct ulogin_conn *c, struct strv *out)
{
	static const char *const cn_only[] = { "cn", NULL };
	char *imports = ulogin_dn_imports(ulogin_conn_base(c));
	int rc = ulogin_search(c, imports, ULOGIN_SCOPE_ONE,
			       "(&(objectClass=uloginImportSource)"
			       "(uloginDeprecated=TRUE))", cn_only,
			       ulogin_entry_note_cn, out);

	free(imports);
	return rc == LDAP_NO_SUCH_OBJECT ? LDAP_SUCCESS : rc;
}

/* Safe: another source attaches the user, one not being phased out. */
static enum state
state_of(const struct ulogin_entry *u, const char *source,
	 const struct strv *deprecated)
{
	const struct strv *v = ulogin_entry_values(u, "uloginSource");

	if (ulogin_entry_get(u, "uloginLeftAt"))
		return LEFT;
	for (size_t i = 0; v && i < v->n; i++) {
		bool phased = false;

		for (size_t j = 0; j < deprecated->n && !phased; j++)
			phased = !strcasecmp(v->v[i], deprecated->v[j]);
		if (strcasecmp(v->v[i], source) && !phased)
			return SAFE;
	}
	return AT_RISK;
}

struct reviewed {
	const struct ulogin_entry *u;
	enum state state;
};

static int
compare_reviewed(const void *a, const void *b)
{
	const struct reviewed *x = a, *y = b;
	const char *ux = ulogin_entry_get(x->u, "uid");
	const char *uy = ulogin_entry_get(y->u, "uid");

	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	return strcmp(ux ? ux : "", uy ? uy : "");
}

static void
review_row(struct ulogin_table *t, const struct reviewed *r,
	   const char *source)
{
	const struct strv *v = ulogin_entry_values(r->u, "uloginSource");
	const char *last = ulogin_entry_get(r->u, "pwdLastSuccess");
	char when[32];
	time_t t_last;

	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, ulogin_entry_get(r->u, "uid"));
	ulogin_table_set(t, 1, ulogin_entry_get(r->u, "cn"));
	ulogin_table_set(t, 2, key_in(r->u, source));
	ulogin_table_set(t, 3, state_names[r->state]);
	for (size_t i = 0; v && i < v->n; i++)
		if (strcasecmp(v->v[i], source))
			ulogin_table_set(t, 4, v->v[i]);
	ulogin_table_set(t, 5, last ? "no" : "yes");
	if (last && ulogin_gtime_parse(last, &t_last) == 0) {
		ulogin_time_iso(t_last, when, sizeof(when));
		ulogin_table_set(t, 6, when);
	}
}

int
ulogin_source_review(struct ulogin_conn *c, const char *source, bool all,
		     struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "name", "external-id",
		"state", "other-sources*", "never-logged-in", "last-login",
		NULL };
	struct ulogin_entry e;
	struct strv deprecated = STRV_INIT;
	struct entries users = { NULL, 0, 0 };
	struct reviewed *rows = NULL;
	size_t count[3] = { 0, 0, 0 }, unused = 0;
	char *filter = ulogin_filter("(uloginSource=%s)", source);
	char *note = NULL;
	int rc;

	if ((rc = read_source(c, source, &e)))
		goto out;
	rc = deprecated_sources(c, &deprecated);
	if (rc == LDAP_SUCCESS)
		rc = search_people(c, filter, review_attrs, &users);
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot review the users of "
				       "'%s'", source);
		goto out;
	}
	rows = xcalloc(users.n + 1, sizeof(*rows));
	for (size_t i = 0; i < users.n; i++) {
		rows[i].u = &users.v[i];
		rows[i].state = state_of(&users.v[i], source, &deprecated);
		count[rows[i].state]++;
		if (rows[i].state == AT_RISK &&
		    !ulogin_entry_get(&users.v[i], "pwdLastSuccess"))
			unused++;
	}
	qsort(rows, users.n, sizeof(*rows), compare_reviewed);
	*out = ulogin_table_new(cols);
	for (size_t i = 0; i < users.n; i++)
		if (all || rows[i].state == AT_RISK)
			review_row(*out, &rows[i], source);
	note = phase_note(&e);
	ulogin_info("'%s'%s%s%s: %zu at risk (%zu never logged in), %zu safe "
		    "(also in a source not being phased out), %zu left%s",
		    source, note ? " (" : "", note ? note : "", note ? ")" : "",
		    count[AT_RISK], unused, count[SAFE], count[LEFT],
		    all ? "" : "; --all lists them all");
	rc = 0;
out:
	ulogin_entry_free(&e);
	strv_free(&deprecated);
	entries_free(&users);
	free(rows);
	free(filter);
	free(note);
	return rc;
}

/* ---- the keep list and the id map ------------------------------------- */

/* Split a line at ',', ';' or tab; spaces and double quotes around a
 * field go.  (Usernames and external ids hold none of these.) */
static void
split_fields(const char *line, struct strv *out)
{
	const char *p = line;

	for (;;) {
		size_t n = strcspn(p, ",;\t");
		const char *a = p, *b = p + n;

		while (a < b && (*a == ' ' || *a == '"'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '"'))
			b--;
		strv_push_owned(out, xstrndup(a, (size_t)(b - a)));
		if (!p[n])
			break;
		p += n + 1;
	}
}

typedef int (*line_fn)(const char *path, size_t line,
		       const struct strv *fields, void *data);

/* Each line of a small list file, split into fields; empty lines and
 * those starting with '#' are skipped.  fn returns 0 or an exit code. */
static int
read_lines(const char *path, const char *what, line_fn fn, void *data)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, line = 0;
	ssize_t len;
	int rc = 0;

	if (!f) {
		ulogin_error("cannot read %s '%s': %s", what, path,
			     strerror(errno));
		return ULOGIN_EX_NOINPUT;
	}
	while (!rc && (len = getline(&buf, &cap, f)) >= 0) {
		struct strv fields = STRV_INIT;
		char *s = buf;

		line++;
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
			s[--len] = '\0';
		if (line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s += 3;	/* a spreadsheet's byte order mark */
		s += strspn(s, " \t");
		if (!*s || *s == '#')
			continue;
		split_fields(s, &fields);
		rc = fn(path, line, &fields, data);
		strv_free(&fields);
	}
	if (!rc && ferror(f)) {
		ulogin_error("cannot read %s '%s': %s", what, path,
			     strerror(errno));
		rc = ULOGIN_EX_NOINPUT;
	}
	free(buf);
	fclose(f);
	return rc;
}

/* A user to keep, and what becomes of them. */
struct kept {
	char *uid;
	const struct ulogin_entry *user;	/* NULL: not of the source */
	const char *old_id, *new_id;
	char *matched;		/* the new id the roster gives */
	bool carrier;		/* carries a national ID HMAC */
	bool ambiguous;		/* several rows give one */
	char *why;		/* refused: why */
};

struct migrate {
	const struct ulogin_migrate_opts *o;
	const struct ulogin_source_cfg *to;
	struct kept *kept;
	size_t nkept, akept;
	struct strmap by_uid;		/* username -> struct kept */
	struct strmap new_of;		/* --id-map: old id -> new id */
	struct strmap old_of;		/* and back */
	struct strmap taken;		/* new id -> username holding it */
	struct strv strings;		/* what these maps hold */
	struct entries users;		/* the source's users */
	/* The rows of --roster that carry a national ID number. */
	struct strv row_ids, row_hmacs;
};

/* A string the maps may borrow, kept as long as m. */
static const char *
hold(struct migrate *m, const char *s)
{
	strv_push(&m->strings, s);
	return m->strings.v[m->strings.n - 1];
}

static int
keep_line(const char *path, size_t line, const struct strv *fields,
	  void *data)
{
	struct migrate *m = data;
	const char *uid = fields->v[0], *why;
	struct kept *k;

	if (line == 1 && !strcasecmp(uid, "username"))
		return 0;		/* the header of 'source review' */
	if ((why = ulogin_username_invalid(uid))) {
		ulogin_error("cannot read keep list '%s': line %zu: bad "
			     "username '%s': %s", path, line, uid, why);
		ulogin_hint("one username a line, in the first column (as "
			    "'ulogin-import source review -o csv' writes "
			    "it); lines starting with '#' are skipped");
		return ULOGIN_EX_DATAERR;
	}
	if (strmap_get(&m->by_uid, uid))
		return 0;		/* named twice */
	strmap_put(&m->by_uid, uid, m);	/* the kept entry comes later */
	if (m->nkept == m->akept) {
		m->akept = m->akept ? m->akept * 2 : 32;
		m->kept = xreallocarray(m->kept, m->akept, sizeof(*m->kept));
	}
	k = &m->kept[m->nkept++];
	memset(k, 0, sizeof(*k));
	k->uid = xstrdup(uid);
	return 0;
}

static int
map_line(const char *path, size_t line, const struct strv *fields,
	 void *data)
{
	struct migrate *m = data;
	const char *old, *new, *had;

	if (fields->n < 2 || !*fields->v[0] || !*fields->v[1]) {
		ulogin_error("cannot read id map '%s': line %zu: expected two "
			     "columns: the external id in '%s' and the one in "
			     "'%s'", path, line, m->o->source, m->o->to);
		return ULOGIN_EX_DATAERR;
	}
	old = fields->v[0];
	new = fields->v[1];
	if ((had = strmap_get(&m->new_of, old)) && strcmp(had, new)) {
		ulogin_error("cannot read id map '%s': line %zu: external id "
			     "'%s' is mapped twice, to '%s' and to '%s'", path,
			     line, old, had, new);
		return ULOGIN_EX_DATAERR;
	}
	if (had)
		return 0;
	if ((had = strmap_get(&m->old_of, new))) {
		ulogin_error("cannot read id map '%s': line %zu: '%s' is the "
			     "new id of both '%s' and '%s'", path, line, new,
			     had, old);
		return ULOGIN_EX_DATAERR;
	}
	old = hold(m, old);
	new = hold(m, new);
	strmap_put(&m->new_of, old, (void *)new);
	strmap_put(&m->old_of, new, (void *)old);
	return 0;
}

/* ---- matching by national ID ------------------------------------------ */

static int
roster_class(void *data, const char *key, const char *inst,
	     const char *name, const char *grade)
{
	return 0;
}

static int
roster_person(void *data, const struct ulogin_person_row *p)
{
	struct migrate *m = data;

	if (p->nid_hmac) {
		strv_push(&m->row_ids, p->external_id);
		strv_push(&m->row_hmacs, p->nid_hmac);
	}
	return 0;
}

static int
roster_bad(void *data, const char *file, size_t line, const char *key,
	   const char *why)
{
	ulogin_msg_plain("%s:%zu: key=%s: %s", file, line, key ? key : "-",
			 why);
	return 0;
}

static int
note_carrier(const struct ulogin_entry *e, void *data)
{
	struct kept *k = strmap_get(data, ulogin_entry_get(e, "uid"));

	if (k)
		k->carrier = true;
	return 0;
}

struct hmac_query {
	struct migrate *m;
	const char *ext;	/* the row's external id */
};

static int
note_match(const struct ulogin_entry *e, void *data)
{
	struct hmac_query *q = data;
	struct kept *k = strmap_get(&q->m->by_uid, ulogin_entry_get(e, "uid"));

	if (!k)
		return 0;
	if (k->matched && strcmp(k->matched, q->ext))
		k->ambiguous = true;
	else if (!k->matched)
		k->matched = xstrdup(q->ext);
	return 0;
}

/*
 * The kept users' ids in the new source from its roster: the import may
 * search national ID HMACs but not read them, so each row's HMAC is
 * looked for among the source's users (a batch of searches at a time).
 */
static int
match_roster(struct ulogin_conn *c, struct migrate *m)
{
	static const char *const uid_only[] = { "uid", NULL };
	const struct ulogin_roster_sink sink = { roster_class, roster_person,
						 roster_bad, m };
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char *filter;
	size_t carriers = 0;
	int rc;

	if ((rc = ulogin_import_read(&m->o->roster, ulogin_conn_config(c),
				     &sink)))
		goto out;
	filter = ulogin_filter("(&(uloginSource=%s)(uloginNationalIdHmac=*))",
			       m->o->source);
	rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE, filter, uid_only,
			   note_carrier, &m->by_uid);
	free(filter);
	for (size_t i = 0; i < m->nkept; i++)
		carriers += m->kept[i].carrier;
	for (size_t i = 0; rc == LDAP_SUCCESS && carriers &&
	     i < m->row_ids.n; i += 64) {
		size_t n = m->row_ids.n - i < 64 ? m->row_ids.n - i : 64;
		struct ulogin_query qs[64];
		struct hmac_query hq[64];

		for (size_t j = 0; j < n; j++) {
			hq[j].m = m;
			hq[j].ext = m->row_ids.v[i + j];
			qs[j] = (struct ulogin_query){ people,
				ULOGIN_SCOPE_ONE, ulogin_filter(
				"(&(uloginSource=%s)(uloginNationalIdHmac=%s))",
				m->o->source, m->row_hmacs.v[i + j]), uid_only,
				note_match, &hq[j], LDAP_SUCCESS };
		}
		rc = ulogin_search_all(c, qs, n);
		for (size_t j = 0; j < n; j++) {
			if (rc == LDAP_SUCCESS)
				rc = qs[j].rc;
			free((char *)qs[j].filter);
		}
	}
	if (rc != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, rc, "cannot match the users of '%s' "
				       "by national ID", m->o->source);
	else if (!m->row_ids.n)
		ulogin_warn("no row of '%s' carries a national ID number: "
			    "nobody is matched by it", m->o->roster.input);
out:
	free(people);
	return rc;
}

/* ---- migrate ---------------------------------------------------------- */

static const char *const migrate_attrs[] = {
	"uid", "uloginSource", "uloginSourceKey", "uloginSourceGrant",
	"uloginExternalId", "uloginLeftAt", "uloginRole", "uloginInstitution",
	NULL
};

/* What the source gave the user and the new source may not give: why,
 * or NULL.  For a user from before grants were kept, all the user has
 * (what an import gives), when the source is its only one. */
static char *
beyond_rights(const struct migrate *m, const struct ulogin_entry *u)
{
	const struct ulogin_source_cfg *to = m->to;
	const struct strv *g = ulogin_entry_values(u, "uloginSourceGrant");
	const struct strv *src = ulogin_entry_values(u, "uloginSource");
	struct strv roles = STRV_INIT, insts = STRV_INIT;
	bool recorded = false;
	char *why = NULL, *allowed;
	const char *rest;

	for (size_t i = 0; g && i < g->n; i++) {
		if (!(rest = of_source(g->v[i], m->o->source)))
			continue;
		recorded = true;
		if (!strncasecmp(rest, "role:", 5))
			strv_push(&roles, rest + 5);
		else if (!strncasecmp(rest, "institution:", 12))
			strv_push(&insts, rest + 12);
	}
	if (!recorded && src && src->n == 1) {
		const struct strv *r = ulogin_entry_values(u, "uloginRole");
		const struct strv *n = ulogin_entry_values(u,
							   "uloginInstitution");

		for (size_t i = 0; r && i < r->n; i++)
			if (ulogin_role_importable(r->v[i]))
				strv_push(&roles, r->v[i]);
		for (size_t i = 0; n && i < n->n; i++)
			strv_push(&insts, n->v[i]);
	}
	for (size_t i = 0; i < roles.n && !why; i++)
		if (!strv_contains(&to->roles, roles.v[i])) {
			allowed = strv_join(&to->roles, ", ");
			why = xasprintf("source '%s' may not give the role "
					"'%s' (it gives %s)", to->name,
					roles.v[i], allowed);
			free(allowed);
		}
	for (size_t i = 0; i < insts.n && !why; i++)
		if (!strv_contains(&to->institutions, insts.v[i])) {
			allowed = strv_join(&to->institutions, ", ");
			why = xasprintf("source '%s' may not write institution "
					"%s (it writes %s)", to->name,
					insts.v[i], allowed);
			free(allowed);
		}
	strv_free(&roles);
	strv_free(&insts);
	return why;
}

/* Why a kept user has no external id in the new source. */
static char *
no_new_id(const struct migrate *m, const struct kept *k)
{
	const char *roster = m->o->roster.input;
	struct strv why = STRV_INIT;
	char *joined, *out;

	if (k->ambiguous)
		return xasprintf("its national ID number is on several rows of "
				 "'%s'", roster);
	if (!m->o->id_map_file && !roster)
		return xasprintf("it has no external id in '%s': give --id-map "
				 "or --roster", m->o->to);
	if (m->o->id_map_file)
		strv_push_owned(&why, xasprintf("'%s' is not in the id map",
						k->old_id ? k->old_id : ""));
	if (roster)
		strv_push(&why, k->carrier ? "no row of the roster has its "
			  "national ID number" : "it carries no national ID "
			  "number to match the roster by");
	joined = strv_join(&why, "; ");
	out = xasprintf("it has no external id in '%s': %s", m->o->to,
			joined);
	free(joined);
	strv_free(&why);
	return out;
}

/* Where a kept user goes: k->new_id, or k->why. */
static void
decide(struct ulogin_conn *c, struct migrate *m, struct kept *k)
{
	const struct ulogin_entry *u = k->user;
	const char *to = m->o->to, *mapped, *owner;

	if (!u) {
		char *people = ulogin_dn_people(ulogin_conn_base(c));
		char *dn = ulogin_dn_child(people, "uid", k->uid);
		int lrc, found = ulogin_exists(c, dn, &lrc);

		k->why = found > 0 ? xasprintf("not attached through import "
					       "source '%s'", m->o->source)
		       : found == 0 ? xstrdup("no such user")
		       : xasprintf("cannot look it up: %s",
				   ulogin_ldap_words(lrc));
		free(dn);
		free(people);
		return;
	}
	if (ulogin_entry_get(u, "uloginLeftAt")) {
		k->why = xasprintf("it left '%s' and is blocked: a leaver is "
				   "not moved", m->o->source);
		return;
	}
	k->old_id = key_in(u, m->o->source);
	if ((k->why = beyond_rights(m, u)))
		return;
	mapped = k->old_id ? strmap_get(&m->new_of, k->old_id) : NULL;
	if (ulogin_entry_has_value(u, "uloginSource", to))
		k->new_id = key_in(u, to);
	if (k->new_id && mapped && strcmp(mapped, k->new_id)) {
		k->why = xasprintf("it is in '%s' already as '%s', not '%s' "
				   "as the id map says", to, k->new_id,
				   mapped);
		return;
	}
	if (!k->new_id)
		k->new_id = mapped ? mapped
			  : k->matched && !k->ambiguous ? k->matched : NULL;
	if (!k->new_id) {
		k->why = no_new_id(m, k);
		return;
	}
	owner = strmap_get(&m->taken, k->new_id);
	if (owner && strcasecmp(owner, k->uid)) {
		k->why = xasprintf("external id '%s' of '%s' is user '%s''s",
				   k->new_id, to, owner);
		return;
	}
	strmap_put(&m->taken, hold(m, k->new_id), (void *)hold(m, k->uid));
}

/* The one modify that moves a user: membership, key and grants go from
 * the old source to the new; nothing else is touched. */
static void
move_change(const struct migrate *m, const struct kept *k,
	    struct ulogin_change *ch)
{
	const struct ulogin_entry *u = k->user;
	const char *source = m->o->source, *to = m->o->to, *rest;
	const struct strv *v;
	char *value;

	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, u->dn, "import.migrate");
	ch->comment = xasprintf("from import source '%s' to '%s'", source,
				to);
	if (!ulogin_entry_has_value(u, "uloginSource", to))
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSource", to);
	v = ulogin_entry_values(u, "uloginSource");
	for (size_t i = 0; v && i < v->n; i++)
		if (!strcasecmp(v->v[i], source))
			ulogin_change_mod(ch, ULOGIN_MOD_DELETE,
					  "uloginSource", v->v[i]);
	v = ulogin_entry_values(u, "uloginSourceKey");
	for (size_t i = 0; v && i < v->n; i++)
		if (of_source(v->v[i], source))
			ulogin_change_mod(ch, ULOGIN_MOD_DELETE,
					  "uloginSourceKey", v->v[i]);
	if (!key_of(u, to)) {
		value = xasprintf("%s:%s", to, k->new_id);
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSourceKey", value);
		free(value);
	}
	v = ulogin_entry_values(u, "uloginSourceGrant");
	for (size_t i = 0; v && i < v->n; i++) {
		if (!(rest = of_source(v->v[i], source)))
			continue;
		ulogin_change_mod(ch, ULOGIN_MOD_DELETE, "uloginSourceGrant",
				  v->v[i]);
		value = xasprintf("%s:%s", to, rest);
		if (!ulogin_entry_has_value(u, "uloginSourceGrant", value))
			ulogin_change_mod(ch, ULOGIN_MOD_ADD,
					  "uloginSourceGrant", value);
		free(value);
	}
}

/* Index what was read: the kept users of the source, and the ids that
 * users of the new source hold there. */
static void
index_users(struct migrate *m)
{
	for (size_t i = 0; i < m->users.n; i++) {
		const struct ulogin_entry *u = &m->users.v[i];
		const char *uid = ulogin_entry_get(u, "uid"), *id;
		struct kept *k;

		if (!uid)
			continue;
		if (ulogin_entry_has_value(u, "uloginSource", m->o->to) &&
		    (id = key_in(u, m->o->to)))
			strmap_put(&m->taken, hold(m, id),
				   (void *)hold(m, uid));
		if (ulogin_entry_has_value(u, "uloginSource", m->o->source) &&
		    (k = strmap_get(&m->by_uid, uid)))
			k->user = u;
	}
}

/* Both sources' locks, as a run holds them, so that neither runs while
 * users move between them.  The new source is locked once it has an
 * entry (once it ran). */
static int
lock_both(struct ulogin_conn *c, const struct migrate *m,
	  const struct ulogin_entry *from, char **h_from, char **h_to)
{
	static const char *const kind_only[] = { "uloginSourceKind", NULL };
	char *imports = ulogin_dn_imports(ulogin_conn_base(c));
	char *dn = ulogin_dn_child(imports, "cn", m->o->to);
	struct ulogin_entry to;
	int rc;

	memset(&to, 0, sizeof(to));
	rc = ulogin_import_lock(c, m->o->source, ulogin_entry_get(from,
				"uloginSourceKind"), h_from);
	if (!rc && ulogin_read(c, dn, kind_only, &to) == LDAP_SUCCESS &&
	    (rc = ulogin_import_lock(c, m->o->to, ulogin_entry_get(&to,
				     "uloginSourceKind"), h_to))) {
		ulogin_import_release(c, m->o->source, *h_from, NULL, NULL,
				      NULL);
		free(*h_from);
		*h_from = NULL;
	}
	ulogin_entry_free(&to);
	free(dn);
	free(imports);
	return rc;
}

static void
migrate_free(struct migrate *m)
{
	for (size_t i = 0; i < m->nkept; i++) {
		free(m->kept[i].uid);
		free(m->kept[i].matched);
		free(m->kept[i].why);
	}
	free(m->kept);
	strmap_free(&m->by_uid);
	strmap_free(&m->new_of);
	strmap_free(&m->old_of);
	strmap_free(&m->taken);
	strv_free(&m->strings);
	entries_free(&m->users);
	strv_free(&m->row_ids);
	strv_free(&m->row_hmacs);
}

/* Move every kept user that may move; the table says how each went. */
static int
move_users(struct ulogin_conn *c, struct migrate *m, struct ulogin_table *t)
{
	bool dry = ulogin_conn_config(c)->dry_run;
	size_t moved = 0, refused = 0, failed = 0;

	for (size_t i = 0; i < m->nkept; i++) {
		struct kept *k = &m->kept[i];
		const char *result = dry ? "would migrate" : "migrated";
		struct ulogin_change ch;
		int rc;

		if (k->why) {
			ulogin_error("cannot migrate '%s': %s", k->uid, k->why);
			result = "refused";
			refused++;
		} else if (!dry) {
			move_change(m, k, &ch);
			rc = ulogin_apply(c, &ch);
			ulogin_change_free(&ch);
			if (rc != LDAP_SUCCESS) {
				k->why = xstrdup(ulogin_ldap_words(rc));
				ulogin_error("cannot migrate '%s': %s", k->uid,
					     k->why);
				result = "failed";
				failed++;
			}
		}
		moved += !k->why;
		ulogin_table_begin_row(t);
		ulogin_table_set(t, 0, k->uid);
		ulogin_table_set(t, 1, k->old_id);
		ulogin_table_set(t, 2, k->why ? NULL : k->new_id);
		ulogin_table_set(t, 3, result);
		ulogin_table_set(t, 4, k->why);
	}
	ulogin_table_sort(t, 0);
	ulogin_info("%s'%s' to '%s': %zu %s, %zu refused, %zu failed",
		    dry ? "dry run, nothing written: " : "", m->o->source,
		    m->o->to, moved, dry ? "to migrate" : "migrated", refused,
		    failed);
	return refused || failed ? ULOGIN_EX_PARTIAL : 0;
}

int
ulogin_source_migrate(struct ulogin_conn *c,
		      const struct ulogin_migrate_opts *o,
		      struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "external-id",
		"new-external-id", "result", "reason", NULL };
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct migrate m;
	struct ulogin_entry from;
	char *filter = NULL, *h_from = NULL, *h_to = NULL;
	int rc;

	memset(&m, 0, sizeof(m));
	memset(&from, 0, sizeof(from));
	m.o = o;
	m.by_uid.fold = true;
	m.new_of.borrow = m.old_of.borrow = m.taken.borrow = true;
	if (!(m.to = ulogin_config_source(cfg, o->to))) {
		ulogin_error("import source '%s' is not in the config%s%s",
			     o->to, cfg->sources_from ? " " : "",
			     cfg->sources_from ? cfg->sources_from : "");
		ulogin_hint("the source that takes the users over must be "
			    "allowed to write them: add it under 'sources:' "
			    "(see ulogin.yaml(5))");
		rc = ULOGIN_EX_CONFIG;
		goto out;
	}
	if ((rc = read_source(c, o->source, &from)) ||
	    (rc = read_lines(o->keep_file, "keep list", keep_line, &m)) ||
	    (o->id_map_file &&
	     (rc = read_lines(o->id_map_file, "id map", map_line, &m))))
		goto out;
	for (size_t i = 0; i < m.nkept; i++)
		strmap_put(&m.by_uid, m.kept[i].uid, &m.kept[i]);
	/* The users are read once the locks are held. */
	if (!cfg->dry_run && ((rc = ulogin_prepare_changes(c)) ||
			      (rc = lock_both(c, &m, &from, &h_from, &h_to))))
		goto out;
	filter = ulogin_filter("(|(uloginSource=%s)(uloginSource=%s))",
			       o->source, o->to);
	if ((rc = search_people(c, filter, migrate_attrs, &m.users))) {
		rc = ulogin_ldap_error(c, rc, "cannot read the users of '%s' "
				       "and '%s'", o->source, o->to);
		goto release;
	}
	index_users(&m);
	if (o->roster.input && (rc = match_roster(c, &m)))
		goto release;
	for (size_t i = 0; i < m.nkept; i++)
		decide(c, &m, &m.kept[i]);
	*out = ulogin_table_new(cols);
	rc = move_users(c, &m, *out);
release:
	if (h_to)
		ulogin_import_release(c, o->to, h_to, NULL, NULL, NULL);
	if (h_from)
		ulogin_import_release(c, o->source, h_from, NULL, NULL, NULL);
out:
	free(h_from);
	free(h_to);
	free(filter);
	ulogin_entry_free(&from);
	migrate_free(&m);
	return rc;
}

/* ---- delete ----------------------------------------------------------- */

int
ulogin_source_delete(struct ulogin_conn *c, struct ulogin_import_opts *o,
		     bool (*confirm)(const char *question))
{
	static const char *const attrs[] = { "uloginSource", NULL };
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_entry e;
	struct entries users = { NULL, 0, 0 };
	char *filter = ulogin_filter("(&(uloginSource=%s)(!(uloginLeftAt=*)))",
				     o->source);
	const char *kind;
	size_t alone = 0;
	long limit;
	int rc;

	if ((rc = read_source(c, o->source, &e)))
		goto out;
	if ((rc = search_people(c, filter, attrs, &users))) {
		rc = ulogin_ldap_error(c, rc, "cannot read the users of '%s'",
				       o->source);
		goto out;
	}
	for (size_t i = 0; i < users.n; i++) {
		const struct strv *v = ulogin_entry_values(&users.v[i],
							   "uloginSource");

		alone += v && v->n == 1;
	}
	/* A deletion the guard refuses is not asked about: the run says
	 * why. */
	limit = ulogin_max_leavers(cfg->max_leavers, users.n);
	if (confirm && (o->force || (long)alone <= limit)) {
		char *q = xasprintf("delete import source '%s': block %zu "
				    "users it alone attaches, and detach %zu "
				    "others from it?", o->source, alone,
				    users.n - alone);
		bool yes = confirm(q);

		free(q);
		if (!yes) {
			ulogin_error("nothing was changed");
			rc = ULOGIN_EX_USAGE;
			goto out;
		}
	}
	kind = ulogin_entry_get(&e, "uloginSourceKind");
	o->empty = true;
	o->oneroster = kind && !strcmp(kind, "oneroster");
	o->no_initial_passwords = true;
	if ((rc = ulogin_import_run(c, o)) || cfg->dry_run)
		goto out;
	ulogin_info("import source '%s' is deleted: %zu users blocked as "
		    "left, %zu detached; its runs are refused from now on",
		    o->source, alone, users.n - alone);
	if (ulogin_verbosity() >= 0)
		ulogin_hint("take '%s' out of 'sources:' in the config and out "
			    "of the nightly jobs; 'ulogin-import purge --source "
			    "%s --older-than 90d' deletes its leavers once they "
			    "left long enough ago", o->source, o->source);
out:
	ulogin_entry_free(&e);
	entries_free(&users);
	free(filter);
	return rc;
}
