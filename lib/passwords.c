/*
 * The passwords file: lines gathered in memory that is wiped, written in
 * one write(2) per batch and made durable with fdatasync before the
 * batch's changes go out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>

#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "outfile.h"
#include "passwords.h"
#include "banned.h"

struct passwords {
	int fd;
	char *path;
	bool used;		/* a line besides the header was written */
	bool kept;		/* the file was there before: never removed */
	char *buf;		/* lines not yet on disk */
	size_t len, cap;
	bool failed;
};

/* Room for n more bytes; a buffer that held passwords is wiped before
 * it is let go. */
static void
reserve(struct passwords *pw, size_t n)
{
	char *bigger;

	if (pw->len + n <= pw->cap)
		return;
	pw->cap = (pw->len + n) * 2;
	bigger = xmalloc(pw->cap);
	if (pw->buf) {
		memcpy(bigger, pw->buf, pw->len);
		OPENSSL_cleanse(pw->buf, pw->len);
		free(pw->buf);
	}
	pw->buf = bigger;
}

/* One CSV field (quoted when it needs to be), then sep. */
static void
put_field(struct passwords *pw, const char *v, char sep)
{
	bool quote = v && strpbrk(v, ",\"\r\n");

	reserve(pw, 2 * (v ? strlen(v) : 0) + 3);
	if (quote)
		pw->buf[pw->len++] = '"';
	for (; v && *v; v++) {
		if (*v == '"')
			pw->buf[pw->len++] = '"';
		pw->buf[pw->len++] = *v;
	}
	if (quote)
		pw->buf[pw->len++] = '"';
	pw->buf[pw->len++] = sep;
}

static void
put_line(struct passwords *pw, const char *username, const char *password,
	 const char *note)
{
	put_field(pw, username, ',');
	put_field(pw, password, ',');
	put_field(pw, note, '\n');
}

/* The new file's name on disk too: its directory synced. */
static void
sync_directory(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path + 1))
			  : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int
ulogin_passwords_create(const char *path, struct passwords **out)
{
	struct passwords *pw;
	int fd = ulogin_outfile_open(path, ULOGIN_OUT_SECRET, NULL);

	*out = NULL;
	if (fd < 0)
		return ULOGIN_EX_CANTCREAT;
	pw = xcalloc(1, sizeof(*pw));
	pw->fd = fd;
	pw->path = xstrdup(path);
	put_line(pw, "username", "password", "note");
	if (ulogin_passwords_sync(pw) == 0)
		sync_directory(path);
	if (pw->failed) {
		ulogin_passwords_close(pw);
		return ULOGIN_EX_CANTCREAT;
	}
	*out = pw;
	return 0;
}

static const char header[] = "username,password,note\n";

/* Why an existing passwords file may not be appended to (and a hint), or
 * NULL when it may: fd is open on it for reading and appending. */
static const char *
not_appendable(int fd, char *mode, size_t size, const char **hint)
{
	char head[sizeof(header) - 1];
	struct stat st;

	*hint = "name a new file (it is made private), or one an earlier "
		"'ulogin-user add --passwords' made";
	if (fstat(fd, &st) != 0)
		return strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "it is not a regular file";
	if (st.st_uid != geteuid())
		return "it belongs to another user";
	if ((st.st_mode & 07777) != 0600) {
		snprintf(mode, size, "it is not private (mode %04o, not 0600)",
			 (unsigned)(st.st_mode & 07777));
		*hint = "a passwords file must be readable by you alone: check "
			"who may have read it, then 'chmod 600' it, or name a "
			"new file";
		return mode;
	}
	if (st.st_nlink != 1)
		return "it has other names (hard links)";
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    memcmp(head, header, sizeof(head)) != 0)
		return "it is not a passwords file (its first line is not "
		       "'username,password,note')";
	return NULL;
}

/* Open an existing passwords file to append to: a descriptor, -1 when
 * there is none (ENOENT), or -2 when it may not be used (printed). */
static int
open_existing(const char *path)
{
	const char *why, *hint = NULL;
	char mode[64];
	int fd, flags, err;

	/* O_NONBLOCK: a FIFO in its place must not hang (refused below). */
	fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC |
		  O_NONBLOCK);
	err = errno;
	if (fd < 0 && err == ENOENT)
		return -1;
	if (fd < 0) {
		why = err == ELOOP ? "it is a symbolic link" : strerror(err);
		if (err == ELOOP)
			hint = "a link is never followed: name the file itself";
	} else if (!(why = not_appendable(fd, mode, sizeof(mode), &hint)) &&
		   ((flags = fcntl(fd, F_GETFL)) < 0 ||
		    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)) {
		why = strerror(errno);
	}
	if (!why)
		return fd;
	ulogin_error("cannot add to passwords file '%s': %s", path, why);
	if (hint)
		ulogin_hint("%s", hint);
	if (fd >= 0)
		close(fd);
	return -2;
}

int
ulogin_passwords_open(const char *path, struct passwords **out)
{
	struct passwords *pw;
	struct stat st;
	char last;
	int fd = open_existing(path);

	*out = NULL;
	if (fd == -1)
		return ulogin_passwords_create(path, out);
	if (fd < 0)
		return ULOGIN_EX_CANTCREAT;
	pw = xcalloc(1, sizeof(*pw));
	pw->fd = fd;
	pw->path = xstrdup(path);
	pw->kept = true;
	/* A file whose last line has no newline (edited by hand) would
	 * have the first new line joined to it: end that line first. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
		reserve(pw, 1);
		pw->buf[pw->len++] = '\n';
	}
	*out = pw;
	return 0;
}

int
ulogin_passwords_check(const char *path)
{
	int fd = open_existing(path);

	if (fd == -1)
		return ulogin_outfile_check(path, ULOGIN_OUT_SECRET,
					    "passwords file");
	if (fd < 0)
		return ULOGIN_EX_CANTCREAT;
	close(fd);
	return 0;
}

void
ulogin_passwords_add(struct passwords *pw, const char *username,
		     const char *password)
{
	put_line(pw, username, password, NULL);
	pw->used = true;
}


int
ulogin_passwords_sync(struct passwords *pw)
{
	size_t off = 0;

	if (pw->failed)
		return -1;
	while (off < pw->len) {
		ssize_t n = write(pw->fd, pw->buf + off, pw->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ulogin_error("cannot write '%s': %s", pw->path,
				     n < 0 ? strerror(errno) : "disk full");
			pw->failed = true;
			break;
		}
		off += (size_t)n;
	}
	if (!pw->failed && pw->len && fdatasync(pw->fd) != 0) {
		ulogin_error("cannot write '%s' to disk: %s", pw->path,
			     strerror(errno));
		pw->failed = true;
	}
	OPENSSL_cleanse(pw->buf, pw->len);
	pw->len = 0;
	return pw->failed ? -1 : 0;
}

int
ulogin_passwords_void(struct passwords *pw, const char *username,
		      const char *why)
{
	char *note = xasprintf("not made: %s", why);

	put_line(pw, username, NULL, note);
	free(note);
	return ulogin_passwords_sync(pw);
}

int
ulogin_passwords_close(struct passwords *pw)
{
	int rc;

	if (!pw)
		return 0;
	rc = ulogin_passwords_sync(pw);
	if (close(pw->fd) != 0 && !rc) {
		ulogin_error("cannot write '%s': %s", pw->path,
			     strerror(errno));
		rc = -1;
	}
	/* No password went in: no file that says nothing (a nightly run
	 * that adds nobody leaves none). */
	if (!rc && !pw->used && !pw->kept)
		unlink(pw->path);
	if (pw->buf)
		OPENSSL_cleanse(pw->buf, pw->cap);
	free(pw->buf);
	free(pw->path);
	free(pw);
	return rc;
}

const char *
ulogin_passwords_path(const struct passwords *pw)
{
	return pw->path;
}
