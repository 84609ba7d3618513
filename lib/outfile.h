/*
 * The files the toolkit writes: plans, reports, results, passwords files,
 * letters, the audit log.  They name people and may hold secrets, so
 * each is created private (mode 0600, whatever the umask), never through
 * a symbolic link (O_NOFOLLOW: a link planted in a shared directory must
 * not make the tool write somewhere else), and never replaces a file
 * unless the user asked for that (--overwrite) -- a passwords file never.
 */
#ifndef ULOGIN_OUTFILE_H
#define ULOGIN_OUTFILE_H

#include <stdio.h>

enum ulogin_outfile {
	ULOGIN_OUT_NEW,		/* a new file; an existing one is refused,
				 * with a hint to give --overwrite */
	ULOGIN_OUT_REPLACE,	/* --overwrite: a new file, or a regular file
				 * of one's own emptied and made 0600 */
	ULOGIN_OUT_SECRET,	/* a new file that holds passwords: an
				 * existing one is never replaced */
	ULOGIN_OUT_APPEND,	/* a log: appended to, created 0600 */
};

/*
 * Before any work: can path be written the way how says?  0, or 73 with
 * "PROGRAM: cannot create [WHAT ]'PATH': why" and a hint printed (what
 * names the file: "report", "audit log"; NULL for none).  Opening can
 * still fail later (a race, a full disk), but a run does not make its
 * changes only to find that its report cannot be written.
 */
int ulogin_outfile_check(const char *path, enum ulogin_outfile how,
			 const char *what);

/* Open path for writing the way how says: a descriptor (close-on-exec),
 * or -1 with the error and a hint printed. */
int ulogin_outfile_open(const char *path, enum ulogin_outfile how,
			const char *what);

/* The same as a stdio stream; NULL with the error printed. */
FILE *ulogin_outfile_fopen(const char *path, enum ulogin_outfile how,
			   const char *what);

#endif
