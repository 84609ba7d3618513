/*
 * The password rule engine.  Plain libc only: this file is also compiled
 * into the slapd check module, where exiting or printing is not allowed.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules.h"

static const struct {
	const char *name;
	unsigned bit;
} class_names[] = {
	{ "lower", ULOGIN_LOWER },
	{ "upper", ULOGIN_UPPER },
	{ "digit", ULOGIN_DIGIT },
	{ "symbol", ULOGIN_SYMBOL },
};

#define NCLASSES (sizeof(class_names) / sizeof(*class_names))

unsigned
ulogin_charclass_named(const char *name, size_t len)
{
	for (size_t i = 0; i < NCLASSES; i++)
		if (strlen(class_names[i].name) == len &&
		    strncmp(class_names[i].name, name, len) == 0)
			return class_names[i].bit;
	return 0;
}

void
ulogin_rules_init(struct ulogin_rules *r)
{
	memset(r, 0, sizeof(*r));
}

void
ulogin_rules_free(struct ulogin_rules *r)
{
	free(r->forbidden);
	free(r->picture_names);
	memset(r, 0, sizeof(*r));
}

int
ulogin_rules_copy(struct ulogin_rules *dst, const struct ulogin_rules *src)
{
	*dst = *src;
	dst->forbidden = src->forbidden ? strdup(src->forbidden) : NULL;
	dst->picture_names = src->picture_names ? strdup(src->picture_names)
						: NULL;
	if ((src->forbidden && !dst->forbidden) ||
	    (src->picture_names && !dst->picture_names)) {
		ulogin_rules_free(dst);
		return -1;
	}
	return 0;
}

/* ---- UTF-8 ------------------------------------------------------------ */

size_t
ulogin_utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return *cp >= 0x80 ? 2 : 0;
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0f) << 12) |
		      ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		return *cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff) ? 3 : 0;
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) |
		      ((uint32_t)(s[1] & 0x3f) << 12) |
		      ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
		return *cp >= 0x10000 && *cp <= 0x10ffff ? 4 : 0;
	}
	return 0;
}

/* The code points of s, or NULL (bad UTF-8 or no memory: *bad says). */
static uint32_t *
decode(const char *s, size_t *n, int *bad)
{
	size_t len = strlen(s), i = 0;
	uint32_t *cps = malloc((len + 1) * sizeof(*cps));

	*bad = 0;
	*n = 0;
	if (!cps)
		return NULL;
	while (s[i]) {
		size_t step = ulogin_utf8_next((const unsigned char *)s + i,
					       &cps[*n]);

		if (!step) {
			for (volatile uint32_t *v = cps; v < cps + *n; v++)
				*v = 0;
			free(cps);
			*bad = 1;
			return NULL;
		}
		i += step;
		(*n)++;
	}
	return cps;
}

/* Free code points decoded from a candidate password, overwritten first
 * (no OpenSSL here: this file is in the slapd module too). */
static void
wipe_free(uint32_t *cps, size_t n)
{
	volatile uint32_t *v = cps;

	for (size_t i = 0; cps && i < n; i++)
		v[i] = 0;
	free(cps);
}

long
ulogin_utf8_length(const char *s)
{
	size_t n;
	int bad;
	uint32_t *cps = decode(s, &n, &bad);

	if (!cps)
		return -1;
	free(cps);
	return (long)n;
}

/*
 * Letter case for the scripts a Nordic school meets: ASCII, Latin-1,
 * Latin Extended-A, Greek and Cyrillic.  Enough to count classes and to
 * compare names without caring about case; it needs no locale, so it
 * works the same inside slapd.
 */
/* In Latin Extended-A capitals are the even code points, except in
 * U+0139..U+0148 and U+0179..U+017E, where they are the odd ones
 * (Ł U+0141, Ż U+017B); ĸ ŉ ſ have no capital. */
static int
ext_a_upper(uint32_t c)
{
	if (c == 0x138 || c == 0x149 || c == 0x17f)
		return 0;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return (int)(c & 1);
	return !(c & 1);
}

static int
is_upper(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') ||
	       (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
	       (c >= 0x100 && c <= 0x17f && ext_a_upper(c)) ||
	       (c >= 0x391 && c <= 0x3a9) || (c >= 0x400 && c <= 0x42f);
}

static int
is_lower(uint32_t c)
{
	return (c >= 'a' && c <= 'z') ||
	       (c >= 0xdf && c <= 0xff && c != 0xf7) ||
	       (c >= 0x100 && c <= 0x17f && !ext_a_upper(c)) ||
	       (c >= 0x3b1 && c <= 0x3c9) || (c >= 0x430 && c <= 0x45f);
}

static uint32_t
fold(uint32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
	    (c >= 0x391 && c <= 0x3a9) || (c >= 0x410 && c <= 0x42f))
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	if (c >= 0x100 && c <= 0x17f && ext_a_upper(c))
		return c + 1;
	return c;
}

static unsigned
class_of(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return ULOGIN_DIGIT;
	if (is_lower(c))
		return ULOGIN_LOWER;
	if (is_upper(c))
		return ULOGIN_UPPER;
	if (c == ' ')
		return 0;
	return ULOGIN_SYMBOL;
}

/* ---- collecting violations ---------------------------------------- */

static int
add(struct ulogin_violations *out, const char *code, const char *fmt, ...)
{
	struct ulogin_violation *v;
	va_list ap;
	char *msg;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
	if (!v) {
		free(msg);
		return -1;
	}
	out->v = v;
	out->v[out->n].code = code;
	out->v[out->n].message = msg;
	out->n++;
	return 0;
}

void
ulogin_violations_free(struct ulogin_violations *out)
{
	for (size_t i = 0; i < out->n; i++)
		free(out->v[i].message);
	free(out->v);
	out->v = NULL;
	out->n = 0;
}

/* Append the UTF-8 of one code point to buf (at least 5 bytes free). */
static size_t
encode(uint32_t c, char *buf)
{
	if (c < 0x80) {
		buf[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (c >> 18));
	buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* "a, b and c" of distinct characters, for messages; NULL on ENOMEM. */
static char *
list_chars(const uint32_t *cps, size_t n)
{
	char *out = malloc(n * 8 + 1), *o = out;
	size_t shown = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i && cps[j] != cps[i]; j++)
			;
		if (j < i)
			continue;	/* already listed */
		if (shown++) {
			*o++ = ' ';
		}
		o += encode(cps[i], o);
	}
	*o = '\0';
	return out;
}

static const char *
class_phrase(unsigned bit)
{
	switch (bit) {
	case ULOGIN_LOWER: return "Add a small letter (a-z).";
	case ULOGIN_UPPER: return "Add a capital letter (A-Z).";
	case ULOGIN_DIGIT: return "Add a digit (0-9).";
	default: return "Add a symbol, such as ! ? - or #.";
	}
}

static const char *
class_plural(unsigned bit)
{
	switch (bit) {
	case ULOGIN_LOWER: return "small letters";
	case ULOGIN_UPPER: return "capital letters";
	case ULOGIN_DIGIT: return "digits";
	default: return "symbols";
	}
}

/* Does hay (folded) contain needle (folded)? */
static int
contains(const uint32_t *hay, size_t nh, const uint32_t *needle, size_t nn)
{
	for (size_t i = 0; nn && i + nn <= nh; i++) {
		size_t j;

		for (j = 0; j < nn && fold(hay[i + j]) == fold(needle[j]); j++)
			;
		if (j == nn)
			return 1;
	}
	return 0;
}

/* Does the candidate contain a part (3 letters or more) of name? */
static int
contains_name(const uint32_t *cand, size_t nc, const char *name)
{
	size_t n, start = 0;
	int bad = 0, found = 0;
	uint32_t *cps = name ? decode(name, &n, &bad) : NULL;

	if (!cps)
		return name && !bad ? -1 : 0;	/* -1: out of memory */
	/* Names split at spaces and hyphens: "Anne-Marie" is two names. */
	for (size_t i = 0; i <= n && !found; i++)
		if (i == n || cps[i] == ' ' || cps[i] == '-') {
			if (i - start >= 3 &&
			    contains(cand, nc, cps + start, i - start))
				found = 1;
			start = i + 1;
		}
	free(cps);
	return found;
}

/* Is word (len bytes) name, ignoring case (also for å, æ, ø...)? */
static int
same_word(const char *name, const char *word, size_t len)
{
	size_t na, nb;
	int bad, same = 0;
	char *w = strndup(word, len);
	uint32_t *a = decode(name, &na, &bad);
	uint32_t *b = w ? decode(w, &nb, &bad) : NULL;

	if (a && b && na == nb) {
		same = 1;
		for (size_t i = 0; i < na && same; i++)
			same = fold(a[i]) == fold(b[i]);
	}
	free(a);
	free(b);
	free(w);
	return same;
}

static int
check_pictures(const struct ulogin_rules *r, const char *candidate,
	       const struct ulogin_pictures *given,
	       struct ulogin_violations *out)
{
	const struct ulogin_pictures *set = given;
	struct ulogin_pictures own = { NULL, 0 };
	char *copy = NULL, **names = NULL;
	const char *p = candidate;
	size_t words = 0;
	int rc = 0;

	/* No set from the caller (the slapd module): the one stored with
	 * the rules, if any. */
	if ((!set || !set->count) && r->picture_names) {
		size_t n = 1;

		for (const char *q = r->picture_names; *q; q++)
			n += *q == ',';
		copy = strdup(r->picture_names);
		names = calloc(n, sizeof(*names));
		if (!copy || !names) {
			free(copy);
			free(names);
			return -1;
		}
		for (char *q = copy, *next; q; q = next) {
			next = strchr(q, ',');
			if (next)
				*next++ = '\0';
			if (*q)
				names[own.count++] = q;
		}
		own.names = (const char *const *)names;
		set = &own;
	}

	while (*p && rc == 0) {
		size_t len;

		p += strspn(p, " \t");
		if (!*p)
			break;
		len = strcspn(p, " \t");
		words++;
		if (set) {
			size_t i;

			for (i = 0; i < set->count; i++)
				if (same_word(set->names[i], p, len))
					break;
			/* Never the word itself: slapd logs the message. */
			if (i == set->count)
				rc = add(out, "picture-unknown",
					 "Word %zu is not the name of one of "
					 "the pictures.", words);
		}
		p += len;
	}
	if (rc == 0 && words != r->pictures)
		rc = add(out, "picture-count",
			 "Choose exactly %u pictures (you chose %zu).",
			 r->pictures, words);
	free(names);
	free(copy);
	return rc;
}

int
ulogin_rules_check(const struct ulogin_rules *r, const char *candidate,
		   const struct ulogin_person *who,
		   const struct ulogin_pictures *pictures,
		   struct ulogin_violations *out)
{
	uint32_t *cand, *found = NULL, *bad_latin = NULL, *forbid = NULL;
	size_t n, nfound = 0, nlatin = 0, nforbid = 0, before = out->n;
	unsigned present = 0, set = r->class_set ? r->class_set
						 : ULOGIN_ALL_CLASSES;
	int bad, rc = 0;

	cand = decode(candidate, &n, &bad);
	if (!cand) {
		if (bad && add(out, "encoding", "The password is not valid "
			       "text (UTF-8).") == 0)
			return (int)(out->n - before);
		return -1;
	}
	if (r->pictures) {
		rc = check_pictures(r, candidate, pictures, out);
		goto done;
	}
	found = malloc((n + 1) * sizeof(*found));
	bad_latin = malloc((n + 1) * sizeof(*bad_latin));
	if (r->forbidden)
		forbid = decode(r->forbidden, &nforbid, &bad);
	/* Out of memory must refuse, never skip a rule. */
	if (!found || !bad_latin || (r->forbidden && !forbid)) {
		rc = -1;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		present |= class_of(cand[i]);
		/* At most one entry per character of the candidate, however
		 * often the forbidden set repeats it. */
		for (size_t j = 0; j < nforbid; j++)
			if (forbid[j] == cand[i]) {
				found[nfound++] = cand[i];
				break;
			}
		if (r->latin_only && (cand[i] < 0x20 || cand[i] > 0x7e))
			bad_latin[nlatin++] = cand[i];
	}

	if (r->min_length && n < r->min_length)
		rc = add(out, "min-length", "Use at least %u characters (this "
			 "one has %zu).", r->min_length, n);
	if (!rc && r->max_length && n > r->max_length)
		rc = add(out, "max-length", "Use at most %u characters (this "
			 "one has %zu).", r->max_length, n);
	for (size_t i = 0; !rc && i < NCLASSES; i++)
		if ((r->required & class_names[i].bit) &&
		    !(present & class_names[i].bit))
			rc = add(out, "required-class", "%s",
				 class_phrase(class_names[i].bit));
	if (!rc && r->min_classes) {
		const char *which[NCLASSES];
		unsigned have = 0, want = 0;
		char names[128] = "";

		for (size_t i = 0; i < NCLASSES; i++)
			if (set & class_names[i].bit) {
				which[want++] = class_plural(class_names[i].bit);
				if (present & class_names[i].bit)
					have++;
			}
		/* "small letters, capital letters and digits" */
		for (unsigned i = 0; i < want; i++) {
			size_t len = strlen(names);

			snprintf(names + len, sizeof(names) - len, "%s%s",
				 i == 0 ? "" : i + 1 == want ? " and " : ", ",
				 which[i]);
		}
		if (have < r->min_classes)
			rc = add(out, "min-classes", "Mix at least %u of these: "
				 "%s (this one has %u).", r->min_classes,
				 names, have);
	}
	/* The messages never quote the candidate: slapd logs them. */
	if (!rc && nfound) {
		size_t nf;
		uint32_t *f = decode(r->forbidden, &nf, &bad);
		char *all = f ? list_chars(f, nf) : NULL;

		rc = all ? add(out, "forbidden", "Do not use these characters:"
			       " %s.", all)
			 : -1;
		free(f);
		free(all);
	}
	if (!rc && nlatin)
		rc = add(out, "latin-only", "Use only the letters a-z and A-Z, "
			 "digits and ordinary symbols: no letters such as æ, ø "
			 "and å, and no other alphabets.");
	if (!rc && r->no_username && who && who->username &&
	    strlen(who->username) >= 3) {
		size_t nu;
		uint32_t *u = decode(who->username, &nu, &bad);

		if (!u && !bad)
			rc = -1;
		else if (u && contains(cand, n, u, nu))
			rc = add(out, "username", "Do not put your username in "
				 "the password.");
		free(u);
	}
	if (!rc && r->no_names && who) {
		int named = contains_name(cand, n, who->given_name);

		if (!named)
			named = contains_name(cand, n, who->surname);
		for (size_t i = 0; !named && who->other_names &&
		     who->other_names[i]; i++)
			named = contains_name(cand, n, who->other_names[i]);
		if (named < 0)
			rc = -1;
		else if (named)
			rc = add(out, "name", "Do not put your name in the "
				 "password.");
	}
done:
	free(forbid);
	wipe_free(found, nfound);
	wipe_free(bad_latin, nlatin);
	wipe_free(cand, n);
	return rc < 0 ? -1 : (int)(out->n - before);
}

/* ---- the one-line form, for pwdCheckModuleArg ---------------------- */

static int
append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *more, *next;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	next = realloc(*buf, *len + (size_t)n + 1);
	if (!next) {
		free(more);
		return -1;
	}
	memcpy(next + *len, more, (size_t)n + 1);
	*len += (size_t)n;
	*buf = next;
	free(more);
	return 0;
}

static int
append_classes(char **buf, size_t *len, const char *key, unsigned bits)
{
	const char *sep = "";
	int rc = append(buf, len, " %s=", key);

	for (size_t i = 0; !rc && i < NCLASSES; i++)
		if (bits & class_names[i].bit) {
			rc = append(buf, len, "%s%s", sep, class_names[i].name);
			sep = ",";
		}
	return rc;
}

char *
ulogin_rules_format(const struct ulogin_rules *r)
{
	char *buf = calloc(1, 1);
	size_t len = 0;
	int rc = buf ? 0 : -1;

	if (!rc && r->min_length)
		rc = append(&buf, &len, " minlen=%u", r->min_length);
	if (!rc && r->max_length)
		rc = append(&buf, &len, " maxlen=%u", r->max_length);
	if (!rc && r->required)
		rc = append_classes(&buf, &len, "require", r->required);
	if (!rc && r->min_classes) {
		rc = append(&buf, &len, " classes=%u", r->min_classes);
		if (!rc && r->class_set && r->class_set != ULOGIN_ALL_CLASSES)
			rc = append_classes(&buf, &len, "of", r->class_set);
	}
	if (!rc && r->forbidden && *r->forbidden) {
		rc = append(&buf, &len, " forbid=");
		for (const unsigned char *p =
			     (const unsigned char *)r->forbidden;
		     !rc && *p; p++)
			rc = append(&buf, &len, "%%%02X", *p);
	}
	if (!rc && r->latin_only)
		rc = append(&buf, &len, " latin");
	if (!rc && r->no_username)
		rc = append(&buf, &len, " nouser");
	if (!rc && r->no_names)
		rc = append(&buf, &len, " nonames");
	if (!rc && r->pictures)
		rc = append(&buf, &len, " pictures=%u", r->pictures);
	if (!rc && r->pictures && r->picture_names && *r->picture_names) {
		rc = append(&buf, &len, " names=");
		for (const unsigned char *p =
			     (const unsigned char *)r->picture_names;
		     !rc && *p; p++)
			rc = (*p >= 'a' && *p <= 'z') || *p == ','
				? append(&buf, &len, "%c", *p)
				: append(&buf, &len, "%%%02X", *p);
	}
	if (rc) {
		free(buf);
		return NULL;
	}
	/* Without the leading space. */
	memmove(buf, buf + (len ? 1 : 0), len);
	return buf;
}

static int
parse_number(const char *s, size_t len, unsigned *out)
{
	unsigned long v = 0;

	if (!len || len > 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = (unsigned)v;
	return 0;
}

static int
parse_classes(const char *s, size_t len, unsigned *out)
{
	*out = 0;
	while (len) {
		size_t n = 0;
		unsigned bit;

		while (n < len && s[n] != ',')
			n++;
		if (!(bit = ulogin_charclass_named(s, n)))
			return -1;
		*out |= bit;
		s += n;
		len -= n;
		if (len) {
			s++;
			len--;
		}
	}
	return *out ? 0 : -1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *
percent_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (s[i] == '%') {
			free(out);
			return NULL;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

int
ulogin_rules_parse(const char *text, struct ulogin_rules *r, const char **why)
{
	const char *p = text;

	ulogin_rules_init(r);
	while (*p) {
		size_t len, klen;
		const char *val, *eq;

		p += strspn(p, " \t");
		if (!*p)
			break;
		len = strcspn(p, " \t");
		eq = memchr(p, '=', len);
		klen = eq ? (size_t)(eq - p) : len;
		val = eq ? eq + 1 : NULL;
#define KEY(k) (klen == strlen(k) && strncmp(p, k, klen) == 0)
#define VLEN ((size_t)(p + len - val))
		if (KEY("latin") && !val) {
			r->latin_only = true;
		} else if (KEY("nouser") && !val) {
			r->no_username = true;
		} else if (KEY("nonames") && !val) {
			r->no_names = true;
		} else if (KEY("minlen") && val) {
			if (parse_number(val, VLEN, &r->min_length) < 0)
				goto bad_number;
		} else if (KEY("maxlen") && val) {
			if (parse_number(val, VLEN, &r->max_length) < 0)
				goto bad_number;
		} else if (KEY("classes") && val) {
			if (parse_number(val, VLEN, &r->min_classes) < 0 ||
			    r->min_classes > 4)
				goto bad_number;
		} else if (KEY("pictures") && val) {
			if (parse_number(val, VLEN, &r->pictures) < 0)
				goto bad_number;
		} else if ((KEY("require") || KEY("of")) && val) {
			unsigned *dst = KEY("of") ? &r->class_set
						  : &r->required;

			if (parse_classes(val, VLEN, dst) < 0) {
				*why = "unknown character class (use lower, "
				       "upper, digit, symbol)";
				goto fail;
			}
		} else if (KEY("names") && val) {
			free(r->picture_names);
			if (!(r->picture_names = percent_decode(val, VLEN)) ||
			    ulogin_utf8_length(r->picture_names) < 0) {
				*why = "bad names= value (percent-encoded "
				       "UTF-8 expected)";
				goto fail;
			}
		} else if (KEY("forbid") && val) {
			free(r->forbidden);
			if (!(r->forbidden = percent_decode(val, VLEN)) ||
			    ulogin_utf8_length(r->forbidden) < 0) {
				*why = "bad forbid= value (percent-encoded "
				       "UTF-8 expected)";
				goto fail;
			}
		} else {
			*why = "unknown rule";
			goto fail;
		}
#undef KEY
#undef VLEN
		p += len;
	}
	if (r->max_length && r->min_length > r->max_length) {
		*why = "minlen is greater than maxlen";
		goto fail;
	}
	return 0;
bad_number:
	*why = "expected a number";
fail:
	ulogin_rules_free(r);
	return -1;
}
