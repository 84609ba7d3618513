/*
 * ulogin-user: find, show and manage user accounts.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cli.h"
#include "connection.h"
#include "exitcodes.h"
#include "msg.h"
#include "prompt.h"
#include "shell.h"
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
	OPT_INTERACTIVE,
};

struct user_ctl {
	struct ulogin_cli cli;
	struct ulogin_user_spec spec;
	struct ulogin_user_query query;
	struct ulogin_user_edit edit;
};

struct subcommand {
	const char *name;
	const char *operands;	/* for usage lines */
	size_t min_args, max_args;
	const struct option *longopts;
	void (*usage)(FILE *out);
	int (*run)(struct user_ctl *ctl, struct ulogin_conn *c, int argc,
		   char **argv);
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
	      "  delete USER...   delete users (asks first on a terminal)\n",
	      out);
	fputs("\nOptions:\n"
	      "      --interactive         a shell for several commands over one"
	      " connection\n"
	      "                            (the default with no COMMAND on a"
	      " terminal)\n", out);
	ulogin_cli_common_help(out);
	fputs("\nRun 'ulogin-user COMMAND --help' for a command's options.\n"
	      "See ulogin-user(1).\n", out);
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
	      " admin;\n"
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
run_add(struct user_ctl *ctl, struct ulogin_conn *c, int argc, char **argv)
{
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
run_show(struct user_ctl *ctl, struct ulogin_conn *c, int argc, char **argv)
{
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
run_find(struct user_ctl *ctl, struct ulogin_conn *c, int argc, char **argv)
{
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
run_modify(struct user_ctl *ctl, struct ulogin_conn *c, int argc,
	   char **argv)
{
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
run_delete(struct user_ctl *ctl, struct ulogin_conn *c, int argc,
	   char **argv)
{
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

/* ---- dispatch ------------------------------------------------------------ */

static const struct subcommand subcommands[] = {
	{ "add", "[USER]", 0, 1, add_options, add_usage, run_add },
	{ "show", "USER", 1, 1, NULL, show_usage, run_show },
	{ "find", "", 0, 0, find_options, find_usage, run_find },
	{ "list", "", 0, 0, list_options, list_usage, run_find },
	{ "modify", "USER", 1, 1, modify_options, modify_usage, run_modify },
	{ "delete", "USER...", 1, (size_t)-1, NULL, delete_usage,
	  run_delete },
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
	default: return -1;
	}
	return 0;
}

/* Checks that need no server, so usage errors come before connecting. */
static int
check_operands(struct user_ctl *ctl, const struct subcommand *sc, int argc)
{
	const struct ulogin_user_query *q = &ctl->query;

	if ((size_t)argc < sc->min_args)
		return ulogin_usage_error(sc->name, "'%s' needs %s", sc->name,
					  sc->operands);
	if ((size_t)argc > sc->max_args)
		return ulogin_usage_error(sc->name, "too many arguments for "
					  "'%s'", sc->name);
	if (sc->run == run_add && (!ctl->spec.given_name ||
				   !ctl->spec.surname))
		return ulogin_usage_error(sc->name, "'add' needs "
					  "--given-name and --surname");
	if (sc->run == run_add && (!*ctl->spec.given_name ||
				   !*ctl->spec.surname))
		return ulogin_usage_error(sc->name, "names cannot be empty");
	if (sc->run == run_find && !strcmp(sc->name, "find") && !q->name &&
	    !q->class_name && !q->institutions && !q->roles && !q->mail)
		return ulogin_usage_error(sc->name, "'find' needs at least "
			"one of --name, --class, --institution, --role, "
			"--mail (or use 'list')");
	if (q->name && !*q->name)
		return ulogin_usage_error(sc->name, "--name cannot be empty");
	for (size_t i = 0; q->roles && i < q->roles->n; i++)
		if (!ulogin_role_valid(q->roles->v[i]))
			return ulogin_usage_error(sc->name, "unknown role '%s' "
				"(roles are student, teacher, staff, parent, "
				"admin)", q->roles->v[i]);
	return 0;
}

static const struct subcommand *
find_subcommand(const char *name)
{
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(*subcommands);
	     i++)
		if (strcmp(name, subcommands[i].name) == 0)
			return &subcommands[i];
	return NULL;
}

static void
reset_command(struct user_ctl *ctl)
{
	strv_free(&ctl->spec.roles);
	strv_free(&ctl->spec.institutions);
	strv_free(&ctl->edit.set);
	strv_free(&ctl->edit.add);
	strv_free(&ctl->edit.remove);
	memset(&ctl->spec, 0, sizeof(ctl->spec));
	memset(&ctl->query, 0, sizeof(ctl->query));
	memset(&ctl->edit, 0, sizeof(ctl->edit));
}

/* Parse a subcommand's options; -1 to go on (argc and argv then hold its
 * operands), else an exit code. */
static int
parse_subcommand(struct user_ctl *ctl, const struct subcommand *sc,
		 int *argc, char ***argv)
{
	struct ulogin_opts o = { sc->name, "", sc->longopts, handle_option,
				 ctl, sc->usage, false };
	int rc;

	if ((rc = ulogin_cli_parse(&ctl->cli, &o, *argc, *argv)) >= 0)
		return rc;
	*argc -= optind;
	*argv += optind;
	return check_operands(ctl, sc, *argc) ? ULOGIN_EX_USAGE : -1;
}

static int
run_subcommand(struct user_ctl *ctl, const struct subcommand *sc, int argc,
	       char **argv)
{
	struct ulogin_conn *c = NULL;
	int rc;

	if ((rc = parse_subcommand(ctl, sc, &argc, &argv)) >= 0 ||
	    (rc = ulogin_cli_setup(&ctl->cli)) ||
	    (rc = ulogin_connect(&ctl->cli.cfg, &c)))
		return rc;
	rc = sc->run(ctl, c, argc, argv);
	if (!rc && ulogin_conn_audit_failed(c))
		rc = ULOGIN_EX_CANTCREAT;
	ulogin_disconnect(c);
	return rc;
}

/* ---- the interactive shell ------------------------------------------- */

struct shell_ctl {
	struct user_ctl *ctl;
	struct ulogin_conn *conn;
};

static const char *const shell_commands[] = {
	"add", "show", "find", "list", "modify", "delete", "help", "quit",
	NULL
};

static void
shell_candidates(struct strv *out, void *data)
{
	struct shell_ctl *sh = data;
	struct ulogin_user_query all = { 0 };
	struct ulogin_table *t = NULL;

	ulogin_set_verbosity(-1);
	if (ulogin_user_find(sh->conn, &all, &t) == 0)
		ulogin_table_column(t, 0, out);
	ulogin_set_verbosity(sh->ctl->cli.cfg.verbosity);
	ulogin_table_free(t);
}

/* Did a shell line try to change how the connection was made? */
static bool
changes_connection(const struct ulogin_config *line)
{
	return line->config_file || line->uri || line->base ||
	       line->bind_dn || line->password_file || line->sasl_mech ||
	       line->starttls != ULOGIN_UNSET || line->ask_password;
}

/*
 * One shell line.  Its options are parsed into a fresh struct, so nothing
 * the session's connection points at is touched; -o, -n, -q, -v and --yes
 * apply to this line only, and connection options are refused.
 */
static int
shell_line(int argc, char **argv, void *data)
{
	struct shell_ctl *sh = data;
	struct user_ctl *ctl = sh->ctl;
	struct ulogin_cli session = ctl->cli, line;
	struct ulogin_config *cfg = &session.cfg;
	const struct subcommand *sc;
	bool dry_run = cfg->dry_run, yes = cfg->assume_yes;
	int verbosity = cfg->verbosity, rc;

	if (!strcmp(argv[0], "help")) {
		sc = argc > 1 ? find_subcommand(argv[1]) : NULL;
		(sc ? sc->usage : usage)(stdout);
		return 0;
	}
	if (!(sc = find_subcommand(argv[0])))
		return ulogin_usage_error(NULL, "unknown command '%s'",
					  argv[0]);
	reset_command(ctl);
	ulogin_cli_init(&line);
	ctl->cli = line;
	rc = parse_subcommand(ctl, sc, &argc, &argv);
	line = ctl->cli;
	ctl->cli = session;
	if (rc < 0 && changes_connection(&line.cfg)) {
		ulogin_error("connection options cannot change inside the "
			     "shell");
		ulogin_hint("quit and start %s again with them",
			    ulogin_program());
		rc = ULOGIN_EX_USAGE;
	}
	if (rc < 0) {
		/* The connection reads the session's config: set this
		 * line's flags there, and put them back after. */
		ctl->cli.cfg.dry_run = dry_run || line.cfg.dry_run;
		ctl->cli.cfg.assume_yes = yes || line.cfg.assume_yes;
		if (line.cfg.verbosity)
			ctl->cli.cfg.verbosity = line.cfg.verbosity;
		if (line.cfg.output)
			ctl->cli.format = (enum ulogin_format)
				ulogin_format_parse(line.cfg.output, true);
		ulogin_set_verbosity(ctl->cli.cfg.verbosity);
		rc = sc->run(ctl, sh->conn, argc, argv);
		ctl->cli.cfg.dry_run = dry_run;
		ctl->cli.cfg.assume_yes = yes;
		ctl->cli.cfg.verbosity = verbosity;
		ctl->cli.format = session.format;
		ulogin_set_verbosity(verbosity);
	}
	ulogin_cli_free(&line);
	return rc;
}

static int
run_shell(struct user_ctl *ctl)
{
	struct shell_ctl sh = { ctl, NULL };
	struct ulogin_shell shell = { "ulogin-user> ", shell_commands,
				      shell_candidates, shell_line, &sh };
	int rc;

	if ((rc = ulogin_cli_setup(&ctl->cli)) ||
	    (rc = ulogin_connect(&ctl->cli.cfg, &sh.conn)))
		return rc;
	rc = ulogin_shell_run(&shell);
	ulogin_disconnect(sh.conn);
	return rc;
}

static const struct option main_options[] = {
	{ "interactive", no_argument, NULL, OPT_INTERACTIVE },
	{ NULL, 0, NULL, 0 }
};

static int
handle_main_option(int opt, const char *arg, void *data)
{
	if (opt != OPT_INTERACTIVE)
		return -1;
	*(int *)data = 1;
	return 0;
}

int
main(int argc, char **argv)
{
	int rc, interactive = 0;
	struct ulogin_opts o = { NULL, "", main_options, handle_main_option,
				 &interactive, usage, true };
	const struct subcommand *sc;
	struct user_ctl ctl;

	setlocale(LC_ALL, "");
	ulogin_set_program(argv[0]);
	memset(&ctl, 0, sizeof(ctl));
	ulogin_cli_init(&ctl.cli);

	if ((rc = ulogin_cli_parse(&ctl.cli, &o, argc, argv)) >= 0)
		goto out;
	if (optind >= argc && (interactive || ulogin_interactive())) {
		rc = run_shell(&ctl);
		goto out;
	}
	if (optind >= argc) {
		rc = ulogin_usage_error(NULL, "missing command");
		goto out;
	}
	if (!(sc = find_subcommand(argv[optind])))
		rc = ulogin_usage_error(NULL, "unknown command '%s'",
					argv[optind]);
	else
		rc = run_subcommand(&ctl, sc, argc - optind, argv + optind);
out:
	reset_command(&ctl);
	ulogin_cli_free(&ctl.cli);
	return rc;
}
