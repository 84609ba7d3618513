/*
 * The passwords file of an import (DESIGN.md section 6): where the first
 * passwords of new users go, so that no handed-out password is ever lost.
 * Each line is on disk (write(2), then fdatasync) before the change that
 * sets the password is sent; the file is created private (0600, never
 * over an existing file or through a symbolic link) and only appended to.
 *
 *   username,password,note
 *   anna0001,Tuba-Kilo-27,
 *   bo0001,,not made: <why>
 *
 * In a file, the last line of a username counts: one with no password
 * says that this file's password for the user was never set (the user
 * may still hold one from an earlier run's file).
 */
#ifndef ULOGIN_PASSWORDS_H
#define ULOGIN_PASSWORDS_H

struct passwords;

/* Create the file and write its header.  Prints what failed and returns
 * an exit code (73), or 0. */
int ulogin_passwords_create(const char *path, struct passwords **out);
/* A file to add lines to (ulogin-user add): created as above when it is
 * not there; an existing one is appended to only when it is a regular
 * file of one's own, mode 0600, with one name, that starts with the
 * header -- never through a symbolic link.  Prints why not and returns
 * 73, or 0.  Closing never removes a file that was there before. */
int ulogin_passwords_open(const char *path, struct passwords **out);
/* For --dry-run: would ulogin_passwords_open() take path?  0 or 73
 * (printed); nothing is written. */
int ulogin_passwords_check(const char *path);
/* A line for a password about to be set: kept until the next sync. */
void ulogin_passwords_add(struct passwords *pw, const char *username,
			  const char *password);
/* Put every kept line on disk.  -1 (printed) when it cannot. */
int ulogin_passwords_sync(struct passwords *pw);
/* Say that the password of username was not set after all (and sync). */
int ulogin_passwords_void(struct passwords *pw, const char *username,
			  const char *why);
/* Sync, close and free; -1 (printed) when a line could not be written. */
int ulogin_passwords_close(struct passwords *pw);
const char *ulogin_passwords_path(const struct passwords *pw);

#endif
