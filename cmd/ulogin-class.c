/*
 * ulogin-class: institutions, classes and their teachers and students,
 * and the school-year rollover.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "class.h"
#include "cli.h"
#include "exitcodes.h"
#include "institution.h"
#include "msg.h"
#include "program.h"
#include "progress.h"
#include "prompt.h"
#include "banned.h"

enum {
	OPT_INSTITUTION = 512,
	OPT_GRADE,
	OPT_TITLE,
	OPT_NAME,
	OPT_CVR,
	OPT_ADDRESS,
	OPT_TEACHER,
};

struct class_ctl {
	struct ulogin_cli cli;
	const char *institution;
	const char *grade;
	const char *title;
	const char *name;
	const char *cvr;
	const char *address;
	bool teacher;
};

#define SEE_ALSO "\nSee ulogin-class(1).\n"

static void
usage(FILE *out)
{
	fputs("Usage: ulogin-class [options] COMMAND [ARGS]\n"
	      "       ulogin-class [options] [--interactive]\n"
	      "\n"
	      "Institutions, classes and their teachers and students, and the"
	      " school-year\n"
	      "rollover.\n"
	      "\n"
	      "Commands:\n"
	      "  institution list|show N|add N|modify N\n"
	      "                     institutions: number, name, CVR,"
	      " address\n"
	      "  list               classes, of an institution or a grade\n"
	      "  show CLASS         a class's teachers and students, and"
	      " their state\n"
	      "  create CLASS       a new class\n"
	      "  delete CLASS       delete a class (asks first on a"
	      " terminal)\n"
	      "  add CLASS USER...  students (or --teacher teachers) into a"
	      " class\n"
	      "  remove CLASS USER...\n"
	      "                     take them out of a class\n"
	      "  promote            every class and its students one grade"
	      " up\n"
	      "\n"
	      "Options:\n"
	      "      --interactive         a shell for several commands over one"
	      " connection\n", out);
	ulogin_cli_common_help(out);
	fputs("\nRun 'ulogin-class COMMAND --help' for a command's options.\n"
	      SEE_ALSO, out);
}

/* ---- institution --------------------------------------------------------- */

static const struct option institution_options[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "cvr", required_argument, NULL, OPT_CVR },
	{ "address", required_argument, NULL, OPT_ADDRESS },
	{ NULL, 0, NULL, 0 }
};

static void
institution_usage(FILE *out)
{
	fputs("Usage: ulogin-class institution list [options]\n"
	      "       ulogin-class institution show NUMBER [options]\n"
	      "       ulogin-class institution add NUMBER --name NAME --cvr CVR"
	      " [--address TEXT]\n"
	      "       ulogin-class institution modify NUMBER [--name NAME]"
	      " [--cvr CVR]\n"
	      "                                       [--address TEXT]\n"
	      "\n"
	      "Institutions (schools) by number: name, CVR number and postal"
	      " address,\n"
	      "what a sealed letter to the workplace needs.  The directory"
	      " manager adds\n"
	      "them; an administrator of an institution may change its name,"
	      " CVR and\n"
	      "address.\n"
	      "\n"
	      "Options:\n"
	      "      --name NAME           the institution's name\n"
	      "      --cvr CVR             its CVR number, 8 digits\n"
	      "      --address TEXT        its postal address, lines separated"
	      " by ', ',\n"
	      "                            e.g. 'Bakkevej 1, 8000 Aarhus C'\n",
	      out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static int
run_institution(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct class_ctl *ctl = data;
	struct ulogin_institution_spec s = { argc > 1 ? argv[1] : NULL,
		ctl->name, ctl->cvr, ctl->address };
	struct ulogin_table *t = NULL;
	struct ulogin_record *r = NULL;
	int rc;

	if (!strcmp(argv[0], "add"))
		return ulogin_institution_add(c, &s);
	if (!strcmp(argv[0], "modify"))
		return ulogin_institution_modify(c, &s);
	if (!strcmp(argv[0], "show")) {
		if ((rc = ulogin_institution_show(c, argv[1], &r)))
			return rc;
		rc = ulogin_record_print(r, ctl->cli.format, stdout);
		ulogin_record_free(r);
		return rc;
	}
	if ((rc = ulogin_institution_list(c, &t)))
		return rc;
	if (!ulogin_table_rows(t))
		ulogin_info("no institutions");
	rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	return rc;
}

/* ---- list and show ----------------------------------------------------------- */

static const struct option list_options[] = {
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ "grade", required_argument, NULL, OPT_GRADE },
	{ NULL, 0, NULL, 0 }
};

static void
list_usage(FILE *out)
{
	fputs("Usage: ulogin-class list [--institution NUMBER] [--grade GRADE]"
	      " [options]\n"
	      "\n"
	      "The classes you may see, sorted by name.  Columns: class,"
	      " institution,\n"
	      "grade, title, students, teachers.\n"
	      "\n"
	      "Options:\n"
	      "      --institution NUMBER  only classes of this institution\n"
	      "      --grade GRADE         only classes of this grade\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static int
print_table(struct class_ctl *ctl, int rc, struct ulogin_table *t,
	    const char *none)
{
	if (rc)
		return rc;
	if (!ulogin_table_rows(t))
		ulogin_info("%s", none);
	rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	return rc;
}

static int
run_list(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct class_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	int rc = ulogin_class_list(c, ctl->institution, ctl->grade, &t);

	return print_table(ctl, rc, t, "no classes match");
}

static void
show_usage(FILE *out)
{
	fputs("Usage: ulogin-class show CLASS [options]\n"
	      "\n"
	      "A class's teachers and students, as far as you may see them:"
	      " role,\n"
	      "username, name, grade, level and account state.\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static int
run_show(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct class_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	int rc = ulogin_class_show(c, argv[0], &t);

	return print_table(ctl, rc, t, "nobody in the class");
}

/* ---- create and delete --------------------------------------------------- */

static const struct option create_options[] = {
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ "grade", required_argument, NULL, OPT_GRADE },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ NULL, 0, NULL, 0 }
};

static void
create_usage(FILE *out)
{
	fputs("Usage: ulogin-class create CLASS --institution NUMBER --grade"
	      " GRADE\n"
	      "                           [--title TEXT] [options]\n"
	      "\n"
	      "Create a class, named INSTITUTION-CLASS (e.g. 280001-4b), with"
	      " no one in\n"
	      "it yet; add its students and teachers with 'add'.\n"
	      "\n"
	      "Options:\n"
	      "      --institution NUMBER  the institution (required)\n"
	      "      --grade GRADE         0-10, or g1-g3 (required)\n"
	      "      --title TEXT          a description, e.g. 'Bakkeskolen,"
	      " class 4b'\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static int
run_create(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct class_ctl *ctl = data;

	return ulogin_class_create(c, argv[0], ctl->institution, ctl->grade,
				   ctl->title);
}

static void
delete_usage(FILE *out)
{
	fputs("Usage: ulogin-class delete CLASS [--yes] [options]\n"
	      "\n"
	      "Delete a class.  Its students and teachers stay; only the"
	      " class goes.\n"
	      "On a terminal it asks first; elsewhere --yes is required.\n",
	      out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

/* NULL when no question is needed; refuses without --yes off a
 * terminal (the exit code in *rc). */
static bool (*
confirmation(const struct class_ctl *ctl, int *rc))(const char *)
{
	const struct ulogin_config *cfg = &ctl->cli.cfg;

	*rc = 0;
	if (cfg->assume_yes || cfg->dry_run)
		return NULL;
	if (!ulogin_interactive()) {
		ulogin_error("refusing to go on without confirmation");
		ulogin_hint("add --yes to go on without asking");
		*rc = ULOGIN_EX_USAGE;
		return NULL;
	}
	return ulogin_confirm;
}

static int
run_delete(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct class_ctl *ctl = data;
	bool (*confirm)(const char *);
	int rc;

	confirm = confirmation(ctl, &rc);
	return rc ? rc : ulogin_class_delete(c, argv[0], confirm);
}

/* ---- add and remove ----------------------------------------------------- */

static const struct option add_options[] = {
	{ "teacher", no_argument, NULL, OPT_TEACHER },
	{ NULL, 0, NULL, 0 }
};

static void
add_usage(FILE *out)
{
	fputs("Usage: ulogin-class add CLASS USER... [--teacher] [options]\n"
	      "\n"
	      "Add students to a class, or with --teacher teachers.  Each"
	      " must be of the\n"
	      "class's institution; a teacher of a class may step up its"
	      " students and\n"
	      "open their reset windows.\n"
	      "\n"
	      "Options:\n"
	      "      --teacher             add the users as teachers\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static void
remove_usage(FILE *out)
{
	fputs("Usage: ulogin-class remove CLASS USER... [options]\n"
	      "\n"
	      "Take students and teachers out of a class.\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static int
run_members(void *data, struct ulogin_conn *c, int argc, char **argv,
	    bool adding)
{
	struct class_ctl *ctl = data;
	struct strv users = STRV_INIT;
	int rc;

	for (int i = 1; i < argc; i++)
		strv_push(&users, argv[i]);
	rc = adding ? ulogin_class_add(c, argv[0], &users, ctl->teacher)
		    : ulogin_class_remove(c, argv[0], &users);
	strv_free(&users);
	return rc;
}

static int
run_add(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return run_members(data, c, argc, argv, true);
}

static int
run_remove(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return run_members(data, c, argc, argv, false);
}

/* ---- promote ------------------------------------------------------------- */

static const struct option promote_options[] = {
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ NULL, 0, NULL, 0 }
};

static void
promote_usage(FILE *out)
{
	fputs("Usage: ulogin-class promote [--institution NUMBER] [-n] [--yes]"
	      " [options]\n"
	      "\n"
	      "The school-year rollover: every class you may change (or those"
	      " of one\n"
	      "institution) one grade up -- a name that starts with the grade"
	      " follows\n"
	      "it, 5b becomes 6b -- and a class past the top grade (10, g3)"
	      " closed.\n"
	      "Each student of a promoted class moves a grade up too; a"
	      " student who\n"
	      "reaches a new level gets that level's password policy and 30"
	      " days to\n"
	      "change password.  The plan is printed first (+/-/~ lines); -n"
	      " stops\n"
	      "there.  On a terminal it asks before changing; elsewhere --yes"
	      " is\n"
	      "required.\n"
	      "\n"
	      "Options:\n"
	      "      --institution NUMBER  only the classes of this"
	      " institution\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static int
run_promote(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct class_ctl *ctl = data;
	struct ulogin_promote_opts o = { ctl->institution,
		ulogin_progress_wanted(), NULL };
	int rc;

	o.confirm = confirmation(ctl, &rc);
	return rc ? rc : ulogin_class_promote(c, &o);
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct ulogin_subcommand subcommands[] = {
	{ "institution", "list, show, add or modify", 1, 2,
	  institution_options, NULL, institution_usage, run_institution,
	  false },
	{ "list", "", 0, 0, list_options, NULL, list_usage, run_list, false },
	{ "show", "CLASS", 1, 1, NULL, NULL, show_usage, run_show, false },
	{ "create", "CLASS", 1, 1, create_options, NULL, create_usage,
	  run_create, false },
	{ "delete", "CLASS", 1, 1, NULL, NULL, delete_usage, run_delete,
	  false },
	{ "add", "CLASS USER...", 2, (size_t)-1, add_options, NULL, add_usage,
	  run_add, false },
	{ "remove", "CLASS USER...", 2, (size_t)-1, NULL, NULL, remove_usage,
	  run_remove, false },
	{ "promote", "", 0, 0, promote_options, NULL, promote_usage,
	  run_promote, false },
};

static int
handle_option(int opt, const char *arg, void *data)
{
	struct class_ctl *ctl = data;

	switch (opt) {
	case OPT_INSTITUTION: ctl->institution = arg; break;
	case OPT_GRADE: ctl->grade = arg; break;
	case OPT_TITLE: ctl->title = arg; break;
	case OPT_NAME: ctl->name = arg; break;
	case OPT_CVR: ctl->cvr = arg; break;
	case OPT_ADDRESS: ctl->address = arg; break;
	case OPT_TEACHER: ctl->teacher = true; break;
	default: return -1;
	}
	return 0;
}

static int
check_options(void *data, const struct ulogin_subcommand *sc, int argc,
	      char **argv)
{
	struct class_ctl *ctl = data;

	if (!strcmp(sc->name, "institution")) {
		const char *what = argv[0];
		bool one = !strcmp(what, "show") || !strcmp(what, "add") ||
			   !strcmp(what, "modify");

		if (!one && strcmp(what, "list"))
			return ulogin_usage_error(sc->name, "unknown institution "
				"command '%s' (list, show, add or modify)",
				what);
		if (one && argc != 2)
			return ulogin_usage_error(sc->name, "'institution %s' "
						  "needs NUMBER", what);
		if (!one && argc != 1)
			return ulogin_usage_error(sc->name, "'institution "
						  "list' takes no NUMBER");
		if ((!strcmp(what, "list") || !strcmp(what, "show")) &&
		    (ctl->name || ctl->cvr || ctl->address))
			return ulogin_usage_error(sc->name, "--name, --cvr and "
				"--address go with 'add' and 'modify'");
		if (!strcmp(what, "add") || !strcmp(what, "modify")) {
			struct ulogin_institution_spec s = { argv[1],
				ctl->name, ctl->cvr, ctl->address };

			return ulogin_institution_spec_check(&s,
						!strcmp(what, "add"));
		}
	}
	if (!strcmp(sc->name, "create") && (!ctl->institution || !ctl->grade))
		return ulogin_usage_error(sc->name, "'create' needs "
					  "--institution and --grade");
	if (ctl->grade && !ulogin_level_for_grade(ctl->grade))
		return ulogin_usage_error(sc->name, "unknown grade '%s' (0-10, "
					  "g1-g3)", ctl->grade);
	return 0;
}

static void
reset_command(void *data)
{
	struct class_ctl *ctl = data;
	struct ulogin_cli cli = ctl->cli;

	memset(ctl, 0, sizeof(*ctl));
	ctl->cli = cli;
}

/* Class names, for completion in the shell. */
static void
class_names(struct ulogin_conn *c, struct strv *out)
{
	struct ulogin_table *t = NULL;

	if (ulogin_class_list(c, NULL, NULL, &t) == 0)
		ulogin_table_column(t, 0, out);
	ulogin_table_free(t);
}

int
main(int argc, char **argv)
{
	struct class_ctl ctl;
	struct ulogin_program p = {
		usage, subcommands, sizeof(subcommands) / sizeof(*subcommands),
		&ctl, &ctl.cli, handle_option, check_options, reset_command,
		class_names
	};

	memset(&ctl, 0, sizeof(ctl));
	return ulogin_program_main(&p, argc, argv);
}
