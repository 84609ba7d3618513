#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "outfile.h"
#include "banned.h"

static void
say(const char *path, enum ulogin_outfile how, const char *what,
    const char *why, const char *hint)
{
	ulogin_error("cannot %s %s%s'%s': %s",
		     how == ULOGIN_OUT_APPEND ? "write" : "create",
		     what ? what : "", what ? " " : "", path, why);
	if (hint)
		ulogin_hint("%s", hint);
}

/* Why what is at a path may not be written the way how says (and a hint
 * in *hint, or NULL); NULL when it may. */
static const char *
refusal(const struct stat *st, enum ulogin_outfile how, const char **hint)
{
	*hint = NULL;
	if (S_ISLNK(st->st_mode)) {
		*hint = "a link is never followed: name the file itself";
		return "it is a symbolic link";
	}
	switch (how) {
	case ULOGIN_OUT_NEW:
		*hint = "give --overwrite to replace it, or name a new file";
		return "it exists";
	case ULOGIN_OUT_SECRET:
		*hint = "the file holds passwords, so it is never "
			"overwritten: move it away first";
		return "it exists";
	case ULOGIN_OUT_APPEND:
		/* A log may be a device (/dev/null); only root makes one. */
		return S_ISREG(st->st_mode) || S_ISCHR(st->st_mode)
			? NULL : "it is not a regular file";
	case ULOGIN_OUT_REPLACE:
		break;
	}
	if (!S_ISREG(st->st_mode))
		return "it is not a regular file";
	if (st->st_uid != geteuid()) {
		*hint = "--overwrite replaces only a file of your own: remove "
			"it first, or name a new file";
		return "it belongs to another user";
	}
	if (st->st_nlink > 1) {
		*hint = "--overwrite replaces only a file with one name: "
			"remove it first, or name a new file";
		return "it has other names (hard links)";
	}
	return NULL;
}

int
ulogin_outfile_check(const char *path, enum ulogin_outfile how,
		     const char *what)
{
	const char *slash = strrchr(path, '/'), *why = NULL, *hint = NULL;
	struct stat st;
	char *dir;

	if (lstat(path, &st) == 0) {
		why = refusal(&st, how, &hint);
	} else if (errno != ENOENT) {
		why = strerror(errno);
	} else {
		/* Not there yet: its directory must take a new file. */
		dir = !slash ? xstrdup(".") : slash == path ? xstrdup("/")
			: xstrndup(path, (size_t)(slash - path));
		if (access(dir, W_OK | X_OK) != 0)
			why = strerror(errno);
		free(dir);
	}
	if (!why)
		return 0;
	say(path, how, what, why, hint);
	return ULOGIN_EX_CANTCREAT;
}

int
ulogin_outfile_open(const char *path, enum ulogin_outfile how,
		    const char *what)
{
	/* O_NONBLOCK: a FIFO put in the file's place must not hang the run
	 * (it is refused below, once open). */
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
	const char *why = NULL, *hint = NULL;
	struct stat st;
	int fd;

	if (how == ULOGIN_OUT_NEW || how == ULOGIN_OUT_SECRET)
		flags |= O_EXCL;
	else if (how == ULOGIN_OUT_APPEND)
		flags |= O_APPEND;
	if ((fd = open(path, flags, 0600)) < 0) {
		int err = errno;

		/* Say what is in the way (EEXIST, ELOOP, EISDIR, ENXIO)
		 * in words, not errno's. */
		if (lstat(path, &st) != 0 || !(why = refusal(&st, how, &hint)))
			why = strerror(err);
		say(path, how, what, why, hint);
		return -1;
	}
	/* O_EXCL made a new file; anything else opened what was there. */
	if (how == ULOGIN_OUT_REPLACE || how == ULOGIN_OUT_APPEND) {
		if (fstat(fd, &st) != 0)
			why = strerror(errno);
		else
			why = refusal(&st, how, &hint);
	}
	if (!why && how == ULOGIN_OUT_REPLACE &&
	    (fchmod(fd, 0600) != 0 || ftruncate(fd, 0) != 0))
		why = strerror(errno);
	if (!why && ((flags = fcntl(fd, F_GETFL)) < 0 ||
		     fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0))
		why = strerror(errno);
	if (why) {
		close(fd);
		say(path, how, what, why, hint);
		return -1;
	}
	return fd;
}

FILE *
ulogin_outfile_fopen(const char *path, enum ulogin_outfile how,
		     const char *what)
{
	int fd = ulogin_outfile_open(path, how, what);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, how == ULOGIN_OUT_APPEND ? "a" : "w"))) {
		say(path, how, what, strerror(errno), NULL);
		close(fd);
	}
	return f;
}
