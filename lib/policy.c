#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "policy.h"
#include "banned.h"

const char *const ulogin_level_names[ULOGIN_NLEVELS] = {
	"indskoling", "mellemtrin", "udskoling", "gymnasium"
};

const char *const ulogin_policy_role_names[ULOGIN_NROLES] = {
	"teacher", "staff", "parent", "admin"
};

const char *const ulogin_policy_keys[] = {
	"description", "min_length", "max_length", "require", "classes",
	"classes_of", "forbid", "latin_only", "no_username", "no_names",
	"pictures", "max_age", "expire_warning", "history", "max_failures",
	"lockout", "failure_interval", "grace_logins", NULL
};

void
ulogin_policy_set_init(struct ulogin_policy_set *s)
{
	memset(s, 0, sizeof(*s));
	s->change_days = 30;
}

void
ulogin_policy_set_free(struct ulogin_policy_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].description);
		ulogin_rules_free(&s->v[i].rules);
	}
	free(s->v);
	for (size_t i = 0; i < ULOGIN_NLEVELS; i++)
		free(s->levels[i]);
	for (size_t i = 0; i < ULOGIN_NROLES; i++)
		free(s->roles[i]);
	free(s->default_name);
	free(s->pictures_file);
	ulogin_policy_set_init(s);
}

struct ulogin_policy *
ulogin_policy_add(struct ulogin_policy_set *s, const char *name,
		  unsigned line)
{
	struct ulogin_policy *p;

	if (ulogin_policy_find(s, name))
		return NULL;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	p = &s->v[s->n++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->line = line;
	ulogin_rules_init(&p->rules);
	/* Lock out after repeated failures unless the config says not:
	 * the server's guard against guessing. */
	p->max_failures = 10;
	p->lockout_duration = 15 * 60;
	p->failure_interval = 15 * 60;
	return p;
}

const struct ulogin_policy *
ulogin_policy_find(const struct ulogin_policy_set *s, const char *name)
{
	for (size_t i = 0; name && i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

int
ulogin_pictures_load(const char *path, struct strv *names)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n#");

		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (len)
			strv_push_owned(names, xstrndup(line, len));
	}
	fclose(f);
	return 0;
}

long
ulogin_duration_parse(const char *s)
{
	static const struct {
		char unit;
		long seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 },
		      { 'd', 86400 }, { 'w', 7 * 86400 },
		      { 'y', 365 * 86400 } };
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 0 || v > 100L * 365 * 86400)
		return -1;
	if (!*end)
		return v;
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (end[0] == units[i].unit && !end[1])
			return v * units[i].seconds;
	return -1;
}

static int
parse_count(const char *s, unsigned max, unsigned *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > (long)max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* The same words as the rest of the config: true/yes/on/1 ... */
static int
parse_flag(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* "lower, upper,digit" to class bits. */
static int
parse_classes(const char *s, unsigned *out)
{
	*out = 0;
	while (*s) {
		size_t len;
		unsigned bit;

		s += strspn(s, " ,");
		len = strcspn(s, " ,");
		if (!len)
			break;
		if (!(bit = ulogin_charclass_named(s, len)))
			return -1;
		*out |= bit;
		s += len;
	}
	return *out ? 0 : -1;
}

int
ulogin_policy_setting(struct ulogin_policy *p, const char *key,
		      const char *value, const char **why)
{
	struct ulogin_rules *r = &p->rules;
	long d;

	*why = NULL;
	if (!strcmp(key, "description")) {
		free(p->description);
		p->description = xstrdup(value);
	} else if (!strcmp(key, "min_length")) {
		if (parse_count(value, 1000, &r->min_length) < 0)
			*why = "expected a number of characters";
	} else if (!strcmp(key, "max_length")) {
		if (parse_count(value, 1000, &r->max_length) < 0)
			*why = "expected a number of characters";
	} else if (!strcmp(key, "require")) {
		if (parse_classes(value, &r->required) < 0)
			*why = "expected classes: lower, upper, digit, symbol";
	} else if (!strcmp(key, "classes")) {
		if (parse_count(value, 4, &r->min_classes) < 0)
			*why = "expected a number from 0 to 4";
	} else if (!strcmp(key, "classes_of")) {
		if (parse_classes(value, &r->class_set) < 0)
			*why = "expected classes: lower, upper, digit, symbol";
	} else if (!strcmp(key, "forbid")) {
		if (ulogin_utf8_length(value) < 0) {
			*why = "expected UTF-8 text";
		} else {
			free(r->forbidden);
			r->forbidden = xstrdup(value);
		}
	} else if (!strcmp(key, "latin_only")) {
		if (parse_flag(value, &r->latin_only) < 0)
			*why = "expected true or false";
	} else if (!strcmp(key, "no_username")) {
		if (parse_flag(value, &r->no_username) < 0)
			*why = "expected true or false";
	} else if (!strcmp(key, "no_names")) {
		if (parse_flag(value, &r->no_names) < 0)
			*why = "expected true or false";
	} else if (!strcmp(key, "pictures")) {
		if (parse_count(value, 12, &r->pictures) < 0)
			*why = "expected a number of pictures";
	} else if (!strcmp(key, "max_age") || !strcmp(key, "expire_warning") ||
		   !strcmp(key, "lockout") ||
		   !strcmp(key, "failure_interval")) {
		if ((d = ulogin_duration_parse(value)) < 0)
			*why = "expected a duration such as 365d, 14d, 2h, "
			       "15m or 0";
		else if (!strcmp(key, "max_age"))
			p->max_age = d;
		else if (!strcmp(key, "expire_warning"))
			p->expire_warning = d;
		else if (!strcmp(key, "lockout"))
			p->lockout_duration = d;
		else
			p->failure_interval = d;
	} else if (!strcmp(key, "history")) {
		if (parse_count(value, 24, &p->history) < 0)
			*why = "expected a number from 0 to 24";
	} else if (!strcmp(key, "max_failures")) {
		if (parse_count(value, 1000, &p->max_failures) < 0)
			*why = "expected a number";
	} else if (!strcmp(key, "grace_logins")) {
		if (parse_count(value, 100, &p->grace_logins) < 0)
			*why = "expected a number";
	} else {
		*why = "unknown policy setting";
	}
	if (!*why && r->max_length && r->min_length > r->max_length)
		*why = "min_length is greater than max_length";
	if (!*why && r->min_classes &&
	    (unsigned)__builtin_popcount(r->class_set ? r->class_set
						      : ULOGIN_ALL_CLASSES) <
	    r->min_classes)
		*why = "'classes' asks for more classes than 'classes_of' "
		       "names, so no password could meet it";
	return *why ? -1 : 0;
}

static int
index_of(const char *const *names, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], key) == 0)
			return (int)i;
	return -1;
}

int
ulogin_policy_map(struct ulogin_policy_set *s, const char *section,
		  const char *key, const char *value, const char **why)
{
	char **slot;
	int i;

	if (!strcmp(section, "levels")) {
		if ((i = index_of(ulogin_level_names, ULOGIN_NLEVELS, key)) < 0) {
			*why = "unknown level (indskoling, mellemtrin, "
			       "udskoling, gymnasium)";
			return -1;
		}
		slot = &s->levels[i];
	} else {
		if ((i = index_of(ulogin_policy_role_names, ULOGIN_NROLES,
				  key)) < 0) {
			*why = "unknown role (teacher, staff, parent, admin)";
			return -1;
		}
		slot = &s->roles[i];
	}
	free(*slot);
	*slot = xstrdup(value);
	return 0;
}

int
ulogin_policy_set_check(const struct ulogin_policy_set *s, const char **bad,
			const char **where)
{
	for (size_t i = 0; i < ULOGIN_NLEVELS; i++)
		if (s->levels[i] && !ulogin_policy_find(s, s->levels[i])) {
			*bad = s->levels[i];
			*where = ulogin_level_names[i];
			return -1;
		}
	for (size_t i = 0; i < ULOGIN_NROLES; i++)
		if (s->roles[i] && !ulogin_policy_find(s, s->roles[i])) {
			*bad = s->roles[i];
			*where = ulogin_policy_role_names[i];
			return -1;
		}
	if (s->default_name && !ulogin_policy_find(s, s->default_name)) {
		*bad = s->default_name;
		*where = "default_policy";
		return -1;
	}
	return 0;
}
