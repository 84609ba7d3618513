/*
 * ulogin-user: find, show and manage user accounts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "account.h"
#include "adminright.h"
#include "block.h"
#include "cli.h"
#include "connection.h"
#include "diagnose.h"
#include "exitcodes.h"
#include "history.h"
#include "msg.h"
#include "passwd.h"
#include "passwords.h"
#include "gtime.h"
#include "policy.h"
#include "prompt.h"
#include "userfile.h"
#include "program.h"
#include "reset.h"
#include "progress.h"
#include "prune.h"
#include "banned.h"

enum {
	OPT_GIVEN_NAME = 512,
	OPT_SURNAME,
	OPT_ROLE,
	OPT_INSTITUTION,
	OPT_GRADE,
	OPT_MAIL,
	OPT_MOBILE,
	OPT_NAME,
	OPT_CLASS,
	OPT_SET,
	OPT_ADD,
	OPT_REMOVE,
	OPT_FORCE,
	OPT_PASSWORDS,
	OPT_FROM,
	OPT_REASON,
	OPT_BLOCKED,
	OPT_LOCKED,
	OPT_EXPIRED,
	OPT_EXPIRING,
	OPT_IDLE,
	OPT_NEVER_LOGGED_IN,
	OPT_MUST_CHANGE,
	OPT_LIMIT,
	OPT_SINCE,
	OPT_LOGINS,
};

struct user_ctl {
	struct ulogin_cli cli;
	struct ulogin_user_spec spec;
	struct ulogin_user_query query;
	struct ulogin_user_edit edit;
	bool force;			/* admin revoke --force, prune */
	const char *passwords;		/* add --passwords FILE */
	const char *from;		/* add --from FILE */
	bool must_change;		/* passwd --must-change */
	const char *reason;		/* block --reason */
	struct ulogin_list_filter filter;	/* list --blocked... */
	int nstates;			/* how many state filters */
	const char *idle;		/* prune --idle */
	struct ulogin_history_query history;
	const char *limit, *since;	/* history's, as given */
};


static void
usage(FILE *out)
{
	fputs("Usage: ulogin-user [options] COMMAND [ARGS]\n"
	      "       ulogin-user [options] [--interactive]\n"
	      "\n"
	      "Find, show and manage user accounts in the ulogin directory.\n"
	      "\n"
	      "Commands:\n"
	      "  find             find users by name, class, institution, role"
	      " or mail\n"
	      "  list             list users; --blocked, --locked, --expiring"
	      " 14d...\n"
	      "  show USER        show everything about a user, in words\n"
	      "  diagnose LOGIN   why a login fails: the support desk's"
	      " checks\n"
	      "  history USER     what happened to a user, newest first: the"
	      " tools'\n"
	      "                   audit log and the directory server's own"
	      " log\n"
	      "  add [USER]       add a user with an initial password (a"
	      " username is made\n"
	      "                   when none is given); add --from FILE adds"
	      " many\n"
	      "  modify USER      change names, roles, institutions, grade,"
	      " mail...\n"
	      "  delete USER...   delete users (asks first on a terminal)\n"
	      "  passwd [USER]    set a password (your own without USER)\n"
	      "  expire USER      make a user change password at the next"
	      " login\n"
	      "  reset USER...    open a 5-minute reset window: the user logs"
	      " in once\n"
	      "                   with the username alone\n"
	      "  claim USER       give the user a new password from their"
	      " reset window\n"
	      "                   (the login service)\n"
	      "  block USER... --reason TEXT\n"
	      "                   block accounts (administrators)\n"
	      "  unblock USER...  lift a block; the password stays as it was\n"
	      "  unlock USER...   end a lock-out after wrong passwords\n"
	      "  prune --idle PERIOD\n"
	      "                   block, and later delete, accounts unused for"
	      " PERIOD\n"
	      "  admin grant|revoke USER --institution NUMBER [--force]\n"
	      "  admin list [--institution NUMBER]\n"
	      "                   the administrator right of an institution\n",
	      out);
	fputs("\nOptions:\n"
	      "      --interactive         a shell for several commands over one"
	      " connection\n"
	      "                            (the default with no COMMAND on a"
	      " terminal)\n", out);
	ulogin_cli_common_help(out);
	fputs("\nRun 'ulogin-user COMMAND --help' for a command's options.\n"
	      "\nSee ulogin-user(1).\n", out);
}

/* ---- add ---------------------------------------------------------------- */

static const struct option add_options[] = {
	{ "given-name", required_argument, NULL, OPT_GIVEN_NAME },
	{ "surname", required_argument, NULL, OPT_SURNAME },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ "grade", required_argument, NULL, OPT_GRADE },
	{ "mail", required_argument, NULL, OPT_MAIL },
	{ "mobile", required_argument, NULL, OPT_MOBILE },
	{ "passwords", required_argument, NULL, OPT_PASSWORDS },
	{ "from", required_argument, NULL, OPT_FROM },
	{ NULL, 0, NULL, 0 }
};

static void
add_usage(FILE *out)
{
	fputs("Usage: ulogin-user add [USER] --given-name NAME --surname NAME"
	      " --role ROLE\n"
	      "                       --institution NUMBER [options]\n"
	      "       ulogin-user add --from FILE --passwords FILE [options]\n"
	      "\n"
	      "Add a user under ou=people, with an initial password made for"
	      " the\n"
	      "user's policy: it works for the first login only, which must"
	      " choose a\n"
	      "new one.  It is shown once on the terminal, or appended to the"
	      "\n"
	      "--passwords file; when standard output is not a terminal,"
	      " --passwords\n"
	      "is required.  Without USER a username is made from the given"
	      " name: up\n"
	      "to four letters (æ→ae, ø→oe, å→aa) and the lowest free four"
	      " digits,\n"
	      "e.g. soer0001.  An administrator adds people to the"
	      " institutions they\n"
	      "administer.\n"
	      "\n"
	      "Options:\n"
	      "      --given-name NAME     given name (required)\n"
	      "      --surname NAME        surname (required)\n"
	      "      --role ROLE           student, teacher, staff, parent or"
	      " support;\n"
	      "                            repeat for several (one at least)\n"
	      "      --institution NUMBER  institution number; repeat for"
	      " several (one\n"
	      "                            at least)\n"
	      "      --grade GRADE         0-10, or g1-g3 (upper secondary)\n"
	      "      --mail ADDRESS        e-mail address\n"
	      "      --mobile NUMBER       mobile phone number\n"
	      "      --passwords FILE      append the initial password to FILE"
	      " (CSV\n"
	      "                            username,password,note; made"
	      " private, 0600)\n"
	      "      --from FILE           add the users of a CSV file with the"
	      " columns\n"
	      "                            given_name, surname, role,"
	      " institution and\n"
	      "                            optionally username, grade, mail,"
	      " mobile;\n"
	      "                            several values in a cell separated"
	      " by ';'\n"
	      "                            (by ',' in a file whose columns are"
	      " separated\n"
	      "                            by ';')\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

/* Where the initial passwords go: --passwords FILE (made, or checked to
 * be one to append to, before anything is sent), else the terminal. */
static int
open_passwords(const struct user_ctl *ctl, struct passwords **file)
{
	*file = NULL;
	if (!ctl->passwords)
		return 0;
	if (ctl->cli.cfg.dry_run)
		return ulogin_passwords_check(ctl->passwords);
	return ulogin_passwords_open(ctl->passwords, file);
}

static int
close_passwords(const struct user_ctl *ctl, struct passwords *file, int rc)
{
	if (ulogin_passwords_close(file) != 0) {
		ulogin_error("cannot write '%s': the initial passwords in it "
			     "are incomplete", ctl->passwords);
		return rc ? rc : ULOGIN_EX_CANTCREAT;
	}
	return rc;
}

/* The initial password, on the terminal that check_options made sure
 * standard output is: once, never again, written with write(2) so that
 * no stdio buffer keeps a copy. */
static int
show_once(const char *username, const char *password)
{
	char *head = xasprintf("\nInitial password of %s: ", username);
	bool shown = ulogin_write_secret(head, strlen(head)) == 0 &&
		     ulogin_write_secret(password, strlen(password)) == 0 &&
		     ulogin_write_secret("\n", 1) == 0;

	free(head);
	if (!shown) {
		ulogin_error("cannot show the initial password of '%s'",
			     username);
		ulogin_hint("the user is added: set a password with "
			    "'ulogin-user passwd %s'", username);
		return ULOGIN_EX_CANTCREAT;
	}
	fputs("It is shown this once and kept nowhere else: hand it over"
	      " now.  It works\nfor the first login only, which must choose"
	      " a new password.\n", stdout);
	return 0;
}

/* The add's outcome is unknown (said already): the password is shown
 * all the same, for the user may exist with it. */
static void
show_unknown(const char *username, const char *password)
{
	char *head = xasprintf("\nInitial password of %s, should the add "
			       "have been made: ", username);

	if (ulogin_write_secret(head, strlen(head)) == 0 &&
	    ulogin_write_secret(password, strlen(password)) == 0 &&
	    ulogin_write_secret("\n", 1) == 0)
		fputs("It is shown this once and kept nowhere else.  Once the"
		      " directory answers,\n'ulogin-user show' tells whether"
		      " the user exists: if so, hand it over;\nif not,"
		      " nothing was added.\n", stdout);
	free(head);
}

static int run_add_from(struct user_ctl *ctl, struct ulogin_conn *c);

static int
run_add(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	struct ulogin_initial initial = { NULL, NULL, false };
	struct ulogin_table *t = NULL;
	int rc;

	if (ctl->from)
		return run_add_from(ctl, c);
	ctl->spec.username = argc > 0 ? argv[0] : NULL;
	if ((rc = open_passwords(ctl, &initial.file)))
		return rc;
	rc = ulogin_user_add(c, &ctl->spec, &initial, &t);
	rc = close_passwords(ctl, initial.file, rc);
	if (!rc && !ulogin_conn_config(c)->dry_run)
		rc = ulogin_table_print(t, ctl->cli.format, stdout);
	if (!rc && initial.password)
		rc = show_once(ulogin_table_cell(t, 0, 0), initial.password);
	else if (initial.unknown && initial.password)
		show_unknown(ulogin_table_cell(t, 0, 0), initial.password);
	else if (!rc && ctl->passwords && !ulogin_conn_config(c)->dry_run)
		ulogin_info("the initial password of '%s' is in '%s'",
			    ulogin_table_cell(t, 0, 0), ctl->passwords);
	ulogin_secret_free(initial.password);
	ulogin_table_free(t);
	return rc;
}

/* ---- add --from ------------------------------------------------------- */

static int
run_add_from(struct user_ctl *ctl, struct ulogin_conn *c)
{
	const bool dry_run = ulogin_conn_config(c)->dry_run;
	struct ulogin_table *made = NULL;
	struct passwords *file;
	size_t rows = 0, failed = 0, n;
	int rc;

	if ((rc = open_passwords(ctl, &file)))
		return rc;
	rc = ulogin_user_add_file(c, ctl->from, file, &made, &rows, &failed);
	rc = close_passwords(ctl, file, rc);
	n = ulogin_table_rows(made);
	if (!dry_run && (n || (!rc && !failed))) {
		int prc = ulogin_table_print(made, ctl->cli.format, stdout);

		rc = rc ? rc : prc;
	}
	ulogin_table_free(made);
	if (!rc && !rows)
		ulogin_info("%s holds no users", ctl->from);
	else if (rows && !dry_run)
		ulogin_info("%zu of %zu user%s added%s%s%s", n, rows,
			    rows == 1 ? "" : "s",
			    n ? "; their initial passwords are in '" : "",
			    n ? ctl->passwords : "", n ? "'" : "");
	if (!rc && failed) {
		ulogin_error("%zu row%s of '%s' not added (see above)",
			     failed, failed == 1 ? "" : "s", ctl->from);
		rc = ULOGIN_EX_PARTIAL;
	}
	return rc;
}

/* ---- show ----------------------------------------------------------------- */

static void
show_usage(FILE *out)
{
	fputs("Usage: ulogin-user show USER [options]\n"
	      "\n"
	      "Show everything about a user in words: names, roles,"
	      " institutions,\n"
	      "classes, grade and level, password policy, and the account"
	      " state with\n"
	      "its reason: left, blocked, locked-out, pending-migration,\n"
	      "reset-window-open, expired, must-change, idle or active, the"
	      " first that\n"
	      "applies (ulogin(7), STATES).\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_show(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	struct ulogin_record *r = NULL;
	int rc;

	if ((rc = ulogin_user_show(c, argv[0], &r)))
		return rc;
	rc = ulogin_record_print(r, ctl->cli.format, stdout);
	ulogin_record_free(r);
	return rc;
}

/* ---- find and list ------------------------------------------------------- */

static const struct option find_options[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "mail", required_argument, NULL, OPT_MAIL },
	{ NULL, 0, NULL, 0 }
};

static const struct option list_options[] = {
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "blocked", no_argument, NULL, OPT_BLOCKED },
	{ "locked", no_argument, NULL, OPT_LOCKED },
	{ "expired", no_argument, NULL, OPT_EXPIRED },
	{ "expiring", required_argument, NULL, OPT_EXPIRING },
	{ "idle", required_argument, NULL, OPT_IDLE },
	{ "never-logged-in", no_argument, NULL, OPT_NEVER_LOGGED_IN },
	{ "must-change", no_argument, NULL, OPT_MUST_CHANGE },
	{ NULL, 0, NULL, 0 }
};

static void
find_usage(FILE *out)
{
	fputs("Usage: ulogin-user find [--name TEXT] [--class CLASS]"
	      " [--institution NUMBER]\n"
	      "                        [--role ROLE] [--mail ADDRESS]"
	      " [options]\n"
	      "\n"
	      "Find users matching every criterion given (a repeated --role"
	      " or\n"
	      "--institution matches any of its values).  Columns: username,"
	      " given_name,\n"
	      "surname, roles, institutions, grade, state.\n"
	      "\n"
	      "Options:\n"
	      "      --name TEXT           part of a name or username\n"
	      "      --class CLASS         members and teachers of a class,"
	      " e.g. 280001-5a\n"
	      "      --institution NUMBER  users of an institution (repeat:"
	      " any of them)\n"
	      "      --role ROLE           users with a role (repeat: any of"
	      " them)\n"
	      "      --mail ADDRESS        users with this e-mail address\n",
	      out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static void
list_usage(FILE *out)
{
	fputs("Usage: ulogin-user list [--institution NUMBER] [--role ROLE]"
	      " [FILTER...] [options]\n"
	      "\n"
	      "List users, sorted by username.  Columns: username, given_name,"
	      " surname,\n"
	      "roles, institutions, grade, state.  With a FILTER: username,"
	      " name, roles,\n"
	      "institutions, state, reason and the filter's own columns"
	      " (see\n"
	      "ulogin-user(1), LISTS).  Every filter given must hold; the"
	      " account state\n"
	      "is the one of 'show' (ulogin(7), STATES).\n"
	      "\n"
	      "Options:\n"
	      "      --institution NUMBER  only users of an institution"
	      " (repeat: any)\n"
	      "      --role ROLE           only users with a role (repeat:"
	      " any)\n"
	      "\n"
	      "Filters (one of the first four at most; each lists the"
	      " accounts in that\n"
	      "condition whatever state they show, e.g. an expired"
	      " pending-migration one):\n"
	      "      --blocked             blocked\n"
	      "      --locked              locked out (not blocked)\n"
	      "      --expired             the password has expired\n"
	      "      --must-change         must change the password at the"
	      " next login\n"
	      "      --expiring DURATION   the password expires within"
	      " DURATION (e.g. 14d);\n"
	      "                            never blocked or left accounts\n"
	      "      --idle DURATION       no login for DURATION (e.g. 60d);"
	      " never logged\n"
	      "                            in: made that long ago\n"
	      "      --never-logged-in     no successful login ever\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
print_found(struct user_ctl *ctl, struct ulogin_conn *c)
{
	struct ulogin_table *t = NULL;
	int rc;

	if ((rc = ulogin_user_find(c, &ctl->query, &t)))
		return rc;
	if (!ulogin_table_rows(t))
		ulogin_info("no users match");
	rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	return rc;
}

static int
run_find(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	return print_found(ctl, c);
}

/* ---- modify ------------------------------------------------------------- */

static const struct option modify_options[] = {
	{ "set", required_argument, NULL, OPT_SET },
	{ "add", required_argument, NULL, OPT_ADD },
	{ "remove", required_argument, NULL, OPT_REMOVE },
	{ NULL, 0, NULL, 0 }
};

static void
modify_usage(FILE *out)
{
	fputs("Usage: ulogin-user modify USER [--set NAME=VALUE]..."
	      " [--add NAME=VALUE]...\n"
	      "                         [--remove NAME=VALUE]... [options]\n"
	      "\n"
	      "Change a user.  NAME is one of given-name, surname,"
	      " display-name, mail,\n"
	      "mobile, role, institution, grade, external-id, identified"
	      " (yes/no).\n"
	      "Changing a name also changes the full name (cn); changing the"
	      " grade\n"
	      "also changes the level.\n"
	      "\n"
	      "Options:\n"
	      "      --set NAME=VALUE      replace the value (empty VALUE"
	      " removes it)\n"
	      "      --add NAME=VALUE      add a value to role or institution\n"
	      "      --remove NAME=VALUE   remove a value from role or"
	      " institution\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_modify(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	return ulogin_user_modify(c, argv[0], &ctl->edit);
}

/* ---- delete ------------------------------------------------------------- */

static void
delete_usage(FILE *out)
{
	fputs("Usage: ulogin-user delete USER... [--yes] [options]\n"
	      "\n"
	      "Delete users and remove them from every class.  On a terminal"
	      " each\n"
	      "deletion is confirmed first; elsewhere --yes is required.  Users"
	      " who\n"
	      "leave a school are normally blocked by the import, not"
	      " deleted.\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_delete(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	const struct ulogin_config *cfg = &ctl->cli.cfg;
	bool (*confirm)(const char *) = NULL;
	int rc, failed = 0, last = 0;

	if (!cfg->assume_yes && !cfg->dry_run) {
		if (!ulogin_interactive()) {
			ulogin_error("refusing to delete without confirmation");
			ulogin_hint("add --yes to delete without asking");
			return ULOGIN_EX_USAGE;
		}
		confirm = ulogin_confirm;
	}
	for (int i = 0; i < argc; i++)
		if ((rc = ulogin_user_delete(c, argv[i], confirm))) {
			failed++;
			last = rc;
		}
	if (!failed)
		return 0;
	return failed == argc ? last : ULOGIN_EX_PARTIAL;
}

/* ---- admin ------------------------------------------------------------- */

static const struct option admin_options[] = {
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

static void
admin_usage(FILE *out)
{
	fputs("Usage: ulogin-user admin grant USER --institution NUMBER"
	      " [options]\n"
	      "       ulogin-user admin revoke USER --institution NUMBER"
	      " [--force] [options]\n"
	      "       ulogin-user admin list [--institution NUMBER]"
	      " [options]\n"
	      "\n"
	      "The administrator right: a person who holds it for an"
	      " institution\n"
	      "manages its people.  It is granted and revoked by the"
	      " institution's\n"
	      "administrators (or the directory manager), to its teachers and"
	      " other\n"
	      "staff only; the directory server refuses anyone else.  'list'"
	      " shows\n"
	      "username, name and admin_of.\n"
	      "\n"
	      "Options:\n"
	      "      --institution NUMBER  the institution the right is for\n"
	      "      --force               revoke from the last administrator"
	      " too\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_admin(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	const char *inst = ctl->spec.institutions.n
		? ctl->spec.institutions.v[0] : NULL;
	struct ulogin_table *t = NULL;
	int rc;

	if (!strcmp(argv[0], "grant"))
		return ulogin_admin_grant(c, argv[1], inst);
	if (!strcmp(argv[0], "revoke"))
		return ulogin_admin_revoke(c, argv[1], inst, ctl->force);
	if ((rc = ulogin_admin_list(c, inst, &t)))
		return rc;
	if (!ulogin_table_rows(t))
		ulogin_info("no administrators");
	rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	return rc;
}

/* ---- reset and claim ---------------------------------------------------- */

static void
reset_usage(FILE *out)
{
	fputs("Usage: ulogin-user reset USER... [options]\n"
	      "\n"
	      "Open a password reset window for students (a teacher: of the"
	      " classes\n"
	      "they teach; an administrator: students and parents of their"
	      "\n"
	      "institution).  Within 5 minutes the user logs in once with the"
	      "\n"
	      "username alone and the login service gives them a new"
	      " password for\n"
	      "their policy, to be changed at that login.  A window that is"
	      " open\n"
	      "already is not extended.  Staff reset their own password with"
	      "\n"
	      "national e-ID.  Columns: username, until, by.\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_reset(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	struct strv users = STRV_INIT;
	struct ulogin_table *t = NULL;
	int rc;

	for (int i = 0; i < argc; i++)
		if (!strv_contains(&users, argv[i]))
			strv_push(&users, argv[i]);
	rc = ulogin_reset_open(c, &users, &t);
	strv_free(&users);
	return ulogin_table_finish(t, ctl->cli.format, rc);
}

static void
claim_usage(FILE *out)
{
	fputs("Usage: ulogin-user claim USER [options]\n"
	      "\n"
	      "What a login service or a kiosk runs, as the login service"
	      " account,\n"
	      "when a user with an open reset window logs in with the"
	      " username\n"
	      "alone: give the user a new password for their policy, print"
	      " it once\n"
	      "(fields username, password, policy, must_change) and close"
	      " the\n"
	      "window.  The user must change it at that login.  Exit 77 when"
	      " no\n"
	      "window is open, it has closed or it was used.\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
print_claim(const struct ulogin_record *r, void *data)
{
	struct user_ctl *ctl = data;

	/* The new password: written with write(2), every copy wiped. */
	return ulogin_record_print_secret(r, ctl->cli.format);
}

static int
run_claim(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return ulogin_reset_claim(c, argv[0], print_claim, data);
}

/* ---- block, unblock, unlock ------------------------------------------- */

static const struct option block_options[] = {
	{ "reason", required_argument, NULL, OPT_REASON },
	{ NULL, 0, NULL, 0 }
};

static void
block_usage(FILE *out)
{
	fputs("Usage: ulogin-user block USER... --reason TEXT [options]\n"
	      "\n"
	      "Block accounts: nobody can log in to them until they are"
	      " unblocked.\n"
	      "The directory server's password policy keeps the lock"
	      " (pwdAccountLockedTime\n"
	      "000001010000Z), with the reason, who blocked and when.  A"
	      " user whose\n"
	      "policy has no lockout (pwdLockout) is refused: the server"
	      " would ignore\n"
	      "the block.  For an institution's administrators (their"
	      " people but other\n"
	      "administrators) and the directory manager.  Columns: username,"
	      " result,\n"
	      "state, reason.\n"
	      "\n"
	      "Options:\n"
	      "      --reason TEXT         why (required); shown by 'show'"
	      " and 'list'\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static void
unblock_usage(FILE *out)
{
	fputs("Usage: ulogin-user unblock USER... [options]\n"
	      "\n"
	      "Lift a block: the lock, the reason, who and when go; the"
	      " password stays\n"
	      "as it was.  A lock-out after wrong passwords is ended with"
	      " 'unlock'.\n"
	      "Columns: username, result, state, reason.\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static void
unlock_usage(FILE *out)
{
	fputs("Usage: ulogin-user unlock USER... [options]\n"
	      "\n"
	      "End a lock-out after too many wrong passwords: the lock and"
	      " the counted\n"
	      "failures go; the password stays as it was.  A blocked account"
	      " is\n"
	      "unblocked with 'unblock'.  Columns: username, result, state,"
	      " reason.\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_lock(struct user_ctl *ctl, struct ulogin_conn *c,
	 enum ulogin_lock_action what, int argc, char **argv)
{
	struct strv users = STRV_INIT;
	struct ulogin_table *t = NULL;
	int rc, prc;

	for (int i = 0; i < argc; i++)
		strv_push(&users, argv[i]);
	rc = ulogin_users_lock(c, what, &users, ctl->reason, &t);
	strv_free(&users);
	if (!t)
		return rc;
	/* With --dry-run stdout has the changes as LDIF. */
	if (!ulogin_conn_config(c)->dry_run &&
	    (prc = ulogin_table_print(t, ctl->cli.format, stdout)) && !rc)
		rc = prc;
	ulogin_table_free(t);
	return rc;
}

static int
run_block(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return run_lock(data, c, ULOGIN_BLOCK, argc, argv);
}

static int
run_unblock(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return run_lock(data, c, ULOGIN_UNBLOCK, argc, argv);
}

static int
run_unlock(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return run_lock(data, c, ULOGIN_UNLOCK, argc, argv);
}

/* ---- passwd and expire --------------------------------------------------- */

static const struct option passwd_options[] = {
	{ "must-change", no_argument, NULL, OPT_MUST_CHANGE },
	{ NULL, 0, NULL, 0 }
};

static void
passwd_usage(FILE *out)
{
	fputs("Usage: ulogin-user passwd [USER] [--must-change] [options]\n"
	      "\n"
	      "Set a password: your own without USER, or (as an administrator)"
	      " that of\n"
	      "a student or parent of your institution.  On a terminal it is"
	      " asked for\n"
	      "twice without echo; otherwise one line is read from standard"
	      " input.  It\n"
	      "is checked against the user's password policy first: every"
	      " rule it\n"
	      "breaks is listed (columns code, rule) and nothing is sent."
	      "  Staff\n"
	      "passwords are not set by administrators: staff reset their own"
	      " with\n"
	      "national e-ID, or get a sealed letter from the support desk.\n"
	      "\n"
	      "Options:\n"
	      "      --must-change         the user must change it at the next"
	      " login:\n"
	      "                            always so for someone else's"
	      " password\n",
	      out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

/* The new password: twice without echo on a terminal, else one line of
 * standard input.  NULL (printed, *rc set) when there is none. */
static char *
read_new_password(const struct user_ctl *ctl, const char *username,
		  bool self, int *rc)
{
	char *prompt, *pw, *again;
	bool too_long;

	if (!isatty(STDIN_FILENO) && !ctl->cli.in_shell) {
		if ((pw = ulogin_read_secret_line(4096, &too_long)))
			return pw;
		ulogin_error("%s", too_long ? "the password is longer than "
			     "4096 bytes" : "no password given on standard "
			     "input");
		*rc = too_long ? ULOGIN_EX_DATAERR : ULOGIN_EX_NOINPUT;
		return NULL;
	}
	prompt = self ? xstrdup("New password: ")
		      : xasprintf("New password for %s: ", username);
	pw = ulogin_prompt_secret(prompt);
	free(prompt);
	again = pw ? ulogin_prompt_secret("Again: ") : NULL;
	if ((!pw || !again) && errno == ECANCELED) {
		ulogin_error("no password entered: the input ended before "
			     "Enter; nothing was changed");
		*rc = ULOGIN_EX_NOINPUT;
	} else if (!pw || !again) {
		ulogin_error("no terminal to ask for the password on");
		ulogin_hint("give it on standard input, one line");
		*rc = ULOGIN_EX_NOINPUT;
	} else if (strcmp(pw, again)) {
		ulogin_error("the two passwords differ; nothing was changed");
		*rc = ULOGIN_EX_DATAERR;
	} else {
		ulogin_secret_free(again);
		return pw;
	}
	ulogin_secret_free(pw);
	ulogin_secret_free(again);
	return NULL;
}

static int
run_passwd(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	struct ulogin_passwd_target t;
	struct ulogin_table *broken = NULL;
	char *pw = NULL;
	int rc;

	if (!(rc = ulogin_passwd_target(c, argc ? argv[0] : NULL,
					ctl->must_change, &t)) &&
	    (pw = read_new_password(ctl, t.username, t.self, &rc)) &&
	    !(rc = ulogin_passwd_check(&t, pw, &broken)))
		rc = ulogin_passwd_set(c, &t, pw);
	if (broken) {
		int prc = ulogin_table_print(broken, ctl->cli.format, stdout);

		rc = prc ? prc : rc;
	}
	ulogin_table_free(broken);
	ulogin_secret_free(pw);
	ulogin_passwd_target_free(&t);
	return rc;
}

static void
expire_usage(FILE *out)
{
	fputs("Usage: ulogin-user expire USER [options]\n"
	      "\n"
	      "Make a user change password at the next login (ppolicy's"
	      " pwdReset):\n"
	      "the password still works once, for choosing a new one."
	      "  Administrators\n"
	      "expire the passwords of the people of their institutions.\n",
	      out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_expire(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return ulogin_user_expire(c, argv[0]);
}

/* ---- diagnose ------------------------------------------------------------ */

static void
diagnose_usage(FILE *out)
{
	fputs("Usage: ulogin-user diagnose LOGIN [options]\n"
	      "\n"
	      "Why a login fails: the support desk's checks for LOGIN as the"
	      " person\n"
	      "typed it, in order, each OK, FAIL, SKIP (does not apply) or"
	      " UNKNOWN (you\n"
	      "may not read what it needs), with the remedy in words:"
	      " local-login\n"
	      "(@domain), lower-case, found (with similar usernames and"
	      " names),\n"
	      "institution, roles, password, identified, import (only a"
	      " phased-out\n"
	      "CSV import), blocked, locked-out, expired, must-change,"
	      " reset-window.\n"
	      "Columns: check, result, detail, remedy.\n"
	      "\n"
	      "Exit status: 0 when no check failed, 1 when one did (also"
	      " when the\n"
	      "username does not exist), 77 when the account exists but you"
	      " may not\n"
	      "see it.\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_diagnose(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	enum ulogin_verdict verdict;
	int rc;

	if ((rc = ulogin_user_diagnose(c, argv[0], &t, &verdict)))
		return rc;
	/* A person reads the remedy under the check, not in a far column. */
	rc = ctl->cli.format == ULOGIN_FMT_TABLE
		? ulogin_diagnose_print_text(t, stdout)
		: ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	if (rc)
		return rc;
	switch (verdict) {
	case ULOGIN_VERDICT_UNSEEN:
		ulogin_error("cannot diagnose '%s': the account exists, but "
			     "you may not see it", argv[0]);
		ulogin_hint("ask an administrator of the user's institution");
		return ULOGIN_EX_NOPERM;
	case ULOGIN_VERDICT_FAIL:
		ulogin_info("'%s' cannot log in: see the FAIL lines", argv[0]);
		return ULOGIN_EX_PARTIAL;
	case ULOGIN_VERDICT_OK:
		break;
	}
	ulogin_info("no check found anything that stops '%s' from logging in",
		    argv[0]);
	return 0;
}

/* ---- prune ------------------------------------------------------------- */

static const struct option prune_options[] = {
	{ "idle", required_argument, NULL, OPT_IDLE },
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

static void
prune_usage(FILE *out)
{
	fputs("Usage: ulogin-user prune --idle PERIOD [--institution NUMBER]"
	      " [--force]\n"
	      "                         [-n] [--yes] [options]\n"
	      "\n"
	      "Accounts with no successful login for PERIOD (their last"
	      " login, else\n"
	      "when they were made) are blocked and marked as unused; a"
	      " later run\n"
	      "deletes those still blocked by prune and unused"
	      " prune_retention (the\n"
	      "config, 90d by default) after the mark and PERIOD.  A marked"
	      " account\n"
	      "that was unblocked, used or blocked again loses the mark; one"
	      " that\n"
	      "changed after the list was made is left alone.  Never the"
	      " last\n"
	      "administrator of an institution, nor an account already"
	      " blocked for\n"
	      "another reason; staff only by the directory manager.  Like"
	      " the import,\n"
	      "a run that would block or delete more than max_leavers of"
	      " the accounts\n"
	      "stops unless --force.  Asks on a terminal; elsewhere --yes"
	      " is required.\n"
	      "Columns: username, name, action (block, delete, wait, unmark,"
	      " keep,\n"
	      "skip), last_used, result, detail.\n"
	      "\n"
	      "Options:\n"
	      "      --idle PERIOD         unused for this long, e.g. 2y, 18w,"
	      " 400d\n"
	      "      --institution NUMBER  only the people of this"
	      " institution\n"
	      "      --force               past the max_leavers guard\n",
	      out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_prune(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	const struct ulogin_config *cfg = &ctl->cli.cfg;
	struct ulogin_prune_opts o = { 0 };
	struct ulogin_table *t = NULL;
	int rc;

	o.idle = ulogin_duration_parse(ctl->idle);
	o.institution = ctl->spec.institutions.n
		? ctl->spec.institutions.v[0] : NULL;
	o.force = ctl->force;
	o.progress = ulogin_progress_wanted();
	if (!cfg->assume_yes && !cfg->dry_run) {
		if (!ulogin_interactive()) {
			ulogin_error("refusing to prune without confirmation");
			ulogin_hint("add --yes to prune without asking, or -n "
				    "to see what it would do");
			return ULOGIN_EX_USAGE;
		}
		o.confirm = ulogin_confirm;
	}
	rc = ulogin_user_prune(c, &o, &t);
	if (t && !ulogin_table_rows(t))
		ulogin_info("no account is unused for that long");
	return ulogin_table_finish(t, ctl->cli.format, rc);
}

/* ---- history ------------------------------------------------------------ */

static const struct option history_options[] = {
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "logins", no_argument, NULL, OPT_LOGINS },
	{ NULL, 0, NULL, 0 }
};

static void
history_usage(FILE *out)
{
	fputs("Usage: ulogin-user history USER [--limit N] [--since DATE]"
	      " [--logins] [options]\n"
	      "\n"
	      "What happened to a user and to their step-up and reset"
	      " windows, newest\n"
	      "first: the lines of the tools' audit log (source ulogin, when"
	      " you may\n"
	      "read the file) and the directory server's own record of every"
	      " change\n"
	      "(source slapd: also changes made with ldapmodify or ldappasswd,"
	      " with who\n"
	      "made them).  The server shows you the records of the users"
	      " you manage.\n"
	      "No password or hash is shown: 'userPassword: changed'.  Columns:"
	      " time,\n"
	      "source, operator, action, result, detail.\n"
	      "\n"
	      "Options:\n"
	      "      --limit N             the newest N records only\n"
	      "      --since DATE          records from DATE (YYYY-MM-DD, UTC)"
	      " or from\n"
	      "                            a time ago (30d, 12h, 2w, 1y) on\n"
	      "      --logins              also every successful login (slapd"
	      " records\n"
	      "                            failed ones always)\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_history(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	int rc;

	ctl->history.username = argv[0];
	if ((rc = ulogin_user_history(c, &ctl->history, &t)))
		return rc;
	if (!ulogin_table_rows(t))
		ulogin_info("no records of '%s' that you may see", argv[0]);
	rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	return rc;
}

/* history's --limit and --since, checked before connecting. */
static int
check_history(struct user_ctl *ctl)
{
	struct ulogin_history_query *h = &ctl->history;

	if (ctl->limit) {
		char *end;
		long n;

		errno = 0;
		n = strtol(ctl->limit, &end, 10);
		if (errno || end == ctl->limit || *end || n < 1 ||
		    n > 1000000)
			return ulogin_usage_error("history", "--limit takes a "
				"number from 1 to 1000000, not '%s'",
				ctl->limit);
		h->limit = (size_t)n;
	}
	if (ctl->since) {
		long ago;

		if (ulogin_day_parse(ctl->since, &h->since) == 0)
			return 0;
		if ((ago = ulogin_duration_parse(ctl->since)) <= 0 ||
		    !strpbrk(ctl->since, "smhdwy"))
			return ulogin_usage_error("history", "--since takes a "
				"day (YYYY-MM-DD) or a time ago (30d, 12h, "
				"2w, 1y), not '%s'", ctl->since);
		h->since = time(NULL) - ago;
	}
	return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct ulogin_subcommand subcommands[] = {
	{ "add", "[USER]", 0, 1, add_options, NULL, add_usage, run_add,
	  false },
	{ "show", "USER", 1, 1, NULL, NULL, show_usage, run_show, false },
	{ "find", "", 0, 0, find_options, NULL, find_usage, run_find,
	  false },
	{ "list", "", 0, 0, list_options, NULL, list_usage, run_find,
	  false },
	{ "modify", "USER", 1, 1, modify_options, NULL, modify_usage,
	  run_modify, false },
	{ "delete", "USER...", 1, (size_t)-1, NULL, NULL, delete_usage,
	  run_delete, false },
	{ "admin", "grant, revoke or list", 1, 2, admin_options, NULL,
	  admin_usage, run_admin, false },
	{ "reset", "USER...", 1, (size_t)-1, NULL, NULL, reset_usage,
	  run_reset, false },
	{ "claim", "USER", 1, 1, NULL, NULL, claim_usage, run_claim, false },
	{ "passwd", "[USER]", 0, 1, passwd_options, NULL, passwd_usage,
	  run_passwd, false },
	{ "expire", "USER", 1, 1, NULL, NULL, expire_usage, run_expire,
	  false },
	{ "block", "USER...", 1, (size_t)-1, block_options, NULL,
	  block_usage, run_block, false },
	{ "unblock", "USER...", 1, (size_t)-1, NULL, NULL, unblock_usage,
	  run_unblock, false },
	{ "unlock", "USER...", 1, (size_t)-1, NULL, NULL, unlock_usage,
	  run_unlock, false },
	{ "diagnose", "LOGIN", 1, 1, NULL, NULL, diagnose_usage, run_diagnose,
	  false },
	{ "prune", "", 0, 0, prune_options, NULL, prune_usage, run_prune,
	  false },
	{ "history", "USER", 1, 1, history_options, NULL, history_usage,
	  run_history, false },
};

/* One of list's state filters; more than one is checked later. */
static int
state_filter(struct user_ctl *ctl, const char *state)
{
	if (!ctl->filter.state || strcmp(ctl->filter.state, state))
		ctl->nstates++;
	ctl->filter.state = state;
	ctl->query.filter = &ctl->filter;
	return 0;
}

static int
handle_option(int opt, const char *arg, void *data)
{
	struct user_ctl *ctl = data;

	switch (opt) {
	case OPT_GIVEN_NAME: ctl->spec.given_name = arg; break;
	case OPT_SURNAME: ctl->spec.surname = arg; break;
	case OPT_ROLE:
		strv_push(&ctl->spec.roles, arg);
		ctl->query.roles = &ctl->spec.roles;
		break;
	case OPT_INSTITUTION:
		strv_push(&ctl->spec.institutions, arg);
		ctl->query.institutions = &ctl->spec.institutions;
		break;
	case OPT_GRADE: ctl->spec.grade = arg; break;
	case OPT_MAIL:
		ctl->spec.mail = arg;
		ctl->query.mail = arg;
		break;
	case OPT_MOBILE: ctl->spec.mobile = arg; break;
	case OPT_NAME: ctl->query.name = arg; break;
	case OPT_CLASS: ctl->query.class_name = arg; break;
	case OPT_SET: strv_push(&ctl->edit.set, arg); break;
	case OPT_ADD: strv_push(&ctl->edit.add, arg); break;
	case OPT_REMOVE: strv_push(&ctl->edit.remove, arg); break;
	case OPT_FORCE: ctl->force = true; break;
	case OPT_PASSWORDS: ctl->passwords = arg; break;
	case OPT_FROM: ctl->from = arg; break;
	case OPT_REASON: ctl->reason = arg; break;
	case OPT_BLOCKED: return state_filter(ctl, "blocked");
	case OPT_LOCKED: return state_filter(ctl, "locked-out");
	case OPT_EXPIRED: return state_filter(ctl, "expired");
	case OPT_MUST_CHANGE:
		/* passwd --must-change, or list's state filter; each
		 * command reads its own. */
		ctl->must_change = true;
		return state_filter(ctl, "must-change");
	case OPT_EXPIRING:
		if ((ctl->filter.expiring = ulogin_duration_parse(arg)) <= 0)
			return ulogin_usage_error("list", "--expiring needs a "
				"duration such as 14d or 24h");
		ctl->query.filter = &ctl->filter;
		break;
	case OPT_IDLE:
		/* prune --idle, or list's filter (checked later, by
		 * command) */
		ctl->idle = arg;
		ctl->filter.idle = ulogin_duration_parse(arg);
		ctl->query.filter = &ctl->filter;
		break;
	case OPT_NEVER_LOGGED_IN:
		ctl->filter.never_logged_in = true;
		ctl->query.filter = &ctl->filter;
		break;
	case OPT_LIMIT: ctl->limit = arg; break;
	case OPT_SINCE: ctl->since = arg; break;
	case OPT_LOGINS: ctl->history.logins = true; break;
	default: return -1;
	}
	return 0;
}

/* add: the names, a role and an institution -- or a file of them -- and
 * somewhere for the initial password to go. */
static int
check_add(const struct user_ctl *ctl, int argc)
{
	const struct ulogin_user_spec *s = &ctl->spec;

	if (ctl->from && (argc || s->given_name || s->surname ||
			  s->roles.n || s->institutions.n || s->grade ||
			  s->mail || s->mobile))
		return ulogin_usage_error("add", "--from takes the users from "
					  "the file: no USER, names, roles, "
					  "institutions, grade, mail or "
					  "mobile with it");
	if (ctl->from && !ctl->passwords)
		return ulogin_usage_error("add", "'add --from' needs "
					  "--passwords FILE for the initial "
					  "passwords");
	if (!ctl->from && (!s->given_name || !s->surname))
		return ulogin_usage_error("add", "'add' needs --given-name "
					  "and --surname");
	if (!ctl->from && (!*s->given_name || !*s->surname))
		return ulogin_usage_error("add", "names cannot be empty");
	if (!ctl->from && (!s->roles.n || !s->institutions.n))
		return ulogin_usage_error("add", "'add' needs at least one "
					  "--role and one --institution");
	if (!ctl->passwords && !ctl->cli.cfg.dry_run &&
	    !isatty(STDOUT_FILENO)) {
		ulogin_error("the initial password would go to a file or pipe "
			     "(standard output is not a terminal); nothing was "
			     "added");
		ulogin_hint("give --passwords FILE: the password is appended "
			    "there (username,password,note; the file is kept "
			    "private, 0600)");
		return ULOGIN_EX_USAGE;
	}
	return 0;
}

/* Checks that need no server, so usage errors come before connecting. */
static int
check_options(void *data, const struct ulogin_subcommand *sc, int argc,
	      char **argv)
{
	struct user_ctl *ctl = data;
	const struct ulogin_user_query *q = &ctl->query;
	int rc;

	if (!strcmp(sc->name, "find") && !q->name && !q->class_name &&
	    !q->institutions && !q->roles && !q->mail)
		return ulogin_usage_error(sc->name, "'find' needs at least "
			"one of --name, --class, --institution, --role, "
			"--mail (or use 'list')");
	if (q->name && !*q->name)
		return ulogin_usage_error(sc->name, "--name cannot be empty");
	if (!strcmp(sc->name, "history"))
		return check_history(ctl);
	if (!strcmp(sc->name, "admin")) {
		bool list = !strcmp(argv[0], "list");

		if (!list && strcmp(argv[0], "grant") &&
		    strcmp(argv[0], "revoke"))
			return ulogin_usage_error(sc->name, "unknown admin "
				"command '%s' (grant, revoke or list)",
				argv[0]);
		if (list && argc > 1)
			return ulogin_usage_error(sc->name, "'admin list' "
						  "takes no USER");
		if (!list && argc < 2)
			return ulogin_usage_error(sc->name, "'admin %s' needs "
						  "USER", argv[0]);
		if (!list && ctl->spec.institutions.n != 1)
			return ulogin_usage_error(sc->name, "'admin %s' needs "
				"one --institution NUMBER", argv[0]);
		if (list && ctl->spec.institutions.n > 1)
			return ulogin_usage_error(sc->name, "'admin list' "
				"takes one --institution at most");
		if (ctl->force && strcmp(argv[0], "revoke"))
			return ulogin_usage_error(sc->name, "--force goes with "
						  "'admin revoke'");
	}
	if (ctl->nstates > 1)
		return ulogin_usage_error(sc->name, "give one of --blocked, "
			"--locked, --expired and --must-change at a time");
	if (!strcmp(sc->name, "list") && ctl->idle && ctl->filter.idle <= 0)
		return ulogin_usage_error(sc->name, "--idle needs a duration "
					  "such as 60d or 90d");
	if (!strcmp(sc->name, "block") && !ctl->reason)
		return ulogin_usage_error(sc->name, "'block' needs --reason "
					  "TEXT: why the account is blocked");
	if (ctl->reason && !ctl->reason[strspn(ctl->reason, " \t")])
		return ulogin_usage_error(sc->name, "--reason cannot be "
					  "empty");
	if (!strcmp(sc->name, "prune")) {
		if (!ctl->idle)
			return ulogin_usage_error(sc->name, "'prune' needs "
				"--idle PERIOD, e.g. --idle 2y");
		if (ulogin_duration_parse(ctl->idle) < 1)
			return ulogin_usage_error(sc->name, "--idle '%s' is "
				"not a period such as 2y, 18w or 400d",
				ctl->idle);
		if (ctl->spec.institutions.n > 1)
			return ulogin_usage_error(sc->name, "'prune' takes one "
				"--institution at most");
	}
	for (size_t i = 0; q->roles && i < q->roles->n; i++)
		if (!ulogin_role_valid(q->roles->v[i])) {
			ulogin_error("unknown role '%s'", q->roles->v[i]);
			ulogin_hint("%s", ulogin_role_hint(q->roles->v[i]));
			return ULOGIN_EX_USAGE;
		}
	if (!strcmp(sc->name, "add") && (rc = check_add(ctl, argc)))
		return rc;
	return 0;
}

static void
reset_command(void *data)
{
	struct user_ctl *ctl = data;

	strv_free(&ctl->spec.roles);
	strv_free(&ctl->spec.institutions);
	strv_free(&ctl->edit.set);
	strv_free(&ctl->edit.add);
	strv_free(&ctl->edit.remove);
	memset(&ctl->spec, 0, sizeof(ctl->spec));
	memset(&ctl->query, 0, sizeof(ctl->query));
	memset(&ctl->edit, 0, sizeof(ctl->edit));
	ctl->force = false;
	ctl->passwords = NULL;
	ctl->from = NULL;
	ctl->must_change = false;
	ctl->reason = NULL;
	memset(&ctl->filter, 0, sizeof(ctl->filter));
	ctl->nstates = 0;
	ctl->idle = NULL;
	memset(&ctl->history, 0, sizeof(ctl->history));
	ctl->limit = NULL;
	ctl->since = NULL;
}

/* Usernames, for completion in the shell. */
static void
usernames(struct ulogin_conn *c, struct strv *out)
{
	struct ulogin_user_query all = { 0 };
	struct ulogin_table *t = NULL;

	if (ulogin_user_find(c, &all, &t) == 0)
		ulogin_table_column(t, 0, out);
	ulogin_table_free(t);
}

int
main(int argc, char **argv)
{
	struct user_ctl ctl;
	struct ulogin_program p = {
		usage, subcommands, sizeof(subcommands) / sizeof(*subcommands),
		&ctl, &ctl.cli, handle_option, check_options, reset_command,
		usernames
	};

	memset(&ctl, 0, sizeof(ctl));
	return ulogin_program_main(&p, argc, argv);
}
