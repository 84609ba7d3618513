/* Account rules: usernames, levels, roles, and the state in words. */
#include "unit.h"
#include "account.h"
#include "diagnose.h"
#include "gtime.h"

static void
transliterates_danish_letters(void **state)
{
	char *t = ulogin_transliterate("Søren Ærø-Åse");

	assert_string_equal(t, "soerenaeroeaase");
	free(t);
}

static void
transliterates_and_drops_the_rest(void **state)
{
	char *t = ulogin_transliterate("Zoë O'Brien-Müller 3 Ж");

	assert_string_equal(t, "zoeobrienmueller");
	free(t);
}

static void
prefix_is_four_letters_of_given_name(void **state)
{
	char *a = ulogin_username_prefix("Søren", "Hansen");
	char *b = ulogin_username_prefix("Bo", "Ek");
	char *c = ulogin_username_prefix("Åse", "Li");

	assert_string_equal(a, "soer");
	assert_string_equal(b, "bo");
	assert_string_equal(c, "aase");
	free(a);
	free(b);
	free(c);
}

static void
prefix_falls_back(void **state)
{
	char *a = ulogin_username_prefix("Жанна", "Petrova");
	char *b = ulogin_username_prefix("**", "##");

	assert_string_equal(a, "petr");
	assert_string_equal(b, "user");
	free(a);
	free(b);
}

static void
username_rules(void **state)
{
	assert_null(ulogin_username_invalid("soer0001"));
	assert_null(ulogin_username_invalid("kari.n-o_1"));
	assert_null(ulogin_username_invalid("kari@skole.example.dk"));
	assert_string_equal(ulogin_username_invalid("Kari"),
			    "usernames are lower case");
	assert_non_null(ulogin_username_invalid(""));
	assert_non_null(ulogin_username_invalid("1kari"));
	assert_non_null(ulogin_username_invalid("ka ri"));
	assert_non_null(ulogin_username_invalid("kari*"));
	assert_non_null(ulogin_username_invalid("søren"));
	assert_non_null(ulogin_username_invalid("a@b@c.dk"));
	assert_non_null(ulogin_username_invalid("kari@"));
}

static void
levels_by_grade(void **state)
{
	assert_string_equal(ulogin_level_for_grade("0"), "indskoling");
	assert_string_equal(ulogin_level_for_grade("3"), "indskoling");
	assert_string_equal(ulogin_level_for_grade("4"), "mellemtrin");
	assert_string_equal(ulogin_level_for_grade("6"), "mellemtrin");
	assert_string_equal(ulogin_level_for_grade("7"), "udskoling");
	assert_string_equal(ulogin_level_for_grade("10"), "udskoling");
	assert_string_equal(ulogin_level_for_grade("g2"), "gymnasium");
	assert_null(ulogin_level_for_grade("11"));
	assert_null(ulogin_level_for_grade("-1"));
	assert_string_equal(ulogin_level_for_grade("03"), "indskoling");
	assert_string_equal(ulogin_level_for_grade("07"), "udskoling");
	assert_null(ulogin_level_for_grade("003"));
	assert_null(ulogin_level_for_grade("+3"));
	assert_null(ulogin_level_for_grade("g4"));
	assert_null(ulogin_level_for_grade(""));
}

static void
roles(void **state)
{
	assert_true(ulogin_role_valid("student"));
	assert_false(ulogin_role_valid("admin"));
	assert_true(ulogin_role_valid("support"));
	assert_true(ulogin_role_importable("staff"));
	assert_false(ulogin_role_importable("support"));
	assert_false(ulogin_role_importable("admin"));
	assert_false(ulogin_role_valid("Student"));
	assert_false(ulogin_role_valid("root"));
}

/* A tiny entry builder for the state tests. */
static void
put(struct ulogin_entry *e, const char *attr, const char *value)
{
	e->attrs = realloc(e->attrs, (e->nattrs + 1) * sizeof(*e->attrs));
	memset(&e->attrs[e->nattrs], 0, sizeof(*e->attrs));
	e->attrs[e->nattrs].name = strdup(attr);
	strv_push(&e->attrs[e->nattrs].values, value);
	e->nattrs++;
}

static time_t
at(const char *gt)
{
	time_t t;

	assert_int_equal(ulogin_gtime_parse(gt, &t), 0);
	return t;
}

static const char *
state_of(struct ulogin_entry *user, struct ulogin_entry *policy,
	 bool deprecated, const char *now, char **reason)
{
	struct ulogin_state st;

	ulogin_account_state(user, policy, deprecated, at(now), &st);
	*reason = st.reason;
	return st.state;
}

static void
states(void **state)
{
	struct ulogin_entry u = { 0 }, p = { 0 };
	char *why;

	put(&p, "pwdMaxAge", "31536000");
	put(&p, "pwdLockoutDuration", "900");
	put(&u, "pwdChangedTime", "20260101000000Z");
	assert_string_equal(state_of(&u, &p, false, "20260601000000Z", &why),
			    "active");
	free(why);
	assert_string_equal(state_of(&u, &p, true, "20260601000000Z", &why),
			    "pending-migration");
	free(why);
	/* A year after the change the password has expired. */
	assert_string_equal(state_of(&u, &p, false, "20270102000000Z", &why),
			    "expired");
	assert_true(strstr(why, "expired on 2027-01-01") != NULL);
	free(why);

	put(&u, "pwdReset", "TRUE");
	assert_string_equal(state_of(&u, &p, false, "20260601000000Z", &why),
			    "must-change");
	free(why);

	/* A lockout after failures lasts pwdLockoutDuration. */
	put(&u, "pwdAccountLockedTime", "20260601000000Z");
	assert_string_equal(state_of(&u, &p, false, "20260601000500Z", &why),
			    "locked-out");
	assert_true(strstr(why, "unlocks at 2026-06-01 00:15") != NULL);
	free(why);
	assert_string_equal(state_of(&u, &p, false, "20260601002000Z", &why),
			    "must-change");
	free(why);
	ulogin_entry_free(&u);

	put(&u, "pwdAccountLockedTime", "000001010000Z");
	put(&u, "uloginBlockReason", "bullying");
	assert_string_equal(state_of(&u, &p, false, "20260601000000Z", &why),
			    "blocked");
	assert_string_equal(why, "blocked by an administrator: bullying");
	free(why);
	put(&u, "uloginLeftAt", "20260620120000Z");
	assert_string_equal(state_of(&u, &p, false, "20260701000000Z", &why),
			    "left");
	free(why);
	ulogin_entry_free(&u);

	put(&u, "pwdLastSuccess", "20230101000000Z");
	assert_string_equal(state_of(&u, NULL, false, "20260101000000Z", &why),
			    "idle");
	free(why);
	ulogin_entry_free(&u);
	ulogin_entry_free(&p);
}

static void
generalized_time(void **state)
{
	char buf[32];
	time_t t;

	assert_int_equal(ulogin_gtime_parse("20261123105600Z", &t), 0);
	ulogin_gtime_format(t, buf, sizeof(buf));
	assert_string_equal(buf, "20261123105600Z");
	assert_int_equal(ulogin_gtime_parse("20261123105600.123456Z", &t), 0);
	assert_int_equal(ulogin_gtime_parse("20261123105600", &t), -1);
	assert_int_equal(ulogin_gtime_parse("2026112310560xZ", &t), -1);
	assert_int_equal(ulogin_gtime_parse("000001010000Z", &t), -1);
}

static void
edit_distance(void **state)
{
	assert_int_equal(ulogin_edit_distance("kirs0001", "kirs0001", 2), 0);
	/* Two letters swapped count one. */
	assert_int_equal(ulogin_edit_distance("kris0001", "kirs0001", 2), 1);
	assert_int_equal(ulogin_edit_distance("kirs001", "kirs0001", 2), 1);
	assert_int_equal(ulogin_edit_distance("kirs0002", "kirs0001", 2), 1);
	assert_int_equal(ulogin_edit_distance("idle0001", "elle0001", 2), 2);
	/* Past the limit: limit + 1, also when the lengths differ much. */
	assert_int_equal(ulogin_edit_distance("mett0001", "kirs0001", 2), 3);
	assert_int_equal(ulogin_edit_distance("a", "abcdef", 2), 3);
	assert_int_equal(ulogin_edit_distance("", "ab", 2), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transliterates_danish_letters),
		cmocka_unit_test(transliterates_and_drops_the_rest),
		cmocka_unit_test(prefix_is_four_letters_of_given_name),
		cmocka_unit_test(prefix_falls_back),
		cmocka_unit_test(username_rules),
		cmocka_unit_test(levels_by_grade),
		cmocka_unit_test(roles),
		cmocka_unit_test(edit_distance),
		cmocka_unit_test(states),
		cmocka_unit_test(generalized_time),
	};

	setenv("TZ", "UTC", 1);
	return RUN_TAP(tests);
}
