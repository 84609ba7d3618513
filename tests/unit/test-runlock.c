/* The import lock's holder: read, written, and told alive or dead. */
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <sys/wait.h>

#include "unit.h"
#include "gtime.h"
#include "runlock.h"

static void
parse_reads_host_pid_and_time(void **state)
{
	struct ulogin_runlock h;
	time_t t;

	assert_int_equal(ulogin_runlock_parse("web02.skole.dk 4711 "
					      "20261123021501Z", &h), 0);
	assert_string_equal(h.host, "web02.skole.dk");
	assert_int_equal(h.pid, 4711);
	assert_int_equal(ulogin_gtime_parse("20261123021501Z", &t), 0);
	assert_int_equal(h.since, t);
}

static void
parse_refuses_what_is_no_holder(void **state)
{
	static const char *const bad[] = {
		"", "garbage", "web02 4711", "4711 20261123021501Z",
		"web02 0 20261123021501Z", "web02 -5 20261123021501Z",
		"web02 07 20261123021501Z", "web02 47x1 20261123021501Z",
		"web02 99999999999 20261123021501Z",
		"web02 4711 yesterday", "web02 4711 20261123021501Z ",
		"web 02 4711 20261123021501Z", "web02  4711 20261123021501Z",
		" 4711 20261123021501Z", "web\00302 4711 20261123021501Z",
	};
	struct ulogin_runlock h;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (ulogin_runlock_parse(bad[i], &h) == 0)
			fail_msg("'%s' was read as a holder", bad[i]);
	assert_int_equal(ulogin_runlock_parse(NULL, &h), -1);
}

static void
text_is_this_host_and_process(void **state)
{
	struct ulogin_runlock h;
	char host[256];
	char *text = ulogin_runlock_text(1700000000);

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_int_equal(ulogin_runlock_parse(text, &h), 0);
	assert_string_equal(h.host, host);
	assert_int_equal(h.pid, getpid());
	assert_int_equal(h.since, 1700000000);
	free(text);
}

static void
age_in_words(void **state)
{
	static const struct { long secs; const char *words; } cases[] = {
		{ 0, "0 s" }, { 59, "59 s" }, { 60, "1 min" },
		{ 3599, "59 min" }, { 3600, "1 h" }, { 11520, "3 h 12 min" },
		{ 11579, "3 h 12 min" }, { 86399, "23 h 59 min" },
		{ 86400, "1 d" }, { 86400 * 3 + 5 * 3600 + 59, "3 d 5 h" },
		{ -30, "0 s" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		ulogin_runlock_age(1000000, 1000000 + cases[i].secs, buf,
				   sizeof(buf));
		assert_string_equal(buf, cases[i].words);
	}
}

static void
words_name_process_host_and_age(void **state)
{
	struct ulogin_runlock h = { "web02", 4711, 0 };
	char *w;

	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(ulogin_gtime_parse("20261123021501Z", &h.since), 0);
	w = ulogin_runlock_words(&h, h.since + 11520);
	assert_string_equal(w, "process 4711 on host web02 since 2026-11-23 "
			    "02:15 UTC (3 h 12 min ago)");
	free(w);
	w = ulogin_runlock_words(&h, h.since - 10);
	assert_string_equal(w, "process 4711 on host web02 since 2026-11-23 "
			    "02:15 UTC (ahead of this host's clock)");
	free(w);
}

/* A holder on this host: the process pid, its lock taken at since. */
static enum ulogin_runlock_state
state_of(pid_t pid, time_t since)
{
	struct ulogin_runlock h;

	assert_int_equal(gethostname(h.host, sizeof(h.host)), 0);
	h.pid = pid;
	h.since = since;
	return ulogin_runlock_state(&h);
}

/* A child that sleeps: this program (a fork) or sleep(1) (exec). */
static pid_t
sleeper(bool exec)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (exec)
			execlp("sleep", "sleep", "30", (char *)NULL);
		pause();
		_exit(0);
	}
	return pid;
}

/* Wait (5 s at most) until the process pid runs the program name. */
static void
wait_for_program(pid_t pid, const char *name)
{
	char path[64], comm[64] = "";

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");

		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		if (f)
			fclose(f);
		if (!strcmp(comm, name))
			return;
		usleep(10000);
	}
	fail_msg("process %ld runs '%s', not '%s'", (long)pid, comm, name);
}

static void
reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
state_elsewhere_and_this_process(void **state)
{
	struct ulogin_runlock h = { "no-such-host.invalid", 1, 0 };

	assert_int_equal(ulogin_runlock_state(&h), ULOGIN_RUNLOCK_ELSEWHERE);
	/* This process is not the holder: it asks before it takes. */
	assert_int_equal(state_of(getpid(), time(NULL)), ULOGIN_RUNLOCK_DEAD);
	/* Process 1 started before any lock of today. */
	assert_int_equal(state_of(1, time(NULL)), ULOGIN_RUNLOCK_RUNNING);
}

static void
state_of_a_process_that_runs_and_dies(void **state)
{
	pid_t pid = sleeper(true);
	time_t now = time(NULL);
	siginfo_t info;

	wait_for_program(pid, "sleep");
	assert_int_equal(state_of(pid, now), ULOGIN_RUNLOCK_RUNNING);
	/* Started after a lock of an hour ago, running another program:
	 * the number was handed out again. */
	assert_int_equal(state_of(pid, now - 3600), ULOGIN_RUNLOCK_DEAD);
	/* Killed, not yet reaped: a zombie runs nothing. */
	kill(pid, SIGKILL);
	assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
	assert_int_equal(state_of(pid, now), ULOGIN_RUNLOCK_DEAD);
	waitpid(pid, NULL, 0);
	assert_int_equal(state_of(pid, now), ULOGIN_RUNLOCK_DEAD);
}

static void
state_of_the_same_program_started_later(void **state)
{
	pid_t pid = sleeper(false);

	/* Running this program, it is taken for the holder whenever it
	 * seems to have started (a clock set forward). */
	assert_int_equal(state_of(pid, time(NULL) - 3600),
			 ULOGIN_RUNLOCK_RUNNING);
	reap(pid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_reads_host_pid_and_time),
		cmocka_unit_test(parse_refuses_what_is_no_holder),
		cmocka_unit_test(text_is_this_host_and_process),
		cmocka_unit_test(age_in_words),
		cmocka_unit_test(words_name_process_host_and_age),
		cmocka_unit_test(state_elsewhere_and_this_process),
		cmocka_unit_test(state_of_a_process_that_runs_and_dies),
		cmocka_unit_test(state_of_the_same_program_started_later),
	};

	return RUN_TAP(tests);
}
