/*
 * The audit trail: one JSON line per change, appended to the file named by
 * the config's audit_log (and sent to syslog when enabled).  Passwords and
 * codes never appear in it.
 */
#ifndef ULOGIN_AUDIT_H
#define ULOGIN_AUDIT_H

#include "config.h"

struct ulogin_audit;

/* Open the trail before the first change; NULL and an error printed when
 * the file cannot be written (the change must then not be made). */
int ulogin_audit_open(const struct ulogin_config *cfg,
		      struct ulogin_audit **out);
void ulogin_audit_close(struct ulogin_audit *a);

struct ulogin_audit_record {
	const char *operator_dn;
	const char *action;
	const char *target;
	const char *result;	/* "ok" or the failure in words */
	const char *comment;	/* may be NULL */
};

/* Returns 0, or -1 when the line could not be written (already reported). */
int ulogin_audit_write(struct ulogin_audit *a,
		       const struct ulogin_audit_record *r);

#endif
