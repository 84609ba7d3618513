/*
 * Settings, from (highest first) command-line flags, ULOGIN_* environment
 * variables, the config file (-c, $ULOGIN_CONFIG, or the user's
 * ~/.config/ulogin/ulogin.yaml), /etc/ulogin/ulogin.yaml and OpenLDAP's
 * own ldap.conf.  The flag layer is filled in by the caller; resolving
 * fills every unset field from the lower layers.
 */
#ifndef ULOGIN_CONFIG_H
#define ULOGIN_CONFIG_H

#include <stdbool.h>

#include "mem.h"
#include "policy.h"

#define ULOGIN_SYSTEM_CONFIG "/etc/ulogin/ulogin.yaml"

/* The longest step-up, in seconds: what the server's access rules allow
 * (data/access.model), so no config can promise more. */
#define ULOGIN_STEP_UP_LIMIT 7200

/* An import source as the config allows it (DESIGN.md section 6): the
 * institutions it may write, the roles it may give, and the sources it
 * shares users with.  A source the config does not name may not run. */
struct ulogin_source_cfg {
	char *name;
	struct strv institutions;	/* numbers */
	struct strv roles;		/* student teacher staff parent */
	struct strv links;		/* other sources' names */
	unsigned line;			/* in sources_from */
};

enum ulogin_tristate { ULOGIN_UNSET = -1, ULOGIN_NO = 0, ULOGIN_YES = 1 };

struct ulogin_config {
	char *config_file;	/* explicit file: -c or $ULOGIN_CONFIG */
	char *uri;		/* space-separated list, tried in order */
	char *base;
	char *bind_dn;
	char *password_file;
	char *sasl_mech;
	char *tls_ca_file;
	char *output;		/* table, tsv, csv, json */
	char *audit_log;
	char *check_module;	/* ppolicy pwdCheckModule; "none" */
	int starttls;		/* tristate */
	int syslog;		/* tristate */
	int timeout;		/* seconds; -1 unset */
	char *import_map;	/* column mapping of ulogin's own CSV */
	char *import_key_file;	/* HMAC key for national ID numbers */
	char *max_leavers;	/* "10%" of a source's users, or a count */
	long step_up_default;	/* seconds; -1 unset */
	long step_up_max;	/* seconds, at most ULOGIN_STEP_UP_LIMIT */
	long prune_retention;	/* seconds a pruned account stays blocked
				   before deletion; -1 unset */
	bool ask_password;	/* -W */
	bool dry_run;
	bool assume_yes;
	int verbosity;		/* -1 quiet, 0, 1.. verbose */
	/* Files actually read, for messages ("settings from ..."). */
	char *loaded_from;
	/* Password policies: taken whole from the first file that has a
	 * "policies" section, never merged across files. */
	struct ulogin_policy_set policies;
	char *policies_from;
	/* Import sources: whole from the first file with a "sources"
	 * section, like the policies. */
	struct ulogin_source_cfg *sources;
	size_t nsources;
	char *sources_from;
	/* Local login solutions: logins "name@DOMAIN" belong to the
	 * municipality's or school's own login, not to this directory.
	 * domains[i] (lower case) is described by local_logins[i] (who
	 * runs it and how to reach them).  Whole from the first file that
	 * has a "local_logins" section. */
	struct strv local_domains;
	struct strv local_logins;
	char *local_logins_from;
};

/* The description of the local login solution of domain (compared
 * without regard to case), or NULL when the config names none. */
const char *ulogin_config_local_login(const struct ulogin_config *cfg,
				      const char *domain);

/* The source called name, or NULL. */
const struct ulogin_source_cfg *
ulogin_config_source(const struct ulogin_config *cfg, const char *name);
/* Do the two sources share users (either one names the other)? */
bool ulogin_sources_linked(const struct ulogin_config *cfg, const char *a,
			   const char *b);

void ulogin_config_init(struct ulogin_config *cfg);
void ulogin_config_free(struct ulogin_config *cfg);

/*
 * Fill unset fields from the environment, config files and ldap.conf, then
 * apply built-in defaults.  Prints an error naming file, line and key and
 * returns an exit code (78) on a bad config; 0 on success.
 */
int ulogin_config_resolve(struct ulogin_config *cfg);

/* Load a YAML file (what: "config file", "mapping file"); errors are
 * printed as FILE:LINE:COL: why.  Returns an exit code or 0; free the
 * document with yaml_document_delete(). */
struct yaml_document_s;
struct yaml_mark_s;
int ulogin_yaml_read(const char *path, const char *what,
		     struct yaml_document_s *doc);
/* Print "FILE:LINE: 'key': why" (or FILE:LINE:COL: why) and return 78. */
int ulogin_yaml_error(const char *path, const struct yaml_mark_s *mark,
		      const char *key, const char *why);

/* Read one YAML file into unset fields of cfg (exposed for unit tests). */
int ulogin_config_read_file(struct ulogin_config *cfg, const char *path);

#endif
