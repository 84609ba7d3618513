/*
 * Import execution: the order of a run is the safety.  The roster is read
 * whole before anything is locked; the lock is taken before the
 * directory is read; the plan is checked against the leaver limit before
 * the first write; and the outcome is recorded as the lock is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include <ldap.h>
#include <openssl/crypto.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "gtime.h"
#include "import.h"
#include "inert.h"
#include "msg.h"
#include "offline.h"
#include "outfile.h"
#include "passwords.h"
#include "plan.h"
#include "progress.h"
#include "runlock.h"
#include "state.h"
#include "banned.h"

const char *
ulogin_source_invalid(const char *name)
{
	if (!name || !*name)
		return "it is empty";
	if (strlen(name) > 64)
		return "it is longer than 64 characters";
	for (const char *s = name; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return "use letters, digits, '-', '_' and '.' only";
	return NULL;
}

long
ulogin_max_leavers(const char *setting, size_t active)
{
	char *end;
	long n;

	if (!setting || !*setting)
		return -1;
	errno = 0;
	n = strtol(setting, &end, 10);
	if (errno || end == setting || n < 0)
		return -1;
	if (!strcmp(end, "%")) {
		if (n > 100)
			return -1;
		/* Rounded up: a small source may still lose one. */
		return (long)((active * (size_t)n + 99) / 100);
	}
	return *end ? -1 : n;
}

static char *
source_dn(struct ulogin_conn *c, const char *source)
{
	char *imports = ulogin_dn_imports(ulogin_conn_base(c));
	char *dn = ulogin_dn_child(imports, "cn", source);

	free(imports);
	return dn;
}

/* ---- the lock ----------------------------------------------------------- */

static const char *const source_attrs[] = {
	"cn", "uloginSourceKind", "uloginDeprecated", "uloginLastRun",
	"uloginLastOutcome", "uloginLastCounts", "uloginLock",
	"uloginDeprecatedBy", NULL
};

/* lock_held(): the lock changed while it was read; ask again. */
#define LOCK_CHANGED (-1)

/* Set the source's lock to holder, in one modify that the server makes
 * only while the entry matches assertion; comment (owned) for the audit
 * log.  An LDAP result code. */
static int
set_lock(struct ulogin_conn *c, const char *dn, const char *holder,
	 const char *assertion, const char *action, char *comment)
{
	struct ulogin_change ch;
	int rc;

	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, dn, action);
	ulogin_change_set(&ch, "uloginLock", holder);
	ch.comment = comment;
	rc = ulogin_apply_asserted(c, &ch, assertion);
	ulogin_change_free(&ch);
	return rc;
}

/* The lock is held by a run that may still go on: say by whom, and
 * what to do. */
static int
say_held(const char *source, const char *text,
	 const struct ulogin_runlock *h, enum ulogin_runlock_state state)
{
	char *words;

	if (!h) {
		ulogin_error("source '%s' is locked by '%s', which names no "
			     "host, process and time: it is taken as held by "
			     "a running import", source, text);
		ulogin_hint("try again later; if no import of '%s' runs any "
			    "more, remove the lock with 'ulogin-import unlock "
			    "--source %s'", source, source);
		return ULOGIN_EX_TEMPFAIL;
	}
	words = ulogin_runlock_words(h, time(NULL));
	ulogin_error("source '%s' is being imported by another run: %s",
		     source, words);
	if (state == ULOGIN_RUNLOCK_RUNNING)
		ulogin_hint("try again later; that process still runs on this "
			    "host ('kill %ld' stops it cleanly, releasing the "
			    "lock)", h->pid);
	else
		ulogin_hint("try again later; if no import runs on %s any "
			    "more, remove the lock with 'ulogin-import unlock "
			    "--source %s'", h->host, source);
	free(words);
	return ULOGIN_EX_TEMPFAIL;
}

/*
 * Take over the lock old of a run that died, in one modify that the
 * server makes only while the lock is still old: of two runs that find
 * the same dead lock, one wins, and the other finds the winner's lock.
 */
static int
take_over(struct ulogin_conn *c, const char *dn, const char *source,
	  const char *holder, const char *old, const struct ulogin_runlock *h,
	  char **took_over)
{
	char *assertion = ulogin_filter("(uloginLock=%s)", old);
	int rc;

	rc = set_lock(c, dn, holder, assertion, "import.lock.takeover",
		      xasprintf("the run of the lock '%s' is gone", old));
	free(assertion);
	if (rc == LDAP_ASSERTION_FAILED)
		return LOCK_CHANGED;
	if (rc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, rc, "cannot take over the lock of "
					 "import source '%s'", source);
	*took_over = ulogin_runlock_words(h, time(NULL));
	ulogin_warn("took over the lock of source '%s' from a run that "
		    "died: %s is gone", source, *took_over);
	return 0;
}

/*
 * Someone holds the lock: a run that still goes on, or one that died.  A
 * holder on this host whose process is gone is taken over; any other is
 * reported.  Returns 0 (taken over, *took_over says from whom), 75 (held,
 * reported), LOCK_CHANGED, or another exit code.
 */
static int
lock_held(struct ulogin_conn *c, const char *dn, const char *source,
	  const char *holder, char **took_over)
{
	struct ulogin_entry e;
	struct ulogin_runlock h;
	enum ulogin_runlock_state state;
	const char *old;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = ulogin_read(c, dn, source_attrs, &e);
	if (rc != LDAP_SUCCESS) {
		ulogin_entry_free(&e);
		return ulogin_ldap_error(c, rc, "cannot read the lock of "
					 "import source '%s'", source);
	}
	if (!(old = ulogin_entry_get(&e, "uloginLock")))
		rc = LOCK_CHANGED;
	else if (ulogin_runlock_parse(old, &h) < 0)
		rc = say_held(source, old, NULL, ULOGIN_RUNLOCK_RUNNING);
	else if ((state = ulogin_runlock_state(&h)) != ULOGIN_RUNLOCK_DEAD)
		rc = say_held(source, old, &h, state);
	else
		rc = take_over(c, dn, source, holder, old, &h, took_over);
	ulogin_entry_free(&e);
	return rc;
}

/*
 * Take the source's lock: one modify that the server makes only while
 * the entry has no lock (the assertion control), so two runs can never
 * both get it; or the lock of a run that died on this host (take_over).
 * A new source's entry is made with the lock in it.  When a run took
 * over a dead run's lock, *took_over says whose (a new string).
 */
static int
take_lock(struct ulogin_conn *c, const char *dn, const char *source,
	  const char *kind, const char *holder, char **took_over)
{
	struct ulogin_change ch;
	int rc = LDAP_SUCCESS, found = ulogin_exists(c, dn, &rc);

	if (found < 0)
		return ulogin_ldap_error(c, rc, "cannot look up import source "
					 "'%s'", source);
	if (!found) {
		ulogin_change_init(&ch, ULOGIN_CHANGE_ADD, dn, "import.source");
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "objectClass",
				  "uloginImportSource");
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "cn", source);
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginSourceKind", kind);
		ulogin_change_mod(&ch, ULOGIN_MOD_ADD, "uloginLock", holder);
		rc = ulogin_apply(c, &ch);
		ulogin_change_free(&ch);
		if (rc == LDAP_SUCCESS)
			return 0;
		if (rc != LDAP_ALREADY_EXISTS)
			return ulogin_ldap_error(c, rc, "cannot create import "
						 "source '%s'", source);
		/* Another run made it first: its lock decides. */
	}
	/* The lock may change as it is read (released, taken over): a
	 * few rounds, then it is held. */
	for (int round = 0; round < 3; round++) {
		rc = set_lock(c, dn, holder, "(!(uloginLock=*))",
			      "import.lock", NULL);
		if (rc == LDAP_SUCCESS)
			return 0;
		if (rc != LDAP_ASSERTION_FAILED)
			return ulogin_ldap_error(c, rc, "cannot lock import "
						 "source '%s'", source);
		if ((rc = lock_held(c, dn, source, holder, took_over)) !=
		    LOCK_CHANGED)
			return rc;
	}
	ulogin_error("source '%s' is being imported by another run: its lock "
		     "changed every time it was read", source);
	ulogin_hint("try again later");
	return ULOGIN_EX_TEMPFAIL;
}

/* Release the lock and record the outcome (unless NULL), in one change
 * that only succeeds while the lock is still ours. */
static int
release_lock(struct ulogin_conn *c, const char *dn, const char *holder,
	     const char *kind, const char *outcome, const char *counts)
{
	struct ulogin_change ch;
	char stamp[32], *assertion;
	int rc;

	ulogin_gtime_format(time(NULL), stamp, sizeof(stamp));
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, dn, "import.finish");
	ulogin_change_set(&ch, "uloginLock", NULL);
	/* Without an outcome (another command held the lock a while),
	 * the record of the last run stays. */
	if (outcome) {
		ulogin_change_set(&ch, "uloginSourceKind", kind);
		ulogin_change_set(&ch, "uloginLastRun", stamp);
		ulogin_change_set(&ch, "uloginLastOutcome", outcome);
		/* A run stopped before its plan has no counts (and the
		 * syntax has no empty value). */
		ulogin_change_set(&ch, "uloginLastCounts",
				  counts && *counts ? counts : NULL);
	}
	assertion = ulogin_filter("(uloginLock=%s)", holder);
	rc = ulogin_apply_asserted(c, &ch, assertion);
	free(assertion);
	ulogin_change_free(&ch);
	if (rc == LDAP_ASSERTION_FAILED) {
		ulogin_warn("the lock of this run was removed by someone else; "
			    "its outcome is not recorded");
		return 0;
	}
	if (rc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, rc, "cannot record the outcome "
					 "and release the lock");
	return 0;
}

int
ulogin_import_lock(struct ulogin_conn *c, const char *source,
		   const char *kind, char **holder)
{
	char *dn = source_dn(c, source), *took_over = NULL;
	int rc;

	*holder = ulogin_runlock_text(time(NULL));
	if ((rc = take_lock(c, dn, source, kind, *holder, &took_over))) {
		free(*holder);
		*holder = NULL;
	}
	free(took_over);
	free(dn);
	return rc;
}

int
ulogin_import_release(struct ulogin_conn *c, const char *source,
		      const char *holder, const char *kind,
		      const char *outcome, const char *counts)
{
	char *dn = source_dn(c, source);
	int rc = release_lock(c, dn, holder, kind, outcome, counts);

	free(dn);
	return rc;
}

/* ---- a source being phased out ------------------------------------------ */

/*
 * What the source's entry says of its phase-out (ulogin-import source):
 * a run of a deprecated source warns, so that the nightly log says so,
 * and *note (for the summary) says it again; a deleted source runs no
 * more, since its rows would come back as new accounts.
 */
static int
check_phaseout(struct ulogin_conn *c, const char *dn,
	       const struct ulogin_import_opts *o, char **note)
{
	struct ulogin_entry e;
	const char *dep, *by, *outcome;
	char day[32] = "";
	time_t when;
	int rc;

	*note = NULL;
	if (o->empty)
		return 0;
	memset(&e, 0, sizeof(e));
	rc = ulogin_read(c, dn, source_attrs, &e);
	if (rc == LDAP_NO_SUCH_OBJECT)
		return 0;		/* the first run makes it */
	if (rc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, rc, "cannot read import source "
					 "'%s'", o->source);
	outcome = ulogin_entry_get(&e, "uloginLastOutcome");
	dep = ulogin_entry_get(&e, "uloginDeprecated");
	by = ulogin_entry_get(&e, "uloginDeprecatedBy");
	if (outcome && !strcmp(outcome, ULOGIN_IMPORT_DELETED)) {
		ulogin_error("import source '%s' was deleted, and runs no more",
			     o->source);
		ulogin_hint("its users left or moved to other sources: take it "
			    "out of 'sources:' in the config and out of the "
			    "nightly jobs");
		rc = ULOGIN_EX_CONFIG;
	} else if (dep && !strcasecmp(dep, "TRUE")) {
		if (by && ulogin_gtime_parse(by, &when) == 0) {
			ulogin_time_iso(when, day, sizeof(day));
			day[10] = '\0';
		}
		*note = *day ? xasprintf("being phased out, to be deleted by "
					 "%s", day)
			     : xstrdup("being phased out");
		ulogin_warn("import source '%s' is %s", o->source, *note);
		if (ulogin_verbosity() >= 0)
			ulogin_hint("keep the users it alone attaches: "
				    "'ulogin-import source review %s', then "
				    "'source migrate' and 'source delete' (see "
				    "ulogin-import(1))", o->source);
	}
	ulogin_entry_free(&e);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

static bool
is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct key_holder {
	unsigned char *key;
	size_t len;
};

int
ulogin_import_read(const struct ulogin_import_opts *o,
		   const struct ulogin_config *cfg,
		   const struct ulogin_roster_sink *sink)
{
	struct ulogin_roster_error err;
	struct ulogin_mapping m;
	struct key_holder k = { NULL, 0 };
	const char *map = o->map_file ? o->map_file : cfg->import_map;
	const char *key = o->key_file ? o->key_file : cfg->import_key_file;
	int rc;

	if (o->oneroster != is_directory(o->input)) {
		ulogin_error("'%s' is %sa directory", o->input,
			     o->oneroster ? "not " : "");
		ulogin_hint(o->oneroster ? "a OneRoster export is a directory "
			    "with manifest.csv and users.csv"
			    : "for a OneRoster export, give --format oneroster");
		return ULOGIN_EX_USAGE;
	}
	if (o->oneroster) {
		rc = ulogin_oneroster_read(o->input, &o->roster, sink, &err);
	} else {
		if ((rc = ulogin_mapping_load(map, &m)))
			return rc;
		if (m.columns[ULOGIN_F_NATIONAL_ID] && !key) {
			ulogin_error("the mapping '%s' has a national_id column "
				     "but no HMAC key file is set", map);
			ulogin_hint("give --key-file FILE or set import_key_file "
				    "in the config; national ID numbers are "
				    "only ever stored as a keyed HMAC");
			ulogin_mapping_free(&m);
			return ULOGIN_EX_CONFIG;
		}
		if (key && (rc = ulogin_key_load(key, &k.key, &k.len))) {
			ulogin_mapping_free(&m);
			return rc;
		}
		rc = ulogin_native_read(o->input, &o->roster, &m, k.key, k.len,
					sink, &err);
		ulogin_mapping_free(&m);
		if (k.key)
			ulogin_key_free(k.key, k.len);
	}
	if (rc) {
		if (err.line)
			ulogin_error("cannot read '%s': line %zu (byte %zu): %s",
				     o->input, err.line, err.offset,
				     err.message ? err.message : "");
		else
			ulogin_error("cannot read '%s': %s", o->input,
				     err.message ? err.message : "");
		ulogin_hint("nothing was changed; fix the export and run "
			    "again");
		free(err.message);
		return rc;
	}
	free(err.message);
	return 0;
}

/* The directory as it is, read once: every user, every class, the
 * policies' names. */
static int
read_directory(struct ulogin_conn *c, struct ulogin_plan *plan,
	       struct strv *policies)
{
	static const char *const cn_only[] = { "cn", NULL };
	const char *base = ulogin_conn_base(c);
	char *people = ulogin_dn_people(base);
	char *classes = ulogin_dn_classes(base);
	char *pol = ulogin_dn_policies(base);
	int rc;

	rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE,
			   "(objectClass=inetOrgPerson)",
			   ulogin_plan_user_attrs, ulogin_plan_have_user, plan);
	if (rc == LDAP_SUCCESS) {
		/* HMACs the import may match but not read (the import
		 * service): which are the rows' already. */
		static const char *const dn_only[] = { LDAP_NO_ATTRS, NULL };
		struct strv filters = STRV_INIT;

		ulogin_plan_nid_filters(plan, &filters);
		for (size_t i = 0; i < filters.n && rc == LDAP_SUCCESS; i++)
			rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE,
					   filters.v[i], dn_only,
					   ulogin_plan_nid_same, plan);
		strv_free(&filters);
	}
	if (rc == LDAP_SUCCESS)
		rc = ulogin_search(c, classes, ULOGIN_SCOPE_SUB,
				   "(objectClass=uloginClass)",
				   ulogin_plan_class_attrs,
				   ulogin_plan_have_class, plan);
	if (rc == LDAP_SUCCESS) {
		rc = ulogin_search(c, pol, ULOGIN_SCOPE_ONE,
				   "(objectClass=pwdPolicy)", cn_only,
				   ulogin_entry_note_cn, policies);
		if (rc == LDAP_NO_SUCH_OBJECT)
			rc = LDAP_SUCCESS;	/* no policies yet */
	}
	free(people);
	free(classes);
	free(pol);
	return rc == LDAP_SUCCESS ? 0
		: ulogin_ldap_error(c, rc, "cannot read the directory");
}

/* ---- applying ------------------------------------------------------------- */

/* How an outstanding change ended: answered, or left in the air by a
 * connection that went away (then read back). */
enum outcome { OUT_PENDING, OUT_DONE, OUT_UNKNOWN };

struct run {
	struct ulogin_plan *plan;
	struct passwords *passwords;	/* NULL: none kept */
	char **pending;		/* step -> initial password, until done */
	unsigned char *outcome;	/* step -> enum outcome */
	size_t unknown;		/* steps whose outcome is unknown */
	size_t done, total;
	size_t made;		/* of the done, the ones the server made */
	struct ulogin_progress bar;
	bool applied;		/* changes were sent */
	int write_failed;
};

/*
 * SIGINT, SIGTERM or SIGHUP during a run (not a dry run): no new change
 * goes out, the ones on their way are answered and recorded, the run is
 * recorded and the lock released.  More SIGTERMs and SIGHUPs change
 * nothing (a shutdown sends one to every process, and the cron wrapper
 * passes its own on).  A second SIGINT ends the program at once, but
 * only when it comes AGAIN_AFTER or more after the first: a person
 * pressing Ctrl-C again because the clean stop takes too long.  Closer
 * together they are one delivery: timeout(1) signals the program and
 * then its whole process group, so the program gets the same SIGINT
 * twice within microseconds.  (Whether a terminal is there does not
 * matter: a person may as well send the second one with kill(1).)
 * Signals ignored when the program started (nohup, a background job)
 * stay ignored.  SIGPIPE is ignored meanwhile, so a log reader that went
 * away cannot kill the run before it releases the lock.
 */
#define AGAIN_AFTER 2		/* seconds */
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t sigint_seen;	/* a first SIGINT came... */
static struct timespec sigint_at;		/* ...then (monotonic) */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NSTOP (sizeof(stop_signals) / sizeof(*stop_signals))

/* Is this SIGINT a person's second, AGAIN_AFTER after the first?  Only
 * the SIGINT handler calls it, and SIGINT is blocked while it runs. */
static bool
interrupted_again(void)
{
	struct timespec now;
	long long ns;

	/* clock_gettime() is async-signal-safe; should it fail, no
	 * SIGINT is ever a second one. */
	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return false;
	if (!sigint_seen) {
		sigint_at = now;
		sigint_seen = 1;
		return false;
	}
	ns = (long long)(now.tv_sec - sigint_at.tv_sec) * 1000000000LL +
	     (now.tv_nsec - sigint_at.tv_nsec);
	return ns >= AGAIN_AFTER * 1000000000LL;
}

static void
on_stop_signal(int sig)
{
	int saved_errno = errno;

	if (sig == SIGINT && interrupted_again()) {
		signal(SIGINT, SIG_DFL);	/* both async-signal-safe */
		raise(SIGINT);
		return;
	}
	if (!stop_signal)
		stop_signal = sig;
	errno = saved_errno;
}

static void
catch_stop_signals(struct sigaction old[NSTOP])
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	sigint_seen = 0;
	for (size_t i = 0; i < NSTOP; i++) {
		sigaction(stop_signals[i], NULL, &old[i]);
		sa.sa_handler = stop_signals[i] == SIGPIPE ? SIG_IGN
							   : on_stop_signal;
		if (old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
}

static void
restore_stop_signals(const struct sigaction old[NSTOP])
{
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

static const char *
stop_signal_name(void)
{
	return stop_signal == SIGINT ? "SIGINT"
		: stop_signal == SIGTERM ? "SIGTERM" : "SIGHUP";
}


/* The outcome of step i is known: record it (a password line of a user
 * that was not made is marked in the file). */
static void
step_settled(struct run *r, size_t i, int rc, const char *diag,
	     bool unknown)
{
	char *pw = r->pending ? r->pending[i] : NULL;

	if (rc != LDAP_SUCCESS)
		ulogin_progress_clear(&r->bar);
	ulogin_plan_step_done(r->plan, i, rc, diag);
	if (pw) {
		/* A password that may have been set stays in the file. */
		if (rc != LDAP_SUCCESS && !unknown && r->passwords &&
		    ulogin_passwords_void(r->passwords,
					  ulogin_plan_step_name(r->plan, i),
					  ulogin_ldap_words(rc)) < 0)
			r->write_failed = 1;
		ulogin_secret_free(pw);
		r->pending[i] = NULL;
	}
	if (rc == LDAP_SUCCESS)
		r->made++;
	r->outcome[i] = OUT_DONE;
}

static void
step_done(void *tag, int rc, const char *diag, void *data)
{
	struct run *r = data;
	size_t i = (size_t)(uintptr_t)tag;

	r->done++;
	ulogin_progress_step(&r->bar);
	if (ulogin_ldap_outcome_unknown(rc)) {
		/* Read back once the connection is back, never assumed. */
		r->outcome[i] = OUT_UNKNOWN;
		r->unknown++;
		return;
	}
	step_settled(r, i, rc, diag, false);
}

/*
 * The changes whose answer the connection lost: were they made?  Read
 * back over a new connection: a new user is there with this source's
 * key, a new first password is recorded where this run records them.
 * Others are left to the next run, which makes what is missing.
 */
static void
read_back(struct ulogin_conn *c, struct run *r)
{
	static const char *const attrs[] = { "uloginSourceKey",
		"uloginInitialPassword", NULL };
	struct ulogin_conn *again;
	size_t n = ulogin_plan_nsteps(r->plan), known = 0;

	ulogin_progress_clear(&r->bar);
	ulogin_warn("the connection to the directory failed with %zu "
		    "change%s unanswered; reading back what was made",
		    r->unknown, r->unknown == 1 ? "" : "s");
	again = ulogin_connect_again(ulogin_conn_config(c));
	for (size_t i = 0; i < n; i++) {
		enum ulogin_step_kind k = ulogin_plan_step_kind(r->plan, i);
		struct ulogin_entry e;
		int rc;

		if (r->outcome[i] != OUT_UNKNOWN)
			continue;
		if (!again || (k != ULOGIN_STEP_ADD &&
			       k != ULOGIN_STEP_REISSUE)) {
			step_settled(r, i, LDAP_SERVER_DOWN, again
				? "not read back: the next run makes it if it "
				  "was not made"
				: "outcome unknown: the directory cannot be "
				  "reached; run again", true);
			continue;
		}
		memset(&e, 0, sizeof(e));
		rc = ulogin_read(again, ulogin_plan_step_dn(r->plan, i), attrs,
				 &e);
		if (rc == LDAP_SUCCESS &&
		    ulogin_plan_step_made(r->plan, i, &e)) {
			step_settled(r, i, LDAP_SUCCESS, NULL, false);
			known++;
		} else if (rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT) {
			step_settled(r, i, LDAP_SERVER_DOWN, "not made: the "
				     "connection failed before it was", false);
			known++;
		} else {
			step_settled(r, i, rc, "outcome unknown; run again",
				     true);
		}
		ulogin_entry_free(&e);
	}
	if (again)
		ulogin_info("read back %zu of the %zu unanswered change%s",
			    known, r->unknown, r->unknown == 1 ? "" : "s");
	ulogin_disconnect(again);
}

static bool
is_class_step(const struct ulogin_plan *plan, size_t i)
{
	return ulogin_plan_step_kind(plan, i) >= ULOGIN_STEP_CLASS_ADD;
}

/*
 * Send the plan, a window of changes at a time: the batch's changes are
 * made, the first passwords among them put on disk, and only then are
 * they sent.  Users go before classes (which name them as members).
 */
static int
apply_plan(struct ulogin_conn *c, const struct ulogin_import_opts *o,
	   struct ulogin_plan *plan, struct run *r)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	struct ulogin_pictures pictures = { NULL, 0 };
	struct strv names = STRV_INIT;
	struct ulogin_pipeline *pipe;
	struct ulogin_change *batch;
	size_t n = ulogin_plan_nsteps(plan), window = o->window ? o->window : 64;
	size_t i = 0;
	int rc = 0;

	if (cfg->policies.pictures_file &&
	    ulogin_pictures_load(cfg->policies.pictures_file, &names) == 0) {
		pictures.names = (const char *const *)names.v;
		pictures.count = names.n;
	}
	r->pending = xcalloc(n ? n : 1, sizeof(*r->pending));
	r->outcome = xcalloc(n ? n : 1, sizeof(*r->outcome));
	batch = xcalloc(window, sizeof(*batch));
	r->total = n;
	ulogin_progress_start(&r->bar, o->progress, n);
	pipe = ulogin_pipeline_start(c, window, step_done, r);
	r->applied = true;
	while (i < n && !rc) {
		bool classes = is_class_step(plan, i);
		size_t end = i, made = 0;

		if (stop_signal) {
			ulogin_progress_clear(&r->bar);
			ulogin_info("%s: stopping once the changes on their "
				    "way are answered%s", stop_signal_name(),
				    stop_signal == SIGINT ? " (Ctrl-C again, after "
				    "2 seconds, quits at once and leaves the "
				    "lock)" : "");
			break;
		}
		while (end < n && end - i < window &&
		       is_class_step(plan, end) == classes)
			end++;
		for (size_t j = i; j < end && !rc; j++, made++) {
			const char *why = NULL;
			char *pw = NULL;

			if (ulogin_plan_step_change(plan, j, &pictures,
						    &batch[j - i],
						    r->passwords ? &pw : NULL,
						    &why) < 0) {
				ulogin_error("cannot make an initial password: "
					     "%s", why ? why
					     : "the random generator failed");
				ulogin_change_free(&batch[j - i]);
				rc = ULOGIN_EX_SOFTWARE;
				break;
			}
			r->pending[j] = pw;
			if (pw && r->passwords)
				ulogin_passwords_add(r->passwords,
					ulogin_plan_step_name(plan, j), pw);
		}
		/* On disk before any of them is sent. */
		if (!rc && r->passwords && ulogin_passwords_sync(r->passwords)) {
			ulogin_hint("nothing more was sent; the users made so "
				    "far have their passwords in the file");
			rc = ULOGIN_EX_CANTCREAT;
		}
		/* Classes name their members: the users go first. */
		if (!rc && classes && i > 0)
			ulogin_pipeline_drain(pipe);
		for (size_t j = i; j < i + made; j++) {
			if (!rc && ulogin_pipeline_send(pipe, &batch[j - i],
				    (void *)(uintptr_t)j) != LDAP_SUCCESS &&
			    !ulogin_conn_audit_failed(c))
				rc = ULOGIN_EX_UNAVAILABLE;
			ulogin_change_wipe(&batch[j - i]);
		}
		i = end;
	}
	if (ulogin_pipeline_end(pipe) != LDAP_SUCCESS && !rc)
		rc = ULOGIN_EX_UNAVAILABLE;
	if (r->unknown)
		read_back(c, r);
	/* A password on disk for a change that never went out. */
	for (size_t j = 0; j < n; j++) {
		if (r->pending[j] && r->passwords &&
		    ulogin_passwords_void(r->passwords,
					  ulogin_plan_step_name(plan, j),
					  "the run stopped before it was "
					  "sent") < 0)
			r->write_failed = 1;
		ulogin_secret_free(r->pending[j]);
	}
	free(r->pending);
	r->pending = NULL;
	free(r->outcome);
	r->outcome = NULL;
	free(batch);
	strv_free(&names);
	if (ulogin_conn_audit_failed(c))
		rc = ULOGIN_EX_CANTCREAT;
	return rc;
}

/* ---- reports ---------------------------------------------------------- */

/* What a run did, under the names the source entry, the report and the
 * summary use. */
struct count {
	const char *key;	/* counts=..., report */
	const char *words;	/* the summary line */
	size_t n;
};

enum { NCOUNTS = 12 };

/* The counts of a plan, or with made, of the changes the server made. */
static void
plan_counts(const struct ulogin_plan *p, bool made, struct count out[NCOUNTS])
{
	size_t (*n)(const struct ulogin_plan *, enum ulogin_step_kind) =
		made ? ulogin_plan_count_done : ulogin_plan_count;
	const struct count c[NCOUNTS] = {
		{ "rows", "rows", ulogin_plan_rows(p) },
		{ "added", "added", n(p, ULOGIN_STEP_ADD) },
		{ "changed", "changed", n(p, ULOGIN_STEP_CHANGE) },
		{ "left", "left", n(p, ULOGIN_STEP_LEAVE) },
		{ "detached", "detached", n(p, ULOGIN_STEP_DETACH) },
		{ "unchanged", "unchanged", ulogin_plan_unchanged(p) },
		{ "skipped", "skipped", ulogin_plan_bad_rows(p) },
		{ "failed", "failed", ulogin_plan_failed(p) },
		{ "classes_added", "classes added",
		  n(p, ULOGIN_STEP_CLASS_ADD) },
		{ "classes_changed", "classes changed",
		  n(p, ULOGIN_STEP_CLASS_CHANGE) },
		{ "classes_removed", "classes removed",
		  n(p, ULOGIN_STEP_CLASS_DELETE) },
		/* Only said when there were any (see counts_text). */
		{ "reissued", "first passwords re-issued",
		  n(p, ULOGIN_STEP_REISSUE) },
	};

	memcpy(out, c, sizeof(c));
}

/* "rows=5 added=1 ..." (or with sep ", " and words: "5 rows, 1 added"). */
static char *
counts_text(const struct ulogin_plan *p, bool made, bool words)
{
	struct count c[NCOUNTS];
	struct strv parts = STRV_INIT;
	char *out;

	plan_counts(p, made, c);
	for (size_t i = 0; i < NCOUNTS; i++)
		if (c[i].n || strcmp(c[i].key, "reissued"))
			strv_push_owned(&parts, words
				? xasprintf("%zu %s", c[i].n, c[i].words)
				: xasprintf("%s=%zu", c[i].key, c[i].n));
	out = strv_join(&parts, words ? ", " : " ");
	strv_free(&parts);
	return out;
}

/* The plan, report and results files name people: private, and new
 * unless --overwrite. */
static enum ulogin_outfile
output_kind(const struct ulogin_import_opts *o)
{
	return o->overwrite ? ULOGIN_OUT_REPLACE : ULOGIN_OUT_NEW;
}

static FILE *
open_output(const struct ulogin_import_opts *o, const char *path,
	    const char *what)
{
	return ulogin_outfile_fopen(path, output_kind(o), what);
}

/* Before the lock: a run must not make its changes only to find that it
 * cannot write its report. */
static int
check_outputs(const struct ulogin_import_opts *o)
{
	const char *const files[][2] = { { o->plan_file, "plan" },
					 { o->report_file, "report" },
					 { o->results_file, "results" } };
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(*files) && !rc; i++)
		if (files[i][0])
			rc = ulogin_outfile_check(files[i][0], output_kind(o),
						  files[i][1]);
	return rc;
}

static int
close_output(FILE *f, const char *path, int failed)
{
	if (fclose(f) != 0 || failed) {
		ulogin_error("cannot write '%s': %s", path, strerror(errno));
		return ULOGIN_EX_CANTCREAT;
	}
	return 0;
}

static int
write_plan(struct ulogin_plan *plan, const struct ulogin_import_opts *o)
{
	const char *path = o->plan_file;
	size_t len = strlen(path);
	bool json = len > 5 && !strcasecmp(path + len - 5, ".json");
	FILE *f = open_output(o, path, "plan");

	if (!f)
		return ULOGIN_EX_CANTCREAT;
	return close_output(f, path, json ? ulogin_plan_write_json(plan, f)
					  : ulogin_plan_write_ldif(plan, f));
}

static int
write_report(struct ulogin_plan *p, const struct ulogin_import_opts *o,
	     const char *outcome, time_t started, bool dry_run, bool made)
{
	json_t *r = json_object(), *counts = json_object();
	struct count c[NCOUNTS];
	char start[32], end[32];
	FILE *f;
	int rc;

	ulogin_time_iso(started, start, sizeof(start));
	ulogin_time_iso(time(NULL), end, sizeof(end));
	json_object_set_new(r, "source", ulogin_json_text(o->source));
	json_object_set_new(r, "input", ulogin_json_text(o->input));
	json_object_set_new(r, "format", json_string(o->oneroster
						     ? "oneroster" : "native"));
	json_object_set_new(r, "dry_run", json_boolean(dry_run));
	json_object_set_new(r, "started", json_string(start));
	json_object_set_new(r, "finished", json_string(end));
	json_object_set_new(r, "outcome", json_string(outcome));
	plan_counts(p, made, c);
	for (size_t i = 0; i < NCOUNTS; i++)
		json_object_set_new(counts, c[i].key,
				    json_integer((json_int_t)c[i].n));
	json_object_set_new(counts, "active_before",
			    json_integer((json_int_t)ulogin_plan_active(p)));
	json_object_set_new(r, "counts", counts);
	json_object_set_new(r, "errors", ulogin_plan_errors_json(p));
	if (!(f = open_output(o, o->report_file, "report"))) {
		json_decref(r);
		return ULOGIN_EX_CANTCREAT;
	}
	rc = ulogin_json_dumpf(r, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(r);
	return close_output(f, o->report_file, rc);
}

static int
write_results(struct ulogin_plan *p, const struct ulogin_import_opts *o)
{
	const char *path = o->results_file;
	FILE *f = open_output(o, path, "results");

	if (!f)
		return ULOGIN_EX_CANTCREAT;
	return close_output(f, path, ulogin_plan_write_results(p, f));
}

/* The plan on stdout: a line a step ("+ user ..."), or with -o json the
 * JSON of --plan FILE.json. */
static void
print_plan(struct ulogin_plan *p, const struct ulogin_config *cfg)
{
	if (cfg->output && !strcmp(cfg->output, "json")) {
		ulogin_plan_write_json(p, stdout);
		return;
	}
	for (size_t i = 0; i < ulogin_plan_nsteps(p); i++) {
		char *text = ulogin_plan_step_text(p, i);

		ulogin_print_inert(stdout, "%s", text);
		free(text);
	}
}

/* took_over: the run whose dead lock this one took over, or NULL. */
static void
summary(const struct ulogin_plan *p, const char *source, bool dry_run,
	bool made, const char *note)
{
	char *text = counts_text(p, made, true);

	ulogin_info("%s'%s': %s%s%s", dry_run ? "dry run, nothing written: "
		    : "", source, text, note ? "; " : "", note ? note : "");
	free(text);
}

/* ---- a run ------------------------------------------------------------ */

/* "HOST:/absolute/path" of a passwords file: where support staff find a
 * user's first password. */
static char *
initial_mark(const char *path)
{
	char host[256], cwd[4096];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xasprintf("%s:%s", host, path);
	return xasprintf("%s:%s/%s", host, cwd, path);
}

int
ulogin_import_run(struct ulogin_conn *c, const struct ulogin_import_opts *o)
{
	const struct ulogin_config *cfg = ulogin_conn_config(c);
	const char *kind = o->oneroster ? "oneroster" : "csv";
	struct ulogin_plan_opts po;
	struct ulogin_plan *plan;
	struct strv policies = STRV_INIT;
	struct run r;
	char *holder = NULL, *took_over = NULL, *dn = source_dn(c, o->source);
	char *counts = NULL, *outcome = NULL, *note = NULL;
	const char *people_file;
	char *users_csv = NULL, *dir_prefix = NULL, *mark = NULL;
	time_t started = time(NULL);
	bool locked = false, computed = false, catching = false;
	bool interrupted = false;
	struct sigaction old_handlers[NSTOP];
	struct ulogin_offline *off = NULL;
	long limit;
	int rc;

	memset(&r, 0, sizeof(r));
	if (o->oneroster && o->input) {
		size_t n = strlen(o->input);

		while (n > 1 && o->input[n - 1] == '/')
			n--;
		users_csv = xasprintf("%.*s/users.csv", (int)n, o->input);
		dir_prefix = xstrndup(o->input, n);
		people_file = users_csv;
	} else {
		people_file = o->input;
	}
	memset(&po, 0, sizeof(po));
	po.source = o->source;
	po.people_file = people_file;
	po.file_dir = dir_prefix;
	po.base = ulogin_conn_base(c);
	po.operator_dn = ulogin_conn_operator(c);
	po.policies = &cfg->policies;
	po.policies_present = &policies;
	po.now = started;
	po.cfg = cfg;
	po.source_cfg = ulogin_config_source(cfg, o->source);
	/* Where each new user's first password is recorded. */
	if (o->passwords_file) {
		mark = initial_mark(o->passwords_file);
		po.initial_mark = mark;
		po.reissue = true;
	} else if (o->no_initial_passwords) {
		po.initial_mark = "none";
	}
	plan = ulogin_plan_new(&po);
	r.plan = plan;

	/* Settings and outputs that would stop the run: before the lock. */
	if (!po.source_cfg) {
		ulogin_error("import source '%s' is not in the config%s%s",
			     o->source, cfg->sources_from ? " " : "",
			     cfg->sources_from ? cfg->sources_from : "");
		ulogin_hint("a source may only write what the config allows: "
			    "add it under 'sources:' with the institutions it "
			    "may write, e.g. \"sources: {%s: {institutions: "
			    "[280001]}}\" (see ulogin.yaml(5))", o->source);
		rc = ULOGIN_EX_CONFIG;
		goto out;
	}
	if (o->passwords_file && o->no_initial_passwords) {
		ulogin_error("--passwords and --no-initial-passwords exclude "
			     "each other");
		rc = ULOGIN_EX_USAGE;
		goto out;
	}
	if (ulogin_max_leavers(cfg->max_leavers, 0) < 0) {
		ulogin_error("max_leavers '%s' is not a count or a percentage",
			     cfg->max_leavers);
		ulogin_hint("set it to e.g. '10%%' or '25' in the config");
		rc = ULOGIN_EX_CONFIG;
		goto out;
	}
	if ((rc = check_outputs(o)))
		goto out;
	if (o->passwords_file && !cfg->dry_run &&
	    (rc = ulogin_outfile_check(o->passwords_file, ULOGIN_OUT_SECRET,
				       NULL)))
		goto out;
	if (o->offline_file && !cfg->dry_run &&
	    (rc = ulogin_offline_precheck(o)))
		goto out;
	/* From here a signal stops a run cleanly, with exit 75, also while
	 * the file is read (a dry run, which writes nothing, just ends). */
	stop_signal = 0;
	if (!cfg->dry_run) {
		catch_stop_signals(old_handlers);
		catching = true;
	}
	/* 1. The file, whole, before anything else. */
	if (!o->empty &&
	    (rc = ulogin_import_read(o, cfg, ulogin_plan_sink(plan))))
		goto out;
	if ((rc = check_phaseout(c, dn, o, &note)))
		goto out;
	/* 2. The lock (a dry run writes nothing, so takes none; nor does an
	 * offline run, which writes a file, and only for a new source). */
	if (!cfg->dry_run && !o->offline_file && !stop_signal) {
		if ((rc = ulogin_prepare_changes(c)))
			goto out;
		holder = ulogin_runlock_text(started);
		if ((rc = take_lock(c, dn, o->source, kind, holder,
				    &took_over))) {
			/* A monitor reading the report must not see the
			 * night before's. */
			if (rc == ULOGIN_EX_TEMPFAIL)
				outcome = xstrdup("refused: another run holds "
						  "the lock");
			goto out;
		}
		locked = true;
	}
	/* 3. The directory, once. */
	if (!stop_signal && (rc = read_directory(c, plan, &policies))) {
		outcome = xstrdup("failed: cannot read the directory");
		goto out;
	}
	if (stop_signal) {
		ulogin_error("stopped by %s before any change was made",
			     stop_signal_name());
		outcome = xasprintf("interrupted: stopped by %s before any "
				    "change", stop_signal_name());
		interrupted = true;
		rc = ULOGIN_EX_TEMPFAIL;
		goto out;
	}
	ulogin_plan_compute(plan);
	computed = true;
	counts = counts_text(plan, false, false);

	/* 4. A truncated export must never lock a school out. */
	limit = ulogin_max_leavers(cfg->max_leavers,
				   ulogin_plan_active(plan));
	if (ulogin_plan_count(plan, ULOGIN_STEP_LEAVE) > (size_t)limit &&
	    !o->force) {
		/* A dry run still shows what the run would do. */
		if (cfg->dry_run)
			print_plan(plan, cfg);
		ulogin_error("the run would block %zu of the %zu users of "
			     "source '%s' (max_leavers %s allows %ld); nothing "
			     "was changed",
			     ulogin_plan_count(plan, ULOGIN_STEP_LEAVE),
			     ulogin_plan_active(plan), o->source,
			     cfg->max_leavers, limit);
		if (o->empty)
			ulogin_hint("deleting a source blocks every user only "
				    "it attaches: see who with 'ulogin-import "
				    "source review %s', keep those who stay "
				    "with 'source migrate', then give --force",
				    o->source);
		else
			ulogin_hint("is the export complete? check it with "
				    "--dry-run; if they really left, run again "
				    "with --force");
		rc = ULOGIN_EX_DATAERR;
		outcome = xasprintf("refused: would block %zu of %zu users",
				    ulogin_plan_count(plan, ULOGIN_STEP_LEAVE),
				    ulogin_plan_active(plan));
		goto out;
	}

	if (o->plan_file && (rc = write_plan(plan, o)))
		goto out;
	if (o->offline_file) {
		const char *refused = NULL;

		if ((rc = ulogin_offline_check(c, o->source, plan, &refused))) {
			outcome = xstrdup(refused);
			goto out;
		}
	}
	/* A first password nobody has is worse than none. */
	if (ulogin_plan_count(plan, ULOGIN_STEP_ADD) && !o->passwords_file &&
	    !o->no_initial_passwords) {
		if (cfg->dry_run) {
			ulogin_info("the run adds users: it will need "
				    "--passwords FILE (or "
				    "--no-initial-passwords)");
		} else {
			size_t adds = ulogin_plan_count(plan, ULOGIN_STEP_ADD);

			ulogin_error("the run would add %zu user%s, and %s "
				     "first password%s would go nowhere; nothing "
				     "was changed", adds, adds == 1 ? "" : "s",
				     adds == 1 ? "the" : "their",
				     adds == 1 ? "" : "s");
			ulogin_hint("give --passwords FILE (a new file, kept "
				    "private) to hand them out, or "
				    "--no-initial-passwords when a teacher's "
				    "reset or a support letter gives them");
			rc = ULOGIN_EX_USAGE;
			outcome = xstrdup("refused: new users and no "
					  "--passwords file");
			goto out;
		}
	}
	if (cfg->dry_run) {
		print_plan(plan, cfg);
	} else if (o->offline_file) {
		if (ulogin_verbosity() > 0)
			print_plan(plan, cfg);
		rc = ulogin_offline_write(c, plan, o, &off);
		r.applied = !rc;
	} else {
		if (o->passwords_file &&
		    (rc = ulogin_passwords_create(o->passwords_file,
						  &r.passwords))) {
			outcome = xstrdup("failed: cannot create the "
					  "passwords file");
			goto out;
		}
		if (ulogin_verbosity() > 0)
			print_plan(plan, cfg);
		rc = apply_plan(c, o, plan, &r);
		if (r.passwords && (ulogin_passwords_close(r.passwords) != 0 ||
				    r.write_failed)) {
			ulogin_error("cannot write '%s': the new users' "
				     "initial passwords are incomplete",
				     o->passwords_file);
			rc = rc ? rc : ULOGIN_EX_CANTCREAT;
		}
		r.passwords = NULL;
	}
	free(counts);
	counts = counts_text(plan, r.applied, false);
	if (!rc && (ulogin_plan_bad_rows(plan) || ulogin_plan_failed(plan)))
		rc = ULOGIN_EX_PARTIAL;
	/* Stopped by a signal, not by a failure of its own. */
	if (stop_signal && r.done < r.total &&
	    (rc == 0 || rc == ULOGIN_EX_PARTIAL)) {
		ulogin_error("stopped by %s: %zu of the %zu changes were made",
			     stop_signal_name(), r.made, r.total);
		outcome = xasprintf("interrupted: stopped by %s with %zu of "
				    "%zu changes made", stop_signal_name(),
				    r.made, r.total);
		interrupted = true;
		rc = ULOGIN_EX_TEMPFAIL;
	} else {
		outcome = xstrdup(rc == 0 ? (o->empty ? ULOGIN_IMPORT_DELETED
						       : "ok")
				  : rc == ULOGIN_EX_PARTIAL
				  ? "partial: some rows were skipped or failed"
				  : "failed: the run stopped early");
	}
	/* The source entry records the run, as it does online. */
	if (off) {
		int orc = ulogin_offline_finish(off, kind, outcome, counts);

		off = NULL;
		rc = orc ? orc : rc;
	}
	if (took_over) {
		/* The summary says both: the takeover, and a phase-out. */
		char *both = xasprintf("took over the lock of a dead run: "
				       "%s%s%s", took_over, note ? "; " : "",
				       note ? note : "");

		free(note);
		note = both;
	}
	summary(plan, o->source, cfg->dry_run, r.applied, note);
out:
	if (locked) {
		int lrc = release_lock(c, dn, holder, kind,
				       outcome ? outcome : "failed",
				       counts ? counts : "");

		/* An interrupted run is only "try again" with its lock gone. */
		if (interrupted && !lrc)
			ulogin_hint("the lock is released; run again with the "
				    "same input to make the rest");
		rc = rc && !(interrupted && lrc) ? rc : lrc;
	}
	if (o->report_file && (outcome || rc == ULOGIN_EX_DATAERR)) {
		int wrc = write_report(plan, o,
				       outcome ? outcome : "refused: the input "
				       "cannot be read", started,
				       cfg->dry_run, r.applied);

		rc = rc ? rc : wrc;
	}
	if (o->results_file && computed) {
		int wrc = write_results(plan, o);

		rc = rc ? rc : wrc;
	}
	ulogin_passwords_close(r.passwords);
	ulogin_offline_abandon(off);
	/* Only now: the report and results files are written whole. */
	if (catching)
		restore_stop_signals(old_handlers);
	free(outcome);
	free(counts);
	free(note);
	free(holder);
	free(took_over);
	free(dn);
	free(users_csv);
	free(dir_prefix);
	free(mark);
	strv_free(&policies);
	ulogin_plan_free(plan);
	return rc;
}

/* ---- list, show, purge, unlock --------------------------------------- */

struct tally {
	struct strv names;
	size_t *users, *left;
};

static int
tally_user(const struct ulogin_entry *e, void *data)
{
	struct tally *t = data;
	const struct strv *v = ulogin_entry_values(e, "uloginSource");
	bool left = ulogin_entry_get(e, "uloginLeftAt") != NULL;

	for (size_t i = 0; v && i < v->n; i++)
		for (size_t j = 0; j < t->names.n; j++)
			if (!strcasecmp(v->v[i], t->names.v[j])) {
				if (left)
					t->left[j]++;
				else
					t->users[j]++;
			}
	return 0;
}

/* Keep a copy of every entry, in an array ended by one without a DN. */
static int
collect_entry(const struct ulogin_entry *e, void *data)
{
	struct ulogin_entry **list = data;
	size_t n = 0;

	while ((*list)[n].dn)
		n++;
	*list = xreallocarray(*list, n + 2, sizeof(**list));
	memset(&(*list)[n], 0, 2 * sizeof(**list));
	ulogin_entry_keep(e, &(*list)[n]);
	return 0;
}

static void
free_entries(struct ulogin_entry *list)
{
	for (size_t i = 0; list && list[i].dn; i++)
		ulogin_entry_free(&list[i]);
	free(list);
}

static void
set_time(struct ulogin_table *t, size_t col, const char *gtime)
{
	char words[32];
	time_t when;

	if (gtime && ulogin_gtime_parse(gtime, &when) == 0) {
		ulogin_time_iso(when, words, sizeof(words));
		ulogin_table_set(t, col, words);
	} else {
		ulogin_table_set(t, col, gtime);
	}
}

int
ulogin_import_list(struct ulogin_conn *c, struct ulogin_table **out)
{
	static const char *const cols[] = { "source", "kind", "deprecated",
		"users#", "left#", "last-run", "outcome", "counts", "lock",
		NULL };
	static const char *const user_attrs[] = { "uloginSource",
						  "uloginLeftAt", NULL };
	const char *base = ulogin_conn_base(c);
	char *imports = ulogin_dn_imports(base), *people = ulogin_dn_people(base);
	struct ulogin_entry *list = xcalloc(1, sizeof(*list));
	struct tally t = { STRV_INIT, NULL, NULL };
	int rc;

	rc = ulogin_search(c, imports, ULOGIN_SCOPE_ONE,
			   "(objectClass=uloginImportSource)", source_attrs,
			   collect_entry, &list);
	if (rc == LDAP_NO_SUCH_OBJECT)
		rc = LDAP_SUCCESS;
	for (size_t i = 0; rc == LDAP_SUCCESS && list[i].dn; i++)
		strv_push(&t.names, ulogin_entry_get(&list[i], "cn"));
	t.users = xcalloc(t.names.n + 1, sizeof(*t.users));
	t.left = xcalloc(t.names.n + 1, sizeof(*t.left));
	if (rc == LDAP_SUCCESS && t.names.n)
		rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE,
				   "(uloginSource=*)", user_attrs, tally_user,
				   &t);
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot list import sources");
	} else {
		*out = ulogin_table_new(cols);
		for (size_t i = 0; list[i].dn; i++) {
			const struct ulogin_entry *e = &list[i];
			const char *dep = ulogin_entry_get(e,
							   "uloginDeprecated");
			char n[32];

			ulogin_table_begin_row(*out);
			ulogin_table_set(*out, 0, ulogin_entry_get(e, "cn"));
			ulogin_table_set(*out, 1, ulogin_entry_get(
						 e, "uloginSourceKind"));
			ulogin_table_set(*out, 2, dep && !strcasecmp(dep,
					 "TRUE") ? "yes" : "no");
			snprintf(n, sizeof(n), "%zu", t.users[i]);
			ulogin_table_set(*out, 3, n);
			snprintf(n, sizeof(n), "%zu", t.left[i]);
			ulogin_table_set(*out, 4, n);
			set_time(*out, 5, ulogin_entry_get(e, "uloginLastRun"));
			ulogin_table_set(*out, 6, ulogin_entry_get(
						 e, "uloginLastOutcome"));
			ulogin_table_set(*out, 7, ulogin_entry_get(
						 e, "uloginLastCounts"));
			ulogin_table_set(*out, 8, ulogin_entry_get(
						 e, "uloginLock"));
		}
		ulogin_table_sort(*out, 0);
		rc = 0;
	}
	strv_free(&t.names);
	free(t.users);
	free(t.left);
	free_entries(list);
	free(imports);
	free(people);
	return rc;
}

static int
source_exists(struct ulogin_conn *c, const char *source)
{
	char *dn = source_dn(c, source);
	int lrc, found = ulogin_exists(c, dn, &lrc);
	int rc = 0;

	if (found < 0) {
		rc = ulogin_ldap_error(c, lrc, "cannot look up import source "
				       "'%s'", source);
	} else if (!found) {
		ulogin_error("cannot find import source '%s'", source);
		ulogin_hint("'ulogin-import list' shows the sources");
		rc = ULOGIN_EX_NOUSER;
	}
	free(dn);
	return rc;
}

struct show_state {
	struct ulogin_table *t;
	const char *source;
	struct ulogin_state_reader *states;
	time_t now;
};

static int
show_user(const struct ulogin_entry *e, void *data)
{
	struct show_state *s = data;
	const struct strv *v;
	struct strv others = STRV_INIT;
	struct ulogin_state st;
	char *joined;

	/* The one account state (ulogin(7), STATES), as ulogin-user
	 * shows it. */
	ulogin_state_read(s->states, e, s->now, &st);
	ulogin_table_begin_row(s->t);
	ulogin_table_set(s->t, 0, ulogin_entry_get(e, "uid"));
	ulogin_table_set(s->t, 1, ulogin_entry_get(e, "cn"));
	ulogin_table_set(s->t, 2, ulogin_entry_get(e, "uloginExternalId"));
	v = ulogin_entry_values(e, "uloginRole");
	joined = v ? strv_join(v, ",") : NULL;
	ulogin_table_set(s->t, 3, joined);
	free(joined);
	v = ulogin_entry_values(e, "uloginInstitution");
	joined = v ? strv_join(v, ",") : NULL;
	ulogin_table_set(s->t, 4, joined);
	free(joined);
	ulogin_table_set(s->t, 5, st.state);
	ulogin_state_free(&st);
	set_time(s->t, 6, ulogin_entry_get(e, "uloginLeftAt"));
	v = ulogin_entry_values(e, "uloginSource");
	for (size_t i = 0; v && i < v->n; i++)
		if (strcasecmp(v->v[i], s->source))
			strv_push(&others, v->v[i]);
	joined = others.n ? strv_join(&others, ",") : NULL;
	ulogin_table_set(s->t, 7, joined);
	free(joined);
	strv_free(&others);
	return 0;
}

int
ulogin_import_show(struct ulogin_conn *c, const char *source,
		   struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "name", "external-id",
		"roles*", "institutions*", "state", "left-at",
		"other-sources*", NULL };
	static const char *const attrs[] = { "uid", "cn", "uloginExternalId",
		"uloginRole", "uloginInstitution", "uloginLeftAt",
		"uloginSource", "pwdAccountLockedTime", "uloginBlockReason",
		"uloginBlockedBy", "uloginBlockedAt", "pwdReset",
		"pwdChangedTime", "pwdLastSuccess", "pwdPolicySubentry",
		"createTimestamp", NULL };
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char *filter = ulogin_filter("(uloginSource=%s)", source);
	struct show_state s = { NULL, source, NULL, time(NULL) };
	int rc;

	if ((rc = source_exists(c, source)))
		goto out;
	s.t = ulogin_table_new(cols);
	s.states = ulogin_state_reader_new(c);
	rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE, filter, attrs,
			   show_user, &s);
	ulogin_state_reader_free(s.states);
	if (rc != LDAP_SUCCESS) {
		ulogin_table_free(s.t);
		rc = ulogin_ldap_error(c, rc, "cannot list the users of '%s'",
				       source);
		goto out;
	}
	ulogin_table_sort(s.t, 0);
	*out = s.t;
	rc = 0;
out:
	free(filter);
	free(people);
	return rc;
}

static int
note_dn(const struct ulogin_entry *e, void *data)
{
	strv_push(data, e->dn);
	return 0;
}

struct purge_run {
	const struct strv *dns;
	size_t failed;
	struct ulogin_conn *c;
};

static void
purge_done(void *tag, int rc, const char *diag, void *data)
{
	struct purge_run *r = data;
	size_t i = (size_t)(uintptr_t)tag;

	if (rc == LDAP_SUCCESS)
		return;
	r->failed++;
	ulogin_error("cannot delete '%s': %s%s%s%s", r->dns->v[i],
		     ulogin_ldap_words(rc), diag ? " (" : "", diag ? diag : "",
		     diag ? ")" : "");
}

/* Take purged users out of every class that still names them. */
static int
unlink_classes(struct ulogin_conn *c, const struct strv *dns)
{
	int rc = LDAP_SUCCESS;

	for (size_t i = 0; i < dns->n && rc == LDAP_SUCCESS; i++) {
		struct ulogin_change *changes;
		size_t n;

		rc = ulogin_class_unlink_changes(c, dns->v[i],
						 "import.purge.unlink",
						 &changes, &n);
		for (size_t j = 0; j < n; j++) {
			if (rc == LDAP_SUCCESS && changes[j].nmods)
				rc = ulogin_apply(c, &changes[j]);
			ulogin_change_free(&changes[j]);
		}
		free(changes);
	}
	return rc;
}

/* Ask question (freed) unless confirm is NULL; on a no, say what was
 * kept. */
static bool
confirmed(bool (*confirm)(const char *question), char *question,
	  const char *kept)
{
	bool yes = !confirm || confirm(question);

	free(question);
	if (!yes)
		ulogin_error("%s", kept);
	return yes;
}

int
ulogin_import_purge(struct ulogin_conn *c, const char *source,
		    long older_than, bool (*confirm)(const char *question),
		    struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "dn", NULL };
	static const char *const attrs[] = { "uid", NULL };
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char cutoff[32], *filter = NULL;
	struct strv dns = STRV_INIT;
	struct purge_run r = { &dns, 0, c };
	struct ulogin_pipeline *pipe;
	int rc;

	if ((rc = source_exists(c, source)))
		goto out;
	ulogin_gtime_format(time(NULL) - older_than, cutoff, sizeof(cutoff));
	/* Left through this source and attached by no other. */
	filter = ulogin_filter("(&(uloginSource=%s)(uloginLeftAt<=%s))",
			       source, cutoff);
	rc = ulogin_search(c, people, ULOGIN_SCOPE_ONE, filter, attrs, note_dn,
			   &dns);
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot find the leavers of '%s'",
				       source);
		goto out;
	}
	*out = ulogin_table_new(cols);
	if (ulogin_conn_config(c)->dry_run) {
		/* Only say who would go. */
		for (size_t i = 0; i < dns.n; i++) {
			char *uid = ulogin_dn_first_value(dns.v[i], "uid");

			ulogin_table_begin_row(*out);
			ulogin_table_set(*out, 0, uid);
			ulogin_table_set(*out, 1, dns.v[i]);
			free(uid);
		}
		rc = 0;
		goto out;
	}
	if (!dns.n) {
		ulogin_info("no leaver of '%s' left before %s", source, cutoff);
		rc = 0;
		goto out;
	}
	if (!confirmed(confirm, xasprintf("delete %zu users who left '%s'?",
					  dns.n, source), "nothing deleted")) {
		rc = ULOGIN_EX_USAGE;
		goto out;
	}
	if ((rc = ulogin_prepare_changes(c)))
		goto out;
	if ((rc = unlink_classes(c, &dns)) != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot take the leavers out of "
				       "their classes");
		goto out;
	}
	pipe = ulogin_pipeline_start(c, 64, purge_done, &r);
	for (size_t i = 0; i < dns.n; i++) {
		struct ulogin_change ch;

		ulogin_change_init(&ch, ULOGIN_CHANGE_DELETE, dns.v[i],
				   "import.purge");
		ulogin_pipeline_send(pipe, &ch, (void *)(uintptr_t)i);
		ulogin_change_free(&ch);
	}
	rc = ulogin_pipeline_end(pipe) != LDAP_SUCCESS ? ULOGIN_EX_UNAVAILABLE
		: ulogin_conn_audit_failed(c) ? ULOGIN_EX_CANTCREAT
		: r.failed ? ULOGIN_EX_PARTIAL : 0;
	for (size_t i = 0; i < dns.n; i++) {
		char *uid = ulogin_dn_first_value(dns.v[i], "uid");

		ulogin_table_begin_row(*out);
		ulogin_table_set(*out, 0, uid);
		ulogin_table_set(*out, 1, dns.v[i]);
		free(uid);
	}
out:
	strv_free(&dns);
	free(filter);
	free(people);
	return rc;
}

/* The question unlock asks, with what is known of the holder. */
static char *
unlock_question(const char *source, const char *holder, const char *words,
		enum ulogin_runlock_state state)
{
	if (!words)
		return xasprintf("remove the lock of '%s' held by '%s'? (only "
				 "if that run is dead)", source, holder);
	if (state == ULOGIN_RUNLOCK_DEAD)
		return xasprintf("remove the lock of '%s' held by %s, which "
				 "is gone?", source, words);
	if (state == ULOGIN_RUNLOCK_RUNNING)
		return xasprintf("remove the lock of '%s' held by %s, which "
				 "still runs?", source, words);
	return xasprintf("remove the lock of '%s' held by %s? (only if that "
			 "run is dead)", source, words);
}

/*
 * Remove the lock of a run that died.  A holder on this host whose
 * process still runs keeps its lock unless force: a second run would
 * write beside it.  Only the lock asked about is removed (asserted), not
 * one a new run took meanwhile.
 */
int
ulogin_import_unlock(struct ulogin_conn *c, const char *source, bool force,
		     bool (*confirm)(const char *question))
{
	struct ulogin_entry e;
	struct ulogin_change ch;
	struct ulogin_runlock h;
	enum ulogin_runlock_state state = ULOGIN_RUNLOCK_ELSEWHERE;
	char *dn = source_dn(c, source), *words = NULL, *assertion;
	const char *holder;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = ulogin_read(c, dn, source_attrs, &e);
	if (rc == LDAP_NO_SUCH_OBJECT) {
		ulogin_error("cannot find import source '%s'", source);
		rc = ULOGIN_EX_NOUSER;
		goto out;
	}
	if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot read import source '%s'",
				       source);
		goto out;
	}
	if (!(holder = ulogin_entry_get(&e, "uloginLock"))) {
		ulogin_info("source '%s' is not locked", source);
		rc = 0;
		goto out;
	}
	if (ulogin_runlock_parse(holder, &h) == 0) {
		state = ulogin_runlock_state(&h);
		words = ulogin_runlock_words(&h, time(NULL));
	}
	if (state == ULOGIN_RUNLOCK_RUNNING && !force) {
		ulogin_error("cannot remove the lock of '%s': its run still "
			     "goes on: %s", source, words);
		ulogin_hint("'kill %ld' stops it cleanly, releasing the lock; "
			    "if that process is no import, give --force",
			    h.pid);
		rc = ULOGIN_EX_TEMPFAIL;
		goto out;
	}
	if (!confirmed(confirm, unlock_question(source, holder, words, state),
		       "the lock was kept")) {
		rc = ULOGIN_EX_USAGE;
		goto out;
	}
	if ((rc = ulogin_prepare_changes(c)))
		goto out;
	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, dn, "import.unlock");
	ulogin_change_set(&ch, "uloginLock", NULL);
	ch.comment = xasprintf("the lock was '%s'%s", holder,
			       state == ULOGIN_RUNLOCK_DEAD
			       ? ", its process gone"
			       : state == ULOGIN_RUNLOCK_RUNNING
			       ? ", its process still running (--force)" : "");
	assertion = ulogin_filter("(uloginLock=%s)", holder);
	rc = ulogin_conn_config(c)->dry_run ? ulogin_apply(c, &ch)
		: ulogin_apply_asserted(c, &ch, assertion);
	free(assertion);
	ulogin_change_free(&ch);
	if (rc == LDAP_ASSERTION_FAILED) {
		ulogin_error("cannot remove the lock of '%s': it changed since "
			     "it was read (released, or taken by another run)",
			     source);
		ulogin_hint("see who holds it now with 'ulogin-import list'");
		rc = ULOGIN_EX_TEMPFAIL;
	} else if (rc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, rc, "cannot remove the lock of '%s'",
				       source);
	} else if (!ulogin_conn_config(c)->dry_run) {
		ulogin_info("removed the lock of '%s': %s%s%s%s", source,
			    words ? "" : "'", words ? words : holder,
			    words ? "" : "'",
			    state == ULOGIN_RUNLOCK_DEAD ? ", which is gone"
			    : state == ULOGIN_RUNLOCK_RUNNING
			    ? ", which still runs" : "");
	}
out:
	free(words);
	ulogin_entry_free(&e);
	free(dn);
	return rc;
}
