/* OneRoster 1.1 CSV directories: what reaches the sink, what is reported
 * as a bad row, and exports that are refused whole. */
#include "unit.h"
#include "msg.h"
#include "roster.h"

/* ---- a sink that writes down what it is given ------------------------- */

struct record {
	struct strv lines;
	int stop;		/* person returns this, when non-zero */
};

static char *
list(const struct strv *sv)
{
	return sv->n ? strv_join(sv, ",") : xstrdup("-");
}

#define OR_DASH(s) ((s) ? (s) : "-")

static int
rec_klass(void *data, const char *key, const char *institution,
	  const char *name, const char *grade)
{
	struct record *r = data;

	strv_push_owned(&r->lines, xasprintf("class %s %s '%s' %s", key,
					     institution, name,
					     OR_DASH(grade)));
	return 0;
}

/* "person LINE ID Given/Surname user roles inst classes grade mail mobile
 * parents" */
static int
rec_person(void *data, const struct ulogin_person_row *p)
{
	struct record *r = data;
	char *roles = list(&p->roles), *inst = list(&p->institutions);
	char *classes = list(&p->classes), *parents = list(&p->parents);

	assert_null(p->nid_hmac);
	strv_push_owned(&r->lines, xasprintf("person %zu %s %s/%s %s %s %s "
		"%s %s %s %s %s", p->line, p->external_id, p->given_name,
		p->surname, OR_DASH(p->username), roles, inst, classes,
		OR_DASH(p->grade), OR_DASH(p->mail), OR_DASH(p->mobile),
		parents));
	free(roles);
	free(inst);
	free(classes);
	free(parents);
	return r->stop;
}

static int
rec_bad(void *data, const char *file, size_t line, const char *key,
	const char *why)
{
	struct record *r = data;

	strv_push_owned(&r->lines, xasprintf("bad %s:%zu %s: %s", file, line,
					     OR_DASH(key), why));
	return 0;
}

/* ---- export directories ------------------------------------------------ */

struct file {
	const char *name, *text;
};

struct result {
	int rc;
	char *got;		/* the sink's lines */
	char *message;
	size_t line;
};

/* Write files (up to one with a NULL name) into a new directory, read it,
 * and remove it again. */
static struct result
run_opts(const struct file *files, const char *encoding, int stop)
{
	struct ulogin_roster_opts o = { encoding, 0 };
	struct record rec = { STRV_INIT, stop };
	struct ulogin_roster_sink sink = { rec_klass, rec_person, rec_bad,
					   &rec };
	struct ulogin_roster_error err;
	char dir[] = "/tmp/ulogin-oneroster-XXXXXX";
	struct result res;

	assert_non_null(mkdtemp(dir));
	for (const struct file *f = files; f->name; f++) {
		char *path = xasprintf("%s/%s", dir, f->name);
		FILE *fp = fopen(path, "wb");

		assert_non_null(fp);
		fputs(f->text, fp);
		fclose(fp);
		free(path);
	}
	res.rc = ulogin_oneroster_read(dir, &o, &sink, &err);
	res.got = strv_join(&rec.lines, "\n");
	res.message = err.message;
	res.line = err.line;
	strv_free(&rec.lines);
	for (const struct file *f = files; f->name; f++) {
		char *path = xasprintf("%s/%s", dir, f->name);

		unlink(path);
		free(path);
	}
	assert_int_equal(rmdir(dir), 0);
	return res;
}

static struct result
run(const struct file *files)
{
	return run_opts(files, NULL, 0);
}

static void
result_free(struct result *res)
{
	free(res->got);
	free(res->message);
}

/* Read files and expect success with exactly want delivered. */
#define READS(files, want) do { \
	struct result res_ = run(files); \
	if (res_.rc) \
		fail_msg("rc %d: %s", res_.rc, res_.message); \
	assert_null(res_.message); \
	assert_string_equal(res_.got, want); \
	result_free(&res_); \
} while (0)

/* Read files and expect the whole export refused. */
#define REFUSED(files, want_rc, want_line, want_msg) do { \
	struct result res_ = run(files); \
	assert_int_equal(res_.rc, want_rc); \
	assert_non_null(res_.message); \
	assert_string_equal(res_.message, want_msg); \
	assert_int_equal(res_.line, want_line); \
	result_free(&res_); \
} while (0)

#define MANIFEST_HEAD \
	"propertyName,value\n" \
	"manifest.version,1.0\n" \
	"oneroster.version,1.1\n" \
	"file.academicSessions,absent\n" \
	"file.categories,absent\n" \
	"file.classResources,absent\n" \
	"file.courses,bulk\n" \
	"file.demographics,absent\n" \
	"file.lineItems,absent\n" \
	"file.orgs,bulk\n" \
	"source.systemName,TestSIS\n"

static const char manifest[] = MANIFEST_HEAD
	"file.classes,bulk\n"
	"file.enrollments,bulk\n"
	"file.users,bulk\n";

/* With a BOM, as Windows tools write UTF-8.  d1 has no identifier, s3 is
 * on its way out. */
static const char orgs[] = "\xef\xbb\xbf"
	"sourcedId,status,dateLastModified,name,type,identifier,"
	"parentSourcedId,metadata.dk.kommune\n"
	"d1,,,Kommunen,district,,,101\n"
	"s1,active,2024-08-01,Byskolen,school,280001,d1,101\n"
	"s2,,,Nordskolen,school,280002,d1,101\n"
	"s3,tobedeleted,,Gamle skole,school,280003,d1,101\n";

/* With CRLF line ends, as Windows tools write them. */
static const char classes[] =
	"sourcedId,status,dateLastModified,title,grades,courseSourcedId,"
	"classCode,classType,location,schoolSourcedId,termSourcedIds,"
	"subjects,subjectCodes,periods,metadata.dk.team\r\n"
	"c1,,,3. A,\"03,04\",co1,3a,homeroom,,s1,t1,,,,x\r\n"
	"c2,,,Matematik 3,03,co2,,scheduled,,s1,t1,Math,,\"1,2\",\r\n"
	"c3,,,Fremtid,,co3,9x,homeroom,,s9,t1,,,,\r\n"
	"c4,tobedeleted,,Gammel,,co4,old,homeroom,,s1,t1,,,,\r\n"
	"c5,,,Nord 1,01,co5,1n,homeroom,,s2,t1,,,,\r\n"
	"c6,,,Lukket,05,co6,5l,homeroom,,s3,t1,,,,\r\n";

static const char enrollments[] =
	"sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
	"userSourcedId,role,primary,beginDate,endDate\n"
	"e1,,,c1,s1,u1,student,false,,\n"
	"e2,,,c2,s1,u1,student,false,,\n"
	"e3,,,c1,s1,t1,teacher,true,,\n"
	"e4,tobedeleted,,c2,s1,t1,teacher,false,,\n"
	"e5,,,c3,s9,u2,student,false,,\n"
	"e6,,,c4,s1,u2,student,false,,\n"
	"e7,,,c99,s1,u2,student,false,,\n"
	"e8,,,c1,s1,u1,student,false,,\n"
	"e9,,,c5,s2,u2,student,false,2024-08-01,\n"
	"e10,,,c6,s3,u2,student,false,,\n";

#define USERS_HEADER \
	"sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role," \
	"username,userIds,givenName,familyName,middleName,identifier," \
	"email,sms,phone,agentSourcedIds,grades,password,metadata.dk.cpr," \
	"Extra\n"

static const char users[] = USERS_HEADER
	"u1,,,true,s1,student,Anna.B,{LDAP:anna},Anna,Berg,,,"
	"anna@example.dk,,12 34 56 78,g1,\"03,04\",,010100-1234,x\n"
	"u2,active,,false,\"s1, s2\",student,,,Bo,\xc3\x98rsted,,,,,,,1,,,\n"
	"t1,,,true,\"s1,s3\",teacher,tkl,,Tove,\"Kl\xc3\xb8ver, Hansen\",,,,"
	"+45 87 65 43 21,11 11 11 11,,03,,,\n"
	"g1,,,true,s1,guardian,,,Gitte,Berg,,,,,,u1,,,,\n"
	"g2,,,true,s1,parent,,,Hans,\xc3\x98rsted,,,,,,\"u2,u9\",,,,\n"
	"x1,tobedeleted,,true,s1,student,,,Gone,Away,,,,,,,,,,\n"
	"a1,,,true,d1,administrator,,,Ada,Admin,,,,,,,,,,\n"
	"p1,,,true,s2,aide,,,Per,Hjælp,,,,,,,,,,\n";

/* Classes and enrollments as above, classes first in the order of their
 * file; bad rows where they are met. */
#define CLASSES_OUT \
	"class c1 280001 '3a' 3\n" \
	"class c2 280001 'Matematik 3' 3\n" \
	"bad classes.csv:4 c3: unknown school 's9'\n" \
	"class c5 280002 '1n' 1\n" \
	"bad enrollments.csv:6 e5: class 'c3' was skipped (see classes.csv)\n" \
	"bad enrollments.csv:8 e7: unknown class 'c99'\n"

static void
small_school(void **state)
{
	const struct file files[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", users }, { NULL, NULL }
	};

	/* u1's parent is named on both sides, u2's only on the parent's
	 * row; a parent's own agents (children) are not their parents.
	 * The teacher's grades are the grades taught: no pupil's grade.
	 * s3 is going: t1 keeps s1 only, and c6 goes quietly. */
	READS(files, CLASSES_OUT
	      "person 2 u1 Anna/Berg anna.b student 280001 c1,c2 3 "
	      "anna@example.dk +4512345678 g1\n"
	      "person 3 u2 Bo/Ørsted - student 280001,280002 c5 1 - - g2\n"
	      "person 4 t1 Tove/Kløver, Hansen tkl teacher 280001 c1 - - "
	      "+4587654321 -\n"
	      "person 5 g1 Gitte/Berg - parent 280001 - - - - -\n"
	      "person 6 g2 Hans/Ørsted - parent 280001 - - - - -\n"
	      "person 8 a1 Ada/Admin - staff d1 - - - - -\n"
	      "person 9 p1 Per/Hjælp - staff 280002 - - - - -");
}

static void
absent_files(void **state)
{
	static const char m[] = MANIFEST_HEAD
		"file.classes,absent\n"
		"file.enrollments,absent\n"
		"file.users,bulk\n";
	static const char u[] = USERS_HEADER
		"u1,,,true,s1,student,,,Anna,Berg,,,,,,,,,,\n";
	/* classes.csv is there but the manifest says it is not: unread. */
	const struct file files[] = {
		{ "manifest.csv", m }, { "orgs.csv", orgs },
		{ "classes.csv", "garbage\n\"" }, { "users.csv", u },
		{ NULL, NULL }
	};

	READS(files, "person 2 u1 Anna/Berg - student 280001 - - - - -");
}

static void
bad_users(void **state)
{
	static const char u[] = USERS_HEADER
		"b1,,,true,s1,janitor,,,Jan,Itor,,,,,,,,,,\n"
		"b2,,,true,\"s1,s7\",student,,,Ulla,Org,,,,,,,,,,\n"
		"b3,,,true,s1,student,,,,Navnløs,,,,,,,,,,\n"
		"b4,,,true,s1,student,,,Ib,Elleve,,,,,,,11,,,\n"
		",,,true,s1,student,,,Ingen,Id,,,,,,,,,,\n"
		"b6,,,true,s1,student,9abc,,Ni,Tal,,,,,,,,,,\n"
		"b7,,,true,s1,student,,,Ma,Il,,,no-at.dk,,,,,,,\n"
		"b8,,,true,s1,student,,,Mo,Bil,,,,,12ab,,,,,\n"
		"b9,,,true,s3,teacher,,,Sid,Ste,,,,,,,,,,\n"
		"b10,,,true,s1,,,,Ro,Lle,,,,,,,,,,\n"
		"b11,,,true,,student,,,Org,Løs,,,,,,,,,,\n"
		"b12,,,true,s1,student,,,Ok,Ay,,,,,,,g1,,,\n";
	const struct file files[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", u }, { NULL, NULL }
	};

	READS(files, CLASSES_OUT
	      "bad users.csv:2 b1: unknown role 'janitor'\n"
	      "bad users.csv:3 b2: unknown org 's7'\n"
	      "bad users.csv:4 b3: no givenName\n"
	      "bad users.csv:5 b4: bad grade '11' (0-10 or g1-g3)\n"
	      "bad users.csv:6 -: no sourcedId\n"
	      "bad users.csv:7 b6: bad username '9abc': it must start with "
	      "a letter\n"
	      "bad users.csv:8 b7: bad mail address 'no-at.dk': no '@'\n"
	      "bad users.csv:9 b8: bad mobile number: a phone number has "
	      "only digits, spaces, '+', '-', '.' and brackets\n"
	      "bad users.csv:10 b9: org 's3' is to be deleted\n"
	      "bad users.csv:11 b10: no role\n"
	      "bad users.csv:12 b11: no orgSourcedIds\n"
	      "person 13 b12 Ok/Ay - student 280001 - g1 - - -");
}

static void
to_be_deleted(void **state)
{
	static const char u[] = USERS_HEADER
		"x1,tobedeleted,,true,s1,student,,,Gone,Away,,,,,,,,,,\n"
		/* Not even checked: a leaver's row may be incomplete. */
		"x2,TOBEDELETED,,false,s7,pupil,,,,,,,,,,,,,,\n"
		"u1,active,,true,s1,student,,,Stays,Here,,,,,,,,,,\n";
	const struct file files[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", u }, { NULL, NULL }
	};

	READS(files, CLASSES_OUT
	      "person 4 u1 Stays/Here - student 280001 c1,c2 - - - -");
}

static void
manifest_refusals(void **state)
{
	static const char delta[] = MANIFEST_HEAD
		"file.classes,bulk\n"
		"file.enrollments,bulk\n"
		"file.users,delta\n";
	static const char v10[] =
		"propertyName,value\n"
		"manifest.version,1.0\n"
		"oneroster.version,1.0\n";
	static const char none[] = "propertyName,value\n"
		"file.users,bulk\n";
	static const char odd[] = MANIFEST_HEAD
		"file.classes,sometimes\n";
	static const char no_users[] = MANIFEST_HEAD
		"file.users,absent\n";
	const struct file f_delta[] = {
		{ "manifest.csv", delta }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", users }, { NULL, NULL }
	};
	const struct file f_v10[] = {
		{ "manifest.csv", v10 }, { "users.csv", users }, { NULL, NULL }
	};
	const struct file f_none[] = {
		{ "manifest.csv", none }, { "users.csv", users }, { NULL, NULL }
	};
	const struct file f_odd[] = {
		{ "manifest.csv", odd }, { NULL, NULL }
	};
	const struct file f_no_users[] = {
		{ "manifest.csv", no_users }, { NULL, NULL }
	};
	const struct file f_columns[] = {
		{ "manifest.csv", "name,value\noneroster.version,1.1\n" },
		{ NULL, NULL }
	};

	REFUSED(f_delta, 65, 14, "manifest.csv: file.users is 'delta': "
		"delta exports are not supported: export in bulk");
	REFUSED(f_v10, 65, 3, "manifest.csv: oneroster.version is '1.0': "
		"only OneRoster 1.1 is supported");
	REFUSED(f_none, 65, 0, "manifest.csv: no oneroster.version: is this "
		"a OneRoster export?");
	REFUSED(f_odd, 65, 12, "manifest.csv: file.classes is 'sometimes' "
		"(expected bulk or absent)");
	REFUSED(f_no_users, 65, 0, "manifest.csv: no users: file.users is "
		"'absent'");
	REFUSED(f_columns, 65, 1, "manifest.csv: no column 'propertyName' "
		"in the header");
}

static void
missing_files(void **state)
{
	const struct file f_nothing[] = { { NULL, NULL } };
	const struct file f_no_users[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ NULL, NULL }
	};
	struct result res;

	res = run(f_nothing);
	assert_int_equal(res.rc, 66);
	assert_non_null(strstr(res.message, "/manifest.csv': "));
	assert_string_equal(res.got, "");
	result_free(&res);

	/* Everything before users.csv was read; nobody was delivered. */
	res = run(f_no_users);
	assert_int_equal(res.rc, 66);
	assert_true(!strncmp(res.message, "users.csv: cannot open '/tmp/", 29));
	assert_non_null(strstr(res.message, "/users.csv': "));
	assert_null(strstr(res.got, "person"));
	result_free(&res);
}

static void
missing_columns(void **state)
{
	static const char u[] =
		"sourcedId,status,role,givenName,surname,orgSourcedIds\n"
		"u1,,student,Anna,Berg,s1\n";
	static const char c[] =
		"sourcedId,title,classCode\n"
		"c1,3. A,3a\n";
	const struct file f_users[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", u }, { NULL, NULL }
	};
	const struct file f_classes[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", c }, { "enrollments.csv", enrollments },
		{ "users.csv", users }, { NULL, NULL }
	};

	REFUSED(f_users, 65, 1, "users.csv: no column 'familyName' in the "
		"header");
	REFUSED(f_classes, 65, 1, "classes.csv: no column 'schoolSourcedId' "
		"in the header");
}

static void
broken_users(void **state)
{
	static const char u[] = USERS_HEADER
		"u1,,,true,s1,student,,,Anna,Berg,,,,,,,,,,\n"
		"u2,,,true,s1,student,,,\"Bo,Berg,,,,,,,,,,\n"
		"u3,,,true,s1,student,,,Cai,Berg,,,,,,,,,,\n";
	const struct file files[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", u }, { NULL, NULL }
	};
	struct result res = run(files);

	assert_int_equal(res.rc, 65);
	assert_int_equal(res.line, 3);
	assert_string_equal(res.message, "users.csv: the file ends inside a "
			    "quoted field: check the quotes");
	/* Refused before anyone was delivered. */
	assert_string_equal(res.got,
		"class c1 280001 '3a' 3\n"
		"class c2 280001 'Matematik 3' 3\n"
		"bad classes.csv:4 c3: unknown school 's9'\n"
		"class c5 280002 '1n' 1\n"
		"bad enrollments.csv:6 e5: class 'c3' was skipped "
		"(see classes.csv)\n"
		"bad enrollments.csv:8 e7: unknown class 'c99'");
	result_free(&res);
}

static void
legacy_encoding(void **state)
{
	/* Windows-1252 and semicolons, as older school systems export:
	 * ø is 0xF8, Å is 0xC5. */
	static const char u[] =
		"sourcedId;status;orgSourcedIds;role;givenName;familyName;"
		"grades\r\n"
		"u1;;s1,s2;student;S\xf8ren;\xc5sberg;5\r\n";
	const struct file files[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", u }, { NULL, NULL }
	};
	struct result res = run_opts(files, "windows-1252", 0);

	assert_int_equal(res.rc, 0);
	assert_string_equal(res.got, CLASSES_OUT
		"person 2 u1 Søren/Åsberg - student 280001,280002 c1,c2 5 "
		"- - -");
	result_free(&res);

	/* Read as UTF-8, the same file is refused whole. */
	res = run(files);
	assert_int_equal(res.rc, 65);
	assert_int_equal(res.line, 2);
	assert_true(!strncmp(res.message, "users.csv: the text is not valid "
			     "UTF-8", 38));
	assert_null(strstr(res.got, "person"));
	result_free(&res);
}

static void
sink_stops(void **state)
{
	const struct file files[] = {
		{ "manifest.csv", manifest }, { "orgs.csv", orgs },
		{ "classes.csv", classes }, { "enrollments.csv", enrollments },
		{ "users.csv", users }, { NULL, NULL }
	};
	struct result res = run_opts(files, NULL, 7);

	/* The first person's non-zero return ends the read. */
	assert_int_equal(res.rc, 7);
	assert_null(res.message);
	assert_string_equal(strstr(res.got, "person"),
			    "person 2 u1 Anna/Berg anna.b student 280001 "
			    "c1,c2 3 anna@example.dk +4512345678 g1");
	result_free(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_school),
		cmocka_unit_test(absent_files),
		cmocka_unit_test(bad_users),
		cmocka_unit_test(to_be_deleted),
		cmocka_unit_test(manifest_refusals),
		cmocka_unit_test(missing_files),
		cmocka_unit_test(missing_columns),
		cmocka_unit_test(broken_users),
		cmocka_unit_test(legacy_encoding),
		cmocka_unit_test(sink_stops),
	};

	ulogin_set_program("ulogin-test");
	return RUN_TAP(tests);
}
