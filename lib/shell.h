/*
 * The interactive shell every program offers (no arguments on a terminal,
 * or --interactive): readline with history and completion, one bound
 * connection for all commands.
 */
#ifndef ULOGIN_SHELL_H
#define ULOGIN_SHELL_H

#include "mem.h"

/*
 * Split a line into words the way a shell does with quotes ('...', "...")
 * and backslashes, without any expansion.  Returns 0, or -1 with *why set
 * for an unterminated quote.
 */
int ulogin_split_words(const char *line, struct strv *out, const char **why);

struct ulogin_shell {
	const char *prompt;
	const char *const *commands;	/* NULL-terminated, for completion */
	/* Words to complete later arguments with (usernames, classes...);
	 * called once, on the first completion that needs them. */
	void (*candidates)(struct strv *out, void *data);
	/* Run one command line; its exit code is remembered for "status". */
	int (*run)(int argc, char **argv, void *data);
	void *data;
};

/* Read and run lines until "quit", "exit" or end of input; returns the
 * exit code of the last command. */
int ulogin_shell_run(const struct ulogin_shell *sh);

#endif
