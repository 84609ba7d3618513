#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <readline/readline.h>

#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "prompt.h"
#include "banned.h"

#define SECRET_MAX 1024

bool
ulogin_interactive(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

char *
ulogin_prompt_secret(const char *prompt)
{
	struct termios old, quiet;
	char buf[SECRET_MAX];
	char *out = NULL;
	FILE *tty;
	size_t len;

	if (!(tty = fopen("/dev/tty", "r+")))
		return NULL;
	fputs(prompt, tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (fgets(buf, sizeof(buf), tty)) {
		len = strcspn(buf, "\r\n");
		out = xstrndup(buf, len);
	}
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	OPENSSL_cleanse(buf, sizeof(buf));
	fclose(tty);
	return out;
}

bool
ulogin_confirm(const char *question)
{
	char *prompt = xasprintf("%s [y/N] ", question);
	char *answer = readline(prompt);
	bool yes = answer && (strcasecmp(answer, "y") == 0 ||
			      strcasecmp(answer, "yes") == 0);

	free(prompt);
	free(answer);
	return yes;
}

int
ulogin_read_password_file(const char *path, char **out)
{
	char buf[SECRET_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		ulogin_error("cannot read password file '%s': %s", path,
			     strerror(errno));
		return errno == ENOENT ? ULOGIN_EX_NOINPUT : ULOGIN_EX_NOPERM;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		ulogin_error("password file '%s' is not a regular file", path);
		return ULOGIN_EX_CONFIG;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		ulogin_error("password file '%s' can be read by others", path);
		ulogin_hint("make it private with 'chmod 600 %s'", path);
		return ULOGIN_EX_CONFIG;
	}
	n = read(fd, buf, SECRET_MAX + 1);
	close(fd);
	if (n < 0 || n > SECRET_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		ulogin_error("cannot read password file '%s': %s", path,
			     n < 0 ? strerror(errno) : "file too long");
		return ULOGIN_EX_CONFIG;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	*out = xstrndup(buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}
