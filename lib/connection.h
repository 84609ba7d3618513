/*
 * The one connection layer: connect (with failover over a URI list),
 * StartTLS, bind, paged searches, changes (with --dry-run and the audit
 * trail handled here, once), and LDAP result codes translated into words
 * and exit codes.  Nothing outside lib/ talks to libldap.
 */
#ifndef ULOGIN_CONNECTION_H
#define ULOGIN_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "mem.h"
#include "msg.h"

struct ulogin_conn;

/* One directory entry, copied out of libldap's structures. */
struct ulogin_attr {
	char *name;
	struct strv values;
};

struct ulogin_entry {
	char *dn;
	struct ulogin_attr *attrs;
	size_t nattrs;
};

/* First value of an attribute (case-insensitive name), or NULL. */
const char *ulogin_entry_get(const struct ulogin_entry *e, const char *attr);
/* All values, or NULL when the entry lacks the attribute. */
const struct strv *ulogin_entry_values(const struct ulogin_entry *e,
				       const char *attr);
int ulogin_entry_has_value(const struct ulogin_entry *e, const char *attr,
			   const char *value);
void ulogin_entry_free(struct ulogin_entry *e);
/* An ulogin_entry_fn that copies the first entry into the struct
 * ulogin_entry that data points to (zeroed beforehand) and stops. */
int ulogin_entry_keep(const struct ulogin_entry *e, void *data);
/* The entry as it will be once the change is made (before: as it is, or
 * NULL for an add); values compared as strings.  Free out with
 * ulogin_entry_free(). */
struct ulogin_change;
void ulogin_entry_after(const struct ulogin_entry *before,
			const struct ulogin_change *ch,
			struct ulogin_entry *out);
/* An ulogin_entry_fn that adds the entry's cn (if any) to the struct
 * strv that data points to. */
int ulogin_entry_note_cn(const struct ulogin_entry *e, void *data);

/*
 * Does a URI list need StartTLS?  A plain ldap:// address of anything but
 * this machine must never carry a password in clear.  *ldapi tells whether
 * the list has an ldapi:// address.  -1 for an unusable list.
 */
int ulogin_uri_needs_starttls(const char *uris, int *ldapi);

/* Connect and bind as cfg says.  Prints the error and returns an exit
 * code on failure, 0 on success. */
int ulogin_connect(const struct ulogin_config *cfg, struct ulogin_conn **out);
/* A new connection to read back what a failed one left unknown: up to
 * three tries, two seconds apart (each failure printed).  NULL when the
 * directory cannot be reached. */
struct ulogin_conn *ulogin_connect_again(const struct ulogin_config *cfg);
void ulogin_disconnect(struct ulogin_conn *c);

const char *ulogin_conn_base(const struct ulogin_conn *c);
/* The DN the connection is bound as. */
const char *ulogin_conn_operator(const struct ulogin_conn *c);
const struct ulogin_config *ulogin_conn_config(const struct ulogin_conn *c);

enum ulogin_scope { ULOGIN_SCOPE_BASE, ULOGIN_SCOPE_ONE, ULOGIN_SCOPE_SUB };

/* Called for each entry; return non-zero to stop the search early. */
typedef int (*ulogin_entry_fn)(const struct ulogin_entry *e, void *data);

/*
 * Search with the paged-results control, so no server size limit ever
 * truncates the answer.  attrs is NULL-terminated (NULL for all user
 * attributes).  Returns an LDAP result code.
 */
int ulogin_search(struct ulogin_conn *c, const char *base,
		  enum ulogin_scope scope, const char *filter,
		  const char *const *attrs, ulogin_entry_fn fn, void *data);

/* One search of a batch. */
struct ulogin_query {
	const char *base;
	enum ulogin_scope scope;
	const char *filter;
	const char *const *attrs;
	ulogin_entry_fn fn;
	void *data;
	int rc;			/* out: how it ended (an LDAP code) */
};

/*
 * Run several paged searches at once, pipelined on the one connection:
 * all are sent before any answer is read, so n lookups cost about one
 * round trip.  Each query's rc says how it ended; the return value is an
 * LDAP code for the connection as a whole.
 */
int ulogin_search_all(struct ulogin_conn *c, struct ulogin_query *qs,
		      size_t n);

/* Read one entry; LDAP_NO_SUCH_OBJECT (32) when it does not exist. */
int ulogin_read(struct ulogin_conn *c, const char *dn,
		const char *const *attrs, struct ulogin_entry *out);

/* Does an entry exist?  1 yes, 0 no, -1 error (rc in *rc). */
int ulogin_exists(struct ulogin_conn *c, const char *dn, int *rc);

/*
 * Compare attr of dn with value, as the operator: LDAP_COMPARE_TRUE,
 * LDAP_COMPARE_FALSE, LDAP_NO_SUCH_ATTRIBUTE (the entry has no such
 * value at all), LDAP_INSUFFICIENT_ACCESS (the operator may not read
 * it: a search would just leave it out), or another LDAP code.
 */
int ulogin_compare(struct ulogin_conn *c, const char *dn, const char *attr,
		   const char *value);

/* A change to one entry, applied as one LDAP operation. */
/* A refresh gives a dynamic entry (RFC 2589, slapo-dds) a new time to
 * live, ttl seconds from now; the server bounds it. */
/* A rename gives the entry the new RDN newrdn, in the same place. */
enum ulogin_change_op { ULOGIN_CHANGE_ADD, ULOGIN_CHANGE_MODIFY,
			ULOGIN_CHANGE_DELETE, ULOGIN_CHANGE_REFRESH,
			ULOGIN_CHANGE_RENAME };
enum ulogin_mod_op { ULOGIN_MOD_ADD, ULOGIN_MOD_REPLACE, ULOGIN_MOD_DELETE };

struct ulogin_mod {
	enum ulogin_mod_op op;
	char *attr;
	struct strv values;	/* empty with REPLACE/DELETE: remove all */
};

struct ulogin_change {
	enum ulogin_change_op op;
	char *dn;
	const char *action;	/* for the audit trail, e.g. "user.add" */
	char *comment;		/* optional, for the audit trail */
	struct ulogin_mod *mods;
	size_t nmods;
	long ttl;		/* ULOGIN_CHANGE_REFRESH: seconds */
	char *newrdn;		/* ULOGIN_CHANGE_RENAME, e.g. "cn=280001-6b" */
};

void ulogin_change_init(struct ulogin_change *ch, enum ulogin_change_op op,
			const char *dn, const char *action);
/* Add a value (NULL for none) to the modification of attr with op. */
void ulogin_change_mod(struct ulogin_change *ch, enum ulogin_mod_op op,
		       const char *attr, const char *value);
/* Replace attr with exactly this value (NULL: remove it), dropping any
 * value an earlier call gave. */
void ulogin_change_set(struct ulogin_change *ch, const char *attr,
		       const char *value);
void ulogin_change_free(struct ulogin_change *ch);
/* Free a change after overwriting any password in it. */
void ulogin_change_wipe(struct ulogin_change *ch);

/*
 * Call before the first change of a command: opens the audit trail, so a
 * trail that cannot be written stops the command before it changes
 * anything.  Returns an exit code.  Does nothing with --dry-run.
 */
int ulogin_prepare_changes(struct ulogin_conn *c);

/*
 * Record in the audit trail work that changes the directory other than
 * through this connection (ulogin-import --offline writes a file that
 * slapadd loads).  Returns 0, or an exit code (said).
 */
int ulogin_audit_note(struct ulogin_conn *c, const char *action,
		      const char *dn, const char *comment);

/* An LDAP-style code of ulogin's own: the audit trail failed. */
#define ULOGIN_LDAP_AUDIT_FAILED (-1000)

/* Did a change go unaudited?  The command must then exit 73. */
int ulogin_conn_audit_failed(const struct ulogin_conn *c);

/*
 * Apply a change, or with --dry-run print it as LDIF on stdout.  Every
 * applied change, successful or not, is written to the audit trail.
 * Returns an LDAP result code.
 */
int ulogin_apply(struct ulogin_conn *c, const struct ulogin_change *ch);

/* The change as LDIF that ldapmodify can apply. */
void ulogin_change_ldif(FILE *out, const struct ulogin_change *ch);

/*
 * Apply a change only if the entry matches the assertion filter (RFC
 * 4528), atomically in the server: LDAP_ASSERTION_FAILED (122) when it
 * does not.  Nothing is sent with --dry-run.
 */
int ulogin_apply_asserted(struct ulogin_conn *c, const struct ulogin_change *ch,
			  const char *assertion);

/*
 * Set the password of dn with the Password Modify extended operation
 * (RFC 3062): the server hashes it and its password policy sees a
 * password change.  Audited as action (never the password); with
 * --dry-run nothing is sent and a comment line is printed.  Call
 * ulogin_prepare_changes() first.  Returns an LDAP result code.
 */
int ulogin_password_modify(struct ulogin_conn *c, const char *dn,
			   const char *password, const char *action,
			   const char *comment);

/*
 * Pipelined changes on the one connection: up to window changes are out
 * at once; done is called for each as its answer arrives (diag: the
 * server's text on failure, else NULL), and with --dry-run at once with
 * success.  Every change goes to the audit trail.  After the connection
 * fails, every change still out and every later one is done with that
 * code.  send and drain return LDAP_SUCCESS or the connection's failure.
 */
typedef void (*ulogin_done_fn)(void *tag, int rc, const char *diag,
			       void *data);
struct ulogin_pipeline;
struct ulogin_pipeline *ulogin_pipeline_start(struct ulogin_conn *c,
					      size_t window,
					      ulogin_done_fn done, void *data);
int ulogin_pipeline_send(struct ulogin_pipeline *p,
			 const struct ulogin_change *ch, void *tag);
/* Wait for every change that is out. */
int ulogin_pipeline_drain(struct ulogin_pipeline *p);
/* Drain and free. */
int ulogin_pipeline_end(struct ulogin_pipeline *p);

/*
 * Report a failed LDAP operation: "PROGRAM: <what>: <plain words>", the
 * server's own explanation when it gave one, and a hint.  Returns the
 * exit code for rc.
 */
int ulogin_ldap_error(struct ulogin_conn *c, int rc, const char *fmt, ...)
	ULOGIN_PRINTF(3, 4);

/* Did a change fail in a way that leaves its outcome unknown (the
 * connection failed: the server may have made it)? */
bool ulogin_ldap_outcome_unknown(int rc);

/* The exit code and plain words for an LDAP result code. */
int ulogin_ldap_exit_code(int rc);
const char *ulogin_ldap_words(int rc);

#endif
