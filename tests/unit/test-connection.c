/* Which server addresses need StartTLS before a password is sent. */
#include "unit.h"
#include "connection.h"

static void
starttls_rules(void **state)
{
	const struct {
		const char *uris;
		int tls, ldapi;
	} cases[] = {
		{ "ldap://ldap.kommune.example", 1, 0 },
		{ "ldap://127.0.0.1:3890", 0, 0 },
		{ "ldap://localhost/", 0, 0 },
		{ "ldap://[::1]:389", 0, 0 },
		{ "ldap://127.1.2.3", 0, 0 },
		{ "ldap://LOCALHOST", 0, 0 },
		/* Names that only look like loopback are remote hosts. */
		{ "ldap://127.evil.example.org", 1, 0 },
		{ "ldap://127.0.0.1.nip.io", 1, 0 },
		{ "ldap://localhost.example.org", 1, 0 },
		{ "ldap://[::2]", 1, 0 },
		{ "ldaps://ldap.kommune.example", 0, 0 },
		{ "ldapi://%2Frun%2Fslapd%2Fldapi", 0, 1 },
		{ "ldap://127.0.0.1 ldap://ldap2.kommune.example", 1, 0 },
		{ "ldaps://a.example,ldapi:///", 0, 1 },
		{ "http://a.example", -1, 0 },
		{ "", -1, 0 },
		{ "ldap://a b c", -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int ldapi = -1;
		int tls = ulogin_uri_needs_starttls(cases[i].uris, &ldapi);

		print_message("%s\n", cases[i].uris);
		assert_int_equal(tls, cases[i].tls);
		if (tls >= 0)
			assert_int_equal(ldapi, cases[i].ldapi);
	}
}

static void
words_and_codes(void **state)
{
	assert_int_equal(ulogin_ldap_exit_code(49), 77);	/* credentials */
	assert_int_equal(ulogin_ldap_exit_code(50), 77);	/* access */
	assert_int_equal(ulogin_ldap_exit_code(32), 67);	/* no object */
	assert_int_equal(ulogin_ldap_exit_code(68), 65);	/* exists */
	assert_int_equal(ulogin_ldap_exit_code(-1), 69);	/* server down */
	assert_int_equal(ulogin_ldap_exit_code(51), 75);	/* busy */
	assert_int_equal(ulogin_ldap_exit_code(17), 78);	/* schema */
	assert_int_equal(ulogin_ldap_exit_code(80), 70);	/* other */
	assert_string_equal(ulogin_ldap_words(49),
			    "wrong bind DN or password");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starttls_rules),
		cmocka_unit_test(words_and_codes),
	};

	return RUN_TAP(tests);
}
