// SPDX-License-Identifier: GPL-2.0
/* strmap: open addressing (linear probing, load under 1/2) over byte-string
 * keys kept back to back in one pool; the full 64-bit hash is stored, so a
 * probe compares keys only on a hash hit. bitpool: bitmaps interned
 * through a strmap of their bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* A fixed mix of 8-byte words (keys are the operator's lists, not an
 * attacker's; lookups only read). Never 0, which marks an empty slot. */
static uint64_t hash(const void *k, size_t len)
{
	const uint8_t *p = k;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, v;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	v = 0;
	memcpy(&v, p, len);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h | 1;
}

static struct strmap_slot *find(const struct strmap *m, const void *k, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->hash || (s->hash == h && s->len == len &&
				 !memcmp(m->pool + s->off, k, len)))
			return s;
	}
}

static int grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct strmap_slot *old = m->slots, *s;
	size_t oldcap = m->cap;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].hash)
			continue;
		s = find(m, m->pool + old[i].off, old[i].len, old[i].hash);
		*s = old[i];
	}
	free(old);
	return 0;
}

/* Copies k into the pool; returns its offset in *off. */
static int pool_add(struct strmap *m, const void *k, size_t len, uint32_t *off)
{
	if (m->pool_len + len > UINT32_MAX)
		return -E2BIG;
	if (m->pool_len + len > m->pool_cap) {
		size_t cap = m->pool_cap ? m->pool_cap : 256;
		char *p;

		while (cap < m->pool_len + len)
			cap *= 2;
		p = realloc(m->pool, cap);
		if (!p)
			return -ENOMEM;
		m->pool = p;
		m->pool_cap = cap;
	}
	if (len)
		memcpy(m->pool + m->pool_len, k, len);
	*off = (uint32_t)m->pool_len;
	m->pool_len += len;
	return 0;
}

int strmap_put(struct strmap *m, const void *k, size_t len, uint32_t val, uint32_t *old)
{
	uint64_t h = hash(k, len);
	struct strmap_slot *s;
	uint32_t off;
	int err;

	if ((m->n + 1) * 2 > m->cap && (err = grow(m)))
		return err;
	s = find(m, k, len, h);
	if (s->hash) {
		if (old)
			*old = s->val;
		s->val = val;
		return 1;
	}
	if ((err = pool_add(m, k, len, &off)))
		return err;
	*s = (struct strmap_slot){.hash = h, .off = off, .len = (uint32_t)len, .val = val};
	m->n++;
	return 0;
}

bool strmap_get(const struct strmap *m, const void *k, size_t len, uint32_t *val)
{
	const struct strmap_slot *s;

	if (!m->n)
		return false;
	s = find(m, k, len, hash(k, len));
	if (!s->hash)
		return false;
	*val = s->val;
	return true;
}

size_t strmap_memory(const struct strmap *m)
{
	return m->cap * sizeof(*m->slots) + m->pool_cap;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	free(m->pool);
	memset(m, 0, sizeof(*m));
}

/* ---- bitpool ------------------------------------------------------------------ */

int bitpool_intern(struct bitpool *p, const struct polbits *b, uint32_t *id)
{
	int err;

	if (!polbits_any(b)) {
		*id = 0;
		return 0;
	}
	if (strmap_get(&p->ids, b, sizeof(*b), id))
		return 0;
	if (p->n == 0)
		p->n = 1; /* index 0: the empty bitmap, never stored */
	if (p->n >= p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct polbits *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	if ((err = strmap_put(&p->ids, b, sizeof(*b), (uint32_t)p->n, NULL)) < 0)
		return err;
	p->v[p->n] = *b;
	*id = (uint32_t)p->n++;
	return 0;
}

const struct polbits *bitpool_get(const struct bitpool *p, uint32_t id)
{
	static const struct polbits empty;

	return id && id < p->n ? &p->v[id] : &empty;
}

int bitpool_add_bit(struct bitpool *p, uint32_t id, unsigned bit, uint32_t *out)
{
	struct polbits b = *bitpool_get(p, id);

	polbits_set(&b, bit);
	return bitpool_intern(p, &b, out);
}

int bitpool_union(struct bitpool *p, uint32_t a, uint32_t b, uint32_t *out)
{
	struct polbits u = *bitpool_get(p, a);

	if (a == b || !b) {
		*out = a;
		return 0;
	}
	polbits_or(&u, bitpool_get(p, b));
	return bitpool_intern(p, &u, out);
}

void bitpool_free(struct bitpool *p)
{
	free(p->v);
	strmap_free(&p->ids);
	memset(p, 0, sizeof(*p));
}
