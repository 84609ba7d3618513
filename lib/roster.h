/*
 * Reading roster files (DESIGN.md section 6): CSV as the administrative
 * systems export it -- UTF-8 with or without a BOM, or a declared legacy
 * encoding; ',' ';' or tab, detected from the header or declared; CRLF or
 * LF; quoted fields with delimiters, doubled quotes and newlines inside.
 * Parsed with libcsv in strict mode, spaces kept (RFC 4180), streamed row
 * by row.  A file that cannot be read whole is reported with its line and
 * byte offset, so the caller can refuse to change anything.
 */
#ifndef ULOGIN_ROSTER_H
#define ULOGIN_ROSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "mem.h"

struct ulogin_roster_opts {
	const char *encoding;	/* NULL or "utf-8"; "windows-1252",
				   "iso-8859-1" are converted */
	char delimiter;		/* 0: detect from the header line */
};

/*
 * One data row: its fields (UTF-8), named by the header.  A row that is
 * not whole -- more or fewer fields than the header has -- is delivered
 * too, with why set: the caller reports it as a bad row (with the key it
 * can find) and uses none of its values.
 */
struct ulogin_row {
	size_t line;		/* the line where the row starts */
	const struct strv *header;
	const struct strv *fields;
	const char *why;	/* NULL, or why the row cannot be used */
};

/* Called for every data row; a non-zero return stops reading and is
 * returned by ulogin_roster_read. */
typedef int (*ulogin_row_fn)(const struct ulogin_row *row, void *data);

struct ulogin_roster_error {
	char *message;		/* owned; NULL when there was none */
	size_t line;
	size_t offset;		/* byte offset of that line in the file */
};

/*
 * Read path.  Returns 0, what fn returned, or an exit code with err set:
 * 66 (cannot open), 65 (cannot be read whole: broken quoting, bad
 * encoding, a NUL byte, empty header, duplicate column).
 */
int ulogin_roster_read(const char *path, const struct ulogin_roster_opts *o,
		       ulogin_row_fn fn, void *data,
		       struct ulogin_roster_error *err);

/* The value of a named column in a row, or NULL. */
const char *ulogin_row_get(const struct ulogin_row *row, const char *column);

/* The delimiter a header line uses: the most frequent of , ; and tab
 * outside quotes (',' when none). */
char ulogin_roster_detect_delimiter(const char *line);


/* Split a multi-valued cell at sep; empty parts and surrounding spaces
 * go. */
void ulogin_split_cell(const char *v, char sep, struct strv *out);

/* ---- checking and normalising values of a row ------------------------ */

/*
 * Why s cannot be a name, a key or any other value of a row: NULL, or
 * what it holds -- "a line break", "a control character" (C0, DEL, C1)
 * or "a bidirectional control character" (U+202A-U+202E,
 * U+2066-U+2069), which would make it print as something else.  s is
 * valid UTF-8.
 */
const char *ulogin_text_unsafe(const char *s);

/* s holds nothing but spaces (also no-break spaces). */
bool ulogin_text_blank(const char *s);

/*
 * Why s is not a mail address: NULL, or the reason.  An address is an
 * RFC 5322 addr-spec of dot-atoms, local@domain -- no display name, no
 * <>, no comment, no quoted local part, no line break -- with UTF-8
 * letters allowed (RFC 6532) and the lengths of RFC 5321.
 */
const char *ulogin_mail_invalid(const char *s);

/*
 * A mobile number in E.164 ("+4512345678"): spaces, dashes, dots and
 * brackets dropped, "00" read as "+", and country (e.g. "+45") put in
 * front of a number without one.  NULL with *why set when it is no phone
 * number.
 */
char *ulogin_mobile_e164(const char *in, const char *country,
			 const char **why);

/*
 * The keyed HMAC-SHA256 of a Danish national ID number (CPR, "DDMMYY-
 * NNNN" or ten digits), as lower-case hex: the only form in which ulogin
 * ever stores one.  NULL with *why set for a malformed number.  The
 * digits are wiped from memory after use.
 */
char *ulogin_nid_hmac(const char *nid, const unsigned char *key,
		      size_t keylen, const char **why);

/* Read the HMAC key file (mode 0600, at least 32 bytes).  Returns an exit
 * code (printed); the key is freed with ulogin_key_free(). */
int ulogin_key_load(const char *path, unsigned char **key, size_t *len);
void ulogin_key_free(unsigned char *key, size_t len);

/*
 * A grade as ulogin stores it, from either format: "0" to "10" without
 * leading zeros ("07" is "7"), "g1" to "g3" (also "G1"), and OneRoster's
 * kindergarten "KG" as "0".  NULL (allocated otherwise) when it is no
 * grade.
 */
char *ulogin_grade_normal(const char *grade);

/* ---- the column mapping of ulogin's own CSV -------------------------- */

enum ulogin_field {
	ULOGIN_F_EXTERNAL_ID, ULOGIN_F_GIVEN_NAME, ULOGIN_F_SURNAME,
	ULOGIN_F_ROLE, ULOGIN_F_INSTITUTION, ULOGIN_F_USERNAME,
	ULOGIN_F_CLASSES, ULOGIN_F_GRADE, ULOGIN_F_MAIL, ULOGIN_F_MOBILE,
	ULOGIN_F_NATIONAL_ID, ULOGIN_F_PARENTS, ULOGIN_NFIELDS
};

/* The field's bit in a set of fields. */
#define ULOGIN_FIELD_BIT(f) (1u << (f))

/* What an empty cell of an optional single-valued column (grade, mail,
 * mobile, national_id) means; the mapping's "empty:" section. */
enum ulogin_empty {
	ULOGIN_EMPTY_REFUSE,	/* a bad row (the default) */
	ULOGIN_EMPTY_CLEAR,	/* the user has no value: remove it */
	ULOGIN_EMPTY_KEEP,	/* not known: leave the user's value */
};

struct ulogin_mapping {
	char *columns[ULOGIN_NFIELDS];	/* column name per field, or NULL */
	enum ulogin_empty empty[ULOGIN_NFIELDS];
	char separator;			/* inside multi-valued cells */
	char *country_code;		/* for mobile numbers */
	struct strv role_from, role_to;	/* the export's role names */
};

/* Load a mapping file (see data/roster-map.yaml); errors name file, line
 * and key.  Returns an exit code or 0. */
int ulogin_mapping_load(const char *path, struct ulogin_mapping *m);
void ulogin_mapping_free(struct ulogin_mapping *m);

/* Every mapped column must be in the header: NULL, or the first missing
 * column's name. */
const char *ulogin_mapping_missing(const struct ulogin_mapping *m,
				   const struct strv *header);

/*
 * One person as a row describes them, normalised.  managed holds the
 * ULOGIN_FIELD_BITs of the fields the source speaks for: for them a NULL
 * value (or empty list) means "none", and the directory's value goes;
 * the directory's value of any other field is to be left as it is (the
 * planner does so for mail, mobile and grade; the national ID hash is
 * never removed).  The required fields are always managed.
 */
struct ulogin_person_row {
	size_t line;
	char *external_id, *given_name, *surname, *username, *grade;
	char *mail, *mobile, *nid_hmac;
	struct strv roles, institutions, classes, parents;
	unsigned managed;
};

/*
 * A row to a person.  Returns 0, or -1 with *why (allocated) saying what
 * is wrong with the row: a missing or blank required value, a control
 * character in a value, an empty optional value the mapping has no
 * "empty:" rule for, an unknown role, a bad grade, mail address, mobile
 * or national ID number.  key may be NULL when the mapping has no
 * national_id column.
 */
int ulogin_row_person(const struct ulogin_mapping *m,
		      const struct ulogin_row *row, const unsigned char *key,
		      size_t keylen, struct ulogin_person_row *out,
		      char **why);
void ulogin_person_row_free(struct ulogin_person_row *p);

/* ---- reading a whole roster into a plan ------------------------------ */

/*
 * Where a reader delivers what it read.  Both formats (ulogin's own CSV
 * and OneRoster) go through this, so the planner sees one model:
 *
 *   klass   a class: key (unique within the roster; the people's classes
 *           name it), institution number, short name ("5a"), grade (NULL
 *           when the export has none).  Called before any person who
 *           names the key.
 *   person  one person, normalised; p->classes hold class keys, p->roles
 *           ulogin roles (student teacher staff parent admin).  The sink
 *           copies what it keeps.
 *   bad     a row that is skipped: file name (as given), line, the row's
 *           key (external id, or NULL when it has none) and why.
 *
 * A callback returning non-zero stops the reader, which returns that.
 */
struct ulogin_roster_sink {
	int (*klass)(void *data, const char *key, const char *institution,
		     const char *name, const char *grade);
	int (*person)(void *data, const struct ulogin_person_row *p);
	int (*bad)(void *data, const char *file, size_t line,
		   const char *key, const char *why);
	void *data;
};

/*
 * ulogin's own CSV with a column mapping: each person's classes become
 * keys "<first institution>-<class>" (a class declared once per key).
 * Returns 0, a sink's non-zero return, or an exit code with err set (65:
 * cannot be read whole, or a mapped column missing from the header; 66).
 */
int ulogin_native_read(const char *path, const struct ulogin_roster_opts *o,
		       const struct ulogin_mapping *m,
		       const unsigned char *key, size_t keylen,
		       const struct ulogin_roster_sink *sink,
		       struct ulogin_roster_error *err);

/*
 * An IMS OneRoster 1.1 CSV directory (manifest.csv, orgs.csv, users.csv,
 * classes.csv, enrollments.csv).  Columns by header name; unknown and
 * metadata.* columns ignored.  A person with status "tobedeleted" is not
 * delivered (so the plan treats them as a leaver).  Returns like
 * ulogin_native_read; err->message names the file.
 */
int ulogin_oneroster_read(const char *dir, const struct ulogin_roster_opts *o,
			  const struct ulogin_roster_sink *sink,
			  struct ulogin_roster_error *err);

#endif
