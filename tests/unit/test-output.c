/* Output formats: exact bytes for table, tsv, csv and json. */
#include <locale.h>
#include "unit.h"
#include "output.h"

static struct ulogin_table *
sample(void)
{
	static const char *const cols[] = { "username", "name", "roles*",
					    NULL };
	struct ulogin_table *t = ulogin_table_new(cols);

	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, "soer0001");
	ulogin_table_set(t, 1, "Søren \"S\" Åby");
	ulogin_table_set(t, 2, "student");
	ulogin_table_set(t, 2, "parent");
	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, "bo0001");
	ulogin_table_set(t, 1, "Bo\tEk,\nJr\\");
	return t;
}

struct job {
	struct ulogin_table *t;
	struct ulogin_record *r;
	enum ulogin_format f;
	int secret;
};

static void
print_job(void *arg)
{
	struct job *j = arg;

	if (j->secret && j->t)
		ulogin_table_print_secret(j->t, j->f);
	else if (j->secret)
		ulogin_record_print_secret(j->r, j->f);
	else if (j->t)
		ulogin_table_print(j->t, j->f, stdout);
	else
		ulogin_record_print(j->r, j->f, stdout);
}

static char *
render(struct ulogin_table *t, enum ulogin_format f)
{
	struct job j = { t, NULL, f, 0 };

	return capture(stdout, print_job, &j);
}

static void
table_aligns_by_display_width(void **state)
{
	struct ulogin_table *t = sample();
	char *out = render(t, ULOGIN_FMT_TABLE);

	assert_string_equal(out,
		"USERNAME  NAME           ROLES\n"
		"soer0001  Søren \"S\" Åby  student, parent\n"
		"bo0001    Bo\\tEk,\\nJr\\\\  \n");
	free(out);
	ulogin_table_free(t);
}

static void
tsv_escapes(void **state)
{
	struct ulogin_table *t = sample();
	char *out = render(t, ULOGIN_FMT_TSV);

	assert_string_equal(out,
		"username\tname\troles\n"
		"soer0001\tSøren \"S\" Åby\tstudent,parent\n"
		"bo0001\tBo\\tEk,\\nJr\\\\\t\n");
	free(out);
	ulogin_table_free(t);
}

static void
csv_quotes(void **state)
{
	struct ulogin_table *t = sample();
	char *out = render(t, ULOGIN_FMT_CSV);

	assert_string_equal(out,
		"\"username\",\"name\",\"roles\"\r\n"
		"\"soer0001\",\"Søren \"\"S\"\" Åby\",\"student,parent\"\r\n"
		"\"bo0001\",\"Bo\\tEk,\\nJr\\\\\",\"\"\r\n");
	free(out);
	ulogin_table_free(t);
}

static void
json_lists_are_arrays(void **state)
{
	struct ulogin_table *t = sample();
	char *out = render(t, ULOGIN_FMT_JSON);

	assert_string_equal(out,
		"[\n"
		"  {\n"
		"    \"username\": \"soer0001\",\n"
		"    \"name\": \"Søren \\\"S\\\" Åby\",\n"
		"    \"roles\": [\n"
		"      \"student\",\n"
		"      \"parent\"\n"
		"    ]\n"
		"  },\n"
		"  {\n"
		"    \"username\": \"bo0001\",\n"
		"    \"name\": \"Bo\\tEk,\\nJr\\\\\",\n"
		"    \"roles\": []\n"
		"  }\n"
		"]\n");
	free(out);
	ulogin_table_free(t);
}

static void
records(void **state)
{
	struct ulogin_record *r = ulogin_record_new();
	struct strv roles = STRV_INIT;
	struct job j = { NULL, r, ULOGIN_FMT_TABLE };
	char *out;

	strv_push(&roles, "teacher");
	strv_push(&roles, "admin");
	ulogin_record_add(r, "username", "Username", "hans0001");
	ulogin_record_add(r, "mail", "Mail", NULL);
	ulogin_record_add_list(r, "roles", "Roles", &roles);
	out = capture(stdout, print_job, &j);
	assert_string_equal(out, "Username: hans0001\n"
				 "Roles:    teacher\n"
				 "          admin\n");
	free(out);
	j.f = ULOGIN_FMT_JSON;
	out = capture(stdout, print_job, &j);
	assert_string_equal(out, "{\n  \"username\": \"hans0001\",\n"
				 "  \"mail\": null,\n"
				 "  \"roles\": [\n    \"teacher\",\n"
				 "    \"admin\"\n  ]\n}\n");
	free(out);
	j.f = ULOGIN_FMT_TSV;
	out = capture(stdout, print_job, &j);
	assert_string_equal(out, "field\tvalue\nusername\thans0001\n"
				 "roles\tteacher\nroles\tadmin\n");
	free(out);
	strv_free(&roles);
	ulogin_record_free(r);
}

static void
table_shows_control_characters(void **state)
{
	static const char *const cols[] = { "name", NULL };
	struct ulogin_table *t = ulogin_table_new(cols);
	char *out;

	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, "Bo\033[31mRed\007\u202e");
	out = render(t, ULOGIN_FMT_TABLE);
	/* An escape sequence from imported data never reaches the
	 * terminal as one; nor does a right-to-left override. */
	assert_string_equal(out, "NAME\nBo\\x1b[31mRed\\x07\\u202e\n");
	free(out);
	out = render(t, ULOGIN_FMT_TSV);
	assert_string_equal(out, "name\nBo\\x1b[31mRed\\x07\\u202e\n");
	free(out);
	/* JSON keeps the value exact, in JSON's own escapes. */
	out = render(t, ULOGIN_FMT_JSON);
	assert_string_equal(out, "[\n  {\n    \"name\": "
				 "\"Bo\\u001B[31mRed\\u0007\\u202E\"\n  }\n]\n");
	free(out);
	ulogin_table_free(t);
}

static void
json_never_loses_a_value(void **state)
{
	static const char *const cols[] = { "name", NULL };
	struct ulogin_table *t = ulogin_table_new(cols);
	char *out;

	/* jansson refuses text that is not UTF-8; the value is then given
	 * escaped, never dropped and never invalid JSON. */
	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, "S\xf8ren");
	out = render(t, ULOGIN_FMT_JSON);
	assert_string_equal(out, "[\n  {\n    \"name\": \"S\\\\xf8ren\"\n"
				 "  }\n]\n");
	free(out);
	ulogin_table_free(t);
}

static void
format_names(void **state)
{
	assert_int_equal(ulogin_format_parse(NULL, true), ULOGIN_FMT_TABLE);
	assert_int_equal(ulogin_format_parse(NULL, false), ULOGIN_FMT_TSV);
	assert_int_equal(ulogin_format_parse("csv", true), ULOGIN_FMT_CSV);
	assert_int_equal(ulogin_format_parse("xml", true), -1);
}

/* The secret printers (a claimed password, generated ones) write the
 * very bytes the ordinary ones write, in every format: only where the
 * copies go differs (one buffer of their own, write(2), all wiped). */
static void
secret_printing_is_the_same_text(void **state)
{
	struct ulogin_record *r = ulogin_record_new();
	struct ulogin_table *t = sample();

	(void)state;
	ulogin_record_add(r, "username", "Username", "soer0001");
	ulogin_record_add(r, "password", "Password", "Tavle-\"Kridt\"\t2031\\");
	ulogin_record_add(r, "policy", "Policy", "mellemtrin");
	ulogin_record_add(r, "note", "Note", "bad \xff byte \x1b[2J");
	ulogin_record_add_bool(r, "must_change", "Must change at login", 1);
	ulogin_record_add(r, "empty", "Empty", NULL);
	for (int f = ULOGIN_FMT_TABLE; f <= ULOGIN_FMT_JSON; f++) {
		struct job plain = { NULL, r, f, 0 }, secret = { NULL, r, f, 1 };
		struct job tplain = { t, NULL, f, 0 }, tsecret = { t, NULL, f, 1 };
		char *a = capture(stdout, print_job, &plain);
		char *b = capture(stdout, print_job, &secret);
		char *c = capture(stdout, print_job, &tplain);
		char *d = capture(stdout, print_job, &tsecret);

		assert_true(strlen(a) > 20);
		assert_string_equal(a, b);
		assert_string_equal(c, d);
		free(a);
		free(b);
		free(c);
		free(d);
	}
	ulogin_record_free_secret(r);
	ulogin_table_free_secret(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_aligns_by_display_width),
		cmocka_unit_test(tsv_escapes),
		cmocka_unit_test(csv_quotes),
		cmocka_unit_test(json_lists_are_arrays),
		cmocka_unit_test(records),
		cmocka_unit_test(table_shows_control_characters),
		cmocka_unit_test(json_never_loses_a_value),
		cmocka_unit_test(format_names),
		cmocka_unit_test(secret_printing_is_the_same_text),
	};

	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	return RUN_TAP(tests);
}
