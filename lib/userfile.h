/*
 * Users from a CSV file: ulogin-user add --from FILE.  The header names
 * the columns given_name, surname, role, institution (required) and
 * username, grade, mail, mobile (optional); several values in a cell are
 * separated by ';' (by ',' in a file whose columns are separated by ';').
 */
#ifndef ULOGIN_USERFILE_H
#define ULOGIN_USERFILE_H

#include <stddef.h>

#include "connection.h"
#include "output.h"

struct passwords;

/*
 * Add every user of the file at path with ulogin_user_add(), each initial
 * password in file.  A row that cannot be used or added is reported with
 * its line ("PATH:LINE: not added: why") and skipped; *rows and *failed
 * count them.  *out lists the users added (line, username, name, dn).
 * Returns 0, or an exit code that stopped the run: the file unreadable
 * (66) or not whole, a header with an unknown or without a required
 * column (65), no server, no audit trail or a passwords file that cannot
 * be written.  Free *out with ulogin_table_free().
 */
int ulogin_user_add_file(struct ulogin_conn *c, const char *path,
			 struct passwords *file, struct ulogin_table **out,
			 size_t *rows, size_t *failed);

#endif
