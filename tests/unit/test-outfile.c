/* Files with personal data: created 0600, never through a link, never
 * replaced unless asked. */
#include <stdbool.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "unit.h"
#include "exitcodes.h"
#include "msg.h"
#include "outfile.h"
#include "passwords.h"

static char dir[] = "/tmp/ulogin-outfile-XXXXXX";

static char *
in_dir(const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Check or open (and write a line to) a path; what was said. */
struct job {
	const char *path;
	enum ulogin_outfile how;
	const char *what;
	int rc;
	bool check;
};

static void
open_job(void *arg)
{
	struct job *j = arg;
	int fd;

	if (j->check) {
		j->rc = ulogin_outfile_check(j->path, j->how, j->what);
		return;
	}
	fd = ulogin_outfile_open(j->path, j->how, j->what);
	j->rc = fd < 0 ? -1 : write(fd, "new\n", 4) == 4 ? 0 : -2;
	if (fd >= 0)
		close(fd);
}

static char *
try(struct job *j)
{
	return capture(stderr, open_job, j);
}

static void
new_files_are_private_whatever_the_umask(void **state)
{
	char *p = in_dir("report.json"), *err;
	mode_t old = umask(0);
	struct job j = { p, ULOGIN_OUT_NEW, "report", 0, false };

	err = try(&j);
	umask(old);
	assert_int_equal(j.rc, 0);
	assert_string_equal(err, "");
	assert_int_equal(mode_of(p), 0600);
	free(err);
	/* A second run to the same path: refused, with the way out. */
	err = try(&j);
	assert_int_equal(j.rc, -1);
	assert_non_null(strstr(err, "cannot create report '"));
	assert_non_null(strstr(err, "report.json': it exists\n"
				    "hint: give --overwrite to replace it, "
				    "or name a new file\n"));
	free(err);
	j.check = true;
	err = try(&j);
	assert_int_equal(j.rc, ULOGIN_EX_CANTCREAT);
	assert_non_null(strstr(err, "report.json': it exists\n"));
	free(err);
	unlink(p);
	free(p);
}

static void
overwrite_replaces_and_makes_private(void **state)
{
	char *p = in_dir("results.csv"), *err;
	struct job j = { p, ULOGIN_OUT_REPLACE, "results", 0, true };
	struct stat st;

	write_file(p, "old, longer text\n", 0644);
	err = try(&j);
	assert_int_equal(j.rc, 0);
	free(err);
	j.check = false;
	err = try(&j);
	assert_int_equal(j.rc, 0);
	assert_string_equal(err, "");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 4);	/* "new\n": emptied first */
	assert_int_equal(st.st_mode & 07777, 0600);
	free(err);
	unlink(p);
	free(p);
}

static void
a_link_is_never_followed(void **state)
{
	static const enum ulogin_outfile hows[] = {
		ULOGIN_OUT_NEW, ULOGIN_OUT_REPLACE, ULOGIN_OUT_SECRET,
		ULOGIN_OUT_APPEND };
	char *p = in_dir("plan.ldif"), *target = in_dir("elsewhere");

	assert_int_equal(symlink(target, p), 0);
	for (size_t i = 0; i < sizeof(hows) / sizeof(*hows); i++) {
		for (int check = 0; check < 2; check++) {
			struct job j = { p, hows[i], NULL, 0, check };
			char *err = try(&j);

			assert_int_not_equal(j.rc, 0);
			assert_non_null(strstr(err, "plan.ldif': it is a "
						    "symbolic link\nhint: a "
						    "link is never followed: "
						    "name the file itself\n"));
			free(err);
			assert_int_equal(access(target, F_OK), -1);
		}
	}
	unlink(p);
	free(p);
	free(target);
}

static void
only_a_plain_file_of_ones_own_is_replaced(void **state)
{
	char *p = in_dir("fifo"), *q = in_dir("linked"), *r = in_dir("other");
	struct job j = { p, ULOGIN_OUT_REPLACE, NULL, 0, false };
	char *err;

	/* A FIFO: refused, and the open does not wait for a reader. */
	assert_int_equal(mkfifo(p, 0600), 0);
	err = try(&j);
	assert_int_equal(j.rc, -1);
	assert_non_null(strstr(err, "fifo': it is not a regular file\n"));
	free(err);
	/* A file with a second name. */
	write_file(q, "x", 0600);
	assert_int_equal(link(q, r), 0);
	j.path = q;
	err = try(&j);
	assert_int_equal(j.rc, -1);
	assert_non_null(strstr(err, "linked': it has other names (hard "
				    "links)\n"));
	free(err);
	/* Someone else's file (only root can give one away to test). */
	unlink(r);
	if (chown(q, 65534, 65534) == 0) {
		err = try(&j);
		assert_int_equal(j.rc, -1);
		assert_non_null(strstr(err, "linked': it belongs to another "
					    "user\n"));
		free(err);
	}
	unlink(p);
	unlink(q);
	free(p);
	free(q);
	free(r);
}

static void
a_passwords_file_is_never_replaced(void **state)
{
	char *p = in_dir("passwords.csv"), *err;
	struct job j = { p, ULOGIN_OUT_SECRET, NULL, 0, false };

	write_file(p, "username,password\n", 0600);
	err = try(&j);
	assert_int_equal(j.rc, -1);
	assert_non_null(strstr(err, "cannot create '"));
	assert_non_null(strstr(err, "passwords.csv': it exists\nhint: the "
				    "file holds passwords, so it is never "
				    "overwritten: move it away first\n"));
	free(err);
	unlink(p);
	free(p);
}

static void
a_log_is_appended_and_created_private(void **state)
{
	char *p = in_dir("audit.log"), *err;
	mode_t old = umask(0);
	struct job j = { p, ULOGIN_OUT_APPEND, "audit log", 0, false };
	struct stat st;

	err = try(&j);
	free(err);
	err = try(&j);
	umask(old);
	assert_int_equal(j.rc, 0);
	free(err);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 8);	/* two lines: appended */
	assert_int_equal(st.st_mode & 07777, 0600);
	/* A log the admin made readable by a group stays so. */
	chmod(p, 0640);
	err = try(&j);
	free(err);
	assert_int_equal(mode_of(p), 0640);
	unlink(p);
	free(p);
	/* A device (/dev/null) is a place a log may go. */
	j.path = "/dev/null";
	err = try(&j);
	assert_int_equal(j.rc, 0);
	free(err);
}

static void
a_missing_directory_is_named(void **state)
{
	char *p = in_dir("no/such/report.json"), *err;
	struct job j = { p, ULOGIN_OUT_NEW, "report", 0, true };

	err = try(&j);
	assert_int_equal(j.rc, ULOGIN_EX_CANTCREAT);
	assert_non_null(strstr(err, "no/such/report.json': No such file or "
				    "directory\n"));
	free(err);
	j.check = false;
	j.how = ULOGIN_OUT_APPEND;
	j.what = "audit log";
	err = try(&j);
	assert_int_equal(j.rc, -1);
	assert_non_null(strstr(err, "cannot write audit log '"));
	free(err);
	free(p);
}

/* ulogin-user add --passwords: a passwords file is made new, or appended
 * to when it is one -- never removed after, never through a link, a
 * second name or a FIFO. */
struct pw_job {
	const char *path;
	const char *user;	/* a line to add, or NULL */
	int rc;
	bool check;
};

static void
pw_job(void *arg)
{
	struct pw_job *j = arg;
	struct passwords *pw = NULL;

	if (j->check) {
		j->rc = ulogin_passwords_check(j->path);
		return;
	}
	if ((j->rc = ulogin_passwords_open(j->path, &pw)))
		return;
	if (j->user)
		ulogin_passwords_add(pw, j->user, "Tuba-Kilo-27");
	j->rc = ulogin_passwords_close(pw);
}

static char *
file_text(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
a_passwords_file_is_appended_only_when_it_is_one(void **state)
{
	char *p = in_dir("initial.csv"), *p2 = in_dir("second.csv");
	char *fifo = in_dir("fifo.csv"), *err;
	struct pw_job j = { p, NULL, 0, true };

	err = capture(stderr, pw_job, &j);
	assert_int_equal(j.rc, 0);
	free(err);
	j.check = false;
	j.user = "anna0001";
	err = capture(stderr, pw_job, &j);
	assert_int_equal(j.rc, 0);
	free(err);
	assert_int_equal(mode_of(p), 0600);
	j.user = "bo0001";
	err = capture(stderr, pw_job, &j);
	free(err);
	/* Opened and closed with no line: still there, as it was. */
	j.user = NULL;
	err = capture(stderr, pw_job, &j);
	assert_int_equal(j.rc, 0);
	free(err);
	assert_string_equal(file_text(p), "username,password,note\n"
			    "anna0001,Tuba-Kilo-27,\nbo0001,Tuba-Kilo-27,\n");
	/* A second name for it. */
	assert_int_equal(link(p, p2), 0);
	j.user = "cai0001";
	for (int check = 0; check < 2; check++) {
		j.check = check;
		err = capture(stderr, pw_job, &j);
		assert_int_equal(j.rc, ULOGIN_EX_CANTCREAT);
		assert_non_null(strstr(err, "initial.csv': it has other names "
					    "(hard links)\n"));
		free(err);
	}
	unlink(p2);
	/* A FIFO in its place neither hangs nor is written. */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	j.path = fifo;
	j.check = false;
	err = capture(stderr, pw_job, &j);
	assert_int_equal(j.rc, ULOGIN_EX_CANTCREAT);
	assert_non_null(strstr(err, "fifo.csv': it is not a regular file\n"));
	free(err);
	unlink(fifo);
	unlink(p);
	free(fifo);
	free(p2);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_files_are_private_whatever_the_umask),
		cmocka_unit_test(overwrite_replaces_and_makes_private),
		cmocka_unit_test(a_link_is_never_followed),
		cmocka_unit_test(only_a_plain_file_of_ones_own_is_replaced),
		cmocka_unit_test(a_passwords_file_is_never_replaced),
		cmocka_unit_test(a_log_is_appended_and_created_private),
		cmocka_unit_test(a_missing_directory_is_named),
		cmocka_unit_test(a_passwords_file_is_appended_only_when_it_is_one),
	};
	int rc;

	ulogin_set_program("test-outfile");
	if (!mkdtemp(dir))
		return 1;
	rc = RUN_TAP(tests);
	rmdir(dir);
	return rc;
}
