/*
 * A progress bar for long work (imports, promotions, whole classes), on
 * stderr, only when stderr is a terminal and --quiet is not given: never
 * in cron or a pipe.  A message in the middle of the work first clears
 * the bar (ulogin_progress_clear).
 */
#ifndef ULOGIN_PROGRESS_H
#define ULOGIN_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct ulogin_progress {
	bool on;
	size_t done, total;
};

/* Whether a bar belongs on this stderr at all. */
bool ulogin_progress_wanted(void);
void ulogin_progress_start(struct ulogin_progress *p, bool on, size_t total);
/* One more item done; the bar is redrawn now and then, and at the end. */
void ulogin_progress_step(struct ulogin_progress *p);
/* Take the bar off the line (before a message, and at the end). */
void ulogin_progress_clear(const struct ulogin_progress *p);

#endif
