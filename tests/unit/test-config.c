/* The config file: keys, errors naming file:line, layers. */
#include "unit.h"
#include "config.h"
#include "msg.h"

struct run {
	const char *path;
	struct ulogin_config cfg;
	int rc;
};

static void
read_it(void *arg)
{
	struct run *r = arg;

	ulogin_config_init(&r->cfg);
	r->rc = ulogin_config_read_file(&r->cfg, r->path);
}

static char *
try(const char *text, struct run *r)
{
	char *path = temp_file(text), *err;

	r->path = path;
	err = capture(stderr, read_it, r);
	unlink(path);
	free(path);
	return err;
}

static void
reads_every_key(void **state)
{
	struct run r;
	char *err = try("# comment\n"
			"uri: \"ldap://a ldap://b\"\n"
			"base: dc=example,dc=dk\n"
			"bind_dn: cn=admin,dc=example,dc=dk\n"
			"password_file: /etc/ulogin/admin.pw\n"
			"starttls: yes\n"
			"syslog: false\n"
			"timeout: 5\n"
			"output: json\n", &r);

	assert_int_equal(r.rc, 0);
	assert_string_equal(err, "");
	assert_string_equal(r.cfg.uri, "ldap://a ldap://b");
	assert_string_equal(r.cfg.base, "dc=example,dc=dk");
	assert_string_equal(r.cfg.password_file, "/etc/ulogin/admin.pw");
	assert_int_equal(r.cfg.starttls, ULOGIN_YES);
	assert_int_equal(r.cfg.syslog, ULOGIN_NO);
	assert_int_equal(r.cfg.timeout, 5);
	assert_string_equal(r.cfg.output, "json");
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
relative_paths_follow_the_file(void **state)
{
	struct run r;
	char *err = try("audit_log: audit.log\n", &r);

	assert_int_equal(r.rc, 0);
	assert_string_equal(r.cfg.audit_log, "/tmp/audit.log");
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
syntax_error_names_file_and_line(void **state)
{
	struct run r;
	char *err = try("uri: ldap://a\nbase: [dc=x\n", &r);

	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, "ulogin-unit-") != NULL);
	assert_true(strstr(err, ":3:") != NULL || strstr(err, ":2:") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
unknown_key_names_line_and_key(void **state)
{
	struct run r;
	char *err = try("uri: ldap://a\n\nur: ldap://b\n", &r);

	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, ":3: 'ur': unknown key") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
password_is_refused(void **state)
{
	struct run r;
	char *err = try("password: secret\n", &r);

	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, ":1: 'password': passwords are not "
			   "accepted") != NULL);
	assert_null(strstr(err, "secret"));
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
bad_values(void **state)
{
	struct run r;
	char *err = try("timeout: soon\n", &r);

	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, ":1: 'timeout': expected a number") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);
	err = try("starttls: maybe\n", &r);
	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, "expected true or false") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);
	err = try("- a\n- b\n", &r);
	assert_int_equal(r.rc, 78);
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
empty_file_is_fine(void **state)
{
	struct run r;
	char *err = try("", &r);

	assert_int_equal(r.rc, 0);
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
layers_flags_then_env_then_file(void **state)
{
	char *path = temp_file("uri: ldap://file\nbase: dc=file\n"
			       "bind_dn: cn=file\n");
	struct ulogin_config cfg;

	ulogin_config_init(&cfg);
	cfg.uri = strdup("ldap://flag");
	setenv("ULOGIN_URI", "ldap://env", 1);
	setenv("ULOGIN_BASE", "dc=env", 1);
	setenv("ULOGIN_CONFIG", path, 1);
	assert_int_equal(ulogin_config_resolve(&cfg), 0);
	assert_string_equal(cfg.uri, "ldap://flag");
	assert_string_equal(cfg.base, "dc=env");
	assert_string_equal(cfg.bind_dn, "cn=file");
	assert_int_equal(cfg.timeout, 10);
	unsetenv("ULOGIN_URI");
	unsetenv("ULOGIN_BASE");
	unsetenv("ULOGIN_CONFIG");
	ulogin_config_free(&cfg);
	unlink(path);
	free(path);
}

static void
resolve_env(void *arg)
{
	struct run *r = arg;

	ulogin_config_init(&r->cfg);
	r->rc = ulogin_config_resolve(&r->cfg);
}

static void
password_in_environment_is_refused(void **state)
{
	struct run r;
	char *err;

	setenv("ULOGIN_PASSWORD", "secret", 1);
	err = capture(stderr, resolve_env, &r);
	unsetenv("ULOGIN_PASSWORD");
	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, "ULOGIN_PASSWORD") != NULL);
	assert_null(strstr(err, "secret"));
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
missing_explicit_file(void **state)
{
	struct run r;
	char *err;

	setenv("ULOGIN_CONFIG", "/nonexistent/ulogin.yaml", 1);
	err = capture(stderr, resolve_env, &r);
	unsetenv("ULOGIN_CONFIG");
	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, "cannot read config file "
			   "'/nonexistent/ulogin.yaml'") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);
}

static void
local_logins_and_retention(void **state)
{
	struct run r;
	char *err = try("prune_retention: 26w\n"
			"local_logins:\n"
			"  Aarhus.Example: \"Aarhus Kommune, IT help desk\"\n"
			"  vejle.example: Vejle IT\n", &r);

	assert_int_equal(r.rc, 0);
	assert_string_equal(err, "");
	assert_int_equal(r.cfg.prune_retention, 26L * 7 * 86400);
	assert_string_equal(ulogin_config_local_login(&r.cfg,
		"aarhus.example"), "Aarhus Kommune, IT help desk");
	assert_string_equal(ulogin_config_local_login(&r.cfg,
		"VEJLE.example"), "Vejle IT");
	assert_null(ulogin_config_local_login(&r.cfg, "arhus.example"));
	ulogin_config_free(&r.cfg);
	free(err);

	err = try("local_logins:\n  nodot: x\n", &r);
	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, ":2: 'nodot': expected a domain name") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);

	err = try("local_logins:\n  a.example: x\n  A.example: y\n", &r);
	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, ":3: 'A.example': domain given twice") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);

	err = try("prune_retention: soon\n", &r);
	assert_int_equal(r.rc, 78);
	assert_true(strstr(err, ":1: 'prune_retention': expected a time "
			   "such as 90d") != NULL);
	ulogin_config_free(&r.cfg);
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_key),
		cmocka_unit_test(relative_paths_follow_the_file),
		cmocka_unit_test(syntax_error_names_file_and_line),
		cmocka_unit_test(unknown_key_names_line_and_key),
		cmocka_unit_test(password_is_refused),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(empty_file_is_fine),
		cmocka_unit_test(layers_flags_then_env_then_file),
		cmocka_unit_test(password_in_environment_is_refused),
		cmocka_unit_test(missing_explicit_file),
		cmocka_unit_test(local_logins_and_retention),
	};

	/* Keep the tests independent of the machine's own settings. */
	setenv("LDAPNOINIT", "1", 1);
	setenv("HOME", "/nonexistent", 1);
	unsetenv("XDG_CONFIG_HOME");
	for (const char *const *v = (const char *const[]){ "ULOGIN_URI",
	     "ULOGIN_BASE", "ULOGIN_BIND_DN", "ULOGIN_PASSWORD_FILE",
	     "ULOGIN_CONFIG", "ULOGIN_OUTPUT", "ULOGIN_AUDIT_LOG", NULL };
	     *v; v++)
		unsetenv(*v);
	ulogin_set_program("ulogin-test");
	return RUN_TAP(tests);
}
