/*
 * A user's trail: what the toolkit's own audit log (audit_log) and
 * slapd's access log (slapo-accesslog, data/ulogin-accesslog.ldif) say
 * happened to a user, to the step-up and reset windows below it and to
 * its place in classes, newest first.  slapd's log has every change, whatever client made it,
 * with who made it; slapd decides which of its records the operator
 * reads.  No password, hash or national ID HMAC is ever shown: a change
 * of one reads "userPassword: changed".
 */
#ifndef ULOGIN_HISTORY_H
#define ULOGIN_HISTORY_H

#include <stdbool.h>
#include <time.h>

#include "connection.h"
#include "output.h"

struct ulogin_history_query {
	const char *username;
	time_t since;		/* 0: all */
	size_t limit;		/* 0: all */
	bool logins;		/* also slapd's record of each good login */
};

/*
 * The trail as a table with the columns time, source (ulogin or slapd),
 * operator, action, result, detail; newest first.  A user that is gone
 * (deleted) still has a trail; no user and no trail is 67.  Returns an
 * exit code (errors printed).
 */
int ulogin_user_history(struct ulogin_conn *c,
			const struct ulogin_history_query *q,
			struct ulogin_table **out);

/*
 * The words of one logged change (slapd's reqMod values, "attr:op value")
 * for a record of type ("add", "modify"...): *action (static) and the
 * detail (owned; "" when nothing to say).  Secrets never get past here.
 * *bookkeeping is set when the change is slapd's own record of a login.
 * Pure, for the unit tests.
 */
char *ulogin_history_describe(const char *type, const struct strv *mods,
			      const char **action, bool *bookkeeping);

#endif
