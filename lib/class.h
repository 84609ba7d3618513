/*
 * Classes and teams under ou=classes, named INSTITUTION-CLASS (cn, e.g.
 * 280001-5b): their students (member), teachers (uloginTeacher), grade
 * and title; and the school-year rollover that moves every class up a
 * grade.  slapd keeps each student's memberOf, which is what makes a
 * teacher's access rule work (ulogin(7), ACCESS).
 */
#ifndef ULOGIN_CLASS_H
#define ULOGIN_CLASS_H

#include <stdbool.h>

#include "connection.h"
#include "output.h"

/* The DN of class name (cn=NAME,ou=classes); NULL when the base is bad. */
char *ulogin_class_dn(struct ulogin_conn *c, const char *name);

/* Read class name's attrs as the operator into e; 0, or an exit code
 * said in words (67 no such class, 77 not the operator's, ...). */
int ulogin_class_read(struct ulogin_conn *c, const char *name,
		      const char *const *attrs, struct ulogin_entry *e);

/* class, institution, grade, title, students, teachers; sorted by class.
 * institution and grade (either NULL) narrow the list. */
int ulogin_class_list(struct ulogin_conn *c, const char *institution,
		      const char *grade, struct ulogin_table **out);

/* The teachers and students of a class the operator may see: role,
 * username, name, grade, level, state. */
int ulogin_class_show(struct ulogin_conn *c, const char *name,
		      struct ulogin_table **out);

int ulogin_class_create(struct ulogin_conn *c, const char *name,
			const char *institution, const char *grade,
			const char *title);

/* Asks confirm (unless NULL) first. */
int ulogin_class_delete(struct ulogin_conn *c, const char *name,
			bool (*confirm)(const char *question));

/* Students (or, with teacher, teachers) into or out of a class. */
int ulogin_class_add(struct ulogin_conn *c, const char *name,
		     const struct strv *users, bool teacher);
int ulogin_class_remove(struct ulogin_conn *c, const char *name,
			const struct strv *users);

struct ulogin_promote_opts {
	const char *institution;	/* NULL: every class the operator
					   may change */
	bool progress;
	/* Asked before the first change (NULL: do not ask). */
	bool (*confirm)(const char *question);
};

/*
 * The school-year rollover: every class one grade up (a name that starts
 * with the grade follows it: 5b becomes 6b), a class past the top grade
 * (10, g3) closed, and each of its students one grade up through the
 * level-change rules (a new level: its policy and a deadline to change
 * the password).  The plan is printed first; with --dry-run nothing
 * else happens.
 */
int ulogin_class_promote(struct ulogin_conn *c,
			 const struct ulogin_promote_opts *o);

/* The grade after g ("5" -> "6", "g1" -> "g2"); NULL past the top
 * grade (10, g3) or for a grade that is not one. */
const char *ulogin_grade_next(const char *g, char *buf, size_t len);

/* The class name with its grade moved on ("5b", "5" -> "6b"), or NULL
 * when the name does not start with the grade. */
char *ulogin_class_name_next(const char *name, const char *grade,
			     const char *next);

#endif
