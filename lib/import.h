/*
 * Import execution (DESIGN.md section 6): one run of a source -- read the
 * roster whole, take the source's lock, read the directory once, plan,
 * refuse a run that would block too many, apply the plan pipelined, and
 * record the outcome on the source entry under ou=imports.  Also the
 * sources' list, their users, purging leavers and clearing a dead lock.
 */
#ifndef ULOGIN_IMPORT_H
#define ULOGIN_IMPORT_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"
#include "roster.h"

struct ulogin_import_opts {
	const char *input;		/* file (native) or directory */
	const char *source;
	bool oneroster;			/* else ulogin's own CSV */
	const char *map_file;		/* NULL: the config's import_map */
	const char *key_file;		/* NULL: the config's */
	struct ulogin_roster_opts roster;
	bool force;			/* past the leaver limit */
	size_t window;			/* changes out at once */
	const char *plan_file;		/* .json: JSON, else LDIF */
	const char *report_file;
	const char *results_file;
	bool overwrite;			/* replace plan, report and results
					 * files (never a passwords file) */
	const char *passwords_file;	/* initial passwords of new users */
	bool no_initial_passwords;	/* new users get none (a reset or a
					   letter gives it) */
	const char *offline_file;	/* the first load as LDIF for slapadd,
					   instead of changes (offline.h) */
	bool progress;			/* a progress bar on stderr */
	/* No roster at all: every user of the source goes, through the
	 * leaver path (ulogin-import source delete). */
	bool empty;
};

/* A source name is usable as cn: NULL, or why not. */
const char *ulogin_source_invalid(const char *name);

/* Parse max_leavers ("10%" or "25"): the limit for a source with active
 * users; -1 when malformed. */
long ulogin_max_leavers(const char *setting, size_t active);

/*
 * One run.  Returns 0 (all done), 1 (some rows skipped or failed, all
 * reported), 65 (file unreadable, or too many leavers), 75 (another run
 * holds the lock), or another exit code.
 */
int ulogin_import_run(struct ulogin_conn *c, const struct ulogin_import_opts *o);

/* Read the roster o names (a native CSV or a OneRoster directory) whole
 * into sink; an exit code, printed, when it cannot be read. */
int ulogin_import_read(const struct ulogin_import_opts *o,
		       const struct ulogin_config *cfg,
		       const struct ulogin_roster_sink *sink);

/* Hold a source's lock, as a run does, for other work on its users;
 * *holder is what ulogin_import_release() needs.  75 when a run holds
 * it. */
int ulogin_import_lock(struct ulogin_conn *c, const char *source,
		       const char *kind, char **holder);
/* Release it, recording outcome and counts as a run's (outcome NULL:
 * nothing recorded). */
int ulogin_import_release(struct ulogin_conn *c, const char *source,
			  const char *holder, const char *kind,
			  const char *outcome, const char *counts);
/* The outcome a deleted source keeps (its runs are refused). */
#define ULOGIN_IMPORT_DELETED "deleted"

/* Sources: name, kind, users, left, last run, outcome, lock. */
int ulogin_import_list(struct ulogin_conn *c, struct ulogin_table **out);
/* Users attached through a source (67 when there is no such source). */
int ulogin_import_show(struct ulogin_conn *c, const char *source,
		       struct ulogin_table **out);
/* Delete the source's leavers who left more than older_than seconds ago;
 * confirm (unless NULL) is asked once with the count. */
int ulogin_import_purge(struct ulogin_conn *c, const char *source,
			long older_than, bool (*confirm)(const char *question),
			struct ulogin_table **out);
/* Remove the lock a dead run left: 75 when its holder still runs on this
 * host (unless force) or the lock changed meanwhile. */
int ulogin_import_unlock(struct ulogin_conn *c, const char *source,
			 bool force, bool (*confirm)(const char *question));

#endif
