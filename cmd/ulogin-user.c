/*
 * ulogin-user: find, show and manage user accounts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "adminright.h"
#include "cli.h"
#include "connection.h"
#include "exitcodes.h"
#include "history.h"
#include "msg.h"
#include "gtime.h"
#include "policy.h"
#include "prompt.h"
#include "program.h"
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
	OPT_LIMIT,
	OPT_SINCE,
	OPT_LOGINS,
};

struct user_ctl {
	struct ulogin_cli cli;
	struct ulogin_user_spec spec;
	struct ulogin_user_query query;
	struct ulogin_user_edit edit;
	bool force;			/* admin revoke --force */
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
	      "  add [USER]       add a user (a username is made when none is"
	      " given)\n"
	      "  show USER        show everything about a user, in words\n"
	      "  find             find users by name, class, institution, role"
	      " or mail\n"
	      "  list             list users\n"
	      "  modify USER      change names, roles, institutions, grade,"
	      " mail...\n"
	      "  delete USER...   delete users (asks first on a terminal)\n"
	      "  admin grant|revoke USER --institution NUMBER [--force]\n"
	      "  admin list [--institution NUMBER]\n"
	      "                   the administrator right of an institution\n"
	      "  history USER     what happened to a user, newest first: the"
	      " tools'\n"
	      "                   audit log and the directory server's own"
	      " log\n",
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
	{ NULL, 0, NULL, 0 }
};

static void
add_usage(FILE *out)
{
	fputs("Usage: ulogin-user add [USER] --given-name NAME --surname NAME"
	      " [options]\n"
	      "\n"
	      "Add a user under ou=people.  Without USER a username is made"
	      " from the\n"
	      "given name: up to four letters (æ→ae, ø→oe, å→aa) and the"
	      " lowest free\n"
	      "four digits, e.g. soer0001.\n"
	      "\n"
	      "Options:\n"
	      "      --given-name NAME     given name (required)\n"
	      "      --surname NAME        surname (required)\n"
	      "      --role ROLE           student, teacher, staff, parent or"
	      " support;\n"
	      "                            repeat for several\n"
	      "      --institution NUMBER  institution number; repeat for"
	      " several\n"
	      "      --grade GRADE         0-10, or g1-g3 (upper secondary)\n"
	      "      --mail ADDRESS        e-mail address\n"
	      "      --mobile NUMBER       mobile phone number\n", out);
	ulogin_cli_common_help(out);
	fputs("\nSee ulogin-user(1).\n", out);
}

static int
run_add(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct user_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	int rc;

	ctl->spec.username = argc > 0 ? argv[0] : NULL;
	if ((rc = ulogin_user_add(c, &ctl->spec, &t)))
		return rc;
	if (ulogin_conn_config(c)->dry_run) {
		ulogin_table_free(t);
		return 0;
	}
	rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
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
	      "its reason (active, blocked, locked-out, expired, must-change,"
	      " idle,\n"
	      "left, pending-migration).\n", out);
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
	      " [options]\n"
	      "\n"
	      "List users, sorted by username.  Columns: username, given_name,"
	      " surname,\n"
	      "roles, institutions, grade, state.\n"
	      "\n"
	      "Options:\n"
	      "      --institution NUMBER  only users of an institution"
	      " (repeat: any)\n"
	      "      --role ROLE           only users with a role (repeat:"
	      " any)\n", out);
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
	      "                            a time ago (30d, 12h, 2w) on\n"
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
		    !strpbrk(ctl->since, "smhdw"))
			return ulogin_usage_error("history", "--since takes a "
				"day (YYYY-MM-DD) or a time ago (30d, 12h, "
				"2w), not '%s'", ctl->since);
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
	{ "history", "USER", 1, 1, history_options, NULL, history_usage,
	  run_history, false },
};

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
	case OPT_LIMIT: ctl->limit = arg; break;
	case OPT_SINCE: ctl->since = arg; break;
	case OPT_LOGINS: ctl->history.logins = true; break;
	default: return -1;
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

	if (!strcmp(sc->name, "add") && (!ctl->spec.given_name ||
					 !ctl->spec.surname))
		return ulogin_usage_error(sc->name, "'add' needs "
					  "--given-name and --surname");
	if (!strcmp(sc->name, "add") && (!*ctl->spec.given_name ||
					 !*ctl->spec.surname))
		return ulogin_usage_error(sc->name, "names cannot be empty");
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
	for (size_t i = 0; q->roles && i < q->roles->n; i++)
		if (!ulogin_role_valid(q->roles->v[i])) {
			ulogin_error("unknown role '%s'", q->roles->v[i]);
			ulogin_hint("%s", ulogin_role_hint(q->roles->v[i]));
			return ULOGIN_EX_USAGE;
		}
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
