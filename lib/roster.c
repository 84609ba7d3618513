#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <csv.h>
#include <yaml.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "account.h"
#include "config.h"
#include "exitcodes.h"
#include "msg.h"
#include "prompt.h"
#include "roster.h"
#include "rules.h"
#include "strmap.h"
#include "banned.h"

struct reader {
	struct strv header;
	struct strv fields;
	int have_header;
	size_t line;		/* the physical line being fed */
	size_t row_line;	/* where the current record started */
	size_t pending_line;	/* where the next record starts */
	size_t offset;		/* byte offset of that physical line */
	int row_started;
	ulogin_row_fn fn;
	void *data;
	int rc;			/* what fn returned, or our error */
	struct ulogin_roster_error *err;
};

static void
fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->rc)
		return;
	va_start(ap, fmt);
	r->err->message = xvasprintf(fmt, ap);
	va_end(ap);
	r->err->line = r->row_line;
	r->err->offset = r->offset;
	r->rc = ULOGIN_EX_DATAERR;
}

static void
on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;

	if (r->rc)
		return;
	if (!r->row_started) {
		r->row_started = 1;
		r->row_line = r->pending_line;
	}
	strv_push_owned(&r->fields, xstrndup(s ? s : "", len));
}

static int
valid_header(struct reader *r)
{
	for (size_t i = 0; i < r->fields.n; i++) {
		if (!*r->fields.v[i]) {
			fail(r, "column %zu of the header has no name", i + 1);
			return 0;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(r->fields.v[i], r->fields.v[j])) {
				fail(r, "column '%s' appears twice in the "
				     "header", r->fields.v[i]);
				return 0;
			}
	}
	return 1;
}

static void
on_row(int c, void *data)
{
	struct reader *r = data;
	struct ulogin_row row;
	char *why = NULL;

	if (r->rc)
		goto reset;
	if (!r->row_started)
		r->row_line = r->pending_line;
	/* A blank line is one empty field: skip it. */
	if (r->fields.n == 1 && !*r->fields.v[0])
		goto reset;
	if (!r->have_header) {
		if (valid_header(r)) {
			r->header = r->fields;
			memset(&r->fields, 0, sizeof(r->fields));
			r->have_header = 1;
		}
		goto reset;
	}
	row.line = r->row_line;
	row.header = &r->header;
	row.fields = &r->fields;
	row.why = NULL;
	/* Values that moved a column, or a row cut short, must not reach
	 * the directory (an empty mail column would remove the mail). */
	if (r->fields.n != r->header.n)
		row.why = why = xasprintf("the row has %zu field%s, the "
					  "header has %zu", r->fields.n,
					  r->fields.n == 1 ? "" : "s",
					  r->header.n);
	r->rc = r->fn(&row, r->data);
	free(why);
reset:
	strv_free(&r->fields);
	r->row_started = 0;
	(void)c;
}

/* RFC 4180: spaces are data, so libcsv must not trim any. */
static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

char
ulogin_roster_detect_delimiter(const char *line)
{
	size_t comma = 0, semi = 0, tab = 0;
	int quoted = 0;

	for (const char *p = line; *p && *p != '\n'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			comma++;
		else if (!quoted && *p == ';')
			semi++;
		else if (!quoted && *p == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

static int
valid_utf8(const char *text, size_t len)
{
	char *z;
	int ok;

	z = xstrndup(text, len);
	ok = ulogin_utf8_length(z) >= 0;
	free(z);
	return ok;
}

/* Convert one line of a single-byte legacy encoding to UTF-8. */
static char *
to_utf8(iconv_t cd, const char *in, size_t len, size_t *out_len)
{
	size_t left = len, room = len * 3 + 1;
	char *out = xmalloc(room), *o = out, *i = (char *)in;

	if (iconv(cd, &i, &left, &o, &room) == (size_t)-1) {
		free(out);
		return NULL;
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

int
ulogin_roster_read(const char *path, const struct ulogin_roster_opts *o,
		   ulogin_row_fn fn, void *data,
		   struct ulogin_roster_error *err)
{
	struct csv_parser p;
	struct reader r;
	iconv_t cd = (iconv_t)-1;
	char *line = NULL;
	size_t alloc = 0;
	ssize_t n;
	FILE *f;

	memset(err, 0, sizeof(*err));
	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.data = data;
	r.err = err;
	if (!(f = fopen(path, "rb"))) {
		err->message = xasprintf("cannot open '%s': %s", path,
					 strerror(errno));
		return ULOGIN_EX_NOINPUT;
	}
	if (o->encoding && strcasecmp(o->encoding, "utf-8") &&
	    strcasecmp(o->encoding, "utf8")) {
		if (strcasecmp(o->encoding, "windows-1252") &&
		    strcasecmp(o->encoding, "iso-8859-1")) {
			fclose(f);
			err->message = xasprintf("unknown encoding '%s' (use "
				"utf-8, windows-1252 or iso-8859-1)",
				o->encoding);
			return ULOGIN_EX_USAGE;
		}
		cd = iconv_open("UTF-8", o->encoding);
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		fclose(f);
		err->message = xstrdup("cannot start the CSV parser");
		return ULOGIN_EX_SOFTWARE;
	}
	csv_set_space_func(&p, no_space);
	/* Fed a physical line at a time: a quoted newline simply leaves
	 * libcsv inside the field until the next line. */
	while (!r.rc && (n = getline(&line, &alloc, f)) >= 0) {
		char *text = line, *converted = NULL;
		size_t len = (size_t)n;

		r.line++;
		if (r.line == 1 && len >= 3 &&
		    !memcmp(text, "\xef\xbb\xbf", 3)) {
			text += 3;	/* the BOM is not data */
			len -= 3;
		}
		/* A NUL is in no text: the file is damaged (a crash can
		 * leave a tail of zeros) or UTF-16.  Refused whole, as a cut
		 * export would make leavers of everyone after it. */
		if (memchr(text, '\0', len)) {
			r.row_line = r.line;
			fail(&r, "the line holds a NUL byte: the file is "
			     "damaged, or not text (UTF-16? save it as "
			     "UTF-8)");
			break;
		}
		if (cd != (iconv_t)-1) {
			if (!(converted = to_utf8(cd, text, len, &len))) {
				r.row_line = r.line;
				fail(&r, "cannot convert from %s", o->encoding);
				break;
			}
			text = converted;
		} else if (!valid_utf8(text, len)) {
			r.row_line = r.line;
			fail(&r, "the text is not valid UTF-8; if the file is "
			     "from an older system, give --encoding "
			     "windows-1252");
			break;
		}
		/* Between records, a record starts on this line (a quoted
		 * field may run over several). */
		if (p.pstate == 0)
			r.pending_line = r.line;
		if (r.line == 1)
			csv_set_delim(&p, (unsigned char)(o->delimiter
				? o->delimiter
				: ulogin_roster_detect_delimiter(text)));
		if (csv_parse(&p, text, len, on_field, on_row, &r) != len &&
		    !r.rc) {
			if (!r.row_started)
				r.row_line = r.pending_line;
			fail(&r, "the CSV is broken (%s): check the quotes",
			     csv_strerror(csv_error(&p)));
		}
		free(converted);
		r.offset += (size_t)n;
	}
	if (!r.rc && csv_fini(&p, on_field, on_row, &r) != 0) {
		r.row_line = r.pending_line;
		fail(&r, "the file ends inside a quoted field: check the "
		     "quotes");
	}
	if (!r.rc && !r.have_header) {
		r.row_line = 1;
		fail(&r, "the file has no header line");
	}
	if (!r.rc && ferror(f))
		fail(&r, "cannot read '%s': %s", path, strerror(errno));
	csv_free(&p);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(line);
	fclose(f);
	strv_free(&r.fields);
	strv_free(&r.header);
	return r.rc;
}

const char *
ulogin_row_get(const struct ulogin_row *row, const char *column)
{
	/* Called for every field of every row: the first letter rules out
	 * most columns before strcasecmp (a tenth of a 100k-row rerun). */
	unsigned char c = (unsigned char)(*column | 0x20);

	for (size_t i = 0; i < row->header->n && i < row->fields->n; i++)
		if (((unsigned char)*row->header->v[i] | 0x20) == c &&
		    !strcasecmp(row->header->v[i], column))
			return row->fields->v[i];
	return NULL;
}

/* ---- checking and normalising values ------------------------------------ */

const char *
ulogin_text_unsafe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n' || *p == '\r')
			return "a line break";
		if (*p < 0x20 || *p == 0x7f)
			return "a control character";
		/* C1: U+0080-U+009F, of which U+0085 ends a line. */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return p[1] == 0x85 ? "a line break"
					    : "a control character";
		/* U+2028 and U+2029 end lines too; U+202A-U+202E and
		 * U+2066-U+2069 turn the text around (Trojan Source). */
		if (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9))
			return "a line break";
		if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa &&
				      p[2] <= 0xae) ||
				     (p[1] == 0x81 && p[2] >= 0xa6 &&
				      p[2] <= 0xa9)))
			return "a bidirectional control character";
	}
	return NULL;
}

bool
ulogin_text_blank(const char *s)
{
	while (*s == ' ' || (s[0] == '\xc2' && s[1] == '\xa0'))
		s += *s == ' ' ? 1 : 2;
	return !*s;
}

/* RFC 5322 atext, ASCII only: the directory's mail is an IA5String
 * (RFC 4524), so an address in UTF-8 could not be stored anyway. */
static bool
atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~",
						     c));
}

/* Why s[0..len) is not a dot-atom: atoms of atext joined by single dots. */
static const char *
not_dot_atom(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (i == 0 || i == len - 1 || s[i + 1] == '.')
				return "a dot at the start or end of a part, "
				       "or two in a row";
		} else if ((unsigned char)s[i] >= 0x80) {
			return "a mail address is ASCII only (give a domain "
			       "in its xn-- form)";
		} else if (!atext(s[i])) {
			return "not an address of the form name@example.dk";
		}
	}
	return NULL;
}

const char *
ulogin_mail_invalid(const char *s)
{
	const char *at = strchr(s, '@'), *why;

	if (ulogin_text_unsafe(s))
		return "a line break or another control character";
	if (strchr(s, '<') || strchr(s, '>'))
		return "give the address alone, without a name or <>";
	if (!at)
		return "no '@'";
	if (at == s)
		return "nothing before the '@'";
	if (!at[1])
		return "no domain after the '@'";
	if (strchr(at + 1, '@'))
		return "more than one '@'";
	/* RFC 5321's limits: what a mail server accepts. */
	if (at - s > 64)
		return "more than 64 characters before the '@'";
	if (strlen(s) > 254)
		return "longer than 254 characters";
	why = not_dot_atom(s, (size_t)(at - s));
	return why ? why : not_dot_atom(at + 1, strlen(at + 1));
}

char *
ulogin_grade_normal(const char *g)
{
	if (!g)
		return NULL;
	/* OneRoster's kindergarten is the Danish grade 0 (børnehaveklasse). */
	if (!strcasecmp(g, "KG"))
		return xstrdup("0");
	if ((g[0] == 'g' || g[0] == 'G') && g[1] >= '1' && g[1] <= '3' &&
	    !g[2])
		return xasprintf("g%c", g[1]);
	if (!ulogin_level_for_grade(g))
		return NULL;
	return xasprintf("%ld", strtol(g, NULL, 10));
}

char *
ulogin_mobile_e164(const char *in, const char *country, const char **why)
{
	size_t len = strlen(in), n = 0;
	char *digits = xmalloc(len + 1), *out;
	int plus = 0;

	for (const char *p = in; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
		else if (*p == '+' && n == 0 && !plus)
			plus = 1;
		else if (!strchr(" -./()", *p)) {
			free(digits);
			*why = "a phone number has only digits, spaces, '+', "
			       "'-', '.' and brackets";
			return NULL;
		}
	}
	digits[n] = '\0';
	if (!plus && n > 2 && digits[0] == '0' && digits[1] == '0') {
		memmove(digits, digits + 2, n - 1);	/* 0045... = +45... */
		n -= 2;
		plus = 1;
	}
	/* No country code starts with 0; a national number that does has
	 * a trunk prefix, which is the country's own business to drop. */
	if (n && digits[0] == '0') {
		free(digits);
		*why = plus ? "no country code starts with 0"
			    : "a number that starts with 0 needs its country "
			      "code (+46 70..., not 070...)";
		return NULL;
	}
	if (plus)
		out = xasprintf("+%s", digits);
	else if (country && country[0] == '+')
		out = xasprintf("%s%s", country, digits);
	else
		out = NULL;
	free(digits);
	/* E.164: at most 15 digits after the '+', and some at all. */
	if (!out || strlen(out) < 8 || strlen(out) > 16) {
		free(out);
		*why = out ? "a phone number has 7 to 15 digits"
			   : "the number has no country code (+45...)";
		return NULL;
	}
	return out;
}

char *
ulogin_nid_hmac(const char *nid, const unsigned char *key, size_t keylen,
		const char **why)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char digits[11], *hex;
	size_t n = 0;

	for (const char *p = nid; *p; p++) {
		if (*p >= '0' && *p <= '9' && n < 10)
			digits[n++] = *p;
		else if (*p != '-' && *p != ' ') {
			n = 11;		/* anything else: malformed */
			break;
		}
	}
	digits[n < 11 ? n : 10] = '\0';
	if (n != 10) {
		OPENSSL_cleanse(digits, sizeof(digits));
		*why = "a national ID number has ten digits (DDMMYY-NNNN)";
		return NULL;
	}
	if (!HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)digits, 10,
		  mac, &maclen)) {
		OPENSSL_cleanse(digits, sizeof(digits));
		*why = "cannot compute the HMAC";
		return NULL;
	}
	OPENSSL_cleanse(digits, sizeof(digits));
	hex = xmalloc(maclen * 2 + 1);
	for (unsigned int i = 0; i < maclen; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	OPENSSL_cleanse(mac, sizeof(mac));
	return hex;
}

int
ulogin_key_load(const char *path, unsigned char **key, size_t *len)
{
	char *text = NULL;
	struct stat st;
	int rc;

	/* The same rules as a password file: private, regular, no link.
	 * The key is the file's text (one final newline dropped), so a
	 * binary key, which may hold a NUL, is refused rather than cut. */
	if ((rc = ulogin_read_password_file(path, &text)))
		return rc;
	if (stat(path, &st) == 0 && (size_t)st.st_size > strlen(text) + 2) {
		ulogin_secret_free(text);
		ulogin_error("the key in '%s' is binary data", path);
		ulogin_hint("make a text key with 'openssl rand -hex 32 > %s'",
			    path);
		return ULOGIN_EX_CONFIG;
	}
	if (strlen(text) < 32) {
		ulogin_secret_free(text);
		ulogin_error("the key in '%s' is shorter than 32 bytes", path);
		ulogin_hint("make one with 'openssl rand -hex 32 > %s'", path);
		return ULOGIN_EX_CONFIG;
	}
	*len = strlen(text);
	*key = (unsigned char *)text;
	return 0;
}

void
ulogin_key_free(unsigned char *key, size_t len)
{
	if (!key)
		return;
	OPENSSL_cleanse(key, len);
	free(key);
}

/* ---- the column mapping -------------------------------------------------- */

static const char *const field_names[ULOGIN_NFIELDS] = {
	"external_id", "given_name", "surname", "role", "institution",
	"username", "classes", "grade", "mail", "mobile", "national_id",
	"parents"
};

/* The same, in words for messages about rows. */
static const char *const field_words[ULOGIN_NFIELDS] = {
	"external id", "given name", "surname", "role", "institution",
	"username", "classes", "grade", "mail address", "mobile number",
	"national ID number", "parents"
};

/* Fields every mapping must name. */
static const enum ulogin_field required[] = {
	ULOGIN_F_EXTERNAL_ID, ULOGIN_F_GIVEN_NAME, ULOGIN_F_SURNAME,
	ULOGIN_F_ROLE, ULOGIN_F_INSTITUTION
};

void
ulogin_mapping_free(struct ulogin_mapping *m)
{
	for (size_t i = 0; i < ULOGIN_NFIELDS; i++)
		free(m->columns[i]);
	free(m->country_code);
	strv_free(&m->role_from);
	strv_free(&m->role_to);
	memset(m, 0, sizeof(*m));
}

static const char *
scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE
		? (const char *)n->data.scalar.value : NULL;
}

/* Each "key: value" of a mapping node; fn returns 0 or an exit code. */
static int
each_pair(const char *path, yaml_document_t *doc, yaml_node_t *node,
	  const char *section,
	  int (*fn)(struct ulogin_mapping *, const char *, const char *,
		    const char *, yaml_node_t *),
	  struct ulogin_mapping *m)
{
	int rc = 0;

	if (node->type != YAML_MAPPING_NODE)
		return ulogin_yaml_error(path, &node->start_mark, section,
					 "expected 'name: value' lines");
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (!scalar(k) || !scalar(v))
			return ulogin_yaml_error(path, &k->start_mark, section,
						 "expected 'name: value'");
		rc = fn(m, path, scalar(k), scalar(v), k);
	}
	return rc;
}

static int
set_column(struct ulogin_mapping *m, const char *path, const char *field,
	   const char *column, yaml_node_t *k)
{
	for (size_t i = 0; i < ULOGIN_NFIELDS; i++)
		if (!strcmp(field, field_names[i])) {
			free(m->columns[i]);
			m->columns[i] = xstrdup(column);
			return 0;
		}
	ulogin_yaml_error(path, &k->start_mark, field, "unknown field");
	ulogin_hint("fields: external_id, given_name, surname, role, "
		    "institution, username, classes, grade, mail, mobile, "
		    "national_id, parents");
	return ULOGIN_EX_CONFIG;
}

/* An "empty:" line: what an empty cell of an optional single value
 * means.  Required values are never empty; an empty username, classes
 * or parents cell simply has none. */
static int
set_empty(struct ulogin_mapping *m, const char *path, const char *field,
	  const char *rule, yaml_node_t *k)
{
	static const enum ulogin_field fields[] = {
		ULOGIN_F_GRADE, ULOGIN_F_MAIL, ULOGIN_F_MOBILE,
		ULOGIN_F_NATIONAL_ID
	};
	static const char *const rules[] = { "refuse", "clear", "keep" };

	size_t r = 0;

	while (r < sizeof(rules) / sizeof(*rules) && strcmp(rule, rules[r]))
		r++;
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		enum ulogin_field f = fields[i];

		if (strcmp(field, field_names[f]))
			continue;
		if (r == sizeof(rules) / sizeof(*rules))
			return ulogin_yaml_error(path, &k->start_mark, field,
				"expected clear, keep or refuse");
		/* The hash is how a person is recognised; a row without a
		 * number does not make the person someone else. */
		if (f == ULOGIN_F_NATIONAL_ID &&
		    (enum ulogin_empty)r == ULOGIN_EMPTY_CLEAR)
			return ulogin_yaml_error(path, &k->start_mark, field,
				"a national ID hash is never removed: use keep "
				"or refuse");
		m->empty[f] = (enum ulogin_empty)r;
		return 0;
	}
	ulogin_yaml_error(path, &k->start_mark, field,
			  "only grade, mail, mobile and national_id take an "
			  "'empty' rule");
	ulogin_hint("an empty required value is always a bad row; an empty "
		    "username, classes or parents cell means none");
	return ULOGIN_EX_CONFIG;
}

/* "+" and a country code of one to three digits, not starting with 0. */
static bool
valid_country_code(const char *c)
{
	size_t n = strspn(c + 1, "0123456789");

	return c[0] == '+' && n >= 1 && n <= 3 && !c[n + 1] && c[1] != '0';
}

static int
set_role(struct ulogin_mapping *m, const char *path, const char *from,
	 const char *to, yaml_node_t *k)
{
	if (!ulogin_role_importable(to))
		return ulogin_yaml_error(path, &k->start_mark, from,
					 "maps to a role an import cannot give "
					 "(student, teacher, staff, parent)");
	strv_push(&m->role_from, from);
	strv_push(&m->role_to, to);
	return 0;
}

int
ulogin_mapping_load(const char *path, struct ulogin_mapping *m)
{
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	memset(m, 0, sizeof(*m));
	m->separator = ',';
	if ((rc = ulogin_yaml_read(path, "mapping file", &doc)))
		return rc;
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		yaml_document_delete(&doc);
		ulogin_error("%s: expected a 'columns:' section", path);
		return ULOGIN_EX_CONFIG;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		const char *key = scalar(k) ? scalar(k) : "?";

		if (!strcmp(key, "columns"))
			rc = each_pair(path, &doc, v, key, set_column, m);
		else if (!strcmp(key, "roles"))
			rc = each_pair(path, &doc, v, key, set_role, m);
		else if (!strcmp(key, "empty"))
			rc = each_pair(path, &doc, v, key, set_empty, m);
		else if (!strcmp(key, "list_separator") && scalar(v) &&
			 strlen(scalar(v)) == 1)
			m->separator = scalar(v)[0];
		else if (!strcmp(key, "country_code") && scalar(v) &&
			 valid_country_code(scalar(v))) {
			free(m->country_code);
			m->country_code = xstrdup(scalar(v));
		} else
			rc = ulogin_yaml_error(path, &k->start_mark, key,
				!strcmp(key, "list_separator")
				? "expected one character"
				: !strcmp(key, "country_code")
				? "expected '+' and digits, e.g. \"+45\""
				: "unknown key (columns, empty, roles, "
				  "list_separator, country_code)");
	}
	for (size_t i = 0; !rc && i < sizeof(required) / sizeof(*required);
	     i++)
		if (!m->columns[required[i]]) {
			ulogin_error("%s: 'columns' must name the column of "
				     "'%s'", path, field_names[required[i]]);
			rc = ULOGIN_EX_CONFIG;
		}
	yaml_document_delete(&doc);
	if (rc)
		ulogin_mapping_free(m);
	return rc;
}

const char *
ulogin_mapping_missing(const struct ulogin_mapping *m,
		       const struct strv *header)
{
	for (size_t i = 0; i < ULOGIN_NFIELDS; i++) {
		size_t j;

		if (!m->columns[i])
			continue;
		for (j = 0; j < header->n; j++)
			if (!strcasecmp(header->v[j], m->columns[i]))
				break;
		if (j == header->n)
			return m->columns[i];
	}
	return NULL;
}

static const char *
cell(const struct ulogin_mapping *m, const struct ulogin_row *row,
     enum ulogin_field f)
{
	const char *v = m->columns[f] ? ulogin_row_get(row, m->columns[f])
				      : NULL;

	return v && *v ? v : NULL;
}

void
ulogin_split_cell(const char *v, char sep, struct strv *out)
{
	while (v && *v) {
		const char *end = strchr(v, sep);
		size_t len = end ? (size_t)(end - v) : strlen(v);
		size_t a = 0, b = len;

		while (a < b && v[a] == ' ')
			a++;
		while (b > a && v[b - 1] == ' ')
			b--;
		if (b > a)
			strv_push_owned(out, xstrndup(v + a, b - a));
		v = end ? end + 1 : NULL;
	}
}

/* The optional single values, whose empty cells the mapping rules on. */
static const enum ulogin_field single[] = {
	ULOGIN_F_GRADE, ULOGIN_F_MAIL, ULOGIN_F_MOBILE, ULOGIN_F_NATIONAL_ID
};

/* A list cell split into out: "no" with *why set when the cell has only
 * separators, for a required list. */
static int
split_required(const struct ulogin_mapping *m, const struct ulogin_row *row,
	       enum ulogin_field f, struct strv *out, char **why)
{
	ulogin_split_cell(cell(m, row, f), m->separator, out);
	if (out->n)
		return 0;
	*why = xasprintf("no %s (column '%s' has only separators)",
			 field_words[f], m->columns[f]);
	return -1;
}

int
ulogin_row_person(const struct ulogin_mapping *m, const struct ulogin_row *row,
		  const unsigned char *key, size_t keylen,
		  struct ulogin_person_row *p, char **why)
{
	const char *v, *w;
	struct strv roles = STRV_INIT;

	memset(p, 0, sizeof(*p));
	p->line = row->line;
	*why = NULL;
	/* Nothing that prints as something else, and no line break to
	 * start a line of its own in a mail header, a log or an LDIF.  The
	 * value is not repeated: it may be a national ID number. */
	for (size_t i = 0; i < ULOGIN_NFIELDS; i++)
		if ((v = cell(m, row, (enum ulogin_field)i)) &&
		    (w = ulogin_text_unsafe(v))) {
			*why = xasprintf("column '%s' holds %s", m->columns[i],
					 w);
			goto bad;
		}
	for (size_t i = 0; i < sizeof(required) / sizeof(*required); i++) {
		/* A mapping from a file names them all; one made in code
		 * may leave a field out (ulogin-user add --from has no
		 * external id). */
		if (!m->columns[required[i]])
			continue;
		v = cell(m, row, required[i]);
		if (!v || ulogin_text_blank(v)) {
			*why = xasprintf("no %s (column '%s' is %s)",
					 field_words[required[i]],
					 m->columns[required[i]],
					 v ? "blank" : "empty");
			goto bad;
		}
		p->managed |= ULOGIN_FIELD_BIT(required[i]);
	}
	for (size_t i = 0; i < ULOGIN_NFIELDS; i++)
		if (m->columns[i])
			p->managed |= ULOGIN_FIELD_BIT(i);
	/* An empty cell is a value only where the mapping says what it
	 * means: an export that lost a column's values must not remove
	 * them from everyone. */
	for (size_t i = 0; i < sizeof(single) / sizeof(*single); i++) {
		enum ulogin_field f = single[i];

		if (!m->columns[f] || cell(m, row, f))
			continue;
		if (m->empty[f] == ULOGIN_EMPTY_KEEP) {
			p->managed &= ~ULOGIN_FIELD_BIT(f);
		} else if (m->empty[f] == ULOGIN_EMPTY_REFUSE) {
			*why = xasprintf("no %s (column '%s' is empty; the "
					 "mapping does not say empty: %s)",
					 field_words[f], m->columns[f],
					 f == ULOGIN_F_NATIONAL_ID ? "keep"
								   : "clear");
			goto bad;
		}
	}
	if ((v = cell(m, row, ULOGIN_F_EXTERNAL_ID)))
		p->external_id = xstrdup(v);
	p->given_name = xstrdup(cell(m, row, ULOGIN_F_GIVEN_NAME));
	p->surname = xstrdup(cell(m, row, ULOGIN_F_SURNAME));
	if (split_required(m, row, ULOGIN_F_ROLE, &roles, why) < 0)
		goto bad;
	for (size_t i = 0; i < roles.n; i++) {
		const char *r = NULL;

		for (size_t j = 0; j < m->role_from.n && !r; j++)
			if (!strcasecmp(m->role_from.v[j], roles.v[i]))
				r = m->role_to.v[j];
		if (!r && ulogin_role_importable(roles.v[i]))
			r = roles.v[i];
		if (!r && (!strcasecmp(roles.v[i], "admin") ||
			   !strcasecmp(roles.v[i], "support"))) {
			*why = xasprintf("an import never gives the role '%s' "
					 "(%s)", roles.v[i],
					 !strcasecmp(roles.v[i], "admin")
					 ? "the administrator right is granted "
					   "with 'ulogin-user admin grant'"
					 : "the directory manager gives it");
			goto bad;
		}
		if (!r) {
			*why = xasprintf("unknown role '%s'", roles.v[i]);
			goto bad;
		}
		if (!strv_contains(&p->roles, r))
			strv_push(&p->roles, r);
	}
	if (split_required(m, row, ULOGIN_F_INSTITUTION, &p->institutions,
			   why) < 0)
		goto bad;
	ulogin_split_cell(cell(m, row, ULOGIN_F_CLASSES), m->separator,
			  &p->classes);
	ulogin_split_cell(cell(m, row, ULOGIN_F_PARENTS), m->separator,
			  &p->parents);
	if ((v = cell(m, row, ULOGIN_F_USERNAME))) {
		if ((w = ulogin_username_invalid(v))) {
			*why = xasprintf("bad username '%s': %s", v, w);
			goto bad;
		}
		p->username = xstrdup(v);
	}
	if ((v = cell(m, row, ULOGIN_F_GRADE)) &&
	    !(p->grade = ulogin_grade_normal(v))) {
		*why = xasprintf("bad grade '%s' (0-10 or g1-g3)", v);
		goto bad;
	}
	if ((v = cell(m, row, ULOGIN_F_MAIL))) {
		if ((w = ulogin_mail_invalid(v))) {
			*why = xasprintf("bad mail address '%s': %s", v, w);
			goto bad;
		}
		p->mail = xstrdup(v);
	}
	if ((v = cell(m, row, ULOGIN_F_MOBILE)) &&
	    !(p->mobile = ulogin_mobile_e164(v, m->country_code, &w))) {
		*why = xasprintf("bad mobile number: %s", w);
		goto bad;
	}
	if ((v = cell(m, row, ULOGIN_F_NATIONAL_ID))) {
		if (!key) {
			*why = xstrdup("a national ID number needs the HMAC key "
				       "file");
			goto bad;
		}
		/* The number itself never reaches a message or a log. */
		if (!(p->nid_hmac = ulogin_nid_hmac(v, key, keylen, &w))) {
			*why = xstrdup(w);
			goto bad;
		}
	}
	strv_free(&roles);
	return 0;
bad:
	strv_free(&roles);
	ulogin_person_row_free(p);
	return -1;
}

void
ulogin_person_row_free(struct ulogin_person_row *p)
{
	free(p->external_id);
	free(p->given_name);
	free(p->surname);
	free(p->username);
	free(p->grade);
	free(p->mail);
	free(p->mobile);
	free(p->nid_hmac);
	strv_free(&p->roles);
	strv_free(&p->institutions);
	strv_free(&p->classes);
	strv_free(&p->parents);
	memset(p, 0, sizeof(*p));
}

/* ---- ulogin's own CSV into a sink ------------------------------------ */

struct native {
	const char *path;
	const struct ulogin_mapping *m;
	const unsigned char *key;
	size_t keylen;
	const struct ulogin_roster_sink *sink;
	struct ulogin_roster_error *err;
	struct strmap classes;	/* keys declared so far */
	bool header_checked;
};

/* The key a bad row is reported with (which keeps its user as they
 * are): its external id, when it has one that can be printed. */
static const char *
native_key(const struct native *n, const struct ulogin_row *row)
{
	const char *k = ulogin_row_get(row,
				       n->m->columns[ULOGIN_F_EXTERNAL_ID]);

	return k && *k && !ulogin_text_unsafe(k) ? k : NULL;
}

/* "INSTITUTION-CLASS", without printf: once for every row. */
static char *
join_key(const char *inst, const char *klass)
{
	size_t a = strlen(inst), b = strlen(klass);
	char *k = xmalloc(a + b + 2);

	memcpy(k, inst, a);
	k[a] = '-';
	memcpy(k + a + 1, klass, b + 1);
	return k;
}

static int
native_row(const struct ulogin_row *row, void *data)
{
	struct native *n = data;
	const struct ulogin_roster_sink *s = n->sink;
	struct ulogin_person_row p;
	struct strv keys = STRV_INIT;
	char *why;
	int rc = 0;

	if (!n->header_checked) {
		const char *missing = ulogin_mapping_missing(n->m, row->header);

		if (missing) {
			n->err->message = xasprintf("no column '%s' in the "
				"header, which the mapping names; check the "
				"mapping file or the export", missing);
			n->err->line = 1;
			return ULOGIN_EX_DATAERR;
		}
		n->header_checked = true;
	}
	if (row->why)
		return s->bad(s->data, n->path, row->line, native_key(n, row),
			      row->why);
	if (ulogin_row_person(n->m, row, n->key, n->keylen, &p, &why) < 0) {
		rc = s->bad(s->data, n->path, row->line, native_key(n, row),
			    why);
		free(why);
		return rc;
	}
	/* A class belongs to the person's first institution. */
	for (size_t i = 0; i < p.classes.n && !rc; i++) {
		char *k = join_key(p.institutions.v[0], p.classes.v[i]);

		if (!strmap_get(&n->classes, k)) {
			strmap_put(&n->classes, k, n);
			rc = s->klass(s->data, k, p.institutions.v[0],
				      p.classes.v[i], NULL);
		}
		strv_push(&keys, k);
		free(k);
	}
	if (!rc) {
		strv_free(&p.classes);
		p.classes = keys;
		keys = (struct strv)STRV_INIT;
		rc = s->person(s->data, &p);
	}
	strv_free(&keys);
	ulogin_person_row_free(&p);
	return rc;
}

int
ulogin_native_read(const char *path, const struct ulogin_roster_opts *o,
		   const struct ulogin_mapping *m, const unsigned char *key,
		   size_t keylen, const struct ulogin_roster_sink *sink,
		   struct ulogin_roster_error *err)
{
	struct native n = { .path = path, .m = m, .key = key,
			    .keylen = keylen, .sink = sink, .err = err,
			    .classes = STRMAP_INIT };
	int rc;

	rc = ulogin_roster_read(path, o, native_row, &n, err);
	strmap_free(&n.classes);
	return rc;
}
