/*
 * Users from a CSV file (ulogin-user add --from): each row through the one
 * add of lib/account.c, its values checked as the import checks a roster
 * (lib/roster.c, with a mapping made here), bad rows reported with their
 * line and skipped.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "roster.h"
#include "userfile.h"
#include "banned.h"

/* The columns, as a roster mapping: the four required first, then the
 * optional ones. */
static const struct {
	enum ulogin_field field;
	const char *column;
} from_columns[] = {
	{ ULOGIN_F_GIVEN_NAME, "given_name" },
	{ ULOGIN_F_SURNAME, "surname" },
	{ ULOGIN_F_ROLE, "role" },
	{ ULOGIN_F_INSTITUTION, "institution" },
	{ ULOGIN_F_USERNAME, "username" },
	{ ULOGIN_F_GRADE, "grade" },
	{ ULOGIN_F_MAIL, "mail" },
	{ ULOGIN_F_MOBILE, "mobile" },
};
#define REQUIRED 4
#define FROM_COLUMNS "given_name, surname, role, institution, username, " \
		     "grade, mail, mobile"

struct from_run {
	const char *path;
	struct ulogin_conn *c;
	struct ulogin_mapping m;
	struct passwords *file;
	struct ulogin_table *made;
	size_t rows, failed;
	bool header_checked;
};

/* Every column known, every required one there: 0, or 65 (printed).
 * The optional columns the file lacks leave the mapping. */
static int
from_header(struct from_run *r, const struct strv *header)
{
	const char *missing;

	for (size_t j = REQUIRED;
	     j < sizeof(from_columns) / sizeof(*from_columns);
	     j++) {
		enum ulogin_field f = from_columns[j].field;
		size_t i = 0;

		while (i < header->n &&
		       strcasecmp(header->v[i], r->m.columns[f]))
			i++;
		if (i == header->n) {
			free(r->m.columns[f]);
			r->m.columns[f] = NULL;
		}
	}
	missing = ulogin_mapping_missing(&r->m, header);
	for (size_t i = 0; i < header->n; i++) {
		size_t j = 0;

		while (j < sizeof(from_columns) / sizeof(*from_columns) &&
		       strcasecmp(header->v[i], from_columns[j].column))
			j++;
		if (j == sizeof(from_columns) / sizeof(*from_columns)) {
			ulogin_error("%s: unknown column '%s'", r->path,
				     header->v[i]);
			ulogin_hint("the columns are " FROM_COLUMNS);
			return ULOGIN_EX_DATAERR;
		}
	}
	if (missing) {
		ulogin_error("%s: no column '%s' in the header", r->path,
			     missing);
		ulogin_hint("given_name, surname, role and institution are "
			    "required; username, grade, mail and mobile are "
			    "optional");
		return ULOGIN_EX_DATAERR;
	}
	return 0;
}

static int
from_row(const struct ulogin_row *row, void *data)
{
	struct from_run *r = data;
	struct ulogin_user_spec spec;
	struct ulogin_person_row p;
	struct ulogin_initial initial = { r->file, NULL, false };
	struct ulogin_table *t = NULL;
	char *why = NULL, line[32];
	int rc;

	if (!r->header_checked) {
		r->header_checked = true;
		if ((rc = from_header(r, row->header)))
			return rc;
	}
	r->rows++;
	if (row->why || ulogin_row_person(&r->m, row, NULL, 0, &p, &why) < 0) {
		ulogin_msg_plain("%s:%zu: not added: %s", r->path,
				 row->line, row->why ? row->why : why);
		free(why);
		r->failed++;
		return 0;
	}
	memset(&spec, 0, sizeof(spec));
	spec.username = p.username;
	spec.given_name = p.given_name;
	spec.surname = p.surname;
	spec.roles = p.roles;
	spec.institutions = p.institutions;
	spec.grade = p.grade;
	spec.mail = p.mail;
	spec.mobile = p.mobile;
	rc = ulogin_user_add(r->c, &spec, &initial, &t);
	ulogin_person_row_free(&p);
	if (rc) {
		ulogin_table_free(t);
		ulogin_msg_plain("%s:%zu: not added (see above)", r->path,
				 row->line);
		r->failed++;
		/* No server, no audit trail, no passwords file: stop. */
		if (rc == ULOGIN_EX_UNAVAILABLE || rc == ULOGIN_EX_CANTCREAT ||
		    rc == ULOGIN_EX_TEMPFAIL || rc == ULOGIN_EX_SOFTWARE)
			return rc;
		return 0;
	}
	if (t) {
		snprintf(line, sizeof(line), "%zu", row->line);
		ulogin_table_begin_row(r->made);
		ulogin_table_set(r->made, 0, line);
		for (size_t i = 0; i < 3; i++)
			ulogin_table_set(r->made, i + 1,
					 ulogin_table_cell(t, 0, i));
	}
	ulogin_table_free(t);
	return 0;
}

/* The first reading: does the whole file parse? */
static int
parse_only(const struct ulogin_row *row, void *data)
{
	(void)row;
	(void)data;
	return 0;
}

/* The file's delimiter, so that several values in a cell are separated
 * by another: ';' in a file of commas (and tabs), ',' in one of
 * semicolons. */
static char
from_delimiter(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, d = 0;
	size_t alloc = 0;

	if (f && getline(&line, &alloc, f) >= 0)
		d = ulogin_roster_detect_delimiter(line);
	free(line);
	if (f)
		fclose(f);
	return d;
}

int
ulogin_user_add_file(struct ulogin_conn *c, const char *path,
		     struct passwords *file, struct ulogin_table **out,
		     size_t *rows, size_t *failed)
{
	static const char *const cols[] = { "line#", "username", "name", "dn",
					    NULL };
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_roster_opts o = { NULL, 0 };
	struct ulogin_roster_error err = { NULL, 0, 0 };
	struct ulogin_mapping country;
	struct from_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.c = c;
	r.file = file;
	for (size_t i = 0; i < sizeof(from_columns) / sizeof(*from_columns);
	     i++) {
		r.m.columns[from_columns[i].field] =
			xstrdup(from_columns[i].column);
		r.m.empty[from_columns[i].field] = ULOGIN_EMPTY_CLEAR;
	}
	o.delimiter = from_delimiter(path);
	r.m.separator = o.delimiter == ';' ? ',' : ';';
	/* Mobile numbers without a country code get the import's. */
	memset(&country, 0, sizeof(country));
	if (cfg->import_map && ulogin_mapping_load(cfg->import_map,
						   &country) == 0 &&
	    country.country_code)
		r.m.country_code = xstrdup(country.country_code);
	ulogin_mapping_free(&country);
	r.made = ulogin_table_new(cols);
	/* The whole file is read once before anything is added: a file
	 * that cannot be read as a whole (broken quoting at row 40) changes
	 * nothing.  Bad rows are still found, reported and skipped in the
	 * second reading, which adds. */
	rc = ulogin_roster_read(path, &o, parse_only, NULL, &err);
	if (!rc)
		rc = ulogin_roster_read(path, &o, from_row, &r, &err);
	if (rc && err.message) {
		ulogin_error("%s:%zu: %s", path, err.line, err.message);
		if (!r.rows)
			ulogin_hint("nothing was added: correct the file and "
				    "run the same command again");
		else
			ulogin_hint("nothing after that line was added (the "
				    "file changed while it was read)");
	}
	free(err.message);
	ulogin_mapping_free(&r.m);
	*out = r.made;
	*rows = r.rows;
	*failed = r.failed;
	return rc;
}
