#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ldap.h>

#include "account.h"
#include "dn.h"
#include "exitcodes.h"
#include "generate.h"
#include "gtime.h"
#include "mem.h"
#include "msg.h"
#include "ppolicy.h"
#include "state.h"
#include "banned.h"

/* The pwd* attributes apply manages; others on a policy entry stay. */
static const char *const managed[] = {
	"pwdAttribute", "pwdLockout", "pwdMustChange", "pwdAllowUserChange",
	"pwdMaxAge", "pwdExpireWarning", "pwdInHistory", "pwdMaxFailure",
	"pwdLockoutDuration", "pwdFailureCountInterval",
	"pwdGraceAuthNLimit", "pwdCheckQuality", "pwdCheckModule",
	"pwdCheckModuleArg", "pwdMinLength", "description", NULL
};

static const char *const policy_classes[] = {
	"organizationalRole", "pwdPolicy", "pwdPolicyChecker", NULL
};

/* ---- which policy applies ------------------------------------------- */

int
ulogin_policy_effective(const struct ulogin_policy_set *s,
			const struct ulogin_entry *user,
			struct ulogin_effective *out)
{
	const char *override = ulogin_entry_get(user, "uloginPolicyOverride");
	const char *grade = ulogin_entry_get(user, "uloginGrade");
	const char *level = ulogin_entry_get(user, "uloginLevel");

	memset(out, 0, sizeof(*out));
	if (override) {
		out->name = override;
		out->source = ULOGIN_FROM_OVERRIDE;
		out->reason = xstrdup("set for this user by an administrator");
		return 0;
	}
	if (!level && grade)
		level = ulogin_level_for_grade(grade);
	if (level && ulogin_entry_has_value(user, "uloginRole", "student")) {
		for (size_t i = 0; i < ULOGIN_NLEVELS; i++)
			if (!strcmp(level, ulogin_level_names[i]) &&
			    s->levels[i]) {
				out->name = s->levels[i];
				out->source = ULOGIN_FROM_LEVEL;
				out->reason = grade
					? xasprintf("level %s (grade %s)",
						    level, grade)
					: xasprintf("level %s", level);
				return 0;
			}
	}
	/* Several roles: the one with most at stake first. */
	static const enum ulogin_policy_role order[] = {
		ULOGIN_ROLE_ADMIN, ULOGIN_ROLE_STAFF, ULOGIN_ROLE_TEACHER,
		ULOGIN_ROLE_PARENT
	};
	for (size_t k = 0; k < ULOGIN_NROLES; k++) {
		size_t i = order[k];
		/* "admin" is the administrator right, not a role. */
		bool has = i == ULOGIN_ROLE_ADMIN
			? ulogin_entry_get(user, "uloginAdminOf") != NULL
			: ulogin_entry_has_value(user, "uloginRole",
						 ulogin_policy_role_names[i]);

		if (s->roles[i] && has) {
			out->name = s->roles[i];
			out->source = ULOGIN_FROM_ROLE;
			out->reason = i == ULOGIN_ROLE_ADMIN
				? xstrdup("the administrator right")
				: xasprintf("role %s",
					    ulogin_policy_role_names[i]);
			return 0;
		}
	}
	if (s->default_name) {
		out->name = s->default_name;
		out->source = ULOGIN_FROM_DEFAULT;
		out->reason = xstrdup("the default policy");
		return 0;
	}
	return -1;
}

/* ---- policy entries -------------------------------------------------- */

static void
put_number(struct ulogin_change *ch, enum ulogin_mod_op op, const char *attr,
	   long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	ulogin_change_mod(ch, op, attr, buf);
}

/* The desired values, as (attr, value) pairs of a change. */
void
ulogin_policy_entry(const struct ulogin_policy *p, const char *check_module,
		    const char *picture_names, struct ulogin_change *ch)
{
	const enum ulogin_mod_op op = ULOGIN_MOD_ADD;
	struct ulogin_rules rules;
	char *arg = NULL;

	/* The picture set goes with the rules, so slapd checks the names. */
	if (ulogin_rules_copy(&rules, &p->rules) == 0) {
		if (rules.pictures && picture_names) {
			free(rules.picture_names);
			rules.picture_names = xstrdup(picture_names);
		}
		arg = ulogin_rules_format(&rules);
		ulogin_rules_free(&rules);
	}

	ulogin_change_mod(ch, op, "pwdAttribute", "userPassword");
	/* Always: blocking (pwdAccountLockedTime) works only with it. */
	ulogin_change_mod(ch, op, "pwdLockout", "TRUE");
	ulogin_change_mod(ch, op, "pwdMustChange", "TRUE");
	ulogin_change_mod(ch, op, "pwdAllowUserChange", "TRUE");
	put_number(ch, op, "pwdMaxAge", p->max_age);
	put_number(ch, op, "pwdExpireWarning", p->expire_warning);
	put_number(ch, op, "pwdInHistory", p->history);
	put_number(ch, op, "pwdMaxFailure", p->max_failures);
	put_number(ch, op, "pwdLockoutDuration", p->lockout_duration);
	put_number(ch, op, "pwdFailureCountInterval", p->failure_interval);
	put_number(ch, op, "pwdGraceAuthNLimit", p->grace_logins);
	if (check_module && *check_module) {
		ulogin_change_mod(ch, op, "pwdCheckQuality", "2");
		ulogin_change_mod(ch, op, "pwdCheckModule", check_module);
	}
	/* The rules are stored even without the module: the tools read
	 * them back (list, show). */
	if (arg && *arg)
		ulogin_change_mod(ch, op, "pwdCheckModuleArg", arg);
	if (p->description)
		ulogin_change_mod(ch, op, "description", p->description);
	free(arg);
}

static const struct strv *
wanted(const struct ulogin_change *want, const char *attr)
{
	for (size_t i = 0; i < want->nmods; i++)
		if (!strcasecmp(want->mods[i].attr, attr))
			return &want->mods[i].values;
	return NULL;
}

/* The modification that makes existing match want; empty when equal. */
static void
diff_policy(const struct ulogin_entry *have, const struct ulogin_change *want,
	    struct ulogin_change *ch)
{
	/* Only the auxiliary classes: an existing entry keeps whatever
	 * structural class it was made with. */
	for (size_t i = 1; policy_classes[i]; i++)
		if (!ulogin_entry_has_value(have, "objectClass",
					    policy_classes[i]))
			ulogin_change_mod(ch, ULOGIN_MOD_ADD, "objectClass",
					  policy_classes[i]);
	for (size_t i = 0; managed[i]; i++) {
		const struct strv *w = wanted(want, managed[i]);
		const char *h = ulogin_entry_get(have, managed[i]);

		if (w && (!h || strcmp(h, w->v[0]) != 0))
			ulogin_change_set(ch, managed[i], w->v[0]);
		else if (!w && h)
			ulogin_change_set(ch, managed[i], NULL);
	}
}

static char *
policy_dn(struct ulogin_conn *c, const char *name)
{
	char *parent = ulogin_dn_policies(ulogin_conn_base(c));
	char *dn = ulogin_dn_child(parent, "cn", name);

	free(parent);
	return dn;
}

static void
row(struct ulogin_table *t, const char *kind, const char *name,
    const char *action, const char *detail)
{
	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, kind);
	ulogin_table_set(t, 1, name);
	ulogin_table_set(t, 2, action);
	ulogin_table_set(t, 3, detail);
}

static int
write_policy(struct ulogin_conn *c, const struct ulogin_policy *p,
	     const char *check_module, const char *picture_names,
	     struct ulogin_table *t)
{
	static const char *const attrs[] = {
		"objectClass", "pwdAttribute", "pwdLockout", "pwdMustChange",
		"pwdAllowUserChange", "pwdMaxAge", "pwdExpireWarning",
		"pwdInHistory", "pwdMaxFailure", "pwdLockoutDuration",
		"pwdFailureCountInterval", "pwdGraceAuthNLimit",
		"pwdCheckQuality", "pwdCheckModule", "pwdCheckModuleArg",
		"pwdMinLength", "description", NULL
	};
	struct ulogin_change want, ch;
	struct ulogin_entry have;
	char *dn = policy_dn(c, p->name);
	int rc, lrc = ulogin_read(c, dn, attrs, &have);

	ulogin_change_init(&want, ULOGIN_CHANGE_ADD, dn, "policy.add");
	ulogin_policy_entry(p, check_module, picture_names, &want);
	if (lrc == LDAP_NO_SUCH_OBJECT) {
		struct ulogin_change add;

		ulogin_change_init(&add, ULOGIN_CHANGE_ADD, dn, "policy.add");
		for (size_t i = 0; policy_classes[i]; i++)
			ulogin_change_mod(&add, ULOGIN_MOD_ADD, "objectClass",
					  policy_classes[i]);
		ulogin_change_mod(&add, ULOGIN_MOD_ADD, "cn", p->name);
		for (size_t i = 0; i < want.nmods; i++)
			for (size_t j = 0; j < want.mods[i].values.n; j++)
				ulogin_change_mod(&add, ULOGIN_MOD_ADD,
						  want.mods[i].attr,
						  want.mods[i].values.v[j]);
		lrc = ulogin_apply(c, &add);
		ulogin_change_free(&add);
		rc = lrc == LDAP_SUCCESS ? 0
			: ulogin_ldap_error(c, lrc, "cannot add policy '%s'",
					    p->name);
		if (!rc)
			row(t, "policy", p->name, "added", dn);
	} else if (lrc != LDAP_SUCCESS) {
		rc = ulogin_ldap_error(c, lrc, "cannot read policy '%s'",
				       p->name);
	} else {
		ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, dn,
				   "policy.modify");
		diff_policy(&have, &want, &ch);
		rc = 0;
		if (ch.nmods) {
			struct strv what = STRV_INIT;
			char *detail;

			for (size_t i = 0; i < ch.nmods; i++)
				if (!strv_contains(&what, ch.mods[i].attr))
					strv_push(&what, ch.mods[i].attr);
			detail = strv_join(&what, " ");
			lrc = ulogin_apply(c, &ch);
			if (lrc != LDAP_SUCCESS)
				rc = ulogin_ldap_error(c, lrc, "cannot change "
						       "policy '%s'", p->name);
			else
				row(t, "policy", p->name, "changed", detail);
			free(detail);
			strv_free(&what);
		}
		ulogin_change_free(&ch);
	}
	ulogin_change_free(&want);
	ulogin_entry_free(&have);
	free(dn);
	return rc;
}

/* ---- links ------------------------------------------------------------ */

static const char *const link_attrs[] = {
	"uid", "uloginPolicyOverride", "uloginGrade", "uloginLevel",
	"uloginRole", "pwdPolicySubentry", "uloginChangeBy", "pwdChangedTime",
	"pwdReset", "uloginAdminOf", NULL
};

struct relink {
	struct ulogin_conn *c;
	const struct ulogin_policy_set *s;
	time_t now;
	struct strv existing;	/* policy names with an entry */
	struct ulogin_change *changes;
	struct strv users, actions, details;	/* a row per change */
	size_t n;
	struct strv missing;	/* "user policy" with no policy entry */
};

static bool
entry_says_true(const struct ulogin_entry *e, const char *attr)
{
	const char *v = ulogin_entry_get(e, attr);

	return v && !strcasecmp(v, "TRUE");
}

/*
 * After a level change the user has until uloginChangeBy to choose a
 * password under the new policy.  Met: the deadline is removed.  Missed:
 * the server is told the password must be changed now (pwdReset).
 */
static const char *
deadline(struct relink *r, const struct ulogin_entry *e,
	 struct ulogin_change *ch)
{
	const char *by = ulogin_entry_get(e, "uloginChangeBy");
	const char *changed = ulogin_entry_get(e, "pwdChangedTime");
	time_t due, when;

	if (!by || ulogin_gtime_parse(by, &due) < 0)
		return NULL;
	if (changed && ulogin_gtime_parse(changed, &when) == 0 &&
	    when >= due - (time_t)r->s->change_days * 86400) {
		ulogin_change_set(ch, "uloginChangeBy", NULL);
		return "deadline met";
	}
	if (r->now > due) {
		/* Added, not replaced: the access rules let an
		 * administrator add TRUE, never replace. */
		if (!entry_says_true(e, "pwdReset"))
			ulogin_change_mod(ch, ULOGIN_MOD_ADD, "pwdReset",
					  "TRUE");
		ulogin_change_set(ch, "uloginChangeBy", NULL);
		return "must change now";
	}
	return NULL;
}

static int
plan_link(const struct ulogin_entry *e, void *data)
{
	struct relink *r = data;
	struct ulogin_effective eff;
	const char *link = ulogin_entry_get(e, "pwdPolicySubentry");
	const char *uid = ulogin_entry_get(e, "uid");
	struct ulogin_change ch;
	const char *action = NULL, *due;
	char *target = NULL;

	ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e->dn, "policy.link");
	if (ulogin_policy_effective(r->s, e, &eff) == 0) {
		free(eff.reason);
		if (!strv_contains(&r->existing, eff.name)) {
			strv_push_owned(&r->missing, xasprintf("%s %s",
					uid ? uid : e->dn, eff.name));
		} else {
			target = policy_dn(r->c, eff.name);
			if (!link || !ulogin_dn_equal(link, target)) {
				ulogin_change_set(&ch, "pwdPolicySubentry",
						  target);
				action = "linked";
			}
		}
	}
	if ((due = deadline(r, e, &ch)))
		action = action ? "linked" : due;
	if (!ch.nmods) {
		ulogin_change_free(&ch);
		free(target);
		return 0;
	}
	r->changes = xreallocarray(r->changes, r->n + 1, sizeof(*r->changes));
	r->changes[r->n++] = ch;
	strv_push(&r->users, uid ? uid : e->dn);
	strv_push(&r->actions, action);
	strv_push(&r->details, target ? target : due);
	free(target);
	return 0;
}

static int
relink_users(struct ulogin_conn *c, const struct ulogin_policy_set *s,
	     struct ulogin_table *t)
{
	static const char *const cn_attr[] = { "cn", NULL };
	char *policies = ulogin_dn_policies(ulogin_conn_base(c));
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	struct relink r;
	int rc = 0, lrc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.s = s;
	r.now = time(NULL);
	lrc = ulogin_search(c, policies, ULOGIN_SCOPE_ONE,
			    "(objectClass=pwdPolicy)", cn_attr,
			    ulogin_entry_note_cn, &r.existing);
	/* With --dry-run the configured policies are not written yet. */
	if (ulogin_conn_config(c)->dry_run)
		for (size_t i = 0; i < s->n; i++)
			if (!strv_contains(&r.existing, s->v[i].name))
				strv_push(&r.existing, s->v[i].name);
	if (lrc == LDAP_SUCCESS)
		lrc = ulogin_search(c, people, ULOGIN_SCOPE_SUB,
				    "(objectClass=uloginAccount)", link_attrs,
				    plan_link, &r);
	if (lrc != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot read the users' "
				       "policies");
	for (size_t i = 0; !rc && i < r.n; i++) {
		if ((lrc = ulogin_apply(c, &r.changes[i])) != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, lrc, "cannot update the "
					       "policy of '%s'", r.users.v[i]);
		else
			row(t, "user", r.users.v[i], r.actions.v[i],
			    r.details.v[i]);
	}
	for (size_t i = 0; i < r.missing.n; i++) {
		char *sp = strchr(r.missing.v[i], ' ');

		*sp = '\0';
		ulogin_error("'%s' keeps its link: its policy '%s' is not in "
			     "the directory", r.missing.v[i], sp + 1);
	}
	/* Users left on an old policy: partly done. */
	if (!rc && r.missing.n)
		rc = ULOGIN_EX_PARTIAL;
	for (size_t i = 0; i < r.n; i++)
		ulogin_change_free(&r.changes[i]);
	free(r.changes);
	strv_free(&r.existing);
	strv_free(&r.users);
	strv_free(&r.actions);
	strv_free(&r.details);
	strv_free(&r.missing);
	free(people);
	free(policies);
	return rc;
}

int
ulogin_policy_apply(struct ulogin_conn *c, const struct ulogin_policy_set *s,
		    const char *check_module, struct ulogin_table **out)
{
	static const char *const cols[] = { "kind", "name", "action",
					    "detail", NULL };
	struct ulogin_table *t;
	char *pictures = NULL;
	int rc;

	if (!s->n) {
		ulogin_error("no policies configured");
		ulogin_hint("add a 'policies' section to the config; see "
			    "ulogin.yaml(5)");
		return ULOGIN_EX_CONFIG;
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].rules.pictures) {
			struct strv names = STRV_INIT;

			if (ulogin_pictures_load(s->pictures_file, &names) < 0) {
				ulogin_error("cannot read the picture names "
					     "'%s'", s->pictures_file);
				ulogin_hint("set 'pictures_file' in the config;"
					    " see ulogin.yaml(5)");
				return ULOGIN_EX_CONFIG;
			}
			pictures = strv_join(&names, ",");
			strv_free(&names);
			break;
		}
	if (!check_module)
		ulogin_warn("no password check module ('check_module: none'):"
			    " the server will not check passwords against the "
			    "rules");
	if ((rc = ulogin_prepare_changes(c))) {
		free(pictures);
		return rc;
	}
	t = ulogin_table_new(cols);
	for (size_t i = 0; i < s->n && !rc; i++)
		rc = write_policy(c, &s->v[i], check_module, pictures, t);
	free(pictures);
	if (!rc)
		rc = relink_users(c, s, t);
	*out = t;
	return rc;
}

/* ---- following a user's changes ------------------------------------ */

int
ulogin_policy_present(struct ulogin_conn *c, struct strv *out)
{
	static const char *const cn_attr[] = { "cn", NULL };
	char *policies = ulogin_dn_policies(ulogin_conn_base(c));
	int lrc = ulogin_search(c, policies, ULOGIN_SCOPE_ONE,
				"(objectClass=pwdPolicy)", cn_attr,
				ulogin_entry_note_cn, out);

	free(policies);
	return lrc == LDAP_NO_SUCH_OBJECT ? LDAP_SUCCESS : lrc;
}

void
ulogin_policy_grade_mods(struct ulogin_change *ch, const char *grade)
{
	const char *level = grade && *grade ? ulogin_level_for_grade(grade)
					    : NULL;

	ulogin_change_set(ch, "uloginGrade", grade && *grade ? grade : NULL);
	ulogin_change_set(ch, "uloginLevel", level);
}

/* Put a value into ch: a value of an add, or a replace in a modify. */
static void
change_put(struct ulogin_change *ch, const char *attr, const char *value)
{
	if (ch->op == ULOGIN_CHANGE_ADD)
		ulogin_change_mod(ch, ULOGIN_MOD_ADD, attr, value);
	else
		ulogin_change_set(ch, attr, value);
}

int
ulogin_policy_follow(struct ulogin_conn *c, const struct ulogin_policy_set *s,
		     const struct ulogin_entry *before, struct ulogin_change *ch)
{
	return ulogin_policy_follow_known(c, s, NULL, before, ch);
}

int
ulogin_policy_follow_known(struct ulogin_conn *c,
			   const struct ulogin_policy_set *s,
			   const struct strv *present,
			   const struct ulogin_entry *before,
			   struct ulogin_change *ch)
{
	struct ulogin_effective was, now;
	struct ulogin_entry after;
	const char *link, *old_level, *new_level;
	char deadline[32], *dn = NULL, *who;
	int rc = 0, had, has, found, lrc;

	ulogin_entry_after(before, ch, &after);
	link = ulogin_entry_get(&after, "pwdPolicySubentry");
	had = before && before->dn && ulogin_policy_effective(s, before,
							      &was) == 0;
	has = ulogin_policy_effective(s, &after, &now) == 0;
	who = ulogin_dn_first_value(after.dn, "uid");
	if (!has)
		goto out;	/* no policies configured: slapd's default */
	dn = policy_dn(c, now.name);
	if (!dn || (link && ulogin_dn_equal(link, dn)))
		goto out;	/* linked already */
	found = present ? strv_contains(present, now.name)
			: ulogin_exists(c, dn, &lrc);
	if (found < 0) {
		rc = ulogin_ldap_error(c, lrc, "cannot look up policy '%s'",
				       now.name);
		goto out;
	}
	if (!found) {
		/* Never a dangling link: slapd would check nothing. */
		ulogin_warn("policy '%s' of '%s' is not in the directory, so "
			    "the user keeps %s; run 'ulogin-policy apply'",
			    now.name, who ? who : after.dn,
			    link ? "the old link" : "the server's default "
						    "policy");
		goto out;
	}
	change_put(ch, "pwdPolicySubentry", dn);
	/* A student who moves to another level gets its policy from the
	 * next password change, which must come within the deadline. */
	old_level = before ? ulogin_entry_get(before, "uloginLevel") : NULL;
	new_level = ulogin_entry_get(&after, "uloginLevel");
	if (had && old_level && new_level && strcmp(old_level, new_level) &&
	    strcmp(was.name, now.name)) {
		ulogin_gtime_format(time(NULL) + (time_t)s->change_days * 86400,
				    deadline, sizeof(deadline));
		change_put(ch, "uloginChangeBy", deadline);
	}
out:
	if (had)
		free(was.reason);
	if (has)
		free(now.reason);
	free(who);
	free(dn);
	ulogin_entry_free(&after);
	return rc;
}

/* ---- reading policies ---------------------------------------------- */

static const char *const show_attrs[] = {
	"cn", "description", "pwdMaxAge", "pwdExpireWarning", "pwdInHistory",
	"pwdMaxFailure", "pwdLockoutDuration", "pwdFailureCountInterval",
	"pwdGraceAuthNLimit", "pwdMustChange", "pwdLockout",
	"pwdCheckQuality", "pwdCheckModule", "pwdCheckModuleArg",
	"pwdMinLength", NULL
};

static char *
days_words(const char *seconds)
{
	long v = seconds ? strtol(seconds, NULL, 10) : 0;

	if (!seconds || v == 0)
		return xstrdup("never");
	if (v % 86400 == 0)
		return xasprintf("%ld days", v / 86400);
	if (v % 60 == 0)
		return xasprintf("%ld minutes", v / 60);
	return xasprintf("%ld seconds", v);
}

struct list_state {
	struct ulogin_table *t;
};

static int
add_policy_row(const struct ulogin_entry *e, void *data)
{
	struct ulogin_table *t = data;
	char *age = days_words(ulogin_entry_get(e, "pwdMaxAge"));

	ulogin_table_begin_row(t);
	ulogin_table_set(t, 0, ulogin_entry_get(e, "cn"));
	ulogin_table_set(t, 1, age);
	ulogin_table_set(t, 2, ulogin_entry_get(e, "pwdCheckModuleArg"));
	ulogin_table_set(t, 3, ulogin_entry_get(e, "description"));
	free(age);
	return 0;
}

int
ulogin_policy_list(struct ulogin_conn *c, struct ulogin_table **out)
{
	static const char *const cols[] = { "name", "max_age", "rules",
					    "description", NULL };
	char *policies = ulogin_dn_policies(ulogin_conn_base(c));
	struct ulogin_table *t = ulogin_table_new(cols);
	int lrc = ulogin_search(c, policies, ULOGIN_SCOPE_ONE,
				"(objectClass=pwdPolicy)", show_attrs,
				add_policy_row, t);

	free(policies);
	if (lrc != LDAP_SUCCESS) {
		ulogin_table_free(t);
		return ulogin_ldap_error(c, lrc, "cannot list the policies");
	}
	ulogin_table_sort(t, 0);
	*out = t;
	return 0;
}

static const struct {
	const char *attr, *key, *label;
	int duration;
} shown[] = {
	{ "pwdMaxAge", "max_age", "Password must be changed every", 1 },
	{ "pwdExpireWarning", "expire_warning", "Warning before expiry", 1 },
	{ "pwdInHistory", "history", "Earlier passwords refused", 0 },
	{ "pwdMaxFailure", "max_failures", "Wrong passwords before lockout", 0 },
	{ "pwdLockoutDuration", "lockout_duration", "Locked out for", 1 },
	{ "pwdGraceAuthNLimit", "grace_logins", "Logins after expiry", 0 },
};

static void
rules_in_words(struct ulogin_record *r, const char *arg)
{
	struct ulogin_rules rules;
	struct strv words = STRV_INIT;
	const char *why;

	if (!arg || ulogin_rules_parse(arg, &rules, &why) < 0) {
		ulogin_record_add_list(r, "rules_words", "Rules", NULL);
		return;
	}
	if (rules.pictures)
		strv_push_owned(&words, xasprintf("%u pictures",
						  rules.pictures));
	if (rules.min_length)
		strv_push_owned(&words, xasprintf("at least %u characters",
						  rules.min_length));
	if (rules.max_length)
		strv_push_owned(&words, xasprintf("at most %u characters",
						  rules.max_length));
	if (rules.required) {
		struct strv need = STRV_INIT;
		char *joined;

		for (unsigned bit = 1; bit <= ULOGIN_SYMBOL; bit <<= 1)
			if (rules.required & bit)
				strv_push(&need, bit == ULOGIN_LOWER ? "a small "
					  "letter" : bit == ULOGIN_UPPER ? "a "
					  "capital" : bit == ULOGIN_DIGIT ? "a digit"
					  : "a symbol");
		joined = strv_join(&need, ", ");
		strv_push_owned(&words, xasprintf("with %s", joined));
		free(joined);
		strv_free(&need);
	}
	if (rules.min_classes)
		strv_push_owned(&words, xasprintf("%u kinds of characters",
						  rules.min_classes));
	if (rules.forbidden)
		strv_push_owned(&words, xasprintf("not %s", rules.forbidden));
	if (rules.latin_only)
		strv_push(&words, "only a-z, A-Z, digits and symbols");
	if (rules.no_username)
		strv_push(&words, "not the username");
	if (rules.no_names)
		strv_push(&words, "not the user's names");
	ulogin_record_add_list(r, "rules_words", "Rules", &words);
	strv_free(&words);
	ulogin_rules_free(&rules);
}

int
ulogin_policy_show(struct ulogin_conn *c, const char *name,
		   struct ulogin_record **out)
{
	struct ulogin_entry e;
	struct ulogin_record *r;
	char *dn = policy_dn(c, name);
	int lrc = dn ? ulogin_read(c, dn, show_attrs, &e)
		     : LDAP_NO_SUCH_OBJECT;

	free(dn);
	if (lrc == LDAP_NO_SUCH_OBJECT) {
		ulogin_error("cannot find policy '%s'", name);
		ulogin_hint("list them with 'ulogin-policy list'; write the "
			    "configured ones with 'ulogin-policy apply'");
		return ULOGIN_EX_NOUSER;
	}
	if (lrc != LDAP_SUCCESS)
		return ulogin_ldap_error(c, lrc, "cannot read policy '%s'",
					 name);
	r = ulogin_record_new();
	ulogin_record_add(r, "name", "Name", ulogin_entry_get(&e, "cn"));
	ulogin_record_add(r, "description", "Description",
			  ulogin_entry_get(&e, "description"));
	ulogin_record_add(r, "dn", "DN", e.dn);
	rules_in_words(r, ulogin_entry_get(&e, "pwdCheckModuleArg"));
	ulogin_record_add(r, "rules", "Rules (module)",
			  ulogin_entry_get(&e, "pwdCheckModuleArg"));
	for (size_t i = 0; i < sizeof(shown) / sizeof(*shown); i++) {
		const char *v = ulogin_entry_get(&e, shown[i].attr);
		char *words = shown[i].duration ? days_words(v) : NULL;

		if (shown[i].duration)
			ulogin_record_add(r, shown[i].key, shown[i].label,
					  words);
		else
			ulogin_record_add_count(r, shown[i].key,
						shown[i].label,
						v ? strtol(v, NULL, 10) : 0);
		free(words);
	}
	ulogin_record_add_bool(r, "must_change_after_reset",
			       "Must change after a reset",
			       ulogin_entry_has_value(&e, "pwdMustChange",
						      "TRUE"));
	ulogin_record_add_bool(r, "lockout", "Lockout and blocking on",
			       ulogin_entry_has_value(&e, "pwdLockout",
						      "TRUE"));
	ulogin_record_add(r, "check_module", "Checked by",
			  ulogin_entry_get(&e, "pwdCheckModule"));
	*out = r;
	ulogin_entry_free(&e);
	return 0;
}

/* ---- per user ---------------------------------------------------------- */

/* Does the policy's entry exist?  Prints and returns an exit code if not. */
static int
policy_exists(struct ulogin_conn *c, const char *name, char **dn_out)
{
	char *dn = policy_dn(c, name);
	int lrc, found = dn ? ulogin_exists(c, dn, &lrc) : 0;

	if (found < 0) {
		free(dn);
		return ulogin_ldap_error(c, lrc, "cannot look up policy '%s'",
					 name);
	}
	if (!found) {
		free(dn);
		ulogin_error("cannot find policy '%s' in the directory", name);
		ulogin_hint("a link to a missing policy would switch off the "
			    "server's checks; write it first with "
			    "'ulogin-policy apply'");
		return ULOGIN_EX_NOUSER;
	}
	*dn_out = dn;
	return 0;
}

int
ulogin_policy_override(struct ulogin_conn *c,
		       const struct ulogin_policy_set *s,
		       const char *username, const char *policy)
{
	struct ulogin_change ch;
	struct ulogin_entry e;
	char *dn = NULL, *policy_cn = NULL;
	const struct ulogin_policy *conf = NULL;
	int rc, lrc;

	/* Only policies of the config: they are the ones apply keeps with
	 * lockout on and the check module named. */
	for (size_t i = 0; i < s->n && !conf; i++)
		if (!strcasecmp(s->v[i].name, policy))
			conf = &s->v[i];
	if (!conf) {
		ulogin_error("cannot use policy '%s': it is not in the config",
			     policy);
		ulogin_hint("add it under 'policies' (see ulogin.yaml(5)) and "
			    "run 'ulogin-policy apply'");
		return ULOGIN_EX_NOUSER;
	}
	policy = conf->name;
	if ((rc = ulogin_user_read(c, username, &e)))
		return rc;
	if ((rc = policy_exists(c, policy, &dn)) ||
	    (rc = ulogin_prepare_changes(c))) {
		ulogin_entry_free(&e);
		free(dn);
		return rc;
	}
	/* The name as the directory spells it ("PICTURES" finds
	 * cn=pictures, but the override must say "pictures"). */
	{
		char *cn = ulogin_dn_first_value(dn, "cn");
		static const char *const cn_attr[] = { "cn", NULL };
		struct ulogin_entry pe;

		if (ulogin_read(c, dn, cn_attr, &pe) == LDAP_SUCCESS &&
		    ulogin_entry_get(&pe, "cn")) {
			free(cn);
			cn = xstrdup(ulogin_entry_get(&pe, "cn"));
		}
		ulogin_entry_free(&pe);
		ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn,
				   "policy.override");
		ulogin_change_set(&ch, "uloginPolicyOverride", cn);
		policy_cn = cn;
	}
	ulogin_change_set(&ch, "pwdPolicySubentry", dn);
	if ((lrc = ulogin_apply(c, &ch)) != LDAP_SUCCESS)
		rc = ulogin_ldap_error(c, lrc, "cannot set the policy of '%s'",
				       username);
	else
		ulogin_info(ulogin_conn_config(c)->dry_run
			    ? "would give '%s' policy '%s' (dry run)"
			    : "'%s' now has policy '%s'", username, policy_cn);
	ulogin_change_free(&ch);
	ulogin_entry_free(&e);
	free(policy_cn);
	free(dn);
	return rc;
}

int
ulogin_policy_clear(struct ulogin_conn *c, const struct ulogin_policy_set *s,
		    const char *username)
{
	struct ulogin_effective eff;
	struct ulogin_change ch;
	struct ulogin_entry e;
	char *dn = NULL;
	int rc, lrc;

	if ((rc = ulogin_user_read(c, username, &e)))
		return rc;
	if (!ulogin_entry_get(&e, "uloginPolicyOverride")) {
		ulogin_info("'%s' has no policy override", username);
		ulogin_entry_free(&e);
		return 0;
	}
	/* The policy that applies once the override is gone. */
	for (size_t i = 0; i < e.nattrs; i++)
		if (!strcasecmp(e.attrs[i].name, "uloginPolicyOverride"))
			strv_free(&e.attrs[i].values);
	if (ulogin_policy_effective(s, &e, &eff) < 0) {
		ulogin_error("no policy applies to '%s' without the override",
			     username);
		ulogin_hint("configure 'default_policy'; see ulogin.yaml(5)");
		ulogin_entry_free(&e);
		return ULOGIN_EX_CONFIG;
	}
	rc = policy_exists(c, eff.name, &dn);
	free(eff.reason);
	if (!rc)
		rc = ulogin_prepare_changes(c);
	if (!rc) {
		ulogin_change_init(&ch, ULOGIN_CHANGE_MODIFY, e.dn,
				   "policy.clear");
		ulogin_change_set(&ch, "uloginPolicyOverride", NULL);
		ulogin_change_set(&ch, "pwdPolicySubentry", dn);
		if ((lrc = ulogin_apply(c, &ch)) != LDAP_SUCCESS)
			rc = ulogin_ldap_error(c, lrc, "cannot clear the "
					       "policy of '%s'", username);
		else
			ulogin_info(ulogin_conn_config(c)->dry_run
				    ? "would give '%s' policy '%s' again (dry "
				      "run)"
				    : "'%s' has policy '%s' again", username,
				    eff.name);
		ulogin_change_free(&ch);
	}
	ulogin_entry_free(&e);
	free(dn);
	return rc;
}

static void
add_deadline(struct ulogin_record *r, const struct ulogin_entry *e)
{
	const char *by = ulogin_entry_get(e, "uloginChangeBy");
	time_t t;

	if (by && ulogin_gtime_parse(by, &t) == 0)
		ulogin_record_add_time(r, "change_by", "Change password by", t);
	else
		ulogin_record_add(r, "change_by", "Change password by", NULL);
}

int
ulogin_policy_explain(struct ulogin_conn *c, const struct ulogin_policy_set *s,
		      const char *username, struct ulogin_record **out)
{
	static const char *const age_attr[] = { "pwdMaxAge", NULL };
	struct ulogin_effective eff;
	struct ulogin_entry e, pol;
	struct ulogin_record *r;
	const char *link, *changed;
	char *want;
	time_t t;
	int rc, lrc;

	if ((rc = ulogin_user_read(c, username, &e)))
		return rc;
	if (ulogin_policy_effective(s, &e, &eff) < 0) {
		ulogin_error("no policy applies to '%s'", username);
		ulogin_hint("configure 'default_policy'; see ulogin.yaml(5)");
		ulogin_entry_free(&e);
		return ULOGIN_EX_CONFIG;
	}
	want = policy_dn(c, eff.name);
	link = ulogin_entry_get(&e, "pwdPolicySubentry");
	r = ulogin_record_new();
	ulogin_record_add(r, "username", "Username", username);
	ulogin_record_add(r, "policy", "Policy", eff.name);
	ulogin_record_add(r, "source",
			  "Because of",
			  (const char *const[]){ "override", "level", "role",
						 "default" }[eff.source]);
	ulogin_record_add(r, "reason", "Why", eff.reason);
	ulogin_record_add(r, "linked", "Linked in the directory", link);
	add_deadline(r, &e);
	ulogin_record_add_bool(r, "link_current", "Link is up to date",
			       link && want && ulogin_dn_equal(link, want));
	/* Expiry from the policy entry the server really uses: the link,
	 * or slapd's default policy when there is none. */
	{
		char *fallback = policy_dn(c, "default");

		lrc = ulogin_read(c, link ? link : fallback, age_attr, &pol);
		free(fallback);
	}
	changed = ulogin_entry_get(&e, "pwdChangedTime");
	if (lrc == LDAP_SUCCESS && changed &&
	    ulogin_gtime_parse(changed, &t) == 0 &&
	    ulogin_entry_get(&pol, "pwdMaxAge") &&
	    strtol(ulogin_entry_get(&pol, "pwdMaxAge"), NULL, 10) > 0)
		ulogin_record_add_time(r, "expires", "Password expires",
			t + strtol(ulogin_entry_get(&pol, "pwdMaxAge"), NULL,
				   10));
	else
		ulogin_record_add(r, "expires", "Password expires", NULL);
	*out = r;
	ulogin_entry_free(&pol);
	free(want);
	free(eff.reason);
	ulogin_entry_free(&e);
	return 0;
}

/* ---- a user's rules ----------------------------------------------------- */

int
ulogin_user_rules_load(const struct ulogin_policy_set *s,
		       const struct ulogin_entry *user, const char *policy,
		       struct ulogin_user_rules *out)
{
	static const char *const names[] = { "givenName", "sn" };
	struct ulogin_effective eff = { NULL, 0, NULL };

	memset(out, 0, sizeof(*out));
	if (user && !policy) {
		if (ulogin_policy_effective(s, user, &eff) < 0) {
			ulogin_error("no policy applies to '%s'",
				     ulogin_entry_get(user, "uid"));
			ulogin_hint("set 'default_policy' in the config; see "
				    "ulogin.yaml(5)");
			return ULOGIN_EX_CONFIG;
		}
		policy = eff.name;
		free(eff.reason);
	}
	if (!policy)
		policy = s->default_name;
	if (!policy) {
		ulogin_error("no policy given and no 'default_policy' "
			     "configured");
		ulogin_hint("use --policy NAME or --user USER, or set "
			    "default_policy; see ulogin.yaml(5)");
		return ULOGIN_EX_CONFIG;
	}
	if (!(out->policy = ulogin_policy_find(s, policy))) {
		ulogin_error("cannot find policy '%s' in the config", policy);
		ulogin_hint("policies are defined under 'policies' in the "
			    "config; see ulogin.yaml(5)");
		return ULOGIN_EX_NOUSER;
	}
	if (out->policy->rules.pictures &&
	    ulogin_pictures_load(s->pictures_file, &out->picture_names) < 0) {
		ulogin_error("cannot read the picture names '%s'",
			     s->pictures_file ? s->pictures_file : "(not set)");
		ulogin_hint("set 'pictures_file' in the config; see "
			    "ulogin.yaml(5)");
		ulogin_user_rules_free(out);
		return ULOGIN_EX_CONFIG;
	}
	out->pictures.names = (const char *const *)out->picture_names.v;
	out->pictures.count = out->picture_names.n;
	if (!user)
		return 0;
	out->who.username = ulogin_entry_get(user, "uid");
	out->who.given_name = ulogin_entry_get(user, "givenName");
	out->who.surname = ulogin_entry_get(user, "sn");
	/* Every value counts, as in the server's check. */
	for (size_t k = 0; k < 2; k++) {
		const struct strv *v = ulogin_entry_values(user, names[k]);

		for (size_t i = 1; v && i < v->n; i++)
			strv_push(&out->more, v->v[i]);
	}
	out->who.other_names = (const char *const *)out->more.v;
	return 0;
}

void
ulogin_user_rules_free(struct ulogin_user_rules *r)
{
	strv_free(&r->more);
	strv_free(&r->picture_names);
	memset(r, 0, sizeof(*r));
}

char *
ulogin_user_rules_generate(const struct ulogin_user_rules *r,
			   const char **why)
{
	return ulogin_generate(&r->policy->rules, &r->who, &r->pictures, why);
}

int
ulogin_user_rules_check(const struct ulogin_user_rules *r,
			const char *candidate, struct ulogin_violations *out)
{
	return ulogin_rules_check(&r->policy->rules, candidate, &r->who,
				  &r->pictures, out);
}

/* ---- expiry ----------------------------------------------------------- */

struct expiring {
	struct ulogin_table *t;
	struct ulogin_state_reader *states;
	time_t now;
	long within;
};

static int
note_expiring(const struct ulogin_entry *e, void *data)
{
	struct expiring *x = data;
	const struct strv *inst = ulogin_entry_values(e, "uloginInstitution");
	char iso[32], days[24], *policy;
	const char *dn;
	struct ulogin_state st;

	/* The one account state decides (ulogin(7), STATES): blocked and
	 * left accounts are not expiring. */
	ulogin_state_read(x->states, e, x->now, &st);
	if (!ulogin_state_expiring(&st, x->now, x->within)) {
		ulogin_state_free(&st);
		return 0;
	}
	ulogin_state_policy(x->states, e, &dn);
	ulogin_time_iso(st.expires, iso, sizeof(iso));
	snprintf(days, sizeof(days), "%ld",
		 (long)((st.expires - x->now) / 86400));
	policy = ulogin_dn_first_value(dn, "cn");
	ulogin_table_begin_row(x->t);
	ulogin_table_set(x->t, 0, ulogin_entry_get(e, "uid"));
	ulogin_table_set(x->t, 1, ulogin_entry_get(e, "cn"));
	ulogin_table_set(x->t, 2, ulogin_entry_get(e, "mail"));
	ulogin_table_set(x->t, 3, ulogin_entry_get(e, "mobile"));
	for (size_t i = 0; inst && i < inst->n; i++)
		ulogin_table_set(x->t, 4, inst->v[i]);
	ulogin_table_set(x->t, 5, policy);
	ulogin_table_set(x->t, 6, iso);
	ulogin_table_set(x->t, 7, days);
	free(policy);
	ulogin_state_free(&st);
	return 0;
}

int
ulogin_policy_expiring(struct ulogin_conn *c, long within,
		       const struct strv *institutions,
		       struct ulogin_table **out)
{
	static const char *const cols[] = { "username", "name", "mail",
		"mobile", "institutions*", "policy", "expires", "days_left#",
		NULL };
	static const char *const attrs[] = { "uid", "cn", "mail", "mobile",
		"uloginInstitution", "pwdChangedTime", "pwdPolicySubentry",
		"uloginLeftAt", "pwdAccountLockedTime", "uloginBlockReason",
		"uloginBlockedBy", "uloginBlockedAt", "pwdReset",
		"pwdLastSuccess", "uloginSource", "createTimestamp", NULL };
	char *people = ulogin_dn_people(ulogin_conn_base(c));
	char *inst = xstrdup(""), *filter;
	struct expiring x;
	int lrc;

	for (size_t i = 0; institutions && i < institutions->n; i++) {
		char *one = ulogin_filter("(uloginInstitution=%s)",
					  institutions->v[i]);
		char *next = xasprintf("%s%s", inst, one);

		free(one);
		free(inst);
		inst = next;
	}
	filter = ulogin_filter("(&(objectClass=uloginAccount)"
			       "(pwdChangedTime=*)(|%r))", inst);
	if (!*inst) {
		free(filter);
		filter = xstrdup("(&(objectClass=uloginAccount)"
				 "(pwdChangedTime=*))");
	}
	memset(&x, 0, sizeof(x));
	x.t = ulogin_table_new(cols);
	x.now = time(NULL);
	x.within = within;
	x.states = ulogin_state_reader_new(c);
	lrc = ulogin_search(c, people, ULOGIN_SCOPE_SUB, filter, attrs,
			    note_expiring, &x);
	ulogin_state_reader_free(x.states);
	free(filter);
	free(inst);
	free(people);
	if (lrc != LDAP_SUCCESS) {
		ulogin_table_free(x.t);
		return ulogin_ldap_error(c, lrc, "cannot search for expiring "
					 "passwords");
	}
	ulogin_table_sort(x.t, 6);
	*out = x.t;
	return 0;
}
