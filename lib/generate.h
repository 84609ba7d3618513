/*
 * Passwords made to a policy, from OpenSSL's random generator without
 * modulo bias: for initial one-time passwords, resets and sealed letters.
 */
#ifndef ULOGIN_GENERATE_H
#define ULOGIN_GENERATE_H

#include "rules.h"

/*
 * A password that passes every rule (pictures: that many distinct picture
 * names from the set, space-separated).  NULL with *why set when the rules
 * cannot be met (e.g. every symbol forbidden and symbols required) or the
 * random generator fails.  Free with ulogin_secret_free().
 */
char *ulogin_generate(const struct ulogin_rules *r,
		      const struct ulogin_person *who,
		      const struct ulogin_pictures *pictures,
		      const char **why);

/* A uniformly random number below n (n > 0); -1 if the RNG fails. */
int ulogin_random_below(unsigned n, unsigned *out);

#endif
