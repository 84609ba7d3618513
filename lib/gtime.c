#include <stdio.h>
#include <string.h>

#include "gtime.h"
#include "mem.h"
#include "banned.h"

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
ulogin_gtime_parse(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;

	if (!s || strlen(s) < 15)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 4, 2) - 1;
	tm.tm_mday = digits(s + 6, 2);
	tm.tm_hour = digits(s + 8, 2);
	tm.tm_min = digits(s + 10, 2);
	tm.tm_sec = digits(s + 12, 2);
	if (tm.tm_year < -1900 + 1 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
		return -1;
	p = s + 14;
	if (*p == '.' || *p == ',')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (strcmp(p, "Z") != 0)
		return -1;
	*out = timegm(&tm);
	return 0;
}

void
ulogin_gtime_format(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%d%H%M%SZ", &tm);
}

void
ulogin_time_words(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M %Z", &tm);
}

char *
ulogin_time_words_new(time_t t)
{
	char buf[48];

	ulogin_time_words(t, buf, sizeof(buf));
	return xstrdup(buf);
}

void
ulogin_time_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
ulogin_day_parse(const char *s, time_t *out)
{
	struct tm tm;
	int year, mon, mday;
	time_t t;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	year = digits(s, 4);
	mon = digits(s + 5, 2);
	mday = digits(s + 8, 2);
	if (year < 1970 || mon < 1 || mday < 1)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	/* timegm() moves 2026-02-30 on to March 2: not a day. */
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	if (tm.tm_year != year - 1900 || tm.tm_mon != mon - 1 ||
	    tm.tm_mday != mday)
		return -1;
	*out = t;
	return 0;
}
