/* The generator: for every shipped policy, 1000 passwords that the rule
 * engine accepts; picture passwords of distinct known pictures; random
 * numbers without modulo bias. */
#include <math.h>
#include "unit.h"
#include "config.h"
#include "generate.h"
#include "msg.h"
#include "policy.h"

#define SAMPLES 1000

static void
every_shipped_policy(void **state)
{
	const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
	char *path = NULL, *pics_path = NULL;
	struct ulogin_config cfg;
	struct strv names = STRV_INIT;
	struct ulogin_person who = { "mett0001", "Mette", "Holm", NULL };

	assert_true(asprintf(&path, "%s/data/policies.yaml", srcdir) > 0);
	assert_true(asprintf(&pics_path, "%s/data/pictures.txt", srcdir) > 0);
	ulogin_config_init(&cfg);
	assert_int_equal(ulogin_config_read_file(&cfg, path), 0);
	assert_int_equal(ulogin_pictures_load(pics_path, &names), 0);
	assert_true(cfg.policies.n >= 7);
	for (size_t p = 0; p < cfg.policies.n; p++) {
		const struct ulogin_policy *pol = &cfg.policies.v[p];
		struct ulogin_pictures pics = {
			(const char *const *)names.v, names.n
		};
		struct strv seen = STRV_INIT;

		for (int i = 0; i < SAMPLES; i++) {
			struct ulogin_violations v = { NULL, 0 };
			const char *why = NULL;
			char *pw = ulogin_generate(&pol->rules, &who, &pics,
						   &why);

			assert_non_null(pw);
			if (ulogin_rules_check(&pol->rules, pw, &who, &pics,
					       &v) != 0)
				fail_msg("policy %s: '%s' breaks %s", pol->name,
					 pw, v.v[0].code);
			if (!strv_contains(&seen, pw))
				strv_push(&seen, pw);
			ulogin_violations_free(&v);
			ulogin_secret_free(pw);
		}
		/* Random, not one password repeated. */
		print_message("%s: %zu distinct of %d\n", pol->name, seen.n,
			      SAMPLES);
		assert_true(seen.n > SAMPLES * 9 / 10);
		strv_free(&seen);
	}
	strv_free(&names);
	ulogin_config_free(&cfg);
	free(path);
	free(pics_path);
}

static void
pictures_are_distinct(void **state)
{
	static const char *const set[] = { "sol", "hus", "bil", "kat", "ko" };
	struct ulogin_pictures pics = { set, 5 };
	struct ulogin_rules r;
	const char *why;

	ulogin_rules_init(&r);
	r.pictures = 4;
	for (int i = 0; i < 200; i++) {
		char *pw = ulogin_generate(&r, NULL, &pics, &why);
		struct strv words = STRV_INIT;
		char *copy = strdup(pw), *save = NULL;

		for (char *w = strtok_r(copy, " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			assert_false(strv_contains(&words, w));
			strv_push(&words, w);
		}
		assert_int_equal(words.n, 4);
		strv_free(&words);
		free(copy);
		ulogin_secret_free(pw);
	}
	/* Fewer pictures than asked for: a reason, no password. */
	r.pictures = 6;
	assert_null(ulogin_generate(&r, NULL, &pics, &why));
	assert_non_null(why);
}

static void
impossible_policy(void **state)
{
	struct ulogin_rules r;
	const char *why = NULL;

	ulogin_rules_init(&r);
	r.required = ULOGIN_SYMBOL;
	r.forbidden = strdup("-!?#+=.:");
	assert_null(ulogin_generate(&r, NULL, NULL, &why));
	assert_string_equal(why, "the policy requires a kind of character "
			    "that it also forbids");
	ulogin_rules_free(&r);
}

static void
uniform_without_modulo_bias(void **state)
{
	/* 7 buckets, 70000 draws: each count within 5% of 10000 (the
	 * standard deviation is about 90, so this fails only when biased). */
	unsigned counts[7] = { 0 }, k;

	for (int i = 0; i < 70000; i++) {
		assert_int_equal(ulogin_random_below(7, &k), 0);
		assert_true(k < 7);
		counts[k]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(fabs((double)counts[i] - 10000.0) < 500.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_shipped_policy),
		cmocka_unit_test(pictures_are_distinct),
		cmocka_unit_test(impossible_policy),
		cmocka_unit_test(uniform_without_modulo_bias),
	};

	ulogin_set_program("ulogin-test");
	return RUN_TAP(tests);
}
