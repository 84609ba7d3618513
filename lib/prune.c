/*
 * ulogin-user prune: block and mark accounts unused for a period, and
 * delete them when they stay unused for the retention period after that.
 *
 * The mark is an attribute of its own, uloginPrunedAt, not a fixed block
 * reason: a reason is free text an administrator may type (the same words
 * by hand must never lead to a deletion), the retention counts from the
 * mark's own time, and slapd's access rules keep it to those who may
 * block, and on staff to the directory manager (data/access.model).
 *
 * A deletion needs more than the mark: the block must still be prune's
 * own (the mark's time is the block's time, uloginBlockedAt, and the
 * reason is prune's), the account unused for the idle period of this
 * run, and staff are the directory manager's.  unblock and block take
 * the mark off.  Every change is sent with an assertion (RFC 4528) of
 * what the decision was made on, so an account changed between the
 * list and the change (a block, an unblock, a login) is left alone.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ldap.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "import.h"
#include "mem.h"
#include "msg.h"
#include "operator.h"
#include "progress.h"
#include "prune.h"
#include "state.h"
#include "banned.h"

#define BLOCKED_TIME "000001010000Z"
/* The end of prune's block reason, "unused since ... (ulogin-user
 * prune)". */
#define PRUNE_TAG "(ulogin-user prune)"
/* Not done: the account changed since it was listed (an assertion
 * failed). */
#define CHANGED (-1)

enum action { ACT_NONE, ACT_BLOCK, ACT_DELETE, ACT_WAIT, ACT_UNMARK,
	      ACT_KEEP, ACT_SKIP };

static const char *const action_words[] = {
	"", "block", "delete", "wait", "unmark", "keep", "skip"
};

struct account {
	char *uid, *cn, *dn;
	struct strv admin_of;
	time_t last;		/* last login, else creation; 0 unknown */
	bool login;		/* last is a login (pwdLastSuccess) */
	bool blocked, left;
	char *lock;		/* pwdAccountLockedTime as read, or NULL */
	char *mark;		/* uloginPrunedAt as read, or NULL */
	enum action action;
	char *detail;
	const char *result;
};

struct prune_run {
	struct ulogin_conn *c;
	const struct ulogin_prune_opts *o;
	bool person;		/* the operator is a person (not manager) */
	time_t now;
	long retention;
	struct account *v;	/* accounts concerned, and administrators */
	size_t n;
	size_t total;		/* accounts in scope, for the guard */
	size_t count[ACT_SKIP + 1];
	size_t changed;		/* left alone: changed since listed */
};

static time_t
gtime(const char *v)
{
	time_t t;

	return v && ulogin_gtime_parse(v, &t) == 0 ? t : 0;
}

/* Is the block prune's own: blocked at the very time of the mark, with
 * prune's reason?  An administrator's later block is not, even when the
 * mark was left (a raw unblock and block). */
static bool
prunes_block(const struct ulogin_entry *e, time_t pruned)
{
	const char *why = ulogin_entry_get(e, "uloginBlockReason");
	size_t n = why ? strlen(why) : 0, k = strlen(PRUNE_TAG);

	return gtime(ulogin_entry_get(e, "uloginBlockedAt")) == pruned &&
	       n >= k && !strcasecmp(why + n - k, PRUNE_TAG);
}

/* What to do with an account marked as unused at pruned. */
static enum action
decide_marked(struct prune_run *r, const struct ulogin_entry *e, time_t last,
	      time_t pruned, bool blocked, char **detail)
{
	char *a = ulogin_time_words_new(pruned);
	time_t due;

	if (!blocked) {
		*detail = xasprintf("unblocked since it was blocked as unused "
				    "on %s", a);
		free(a);
		return ACT_UNMARK;
	}
	if (last > pruned) {
		*detail = xasprintf("used since it was blocked as unused on "
				    "%s", a);
		free(a);
		return ACT_UNMARK;
	}
	if (!prunes_block(e, pruned)) {
		*detail = xasprintf("blocked again, for another reason, since "
				    "it was blocked as unused on %s", a);
		free(a);
		return ACT_UNMARK;
	}
	free(a);
	if (r->person && ulogin_user_is_staff(e)) {
		*detail = xstrdup("staff: only the directory manager prunes "
				  "teachers, staff and administrators");
		return ACT_SKIP;
	}
	if (!last) {
		*detail = xstrdup("cannot tell when it was last used (you may "
				  "not read its last login or creation time)");
		return ACT_SKIP;
	}
	/* Unused for the retention after the mark, and for the idle
	 * period of this run. */
	due = pruned + r->retention;
	if (last + r->o->idle > due)
		due = last + r->o->idle;
	a = ulogin_time_words_new(pruned);
	if (due <= r->now) {
		*detail = xasprintf("blocked as unused on %s and still unused",
				    a);
		free(a);
		return ACT_DELETE;
	}
	free(a);
	a = ulogin_time_words_new(due);
	*detail = xasprintf("blocked as unused; deleted from %s if still "
			    "unused", a);
	free(a);
	return ACT_WAIT;
}

/* What to do with one account; ACT_NONE leaves it out of the list. */
static enum action
decide(struct prune_run *r, const struct ulogin_entry *e, time_t last,
       char **detail)
{
	const char *why = ulogin_entry_get(e, "uloginBlockReason");
	time_t pruned = gtime(ulogin_entry_get(e, "uloginPrunedAt"));
	bool blocked = ulogin_lock_is_block(ulogin_entry_get(e,
					    "pwdAccountLockedTime"));

	if (pruned)
		return decide_marked(r, e, last, pruned, blocked, detail);
	if (!last) {
		*detail = xstrdup("cannot tell when it was last used (you may "
				  "not read its last login or creation time)");
		return ACT_SKIP;
	}
	if (last + r->o->idle > r->now)
		return ACT_NONE;
	if (ulogin_entry_get(e, "uloginLeftAt")) {
		*detail = xstrdup("left the school: the import removes it");
		return ACT_SKIP;
	}
	if (blocked) {
		*detail = why ? xasprintf("already blocked, and it keeps its "
					  "reason: %s", why)
			      : xstrdup("already blocked, and it keeps its "
					"reason");
		return ACT_SKIP;
	}
	if (r->person && ulogin_user_is_staff(e)) {
		*detail = xstrdup("staff: only the directory manager prunes "
				  "teachers, staff and administrators");
		return ACT_SKIP;
	}
	*detail = NULL;
	return ACT_BLOCK;
}

static int
note_account(const struct ulogin_entry *e, void *data)
{
	struct prune_run *r = data;
	const char *uid = ulogin_entry_get(e, "uid");
	const struct strv *admin = ulogin_entry_values(e, "uloginAdminOf");
	const char *lock = ulogin_entry_get(e, "pwdAccountLockedTime");
	const char *mark = ulogin_entry_get(e, "uloginPrunedAt");
	time_t last = gtime(ulogin_entry_get(e, "pwdLastSuccess"));
	bool login = last != 0;
	enum action act = ACT_NONE;
	char *detail = NULL;
	struct account *a;

	if (!uid)
		return 0;
	if (!last)
		last = gtime(ulogin_entry_get(e, "createTimestamp"));
	if (!r->o->institution || ulogin_entry_has_value(e,
			"uloginInstitution", r->o->institution)) {
		r->total++;
		act = decide(r, e, last, &detail);
	}
	/* Administrators are kept in the list for the last-one rule. */
	if (act == ACT_NONE && !admin)
		return 0;
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	a = &r->v[r->n++];
	memset(a, 0, sizeof(*a));
	a->uid = xstrdup(uid);
	a->cn = ulogin_entry_get(e, "cn") ? xstrdup(ulogin_entry_get(e, "cn"))
					  : NULL;
	a->dn = xstrdup(e->dn);
	for (size_t i = 0; admin && i < admin->n; i++)
		strv_push(&a->admin_of, admin->v[i]);
	a->last = last;
	a->login = login;
	a->blocked = ulogin_lock_is_block(lock);
	a->left = ulogin_entry_get(e, "uloginLeftAt") != NULL;
	a->lock = lock ? xstrdup(lock) : NULL;
	a->mark = mark ? xstrdup(mark) : NULL;
	a->action = act;
	a->detail = detail;
	return 0;
}

static bool
removing(const struct account *a)
{
	return a->action == ACT_BLOCK || a->action == ACT_DELETE;
}

/* Is a an administrator of inst who can still act after this run: not
 * blocked, not left, not blocked or deleted by it? */
static bool
stays_active(const struct account *a)
{
	return !a->blocked && !a->left && !removing(a);
}

/* The holder of inst's right with action which that was used last, or
 * NULL. */
static struct account *
latest(struct prune_run *r, const char *inst, enum action which)
{
	struct account *best = NULL;

	for (size_t j = 0; j < r->n; j++) {
		struct account *b = &r->v[j];

		if (b->action == which && strv_contains(&b->admin_of, inst) &&
		    (!best || b->last > best->last))
			best = b;
	}
	return best;
}

/* Never the last administrator of an institution.  When no holder of
 * its right could act after the run (all blocked already, left, or to be
 * blocked now), the one used last of those to be blocked stays; when
 * every holder would go, the one used last of those to be deleted. */
static void
keep_last_admins(struct prune_run *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < r->v[i].admin_of.n; k++) {
			const char *inst = r->v[i].admin_of.v[k];
			struct account *keep = NULL;
			bool active = false, holder = false;

			for (size_t j = 0; j < r->n; j++) {
				const struct account *b = &r->v[j];

				if (!strv_contains(&b->admin_of, inst))
					continue;
				active = active || stays_active(b);
				holder = holder || !removing(b);
			}
			if (!active)
				keep = latest(r, inst, ACT_BLOCK);
			if (!keep && !holder)
				keep = latest(r, inst, ACT_DELETE);
			if (!keep)
				continue;
			keep->action = ACT_KEEP;
			free(keep->detail);
			keep->detail = xasprintf("the last administrator of "
						 "%s", inst);
		}
}

static int
collect(struct prune_run *r)
{
	static const char *const attrs[] = { "uid", "cn", "uloginRole",
		"uloginInstitution", "uloginAdminOf", "pwdLastSuccess",
		"createTimestamp", "pwdAccountLockedTime", "uloginLeftAt",
		"uloginPrunedAt", "uloginBlockReason", "uloginBlockedAt",
		NULL };
	char *people = ulogin_dn_people(ulogin_conn_base(r->c));
	int rc;

	rc = ulogin_search(r->c, people, ULOGIN_SCOPE_ONE,
			   "(objectClass=uloginAccount)", attrs, note_account,
			   r);
	free(people);
	if (rc != LDAP_SUCCESS)
		return ulogin_ldap_error(r->c, rc, "cannot search for users");
	keep_last_admins(r);
	for (size_t i = 0; i < r->n; i++)
		r->count[r->v[i].action]++;
	return 0;
}

/* ---- acting ----------------------------------------------------------- */

/* "(!(pwdLastSuccess>=T))", T a second after the last login read, or
 * "(!(pwdLastSuccess=*))" for an account never used: no login since the
 * list was made. */
static char *
no_login_since(const struct account *a)
{
	char t[16];

	if (!a->login)
		return xstrdup("(!(pwdLastSuccess=*))");
	ulogin_gtime_format(a->last + 1, t, sizeof(t));
	return ulogin_filter("(!(pwdLastSuccess>=%s))", t);
}

/* Apply ch only while the entry matches assertion: CHANGED when it does
 * not, else an exit code (said, with what). */
static int
apply_if(struct prune_run *r, const struct ulogin_change *ch,
	 const char *assertion, const char *what, const char *uid)
{
	int rc = ulogin_apply_asserted(r->c, ch, assertion);

	if (rc == LDAP_ASSERTION_FAILED)
		return CHANGED;
	if (rc != LDAP_SUCCESS)
		return ulogin_ldap_error(r->c, rc, "cannot %s user '%s'", what,
					 uid);
	return 0;
}

/* Block and mark, while the account is as it was listed: not blocked
 * or locked but as read, and not used since. */
static int
block(struct prune_run *r, struct account *a)
{
	char now[16], *since, *reason, *lock, *login, *assertion;
	struct ulogin_change ch;
	int rc;

	ulogin_gtime_format(r->now, now, sizeof(now));
	since = ulogin_time_words_new(a->last);
	reason = xasprintf("unused since %s " PRUNE_TAG, since);
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, a->dn, "user.prune");
	ulogin_change_set(&ch, "pwdAccountLockedTime", BLOCKED_TIME);
	ulogin_change_set(&ch, "uloginBlockReason", reason);
	ulogin_change_set(&ch, "uloginBlockedAt", now);
	/* Who blocked: a person writes their own DN only (slapd); for
	 * anyone else the reason and the mark say it. */
	ulogin_change_set(&ch, "uloginBlockedBy",
			  r->person ? ulogin_conn_operator(r->c) : NULL);
	ulogin_change_set(&ch, "uloginPrunedAt", now);
	lock = a->lock ? ulogin_filter("(pwdAccountLockedTime=%s)", a->lock)
		       : xstrdup("(!(pwdAccountLockedTime=*))");
	login = no_login_since(a);
	assertion = ulogin_filter("(&%r%r(!(uloginPrunedAt=*)))", lock,
				  login);
	rc = apply_if(r, &ch, assertion, "block", a->uid);
	ulogin_change_free(&ch);
	free(assertion);
	free(login);
	free(lock);
	free(reason);
	free(since);
	return rc;
}

static int
unmark(struct prune_run *r, struct account *a)
{
	struct ulogin_change ch;
	char *assertion = ulogin_filter("(uloginPrunedAt=%s)", a->mark);
	int rc;

	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, a->dn, "user.prune");
	ulogin_change_set(&ch, "uloginPrunedAt", NULL);
	rc = apply_if(r, &ch, assertion, "take the unused mark off", a->uid);
	ulogin_change_free(&ch);
	free(assertion);
	return rc;
}

/* Delete, while the block is prune's own from the mark that was read
 * and the account was not used since. */
static int
delete_marked(struct prune_run *r, struct account *a)
{
	char *login = no_login_since(a);
	char *assertion = ulogin_filter("(&(pwdAccountLockedTime=%s)"
					"(uloginPrunedAt=%s)"
					"(uloginBlockedAt=%s)"
					"(uloginBlockReason=*%s)%r)",
					BLOCKED_TIME, a->mark, a->mark,
					PRUNE_TAG, login);
	bool mismatch;
	int rc;

	rc = ulogin_user_delete_asserted(r->c, a->uid, assertion, &mismatch);
	free(assertion);
	free(login);
	return !rc && mismatch ? CHANGED : rc;
}

/* The server is gone, or the trail cannot be written: nothing more can
 * be done. */
static bool
fatal(int rc)
{
	return rc == ULOGIN_EX_UNAVAILABLE || rc == ULOGIN_EX_CANTCREAT;
}

static int
act(struct prune_run *r, size_t *failed)
{
	struct ulogin_progress bar;
	size_t todo = r->count[ACT_BLOCK] + r->count[ACT_DELETE] +
		      r->count[ACT_UNMARK];
	int rc = 0, last = 0;

	if ((rc = ulogin_prepare_changes(r->c)))
		return rc;
	ulogin_progress_start(&bar, r->o->progress, todo);
	for (size_t i = 0; i < r->n; i++) {
		struct account *a = &r->v[i];

		if (a->action != ACT_BLOCK && a->action != ACT_DELETE &&
		    a->action != ACT_UNMARK)
			continue;
		ulogin_progress_clear(&bar);
		if (a->action == ACT_BLOCK)
			rc = block(r, a);
		else if (a->action == ACT_UNMARK)
			rc = unmark(r, a);
		else
			rc = delete_marked(r, a);
		if (rc == CHANGED) {
			/* Decided on what no longer holds: not a failure. */
			ulogin_info("'%s' changed since it was listed (%s): "
				    "left alone", a->uid,
				    a->action == ACT_BLOCK
				    ? "blocked, or used" :
				    a->action == ACT_DELETE
				    ? "unblocked, used or blocked again"
				    : "marked again");
			a->result = "left alone";
			free(a->detail);
			a->detail = xstrdup("changed since it was listed");
			r->changed++;
			rc = 0;
		} else {
			a->result = rc ? "failed" : "done";
		}
		if (rc) {
			(*failed)++;
			last = rc;
		}
		ulogin_progress_step(&bar);
		/* Without the server nothing more can be done: its code. */
		if (fatal(rc)) {
			ulogin_progress_clear(&bar);
			return rc;
		}
	}
	ulogin_progress_clear(&bar);
	if (!*failed)
		return 0;
	return *failed == todo ? last : ULOGIN_EX_PARTIAL;
}

/* "a, b, c and 4 more" of the accounts with this action. */
static char *
some(const struct prune_run *r, enum action which)
{
	struct strv names = STRV_INIT;
	size_t n = 0;
	char *s, *out;

	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].action == which && n++ < 5)
			strv_push(&names, r->v[i].uid);
	s = strv_join(&names, ", ");
	out = n > 5 ? xasprintf("%s and %zu more", s, n - 5) : xstrdup(s);
	free(s);
	strv_free(&names);
	return out;
}

static bool
confirmed(const struct prune_run *r)
{
	size_t nb = r->count[ACT_BLOCK], nd = r->count[ACT_DELETE];
	char *blk = some(r, ACT_BLOCK), *del = some(r, ACT_DELETE);
	char *b = nb ? xasprintf("Block %zu unused account%s (%s)", nb,
				 nb == 1 ? "" : "s", blk) : xstrdup("");
	char *d = nd ? xasprintf("%s %zu account%s blocked as unused before "
				 "(%s)", nb ? " and delete" : "Delete", nd,
				 nd == 1 ? "" : "s", del) : xstrdup("");
	char *q = xasprintf("%s%s?", b, d);
	bool yes = r->o->confirm(q);

	free(q);
	free(d);
	free(b);
	free(blk);
	free(del);
	return yes;
}

static void
fill_table(const struct prune_run *r, struct ulogin_table *t)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct account *a = &r->v[i];
		char when[32];

		if (a->action == ACT_NONE)
			continue;
		ulogin_table_begin_row(t);
		ulogin_table_set(t, 0, a->uid);
		ulogin_table_set(t, 1, a->cn);
		ulogin_table_set(t, 2, action_words[a->action]);
		if (a->last) {
			ulogin_time_iso(a->last, when, sizeof(when));
			ulogin_table_set(t, 3, when);
		}
		ulogin_table_set(t, 4, a->result);
		ulogin_table_set(t, 5, a->detail);
	}
	ulogin_table_sort(t, 0);
}

/* How many of an action were done (or, in a dry run, would be). */
static size_t
done(const struct prune_run *r, enum action which, bool dry_run)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].action == which &&
		    (dry_run || (r->v[i].result &&
				 !strcmp(r->v[i].result, "done"))))
			n++;
	return n;
}

static void
summary(const struct prune_run *r, bool dry_run, size_t failed)
{
	char *fails = failed ? xasprintf(", %zu failed", failed)
			     : xstrdup("");
	char *changed = r->changed
		? xasprintf(", %zu changed meanwhile and left alone",
			    r->changed)
		: xstrdup("");

	ulogin_info("%s %zu, %s %zu, %s %zu; waiting %zu, kept %zu, skipped "
		    "%zu%s%s; of %zu accounts%s",
		    dry_run ? "would block" : "blocked",
		    done(r, ACT_BLOCK, dry_run),
		    dry_run ? "delete" : "deleted",
		    done(r, ACT_DELETE, dry_run),
		    dry_run ? "unmark" : "unmarked",
		    done(r, ACT_UNMARK, dry_run), r->count[ACT_WAIT],
		    r->count[ACT_KEEP], r->count[ACT_SKIP], changed, fails,
		    r->total, dry_run ? " (dry run: nothing was changed)" : "");
	free(changed);
	free(fails);
}

/* May this operator prune at all?  A person must administer an
 * institution (of --institution, when given); slapd decides the rest. */
static int
check_operator(struct prune_run *r)
{
	struct ulogin_operator op;
	int rc = 0;

	if (!(r->person = ulogin_operator_is_person(r->c)))
		return 0;
	if ((rc = ulogin_operator_read(r->c, &op)))
		return rc;
	if (!op.admin_of.n) {
		ulogin_error("only the administrators of an institution and "
			     "the directory manager prune accounts");
		ulogin_hint("ask an administrator of your institution");
		rc = ULOGIN_EX_NOPERM;
	} else if (r->o->institution &&
		   !ulogin_operator_admin_of(&op, r->o->institution)) {
		char *list = strv_join(&op.admin_of, ", ");

		ulogin_error("you are not an administrator of institution "
			     "'%s' (you administer %s)", r->o->institution,
			     list);
		free(list);
		rc = ULOGIN_EX_NOPERM;
	}
	ulogin_operator_free(&op);
	return rc;
}

static void
run_free(struct prune_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].uid);
		free(r->v[i].cn);
		free(r->v[i].dn);
		free(r->v[i].detail);
		free(r->v[i].lock);
		free(r->v[i].mark);
		strv_free(&r->v[i].admin_of);
	}
	free(r->v);
}

int
ulogin_user_prune(struct ulogin_conn *c, const struct ulogin_prune_opts *o,
		  struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "name", "action",
		"last_used", "result", "detail", NULL };
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct prune_run r;
	size_t removals, failed = 0;
	long limit;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.o = o;
	r.now = time(NULL);
	r.retention = cfg->prune_retention;
	if ((limit = ulogin_max_leavers(cfg->max_leavers, 0)) < 0) {
		ulogin_error("max_leavers '%s' is not a count or a percentage",
			     cfg->max_leavers);
		ulogin_hint("set it to e.g. '10%%' or '25' in the config");
		return ULOGIN_EX_CONFIG;
	}
	if ((rc = check_operator(&r)) || (rc = collect(&r))) {
		run_free(&r);
		return rc;
	}
	*out = ulogin_table_new(cols);
	removals = r.count[ACT_BLOCK] + r.count[ACT_DELETE];
	/* The import's guard: an idle period typed wrong must not lock a
	 * school out. */
	limit = ulogin_max_leavers(cfg->max_leavers, r.total);
	if (removals > (size_t)limit && !o->force) {
		fill_table(&r, *out);
		ulogin_error("the run would block or delete %zu of the %zu "
			     "accounts (max_leavers %s allows %ld); nothing "
			     "was changed", removals, r.total,
			     cfg->max_leavers, limit);
		ulogin_hint("check --idle and the list above; if they really "
			    "are unused, run again with --force");
		run_free(&r);
		return ULOGIN_EX_DATAERR;
	}
	if (cfg->dry_run) {
		for (size_t i = 0; i < r.n; i++)
			if (r.v[i].action == ACT_BLOCK ||
			    r.v[i].action == ACT_DELETE ||
			    r.v[i].action == ACT_UNMARK)
				r.v[i].result = "dry-run";
		fill_table(&r, *out);
		summary(&r, true, 0);
		run_free(&r);
		return 0;
	}
	/* Taking a mark off changes nothing anyone sees: asked only with
	 * blocks and deletions. */
	if (removals && o->confirm && !confirmed(&r)) {
		ulogin_info("nothing was changed");
		fill_table(&r, *out);
		run_free(&r);
		return 0;
	}
	if (removals || r.count[ACT_UNMARK])
		rc = act(&r, &failed);
	fill_table(&r, *out);
	summary(&r, false, failed);
	run_free(&r);
	return rc;
}
