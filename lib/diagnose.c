/*
 * ulogin-user diagnose: the support desk's error table, check by check.
 *
 * Every check reads what it needs as the operator.  slapd leaves out of
 * a search what an operator may not read, so an attribute that is not
 * there is asked about once more with a compare: "no such attribute"
 * means it is really not there, "insufficient access" that the operator
 * may not know -- and the check says so (UNKNOWN) rather than pass.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ldap.h>

#include "account.h"
#include "config.h"
#include "diagnose.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "inert.h"
#include "mem.h"
#include "msg.h"
#include "state.h"
#include "banned.h"

#define MAX_SUGGESTIONS 8
#define MAX_DISTANCE 2

/* ---- edit distance -------------------------------------------------- */

size_t
ulogin_edit_distance(const char *a, const char *b, size_t limit)
{
	size_t n = strlen(a), m = strlen(b), d;
	size_t *prev2, *prev, *cur;

	if ((n > m ? n - m : m - n) > limit)
		return limit + 1;
	/* Optimal string alignment: three rows of the table. */
	prev2 = xcalloc(m + 1, sizeof(*prev2));
	prev = xcalloc(m + 1, sizeof(*prev));
	cur = xcalloc(m + 1, sizeof(*cur));
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t *t;

		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[m];
	free(prev2);
	free(prev);
	free(cur);
	return d > limit ? limit + 1 : d;
}

/* ---- the rows ------------------------------------------------------------ */

struct diag {
	struct ulogin_conn *c;
	struct ulogin_table *t;
	bool failed;
	struct strv unknown;	/* checks that could not be made */
};

/* One row; detail and remedy are taken over (freed here). */
static void
add(struct diag *d, const char *check, const char *result, char *detail,
    char *remedy)
{
	ulogin_table_begin_row(d->t);
	ulogin_table_set(d->t, 0, check);
	ulogin_table_set(d->t, 1, result);
	ulogin_table_set(d->t, 2, detail);
	ulogin_table_set(d->t, 3, remedy);
	if (!strcmp(result, "FAIL"))
		d->failed = true;
	if (!strcmp(result, "UNKNOWN"))
		strv_push(&d->unknown, check);
	free(detail);
	free(remedy);
}

/* The checks after the one that made them moot. */
static const char *const account_checks[] = {
	"institution", "roles", "password", "identified", "import",
	"blocked", "locked-out", "expired", "must-change", "reset-window",
	NULL
};

static void
skip_rest(struct diag *d, const char *why)
{
	for (size_t i = 0; account_checks[i]; i++)
		add(d, account_checks[i], "SKIP", xstrdup(why), NULL);
}

/*
 * Is attr of the entry hidden from the operator?  Asked only when a read
 * did not return it: 1 hidden (or the server cannot tell), 0 really
 * absent (or present with other values), -1 the server could not be
 * asked (rc in *rc).
 */
static int
hidden(struct diag *d, const char *dn, const char *attr, int *rc)
{
	*rc = ulogin_compare(d->c, dn, attr, "TRUE");
	/* A server that cannot compare the value says nothing either:
	 * unknown, never a wrong OK. */
	if (*rc == LDAP_INSUFFICIENT_ACCESS ||
	    *rc == LDAP_INAPPROPRIATE_MATCHING || *rc == LDAP_INVALID_SYNTAX)
		return 1;
	if (*rc == LDAP_NO_SUCH_ATTRIBUTE || *rc == LDAP_COMPARE_FALSE ||
	    *rc == LDAP_COMPARE_TRUE) {
		*rc = LDAP_SUCCESS;
		return 0;
	}
	return -1;
}

/* ---- @domain and case ------------------------------------------------- */

static bool
check_local_login(struct diag *d, const char *login)
{
	const struct ulogin_config *cfg = ulogin_conn_config(d->c);
	const char *at = strchr(login, '@'), *desc;
	char *lower;

	if (!at) {
		add(d, "local-login", "SKIP", xstrdup("no '@domain': a "
		    "username of this directory"), NULL);
		return false;
	}
	lower = xstrdup(login);
	for (char *s = lower; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	if ((desc = ulogin_config_local_login(cfg, at + 1)))
		add(d, "local-login", "FAIL",
		    xasprintf("'%s' is a login of the local login solution of "
			      "%s (%s), not of this directory", login, at + 1,
			      desc),
		    xasprintf("help with it comes from %s; usernames there are "
			      "always lower case ('%s')", desc, lower));
	else
		add(d, "local-login", "FAIL",
		    xasprintf("'%s' names the domain '%s', whose local login "
			      "solution is not known here", login, at + 1),
		    xasprintf("a login with '@domain' belongs to a "
			      "municipality's or school's own login: check "
			      "the domain for typing errors and ask its IT "
			      "department; usernames there are always lower "
			      "case ('%s')", lower));
	free(lower);
	return true;
}

/* The login in lower case (ASCII letters), and a row saying whether it
 * had to be. */
static char *
check_case(struct diag *d, const char *login)
{
	char *lower = xstrdup(login);
	bool upper = false;

	for (char *s = lower; *s; s++)
		if (*s >= 'A' && *s <= 'Z') {
			*s = (char)(*s - 'A' + 'a');
			upper = true;
		}
	if (upper)
		add(d, "lower-case", "FAIL",
		    xasprintf("'%s' has upper-case letters; usernames are "
			      "always lower case (the checks below are for "
			      "'%s')", login, lower),
		    xasprintf("log in as '%s'", lower));
	else
		add(d, "lower-case", "OK", xstrdup("no upper-case letters"),
		    NULL);
	return lower;
}

/* ---- not found: what the person may have meant ---------------------- */

struct candidates {
	const char *login;	/* NULL: every entry is one (by name) */
	struct strv uids;
	struct strv shown;	/* "uid (name)" */
	size_t *dist;
};

static int
note_candidate(const struct ulogin_entry *e, void *data)
{
	struct candidates *cs = data;
	const char *uid = ulogin_entry_get(e, "uid");
	const char *cn = ulogin_entry_get(e, "cn");
	size_t dist = 0;

	if (!uid || strv_contains(&cs->uids, uid))
		return 0;
	if (cs->login && (dist = ulogin_edit_distance(cs->login, uid,
						      MAX_DISTANCE)) >
	    MAX_DISTANCE)
		return 0;
	cs->dist = xreallocarray(cs->dist, cs->uids.n + 1, sizeof(*cs->dist));
	cs->dist[cs->uids.n] = dist;
	strv_push(&cs->uids, uid);
	if (cn) {
		char *s = xasprintf("%s (%s)", uid, cn);

		strv_push(&cs->shown, s);
		free(s);
	} else {
		strv_push(&cs->shown, uid);
	}
	return 0;
}

/* The closest first, then by username; at most MAX_SUGGESTIONS, joined. */
static char *
best(struct candidates *cs)
{
	struct strv out = STRV_INIT;
	size_t *order = xcalloc(cs->uids.n + 1, sizeof(*order));
	char *s;

	for (size_t i = 0; i < cs->uids.n; i++)
		order[i] = i;
	for (size_t i = 1; i < cs->uids.n; i++)
		for (size_t j = i; j > 0; j--) {
			size_t a = order[j - 1], b = order[j], t;

			if (cs->dist[a] < cs->dist[b] ||
			    (cs->dist[a] == cs->dist[b] &&
			     strcmp(cs->uids.v[a], cs->uids.v[b]) <= 0))
				break;
			t = order[j - 1];
			order[j - 1] = order[j];
			order[j] = t;
		}
	for (size_t i = 0; i < cs->uids.n && i < MAX_SUGGESTIONS; i++)
		strv_push(&out, cs->shown.v[order[i]]);
	s = out.n ? strv_join(&out, ", ") : NULL;
	strv_free(&out);
	free(order);
	return s;
}

static void
candidates_free(struct candidates *cs)
{
	strv_free(&cs->uids);
	strv_free(&cs->shown);
	free(cs->dist);
}

/*
 * Usernames within MAX_DISTANCE of name (searched among those with the
 * same first two letters or the same digits at the end) and people whose
 * name contains the login as typed.  Returns an LDAP code.
 */
static int
suggest(struct diag *d, const char *login, const char *name, char **similar,
	char **by_name)
{
	static const char *const attrs[] = { "uid", "cn", NULL };
	struct candidates near = { name, STRV_INIT, STRV_INIT, NULL };
	struct candidates named = { NULL, STRV_INIT, STRV_INIT, NULL };
	struct ulogin_query q[2];
	char *people = ulogin_dn_people(ulogin_conn_base(d->c));
	char *prefix = xstrndup(name, 2);
	const char *digits = name + strlen(name);
	char *f_near, *f_name = NULL;
	size_t n = 0;
	int rc;

	while (digits > name && isdigit((unsigned char)digits[-1]))
		digits--;
	if (*digits)
		f_near = ulogin_filter("(&(objectClass=uloginAccount)"
				       "(|(uid=%s*)(uid=*%s)))", prefix,
				       digits);
	else
		f_near = ulogin_filter("(&(objectClass=uloginAccount)"
				       "(uid=%s*))", prefix);
	q[n++] = (struct ulogin_query){ people, ULOGIN_SCOPE_ONE, f_near,
		attrs, note_candidate, &near, 0 };
	/* The login taken as a name ("Kirsten Brandt", "brandt"). */
	if (strlen(login) >= 3 && strpbrk(login, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
		f_name = ulogin_filter("(&(objectClass=uloginAccount)"
				       "(|(cn=*%s*)(givenName=*%s*)(sn=*%s*)"
				       "(displayName=*%s*)))", login, login,
				       login, login);
		q[n++] = (struct ulogin_query){ people, ULOGIN_SCOPE_ONE,
			f_name, attrs, note_candidate, &named, 0 };
	}
	rc = ulogin_search_all(d->c, q, n);
	for (size_t i = 0; rc == LDAP_SUCCESS && i < n; i++)
		if (q[i].rc != LDAP_SUCCESS)
			rc = q[i].rc;
	*similar = best(&near);
	*by_name = best(&named);
	candidates_free(&near);
	candidates_free(&named);
	free(f_near);
	free(f_name);
	free(prefix);
	free(people);
	return rc;
}

static int
check_not_found(struct diag *d, const char *login, const char *name,
		const char *why)
{
	char *similar = NULL, *by_name = NULL, *detail;
	int rc = suggest(d, login, name, &similar, &by_name);

	if (rc != LDAP_SUCCESS) {
		free(similar);
		free(by_name);
		return ulogin_ldap_error(d->c, rc, "cannot search for users "
					 "like '%s'", name);
	}
	detail = xasprintf("no user '%s'%s%s%s%s%s%s", name,
			   why ? ": " : "", why ? why : "",
			   similar ? "; similar usernames: " : "",
			   similar ? similar : "",
			   by_name ? "; by name: " : "",
			   by_name ? by_name : "");
	add(d, "found", "FAIL", detail,
	    xstrdup(similar || by_name
		    ? "check the spelling against the usernames above; "
		      "someone who is not in the directory at all must be "
		      "registered in the school's administrative system, "
		      "whose import adds them"
		    : "check the spelling; someone who is not in the "
		      "directory at all must be registered in the school's "
		      "administrative system, whose import adds them"));
	free(similar);
	free(by_name);
	skip_rest(d, "no such user");
	return 0;
}

/* ---- the account ----------------------------------------------------- */

static void
check_attached(struct diag *d, const struct ulogin_entry *e, const char *u)
{
	const struct strv *inst = ulogin_entry_values(e, "uloginInstitution");
	const struct strv *roles = ulogin_entry_values(e, "uloginRole");
	char *list;

	if (inst && inst->n) {
		list = strv_join(inst, ", ");
		add(d, "institution", "OK", xasprintf("attached to %s", list),
		    NULL);
		free(list);
	} else {
		add(d, "institution", "FAIL",
		    xstrdup("not attached to any institution"),
		    xasprintf("register the user in the school's "
			      "administrative system, whose import attaches "
			      "them; or an "
			      "administrator of the school attaches them: "
			      "ulogin-user modify %s --add institution=NUMBER",
			      u));
	}
	if (roles && roles->n) {
		list = strv_join(roles, ", ");
		add(d, "roles", "OK", xasprintf("roles: %s", list), NULL);
		free(list);
	} else {
		add(d, "roles", "FAIL",
		    xstrdup("no roles: the login service says there are no "
			    "actors attached to the user"),
		    xasprintf("register the user's role in the school's "
			      "administrative system; an administrator gives "
			      "the roles student and parent: ulogin-user "
			      "modify %s --add role=student", u));
	}
}

/*
 * Is there a userPassword?  No hash is read: presence tests, which match
 * only for an operator who may search userPassword.  1 yes, 0 no, -1 the
 * operator cannot tell (slapd treats a test of what one may not search
 * as undefined, and "not undefined" is undefined too).  An LDAP error
 * code in *rc.
 */
static int
has_password(struct diag *d, const char *dn, int *rc)
{
	static const char *const none[] = { LDAP_NO_ATTRS, NULL };
	static const char *const filters[] = { "(userPassword=*)",
					       "(!(userPassword=*))" };
	struct ulogin_entry found;

	/* Never a compare of userPassword: ppolicy counts a compare that
	 * does not match as a failed login. */
	for (int i = 0; i < 2; i++) {
		memset(&found, 0, sizeof(found));
		*rc = ulogin_search(d->c, dn, ULOGIN_SCOPE_BASE, filters[i],
				    none, ulogin_entry_keep, &found);
		if (*rc != LDAP_SUCCESS)
			return -1;
		if (found.dn) {
			ulogin_entry_free(&found);
			return i == 0;
		}
	}
	return -1;
}

static int
check_password(struct diag *d, const struct ulogin_entry *e, const char *u)
{
	const char *changed = ulogin_entry_get(e, "pwdChangedTime");
	int rc, has;

	if (changed) {
		add(d, "password", "OK", xstrdup("a password is set"), NULL);
		return 0;
	}
	if ((has = has_password(d, e->dn, &rc)) < 0 && rc != LDAP_SUCCESS)
		return ulogin_ldap_error(d->c, rc, "cannot read user '%s'", u);
	if (has > 0) {
		add(d, "password", "OK", xstrdup("a password is set"), NULL);
		return 0;
	}
	if (has < 0) {
		add(d, "password", "UNKNOWN",
		    xstrdup("the server has no record of a password change "
			    "(no pwdChangedTime), and you may not check "
			    "whether a password is set"),
		    ulogin_user_is_staff(e)
		    ? xstrdup("if the user has none, staff set their own "
			      "with national e-ID, or the support desk issues "
			      "a one-time password; the directory manager can "
			      "tell whether one is set")
		    : xasprintf("if the user has none, a teacher or "
				"administrator opens a reset window "
				"(ulogin-user reset %s); the directory manager "
				"can tell whether one is set", u));
		return 0;
	}
	add(d, "password", "FAIL",
	    xstrdup("no password has been set (the server has no record of "
		    "one: no pwdChangedTime)"),
	    ulogin_user_is_staff(e)
	    ? xstrdup("staff set their own with national e-ID; otherwise the "
		      "support desk issues a one-time password")
	    : xasprintf("a teacher or administrator opens a reset window "
			"(ulogin-user reset %s), or an administrator sets a "
			"first password that must be changed at the first "
			"login", u));
	return 0;
}

static int
check_identified(struct diag *d, const struct ulogin_entry *e, const char *u)
{
	const char *v = ulogin_entry_get(e, "uloginIdentified");
	bool needs = ulogin_user_is_staff(e) ||
		     ulogin_entry_has_value(e, "uloginLevel", "gymnasium");
	int rc;

	if (v && !strcasecmp(v, "TRUE")) {
		add(d, "identified", "OK",
		    xstrdup("identified by national ID"), NULL);
		return 0;
	}
	if (!v) {
		int h = hidden(d, e->dn, "uloginIdentified", &rc);

		if (h < 0)
			return ulogin_ldap_error(d->c, rc, "cannot read user "
						 "'%s'", u);
		if (h) {
			add(d, "identified", "UNKNOWN",
			    xstrdup("you may not read whether the user is "
				    "identified by national ID"),
			    xstrdup("ask an administrator of the user's "
				    "institution"));
			return 0;
		}
	}
	if (needs)
		add(d, "identified", "FAIL",
		    xstrdup("not identified by national ID: a login with "
			    "national e-ID (which staff and upper-secondary "
			    "students use) fails with 'this user is not "
			    "attached'"),
		    xstrdup("check that the user is registered with their "
			    "national ID number in the school's "
			    "administrative system (the next import "
			    "identifies them); an employee e-ID must carry "
			    "the holder's national ID number"));
	else
		add(d, "identified", "SKIP",
		    xstrdup("not identified by national ID; only staff and "
			    "upper-secondary students need it (to log in "
			    "with national e-ID)"),
		    xstrdup("register the national ID number in the school's "
			    "administrative system when the user is to log "
			    "in with national e-ID"));
	return 0;
}

static int
check_import(struct diag *d, const struct ulogin_entry *e, const char *u)
{
	const struct strv *src = ulogin_entry_values(e, "uloginSource");
	static const char *const attrs[] = { "cn", NULL };
	struct strv deprecated = STRV_INIT;
	char *imports, *list;
	int rc;

	if (!src || !src->n) {
		int h = hidden(d, e->dn, "uloginSource", &rc);

		if (h < 0)
			return ulogin_ldap_error(d->c, rc, "cannot read user "
						 "'%s'", u);
		if (h)
			add(d, "import", "UNKNOWN",
			    xstrdup("you may not read the import sources of "
				    "the user"),
			    xstrdup("ask an administrator of the user's "
				    "institution"));
		else
			add(d, "import", "OK", xstrdup("added by hand, not "
			    "through an import"), NULL);
		return 0;
	}
	imports = ulogin_dn_imports(ulogin_conn_base(d->c));
	rc = ulogin_search(d->c, imports, ULOGIN_SCOPE_ONE,
			   ULOGIN_DEPRECATED_FILTER, attrs,
			   ulogin_entry_note_cn, &deprecated);
	free(imports);
	/* An operator who may not read the sources learns nothing. */
	if (rc == LDAP_NO_SUCH_OBJECT || rc == LDAP_INSUFFICIENT_ACCESS)
		rc = LDAP_SUCCESS;
	if (rc != LDAP_SUCCESS) {
		strv_free(&deprecated);
		return ulogin_ldap_error(d->c, rc, "cannot read the import "
					 "sources");
	}
	list = strv_join(src, ", ");
	if (ulogin_only_deprecated(e, &deprecated))
		add(d, "import", "FAIL",
		    xasprintf("attached only through the phased-out CSV "
			      "import %s", list),
		    xasprintf("CSV imports are being phased out: note the "
			      "users who stay (ulogin-import source review "
			      "%s), attach them through the administrative "
			      "system "
			      "(ulogin-import source migrate %s --to SOURCE "
			      "--keep FILE), then delete the CSV import",
			      src->v[0], src->v[0]));
	else
		add(d, "import", "OK", xasprintf("attached through %s", list),
		    NULL);
	free(list);
	strv_free(&deprecated);
	return 0;
}

/* The account state as every program decides it (lib/state.c): the
 * blocked, locked-out, expired and must-change checks agree with it. */
static void
check_blocked(struct diag *d, const struct ulogin_entry *e,
	      const struct ulogin_state *st, const char *u)
{
	const char *left = ulogin_entry_get(e, "uloginLeftAt");
	const char *by = ulogin_entry_get(e, "uloginBlockedBy");
	const char *at = ulogin_entry_get(e, "uloginBlockedAt");
	const char *why = ulogin_entry_get(e, "uloginBlockReason");
	const char *pruned = ulogin_entry_get(e, "uloginPrunedAt");
	char *who, *date = NULL;
	time_t t;

	if (!(st->conditions & ULOGIN_COND_BLOCKED)) {
		add(d, "blocked", "OK", xstrdup("not blocked"), NULL);
		return;
	}
	if (left && ulogin_gtime_parse(left, &t) == 0) {
		date = ulogin_time_words_new(t);
		add(d, "blocked", "FAIL",
		    xasprintf("left the school on %s: blocked by the import",
			      date),
		    xstrdup("if the user is back at the school, the next "
			    "import of its administrative system unblocks "
			    "them"));
		free(date);
		return;
	}
	who = by ? ulogin_dn_who(by) : xstrdup("an administrator");
	if (at && ulogin_gtime_parse(at, &t) == 0)
		date = ulogin_time_words_new(t);
	else if (pruned && ulogin_gtime_parse(pruned, &t) == 0)
		date = ulogin_time_words_new(t);
	add(d, "blocked", "FAIL",
	    xasprintf("blocked by %s%s%s%s%s%s", who, date ? " on " : "",
		      date ? date : "", why ? ": " : "", why ? why : "",
		      pruned ? " (unused: it is deleted when still unused "
			       "after the retention period)" : ""),
	    xasprintf("if the reason no longer holds, an administrator of "
		      "the user's institution unblocks the account "
		      "(ulogin-user unblock %s); the password stays as it "
		      "was", u));
	free(who);
	free(date);
}

static long
number(const struct ulogin_entry *policy, const char *attr)
{
	const char *v = policy ? ulogin_entry_get(policy, attr) : NULL;

	return v ? strtol(v, NULL, 10) : 0;
}

static void
check_locked(struct diag *d, const struct ulogin_entry *e,
	     const struct ulogin_state *st, const char *u)
{
	const struct strv *fails = ulogin_entry_values(e, "pwdFailureTime");
	size_t nfail = fails ? fails->n : 0;
	char *at, *until, *after;

	if (st->conditions & ULOGIN_COND_BLOCKED) {
		add(d, "locked-out", "SKIP", xstrdup("blocked (see above)"),
		    NULL);
		return;
	}
	if (!(st->conditions & ULOGIN_COND_LOCKED_OUT)) {
		add(d, "locked-out", "OK",
		    nfail ? xasprintf("not locked out (%zu failed login%s "
				      "since the last good one)", nfail,
				      nfail == 1 ? "" : "s")
			  : xstrdup("not locked out"), NULL);
		return;
	}
	/* A lock whose time slapd cannot read locks for good. */
	at = st->locked_at ? ulogin_time_words_new(st->locked_at) : NULL;
	after = at ? xasprintf("locked out after %zu failed logins on %s",
			       nfail, at)
		   : xstrdup("locked out (the lock has no time the server "
			     "can read)");
	if (st->locked_until) {
		until = ulogin_time_words_new(st->locked_until);
		add(d, "locked-out", "FAIL",
		    xasprintf("%s, until %s", after, until),
		    xasprintf("wait until %s, or an administrator unlocks it "
			      "now (ulogin-user unlock %s); then log in with "
			      "the right password, or have it reset", until,
			      u));
		free(until);
	} else {
		add(d, "locked-out", "FAIL",
		    xasprintf("%s, until an administrator unlocks it", after),
		    xasprintf("an administrator unlocks it (ulogin-user "
			      "unlock %s); then log in with the right "
			      "password, or have it reset", u));
	}
	free(after);
	free(at);
}

static void
check_expired(struct diag *d, const struct ulogin_entry *e,
	      const struct ulogin_entry *policy,
	      const struct ulogin_state *st, const char *u)
{
	const char *changed = ulogin_entry_get(e, "pwdChangedTime");
	const struct strv *grace = ulogin_entry_values(e, "pwdGraceUseTime");
	long limit = number(policy, "pwdGraceAuthNLimit");
	long left = limit - (grace ? (long)grace->n : 0);
	char *date;
	time_t t;

	if (!changed || ulogin_gtime_parse(changed, &t) != 0) {
		add(d, "expired", "SKIP", xstrdup("no password yet"), NULL);
		return;
	}
	if (!st->expires) {
		add(d, "expired", "OK", xstrdup("the password does not "
		    "expire"), NULL);
		return;
	}
	date = ulogin_time_words_new(st->expires);
	if (!(st->conditions & ULOGIN_COND_EXPIRED))
		add(d, "expired", "OK", xasprintf("the password expires on "
		    "%s", date), NULL);
	else if (left > 0)
		add(d, "expired", "FAIL",
		    xasprintf("the password expired on %s; %ld grace "
			      "login%s left", date, left, left == 1 ? "" : "s"),
		    xstrdup("log in with the old password and choose a new "
			    "one at once (a grace login allows that)"));
	else
		add(d, "expired", "FAIL",
		    xasprintf("the password expired on %s", date),
		    ulogin_user_is_staff(e)
		    ? xstrdup("staff choose a new password with national "
			      "e-ID; otherwise the support desk issues a "
			      "one-time password")
		    : xasprintf("a teacher or administrator opens a reset "
				"window (ulogin-user reset %s) and the user "
				"gets a new password", u));
	free(date);
}

static void
check_must_change(struct diag *d, const struct ulogin_state *st)
{
	if (st->conditions & ULOGIN_COND_MUST_CHANGE)
		add(d, "must-change", "FAIL",
		    xstrdup("must choose a new password at the next login: "
			    "until then the server lets the password do "
			    "nothing else"),
		    xstrdup("log in with the password given and choose a new "
			    "one at once (the login service asks for it); if "
			    "it is lost, have it reset"));
	else
		add(d, "must-change", "OK", xstrdup("no password change "
		    "pending"), NULL);
}

static int
check_reset_window(struct diag *d, const struct ulogin_entry *e,
		   const char *u, time_t now)
{
	static const char *const attrs[] = { "entryExpireTimestamp",
					     "creatorsName", NULL };
	char *dn = ulogin_dn_child(e->dn, "cn", "reset");
	struct ulogin_entry w;
	const char *exp;
	int rc;
	time_t t;

	memset(&w, 0, sizeof(w));
	/* As the state has it: a claimed window is used, not open. */
	rc = ulogin_search(d->c, dn, ULOGIN_SCOPE_BASE,
			   ULOGIN_OPEN_WINDOW_FILTER, attrs,
			   ulogin_entry_keep, &w);
	free(dn);
	if (rc == LDAP_INSUFFICIENT_ACCESS) {
		add(d, "reset-window", "UNKNOWN",
		    xstrdup("you may not see the user's reset window"),
		    xstrdup("ask a teacher of the user's class or an "
			    "administrator"));
		return 0;
	}
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT)
		return ulogin_ldap_error(d->c, rc, "cannot read the reset "
					 "window of '%s'", u);
	exp = w.dn ? ulogin_entry_get(&w, "entryExpireTimestamp") : NULL;
	if (exp && ulogin_gtime_parse(exp, &t) == 0 && t > now) {
		char *until = ulogin_time_words_new(t);
		char *by = ulogin_dn_who(ulogin_entry_get(&w, "creatorsName"));

		add(d, "reset-window", "OK",
		    xasprintf("a reset window is open until %s (opened by "
			      "%s)", until, by ? by : "someone"),
		    xasprintf("the user logs in with the username alone "
			      "before %s and is given a new password", until));
		free(until);
		free(by);
	} else {
		add(d, "reset-window", "OK", xstrdup("no reset window open"),
		    NULL);
	}
	ulogin_entry_free(&w);
	return 0;
}

static int
check_account(struct diag *d, const struct ulogin_entry *e, const char *u)
{
	const char *link = ulogin_entry_get(e, "pwdPolicySubentry");
	char *policies = ulogin_dn_policies(ulogin_conn_base(d->c));
	char *pdn = link ? xstrdup(link)
			 : ulogin_dn_child(policies, "cn", "default");
	struct ulogin_entry policy;
	struct ulogin_state_facts facts = { .user = e, .now = time(NULL) };
	struct ulogin_state st;
	int rc;

	rc = ulogin_read(d->c, pdn, ulogin_state_policy_attrs, &policy);
	free(pdn);
	free(policies);
	/* A missing policy is no policy: nothing expires, nobody is locked
	 * out for a while. */
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT)
		return ulogin_ldap_error(d->c, rc, "cannot read the password "
					 "policy of '%s'", u);
	check_attached(d, e, u);
	if (!(rc = check_password(d, e, u)) &&
	    !(rc = check_identified(d, e, u)) &&
	    !(rc = check_import(d, e, u))) {
		facts.policy = policy.dn ? &policy : NULL;
		ulogin_account_state(&facts, &st);
		check_blocked(d, e, &st, u);
		check_locked(d, e, &st, u);
		check_expired(d, e, facts.policy, &st, u);
		check_must_change(d, &st);
		rc = check_reset_window(d, e, u, facts.now);
		ulogin_state_free(&st);
	}
	ulogin_entry_free(&policy);
	return rc;
}

int
ulogin_diagnose_print_text(const struct ulogin_table *t, FILE *out)
{
	for (size_t i = 0; i < ulogin_table_rows(t); i++) {
		const char *result = ulogin_table_cell(t, i, 1);
		const char *remedy = ulogin_table_cell(t, i, 3);

		ulogin_print_inert(out, "%-13s %-8s %s",
				   ulogin_table_cell(t, i, 0), result,
				   ulogin_table_cell(t, i, 2));
		if (remedy && (!strcmp(result, "FAIL") ||
			       !strcmp(result, "UNKNOWN")))
			ulogin_print_inert(out, "%-22s what to do: %s", "",
					   remedy);
	}
	if (fflush(out) == EOF || ferror(out)) {
		ulogin_error("cannot write the output: %s", strerror(errno));
		return ULOGIN_EX_CANTCREAT;
	}
	return 0;
}

int
ulogin_user_diagnose(struct ulogin_conn *c, const char *login,
		     struct ulogin_table **out, enum ulogin_verdict *verdict)
{
	static const char *const cols[] = { "check", "result", "detail",
					    "remedy", NULL };
	struct diag d = { c, ulogin_table_new(cols), false, STRV_INIT };
	struct ulogin_entry e;
	const char *why;
	char *name, *dn = NULL;
	int rc = 0, lrc;

	memset(&e, 0, sizeof(e));
	*verdict = ULOGIN_VERDICT_OK;
	if (check_local_login(&d, login)) {
		free(check_case(&d, login));
		add(&d, "found", "SKIP", xstrdup("the login belongs to a local "
		    "login solution"), NULL);
		skip_rest(&d, "the login belongs to a local login solution");
		goto done;
	}
	name = check_case(&d, login);
	if ((why = ulogin_username_invalid(name))) {
		rc = check_not_found(&d, login, name, why);
		free(name);
		goto done;
	}
	dn = ulogin_user_dn(c, name);
	lrc = dn ? ulogin_read(c, dn, ulogin_user_attrs, &e)
		 : LDAP_INVALID_DN_SYNTAX;
	if (lrc == LDAP_NO_SUCH_OBJECT) {
		rc = check_not_found(&d, login, name, NULL);
	} else if (lrc == LDAP_INSUFFICIENT_ACCESS) {
		/* slapd tells a person that the username exists, no more. */
		add(&d, "found", "UNKNOWN",
		    xasprintf("user '%s' exists, but you may not see it", name),
		    xstrdup("ask an administrator of the user's institution "
			    "(teachers see the students of the classes they "
			    "teach)"));
		skip_rest(&d, "you may not see the user");
		*verdict = ULOGIN_VERDICT_UNSEEN;
	} else if (lrc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "cannot read user '%s'", name);
	} else {
		const char *cn = ulogin_entry_get(&e, "cn");

		add(&d, "found", "OK", xasprintf("user '%s'%s%s%s", name,
		    cn ? " (" : "", cn ? cn : "", cn ? ")" : ""), NULL);
		rc = check_account(&d, &e, name);
	}
	free(name);
done:
	if (d.unknown.n && !rc && *verdict != ULOGIN_VERDICT_UNSEEN) {
		char *list = strv_join(&d.unknown, ", ");

		ulogin_warn("could not check %s: you may not read what %s "
			    "need%s", list, d.unknown.n == 1 ? "it" : "they",
			    d.unknown.n == 1 ? "s" : "");
		free(list);
	}
	if (d.failed && *verdict == ULOGIN_VERDICT_OK)
		*verdict = ULOGIN_VERDICT_FAIL;
	strv_free(&d.unknown);
	ulogin_entry_free(&e);
	free(dn);
	if (rc) {
		ulogin_table_free(d.t);
		return rc;
	}
	*out = d.t;
	return 0;
}
