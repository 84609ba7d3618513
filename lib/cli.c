#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "banned.h"

enum {
	OPT_HELP = ULOGIN_OPT_BASE,
	OPT_VERSION,
	OPT_YES,
	OPT_PASSWORD,
};

#define COMMON_SHORT "c:H:b:D:y:WY:Zo:nqvw:"
/* Added to a common option's value when a command takes its short form. */
#define TAKEN_OVER 1000

static const struct option common_long[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "uri", required_argument, NULL, 'H' },
	{ "base", required_argument, NULL, 'b' },
	{ "bind-dn", required_argument, NULL, 'D' },
	{ "password-file", required_argument, NULL, 'y' },
	{ "ask-password", no_argument, NULL, 'W' },
	{ "sasl-mech", required_argument, NULL, 'Y' },
	{ "starttls", no_argument, NULL, 'Z' },
	{ "output", required_argument, NULL, 'o' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
};

void
ulogin_cli_common_help(FILE *out)
{
	fputs("\nCommon options:\n"
	      "  -c, --config FILE         read settings from FILE\n"
	      "  -H, --uri URI             directory server(s), space-separated"
	      " for failover\n"
	      "  -b, --base DN             base DN of the directory tree\n"
	      "  -D, --bind-dn DN          bind as DN\n"
	      "  -y, --password-file FILE  read the bind password from FILE"
	      " (mode 0600)\n"
	      "  -W, --ask-password        ask for the bind password\n"
	      "  -Y, --sasl-mech MECH      bind with SASL MECH (EXTERNAL on"
	      " ldapi://)\n"
	      "  -Z, --starttls            require StartTLS\n"
	      "  -o, --output FORMAT       table, tsv, csv or json\n"
	      "  -n, --dry-run             show what would change, change"
	      " nothing\n"
	      "  -q, --quiet               print errors only\n"
	      "  -v, --verbose             say more about what is done\n"
	      "      --yes                 do not ask for confirmation\n"
	      "      --help                show this help and exit\n"
	      "      --version             show the version and exit\n",
	      out);
}

void
ulogin_cli_init(struct ulogin_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	ulogin_config_init(&cli->cfg);
}

void
ulogin_cli_free(struct ulogin_cli *cli)
{
	ulogin_config_free(&cli->cfg);
}

static void
replace(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int
common_option(struct ulogin_cli *cli, int opt, const char *arg,
	      const struct ulogin_opts *o)
{
	struct ulogin_config *cfg = &cli->cfg;

	switch (opt) {
	case 'c': replace(&cfg->config_file, arg); break;
	case 'H': replace(&cfg->uri, arg); break;
	case 'b': replace(&cfg->base, arg); break;
	case 'D': replace(&cfg->bind_dn, arg); break;
	case 'y': replace(&cfg->password_file, arg); break;
	case 'W': cfg->ask_password = true; break;
	case 'Y': replace(&cfg->sasl_mech, arg); break;
	case 'Z': cfg->starttls = ULOGIN_YES; break;
	case 'o':
		if (ulogin_format_parse(arg, false) < 0)
			return ulogin_usage_error(o->cmd, "unknown output "
				"format '%s' (use table, tsv, csv or json)",
				arg);
		replace(&cfg->output, arg);
		break;
	case 'n':
	case 'n' + TAKEN_OVER: cfg->dry_run = true; break;
	case 'q': cfg->verbosity = -1; break;
	case 'v':
		cfg->verbosity = cfg->verbosity < 0 ? 1 : cfg->verbosity + 1;
		break;
	case OPT_YES: cfg->assume_yes = true; break;
	case 'w':
	case OPT_PASSWORD:
		ulogin_error("passwords are not accepted on the command line");
		ulogin_hint("other users can read the command line; put the "
			    "password in a file only you can read and use -y "
			    "FILE, or -W to type it");
		return ULOGIN_EX_USAGE;
	case OPT_HELP:
		o->usage(stdout);
		return fflush(stdout) == 0 ? ULOGIN_EX_OK
					   : ULOGIN_EX_CANTCREAT;
	case OPT_VERSION:
		printf("%s (ulogin) %s\n", ulogin_program(), PACKAGE_VERSION);
		return ULOGIN_EX_OK;
	default:
		return -2;	/* not a common option */
	}
	return -1;
}

int
ulogin_cli_parse(struct ulogin_cli *cli, const struct ulogin_opts *o,
		 int argc, char **argv)
{
	size_t nown = 0, ncommon = sizeof(common_long) / sizeof(*common_long);
	struct option *longopts;
	char *shortopts, *common;
	size_t n;
	int opt, rc = -1;

	while (o->longopts && o->longopts[nown].name)
		nown++;
	longopts = xcalloc(nown + ncommon + 1, sizeof(*longopts));
	n = 0;
	for (size_t i = 0; i < ncommon; i++) {
		longopts[n] = common_long[i];
		/* A taken-over short option keeps its long form, under
		 * another value (generate -n COUNT, but --dry-run). */
		if (o->takeover && common_long[i].val < 256 &&
		    strchr(o->takeover, common_long[i].val))
			longopts[n].val += TAKEN_OVER;
		n++;
	}
	if (nown)
		memcpy(longopts + n, o->longopts, nown * sizeof(*longopts));
	/* A leading ':' makes getopt quiet: the messages are ours.  Short
	 * options taken over by the command are left out of the common
	 * ones. */
	common = xstrdup(COMMON_SHORT);
	for (const char *t = o->takeover; t && *t; t++) {
		char *at = strchr(common, *t);

		if (at)
			memmove(at, at + 1 + (at[1] == ':'),
				strlen(at + 1 + (at[1] == ':')) + 1);
	}
	shortopts = xasprintf("%s:%s%s", o->stop_at_operand ? "+" : "",
			      common, o->shortopts ? o->shortopts : "");
	free(common);
	cli->cmd = o->cmd;
	optind = 0;	/* GNU getopt: start afresh for each level */
	opterr = 0;
	while (rc == -1 &&
	       (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	       -1) {
		if (opt == '?' || opt == ':') {
			const char *bad = argv[optind - 1];
			char shortopt[3] = { '-', (char)optopt, '\0' };
			/* Never echo a value: it may be a password. */
			int len = (int)strcspn(bad, "=");

			if (optopt && strncmp(bad, "--", 2) != 0) {
				bad = shortopt;
				len = 2;
			}
			/* "--pass=..." and the like: a password attempt. */
			if (len >= 6 && len <= 10 &&
			    strncmp(bad, "--password", (size_t)len) == 0)
				rc = common_option(cli, OPT_PASSWORD, NULL, o);
			else
				rc = ulogin_usage_error(o->cmd, opt == '?'
					? "unknown option '%.*s'"
					: "option '%.*s' needs a value",
					len, bad);
			break;
		}
		rc = o->takeover && opt > 0 && opt < 256 &&
		     strchr(o->takeover, opt) ? -2
					      : common_option(cli, opt, optarg,
							      o);
		if (rc == -2)
			rc = o->handle ? o->handle(opt, optarg, o->ctl) : -1;
		if (rc == 0 && opt != OPT_HELP && opt != OPT_VERSION)
			rc = -1;
	}
	free(longopts);
	free(shortopts);
	return rc;
}

int
ulogin_cli_setup(struct ulogin_cli *cli)
{
	int rc, f;

	ulogin_set_verbosity(cli->cfg.verbosity);
	if ((rc = ulogin_config_resolve(&cli->cfg)))
		return rc;
	f = ulogin_format_parse(cli->cfg.output, isatty(STDOUT_FILENO));
	if (f < 0)
		return ULOGIN_EX_USAGE;	/* reported by resolve */
	cli->format = (enum ulogin_format)f;
	return 0;
}
