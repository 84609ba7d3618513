/*
 * Blocking and unlocking accounts (ulogin-user block, unblock, unlock).
 *
 * A block is ppolicy's permanent lock, pwdAccountLockedTime
 * 000001010000Z, written with why (uloginBlockReason), by whom
 * (uloginBlockedBy: the operator's own DN, which is all the access rules
 * let an administrator write there) and when (uloginBlockedAt), in one
 * modify.  slapd enforces it only under a policy with pwdLockout: TRUE,
 * so a block under any other policy is refused.  A lock-out is what slapd
 * itself writes after pwdMaxFailure wrong passwords (the time it
 * happened); unlock ends it, and ppolicy forgets the failures
 * (pwdFailureTime) with it.  Neither ever touches the password.
 */
#ifndef ULOGIN_BLOCK_H
#define ULOGIN_BLOCK_H

#include "connection.h"
#include "output.h"

enum ulogin_lock_action { ULOGIN_BLOCK, ULOGIN_UNBLOCK, ULOGIN_UNLOCK };

/*
 * Block (with reason), unblock or unlock each user, each reported (errors
 * on stderr).  The table gets one row a user: username, result (done,
 * unchanged or failed), and the state and its reason afterwards.
 * Returns 0 when no user failed, the exit code of the failures when
 * every user failed alike, else 1.
 */
int ulogin_users_lock(struct ulogin_conn *c, enum ulogin_lock_action what,
		      const struct strv *users, const char *reason,
		      struct ulogin_table **out);

#endif
