/* LDAP GeneralizedTime values, read and written, and dates in words. */
#ifndef ULOGIN_GTIME_H
#define ULOGIN_GTIME_H

#include <stddef.h>
#include <time.h>

/* "20261123105600Z" (fractions allowed) to time_t; -1 when malformed. */
int ulogin_gtime_parse(const char *s, time_t *out);
/* time_t to "YYYYMMDDHHMMSSZ"; buf needs 16 bytes. */
void ulogin_gtime_format(time_t t, char *buf, size_t len);
/* time_t to "2026-11-23 11:56 CET", local time; buf needs 32 bytes. */
void ulogin_time_words(time_t t, char *buf, size_t len);
/* The same, in a new string (free it). */
char *ulogin_time_words_new(time_t t);
/* time_t to ISO 8601 UTC, "2026-11-23T10:56:00Z", for scripts; buf needs
 * 21 bytes. */
void ulogin_time_iso(time_t t, char *buf, size_t len);
/* "2026-11-23", a day of the calendar, to its start (00:00 UTC); -1 when
 * it is no such day. */
int ulogin_day_parse(const char *s, time_t *out);

#endif
