/*
 * IMS OneRoster 1.1 CSV bulk exports (DESIGN.md section 6): a directory of
 * CSV files that name each other by sourcedId.  Orgs, classes and
 * enrollments are indexed in memory first -- only the few values ulogin
 * uses, never whole rows -- so that users.csv, read last and streamed,
 * reaches the sink one person at a time with institutions and classes
 * already resolved.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "exitcodes.h"
#include "roster.h"
#include "strmap.h"
#include "banned.h"

/*
 * Index values for what the export names but ulogin must not use: an org
 * or class that is to be deleted (whatever refers to it quietly drops the
 * reference), and a class that was reported as bad (its enrollments are
 * reported too, so the administrator sees who lost a class).
 */
static char deleted_mark, skipped_mark;
#define DELETED ((void *)&deleted_mark)
#define SKIPPED ((void *)&skipped_mark)

/* The data files, in the order they are read. */
enum file { F_ORGS, F_CLASSES, F_ENROLLMENTS, F_USERS, NFILES };

static const char *const file_names[NFILES] = {
	"orgs.csv", "classes.csv", "enrollments.csv", "users.csv"
};
static const char *const manifest_keys[NFILES] = {
	"file.orgs", "file.classes", "file.enrollments", "file.users"
};

/* The columns ulogin needs from each file; other columns are ignored. */
static const char *const manifest_cols[] = { "propertyName", "value", NULL };
static const char *const org_cols[] = { "sourcedId", NULL };
static const char *const class_cols[] = {
	"sourcedId", "title", "schoolSourcedId", NULL
};
static const char *const enrollment_cols[] = {
	"classSourcedId", "userSourcedId", NULL
};
static const char *const user_cols[] = {
	"sourcedId", "givenName", "familyName", "role", "orgSourcedIds", NULL
};

/* The columns whose values ulogin uses, required or not: checked for
 * control characters. */
static const char *const org_used[] = { "sourcedId", "identifier", NULL };
static const char *const class_used[] = {
	"sourcedId", "title", "classCode", "schoolSourcedId", "grades", NULL
};
static const char *const enrollment_used[] = {
	"sourcedId", "classSourcedId", "userSourcedId", NULL
};
static const char *const user_used[] = {
	"sourcedId", "givenName", "familyName", "role", "orgSourcedIds",
	"username", "email", "sms", "phone", "grades", "agentSourcedIds", NULL
};

/* OneRoster's roles as ulogin's. */
static const struct {
	const char *from, *to;
} role_map[] = {
	{ "student", "student" },
	{ "teacher", "teacher" },
	{ "parent", "parent" },
	{ "guardian", "parent" },
	{ "relative", "parent" },
	/* A school administrator is staff; the administrator right of
	 * ulogin is granted in the directory, never by an import. */
	{ "administrator", "staff" },
	{ "aide", "staff" },
	{ "proctor", "staff" },
};

/* A list of strings owned elsewhere (by struct oneroster's strings). */
struct refs {
	const char **v;
	size_t n, alloc;
};

struct oneroster {
	const char *dir;
	const struct ulogin_roster_opts *o;
	const struct ulogin_roster_sink *sink;
	struct ulogin_roster_error *err;

	const char *file;		/* base name of the file being read */
	const char *const *required;	/* its required columns */
	bool header_checked;

	bool absent[NFILES];		/* the manifest says "absent" */
	bool have_version;

	struct strv strings;		/* every string the indexes hold */
	struct strmap orgs;		/* sourcedId: institution number */
	struct strmap classes;		/* sourcedId: class key */
	struct strmap enrolled;		/* user sourcedId: struct refs of
					   class keys */
	struct strmap guardians;	/* user sourcedId: struct refs of
					   the sourcedIds of their parents */
	struct refs **lists;		/* every struct refs, to free */
	size_t nlists, alloc_lists;
};

/* Keep a copy of s for as long as the indexes live. */
static const char *
keep(struct oneroster *r, const char *s)
{
	strv_push(&r->strings, s);
	return r->strings.v[r->strings.n - 1];
}

/* The list stored under key in map, made on first use. */
static struct refs *
refs_of(struct oneroster *r, struct strmap *map, const char *key)
{
	struct refs *l = strmap_get(map, key);

	if (l)
		return l;
	l = xcalloc(1, sizeof(*l));
	if (r->nlists == r->alloc_lists) {
		r->alloc_lists = r->alloc_lists ? r->alloc_lists * 2 : 256;
		r->lists = xreallocarray(r->lists, r->alloc_lists,
					 sizeof(*r->lists));
	}
	r->lists[r->nlists++] = l;
	strmap_put(map, key, l);
	return l;
}

/* Add s unless it is there; the strings are interned, so compare by
 * address.  A person's lists are short. */
static void
refs_add(struct refs *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == s)
			return;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 4;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

/* A cell's value, "" when the row is short or the column absent. */
static const char *
val(const struct ulogin_row *row, const char *column)
{
	const char *v = ulogin_row_get(row, column);

	return v ? v : "";
}

static bool
to_be_deleted(const struct ulogin_row *row)
{
	return !strcasecmp(val(row, "status"), "tobedeleted");
}

/* The first value of a list cell (allocated), or NULL. */
static char *
first_of(const char *v)
{
	struct strv l = STRV_INIT;
	char *first = NULL;

	ulogin_split_cell(v, ',', &l);
	if (l.n) {
		first = l.v[0];
		l.v[0] = NULL;	/* now ours; strv_free frees NULL */
	}
	strv_free(&l);
	return first;
}

/*
 * The cells of a row that ulogin reads, checked for what no value may
 * hold (a line break, a control character): the reason, allocated, or
 * NULL.  Columns the file does not have are skipped.
 */
static char *
unsafe_cell(const struct ulogin_row *row, const char *const *cols)
{
	const char *w;

	for (size_t i = 0; cols[i]; i++)
		if ((w = ulogin_text_unsafe(val(row, cols[i]))))
			return xasprintf("%s holds %s", cols[i], w);
	return NULL;
}

static const char *
ulogin_role(const char *role)
{
	for (size_t i = 0; i < sizeof(role_map) / sizeof(*role_map); i++)
		if (!strcasecmp(role, role_map[i].from))
			return role_map[i].to;
	return NULL;
}

static int
data_error(struct oneroster *r, size_t line, char *message)
{
	free(r->err->message);
	r->err->message = message;
	r->err->line = line;
	r->err->offset = 0;
	return ULOGIN_EX_DATAERR;
}

/* Every row callback starts here: a file without a column ulogin needs
 * is refused whole, before any of its rows is used. */
static int
check_header(struct oneroster *r, const struct ulogin_row *row)
{
	if (r->header_checked)
		return 0;
	for (size_t i = 0; r->required[i]; i++) {
		size_t j;

		for (j = 0; j < row->header->n; j++)
			if (!strcasecmp(row->header->v[j], r->required[i]))
				break;
		if (j == row->header->n)
			return data_error(r, 1, xasprintf("no column '%s' in "
					  "the header", r->required[i]));
	}
	r->header_checked = true;
	return 0;
}

/* A skipped row, reported to the sink; takes why. */
static int
bad(struct oneroster *r, const struct ulogin_row *row, const char *key,
    char *why)
{
	int rc = r->sink->bad(r->sink->data, r->file, row->line,
			      key && *key && !ulogin_text_unsafe(key) ? key
			      : NULL, why);

	free(why);
	return rc;
}

/* Read one file of the directory; reader errors get the file's name in
 * front, so the administrator knows which of the five to look at. */
static int
read_file(struct oneroster *r, const char *name, const char *const *required,
	  ulogin_row_fn fn)
{
	char *path = xasprintf("%s/%s", r->dir, name);
	int rc;

	r->file = name;
	r->required = required;
	r->header_checked = false;
	rc = ulogin_roster_read(path, r->o, fn, r, r->err);
	free(path);
	if (rc && r->err->message) {
		char *m = xasprintf("%s: %s", name, r->err->message);

		free(r->err->message);
		r->err->message = m;
	}
	return rc;
}

/* ---- manifest.csv ------------------------------------------------------ */

static int
manifest_row(const struct ulogin_row *row, void *data)
{
	struct oneroster *r = data;
	const char *name = val(row, "propertyName"), *v = val(row, "value");
	int rc;

	if ((rc = check_header(r, row)))
		return rc;
	/* The manifest says what is read: a row of it cannot be skipped. */
	if (row->why)
		return data_error(r, row->line, xstrdup(row->why));
	if (!strcasecmp(name, "oneroster.version")) {
		if (strcmp(v, "1.1"))
			return data_error(r, row->line, xasprintf(
				"oneroster.version is '%s': only OneRoster "
				"1.1 is supported", v));
		r->have_version = true;
		return 0;
	}
	for (size_t f = 0; f < NFILES; f++) {
		if (strcasecmp(name, manifest_keys[f]))
			continue;
		if (!strcasecmp(v, "bulk"))
			r->absent[f] = false;
		else if (!strcasecmp(v, "absent"))
			r->absent[f] = true;
		else if (!strcasecmp(v, "delta"))
			return data_error(r, row->line, xasprintf(
				"%s is 'delta': delta exports are not "
				"supported: export in bulk", manifest_keys[f]));
		else
			return data_error(r, row->line, xasprintf(
				"%s is '%s' (expected bulk or absent)",
				manifest_keys[f], v));
	}
	return 0;
}

/* ---- orgs.csv ---------------------------------------------------------- */

static int
org_row(const struct ulogin_row *row, void *data)
{
	struct oneroster *r = data;
	const char *id = val(row, "sourcedId"), *number;
	char *why;
	int rc;

	if ((rc = check_header(r, row)))
		return rc;
	if (row->why)
		return bad(r, row, id, xstrdup(row->why));
	if ((why = unsafe_cell(row, org_used)))
		return bad(r, row, id, why);
	if (!*id)
		return bad(r, row, NULL, xstrdup("no sourcedId"));
	if (strmap_get(&r->orgs, id))
		return bad(r, row, id, xasprintf("org '%s' appears twice",
						 id));
	if (to_be_deleted(row)) {
		strmap_put(&r->orgs, id, DELETED);
		return 0;
	}
	/* The identifier is the institution number when the export fills
	 * it in; else the sourcedId has to serve. */
	number = *val(row, "identifier") ? val(row, "identifier") : id;
	strmap_put(&r->orgs, id, (void *)keep(r, number));
	return 0;
}

/* ---- classes.csv ------------------------------------------------------- */

static int
class_row(const struct ulogin_row *row, void *data)
{
	struct oneroster *r = data;
	const char *id = val(row, "sourcedId"), *key, *name;
	const char *school = val(row, "schoolSourcedId");
	const char *number;
	char *grade, *first, *why;
	int rc;

	if ((rc = check_header(r, row)))
		return rc;
	if (row->why)
		why = xstrdup(row->why);
	else
		why = unsafe_cell(row, class_used);
	if (why) {
		/* Its enrollments are reported too. */
		if (*id && !ulogin_text_unsafe(id) &&
		    !strmap_get(&r->classes, id))
			strmap_put(&r->classes, id, SKIPPED);
		return bad(r, row, id, why);
	}
	if (!*id)
		return bad(r, row, NULL, xstrdup("no sourcedId"));
	if (strmap_get(&r->classes, id))
		return bad(r, row, id, xasprintf("class '%s' appears twice",
						 id));
	if (to_be_deleted(row)) {
		strmap_put(&r->classes, id, DELETED);
		return 0;
	}
	number = strmap_get(&r->orgs, school);
	if (number == DELETED) {
		/* The school goes, and its classes with it. */
		strmap_put(&r->classes, id, DELETED);
		return 0;
	}
	name = *val(row, "classCode") ? val(row, "classCode")
				      : val(row, "title");
	if (!*school || !number || !*name) {
		strmap_put(&r->classes, id, SKIPPED);
		return bad(r, row, id, !*school
			   ? xstrdup("no schoolSourcedId")
			   : !number
			   ? xasprintf("unknown school '%s'", school)
			   : xstrdup("no classCode or title"));
	}
	key = keep(r, id);
	strmap_put(&r->classes, id, (void *)key);
	/* A grade ulogin has no level for (pre-kindergarten, say) is not
	 * the class's grade; its pupils' grades still say it. */
	first = first_of(val(row, "grades"));
	grade = ulogin_grade_normal(first);
	rc = r->sink->klass(r->sink->data, key, number, name, grade);
	free(first);
	free(grade);
	return rc;
}

/* ---- enrollments.csv --------------------------------------------------- */

static int
enrollment_row(const struct ulogin_row *row, void *data)
{
	struct oneroster *r = data;
	const char *id = val(row, "sourcedId");
	const char *class = val(row, "classSourcedId");
	const char *user = val(row, "userSourcedId");
	const char *key;
	char *why;
	int rc;

	if ((rc = check_header(r, row)))
		return rc;
	if (row->why)
		return bad(r, row, id, xstrdup(row->why));
	if (to_be_deleted(row))
		return 0;
	if ((why = unsafe_cell(row, enrollment_used)))
		return bad(r, row, id, why);
	if (!*class)
		return bad(r, row, id, xstrdup("no classSourcedId"));
	if (!*user)
		return bad(r, row, id, xstrdup("no userSourcedId"));
	key = strmap_get(&r->classes, class);
	if (key == DELETED)
		return 0;
	if (!key)
		return bad(r, row, id, xasprintf("unknown class '%s'", class));
	if (key == SKIPPED)
		return bad(r, row, id, xasprintf("class '%s' was skipped "
			   "(see classes.csv)", class));
	/* Whether this makes the user a member or a teacher of the class
	 * is the user's own role's business. */
	refs_add(refs_of(r, &r->enrolled, user), key);
	return 0;
}

/* ---- users.csv --------------------------------------------------------- */

/*
 * The first pass over users.csv.  A parent's agentSourcedIds name their
 * children, a student's name their parents; exports often fill in only
 * one side.  ulogin keeps the relation on the child, so the parents
 * named on the parents' rows are collected before any child is delivered.
 * The pass also finds a file that cannot be read whole before the sink
 * has seen any of it.
 */
static int
guardian_row(const struct ulogin_row *row, void *data)
{
	struct oneroster *r = data;
	const char *id = val(row, "sourcedId"), *role, *parent;
	struct strv children = STRV_INIT;
	char *why = NULL;
	int rc;

	if ((rc = check_header(r, row)))
		return rc;
	/* A row that is not whole or not clean is reported by the second
	 * pass, and names no children. */
	if (row->why || (why = unsafe_cell(row, user_used))) {
		free(why);
		return 0;
	}
	role = ulogin_role(val(row, "role"));
	if (to_be_deleted(row) || !*id || !role || strcmp(role, "parent"))
		return 0;
	ulogin_split_cell(val(row, "agentSourcedIds"), ',', &children);
	if (children.n) {
		parent = keep(r, id);
		for (size_t i = 0; i < children.n; i++)
			refs_add(refs_of(r, &r->guardians, children.v[i]),
				 parent);
	}
	strv_free(&children);
	return 0;
}

static char *
lower_case(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

/* A user row to a person: 0, or -1 with *why (allocated). */
static int
user_person(struct oneroster *r, const struct ulogin_row *row,
	    struct ulogin_person_row *p, char **why)
{
	static const char *const required[] = {
		"sourcedId", "givenName", "familyName", "role",
		"orgSourcedIds"
	};
	static const struct {
		const char *column;
		enum ulogin_field field;
	} optional[] = {
		{ "username", ULOGIN_F_USERNAME },
		{ "grades", ULOGIN_F_GRADE },
		{ "email", ULOGIN_F_MAIL },
		{ "sms", ULOGIN_F_MOBILE },
		{ "phone", ULOGIN_F_MOBILE },
		{ "agentSourcedIds", ULOGIN_F_PARENTS },
	};
	struct strv orgs = STRV_INIT;
	const char *role, *v, *w, *gone = NULL;
	char *grade = NULL;
	struct refs *l;

	memset(p, 0, sizeof(*p));
	p->line = row->line;
	if ((*why = unsafe_cell(row, user_used)))
		return -1;
	for (size_t i = 0; i < sizeof(required) / sizeof(*required); i++)
		if (ulogin_text_blank(v = val(row, required[i]))) {
			*why = xasprintf(*v ? "no %s (only spaces)" : "no %s",
					 required[i]);
			return -1;
		}
	if (!(role = ulogin_role(val(row, "role")))) {
		*why = xasprintf("unknown role '%s'", val(row, "role"));
		return -1;
	}
	/* The source speaks for the values whose columns the export has:
	 * in a column that is there, an empty cell means none. */
	p->managed = ULOGIN_FIELD_BIT(ULOGIN_F_EXTERNAL_ID) |
		     ULOGIN_FIELD_BIT(ULOGIN_F_GIVEN_NAME) |
		     ULOGIN_FIELD_BIT(ULOGIN_F_SURNAME) |
		     ULOGIN_FIELD_BIT(ULOGIN_F_ROLE) |
		     ULOGIN_FIELD_BIT(ULOGIN_F_INSTITUTION);
	for (size_t i = 0; i < sizeof(optional) / sizeof(*optional); i++)
		if (ulogin_row_get(row, optional[i].column))
			p->managed |= ULOGIN_FIELD_BIT(optional[i].field);
	if (!r->absent[F_ENROLLMENTS])
		p->managed |= ULOGIN_FIELD_BIT(ULOGIN_F_CLASSES);
	p->external_id = xstrdup(val(row, "sourcedId"));
	p->given_name = xstrdup(val(row, "givenName"));
	p->surname = xstrdup(val(row, "familyName"));
	strv_push(&p->roles, role);
	ulogin_split_cell(val(row, "orgSourcedIds"), ',', &orgs);
	for (size_t i = 0; i < orgs.n; i++) {
		const char *number = strmap_get(&r->orgs, orgs.v[i]);

		if (!number) {
			*why = xasprintf("unknown org '%s'", orgs.v[i]);
			goto bad;
		}
		if (number == DELETED)
			gone = orgs.v[i];
		else if (!strv_contains(&p->institutions, number))
			strv_push(&p->institutions, number);
	}
	if (!p->institutions.n) {
		*why = gone ? xasprintf("org '%s' is to be deleted", gone)
			    : xstrdup("no orgSourcedIds");
		goto bad;
	}
	if (*(v = val(row, "username"))) {
		p->username = lower_case(v);
		if ((w = ulogin_username_invalid(p->username))) {
			*why = xasprintf("bad username '%s': %s", v, w);
			goto bad;
		}
	}
	/* OneRoster's grades are the grades a student is enrolled in; on a
	 * teacher they are the grades taught, which must not give the
	 * teacher a pupil's password policy. */
	if (!strcmp(role, "student") &&
	    (grade = first_of(val(row, "grades"))) &&
	    !(p->grade = ulogin_grade_normal(grade))) {
		*why = xasprintf("bad grade '%s' (0-10 or g1-g3)", grade);
		goto bad;
	}
	if (*(v = val(row, "email"))) {
		if ((w = ulogin_mail_invalid(v))) {
			*why = xasprintf("bad mail address '%s': %s", v, w);
			goto bad;
		}
		p->mail = xstrdup(v);
	}
	v = *val(row, "sms") ? val(row, "sms") : val(row, "phone");
	if (*v && !(p->mobile = ulogin_mobile_e164(v, "+45", &w))) {
		*why = xasprintf("bad mobile number: %s", w);
		goto bad;
	}
	if ((l = strmap_get(&r->enrolled, p->external_id)))
		for (size_t i = 0; i < l->n; i++)
			strv_push(&p->classes, l->v[i]);
	/* A parent's agents are their children: that relation reaches the
	 * children through the first pass. */
	if (strcmp(role, "parent")) {
		ulogin_split_cell(val(row, "agentSourcedIds"), ',', &p->parents);
		if ((l = strmap_get(&r->guardians, p->external_id)))
			for (size_t i = 0; i < l->n; i++)
				if (!strv_contains(&p->parents, l->v[i]))
					strv_push(&p->parents, l->v[i]);
	}
	strv_free(&orgs);
	free(grade);
	return 0;
bad:
	strv_free(&orgs);
	free(grade);
	ulogin_person_row_free(p);
	return -1;
}

static int
user_row(const struct ulogin_row *row, void *data)
{
	struct oneroster *r = data;
	struct ulogin_person_row p;
	char *why;
	int rc;

	if ((rc = check_header(r, row)))
		return rc;
	/* Before its status: in a row that is not whole, the status may be
	 * another column's value. */
	if (row->why)
		return bad(r, row, val(row, "sourcedId"), xstrdup(row->why));
	/* Not delivered at all: the plan then treats them as leavers. */
	if (to_be_deleted(row))
		return 0;
	if (user_person(r, row, &p, &why) < 0)
		return bad(r, row, val(row, "sourcedId"), why);
	rc = r->sink->person(r->sink->data, &p);
	ulogin_person_row_free(&p);
	return rc;
}

/* ---- the directory ----------------------------------------------------- */

static int
read_all(struct oneroster *r)
{
	static const ulogin_row_fn fns[NFILES] = {
		org_row, class_row, enrollment_row, user_row
	};
	static const char *const *const cols[NFILES] = {
		org_cols, class_cols, enrollment_cols, user_cols
	};
	int rc;

	if ((rc = read_file(r, "manifest.csv", manifest_cols, manifest_row)))
		return rc;
	if (!r->have_version)
		return data_error(r, 0, xstrdup("manifest.csv: no "
				  "oneroster.version: is this a OneRoster "
				  "export?"));
	if (r->absent[F_USERS])
		return data_error(r, 0, xstrdup("manifest.csv: no users: "
				  "file.users is 'absent'"));
	for (size_t f = 0; f < NFILES; f++) {
		if (r->absent[f])
			continue;
		if (f == F_USERS &&
		    (rc = read_file(r, file_names[f], cols[f], guardian_row)))
			return rc;
		if ((rc = read_file(r, file_names[f], cols[f], fns[f])))
			return rc;
	}
	return 0;
}

int
ulogin_oneroster_read(const char *dir, const struct ulogin_roster_opts *o,
		      const struct ulogin_roster_sink *sink,
		      struct ulogin_roster_error *err)
{
	struct oneroster r = {
		.dir = dir, .o = o, .sink = sink, .err = err,
		.orgs = STRMAP_INIT, .classes = STRMAP_INIT,
		.enrolled = STRMAP_INIT, .guardians = STRMAP_INIT,
	};
	int rc;

	memset(err, 0, sizeof(*err));
	rc = read_all(&r);
	for (size_t i = 0; i < r.nlists; i++) {
		free(r.lists[i]->v);
		free(r.lists[i]);
	}
	free(r.lists);
	strmap_free(&r.orgs);
	strmap_free(&r.classes);
	strmap_free(&r.enrolled);
	strmap_free(&r.guardians);
	strv_free(&r.strings);
	return rc;
}
