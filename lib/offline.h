/*
 * The offline first load (DESIGN.md section 8): instead of sending the
 * plan's adds to slapd, ulogin-import --offline writes them as complete
 * entries in an LDIF file for slapadd -q, which loads a whole
 * municipality ten times faster than any client can.  slapadd runs no
 * overlay, so the file carries what they would have added online: the
 * password hashed ({SSHA512}, pw-sha2) after the policy's own check,
 * pwdChangedTime where the policy ages passwords, and memberOf on every
 * student of a class.  ulogin-offline-load(8) loads it.
 */
#ifndef ULOGIN_OFFLINE_H
#define ULOGIN_OFFLINE_H

#include "connection.h"
#include "import.h"
#include "plan.h"

/* The first line of every file, and the start of its last one: a file
 * without that last line was cut short and is never loaded. */
#define ULOGIN_OFFLINE_MAGIC "# ulogin-offline-ldif 1"
#define ULOGIN_OFFLINE_END "# end of ulogin-offline-ldif:"

struct ulogin_offline;

/* Before anything is read: the file must be new.  0, or an exit code
 * (said). */
int ulogin_offline_precheck(const struct ulogin_import_opts *o);

/*
 * Is the plan a first load of its source?  The source must have no user,
 * no class and no entry under ou=imports yet, and the plan must only add
 * (a row that matches someone already in the directory would be a
 * change, which slapadd cannot make).  0, or an exit code (said) with
 * *outcome set to the words for the report.
 */
int ulogin_offline_check(struct ulogin_conn *c, const char *source,
			 struct ulogin_plan *plan, const char **outcome);

/*
 * Write the new users and classes to o->offline_file and their first
 * passwords to o->passwords_file (passwords.h; without it, as with
 * --no-initial-passwords, new users get none).  Each user and class
 * written counts as a step done; a user whose password the policy in the
 * directory would refuse is left out and reported, as slapd would have
 * refused the add.  0, or an exit code (said; the files are then
 * removed).  On 0, finish or abandon *out.
 */
int ulogin_offline_write(struct ulogin_conn *c, struct ulogin_plan *plan,
			 const struct ulogin_import_opts *o,
			 struct ulogin_offline **out);

/*
 * The source entry with the run's outcome and counts (as a run records
 * them online), then the last line, written once the passwords file is
 * on disk.  Frees off.  0, or an exit code (said; the files are
 * then removed).
 */
int ulogin_offline_finish(struct ulogin_offline *off, const char *kind,
			  const char *outcome, const char *counts);

/* Remove the files and free off (a run that failed after writing). */
void ulogin_offline_abandon(struct ulogin_offline *off);

/* "{SSHA512}" + base64(SHA-512(password + salt) + salt) with a 16-byte
 * random salt, as slapd's pw-sha2 module checks it; NULL when the random
 * generator fails. */
char *ulogin_hash_ssha512(const char *password);

#endif
