/*
 * The holder of an import source's lock, as uloginLock keeps it: "HOST PID
 * TIME", the host the run runs on, its process ID and when it started.
 * From it a later run tells a run that still goes on from one that died:
 * on the same host, where the process can be looked at.
 */
#ifndef ULOGIN_RUNLOCK_H
#define ULOGIN_RUNLOCK_H

#include <stddef.h>
#include <time.h>

struct ulogin_runlock {
	char host[256];
	long pid;
	time_t since;
};

/* This process's holder text for a run that started at started. */
char *ulogin_runlock_text(time_t started);

/* Read a holder text: 0, or -1 when it is not "HOST PID TIME". */
int ulogin_runlock_parse(const char *text, struct ulogin_runlock *out);

enum ulogin_runlock_state {
	ULOGIN_RUNLOCK_ELSEWHERE,	/* another host: cannot be looked at */
	ULOGIN_RUNLOCK_RUNNING,		/* this host, and its process runs */
	ULOGIN_RUNLOCK_DEAD,		/* this host, and its process is gone */
};

/*
 * Is the holder's run still going?  On this host its process is gone when
 * there is no process with its ID, or only a zombie, or (Linux) one that
 * started after the lock was taken and runs another program than this
 * one: a recycled ID.  When that cannot be told, it runs.
 */
enum ulogin_runlock_state ulogin_runlock_state(const struct ulogin_runlock *h);

/* How long ago since was: "45 s", "12 min", "3 h 12 min", "2 d 5 h". */
void ulogin_runlock_age(time_t since, time_t now, char *buf, size_t len);

/* "process 4711 on host web02 since 2026-11-23 02:15 UTC (3 h 12 min
 * ago)", a new string. */
char *ulogin_runlock_words(const struct ulogin_runlock *h, time_t now);

#endif
