/*
 * Pruning unused accounts (DESIGN.md section 2: "accounts unused for two
 * years removed"): ulogin-user prune.  An account with no successful
 * login for the idle period (pwdLastSuccess, else its creation time) is
 * first blocked and marked (uloginPrunedAt); a later run deletes it once
 * it has stayed marked, blocked and unused for the config's
 * prune_retention.  The import's max_leavers guards against a mass
 * removal.
 */
#ifndef ULOGIN_PRUNE_H
#define ULOGIN_PRUNE_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"

struct ulogin_prune_opts {
	long idle;			/* seconds without a login */
	const char *institution;	/* only its people; NULL: all */
	bool force;			/* past max_leavers */
	bool progress;			/* a progress bar on stderr */
	/* Asked once before any change (NULL: do not ask). */
	bool (*confirm)(const char *question);
};

/*
 * Decide for every account the operator may see, then (unless the guard
 * stops it, the question is answered no, or --dry-run) act.  *out gets a
 * row per account concerned: username, name, action (block, delete,
 * wait, unmark, keep, skip), last_used, result (done, dry-run, failed,
 * "left alone" when the account changed since it was listed, or empty
 * when nothing is to be done), detail.  Returns 0, 1 when some changes
 * failed (each said), 65 when max_leavers stops the run (nothing
 * changed; *out is still set), 69 or 73 when the server or the audit
 * trail was lost (the run stops there), 77 when the operator may not
 * prune, or another exit code.
 */
int ulogin_user_prune(struct ulogin_conn *c, const struct ulogin_prune_opts *o,
		      struct ulogin_table **out);

#endif
