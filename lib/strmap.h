/*
 * A hash map from strings to pointers, for the import's in-memory
 * indexes (100k users by external id, username, DN).  Keys are copied
 * unless the map borrows them; values are the caller's.  Open addressing, grows at 70% load.
 */
#ifndef ULOGIN_STRMAP_H
#define ULOGIN_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap {
	struct strmap_slot *slots;
	unsigned *hashes;	/* beside the slots: most probes compare
				   these, not the strings */
	size_t cap, n;
	bool fold;	/* keys compared without regard to ASCII case */
	bool borrow;	/* keys are not copied: they outlive the map */
};

#define STRMAP_INIT { NULL, NULL, 0, 0, false, false }

/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Store value under key; returns the value that was there (or NULL). */
void *strmap_put(struct strmap *m, const char *key, void *value);
void strmap_free(struct strmap *m);

#endif
