#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ldap.h>

#include "class.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "msg.h"
#include "operator.h"
#include "progress.h"
#include "stepup.h"
#include "banned.h"

#define WINDOW_RDN "stepup"
/* Step-ups of a class go out this many at a time on the connection. */
#define WINDOW 64

static const char *const person_attrs[] = { "uid", "cn", "uloginRole",
					     NULL };
static const char *const window_attrs[] = { "entryExpireTimestamp",
	"creatorsName", "createTimestamp", NULL };

/* One student of a command. */
struct target {
	char *username;
	char *name;
	char *dn;		/* the student */
	char *window;		/* cn=stepup below */
	time_t until;		/* of the step-up in force, 0: none */
	char *by;		/* who opened it (a username or DN) */
	int rc;			/* of this command's changes: an LDAP code */
	bool opened;		/* this command added its step-up */
	bool student;		/* a student, or roles not readable */
};

struct targets {
	struct target *v;
	size_t n;
};

static void
targets_free(struct targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].username);
		free(t->v[i].name);
		free(t->v[i].dn);
		free(t->v[i].window);
		free(t->v[i].by);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static void
add_target(struct targets *t, const struct ulogin_entry *e)
{
	struct target *x;
	const char *uid = ulogin_entry_get(e, "uid");
	const char *cn = ulogin_entry_get(e, "cn");

	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	x = &t->v[t->n++];
	memset(x, 0, sizeof(*x));
	x->dn = xstrdup(e->dn);
	x->username = uid ? xstrdup(uid) : ulogin_dn_who(e->dn);
	x->name = xstrdup(cn ? cn : "");
	x->window = ulogin_dn_child(e->dn, "cn", WINDOW_RDN);
	/* Roles the operator may not read (a service) are not judged
	 * here: slapd decides. */
	x->student = !ulogin_entry_values(e, "uloginRole") ||
		     ulogin_entry_has_value(e, "uloginRole", "student");
}

/* Leave out the targets who are not students, saying so. */
static void
keep_students(struct targets *t)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct target *x = &t->v[i];

		if (x->student) {
			t->v[kept++] = *x;
			continue;
		}
		ulogin_info("'%s' is not a student: left out", x->username);
		free(x->username);
		free(x->name);
		free(x->dn);
		free(x->window);
		free(x->by);
	}
	t->n = kept;
}

/* The members of a class, as the operator may see them. */
static int
class_targets(struct ulogin_conn *c, const char *class_name,
	      struct targets *t)
{
	static const char *const attrs[] = { "member", NULL };
	const struct strv *members;
	struct ulogin_query *q;
	struct ulogin_entry e, *people;
	int rc, lrc;

	if ((rc = ulogin_class_read(c, class_name, attrs, &e)))
		return rc;
	members = ulogin_entry_values(&e, "member");
	if (!members || !members->n) {
		ulogin_entry_free(&e);
		ulogin_error("class '%s' has no students", class_name);
		return ULOGIN_EX_DATAERR;
	}
	people = xcalloc(members->n, sizeof(*people));
	q = xcalloc(members->n, sizeof(*q));
	for (size_t i = 0; i < members->n; i++)
		q[i] = (struct ulogin_query){ members->v[i], ULOGIN_SCOPE_BASE,
			"(objectClass=*)", person_attrs, ulogin_entry_keep,
			&people[i], 0 };
	lrc = ulogin_search_all(c, q, members->n);
	if (lrc != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot read the students of "
				       "'%s'", class_name);
	/* A member whose entry is gone is nobody to step up. */
	for (size_t i = 0; !rc && i < members->n; i++)
		if (q[i].rc == LDAP_SUCCESS && people[i].dn)
			add_target(t, &people[i]);
		else if (q[i].rc != LDAP_NO_SUCH_OBJECT &&
			 q[i].rc != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, q[i].rc, "cannot read '%s'",
					       members->v[i]);
	for (size_t i = 0; i < members->n; i++)
		ulogin_entry_free(&people[i]);
	free(people);
	free(q);
	ulogin_entry_free(&e);
	return rc;
}

/* The step-ups of the targets as they are now. */
static int
read_windows(struct ulogin_conn *c, struct targets *t)
{
	struct ulogin_entry *w = xcalloc(t->n ? t->n : 1, sizeof(*w));
	struct ulogin_query *q = xcalloc(t->n ? t->n : 1, sizeof(*q));
	time_t now = time(NULL);
	int rc = LDAP_SUCCESS;

	for (size_t i = 0; i < t->n; i++)
		q[i] = (struct ulogin_query){ t->v[i].window, ULOGIN_SCOPE_BASE,
			"(objectClass=uloginStepUp)", window_attrs,
			ulogin_entry_keep, &w[i], 0 };
	if (t->n)
		rc = ulogin_search_all(c, q, t->n);
	for (size_t i = 0; rc == LDAP_SUCCESS && i < t->n; i++) {
		const char *exp = ulogin_entry_get(&w[i], "entryExpireTimestamp");
		time_t until;

		if (q[i].rc != LDAP_SUCCESS && q[i].rc != LDAP_NO_SUCH_OBJECT)
			rc = q[i].rc;
		/* slapd deletes an expired step-up a little later; until
		 * then it is over all the same. */
		if (w[i].dn && exp && ulogin_gtime_parse(exp, &until) == 0 &&
		    until > now) {
			t->v[i].until = until;
			free(t->v[i].by);
			t->v[i].by = ulogin_dn_who(ulogin_entry_get(&w[i],
							"creatorsName"));
		} else if (w[i].dn) {
			t->v[i].until = -1;	/* there, but over */
		}
		ulogin_entry_free(&w[i]);
	}
	free(w);
	free(q);
	return rc;
}

static int
resolve(struct ulogin_conn *c, const struct ulogin_stepup_who *who,
	struct ulogin_operator *op, struct targets *t)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = ulogin_operator_read(c, op)))
		return rc;
	if (who->class_name) {
		rc = class_targets(c, who->class_name, t);
	} else {
		struct ulogin_entry *e = NULL;

		rc = ulogin_operator_users(c, op, who->users, person_attrs,
					   &e);
		for (size_t i = 0; !rc && i < who->users->n; i++) {
			add_target(t, &e[i]);
			ulogin_entry_free(&e[i]);
		}
		free(e);
	}
	if (!rc) {
		int lrc = read_windows(c, t);

		if (lrc != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, lrc, "cannot read the "
					       "step-ups");
	}
	return rc;
}

/* ---- sending ------------------------------------------------------------ */

enum phase { END, OPEN, REFRESH };

struct batch {
	struct targets *t;
	struct ulogin_progress bar;
	enum phase phase;
};

static void
one_done(void *tag, int rc, const char *diag, void *data)
{
	struct batch *b = data;
	struct target *x = &b->t->v[(uintptr_t)tag];

	if (rc != LDAP_SUCCESS && x->rc == LDAP_SUCCESS)
		x->rc = rc;
	if (rc == LDAP_SUCCESS && b->phase == OPEN)
		x->opened = true;
	ulogin_progress_step(&b->bar);
}

/* One kind of change for every target that wants it, pipelined; what
 * each came to is in its rc. */
static int
send_phase(struct ulogin_conn *c, struct targets *t, enum phase ph,
	   long seconds, const char *action, bool (*wanted)(const struct target *))
{
	bool dry = ulogin_conn_config(c)->dry_run;
	struct batch b = { t, { false, 0, 0 }, ph };
	struct ulogin_pipeline *p;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < t->n; i++)
		n += t->v[i].rc == LDAP_SUCCESS && wanted(&t->v[i]);
	if (!n)
		return LDAP_SUCCESS;
	ulogin_progress_start(&b.bar, !dry && n > 1 && ulogin_progress_wanted(),
			      n);
	p = ulogin_pipeline_start(c, WINDOW, one_done, &b);
	for (size_t i = 0; i < t->n; i++) {
		struct target *x = &t->v[i];
		struct ulogin_change ch;

		if (x->rc != LDAP_SUCCESS || !wanted(x))
			continue;
		switch (ph) {
		case END:
			ulogin_change_init(&ch, ULOGIN_CHANGE_DELETE, x->window,
					   action);
			break;
		case OPEN:
			ulogin_change_init(&ch, ULOGIN_CHANGE_ADD, x->window,
					   action);
			ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass",
					  "uloginStepUp");
			ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass",
					  "dynamicObject");
			ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "cn", WINDOW_RDN);
			break;
		default:
			ulogin_change_init(&ch, ULOGIN_CHANGE_REFRESH,
					   x->window, action);
			ch.ttl = seconds;
			ch.comment = xasprintf("for %ld minutes",
					       seconds / 60);
			break;
		}
		if (dry)
			ulogin_change_ldif(stdout, &ch);
		ulogin_pipeline_send(p, &ch, (void *)(uintptr_t)i);
		ulogin_change_free(&ch);
	}
	rc = ulogin_pipeline_end(p);
	ulogin_progress_clear(&b.bar);
	return rc;
}

static bool
has_window(const struct target *x)
{
	return x->until != 0;
}

static bool
always(const struct target *x)
{
	return true;
}

/* Report the targets whose change failed; the exit code for them all. */
static int
report_failures(struct ulogin_conn *c, struct targets *t, const char *what)
{
	size_t failed = 0;
	int last = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].rc != LDAP_SUCCESS) {
			failed++;
			last = ulogin_ldap_error(c, t->v[i].rc, "cannot %s '%s'",
						 what, t->v[i].username);
		}
	if (!failed)
		return 0;
	return failed == t->n ? last : ULOGIN_EX_PARTIAL;
}

int
ulogin_stepup_grant(struct ulogin_conn *c, const struct ulogin_stepup_who *who,
		    long seconds, struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "name", "until",
					    "by", NULL };
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_operator op;
	struct targets t;
	struct ulogin_table *tab;
	char when[32];
	size_t made = 0;
	int rc, lrc;

	if (seconds > cfg->step_up_max) {
		ulogin_error("a step-up lasts at most %ld minutes, not %ld",
			     cfg->step_up_max / 60, seconds / 60);
		ulogin_hint("use --for with at most %ld minutes (step_up_max "
			    "in the config; the server allows 2 hours at most)",
			    cfg->step_up_max / 60);
		return ULOGIN_EX_USAGE;
	}
	if ((rc = resolve(c, who, &op, &t)))
		goto out;
	/* A step-up is for students: not for a teacher an administrator
	 * names by mistake; a class member who is none is left out. */
	for (size_t i = 0; i < t.n && !who->class_name; i++)
		if (!t.v[i].student) {
			ulogin_error("'%s' is not a student: step-ups are for "
				     "students", t.v[i].username);
			rc = ULOGIN_EX_DATAERR;
		}
	if (who->class_name)
		keep_students(&t);
	if (rc || (rc = ulogin_prepare_changes(c)))
		goto out;
	/* A new step-up replaces the one in force: slapd stamps the new
	 * one with who opened it now.  Each kind of change goes out for
	 * all at once, and the next kind only after the answers. */
	lrc = send_phase(c, &t, END, 0, "stepup.replace", has_window);
	if (lrc == LDAP_SUCCESS)
		lrc = send_phase(c, &t, OPEN, 0, "stepup.grant", always);
	if (lrc == LDAP_SUCCESS)
		lrc = send_phase(c, &t, REFRESH, seconds, "stepup.grant",
				 always);
	if (lrc != LDAP_SUCCESS && lrc != ULOGIN_LDAP_AUDIT_FAILED) {
		rc = ulogin_ldap_error(c, lrc, "cannot step up");
		goto out;
	}
	/* One that was opened but could not be given its time would last
	 * the server's default: take it away again. */
	if (!cfg->dry_run) {
		struct targets undo = { xcalloc(t.n ? t.n : 1, sizeof(*t.v)),
					0 };

		for (size_t i = 0; i < t.n; i++)
			if (t.v[i].rc != LDAP_SUCCESS && t.v[i].opened) {
				undo.v[undo.n] = t.v[i];
				undo.v[undo.n].rc = LDAP_SUCCESS;
				undo.n++;
			}
		send_phase(c, &undo, END, 0, "stepup.undo", always);
		free(undo.v);	/* the strings are t's */
	}
	rc = report_failures(c, &t, "step up");
	if (cfg->dry_run) {
		ulogin_info("would step up %zu user%s for %ld minutes (dry run)",
			    t.n, t.n == 1 ? "" : "s", seconds / 60);
		goto out;
	}
	/* What the server holds now: its own time and who. */
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].rc == LDAP_SUCCESS)
			t.v[i].until = 0;
	if ((lrc = read_windows(c, &t)) != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "stepped up, but cannot read "
				       "the step-ups back");
		goto out;
	}
	tab = ulogin_table_new(cols);
	for (size_t i = 0; i < t.n; i++) {
		if (t.v[i].rc != LDAP_SUCCESS || t.v[i].until <= 0)
			continue;
		made++;
		ulogin_table_begin_row(tab);
		ulogin_table_set(tab, 0, t.v[i].username);
		ulogin_table_set(tab, 1, t.v[i].name);
		ulogin_time_iso(t.v[i].until, when, sizeof(when));
		ulogin_table_set(tab, 2, when);
		ulogin_table_set(tab, 3, t.v[i].by);
	}
	*out = tab;
	if (made) {
		ulogin_time_words(time(NULL) + seconds, when, sizeof(when));
		ulogin_info("stepped up %zu user%s until %s", made,
			    made == 1 ? "" : "s", when);
	}
out:
	ulogin_operator_free(&op);
	targets_free(&t);
	return rc;
}

int
ulogin_stepup_revoke(struct ulogin_conn *c,
		     const struct ulogin_stepup_who *who)
{
	struct ulogin_operator op;
	struct targets t;
	size_t ended = 0;
	int rc, lrc;

	if ((rc = resolve(c, who, &op, &t)) ||
	    (rc = ulogin_prepare_changes(c)))
		goto out;
	for (size_t i = 0; i < t.n; i++)
		if (!t.v[i].until)
			ulogin_info("'%s' is not stepped up", t.v[i].username);
		else
			ended++;
	lrc = send_phase(c, &t, END, 0, "stepup.revoke", has_window);
	if (lrc != LDAP_SUCCESS && lrc != ULOGIN_LDAP_AUDIT_FAILED) {
		rc = ulogin_ldap_error(c, lrc, "cannot end the step-ups");
		goto out;
	}
	rc = report_failures(c, &t, "end the step-up of");
	if (!rc && ended)
		ulogin_info(ulogin_conn_config(c)->dry_run
			    ? "would end %zu step-up%s (dry run)"
			    : "ended %zu step-up%s", ended,
			    ended == 1 ? "" : "s");
out:
	ulogin_operator_free(&op);
	targets_free(&t);
	return rc;
}

/* ---- status ------------------------------------------------------------- */

static const char *const status_cols[] = { "username", "until", "by",
	"minutes_left#", NULL };

static void
status_row(struct ulogin_table *tab, const char *username, time_t until,
	   const char *by)
{
	char when[32], left[24];

	ulogin_time_iso(until, when, sizeof(when));
	snprintf(left, sizeof(left), "%ld",
		 (long)((until - time(NULL) + 59) / 60));
	ulogin_table_begin_row(tab);
	ulogin_table_set(tab, 0, username);
	ulogin_table_set(tab, 1, when);
	ulogin_table_set(tab, 2, by);
	ulogin_table_set(tab, 3, left);
}

/* Every step-up below ou=people the operator may see. */
static int
note_window(const struct ulogin_entry *e, void *data)
{
	struct ulogin_table *tab = data;
	const char *exp = ulogin_entry_get(e, "entryExpireTimestamp");
	char *user = ulogin_dn_parent(e->dn), *name, *by;
	time_t until;

	if (user && exp && ulogin_gtime_parse(exp, &until) == 0 &&
	    until > time(NULL)) {
		name = ulogin_dn_who(user);
		by = ulogin_dn_who(ulogin_entry_get(e, "creatorsName"));
		status_row(tab, name, until, by);
		free(name);
		free(by);
	}
	free(user);
	return 0;
}

int
ulogin_stepup_status(struct ulogin_conn *c,
		     const struct ulogin_stepup_who *who,
		     struct ulogin_table **out)
{
	struct ulogin_table *tab = ulogin_table_new(status_cols);
	struct ulogin_operator op;
	struct targets t;
	int rc = 0, lrc;

	memset(&op, 0, sizeof(op));
	memset(&t, 0, sizeof(t));
	if (!who) {
		char *people = ulogin_dn_people(ulogin_conn_base(c));

		lrc = ulogin_search(c, people, ULOGIN_SCOPE_SUB,
				    "(objectClass=uloginStepUp)", window_attrs,
				    note_window, tab);
		free(people);
		if (lrc != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, lrc, "cannot read the "
					       "step-ups");
	} else if (!(rc = resolve(c, who, &op, &t))) {
		for (size_t i = 0; i < t.n; i++)
			if (t.v[i].until > 0)
				status_row(tab, t.v[i].username, t.v[i].until,
					   t.v[i].by);
	}
	if (rc) {
		ulogin_table_free(tab);
	} else {
		ulogin_table_sort(tab, 0);
		*out = tab;
	}
	ulogin_operator_free(&op);
	targets_free(&t);
	return rc;
}

int
ulogin_stepup_check(struct ulogin_conn *c, const char *username, bool *up,
		    struct ulogin_record **out)
{
	struct strv one = STRV_INIT;
	struct ulogin_stepup_who who = { &one, NULL };
	struct ulogin_operator op;
	struct ulogin_record *r;
	struct targets t;
	int rc;

	*up = false;
	strv_push(&one, username);
	if (!(rc = resolve(c, &who, &op, &t))) {
		*up = t.v[0].until > 0;
		r = ulogin_record_new();
		ulogin_record_add(r, "username", "Username", t.v[0].username);
		ulogin_record_add_bool(r, "stepped_up", "Stepped up", *up);
		if (*up)
			ulogin_record_add_time(r, "until", "Until",
					       t.v[0].until);
		else
			ulogin_record_add(r, "until", "Until", NULL);
		ulogin_record_add(r, "by", "By", *up ? t.v[0].by : NULL);
		*out = r;
	}
	ulogin_operator_free(&op);
	targets_free(&t);
	strv_free(&one);
	return rc;
}
