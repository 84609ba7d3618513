/*
 * ulogin-stepup: a teacher raises the security level of a student or a
 * whole class for up to two hours; services check it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "class.h"
#include "cli.h"
#include "exitcodes.h"
#include "msg.h"
#include "policy.h"
#include "program.h"
#include "stepup.h"
#include "banned.h"

enum {
	OPT_CLASS = 512,
	OPT_FOR,
};

struct stepup_ctl {
	struct ulogin_cli cli;
	const char *class_name;		/* --class */
	const char *duration;		/* --for */
};

#define SEE_ALSO "\nSee ulogin-stepup(1).\n"

static void
usage(FILE *out)
{
	fputs("Usage: ulogin-stepup [options] COMMAND [ARGS]\n"
	      "       ulogin-stepup [options] [--interactive]\n"
	      "\n"
	      "Raise the security level of students (step-up) for up to two"
	      " hours, so\n"
	      "that services which need it let them in; the directory server"
	      " ends it\n"
	      "when the time is up.\n"
	      "\n"
	      "Commands:\n"
	      "  grant USER...|--class CLASS    step up students or a whole"
	      " class\n"
	      "  revoke USER...|--class CLASS   end their step-ups now\n"
	      "  status [USER|--class CLASS]    who is stepped up, until when,"
	      " by whom\n"
	      "  check USER                     exit 0 while stepped up, 1"
	      " otherwise\n"
	      "\n"
	      "Options:\n"
	      "      --interactive         a shell for several commands over one"
	      " connection\n", out);
	ulogin_cli_common_help(out);
	fputs("\nRun 'ulogin-stepup COMMAND --help' for a command's options.\n"
	      SEE_ALSO, out);
}

static const struct option grant_options[] = {
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "for", required_argument, NULL, OPT_FOR },
	{ NULL, 0, NULL, 0 }
};

static const struct option class_options[] = {
	{ "class", required_argument, NULL, OPT_CLASS },
	{ NULL, 0, NULL, 0 }
};

static void
grant_usage(FILE *out)
{
	fputs("Usage: ulogin-stepup grant USER... [--for DURATION] [options]\n"
	      "       ulogin-stepup grant --class CLASS [--for DURATION]"
	      " [options]\n"
	      "\n"
	      "Step up students of the classes you teach (or, as an"
	      " administrator, of\n"
	      "your institutions), or every student of a class, for DURATION"
	      " from now.\n"
	      "A step-up in force is replaced.  Columns: username, name,"
	      " until, by.\n"
	      "\n"
	      "Options:\n"
	      "      --class CLASS         every student of the class, e.g."
	      " 280001-5b\n"
	      "      --for DURATION        how long: 2h, 90m, 45m (default and"
	      " longest:\n"
	      "                            step_up_default and step_up_max of"
	      " the config,\n"
	      "                            2 hours)\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static void
revoke_usage(FILE *out)
{
	fputs("Usage: ulogin-stepup revoke USER... [options]\n"
	      "       ulogin-stepup revoke --class CLASS [options]\n"
	      "\n"
	      "End the step-ups of students, or of every student of a class,"
	      " now.\n"
	      "\n"
	      "Options:\n"
	      "      --class CLASS         every student of the class\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static void
status_usage(FILE *out)
{
	fputs("Usage: ulogin-stepup status [USER | --class CLASS] [options]\n"
	      "\n"
	      "The step-ups in force: of a student, of a class, or every one"
	      " you may\n"
	      "see.  Columns: username, until, by, minutes_left.\n"
	      "\n"
	      "Options:\n"
	      "      --class CLASS         the students of the class\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static void
check_usage(FILE *out)
{
	fputs("Usage: ulogin-stepup check USER [options]\n"
	      "\n"
	      "Is the student stepped up now?  Exit status 0 while stepped up,"
	      " 1\n"
	      "otherwise: the call a service makes.  Prints username,"
	      " stepped_up,\n"
	      "until and by (-o json for a service).\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

/* USER... or --class CLASS, not both, not neither (unless optional). */
static int
who_of(struct stepup_ctl *ctl, const char *cmd, int argc, char **argv,
       bool optional, struct strv *users, struct ulogin_stepup_who *who)
{
	if (ctl->class_name && argc)
		return ulogin_usage_error(cmd, "give USER... or --class, not "
					  "both");
	if (!ctl->class_name && !argc && !optional)
		return ulogin_usage_error(cmd, "'%s' needs USER... or --class "
					  "CLASS", cmd);
	for (int i = 0; i < argc; i++)
		strv_push(users, argv[i]);
	who->users = users;
	who->class_name = ctl->class_name;
	return 0;
}

static int
check_options(void *data, const struct ulogin_subcommand *sc, int argc,
	      char **argv)
{
	struct stepup_ctl *ctl = data;
	struct strv users = STRV_INIT;
	struct ulogin_stepup_who who;
	int rc;

	if (ctl->class_name && !*ctl->class_name)
		return ulogin_usage_error(sc->name, "--class cannot be empty");
	if (!strcmp(sc->name, "status") && argc > 1)
		return ulogin_usage_error(sc->name, "'status' takes one USER "
					  "at most");
	if (strcmp(sc->name, "check") &&
	    (rc = who_of(ctl, sc->name, argc, argv, !strcmp(sc->name, "status"),
			 &users, &who))) {
		strv_free(&users);
		return rc;
	}
	strv_free(&users);
	if (ctl->duration && ulogin_duration_parse(ctl->duration) <= 0)
		return ulogin_usage_error(sc->name, "--for '%s' is not a time "
					  "such as 2h or 90m", ctl->duration);
	return 0;
}

static int
run_grant(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct stepup_ctl *ctl = data;
	struct strv users = STRV_INIT;
	struct ulogin_stepup_who who;
	struct ulogin_table *t = NULL;
	long seconds = ctl->duration ? ulogin_duration_parse(ctl->duration)
				     : ulogin_conn_config(c)->step_up_default;
	int rc;

	who_of(ctl, "grant", argc, argv, false, &users, &who);
	rc = ulogin_stepup_grant(c, &who, seconds, &t);
	strv_free(&users);
	return ulogin_table_finish(t, ctl->cli.format, rc);
}

static int
run_revoke(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct stepup_ctl *ctl = data;
	struct strv users = STRV_INIT;
	struct ulogin_stepup_who who;
	int rc;

	who_of(ctl, "revoke", argc, argv, false, &users, &who);
	rc = ulogin_stepup_revoke(c, &who);
	strv_free(&users);
	return rc;
}

static int
run_status(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct stepup_ctl *ctl = data;
	struct strv users = STRV_INIT;
	struct ulogin_stepup_who who;
	struct ulogin_table *t = NULL;
	int rc;

	who_of(ctl, "status", argc, argv, true, &users, &who);
	rc = ulogin_stepup_status(c, argc || ctl->class_name ? &who : NULL,
				  &t);
	if (!rc) {
		if (!ulogin_table_rows(t))
			ulogin_info("nobody is stepped up");
		rc = ulogin_table_print(t, ctl->cli.format, stdout);
		ulogin_table_free(t);
	}
	strv_free(&users);
	return rc;
}

static int
run_check(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct stepup_ctl *ctl = data;
	struct ulogin_record *r = NULL;
	bool up = false;
	int rc;

	if ((rc = ulogin_stepup_check(c, argv[0], &up, &r)))
		return rc;
	rc = ulogin_record_print(r, ctl->cli.format, stdout);
	ulogin_record_free(r);
	return rc ? rc : up ? ULOGIN_EX_OK : 1;
}

static const struct ulogin_subcommand subcommands[] = {
	{ "grant", "USER... or --class CLASS", 0, (size_t)-1, grant_options,
	  NULL, grant_usage, run_grant, false },
	{ "revoke", "USER... or --class CLASS", 0, (size_t)-1, class_options,
	  NULL, revoke_usage, run_revoke, false },
	{ "status", "[USER]", 0, 1, class_options, NULL, status_usage,
	  run_status, false },
	{ "check", "USER", 1, 1, NULL, NULL, check_usage, run_check, false },
};

static int
handle_option(int opt, const char *arg, void *data)
{
	struct stepup_ctl *ctl = data;

	switch (opt) {
	case OPT_CLASS: ctl->class_name = arg; break;
	case OPT_FOR: ctl->duration = arg; break;
	default: return -1;
	}
	return 0;
}

static void
reset_command(void *data)
{
	struct stepup_ctl *ctl = data;

	ctl->class_name = NULL;
	ctl->duration = NULL;
}

/* Usernames and class names, for completion in the shell. */
static void
candidates(struct ulogin_conn *c, struct strv *out)
{
	struct ulogin_user_query all = { 0 };
	struct ulogin_table *t = NULL;

	if (ulogin_user_find(c, &all, &t) == 0)
		ulogin_table_column(t, 0, out);
	ulogin_table_free(t);
	t = NULL;
	if (ulogin_class_list(c, NULL, NULL, &t) == 0)
		ulogin_table_column(t, 0, out);
	ulogin_table_free(t);
}

int
main(int argc, char **argv)
{
	struct stepup_ctl ctl;
	struct ulogin_program p = {
		usage, subcommands, sizeof(subcommands) / sizeof(*subcommands),
		&ctl, &ctl.cli, handle_option, check_options, reset_command,
		candidates
	};

	memset(&ctl, 0, sizeof(ctl));
	return ulogin_program_main(&p, argc, argv);
}
