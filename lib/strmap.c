#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"
#include "mem.h"
#include "strmap.h"

/* 16 bytes, and the hash's 4 in a separate array: 20 a slot.  A probe
 * reads only the hashes (0: an empty slot; no key hashes to 0) until one
 * is the key's: a slot's key and value are touched once, not at every
 * step of a run (100k keys are 2.5 MB a map: each touch is a cache miss,
 * and a key that is not there walks ~9 slots at 80% load). */
struct strmap_slot {
	char *key;
	void *value;
};

static size_t
hash_of(const struct strmap *m, const char *s)
{
	size_t h = 14695981039346656037u;	/* FNV-1a */

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (m->fold && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 1099511628211u;
	}
	return (unsigned)h ? h : 1;	/* 0 marks an empty slot */
}

/* Keys compared without regard to case are mostly alike to the byte:
 * strcmp is the faster test. */
static bool
same(const struct strmap *m, const char *a, const char *b)
{
	return !strcmp(a, b) || (m->fold && !strcasecmp(a, b));
}

static size_t
find(const struct strmap *m, const char *key, size_t h)
{
	size_t i = h & (m->cap - 1);

	while (m->hashes[i] &&
	       (m->hashes[i] != (unsigned)h || !same(m, m->slots[i].key, key)))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = find(m, key, hash_of(m, key));
	return m->hashes[i] ? m->slots[i].value : NULL;
}

static void
grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	unsigned *oldh = m->hashes;
	size_t oldcap = m->cap;

	m->cap = oldcap ? oldcap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->hashes = xcalloc(m->cap, sizeof(*m->hashes));
	for (size_t i = 0; i < oldcap; i++)
		if (oldh[i]) {
			size_t j = find(m, old[i].key, oldh[i]);

			m->slots[j] = old[i];
			m->hashes[j] = oldh[i];
		}
	free(old);
	free(oldh);
}

void *
strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot *s;
	size_t h = hash_of(m, key), i;
	void *was;

	/* Up to 80% full: probes mostly compare hashes, and 100k keys
	 * fit in 2^17 slots. */
	if ((m->n + 1) * 5 > m->cap * 4)
		grow(m);
	i = find(m, key, h);
	s = &m->slots[i];
	if (m->hashes[i]) {
		was = s->value;
		s->value = value;
		return was;
	}
	s->key = m->borrow ? (char *)key : xstrdup(key);
	m->hashes[i] = (unsigned)h;
	s->value = value;
	m->n++;
	return NULL;
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap && !m->borrow; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m->hashes);
	m->slots = NULL;
	m->hashes = NULL;
	m->cap = m->n = 0;
}
