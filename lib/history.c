#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <ldap.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "history.h"
#include "mem.h"
#include "msg.h"
#include "state.h"
#include "banned.h"

/* ---- what a logged change says ---------------------------------------- */

/* Attributes slapd keeps for itself: no news to a reader. */
static const char *const bookkeeping_attrs[] = {
	"entryCSN", "modifiersName", "modifyTimestamp", "creatorsName",
	"createTimestamp", "entryUUID", "structuralObjectClass", "entryDN",
	"contextCSN", "pwdHistory", NULL
};

/* Secrets: said to have changed, their values never shown.  pwdHistory
 * (earlier password hashes) is left out altogether, above. */
static const char *const secret_attrs[] = {
	"userPassword", "uloginNationalIdHmac", NULL
};

static bool
in_list(const char *const *list, const char *attr, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncasecmp(*list, attr, len))
			return true;
	return false;
}

/* One reqMod value: "attr:op value" or "attr:op". */
struct logged_mod {
	const char *attr;
	size_t attr_len;	/* up to the options */
	char op;		/* + - = # */
	const char *value;	/* NULL when none */
};

static bool
parse_mod(const char *s, struct logged_mod *m)
{
	const char *colon = strchr(s, ':');

	if (!colon || colon == s || !colon[1])
		return false;
	m->attr = s;
	m->attr_len = (size_t)(colon - s);
	/* "userPassword;x-opt": the options belong to the attribute, but
	 * the lists above name the base attribute. */
	for (size_t i = 0; i < m->attr_len; i++)
		if (s[i] == ';') {
			m->attr_len = i;
			break;
		}
	m->op = colon[1];
	m->value = colon[2] == ' ' ? colon + 3 : NULL;
	return true;
}

struct flags {
	bool password, block, unblock, failure, success, other;
	bool locked;	/* a lock-out after failures (not a block) */
	bool cleared;	/* slapd deleted the earlier failures */
};

static void
note_flags(const struct logged_mod *m, struct flags *f)
{
	if (m->attr_len == strlen("userPassword") &&
	    !strncasecmp(m->attr, "userPassword", m->attr_len))
		f->password = true;
	else if (m->attr_len == strlen("pwdChangedTime") &&
		 !strncasecmp(m->attr, "pwdChangedTime", m->attr_len))
		f->password = true;
	else if (m->attr_len == strlen("pwdAccountLockedTime") &&
		 !strncasecmp(m->attr, "pwdAccountLockedTime", m->attr_len)) {
		/* A block is 000001010000Z in any of the forms slapd finds
		 * equal to it (DESIGN.md section 10). */
		if (m->op == '-' || !m->value)
			f->unblock = true;
		else if (ulogin_lock_is_block(m->value))
			f->block = true;
		else
			f->locked = true;
	} else if (m->attr_len == strlen("pwdFailureTime") &&
		   !strncasecmp(m->attr, "pwdFailureTime", m->attr_len)) {
		/* Only an added time is a failure: slapd deletes the
		 * earlier ones itself at a good login, or at an unlock. */
		if (m->op == '+')
			f->failure = true;
		else
			f->cleared = true;
	} else if (m->attr_len == strlen("pwdLastSuccess") &&
		 !strncasecmp(m->attr, "pwdLastSuccess", m->attr_len)) {
		if (m->op != '-')
			f->success = true;
	} else
		f->other = true;
}

static const char *
modify_action(const struct flags *f, bool *bookkeeping)
{
	*bookkeeping = false;
	if (f->password)
		return "password";
	if (f->block)
		return "block";
	/* A good login: slapd records it, and clears the failures (and a
	 * lock-out whose time is up) itself. */
	if (f->success && !f->other && !f->failure && !f->locked) {
		*bookkeeping = true;
		return "login";
	}
	if (f->unblock && !f->failure)
		return "unblock";
	if ((f->failure || f->locked) && !f->other) {
		*bookkeeping = true;
		return f->locked ? "locked-out" : "login-failed";
	}
	return "modify";
}

/* Add "attr: v1, v2" (or "attr: removed ...") for a run of values of one
 * attribute and operation to the items. */
static void
add_item(struct strv *items, const struct logged_mod *m,
	 const struct strv *values)
{
	char *attr = xstrndup(m->attr, m->attr_len);
	char *list = strv_join(values, ", ");

	if (in_list(secret_attrs, m->attr, m->attr_len))
		strv_push_owned(items, xasprintf("%s: changed", attr));
	/* A new password sets pwdChangedTime; to readers who may not see
	 * userPassword itself, that is the news. */
	else if (!strcasecmp(attr, "pwdChangedTime"))
		strv_push(items, "userPassword: changed");
	else if (m->op == '-' && values->n)
		strv_push_owned(items, xasprintf("%s: removed %s", attr, list));
	else if (m->op == '-' || !values->n)
		strv_push_owned(items, xasprintf("%s: removed", attr));
	else
		strv_push_owned(items, xasprintf("%s: %s", attr, list));
	free(attr);
	free(list);
}

char *
ulogin_history_describe(const char *type, const struct strv *mods,
			const char **action, bool *bookkeeping)
{
	struct strv items = STRV_INIT, values = STRV_INIT;
	struct logged_mod run = { NULL, 0, 0, NULL }, m;
	struct flags f = { false };
	char *detail;

	for (size_t i = 0; mods && i < mods->n; i++) {
		if (!parse_mod(mods->v[i], &m) ||
		    in_list(bookkeeping_attrs, m.attr, m.attr_len))
			continue;
		note_flags(&m, &f);
		if (run.attr && (run.attr_len != m.attr_len ||
				 strncasecmp(run.attr, m.attr, m.attr_len) ||
				 run.op != m.op)) {
			add_item(&items, &run, &values);
			strv_free(&values);
		}
		/* A secret's values are never kept: "changed" is all. */
		if (m.value && !in_list(secret_attrs, m.attr, m.attr_len))
			strv_push(&values, m.value);
		run = m;
	}
	if (run.attr)
		add_item(&items, &run, &values);
	strv_free(&values);

	/* A password changed twice in one record (delete old, add new)
	 * gives "userPassword: changed" twice: once is enough. */
	for (size_t i = 1; i < items.n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(items.v[i], items.v[j])) {
				free(items.v[i]);
				memmove(items.v + i, items.v + i + 1,
					(items.n - i - 1) * sizeof(*items.v));
				items.v[--items.n] = NULL;
				i--;
				break;
			}

	*bookkeeping = false;
	if (!strcmp(type, "modify"))
		*action = modify_action(&f, bookkeeping);
	else if (!strcmp(type, "modrdn"))
		*action = "rename";
	else if (!strcmp(type, "add"))
		*action = "add";
	else if (!strcmp(type, "delete"))
		*action = "delete";
	else
		*action = "other";
	detail = strv_join(&items, "; ");
	strv_free(&items);
	return detail;
}

/* ---- the trail --------------------------------------------------------- */

struct event {
	time_t t;
	int rank;		/* slapd's record before the tool's line */
	long seq;		/* within the second */
	char *time;
	const char *source;
	char *operator;
	char *action;
	char *result;
	char *detail;
};

struct trail {
	const struct ulogin_history_query *q;
	const char *dn;
	struct event *ev;
	size_t n, alloc;
	size_t skipped;		/* audit lines that could not be read */
};

static struct event *
new_event(struct trail *tr)
{
	struct event *e;

	if (tr->n == tr->alloc) {
		tr->alloc = tr->alloc ? 2 * tr->alloc : 32;
		tr->ev = xreallocarray(tr->ev, tr->alloc, sizeof(*tr->ev));
	}
	e = &tr->ev[tr->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void
free_events(struct trail *tr)
{
	for (size_t i = 0; i < tr->n; i++) {
		free(tr->ev[i].time);
		free(tr->ev[i].operator);
		free(tr->ev[i].action);
		free(tr->ev[i].result);
		free(tr->ev[i].detail);
	}
	free(tr->ev);
}

/* "2026-12-04T07:23:11Z" to time_t; -1 when it is not that. */
static time_t
parse_iso(const char *s)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year,
			 &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec, &n) != 6 || s[n])
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* Is dn the user's entry, or a window right below it? */
static bool
about_user(const char *dn, const char *user)
{
	char *parent;
	bool yes;

	if (ulogin_dn_equal(dn, user))
		return true;
	parent = ulogin_dn_parent(dn);
	yes = parent && ulogin_dn_equal(parent, user);
	free(parent);
	return yes;
}

/* "stepup." or "reset." for a window below the user, else "". */
static const char *
window_prefix(const char *dn, const char *user)
{
	char *cn;
	const char *prefix = "";

	if (ulogin_dn_equal(dn, user))
		return "";
	if ((cn = ulogin_dn_first_value(dn, "cn"))) {
		if (!strcasecmp(cn, "stepup"))
			prefix = "stepup.";
		else if (!strcasecmp(cn, "reset"))
			prefix = "reset.";
		else
			prefix = "below.";
		free(cn);
	}
	return prefix;
}

static const char *
json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
audit_line(struct trail *tr, const char *line, long lineno)
{
	json_error_t err;
	json_t *o;
	const char *target, *when, *who, *comment;
	struct event *e;
	time_t t;

	/* Most lines are about someone else: look before parsing. */
	if (!strcasestr(line, tr->q->username))
		return;
	if (!(o = json_loads(line, 0, &err))) {
		tr->skipped++;
		return;
	}
	target = json_str(o, "target");
	when = json_str(o, "time");
	t = parse_iso(when);
	if (!target || t < 0) {
		tr->skipped++;
		json_decref(o);
		return;
	}
	if (!about_user(target, tr->dn) ||
	    (tr->q->since && t < tr->q->since)) {
		json_decref(o);
		return;
	}
	e = new_event(tr);
	e->t = t;
	e->rank = 1;
	e->seq = lineno;
	e->time = xstrdup(when);
	e->source = "ulogin";
	who = json_str(o, "operator");
	e->operator = ulogin_dn_who(who ? who : "");
	e->action = xstrdup(json_str(o, "action") ? json_str(o, "action")
						  : "");
	e->result = xstrdup(json_str(o, "result") ? json_str(o, "result")
						  : "");
	comment = json_str(o, "comment");
	e->detail = xstrdup(comment ? comment : "");
	json_decref(o);
}

/* The toolkit's audit log, when this operator may read it. */
static void
read_audit(struct trail *tr, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	FILE *f;

	if (!path) {
		ulogin_info("no audit log is configured (audit_log): showing "
			    "what the directory server recorded");
		return;
	}
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT)
			return;	/* nothing was changed with the tools yet */
		ulogin_warn("cannot read the audit log '%s': %s; showing what "
			    "the directory server recorded", path,
			    strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) > 0)
		audit_line(tr, line, ++lineno);
	if (ferror(f) && !lineno)
		ulogin_warn("cannot read the audit log '%s': %s; showing what "
			    "the directory server recorded", path,
			    strerror(errno));
	else if (ferror(f))
		ulogin_warn("cannot read the audit log '%s' to its end: %s",
			    path, strerror(errno));
	free(line);
	fclose(f);
	if (tr->skipped)
		ulogin_warn("skipped %zu line%s of the audit log '%s' that "
			    "are not audit records", tr->skipped,
			    tr->skipped == 1 ? "" : "s", path);
}

/* slapd's access log: the naming context whose top is an audit
 * container (slapo-accesslog's), other than the directory's own. */
static char *
find_log(struct ulogin_conn *c)
{
	static const char *const nc_attrs[] = { "namingContexts", NULL };
	static const char *const none[] = { LDAP_NO_ATTRS, NULL };
	const struct strv *ncs;
	struct ulogin_entry root;
	char *found = NULL;

	if (ulogin_read(c, "", nc_attrs, &root) != LDAP_SUCCESS) {
		ulogin_entry_free(&root);
		return NULL;
	}
	ncs = ulogin_entry_values(&root, "namingContexts");
	for (size_t i = 0; ncs && i < ncs->n && !found; i++) {
		struct ulogin_entry top;

		if (ulogin_dn_equal(ncs->v[i], ulogin_conn_base(c)))
			continue;
		memset(&top, 0, sizeof(top));
		if (ulogin_search(c, ncs->v[i], ULOGIN_SCOPE_BASE,
				  "(objectClass=auditContainer)", none,
				  ulogin_entry_keep, &top) == LDAP_SUCCESS &&
		    top.dn)
			found = xstrdup(ncs->v[i]);
		ulogin_entry_free(&top);
	}
	ulogin_entry_free(&root);
	return found;
}

/*
 * A change of a class that names the user as a member or teacher: its
 * action ("class.add-member"...), or NULL when it does not name them.
 */
static const char *
class_action(const struct strv *mods, const char *user)
{
	static const char *const names[2][3] = {
		{ "class.add-member", "class.remove-member",
		  "class.set-members" },
		{ "class.add-teacher", "class.remove-teacher",
		  "class.set-teachers" },
	};
	struct logged_mod m;

	for (size_t i = 0; mods && i < mods->n; i++) {
		int teacher, op;

		if (!parse_mod(mods->v[i], &m) || !m.value)
			continue;
		if (m.attr_len == strlen("member") &&
		    !strncasecmp(m.attr, "member", m.attr_len))
			teacher = 0;
		else if (m.attr_len == strlen("uloginTeacher") &&
			 !strncasecmp(m.attr, "uloginTeacher", m.attr_len))
			teacher = 1;
		else
			continue;
		op = m.op == '+' ? 0 : m.op == '-' ? 1 : 2;
		if (ulogin_dn_equal(m.value, user))
			return names[teacher][op];
	}
	return NULL;
}

/* A class's record that names the user (found by its reqMod value). */
static void
class_entry(struct trail *tr, const char *dn, const char *authz,
	    const struct strv *mods, time_t t, long seq)
{
	const char *action = class_action(mods, tr->dn);
	char stamp[32], *cn;
	struct event *e;

	if (!action)
		return;
	e = new_event(tr);
	e->t = t;
	e->seq = seq;
	ulogin_time_iso(t, stamp, sizeof(stamp));
	e->time = xstrdup(stamp);
	e->source = "slapd";
	e->operator = authz && *authz ? ulogin_dn_who(authz)
				      : xstrdup("anonymous");
	e->action = xstrdup(action);
	e->result = xstrdup("ok");
	cn = ulogin_dn_first_value(dn, "cn");
	e->detail = xasprintf("class %s", cn ? cn : dn);
	free(cn);
}

static int
log_entry(const struct ulogin_entry *le, void *data)
{
	struct trail *tr = data;
	const char *start = ulogin_entry_get(le, "reqStart");
	const char *type = ulogin_entry_get(le, "reqType");
	const char *dn = ulogin_entry_get(le, "reqDN");
	const char *authz = ulogin_entry_get(le, "reqAuthzID");
	const char *result = ulogin_entry_get(le, "reqResult");
	const char *session = ulogin_entry_get(le, "reqSession");
	const struct strv *mods = ulogin_entry_values(le, "reqMod");
	/* slapd's own operations (slapo-dds ending a window) run on no
	 * client's connection: its number is the largest there is. */
	bool internal = session && (!strcmp(session, "18446744073709551615") ||
				    !strcmp(session, "4294967295"));
	const char *action, *dot;
	bool bookkeeping;
	char stamp[32], *detail;
	struct event *e;
	time_t t;

	if (!start || !type || !dn || ulogin_gtime_parse(start, &t) < 0)
		return 0;
	dot = strchr(start, '.');
	if (!about_user(dn, tr->dn)) {
		if (!strcmp(type, "modify") || !strcmp(type, "add"))
			class_entry(tr, dn, authz, mods, t,
				    dot ? strtol(dot + 1, NULL, 10) : 0);
		return 0;
	}
	detail = ulogin_history_describe(type, mods, &action, &bookkeeping);
	if (bookkeeping && !strcmp(action, "login") && !tr->q->logins) {
		free(detail);
		return 0;
	}
	e = new_event(tr);
	e->t = t;
	e->rank = 0;
	e->seq = dot ? strtol(dot + 1, NULL, 10) : 0;
	ulogin_time_iso(t, stamp, sizeof(stamp));
	e->time = xstrdup(stamp);
	e->source = "slapd";
	/* slapd's password policy records logins itself (as the manager):
	 * nobody the help desk should look for. */
	if (bookkeeping || internal)
		e->operator = xstrdup("slapd");
	else if (authz && *authz)
		e->operator = ulogin_dn_who(authz);
	else
		e->operator = xstrdup("anonymous");
	if (internal && !strcmp(action, "delete") &&
	    *window_prefix(dn, tr->dn))
		action = "expired";	/* its time was up */
	e->action = xasprintf("%s%s", window_prefix(dn, tr->dn), action);
	if (!result || !strcmp(result, "0"))
		e->result = xstrdup("ok");
	else
		e->result = xstrdup(ulogin_ldap_words(atoi(result)));
	if (!*detail && (!mods || !mods->n) && strcmp(type, "delete")) {
		free(detail);
		detail = xstrdup("(what changed is not shown to you)");
	}
	e->detail = detail;
	return 0;
}

static int
read_log(struct ulogin_conn *c, struct trail *tr)
{
	static const char *const attrs[] = {
		"reqStart", "reqType", "reqDN", "reqAuthzID", "reqResult",
		"reqSession", "reqMod", NULL
	};
	char *log, *stepup, *reset, *filter, *who;
	char since[16];
	int rc;

	if (!(log = find_log(c))) {
		ulogin_info("no access log of the directory server that you "
			    "may read: showing the audit log only");
		ulogin_hint("the set-up is in ulogin(7), section SLAPD ACCESS LOG");
		return 0;
	}
	stepup = ulogin_dn_child(tr->dn, "cn", "stepup");
	reset = ulogin_dn_child(tr->dn, "cn", "reset");
	/* The user, their windows, and the classes that name them (the
	 * values are as the tools write them: "member:+ DN"). */
	who = ulogin_filter("(|(reqDN=%s)(reqDN=%s)(reqDN=%s)"
			    "(reqMod=member:+ %s)(reqMod=member:- %s)"
			    "(reqMod=member:= %s)(reqMod=uloginTeacher:+ %s)"
			    "(reqMod=uloginTeacher:- %s)"
			    "(reqMod=uloginTeacher:= %s))", tr->dn, stepup,
			    reset, tr->dn, tr->dn, tr->dn, tr->dn, tr->dn,
			    tr->dn);
	if (tr->q->since) {
		ulogin_gtime_format(tr->q->since, since, sizeof(since));
		filter = ulogin_filter("(&(reqStart>=%s)%r)", since, who);
	} else {
		filter = xstrdup(who);
	}
	rc = ulogin_search(c, log, ULOGIN_SCOPE_ONE, filter, attrs,
			   log_entry, tr);
	free(filter);
	free(who);
	free(stepup);
	free(reset);
	if (rc == LDAP_NO_SUCH_OBJECT || rc == LDAP_INSUFFICIENT_ACCESS) {
		/* The log's top is there, its records not for this
		 * operator. */
		free(log);
		return 0;
	}
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot read the access log "
				       "'%s'", log);
		free(log);
		return rc;
	}
	free(log);
	return 0;
}

static int
cmp_events(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	/* Newest first. */
	if (x->t != y->t)
		return x->t < y->t ? 1 : -1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? 1 : -1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? 1 : -1;
	return 0;
}

int
ulogin_user_history(struct ulogin_conn *c,
		    const struct ulogin_history_query *q,
		    struct ulogin_table **out)
{
	static const char *const columns[] = {
		"time", "source", "operator", "action", "result", "detail",
		NULL
	};
	static const char *const none[] = { LDAP_NO_ATTRS, NULL };
	struct trail tr = { q, NULL, NULL, 0, 0, 0 };
	struct ulogin_entry e;
	struct ulogin_table *t;
	char *dn;
	bool gone;
	int rc;

	*out = NULL;
	if (ulogin_username_invalid(q->username))
		return ulogin_user_read(c, q->username, &e);
	if (!(dn = ulogin_user_dn(c, q->username))) {
		ulogin_error("cannot use base DN '%s'", ulogin_conn_base(c));
		return ULOGIN_EX_CONFIG;
	}
	rc = ulogin_read(c, dn, none, &e);
	ulogin_entry_free(&e);
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) {
		free(dn);
		if (rc == LDAP_INSUFFICIENT_ACCESS) {
			/* Says "not one you may see" as show does. */
			rc = ulogin_user_read(c, q->username, &e);
			ulogin_entry_free(&e);
			return rc;
		}
		return ulogin_ldap_error(c, rc, "cannot read user '%s'",
					 q->username);
	}
	gone = rc == LDAP_NO_SUCH_OBJECT;
	tr.dn = dn;
	read_audit(&tr, ulogin_conn_config(c)->audit_log);
	if ((rc = read_log(c, &tr))) {
		free_events(&tr);
		free(dn);
		return rc;
	}
	free(dn);
	if (gone && !tr.n) {
		ulogin_error("cannot find user '%s', nor any record of one",
			     q->username);
		ulogin_hint("search by name with 'ulogin-user find --name "
			    "NAME'");
		free_events(&tr);
		return ULOGIN_EX_NOUSER;
	}
	if (gone)
		ulogin_info("user '%s' no longer exists; its trail follows",
			    q->username);

	if (tr.n)
		qsort(tr.ev, tr.n, sizeof(*tr.ev), cmp_events);
	t = ulogin_table_new(columns);
	for (size_t i = 0; i < tr.n && (!q->limit || i < q->limit); i++) {
		const struct event *ev = &tr.ev[i];

		ulogin_table_begin_row(t);
		ulogin_table_set(t, 0, ev->time);
		ulogin_table_set(t, 1, ev->source);
		ulogin_table_set(t, 2, ev->operator);
		ulogin_table_set(t, 3, ev->action);
		ulogin_table_set(t, 4, ev->result);
		ulogin_table_set(t, 5, ev->detail);
	}
	free_events(&tr);
	*out = t;
	return 0;
}
