/*
 * The options every ulogin program shares (DESIGN.md section 5), parsed in
 * one place; each program and subcommand adds its own, like OpenLDAP's
 * tool_args() with handle_private_option().
 */
#ifndef ULOGIN_CLI_H
#define ULOGIN_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "output.h"

struct ulogin_cli {
	struct ulogin_config cfg;	/* the flag layer, then resolved */
	enum ulogin_format format;
	const char *cmd;		/* subcommand, for messages */
	bool in_shell;			/* standard input is the shell's */
};

/* Long-only option values start here; programs use their own above 512. */
#define ULOGIN_OPT_BASE 256

/* Parse a program's or subcommand's own option; return 0, or an exit
 * code (after printing why) to stop. */
typedef int (*ulogin_opt_fn)(int opt, const char *arg, void *ctl);
typedef void (*ulogin_usage_fn)(FILE *out);

struct ulogin_opts {
	const char *cmd;		/* NULL for the program level */
	const char *shortopts;		/* own short options, or "" */
	const struct option *longopts;	/* own, { 0 }-terminated, or NULL */
	ulogin_opt_fn handle;
	void *ctl;
	ulogin_usage_fn usage;
	bool stop_at_operand;		/* program level: stop at the
					   subcommand name */
	const char *takeover;		/* common short options that are
					   this command's own here */
};

void ulogin_cli_init(struct ulogin_cli *cli);
void ulogin_cli_free(struct ulogin_cli *cli);

/*
 * Parse argv (argv[0] is the program or subcommand name) with the common
 * options and o's own.  Returns -1 to go on (optind is the first operand),
 * or an exit code: 0 after --help/--version, 64 for a usage error.
 */
int ulogin_cli_parse(struct ulogin_cli *cli, const struct ulogin_opts *o,
		     int argc, char **argv);

/* Resolve the config layers and the output format; returns an exit code
 * or 0. */
int ulogin_cli_setup(struct ulogin_cli *cli);

/* The common options' part of --help. */
void ulogin_cli_common_help(FILE *out);

#endif
