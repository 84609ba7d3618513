/*
 * Import planning (DESIGN.md section 6): what a roster says against what
 * the directory holds for one source, computed in memory without a round
 * trip.  The readers (roster.h) deliver people and classes into the plan;
 * the caller feeds it the directory's users and classes; then each step
 * is turned into an LDAP change only when it is applied or printed, so a
 * plan of 100k adds stays small.
 */
#ifndef ULOGIN_PLAN_H
#define ULOGIN_PLAN_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "connection.h"
#include "policy.h"
#include "roster.h"

struct ulogin_plan_opts {
	const char *source;		/* cn of the import source */
	const char *people_file;	/* the file people come from, for
					   messages about their rows */
	const char *file_dir;		/* NULL, or the directory the
					   readers' file names are in */
	const char *base;		/* the directory's base DN */
	const char *operator_dn;	/* who blocks leavers */
	const struct ulogin_policy_set *policies;
	const struct strv *policies_present;	/* names in ou=policies */
	time_t now;
	/* What the source may write (NULL: anything), and the config
	 * that says which sources share users. */
	const struct ulogin_source_cfg *source_cfg;
	const struct ulogin_config *cfg;
	/* uloginInitialPassword of new users: where their first password
	 * is recorded ("HOST:FILE"), or "none"; NULL: not set. */
	const char *initial_mark;
	bool reissue;		/* give lost, unused first passwords anew */
};

enum ulogin_step_kind {
	ULOGIN_STEP_ADD,		/* + a new user */
	ULOGIN_STEP_CHANGE,		/* ~ a user's attributes */
	ULOGIN_STEP_LEAVE,		/* - blocked and marked as left */
	ULOGIN_STEP_DETACH,		/* - still attached by another source */
	ULOGIN_STEP_REISSUE,		/* * a first password anew */
	ULOGIN_STEP_CLASS_ADD,
	ULOGIN_STEP_CLASS_CHANGE,
	ULOGIN_STEP_CLASS_DELETE,
	ULOGIN_NSTEP_KINDS
};

/* What happened to an input row, for --results. */
enum ulogin_row_action { ULOGIN_ROW_UNCHANGED, ULOGIN_ROW_ADD,
			 ULOGIN_ROW_CHANGE, ULOGIN_ROW_SKIPPED };

struct ulogin_plan;

struct ulogin_plan *ulogin_plan_new(const struct ulogin_plan_opts *o);
void ulogin_plan_free(struct ulogin_plan *p);

/* The sink the readers deliver into.  Bad rows are printed to stderr as
 * FILE:LINE: key=KEY: why, and kept for the report. */
const struct ulogin_roster_sink *ulogin_plan_sink(struct ulogin_plan *p);

/* The directory as it is: every user under ou=people, every class. */
int ulogin_plan_have_user(const struct ulogin_entry *e, void *plan);
int ulogin_plan_have_class(const struct ulogin_entry *e, void *plan);
/* Filters (of the people) that find the users whose stored national ID
 * HMAC, which the operator may search but not read, is their row's; each
 * entry found goes to ulogin_plan_nid_same(). */
void ulogin_plan_nid_filters(struct ulogin_plan *p, struct strv *filters);
int ulogin_plan_nid_same(const struct ulogin_entry *e, void *plan);
/* The attributes those two need. */
extern const char *const ulogin_plan_user_attrs[];
extern const char *const ulogin_plan_class_attrs[];

/* Match, generate usernames, work out every step. */
void ulogin_plan_compute(struct ulogin_plan *p);

/* Counts: the steps planned, and of them the ones the server made. */
size_t ulogin_plan_count(const struct ulogin_plan *p, enum ulogin_step_kind k);
size_t ulogin_plan_count_done(const struct ulogin_plan *p,
			      enum ulogin_step_kind k);
size_t ulogin_plan_rows(const struct ulogin_plan *p);	/* people read */
size_t ulogin_plan_bad_rows(const struct ulogin_plan *p);
size_t ulogin_plan_unchanged(const struct ulogin_plan *p);
/* Users of the source before the run (not left). */
size_t ulogin_plan_active(const struct ulogin_plan *p);

/* The steps, in the order they are applied: users, leavers, classes. */
size_t ulogin_plan_nsteps(const struct ulogin_plan *p);
enum ulogin_step_kind ulogin_plan_step_kind(const struct ulogin_plan *p,
					    size_t i);
/* "+ user anna0001 (Anna Berg; student; 280001; 5a)". */
char *ulogin_plan_step_text(struct ulogin_plan *p, size_t i);
/*
 * The LDAP change of step i.  With password (an add), the new user gets
 * an initial one-time password made to their policy (returned in
 * *password, to be wiped with ulogin_secret_free) and pwdReset; without,
 * the change carries no password.  Returns 0, or -1 with *why when no
 * password can be made.
 */
int ulogin_plan_step_change(struct ulogin_plan *p, size_t i,
			    const struct ulogin_pictures *pictures,
			    struct ulogin_change *ch, char **password,
			    const char **why);
/* The outcome of step i (rc an LDAP code), for the row it came from. */
void ulogin_plan_step_done(struct ulogin_plan *p, size_t i, int rc,
			   const char *why);
/* The DN a step changes (NULL for a new class). */
const char *ulogin_plan_step_dn(const struct ulogin_plan *p, size_t i);
/* Read back after the connection failed: does entry e (at the step's
 * DN) show that the add or new first password of step i was made? */
bool ulogin_plan_step_made(const struct ulogin_plan *p, size_t i,
			   const struct ulogin_entry *e);
/* The username (or class cn) a step is about. */
const char *ulogin_plan_step_name(const struct ulogin_plan *p, size_t i);
size_t ulogin_plan_failed(const struct ulogin_plan *p);

/* Outputs. */
int ulogin_plan_write_json(struct ulogin_plan *p, FILE *out);
int ulogin_plan_write_ldif(struct ulogin_plan *p, FILE *out);
/* One line per input row (and per leaver): line,key,username,action,
 * result,reason. */
int ulogin_plan_write_results(const struct ulogin_plan *p, FILE *out);
/* The bad rows, as a JSON array for the report. */
#include <jansson.h>
json_t *ulogin_plan_errors_json(const struct ulogin_plan *p);

#endif
