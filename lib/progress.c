#include <stdio.h>
#include <unistd.h>

#include "msg.h"
#include "progress.h"
#include "banned.h"

bool
ulogin_progress_wanted(void)
{
	return isatty(STDERR_FILENO) && ulogin_verbosity() >= 0;
}

void
ulogin_progress_start(struct ulogin_progress *p, bool on, size_t total)
{
	p->on = on;
	p->done = 0;
	p->total = total;
}

void
ulogin_progress_step(struct ulogin_progress *p)
{
	static const char bar[] = "##############################";
	size_t width = sizeof(bar) - 1;
	size_t filled;

	p->done++;
	if (!p->on || (p->done % 64 && p->done != p->total))
		return;
	filled = p->total ? p->done * width / p->total : width;
	fprintf(stderr, "\r[%-30.*s] %3zu%% %zu/%zu", (int)filled, bar,
		p->total ? p->done * 100 / p->total : 100, p->done, p->total);
	if (p->done == p->total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

void
ulogin_progress_clear(const struct ulogin_progress *p)
{
	if (p->on) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}
