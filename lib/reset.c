#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ldap.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "msg.h"
#include "operator.h"
#include "ppolicy.h"
#include "reset.h"
#include "banned.h"

#define WINDOW_RDN "reset"
/* The mark of a used window, in its description; the access rules let
 * the login service add exactly this value and nobody remove it. */
#define CLAIMED "claimed"

static const char *const person_attrs[] = { "uid", "uloginRole",
					     "uloginAdminOf", NULL };
static const char *const window_attrs[] = { "entryExpireTimestamp",
	"creatorsName", "description", NULL };

/* ---- windows -------------------------------------------------------- */

enum window_state {
	WINDOW_NONE,		/* no entry */
	WINDOW_OPEN,		/* there, in time, not used */
	WINDOW_USED,		/* claimed (the password was given) */
	WINDOW_OVER,		/* its time is up; slapd deletes it soon */
};

struct window {
	enum window_state state;
	time_t until;		/* 0 when unknown */
	char *by;		/* who opened it: a username or DN */
};

/* What a window entry (or none: dn NULL) says at the time now. */
static void
judge_window(const struct ulogin_entry *e, time_t now, struct window *w)
{
	const char *exp = e->dn ? ulogin_entry_get(e, "entryExpireTimestamp")
				: NULL;
	const char *creator = e->dn ? ulogin_entry_get(e, "creatorsName")
				    : NULL;

	memset(w, 0, sizeof(*w));
	if (!e->dn)
		return;
	if (exp && ulogin_gtime_parse(exp, &w->until) < 0)
		w->until = 0;
	w->by = creator ? ulogin_dn_who(creator) : NULL;
	/* slapd deletes an expired window only every few seconds
	 * (olcDDSinterval); until then it is over all the same. */
	if (ulogin_entry_has_value(e, "description", CLAIMED))
		w->state = WINDOW_USED;
	else if (w->until > now)
		w->state = WINDOW_OPEN;
	else
		w->state = WINDOW_OVER;
}

/* The windows of dns, all at once; an LDAP code. */
static int
read_windows(struct ulogin_conn *c, char *const *dns, size_t n,
	     struct window *out)
{
	struct ulogin_entry *e = xcalloc(n ? n : 1, sizeof(*e));
	struct ulogin_query *q = xcalloc(n ? n : 1, sizeof(*q));
	time_t now = time(NULL);
	int rc = LDAP_SUCCESS;

	for (size_t i = 0; i < n; i++)
		q[i] = (struct ulogin_query){ dns[i], ULOGIN_SCOPE_BASE,
			"(objectClass=uloginResetWindow)", window_attrs,
			ulogin_entry_keep, &e[i], 0 };
	if (n)
		rc = ulogin_search_all(c, q, n);
	for (size_t i = 0; i < n; i++) {
		if (rc == LDAP_SUCCESS && q[i].rc != LDAP_SUCCESS &&
		    q[i].rc != LDAP_NO_SUCH_OBJECT)
			rc = q[i].rc;
		judge_window(&e[i], now, &out[i]);
		ulogin_entry_free(&e[i]);
	}
	free(e);
	free(q);
	return rc;
}

static void
window_free(struct window *w)
{
	free(w->by);
	memset(w, 0, sizeof(*w));
}

/* ---- who gets a window --------------------------------------------- */

/* Staff get no reset window: say what they do instead.  Returns 77. */
static int
refuse_staff(const char *username)
{
	ulogin_error("cannot reset the password of '%s': staff get no "
		     "reset window", username);
	ulogin_staff_password_hint();
	return ULOGIN_EX_NOPERM;
}

/* ---- reset ---------------------------------------------------------- */

static int
delete_window(struct ulogin_conn *c, const char *dn, const char *action)
{
	struct ulogin_change ch;
	int lrc;

	ulogin_change_init(&ch, ULOGIN_CHANGE_DELETE, dn, action);
	lrc = ulogin_apply(c, &ch);
	ulogin_change_free(&ch);
	/* Gone already (slapd's expiry, another claim): closed all the
	 * same. */
	return lrc == LDAP_NO_SUCH_OBJECT ? LDAP_SUCCESS : lrc;
}

static int
add_window(struct ulogin_conn *c, const char *dn)
{
	struct ulogin_change ch;
	int lrc;

	ulogin_change_init(&ch, ULOGIN_CHANGE_ADD, dn, "reset.open");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass",
			  "uloginResetWindow");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass", "dynamicObject");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "cn", WINDOW_RDN);
	lrc = ulogin_apply(c, &ch);
	ulogin_change_free(&ch);
	return lrc;
}

int
ulogin_reset_open(struct ulogin_conn *c, const struct strv *users,
		  struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "until", "by", NULL };
	bool dry = ulogin_conn_config(c)->dry_run;
	size_t n = users->n, opened = 0, failed = 0;
	struct ulogin_operator op;
	struct ulogin_entry *e = NULL;
	struct strv dns = STRV_INIT;
	struct window *w = xcalloc(n ? n : 1, sizeof(*w));
	bool *done = xcalloc(n ? n : 1, sizeof(*done));
	struct ulogin_table *tab;
	time_t latest = 0;
	char when[40];
	int rc, lrc, last = 0;

	*out = NULL;
	if ((rc = ulogin_operator_read(c, &op)) ||
	    (rc = ulogin_operator_users(c, &op, users, person_attrs, &e)))
		goto out;
	/* Any refusal stops the command before anything changes. */
	for (size_t i = 0; i < n; i++)
		if (ulogin_user_is_staff(&e[i]))
			rc = refuse_staff(users->v[i]);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++)
		strv_push_owned(&dns, ulogin_dn_child(e[i].dn, "cn",
						      WINDOW_RDN));
	if ((lrc = read_windows(c, dns.v, n, w)) != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "cannot read the reset windows");
		goto out;
	}
	if ((rc = ulogin_prepare_changes(c)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *who = users->v[i];

		if (w[i].state == WINDOW_OPEN) {
			/* Never extended: the 5 minutes are slapd's. */
			ulogin_time_words(w[i].until, when, sizeof(when));
			ulogin_info("the reset window of '%s' is open already, "
				    "until %s (opened by %s)", who, when,
				    w[i].by ? w[i].by : "someone");
			done[i] = true;
			continue;
		}
		/* A used or ended window makes way for the new one. */
		lrc = w[i].state == WINDOW_NONE ? LDAP_SUCCESS
			: delete_window(c, dns.v[i], "reset.replace");
		if (lrc == LDAP_SUCCESS)
			lrc = add_window(c, dns.v[i]);
		if (lrc == LDAP_SUCCESS) {
			done[i] = true;
			opened++;
			continue;
		}
		failed++;
		last = lrc == ULOGIN_LDAP_AUDIT_FAILED ? ULOGIN_EX_CANTCREAT
			: ulogin_ldap_error(c, lrc, "cannot open a reset "
					    "window for '%s'", who);
	}
	if (dry) {
		ulogin_info("would open %zu reset window%s (dry run)", opened,
			    opened == 1 ? "" : "s");
		goto verdict;
	}
	/* What slapd holds now: its own time and who. */
	for (size_t i = 0; i < n; i++)
		window_free(&w[i]);
	if ((lrc = read_windows(c, dns.v, n, w)) != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "opened, but cannot read the "
				       "reset windows back");
		goto out;
	}
	tab = ulogin_table_new(cols);
	for (size_t i = 0; i < n; i++) {
		if (!done[i] || w[i].state != WINDOW_OPEN)
			continue;
		ulogin_table_begin_row(tab);
		ulogin_table_set(tab, 0, users->v[i]);
		ulogin_time_iso(w[i].until, when, sizeof(when));
		ulogin_table_set(tab, 1, when);
		ulogin_table_set(tab, 2, w[i].by);
		if (w[i].until > latest)
			latest = w[i].until;
	}
	*out = tab;
	if (opened) {
		ulogin_time_words(latest, when, sizeof(when));
		ulogin_info("opened %zu reset window%s until %s: the user "
			    "logs in with the username alone, once, before "
			    "then", opened, opened == 1 ? "" : "s", when);
	}
verdict:
	if (failed)
		rc = failed == n ? last : ULOGIN_EX_PARTIAL;
	if (!rc && ulogin_conn_audit_failed(c))
		rc = ULOGIN_EX_CANTCREAT;
out:
	for (size_t i = 0; e && i < n; i++)
		ulogin_entry_free(&e[i]);
	free(e);
	for (size_t i = 0; i < n; i++)
		window_free(&w[i]);
	free(w);
	free(done);
	strv_free(&dns);
	ulogin_operator_free(&op);
	return rc;
}

/* ---- claim ---------------------------------------------------------- */

/* Say why a window cannot be claimed; 77. */
static int
not_claimable(const char *username, const struct window *w)
{
	char when[40];

	switch (w->state) {
	case WINDOW_NONE:
		ulogin_error("cannot claim a new password for '%s': no reset "
			     "window is open", username);
		ulogin_hint("a teacher or an administrator opens one with "
			    "'ulogin-user reset %s'; it can be claimed once, "
			    "within 5 minutes", username);
		break;
	case WINDOW_OVER:
		if (w->until) {
			ulogin_time_words(w->until, when, sizeof(when));
			ulogin_error("cannot claim a new password for '%s': "
				     "the reset window closed at %s", username,
				     when);
		} else {
			ulogin_error("cannot claim a new password for '%s': "
				     "the reset window has closed", username);
		}
		ulogin_hint("ask a teacher or an administrator for a new "
			    "reset ('ulogin-user reset %s')", username);
		break;
	default:
		ulogin_error("cannot claim a new password for '%s': the reset "
			     "window has been used already", username);
		ulogin_hint("a reset window gives one password, once; ask a "
			    "teacher or an administrator for a new reset");
		break;
	}
	return ULOGIN_EX_NOPERM;
}

/* The user's rules: those of the policy the user is linked to (slapd's,
 * which the tools keep pointing at the effective one; the login service
 * cannot read what the effective policy is worked out from), else the
 * effective policy as far as the operator can read it. */
static int
claim_rules(struct ulogin_conn *c, const struct ulogin_entry *user,
	    struct ulogin_user_rules *rules)
{
	const struct ulogin_policy_set *s = &ulogin_conn_config(c)->policies;
	const char *link = ulogin_entry_get(user, "pwdPolicySubentry");
	char *name = link ? ulogin_dn_first_value(link, "cn") : NULL;
	int rc;

	if (name && !ulogin_policy_find(s, name)) {
		ulogin_warn("'%s' is linked to policy '%s', which the config "
			    "does not define: using its effective policy",
			    ulogin_entry_get(user, "uid"), name);
		free(name);
		name = NULL;
	}
	rc = ulogin_user_rules_load(s, user, name, rules);
	free(name);
	return rc;
}

/* Mark the window claimed, once: an LDAP code. */
static int
mark_claimed(struct ulogin_conn *c, const char *window, time_t now)
{
	struct ulogin_change ch;
	char stamp[16];
	char *assertion;
	int lrc;

	ulogin_gtime_format(now, stamp, sizeof(stamp));
	assertion = ulogin_filter("(&(objectClass=uloginResetWindow)"
				  "(!(description=%s))"
				  "(entryExpireTimestamp>=%s))", CLAIMED, stamp);
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, window, "reset.claim");
	ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "description", CLAIMED);
	if (ulogin_conn_config(c)->dry_run) {
		printf("# sent with the assertion %s\n", assertion);
		ulogin_change_ldif(stdout, &ch);
		lrc = LDAP_SUCCESS;
	} else {
		lrc = ulogin_apply_asserted(c, &ch, assertion);
	}
	ulogin_change_free(&ch);
	free(assertion);
	return lrc;
}

/* Does slapd say the user must change the password?  -1: cannot tell. */
static int
must_change(struct ulogin_conn *c, const char *dn)
{
	static const char *const attrs[] = { "pwdReset", NULL };
	struct ulogin_entry e;
	int yes;

	if (ulogin_read(c, dn, attrs, &e) != LDAP_SUCCESS)
		return -1;
	yes = ulogin_entry_has_value(&e, "pwdReset", "TRUE");
	ulogin_entry_free(&e);
	return yes;
}

int
ulogin_reset_claim(struct ulogin_conn *c, const char *username,
		   ulogin_reset_deliver_fn deliver, void *data)
{
	bool dry = ulogin_conn_config(c)->dry_run;
	struct ulogin_user_rules rules;
	struct ulogin_entry user;
	struct ulogin_record *r;
	struct window w;
	char *window = NULL, *password = NULL, *comment;
	const char *why = NULL;
	time_t now;
	int rc, lrc, mc;

	memset(&rules, 0, sizeof(rules));
	memset(&w, 0, sizeof(w));
	if ((rc = ulogin_user_read(c, username, &user)))
		return rc;
	/* The login service cannot read roles; slapd refuses it a staff
	 * member's password all the same. */
	if (ulogin_user_is_staff(&user)) {
		rc = refuse_staff(username);
		goto out;
	}
	window = ulogin_dn_child(user.dn, "cn", WINDOW_RDN);
	if ((lrc = read_windows(c, &window, 1, &w)) != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "cannot read the reset window "
				       "of '%s'", username);
		goto out;
	}
	if (w.state != WINDOW_OPEN) {
		rc = not_claimable(username, &w);
		goto out;
	}
	/* Everything that can fail here before the window is used. */
	if ((rc = claim_rules(c, &user, &rules)))
		goto out;
	if (!dry && !(password = ulogin_user_rules_generate(&rules, &why))) {
		ulogin_error("cannot make a password for '%s' under policy "
			     "'%s': %s", username, rules.policy->name,
			     why ? why : "no reason given");
		rc = ULOGIN_EX_CONFIG;
		goto out;
	}
	if ((rc = ulogin_prepare_changes(c)))
		goto out;

	now = time(NULL);
	lrc = mark_claimed(c, window, now);
	if (lrc == LDAP_ASSERTION_FAILED || lrc == LDAP_NO_SUCH_OBJECT) {
		/* Another claim won, or the time ran out: which? */
		window_free(&w);
		if (read_windows(c, &window, 1, &w) != LDAP_SUCCESS ||
		    w.state == WINDOW_OPEN)
			w.state = WINDOW_USED;
		rc = not_claimable(username, &w);
		goto out;
	}
	if (lrc != LDAP_SUCCESS) {
		rc = lrc == ULOGIN_LDAP_AUDIT_FAILED ? ULOGIN_EX_CANTCREAT
			: ulogin_ldap_error(c, lrc, "cannot claim the reset "
					    "window of '%s'", username);
		goto out;
	}

	/* The window is ours and used: from here on, whatever happens, it
	 * gives no second password. */
	comment = xasprintf("reset window opened by %s",
			    w.by ? w.by : "(unknown)");
	lrc = ulogin_password_modify(c, user.dn, dry ? "" : password,
				     "reset.password", comment);
	free(comment);
	if (lrc != LDAP_SUCCESS) {
		rc = lrc == ULOGIN_LDAP_AUDIT_FAILED ? ULOGIN_EX_CANTCREAT
			: ulogin_ldap_error(c, lrc, "cannot set the new "
					    "password of '%s'", username);
		ulogin_hint("the reset window is used up; ask a teacher or "
			    "an administrator for a new reset");
		delete_window(c, window, "reset.close");
		goto out;
	}
	if (dry) {
		delete_window(c, window, "reset.close");
		ulogin_info("would give '%s' a new password (dry run)",
			    username);
		goto out;
	}

	mc = must_change(c, user.dn);
	r = ulogin_record_new();
	ulogin_record_add(r, "username", "Username", username);
	ulogin_record_add(r, "password", "Password", password);
	ulogin_record_add(r, "policy", "Policy", rules.policy->name);
	if (mc >= 0)
		ulogin_record_add_bool(r, "must_change",
				       "Must change at login", mc);
	else
		ulogin_record_add(r, "must_change", "Must change at login",
				  NULL);
	rc = deliver(r, data);
	ulogin_record_free_secret(r);
	if (rc) {
		ulogin_error("the new password of '%s' is set, but could not "
			     "be given out", username);
		ulogin_hint("the reset window is used up; ask a teacher or "
			    "an administrator for a new reset");
	}

	/* Closed: the mark keeps it used until slapd removes it, should
	 * this fail. */
	lrc = delete_window(c, window, "reset.close");
	if (lrc != LDAP_SUCCESS && lrc != ULOGIN_LDAP_AUDIT_FAILED)
		ulogin_warn("cannot delete the used reset window of '%s': %s "
			    "(it is used up all the same, and slapd removes it "
			    "when its time is up)", username,
			    ulogin_ldap_words(lrc));
	if (!rc && ulogin_conn_audit_failed(c))
		rc = ULOGIN_EX_CANTCREAT;
out:
	ulogin_secret_free(password);
	ulogin_user_rules_free(&rules);
	window_free(&w);
	free(window);
	ulogin_entry_free(&user);
	return rc;
}
