/*
 * The holder of an import source's lock: made, read, and judged alive or
 * dead.  Judging errs on the side of "alive": a dead run taken for alive
 * costs a night's import and a person running 'unlock'; a live run taken
 * for dead lets two runs write the same source at once.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gtime.h"
#include "mem.h"
#include "runlock.h"
#include "banned.h"

/*
 * How much later than its lock's time a process may seem to have started
 * and still be the holder: the lock's time and the boot time that
 * /proc counts from are whole seconds, and the clock may have been
 * nudged since.
 */
#define START_SLACK 5

static void
this_host(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0 || !*buf)
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
}

char *
ulogin_runlock_text(time_t started)
{
	char host[256], stamp[32];

	this_host(host, sizeof(host));
	ulogin_gtime_format(started, stamp, sizeof(stamp));
	return xasprintf("%s %ld %s", host, (long)getpid(), stamp);
}

int
ulogin_runlock_parse(const char *text, struct ulogin_runlock *out)
{
	const char *time_at, *pid_at, *s;
	char *end;
	size_t host_len;
	long pid;

	if (!text || !(time_at = strrchr(text, ' ')) || time_at == text)
		return -1;
	for (pid_at = time_at; pid_at > text && pid_at[-1] != ' '; pid_at--)
		;
	if (pid_at == text || pid_at == time_at)
		return -1;
	host_len = (size_t)(pid_at - 1 - text);
	if (!host_len || host_len >= sizeof(out->host))
		return -1;
	for (s = text; s < pid_at - 1; s++)
		if (*s <= ' ' || *s > '~')
			return -1;
	if (*pid_at < '1' || *pid_at > '9')
		return -1;
	errno = 0;
	pid = strtol(pid_at, &end, 10);
	/* Never 0 or negative: kill() would mean a process group. */
	if (errno || end != time_at || pid <= 0 || pid > INT_MAX)
		return -1;
	if (ulogin_gtime_parse(time_at + 1, &out->since) < 0)
		return -1;
	memcpy(out->host, text, host_len);
	out->host[host_len] = '\0';
	out->pid = pid;
	return 0;
}

/* The first line of a small /proc file, without its newline. */
static int
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* When the machine booted, by the clock as it is now (/proc/stat). */
static int
boot_time(time_t *out)
{
	FILE *f = fopen("/proc/stat", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = -1;

	if (!f)
		return -1;
	while (rc < 0 && getline(&line, &cap, f) > 0) {
		long long v;
		char *end;

		if (strncmp(line, "btime ", 6))
			continue;
		errno = 0;
		v = strtoll(line + 6, &end, 10);
		if (!errno && end != line + 6 && v > 0) {
			*out = (time_t)v;
			rc = 0;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* Does the process pid run the same program as this one (its name)? */
static bool
same_program(long pid)
{
	char path[64], theirs[64], mine[64];

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (read_line(path, theirs, sizeof(theirs)) < 0 ||
	    read_line("/proc/self/comm", mine, sizeof(mine)) < 0)
		return true;	/* cannot tell */
	return !strcmp(theirs, mine);
}

/*
 * The process pid exists: can it be the run that took the lock at since?
 * Not a zombie, and not a process that started after the lock was taken
 * running another program: the ID was handed out again.  (A holder
 * always started before its lock; one running this program is taken to
 * be the holder, so that a clock set forward since it started, which
 * makes it look younger, cannot get its lock taken.)  Without a /proc to
 * ask, it can.
 */
static bool
may_be_holder(long pid, time_t since)
{
	char path[64], buf[1024], *p, *end;
	unsigned long long ticks;
	long hz = sysconf(_SC_CLK_TCK);
	time_t boot;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_line(path, buf, sizeof(buf)) < 0)
		return true;
	/* "PID (NAME) STATE ...": NAME may hold spaces and ')'. */
	if (!(p = strrchr(buf, ')')) || p[1] != ' ' || !p[2])
		return true;
	if (p[2] == 'Z' || p[2] == 'X' || p[2] == 'x')
		return false;
	/* Field 22, the start in clock ticks after boot; STATE is 3. */
	p += 2;
	for (int field = 3; field < 22; field++) {
		if (!(p = strchr(p, ' ')))
			return true;
		p++;
	}
	errno = 0;
	ticks = strtoull(p, &end, 10);
	if (errno || end == p || hz <= 0 || boot_time(&boot) < 0)
		return true;
	if (boot + (time_t)(ticks / (unsigned long long)hz) <=
	    since + START_SLACK)
		return true;
	return same_program(pid);
}

enum ulogin_runlock_state
ulogin_runlock_state(const struct ulogin_runlock *h)
{
	char host[256];

	this_host(host, sizeof(host));
	if (strcasecmp(h->host, host) || !strcmp(host, "unknown"))
		return ULOGIN_RUNLOCK_ELSEWHERE;
	/* This process takes the lock only after asking: the number is an
	 * earlier process's (another PID namespace, or a run of the
	 * interactive shell that could not release its lock). */
	if (h->pid == (long)getpid())
		return ULOGIN_RUNLOCK_DEAD;
	if (kill((pid_t)h->pid, 0) == -1 && errno == ESRCH)
		return ULOGIN_RUNLOCK_DEAD;
	/* It exists (EPERM: another user's). */
	return may_be_holder(h->pid, h->since) ? ULOGIN_RUNLOCK_RUNNING
					       : ULOGIN_RUNLOCK_DEAD;
}

void
ulogin_runlock_age(time_t since, time_t now, char *buf, size_t len)
{
	static const struct {
		long long secs;
		const char *name;
	} unit[] = { { 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" } };
	long long s = now > since ? (long long)(now - since) : 0, rest;
	size_t i = 0;
	int n;

	while (i < 3 && s < unit[i].secs)
		i++;
	n = snprintf(buf, len, "%lld %s", s / unit[i].secs, unit[i].name);
	/* Days and hours say the next unit too; minutes are enough. */
	rest = i < 2 ? s % unit[i].secs / unit[i + 1].secs : 0;
	if (rest && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %lld %s", rest,
			 unit[i + 1].name);
}

char *
ulogin_runlock_words(const struct ulogin_runlock *h, time_t now)
{
	char when[32], age[32];

	ulogin_time_words(h->since, when, sizeof(when));
	if (h->since > now)
		return xasprintf("process %ld on host %s since %s (ahead of "
				 "this host's clock)", h->pid, h->host, when);
	ulogin_runlock_age(h->since, now, age, sizeof(age));
	return xasprintf("process %ld on host %s since %s (%s ago)", h->pid,
			 h->host, when, age);
}
