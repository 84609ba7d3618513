/*
 * User accounts under ou=people: the naming rules (usernames, levels by
 * grade, roles), the account state in words, and the operations of
 * ulogin-user.  Operations print their own errors and return exit codes.
 */
#ifndef ULOGIN_ACCOUNT_H
#define ULOGIN_ACCOUNT_H

#include <stdbool.h>
#include <time.h>

#include "connection.h"
#include "output.h"
#include "state.h"

/* ---- pure rules (unit-tested) --------------------------------------- */

/* Letters of a UTF-8 name in lower-case ASCII: æ→ae, ø→oe, å→aa, é→e...;
 * everything that is not a letter is dropped. */
char *ulogin_transliterate(const char *utf8);

/* The letter part of a generated username for a given name (at most four
 * letters; falls back to the surname, then "user"). */
char *ulogin_username_prefix(const char *given, const char *surname);

/* "Given Surname" (the parts that are there), for cn and displayName. */
char *ulogin_full_name(const char *given, const char *surname);

/* NULL when the username is acceptable, else why not. */
const char *ulogin_username_invalid(const char *username);

/* The level for a grade ("0".."10", "g1".."g3"), or NULL if invalid. */
const char *ulogin_level_for_grade(const char *grade);

/* The roles a user may have: student, teacher, staff, parent, support.
 * Administrator is not one of them but a right per institution
 * (uloginAdminOf). */
bool ulogin_role_valid(const char *role);
extern const char *const ulogin_roles[];
/* The roles an import may give (all but support). */
bool ulogin_role_importable(const char *role);
/* What to say after "unknown role ROLE". */
const char *ulogin_role_hint(const char *role);

/* Is the user staff as the access model's STAFF says (role teacher,
 * staff or support, or the administrator right)?  Administrators may
 * neither delete them nor reset their passwords. */
bool ulogin_user_is_staff(const struct ulogin_entry *user);
/* The hint after refusing to set or reset a staff password: what staff
 * do instead. */
void ulogin_staff_password_hint(void);

/* ---- operations -------------------------------------------------------- */

/* Every attribute of a user the tools read (ulogin_user_read()). */
extern const char *const ulogin_user_attrs[];

/* The DN of a username (NULL if the base is not a DN). */
char *ulogin_user_dn(struct ulogin_conn *c, const char *username);
/* Read a user with every account attribute; prints "cannot find user"
 * and returns 67 when missing, another exit code on other errors. */
int ulogin_user_read(struct ulogin_conn *c, const char *username,
		     struct ulogin_entry *e);

struct ulogin_user_spec {
	const char *username;	/* NULL: generate one */
	const char *given_name;
	const char *surname;
	struct strv roles;
	struct strv institutions;
	const char *grade;
	const char *mail;
	const char *mobile;
};

/*
 * Where a new user's initial password goes (ulogin_initial_password()):
 * a line of file, on disk before the add is sent and voided when the add
 * fails; without a file, password (the caller shows it once and frees
 * it with ulogin_secret_free()).
 */
struct passwords;
struct ulogin_initial {
	struct passwords *file;
	char *password;			/* out */
	/* out: whether the user was made is unknown (the connection
	 * failed during the add and the entry could not be read back);
	 * password is then set too, with an exit code. */
	bool unknown;
};

/* Adds the user (with an initial password unless initial is NULL) to
 * institutions the operator administers; the table gets one row
 * (username, name, dn).  When the connection fails during the add, the
 * entry is read back over a new connection: made with the add's values,
 * the add is done; not there, the passwords file's line is voided; still
 * unknown, an exit code with initial->unknown, the table and the password
 * (on a terminal) or the line (in the file) kept. */
int ulogin_user_add(struct ulogin_conn *c, const struct ulogin_user_spec *s,
		    struct ulogin_initial *initial,
		    struct ulogin_table **out);

int ulogin_user_show(struct ulogin_conn *c, const char *username,
		     struct ulogin_record **out);

struct ulogin_user_query {
	const char *name;	/* substring of any name or the username */
	const char *class_name;
	const struct strv *institutions;	/* any of them */
	const struct strv *roles;		/* any of them */
	const char *mail;
	/* ulogin-user list's state filters (NULL or none set: every
	 * account, the find columns). */
	const struct ulogin_list_filter *filter;
};

/* Users matching every criterion given (all users when none), sorted by
 * username.  With a filter the columns are those of a filtered list
 * (ulogin-user(1), LISTS) and the state decides who is in it. */
int ulogin_user_find(struct ulogin_conn *c, const struct ulogin_user_query *q,
		     struct ulogin_table **out);

/* "name=value" assignments with friendly names (given-name, surname,
 * display-name, mail, mobile, role, institution, grade, external-id,
 * identified).  set replaces (empty value removes); add and remove work
 * on the values of multi-valued names. */
struct ulogin_user_edit {
	struct strv set;
	struct strv add;
	struct strv remove;
};
int ulogin_user_modify(struct ulogin_conn *c, const char *username,
		       const struct ulogin_user_edit *edit);

/* The names modify knows, for --help and completion. */
extern const char *const ulogin_user_fields[];

/* The changes that take dn out of every class naming it (as member or
 * teacher), each audited as action: *n of them in *out (free each and
 * the array).  Returns an LDAP code. */
int ulogin_class_unlink_changes(struct ulogin_conn *c, const char *dn,
				const char *action,
				struct ulogin_change **out, size_t *n);

/* Deletes the user and removes it from every class.  confirm is called
 * (unless NULL) with the user's name before anything changes. */
int ulogin_user_delete(struct ulogin_conn *c, const char *username,
		       bool (*confirm)(const char *question));
/* The same without asking, but the entry is deleted only while it
 * matches the filter assertion (RFC 4528), in the server: when it does
 * not, nothing changes, nothing is said, *mismatch is set and 0 is
 * returned. */
int ulogin_user_delete_asserted(struct ulogin_conn *c, const char *username,
				const char *assertion, bool *mismatch);

#endif
