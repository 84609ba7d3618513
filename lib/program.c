#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "msg.h"
#include "program.h"
#include "prompt.h"
#include "shell.h"
#include "banned.h"

enum { OPT_INTERACTIVE = 400 };

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

static const struct ulogin_subcommand *
find_subcommand(const struct ulogin_program *p, const char *name)
{
	for (size_t i = 0; i < p->ncommands; i++)
		if (strcmp(name, p->commands[i].name) == 0)
			return &p->commands[i];
	return NULL;
}

/* Parse a subcommand's options; -1 to go on (argc and argv then hold its
 * operands), else an exit code. */
static int
parse_subcommand(const struct ulogin_program *p,
		 const struct ulogin_subcommand *sc, int *argc, char ***argv)
{
	struct ulogin_opts o = { sc->name, NULL, sc->longopts, p->handle,
				 p->ctl, sc->usage, false, sc->takeover };
	char shortopts[32] = "";
	size_t n = 0;
	int rc;

	/* A command's own options with a one-letter value (generate -n)
	 * have that short form too. */
	for (const struct option *l = sc->longopts; l && l->name; l++)
		if (l->val > 0 && l->val < 256 && n + 3 < sizeof(shortopts)) {
			shortopts[n++] = (char)l->val;
			if (l->has_arg == required_argument)
				shortopts[n++] = ':';
		}
	shortopts[n] = '\0';
	o.shortopts = shortopts;
	if ((rc = ulogin_cli_parse(p->cli, &o, *argc, *argv)) >= 0)
		return rc;
	*argc -= optind;
	*argv += optind;
	if ((size_t)*argc < sc->min_args)
		return ulogin_usage_error(sc->name, "'%s' needs %s", sc->name,
					  sc->operands);
	if ((size_t)*argc > sc->max_args)
		return ulogin_usage_error(sc->name, "too many arguments for "
					  "'%s'", sc->name);
	if (p->check && (rc = p->check(p->ctl, sc, *argc, *argv)))
		return rc;
	return -1;
}

static int
run_subcommand(const struct ulogin_program *p,
	       const struct ulogin_subcommand *sc, int argc, char **argv)
{
	struct ulogin_conn *c = NULL;
	int rc;

	if ((rc = parse_subcommand(p, sc, &argc, &argv)) >= 0 ||
	    (rc = ulogin_cli_setup(p->cli)))
		return rc;
	if (sc->offline)
		return sc->run(p->ctl, NULL, argc, argv);
	if ((rc = ulogin_connect(&p->cli->cfg, &c)))
		return rc;
	rc = sc->run(p->ctl, c, argc, argv);
	/* A change that went unaudited outweighs how the rest went. */
	if (ulogin_conn_audit_failed(c))
		rc = ULOGIN_EX_CANTCREAT;
	ulogin_disconnect(c);
	return rc;
}

/* ---- the interactive shell ------------------------------------------- */

struct session {
	const struct ulogin_program *p;
	struct ulogin_conn *conn;
	struct strv commands;
};

static void
session_candidates(struct strv *out, void *data)
{
	struct session *s = data;
	int verbosity = ulogin_verbosity();

	if (!s->p->candidates)
		return;
	ulogin_set_verbosity(-1);
	s->p->candidates(s->conn, out);
	ulogin_set_verbosity(verbosity);
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
session_line(int argc, char **argv, void *data)
{
	struct session *s = data;
	const struct ulogin_program *p = s->p;
	struct ulogin_cli session = *p->cli, line;
	const struct ulogin_subcommand *sc;
	struct ulogin_config *cfg = &p->cli->cfg;
	bool dry_run = cfg->dry_run, yes = cfg->assume_yes;
	int verbosity = cfg->verbosity, rc;

	if (!strcmp(argv[0], "help")) {
		sc = argc > 1 ? find_subcommand(p, argv[1]) : NULL;
		(sc ? sc->usage : p->usage)(stdout);
		return 0;
	}
	if (!(sc = find_subcommand(p, argv[0])))
		return ulogin_usage_error(NULL, "unknown command '%s'",
					  argv[0]);
	if (p->reset)
		p->reset(p->ctl);
	ulogin_cli_init(&line);
	line.in_shell = true;
	*p->cli = line;
	rc = parse_subcommand(p, sc, &argc, &argv);
	line = *p->cli;
	*p->cli = session;
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
		cfg->dry_run = dry_run || line.cfg.dry_run;
		cfg->assume_yes = yes || line.cfg.assume_yes;
		if (line.cfg.verbosity)
			cfg->verbosity = line.cfg.verbosity;
		if (line.cfg.output)
			p->cli->format = (enum ulogin_format)
				ulogin_format_parse(line.cfg.output, true);
		ulogin_set_verbosity(cfg->verbosity);
		rc = sc->run(p->ctl, sc->offline ? NULL : s->conn, argc, argv);
		cfg->dry_run = dry_run;
		cfg->assume_yes = yes;
		cfg->verbosity = verbosity;
		p->cli->format = session.format;
		ulogin_set_verbosity(verbosity);
	}
	ulogin_cli_free(&line);
	return rc;
}

static int
run_shell(const struct ulogin_program *p)
{
	struct session s = { p, NULL, STRV_INIT };
	struct ulogin_shell shell = { NULL, NULL,
				      p->candidates ? session_candidates : NULL,
				      session_line, &s };
	char *prompt;
	int rc;

	if ((rc = ulogin_cli_setup(p->cli)) ||
	    (rc = ulogin_connect(&p->cli->cfg, &s.conn)))
		return rc;
	p->cli->in_shell = true;
	for (size_t i = 0; i < p->ncommands; i++)
		strv_push(&s.commands, p->commands[i].name);
	strv_push(&s.commands, "help");
	strv_push(&s.commands, "quit");
	prompt = xasprintf("%s> ", ulogin_program());
	shell.prompt = prompt;
	shell.commands = (const char *const *)s.commands.v;
	rc = ulogin_shell_run(&shell);
	free(prompt);
	strv_free(&s.commands);
	ulogin_disconnect(s.conn);
	return rc;
}

static int
run_program(const struct ulogin_program *p, int argc, char **argv)
{
	int rc, interactive = 0;
	struct ulogin_opts o = { NULL, "", main_options, handle_main_option,
				 &interactive, p->usage, true, NULL };
	const struct ulogin_subcommand *sc;

	setlocale(LC_ALL, "");
	ulogin_set_program(argv[0]);
	if ((rc = ulogin_cli_parse(p->cli, &o, argc, argv)) >= 0)
		return rc;
	if (optind >= argc && (interactive || ulogin_interactive()))
		return run_shell(p);
	if (optind >= argc)
		return ulogin_usage_error(NULL, "missing command");
	if (!(sc = find_subcommand(p, argv[optind])))
		return ulogin_usage_error(NULL, "unknown command '%s'",
					  argv[optind]);
	return run_subcommand(p, sc, argc - optind, argv + optind);
}

int
ulogin_program_main(const struct ulogin_program *p, int argc, char **argv)
{
	int rc;

	ulogin_cli_init(p->cli);
	rc = run_program(p, argc, argv);
	if (p->reset)
		p->reset(p->ctl);
	ulogin_cli_free(p->cli);
	return rc;
}
