// SPDX-License-Identifier: GPL-2.0
/* Building the PDQ index (layout in pdqindex_int.h): the builder collects
 * entries from pdqlist.c and hashxml.c; pdqindex_build sorts them by
 * chunk 0, packs them into pages and codes the 15 chunk tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "pdqindex_int.h"

/* One added entry, in the order of adding. */
struct bentry {
	struct pdq_hash h;
	uint32_t label;		/* pool offset; 0 is "" */
	uint8_t list, quality;
};

/* The entries live in a bigmem (mmap) block so that freeing it after the
 * build gives the memory back to the system, whatever malloc's
 * thresholds have become. */
struct pdqindex_builder {
	struct bentry *e;
	size_t n, cap;
	char *pool;
	size_t pool_len, pool_cap;
};

struct pdqindex_builder *pdqindex_builder_new(void)
{
	struct pdqindex_builder *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->pool = malloc(4096);
	if (!b->pool) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	b->pool[0] = '\0';	/* offset 0: the empty label */
	b->pool_len = 1;
	b->pool_cap = 4096;
	return b;
}

static int grow_entries(struct pdqindex_builder *b)
{
	size_t ncap = b->cap ? b->cap * 2 : 1024;
	struct bentry *e = bigmem_alloc(ncap * sizeof(*e));

	if (!e)
		return -ENOMEM;
	if (b->n)
		memcpy(e, b->e, b->n * sizeof(*e));
	bigmem_free(b->e, b->cap * sizeof(*e));
	b->e = e;
	b->cap = ncap;
	return 0;
}

/* Appends label to the pool; returns its offset (0 for "") or -1. */
static int64_t pool_add(struct pdqindex_builder *b, const char *label)
{
	size_t len = label ? strlen(label) : 0, at = b->pool_len;

	if (!len)
		return 0;
	if (at + len + 1 > UINT32_MAX)
		return -1;
	while (at + len + 1 > b->pool_cap) {
		char *p = realloc(b->pool, b->pool_cap * 2);

		if (!p)
			return -1;
		b->pool = p;
		b->pool_cap *= 2;
	}
	memcpy(b->pool + at, label, len + 1);
	b->pool_len += len + 1;
	return (int64_t)at;
}

int pdqindex_builder_add(struct pdqindex_builder *b, const struct pdq_hash *h,
			 uint16_t list, uint8_t quality, const char *label)
{
	int64_t lab;

	if (b->n >= PDQINDEX_MAX_ENTRIES || list >= PDQINDEX_MAX_LISTS)
		return -E2BIG;
	if (b->n == b->cap && grow_entries(b))
		return -ENOMEM;
	lab = pool_add(b, label);
	if (lab < 0)
		return -ENOMEM;
	b->e[b->n++] = (struct bentry){
		.h = *h, .label = (uint32_t)lab, .list = (uint8_t)list, .quality = quality,
	};
	return 0;
}

size_t pdqindex_builder_count(const struct pdqindex_builder *b)
{
	return b->n;
}

void pdqindex_builder_free(struct pdqindex_builder *b)
{
	if (!b)
		return;
	bigmem_free(b->e, b->cap * sizeof(*b->e));
	free(b->pool);
	free(b);
}

static size_t page_bytes(size_t npages)
{
	return (npages ? npages : 1) * sizeof(struct pdq_page);
}

/* Pages are 64-aligned: bigmem's small blocks come from calloc. */
static struct pdq_page *pages_alloc(size_t npages)
{
	size_t len = page_bytes(npages);
	void *p = len >= (2u << 20) ? bigmem_alloc(len) : aligned_alloc(64, len);

	if (p)
		memset(p, 0, len);
	return p;
}

/* Counting sort of the builder's entries by chunk 0: off0[0..BUCKETS] and
 * perm[] (entry order -> builder order; stable). */
static void sort_chunk0(const struct bentry *be, size_t n, uint32_t *off, uint32_t *perm)
{
	memset(off, 0, (BUCKETS + 1) * sizeof(*off));
	for (size_t i = 0; i < n; i++)
		off[chunk(&be[i].h, 0) + 1]++;
	for (size_t v = 0; v < BUCKETS; v++)
		off[v + 1] += off[v];
	for (size_t i = 0; i < n; i++)
		perm[off[chunk(&be[i].h, 0)]++] = (uint32_t)i;
	/* the fill advanced each start to the next bucket's: shift back */
	memmove(off + 1, off, BUCKETS * sizeof(*off));
	off[0] = 0;
}

/* Writes the builder's entries into the pages, in the order perm[]. */
static void fill_pages(struct pdqindex *ix, const struct pdqindex_builder *b,
		       const uint32_t *perm)
{
	for (size_t e = 0; e < ix->n; e++) {
		struct pdq_page *pg = &ix->page[e / LANES];
		unsigned k = e % LANES;
		const struct bentry *be = &b->e[perm[e]];

		for (unsigned c = 1; c < SPLIT; c++)
			pg->lo[k][c - 1] = (uint16_t)chunk(&be->h, c);
		for (unsigned c = SPLIT; c < CHUNKS; c++)
			pg->hi[k][c - SPLIT] = (uint16_t)chunk(&be->h, c);
		pg->list[k] = be->list;
		pg->quality[k] = be->quality;
	}
}

/* The label bit vector, its rank samples and the labelled entries' pool
 * offsets; takes the builder's pool. */
static int take_labels(struct pdqindex *ix, struct pdqindex_builder *b, const uint32_t *perm)
{
	size_t n = ix->n, nw = n / 64 + 1, nr = n / RANK_BITS + 1, r = 0;

	ix->has_label = calloc(nw, sizeof(*ix->has_label));
	ix->rank = calloc(nr, sizeof(*ix->rank));
	if (!ix->has_label || !ix->rank)
		return -ENOMEM;
	for (size_t e = 0; e < n; e++)
		if (b->e[perm[e]].label)
			ix->has_label[e / 64] |= 1ull << (e % 64);
	for (size_t w = 0; w < nw; w++) {
		if (w % (RANK_BITS / 64) == 0)
			ix->rank[w / (RANK_BITS / 64)] = (uint32_t)r;
		r += (size_t)__builtin_popcountll(ix->has_label[w]);
	}
	ix->nlabels = r;
	ix->label = malloc((r ? r : 1) * sizeof(*ix->label));
	if (!ix->label)
		return -ENOMEM;
	for (size_t e = 0, i = 0; e < n; e++)
		if (labelled(ix, e))
			ix->label[i++] = b->e[perm[e]].label;
	ix->pool = b->pool;
	ix->pool_len = b->pool_len;
	b->pool = NULL;
	return 0;
}

/* Chunk c's table: bucket v holds the distinct pages with an entry whose
 * chunk c is v, in page order. Counts them into cnt[] or, once the table
 * is planned and placed, also puts them. last[] is scratch. */
static void table_pass(struct pdqindex *ix, unsigned c, uint32_t *cnt, uint32_t *last, int put)
{
	memset(cnt, 0, BUCKETS * sizeof(*cnt));
	memset(last, 0xff, BUCKETS * sizeof(*last));	/* no page yet */
	for (size_t e = 0; e < ix->n; e++) {
		unsigned v = page_chunk(&ix->page[e / LANES], e % LANES, c);
		uint32_t p = (uint32_t)(e / LANES);

		if (last[v] == p)
			continue;	/* two lanes of p share the value */
		last[v] = p;
		if (put)
			pdqef_put(&ix->tab[c], v, cnt[v], p);
		cnt[v]++;
	}
}

/* Tables 1..15, their bits in one huge-page block: counted and planned,
 * then filled. */
static int build_tables(struct pdqindex *ix)
{
	uint32_t *cnt = malloc(BUCKETS * sizeof(*cnt));
	uint32_t *last = malloc(BUCKETS * sizeof(*last));
	size_t at = 0;
	int rc = -ENOMEM;

	if (!cnt || !last)
		goto out;
	for (unsigned c = 1; c < CHUNKS; c++) {
		table_pass(ix, c, cnt, last, 0);
		if ((rc = pdqef_plan(&ix->tab[c], BUCKETS, cnt, (uint32_t)ix->npages)))
			goto out;
		ix->ef_words += pdqef_words(&ix->tab[c]);
	}
	rc = -ENOMEM;
	ix->ef = bigmem_alloc(ix->ef_words * sizeof(*ix->ef));
	if (!ix->ef)
		goto out;
	for (unsigned c = 1; c < CHUNKS; c++) {
		pdqef_place(&ix->tab[c], ix->ef + at);
		at += pdqef_words(&ix->tab[c]);
		table_pass(ix, c, cnt, last, 1);
		pdqef_seal(&ix->tab[c]);
	}
	rc = 0;
out:
	free(cnt);
	free(last);
	return rc;
}

struct pdqindex *pdqindex_build(struct pdqindex_builder *b)
{
	struct pdqindex *ix = calloc(1, sizeof(*ix));
	uint32_t *perm = NULL;
	int rc = -ENOMEM;

	if (!ix)
		goto out;
	ix->n = b->n;
	ix->npages = (b->n + LANES - 1) / LANES;
	perm = bigmem_alloc(b->n * sizeof(*perm));
	ix->off0 = malloc((BUCKETS + 1) * sizeof(*ix->off0));
	ix->page = pages_alloc(ix->npages);
	if (!perm || !ix->off0 || !ix->page)
		goto out;
	sort_chunk0(b->e, b->n, ix->off0, perm);
	fill_pages(ix, b, perm);
	if ((rc = take_labels(ix, b, perm)))
		goto out;
	bigmem_free(perm, b->n * sizeof(*perm));
	perm = NULL;
	pdqindex_builder_free(b);
	b = NULL;
	rc = build_tables(ix);
out:
	if (perm)
		bigmem_free(perm, ix->n * sizeof(*perm));
	pdqindex_builder_free(b);
	if (rc) {
		pdqindex_free(ix);
		errno = -rc;
		return NULL;
	}
	return ix;
}

void pdqindex_free(struct pdqindex *ix)
{
	if (!ix)
		return;
	for (unsigned c = 1; c < CHUNKS; c++)
		pdqef_free(&ix->tab[c]);
	bigmem_free(ix->ef, ix->ef_words * sizeof(*ix->ef));
	bigmem_free(ix->page, page_bytes(ix->npages));
	free(ix->off0);
	free(ix->has_label);
	free(ix->rank);
	free(ix->label);
	free(ix->pool);
	free(ix);
}

size_t pdqindex_count(const struct pdqindex *ix)
{
	return ix->n;
}

size_t pdqindex_memory(const struct pdqindex *ix)
{
	size_t m = sizeof(*ix) + ix->npages * sizeof(struct pdq_page) +
		   (BUCKETS + 1) * sizeof(*ix->off0) +
		   (ix->n / 64 + 1) * sizeof(*ix->has_label) +
		   (ix->n / RANK_BITS + 1) * sizeof(*ix->rank) +
		   ix->nlabels * sizeof(*ix->label) + ix->pool_len;

	for (unsigned c = 1; c < CHUNKS; c++)
		m += pdqef_memory(&ix->tab[c]);
	return m;
}
