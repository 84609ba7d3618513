#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "dn.h"
#include "gtime.h"
#include "mem.h"
#include "state.h"
#include "banned.h"

const char *const ulogin_states[] = {
	"left", "blocked", "locked-out", "pending-migration",
	"reset-window-open", "expired", "must-change", "idle", "active", NULL
};

/* The condition of each state but active, in the order of ulogin_states. */
static const unsigned precedence[] = {
	ULOGIN_COND_LEFT, ULOGIN_COND_BLOCKED, ULOGIN_COND_LOCKED_OUT,
	ULOGIN_COND_PENDING_MIGRATION, ULOGIN_COND_RESET_WINDOW,
	ULOGIN_COND_EXPIRED, ULOGIN_COND_MUST_CHANGE, ULOGIN_COND_IDLE,
};

const char *const ulogin_state_attrs[] = {
	"uid", "uloginLeftAt", "pwdAccountLockedTime", "uloginBlockReason",
	"uloginBlockedBy", "uloginBlockedAt", "pwdReset", "pwdChangedTime",
	"pwdLastSuccess", "pwdPolicySubentry", "uloginSource",
	"createTimestamp", NULL
};

const char *const ulogin_state_policy_attrs[] = {
	"cn", "pwdMaxAge", "pwdExpireWarning", "pwdLockout",
	"pwdLockoutDuration", "pwdMaxFailure", "pwdGraceAuthNLimit",
	"pwdMustChange", NULL
};

#define BLOCK_VALUE "000001010000Z"

/* ---- the state --------------------------------------------------------- */

bool
ulogin_lock_is_block(const char *v)
{
	size_t n;

	/* 000001010000Z, also written with seconds or a fraction: the
	 * values generalizedTimeMatch finds equal to it. */
	if (!v || strncmp(v, "0000010100", 10))
		return false;
	for (v += 10, n = 0; *v == '0'; v++, n++)
		;
	if (n != 2 && n != 4)
		return false;
	if (*v == '.' || *v == ',')
		for (v++; *v == '0'; v++)
			;
	return !strcmp(v, "Z");
}

static long
policy_number(const struct ulogin_entry *policy, const char *attr)
{
	const char *v = policy ? ulogin_entry_get(policy, attr) : NULL;

	return v ? strtol(v, NULL, 10) : 0;
}

static bool
is_true(const struct ulogin_entry *e, const char *attr)
{
	const char *v = e ? ulogin_entry_get(e, attr) : NULL;

	return v && !strcasecmp(v, "TRUE");
}

static time_t
time_of(const struct ulogin_entry *e, const char *attr)
{
	time_t t;

	if (ulogin_gtime_parse(ulogin_entry_get(e, attr), &t) == 0 && t > 0)
		return t;
	return 0;
}

/* Every condition that holds, and the times that go with them. */
static void
conditions(const struct ulogin_state_facts *f, struct ulogin_state *st)
{
	const struct ulogin_entry *u = f->user;
	const char *locked = ulogin_entry_get(u, "pwdAccountLockedTime");
	long max_age = policy_number(f->policy, "pwdMaxAge");
	long lockout = policy_number(f->policy, "pwdLockoutDuration");
	time_t changed = time_of(u, "pwdChangedTime");

	if (changed && max_age > 0)
		st->expires = changed + max_age;
	st->last_login = time_of(u, "pwdLastSuccess");
	st->idle_since = st->last_login ? st->last_login
					: time_of(u, "createTimestamp");

	if (ulogin_entry_get(u, "uloginLeftAt"))
		st->conditions |= ULOGIN_COND_LEFT;
	if (locked && ulogin_lock_is_block(locked)) {
		st->conditions |= ULOGIN_COND_BLOCKED;
	} else if (locked) {
		time_t t = time_of(u, "pwdAccountLockedTime");

		/* slapd ends a lock-out after pwdLockoutDuration (0: never);
		 * a value it cannot read as a time locks for good. */
		if (!t || !lockout || t + lockout > f->now) {
			st->conditions |= ULOGIN_COND_LOCKED_OUT;
			st->locked_at = t;
			st->locked_until = t && lockout ? t + lockout : 0;
		}
	}
	if (f->source_deprecated)
		st->conditions |= ULOGIN_COND_PENDING_MIGRATION;
	if (f->reset_until > f->now)
		st->conditions |= ULOGIN_COND_RESET_WINDOW;
	if (st->expires && st->expires <= f->now)
		st->conditions |= ULOGIN_COND_EXPIRED;
	if (is_true(u, "pwdReset"))
		st->conditions |= ULOGIN_COND_MUST_CHANGE;
	if (!st->last_login)
		st->conditions |= ULOGIN_COND_NEVER_LOGGED_IN;
	if (st->idle_since && st->idle_since + ULOGIN_IDLE_SECONDS <= f->now)
		st->conditions |= ULOGIN_COND_IDLE;
}

static char *
blocked_reason(const struct ulogin_state_facts *f)
{
	const char *why = ulogin_entry_get(f->user, "uloginBlockReason");
	const char *by_dn = ulogin_entry_get(f->user, "uloginBlockedBy");
	time_t at = time_of(f->user, "uloginBlockedAt");
	char *by = by_dn ? ulogin_dn_who(by_dn) : xstrdup("an administrator");
	char *when = at ? ulogin_time_words_new(at) : NULL;
	char *s = xasprintf("blocked by %s%s%s%s%s%s", by,
			    when ? " on " : "", when ? when : "",
			    why ? ": " : "", why ? why : "",
			    is_true(f->policy, "pwdLockout") ? ""
			    : " (not in force: the password policy has no "
			      "lockout)");

	free(when);
	free(by);
	return s;
}

static char *
reason(const struct ulogin_state_facts *f, const struct ulogin_state *st,
       unsigned cond)
{
	char *when = NULL, *by, *s;
	time_t t;

	switch (cond) {
	case ULOGIN_COND_LEFT:
		if (!(t = time_of(f->user, "uloginLeftAt")))
			return xstrdup("left the school");
		when = ulogin_time_words_new(t);
		s = xasprintf("left the school on %s", when);
		break;
	case ULOGIN_COND_BLOCKED:
		return blocked_reason(f);
	case ULOGIN_COND_LOCKED_OUT:
		if (!st->locked_until)
			return xstrdup("too many wrong passwords; locked out "
				       "until an administrator unlocks it");
		when = ulogin_time_words_new(st->locked_until);
		s = xasprintf("too many wrong passwords; unlocks at %s",
			      when);
		break;
	case ULOGIN_COND_PENDING_MIGRATION:
		return xstrdup("attached only through a deprecated CSV "
			       "import; attach it through the administrative "
			       "system");
	case ULOGIN_COND_RESET_WINDOW:
		when = ulogin_time_words_new(f->reset_until);
		by = f->reset_by ? ulogin_dn_who(f->reset_by) : NULL;
		s = xasprintf("a password reset window is open until %s%s%s",
			      when, by ? ", opened by " : "", by ? by : "");
		free(by);
		break;
	case ULOGIN_COND_EXPIRED:
		when = ulogin_time_words_new(st->expires);
		s = xasprintf("the password expired on %s", when);
		break;
	case ULOGIN_COND_MUST_CHANGE:
		return xstrdup("must choose a new password at the next login");
	case ULOGIN_COND_IDLE:
		when = ulogin_time_words_new(st->idle_since);
		s = st->last_login ? xasprintf("not used since %s", when)
			: xasprintf("never logged in since it was made on %s",
				    when);
		break;
	default:
		return xstrdup("not blocked, locked out, expired or left");
	}
	free(when);
	return s;
}

void
ulogin_account_state(const struct ulogin_state_facts *f,
		     struct ulogin_state *out)
{
	size_t i, n = sizeof(precedence) / sizeof(*precedence);

	memset(out, 0, sizeof(*out));
	conditions(f, out);
	for (i = 0; i < n; i++)
		if (out->conditions & precedence[i])
			break;
	out->state = ulogin_states[i];
	out->reason = reason(f, out, i < n ? precedence[i] : 0);
}

void
ulogin_state_free(struct ulogin_state *st)
{
	free(st->reason);
	st->reason = NULL;
}

bool
ulogin_state_expiring(const struct ulogin_state *st, time_t now, long within)
{
	if (st->conditions & (ULOGIN_COND_LEFT | ULOGIN_COND_BLOCKED))
		return false;
	return st->expires > now && st->expires <= now + within;
}

bool
ulogin_state_idle_for(const struct ulogin_state *st, time_t now, long period)
{
	return st->idle_since && st->idle_since + period <= now;
}

/* ---- list filters ------------------------------------------------------ */

bool
ulogin_list_filter_set(const struct ulogin_list_filter *f)
{
	return f && (f->state || f->expiring || f->idle ||
		     f->never_logged_in);
}

char *
ulogin_list_filter_ldap(const struct ulogin_list_filter *f, time_t now)
{
	char *s = xstrdup(""), *part = NULL, *next;
	char stamp[32];

	if (f->state && !strcmp(f->state, "blocked"))
		part = xstrdup("(pwdAccountLockedTime=" BLOCK_VALUE ")");
	else if (f->state && !strcmp(f->state, "locked-out"))
		part = xstrdup("(&(pwdAccountLockedTime=*)"
			       "(!(pwdAccountLockedTime=" BLOCK_VALUE ")))");
	else if (f->state && !strcmp(f->state, "must-change"))
		part = xstrdup("(pwdReset=TRUE)");
	else if ((f->state && !strcmp(f->state, "expired")) || f->expiring)
		part = xstrdup("(pwdChangedTime=*)");
	if (part) {
		next = xasprintf("%s%s", s, part);
		free(s);
		free(part);
		s = next;
	}
	if (f->never_logged_in) {
		next = xasprintf("%s(!(pwdLastSuccess=*))", s);
		free(s);
		s = next;
	}
	if (f->idle) {
		/* A second later than the cut, so that a fraction of a
		 * second in the directory's value never drops an account
		 * the state would keep; the state decides. */
		ulogin_gtime_format(now - f->idle + 1, stamp, sizeof(stamp));
		next = xasprintf("%s(|(pwdLastSuccess<=%s)(&(!(pwdLastSuccess="
				 "*))(createTimestamp<=%s)))", s, stamp, stamp);
		free(s);
		s = next;
	}
	return s;
}

unsigned
ulogin_state_condition(const char *state)
{
	size_t n = sizeof(precedence) / sizeof(*precedence);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(ulogin_states[i], state))
			return precedence[i];
	return 0;
}

bool
ulogin_list_filter_match(const struct ulogin_list_filter *f,
			 const struct ulogin_state *st, time_t now)
{
	const unsigned out_of_use = ULOGIN_COND_LEFT | ULOGIN_COND_BLOCKED;
	unsigned cond = f->state ? ulogin_state_condition(f->state) : 0;

	/* The condition, not the one state that wins: an expired account
	 * of a phased-out import is expired too.  But a password nobody
	 * can use (blocked, left) is no news, as for expiring. */
	if (cond && (!(st->conditions & cond) ||
		     (!(cond & out_of_use) && (st->conditions & out_of_use))))
		return false;
	if (f->expiring && !ulogin_state_expiring(st, now, f->expiring))
		return false;
	if (f->idle && !ulogin_state_idle_for(st, now, f->idle))
		return false;
	if (f->never_logged_in &&
	    !(st->conditions & ULOGIN_COND_NEVER_LOGGED_IN))
		return false;
	return true;
}

/* ---- the reader -------------------------------------------------------- */

struct window {
	char *user_dn;
	time_t until;
	char *by;
};

struct ulogin_state_reader {
	struct ulogin_conn *c;
	char *default_policy;
	struct strv policy_dns;
	struct ulogin_entry *policies;	/* parallel; dn NULL: missing */
	struct strv deprecated;
	bool deprecated_read;
	struct window *windows;
	size_t nwindows;
	bool windows_read;
};

struct ulogin_state_reader *
ulogin_state_reader_new(struct ulogin_conn *c)
{
	struct ulogin_state_reader *r = xcalloc(1, sizeof(*r));
	char *policies = ulogin_dn_policies(ulogin_conn_base(c));

	r->c = c;
	r->default_policy = ulogin_dn_child(policies, "cn", "default");
	free(policies);
	return r;
}

void
ulogin_state_reader_free(struct ulogin_state_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->policy_dns.n; i++)
		ulogin_entry_free(&r->policies[i]);
	free(r->policies);
	strv_free(&r->policy_dns);
	strv_free(&r->deprecated);
	for (size_t i = 0; i < r->nwindows; i++) {
		free(r->windows[i].user_dn);
		free(r->windows[i].by);
	}
	free(r->windows);
	free(r->default_policy);
	free(r);
}

const struct ulogin_entry *
ulogin_state_policy(struct ulogin_state_reader *r,
		    const struct ulogin_entry *user, const char **dn_out)
{
	const char *dn = ulogin_entry_get(user, "pwdPolicySubentry");
	size_t i;

	if (!dn)
		dn = r->default_policy;
	for (i = 0; i < r->policy_dns.n; i++)
		if (!strcasecmp(r->policy_dns.v[i], dn))
			break;
	if (i == r->policy_dns.n) {
		strv_push(&r->policy_dns, dn);
		r->policies = xreallocarray(r->policies, r->policy_dns.n,
					    sizeof(*r->policies));
		/* Missing or not readable: the state has no policy. */
		if (ulogin_read(r->c, dn, ulogin_state_policy_attrs,
				&r->policies[i]) != LDAP_SUCCESS)
			ulogin_entry_free(&r->policies[i]);
	}
	if (dn_out)
		*dn_out = r->policy_dns.v[i];
	return r->policies[i].dn ? &r->policies[i] : NULL;
}

/* Attached only through deprecated imports: every source is one. */
bool
ulogin_only_deprecated(const struct ulogin_entry *user,
		       const struct strv *names)
{
	const struct strv *v = ulogin_entry_values(user, "uloginSource");

	if (!v || !v->n)
		return false;
	for (size_t i = 0; i < v->n; i++) {
		size_t j;

		for (j = 0; j < names->n; j++)
			if (!strcasecmp(v->v[i], names->v[j]))
				break;
		if (j == names->n)
			return false;
	}
	return true;
}

/* Attached only through deprecated imports: every source is one. */
static bool
deprecated(struct ulogin_state_reader *r, const struct ulogin_entry *user)
{
	static const char *const cn[] = { "cn", NULL };

	if (!ulogin_entry_values(user, "uloginSource"))
		return false;
	if (!r->deprecated_read) {
		char *imports = ulogin_dn_imports(ulogin_conn_base(r->c));

		/* Once per reader; what cannot be read counts as none. */
		ulogin_search(r->c, imports, ULOGIN_SCOPE_ONE,
			      ULOGIN_DEPRECATED_FILTER, cn,
			      ulogin_entry_note_cn, &r->deprecated);
		free(imports);
		r->deprecated_read = true;
	}
	return ulogin_only_deprecated(user, &r->deprecated);
}

static int
note_window(const struct ulogin_entry *e, void *data)
{
	struct ulogin_state_reader *r = data;
	const char *by = ulogin_entry_get(e, "creatorsName");
	struct window *w;
	time_t until;

	if (ulogin_gtime_parse(ulogin_entry_get(e, "entryExpireTimestamp"),
			       &until) < 0)
		return 0;
	r->windows = xreallocarray(r->windows, r->nwindows + 1,
				   sizeof(*r->windows));
	w = &r->windows[r->nwindows++];
	w->user_dn = ulogin_dn_parent(e->dn);
	w->until = until;
	w->by = by ? xstrdup(by) : NULL;
	return 0;
}

static const struct window *
window_of(struct ulogin_state_reader *r, const struct ulogin_entry *user)
{
	static const char *const attrs[] = { "entryExpireTimestamp",
					     "creatorsName", NULL };

	if (!r->windows_read) {
		char *people = ulogin_dn_people(ulogin_conn_base(r->c));

		/* Every open window at once (they are few and short); a
		 * claimed one is used, not open. */
		ulogin_search(r->c, people, ULOGIN_SCOPE_SUB,
			      ULOGIN_OPEN_WINDOW_FILTER, attrs,
			      note_window, r);
		free(people);
		r->windows_read = true;
	}
	for (size_t i = 0; i < r->nwindows; i++)
		if (r->windows[i].user_dn &&
		    ulogin_dn_equal(r->windows[i].user_dn, user->dn))
			return &r->windows[i];
	return NULL;
}

void
ulogin_state_read(struct ulogin_state_reader *r,
		  const struct ulogin_entry *user, time_t now,
		  struct ulogin_state *out)
{
	const struct window *w = window_of(r, user);
	struct ulogin_state_facts f = {
		.user = user,
		.policy = ulogin_state_policy(r, user, NULL),
		.source_deprecated = deprecated(r, user),
		.reset_until = w ? w->until : 0,
		.reset_by = w ? w->by : NULL,
		.now = now,
	};

	ulogin_account_state(&f, out);
}
