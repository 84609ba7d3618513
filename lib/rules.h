/*
 * The password rule engine: one implementation, used three ways -- by the
 * tools to check a candidate and list every rule it breaks, by the
 * generator, and inside slapd as the ppolicy check module.  It therefore
 * depends on nothing but libc: no exits, no ulogin allocation helpers;
 * every function that allocates reports failure instead.
 */
#ifndef ULOGIN_RULES_H
#define ULOGIN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Character classes, as a bit set. */
enum ulogin_charclass {
	ULOGIN_LOWER = 1,	/* a-z and other lower-case letters */
	ULOGIN_UPPER = 2,	/* A-Z and other upper-case letters */
	ULOGIN_DIGIT = 4,	/* 0-9 */
	ULOGIN_SYMBOL = 8,	/* anything else that is not a space */
	ULOGIN_ALL_CLASSES = 15,
};

struct ulogin_rules {
	unsigned min_length;	/* in characters, not bytes; 0 = none */
	unsigned max_length;	/* 0 = none */
	unsigned required;	/* classes that must all appear */
	unsigned min_classes;	/* at least this many ... */
	unsigned class_set;	/* ... of these classes (0 = all four) */
	char *forbidden;	/* UTF-8 characters not allowed, or NULL */
	bool latin_only;	/* letters only a-z and A-Z */
	bool no_username;	/* must not contain the username */
	bool no_names;		/* must not contain a given name or surname */
	unsigned pictures;	/* > 0: a picture password of this many
				   pictures, names from the picture set */
	char *picture_names;	/* the set itself, comma-separated, so the
				   slapd module can check names too; used
				   when no set is passed to check */
};

/* Who the password is for; any field may be NULL. */
struct ulogin_person {
	const char *username;
	const char *given_name;
	const char *surname;
	const char *const *other_names;	/* more given names and surnames
					   (NULL-terminated), or NULL */
};

/* The fixed set of picture names, for picture passwords. */
struct ulogin_pictures {
	const char *const *names;
	size_t count;
};

/* One broken rule: a stable code for scripts, a sentence for people. */
struct ulogin_violation {
	const char *code;	/* e.g. "min-length", "forbidden" */
	char *message;		/* e.g. "Use at least 8 characters ..." */
};

struct ulogin_violations {
	struct ulogin_violation *v;
	size_t n;
};

void ulogin_rules_init(struct ulogin_rules *r);
void ulogin_rules_free(struct ulogin_rules *r);
/* A deep copy (picture_names and forbidden duplicated); -1 on ENOMEM. */
int ulogin_rules_copy(struct ulogin_rules *dst, const struct ulogin_rules *src);

/*
 * Check a UTF-8 candidate and append every rule it breaks to out.
 * Returns the number of broken rules, or -1 when out of memory (or the
 * candidate is not valid UTF-8: then one violation "encoding" is added).
 */
int ulogin_rules_check(const struct ulogin_rules *r, const char *candidate,
		       const struct ulogin_person *who,
		       const struct ulogin_pictures *pictures,
		       struct ulogin_violations *out);
void ulogin_violations_free(struct ulogin_violations *out);

/*
 * The rules as one line of "key=value" words, for pwdCheckModuleArg, and
 * back.  Keys: minlen maxlen require classes of forbid latin nouser
 * nonames pictures names; class lists are comma-separated names (lower, upper,
 * digit, symbol); forbid is percent-encoded UTF-8.  parse returns 0, or
 * -1 with *why pointing at a static explanation.
 */
char *ulogin_rules_format(const struct ulogin_rules *r);
int ulogin_rules_parse(const char *text, struct ulogin_rules *r,
		       const char **why);

/* The class bit for a name ("lower" ...), 0 if unknown. */
unsigned ulogin_charclass_named(const char *name, size_t len);

/* The number of characters (not bytes) in a UTF-8 string; -1 if it is
 * not valid UTF-8. */
long ulogin_utf8_length(const char *s);

/* Decode one code point of a NUL-terminated string: its length in bytes,
 * or 0 when the bytes at s are not valid UTF-8 (an overlong form, a
 * surrogate, beyond U+10FFFF, cut short). */
size_t ulogin_utf8_next(const unsigned char *s, uint32_t *cp);

#endif
