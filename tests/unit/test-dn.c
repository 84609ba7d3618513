/* Filters and DNs: user input is escaped, never read as syntax. */
#include "unit.h"
#include "dn.h"

static void
filter_escapes_every_special(void **state)
{
	char *f = ulogin_filter("(cn=*%s*)", "a*(b)\\c");

	assert_string_equal(f, "(cn=*a\\2A\\28b\\29\\5Cc*)");
	free(f);
}

static void
filter_keeps_utf8_and_raw_parts(void **state)
{
	char *inner = ulogin_filter("(uid=%s)", "søren");
	char *f = ulogin_filter("(&(objectClass=%s)%r)", "x", inner);

	/* libldap hex-escapes UTF-8 bytes; the server matches them as
	 * the same characters. */
	assert_string_equal(inner, "(uid=s\\C3\\B8ren)");
	assert_string_equal(f, "(&(objectClass=x)(uid=s\\C3\\B8ren))");
	free(inner);
	free(f);
}

static void
filter_percent(void **state)
{
	char *f = ulogin_filter("(cn=100%%%s)", "%");

	assert_string_equal(f, "(cn=100%%)");
	free(f);
}

static void
dn_child_escapes_rdn_value(void **state)
{
	char *dn = ulogin_dn_child("ou=people,dc=example,dc=dk", "cn",
				   "a,b+c=d<e>f#g;h\"i\\j");
	char *back = ulogin_dn_first_value(dn, "cn");

	assert_non_null(dn);
	assert_string_equal(back, "a,b+c=d<e>f#g;h\"i\\j");
	/* The parent is untouched and the value cannot add an RDN. */
	assert_true(strstr(dn, ",ou=people,dc=example,dc=dk") != NULL);
	assert_true(strncmp(dn, "cn=a\\2Cb\\2Bc\\3Dd", 16) == 0 ||
		    strncmp(dn, "cn=a\\,b\\+c\\=d", 13) == 0);
	free(dn);
	free(back);
}

static void
dn_child_leading_hash_and_space(void **state)
{
	char *dn = ulogin_dn_child("dc=dk", "cn", "#x ");
	char *back = ulogin_dn_first_value(dn, "cn");

	assert_string_equal(back, "#x ");
	free(dn);
	free(back);
}

static void
dn_child_rejects_bad_parent(void **state)
{
	assert_null(ulogin_dn_child("not a dn", "cn", "x"));
}

static void
dn_first_value_wrong_type(void **state)
{
	assert_null(ulogin_dn_first_value("uid=x,dc=dk", "cn"));
}

static void
dn_equal_normalises(void **state)
{
	assert_true(ulogin_dn_equal("UID=Kari,OU=People,DC=example,DC=dk",
				    "uid=kari,ou=people,dc=example,dc=dk"));
	assert_false(ulogin_dn_equal("uid=kari,dc=dk", "uid=kara,dc=dk"));
}

static void
containers(void **state)
{
	char *p = ulogin_dn_people("dc=example,dc=dk");

	assert_string_equal(p, "ou=people,dc=example,dc=dk");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filter_escapes_every_special),
		cmocka_unit_test(filter_keeps_utf8_and_raw_parts),
		cmocka_unit_test(filter_percent),
		cmocka_unit_test(dn_child_escapes_rdn_value),
		cmocka_unit_test(dn_child_leading_hash_and_space),
		cmocka_unit_test(dn_child_rejects_bad_parent),
		cmocka_unit_test(dn_first_value_wrong_type),
		cmocka_unit_test(dn_equal_normalises),
		cmocka_unit_test(containers),
	};

	return RUN_TAP(tests);
}
