/*
 * Allocation that never returns NULL: running out of memory in a
 * command-line tool is fatal, and checking at every call site hides the
 * logic.  Also small growable string vectors used all over the library.
 */
#ifndef ULOGIN_MEM_H
#define ULOGIN_MEM_H

#include <stddef.h>
#include <stdarg.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Free a string after overwriting it: for passwords and codes. */
void ulogin_secret_free(char *secret);

/* A NULL-terminated vector of owned strings. */
struct strv {
	char **v;
	size_t n;
	size_t alloc;
};
#define STRV_INIT { NULL, 0, 0 }

void strv_push(struct strv *sv, const char *s);
void strv_push_owned(struct strv *sv, char *s);
int strv_contains(const struct strv *sv, const char *s);
/* Join with a separator; an empty vector gives "". */
char *strv_join(const struct strv *sv, const char *sep);
void strv_sort(struct strv *sv);
void strv_free(struct strv *sv);

/* An arena: many small strings freed at once, with no per-string
 * overhead (the import holds 100k people twice in memory). */
struct arena {
	struct arena_block *head;
};
#define ARENA_INIT { NULL }
void *arena_alloc(struct arena *a, size_t size);
/* A copy in the arena; NULL stays NULL. */
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

#endif
