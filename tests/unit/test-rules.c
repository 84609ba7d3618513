/* The password rule engine: every rule kind, accepting and refusing. */
#include "unit.h"
#include "rules.h"

/* The codes of every broken rule, space-separated ("" if none). */
static char *
broken(const char *rules_text, const char *candidate,
       const struct ulogin_person *who)
{
	static const char *const names[] = { "sol", "hus", "bil", "kat",
					      "hund", "træ" };
	struct ulogin_pictures pics = { names, 6 };
	struct ulogin_violations v = { NULL, 0 };
	struct ulogin_rules r;
	const char *why = NULL;
	char buf[256] = "";
	int n;

	assert_int_equal(ulogin_rules_parse(rules_text, &r, &why), 0);
	n = ulogin_rules_check(&r, candidate, who, &pics, &v);
	assert_int_equal(n, (int)v.n);
	for (size_t i = 0; i < v.n; i++) {
		size_t len = strlen(buf);

		snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "",
			 v.v[i].code);
		/* Every broken rule comes with a sentence. */
		assert_true(strlen(v.v[i].message) > 10);
	}
	ulogin_violations_free(&v);
	ulogin_rules_free(&r);
	return strdup(buf);
}

#define EXPECT(rules, cand, who, want) do { \
	char *got_ = broken(rules, cand, who); \
	print_message("%s | %s\n", rules, cand); \
	assert_string_equal(got_, want); \
	free(got_); \
} while (0)

static void
length_counts_characters(void **state)
{
	EXPECT("minlen=8", "abcdefgh", NULL, "");
	EXPECT("minlen=8", "abcdefg", NULL, "min-length");
	/* Eight characters, sixteen bytes: long enough. */
	EXPECT("minlen=8", "æøåæøåæø", NULL, "");
	EXPECT("minlen=8", "æøåæøåæ", NULL, "min-length");
	EXPECT("maxlen=4", "ææææ", NULL, "");
	EXPECT("maxlen=4", "æææææ", NULL, "max-length");
	EXPECT("minlen=1", "", NULL, "min-length");
}

static void
required_classes(void **state)
{
	EXPECT("require=lower,upper,digit,symbol", "aB3!", NULL, "");
	EXPECT("require=lower,upper,digit,symbol", "ab", NULL,
	       "required-class required-class required-class");
	/* Non-ASCII letters have case too. */
	EXPECT("require=upper", "ØRN", NULL, "");
	EXPECT("require=lower", "ørn", NULL, "");
	EXPECT("require=upper", "ørn", NULL, "required-class");
	EXPECT("require=symbol", "abc def", NULL, "required-class");
}

static void
n_of_classes(void **state)
{
	EXPECT("classes=3", "abcD1", NULL, "");
	EXPECT("classes=3", "abcD", NULL, "min-classes");
	EXPECT("classes=2 of=digit,symbol", "ab1!", NULL, "");
	EXPECT("classes=2 of=digit,symbol", "abc1", NULL, "min-classes");
}

static void
forbidden_characters(void **state)
{
	/* A character listed many times in the set, used many times: no
	 * overflow (this crashed slapd through the module). */
	{
		char cand[3001];

		memset(cand, '@', 3000);
		cand[3000] = '\0';
		EXPECT("forbid=%40%40%40%40%40", cand, NULL, "forbidden");
	}
	EXPECT("forbid=%40%25%26", "sommer2026", NULL, "");
	EXPECT("forbid=%40%25%26", "som@mer%", NULL, "forbidden");
	/* A forbidden non-ASCII character (ø, percent-encoded UTF-8). */
	EXPECT("forbid=%C3%B8", "sommer", NULL, "");
	EXPECT("forbid=%C3%B8", "sømmer", NULL, "forbidden");
}

static void
latin_only(void **state)
{
	EXPECT("latin", "Sommer-2026!", NULL, "");
	EXPECT("latin", "Sømmer", NULL, "latin-only");
	EXPECT("latin", "Лето2026", NULL, "latin-only");
	EXPECT("latin", "tab\there", NULL, "latin-only");
}

static void
names_and_username(void **state)
{
	struct ulogin_person p = { "soer0001", "Søren Anker", "Kjær-Holm" };

	EXPECT("nouser nonames", "Granit-Ulv-26", &p, "");
	EXPECT("nouser", "xxSOER0001xx", &p, "username");
	EXPECT("nonames", "mitnavnersøren", &p, "name");
	/* Case does not hide a name, also outside ASCII. */
	EXPECT("nonames", "SØREN123", &p, "name");
	EXPECT("nonames", "holm2026", &p, "name");
	EXPECT("nonames", "kjær!", &p, "name");
	/* Latin Extended-A: Ł and Ż are capitals, ł and ż small. */
	{
		struct ulogin_person pl = { "luka0001", "Łukasz", "Żak" };

		EXPECT("nonames", "xłukaszx", &pl, "name");
		EXPECT("require=upper", "ŁŻŹ", NULL, "");
		EXPECT("require=lower", "ŁŻŹ", NULL, "required-class");
		EXPECT("require=lower", "łżź", NULL, "");
	}
	/* Parts shorter than three letters are not names to avoid. */
	EXPECT("nonames", "ankerfri", &p, "name");
	EXPECT("nonames", "kjxholm", &p, "name");
	EXPECT("nouser nonames", "anything", NULL, "");
}

static void
everything_at_once(void **state)
{
	struct ulogin_person p = { "mett0001", "Mette", "Holm" };

	EXPECT("minlen=10 require=digit classes=3 forbid=%40 latin nouser "
	       "nonames", "mette@ø", &p,
	       "min-length required-class min-classes forbidden latin-only "
	       "name");
}

static void
pictures(void **state)
{
	EXPECT("pictures=4", "sol hus bil kat", NULL, "");
	EXPECT("pictures=4", "SOL hus  bil træ", NULL, "");
	EXPECT("pictures=4", "sol hus bil TRÆ", NULL, "");
	EXPECT("pictures=4", "sol hus bil", NULL, "picture-count");
	EXPECT("pictures=4", "sol hus bil fly", NULL, "picture-unknown");
}

static void
messages_read_well(void **state)
{
	struct ulogin_violations v = { NULL, 0 };
	struct ulogin_rules r;
	const char *why;

	assert_int_equal(ulogin_rules_parse("minlen=8 classes=3 forbid=%40%25",
					    &r, &why), 0);
	assert_int_equal(ulogin_rules_check(&r, "ab@", NULL, NULL, &v), 3);
	assert_string_equal(v.v[0].message,
			    "Use at least 8 characters (this one has 3).");
	assert_string_equal(v.v[1].message,
			    "Mix at least 3 of these: small letters, capital "
			    "letters, digits and symbols (this one has 2).");
	assert_string_equal(v.v[2].message,
			    "Do not use these characters: @ %.");
	ulogin_violations_free(&v);
	ulogin_rules_free(&r);
}

static void
messages_never_quote_the_password(void **state)
{
	struct ulogin_person p = { "mett0001", "Mette", "Holm" };
	struct ulogin_violations v = { NULL, 0 };
	struct ulogin_rules r;
	const char *why;

	/* slapd logs the module's messages: no part of the candidate may
	 * appear in them. */
	assert_int_equal(ulogin_rules_parse("minlen=30 forbid=%23 latin "
					    "nouser nonames", &r, &why), 0);
	assert_int_equal(ulogin_rules_check(&r, "Qz#\u03bbmett0001holm", &p,
					    NULL, &v), 5);
	for (size_t i = 0; i < v.n; i++) {
		assert_null(strstr(v.v[i].message, "Qz"));
		assert_null(strstr(v.v[i].message, "\u03bb"));
		assert_null(strstr(v.v[i].message, "mett0001"));
		assert_null(strstr(v.v[i].message, "olm"));
	}
	ulogin_violations_free(&v);
	ulogin_rules_free(&r);
}

static void
bad_utf8(void **state)
{
	struct ulogin_violations v = { NULL, 0 };
	struct ulogin_rules r;

	ulogin_rules_init(&r);
	assert_int_equal(ulogin_rules_check(&r, "ab\xff", NULL, NULL, &v), 1);
	assert_string_equal(v.v[0].code, "encoding");
	ulogin_violations_free(&v);
	assert_int_equal(ulogin_utf8_length("æø"), 2);
	assert_int_equal(ulogin_utf8_length("\xc3"), -1);
	assert_int_equal(ulogin_utf8_length("\xc0\xaf"), -1);	/* overlong */
}

static void
format_and_parse_round_trip(void **state)
{
	struct ulogin_rules r, back;
	const char *why;
	char *text, *again;

	ulogin_rules_init(&r);
	r.min_length = 10;
	r.max_length = 64;
	r.required = ULOGIN_LOWER | ULOGIN_DIGIT;
	r.min_classes = 3;
	r.class_set = ULOGIN_LOWER | ULOGIN_UPPER | ULOGIN_DIGIT;
	r.forbidden = strdup("@%& ø=");
	r.latin_only = r.no_username = r.no_names = true;
	text = ulogin_rules_format(&r);
	assert_string_equal(text, "minlen=10 maxlen=64 require=lower,digit "
			    "classes=3 of=lower,upper,digit "
			    "forbid=%40%25%26%20%C3%B8%3D latin nouser nonames");
	assert_int_equal(ulogin_rules_parse(text, &back, &why), 0);
	again = ulogin_rules_format(&back);
	assert_string_equal(again, text);
	assert_string_equal(back.forbidden, "@%& ø=");
	free(text);
	free(again);
	ulogin_rules_free(&r);
	ulogin_rules_free(&back);
}

static void
parse_errors(void **state)
{
	struct ulogin_rules r;
	const char *why = NULL;

	assert_int_equal(ulogin_rules_parse("minlen=x", &r, &why), -1);
	assert_string_equal(why, "expected a number");
	assert_int_equal(ulogin_rules_parse("colour=red", &r, &why), -1);
	assert_string_equal(why, "unknown rule");
	assert_int_equal(ulogin_rules_parse("require=vowels", &r, &why), -1);
	assert_int_equal(ulogin_rules_parse("forbid=%4", &r, &why), -1);
	assert_int_equal(ulogin_rules_parse("minlen=9 maxlen=8", &r, &why),
			 -1);
	assert_int_equal(ulogin_rules_parse("classes=5", &r, &why), -1);
	assert_int_equal(ulogin_rules_parse("", &r, &why), 0);
	ulogin_rules_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(length_counts_characters),
		cmocka_unit_test(required_classes),
		cmocka_unit_test(n_of_classes),
		cmocka_unit_test(forbidden_characters),
		cmocka_unit_test(latin_only),
		cmocka_unit_test(names_and_username),
		cmocka_unit_test(everything_at_once),
		cmocka_unit_test(pictures),
		cmocka_unit_test(messages_read_well),
		cmocka_unit_test(messages_never_quote_the_password),
		cmocka_unit_test(bad_utf8),
		cmocka_unit_test(format_and_parse_round_trip),
		cmocka_unit_test(parse_errors),
	};

	return RUN_TAP(tests);
}
