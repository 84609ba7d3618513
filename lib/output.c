#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <csv.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "exitcodes.h"
#include "msg.h"
#include "gtime.h"
#include "inert.h"
#include "output.h"
#include "banned.h"

int
ulogin_format_parse(const char *name, bool terminal)
{
	static const char *const names[] = { "table", "tsv", "csv", "json" };

	if (!name)
		return terminal ? ULOGIN_FMT_TABLE : ULOGIN_FMT_TSV;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

size_t
ulogin_display_width(const char *s)
{
	mbstate_t st;
	size_t width = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not valid in this locale: count bytes. */
			memset(&st, 0, sizeof(st));
			width++;
			s++;
			continue;
		}
		w = wcwidth(wc);
		width += w > 0 ? (size_t)w : 0;
		s += n;
	}
	return width;
}

/* ---- writers shared by tables and records --------------------------- */

/* Every value is escaped (lib/inert.h) in every format but JSON, whose
 * own escapes keep the value exact: a tab or newline in a value can break
 * neither a tsv line nor a table, and an escape sequence from imported
 * data never reaches a terminal as one. */
static void
put_tsv(FILE *out, const char *s)
{
	char *safe = ulogin_inert(s);

	fputs(safe, out);
	ulogin_secret_free(safe);
}

static void
put_csv(FILE *out, const char *s)
{
	char *safe = ulogin_inert(s);

	csv_fwrite(out, safe, strlen(safe));
	ulogin_secret_free(safe);
}

/* For the table: the escaped form of s, which it frees.  Every copy of
 * a value made while printing is overwritten before it is freed: the
 * value may be a password (ulogin_record_print_secret). */
static char *
visible(char *s)
{
	char *safe = ulogin_inert(s);

	ulogin_secret_free(s);
	return safe;
}

static void
put_padded(FILE *out, const char *s, size_t width)
{
	size_t w = ulogin_display_width(s);

	fputs(s, out);
	while (w++ < width)
		fputc(' ', out);
}

static int
finish(FILE *out)
{
	if (fflush(out) != 0 || ferror(out)) {
		ulogin_error("cannot write output: %s", strerror(errno));
		return ULOGIN_EX_CANTCREAT;
	}
	return 0;
}

/* Overwrite every string in v: jansson frees its copies unwiped.  The
 * memory is jansson's (json_string_value is const), but nothing in
 * jansson depends on a string value once v is about to be freed. */
static void
wipe_json(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_string(v))
		OPENSSL_cleanse((char *)json_string_value(v),
				json_string_length(v));
	else if (json_is_array(v))
		json_array_foreach(v, i, x)
			wipe_json(x);
	else if (json_is_object(v))
		json_object_foreach(v, key, x)
			wipe_json(x);
}

static int
print_json(json_t *v, FILE *out, bool secret)
{
	ulogin_json_dumpf(v, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (secret)
		wipe_json(v);
	json_decref(v);
	return finish(out);
}

/* ---- tables ---------------------------------------------------------- */

struct column {
	char *name;
	bool list;
	bool number;	/* a JSON number */
};

struct ulogin_table {
	struct column *cols;
	size_t ncols;
	struct strv **rows;	/* rows[r][c] */
	size_t nrows, alloc;
};

struct ulogin_table *
ulogin_table_new(const char *const *columns)
{
	struct ulogin_table *t = xcalloc(1, sizeof(*t));

	while (columns[t->ncols])
		t->ncols++;
	t->cols = xcalloc(t->ncols, sizeof(*t->cols));
	for (size_t i = 0; i < t->ncols; i++) {
		size_t len = strlen(columns[i]);

		t->cols[i].list = len && columns[i][len - 1] == '*';
		t->cols[i].number = len && columns[i][len - 1] == '#';
		t->cols[i].name = xstrndup(columns[i],
					   len - (t->cols[i].list ||
						  t->cols[i].number ? 1 : 0));
	}
	return t;
}

void
ulogin_table_begin_row(struct ulogin_table *t)
{
	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 64;
		t->rows = xreallocarray(t->rows, t->alloc, sizeof(*t->rows));
	}
	t->rows[t->nrows++] = xcalloc(t->ncols, sizeof(struct strv));
}

void
ulogin_table_set(struct ulogin_table *t, size_t col, const char *value)
{
	if (!t->nrows || col >= t->ncols)
		abort();
	if (value)
		strv_push(&t->rows[t->nrows - 1][col], value);
}

static size_t sort_col;

static int
cmp_rows(const void *a, const void *b)
{
	const struct strv *ra = *(struct strv *const *)a;
	const struct strv *rb = *(struct strv *const *)b;
	const char *va = ra[sort_col].n ? ra[sort_col].v[0] : "";
	const char *vb = rb[sort_col].n ? rb[sort_col].v[0] : "";

	return strcmp(va, vb);
}

void
ulogin_table_sort(struct ulogin_table *t, size_t col)
{
	sort_col = col;
	if (t->nrows > 1)
		qsort(t->rows, t->nrows, sizeof(*t->rows), cmp_rows);
}

void
ulogin_table_column(const struct ulogin_table *t, size_t col, struct strv *out)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (t->rows[r][col].n)
			strv_push(out, t->rows[r][col].v[0]);
}

const char *
ulogin_table_cell(const struct ulogin_table *t, size_t row, size_t col)
{
	if (row >= t->nrows || col >= t->ncols || !t->rows[row][col].n)
		return NULL;
	return t->rows[row][col].v[0];
}

size_t
ulogin_table_rows(const struct ulogin_table *t)
{
	return t->nrows;
}

void
ulogin_table_free(struct ulogin_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			strv_free(&t->rows[r][c]);
		free(t->rows[r]);
	}
	for (size_t c = 0; c < t->ncols; c++)
		free(t->cols[c].name);
	free(t->cols);
	free(t->rows);
	free(t);
}

void
ulogin_table_free_secret(struct ulogin_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			struct strv *cell = &t->rows[r][c];

			for (size_t i = 0; i < cell->n; i++) {
				ulogin_secret_free(cell->v[i]);
				cell->v[i] = NULL;
			}
		}
	ulogin_table_free(t);
}

static json_t *
cell_json(const struct column *col, const struct strv *cell)
{
	json_t *a;

	if (col->number)
		return cell->n ? json_integer(strtoll(cell->v[0], NULL, 10))
			       : json_null();
	if (!col->list)
		return ulogin_json_text(cell->n ? cell->v[0] : NULL);
	a = json_array();
	for (size_t i = 0; i < cell->n; i++)
		json_array_append_new(a, ulogin_json_text(cell->v[i]));
	return a;
}

static int
table_print(const struct ulogin_table *t, enum ulogin_format f, FILE *out,
	    bool secret)
{
	size_t *width;
	json_t *arr;

	switch (f) {
	case ULOGIN_FMT_JSON:
		arr = json_array();
		for (size_t r = 0; r < t->nrows; r++) {
			json_t *o = json_object();

			for (size_t c = 0; c < t->ncols; c++)
				json_object_set_new(o, t->cols[c].name,
					cell_json(&t->cols[c], &t->rows[r][c]));
			json_array_append_new(arr, o);
		}
		return print_json(arr, out, secret);
	case ULOGIN_FMT_TSV:
	case ULOGIN_FMT_CSV:
		for (size_t r = 0; r <= t->nrows; r++) {
			for (size_t c = 0; c < t->ncols; c++) {
				char *s = r ? strv_join(&t->rows[r - 1][c],
							",")
					    : xstrdup(t->cols[c].name);

				if (c)
					fputc(f == ULOGIN_FMT_TSV ? '\t' : ',',
					      out);
				if (f == ULOGIN_FMT_TSV)
					put_tsv(out, s);
				else
					put_csv(out, s);
				ulogin_secret_free(s);
			}
			fputs(f == ULOGIN_FMT_CSV ? "\r\n" : "\n", out);
		}
		return finish(out);
	case ULOGIN_FMT_TABLE:
		break;
	}
	width = xcalloc(t->ncols, sizeof(*width));
	for (size_t c = 0; c < t->ncols; c++)
		width[c] = ulogin_display_width(t->cols[c].name);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			char *s = visible(strv_join(&t->rows[r][c], ", "));
			size_t w = ulogin_display_width(s);

			if (w > width[c])
				width[c] = w;
			ulogin_secret_free(s);
		}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			char *s = visible(r ? strv_join(&t->rows[r - 1][c],
							", ")
					    : xstrdup(t->cols[c].name));

			if (!r)
				for (char *p = s; *p; p++)
					*p = *p == '_' ? ' '
						       : (char)toupper(
							 (unsigned char)*p);
			if (c + 1 < t->ncols) {
				put_padded(out, s, width[c]);
				fputs("  ", out);
			} else {
				fputs(s, out);
			}
			ulogin_secret_free(s);
		}
		fputc('\n', out);
	}
	free(width);
	return finish(out);
}

/* ---- records ---------------------------------------------------------- */

/* A time keeps two values: [0] ISO 8601 for scripts, [1] words. */
enum field_kind { FIELD_STRING, FIELD_LIST, FIELD_BOOL, FIELD_COUNT,
		  FIELD_TIME };

struct field {
	char *key;
	char *label;
	enum field_kind kind;
	struct strv values;
};

struct ulogin_record {
	struct field *fields;
	size_t n;
};

struct ulogin_record *
ulogin_record_new(void)
{
	return xcalloc(1, sizeof(struct ulogin_record));
}

static struct field *
new_field(struct ulogin_record *r, const char *key, const char *label)
{
	struct field *f;

	r->fields = xreallocarray(r->fields, r->n + 1, sizeof(*r->fields));
	f = &r->fields[r->n++];
	memset(f, 0, sizeof(*f));
	f->key = xstrdup(key);
	f->label = xstrdup(label);
	return f;
}

void
ulogin_record_add(struct ulogin_record *r, const char *key,
		  const char *label, const char *value)
{
	struct field *f = new_field(r, key, label);

	if (value)
		strv_push(&f->values, value);
}

void
ulogin_record_add_bool(struct ulogin_record *r, const char *key,
		       const char *label, bool value)
{
	struct field *f = new_field(r, key, label);

	f->kind = FIELD_BOOL;
	strv_push(&f->values, value ? "yes" : "no");
}

void
ulogin_record_add_time(struct ulogin_record *r, const char *key,
		       const char *label, time_t value)
{
	struct field *f = new_field(r, key, label);
	char buf[40];

	f->kind = FIELD_TIME;
	ulogin_time_iso(value, buf, sizeof(buf));
	strv_push(&f->values, buf);
	ulogin_time_words(value, buf, sizeof(buf));
	strv_push(&f->values, buf);
}

void
ulogin_record_add_count(struct ulogin_record *r, const char *key,
			const char *label, long value)
{
	struct field *f = new_field(r, key, label);

	f->kind = FIELD_COUNT;
	strv_push_owned(&f->values, xasprintf("%ld", value));
}

void
ulogin_record_add_list(struct ulogin_record *r, const char *key,
		       const char *label, const struct strv *values)
{
	struct field *f = new_field(r, key, label);

	f->kind = FIELD_LIST;
	for (size_t i = 0; values && i < values->n; i++)
		strv_push(&f->values, values->v[i]);
}

void
ulogin_record_free(struct ulogin_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->fields[i].key);
		free(r->fields[i].label);
		strv_free(&r->fields[i].values);
	}
	free(r->fields);
	free(r);
}

void
ulogin_record_free_secret(struct ulogin_record *r)
{
	for (size_t i = 0; r && i < r->n; i++)
		for (size_t j = 0; j < r->fields[i].values.n; j++) {
			ulogin_secret_free(r->fields[i].values.v[j]);
			r->fields[i].values.v[j] = NULL;
		}
	ulogin_record_free(r);
}

static int
record_print(const struct ulogin_record *r, enum ulogin_format f, FILE *out,
	     bool secret)
{
	size_t width = 0;
	json_t *o;

	switch (f) {
	case ULOGIN_FMT_JSON:
		o = json_object();
		for (size_t i = 0; i < r->n; i++) {
			const struct field *fd = &r->fields[i];
			struct column col = { fd->key, fd->kind == FIELD_LIST,
					      false };
			json_t *v;

			if (fd->kind == FIELD_BOOL)
				v = json_boolean(!strcmp(fd->values.v[0],
							 "yes"));
			else if (fd->kind == FIELD_COUNT)
				v = json_integer(strtoll(fd->values.v[0],
							 NULL, 10));
			else if (fd->kind == FIELD_TIME)
				v = ulogin_json_text(fd->values.v[0]);
			else
				v = cell_json(&col, &fd->values);
			json_object_set_new(o, fd->key, v);
		}
		return print_json(o, out, secret);
	case ULOGIN_FMT_TSV:
	case ULOGIN_FMT_CSV:
		if (f == ULOGIN_FMT_TSV) {
			fputs("field\tvalue\n", out);
		} else {
			put_csv(out, "field");
			fputc(',', out);
			put_csv(out, "value");
			fputs("\r\n", out);
		}
		for (size_t i = 0; i < r->n; i++) {
			const struct field *fd = &r->fields[i];

			size_t n = fd->kind == FIELD_TIME ? 1
							  : fd->values.n;

			for (size_t j = 0; j < n; j++) {
				if (f == ULOGIN_FMT_TSV) {
					put_tsv(out, fd->key);
					fputc('\t', out);
					put_tsv(out, fd->values.v[j]);
					fputc('\n', out);
				} else {
					put_csv(out, fd->key);
					fputc(',', out);
					put_csv(out, fd->values.v[j]);
					fputs("\r\n", out);
				}
			}
		}
		return finish(out);
	case ULOGIN_FMT_TABLE:
		break;
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->fields[i].values.n &&
		    ulogin_display_width(r->fields[i].label) > width)
			width = ulogin_display_width(r->fields[i].label);
	for (size_t i = 0; i < r->n; i++) {
		const struct field *fd = &r->fields[i];
		/* A time shows only its words on a terminal. */
		size_t first = fd->kind == FIELD_TIME ? 1 : 0;

		for (size_t j = first; j < fd->values.n; j++) {
			char *label = xasprintf("%s:", j > first ? ""
								 : fd->label);
			char *v = visible(xstrdup(fd->values.v[j]));

			put_padded(out, j > first ? "" : label, width + 2);
			fputs(v, out);
			ulogin_secret_free(v);
			fputc('\n', out);
			free(label);
		}
	}
	return finish(out);
}

int
ulogin_table_finish(struct ulogin_table *t, enum ulogin_format f, int rc)
{
	int prc;

	if (!t)
		return rc;
	prc = ulogin_table_print(t, f, stdout);
	ulogin_table_free(t);
	return rc ? rc : prc;
}

int
ulogin_table_print(const struct ulogin_table *t, enum ulogin_format f,
		   FILE *out)
{
	return table_print(t, f, out, false);
}

int
ulogin_record_print(const struct ulogin_record *r, enum ulogin_format f,
		    FILE *out)
{
	return record_print(r, f, out, false);
}

/* ---- secrets: one buffer of our own, written with write(2) ------------ */

/* The text printed so far; grown by copying, the old copy wiped. */
struct secret_text {
	char *buf;
	size_t len, cap;
};

static ssize_t
secret_write(void *cookie, const char *data, size_t n)
{
	struct secret_text *st = cookie;

	if (st->len + n > st->cap) {
		size_t cap = (st->len + n) * 2 + 256;
		char *bigger = xmalloc(cap);

		if (st->buf) {
			memcpy(bigger, st->buf, st->len);
			OPENSSL_cleanse(st->buf, st->cap);
			free(st->buf);
		}
		st->buf = bigger;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, data, n);
	st->len += n;
	return (ssize_t)n;
}

int
ulogin_write_secret(const char *text, size_t len)
{
	size_t off = 0;

	if (fflush(stdout) != 0)
		return -1;
	while (off < len) {
		ssize_t n = write(STDOUT_FILENO, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Print t or r (the other NULL) into a stdio stream of our own whose
 * buffer is ours too, so that both can be wiped, then write it out. */
static int
print_secret(const struct ulogin_table *t, const struct ulogin_record *r,
	     enum ulogin_format f)
{
	cookie_io_functions_t io = { NULL, secret_write, NULL, NULL };
	struct secret_text st = { NULL, 0, 0 };
	char iobuf[BUFSIZ];
	FILE *out;
	int rc;

	if (!(out = fopencookie(&st, "w", io)) ||
	    setvbuf(out, iobuf, _IOFBF, sizeof(iobuf)) != 0) {
		if (out)
			fclose(out);
		ulogin_error("cannot write output: %s", strerror(errno));
		return ULOGIN_EX_CANTCREAT;
	}
	rc = t ? table_print(t, f, out, true) : record_print(r, f, out, true);
	if (fclose(out) != 0 && !rc)
		rc = ULOGIN_EX_CANTCREAT;
	OPENSSL_cleanse(iobuf, sizeof(iobuf));
	if (!rc && ulogin_write_secret(st.buf ? st.buf : "", st.len) != 0) {
		ulogin_error("cannot write output: %s", strerror(errno));
		rc = ULOGIN_EX_CANTCREAT;
	}
	if (st.buf) {
		OPENSSL_cleanse(st.buf, st.cap);
		free(st.buf);
	}
	return rc;
}

int
ulogin_table_print_secret(const struct ulogin_table *t, enum ulogin_format f)
{
	return print_secret(t, NULL, f);
}

int
ulogin_record_print_secret(const struct ulogin_record *r,
			   enum ulogin_format f)
{
	return print_secret(NULL, r, f);
}
