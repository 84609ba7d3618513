#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "exitcodes.h"
#include "msg.h"
#include "shell.h"
#include "banned.h"

int
ulogin_split_words(const char *line, struct strv *out, const char **why)
{
	size_t len = strlen(line);
	char *word = xmalloc(len + 1);
	size_t n = 0;
	int in_word = 0;
	char quote = 0;

	for (const char *p = line;; p++) {
		if (!*p) {
			if (quote) {
				free(word);
				*why = "a quote is not closed";
				return -1;
			}
			break;
		}
		if (quote) {
			if (*p == quote)
				quote = 0;
			else if (*p == '\\' && quote == '"' && p[1] &&
				 strchr("\"\\", p[1]))
				word[n++] = *++p;
			else
				word[n++] = *p;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			if (in_word) {
				strv_push_owned(out, xstrndup(word, n));
				n = 0;
				in_word = 0;
			}
			continue;
		}
		in_word = 1;
		if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '\\' && p[1])
			word[n++] = *++p;
		else
			word[n++] = *p;
	}
	if (in_word)
		strv_push_owned(out, xstrndup(word, n));
	free(word);
	return 0;
}

/* readline's completion hooks take no data pointer. */
static const struct ulogin_shell *current;
static struct strv names;
static int names_loaded;

static char *
next_match(const char *text, int state, const char *const *list,
	   size_t count)
{
	static size_t i;
	size_t len = strlen(text);

	if (!state)
		i = 0;
	while (i < count) {
		const char *w = list[i++];

		if (strncmp(w, text, len) == 0)
			return xstrdup(w);
	}
	return NULL;
}

static char *
command_match(const char *text, int state)
{
	size_t n = 0;

	while (current->commands[n])
		n++;
	return next_match(text, state, current->commands, n);
}

static char *
name_match(const char *text, int state)
{
	return next_match(text, state, (const char *const *)names.v, names.n);
}

static char **
complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	if (start == 0 || !strncmp(rl_line_buffer, "help ", 5) ?
	    strspn(rl_line_buffer, " ") == (size_t)start : 0)
		return rl_completion_matches(text, command_match);
	if (text[0] == '-')
		return NULL;
	if (!names_loaded && current->candidates) {
		current->candidates(&names, current->data);
		strv_sort(&names);
		names_loaded = 1;
	}
	return rl_completion_matches(text, name_match);
}

int
ulogin_shell_run(const struct ulogin_shell *sh)
{
	int rc = 0;
	char *line;

	current = sh;
	rl_readline_name = "ulogin";
	rl_attempted_completion_function = complete;
	printf("Type a command, 'help' or 'quit'.  Tab completes "
	       "commands%s.\n", sh->candidates ? " and names" : "");
	while ((line = readline(sh->prompt))) {
		struct strv words = STRV_INIT;
		const char *why;

		if (ulogin_split_words(line, &words, &why) < 0) {
			ulogin_error("%s", why);
			rc = ULOGIN_EX_USAGE;
		} else if (words.n) {
			add_history(line);
			if (!strcmp(words.v[0], "quit") ||
			    !strcmp(words.v[0], "exit")) {
				strv_free(&words);
				free(line);
				break;
			}
			rc = sh->run((int)words.n, words.v, sh->data);
			fflush(stdout);
		}
		strv_free(&words);
		free(line);
	}
	strv_free(&names);
	names_loaded = 0;
	current = NULL;
	return rc;
}
