/*
 * Password policies (DESIGN.md section 9): the named policies of the
 * config with their rules and ppolicy settings, which policy applies to
 * whom (level by grade, role, default), and the level-change deadline.
 */
#ifndef ULOGIN_POLICY_H
#define ULOGIN_POLICY_H

#include <stdbool.h>

#include "mem.h"
#include "rules.h"

struct ulogin_policy {
	char *name;
	char *description;
	struct ulogin_rules rules;
	long max_age;		/* seconds; 0: never expires */
	long expire_warning;	/* seconds before expiry */
	unsigned history;	/* earlier passwords refused */
	unsigned max_failures;	/* wrong passwords before lockout; 0: none */
	long lockout_duration;	/* seconds; 0: until an admin unlocks */
	long failure_interval;	/* seconds the failures are counted over */
	unsigned grace_logins;	/* logins allowed after expiry */
	unsigned line;		/* where the config defines it */
};

enum ulogin_level { ULOGIN_INDSKOLING, ULOGIN_MELLEMTRIN, ULOGIN_UDSKOLING,
		    ULOGIN_GYMNASIUM, ULOGIN_NLEVELS };
enum ulogin_policy_role { ULOGIN_ROLE_TEACHER, ULOGIN_ROLE_STAFF,
			  ULOGIN_ROLE_PARENT, ULOGIN_ROLE_ADMIN,
			  ULOGIN_NROLES };

extern const char *const ulogin_level_names[ULOGIN_NLEVELS];
extern const char *const ulogin_policy_role_names[ULOGIN_NROLES];

struct ulogin_policy_set {
	struct ulogin_policy *v;
	size_t n;
	char *levels[ULOGIN_NLEVELS];	/* policy name per level */
	char *roles[ULOGIN_NROLES];	/* policy name per role */
	char *default_name;
	unsigned change_days;		/* after a level change; 30 */
	char *pictures_file;
};

void ulogin_policy_set_init(struct ulogin_policy_set *s);
void ulogin_policy_set_free(struct ulogin_policy_set *s);

/* A new, empty policy named name (NULL if the name is taken). */
struct ulogin_policy *ulogin_policy_add(struct ulogin_policy_set *s,
					const char *name, unsigned line);
const struct ulogin_policy *ulogin_policy_find(
	const struct ulogin_policy_set *s, const char *name);

/*
 * One setting of a policy from the config, e.g. "min_length" "8",
 * "require" "lower,digit", "max_age" "365d".  Returns 0, or -1 with *why
 * set to a static explanation.
 */
int ulogin_policy_setting(struct ulogin_policy *p, const char *key,
			  const char *value, const char **why);

/* The keys ulogin_policy_setting() knows, NULL-terminated. */
extern const char *const ulogin_policy_keys[];

/* "levels: udskoling: NAME" and "roles: teacher: NAME". */
int ulogin_policy_map(struct ulogin_policy_set *s, const char *section,
		      const char *key, const char *value, const char **why);

/*
 * After the whole config is read: every name a level, role or the
 * default uses must be a defined policy.  Returns 0, or -1 with *bad set
 * to the dangling name and *where to what used it.
 */
int ulogin_policy_set_check(const struct ulogin_policy_set *s,
			    const char **bad, const char **where);

/* Read the picture names (one a line, '#' comments) into names; 0, or
 * -1 with errno set. */
int ulogin_pictures_load(const char *path, struct strv *names);

/* "1y" (365 days), "365d", "14d", "2h", "15m", "900", "900s" to seconds;
 * -1 if malformed. */
long ulogin_duration_parse(const char *s);

#endif
