/* Roster CSV: every edge case of the exports, and files that cannot be
 * read whole. */
#include "unit.h"
#include <sys/stat.h>
#include "msg.h"
#include "roster.h"

/* Rows as "line:field|field|..." lines; a row that is not whole as
 * "line!why". */
static int
collect(const struct ulogin_row *row, void *data)
{
	struct strv *out = data;
	char *joined = strv_join(row->fields, "|");

	if (row->why)
		strv_push_owned(out, xasprintf("%zu!%s", row->line, row->why));
	else
		strv_push_owned(out, xasprintf("%zu:%s", row->line, joined));
	free(joined);
	return 0;
}

static char *
read_text(const char *text, size_t len, const char *encoding, char delim,
	  int *rc, struct ulogin_roster_error *err)
{
	struct ulogin_roster_opts o = { encoding, delim };
	struct strv rows = STRV_INIT;
	char *path = strdup("/tmp/ulogin-roster-XXXXXX"), *out;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	fwrite(text, 1, len, f);
	fclose(f);
	*rc = ulogin_roster_read(path, &o, collect, &rows, err);
	unlink(path);
	free(path);
	out = strv_join(&rows, "\n");
	strv_free(&rows);
	return out;
}

#define READ(text, enc, delim, want) do { \
	struct ulogin_roster_error err_; \
	int rc_; \
	char *got_ = read_text(text, sizeof(text) - 1, enc, delim, &rc_, \
			       &err_); \
	if (rc_) \
		fail_msg("rc %d: %s", rc_, err_.message); \
	assert_string_equal(got_, want); \
	free(got_); \
	free(err_.message); \
} while (0)

#define BROKEN(text, enc, want_line, want_msg) do { \
	struct ulogin_roster_error err_; \
	int rc_; \
	char *got_ = read_text(text, sizeof(text) - 1, enc, 0, &rc_, &err_); \
	assert_int_equal(rc_, 65); \
	assert_int_equal(err_.line, want_line); \
	assert_non_null(strstr(err_.message, want_msg)); \
	free(got_); \
	free(err_.message); \
} while (0)

static void
plain_and_crlf(void **state)
{
	READ("a,b\n1,2\n3,4\n", NULL, 0, "2:1|2\n3:3|4");
	READ("a,b\r\n1,2\r\n", NULL, 0, "2:1|2");
	READ("a,b\n1,2", NULL, 0, "2:1|2");	/* no final newline */
	READ("a,b\n\n1,2\n\n", NULL, 0, "3:1|2");	/* blank lines */
}

static void
quoting(void **state)
{
	/* Delimiters, doubled quotes and newlines inside quotes. */
	READ("name,note\n\"Hansen, Søren\",\"He said \"\"hi\"\"\"\n",
	     NULL, 0, "2:Hansen, Søren|He said \"hi\"");
	READ("a,b\n\"two\nlines\",x\n3,4\n", NULL, 0,
	     "2:two\nlines|x\n4:3|4");
	/* Spaces are data (RFC 4180): nothing is trimmed. */
	READ("a,b\n  x , y \n", NULL, 0, "2:  x | y ");
	READ("a,b\n,\n", NULL, 0, "2:|");
}

static void
bom_and_delimiters(void **state)
{
	READ("\xef\xbb\xbf" "a;b\n1;2,5\n", NULL, 0, "2:1|2,5");
	READ("a\tb\n1\t2\n", NULL, 0, "2:1|2");
	READ("a;b\n1;2\n", NULL, ',', "2:1;2");	/* declared wins */
	assert_int_equal(ulogin_roster_detect_delimiter("a,\"b;c;d\",e"), ',');
	assert_int_equal(ulogin_roster_detect_delimiter("a;b;c,d"), ';');
	assert_int_equal(ulogin_roster_detect_delimiter("x"), ',');
}

static void
legacy_encodings(void **state)
{
	/* Windows-1252: ø is 0xF8, € is 0x80. */
	READ("navn;note\nS\xf8ren;5\x80\n", "windows-1252", 0,
	     "2:Søren|5€");
	READ("navn\n\xc5se\n", "iso-8859-1", 0, "2:Åse");
}

static void
broken_files(void **state)
{
	/* A Windows-1252 file read as UTF-8: named, with the line. */
	BROKEN("navn\nS\xf8ren\n", NULL, 2, "not valid UTF-8");
	/* A quote that is never closed. */
	BROKEN("a,b\n1,2\n\"3,4\n", NULL, 3, "quoted field");
	/* Text after a closing quote. */
	BROKEN("a,b\n\"x\"y,2\n", NULL, 2, "CSV is broken");
	BROKEN("", NULL, 1, "no header");
	BROKEN("a,,c\n1,2,3\n", NULL, 1, "column 2 of the header has no name");
	BROKEN("id,ID\n1,2\n", NULL, 1, "appears twice");
}

static void
rows_not_whole(void **state)
{
	/* Fewer or more fields than the header: delivered as not whole,
	 * and the rows around them as they are. */
	READ("a,b,c\n1,2\n3,4,5\n6,7,8,9\n", NULL, 0,
	     "2!the row has 2 fields, the header has 3\n"
	     "3:3|4|5\n"
	     "4!the row has 4 fields, the header has 3");
	READ("a,b\n1\n", NULL, 0, "2!the row has 1 field, the header has 2");
	/* A quoted line break is inside a field: the row is whole. */
	READ("a,b\n\"1\n2\",3\n", NULL, 0, "2:1\n2|3");
	/* A trailing delimiter is one more (empty) field. */
	READ("a,b\n1,2,\n", NULL, 0, "2!the row has 3 fields, the header has 2");
}

static void
nul_bytes(void **state)
{
	/* A NUL is refused at its line, in UTF-8 and in a legacy encoding
	 * (where it used to cut the field short). */
	BROKEN("a,b\n1,2\n3\0x,4\n", NULL, 3, "NUL byte");
	BROKEN("a,b\n1,2\n3\0x,4\n", "windows-1252", 3, "NUL byte");
	BROKEN("\xff\xfea\0,\0b\0\n\0", NULL, 1, "UTF-16");
}

static void
named_columns(void **state)
{
	struct strv header = STRV_INIT, fields = STRV_INIT;
	struct ulogin_row row = { 2, &header, &fields };

	strv_push(&header, "Username");
	strv_push(&header, "grade");
	strv_push(&fields, "soer0001");
	strv_push(&fields, "5");
	assert_string_equal(ulogin_row_get(&row, "username"), "soer0001");
	assert_string_equal(ulogin_row_get(&row, "GRADE"), "5");
	assert_null(ulogin_row_get(&row, "mail"));
	strv_free(&header);
	strv_free(&fields);
}

static int
stop_at_second(const struct ulogin_row *row, void *data)
{
	return ++*(int *)data == 2 ? 42 : 0;
}

static void
callback_stops(void **state)
{
	struct ulogin_roster_opts o = { NULL, 0 };
	struct ulogin_roster_error err;
	char *path = temp_file("a\n1\n2\n3\n");
	int seen = 0;

	assert_int_equal(ulogin_roster_read(path, &o, stop_at_second, &seen,
					    &err), 42);
	assert_int_equal(seen, 2);
	unlink(path);
	free(path);
	assert_int_equal(ulogin_roster_read("/nonexistent.csv", &o,
					    stop_at_second, &seen, &err), 66);
	free(err.message);
}

static void
mobile_numbers(void **state)
{
	const struct {
		const char *in, *country, *want;
	} ok[] = {
		{ "12 34 56 78", "+45", "+4512345678" },
		{ "+45 12-34-56-78", "+45", "+4512345678" },
		{ "0046 (70) 123.45.67", "+45", "+46701234567" },
		{ "+47 912 34 567", NULL, "+4791234567" },
	};
	const char *bad[] = { "12ab5678", "+45 1", "1234567890123456789",
			      "++4512345678" };
	const char *why;

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		char *got = ulogin_mobile_e164(ok[i].in, ok[i].country, &why);

		assert_non_null(got);
		assert_string_equal(got, ok[i].want);
		free(got);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		assert_null(ulogin_mobile_e164(bad[i], "+45", &why));
		assert_non_null(why);
	}
	/* No country code anywhere: refused, not guessed. */
	assert_null(ulogin_mobile_e164("12345678", NULL, &why));
	/* No country code starts with 0; a trunk 0 is not dropped by
	 * guessing. */
	assert_null(ulogin_mobile_e164("+045 12345678", "+45", &why));
	assert_string_equal(why, "no country code starts with 0");
	assert_null(ulogin_mobile_e164("070 123 45 67", "+46", &why));
	assert_non_null(strstr(why, "needs its country code"));
	/* Nothing but the number: no line break, no letters, no second +. */
	assert_null(ulogin_mobile_e164("12345678\r\nBcc: x", "+45", &why));
	assert_null(ulogin_mobile_e164("+45 1234+5678", "+45", &why));
	assert_null(ulogin_mobile_e164("", "+45", &why));
}

static void
text_checks(void **state)
{
	const struct {
		const char *in, *want;
	} cases[] = {
		{ "Søren Ærø", NULL },
		{ "O'Hara-Nielsen", NULL },
		{ "Zoe\xcc\x88", NULL },		/* combining diaeresis */
		{ "\xd8\xb9\xd9\x84\xd9\x8a", NULL },	/* Arabic letters */
		{ "Anna\nMarie", "a line break" },
		{ "Anna\r", "a line break" },
		{ "Anna\xc2\x85", "a line break" },	/* U+0085 NEL */
		{ "a\xe2\x80\xa8", "a line break" },	/* U+2028 */
		{ "Anna\t", "a control character" },
		{ "\x1b[31mAnna", "a control character" },
		{ "Anna\x7f", "a control character" },
		{ "Anna\xc2\x9b", "a control character" },	/* C1 CSI */
		{ "\xe2\x80\xae" "anna", "a bidirectional control character" },
		{ "\xe2\x80\xaa", "a bidirectional control character" },
		{ "x\xe2\x81\xa6y", "a bidirectional control character" },
		{ "x\xe2\x81\xa9", "a bidirectional control character" },
		{ "\xe2\x80\xa9", "a line break" },	/* U+2029 */
		{ "x\xe2\x80\xaf", NULL },	/* U+202F: a narrow space */
		{ "x\xe2\x81\xa5", NULL },	/* U+2065: unassigned */
	};
	const char *got;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		got = ulogin_text_unsafe(cases[i].in);
		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_null(got);
	}
	assert_true(ulogin_text_blank(""));
	assert_true(ulogin_text_blank("   "));
	assert_true(ulogin_text_blank(" \xc2\xa0 "));
	assert_false(ulogin_text_blank(" a "));
	assert_false(ulogin_text_blank("\xc2"));
}

static void
mail_addresses(void **state)
{
	const char *good[] = {
		"anna@example.dk", "anna.marie+skole@example.org",
		"o'hara@x.dk", "a_b-c@sub.example.dk", "x@localhost",
	};
	const struct {
		const char *in, *want;
	} bad[] = {
		{ "a@b.dk\r\nBcc: x@y.dk",
		  "a line break or another control character" },
		{ "Anna Berg <anna@example.dk>",
		  "give the address alone, without a name or <>" },
		{ "<anna@example.dk>",
		  "give the address alone, without a name or <>" },
		{ "jens.example.dk", "no '@'" },
		{ "@example.dk", "nothing before the '@'" },
		{ "anna@", "no domain after the '@'" },
		{ "a@b@example.dk", "more than one '@'" },
		{ "anna berg@example.dk",
		  "not an address of the form name@example.dk" },
		{ "anna@example.dk (Anna)",
		  "not an address of the form name@example.dk" },
		{ "\"anna\"@example.dk",
		  "not an address of the form name@example.dk" },
		{ "anna,bo@example.dk",
		  "not an address of the form name@example.dk" },
		{ ".anna@example.dk", "a dot at the start or end of a part, "
		  "or two in a row" },
		{ "anna..b@example.dk", "a dot at the start or end of a part, "
		  "or two in a row" },
		{ "anna@example.dk.", "a dot at the start or end of a part, "
		  "or two in a row" },
		{ "søren@example.dk", "a mail address is ASCII only (give a "
		  "domain in its xn-- form)" },
	};
	char local[80];

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_null(ulogin_mail_invalid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_string_equal(ulogin_mail_invalid(bad[i].in),
				    bad[i].want);
	/* RFC 5321: 64 characters before the '@' at most. */
	memset(local, 'a', 65);
	strcpy(local + 65, "@x.dk");
	assert_string_equal(ulogin_mail_invalid(local),
			    "more than 64 characters before the '@'");
	strcpy(local + 64, "@x.dk");
	assert_null(ulogin_mail_invalid(local));
}

static void
grades(void **state)
{
	const struct {
		const char *in, *want;
	} cases[] = {
		{ "7", "7" }, { "07", "7" }, { "0", "0" }, { "00", "0" },
		{ "10", "10" }, { "KG", "0" }, { "kg", "0" }, { "g1", "g1" },
		{ "G3", "g3" },
		{ "11", NULL }, { "007", NULL }, { "x", NULL }, { "", NULL },
		{ " 7", NULL }, { "-1", NULL }, { "+7", NULL }, { "g4", NULL },
		{ "PK", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = ulogin_grade_normal(cases[i].in);

		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_null(got);
		free(got);
	}
	assert_null(ulogin_grade_normal(NULL));
}

static void
national_id_hmac(void **state)
{
	static const char key[] = "test-key-0123456789abcdef0123456789abcdef";
	/* From OpenSSL's own tool:
	 * printf 0101001234 | openssl dgst -sha256 -hmac "$key" */
	static const char want[] =
		"04403dfd64313e34c8b89de6e9dd7f8cbb83cc6686e5fb0c64feffe41f44e589";
	const char *why;
	char *a = ulogin_nid_hmac("010100-1234", (const unsigned char *)key,
				  strlen(key), &why);
	char *b = ulogin_nid_hmac("0101001234", (const unsigned char *)key,
				  strlen(key), &why);

	assert_string_equal(a, want);
	assert_string_equal(b, want);	/* with or without the dash */
	assert_null(ulogin_nid_hmac("010100-123", (const unsigned char *)key,
				    strlen(key), &why));
	assert_null(ulogin_nid_hmac("010100-12345", (const unsigned char *)key,
				    strlen(key), &why));
	assert_null(ulogin_nid_hmac("01x100-1234", (const unsigned char *)key,
				    strlen(key), &why));
	free(a);
	free(b);
}

static void
key_files(void **state)
{
	unsigned char *key = NULL;
	size_t len = 0;
	char *good = temp_file("0123456789abcdef0123456789abcdef0123\n");
	char *shortk = temp_file("tooshort\n");

	chmod(good, 0600);
	chmod(shortk, 0600);
	assert_int_equal(ulogin_key_load(good, &key, &len), 0);
	assert_int_equal(len, 36);
	ulogin_key_free(key, len);
	assert_int_equal(ulogin_key_load(shortk, &key, &len), 78);
	chmod(good, 0644);	/* readable by others: refused */
	assert_int_equal(ulogin_key_load(good, &key, &len), 78);
	unlink(good);
	unlink(shortk);
	free(good);
	free(shortk);
}

/* The shipped mapping, and rows through it. */
static void
mapping_and_rows(void **state)
{
	static const char key[] = "test-key-0123456789abcdef0123456789abcdef";
	const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
	struct ulogin_mapping m;
	struct strv header = STRV_INIT, fields = STRV_INIT;
	struct ulogin_row row = { 7, &header, &fields };
	struct ulogin_person_row p;
	const char *cols[] = { "elevid", "Fornavn", "Efternavn", "Rolle",
		"Institution", "Brugernavn", "Klasser", "Klassetrin", "Email",
		"Mobil", "CPR", "Forældre" };
	const char *vals[] = { "BAK-1", "Søren", "O'Hara", "Elev",
		"280001, 280002", "", "5a,", "5", "s@example.dk",
		"12 34 56 78", "010100-1234", "P-1,P-2" };
	char *path, *why = NULL;

	assert_true(asprintf(&path, "%s/data/roster-map.yaml", srcdir) > 0);
	assert_int_equal(ulogin_mapping_load(path, &m), 0);
	free(path);
	for (size_t i = 0; i < 12; i++) {
		strv_push(&header, cols[i]);
		strv_push(&fields, vals[i]);
	}
	assert_null(ulogin_mapping_missing(&m, &header));
	assert_int_equal(ulogin_row_person(&m, &row,
					   (const unsigned char *)key,
					   strlen(key), &p, &why), 0);
	assert_int_equal(p.line, 7);
	assert_string_equal(p.external_id, "BAK-1");
	assert_string_equal(p.given_name, "Søren");
	assert_string_equal(p.roles.v[0], "student");
	assert_int_equal(p.institutions.n, 2);
	assert_string_equal(p.institutions.v[1], "280002");
	assert_int_equal(p.classes.n, 1);
	assert_null(p.username);		/* empty: to be generated */
	assert_string_equal(p.mobile, "+4512345678");
	assert_string_equal(p.nid_hmac,
		"04403dfd64313e34c8b89de6e9dd7f8cbb83cc6686e5fb0c64feffe41f44e589");
	assert_int_equal(p.parents.n, 2);
	ulogin_person_row_free(&p);

	/* Bad rows: each says why, and never repeats a national ID. */
	free(fields.v[3]);
	fields.v[3] = strdup("Rektor");
	assert_int_equal(ulogin_row_person(&m, &row,
		(const unsigned char *)key, strlen(key), &p, &why), -1);
	assert_string_equal(why, "unknown role 'Rektor'");
	free(why);
	free(fields.v[3]);
	fields.v[3] = strdup("Elev");
	free(fields.v[1]);
	fields.v[1] = strdup("");
	assert_int_equal(ulogin_row_person(&m, &row,
		(const unsigned char *)key, strlen(key), &p, &why), -1);
	assert_string_equal(why, "no given name (column 'Fornavn' is empty)");
	free(why);
	free(fields.v[1]);
	fields.v[1] = strdup("Søren");
	free(fields.v[10]);
	fields.v[10] = strdup("0101-001234x");
	assert_int_equal(ulogin_row_person(&m, &row,
		(const unsigned char *)key, strlen(key), &p, &why), -1);
	assert_null(strstr(why, "0101"));
	free(why);
	free(fields.v[10]);
	fields.v[10] = strdup("");
	free(fields.v[7]);
	fields.v[7] = strdup("11");
	assert_int_equal(ulogin_row_person(&m, &row, NULL, 0, &p, &why), -1);
	assert_string_equal(why, "bad grade '11' (0-10 or g1-g3)");
	free(why);
	free(fields.v[7]);
	fields.v[7] = strdup("05");
	assert_int_equal(ulogin_row_person(&m, &row, NULL, 0, &p, &why), 0);
	assert_string_equal(p.grade, "5");	/* one form for both formats */
	ulogin_person_row_free(&p);

	/* A header without a mapped column. */
	free(header.v[2]);
	header.v[2] = strdup("Slægtsnavn");
	assert_string_equal(ulogin_mapping_missing(&m, &header), "Efternavn");
	strv_free(&header);
	strv_free(&fields);
	ulogin_mapping_free(&m);
}

/* A row of the given cells under the header "id,given,sn,role,inst,
 * mail,mobile,grade"; returns what ulogin_row_person returned. */
static int
person_of(const struct ulogin_mapping *m, const char *const *cells,
	  struct ulogin_person_row *p, char **why)
{
	static const char *const cols[] = {
		"id", "given", "sn", "role", "inst", "mail", "mobile", "grade"
	};
	struct strv header = STRV_INIT, fields = STRV_INIT;
	struct ulogin_row row = { 3, &header, &fields, NULL };
	int rc;

	for (size_t i = 0; i < 8; i++) {
		strv_push(&header, cols[i]);
		strv_push(&fields, cells[i]);
	}
	rc = ulogin_row_person(m, &row, NULL, 0, p, why);
	strv_free(&header);
	strv_free(&fields);
	return rc;
}

#define PERSON_BAD(m, want, ...) do { \
	const char *const cells_[] = { __VA_ARGS__ }; \
	struct ulogin_person_row p_; \
	char *why_; \
	assert_int_equal(person_of(m, cells_, &p_, &why_), -1); \
	assert_string_equal(why_, want); \
	free(why_); \
} while (0)

#define MANAGES(p, f) (((p).managed & ULOGIN_FIELD_BIT(ULOGIN_F_##f)) != 0)

static void
empty_rules_and_clean_values(void **state)
{
	struct ulogin_mapping m;
	struct ulogin_person_row p;
	char *why;
	char *path = temp_file("columns:\n  external_id: id\n"
		"  given_name: given\n  surname: sn\n  role: role\n"
		"  institution: inst\n  mail: mail\n  grade: grade\n"
		"empty:\n  grade: clear\n  mail: keep\n");
	const char *const full[] = { "E1", "Anna", "Berg", "student",
				     "280001", "a@b.dk", "1234", "07" };
	const char *const empty[] = { "E1", "Anna", "Berg", "student",
				      "280001", "", "", "" };

	assert_int_equal(ulogin_mapping_load(path, &m), 0);
	unlink(path);
	free(path);

	/* The mapped fields are managed; mobile is not (no column), so its
	 * cell is not even read. */
	assert_int_equal(person_of(&m, full, &p, &why), 0);
	assert_true(MANAGES(p, MAIL) && MANAGES(p, GRADE) &&
		    MANAGES(p, GIVEN_NAME));
	assert_false(MANAGES(p, MOBILE) || MANAGES(p, PARENTS));
	assert_null(p.mobile);
	assert_string_equal(p.grade, "7");
	ulogin_person_row_free(&p);

	/* Empty: the grade is cleared (managed, none), the mail kept (not
	 * managed in this row). */
	assert_int_equal(person_of(&m, empty, &p, &why), 0);
	assert_true(MANAGES(p, GRADE));
	assert_null(p.grade);
	assert_false(MANAGES(p, MAIL));
	assert_null(p.mail);
	ulogin_person_row_free(&p);

	/* Without a rule, an empty cell is a bad row. */
	m.empty[ULOGIN_F_MAIL] = ULOGIN_EMPTY_REFUSE;
	PERSON_BAD(&m, "no mail address (column 'mail' is empty; the mapping "
		   "does not say empty: clear)",
		   "E1", "Anna", "Berg", "student", "280001", "", "", "");

	/* Control characters, in any mapped value; blank required ones. */
	PERSON_BAD(&m, "column 'given' holds a line break",
		   "E1", "Anna\nMarie", "Berg", "student", "280001", "a@b.dk",
		   "", "");
	PERSON_BAD(&m, "column 'sn' holds a bidirectional control character",
		   "E1", "Anna", "\xe2\x80\xaegreB", "student", "280001",
		   "a@b.dk", "", "");
	PERSON_BAD(&m, "column 'id' holds a control character",
		   "E\x1b" "1", "Anna", "Berg", "student", "280001", "a@b.dk",
		   "", "");
	PERSON_BAD(&m, "column 'mail' holds a line break",
		   "E1", "Anna", "Berg", "student", "280001",
		   "a@b.dk\r\nBcc: x@y.dk", "", "");
	PERSON_BAD(&m, "no surname (column 'sn' is blank)",
		   "E1", "Anna", "   ", "student", "280001", "a@b.dk", "", "");
	PERSON_BAD(&m, "no institution (column 'inst' has only separators)",
		   "E1", "Anna", "Berg", "student", ", ,", "a@b.dk", "", "");
	PERSON_BAD(&m, "no role (column 'role' has only separators)",
		   "E1", "Anna", "Berg", ",", "280001", "a@b.dk", "", "");
	PERSON_BAD(&m, "bad mail address 'Anna <a@b.dk>': give the address "
		   "alone, without a name or <>",
		   "E1", "Anna", "Berg", "student", "280001", "Anna <a@b.dk>",
		   "", "");
	PERSON_BAD(&m, "bad grade '007' (0-10 or g1-g3)",
		   "E1", "Anna", "Berg", "student", "280001", "a@b.dk", "",
		   "007");
	ulogin_mapping_free(&m);
}

static void
bad_mappings(void **state)
{
	struct ulogin_mapping m;
	char *a = temp_file("columns:\n  given_name: F\n  colour: X\n");
	char *b = temp_file("columns:\n  given_name: F\n");
	char *c = temp_file("columns:\n  external_id: A\n  given_name: B\n"
			    "  surname: C\n  role: D\n  institution: E\n"
			    "roles:\n  Elev: pupil\n");

	/* "empty:" rules: only for the optional single values, only
	 * clear, keep or refuse, and a national ID hash is never cleared;
	 * a country code is + and 1-3 digits. */
	const char *const worse[] = {
		"empty:\n  given_name: clear\n",
		"empty:\n  classes: clear\n",
		"empty:\n  mail: maybe\n",
		"empty:\n  national_id: clear\n",
		"empty: clear\n",
		"country_code: \"+045\"\n",
		"country_code: \"+4x\"\n",
		"country_code: \"+\"\n",
		"country_code: \"+12345\"\n",
	};

	assert_int_equal(ulogin_mapping_load(a, &m), 78);
	assert_int_equal(ulogin_mapping_load(b, &m), 78);
	assert_int_equal(ulogin_mapping_load(c, &m), 78);
	unlink(a);
	unlink(b);
	unlink(c);
	free(a);
	free(b);
	free(c);
	for (size_t i = 0; i < sizeof(worse) / sizeof(*worse); i++) {
		char *text = xasprintf("columns:\n  external_id: A\n"
			"  given_name: B\n  surname: C\n  role: D\n"
			"  institution: E\n  national_id: F\n%s", worse[i]);
		char *path = temp_file(text);

		assert_int_equal(ulogin_mapping_load(path, &m), 78);
		unlink(path);
		free(path);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_and_crlf),
		cmocka_unit_test(quoting),
		cmocka_unit_test(bom_and_delimiters),
		cmocka_unit_test(legacy_encodings),
		cmocka_unit_test(broken_files),
		cmocka_unit_test(rows_not_whole),
		cmocka_unit_test(nul_bytes),
		cmocka_unit_test(named_columns),
		cmocka_unit_test(callback_stops),
		cmocka_unit_test(mobile_numbers),
		cmocka_unit_test(text_checks),
		cmocka_unit_test(mail_addresses),
		cmocka_unit_test(grades),
		cmocka_unit_test(national_id_hmac),
		cmocka_unit_test(key_files),
		cmocka_unit_test(mapping_and_rows),
		cmocka_unit_test(empty_rules_and_clean_values),
		cmocka_unit_test(bad_mappings),
	};

	ulogin_set_program("ulogin-test");
	return RUN_TAP(tests);
}
