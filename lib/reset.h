/*
 * Teacher reset (DESIGN.md section 2): after a reset the student has 5
 * minutes to log in with the username alone, once, and is then given a
 * new password chosen by the system for the student's policy.
 *
 * A teacher (for the students of the classes they teach) or an
 * administrator (for the students and parents of their institution)
 * opens a reset window: a dynamic entry cn=reset below the user
 * (slapo-dds).  slapd stamps who opened it (creatorsName) and when,
 * deletes it when its 5 minutes (olcDDSdefaultTtl) are up, and its access
 * rules refuse refreshing it, a window below staff, and anyone but the
 * user's teachers and administrators.
 *
 * The login service (or a kiosk) claims the window: a new password for
 * the user's policy, set with the Password Modify operation, printed
 * once, and the window closed.  slapd lets the login service set a
 * password only while the window is there and marked claimed, and makes
 * it must-change.  The claim is single use even when two claims race or
 * a process is killed at any instruction:
 *
 *   1. read the window: none, expired or used: exit 77, nothing changed;
 *   2. work out the password (a failure here changes nothing);
 *   3. mark the window claimed: add description "claimed", asserting
 *      (RFC 4528) that it is not marked yet and has not expired (by
 *      this machine's clock: see below).  slapd
 *      makes the one write atomically: of two claims one wins, the other
 *      is told the window is used (77).  Killed before the write is
 *      made: the window is as it was and can be claimed.  Killed after:
 *      the window is used up and no password was given; a new reset
 *      replaces it;
 *   4. set the password.  Killed before or after: the window is used
 *      up; the account keeps its old password or has a new one that
 *      nobody has seen; a new reset helps;
 *   5. print it (then wipe it);
 *   6. delete the window.  Killed before: the window stays, used, until
 *      slapd removes it when its time is up; a new reset replaces it.
 *
 * Time is slapd's (DESIGN section 12): the window's end is slapd's
 * entryExpireTimestamp, and slapd deletes the window at most
 * olcDDSinterval (10 seconds) after it; step 3 needs the window there,
 * and so does slapd's rule for step 4.  So a claim can succeed at most
 * olcDDSinterval after the window's end, whatever this machine's clock.
 * The assertion's entryExpireTimestamp>=now uses this machine's clock
 * (no filter or access rule compares with slapd's time): it can only
 * narrow that bound (a fast clock refuses a claim early), never widen
 * it.
 */
#ifndef ULOGIN_RESET_H
#define ULOGIN_RESET_H

#include "connection.h"
#include "mem.h"
#include "output.h"

/*
 * Open a reset window for each user (students, or parents for an
 * administrator).  Staff are refused (77) with what they do instead, and
 * any refusal stops the command before anything changes.  A window that
 * is open already is left as it is (not extended) and said so; a used or
 * expired one is replaced.  The table has one row a user: username,
 * until, by (what slapd holds).
 */
int ulogin_reset_open(struct ulogin_conn *c, const struct strv *users,
		      struct ulogin_table **out);

/* Called by the claim with the new password, to print it: returns 0 or
 * an exit code.  The record (username, password, policy, must_change) is
 * wiped afterwards. */
typedef int (*ulogin_reset_deliver_fn)(const struct ulogin_record *r,
				       void *data);

/*
 * Claim the reset window of username (see above): 0 after deliver
 * printed the password; 77 with a clear message when no window is open,
 * it has expired or it was used; another exit code on other failures.
 */
int ulogin_reset_claim(struct ulogin_conn *c, const char *username,
		       ulogin_reset_deliver_fn deliver, void *data);

#endif
