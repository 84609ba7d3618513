/* Inert output: what a hostile value looks like once escaped, as text and
 * as JSON. */
#include <sys/stat.h>
#include "unit.h"
#include "audit.h"
#include "config.h"
#include "inert.h"

static void
expect(const char *in, const char *want)
{
	char *got = ulogin_inert(in);

	assert_string_equal(got, want);
	free(got);
}

static void
printable_text_passes(void **state)
{
	expect("", "");
	expect("kari0042", "kari0042");
	expect("Søren Åby Æblegård", "Søren Åby Æblegård");
	expect("Zoë José Łukasz Ђорђе 田中", "Zoë José Łukasz Ђорђе 田中");
	/* The joiners scripts and emoji need. */
	expect("\u200c\u200d", "\u200c\u200d");
	expect("\U0001F600", "\U0001F600");
}

static void
terminal_controls_are_escaped(void **state)
{
	expect("\033[2JKari", "\\x1b[2JKari");
	expect("\033]0;title\007", "\\x1b]0;title\\x07");
	expect("a\rb\nc\td", "a\\rb\\nc\\td");
	expect("bell\007 del\177 bs\010", "bell\\x07 del\\x7f bs\\x08");
	expect("\001\037", "\\x01\\x1f");
	/* A backslash is escaped too, so "\x1b" in the output is always
	 * the escape, never the four characters from the input. */
	expect("C:\\x1b", "C:\\\\x1b");
}

static void
format_characters_are_escaped(void **state)
{
	/* C1 controls as code points: U+009B is CSI on some terminals. */
	expect("a\xc2\x85" "b\xc2\x9b" "2J", "a\\u0085b\\u009b2J");
	/* Bidirectional controls reorder what follows. */
	expect("kari\u202e2400", "kari\\u202e2400");
	expect("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d");
	expect("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069");
	expect("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c");
	/* Line and paragraph separators, and invisible characters. */
	expect("a\u2028b\u2029c", "a\\u2028b\\u2029c");
	expect("ka\u200bri\u2060\ufeff", "ka\\u200bri\\u2060\\ufeff");
	expect("\ufff9\ufffa\ufffb", "\\ufff9\\ufffa\\ufffb");
}

static void
bytes_that_are_not_utf8_are_escaped(void **state)
{
	expect("S\xf8ren", "S\\xf8ren");		/* Latin-1 ø */
	expect("end\xc3", "end\\xc3");			/* cut short */
	expect("\xe2\x80", "\\xe2\\x80");
	expect("\xc0\xaf", "\\xc0\\xaf");		/* overlong '/' */
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80");	/* a surrogate */
	expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	expect("\xff\xfe", "\\xff\\xfe");
	/* A bad byte does not swallow the good text after it. */
	expect("\xc3" "æ", "\\xc3æ");
}

static void
print_inert_escapes_the_whole_line(void *arg)
{
	ulogin_print_inert(stdout, "~ user %s: %s", "kari\033[2J", (char *)arg);
}

static void
print_line(void **state)
{
	char *out = capture(stdout, print_inert_escapes_the_whole_line,
			    "\u202eok");

	assert_string_equal(out, "~ user kari\\x1b[2J: \\u202eok\n");
	free(out);
}

static void
json_text_is_never_null(void **state)
{
	json_t *v = ulogin_json_text("S\xf8ren\033");

	assert_non_null(v);
	assert_string_equal(json_string_value(v), "S\\xf8ren\\x1b");
	json_decref(v);
	v = ulogin_json_text("Søren\033");
	/* Valid UTF-8 keeps its exact value: JSON escapes it itself. */
	assert_string_equal(json_string_value(v), "Søren\033");
	json_decref(v);
	v = ulogin_json_text(NULL);
	assert_true(json_is_null(v));
	json_decref(v);
}

static void
json_dumps_is_inert_and_exact(void **state)
{
	const char *name = "a\033[2J\u202eb\177c\xc2\x85" "d\u2028æ\\\"";
	json_t *o = json_object(), *back;
	json_error_t err;
	char *text;

	json_object_set_new(o, "name", ulogin_json_text(name));
	text = ulogin_json_dumps(o, JSON_COMPACT);
	assert_string_equal(text, "{\"name\":\"a\\u001B[2J\\u202Eb\\u007Fc"
				  "\\u0085d\\u2028æ\\\\\\\"\"}");
	/* The same value to a JSON reader. */
	back = json_loads(text, 0, &err);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "name")),
			    name);
	json_decref(back);
	free(text);
	json_decref(o);
}

static void
dump_to_file(void *arg)
{
	ulogin_json_dumpf(arg, stdout, JSON_INDENT(2));
}

static void
json_dumpf_ends_the_line(void **state)
{
	json_t *a = json_pack("[s]", "x\u202ey");
	char *out = capture(stdout, dump_to_file, a);

	assert_string_equal(out, "[\n  \"x\\u202Ey\"\n]\n");
	free(out);
	json_decref(a);
}

static void
audit_line_is_inert_json(void **state)
{
	char *path = temp_file(""), line[512];
	struct ulogin_config cfg;
	struct ulogin_audit *a = NULL;
	struct ulogin_audit_record r = {
		"cn=admin,dc=example,dc=dk", "user.modify",
		"uid=kari0001,ou=people,dc=example,dc=dk", "ok",
		"set cn to Kari\033[2J\r\007\u202e\xc2\x9b" "x"
	};
	const char *bad_utf8 = "S\xf8ren\033";
	json_t *o;
	json_error_t err;
	FILE *f;

	unlink(path);
	ulogin_config_init(&cfg);
	cfg.audit_log = strdup(path);
	cfg.syslog = ULOGIN_NO;
	assert_int_equal(ulogin_audit_open(&cfg, &a), 0);
	assert_int_equal(ulogin_audit_write(a, &r), 0);
	r.comment = bad_utf8;
	assert_int_equal(ulogin_audit_write(a, &r), 0);
	ulogin_audit_close(a);

	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"comment\":\"set cn to Kari\\u001B[2J"
				     "\\r\\u0007\\u202E\\u009Bx\"}\n"));
	for (const char *c = line; *c; c++)
		assert_true(*c == '\n' || ((unsigned char)*c >= 0x20 &&
					   (unsigned char)*c < 0x7f));
	o = json_loads(line, 0, &err);
	assert_string_equal(json_string_value(json_object_get(o, "comment")),
			    "set cn to Kari\033[2J\r\007\u202e\xc2\x9b" "x");
	json_decref(o);
	/* Text that is not UTF-8 is not dropped: it is there, escaped. */
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"comment\":\"S\\\\xf8ren\\\\x1b\"}"));
	fclose(f);
	unlink(path);
	free(path);
	ulogin_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printable_text_passes),
		cmocka_unit_test(terminal_controls_are_escaped),
		cmocka_unit_test(format_characters_are_escaped),
		cmocka_unit_test(bytes_that_are_not_utf8_are_escaped),
		cmocka_unit_test(print_line),
		cmocka_unit_test(json_text_is_never_null),
		cmocka_unit_test(json_dumps_is_inert_and_exact),
		cmocka_unit_test(json_dumpf_ends_the_line),
		cmocka_unit_test(audit_line_is_inert_json),
	};

	return RUN_TAP(tests);
}
