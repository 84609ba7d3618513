/* Times and days: what the directory stores, and the days people give. */
#include "unit.h"
#include "gtime.h"

static void
day_parse_gives_the_start_of_the_day(void **state)
{
	time_t t = -1;
	char g[32];

	assert_int_equal(ulogin_day_parse("2027-06-30", &t), 0);
	ulogin_gtime_format(t, g, sizeof(g));
	assert_string_equal(g, "20270630000000Z");
	assert_int_equal(ulogin_day_parse("2028-02-29", &t), 0);
	ulogin_gtime_format(t, g, sizeof(g));
	assert_string_equal(g, "20280229000000Z");
}

static void
day_parse_refuses_what_is_no_day(void **state)
{
	static const char *const bad[] = { "2026-02-30", "2027-02-29",
		"2026-13-01", "2026-00-10", "2026-04-31", "2026-06-00",
		"2026-6-30", "20260630", "2026-06-30T00:00", "30-06-2026",
		"2026-06-3x", "", "1969-12-31", NULL };
	time_t t = 42;

	for (size_t i = 0; bad[i]; i++) {
		assert_int_equal(ulogin_day_parse(bad[i], &t), -1);
		assert_int_equal(t, 42);
	}
	assert_int_equal(ulogin_day_parse(NULL, &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(day_parse_gives_the_start_of_the_day),
		cmocka_unit_test(day_parse_refuses_what_is_no_day),
	};

	return RUN_TAP(tests);
}
