/*
 * The phase-out of an import source (DESIGN.md section 2): CSV imports go,
 * and the users who came only through one are kept or removed on purpose.
 * A source is marked as being phased out (its runs then warn), its users
 * are reviewed (who would lose access), those to keep move over to the
 * source that replaces it, and it is deleted through the leaver path of a
 * run.  The commands of "ulogin-import source".
 */
#ifndef ULOGIN_PHASEOUT_H
#define ULOGIN_PHASEOUT_H

#include <stdbool.h>

#include "connection.h"
#include "import.h"
#include "output.h"

/* Mark a source as being phased out, to be deleted by day (YYYY-MM-DD;
 * NULL keeps the date it has); with undo, no longer. */
int ulogin_source_deprecate(struct ulogin_conn *c, const char *source,
			    const char *day, bool undo);

/*
 * The active users of a source and what its deletion would do to them:
 * state "at-risk" (no other source attaches them, or only sources being
 * phased out too) or "safe"; with all, the safe and those who left
 * ("left") too.  Columns: username, name, external-id, state,
 * other-sources*, never-logged-in, last-login; at risk first, then by
 * username.  67 when there is no such source.
 */
int ulogin_source_review(struct ulogin_conn *c, const char *source, bool all,
			 struct ulogin_table **out);

struct ulogin_migrate_opts {
	const char *source;		/* the source being phased out */
	const char *to;			/* the one taking its users */
	const char *keep_file;		/* users to keep, by username */
	const char *id_map_file;	/* external ids: in source, in to */
	/* The new source's roster (a native CSV, input NULL for none):
	 * a kept user whose national ID HMAC is on one of its rows gets
	 * that row's external id. */
	struct ulogin_import_opts roster;
};

/*
 * Move the kept users from o->source to o->to: each user's key, grants
 * and source membership, in one modify per user, passwords untouched;
 * both sources' locks are held meanwhile.  A user that cannot be moved
 * is reported and left as it is.  *out: username, external-id,
 * new-external-id, result, reason.  Returns 0, 1 (some refused or
 * failed), or another exit code.
 */
int ulogin_source_migrate(struct ulogin_conn *c,
			  const struct ulogin_migrate_opts *o,
			  struct ulogin_table **out);

/*
 * Delete a source: a run without rows (o->empty is set here), so every
 * user it alone attaches is blocked and marked as left, the others are
 * detached, and max_leavers applies (o->force); confirm (unless NULL)
 * is asked first.  The source entry stays, marked deleted: its runs are
 * refused, and purge deletes its leavers later.
 */
int ulogin_source_delete(struct ulogin_conn *c, struct ulogin_import_opts *o,
			 bool (*confirm)(const char *question));

#endif
