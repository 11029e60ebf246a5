/* SPDX-License-Identifier: GPL-2.0 */
/* The PDQ index's layout, shared by pdqindex_build.c (which fills it) and
 * pdqindex.c (which queries it); nothing outside those two includes this.
 *
 * Entries are sorted by chunk 0 (counting sort); entry e sits in page
 * e / 4, lane e % 4:
 *
 *   off0[]   65537 starts of the chunk 0 buckets: table 0 is the entry
 *            order itself, and an entry's chunk 0 is the bucket it is in
 *            (found by binary search, only for near candidates)
 *   page[]   128 bytes, 64-aligned, 4 entries without their chunk 0:
 *
 *            bytes   0..63    lane k's chunks 1..8 at 16k    (line 0)
 *            bytes  64..119   lane k's chunks 9..15 at 64+14k (line 1)
 *            bytes 120..127   list id[4], quality[4]
 *
 *   tab[c]   c = 1..15: for each chunk value, the pages holding an entry
 *            with that value, Elias-Fano coded (pdqef.h), all 15 in one
 *            huge-page block: ~16 bits a page number at 4 entries a page
 *   labels   a bit per entry ("has a label"), a rank sample per 512 bits,
 *            and u32 pool offsets for the labelled entries only
 *
 * Per entry: 32 (page) + 15 * ~2 (tables) + 0.4 (directories) = ~62.5
 * bytes at 10M, plus labels. */
#ifndef EW_PDQINDEX_INT_H
#define EW_PDQINDEX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pdqef.h"
#include "pdqindex.h"

#define CHUNKS		16
#define BUCKETS		65536
#define LANES		4
#define SPLIT		9	/* chunks 1..8 in a page's first line, 9..15 in its second */
#define RANK_BITS	512	/* label bits per rank sample */

#define INLINE		static inline __attribute__((always_inline))

struct pdq_page {
	uint16_t lo[LANES][SPLIT - 1];		/* chunks 1..8 of each lane */
	uint16_t hi[LANES][CHUNKS - SPLIT];	/* chunks 9..15 */
	uint8_t list[LANES];
	uint8_t quality[LANES];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct pdq_page) == 128, "a page is two cache lines");
_Static_assert(offsetof(struct pdq_page, hi) == 64, "lo fills the first line");

/* Chunk c (1..15) of lane k. */
INLINE unsigned page_chunk(const struct pdq_page *pg, unsigned k, unsigned c)
{
	return c < SPLIT ? pg->lo[k][c - 1] : pg->hi[k][c - SPLIT];
}

/* The cache line holding chunk c (1..15). */
INLINE const void *page_line(const struct pdq_page *pg, unsigned c)
{
	return c < SPLIT ? (const void *)pg->lo : (const void *)pg->hi;
}

struct pdqindex {
	size_t n, npages;
	struct pdq_page *page;
	uint32_t *off0;
	struct pdqef tab[CHUNKS];	/* tab[0] unused: off0 is table 0 */
	uint64_t *ef;			/* the tables' bits, one block */
	size_t ef_words;
	uint64_t *has_label;		/* n bits */
	uint32_t *rank;			/* labelled entries before each RANK_BITS */
	uint32_t *label;		/* pool offsets of the labelled entries */
	size_t nlabels;
	char *pool;
	size_t pool_len;
};

/* Chunk c of a hash: the big-endian 16-bit value of bytes 2c, 2c+1. */
static inline unsigned chunk(const struct pdq_hash *h, unsigned c)
{
	return (unsigned)h->b[2 * c] << 8 | h->b[2 * c + 1];
}

/* Entry e has a label. */
static inline int labelled(const struct pdqindex *ix, size_t e)
{
	return (int)(ix->has_label[e / 64] >> (e % 64) & 1);
}

#endif
