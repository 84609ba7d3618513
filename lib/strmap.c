#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"
#include "mem.h"
#include "strmap.h"

/* 16 bytes: the hash is computed again when the table grows. */
struct strmap_slot {
	char *key;		/* NULL: empty */
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
	return h;
}

static bool
same(const struct strmap *m, const char *a, const char *b)
{
	return m->fold ? !strcasecmp(a, b) : !strcmp(a, b);
}

static struct strmap_slot *
find(const struct strmap *m, const char *key, size_t h)
{
	size_t i = h & (m->cap - 1);

	while (m->slots[i].key && !same(m, m->slots[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_slot *s;

	if (!m->cap)
		return NULL;
	s = find(m, key, hash_of(m, key));
	return s->key ? s->value : NULL;
}

static void
grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap = oldcap ? oldcap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(m, old[i].key, hash_of(m, old[i].key)) = old[i];
	free(old);
}

void *
strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot *s;
	size_t h = hash_of(m, key);
	void *was;

	/* Up to 85% full: linear probing still finds a key in a few
	 * steps, and 100k keys fit in 2^17 slots. */
	if ((m->n + 1) * 20 > m->cap * 17)
		grow(m);
	s = find(m, key, h);
	if (s->key) {
		was = s->value;
		s->value = value;
		return was;
	}
	s->key = m->borrow ? (char *)key : xstrdup(key);
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
	m->slots = NULL;
	m->cap = m->n = 0;
}
