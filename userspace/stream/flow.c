// SPDX-License-Identifier: GPL-2.0
/* flow: hash table of the reassembler's flows, with idle lists per class
 * and a creation list. Chained buckets, a power of two that doubles as the
 * flows come (at most one flow per bucket on average), up to the cap's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "flow.h"

struct flow_list {
	struct flow *head, *tail;
};

#define BUCKETS_MIN 256

struct flow_table {
	struct flow **buckets;
	size_t mask;
	size_t max_buckets; /* the power of two at or above the cap */
	size_t count;
	uint64_t seed;
	struct flow_list idle[FLOW_CL_MAX];
	struct flow_list age;
};

/* Keyed multiply-xorshift over the 40 key bytes, five 64-bit words. The
 * per-table random seed keeps chains short against chosen tuples. */
static size_t hash(const struct flow_table *t, const struct ew_flow_key *k)
{
	uint64_t h = t->seed, w;

	for (size_t i = 0; i < sizeof(*k); i += 8) {
		memcpy(&w, (const uint8_t *)k + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	h = (h ^ (h >> 32)) * 0xff51afd7ed558ccdull;
	return (size_t)(h ^ (h >> 33));
}

struct flow_table *flow_table_new(size_t max)
{
	struct flow_table *t = calloc(1, sizeof(*t));
	size_t n = 16;

	if (!t)
		return NULL;
	while (n < max && n < ((size_t)1 << 30))
		n <<= 1;
	t->max_buckets = n;
	if (n > BUCKETS_MIN)
		n = BUCKETS_MIN;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x2545f4914f6cdd1dull;
	return t;
}

/* Doubles the buckets and rehashes every chain. Without memory for that
 * the chains just get longer. */
static void grow(struct flow_table *t)
{
	size_t n = (t->mask + 1) * 2;
	struct flow **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i <= t->mask; i++) {
		struct flow *f = t->buckets[i], *next;

		for (; f; f = next) {
			size_t h = hash(t, &f->info.key) & (n - 1);

			next = f->hnext;
			f->hnext = b[h];
			b[h] = f;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->mask = n - 1;
}

#define LIST_UNLINK(l, f, m)                                                                       \
	do {                                                                                       \
		if ((f)->m.prev)                                                                   \
			(f)->m.prev->m.next = (f)->m.next;                                         \
		else                                                                               \
			(l)->head = (f)->m.next;                                                   \
		if ((f)->m.next)                                                                   \
			(f)->m.next->m.prev = (f)->m.prev;                                         \
		else                                                                               \
			(l)->tail = (f)->m.prev;                                                   \
		(f)->m.prev = (f)->m.next = NULL;                                                  \
	} while (0)

#define LIST_APPEND(l, f, m)                                                                       \
	do {                                                                                       \
		(f)->m.prev = (l)->tail;                                                           \
		(f)->m.next = NULL;                                                                \
		if ((l)->tail)                                                                     \
			(l)->tail->m.next = (f);                                                   \
		else                                                                               \
			(l)->head = (f);                                                           \
		(l)->tail = (f);                                                                   \
	} while (0)

struct flow *flow_table_get(struct flow_table *t, const struct ew_flow_key *key)
{
	struct flow *f = t->buckets[hash(t, key) & t->mask];

	while (f && memcmp(&f->info.key, key, sizeof(*key)))
		f = f->hnext;
	return f;
}

struct flow *flow_table_add(struct flow_table *t, const struct ew_flow_key *key,
			    enum flow_class cls, uint64_t now)
{
	struct flow *f = calloc(1, sizeof(*f));
	size_t b = hash(t, key) & t->mask;

	if (!f)
		return NULL;
	f->info.key = *key;
	f->cls = (uint8_t)cls;
	f->last_ns = now;
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	LIST_APPEND(&t->idle[cls], f, idle);
	LIST_APPEND(&t->age, f, age);
	if (++t->count > t->mask + 1 && t->mask + 1 < t->max_buckets)
		grow(t);
	return f;
}

void flow_table_touch(struct flow_table *t, struct flow *f, enum flow_class cls, uint64_t now)
{
	LIST_UNLINK(&t->idle[f->cls], f, idle);
	f->cls = (uint8_t)cls;
	if (now > f->last_ns) /* capture time may step back; never un-age */
		f->last_ns = now;
	LIST_APPEND(&t->idle[cls], f, idle);
}

void flow_table_del(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->buckets[hash(t, &f->info.key) & t->mask];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	LIST_UNLINK(&t->idle[f->cls], f, idle);
	LIST_UNLINK(&t->age, f, age);
	for (int d = 0; d < 2; d++) {
		if (f->dir[d].ooo)
			seglist_clear(f->dir[d].ooo);
		free(f->dir[d].ooo);
	}
	t->count--;
	free(f);
}

struct flow *flow_table_idlest(struct flow_table *t, enum flow_class cls)
{
	return t->idle[cls].head;
}

struct flow *flow_table_oldest(struct flow_table *t)
{
	return t->age.head;
}

struct flow *flow_table_younger(struct flow *f)
{
	return f->age.next;
}

size_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	while (t->age.head)
		flow_table_del(t, t->age.head);
	free(t->buckets);
	free(t);
}
