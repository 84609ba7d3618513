/*
 * The passwords file: lines gathered in memory that is wiped, written in
 * one write(2) per batch and made durable with fdatasync before the
 * batch's changes go out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "passwords.h"
#include "banned.h"

struct passwords {
	int fd;
	char *path;
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

int
ulogin_passwords_create(const char *path, struct passwords **out)
{
	struct passwords *pw;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_APPEND | O_CLOEXEC, 0600);

	*out = NULL;
	if (fd < 0) {
		ulogin_error("cannot create '%s': %s", path, strerror(errno));
		if (errno == EEXIST || errno == ELOOP)
			ulogin_hint("the file holds passwords, so it is never "
				    "overwritten: move it away first, or give "
				    "a new name");
		return ULOGIN_EX_CANTCREAT;
	}
	pw = xcalloc(1, sizeof(*pw));
	pw->fd = fd;
	pw->path = xstrdup(path);
	put_line(pw, "username", "password", "note");
	if (ulogin_passwords_sync(pw) < 0) {
		ulogin_passwords_close(pw);
		return ULOGIN_EX_CANTCREAT;
	}
	*out = pw;
	return 0;
}

void
ulogin_passwords_add(struct passwords *pw, const char *username,
		     const char *password)
{
	put_line(pw, username, password, NULL);
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
