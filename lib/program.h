/*
 * The shape every ulogin program shares: "PROGRAM [options] COMMAND
 * [ARGS]", a table of subcommands, usage errors before connecting, one
 * connection per run, and the interactive shell (no command on a
 * terminal, or --interactive) -- written once here, like git's
 * commands[] table.
 */
#ifndef ULOGIN_PROGRAM_H
#define ULOGIN_PROGRAM_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "connection.h"

struct ulogin_subcommand {
	const char *name;
	const char *operands;		/* for "'show' needs USER" */
	size_t min_args, max_args;
	const struct option *longopts;	/* own options, or NULL */
	/* Common short options this command uses for its own purpose
	 * (e.g. "n" for generate -n COUNT), or NULL. */
	const char *takeover;
	void (*usage)(FILE *out);
	/* Run with the operands; c is NULL for offline commands. */
	int (*run)(void *ctl, struct ulogin_conn *c, int argc, char **argv);
	bool offline;			/* needs no directory connection */
};

struct ulogin_program {
	void (*usage)(FILE *out);
	const struct ulogin_subcommand *commands;
	size_t ncommands;
	void *ctl;			/* the program's state ... */
	struct ulogin_cli *cli;		/* ... and the cli inside it */
	/* The options of all subcommands, handled in one place. */
	ulogin_opt_fn handle;
	/* Checks before connecting (beyond the operand count); 0 or an
	 * exit code.  May be NULL. */
	int (*check)(void *ctl, const struct ulogin_subcommand *sc,
		     int argc, char **argv);
	/* Forget one command's options (between shell lines). */
	void (*reset)(void *ctl);
	/* Words for completion in the shell (usernames...), or NULL. */
	void (*candidates)(struct ulogin_conn *c, struct strv *out);
};

/* The whole of main(): sets up and frees *p->cli, runs the command (or
 * the shell), forgets the command's options; returns the exit code.  The
 * program's own state (p->ctl) must be zeroed before. */
int ulogin_program_main(const struct ulogin_program *p, int argc,
			char **argv);

#endif
