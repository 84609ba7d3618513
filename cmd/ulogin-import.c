/*
 * ulogin-import: keep the directory in step with the rosters the schools'
 * administrative systems export -- ulogin's own CSV or OneRoster 1.1 --
 * one source at a time, safely; list the sources, show their users,
 * purge leavers, clear a dead run's lock, and phase a source out.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "exitcodes.h"
#include "gtime.h"
#include "import.h"
#include "msg.h"
#include "phaseout.h"
#include "policy.h"
#include "program.h"
#include "progress.h"
#include "prompt.h"
#include "banned.h"

enum {
	OPT_SOURCE = 512,
	OPT_FORMAT,
	OPT_MAP,
	OPT_KEY_FILE,
	OPT_ENCODING,
	OPT_DELIMITER,
	OPT_FORCE,
	OPT_WINDOW,
	OPT_PLAN,
	OPT_REPORT,
	OPT_RESULTS,
	OPT_OVERWRITE,
	OPT_PASSWORDS,
	OPT_OFFLINE,
	OPT_OLDER_THAN,
	OPT_NO_PROGRESS,
	OPT_NO_INITIAL,
	OPT_BY,
	OPT_UNDO,
	OPT_ALL,
	OPT_TO,
	OPT_KEEP,
	OPT_ID_MAP,
	OPT_ROSTER,
};

struct import_ctl {
	struct ulogin_cli cli;
	struct ulogin_import_opts run;
	long older_than;		/* purge --older-than, seconds */
	bool no_progress;
	/* source: deprecate --by/--undo, review --all, migrate. */
	const char *by;
	bool undo, all;
	struct ulogin_migrate_opts migrate;
};

#define SEE_ALSO "\nSee ulogin-import(1) and ulogin.yaml(5).\n"

static void
usage(FILE *out)
{
	fputs("Usage: ulogin-import [options] COMMAND [ARGS]\n"
	      "       ulogin-import [options] [--interactive]\n"
	      "\n"
	      "Keep the directory in step with the rosters the schools'"
	      " administrative\n"
	      "systems export (ulogin's own CSV or OneRoster 1.1), one"
	      " source at a time.\n"
	      "\n"
	      "Commands:\n"
	      "  run INPUT --source NAME   sync a source with a roster"
	      " file or directory\n"
	      "  list                      import sources, their users and"
	      " last runs\n"
	      "  show NAME                 users attached through a"
	      " source\n"
	      "  purge --source NAME --older-than DURATION\n"
	      "                            delete users who left long"
	      " enough ago\n"
	      "  unlock --source NAME      remove the lock of a run that"
	      " died\n"
	      "  source list|show|deprecate|review|migrate|delete\n"
	      "                            phase out an import source (see"
	      " 'source --help')\n"
	      "\n", out);
	ulogin_cli_common_help(out);
	fputs("\nRun 'ulogin-import COMMAND --help' for a command's options.\n"
	      SEE_ALSO, out);
}

static const struct option run_options[] = {
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "encoding", required_argument, NULL, OPT_ENCODING },
	{ "delimiter", required_argument, NULL, OPT_DELIMITER },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "plan", required_argument, NULL, OPT_PLAN },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "passwords", required_argument, NULL, OPT_PASSWORDS },
	{ "offline", required_argument, NULL, OPT_OFFLINE },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "no-initial-passwords", no_argument, NULL, OPT_NO_INITIAL },
	{ NULL, 0, NULL, 0 }
};

static void
run_usage(FILE *out)
{
	fputs("Usage: ulogin-import run INPUT --source NAME [options]\n"
	      "\n"
	      "Make the source NAME's users and classes what INPUT says:"
	      " add new users\n"
	      "(with an initial one-time password), change what changed,"
	      " move classes and\n"
	      "grades, and block and mark leavers.  A file that cannot be"
	      " read whole\n"
	      "changes nothing; bad rows are reported and skipped.\n"
	      "\n"
	      "      --source NAME         the import source (required)\n"
	      "      --format FORMAT       native (a CSV file, the default)"
	      " or oneroster\n"
	      "                            (a OneRoster 1.1 CSV"
	      " directory)\n"
	      "      --map FILE            column mapping of a native CSV"
	      " (config import_map)\n"
	      "      --key-file FILE       HMAC key for national ID numbers"
	      " (config\n"
	      "                            import_key_file)\n"
	      "      --encoding ENC        utf-8 (default), windows-1252 or"
	      " iso-8859-1\n"
	      "      --delimiter CHAR      ',', ';' or 'tab' (default:"
	      " detected)\n"
	      "      --force               go on even if more users would"
	      " leave than\n"
	      "                            max_leavers allows\n"
	      "      --window N            changes sent at once (default"
	      " 64)\n"
	      "      --plan FILE           write the plan as LDIF (or JSON"
	      " if FILE ends in\n"
	      "                            .json); with --dry-run nothing"
	      " else is done\n"
	      "      --report FILE         write a JSON summary\n"
	      "      --results FILE        write one CSV line per input"
	      " row\n"
	      "      --overwrite           replace an existing plan, report"
	      " or results file\n"
	      "                            (else each must be a new file;"
	      " all are mode 0600)\n"
	      "      --passwords FILE      write new users' first"
	      " passwords (a new file,\n"
	      "                            mode 0600), each on disk before"
	      " it is set;\n"
	      "                            required when the run adds"
	      " users\n"
	      "      --no-initial-passwords\n"
	      "                            add users without a password (a"
	      " teacher's reset\n"
	      "                            or a support letter gives the"
	      " first one)\n"
	      "      --offline FILE        a source's first load: write its"
	      " users, classes\n"
	      "                            and source entry to FILE (LDIF,"
	      " mode 0600) for\n"
	      "                            ulogin-offline-load instead of"
	      " changing the\n"
	      "                            directory\n"
	      "      --no-progress         no progress bar, even on a"
	      " terminal\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static void
list_usage(FILE *out)
{
	fputs("Usage: ulogin-import list [options]\n\n"
	      "List the import sources: kind, users attached, leavers kept,"
	      " last run,\n"
	      "its outcome and counts, and a lock if a run holds one.\n",
	      out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static void
show_usage(FILE *out)
{
	fputs("Usage: ulogin-import show NAME [options]\n\n"
	      "List the users attached through the import source NAME,"
	      " active and left.\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static const struct option purge_options[] = {
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "older-than", required_argument, NULL, OPT_OLDER_THAN },
	{ NULL, 0, NULL, 0 }
};

static void
purge_usage(FILE *out)
{
	fputs("Usage: ulogin-import purge --source NAME --older-than"
	      " DURATION [options]\n\n"
	      "Delete the users who left the source NAME more than"
	      " DURATION ago (e.g.\n"
	      "90d), and take them out of their classes.  Asks first on a"
	      " terminal;\n"
	      "elsewhere --yes is required.\n"
	      "\n"
	      "      --source NAME         the import source (required)\n"
	      "      --older-than DURATION how long ago they left: 90d, or"
	      " 90 (days)\n"
	      "                            (required)\n",
	      out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static const struct option unlock_options[] = {
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

static void
unlock_usage(FILE *out)
{
	fputs("Usage: ulogin-import unlock --source NAME [options]\n\n"
	      "Remove the lock a run of the source NAME left when it died"
	      " (a running\n"
	      "import would then no longer be protected).  A run on this"
	      " host whose\n"
	      "process still runs keeps its lock.  Asks first on a"
	      " terminal;\n"
	      "elsewhere --yes is required.\n"
	      "\n"
	      "      --source NAME         the import source (required)\n"
	      "      --force               remove it even when its process"
	      " still runs on\n"
	      "                            this host\n",
	      out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static const struct option source_options[] = {
	{ "by", required_argument, NULL, OPT_BY },
	{ "undo", no_argument, NULL, OPT_UNDO },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "to", required_argument, NULL, OPT_TO },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "id-map", required_argument, NULL, OPT_ID_MAP },
	{ "roster", required_argument, NULL, OPT_ROSTER },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "encoding", required_argument, NULL, OPT_ENCODING },
	{ "delimiter", required_argument, NULL, OPT_DELIMITER },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

static void
source_usage(FILE *out)
{
	fputs("Usage: ulogin-import source list [options]\n"
	      "       ulogin-import source show NAME [options]\n"
	      "       ulogin-import source deprecate NAME [--by YYYY-MM-DD |"
	      " --undo] [options]\n"
	      "       ulogin-import source review NAME [--all] [options]\n"
	      "       ulogin-import source migrate NAME --to NAME --keep FILE\n"
	      "                     [--id-map FILE] [--roster FILE] [options]\n"
	      "       ulogin-import source delete NAME [--force] [--yes]"
	      " [options]\n"
	      "\n"
	      "Phase out an import source, such as a CSV import giving way to"
	      " the\n"
	      "administrative system's own: mark it, see whose access hangs on"
	      " it, move\n"
	      "the users to keep over to the source that replaces it, and"
	      " delete it.\n"
	      "\n"
	      "  list            the import sources (as 'ulogin-import"
	      " list')\n"
	      "  show NAME       the users of a source (as 'ulogin-import"
	      " show')\n"
	      "  deprecate NAME  mark it as being phased out: its runs"
	      " warn\n"
	      "  review NAME     its users no other source keeps (at-risk),"
	      " and whether\n"
	      "                  they ever logged in; -o csv writes a keep"
	      " list\n"
	      "  migrate NAME    move the users of the keep list to the source"
	      " --to, in\n"
	      "                  one change each; their passwords stay\n"
	      "  delete NAME     block and mark as left the users only it"
	      " attaches,\n"
	      "                  detach the others (max_leavers applies); it"
	      " runs no\n"
	      "                  more.  Asks first on a terminal; elsewhere"
	      " --yes is\n"
	      "                  required\n"
	      "\n"
	      "      --by YYYY-MM-DD       deprecate: the day it is to be"
	      " deleted by\n"
	      "      --undo                deprecate: no longer phased out\n"
	      "      --all                 review: the safe users and the"
	      " leavers too\n"
	      "      --to NAME             migrate: the source that takes the"
	      " users over\n"
	      "                            (required)\n"
	      "      --keep FILE           migrate: the usernames to keep, in"
	      " the first\n"
	      "                            column (required)\n"
	      "      --id-map FILE         migrate: two columns, a user's"
	      " external id in\n"
	      "                            NAME and in the source --to\n"
	      "      --roster FILE         migrate: the export of the source"
	      " --to (a native\n"
	      "                            CSV); a user whose national ID"
	      " number is on a\n"
	      "                            row gets the row's external id\n"
	      "      --map FILE            column mapping of --roster (config"
	      " import_map)\n"
	      "      --key-file FILE       HMAC key for national ID numbers"
	      " (config\n"
	      "                            import_key_file)\n"
	      "      --encoding ENC        of --roster: utf-8 (default),"
	      " windows-1252 or\n"
	      "                            iso-8859-1\n"
	      "      --delimiter CHAR      of --roster: ',', ';' or 'tab'"
	      " (default: detected)\n"
	      "      --force               delete: even if more users would"
	      " leave than\n"
	      "                            max_leavers allows\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

/* ---- running ----------------------------------------------------------- */

static int
print_table(struct import_ctl *ctl, int rc, struct ulogin_table *t)
{
	if ((!rc || rc == ULOGIN_EX_PARTIAL) && t) {
		int prc = ulogin_table_print(t, ctl->cli.format, stdout);

		rc = rc ? rc : prc;
	}
	ulogin_table_free(t);
	return rc;
}

static int
run_run(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct import_ctl *ctl = data;

	ctl->run.input = argv[0];
	ctl->run.progress = !ctl->no_progress && ulogin_progress_wanted();
	return ulogin_import_run(c, &ctl->run);
}

static int
run_list(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct ulogin_table *t = NULL;
	int rc = ulogin_import_list(c, &t);

	return print_table(data, rc, t);
}

static int
run_show(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct ulogin_table *t = NULL;
	int rc = ulogin_import_show(c, argv[0], &t);

	return print_table(data, rc, t);
}

/* Destructive commands ask on a terminal, and need --yes elsewhere. */
static int
confirmation(struct import_ctl *ctl, const char *what,
	     bool (**confirm)(const char *))
{
	const struct ulogin_config *cfg = &ctl->cli.cfg;

	*confirm = NULL;
	if (cfg->assume_yes || cfg->dry_run)
		return 0;
	if (!ulogin_interactive()) {
		ulogin_error("refusing to %s without confirmation", what);
		ulogin_hint("add --yes to go ahead without asking");
		return ULOGIN_EX_USAGE;
	}
	*confirm = ulogin_confirm;
	return 0;
}

static int
run_purge(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct import_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	bool (*confirm)(const char *);
	int rc;

	if ((rc = confirmation(ctl, "purge", &confirm)))
		return rc;
	rc = ulogin_import_purge(c, ctl->run.source, ctl->older_than, confirm,
				 &t);
	return print_table(ctl, rc, t);
}

static int
run_unlock(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct import_ctl *ctl = data;
	bool (*confirm)(const char *);
	int rc;

	if ((rc = confirmation(ctl, "unlock", &confirm)))
		return rc;
	return ulogin_import_unlock(c, ctl->run.source, ctl->run.force,
				    confirm);
}

static int
run_source(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct import_ctl *ctl = data;
	const char *what = argv[0];
	struct ulogin_table *t = NULL;
	bool (*confirm)(const char *);
	int rc;

	if (!strcmp(what, "list"))
		return run_list(ctl, c, 0, NULL);
	if (!strcmp(what, "show"))
		return run_show(ctl, c, 1, argv + 1);
	if (!strcmp(what, "deprecate"))
		return ulogin_source_deprecate(c, argv[1], ctl->by, ctl->undo);
	if (!strcmp(what, "review")) {
		rc = ulogin_source_review(c, argv[1], ctl->all, &t);
		return print_table(ctl, rc, t);
	}
	if (!strcmp(what, "migrate")) {
		/* The roster is read as 'run' reads one. */
		ctl->migrate.source = argv[1];
		ctl->migrate.roster.map_file = ctl->run.map_file;
		ctl->migrate.roster.key_file = ctl->run.key_file;
		ctl->migrate.roster.roster = ctl->run.roster;
		rc = ulogin_source_migrate(c, &ctl->migrate, &t);
		return print_table(ctl, rc, t);
	}
	if ((rc = confirmation(ctl, "delete a source", &confirm)))
		return rc;
	ctl->run.progress = ulogin_progress_wanted();
	return ulogin_source_delete(c, &ctl->run, confirm);
}

static const struct ulogin_subcommand subcommands[] = {
	{ "run", "INPUT", 1, 1, run_options, NULL, run_usage, run_run,
	  false },
	{ "list", "", 0, 0, NULL, NULL, list_usage, run_list, false },
	{ "show", "NAME", 1, 1, NULL, NULL, show_usage, run_show, false },
	{ "purge", "", 0, 0, purge_options, NULL, purge_usage, run_purge,
	  false },
	{ "unlock", "", 0, 0, unlock_options, NULL, unlock_usage, run_unlock,
	  false },
	{ "source", "list, show, deprecate, review, migrate or delete", 1, 2,
	  source_options, NULL, source_usage, run_source, false },
};

static int
handle_option(int opt, const char *arg, void *data)
{
	struct import_ctl *ctl = data;
	char *end;
	long v;

	switch (opt) {
	case OPT_SOURCE: ctl->run.source = arg; break;
	case OPT_FORMAT:
		if (strcmp(arg, "native") && strcmp(arg, "oneroster"))
			return ulogin_usage_error("run", "--format is native "
						  "or oneroster, not '%s'",
						  arg);
		ctl->run.oneroster = !strcmp(arg, "oneroster");
		break;
	case OPT_MAP: ctl->run.map_file = arg; break;
	case OPT_KEY_FILE: ctl->run.key_file = arg; break;
	case OPT_ENCODING:
		if (strcasecmp(arg, "utf-8") && strcasecmp(arg, "utf8") &&
		    strcasecmp(arg, "windows-1252") &&
		    strcasecmp(arg, "iso-8859-1"))
			return ulogin_usage_error("run", "--encoding is utf-8, "
						  "windows-1252 or iso-8859-1, "
						  "not '%s'", arg);
		ctl->run.roster.encoding = arg;
		break;
	case OPT_DELIMITER:
		if (!strcmp(arg, "tab") || !strcmp(arg, "\t"))
			ctl->run.roster.delimiter = '\t';
		else if (!strcmp(arg, ",") || !strcmp(arg, ";"))
			ctl->run.roster.delimiter = arg[0];
		else
			return ulogin_usage_error("run", "--delimiter is ',', "
						  "';' or 'tab', not '%s'",
						  arg);
		break;
	case OPT_FORCE: ctl->run.force = true; break;
	case OPT_WINDOW:
		v = strtol(arg, &end, 10);
		if (*end || v < 1 || v > 256)
			return ulogin_usage_error("run", "--window needs a "
						  "number from 1 to 256");
		ctl->run.window = (size_t)v;
		break;
	case OPT_PLAN: ctl->run.plan_file = arg; break;
	case OPT_REPORT: ctl->run.report_file = arg; break;
	case OPT_RESULTS: ctl->run.results_file = arg; break;
	case OPT_OVERWRITE: ctl->run.overwrite = true; break;
	case OPT_PASSWORDS: ctl->run.passwords_file = arg; break;
	case OPT_OFFLINE: ctl->run.offline_file = arg; break;
	case OPT_NO_PROGRESS: ctl->no_progress = true; break;
	case OPT_NO_INITIAL: ctl->run.no_initial_passwords = true; break;
	case OPT_BY: ctl->by = arg; break;
	case OPT_UNDO: ctl->undo = true; break;
	case OPT_ALL: ctl->all = true; break;
	case OPT_TO: ctl->migrate.to = arg; break;
	case OPT_KEEP: ctl->migrate.keep_file = arg; break;
	case OPT_ID_MAP: ctl->migrate.id_map_file = arg; break;
	case OPT_ROSTER: ctl->migrate.roster.input = arg; break;
	case OPT_OLDER_THAN:
		/* Deleting people: a bare number is days, never seconds. */
		v = strtol(arg, &end, 10);
		if (!*end && v > 0 && v < 100000)
			ctl->older_than = v * 86400;
		else if ((ctl->older_than = ulogin_duration_parse(arg)) <= 0)
			return ulogin_usage_error("purge", "--older-than needs "
						  "a duration such as 90d");
		break;
	default: return -1;
	}
	return 0;
}

/* A file an option names must be there before anything is done. */
static int
need_file(const char *option, const char *path)
{
	if (!path || access(path, F_OK) == 0)
		return 0;
	ulogin_error("cannot read %s '%s': no such file", option, path);
	return ULOGIN_EX_NOINPUT;
}

/* The options each source command takes: a usage error for others. */
static int
check_source(struct import_ctl *ctl, int argc, char **argv)
{
	static const char *const commands[] = { "list", "show", "deprecate",
		"review", "migrate", "delete", NULL };
	const struct ulogin_migrate_opts *m = &ctl->migrate;
	const char *what = argv[0], *why, *other = NULL;
	bool migrate = !strcmp(what, "migrate");
	bool roster = ctl->run.map_file || ctl->run.key_file ||
		      ctl->run.roster.encoding || ctl->run.roster.delimiter;
	time_t day;
	size_t i;
	int rc;

	for (i = 0; commands[i] && strcmp(commands[i], what); i++)
		;
	if (!commands[i])
		return ulogin_usage_error("source", "unknown source command "
					  "'%s' (list, show, deprecate, "
					  "review, migrate or delete)", what);
	if (!strcmp(what, "list") && argc != 1)
		return ulogin_usage_error("source", "'source list' takes no "
					  "NAME");
	if (strcmp(what, "list") && argc != 2)
		return ulogin_usage_error("source", "'source %s' needs NAME",
					  what);
	if (argc == 2 && (why = ulogin_source_invalid(argv[1])))
		return ulogin_usage_error("source", "bad source name '%s': %s",
					  argv[1], why);
	if ((ctl->by || ctl->undo) && strcmp(what, "deprecate"))
		other = ctl->by ? "--by" : "--undo";
	else if (ctl->all && strcmp(what, "review"))
		other = "--all";
	else if (!migrate && (m->to || m->keep_file || m->id_map_file ||
			      m->roster.input || roster))
		other = "--to, --keep, --id-map, --roster and its options";
	else if (ctl->run.force && strcmp(what, "delete"))
		other = "--force";
	if (other)
		return ulogin_usage_error("source", "%s do%s not go with "
					  "'source %s'", other,
					  strchr(other, ',') ? "" : "es",
					  what);
	if (ctl->by && ctl->undo)
		return ulogin_usage_error("source", "--by and --undo exclude "
					  "each other");
	if (ctl->by && ulogin_day_parse(ctl->by, &day))
		return ulogin_usage_error("source", "--by needs a day as "
					  "YYYY-MM-DD, not '%s'", ctl->by);
	if (ctl->by && day + 86400 <= time(NULL))
		return ulogin_usage_error("source", "--by %s has passed: give "
					  "the day the source is to be gone by",
					  ctl->by);
	if (!strcmp(what, "delete"))
		ctl->run.source = argv[1];
	if (!migrate)
		return 0;
	if (!m->to || !m->keep_file)
		return ulogin_usage_error("source", "'source migrate' needs "
					  "--to NAME and --keep FILE");
	if ((why = ulogin_source_invalid(m->to)))
		return ulogin_usage_error("source", "bad source name '%s': %s",
					  m->to, why);
	if (!strcmp(m->to, argv[1]))
		return ulogin_usage_error("source", "--to names the source "
					  "being phased out itself");
	if (roster && !m->roster.input)
		return ulogin_usage_error("source", "--map, --key-file, "
					  "--encoding and --delimiter go with "
					  "--roster");
	if ((rc = need_file("keep list", m->keep_file)) ||
	    (rc = need_file("id map", m->id_map_file)) ||
	    (rc = need_file("roster", m->roster.input)))
		return rc;
	return 0;
}

static int
check_options(void *data, const struct ulogin_subcommand *sc, int argc,
	      char **argv)
{
	struct import_ctl *ctl = data;
	const char *why;

	if (!strcmp(sc->name, "list"))
		return 0;
	if (!strcmp(sc->name, "source"))
		return check_source(ctl, argc, argv);
	if (!strcmp(sc->name, "show"))
		ctl->run.source = argv[0];
	if (!ctl->run.source)
		return ulogin_usage_error(sc->name, "--source NAME is "
					  "required");
	if ((why = ulogin_source_invalid(ctl->run.source)))
		return ulogin_usage_error(sc->name, "bad source name '%s': %s",
					  ctl->run.source, why);
	if (!strcmp(sc->name, "purge") && !ctl->older_than)
		return ulogin_usage_error("purge", "--older-than DURATION is "
					  "required (e.g. 90d)");
	if (!strcmp(sc->name, "run") && access(argv[0], F_OK) != 0) {
		ulogin_error("cannot read '%s': no such file or directory",
			     argv[0]);
		return ULOGIN_EX_NOINPUT;
	}
	return 0;
}

static void
reset_command(void *data)
{
	struct import_ctl *ctl = data;

	memset(&ctl->run, 0, sizeof(ctl->run));
	ctl->run.window = 64;
	ctl->older_than = 0;
	ctl->no_progress = false;
	ctl->by = NULL;
	ctl->undo = ctl->all = false;
	memset(&ctl->migrate, 0, sizeof(ctl->migrate));
}

int
main(int argc, char **argv)
{
	struct import_ctl ctl;
	struct ulogin_program p = {
		usage, subcommands, sizeof(subcommands) / sizeof(*subcommands),
		&ctl, &ctl.cli, handle_option, check_options, reset_command,
		NULL
	};

	memset(&ctl, 0, sizeof(ctl));
	ctl.run.window = 64;
	/* A server that goes away mid-write must give an error to handle
	 * (its changes read back, its lock released), not kill the run. */
	signal(SIGPIPE, SIG_IGN);
	return ulogin_program_main(&p, argc, argv);
}
