// SPDX-License-Identifier: GPL-2.0
/* Builds and reads the dense blocked-prefix tables the XDP program probes
 * (bpf/ew_xdp.bpf.c, ew_pt4_find/ew_pt6_find), with the same hash
 * (ew_abi.h). Bucketized cuckoo hashing: a prefix goes into the first of
 * its two buckets with a free slot; when both are full, it takes a random
 * slot of the second and the prefix it displaced moves to its own other
 * bucket, and so on. A prefix that ends up in its second bucket marks its
 * first (ovf), so lookups read the second only then. Tables are built
 * whole and never edited in place (no deletions, so marks never go
 * stale): blocklist.c swaps a new one in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptable.h"

/* Load factor 0.7: small tables stay small (what sets the drop rate is
 * the bytes a lookup walks over: 100,000 IPv4 prefixes take 1.3 MiB,
 * under one core's L2), and about nine in ten prefixes sit in their first
 * bucket. In tenths of a prefix per bucket: */
#define LOAD_TENTHS 7
/* Failed fills reseed this many times before adding buckets. */
#define RESEEDS 2
/* Evictions one insert may cause before the fill gives up. */
#define MAX_KICKS 500

struct ptable_entry ptable_entry_make(const struct ew_prefix *p, uint32_t rule_id, uint8_t flags)
{
	struct ptable_entry e = {.p = *p, .flags = flags, .rule_id = rule_id};
	unsigned int bytes = p->family == 6 ? 16 : 4;

	prefix_mask(p->addr, p->len, bytes * 8, e.p.addr);
	memset(e.p.addr + bytes, 0, sizeof(e.p.addr) - bytes);
	return e;
}

int ptable_list_push(struct ptable_list *l, const struct ptable_entry *e)
{
	size_t ncap = l->cap ? l->cap * 2 : 4096;
	struct ptable_entry *ne;

	if (l->n == l->cap) {
		ne = realloc(l->e, ncap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		l->e = ne;
		l->cap = ncap;
	}
	l->e[l->n++] = *e;
	return 0;
}

void ptable_list_free(struct ptable_list *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

size_t ptable_bucket_size(int family)
{
	return family == 6 ? sizeof(struct ew_pt6_bucket) : sizeof(struct ew_pt4_bucket);
}

static unsigned int slots(int family)
{
	return family == 6 ? EW_PT6_SLOTS : EW_PT4_SLOTS;
}

int ptable_plan(int family, size_t n, unsigned int attempt, uint32_t seed, struct ptable_plan *pl)
{
	const uint64_t top = (1ull << EW_PT_CLASS_MAX) - 1, per = slots(family) * LOAD_TENTHS;
	uint64_t nb = (10 * (uint64_t)n + per - 1) / per;
	unsigned int k = EW_PT_CLASS_MIN;

	if (n > EW_BLOCK_MAX)
		return -E2BIG;
	nb = (nb ? nb : 1) * (4 + (attempt < RESEEDS ? 0 : attempt - RESEEDS + 1)) / 4;
	/* The largest class may run up to load 0.85. */
	if (nb > top && n * 100 <= top * slots(family) * 85)
		nb = top;
	while (k <= EW_PT_CLASS_MAX && (1ull << k) < nb + 1)
		k += EW_PT_CLASS_STEP;
	if (k > EW_PT_CLASS_MAX)
		return -E2BIG;
	pl->cls = k;
	pl->nb = (uint32_t)nb;
	pl->seed = seed + attempt * 0x9e3779b9u;
	return 0;
}

/* A slot of either family, seen through what the fill needs. */
struct slotref {
	uint32_t *meta;
	void *addr;		/* 4 or 16 bytes */
};

/* The table being filled. */
struct fill {
	void *tab;
	int family;
	const struct ew_pt_head *h;
	uint64_t rng;
};

static size_t addr_len(const struct fill *f)
{
	return f->family == 6 ? 16 : 4;
}

static uint32_t *ovf_of(struct fill *f, uint32_t bucket)
{
	return f->family == 6 ? &((struct ew_pt6_bucket *)f->tab)[1 + bucket].ovf
			      : &((struct ew_pt4_bucket *)f->tab)[1 + bucket].ovf;
}

static struct slotref slot_of(struct fill *f, uint32_t bucket, int s)
{
	if (f->family == 6) {
		struct ew_pt6_bucket *b = &((struct ew_pt6_bucket *)f->tab)[1 + bucket];

		return (struct slotref){&b->meta[s], b->addr[s]};
	}
	struct ew_pt4_bucket *b = &((struct ew_pt4_bucket *)f->tab)[1 + bucket];

	return (struct slotref){&b->meta[s], &b->addr[s]};
}

/* Both buckets of a prefix. */
static void ways(const struct fill *f, const struct ptable_entry *it, uint32_t w[2])
{
	uint64_t h, a0, a1;
	uint32_t a;

	if (f->family == 6) {
		memcpy(&a0, it->p.addr, 8);
		memcpy(&a1, it->p.addr + 8, 8);
		h = ew_pt6_hash(a0, a1, it->p.len, f->h->seed);
	} else {
		memcpy(&a, it->p.addr, 4);
		h = ew_pt4_hash(a, it->p.len, f->h->seed);
	}
	w[0] = ew_pt_way(h, f->h->nb, 0);
	w[1] = ew_pt_way(h, f->h->nb, 1);
}

/* The slot in bucket holding it (its prefix), or the first free one (*free
 * set), or -1 when the bucket is full of others. */
static int slot_find(struct fill *f, uint32_t bucket, const struct ptable_entry *it, int *free)
{
	for (int s = 0; s < (int)slots(f->family); s++) {
		struct slotref r = slot_of(f, bucket, s);

		*free = !EW_PT_PLEN1(*r.meta);
		if (*free ||
		    (EW_PT_PLEN1(*r.meta) == it->p.len + 1u && !memcmp(r.addr, it->p.addr, addr_len(f))))
			return s;
	}
	return -1;
}

static void slot_put(struct fill *f, uint32_t bucket, int s, const struct ptable_entry *it)
{
	struct slotref r = slot_of(f, bucket, s);

	*r.meta = EW_PT_META(it->p.len + 1, it->flags, it->rule_id);
	memcpy(r.addr, it->p.addr, addr_len(f));
}

static void slot_get(struct fill *f, uint32_t bucket, int s, struct ptable_entry *it)
{
	struct slotref r = slot_of(f, bucket, s);

	memset(it, 0, sizeof(*it));
	it->p.family = (uint8_t)f->family;
	it->p.len = (uint8_t)(EW_PT_PLEN1(*r.meta) - 1);
	it->flags = (uint8_t)EW_PT_FLAGS(*r.meta);
	it->rule_id = EW_PT_RULE(*r.meta);
	memcpy(it->p.addr, r.addr, addr_len(f));
}

/* Puts it into bucket `to`, one of its ways w, at slot s; marks its first
 * bucket when `to` is the second. */
static void settle(struct fill *f, uint32_t to, int s, const uint32_t w[2], const struct ptable_entry *it)
{
	slot_put(f, to, s, it);
	if (to != w[0])
		*ovf_of(f, w[0]) = 1;
}

/* Places it in a free slot of bucket `to`: 0, or -1 when full. */
static int place(struct fill *f, uint32_t to, const uint32_t w[2], const struct ptable_entry *it)
{
	int free, s = slot_find(f, to, it, &free);

	if (s < 0 || !free)
		return -1;
	settle(f, to, s, w, it);
	return 0;
}

/* Cuckoo eviction: it takes a random slot of bucket `at` (one of its
 * ways), the prefix it displaces goes to its other bucket, and so on until
 * one finds a free slot. Returns 0 or -ENOSPC. */
static int kick(struct fill *f, uint32_t at, struct ptable_entry it)
{
	struct ptable_entry out;
	uint32_t w[2];
	int s;

	for (int k = 0; k < MAX_KICKS; k++) {
		f->rng ^= f->rng << 13;
		f->rng ^= f->rng >> 7;
		f->rng ^= f->rng << 17;
		s = (int)(f->rng % slots(f->family));
		slot_get(f, at, s, &out);
		ways(f, &it, w);
		settle(f, at, s, w, &it);
		it = out;
		ways(f, &it, w);
		at = at == w[0] ? w[1] : w[0];
		if (!place(f, at, w, &it))
			return 0;
	}
	return -ENOSPC;
}

/* Inserts e: 1 if new, 0 if it replaced the same prefix, -ENOSPC. */
static int put(struct fill *f, const struct ptable_entry *e)
{
	struct ptable_entry it = *e;
	uint32_t w[2];
	int free, s;

	if (e->rule_id > EW_PT_RULE_MAX)
		return -ERANGE;
	it.flags &= 3;
	ways(f, &it, w);
	for (int way = 0; way < EW_PT_WAYS; way++) {
		s = slot_find(f, w[way], &it, &free);
		if (s >= 0 && !free) {
			slot_put(f, w[way], s, &it);
			return 0;
		}
		if (!*ovf_of(f, w[0]))
			break;
	}
	if (!place(f, w[0], w, &it) || !place(f, w[1], w, &it))
		return 1;
	return kick(f, w[1], it) ? -ENOSPC : 1;
}

long ptable_fill(int family, void *tab, const struct ptable_plan *pl,
		 const struct ptable_entry *e, size_t n)
{
	struct ew_pt_head *h = tab;
	struct fill f = {tab, family, h, 0x9e3779b97f4a7c15ull ^ pl->seed};
	int rc;

	h->nb = pl->nb;
	h->seed = pl->seed;
	for (size_t i = 0; i < n; i++) {
		rc = put(&f, &e[i]);
		if (rc < 0)
			return rc;
		h->count += (uint32_t)rc;
		h->lens[e[i].p.len / 64] |= 1ull << (e[i].p.len % 64);
	}
	return h->count;
}

int ptable_foreach(int family, const void *tab, size_t nelem,
		   int (*cb)(const struct ptable_entry *e, void *ctx), void *ctx)
{
	struct fill f = {(void *)tab, family, tab, 0}; /* only read */
	struct ptable_entry e;
	int rc;

	for (uint32_t i = 0; i + 1 < nelem; i++) {
		for (int s = 0; s < (int)slots(family); s++) {
			if (!EW_PT_PLEN1(*slot_of(&f, i, s).meta))
				continue;
			slot_get(&f, i, s, &e);
			if (e.p.len > addr_len(&f) * 8)
				continue; /* not something this edgeward wrote */
			rc = cb(&e, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}
