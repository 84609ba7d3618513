#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "generate.h"
#include "mem.h"
#include "banned.h"

#define TRIES 200

/* Easy to read aloud and to copy from a letter: no l/I/1, O/0. */
static const char *const alphabets[] = {
	"abcdefghijkmnopqrstuvwxyz",	/* ULOGIN_LOWER */
	"ABCDEFGHJKLMNPQRSTUVWXYZ",	/* ULOGIN_UPPER */
	"23456789",			/* ULOGIN_DIGIT */
	"-!?#+=.:",			/* ULOGIN_SYMBOL */
};

int
ulogin_random_below(unsigned n, unsigned *out)
{
	/* Random words fetched a pool at a time (RAND_bytes per number
	 * was a fifth of a 100k-user import); each is wiped once used. */
	static uint32_t pool[64];
	static size_t left;
	/* Reject the top of the range that would make x % n uneven. */
	uint32_t limit = UINT32_MAX - (UINT32_MAX % n) - 1, x;

	do {
		if (!left) {
			if (RAND_bytes((unsigned char *)pool,
				       sizeof(pool)) != 1)
				return -1;
			left = sizeof(pool) / sizeof(*pool);
		}
		x = pool[--left];
		OPENSSL_cleanse(&pool[left], sizeof(*pool));
	} while (x > limit);
	*out = x % n;
	return 0;
}

/* The class's letters minus the forbidden ones. */
static char *
usable(const char *alphabet, const char *forbidden)
{
	char *out = xmalloc(strlen(alphabet) + 1), *o = out;

	for (const char *p = alphabet; *p; p++)
		if (!forbidden || !strchr(forbidden, *p))
			*o++ = *p;
	*o = '\0';
	return out;
}

static char *
pictures_password(const struct ulogin_rules *r,
		  const struct ulogin_pictures *set, const char **why)
{
	unsigned *chosen, k;
	struct strv words = STRV_INIT;
	char *out = NULL;

	if (!set || set->count < r->pictures) {
		*why = "the picture set has fewer pictures than the policy "
		       "asks for";
		return NULL;
	}
	chosen = xcalloc(r->pictures, sizeof(*chosen));
	for (unsigned i = 0; i < r->pictures; i++) {
		unsigned j;

		do {
			if (ulogin_random_below((unsigned)set->count, &k) < 0)
				goto rng;
			for (j = 0; j < i && chosen[j] != k; j++)
				;
		} while (j < i);	/* distinct pictures */
		chosen[i] = k;
		strv_push(&words, set->names[k]);
	}
	out = strv_join(&words, " ");
	goto done;
rng:
	*why = "the random generator failed";
done:
	strv_free(&words);
	free(chosen);
	return out;
}

char *
ulogin_generate(const struct ulogin_rules *r, const struct ulogin_person *who,
		const struct ulogin_pictures *pictures, const char **why)
{
	unsigned set = r->class_set ? r->class_set : ULOGIN_ALL_CLASSES;
	unsigned use = set | r->required, length, k;
	char *alpha[4] = { NULL }, all[128] = "", *pw = NULL;

	/* all holds at most the four alphabets: 65 bytes. */

	if (r->pictures)
		return pictures_password(r, pictures, why);
	/* (The tools always pass the set; picture_names is the module's.) */
	length = r->min_length > 12 ? r->min_length : 12;
	if (r->max_length && length > r->max_length)
		length = r->max_length;
	for (unsigned i = 0; i < 4; i++) {
		if (!(use & (1u << i)))
			continue;
		alpha[i] = usable(alphabets[i], r->forbidden);
		if (!*alpha[i]) {
			if (r->required & (1u << i)) {
				*why = "the policy requires a kind of character"
				       " that it also forbids";
				goto out;
			}
			continue;
		}
		memcpy(all + strlen(all), alpha[i], strlen(alpha[i]) + 1);
	}
	pw = xmalloc(length + 1);
	for (int tries = 0; tries < TRIES; tries++) {
		struct ulogin_violations v = { NULL, 0 };
		unsigned n = 0;
		int broken;

		/* One of each class first, so every class is there... */
		for (unsigned i = 0; i < 4 && n < length; i++) {
			if (!alpha[i] || !*alpha[i])
				continue;
			if (ulogin_random_below((unsigned)strlen(alpha[i]),
						&k) < 0)
				goto rng;
			pw[n++] = alpha[i][k];
		}
		/* ...the rest from all of them... */
		while (n < length) {
			if (ulogin_random_below((unsigned)strlen(all), &k) < 0)
				goto rng;
			pw[n++] = all[k];
		}
		pw[n] = '\0';
		/* ...then shuffled (Fisher-Yates). */
		for (unsigned i = n - 1; i > 0; i--) {
			char tmp;

			if (ulogin_random_below(i + 1, &k) < 0)
				goto rng;
			tmp = pw[i];
			pw[i] = pw[k];
			pw[k] = tmp;
		}
		broken = ulogin_rules_check(r, pw, who, pictures, &v);
		ulogin_violations_free(&v);
		if (broken == 0)
			goto out;
	}
	*why = "no password meeting the policy was found; check its rules";
	ulogin_secret_free(pw);
	pw = NULL;
	goto out;
rng:
	*why = "the random generator failed";
	ulogin_secret_free(pw);
	pw = NULL;
out:
	for (unsigned i = 0; i < 4; i++)
		free(alpha[i]);
	return pw;
}
