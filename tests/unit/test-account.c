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
state_full(struct ulogin_entry *user, struct ulogin_entry *policy,
	   bool deprecated, time_t reset_until, const char *now, char **reason)
{
	struct ulogin_state st;
	struct ulogin_state_facts f = { user, policy, deprecated, reset_until,
					"uid=kirs0001,ou=people,dc=x", at(now) };

	ulogin_account_state(&f, &st);
	*reason = st.reason;
	return st.state;
}

static const char *
state_of(struct ulogin_entry *user, struct ulogin_entry *policy,
	 bool deprecated, const char *now, char **reason)
{
	return state_full(user, policy, deprecated, 0, now, reason);
}

static void
states(void **state)
{
	struct ulogin_entry u = { 0 }, p = { 0 };
	char *why;

	put(&p, "pwdMaxAge", "31536000");
	put(&p, "pwdLockoutDuration", "900");
	put(&p, "pwdLockout", "TRUE");
	put(&u, "pwdChangedTime", "20260101000000Z");
	put(&u, "pwdLastSuccess", "20260102000000Z");
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
	/* An open reset window comes before the expiry ... */
	assert_string_equal(state_full(&u, &p, false, at("20270102000500Z"),
				       "20270102000000Z", &why),
			    "reset-window-open");
	assert_true(strstr(why, "open until 2027-01-02 00:05") != NULL);
	assert_true(strstr(why, "opened by kirs0001") != NULL);
	free(why);
	/* ... but not once it has ended. */
	assert_string_equal(state_full(&u, &p, false, at("20270101235900Z"),
				       "20270102000000Z", &why),
			    "expired");
	free(why);

	put(&u, "pwdReset", "TRUE");
	assert_string_equal(state_of(&u, &p, false, "20260601000000Z", &why),
			    "must-change");
	free(why);
	/* Attached only through a deprecated import is not hidden behind
	 * must-change. */
	assert_string_equal(state_of(&u, &p, true, "20260601000000Z", &why),
			    "pending-migration");
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
	put(&u, "uloginBlockedBy", "uid=kirs0001,ou=people,dc=example,dc=dk");
	put(&u, "uloginBlockedAt", "20260105081500Z");
	assert_string_equal(state_of(&u, &p, false, "20260601000000Z", &why),
			    "blocked");
	assert_string_equal(why, "blocked by kirs0001 on 2026-01-05 08:15 UTC: "
			    "bullying");
	free(why);
	/* A block under a policy without lockout is said not to work. */
	assert_string_equal(state_of(&u, NULL, false, "20260601000000Z", &why),
			    "blocked");
	assert_true(strstr(why, "not in force") != NULL);
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
	/* Never logged in: idle two years after it was made. */
	put(&u, "createTimestamp", "20240101000000Z");
	assert_string_equal(state_of(&u, NULL, false, "20251230000000Z", &why),
			    "active");
	free(why);
	assert_string_equal(state_of(&u, NULL, false, "20260102000000Z", &why),
			    "idle");
	assert_true(strstr(why, "never logged in") != NULL);
	free(why);
	ulogin_entry_free(&u);
	ulogin_entry_free(&p);
}

/* The list filters and the expiry warning: blocked and left accounts are
 * never expiring. */
static void
filters(void **state)
{
	struct ulogin_entry u = { 0 }, p = { 0 };
	struct ulogin_state st;
	struct ulogin_state_facts f = { &u, &p, false, 0, NULL,
					at("20261225000000Z") };
	struct ulogin_list_filter expiring = { NULL, 14 * 86400L, 0, false };
	struct ulogin_list_filter blocked = { "blocked", 0, 0, false };

	put(&p, "pwdMaxAge", "31536000");
	put(&p, "pwdLockout", "TRUE");
	put(&u, "pwdChangedTime", "20260101000000Z");	/* expires 2027-01-01 */
	ulogin_account_state(&f, &st);
	assert_true(ulogin_list_filter_match(&expiring, &st, f.now));
	assert_false(ulogin_list_filter_match(&blocked, &st, f.now));
	ulogin_state_free(&st);
	put(&u, "pwdAccountLockedTime", "000001010000Z");
	ulogin_account_state(&f, &st);
	assert_false(ulogin_list_filter_match(&expiring, &st, f.now));
	assert_true(ulogin_list_filter_match(&blocked, &st, f.now));
	ulogin_state_free(&st);
	ulogin_entry_free(&u);
	/* The server narrows; the filters are exact supersets. */
	{
		struct ulogin_list_filter idle = { NULL, 0, 60 * 86400L, true };
		char *f = ulogin_list_filter_ldap(&blocked, 0);

		assert_string_equal(f, "(pwdAccountLockedTime=000001010000Z)");
		free(f);
		f = ulogin_list_filter_ldap(&expiring, 0);
		assert_string_equal(f, "(pwdChangedTime=*)");
		free(f);
		f = ulogin_list_filter_ldap(&idle, at("20260301000000Z"));
		assert_string_equal(f, "(!(pwdLastSuccess=*))"
			"(|(pwdLastSuccess<=20251231000001Z)"
			"(&(!(pwdLastSuccess=*))"
			"(createTimestamp<=20251231000001Z)))");
		free(f);
	}
	assert_true(ulogin_lock_is_block("000001010000Z"));
	assert_true(ulogin_lock_is_block("00000101000000Z"));
	assert_true(ulogin_lock_is_block("00000101000000.000Z"));
	assert_false(ulogin_lock_is_block("20260101000000Z"));
	assert_false(ulogin_lock_is_block("0000010100001Z"));
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
		cmocka_unit_test(filters),
		cmocka_unit_test(generalized_time),
	};

	setenv("TZ", "UTC", 1);
	return RUN_TAP(tests);
}
