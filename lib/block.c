#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ldap.h>

#include "account.h"
#include "block.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "msg.h"
#include "operator.h"
#include "state.h"
#include "banned.h"

#define BLOCK_VALUE "000001010000Z"

static const char *const verbs[] = { "block", "unblock", "unlock" };
static const char *const done_words[] = { "blocked", "unblocked",
					  "unlocked" };

struct lock_run {
	struct ulogin_conn *c;
	enum ulogin_lock_action what;
	const char *reason;
	struct ulogin_operator op;
	struct ulogin_state_reader *states;
	struct ulogin_table *t;
	time_t now;
	bool prepared;
};

/*
 * The tool's own check of scope, for clear words (slapd is the guard):
 * an institution's administrators block, unblock and unlock its people
 * but other administrators; the directory manager anyone.
 */
static int
in_scope(struct lock_run *r, const struct ulogin_entry *e,
	 const char *username)
{
	const struct strv *inst = ulogin_entry_values(e, "uloginInstitution");
	char *what;
	bool ours = false;
	int rc;

	if (!r->op.person)
		return 0;
	for (size_t i = 0; inst && i < inst->n && !ours; i++)
		ours = ulogin_operator_admin_of(&r->op, inst->v[i]);
	if (!ours) {
		what = xasprintf("user '%s'", username);
		rc = ulogin_operator_refused(&r->op, what);
		free(what);
		return rc;
	}
	if (ulogin_entry_get(e, "uloginAdminOf")) {
		ulogin_error("cannot %s '%s': '%s' is an administrator",
			     verbs[r->what], username, username);
		ulogin_hint("only the directory manager blocks, unblocks and "
			    "unlocks an institution's administrators");
		return ULOGIN_EX_NOPERM;
	}
	return 0;
}

/* slapd enforces pwdAccountLockedTime only under a policy with
 * pwdLockout: TRUE (its own entry, as the directory has it). */
static int
lockout_on(struct lock_run *r, const struct ulogin_entry *e,
	   const char *username)
{
	const char *dn;
	const struct ulogin_entry *p = ulogin_state_policy(r->states, e, &dn);
	char *name = ulogin_dn_first_value(dn, "cn");
	const char *lockout = p ? ulogin_entry_get(p, "pwdLockout") : NULL;
	int rc = 0;

	if (!p) {
		ulogin_error("cannot block '%s': its password policy '%s' is "
			     "not in the directory, so the directory server "
			     "would ignore the block", username,
			     name ? name : dn);
		ulogin_hint("write the policies with 'ulogin-policy apply', "
			    "or link the user to one that exists");
		rc = ULOGIN_EX_CONFIG;
	} else if (!lockout || strcasecmp(lockout, "TRUE")) {
		ulogin_error("cannot block '%s': its password policy '%s' has "
			     "no lockout (pwdLockout: TRUE), so the directory "
			     "server would ignore the block", username,
			     name ? name : dn);
		ulogin_hint("turn lockout on in that policy (every policy "
			    "'ulogin-policy apply' writes has it), or link the "
			    "user to a policy that has it");
		rc = ULOGIN_EX_CONFIG;
	}
	free(name);
	return rc;
}

/* What to change, or an exit code; *nothing when there is nothing to do
 * (said). */
static int
plan(struct lock_run *r, const struct ulogin_entry *e, const char *username,
     const struct ulogin_state *st, struct ulogin_change *ch, bool *nothing)
{
	const char *locked = ulogin_entry_get(e, "pwdAccountLockedTime");
	const char *by = ulogin_conn_operator(r->c);
	char stamp[32];
	int rc;

	*nothing = false;
	switch (r->what) {
	case ULOGIN_BLOCK:
		/* First: a block the server ignores is no block. */
		if ((rc = lockout_on(r, e, username)))
			return rc;
		if (st->conditions & ULOGIN_COND_BLOCKED) {
			ulogin_info("'%s' is blocked already (%s)", username,
				    st->reason);
			*nothing = true;
			return 0;
		}
		ulogin_gtime_format(r->now, stamp, sizeof(stamp));
		ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, e->dn,
				   "user.block");
		ulogin_change_set(ch, "pwdAccountLockedTime", BLOCK_VALUE);
		ulogin_change_set(ch, "uloginBlockReason", r->reason);
		/* A SASL identity the server did not name has no DN. */
		ulogin_change_set(ch, "uloginBlockedBy",
				  by && strncmp(by, "sasl:", 5) ? by : NULL);
		ulogin_change_set(ch, "uloginBlockedAt", stamp);
		/* An old mark of ulogin-user prune would make this block
		 * look like prune's: a block by hand is not. */
		if (ulogin_entry_get(e, "uloginPrunedAt"))
			ulogin_change_set(ch, "uloginPrunedAt", NULL);
		ch->comment = xstrdup(r->reason);
		return 0;
	case ULOGIN_UNBLOCK:
		if (st->conditions & ULOGIN_COND_LEFT) {
			ulogin_error("cannot unblock '%s': %s", username,
				     st->reason);
			ulogin_hint("the import blocked it when the user left; "
				    "it unblocks the user when the "
				    "administrative system has them again");
			return ULOGIN_EX_DATAERR;
		}
		if (!(st->conditions & ULOGIN_COND_BLOCKED)) {
			if (locked) {
				ulogin_error("cannot unblock '%s': it is not "
					     "blocked but locked out after "
					     "failed logins", username);
				ulogin_hint("use 'ulogin-user unlock %s'",
					    username);
				return ULOGIN_EX_DATAERR;
			}
			ulogin_info("'%s' is not blocked", username);
			*nothing = true;
			return 0;
		}
		break;
	case ULOGIN_UNLOCK:
		if (st->conditions & ULOGIN_COND_BLOCKED) {
			ulogin_error("cannot unlock '%s': it is blocked (%s), "
				     "not locked out", username, st->reason);
			ulogin_hint("an administrator's block is lifted with "
				    "'ulogin-user unblock %s'", username);
			return ULOGIN_EX_DATAERR;
		}
		if (!locked) {
			ulogin_info("'%s' is not locked out", username);
			*nothing = true;
			return 0;
		}
		break;
	}
	/* The very value read: if it changed since, the server says so
	 * rather than removing another lock. */
	ulogin_change_init(ch, ULOGIN_CHANGE_MODIFY, e->dn,
			   r->what == ULOGIN_UNBLOCK ? "user.unblock"
						     : "user.unlock");
	ulogin_change_mod(ch, ULOGIN_MOD_DELETE, "pwdAccountLockedTime",
			  locked);
	if (r->what == ULOGIN_UNBLOCK) {
		/* With prune's mark: a later block is not prune's. */
		static const char *const marks[] = { "uloginBlockReason",
			"uloginBlockedBy", "uloginBlockedAt",
			"uloginPrunedAt" };

		for (size_t i = 0; i < sizeof(marks) / sizeof(*marks); i++)
			if (ulogin_entry_get(e, marks[i]))
				ulogin_change_set(ch, marks[i], NULL);
	}
	return 0;
}

static void
report(struct lock_run *r, const char *username, const char *result,
       const struct ulogin_state *st)
{
	ulogin_table_begin_row(r->t);
	ulogin_table_set(r->t, 0, username);
	ulogin_table_set(r->t, 1, result);
	ulogin_table_set(r->t, 2, st ? st->state : NULL);
	ulogin_table_set(r->t, 3, st ? st->reason : NULL);
}

static int
one(struct lock_run *r, const char *username)
{
	const struct ulogin_config *cfg = ulogin_conn_config(r->c);
	struct ulogin_entry e, after;
	struct ulogin_state st, now;
	struct ulogin_change ch;
	bool nothing;
	int rc, lrc;

	if ((rc = ulogin_user_read(r->c, username, &e)))
		return rc;
	memset(&ch, 0, sizeof(ch));
	ulogin_state_read(r->states, &e, r->now, &st);
	if ((rc = in_scope(r, &e, username)) ||
	    (rc = plan(r, &e, username, &st, &ch, &nothing)))
		goto out;
	if (nothing) {
		report(r, username, "unchanged", &st);
		goto out;
	}
	if (!r->prepared) {
		if ((rc = ulogin_prepare_changes(r->c)))
			goto out;
		r->prepared = true;
	}
	if ((lrc = ulogin_apply(r->c, &ch)) != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(r->c, lrc, "cannot %s '%s'",
				       verbs[r->what], username);
		goto out;
	}
	/* The state as it is now, from the entry as the change left it. */
	ulogin_entry_after(&e, &ch, &after);
	ulogin_state_read(r->states, &after, r->now, &now);
	ulogin_entry_free(&after);
	if (cfg->dry_run)
		ulogin_info("would %s '%s' (dry run)", verbs[r->what],
			    username);
	else
		ulogin_info("%s '%s'", done_words[r->what], username);
	report(r, username, "done", &now);
	ulogin_state_free(&now);
out:
	if (ch.dn)
		ulogin_change_free(&ch);
	ulogin_state_free(&st);
	ulogin_entry_free(&e);
	return rc;
}

int
ulogin_users_lock(struct ulogin_conn *c, enum ulogin_lock_action what,
		  const struct strv *users, const char *reason,
		  struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "result", "state",
					    "reason", NULL };
	struct lock_run r;
	size_t failed = 0;
	int rc, first = 0;
	bool alike = true;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.what = what;
	r.reason = reason;
	r.now = time(NULL);
	if ((rc = ulogin_operator_read(c, &r.op)))
		return rc;
	if (r.op.person && !r.op.admin_of.n) {
		ulogin_error("you may not %s accounts: you administer no "
			     "institution", verbs[what]);
		ulogin_hint("an institution's administrators (and the "
			    "directory manager) block, unblock and unlock "
			    "its people; see ulogin(7), ACCESS");
		ulogin_operator_free(&r.op);
		return ULOGIN_EX_NOPERM;
	}
	r.states = ulogin_state_reader_new(c);
	r.t = ulogin_table_new(cols);
	for (size_t i = 0; i < users->n; i++) {
		if (!(rc = one(&r, users->v[i])))
			continue;
		report(&r, users->v[i], "failed", NULL);
		if (!failed++)
			first = rc;
		else if (rc != first)
			alike = false;
		/* A trail that cannot be written stops everything. */
		if (ulogin_conn_audit_failed(c))
			break;
	}
	ulogin_state_reader_free(r.states);
	ulogin_operator_free(&r.op);
	*out = r.t;
	if (ulogin_conn_audit_failed(c))
		return ULOGIN_EX_CANTCREAT;
	if (!failed)
		return 0;
	return failed == users->n && alike ? first : ULOGIN_EX_PARTIAL;
}
