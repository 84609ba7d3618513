/*
 * Printing results: a table on a terminal, tsv, csv (libcsv's writer) or
 * json (jansson) for scripts.  Column and field names are an interface
 * and stay stable.
 */
#ifndef ULOGIN_OUTPUT_H
#define ULOGIN_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "mem.h"

enum ulogin_format { ULOGIN_FMT_TABLE, ULOGIN_FMT_TSV, ULOGIN_FMT_CSV,
		     ULOGIN_FMT_JSON };

/* The format named (NULL: a table on a terminal, tsv otherwise); -1 for an
 * unknown name. */
int ulogin_format_parse(const char *name, bool terminal);

/* A list of rows with fixed columns.  A column whose name ends in '*'
 * holds a list (a JSON array; joined with commas elsewhere); one ending
 * in '#' a number (a JSON number). */
struct ulogin_table;
struct ulogin_table *ulogin_table_new(const char *const *columns);
void ulogin_table_begin_row(struct ulogin_table *t);
/* Add a value to a column of the current row (NULL adds nothing). */
void ulogin_table_set(struct ulogin_table *t, size_t col, const char *value);
/* Sort rows by the first value of a column. */
void ulogin_table_sort(struct ulogin_table *t, size_t col);
/* Append the first value of a column of every row to out. */
void ulogin_table_column(const struct ulogin_table *t, size_t col,
			 struct strv *out);
size_t ulogin_table_rows(const struct ulogin_table *t);
/* The first value of a cell, or NULL when it has none. */
const char *ulogin_table_cell(const struct ulogin_table *t, size_t row,
			      size_t col);
/* Returns 0, or 73 when the output cannot be written. */
int ulogin_table_print(const struct ulogin_table *t, enum ulogin_format f,
		       FILE *out);
void ulogin_table_free(struct ulogin_table *t);
/* What a command did, whether or not all of it went well: print t (when
 * there is one) on stdout and free it.  rc, the command's own exit code,
 * wins over a failure to print. */
int ulogin_table_finish(struct ulogin_table *t, enum ulogin_format f,
			int rc);
/* Free a table that holds secrets (generated passwords), overwriting
 * every value first. */
void ulogin_table_free_secret(struct ulogin_table *t);

/* One record of named fields, for "show": labelled lines on a terminal, a
 * JSON object, or field/value rows. */
struct ulogin_record;
struct ulogin_record *ulogin_record_new(void);
/* A single value; NULL is shown as nothing (JSON null). */
void ulogin_record_add(struct ulogin_record *r, const char *key,
		       const char *label, const char *value);
/* "yes"/"no" in text, true/false in JSON. */
void ulogin_record_add_bool(struct ulogin_record *r, const char *key,
			    const char *label, bool value);
/* A count: a JSON number. */
void ulogin_record_add_count(struct ulogin_record *r, const char *key,
			     const char *label, long value);
/* A time: local time in words on a terminal, ISO 8601 UTC for scripts
 * (tsv, csv, json). */
void ulogin_record_add_time(struct ulogin_record *r, const char *key,
			    const char *label, time_t value);
/* A list, always a JSON array. */
void ulogin_record_add_list(struct ulogin_record *r, const char *key,
			    const char *label, const struct strv *values);
int ulogin_record_print(const struct ulogin_record *r, enum ulogin_format f,
			FILE *out);
void ulogin_record_free(struct ulogin_record *r);
/* The same after overwriting every value: for a record with a password. */
void ulogin_record_free_secret(struct ulogin_record *r);

/* The same, for a table or record that holds a secret (a generated
 * password), to standard output: the whole text is formatted into one
 * buffer of our own, written with write(2) and overwritten, and every
 * copy made on the way (escaped values, jansson's strings, the stdio
 * buffer) is overwritten too, so that no freed memory keeps it.
 * 0, or 73 when it cannot be written. */
int ulogin_table_print_secret(const struct ulogin_table *t,
			      enum ulogin_format f);
int ulogin_record_print_secret(const struct ulogin_record *r,
			       enum ulogin_format f);
/* Write text to standard output with write(2), after flushing stdout's
 * stdio buffer: no library buffer keeps a copy.  0, or -1 (errno). */
int ulogin_write_secret(const char *text, size_t len);

/* Display width of a UTF-8 string in terminal columns. */
size_t ulogin_display_width(const char *s);

#endif
