/* What a change in slapd's access log says, in words: the action, the
 * detail, and never the value of a secret. */
#include "unit.h"
#include "history.h"

/* describe TYPE with the reqMod values given; the detail (free it). */
static char *
describe(const char *type, const char *const *mods, const char **action,
	 bool *bookkeeping)
{
	struct strv sv = STRV_INIT;
	char *detail;

	for (size_t i = 0; mods[i]; i++)
		strv_push(&sv, mods[i]);
	detail = ulogin_history_describe(type, &sv, action, bookkeeping);
	strv_free(&sv);
	return detail;
}

static void
a_password_change_shows_no_hash(void **state)
{
	static const char *const manager[] = {
		"userPassword:- {SSHA}T+RB63z6JTl+aioM1gcOnL88hUBT0XQd",
		"userPassword:+ {SSHA}UMfT18SWGUZmrVq/kSLplCVtWLRZETb0",
		"pwdChangedTime:= 20261204071919Z",
		"pwdLastSuccess:-",
		"pwdHistory:+ 20261204071919Z#1.3.6.1.4.1.1466.115.121.1.40#38#{SSHA}T+RB",
		"entryCSN:= 20261204071919.037647Z#000000#000#000000",
		"modifiersName:= uid=aase0001,ou=people,dc=example,dc=dk",
		"modifyTimestamp:= 20261204071919Z", NULL
	};
	/* What an administrator reads of the same record. */
	static const char *const admin[] = {
		"pwdChangedTime:= 20261204071919Z", "pwdReset:= TRUE", NULL
	};
	const char *action;
	bool bk;
	char *d = describe("modify", manager, &action, &bk);

	assert_string_equal(action, "password");
	assert_false(bk);
	assert_string_equal(d, "userPassword: changed; pwdLastSuccess: removed");
	assert_null(strstr(d, "{SSHA}"));
	free(d);
	d = describe("modify", admin, &action, &bk);
	assert_string_equal(action, "password");
	assert_string_equal(d, "userPassword: changed; pwdReset: TRUE");
	free(d);
}

static void
an_add_names_secrets_without_values(void **state)
{
	static const char *const mods[] = {
		"objectClass:+ inetOrgPerson", "objectClass:+ uloginAccount",
		"uid:+ hist0001", "userPassword;x-test:+ Clear-Text-1",
		"uloginNationalIdHmac:+ 6f1ed002ab5595859014ebf0951522d9",
		"pwdChangedTime:+ 20261204071919Z", NULL
	};
	const char *action;
	bool bk;
	char *d = describe("add", mods, &action, &bk);

	assert_string_equal(action, "add");
	assert_string_equal(d, "objectClass: inetOrgPerson, uloginAccount; "
			    "uid: hist0001; userPassword: changed; "
			    "uloginNationalIdHmac: changed");
	free(d);
}

static void
blocks_logins_and_failures(void **state)
{
	static const char *const block[] = {
		"pwdAccountLockedTime:= 000001010000Z",
		"uloginBlockReason:= left the school", NULL
	};
	static const char *const unblock[] = {
		"pwdAccountLockedTime:-", "uloginBlockReason:-", NULL
	};
	static const char *const login[] = {
		"pwdLastSuccess:= 20261204072017Z",
		"modifiersName:= cn=admin,dc=example,dc=dk", NULL
	};
	static const char *const failed[] = {
		"pwdFailureTime:+ 20261204072801.922620Z", NULL
	};
	static const char *const locked[] = {
		"pwdFailureTime:+ 20261204072801.922620Z",
		"pwdAccountLockedTime:= 20261204072801Z", NULL
	};
	static const char *const other[] = { "mail:= a@example.dk", NULL };
	const char *action;
	bool bk;
	char *d;

	d = describe("modify", block, &action, &bk);
	assert_string_equal(action, "block");
	assert_false(bk);
	assert_string_equal(d, "pwdAccountLockedTime: 000001010000Z; "
			    "uloginBlockReason: left the school");
	free(d);
	d = describe("modify", unblock, &action, &bk);
	assert_string_equal(action, "unblock");
	assert_string_equal(d, "pwdAccountLockedTime: removed; "
			    "uloginBlockReason: removed");
	free(d);
	d = describe("modify", login, &action, &bk);
	assert_string_equal(action, "login");
	assert_true(bk);
	free(d);
	d = describe("modify", failed, &action, &bk);
	assert_string_equal(action, "login-failed");
	assert_true(bk);
	free(d);
	d = describe("modify", locked, &action, &bk);
	assert_string_equal(action, "locked-out");
	assert_true(bk);
	free(d);
	d = describe("modify", other, &action, &bk);
	assert_string_equal(action, "modify");
	assert_false(bk);
	assert_string_equal(d, "mail: a@example.dk");
	free(d);
	d = describe("delete", (const char *const[]){ NULL }, &action, &bk);
	assert_string_equal(action, "delete");
	assert_string_equal(d, "");
	free(d);
	d = describe("modrdn", (const char *const[]){ "garbage", NULL },
		     &action, &bk);
	assert_string_equal(action, "rename");
	assert_string_equal(d, "");
	free(d);
}

/* A good login after failures: slapd deletes the failure times (and a
 * lock-out whose time is up) in the record of the login.  Not a failure,
 * not an unblock. */
static void
a_good_login_clears_failures(void **state)
{
	static const char *const login[] = {
		"pwdFailureTime:-", "pwdLastSuccess:= 20261204072017Z",
		"modifiersName:= cn=admin,dc=example,dc=dk", NULL
	};
	static const char *const after_lockout[] = {
		"pwdAccountLockedTime:-", "pwdFailureTime:-",
		"pwdLastSuccess:= 20261204082017Z", NULL
	};
	static const char *const some_failures_dropped[] = {
		"pwdFailureTime:- 20261104072801.922620Z",
		"pwdFailureTime:+ 20261204072801.922620Z", NULL
	};
	const char *action;
	bool bk;
	char *d;

	d = describe("modify", login, &action, &bk);
	assert_string_equal(action, "login");
	assert_true(bk);
	free(d);
	d = describe("modify", after_lockout, &action, &bk);
	assert_string_equal(action, "login");
	assert_true(bk);
	free(d);
	d = describe("modify", some_failures_dropped, &action, &bk);
	assert_string_equal(action, "login-failed");
	assert_true(bk);
	free(d);
}

/* A block in any form slapd finds equal to 000001010000Z. */
static void
a_block_with_seconds(void **state)
{
	static const char *const forms[][2] = {
		{ "pwdAccountLockedTime:= 00000101000000Z", NULL },
		{ "pwdAccountLockedTime:+ 00000101000000.0Z", NULL },
		{ "pwdAccountLockedTime:= 000001010000Z", NULL },
	};
	const char *action;
	bool bk;

	for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		free(describe("modify", forms[i], &action, &bk));
		assert_string_equal(action, "block");
		assert_false(bk);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_password_change_shows_no_hash),
		cmocka_unit_test(an_add_names_secrets_without_values),
		cmocka_unit_test(blocks_logins_and_failures),
		cmocka_unit_test(a_good_login_clears_failures),
		cmocka_unit_test(a_block_with_seconds),
	};

	return RUN_TAP(tests);
}
