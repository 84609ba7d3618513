/*
 * ulogin-policy: password policies -- write them to the directory, see
 * which applies to whom and why, override it for one user, check and
 * generate passwords, and find passwords about to expire.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "exitcodes.h"
#include "generate.h"
#include "inert.h"
#include "msg.h"
#include "policy.h"
#include "ppolicy.h"
#include "program.h"
#include "prompt.h"
#include "banned.h"

enum {
	OPT_POLICY = 512,
	OPT_USER,
	OPT_WITHIN,
	OPT_INSTITUTION,
};

struct policy_ctl {
	struct ulogin_cli cli;
	const char *policy;		/* --policy */
	const char *user;		/* --user */
	unsigned count;			/* generate -n */
	long within;			/* expiring --within, seconds */
	struct strv institutions;	/* expiring --institution */
};

#define SEE_ALSO "\nSee ulogin-policy(1) and ulogin.yaml(5).\n"

static void
usage(FILE *out)
{
	fputs("Usage: ulogin-policy [options] COMMAND [ARGS]\n"
	      "       ulogin-policy [options] [--interactive]\n"
	      "\n"
	      "Password policies: write the config's policies to the"
	      " directory, see which\n"
	      "applies to a user and why, override it, check and generate"
	      " passwords.\n"
	      "\n"
	      "Commands:\n"
	      "  list               policies in the directory\n"
	      "  show NAME          a policy in words\n"
	      "  apply              write the configured policies and link"
	      " every user\n"
	      "  effective USER     the policy that applies to a user, and"
	      " why\n"
	      "  set USER POLICY    give one user another policy"
	      " (administrator override)\n"
	      "  clear USER         remove the override\n"
	      "  check              check a password from standard input\n"
	      "  generate           make passwords that meet a policy\n"
	      "  expiring           accounts whose password expires soon\n"
	      "\n"
	      "Options:\n"
	      "      --interactive         a shell for several commands over one"
	      " connection\n", out);
	ulogin_cli_common_help(out);
	fputs("\nRun 'ulogin-policy COMMAND --help' for a command's options.\n"
	      SEE_ALSO, out);
}

static void
simple_usage(FILE *out, const char *synopsis, const char *what)
{
	fprintf(out, "Usage: ulogin-policy %s [options]\n\n%s\n", synopsis,
		what);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static void
list_usage(FILE *out)
{
	simple_usage(out, "list", "List the policies under ou=policies:"
		     " name, max_age, rules, description.");
}

static void
show_usage(FILE *out)
{
	simple_usage(out, "show NAME", "Show a policy as stored in the"
		     " directory, in words.");
}

static void
apply_usage(FILE *out)
{
	simple_usage(out, "apply", "Write every policy of the config to"
		     " ou=policies (add or fix) and point\n"
		     "each user's pwdPolicySubentry at the effective policy."
		     "  Running it again\n"
		     "changes nothing.  With -n, print the changes as LDIF"
		     " instead.");
}

static void
effective_usage(FILE *out)
{
	simple_usage(out, "effective USER", "The policy that applies to USER"
		     " and why: an override, the level\n"
		     "from the grade, the role, or the default; and when the"
		     " password expires.");
}

static void
set_usage(FILE *out)
{
	simple_usage(out, "set USER POLICY", "Give USER the policy POLICY,"
		     " whatever the grade or role (e.g. the\n"
		     "youngest pupils' picture policy for a pupil who needs"
		     " it).  POLICY must be\n"
		     "in the directory already (see apply).");
}

static void
clear_usage(FILE *out)
{
	simple_usage(out, "clear USER", "Remove USER's override; the policy"
		     " from grade, role or default\n"
		     "applies again.");
}

static const struct option choose_options[] = {
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "user", required_argument, NULL, OPT_USER },
	{ NULL, 0, NULL, 0 }
};

static void
check_usage(FILE *out)
{
	fputs("Usage: ulogin-policy check [--policy NAME | --user USER]"
	      " [options] < PASSWORD\n"
	      "\n"
	      "Check one password, read from standard input (asked without"
	      " echo on a\n"
	      "terminal; never from the command line), and print every rule"
	      " it breaks:\n"
	      "a line RULE<tab>message each, or with -o a table with the"
	      " columns rule\n"
	      "and message.  Exit status 0 when it passes, 65 when it breaks"
	      " a rule.\n"
	      "\n"
	      "Options:\n"
	      "      --policy NAME         check against this configured"
	      " policy\n"
	      "      --user USER           check against USER's effective"
	      " policy, with\n"
	      "                            USER's name and username\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static const struct option generate_options[] = {
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "user", required_argument, NULL, OPT_USER },
	{ "count", required_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 }
};

static void
generate_usage(FILE *out)
{
	fputs("Usage: ulogin-policy generate [--policy NAME | --user USER]"
	      " [-n COUNT] [options]\n"
	      "\n"
	      "Print passwords that meet a policy, one a line (with -o, a"
	      " table with the\n"
	      "one column password), from OpenSSL's random generator"
	      " (pictures for a\n"
	      "picture policy).  Here -n is the count, not --dry-run:"
	      " generate changes\n"
	      "nothing.\n"
	      "\n"
	      "Options:\n"
	      "      --policy NAME         a configured policy (default: the"
	      " default policy)\n"
	      "      --user USER           USER's effective policy, avoiding"
	      " USER's names\n"
	      "  -n, --count COUNT         how many passwords (default 1)\n",
	      out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

static const struct option expiring_options[] = {
	{ "within", required_argument, NULL, OPT_WITHIN },
	{ "institution", required_argument, NULL, OPT_INSTITUTION },
	{ NULL, 0, NULL, 0 }
};

static void
expiring_usage(FILE *out)
{
	fputs("Usage: ulogin-policy expiring [--within DURATION]"
	      " [--institution NUMBER]... [options]\n"
	      "\n"
	      "Accounts whose password expires within DURATION (default 14d)"
	      " and has not\n"
	      "expired yet, soonest first: username, name, mail, mobile,"
	      " institutions,\n"
	      "policy, expires, days_left.  For notification scripts.\n"
	      "\n"
	      "Options:\n"
	      "      --within DURATION     e.g. 14d, 7d, 24h (default 14d)\n"
	      "      --institution NUMBER  only users of an institution"
	      " (repeat: any)\n", out);
	ulogin_cli_common_help(out);
	fputs(SEE_ALSO, out);
}

/* ---- running ----------------------------------------------------------- */

static const struct ulogin_policy_set *
policies(struct policy_ctl *ctl)
{
	return &ctl->cli.cfg.policies;
}

static int
print_table(struct policy_ctl *ctl, int rc, struct ulogin_table *t)
{
	if (!rc && t)
		rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	return rc;
}

static int
print_record(struct policy_ctl *ctl, int rc, struct ulogin_record *r)
{
	if (!rc && r)
		rc = ulogin_record_print(r, ctl->cli.format, stdout);
	ulogin_record_free(r);
	return rc;
}

static int
run_list(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct ulogin_table *t = NULL;
	int rc = ulogin_policy_list(c, &t);

	return print_table(data, rc, t);
}

static int
run_show(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct ulogin_record *r = NULL;
	int rc = ulogin_policy_show(c, argv[0], &r);

	return print_record(data, rc, r);
}

static int
run_apply(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct policy_ctl *ctl = data;
	const char *module = strcmp(ctl->cli.cfg.check_module, "none")
		? ctl->cli.cfg.check_module : NULL;
	struct ulogin_table *t = NULL;
	int rc = ulogin_policy_apply(c, policies(ctl), module, &t);

	if (!rc && t && !ulogin_table_rows(t))
		ulogin_info("everything is up to date");
	if (ctl->cli.cfg.dry_run) {
		ulogin_table_free(t);
		return rc;
	}
	/* Partly done: what was done is still shown. */
	if (rc == ULOGIN_EX_PARTIAL && t) {
		int prc = ulogin_table_print(t, ctl->cli.format, stdout);

		ulogin_table_free(t);
		return prc ? prc : rc;
	}
	return print_table(ctl, rc, t);
}

static int
run_effective(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct ulogin_record *r = NULL;
	int rc = ulogin_policy_explain(c, policies(data), argv[0], &r);

	return print_record(data, rc, r);
}

static int
run_set(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return ulogin_policy_override(c, policies(data), argv[0], argv[1]);
}

static int
run_clear(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	return ulogin_policy_clear(c, policies(data), argv[0]);
}

/* The policy and person for check and generate: --user needs the
 * directory, --policy only the config. */
static int
choose(struct policy_ctl *ctl, struct ulogin_user_rules *rules,
       struct ulogin_entry *user)
{
	struct ulogin_conn *c = NULL;
	int rc;

	memset(user, 0, sizeof(*user));
	memset(rules, 0, sizeof(*rules));
	if (ctl->user && ((rc = ulogin_connect(&ctl->cli.cfg, &c)) ||
			  (rc = ulogin_user_read(c, ctl->user, user)))) {
		ulogin_disconnect(c);
		return rc;
	}
	ulogin_disconnect(c);
	return ulogin_user_rules_load(policies(ctl), user->dn ? user : NULL,
				      ctl->policy, rules);
}

/* One line from standard input, without echo on a terminal; NULL with
 * *why set when there is none (or it is absurdly long). */
static char *
read_candidate(bool in_shell, const char **why, bool *too_long)
{
	char *line;

	*too_long = false;
	if (isatty(STDIN_FILENO)) {
		if (!(line = ulogin_prompt_secret("Password to check: ")))
			*why = errno == ECANCELED
				? "no password entered: the input ended "
				  "before Enter"
				: "cannot ask for the password on the terminal";
		return line;
	}
	if (in_shell) {
		/* Standard input holds the shell's commands. */
		*why = "inside the shell, check needs a terminal to ask on";
		return NULL;
	}
	*too_long = false;
	if (!(line = ulogin_read_secret_line(4096, too_long)))
		*why = *too_long ? "the password is longer than 4096 bytes"
				 : "no password given on standard input";
	return line;
}

/*
 * The broken rules.  Without a format chosen (-o, ULOGIN_OUTPUT, the
 * config's output), a line "RULE<tab>message" each, nothing when none is
 * broken: what people read and "while read" loops take.  With one, a
 * table with the columns rule and message, in that format (a heading, or
 * [], also when none is broken).
 */
static int
print_violations(struct policy_ctl *ctl, const struct ulogin_violations *v)
{
	static const char *const columns[] = { "rule", "message", NULL };
	struct ulogin_table *t;
	int rc;

	if (!ctl->cli.cfg.output) {
		for (size_t i = 0; i < v->n; i++) {
			printf("%s\t", v->v[i].code);
			ulogin_print_inert(stdout, "%s", v->v[i].message);
		}
		return fflush(stdout) ? ULOGIN_EX_CANTCREAT : 0;
	}
	t = ulogin_table_new(columns);
	for (size_t i = 0; i < v->n; i++) {
		ulogin_table_begin_row(t);
		ulogin_table_set(t, 0, v->v[i].code);
		ulogin_table_set(t, 1, v->v[i].message);
	}
	rc = ulogin_table_print(t, ctl->cli.format, stdout);
	ulogin_table_free(t);
	return rc;
}

static int
run_check(void *data, struct ulogin_conn *unused, int argc, char **argv)
{
	struct policy_ctl *ctl = data;
	struct ulogin_violations v = { NULL, 0 };
	struct ulogin_user_rules rules;
	struct ulogin_entry user;
	const char *why = "no password given on standard input";
	bool too_long = false;
	char *candidate;
	int rc, n;

	if ((rc = choose(ctl, &rules, &user)))
		goto out;
	if (!(candidate = read_candidate(ctl->cli.in_shell, &why,
					 &too_long))) {
		ulogin_error("%s", why);
		rc = too_long ? ULOGIN_EX_DATAERR : ULOGIN_EX_NOINPUT;
		goto out;
	}
	n = ulogin_user_rules_check(&rules, candidate, &v);
	ulogin_secret_free(candidate);
	if (n < 0) {
		ulogin_error("out of memory");
		rc = ULOGIN_EX_SOFTWARE;
		goto done;
	}
	rc = print_violations(ctl, &v);
	if (n == 0 && !rc) {
		ulogin_info("the password meets policy '%s'", rules.policy->name);
	} else if (!rc) {
		ulogin_error("the password breaks %d rule%s of policy '%s'",
			     n, n == 1 ? "" : "s", rules.policy->name);
		rc = ULOGIN_EX_DATAERR;
	}
done:
	ulogin_violations_free(&v);
out:
	ulogin_user_rules_free(&rules);
	ulogin_entry_free(&user);
	return rc;
}

static int
run_generate(void *data, struct ulogin_conn *unused, int argc, char **argv)
{
	static const char *const columns[] = { "password", NULL };
	struct policy_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	struct ulogin_user_rules rules;
	struct ulogin_entry user;
	int rc;

	if ((rc = choose(ctl, &rules, &user)))
		goto out;
	/* Without a format chosen, a password a line (what people copy
	 * and "pw=$(ulogin-policy generate)" takes); with one, a table
	 * with the one column password. */
	if (ctl->cli.cfg.output)
		t = ulogin_table_new(columns);
	for (unsigned i = 0; i < (ctl->count ? ctl->count : 1) && !rc; i++) {
		const char *why;
		char *pw = ulogin_user_rules_generate(&rules, &why);

		if (!pw) {
			ulogin_error("cannot make a password for policy '%s': "
				     "%s", rules.policy->name, why);
			rc = ULOGIN_EX_CONFIG;
			break;
		}
		if (t) {
			ulogin_table_begin_row(t);
			ulogin_table_set(t, 0, pw);
		} else if (ulogin_write_secret(pw, strlen(pw)) != 0 ||
			   ulogin_write_secret("\n", 1) != 0) {
			/* write(2), not stdio: no buffer keeps a copy. */
			ulogin_error("cannot write output: %s",
				     strerror(errno));
			rc = ULOGIN_EX_CANTCREAT;
		}
		ulogin_secret_free(pw);
	}
	if (!rc && t)
		rc = ulogin_table_print_secret(t, ctl->cli.format);
	ulogin_table_free_secret(t);
out:
	ulogin_user_rules_free(&rules);
	ulogin_entry_free(&user);
	return rc;
}

static int
run_expiring(void *data, struct ulogin_conn *c, int argc, char **argv)
{
	struct policy_ctl *ctl = data;
	struct ulogin_table *t = NULL;
	int rc = ulogin_policy_expiring(c, ctl->within ? ctl->within
						       : 14 * 86400,
					&ctl->institutions, &t);

	return print_table(ctl, rc, t);
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct ulogin_subcommand subcommands[] = {
	{ "list", "", 0, 0, NULL, NULL, list_usage, run_list, false },
	{ "show", "NAME", 1, 1, NULL, NULL, show_usage, run_show, false },
	{ "apply", "", 0, 0, NULL, NULL, apply_usage, run_apply, false },
	{ "effective", "USER", 1, 1, NULL, NULL, effective_usage,
	  run_effective, false },
	{ "set", "USER and POLICY", 2, 2, NULL, NULL, set_usage, run_set,
	  false },
	{ "clear", "USER", 1, 1, NULL, NULL, clear_usage, run_clear, false },
	{ "check", "", 0, 0, choose_options, NULL, check_usage, run_check,
	  true },
	{ "generate", "", 0, 0, generate_options, "n", generate_usage,
	  run_generate, true },
	{ "expiring", "", 0, 0, expiring_options, NULL, expiring_usage,
	  run_expiring, false },
};

static int
handle_option(int opt, const char *arg, void *data)
{
	struct policy_ctl *ctl = data;
	char *end;
	long v;

	switch (opt) {
	case OPT_POLICY: ctl->policy = arg; break;
	case OPT_USER: ctl->user = arg; break;
	case 'n':
		v = strtol(arg, &end, 10);
		if (*end || v < 1 || v > 100000)
			return ulogin_usage_error("generate", "-n needs a "
						  "count from 1 to 100000");
		ctl->count = (unsigned)v;
		break;
	case OPT_WITHIN:
		if ((ctl->within = ulogin_duration_parse(arg)) <= 0)
			return ulogin_usage_error("expiring", "--within needs "
				"a duration such as 14d, 7d or 24h");
		break;
	case OPT_INSTITUTION: strv_push(&ctl->institutions, arg); break;
	default: return -1;
	}
	return 0;
}

static int
check_options(void *data, const struct ulogin_subcommand *sc, int argc,
	      char **argv)
{
	struct policy_ctl *ctl = data;

	if (ctl->policy && ctl->user)
		return ulogin_usage_error(sc->name, "give --policy or --user, "
					  "not both");
	return 0;
}

static void
reset_command(void *data)
{
	struct policy_ctl *ctl = data;

	strv_free(&ctl->institutions);
	ctl->policy = ctl->user = NULL;
	ctl->count = 0;
	ctl->within = 0;
}

int
main(int argc, char **argv)
{
	struct policy_ctl ctl;
	struct ulogin_program p = {
		usage, subcommands, sizeof(subcommands) / sizeof(*subcommands),
		&ctl, &ctl.cli, handle_option, check_options, reset_command,
		NULL
	};

	memset(&ctl, 0, sizeof(ctl));
	return ulogin_program_main(&p, argc, argv);
}
