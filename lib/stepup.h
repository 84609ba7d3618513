/*
 * Step-up: a teacher raises the security level of a student, or of a
 * whole class, for up to 2 hours (DESIGN.md section 2); services that
 * need the higher level check it.  A step-up is a dynamic entry
 * cn=stepup below the student (slapo-dds): slapd stamps who opened it
 * (creatorsName) and when, deletes it when its time is up, and its access
 * rules refuse a time longer than 2 hours and anyone but the student's
 * teachers and administrators.
 */
#ifndef ULOGIN_STEPUP_H
#define ULOGIN_STEPUP_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"

/* Whom a command is about: usernames, or the students of a class. */
struct ulogin_stepup_who {
	const struct strv *users;
	const char *class_name;		/* NULL: the users */
};

/* Step them up for seconds (at most the config's step_up_max).  The
 * table has one row a student: username, name, until, by. */
int ulogin_stepup_grant(struct ulogin_conn *c,
			const struct ulogin_stepup_who *who, long seconds,
			struct ulogin_table **out);

/* End their step-ups now. */
int ulogin_stepup_revoke(struct ulogin_conn *c,
			 const struct ulogin_stepup_who *who);

/* The step-ups in force: of the users or class, or (who NULL) all that
 * the operator may see; username, until, by, minutes_left. */
int ulogin_stepup_status(struct ulogin_conn *c,
			 const struct ulogin_stepup_who *who,
			 struct ulogin_table **out);

/* Is the user stepped up now?  *up says; the record has username,
 * stepped_up, until and by. */
int ulogin_stepup_check(struct ulogin_conn *c, const char *username,
			bool *up, struct ulogin_record **out);

#endif
