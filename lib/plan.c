/*
 * Import planning: the roster against the directory, in memory.  People
 * and directory users are kept compactly (strings in an arena, indexes in
 * hash maps), and LDAP changes are built one at a time when a step is
 * applied or printed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <ldap.h>

#include "account.h"
#include "config.h"
#include "dn.h"
#include "generate.h"
#include "gtime.h"
#include "inert.h"
#include "msg.h"
#include "plan.h"
#include "ppolicy.h"
#include "strmap.h"
#include "banned.h"

/* ---- what the roster says ------------------------------------------- */

struct have;

struct person {
	const char *ext, *given, *sn, *username, *grade, *mail, *mobile, *nid;
	const char **roles, **insts, **classes, **parents;	/* sorted */
	const char *dn;
	unsigned managed;	/* ULOGIN_FIELD_BITs the source speaks for */
	size_t line;
	struct have *have;
	enum ulogin_row_action action;
	bool skipped;
	int rc;			/* LDAP code of its step */
	bool settled;		/* its step was sent and answered */
	const char *reason;	/* why skipped or failed */
};

struct klass {
	const char *key, *cn, *inst, *name, *grade;
	struct person **students, **teachers;
	size_t nstudents, nteachers, astudents, ateachers;
	struct have_class *have;
};

struct bad {
	const char *file, *key, *why;
	size_t line;
};

/* ---- what the directory holds ---------------------------------------- */

struct have {
	const char *dn, *uid, *given, *sn, *cn, *mail, *mobile, *grade, *level;
	const char *ext, *nid, *left, *locked, *block_reason, *link, *override;
	const char *initial;	/* uloginInitialPassword */
	const char *created, *creator, *changed;	/* createTimestamp,
						   creatorsName, pwdChangedTime */
	const char **roles, **insts, **sources, **parents;
	const char **keys;	/* uloginSourceKey: SOURCE:EXTERNAL-ID */
	const char **grants;	/* uloginSourceGrant: SOURCE:KIND:VALUE */
	const char *key;	/* its external id in this source */
	struct person *want;
	bool ours;		/* attached through this source */
	bool legacy;		/* ours, from before sources kept keys and
				   grants: what this source gave is not
				   recorded */
	bool identified;	/* uloginIdentified: TRUE */
	bool reset;		/* pwdReset: TRUE */
	bool used;		/* pwdLastSuccess: has logged in */
	bool admin;		/* holds the administrator right */
	bool keep;		/* its row was bad: leave it as it is */
	bool settled;		/* its leave or detach was answered */
	int rc;
	const char *reason;
};

struct have_class {
	const char *dn, *cn, *grade;
	const char **sources, **members, **teachers;
	struct klass *want;
	bool ours;
};

enum step_obj { OBJ_PERSON, OBJ_HAVE, OBJ_CLASS, OBJ_HAVE_CLASS };

struct step {
	enum ulogin_step_kind kind;
	enum step_obj type;
	void *obj;
};

/* One line of --results: a person, a bad row or a leaver. */
struct row_ref {
	struct person *person;
	struct bad *bad;
	struct have *leaver;
};

struct ulogin_plan {
	struct ulogin_plan_opts o;
	char *people_dn, *classes_dn, *policies_dn, *source_dn_filter;
	struct arena arena;
	struct ulogin_roster_sink sink;

	struct person **people;
	size_t npeople, apeople;
	struct klass **classes;
	size_t nclasses, aclasses;
	struct bad **bad;
	size_t nbad, abad;
	struct have **haves;
	size_t nhaves, ahaves;
	struct have_class **have_classes;
	size_t nhave_classes, ahave_classes;

	struct strmap want_ext, want_uid, class_key;
	struct strmap bad_keys;	/* keys of skipped rows */
	struct strmap have_ext, have_uid, have_dn, have_cn;
	struct strmap other_ext;	/* external ids of other sources */
	size_t source_len;
	struct strmap prefixes;	/* username prefix -> next number */
	struct strmap interned;	/* values many users share, stored once */
	struct strmap effective;	/* grade|roles -> policy name */
	struct strmap policy_dns;	/* policy name -> its DN */
	struct strmap attr_index;	/* attribute name -> enum have_attr */
	signed char attr_at[32];	/* the last entry's: its i-th
					   attribute's enum have_attr + 1 */

	struct step *steps;
	size_t nsteps, asteps;
	size_t counts[ULOGIN_NSTEP_KINDS];
	size_t done[ULOGIN_NSTEP_KINDS];	/* of them, made */
	size_t unchanged, active, failed;
	struct row_ref *rows;
	size_t nrows, arows;
};

#define PUSH(arr, n, alloc, item) do { \
	if ((n) == (alloc)) { \
		(alloc) = (alloc) ? (alloc) * 2 : 64; \
		(arr) = xreallocarray((arr), (alloc), sizeof(*(arr))); \
	} \
	(arr)[(n)++] = (item); \
} while (0)

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted, NULL-terminated copy of a list in the arena. */
static const char **
arena_list(struct arena *a, char *const *v, size_t n)
{
	const char **out = arena_alloc(a, (n + 1) * sizeof(*out));

	for (size_t i = 0; i < n; i++)
		out[i] = arena_strdup(a, v[i]);
	out[n] = NULL;
	qsort(out, n, sizeof(*out), compare_strings);
	return out;
}

/* A value many users share (a grade, a policy DN), stored once. */
static const char *
intern(struct ulogin_plan *p, const char *s)
{
	char *v;

	if (!s)
		return NULL;
	if (!(v = strmap_get(&p->interned, s))) {
		v = arena_strdup(&p->arena, s);
		strmap_put(&p->interned, v, v);
	}
	return v;
}

/* A list many users share (roles, institutions, sources), stored once:
 * keyed by its sorted values joined with newlines, behind a '\1'. */
static const char **
intern_list(struct ulogin_plan *p, char *const *v, size_t n)
{
	const char **l = NULL;
	struct strv sorted = STRV_INIT;
	char small[128], *key = small, *joined = NULL;
	size_t len = n == 1 ? strlen(v[0]) : 0;

	/* Most lists hold one value: no sorting, joining or allocating (nor
	 * formatting: five lists a user, 100k users). */
	if (n <= 1 && len + 2 <= sizeof(small)) {
		small[0] = '\1';
		memcpy(small + 1, n ? v[0] : "", len + 1);
	} else {
		for (size_t i = 0; i < n; i++)
			strv_push(&sorted, v[i]);
		strv_sort(&sorted);
		joined = strv_join(&sorted, "\n");
		key = xasprintf("\1%s", joined);
	}
	if (!(l = strmap_get(&p->interned, key))) {
		l = arena_list(&p->arena, v, n);
		strmap_put(&p->interned, arena_strdup(&p->arena, key), l);
	}
	if (key != small)
		free(key);
	free(joined);
	strv_free(&sorted);
	return l;
}

static size_t
list_len(const char *const *l)
{
	size_t n = 0;

	while (l && l[n])
		n++;
	return n;
}

static bool
list_has(const char *const *l, const char *s)
{
	for (; l && *l; l++)
		if (!strcasecmp(*l, s))
			return true;
	return false;
}

static bool
list_has_exact(const char *const *l, const char *s)
{
	for (; l && *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

/* Same values, in any order, without regard to case. */
static bool
list_same(const char *const *a, const char *const *b)
{
	size_t n = list_len(a);

	if (n != list_len(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!list_has(b, a[i]))
			return false;
	return true;
}

static bool
str_same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* ---- the sink ----------------------------------------------------------- */

static int
sink_bad(void *data, const char *file, size_t line, const char *key,
	 const char *why)
{
	struct ulogin_plan *p = data;
	struct bad *b = arena_alloc(&p->arena, sizeof(*b));
	struct row_ref r = { NULL, b, NULL };

	if (p->o.file_dir && file[0] != '/' && strchr(file, '/') == NULL) {
		char *path = xasprintf("%s/%s", p->o.file_dir, file);

		b->file = arena_strdup(&p->arena, path);
		free(path);
	} else {
		b->file = arena_strdup(&p->arena, file);
	}
	file = b->file;
	b->line = line;
	b->key = arena_strdup(&p->arena, key);
	b->why = arena_strdup(&p->arena, why);
	if (key)
		strmap_put(&p->bad_keys, b->key, b);
	PUSH(p->bad, p->nbad, p->abad, b);
	PUSH(p->rows, p->nrows, p->arows, r);
	/* The message names the row, never a national ID number. */
	ulogin_msg_plain("%s:%zu: key=%s: %s", file, line, key ? key : "-",
			 why);
	return 0;
}

static int
sink_class(void *data, const char *key, const char *inst, const char *name,
	   const char *grade)
{
	struct ulogin_plan *p = data;
	struct klass *k = arena_alloc(&p->arena, sizeof(*k));
	char *cn = xasprintf("%s-%s", inst, name);

	memset(k, 0, sizeof(*k));
	k->key = arena_strdup(&p->arena, key);
	k->cn = arena_strdup(&p->arena, cn);
	k->inst = arena_strdup(&p->arena, inst);
	k->name = arena_strdup(&p->arena, name);
	k->grade = arena_strdup(&p->arena, grade);
	free(cn);
	strmap_put(&p->class_key, k->key, k);
	PUSH(p->classes, p->nclasses, p->aclasses, k);
	return 0;
}

/*
 * What a row asks that its source may not do (DESIGN.md section 6): a
 * role it may not give, an institution it may not write, a class of
 * such an institution.  NULL when the row is within its rights.
 */
static char *
outside_rights(struct ulogin_plan *p, const struct ulogin_person_row *r)
{
	const struct ulogin_source_cfg *s = p->o.source_cfg;
	char *allowed, *why = NULL;

	if (!s)
		return NULL;
	for (size_t i = 0; i < r->roles.n && !why; i++)
		if (!strv_contains(&s->roles, r->roles.v[i])) {
			allowed = strv_join(&s->roles, ", ");
			why = xasprintf("source '%s' may not give the role '%s' "
					"(it gives %s)", s->name,
					r->roles.v[i], allowed);
			free(allowed);
		}
	for (size_t i = 0; i < r->institutions.n && !why; i++)
		if (!strv_contains(&s->institutions, r->institutions.v[i])) {
			allowed = strv_join(&s->institutions, ", ");
			why = xasprintf("source '%s' may not write institution "
					"%s (it writes %s)", s->name,
					r->institutions.v[i], allowed);
			free(allowed);
		}
	for (size_t i = 0; i < r->classes.n && !why; i++) {
		const struct klass *k = strmap_get(&p->class_key,
						   r->classes.v[i]);

		if (k && !strv_contains(&s->institutions, k->inst))
			why = xasprintf("class '%s' is of institution %s, "
					"which source '%s' may not write",
					k->name, k->inst, s->name);
	}
	return why;
}

static int
sink_person(void *data, const struct ulogin_person_row *r)
{
	struct ulogin_plan *p = data;
	struct person *w, *first;
	struct row_ref ref = { NULL, NULL, NULL };
	char *why;

	if ((first = strmap_get(&p->want_ext, r->external_id))) {
		why = xasprintf("duplicate key: the same external id is on "
				"line %zu", first->line);
		sink_bad(p, p->o.people_file, r->line, r->external_id, why);
		free(why);
		return 0;
	}
	if ((why = outside_rights(p, r))) {
		sink_bad(p, p->o.people_file, r->line, r->external_id, why);
		free(why);
		return 0;
	}
	if (r->username && (first = strmap_get(&p->want_uid, r->username))) {
		why = xasprintf("duplicate username '%s': also on line %zu",
				r->username, first->line);
		sink_bad(p, p->o.people_file, r->line, r->external_id, why);
		free(why);
		return 0;
	}
	w = arena_alloc(&p->arena, sizeof(*w));
	memset(w, 0, sizeof(*w));
	w->line = r->line;
	w->ext = arena_strdup(&p->arena, r->external_id);
	w->given = arena_strdup(&p->arena, r->given_name);
	w->sn = arena_strdup(&p->arena, r->surname);
	w->username = arena_strdup(&p->arena, r->username);
	w->grade = intern(p, r->grade);
	w->mail = arena_strdup(&p->arena, r->mail);
	w->mobile = arena_strdup(&p->arena, r->mobile);
	w->nid = arena_strdup(&p->arena, r->nid_hmac);
	w->managed = r->managed;
	w->roles = intern_list(p, r->roles.v, r->roles.n);
	w->insts = intern_list(p, r->institutions.v, r->institutions.n);
	w->classes = arena_list(&p->arena, r->classes.v, r->classes.n);
	w->parents = arena_list(&p->arena, r->parents.v, r->parents.n);
	strmap_put(&p->want_ext, w->ext, w);
	if (w->username)
		strmap_put(&p->want_uid, w->username, w);
	PUSH(p->people, p->npeople, p->apeople, w);
	ref.person = w;
	PUSH(p->rows, p->nrows, p->arows, ref);
	return 0;
}

const struct ulogin_roster_sink *
ulogin_plan_sink(struct ulogin_plan *p)
{
	return &p->sink;
}

/* ---- the directory -------------------------------------------------- */

const char *const ulogin_plan_user_attrs[] = {
	"uid", "givenName", "sn", "cn", "mail", "mobile", "uloginGrade",
	"uloginLevel", "uloginExternalId", "uloginNationalIdHmac",
	"uloginLeftAt", "pwdAccountLockedTime", "uloginBlockReason",
	"pwdPolicySubentry", "uloginPolicyOverride", "uloginRole",
	"uloginInstitution", "uloginSource", "uloginParent", "uloginAdminOf",
	"uloginSourceKey", "uloginSourceGrant", "uloginIdentified",
	"uloginInitialPassword", "pwdReset", "pwdLastSuccess",
	"createTimestamp", "creatorsName", "pwdChangedTime",
	NULL
};

const char *const ulogin_plan_class_attrs[] = {
	"cn", "uloginGrade", "uloginSource", "member", "uloginTeacher", NULL
};

static const char **
entry_list(struct ulogin_plan *p, const struct ulogin_entry *e,
	   const char *attr)
{
	const struct strv *v = ulogin_entry_values(e, attr);

	return v ? intern_list(p, v->v, v->n) : intern_list(p, NULL, 0);
}

static const char **
copy_list(struct arena *a, const struct ulogin_entry *e, const char *attr)
{
	const struct strv *v = ulogin_entry_values(e, attr);

	return arena_list(a, v ? v->v : NULL, v ? v->n : 0);
}

/* The attributes of a directory user the plan keeps, in the order of
 * ulogin_plan_user_attrs. */
enum have_attr {
	A_UID, A_GIVEN, A_SN, A_CN, A_MAIL, A_MOBILE, A_GRADE, A_LEVEL, A_EXT,
	A_NID, A_LEFT, A_LOCKED, A_REASON, A_LINK, A_OVERRIDE, A_ROLES,
	A_INSTS, A_SOURCES, A_PARENTS, A_ADMIN, A_KEYS, A_GRANTS, A_IDENT,
	A_INITIAL, A_RESET, A_USED, A_CREATED, A_CREATOR, A_CHANGED, A_NATTRS
};

/* Which of them an attribute is: one hash look-up per attribute of an
 * entry instead of a scan per field (100k entries are read). */
static int
have_attr(struct ulogin_plan *p, const char *name)
{
	void *v;

	if (!p->attr_index.cap) {
		p->attr_index.fold = p->attr_index.borrow = true;
		for (size_t i = 0; i < A_NATTRS; i++)
			strmap_put(&p->attr_index,
				   ulogin_plan_user_attrs[i],
				   (void *)(uintptr_t)(i + 1));
	}
	v = strmap_get(&p->attr_index, name);
	return v ? (int)(uintptr_t)v - 1 : -1;
}

/* The source a key or grant ("SOURCE:...") is of: the length of its
 * name, or 0 when it has none. */
static size_t
prefix_len(const char *v)
{
	const char *colon = strchr(v, ':');

	return colon ? (size_t)(colon - v) : 0;
}

static bool
of_source(const char *v, const char *source, size_t len)
{
	return prefix_len(v) == len && !strncasecmp(v, source, len);
}

/*
 * Where a directory user's external ids go: the one of this source to
 * have_ext (rows match only it, exactly as written), those of other
 * sources to other_ext (a row carrying one is a conflict).  A user of
 * this source from before keys were kept is matched by uloginExternalId;
 * so is one of another source, or of none, that has no keys.
 */
static void
index_keys(struct ulogin_plan *p, struct have *h)
{
	for (size_t i = 0; h->keys[i]; i++) {
		const char *k = h->keys[i];
		size_t len = prefix_len(k);

		if (!len)
			continue;
		if (of_source(k, p->o.source, p->source_len)) {
			h->key = k + len + 1;
			strmap_put(&p->have_ext, h->key, h);
		} else if (!strmap_get(&p->other_ext, k + len + 1)) {
			strmap_put(&p->other_ext, k + len + 1, h);
		}
	}
	if (h->key || !h->ext)
		return;
	if (h->ours) {
		h->key = h->ext;
		strmap_put(&p->have_ext, h->key, h);
	} else if (!h->keys[0] && !strmap_get(&p->other_ext, h->ext)) {
		strmap_put(&p->other_ext, h->ext, h);
	}
}

/* The row's copy of a value if it is the same, else a copy of it. */
static const char *
shared(struct arena *a, const char *row, const char *value)
{
	if (row && value && !strcmp(row, value))
		return row;
	return arena_strdup(a, value);
}

int
ulogin_plan_have_user(const struct ulogin_entry *e, void *data)
{
	struct ulogin_plan *p = data;
	struct arena *a = &p->arena;
	struct have *h = arena_alloc(a, sizeof(*h));
	const struct strv *v[A_NATTRS];
	const struct person *w;

	memset(v, 0, sizeof(v));
	for (size_t i = 0; i < e->nattrs; i++) {
		/* slapd sends the attributes of every user in much the same
		 * order: one strcmp with the last entry's i-th mostly
		 * names it without hashing. */
		int at = i < sizeof(p->attr_at) ? p->attr_at[i] - 1 : -1;
		int k = at >= 0 && !strcmp(e->attrs[i].name,
					   ulogin_plan_user_attrs[at]) ? at
		      : have_attr(p, e->attrs[i].name);

		if (i < sizeof(p->attr_at))
			p->attr_at[i] = (signed char)(k + 1);
		if (k >= 0 && e->attrs[i].values.n)
			v[k] = &e->attrs[i].values;
	}
#define ONE(k) (v[k] ? v[k]->v[0] : NULL)
#define LIST(k) (v[k] ? v[k]->v : NULL), (v[k] ? v[k]->n : 0)
	/* A value the row of the same external id has too is stored once,
	 * the row's: the plan holds 100k people twice, mostly alike. */
	w = ONE(A_EXT) ? strmap_get(&p->want_ext, ONE(A_EXT)) : NULL;
#define SHARED(k, field) shared(a, w ? w->field : NULL, ONE(k))
	memset(h, 0, sizeof(*h));
	h->dn = arena_strdup(a, e->dn);
	h->uid = SHARED(A_UID, username);
	h->given = SHARED(A_GIVEN, given);
	h->sn = SHARED(A_SN, sn);
	h->cn = arena_strdup(a, ONE(A_CN));
	h->mail = SHARED(A_MAIL, mail);
	h->mobile = SHARED(A_MOBILE, mobile);
	h->grade = intern(p, ONE(A_GRADE));
	h->level = intern(p, ONE(A_LEVEL));
	h->ext = SHARED(A_EXT, ext);
	h->nid = arena_strdup(a, ONE(A_NID));
	h->left = arena_strdup(a, ONE(A_LEFT));
	h->locked = arena_strdup(a, ONE(A_LOCKED));
	h->block_reason = arena_strdup(a, ONE(A_REASON));
	h->link = intern(p, ONE(A_LINK));
	h->override = arena_strdup(a, ONE(A_OVERRIDE));
	h->roles = intern_list(p, LIST(A_ROLES));
	h->insts = intern_list(p, LIST(A_INSTS));
	h->sources = intern_list(p, LIST(A_SOURCES));
	h->parents = arena_list(a, LIST(A_PARENTS));
	h->admin = v[A_ADMIN] != NULL;
	h->keys = arena_list(a, LIST(A_KEYS));
	h->grants = intern_list(p, LIST(A_GRANTS));
	h->identified = v[A_IDENT] && !strcasecmp(v[A_IDENT]->v[0], "TRUE");
	h->initial = arena_strdup(a, ONE(A_INITIAL));
	h->reset = v[A_RESET] && !strcasecmp(v[A_RESET]->v[0], "TRUE");
	h->used = v[A_USED] != NULL;
	h->created = arena_strdup(a, ONE(A_CREATED));
	h->creator = arena_strdup(a, ONE(A_CREATOR));
	h->changed = arena_strdup(a, ONE(A_CHANGED));
#undef SHARED
#undef ONE
#undef LIST
	h->ours = list_has(h->sources, p->o.source);
	if (h->ours && !h->left)
		p->active++;
	index_keys(p, h);
	h->legacy = h->ours;
	for (size_t i = 0; h->legacy && h->grants[i]; i++)
		if (of_source(h->grants[i], p->o.source, p->source_len))
			h->legacy = false;
	if (h->uid)
		strmap_put(&p->have_uid, h->uid, h);
	strmap_put(&p->have_dn, h->dn, h);
	PUSH(p->haves, p->nhaves, p->ahaves, h);
	return 0;
}

/*
 * The import service may match national ID HMACs (search) but not read
 * them, so a user it reads shows none.  For each user whose row gives one
 * and whose stored one was not read, a filter term that is true only if
 * the stored HMAC is that one; the terms, ORed in filters of up to 200,
 * go to ulogin_plan_nid_same().
 */
#define NID_TERMS 200

void
ulogin_plan_nid_filters(struct ulogin_plan *p, struct strv *filters)
{
	struct strv terms = STRV_INIT;

	for (size_t i = 0; i <= p->npeople; i++) {
		const struct person *w = i < p->npeople ? p->people[i] : NULL;
		const struct have *h = w && w->ext && w->nid ?
				       strmap_get(&p->have_ext, w->ext) : NULL;

		if (h && w->nid && !h->nid && h->uid)
			strv_push_owned(&terms, ulogin_filter(
				"(&(uid=%s)(uloginNationalIdHmac=%s))",
				h->uid, w->nid));
		if (terms.n == NID_TERMS || (!w && terms.n)) {
			char *joined = strv_join(&terms, "");

			strv_push_owned(filters, ulogin_filter("(|%r)", joined));
			free(joined);
			strv_free(&terms);
		}
	}
}

int
ulogin_plan_nid_same(const struct ulogin_entry *e, void *data)
{
	struct ulogin_plan *p = data;
	struct have *h = strmap_get(&p->have_dn, e->dn);

	/* The stored HMAC is the row's: known now, so left alone. */
	if (h && h->key) {
		const struct person *w = strmap_get(&p->want_ext, h->key);

		if (w && w->nid)
			h->nid = w->nid;
	}
	return 0;
}

int
ulogin_plan_have_class(const struct ulogin_entry *e, void *data)
{
	struct ulogin_plan *p = data;
	struct arena *a = &p->arena;
	struct have_class *h = arena_alloc(a, sizeof(*h));

	memset(h, 0, sizeof(*h));
	h->dn = arena_strdup(a, e->dn);
	h->cn = arena_strdup(a, ulogin_entry_get(e, "cn"));
	h->grade = intern(p, ulogin_entry_get(e, "uloginGrade"));
	h->sources = entry_list(p, e, "uloginSource");
	h->members = copy_list(a, e, "member");
	h->teachers = copy_list(a, e, "uloginTeacher");
	h->ours = list_has(h->sources, p->o.source);
	if (h->cn)
		strmap_put(&p->have_cn, h->cn, h);
	PUSH(p->have_classes, p->nhave_classes, p->ahave_classes, h);
	return 0;
}

/* ---- life cycle ---------------------------------------------------- */

struct ulogin_plan *
ulogin_plan_new(const struct ulogin_plan_opts *o)
{
	struct ulogin_plan *p = xcalloc(1, sizeof(*p));

	p->o = *o;
	p->people_dn = ulogin_dn_people(o->base);
	p->classes_dn = ulogin_dn_classes(o->base);
	p->policies_dn = ulogin_dn_policies(o->base);
	p->sink.klass = sink_class;
	p->sink.person = sink_person;
	p->sink.bad = sink_bad;
	p->sink.data = p;
	/* External ids match exactly as written ("U-1" is not "u-1");
	 * usernames and DNs without regard to case, as the directory
	 * compares them. */
	p->want_uid.fold = true;
	p->have_uid.fold = p->have_dn.fold = p->have_cn.fold = true;
	p->source_len = strlen(o->source);
	/* Their keys live in the arena as long as the maps. */
	p->want_ext.borrow = p->want_uid.borrow = p->class_key.borrow = true;
	p->have_ext.borrow = p->have_uid.borrow = p->have_dn.borrow = true;
	p->have_cn.borrow = p->bad_keys.borrow = true;
	p->other_ext.borrow = true;
	p->interned.borrow = p->effective.borrow = true;
	p->policy_dns.borrow = true;
	return p;
}

void
ulogin_plan_free(struct ulogin_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nclasses; i++) {
		free(p->classes[i]->students);
		free(p->classes[i]->teachers);
	}
	free(p->people);
	free(p->classes);
	free(p->bad);
	free(p->haves);
	free(p->have_classes);
	free(p->steps);
	free(p->rows);
	strmap_free(&p->want_ext);
	strmap_free(&p->want_uid);
	strmap_free(&p->class_key);
	strmap_free(&p->bad_keys);
	strmap_free(&p->have_ext);
	strmap_free(&p->other_ext);
	strmap_free(&p->have_uid);
	strmap_free(&p->have_dn);
	strmap_free(&p->have_cn);
	strmap_free(&p->prefixes);
	strmap_free(&p->interned);
	strmap_free(&p->effective);
	strmap_free(&p->policy_dns);
	strmap_free(&p->attr_index);
	arena_free(&p->arena);
	free(p->people_dn);
	free(p->classes_dn);
	free(p->policies_dn);
	free(p);
}

/* ---- computing ------------------------------------------------------- */

static void
add_step(struct ulogin_plan *p, enum ulogin_step_kind kind,
	 enum step_obj type, void *obj)
{
	struct step s = { kind, type, obj };

	PUSH(p->steps, p->nsteps, p->asteps, s);
	p->counts[kind]++;
}

static void
skip_person(struct ulogin_plan *p, struct person *w, const char *why)
{
	struct have *h = strmap_get(&p->have_ext, w->ext);

	if (h)
		h->keep = true;
	w->skipped = true;
	w->action = ULOGIN_ROW_SKIPPED;
	w->reason = arena_strdup(&p->arena, why);
	ulogin_msg_plain("%s:%zu: key=%s: %s", p->o.people_file, w->line,
			 w->ext, why);
}

/* The lowest free prefix + 4 digits, as ulogin-user add makes them. */
static const char *
new_username(struct ulogin_plan *p, const struct person *w)
{
	char *prefix = ulogin_username_prefix(w->given, w->sn);
	size_t *next = strmap_get(&p->prefixes, prefix);
	const char *out = NULL;

	if (!next) {
		next = arena_alloc(&p->arena, sizeof(*next));
		*next = 1;
		strmap_put(&p->prefixes, prefix, next);
	}
	for (; *next < 10000 && !out; (*next)++) {
		char *u = xasprintf("%s%04zu", prefix, *next);

		if (!strmap_get(&p->have_uid, u) &&
		    !strmap_get(&p->want_uid, u))
			out = arena_strdup(&p->arena, u);
		free(u);
	}
	free(prefix);
	return out;
}

/*
 * The user of another source whose key is ext (NULL: none).  *src names
 * that source (a new string; NULL for a user of no source), and *linked
 * says whether the config links it with this one, so that they share the
 * user.
 */
static struct have *
other_user(struct ulogin_plan *p, const char *ext, char **src, bool *linked)
{
	struct have *o = strmap_get(&p->other_ext, ext);

	*src = NULL;
	*linked = false;
	if (!o)
		return NULL;
	for (size_t i = 0; o->keys[i] && !*src; i++) {
		size_t len = prefix_len(o->keys[i]);

		if (len && !strcmp(o->keys[i] + len + 1, ext))
			*src = xstrndup(o->keys[i], len);
	}
	if (!*src && o->sources[0])
		*src = xstrdup(o->sources[0]);
	*linked = *src && p->o.cfg &&
		  ulogin_sources_linked(p->o.cfg, p->o.source, *src);
	return o;
}

/* May a row of this source take over a user that no source has (made by
 * hand)?  Only one the source could have made: no administrator, and
 * only roles and institutions the source may give. */
static bool
may_take_over(const struct ulogin_plan *p, const struct have *h)
{
	const struct ulogin_source_cfg *s = p->o.source_cfg;

	if (h->admin || h->sources[0] || h->keys[0] || h->ext)
		return false;
	for (size_t i = 0; s && h->roles[i]; i++)
		if (!strv_contains(&s->roles, h->roles[i]))
			return false;
	for (size_t i = 0; s && h->insts[i]; i++)
		if (!strv_contains(&s->institutions, h->insts[i]))
			return false;
	return true;
}

/* Is another source's user with this external id one of ours to share
 * (the config links the two sources)?  Else the row is a conflict. */
static struct have *
linked_user(struct ulogin_plan *p, struct person *w)
{
	char *src, *why;
	bool linked;
	struct have *o = other_user(p, w->ext, &src, &linked);

	if (!o || linked) {
		free(src);
		return o;
	}
	why = src ? xasprintf("conflict: external id '%s' belongs to user "
			      "'%s' of source '%s'; not merged (if it is the "
			      "same person, link the two sources in the "
			      "config)", w->ext, o->uid, src)
		  : xasprintf("conflict: external id '%s' belongs to user "
			      "'%s', who is not in any import source; not "
			      "merged", w->ext, o->uid);
	skip_person(p, w, why);
	free(why);
	free(src);
	return NULL;
}

/* A parent named by a row must be a person of this source. */
static bool
parents_ours(struct ulogin_plan *p, struct person *w)
{
	for (size_t i = 0; w->parents[i]; i++) {
		const char *x = w->parents[i];
		struct have *o;
		char *src, *why;
		bool linked;

		if (strmap_get(&p->want_ext, x) || strmap_get(&p->have_ext, x))
			continue;
		if (!(o = other_user(p, x, &src, &linked)) || linked) {
			free(src);
			continue;
		}
		why = xasprintf("parent '%s' is user '%s' of %s%s%s, not of "
				"this source", x, o->uid,
				src ? "source '" : "no source",
				src ? src : "", src ? "'" : "");
		skip_person(p, w, why);
		free(why);
		free(src);
		return false;
	}
	return true;
}

static void
match_people(struct ulogin_plan *p)
{
	/* A user whose row was bad is not a leaver: a typo in tonight's
	 * export must not lock a pupil out.  They stay as they are. */
	for (size_t i = 0; i < p->nhaves; i++)
		if (p->haves[i]->key &&
		    strmap_get(&p->bad_keys, p->haves[i]->key))
			p->haves[i]->keep = true;
	for (size_t i = 0; i < p->npeople; i++) {
		struct person *w = p->people[i];
		struct have *h = strmap_get(&p->have_ext, w->ext);

		if (!parents_ours(p, w))
			continue;
		if (!h && !(h = linked_user(p, w)) && w->skipped)
			continue;
		if (!h && w->username) {
			h = strmap_get(&p->have_uid, w->username);
			/* A user made by hand may be taken over; one of
			 * another source, or beyond this source's rights,
			 * is someone else. */
			if (h && !may_take_over(p, h)) {
				char *why = h->ext || h->sources[0]
					? xasprintf("username '%s' belongs "
						    "to another user (external "
						    "id %s)", w->username,
						    h->ext ? h->ext : "none")
					: xasprintf("username '%s' belongs "
						    "to a user this source may "
						    "not take over",
						    w->username);

				skip_person(p, w, why);
				free(why);
				continue;
			}
		}
		if (h && h->want) {
			skip_person(p, w, "matches the same directory user "
				    "as an earlier row");
			continue;
		}
		if (h) {
			w->have = h;
			h->want = w;
			w->dn = h->dn;
		}
	}
	for (size_t i = 0; i < p->npeople; i++) {
		struct person *w = p->people[i];
		char *dn;

		if (w->skipped || w->have)
			continue;
		if (!w->username) {
			if (!(w->username = new_username(p, w))) {
				skip_person(p, w, "no free username for this "
					    "name: give one in the export");
				continue;
			}
			strmap_put(&p->want_uid, w->username, w);
		}
		dn = ulogin_dn_child(p->people_dn, "uid", w->username);
		w->dn = arena_strdup(&p->arena, dn);
		free(dn);
	}
}

static const char *effective_uncached(const struct ulogin_plan *p,
				      const char *override, const char *grade,
				      const char *const *roles, bool admin);

/* The policy that applies to someone with these values (NULL: none).
 * Grades and role lists are interned, so their addresses name them: the
 * answer is worked out once per combination, not once per user. */
static const char *
effective(struct ulogin_plan *p, const char *override, const char *grade,
	  const char *const *roles, bool admin)
{
	char key[2 * 2 * sizeof(uintptr_t) + 2];
	uintptr_t id[2] = { (uintptr_t)grade, (uintptr_t)roles };
	const char *name;
	void *hit;
	size_t k = 0;

	if (override)
		return override;
	/* The two addresses in hex, and admin: a key made without printf
	 * (twice a user). */
	for (size_t i = 0; i < 2; i++)
		for (size_t b = 2 * sizeof(uintptr_t); b-- > 0;)
			key[k++] = "0123456789abcdef"[(id[i] >> (4 * b)) & 15];
	key[k++] = admin ? '1' : '0';
	key[k] = '\0';
	if ((hit = strmap_get(&p->effective, key)))
		return hit == p ? NULL : hit;
	name = effective_uncached(p, NULL, grade, roles, admin);
	strmap_put(&p->effective, arena_strdup(&p->arena, key),
		   name ? (void *)intern(p, name) : (void *)p);
	return name ? intern(p, name) : NULL;
}

static const char *
effective_uncached(const struct ulogin_plan *p, const char *override,
		   const char *grade, const char *const *roles, bool admin)
{
	struct ulogin_attr attrs[5];
	struct ulogin_entry e = { "", attrs, 0 };
	struct ulogin_effective eff;
	const char *name = NULL;

	memset(attrs, 0, sizeof(attrs));
	if (override) {
		attrs[e.nattrs].name = "uloginPolicyOverride";
		strv_push(&attrs[e.nattrs++].values, override);
	}
	if (grade) {
		attrs[e.nattrs].name = "uloginGrade";
		strv_push(&attrs[e.nattrs++].values, grade);
	}
	attrs[e.nattrs].name = "uloginRole";
	for (; roles && *roles; roles++)
		strv_push(&attrs[e.nattrs].values, *roles);
	e.nattrs++;
	if (admin) {
		/* The right decides the policy, not which institution. */
		attrs[e.nattrs].name = "uloginAdminOf";
		strv_push(&attrs[e.nattrs++].values, "yes");
	}
	if (ulogin_policy_effective(p->o.policies, &e, &eff) == 0) {
		name = eff.name;
		free(eff.reason);
	}
	for (size_t i = 0; i < e.nattrs; i++)
		strv_free(&attrs[i].values);
	return name;
}

static bool
policy_present(const struct ulogin_plan *p, const char *name)
{
	return name && p->o.policies_present &&
	       strv_contains(p->o.policies_present, name);
}

/* The DN of a policy, made once per policy (callers must not free). */
static const char *
policy_dn(struct ulogin_plan *p, const char *name)
{
	const char *dn = strmap_get(&p->policy_dns, name);

	if (!dn) {
		char *made = ulogin_dn_child(p->policies_dn, "cn", name);

		dn = arena_strdup(&p->arena, made);
		free(made);
		strmap_put(&p->policy_dns, intern(p, name), (void *)dn);
	}
	return dn;
}

/* Does a stored link name this DN?  As written, almost always; else
 * compared as DNs. */
static bool
same_dn(const char *stored, const char *dn)
{
	return stored && (!strcasecmp(stored, dn) ||
			  ulogin_dn_equal(stored, dn));
}

/* Parents' DNs from their external ids (unknown ones are left out). */
static const char **
parent_dns(struct ulogin_plan *p, const struct person *w)
{
	size_t n = list_len(w->parents), k = 0;
	const char **out = arena_alloc(&p->arena, (n + 1) * sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		struct person *pw = strmap_get(&p->want_ext, w->parents[i]);
		struct have *ph = strmap_get(&p->have_ext, w->parents[i]);

		if (!pw && !ph) {
			char *src;
			bool linked;

			ph = other_user(p, w->parents[i], &src, &linked);
			if (!linked)
				ph = NULL;
			free(src);
		}
		if (pw && !pw->skipped && pw->dn)
			out[k++] = pw->dn;
		else if (ph)
			out[k++] = ph->dn;
	}
	out[k] = NULL;
	qsort(out, k, sizeof(*out), compare_strings);
	return out;
}

static bool
left_by_import(const struct have *h)
{
	return h->block_reason && !strncmp(h->block_reason, "left:", 5);
}

/* Make an attribute hold want instead of have, value by value (slapd's
 * access rules check each value the import writes, and let it write
 * only some: roles, institutions, parents). */
static void
set_values(struct ulogin_change *ch, const char *attr,
	   const char *const *have, const char *const *want)
{
	if (list_same(want, have))
		return;
	for (size_t i = 0; have && have[i]; i++)
		if (!list_has(want, have[i]))
			ulogin_change_mod(ch, ULOGIN_MOD_DELETE, attr, have[i]);
	for (size_t i = 0; want && want[i]; i++)
		if (!list_has(have, want[i]))
			ulogin_change_mod(ch, ULOGIN_MOD_ADD, attr, want[i]);
}

/* ---- what each source gave ------------------------------------------- */

/* Has a source (this one, or with others any other) given KIND:VALUE
 * (VALUE NULL: the bare KIND, as "identified")? */
static bool
granted(const struct ulogin_plan *p, const struct have *h, const char *kind,
	const char *value, bool others)
{
	size_t klen = strlen(kind);

	for (size_t i = 0; h->grants[i]; i++) {
		const char *g = h->grants[i];
		size_t len = prefix_len(g);

		if (!len || of_source(g, p->o.source, p->source_len) != !others)
			continue;
		g += len + 1;
		if (strncasecmp(g, kind, klen))
			continue;
		if (value ? g[klen] == ':' && !strcasecmp(g + klen + 1, value)
			  : !g[klen])
			return true;
	}
	return false;
}

/* Another source of the user that records no grants (from before they
 * were kept): what it gave is unknown, so nothing it might have given
 * is taken away. */
static bool
other_unrecorded(const struct ulogin_plan *p, const struct have *h)
{
	for (size_t i = 0; h->sources[i]; i++) {
		size_t len = strlen(h->sources[i]);
		bool recorded = false;

		if (!strcasecmp(h->sources[i], p->o.source))
			continue;
		for (size_t j = 0; h->grants[j] && !recorded; j++)
			recorded = of_source(h->grants[j], h->sources[i], len);
		if (!recorded)
			return true;
	}
	return false;
}

/* Did this source give KIND:VALUE?  As recorded; for a user from before
 * grants were kept, whatever an import gives, when this source is the
 * user's only one. */
static bool
gave(const struct ulogin_plan *p, const struct have *h, const char *kind,
     const char *value)
{
	if (!h->legacy)
		return granted(p, h, kind, value, false);
	return list_len(h->sources) == 1 &&
	       (strcmp(kind, "role") || ulogin_role_importable(value));
}

/* The values of a user's roles (kind "role") or institutions: what this
 * source wants, and of what the user has, all this source did not give
 * or another source gives too (a role set is the union of what the
 * user's sources give, and what was given by hand stays). */
static const char **
merged(struct ulogin_plan *p, const struct have *h, const char *kind,
       const char *const *have, const char *const *want)
{
	struct strv out = STRV_INIT;
	bool keep_all = other_unrecorded(p, h);
	const char **l;

	for (size_t i = 0; want && want[i]; i++)
		strv_push(&out, want[i]);
	for (size_t i = 0; have && have[i]; i++)
		if (!list_has(want, have[i]) &&
		    (keep_all || !gave(p, h, kind, have[i]) ||
		     granted(p, h, kind, have[i], true)))
			strv_push(&out, have[i]);
	l = intern_list(p, out.v, out.n);
	strv_free(&out);
	return l;
}

/* What this source gives a person: SOURCE:role:R, SOURCE:institution:N
 * and SOURCE:identified when the row carries a national ID number. */
static const char **
want_grants(struct ulogin_plan *p, const struct person *w)
{
	struct strv g = STRV_INIT;
	const char **l;

	for (size_t i = 0; w->roles[i]; i++)
		strv_push_owned(&g, xasprintf("%s:role:%s", p->o.source,
					      w->roles[i]));
	for (size_t i = 0; w->insts[i]; i++)
		strv_push_owned(&g, xasprintf("%s:institution:%s", p->o.source,
					      w->insts[i]));
	if (w->nid)
		strv_push_owned(&g, xasprintf("%s:identified", p->o.source));
	l = intern_list(p, g.v, g.n);
	strv_free(&g);
	return l;
}

/* The grants of this source a user has. */
static const char **
our_grants(struct ulogin_plan *p, const struct have *h)
{
	struct strv g = STRV_INIT;
	const char **l;

	for (size_t i = 0; h->grants[i]; i++)
		if (of_source(h->grants[i], p->o.source, p->source_len))
			strv_push(&g, h->grants[i]);
	l = intern_list(p, g.v, g.n);
	strv_free(&g);
	return l;
}

/* Identified by national ID: while some source's row carries one. */
static void
set_identified(struct ulogin_plan *p, const struct have *h, bool ours,
	       struct ulogin_change *ch)
{
	bool want = ours || granted(p, h, "identified", NULL, true);

	if (want && !h->identified)
		ulogin_change_set(ch, "uloginIdentified", "TRUE");
	/* A source from before grants were kept may have identified the
	 * user: left as it is. */
	else if (!want && h->identified && !other_unrecorded(p, h))
		ulogin_change_set(ch, "uloginIdentified", NULL);
}

#define MANAGES(w, f) (((w)->managed & ULOGIN_FIELD_BIT(ULOGIN_F_##f)) != 0)

/* Build the modify of an existing user; no mods means unchanged. */
static void
change_user(struct ulogin_plan *p, const struct person *w,
	    struct ulogin_change *ch)
{
	const struct have *h = w->have;
	bool only_ours = h->ours && list_len(h->sources) == 1;
	const char **parents = parent_dns(p, w);
	char *cn = ulogin_full_name(w->given, w->sn);
	const char *before, *after;
	const char **roles;
	bool level_changed;
	/* A value whose column the source does not have is not its to
	 * change: the directory's stays. */
	const char *grade = MANAGES(w, GRADE) ? w->grade : h->grade;

	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, h->dn, "import.change");
	if (!str_same(w->given, h->given))
		ulogin_change_set(ch, "givenName", w->given);
	if (!str_same(w->sn, h->sn))
		ulogin_change_set(ch, "sn", w->sn);
	if (!str_same(cn, h->cn)) {
		ulogin_change_set(ch, "cn", cn);
		ulogin_change_set(ch, "displayName", cn);
	}
	free(cn);
	if (MANAGES(w, MAIL) && !str_same(w->mail, h->mail))
		ulogin_change_set(ch, "mail", w->mail);
	if (MANAGES(w, MOBILE) && !str_same(w->mobile, h->mobile))
		ulogin_change_set(ch, "mobile", w->mobile);
	if (w->nid && !str_same(w->nid, h->nid))
		ulogin_change_set(ch, "uloginNationalIdHmac", w->nid);
	/* Roles and institutions: the union of what the user's sources
	 * give, this source's part replaced.  Parents: replaced when only
	 * this source has the user, else only gained. */
	roles = merged(p, h, "role", h->roles, w->roles);
	set_values(ch, "uloginRole", h->roles, roles);
	set_values(ch, "uloginInstitution", h->insts,
		   merged(p, h, "institution", h->insts, w->insts));
	set_values(ch, "uloginSourceGrant", our_grants(p, h),
		   want_grants(p, w));
	set_identified(p, h, w->nid != NULL, ch);
	if (!MANAGES(w, PARENTS)) {
		/* The export has no parents: they stay as they are. */
	} else if (only_ours || !h->sources[0]) {
		set_values(ch, "uloginParent", h->parents, parents);
	} else {
		for (size_t i = 0; parents[i]; i++)
			if (!list_has(h->parents, parents[i]))
				ulogin_change_mod(ch, ULOGIN_MOD_ADD,
						  "uloginParent", parents[i]);
	}
	if (!h->ours)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSource",
				  p->o.source);
	if (!h->key || strcmp(h->key, w->ext) || h->key == h->ext) {
		char *key = xasprintf("%s:%s", p->o.source, w->ext);

		if (!h->keys[0] || !list_has_exact(h->keys, key))
			ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSourceKey",
					  key);
		free(key);
	}
	if (!h->ext)
		ulogin_change_set(ch, "uloginExternalId", w->ext);
	if (h->left) {
		/* Back again: undo what leaving did. */
		ulogin_change_set(ch, "uloginLeftAt", NULL);
		if (left_by_import(h)) {
			ulogin_change_set(ch, "pwdAccountLockedTime", NULL);
			ulogin_change_set(ch, "uloginBlockReason", NULL);
			ulogin_change_set(ch, "uloginBlockedBy", NULL);
			ulogin_change_set(ch, "uloginBlockedAt", NULL);
		}
	}
	/* A grade change is a level change when the level differs: the new
	 * level's policy, and a deadline to change the password. */
	if (!str_same(grade, h->grade)) {
		const char *level = grade ? ulogin_level_for_grade(grade)
					  : NULL;

		ulogin_change_set(ch, "uloginGrade", grade);
		if (!str_same(level, h->level))
			ulogin_change_set(ch, "uloginLevel", level);
	}
	level_changed = !str_same(grade ? ulogin_level_for_grade(grade)
					: NULL, h->level);
	before = effective(p, h->override, h->grade, h->roles, h->admin);
	after = effective(p, h->override, grade, roles, h->admin);
	if (after && policy_present(p, after)) {
		const char *dn = policy_dn(p, after);

		if (!same_dn(h->link, dn))
			ulogin_change_set(ch, "pwdPolicySubentry", dn);
		if (level_changed && (!before || strcmp(before, after))) {
			char deadline[32];

			ulogin_gtime_format(p->o.now + (time_t)
					    p->o.policies->change_days * 86400,
					    deadline, sizeof(deadline));
			ulogin_change_set(ch, "uloginChangeBy", deadline);
		}
	}
}

static void
add_user(struct ulogin_plan *p, const struct person *w,
	 struct ulogin_change *ch)
{
	char *cn = ulogin_full_name(w->given, w->sn);
	const char **parents = parent_dns(p, w);
	const char *policy = effective(p, NULL, w->grade, w->roles, false);
	char *key;

	ulogin_change_init(ch, ULOGIN_CHANGE_ADD, w->dn, "import.add");
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "objectClass", "inetOrgPerson");
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "objectClass", "uloginAccount");
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uid", w->username);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "cn", cn);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "givenName", w->given);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "sn", w->sn);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "displayName", cn);
	free(cn);
	if (w->mail)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "mail", w->mail);
	if (w->mobile)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "mobile", w->mobile);
	for (size_t i = 0; w->roles[i]; i++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginRole",
				  w->roles[i]);
	for (size_t i = 0; w->insts[i]; i++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginInstitution",
				  w->insts[i]);
	if (w->grade) {
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginGrade", w->grade);
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginLevel",
				  ulogin_level_for_grade(w->grade));
	}
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginExternalId", w->ext);
	key = xasprintf("%s:%s", p->o.source, w->ext);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSourceKey", key);
	free(key);
	for (const char **g = want_grants(p, w); *g; g++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSourceGrant", *g);
	if (w->nid) {
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginNationalIdHmac",
				  w->nid);
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginIdentified",
				  "TRUE");
	}
	/* Where its first password went (or "none": a teacher's reset or
	 * a support letter gives it). */
	if (p->o.initial_mark)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginInitialPassword",
				  p->o.initial_mark);
	for (size_t i = 0; parents[i]; i++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginParent",
				  parents[i]);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSource", p->o.source);
	/* Never a link to a policy that is not there (slapd would then
	 * skip every check). */
	if (policy_present(p, policy))
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "pwdPolicySubentry",
				  policy_dn(p, policy));
	/* The initial password works for the first login only. */
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "pwdReset", "TRUE");
}

static void
leave_user(struct ulogin_plan *p, const struct have *h, bool detach,
	   struct ulogin_change *ch)
{
	char stamp[32];

	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, h->dn,
			   detach ? "import.detach" : "import.leave");
	if (detach) {
		/* The other sources keep the user: only what this one gave
		 * goes. */
		ulogin_change_mod(ch, ULOGIN_MOD_DELETE, "uloginSource",
				  p->o.source);
		for (size_t i = 0; h->keys[i]; i++)
			if (of_source(h->keys[i], p->o.source, p->source_len))
				ulogin_change_mod(ch, ULOGIN_MOD_DELETE,
						  "uloginSourceKey",
						  h->keys[i]);
		set_values(ch, "uloginSourceGrant", our_grants(p, h), NULL);
		set_values(ch, "uloginRole", h->roles,
			   merged(p, h, "role", h->roles, NULL));
		set_values(ch, "uloginInstitution", h->insts,
			   merged(p, h, "institution", h->insts, NULL));
		set_identified(p, h, false, ch);
		return;
	}
	ulogin_gtime_format(p->o.now, stamp, sizeof(stamp));
	ulogin_change_set(ch, "uloginLeftAt", stamp);
	if (!h->locked) {
		char *why = xasprintf("left: no longer in import source '%s'",
				      p->o.source);

		ulogin_change_set(ch, "pwdAccountLockedTime", "000001010000Z");
		ulogin_change_set(ch, "uloginBlockReason", why);
		ulogin_change_set(ch, "uloginBlockedBy", p->o.operator_dn);
		ulogin_change_set(ch, "uloginBlockedAt", stamp);
		free(why);
	}
}

/* A new first password (the caller adds it) and where it is recorded. */
static void
reissue_user(struct ulogin_plan *p, const struct have *h,
	     struct ulogin_change *ch)
{
	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, h->dn, "import.reissue");
	if (p->o.initial_mark)
		ulogin_change_set(ch, "uloginInitialPassword",
				  p->o.initial_mark);
}

/* Students are a class's members; teachers and other staff its teachers
 * (they help its students); parents are neither. */
static void
class_member(struct klass *k, struct person *w)
{
	if (list_has(w->roles, "student"))
		PUSH(k->students, k->nstudents, k->astudents, w);
	else if (list_has(w->roles, "teacher") || list_has(w->roles, "staff"))
		PUSH(k->teachers, k->nteachers, k->ateachers, w);
}

/* The grade a class has: the export's, else most of its students'
 * (the first such in the file on a tie), whatever their order. */
static const char *
class_grade(const struct klass *k)
{
	const char *best = NULL;
	size_t best_n = 0;

	if (k->grade)
		return k->grade;
	for (size_t i = 0; i < k->nstudents; i++) {
		const char *g = k->students[i]->grade;
		size_t n = 0;

		if (!g)
			continue;
		for (size_t j = 0; j < k->nstudents; j++)
			n += k->students[j]->grade &&
			     !strcmp(k->students[j]->grade, g);
		if (n > best_n) {
			best = g;
			best_n = n;
		}
	}
	return best;
}

/* Add to ch the delta between who is in a list and who should be:
 * values of people this source no longer lists go, unless another
 * source's user holds them. */
static void
member_delta(struct ulogin_plan *p, struct ulogin_change *ch,
	     const char *attr, struct person **want, size_t nwant,
	     const char *const *have)
{
	struct strmap wanted = STRMAP_INIT;

	wanted.fold = wanted.borrow = true;
	for (size_t i = 0; i < nwant; i++) {
		strmap_put(&wanted, want[i]->dn, want[i]);
		if (!list_has(have, want[i]->dn))
			ulogin_change_mod(ch, ULOGIN_MOD_ADD, attr,
					  want[i]->dn);
	}
	for (; have && *have; have++) {
		struct have *h;

		if (strmap_get(&wanted, *have))
			continue;
		h = strmap_get(&p->have_dn, *have);
		if (!h || (h->ours && !h->keep))
			ulogin_change_mod(ch, ULOGIN_MOD_DELETE, attr, *have);
	}
	strmap_free(&wanted);
}

static void
add_class(struct ulogin_plan *p, const struct klass *k,
	  struct ulogin_change *ch)
{
	char *dn = ulogin_dn_child(p->classes_dn, "cn", k->cn);
	const char *grade = class_grade(k);

	ulogin_change_init(ch, ULOGIN_CHANGE_ADD, dn, "import.class.add");
	free(dn);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "objectClass", "uloginClass");
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "cn", k->cn);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginClassName", k->name);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginInstitution", k->inst);
	if (grade)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginGrade", grade);
	if (strcmp(k->key, k->cn))
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginExternalId",
				  k->key);
	ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSource", p->o.source);
	for (size_t i = 0; i < k->nstudents; i++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "member",
				  k->students[i]->dn);
	for (size_t i = 0; i < k->nteachers; i++)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginTeacher",
				  k->teachers[i]->dn);
}

static void
change_class(struct ulogin_plan *p, const struct klass *k,
	     const struct have_class *h, struct ulogin_change *ch)
{
	const char *grade = class_grade(k);

	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, h->dn,
			   "import.class.change");
	if (grade && !str_same(grade, h->grade))
		ulogin_change_set(ch, "uloginGrade", grade);
	if (!h->ours)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, "uloginSource",
				  p->o.source);
	member_delta(p, ch, "member", k->students, k->nstudents, h->members);
	member_delta(p, ch, "uloginTeacher", k->teachers, k->nteachers,
		     h->teachers);
}

/* A class the source no longer has: deleted when only it had the class,
 * else its people taken out and the source detached. */
static void
drop_class(struct ulogin_plan *p, const struct have_class *h,
	   struct ulogin_change *ch)
{
	if (list_len(h->sources) == 1) {
		ulogin_change_init(ch, ULOGIN_CHANGE_DELETE, h->dn,
				   "import.class.delete");
		return;
	}
	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, h->dn,
			   "import.class.change");
	ulogin_change_mod(ch, ULOGIN_MOD_DELETE, "uloginSource", p->o.source);
	member_delta(p, ch, "member", NULL, 0, h->members);
	member_delta(p, ch, "uloginTeacher", NULL, 0, h->teachers);
}

/* Does the export speak for classes (has a classes column)? */
static bool
classes_managed(const struct ulogin_plan *p)
{
	if (p->nclasses)
		return true;
	for (size_t i = 0; i < p->npeople; i++)
		if (MANAGES(p->people[i], CLASSES))
			return true;
	return p->npeople == 0;
}

/* Is the user's password still the one the entry was made with, by an
 * import or the directory manager (not by an administrator, a person)?
 * Then nobody has set one since, and only the lost record had it. */
static bool
first_password(const struct have *h)
{
	time_t made, changed;

	if (!h->created || !h->creator ||
	    strcasestr(h->creator, "ou=people,"))
		return false;
	/* ppolicy stamps pwdChangedTime on an add only under a policy
	 * with password aging, but on every change after it. */
	if (!h->changed)
		return true;
	return ulogin_gtime_parse(h->created, &made) == 0 &&
	       ulogin_gtime_parse(h->changed, &changed) == 0 &&
	       changed >= made && changed - made <= 2;
}

void
ulogin_plan_compute(struct ulogin_plan *p)
{
	struct ulogin_change ch;

	match_people(p);
	for (size_t i = 0; i < p->npeople; i++) {
		struct person *w = p->people[i];

		if (w->skipped)
			continue;
		if (!w->have) {
			w->action = ULOGIN_ROW_ADD;
			add_step(p, ULOGIN_STEP_ADD, OBJ_PERSON, w);
		} else {
			change_user(p, w, &ch);
			if (ch.nmods) {
				w->action = ULOGIN_ROW_CHANGE;
				add_step(p, ULOGIN_STEP_CHANGE, OBJ_PERSON, w);
			} else {
				p->unchanged++;
			}
			ulogin_change_free(&ch);
		}
		for (size_t j = 0; w->classes[j]; j++) {
			struct klass *k = strmap_get(&p->class_key,
						     w->classes[j]);

			if (k)
				class_member(k, w);
		}
	}
	for (size_t i = 0; i < p->nhaves; i++) {
		struct have *h = p->haves[i];
		struct row_ref r = { NULL, NULL, h };

		if (!h->ours || h->want || h->left || h->keep)
			continue;
		add_step(p, list_len(h->sources) > 1 ? ULOGIN_STEP_DETACH
						     : ULOGIN_STEP_LEAVE,
			 OBJ_HAVE, h);
		PUSH(p->rows, p->nrows, p->arows, r);
	}
	for (size_t i = 0; i < p->nhaves; i++) {
		struct have *h = p->haves[i];

		/* A first password this source made that nobody can have
		 * (from before each was recorded), never used: anew. */
		if (p->o.reissue && h->ours && h->want && !h->want->skipped &&
		    !h->left && h->reset && !h->used && !h->initial &&
		    first_password(h))
			add_step(p, ULOGIN_STEP_REISSUE, OBJ_HAVE, h);
	}
	/* An export without classes says nothing about them: the
	 * source's classes stay as they are. */
	if (!classes_managed(p))
		return;
	for (size_t i = 0; i < p->nclasses; i++) {
		struct klass *k = p->classes[i];
		struct have_class *h = strmap_get(&p->have_cn, k->cn);

		/* Its people's rows were refused: never a class there. */
		if (p->o.source_cfg &&
		    !strv_contains(&p->o.source_cfg->institutions, k->inst))
			continue;
		if (h && h->want)
			continue;	/* two keys, one cn: the first wins */
		/* Every row naming it was skipped: not a class of this
		 * source's, unless it already is. */
		if (!k->nstudents && !k->nteachers && (!h || !h->ours))
			continue;
		k->have = h;
		if (!h) {
			add_step(p, ULOGIN_STEP_CLASS_ADD, OBJ_CLASS, k);
			continue;
		}
		h->want = k;
		change_class(p, k, h, &ch);
		if (ch.nmods)
			add_step(p, ULOGIN_STEP_CLASS_CHANGE, OBJ_CLASS, k);
		ulogin_change_free(&ch);
	}
	for (size_t i = 0; i < p->nhave_classes; i++) {
		struct have_class *h = p->have_classes[i];

		if (h->ours && !h->want)
			add_step(p, list_len(h->sources) == 1
				 ? ULOGIN_STEP_CLASS_DELETE
				 : ULOGIN_STEP_CLASS_CHANGE,
				 OBJ_HAVE_CLASS, h);
	}
}

/* ---- steps ----------------------------------------------------------- */

size_t
ulogin_plan_count(const struct ulogin_plan *p, enum ulogin_step_kind k)
{
	return p->counts[k];
}

size_t
ulogin_plan_count_done(const struct ulogin_plan *p, enum ulogin_step_kind k)
{
	return p->done[k];
}

size_t
ulogin_plan_rows(const struct ulogin_plan *p)
{
	return p->npeople + p->nbad;
}

size_t
ulogin_plan_bad_rows(const struct ulogin_plan *p)
{
	size_t n = p->nbad;

	for (size_t i = 0; i < p->npeople; i++)
		n += p->people[i]->skipped;
	return n;
}

size_t
ulogin_plan_unchanged(const struct ulogin_plan *p)
{
	return p->unchanged;
}

size_t
ulogin_plan_active(const struct ulogin_plan *p)
{
	return p->active;
}

size_t
ulogin_plan_failed(const struct ulogin_plan *p)
{
	return p->failed;
}

size_t
ulogin_plan_nsteps(const struct ulogin_plan *p)
{
	return p->nsteps;
}

enum ulogin_step_kind
ulogin_plan_step_kind(const struct ulogin_plan *p, size_t i)
{
	return p->steps[i].kind;
}

const char *
ulogin_plan_step_name(const struct ulogin_plan *p, size_t i)
{
	const struct step *s = &p->steps[i];

	switch (s->kind) {
	case ULOGIN_STEP_ADD:
	case ULOGIN_STEP_CHANGE:
		return ((struct person *)s->obj)->username
			? ((struct person *)s->obj)->username
			: ((struct person *)s->obj)->have->uid;
	case ULOGIN_STEP_LEAVE:
	case ULOGIN_STEP_DETACH:
	case ULOGIN_STEP_REISSUE:
		return ((struct have *)s->obj)->uid;
	default:
		return NULL;
	}
}

/* The change of a step, without a password. */
static void
step_change(struct ulogin_plan *p, const struct step *s,
	    struct ulogin_change *ch)
{
	switch (s->type) {
	case OBJ_PERSON:
		if (s->kind == ULOGIN_STEP_ADD)
			add_user(p, s->obj, ch);
		else
			change_user(p, s->obj, ch);
		break;
	case OBJ_HAVE:
		if (s->kind == ULOGIN_STEP_REISSUE)
			reissue_user(p, s->obj, ch);
		else
			leave_user(p, s->obj, s->kind == ULOGIN_STEP_DETACH,
				   ch);
		break;
	case OBJ_CLASS:
		if (s->kind == ULOGIN_STEP_CLASS_ADD)
			add_class(p, s->obj, ch);
		else
			change_class(p, s->obj, ((struct klass *)s->obj)->have,
				     ch);
		break;
	case OBJ_HAVE_CLASS:
		drop_class(p, s->obj, ch);
		break;
	}
}

int
ulogin_plan_step_change(struct ulogin_plan *p, size_t i,
			const struct ulogin_pictures *pictures,
			struct ulogin_change *ch, char **password,
			const char **why)
{
	const struct step *s = &p->steps[i];
	const struct person *w = s->kind == ULOGIN_STEP_REISSUE
		? ((const struct have *)s->obj)->want : s->obj;
	const struct ulogin_policy *policy;
	struct ulogin_rules none;
	struct ulogin_person who;
	const char *name;

	step_change(p, s, ch);
	if (!password || (s->kind != ULOGIN_STEP_ADD &&
			  s->kind != ULOGIN_STEP_REISSUE))
		return 0;
	*password = NULL;
	memset(&none, 0, sizeof(none));
	name = effective(p, NULL, w->grade, w->roles, false);
	policy = name ? ulogin_policy_find(p->o.policies, name) : NULL;
	who.username = w->username;
	who.given_name = w->given;
	who.surname = w->sn;
	who.other_names = NULL;
	*password = ulogin_generate(policy ? &policy->rules : &none, &who,
				    pictures, why);
	if (!*password)
		return -1;
	ulogin_change_mod(ch, s->kind == ULOGIN_STEP_ADD ? ULOGIN_MOD_ADD
			  : ULOGIN_MOD_REPLACE, "userPassword", *password);
	return 0;
}

const char *
ulogin_plan_step_dn(const struct ulogin_plan *p, size_t i)
{
	const struct step *s = &p->steps[i];

	switch (s->type) {
	case OBJ_PERSON:
		return ((const struct person *)s->obj)->dn;
	case OBJ_HAVE:
		return ((const struct have *)s->obj)->dn;
	case OBJ_HAVE_CLASS:
		return ((const struct have_class *)s->obj)->dn;
	default:
		return NULL;
	}
}

bool
ulogin_plan_step_made(const struct ulogin_plan *p, size_t i,
		      const struct ulogin_entry *e)
{
	const struct step *s = &p->steps[i];
	bool made = false;

	if (s->kind == ULOGIN_STEP_ADD) {
		const struct person *w = s->obj;
		char *key = xasprintf("%s:%s", p->o.source, w->ext);
		const struct strv *keys = ulogin_entry_values(e,
							"uloginSourceKey");

		made = keys && strv_contains(keys, key);
		free(key);
	} else if (s->kind == ULOGIN_STEP_REISSUE) {
		const char *mark = ulogin_entry_get(e, "uloginInitialPassword");

		made = mark && p->o.initial_mark &&
		       !strcmp(mark, p->o.initial_mark);
	}
	return made;
}

static void
note_failure(struct ulogin_plan *p, const struct step *s, const char *why)
{
	const char *name;

	switch (s->type) {
	case OBJ_PERSON: {
		struct person *w = s->obj;

		w->reason = arena_strdup(&p->arena, why);
		name = w->username ? w->username : w->have->uid;
		ulogin_msg_plain("%s:%zu: key=%s: cannot %s user '%s': %s",
				 p->o.people_file, w->line, w->ext,
				 s->kind == ULOGIN_STEP_ADD ? "add" : "change",
				 name, why);
		break;
	}
	case OBJ_HAVE:
		((struct have *)s->obj)->reason = arena_strdup(&p->arena, why);
		ulogin_error(s->kind == ULOGIN_STEP_REISSUE
			     ? "cannot give user '%s' a new first password: %s"
			     : "cannot mark user '%s' as left: %s",
			     ((struct have *)s->obj)->uid, why);
		break;
	case OBJ_CLASS:
		ulogin_error("cannot update class '%s': %s",
			     ((struct klass *)s->obj)->cn, why);
		break;
	case OBJ_HAVE_CLASS:
		ulogin_error("cannot remove class '%s': %s",
			     ((struct have_class *)s->obj)->cn, why);
		break;
	}
}

void
ulogin_plan_step_done(struct ulogin_plan *p, size_t i, int rc,
		      const char *why)
{
	const struct step *s = &p->steps[i];

	if (s->type == OBJ_PERSON) {
		((struct person *)s->obj)->rc = rc;
		((struct person *)s->obj)->settled = true;
	} else if (s->type == OBJ_HAVE && s->kind != ULOGIN_STEP_REISSUE) {
		((struct have *)s->obj)->rc = rc;
		((struct have *)s->obj)->settled = true;
	}
	if (rc == LDAP_SUCCESS) {
		p->done[s->kind]++;
		return;
	}
	p->failed++;
	if (why && *why) {
		char *text = xasprintf("%s (%s)", ulogin_ldap_words(rc), why);

		note_failure(p, s, text);
		free(text);
	} else {
		note_failure(p, s, ulogin_ldap_words(rc));
	}
}

/* Friendly names of the attributes a change touches. */
static const struct {
	const char *attr, *name;
} attr_names[] = {
	{ "givenName", "given name" }, { "sn", "surname" },
	{ "cn", "name" }, { "mail", "mail" }, { "mobile", "mobile" },
	{ "uloginNationalIdHmac", "national id" },
	{ "uloginRole", "roles" }, { "uloginInstitution", "institutions" },
	{ "uloginParent", "parents" }, { "uloginSource", "sources" },
	{ "uloginLeftAt", "back again" }, { "uloginGrade", "grade" },
	{ "uloginLevel", "level" },
	{ "pwdPolicySubentry", "password policy" },
	{ "uloginChangeBy", "change-by deadline" },
	{ "uloginExternalId", "external id" },
	{ "uloginSourceKey", "source key" },
	{ "uloginSourceGrant", "what the source gives" },
	{ "uloginIdentified", "identified" },
};

static char *
changed_names(const struct ulogin_change *ch)
{
	struct strv names = STRV_INIT;
	char *out;

	for (size_t i = 0; i < ch->nmods; i++)
		for (size_t j = 0; j < sizeof(attr_names) /
				       sizeof(*attr_names); j++)
			if (!strcasecmp(ch->mods[i].attr, attr_names[j].attr) &&
			    !strv_contains(&names, attr_names[j].name))
				strv_push(&names, attr_names[j].name);
	out = strv_join(&names, ", ");
	strv_free(&names);
	return out;
}

static size_t
count_mods(const struct ulogin_change *ch, const char *attr,
	   enum ulogin_mod_op op)
{
	size_t n = 0;

	for (size_t i = 0; i < ch->nmods; i++)
		if (ch->mods[i].op == op && !strcasecmp(ch->mods[i].attr, attr))
			n += ch->mods[i].values.n;
	return n;
}

char *
ulogin_plan_step_text(struct ulogin_plan *p, size_t i)
{
	const struct step *s = &p->steps[i];
	struct ulogin_change ch;
	char *out, *names, *list;
	const struct person *w = s->obj;
	const struct have *h = s->obj;

	switch (s->kind) {
	case ULOGIN_STEP_ADD: {
		struct strv parts = STRV_INIT;

		strv_push_owned(&parts, ulogin_full_name(w->given, w->sn));
		for (size_t j = 0; w->roles[j]; j++)
			strv_push(&parts, w->roles[j]);
		for (size_t j = 0; w->insts[j]; j++)
			strv_push(&parts, w->insts[j]);
		if (w->grade)
			strv_push_owned(&parts, xasprintf("grade %s",
							  w->grade));
		list = strv_join(&parts, "; ");
		out = xasprintf("+ user %s (%s)", w->username, list);
		free(list);
		strv_free(&parts);
		return out;
	}
	case ULOGIN_STEP_CHANGE:
		step_change(p, s, &ch);
		names = changed_names(&ch);
		out = xasprintf("~ user %s: %s", w->have->uid, names);
		free(names);
		ulogin_change_free(&ch);
		return out;
	case ULOGIN_STEP_LEAVE:
		return xasprintf("- user %s (left: blocked)", h->uid);
	case ULOGIN_STEP_DETACH:
		return xasprintf("- user %s (detached: another source keeps "
				 "it)", h->uid);
	case ULOGIN_STEP_REISSUE:
		return xasprintf("* user %s (a new first password: where the "
				 "first went is not recorded, and it was never "
				 "used)", h->uid);
	case ULOGIN_STEP_CLASS_ADD: {
		const struct klass *k = s->obj;

		return xasprintf("+ class %s (%zu student%s, %zu teacher%s)",
				 k->cn, k->nstudents,
				 k->nstudents == 1 ? "" : "s", k->nteachers,
				 k->nteachers == 1 ? "" : "s");
	}
	case ULOGIN_STEP_CLASS_CHANGE:
		step_change(p, s, &ch);
		out = xasprintf("~ class %s: +%zu -%zu students, +%zu -%zu "
				"teachers",
				s->type == OBJ_CLASS
					? ((struct klass *)s->obj)->cn
					: ((struct have_class *)s->obj)->cn,
				count_mods(&ch, "member", ULOGIN_MOD_ADD),
				count_mods(&ch, "member", ULOGIN_MOD_DELETE),
				count_mods(&ch, "uloginTeacher",
					   ULOGIN_MOD_ADD),
				count_mods(&ch, "uloginTeacher",
					   ULOGIN_MOD_DELETE));
		ulogin_change_free(&ch);
		return out;
	default:
		return xasprintf("- class %s",
				 ((struct have_class *)s->obj)->cn);
	}
}

/* ---- outputs ----------------------------------------------------------- */

int
ulogin_plan_write_ldif(struct ulogin_plan *p, FILE *out)
{
	fputs("# ulogin-import plan: apply with ldapmodify -f FILE\n"
	      "# (new users get no password here; reset them after)\n\n",
	      out);
	for (size_t i = 0; i < p->nsteps; i++) {
		struct ulogin_change ch;

		step_change(p, &p->steps[i], &ch);
		ulogin_change_ldif(out, &ch);
		ulogin_change_free(&ch);
	}
	return ferror(out) ? -1 : 0;
}

static const char *const kind_names[] = {
	"add", "change", "leave", "detach", "reissue", "class-add",
	"class-change", "class-delete"
};

int
ulogin_plan_write_json(struct ulogin_plan *p, FILE *out)
{
	static const char *const ops[] = { "add", "replace", "delete" };
	static const char *const changetypes[] = { "add", "modify", "delete" };
	int rc = 0;

	/* One step a line inside the array: streamable, and diffable. */
	fputs("[\n", out);
	for (size_t i = 0; i < p->nsteps && !rc; i++) {
		struct ulogin_change ch;
		json_t *o = json_object(), *mods = json_array();
		char *text = ulogin_plan_step_text(p, i), *line;

		step_change(p, &p->steps[i], &ch);
		json_object_set_new(o, "step", json_string(
				kind_names[p->steps[i].kind]));
		json_object_set_new(o, "text", ulogin_json_text(text));
		json_object_set_new(o, "dn", ulogin_json_text(ch.dn));
		json_object_set_new(o, "changetype",
				    json_string(changetypes[ch.op]));
		for (size_t j = 0; j < ch.nmods; j++) {
			json_t *m = json_object(), *v = json_array();

			json_object_set_new(m, "op",
					    json_string(ops[ch.mods[j].op]));
			json_object_set_new(m, "attr",
					    json_string(ch.mods[j].attr));
			for (size_t k = 0; k < ch.mods[j].values.n; k++)
				json_array_append_new(v, ulogin_json_text(
					ch.mods[j].values.v[k]));
			json_object_set_new(m, "values", v);
			json_array_append_new(mods, m);
		}
		json_object_set_new(o, "changes", mods);
		line = ulogin_json_dumps(o, JSON_COMPACT |
					 JSON_PRESERVE_ORDER);
		if (!line)
			rc = -1;
		else
			fprintf(out, "%s%s\n", line,
				i + 1 < p->nsteps ? "," : "");
		free(line);
		free(text);
		json_decref(o);
		ulogin_change_free(&ch);
	}
	fputs("]\n", out);
	return rc || ferror(out) ? -1 : 0;
}

/* A CSV field, escaped (lib/inert.h: the file is opened in spreadsheets
 * and terminals alike) and quoted when it needs to be (RFC 4180). */
static void
csv_field(FILE *out, const char *v, bool last)
{
	char *safe = v ? ulogin_inert(v) : NULL;

	if (safe && strpbrk(safe, ",\"")) {
		fputc('"', out);
		for (const char *c = safe; *c; c++) {
			if (*c == '"')
				fputc('"', out);
			fputc(*c, out);
		}
		fputc('"', out);
	} else if (safe) {
		fputs(safe, out);
	}
	fputs(last ? "\r\n" : ",", out);
	free(safe);
}

/* A row's result: skipped, or its step's outcome; a step that was not
 * sent (a dry run, a refused or stopped run) is "unsent". */
static const char *
row_result(int rc, bool skipped, bool step, bool settled)
{
	return skipped ? "skipped" : step && !settled ? "unsent"
		: rc == LDAP_SUCCESS ? "ok" : "failed";
}

int
ulogin_plan_write_results(const struct ulogin_plan *p, FILE *out)
{
	static const char *const actions[] = { "unchanged", "add", "change",
					       "skip" };

	fputs("file,line,key,username,action,result,reason\r\n", out);
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row_ref *r = &p->rows[i];
		char line[32];

		if (r->bad) {
			snprintf(line, sizeof(line), "%zu", r->bad->line);
			csv_field(out, r->bad->file, false);
			csv_field(out, line, false);
			csv_field(out, r->bad->key, false);
			csv_field(out, NULL, false);
			csv_field(out, "skip", false);
			csv_field(out, "skipped", false);
			csv_field(out, r->bad->why, true);
		} else if (r->person) {
			const struct person *w = r->person;

			snprintf(line, sizeof(line), "%zu", w->line);
			csv_field(out, p->o.people_file, false);
			csv_field(out, line, false);
			csv_field(out, w->ext, false);
			csv_field(out, w->username ? w->username
				  : w->have ? w->have->uid : NULL, false);
			csv_field(out, actions[w->action], false);
			csv_field(out, row_result(w->rc, w->skipped,
				  w->action == ULOGIN_ROW_ADD ||
				  w->action == ULOGIN_ROW_CHANGE, w->settled),
				  false);
			csv_field(out, w->reason, true);
		} else {
			const struct have *h = r->leaver;

			csv_field(out, NULL, false);
			csv_field(out, NULL, false);
			csv_field(out, h->ext, false);
			csv_field(out, h->uid, false);
			csv_field(out, list_len(h->sources) > 1 ? "detach"
				  : "leave", false);
			csv_field(out, row_result(h->rc, false, true,
						  h->settled), false);
			csv_field(out, h->reason, true);
		}
	}
	return ferror(out) ? -1 : 0;
}

json_t *
ulogin_plan_errors_json(const struct ulogin_plan *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nrows; i++) {
		const struct row_ref *r = &p->rows[i];
		json_t *o;

		if (r->bad) {
			o = json_object();
			json_object_set_new(o, "file",
					    ulogin_json_text(r->bad->file));
			json_object_set_new(o, "line",
					    json_integer((json_int_t)r->bad->line));
			if (r->bad->key)
				json_object_set_new(o, "key", ulogin_json_text(
							    r->bad->key));
			json_object_set_new(o, "reason",
					    ulogin_json_text(r->bad->why));
		} else if (r->person && (r->person->skipped ||
					 r->person->rc != LDAP_SUCCESS)) {
			o = json_object();
			json_object_set_new(o, "file",
					    ulogin_json_text(p->o.people_file));
			json_object_set_new(o, "line", json_integer(
				(json_int_t)r->person->line));
			json_object_set_new(o, "key",
					    ulogin_json_text(r->person->ext));
			json_object_set_new(o, "reason", ulogin_json_text(
				r->person->reason ? r->person->reason : ""));
		} else {
			continue;
		}
		json_array_append_new(a, o);
	}
	return a;
}
