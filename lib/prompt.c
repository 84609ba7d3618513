#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
#include "inert.h"
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

/* The terminal's settings while echo is off, for the signal handler. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_fd = -1;

static void
restore_tty(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

char *
ulogin_prompt_secret(const char *prompt)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGTSTP };
	struct sigaction sa, old[sizeof(sigs) / sizeof(*sigs)];
	struct termios quiet;
	char buf[SECRET_MAX];
	char *out = NULL;
	ssize_t n = 0;
	size_t len = 0;
	int fd, echo_off = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0) {
		errno = ENXIO;
		return NULL;
	}
	if (tcgetattr(fd, &saved_tty) == 0) {
		/* Put echo back if the user interrupts the prompt. */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = restore_tty;
		for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
			sigaction(sigs[i], &sa, &old[i]);
		tty_fd = fd;
		quiet = saved_tty;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		echo_off = tcsetattr(fd, TCSANOW, &quiet) == 0;
	}
	/* The prompt once echo is off, so that nothing typed as soon as it
	 * shows is echoed.  read(2), not stdio: no library buffer keeps a
	 * copy. */
	if (write(fd, prompt, strlen(prompt)) < 0)
		n = -1;
	while (n >= 0 && len < sizeof(buf) &&
	       (n = read(fd, buf + len, 1)) == 1 && buf[len] != '\n')
		len++;
	/* End of input (Ctrl-D) before Enter cancels: what was typed so
	 * far is not taken for the whole secret. */
	if (n == 1 && len < sizeof(buf)) {
		if (len && buf[len - 1] == '\r')
			len--;
		out = xstrndup(buf, len);
	}
	if (echo_off || tty_fd >= 0) {
		tcsetattr(fd, TCSAFLUSH, &saved_tty);
		tty_fd = -1;
		for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
			sigaction(sigs[i], &old[i], NULL);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	if (!out)
		errno = n == 0 ? ECANCELED : EIO;
	return out;
}

char *
ulogin_read_secret_line(size_t max, bool *too_long)
{
	char *buf = xmalloc(max + 1);
	size_t len = 0;
	ssize_t n;
	char ch = 0;

	*too_long = false;
	for (;;) {
		if ((n = read(STDIN_FILENO, &ch, 1)) < 0 && errno == EINTR)
			continue;
		if (n != 1 || ch == '\n')
			break;
		if (len == max) {
			*too_long = true;
			break;
		}
		buf[len++] = ch;
	}
	ch = 0;
	if (n < 0 || (n == 0 && len == 0) || *too_long) {
		OPENSSL_cleanse(buf, len);
		free(buf);
		return NULL;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return buf;
}

bool
ulogin_confirm(const char *question)
{
	char *q = ulogin_inert(question), *prompt = xasprintf("%s [y/N] ", q);
	char *answer = readline(prompt);
	bool yes = answer && (strcasecmp(answer, "y") == 0 ||
			      strcasecmp(answer, "yes") == 0);

	free(q);
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
		int err = errno;

		ulogin_error("cannot read password file '%s': %s", path,
			     strerror(err));
		if (err == ELOOP)
			ulogin_hint("a password file may not be a symbolic "
				    "link; name the file itself");
		return err == ENOENT ? ULOGIN_EX_NOINPUT : ULOGIN_EX_NOPERM;
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
