#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "account.h"
#include "class.h"
#include "dn.h"
#include "exitcodes.h"
#include "inert.h"
#include "institution.h"
#include "msg.h"
#include "operator.h"
#include "ppolicy.h"
#include "progress.h"
#include "banned.h"

static const char *const class_attrs[] = { "cn", "uloginClassName",
	"uloginInstitution", "uloginGrade", "description", "member",
	"uloginTeacher", NULL };

/* ---- naming ------------------------------------------------------------ */

const char *
ulogin_grade_next(const char *g, char *buf, size_t len)
{
	char *end;
	long n;

	if (!g || !ulogin_level_for_grade(g))
		return NULL;
	if (g[0] == 'g') {
		if (g[1] == '3')
			return NULL;
		snprintf(buf, len, "g%c", g[1] + 1);
		return buf;
	}
	n = strtol(g, &end, 10);
	if (n >= 10)
		return NULL;
	snprintf(buf, len, "%ld", n + 1);
	return buf;
}

char *
ulogin_class_name_next(const char *name, const char *grade, const char *next)
{
	size_t glen;
	const char *g = grade;

	if (!name || !grade || !next)
		return NULL;
	/* A grade written "05" in an export is the class "5b". */
	while (g[0] == '0' && g[1])
		g++;
	glen = strlen(g);
	if (strncasecmp(name, g, glen) != 0)
		return NULL;
	/* "1a" starts with grade 1, "10a" does not. */
	if (name[glen] >= '0' && name[glen] <= '9')
		return NULL;
	return xasprintf("%s%s", next, name + glen);
}

char *
ulogin_class_dn(struct ulogin_conn *c, const char *name)
{
	char *parent = ulogin_dn_classes(ulogin_conn_base(c));
	char *dn = parent ? ulogin_dn_child(parent, "cn", name) : NULL;

	free(parent);
	return dn;
}

int
ulogin_class_read(struct ulogin_conn *c, const char *name,
		  const char *const *attrs, struct ulogin_entry *e)
{
	char *dn = ulogin_class_dn(c, name);
	int lrc = dn ? ulogin_read(c, dn, attrs, e) : LDAP_NO_SUCH_OBJECT;
	int rc;

	free(dn);
	if (lrc == LDAP_NO_SUCH_OBJECT) {
		ulogin_error("cannot find class '%s'", name);
		ulogin_hint("classes are named INSTITUTION-CLASS, e.g. 280001-5b;"
			    " 'ulogin-class list' lists them");
		return ULOGIN_EX_NOUSER;
	}
	if (lrc == LDAP_INSUFFICIENT_ACCESS) {
		char *what = xasprintf("class '%s'", name);

		rc = ulogin_operator_refuse(c, what);
		free(what);
		return rc;
	}
	if (lrc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot read class '%s'", name);
	return 0;
}

/* ---- list --------------------------------------------------------------- */

static int
add_class_row(const struct ulogin_entry *e, void *data)
{
	struct ulogin_table *t = data;
	const struct strv *members = ulogin_entry_values(e, "member");
	const struct strv *teachers = ulogin_entry_values(e, "uloginTeacher");
	char count[24];

	snprintf(count, sizeof(count), "%zu", members ? members->n : 0);
	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, ulogin_entry_get(e, "cn"));
	ulogin_table_set(t, 1, ulogin_entry_get(e, "uloginInstitution"));
	ulogin_table_set(t, 2, ulogin_entry_get(e, "uloginGrade"));
	ulogin_table_set(t, 3, ulogin_entry_get(e, "description"));
	ulogin_table_set(t, 4, count);
	for (size_t i = 0; teachers && i < teachers->n; i++) {
		char *who = ulogin_dn_who(teachers->v[i]);

		ulogin_table_set(t, 5, who);
		free(who);
	}
	return 0;
}

int
ulogin_class_list(struct ulogin_conn *c, const char *institution,
		  const char *grade, struct ulogin_table **out)
{
	static const char *const cols[] = { "class", "institution", "grade",
		"title", "students#", "teachers*", NULL };
	char *base = ulogin_dn_classes(ulogin_conn_base(c));
	char *i_f = institution ? ulogin_filter("(uloginInstitution=%s)",
						institution) : xstrdup("");
	char *g_f = grade ? ulogin_filter("(uloginGrade=%s)", grade)
			  : xstrdup("");
	char *filter = ulogin_filter("(&(objectClass=uloginClass)%r%r)", i_f,
				     g_f);
	struct ulogin_table *t = ulogin_table_new(cols);
	int lrc = ulogin_search(c, base, ULOGIN_SCOPE_ONE, filter, class_attrs,
				add_class_row, t);

	free(filter);
	free(g_f);
	free(i_f);
	free(base);
	if (lrc == LDAP_NO_SUCH_OBJECT)
		lrc = LDAP_SUCCESS;	/* no classes yet */
	if (lrc != LDAP_SUCCESS) {
		ulogin_table_free(t);
		return ulogin_ldap_error(c, lrc, "cannot list the classes");
	}
	ulogin_table_sort(t, 0);
	*out = t;
	return 0;
}

/* ---- show --------------------------------------------------------------- */

int
ulogin_class_show(struct ulogin_conn *c, const char *name,
		  struct ulogin_table **out)
{
	static const char *const cols[] = { "role", "username", "name",
		"grade", "level", "state", NULL };
	struct ulogin_user_query q = { 0 };
	struct strv users = STRV_INIT, teachers = STRV_INIT;
	const struct strv *tdns, *m;
	struct ulogin_table *found = NULL, *t;
	struct ulogin_entry e;
	const char *g, *title;
	int rc;

	if ((rc = ulogin_class_read(c, name, class_attrs, &e)))
		return rc;
	tdns = ulogin_entry_values(&e, "uloginTeacher");
	for (size_t i = 0; tdns && i < tdns->n; i++)
		strv_push_owned(&teachers, ulogin_dn_who(tdns->v[i]));
	q.class_name = name;
	if ((rc = ulogin_user_find(c, &q, &found)))
		goto out;
	ulogin_table_column(found, 0, &users);
	t = ulogin_table_new(cols);
	/* Teachers first, then students; a fellow teacher the operator may
	 * not read is still named. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; pass == 0 && i < teachers.n; i++)
			if (!strv_contains(&users, teachers.v[i])) {
				ulogin_table_begin_row(t);
				ulogin_table_set(t, 0, "teacher");
				ulogin_table_set(t, 1, teachers.v[i]);
			}
		for (size_t r = 0; r < ulogin_table_rows(found); r++) {
			const char *uid = ulogin_table_cell(found, r, 0);
			const char *grade = ulogin_table_cell(found, r, 5);
			bool teacher = uid && strv_contains(&teachers, uid);
			char *full;

			if (teacher != (pass == 0))
				continue;
			full = ulogin_full_name(ulogin_table_cell(found, r, 1),
						ulogin_table_cell(found, r, 2));
			ulogin_table_begin_row(t);
			ulogin_table_set(t, 0, teacher ? "teacher" : "student");
			ulogin_table_set(t, 1, uid);
			ulogin_table_set(t, 2, full);
			ulogin_table_set(t, 3, grade);
			ulogin_table_set(t, 4, grade && *grade
				? ulogin_level_for_grade(grade) : NULL);
			ulogin_table_set(t, 5, ulogin_table_cell(found, r, 6));
			free(full);
		}
	}
	*out = t;
	m = ulogin_entry_values(&e, "member");
	g = ulogin_entry_get(&e, "uloginGrade");
	title = ulogin_entry_get(&e, "description");
	ulogin_info("class %s of institution %s%s%s%s%s%s: %zu student%s, "
		    "%zu teacher%s", name,
		    ulogin_entry_get(&e, "uloginInstitution")
		    ? ulogin_entry_get(&e, "uloginInstitution") : "?",
		    g ? ", grade " : "", g ? g : "", title ? " (" : "",
		    title ? title : "", title ? ")" : "", m ? m->n : 0,
		    m && m->n == 1 ? "" : "s", teachers.n,
		    teachers.n == 1 ? "" : "s");
out:
	ulogin_table_free(found);
	strv_free(&users);
	strv_free(&teachers);
	ulogin_entry_free(&e);
	return rc;
}

/* ---- create and delete ---------------------------------------------------- */

static bool
text_ok(const char *s)
{
	bool seen = false;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p != ' ')
			seen = true;
	}
	return seen;
}

int
ulogin_class_create(struct ulogin_conn *c, const char *name,
		    const char *institution, const char *grade,
		    const char *title)
{
	size_t ilen = strlen(institution);
	struct ulogin_change ch;
	char *dn = NULL;
	int rc, lrc;

	if (!ulogin_institution_number_valid(institution)) {
		ulogin_error("'%s' is not an institution number", institution);
		return ULOGIN_EX_USAGE;
	}
	if (strncmp(name, institution, ilen) || name[ilen] != '-' ||
	    !text_ok(name + ilen + 1)) {
		ulogin_error("a class of institution %s is named %s-CLASS, "
			     "not '%s'", institution, institution, name);
		ulogin_hint("e.g. %s-4b", institution);
		return ULOGIN_EX_USAGE;
	}
	if (!ulogin_level_for_grade(grade)) {
		ulogin_error("unknown grade '%s'", grade);
		ulogin_hint("grades are 0 to 10, or g1 to g3 for upper "
			    "secondary");
		return ULOGIN_EX_USAGE;
	}
	if (title && !text_ok(title)) {
		ulogin_error("the title must be text, not blank and without "
			     "control characters");
		return ULOGIN_EX_USAGE;
	}
	if ((rc = ulogin_institution_check(c, institution)) ||
	    (rc = ulogin_prepare_changes(c)))
		return rc;
	dn = ulogin_class_dn(c, name);
	ulogin_change_init(&ch, ULOGIN_CHANGE_ADD, dn, "class.create");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass", "uloginClass");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "cn", name);
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginClassName",
			  name + ilen + 1);
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginInstitution",
			  institution);
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginGrade", grade);
	if (title)
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "description", title);
	lrc = ulogin_apply(c, &ch);
	if (lrc == LDAP_ALREADY_EXISTS) {
		ulogin_error("class '%s' exists already", name);
		rc = ULOGIN_EX_DATAERR;
	} else if (lrc == LDAP_INSUFFICIENT_ACCESS) {
		char *what = xasprintf("class '%s'", name);

		rc = ulogin_operator_refuse(c, what);
		free(what);
	} else if (lrc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "cannot create class '%s'",
				       name);
	} else {
		ulogin_info(ulogin_conn_config(c)->dry_run
			    ? "would create class '%s' (dry run)"
			    : "created class '%s'", name);
	}
	ulogin_change_free(&ch);
	free(dn);
	return rc;
}

int
ulogin_class_delete(struct ulogin_conn *c, const char *name,
		    bool (*confirm)(const char *question))
{
	struct ulogin_change ch;
	struct ulogin_entry e;
	const struct strv *m;
	char *question;
	int rc, lrc;

	if ((rc = ulogin_class_read(c, name, class_attrs, &e)))
		return rc;
	m = ulogin_entry_values(&e, "member");
	if (confirm) {
		question = xasprintf("Delete class '%s' (%zu students)? The "
				     "students stay; only the class goes.",
				     name, m ? m->n : 0);
		if (!confirm(question)) {
			free(question);
			ulogin_entry_free(&e);
			ulogin_info("kept class '%s'", name);
			return 0;
		}
		free(question);
	}
	if ((rc = ulogin_prepare_changes(c))) {
		ulogin_entry_free(&e);
		return rc;
	}
	/* slapd's memberof overlay takes the class out of its students'
	 * memberOf, so no stale class names the students later. */
	ulogin_change_init(&ch, ULOGIN_CHANGE_DELETE, e.dn, "class.delete");
	if ((lrc = ulogin_apply(c, &ch)) != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot delete class '%s'",
				       name);
	else
		ulogin_info(ulogin_conn_config(c)->dry_run
			    ? "would delete class '%s' (dry run)"
			    : "deleted class '%s'", name);
	ulogin_change_free(&ch);
	ulogin_entry_free(&e);
	return rc;
}

/* ---- members ------------------------------------------------------------ */

int
ulogin_class_add(struct ulogin_conn *c, const char *name,
		 const struct strv *users, bool teacher)
{
	static const char *const attrs[] = { "uid", "uloginRole",
					     "uloginInstitution", NULL };
	const char *attr = teacher ? "uloginTeacher" : "member";
	struct ulogin_entry e, *people = NULL;
	struct ulogin_operator op;
	struct ulogin_change ch;
	const char *inst;
	int rc, lrc;

	memset(&op, 0, sizeof(op));
	if ((rc = ulogin_class_read(c, name, class_attrs, &e)))
		return rc;
	inst = ulogin_entry_get(&e, "uloginInstitution");
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn,
			   teacher ? "class.add-teacher" : "class.add-member");
	if ((rc = ulogin_operator_read(c, &op)) ||
	    (rc = ulogin_operator_users(c, &op, users, attrs, &people)))
		goto out;
	for (size_t i = 0; i < users->n; i++) {
		const struct ulogin_entry *p = &people[i];
		bool is_staff = ulogin_entry_has_value(p, "uloginRole",
						       "teacher") ||
				ulogin_entry_has_value(p, "uloginRole", "staff");

		if (inst && !ulogin_entry_has_value(p, "uloginInstitution",
						    inst)) {
			ulogin_error("'%s' is not at institution %s, the "
				     "class's", users->v[i], inst);
			rc = ULOGIN_EX_DATAERR;
		} else if (teacher && !is_staff) {
			ulogin_error("'%s' is not a teacher or other staff",
				     users->v[i]);
			rc = ULOGIN_EX_DATAERR;
		} else if (!teacher &&
			   !ulogin_entry_has_value(p, "uloginRole", "student")) {
			ulogin_error("'%s' is not a student", users->v[i]);
			ulogin_hint("add teachers with --teacher");
			rc = ULOGIN_EX_DATAERR;
		} else if (ulogin_entry_has_value(&e, attr, p->dn)) {
			ulogin_info("'%s' is in class '%s' already",
				    users->v[i], name);
		} else {
			ulogin_change_mod(&ch, ULOGIN_MOD_ADD, attr, p->dn);
		}
	}
	if (rc || !ch.nmods)
		goto out;
	if ((rc = ulogin_prepare_changes(c)))
		goto out;
	if ((lrc = ulogin_apply(c, &ch)) != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot change class '%s'", name);
	else
		ulogin_info(ulogin_conn_config(c)->dry_run
			    ? "would add %zu %s to class '%s' (dry run)"
			    : "added %zu %s to class '%s'",
			    ch.mods[0].values.n, teacher ? "teacher(s)"
							 : "student(s)", name);
out:
	for (size_t i = 0; people && i < users->n; i++)
		ulogin_entry_free(&people[i]);
	free(people);
	ulogin_operator_free(&op);
	ulogin_change_free(&ch);
	ulogin_entry_free(&e);
	return rc;
}

int
ulogin_class_remove(struct ulogin_conn *c, const char *name,
		    const struct strv *users)
{
	static const char *const attrs[] = { "member", "uloginTeacher" };
	struct ulogin_change ch;
	struct ulogin_entry e;
	size_t removed = 0;
	int rc, lrc;

	if ((rc = ulogin_class_read(c, name, class_attrs, &e)))
		return rc;
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn,
			   "class.remove-member");
	for (size_t i = 0; i < users->n; i++) {
		char *dn = ulogin_username_invalid(users->v[i]) ? NULL
			 : ulogin_user_dn(c, users->v[i]);
		bool found = false;

		for (size_t k = 0; dn && k < 2; k++) {
			const struct strv *v = ulogin_entry_values(&e,
								   attrs[k]);

			for (size_t j = 0; v && j < v->n; j++)
				if (ulogin_dn_equal(v->v[j], dn)) {
					ulogin_change_mod(&ch, ULOGIN_MOD_DELETE,
							  attrs[k], v->v[j]);
					found = true;
				}
		}
		if (found)
			removed++;
		else
			ulogin_info("'%s' is not in class '%s'", users->v[i],
				    name);
		free(dn);
	}
	if (ch.nmods && !(rc = ulogin_prepare_changes(c))) {
		if ((lrc = ulogin_apply(c, &ch)) != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, lrc, "cannot change class "
					       "'%s'", name);
		else
			ulogin_info(ulogin_conn_config(c)->dry_run
				    ? "would take %zu out of class '%s' (dry "
				      "run)" : "took %zu out of class '%s'",
				    removed, name);
	}
	ulogin_change_free(&ch);
	ulogin_entry_free(&e);
	return rc;
}

/* ---- promote ------------------------------------------------------------ */

struct promote_class {
	struct ulogin_entry e;
	const char *grade;	/* in e */
	char next[8];		/* the new grade; "" when closed */
	char *new_cn;		/* NULL: keeps its name */
};

struct promote_user {
	struct ulogin_entry e;	/* as read */
	const char *to;		/* the new grade (a promote_class's next) */
	struct ulogin_change ch;
	int rc;
};

struct promote {
	struct promote_class *cls;
	size_t ncls;
	struct promote_user *users;
	size_t nusers;
	struct strv seen;	/* user DNs, normalised by the server */
};

static int
keep_class(const struct ulogin_entry *e, void *data)
{
	struct promote *p = data;
	struct promote_class *k;

	p->cls = xreallocarray(p->cls, p->ncls + 1, sizeof(*p->cls));
	k = &p->cls[p->ncls++];
	memset(k, 0, sizeof(*k));
	ulogin_entry_keep(e, &k->e);
	k->grade = ulogin_entry_get(&k->e, "uloginGrade");
	return 0;
}

/* Highest grade first, so that 5b becomes 6b only after 6b became 7b. */
static long
grade_rank(const char *g)
{
	if (!g)
		return -1;
	if (g[0] == 'g')
		return 100 + (g[1] - '0');
	return strtol(g, NULL, 10);
}

static int
by_grade_down(const void *a, const void *b)
{
	const struct promote_class *x = a, *y = b;
	long gx = grade_rank(x->grade), gy = grade_rank(y->grade);

	return gx < gy ? 1 : gx > gy ? -1
	       : strcmp(ulogin_entry_get(&x->e, "cn"),
			ulogin_entry_get(&y->e, "cn"));
}

static void
free_promote(struct promote *p)
{
	for (size_t i = 0; i < p->ncls; i++) {
		ulogin_entry_free(&p->cls[i].e);
		free(p->cls[i].new_cn);
	}
	free(p->cls);
	for (size_t i = 0; i < p->nusers; i++) {
		ulogin_entry_free(&p->users[i].e);
		ulogin_change_free(&p->users[i].ch);
	}
	free(p->users);
	strv_free(&p->seen);
}

/* Read the classes to promote, and their students. */
static int
read_promotion(struct ulogin_conn *c, const struct ulogin_promote_opts *o,
	       struct promote *p)
{
	char *base = ulogin_dn_classes(ulogin_conn_base(c));
	char *filter = o->institution
		? ulogin_filter("(&(objectClass=uloginClass)"
				"(uloginInstitution=%s)(uloginGrade=*))",
				o->institution)
		: xstrdup("(&(objectClass=uloginClass)(uloginGrade=*))");
	struct ulogin_query *q;
	struct strv dns = STRV_INIT;
	struct strv to = STRV_INIT;
	int lrc;

	lrc = ulogin_search(c, base, ULOGIN_SCOPE_ONE, filter, class_attrs,
			    keep_class, p);
	free(filter);
	free(base);
	if (lrc == LDAP_NO_SUCH_OBJECT)
		lrc = LDAP_SUCCESS;
	if (lrc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot read the classes");
	qsort(p->cls, p->ncls, sizeof(*p->cls), by_grade_down);
	for (size_t i = 0; i < p->ncls; i++) {
		struct promote_class *k = &p->cls[i];
		const struct strv *m = ulogin_entry_values(&k->e, "member");
		const char *next = ulogin_grade_next(k->grade, k->next,
						     sizeof(k->next));
		const char *short_name = ulogin_entry_get(&k->e,
							  "uloginClassName");
		const char *inst = ulogin_entry_get(&k->e, "uloginInstitution");
		char *nn;

		if (!next) {
			k->next[0] = '\0';	/* closed */
			continue;
		}
		nn = ulogin_class_name_next(short_name, k->grade, next);
		if (nn && inst)
			k->new_cn = xasprintf("%s-%s", inst, nn);
		free(nn);
		/* Each student once, even in two classes (the first, the
		 * highest grade, decides). */
		for (size_t j = 0; m && j < m->n; j++)
			if (!strv_contains(&dns, m->v[j])) {
				strv_push(&dns, m->v[j]);
				strv_push(&to, k->next);
			}
	}
	p->users = xcalloc(dns.n ? dns.n : 1, sizeof(*p->users));
	q = xcalloc(dns.n ? dns.n : 1, sizeof(*q));
	for (size_t i = 0; i < dns.n; i++)
		q[i] = (struct ulogin_query){ dns.v[i], ULOGIN_SCOPE_BASE,
			"(objectClass=uloginAccount)", ulogin_user_attrs,
			ulogin_entry_keep, &p->users[i].e, 0 };
	lrc = dns.n ? ulogin_search_all(c, q, dns.n) : LDAP_SUCCESS;
	p->nusers = dns.n;
	for (size_t i = 0; i < dns.n; i++) {
		struct promote_user *u = &p->users[i];

		/* The class's next grade, kept by the class (its buffer). */
		for (size_t k = 0; k < p->ncls; k++)
			if (!strcmp(p->cls[k].next, to.v[i]))
				u->to = p->cls[k].next;
		if (lrc == LDAP_SUCCESS && q[i].rc != LDAP_SUCCESS &&
		    q[i].rc != LDAP_NO_SUCH_OBJECT)
			lrc = q[i].rc;
	}
	free(q);
	strv_free(&dns);
	strv_free(&to);
	if (lrc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot read the students");
	return 0;
}

/* A title that ends with the class's short name ("Bakkeskolen, class
 * 5b") follows the new name; the short name too. */
static void
retitle(struct ulogin_change *ch, const struct ulogin_entry *e)
{
	const char *title = ulogin_entry_get(e, "description");
	const char *old = ulogin_entry_get(e, "uloginClassName");
	const char *grade = ulogin_entry_get(e, "uloginGrade");
	const char *next = NULL;
	char *now;
	size_t tl, ol;

	for (size_t i = 0; i < ch->nmods; i++)
		if (!strcasecmp(ch->mods[i].attr, "uloginGrade") &&
		    ch->mods[i].values.n)
			next = ch->mods[i].values.v[0];
	if (!old || !next || !(now = ulogin_class_name_next(old, grade, next)))
		return;
	ulogin_change_set(ch, "uloginClassName", now);
	tl = title ? strlen(title) : 0;
	ol = strlen(old);
	if (title && tl >= ol && !strcmp(title + tl - ol, old) &&
	    (tl == ol || title[tl - ol - 1] == ' ')) {
		char *t = xasprintf("%.*s%s", (int)(tl - ol), title, now);

		ulogin_change_set(ch, "description", t);
		free(t);
	}
	free(now);
}

/* The plan, printed; the students' changes made. */
static int
plan_promotion(struct ulogin_conn *c, struct promote *p, size_t *level_changes)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct strv present = STRV_INIT;
	int rc = 0, lrc;

	*level_changes = 0;
	if ((lrc = ulogin_policy_present(c, &present)) != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot read the policies");
	for (size_t i = 0; i < p->ncls; i++) {
		const struct promote_class *k = &p->cls[i];
		const char *cn = ulogin_entry_get(&k->e, "cn");

		if (!k->next[0])
			ulogin_print_inert(stdout, "- class %s (grade %s: past "
					   "the top grade, closed)", cn,
					   k->grade);
		else if (k->new_cn)
			ulogin_print_inert(stdout, "~ class %s -> %s (grade %s "
					   "-> %s)", cn, k->new_cn, k->grade,
					   k->next);
		else
			ulogin_print_inert(stdout, "~ class %s (grade %s -> "
					   "%s)", cn, k->grade, k->next);
	}
	for (size_t i = 0; i < p->nusers && !rc; i++) {
		struct promote_user *u = &p->users[i];
		const char *from = ulogin_entry_get(&u->e, "uloginGrade");
		const char *uid = ulogin_entry_get(&u->e, "uid");
		const char *before, *after;

		if (!u->e.dn || !u->to)
			continue;	/* gone, or in a closed class only */
		/* Never down a grade: a pupil already there (put ahead by
		 * hand) stays, and the plan says so. */
		if (from && grade_rank(from) >= grade_rank(u->to)) {
			ulogin_print_inert(stdout, "= user %s stays in grade "
					   "%s (at or past the class's new "
					   "grade %s)", uid ? uid : u->e.dn,
					   from, u->to);
			continue;
		}
		ulogin_change_init(&u->ch, ULOGIN_CHANGE_MODIFY, u->e.dn,
				   "class.promote");
		ulogin_policy_grade_mods(&u->ch, u->to);
		rc = ulogin_policy_follow_known(c, &cfg->policies, &present,
						&u->e, &u->ch);
		before = ulogin_entry_get(&u->e, "uloginLevel");
		after = ulogin_level_for_grade(u->to);
		if (before && after && strcmp(before, after)) {
			(*level_changes)++;
			ulogin_print_inert(stdout, "~ user %s grade %s -> %s, "
					   "level %s -> %s",
					   uid ? uid : u->e.dn,
					   from ? from : "-", u->to, before,
					   after);
		} else {
			ulogin_print_inert(stdout, "~ user %s grade %s -> %s",
					   uid ? uid : u->e.dn,
					   from ? from : "-", u->to);
		}
	}
	strv_free(&present);
	return rc;
}

static void
user_done(void *tag, int rc, const char *diag, void *data)
{
	struct ulogin_progress *bar = ((void **)data)[0];
	struct promote *p = ((void **)data)[1];

	p->users[(uintptr_t)tag].rc = rc;
	ulogin_progress_step(bar);
}

int
ulogin_class_promote(struct ulogin_conn *c,
		     const struct ulogin_promote_opts *o)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct promote p;
	struct ulogin_progress bar;
	struct ulogin_pipeline *pipe;
	size_t moved = 0, renamed = 0, closed = 0, level_changes = 0, failed = 0;
	size_t nchanges = 0;
	void *ctx[2] = { &bar, &p };
	char *question;
	int rc, lrc;

	memset(&p, 0, sizeof(p));
	if (o->institution && (rc = ulogin_institution_check(c, o->institution)))
		return rc;
	if ((rc = read_promotion(c, o, &p)))
		goto out;
	if (!p.ncls) {
		ulogin_info("no class with a grade to promote");
		goto out;
	}
	/* The plan first, the changes not yet made. */
	{
		bool dry = cfg->dry_run;

		if ((rc = plan_promotion(c, &p, &level_changes)))
			goto out;
		fflush(stdout);
		for (size_t i = 0; i < p.nusers; i++)
			nchanges += p.users[i].ch.nmods > 0;
		if (dry) {
			ulogin_info("would promote %zu classes and %zu students "
				    "(%zu to a new level); nothing changed "
				    "(dry run)", p.ncls, nchanges,
				    level_changes);
			goto out;
		}
	}
	if (o->confirm) {
		question = xasprintf("Promote %zu classes and %zu students?",
				     p.ncls, nchanges);
		if (!o->confirm(question)) {
			free(question);
			ulogin_info("nothing promoted");
			goto out;
		}
		free(question);
	}
	if ((rc = ulogin_prepare_changes(c)))
		goto out;
	/* Classes first, highest grade first (a name is free before the
	 * class below takes it). */
	for (size_t i = 0; i < p.ncls && !rc; i++) {
		struct promote_class *k = &p.cls[i];
		struct ulogin_change ch;
		char *dn = xstrdup(k->e.dn);

		if (!k->next[0]) {
			ulogin_change_init(&ch, ULOGIN_CHANGE_DELETE, dn,
					   "class.close");
			if ((lrc = ulogin_apply(c, &ch)) == LDAP_SUCCESS)
				closed++;
		} else {
			ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, dn,
					   "class.promote");
			ulogin_change_set(&ch, "uloginGrade", k->next);
			if (k->new_cn)
				retitle(&ch, &k->e);
			lrc = ulogin_apply(c, &ch);
			if (lrc == LDAP_SUCCESS && k->new_cn) {
				ulogin_change_free(&ch);
				ulogin_change_init(&ch, ULOGIN_CHANGE_RENAME,
						   dn, "class.rename");
				ch.newrdn = ulogin_rdn("cn", k->new_cn);
				lrc = ulogin_apply(c, &ch);
				if (lrc == LDAP_SUCCESS)
					renamed++;
			}
		}
		if (lrc != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, lrc, "cannot promote class "
					       "'%s'", ulogin_entry_get(&k->e,
								       "cn"));
		ulogin_change_free(&ch);
		free(dn);
	}
	if (rc)
		goto out;
	/* Then the students, all on their way at once. */
	ulogin_progress_start(&bar, o->progress, nchanges);
	pipe = ulogin_pipeline_start(c, 64, user_done, ctx);
	for (size_t i = 0; i < p.nusers; i++)
		if (p.users[i].ch.nmods)
			ulogin_pipeline_send(pipe, &p.users[i].ch,
					     (void *)(uintptr_t)i);
	lrc = ulogin_pipeline_end(pipe);
	ulogin_progress_clear(&bar);
	for (size_t i = 0; i < p.nusers; i++) {
		struct promote_user *u = &p.users[i];

		if (!u->ch.nmods)
			continue;
		if (u->rc == LDAP_SUCCESS) {
			moved++;
		} else {
			failed++;
			ulogin_ldap_error(c, u->rc, "cannot move '%s' up a "
					  "grade", ulogin_entry_get(&u->e,
								    "uid"));
		}
	}
	ulogin_info("promoted %zu classes (%zu renamed), closed %zu, moved "
		    "%zu students up a grade (%zu to a new level)%s",
		    p.ncls - closed, renamed, closed, moved, level_changes,
		    failed ? "; some failed, see above" : "");
	if (lrc != LDAP_SUCCESS && !failed)
		rc = ulogin_ldap_error(c, lrc, "cannot promote the students");
	else if (failed)
		rc = ULOGIN_EX_PARTIAL;
out:
	free_promote(&p);
	return rc;
}
