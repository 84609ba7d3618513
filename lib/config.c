#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <ldap.h>
#include <yaml.h>

#include "account.h"
#include "config.h"
#include "import.h"
#include "roster.h"
#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "banned.h"

enum key_type { KEY_STRING, KEY_PATH, KEY_BOOL, KEY_SECONDS, KEY_DURATION,
		KEY_PERIOD, KEY_REFUSED };

struct config_key {
	const char *name;
	enum key_type type;
	size_t offset;
	const char *env;
};

#define STR(f) offsetof(struct ulogin_config, f)

/* Every key the config file and the environment know, in one table. */
static const struct config_key keys[] = {
	{ "uri", KEY_STRING, STR(uri), "ULOGIN_URI" },
	{ "base", KEY_STRING, STR(base), "ULOGIN_BASE" },
	{ "bind_dn", KEY_STRING, STR(bind_dn), "ULOGIN_BIND_DN" },
	{ "password_file", KEY_PATH, STR(password_file), "ULOGIN_PASSWORD_FILE" },
	{ "sasl_mech", KEY_STRING, STR(sasl_mech), "ULOGIN_SASL_MECH" },
	{ "tls_ca_file", KEY_PATH, STR(tls_ca_file), "ULOGIN_TLS_CA_FILE" },
	{ "output", KEY_STRING, STR(output), "ULOGIN_OUTPUT" },
	{ "audit_log", KEY_PATH, STR(audit_log), "ULOGIN_AUDIT_LOG" },
	{ "check_module", KEY_STRING, STR(check_module),
	  "ULOGIN_CHECK_MODULE" },
	{ "starttls", KEY_BOOL, STR(starttls), "ULOGIN_STARTTLS" },
	{ "syslog", KEY_BOOL, STR(syslog), "ULOGIN_SYSLOG" },
	{ "timeout", KEY_SECONDS, STR(timeout), "ULOGIN_TIMEOUT" },
	{ "import_map", KEY_PATH, STR(import_map), "ULOGIN_IMPORT_MAP" },
	{ "import_key_file", KEY_PATH, STR(import_key_file),
	  "ULOGIN_IMPORT_KEY_FILE" },
	{ "max_leavers", KEY_STRING, STR(max_leavers), "ULOGIN_MAX_LEAVERS" },
	{ "step_up_default", KEY_DURATION, STR(step_up_default),
	  "ULOGIN_STEP_UP_DEFAULT" },
	{ "step_up_max", KEY_DURATION, STR(step_up_max), "ULOGIN_STEP_UP_MAX" },
	{ "prune_retention", KEY_PERIOD, STR(prune_retention),
	  "ULOGIN_PRUNE_RETENTION" },
	{ "password", KEY_REFUSED, 0, "ULOGIN_PASSWORD" },
	{ "bind_password", KEY_REFUSED, 0, "ULOGIN_BIND_PASSWORD" },
};

void
ulogin_config_init(struct ulogin_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->starttls = ULOGIN_UNSET;
	cfg->syslog = ULOGIN_UNSET;
	cfg->timeout = -1;
	cfg->step_up_default = -1;
	cfg->step_up_max = -1;
	cfg->prune_retention = -1;
	ulogin_policy_set_init(&cfg->policies);
}

void
ulogin_config_free(struct ulogin_config *cfg)
{
	free(cfg->config_file);
	free(cfg->uri);
	free(cfg->base);
	free(cfg->bind_dn);
	free(cfg->password_file);
	free(cfg->sasl_mech);
	free(cfg->tls_ca_file);
	free(cfg->output);
	free(cfg->audit_log);
	free(cfg->check_module);
	free(cfg->import_map);
	free(cfg->import_key_file);
	free(cfg->max_leavers);
	free(cfg->loaded_from);
	ulogin_policy_set_free(&cfg->policies);
	free(cfg->policies_from);
	for (size_t i = 0; i < cfg->nsources; i++) {
		free(cfg->sources[i].name);
		strv_free(&cfg->sources[i].institutions);
		strv_free(&cfg->sources[i].roles);
		strv_free(&cfg->sources[i].links);
	}
	free(cfg->sources);
	free(cfg->sources_from);
	strv_free(&cfg->local_domains);
	strv_free(&cfg->local_logins);
	free(cfg->local_logins_from);
	ulogin_config_init(cfg);
}

static int
parse_bool(const char *s, int *out)
{
	static const char *yes[] = { "true", "yes", "on", "1" };
	static const char *no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = ULOGIN_YES;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = ULOGIN_NO;
			return 0;
		}
	}
	return -1;
}

static int
parse_seconds(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 3600)
		return -1;
	*out = (int)v;
	return 0;
}

static int
valid_output(const char *o)
{
	return !strcmp(o, "table") || !strcmp(o, "tsv") ||
	       !strcmp(o, "csv") || !strcmp(o, "json");
}

/* Make a path from a config file relative to that file's directory. */
static char *
relative_to(const char *file, const char *path)
{
	const char *slash;

	if (!file || path[0] == '/' || !(slash = strrchr(file, '/')))
		return xstrdup(path);
	return xasprintf("%.*s/%s", (int)(slash - file), file, path);
}

/*
 * Store a value for one key unless a higher layer already set it.  Returns
 * 0, or -1 with *why set to a static explanation.
 */
static int
set_key(struct ulogin_config *cfg, const struct config_key *k,
	const char *value, const char *file, const char **why)
{
	char **sp = (char **)((char *)cfg + k->offset);
	int *ip = (int *)((char *)cfg + k->offset);
	int v;

	switch (k->type) {
	case KEY_REFUSED:
		*why = "passwords are not accepted here; name a file "
		       "readable only by you with 'password_file'";
		return -1;
	case KEY_STRING:
	case KEY_PATH:
		if (!*value) {
			*why = "the value is empty";
			return -1;
		}
		if (!strcmp(k->name, "output") && !valid_output(value)) {
			*why = "expected table, tsv, csv or json";
			return -1;
		}
		if (!*sp)
			*sp = k->type == KEY_PATH ? relative_to(file, value)
						  : xstrdup(value);
		return 0;
	case KEY_BOOL:
		if (parse_bool(value, &v) < 0) {
			*why = "expected true or false";
			return -1;
		}
		if (*ip == ULOGIN_UNSET)
			*ip = v;
		return 0;
	case KEY_SECONDS:
		if (parse_seconds(value, &v) < 0) {
			*why = "expected a number of seconds from 1 to 3600";
			return -1;
		}
		if (*ip < 0)
			*ip = v;
		return 0;
	case KEY_DURATION: {
		long *lp = (long *)((char *)cfg + k->offset);
		long d = ulogin_duration_parse(value);

		/* The server's own bound (its access rules) is 2 hours. */
		if (d < 60 || d > ULOGIN_STEP_UP_LIMIT) {
			*why = "expected a time from 1m to 2h, such as 90m";
			return -1;
		}
		if (*lp < 0)
			*lp = d;
		return 0;
	}
	case KEY_PERIOD: {
		long *lp = (long *)((char *)cfg + k->offset);
		long d = ulogin_duration_parse(value);

		if (d < 1) {
			*why = "expected a time such as 90d, 12w or 1y";
			return -1;
		}
		if (*lp < 0)
			*lp = d;
		return 0;
	}
	}
	return 0;
}

static const struct config_key *
find_key(const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int
ulogin_yaml_error(const char *path, const yaml_mark_t *mark, const char *key,
		  const char *why)
{
	if (key)
		ulogin_error("%s:%zu: '%s': %s", path, mark->line + 1, key,
			     why);
	else
		ulogin_error("%s:%zu:%zu: %s", path, mark->line + 1,
			     mark->column + 1, why);
	return ULOGIN_EX_CONFIG;
}

/* A scalar, or a sequence of scalars joined with commas ("[lower,
 * digit]" and "lower, digit" mean the same).  NULL if neither. */
static char *
scalar_or_list(yaml_document_t *doc, yaml_node_t *v, const char *sep)
{
	struct strv parts = STRV_INIT;
	char *out;

	if (v->type == YAML_SCALAR_NODE)
		return xstrdup((const char *)v->data.scalar.value);
	if (v->type != YAML_SEQUENCE_NODE)
		return NULL;
	for (yaml_node_item_t *i = v->data.sequence.items.start;
	     i < v->data.sequence.items.top; i++) {
		yaml_node_t *item = yaml_document_get_node(doc, *i);

		if (item->type != YAML_SCALAR_NODE) {
			strv_free(&parts);
			return NULL;
		}
		strv_push(&parts, (const char *)item->data.scalar.value);
	}
	out = strv_join(&parts, sep);
	strv_free(&parts);
	return out;
}

/* policies: NAME: { setting: value, ... } */
static int
read_policies(struct ulogin_config *cfg, const char *path,
	      yaml_document_t *doc, yaml_node_t *node)
{
	if (node->type != YAML_MAPPING_NODE)
		return ulogin_yaml_error(path, &node->start_mark, "policies",
				    "expected one 'NAME:' per policy");
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		struct ulogin_policy *pol;
		const char *name;

		if (k->type != YAML_SCALAR_NODE)
			return ulogin_yaml_error(path, &k->start_mark, NULL,
					    "a policy name must be a word");
		name = (const char *)k->data.scalar.value;
		if (!(pol = ulogin_policy_add(&cfg->policies, name,
					      (unsigned)k->start_mark.line + 1)))
			return ulogin_yaml_error(path, &k->start_mark, name,
					    "policy defined twice");
		if (v->type != YAML_MAPPING_NODE)
			return ulogin_yaml_error(path, &v->start_mark, name,
					    "expected the policy's settings");
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
		     q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *sk = yaml_document_get_node(doc, q->key);
			yaml_node_t *sv = yaml_document_get_node(doc,
								 q->value);
			const char *key = sk->type == YAML_SCALAR_NODE
				? (const char *)sk->data.scalar.value : "?";
			/* A list of forbidden characters is just them. */
			char *value = scalar_or_list(doc, sv,
						     strcmp(key, "forbid")
						     ? "," : "");
			const char *why;
			int rc;

			if (!value)
				return ulogin_yaml_error(path, &sv->start_mark, key,
						    "expected a value or a "
						    "list of values");
			rc = ulogin_policy_setting(pol, key, value, &why);
			free(value);
			if (rc < 0) {
				rc = ulogin_yaml_error(path, &sk->start_mark, key,
						  why);
				if (!strcmp(why, "unknown policy setting"))
					ulogin_hint("policy settings: %s",
						    "min_length, max_length, "
						    "require, classes, "
						    "classes_of, forbid, "
						    "latin_only, no_username, "
						    "no_names, pictures, "
						    "max_age, expire_warning, "
						    "history, max_failures, "
						    "lockout, failure_interval,"
						    " grace_logins, "
						    "description");
				return rc;
			}
		}
	}
	return 0;
}

/* levels: LEVEL: POLICY  and  roles: ROLE: POLICY */
static int
read_policy_map(struct ulogin_config *cfg, const char *path,
		yaml_document_t *doc, yaml_node_t *node, const char *section)
{
	if (node->type != YAML_MAPPING_NODE)
		return ulogin_yaml_error(path, &node->start_mark, section,
				    "expected 'NAME: POLICY' lines");
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *why;

		if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE)
			return ulogin_yaml_error(path, &k->start_mark, section,
					    "expected 'NAME: POLICY' lines");
		if (ulogin_policy_map(&cfg->policies, section,
				      (const char *)k->data.scalar.value,
				      (const char *)v->data.scalar.value,
				      &why) < 0)
			return ulogin_yaml_error(path, &k->start_mark,
					    (const char *)k->data.scalar.value,
					    why);
	}
	return 0;
}

const struct ulogin_source_cfg *
ulogin_config_source(const struct ulogin_config *cfg, const char *name)
{
	/* As the directory compares uloginSource: without regard to
	 * case. */
	for (size_t i = 0; name && i < cfg->nsources; i++)
		if (!strcasecmp(cfg->sources[i].name, name))
			return &cfg->sources[i];
	return NULL;
}

bool
ulogin_sources_linked(const struct ulogin_config *cfg, const char *a,
		      const char *b)
{
	const struct ulogin_source_cfg *sa = ulogin_config_source(cfg, a);
	const struct ulogin_source_cfg *sb = ulogin_config_source(cfg, b);

	for (size_t i = 0; sa && i < sa->links.n; i++)
		if (!strcasecmp(sa->links.v[i], b))
			return true;
	for (size_t i = 0; sb && i < sb->links.n; i++)
		if (!strcasecmp(sb->links.v[i], a))
			return true;
	return false;
}

/* One setting of a source: a word or a list of words, each checked. */
static int
source_list(const char *path, yaml_document_t *doc, yaml_node_t *k,
	    yaml_node_t *v, struct strv *out,
	    const char *(*invalid)(const char *))
{
	char *joined = scalar_or_list(doc, v, ",");
	const char *why;

	if (!joined)
		return ulogin_yaml_error(path, &v->start_mark,
				    (const char *)k->data.scalar.value,
				    "expected a value or a list of values");
	strv_free(out);
	ulogin_split_cell(joined, ',', out);
	free(joined);
	for (size_t i = 0; i < out->n; i++)
		if ((why = invalid(out->v[i]))) {
			char *what = xasprintf("'%s': %s", out->v[i], why);
			int rc = ulogin_yaml_error(path, &v->start_mark,
					(const char *)k->data.scalar.value,
					what);

			free(what);
			return rc;
		}
	return 0;
}

static const char *
invalid_institution(const char *s)
{
	if (!*s || strlen(s) > 16 || strspn(s, "0123456789") != strlen(s))
		return "an institution number is digits only";
	return NULL;
}

static const char *
invalid_import_role(const char *s)
{
	return ulogin_role_importable(s) ? NULL
		: "an import gives only the roles student, teacher, staff "
		  "and parent (never admin or support)";
}

static const char *
invalid_source_name(const char *s)
{
	return ulogin_source_invalid(s);
}

/* sources: NAME: { institutions: [...], roles: [...], links: [...] } */
static int
read_sources(struct ulogin_config *cfg, const char *path,
	     yaml_document_t *doc, yaml_node_t *node)
{
	static const char *const default_roles[] = { "student", "teacher",
						     "staff", "parent" };

	if (node->type != YAML_MAPPING_NODE)
		return ulogin_yaml_error(path, &node->start_mark, "sources",
				    "expected one 'NAME:' per import source");
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		struct ulogin_source_cfg *s;
		const char *name, *why;
		int rc = 0;

		if (k->type != YAML_SCALAR_NODE)
			return ulogin_yaml_error(path, &k->start_mark, NULL,
					    "a source name must be a word");
		name = (const char *)k->data.scalar.value;
		if ((why = ulogin_source_invalid(name)))
			return ulogin_yaml_error(path, &k->start_mark, name,
						 why);
		if (ulogin_config_source(cfg, name))
			return ulogin_yaml_error(path, &k->start_mark, name,
					    "source defined twice");
		if (v->type != YAML_MAPPING_NODE)
			return ulogin_yaml_error(path, &v->start_mark, name,
					    "expected the source's settings "
					    "(institutions, roles, links)");
		cfg->sources = xreallocarray(cfg->sources, cfg->nsources + 1,
					     sizeof(*cfg->sources));
		s = &cfg->sources[cfg->nsources++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup(name);
		s->line = (unsigned)k->start_mark.line + 1;
		for (size_t i = 0; i < 4; i++)
			strv_push(&s->roles, default_roles[i]);
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
		     q < v->data.mapping.pairs.top && !rc; q++) {
			yaml_node_t *sk = yaml_document_get_node(doc, q->key);
			yaml_node_t *sv = yaml_document_get_node(doc,
								 q->value);
			const char *key = sk->type == YAML_SCALAR_NODE
				? (const char *)sk->data.scalar.value : "?";

			if (!strcmp(key, "institutions"))
				rc = source_list(path, doc, sk, sv,
						 &s->institutions,
						 invalid_institution);
			else if (!strcmp(key, "roles"))
				rc = source_list(path, doc, sk, sv, &s->roles,
						 invalid_import_role);
			else if (!strcmp(key, "links"))
				rc = source_list(path, doc, sk, sv, &s->links,
						 invalid_source_name);
			else
				rc = ulogin_yaml_error(path, &sk->start_mark,
					key, "unknown source setting "
					"(institutions, roles, links)");
		}
		if (rc)
			return rc;
		if (!s->institutions.n)
			return ulogin_yaml_error(path, &k->start_mark, name,
					    "a source needs 'institutions:', "
					    "the numbers it may write");
	}
	return 0;
}

const char *
ulogin_config_local_login(const struct ulogin_config *cfg, const char *domain)
{
	for (size_t i = 0; domain && i < cfg->local_domains.n; i++)
		if (!strcasecmp(cfg->local_domains.v[i], domain))
			return cfg->local_logins.v[i];
	return NULL;
}

/* A domain name as a login's part after '@' can be: letters, digits,
 * '-' and dots, with a dot in it. */
static const char *
invalid_domain(const char *s)
{
	if (!*s || strlen(s) > 253 || !strchr(s, '.') || *s == '.' ||
	    s[strlen(s) - 1] == '.')
		return "expected a domain name such as kommune.example";
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return "a domain name has letters, digits, '-' and "
			       "'.' only";
	return NULL;
}

/* local_logins: DOMAIN: "who runs it and how to reach them" */
static int
read_local_logins(struct ulogin_config *cfg, const char *path,
		  yaml_document_t *doc, yaml_node_t *node)
{
	if (node->type != YAML_MAPPING_NODE)
		return ulogin_yaml_error(path, &node->start_mark,
				    "local_logins", "expected 'DOMAIN: "
				    "DESCRIPTION' lines");
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *domain, *why;
		char *lower;

		if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE)
			return ulogin_yaml_error(path, &k->start_mark,
					    "local_logins", "expected 'DOMAIN: "
					    "DESCRIPTION' lines");
		domain = (const char *)k->data.scalar.value;
		if ((why = invalid_domain(domain)))
			return ulogin_yaml_error(path, &k->start_mark, domain,
						 why);
		if (ulogin_config_local_login(cfg, domain))
			return ulogin_yaml_error(path, &k->start_mark, domain,
					    "domain given twice");
		if (!*(const char *)v->data.scalar.value)
			return ulogin_yaml_error(path, &v->start_mark, domain,
					    "say who runs the login and how to "
					    "reach them");
		lower = xstrdup(domain);
		for (char *s = lower; *s; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s - 'A' + 'a');
		strv_push(&cfg->local_domains, lower);
		free(lower);
		strv_push(&cfg->local_logins,
			  (const char *)v->data.scalar.value);
	}
	return 0;
}

/*
 * The policy part of a file: policies, levels, roles, default_policy,
 * level_change_days, pictures_file.  Returns 1 when key is not one of
 * them, else 0 or an exit code.
 */
static int
read_policy_key(struct ulogin_config *cfg, const char *path,
		yaml_document_t *doc, yaml_node_t *k, yaml_node_t *v,
		bool skip, bool has_policies)
{
	const char *name = (const char *)k->data.scalar.value;
	unsigned days;
	char *end;

	if (strcmp(name, "policies") && strcmp(name, "levels") &&
	    strcmp(name, "roles") && strcmp(name, "default_policy") &&
	    strcmp(name, "level_change_days") && strcmp(name, "pictures_file"))
		return 1;
	if (skip)
		return 0;	/* a higher layer defined the policies */
	if (!has_policies)
		return ulogin_yaml_error(path, &k->start_mark, name,
				    "needs a 'policies' section in the same "
				    "file (policy settings come whole from "
				    "one file)");
	if (!strcmp(name, "policies"))
		return read_policies(cfg, path, doc, v);
	if (!strcmp(name, "levels") || !strcmp(name, "roles"))
		return read_policy_map(cfg, path, doc, v, name);
	if (v->type != YAML_SCALAR_NODE)
		return ulogin_yaml_error(path, &v->start_mark, name,
				    "expected a single value");
	if (!strcmp(name, "default_policy")) {
		free(cfg->policies.default_name);
		cfg->policies.default_name =
			xstrdup((const char *)v->data.scalar.value);
	} else if (!strcmp(name, "pictures_file")) {
		free(cfg->policies.pictures_file);
		cfg->policies.pictures_file = relative_to(path,
			(const char *)v->data.scalar.value);
	} else {
		days = (unsigned)strtoul((const char *)v->data.scalar.value,
					 &end, 10);
		if (*end || !*(const char *)v->data.scalar.value ||
		    days < 1 || days > 365)
			return ulogin_yaml_error(path, &v->start_mark, name,
					    "expected a number of days from "
					    "1 to 365");
		cfg->policies.change_days = days;
	}
	return 0;
}

static int
read_document(struct ulogin_config *cfg, const char *path,
	      yaml_document_t *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_pair_t *pair;
	/* Policies come whole from one file: the first that has them. */
	bool skip_policies = cfg->policies_from != NULL, has_policies = false;
	int rc;

	if (!root)
		return 0;	/* an empty file is a valid, empty config */
	if (root->type != YAML_MAPPING_NODE)
		return ulogin_yaml_error(path, &root->start_mark, NULL,
				    "expected 'key: value' lines");
	/* A key given twice is a mistake, whichever one was meant. */
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);

		if (k->type != YAML_SCALAR_NODE)
			continue;
		if (!strcmp((const char *)k->data.scalar.value, "policies"))
			has_policies = true;
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
		     q < pair; q++) {
			yaml_node_t *e = yaml_document_get_node(doc, q->key);

			if (e->type == YAML_SCALAR_NODE &&
			    !strcmp((const char *)e->data.scalar.value,
				    (const char *)k->data.scalar.value))
				return ulogin_yaml_error(path, &k->start_mark,
					(const char *)k->data.scalar.value,
					"given twice");
		}
	}
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(doc, pair->value);
		const struct config_key *key;
		const char *name, *why;

		if (k->type != YAML_SCALAR_NODE)
			return ulogin_yaml_error(path, &k->start_mark, NULL,
					    "a key must be a plain word");
		name = (const char *)k->data.scalar.value;
		if (!strcmp(name, "local_logins")) {
			/* Whole from the first file that has them. */
			if (cfg->local_logins_from)
				continue;
			if ((rc = read_local_logins(cfg, path, doc, v)))
				return rc;
			cfg->local_logins_from = xstrdup(path);
			continue;
		}
		if (!strcmp(name, "sources")) {
			/* Whole from the first file that has them. */
			if (cfg->sources_from)
				continue;
			if ((rc = read_sources(cfg, path, doc, v)))
				return rc;
			cfg->sources_from = xstrdup(path);
			continue;
		}
		if ((rc = read_policy_key(cfg, path, doc, k, v,
					  skip_policies, has_policies)) != 1) {
			if (rc)
				return rc;
			if (!skip_policies && !cfg->policies_from)
				cfg->policies_from = xstrdup(path);
			continue;
		}
		if (!(key = find_key(name))) {
			rc = ulogin_yaml_error(path, &k->start_mark, name,
					  "unknown key");
			ulogin_hint("known keys: uri, base, bind_dn, "
				    "password_file, sasl_mech, tls_ca_file, "
				    "output, audit_log, check_module, "
				    "starttls, syslog, timeout, import_map, "
				    "import_key_file, max_leavers, "
				    "step_up_default, step_up_max, "
				    "prune_retention, sources, local_logins, "
				    "policies, "
				    "levels, roles, "
				    "default_policy, level_change_days, "
				    "pictures_file");
			return rc;
		}
		if (v->type != YAML_SCALAR_NODE)
			return ulogin_yaml_error(path, &v->start_mark, name,
					    "expected a single value");
		if (set_key(cfg, key, (const char *)v->data.scalar.value,
			    path, &why) < 0)
			return ulogin_yaml_error(path, &v->start_mark, name, why);
	}
	return 0;
}

int
ulogin_yaml_read(const char *path, const char *what, yaml_document_t *doc)
{
	yaml_parser_t parser;
	FILE *f;
	int rc = 0;

	if (!(f = fopen(path, "r"))) {
		ulogin_error("cannot read %s '%s': %s", what, path,
			     strerror(errno));
		return ULOGIN_EX_CONFIG;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		ulogin_error("cannot start the YAML parser");
		return ULOGIN_EX_SOFTWARE;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, doc)) {
		/* Point at where the broken construct starts when libyaml
		 * knows it: an unclosed bracket is noticed only at the end. */
		char *why = parser.context
			? xasprintf("%s (%s at line %zu)", parser.problem,
				    parser.context,
				    parser.context_mark.line + 1)
			: xstrdup(parser.problem ? parser.problem
						 : "not valid YAML");

		rc = ulogin_yaml_error(path, &parser.problem_mark, NULL, why);
		free(why);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int
ulogin_config_read_file(struct ulogin_config *cfg, const char *path)
{
	yaml_document_t doc;
	int rc;

	if ((rc = ulogin_yaml_read(path, "config file", &doc)))
		return rc;
	rc = read_document(cfg, path, &doc);
	if (rc == 0 && cfg->policies_from &&
	    strcmp(cfg->policies_from, path) == 0) {
		const char *bad, *where;

		if (ulogin_policy_set_check(&cfg->policies, &bad, &where) < 0) {
			ulogin_error("%s: '%s' names policy '%s', which is not "
				     "defined under 'policies'", path, where,
				     bad);
			rc = ULOGIN_EX_CONFIG;
		}
	}
	yaml_document_delete(&doc);
	if (rc == 0) {
		char *prev = cfg->loaded_from;

		cfg->loaded_from = prev ? xasprintf("%s, %s", prev, path)
					: xstrdup(path);
		free(prev);
	}
	return rc;
}

static int
read_environment(struct ulogin_config *cfg)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const char *v = getenv(keys[i].env);
		const char *why;

		if (!v || (!*v && keys[i].type != KEY_REFUSED))
			continue;
		if (keys[i].type == KEY_REFUSED) {
			ulogin_error("environment variable %s: passwords are "
				     "not accepted in the environment",
				     keys[i].env);
			ulogin_hint("other processes can read it; unset it and "
				    "use ULOGIN_PASSWORD_FILE or -y FILE "
				    "(readable only by you), or -W");
			return ULOGIN_EX_CONFIG;
		}
		if (set_key(cfg, &keys[i], v, NULL, &why) < 0) {
			ulogin_error("environment variable %s: %s",
				     keys[i].env, why);
			return ULOGIN_EX_CONFIG;
		}
	}
	return 0;
}

static char *
user_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		return xasprintf("%s/ulogin/ulogin.yaml", xdg);
	if (home && *home)
		return xasprintf("%s/.config/ulogin/ulogin.yaml", home);
	return NULL;
}

/* What OpenLDAP's ldap.conf (and LDAPURI, LDAPBASE) say. */
static void
read_ldap_conf(struct ulogin_config *cfg)
{
	char *v = NULL;

	if (!cfg->uri && ldap_get_option(NULL, LDAP_OPT_URI, &v) ==
	    LDAP_OPT_SUCCESS && v && *v)
		cfg->uri = xstrdup(v);
	ldap_memfree(v);
	v = NULL;
	if (!cfg->base && ldap_get_option(NULL, LDAP_OPT_DEFBASE, &v) ==
	    LDAP_OPT_SUCCESS && v && *v)
		cfg->base = xstrdup(v);
	ldap_memfree(v);
}

int
ulogin_config_resolve(struct ulogin_config *cfg)
{
	const char *env_file = getenv("ULOGIN_CONFIG");
	int rc;

	if ((rc = read_environment(cfg)))
		return rc;
	if (!cfg->config_file && env_file && *env_file)
		cfg->config_file = xstrdup(env_file);

	if (cfg->config_file) {
		/* An explicitly named file is the only one read. */
		if ((rc = ulogin_config_read_file(cfg, cfg->config_file)))
			return rc;
	} else {
		char *user = user_config_path();

		if (user && access(user, F_OK) == 0)
			rc = ulogin_config_read_file(cfg, user);
		free(user);
		if (rc)
			return rc;
		if (access(ULOGIN_SYSTEM_CONFIG, F_OK) == 0 &&
		    (rc = ulogin_config_read_file(cfg, ULOGIN_SYSTEM_CONFIG)))
			return rc;
	}
	read_ldap_conf(cfg);

	if (cfg->output && !valid_output(cfg->output)) {
		ulogin_error("unknown output format '%s'", cfg->output);
		ulogin_hint("use one of table, tsv, csv, json");
		return ULOGIN_EX_USAGE;
	}
	if (cfg->timeout < 0)
		cfg->timeout = 10;
	if (!cfg->check_module)
		cfg->check_module = xstrdup(ULOGIN_CHECK_MODULE_DEFAULT);
	if (!cfg->import_map)
		cfg->import_map =
			xstrdup(ULOGIN_DATADIR_DEFAULT "/roster-map.yaml");
	if (!cfg->max_leavers)
		cfg->max_leavers = xstrdup("10%");
	if (cfg->step_up_max < 0)
		cfg->step_up_max = ULOGIN_STEP_UP_LIMIT;
	if (cfg->step_up_default < 0)
		cfg->step_up_default = cfg->step_up_max;
	if (cfg->step_up_default > cfg->step_up_max) {
		ulogin_error("step_up_default (%ld minutes) is longer than "
			     "step_up_max (%ld minutes)",
			     cfg->step_up_default / 60, cfg->step_up_max / 60);
		ulogin_hint("make step_up_default at most step_up_max in "
			    "the config");
		return ULOGIN_EX_CONFIG;
	}
	if (cfg->prune_retention < 0)
		cfg->prune_retention = 90L * 24 * 3600;
	if (!cfg->policies.pictures_file)
		cfg->policies.pictures_file =
			xstrdup(ULOGIN_DATADIR_DEFAULT "/pictures.txt");
	if (cfg->starttls == ULOGIN_UNSET)
		cfg->starttls = ULOGIN_NO;
	if (cfg->syslog == ULOGIN_UNSET)
		cfg->syslog = ULOGIN_YES;
	return 0;
}
