/*
 * The one account state (ulogin(7), STATES): what every program says an
 * account is -- ulogin-user show, find and list, ulogin-import show, the
 * expiry notifier -- decided by ulogin_account_state() from the facts
 * below, with one precedence.  The facts are read once per listing by a
 * state reader (policies, deprecated import sources, reset windows), so a
 * list of many users costs a few searches more than the users' own.
 */
#ifndef ULOGIN_STATE_H
#define ULOGIN_STATE_H

#include <stdbool.h>
#include <time.h>

#include "connection.h"

/* Everything the state is decided from. */
struct ulogin_state_facts {
	/* The user entry, with ulogin_state_attrs at least. */
	const struct ulogin_entry *user;
	/* The effective password policy as the directory has it: the entry
	 * pwdPolicySubentry names, else ppolicy's default (cn=default);
	 * NULL when that entry is missing or unreadable. */
	const struct ulogin_entry *policy;
	/* Attached only through import sources being phased out. */
	bool source_deprecated;
	/* The reset window (cn=reset below the user, slapo-dds): open until
	 * (entryExpireTimestamp), 0 when there is none; who opened it
	 * (creatorsName, may be NULL). */
	time_t reset_until;
	const char *reset_by;
	time_t now;
};

/* The conditions that hold; the state is the first in ulogin_states[]
 * order whose condition holds. */
enum {
	ULOGIN_COND_LEFT = 1 << 0,		/* uloginLeftAt */
	ULOGIN_COND_BLOCKED = 1 << 1,		/* pwdAccountLockedTime 000001010000Z */
	ULOGIN_COND_LOCKED_OUT = 1 << 2,	/* a lock-out still in force */
	ULOGIN_COND_PENDING_MIGRATION = 1 << 3,	/* only deprecated sources */
	ULOGIN_COND_RESET_WINDOW = 1 << 4,	/* a reset window is open */
	ULOGIN_COND_EXPIRED = 1 << 5,		/* pwdChangedTime + pwdMaxAge past */
	ULOGIN_COND_MUST_CHANGE = 1 << 6,	/* pwdReset: TRUE */
	ULOGIN_COND_IDLE = 1 << 7,		/* no login for ULOGIN_IDLE_SECONDS */
	ULOGIN_COND_NEVER_LOGGED_IN = 1 << 8,	/* no pwdLastSuccess (no state) */
};

/* An account unused this long is idle (two years, DESIGN.md section 2). */
#define ULOGIN_IDLE_SECONDS (2 * 365 * 24 * 3600L)

/* The states, highest precedence first, NULL-terminated: left, blocked,
 * locked-out, pending-migration, reset-window-open, expired,
 * must-change, idle, active. */
extern const char *const ulogin_states[];

struct ulogin_state {
	const char *state;	/* one of ulogin_states */
	char *reason;		/* in words; owned */
	unsigned conditions;	/* ULOGIN_COND_* that hold */
	time_t expires;		/* password expiry, 0 if it never expires */
	time_t locked_at;	/* lock-out: since; 0 if not locked out */
	time_t locked_until;	/* lock-out: until; 0 until unlocked */
	time_t last_login;	/* pwdLastSuccess, 0 if never */
	time_t idle_since;	/* last login, else creation; 0 unknown */
};

/* The user attributes the state needs (read them with the user). */
extern const char *const ulogin_state_attrs[];
/* The policy attributes the state needs. */
extern const char *const ulogin_state_policy_attrs[];

/* The state of one account.  Free out->reason (ulogin_state_free()). */
void ulogin_account_state(const struct ulogin_state_facts *f,
			  struct ulogin_state *out);
void ulogin_state_free(struct ulogin_state *st);

/* Is the value of pwdAccountLockedTime the permanent block
 * (000001010000Z), rather than the time of a lock-out? */
bool ulogin_lock_is_block(const char *value);

/* Does the password expire within the next within seconds (and has not
 * yet)?  Never for blocked or left accounts: nobody is warned of those. */
bool ulogin_state_expiring(const struct ulogin_state *st, time_t now,
			   long within);
/* No login for period seconds (or, never logged in, created that long
 * ago)? */
bool ulogin_state_idle_for(const struct ulogin_state *st, time_t now,
			   long period);

/*
 * The facts of many users, read as needed and kept: policy entries,
 * the deprecated import sources and (once, in one search) every reset
 * window the operator may see.  What the operator may not read counts as
 * absent.
 */
struct ulogin_state_reader;
struct ulogin_state_reader *ulogin_state_reader_new(struct ulogin_conn *c);
/* The state of user (read with ulogin_state_attrs) at now. */
void ulogin_state_read(struct ulogin_state_reader *r,
		       const struct ulogin_entry *user, time_t now,
		       struct ulogin_state *out);
/* The effective policy entry of user as the directory has it (NULL when
 * missing), and its DN in *dn (kept by the reader). */
const struct ulogin_entry *ulogin_state_policy(struct ulogin_state_reader *r,
					       const struct ulogin_entry *user,
					       const char **dn);
void ulogin_state_reader_free(struct ulogin_state_reader *r);

/*
 * The filters of ulogin-user list.  The state filters pick accounts by
 * the condition of a state (at most one of them), whatever state wins;
 * the others by a fact; every filter given must hold.
 */
struct ulogin_list_filter {
	const char *state;	/* blocked, locked-out, expired, must-change */
	long expiring;		/* seconds; 0 unset */
	long idle;		/* seconds; 0 unset */
	bool never_logged_in;
};

bool ulogin_list_filter_set(const struct ulogin_list_filter *f);
/* An LDAP filter that every account the filter selects matches (so the
 * server narrows the search), "" when none helps.  Free it. */
char *ulogin_list_filter_ldap(const struct ulogin_list_filter *f, time_t now);
/* Does the account with this state belong in the list?  A state filter
 * asks for its condition (ULOGIN_COND_*), which may hold while another
 * state wins: list --expired lists an expired account of a phased-out
 * import, shown as pending-migration.  Those of locked-out, expired and
 * must-change leave out accounts that are blocked or have left. */
bool ulogin_list_filter_match(const struct ulogin_list_filter *f,
			      const struct ulogin_state *st, time_t now);

/* The condition (ULOGIN_COND_*) of a state by its name; 0 for active
 * or a name that is not a state. */
unsigned ulogin_state_condition(const char *state);

/* A user's reset window (cn=reset below the user) that is open: one the
 * login service has claimed is used, not open. */
#define ULOGIN_OPEN_WINDOW_FILTER "(&(objectClass=uloginResetWindow)" \
				  "(!(description=claimed)))"

/* The import sources being phased out, under ou=imports. */
#define ULOGIN_DEPRECATED_FILTER "(&(objectClass=uloginImportSource)" \
				 "(uloginDeprecated=TRUE))"
/* Is the user attached only through the sources named (each of its
 * uloginSource values is one of names; none at all is "no")? */
bool ulogin_only_deprecated(const struct ulogin_entry *user,
			    const struct strv *names);

#endif
