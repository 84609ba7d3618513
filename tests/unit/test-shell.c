/* Splitting shell lines into words: quotes and backslashes, no expansion. */
#include "unit.h"
#include "shell.h"

static char *
split(const char *line)
{
	struct strv w = STRV_INIT;
	const char *why = NULL;
	char *joined;

	if (ulogin_split_words(line, &w, &why) < 0) {
		strv_free(&w);
		return strdup(why);
	}
	joined = strv_join(&w, "|");
	strv_free(&w);
	return joined;
}

static void
words(void **state)
{
	const struct {
		const char *line, *want;
	} cases[] = {
		{ "show soer0001", "show|soer0001" },
		{ "  find   --name  x  ", "find|--name|x" },
		{ "find --name 'Søren Nielsen'", "find|--name|Søren Nielsen" },
		{ "find --name \"a \\\"b\\\" c\"", "find|--name|a \"b\" c" },
		{ "find --name a\\ b", "find|--name|a b" },
		{ "find --name '*$HOME`x`'", "find|--name|*$HOME`x`" },
		{ "x ''", "x|" },
		{ "", "" },
		{ "find --name 'open", "a quote is not closed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = split(cases[i].line);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words),
	};

	return RUN_TAP(tests);
}
