/* Import planning: the roster against the directory, in memory -- which
 * step each person, leaver and class gets, and what each step changes. */
#include "unit.h"
#include "config.h"
#include "msg.h"
#include "plan.h"
#include "policy.h"

#define BASE "dc=example,dc=dk"

struct fixture {
	struct ulogin_config cfg;
	struct ulogin_policy_set policies;
	struct strv present;
	struct ulogin_plan *plan;
};

static void
start(struct fixture *f)
{
	struct ulogin_plan_opts o;

	memset(f, 0, sizeof(*f));
	ulogin_policy_set_init(&f->policies);
	/* s1 writes 280001 and 280002 and shares users with s2. */
	ulogin_config_init(&f->cfg);
	f->cfg.sources = calloc(1, sizeof(*f->cfg.sources));
	f->cfg.nsources = 1;
	f->cfg.sources[0].name = strdup("s1");
	strv_push(&f->cfg.sources[0].institutions, "280001");
	strv_push(&f->cfg.sources[0].institutions, "280002");
	strv_push(&f->cfg.sources[0].roles, "student");
	strv_push(&f->cfg.sources[0].roles, "teacher");
	strv_push(&f->cfg.sources[0].roles, "parent");
	strv_push(&f->cfg.sources[0].links, "s2");
	memset(&o, 0, sizeof(o));
	o.source = "s1";
	o.people_file = "roster.csv";
	o.base = BASE;
	o.operator_dn = "cn=admin," BASE;
	o.policies = &f->policies;
	o.policies_present = &f->present;
	o.now = 1795000000;
	o.cfg = &f->cfg;
	o.source_cfg = &f->cfg.sources[0];
	f->plan = ulogin_plan_new(&o);
}

static void
finish(struct fixture *f)
{
	ulogin_plan_free(f->plan);
	ulogin_config_free(&f->cfg);
	ulogin_policy_set_free(&f->policies);
	strv_free(&f->present);
}

/* A directory user: "attr=value" pairs, NULL-terminated. */
static void
have(struct fixture *f, const char *uid, ...)
{
	struct ulogin_attr attrs[16];
	struct ulogin_entry e;
	char *dn = NULL;
	const char *pair;
	va_list ap;

	memset(attrs, 0, sizeof(attrs));
	e.attrs = attrs;
	e.nattrs = 0;
	assert_true(asprintf(&dn, "uid=%s,ou=people," BASE, uid) > 0);
	e.dn = dn;
	attrs[e.nattrs].name = "uid";
	strv_push(&attrs[e.nattrs++].values, uid);
	va_start(ap, uid);
	while ((pair = va_arg(ap, const char *))) {
		const char *eq = strchr(pair, '=');
		char *name = strndup(pair, (size_t)(eq - pair));
		size_t i;

		for (i = 0; i < e.nattrs; i++)
			if (!strcmp(attrs[i].name, name))
				break;
		if (i == e.nattrs) {
			attrs[i].name = name;
			e.nattrs++;
		} else {
			free(name);
		}
		strv_push(&attrs[i].values, eq + 1);
	}
	va_end(ap);
	ulogin_plan_have_user(&e, f->plan);
	for (size_t i = 0; i < e.nattrs; i++) {
		if (i)
			free(attrs[i].name);
		strv_free(&attrs[i].values);
	}
	free(dn);
}

/* A roster row: ext, given, surname, role, institution, class, grade,
 * mail (any may be NULL but the first four). */
static void
row(struct fixture *f, size_t line, const char *ext, const char *given,
    const char *sn, const char *role, const char *klass, const char *grade,
    const char *mail)
{
	const struct ulogin_roster_sink *s = ulogin_plan_sink(f->plan);
	struct ulogin_person_row p;

	memset(&p, 0, sizeof(p));
	p.line = line;
	p.external_id = (char *)ext;
	p.given_name = (char *)given;
	p.surname = (char *)sn;
	p.grade = (char *)grade;
	p.mail = (char *)mail;
	strv_push(&p.roles, role);
	strv_push(&p.institutions, "280001");
	if (klass)
		strv_push(&p.classes, klass);
	assert_int_equal(s->person(s->data, &p), 0);
	strv_free(&p.roles);
	strv_free(&p.institutions);
	strv_free(&p.classes);
}

static void
klass(struct fixture *f, const char *name)
{
	const struct ulogin_roster_sink *s = ulogin_plan_sink(f->plan);
	char key[64];

	snprintf(key, sizeof(key), "280001-%s", name);
	assert_int_equal(s->klass(s->data, key, "280001", name, NULL), 0);
}

/* Every step's text, one a line. */
static char *
texts(struct fixture *f)
{
	struct strv all = STRV_INIT;
	char *out;

	for (size_t i = 0; i < ulogin_plan_nsteps(f->plan); i++)
		strv_push_owned(&all, ulogin_plan_step_text(f->plan, i));
	out = strv_join(&all, "\n");
	strv_free(&all);
	return out;
}

static void
compute(void *plan)
{
	ulogin_plan_compute(plan);
}

#define PLAN_IS(f, want) do { \
	char *got_ = texts(f); \
	assert_string_equal(got_, want); \
	free(got_); \
} while (0)

static void
new_people_and_classes(void **state)
{
	struct fixture f;

	start(&f);
	/* anna0001 is taken: the next free number is used. */
	have(&f, "anna0001", "uloginExternalId=X9", "givenName=Anna",
	     "sn=Old", "cn=Anna Old", NULL);
	klass(&f, "5a");
	row(&f, 2, "E1", "Anna", "Berg", "student", "280001-5a", "5", NULL);
	row(&f, 3, "T1", "Kari", "Lund", "teacher", "280001-5a", NULL, NULL);
	row(&f, 4, "P1", "Per", "Berg", "parent", "280001-5a", NULL, NULL);
	ulogin_plan_compute(f.plan);
	PLAN_IS(&f, "+ user anna0002 (Anna Berg; student; 280001; grade 5)\n"
		"+ user kari0001 (Kari Lund; teacher; 280001)\n"
		"+ user per0001 (Per Berg; parent; 280001)\n"
		"+ class 280001-5a (1 student, 1 teacher)");
	assert_int_equal(ulogin_plan_count(f.plan, ULOGIN_STEP_ADD), 3);
	assert_int_equal(ulogin_plan_active(f.plan), 0);
	finish(&f);
}

/* What s1 gives a student of 280001, as the directory records it. */
#define STUDENT_OF_S1 "uloginSourceGrant=s1:role:student", \
	"uloginSourceGrant=s1:institution:280001"

static void
unchanged_changed_and_left(void **state)
{
	struct fixture f;

	start(&f);
	have(&f, "anna0001", "uloginExternalId=E1", "givenName=Anna", "sn=Berg",
	     "cn=Anna Berg", "uloginRole=student", "uloginInstitution=280001",
	     "uloginSource=s1", "uloginSourceKey=s1:E1", STUDENT_OF_S1, NULL);
	have(&f, "bo0001", "uloginExternalId=E2", "givenName=Bo", "sn=Holm",
	     "cn=Bo Holm", "uloginRole=student", "uloginInstitution=280001",
	     "mail=bo@old.dk", "uloginSource=s1", "uloginSourceKey=s1:E2",
	     STUDENT_OF_S1, NULL);
	have(&f, "cy0001", "uloginExternalId=E3", "givenName=Cy", "sn=Dal",
	     "uloginSource=s1", NULL);
	have(&f, "di0001", "uloginExternalId=E4", "givenName=Di", "sn=Eg",
	     "uloginSource=s1", "uloginSource=s2", NULL);
	/* Already left, and someone else's: not touched. */
	have(&f, "ed0001", "uloginExternalId=E5", "uloginSource=s1",
	     "uloginLeftAt=20260101000000Z", NULL);
	have(&f, "fa0001", "uloginExternalId=E6", "uloginSource=s2", NULL);
	row(&f, 2, "E1", "Anna", "Berg", "student", NULL, NULL, NULL);
	row(&f, 3, "E2", "Bo", "Holm", "student", NULL, NULL, "bo@new.dk");
	ulogin_plan_compute(f.plan);
	PLAN_IS(&f, "~ user bo0001: mail\n"
		"- user cy0001 (left: blocked)\n"
		"- user di0001 (detached: another source keeps it)");
	assert_int_equal(ulogin_plan_unchanged(f.plan), 1);
	assert_int_equal(ulogin_plan_active(f.plan), 4);
	finish(&f);
}

static void
leaving_blocks_and_marks(void **state)
{
	struct fixture f;
	struct ulogin_change ch;
	const char *why;

	start(&f);
	have(&f, "cy0001", "uloginExternalId=E3", "uloginSource=s1", NULL);
	ulogin_plan_compute(f.plan);
	assert_int_equal(ulogin_plan_nsteps(f.plan), 1);
	assert_int_equal(ulogin_plan_step_change(f.plan, 0, NULL, &ch, NULL,
						 &why), 0);
	assert_string_equal(ch.dn, "uid=cy0001,ou=people," BASE);
	assert_int_equal(ch.op, ULOGIN_CHANGE_MODIFY);
	for (size_t i = 0; i < ch.nmods; i++)
		if (!strcmp(ch.mods[i].attr, "pwdAccountLockedTime"))
			assert_string_equal(ch.mods[i].values.v[0],
					    "000001010000Z");
		else if (!strcmp(ch.mods[i].attr, "uloginBlockReason"))
			assert_string_equal(ch.mods[i].values.v[0],
				"left: no longer in import source 's1'");
	assert_int_equal(ch.nmods, 5);
	ulogin_change_free(&ch);
	finish(&f);
}

static void
coming_back_unblocks(void **state)
{
	struct fixture f;

	start(&f);
	have(&f, "cy0001", "uloginExternalId=E3", "givenName=Cy", "sn=Dal",
	     "cn=Cy Dal", "uloginRole=student", "uloginInstitution=280001",
	     "uloginSource=s1", "uloginSourceKey=s1:E3", STUDENT_OF_S1,
	     "uloginLeftAt=20260101000000Z",
	     "pwdAccountLockedTime=000001010000Z",
	     "uloginBlockReason=left: no longer in import source 's1'", NULL);
	row(&f, 2, "E3", "Cy", "Dal", "student", NULL, NULL, NULL);
	ulogin_plan_compute(f.plan);
	PLAN_IS(&f, "~ user cy0001: back again");
	finish(&f);
}

static void
another_source_attaches(void **state)
{
	struct fixture f;
	struct ulogin_change ch;
	const char *why;
	int found = 0;

	start(&f);
	have(&f, "kari0001", "uloginExternalId=T1", "givenName=Kari",
	     "sn=Lund", "cn=Kari Lund", "uloginRole=teacher",
	     "uloginInstitution=280002", "uloginSource=s2", NULL);
	row(&f, 2, "T1", "Kari", "Lund", "teacher", NULL, NULL, NULL);
	ulogin_plan_compute(f.plan);
	PLAN_IS(&f, "~ user kari0001: institutions, what the source gives, "
		"sources, source key");
	ulogin_plan_step_change(f.plan, 0, NULL, &ch, NULL, &why);
	/* A shared user only gains values. */
	for (size_t i = 0; i < ch.nmods; i++) {
		assert_int_equal(ch.mods[i].op, ULOGIN_MOD_ADD);
		found += !strcmp(ch.mods[i].attr, "uloginInstitution");
	}
	assert_int_equal(found, 1);
	ulogin_change_free(&ch);
	finish(&f);
}

struct deliver {
	struct fixture *f;
	struct ulogin_person_row *p;
};

static void
deliver(void *arg)
{
	struct deliver *d = arg;
	const struct ulogin_roster_sink *s = ulogin_plan_sink(d->f->plan);

	s->person(s->data, d->p);
}

static void
bad_rows_are_skipped(void **state)
{
	struct fixture f;
	struct ulogin_person_row p;
	struct deliver d = { &f, &p };
	char *err;

	start(&f);
	have(&f, "zed0001", "uloginExternalId=Z1", NULL);
	row(&f, 2, "E1", "Anna", "Berg", "student", NULL, NULL, NULL);
	memset(&p, 0, sizeof(p));
	p.line = 3;
	p.external_id = "E1";
	p.given_name = "Anna";
	p.surname = "Twin";
	p.username = "zed0001";	/* taken by Z1 */
	strv_push(&p.roles, "student");
	strv_push(&p.institutions, "280001");
	err = capture(stderr, deliver, &d);
	assert_string_equal(err, "roster.csv:3: key=E1: duplicate key: the "
			    "same external id is on line 2\n");
	free(err);
	p.external_id = "E7";
	free(capture(stderr, deliver, &d));
	strv_free(&p.roles);
	strv_free(&p.institutions);
	err = capture(stderr, compute, f.plan);
	assert_string_equal(err, "roster.csv:3: key=E7: username 'zed0001' "
			    "belongs to another user (external id Z1)\n");
	free(err);
	assert_int_equal(ulogin_plan_bad_rows(f.plan), 2);
	assert_int_equal(ulogin_plan_count(f.plan, ULOGIN_STEP_ADD), 1);
	finish(&f);
}

static void
class_moves(void **state)
{
	struct fixture f;
	struct ulogin_attr attrs[4];
	struct ulogin_entry e = { "cn=280001-5a,ou=classes," BASE, attrs, 4 };

	start(&f);
	have(&f, "anna0001", "uloginExternalId=E1", "givenName=Anna", "sn=Berg",
	     "cn=Anna Berg", "uloginRole=student", "uloginInstitution=280001",
	     "uloginSource=s1", "uloginSourceKey=s1:E1", STUDENT_OF_S1, NULL);
	memset(attrs, 0, sizeof(attrs));
	attrs[0].name = "cn";
	strv_push(&attrs[0].values, "280001-5a");
	attrs[1].name = "member";
	strv_push(&attrs[1].values, "uid=anna0001,ou=people," BASE);
	/* Someone no source manages stays a member. */
	strv_push(&attrs[1].values, "uid=manual,ou=people," BASE);
	attrs[2].name = "uloginSource";
	strv_push(&attrs[2].values, "s1");
	attrs[3].name = "uloginGrade";
	strv_push(&attrs[3].values, "5");
	have(&f, "manual", "givenName=Man", NULL);
	ulogin_plan_have_class(&e, f.plan);
	klass(&f, "5a");
	klass(&f, "6b");
	row(&f, 2, "E1", "Anna", "Berg", "student", "280001-6b", NULL, NULL);
	row(&f, 3, "T1", "Kari", "Lund", "teacher", "280001-5a", NULL, NULL);
	ulogin_plan_compute(f.plan);
	PLAN_IS(&f, "+ user kari0001 (Kari Lund; teacher; 280001)\n"
		"~ class 280001-5a: +0 -1 students, +1 -0 teachers\n"
		"+ class 280001-6b (1 student, 0 teachers)");
	finish(&f);
	/* A class the roster no longer has goes. */
	start(&f);
	ulogin_plan_have_class(&e, f.plan);
	ulogin_plan_compute(f.plan);
	PLAN_IS(&f, "- class 280001-5a");
	for (size_t i = 0; i < 4; i++)
		strv_free(&attrs[i].values);
	finish(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_people_and_classes),
		cmocka_unit_test(unchanged_changed_and_left),
		cmocka_unit_test(leaving_blocks_and_marks),
		cmocka_unit_test(coming_back_unblocks),
		cmocka_unit_test(another_source_attaches),
		cmocka_unit_test(bad_rows_are_skipped),
		cmocka_unit_test(class_moves),
	};

	ulogin_set_program("ulogin-test");
	return RUN_TAP(tests);
}
