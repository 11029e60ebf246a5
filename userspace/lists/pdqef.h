/* SPDX-License-Identifier: GPL-2.0 */
/* Elias-Fano coded buckets for the PDQ index (pdqindex.c): each of its
 * chunk tables maps a 16-bit chunk value to the sorted page numbers that
 * hold an entry with that value, in about 2 + log2(pages / buckets) bits
 * per page number.
 *
 * Bucket v holds m_v distinct values below `universe`. Each value x is
 * split into x >> l (high) and its low l bits:
 *
 *   low[]   the low parts of all buckets, in order, l bits each: bucket v
 *           starts at bit dir[v] * l
 *   high[]  per bucket, m_v + z bits: the i-th value's high part h sets
 *           bit h + i (unary gaps); z = (universe - 1) >> l is the largest
 *           high part, so every bucket has the same number of zeros and
 *           bucket v starts at bit dir[v] + v * z: no second directory
 *   dir[]   nb + 1 counts of the values before each bucket (u32)
 *
 * l is chosen to minimise the total size for the given counts. */
#ifndef EW_PDQEF_H
#define EW_PDQEF_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pdqef {
	uint32_t *dir;		/* nb + 1 */
	uint64_t *low, *high;	/* in the caller's memory (pdqef_place) */
	size_t low_words, high_words;
	unsigned nb, l;
	uint32_t z;
};

/* Building takes four steps, so that a caller can put many tables in one
 * block of memory (one huge-page allocation instead of one each):
 *   pdqef_plan(t, nb, len, universe)  bucket v will hold len[v] values,
 *                                     all below universe: allocates dir,
 *                                     picks l; 0 or -ENOMEM
 *   pdqef_place(t, mem)               mem: pdqef_words(t) zeroed words,
 *                                     owned by the caller, outliving t
 *   pdqef_put(t, v, i, x)             x is bucket v's i-th value; a
 *                                     bucket's values strictly increase
 *   pdqef_seal(t)                     after the last put */
int pdqef_plan(struct pdqef *t, unsigned nb, const uint32_t *len, uint32_t universe);
size_t pdqef_words(const struct pdqef *t);
void pdqef_place(struct pdqef *t, uint64_t *mem);
void pdqef_put(struct pdqef *t, unsigned v, uint32_t i, uint32_t x);
void pdqef_seal(struct pdqef *t);

/* Bytes of t's directory and bits, and freeing its directory. */
size_t pdqef_memory(const struct pdqef *t);
void pdqef_free(struct pdqef *t);

/* Walks one bucket in increasing order; the three steps let a caller
 * overlap the cache misses of many buckets:
 *   pdqef_prefetch(t, v);            (for every bucket it will walk)
 *   pdqef_iter_init(t, v, &it);      (reads dir, prefetches the bits)
 *   pdqef_iter_start(&it); while (pdqef_next(&it, &x)) use(x); */
struct pdqef_iter {
	const struct pdqef *t;
	uint64_t word;
	size_t wi, hs, lbit;
	uint32_t i, m;
};

static inline void pdqef_prefetch(const struct pdqef *t, unsigned v)
{
	__builtin_prefetch(&t->dir[v]);
}

static inline void pdqef_iter_init(const struct pdqef *t, unsigned v, struct pdqef_iter *it)
{
	it->t = t;
	it->i = 0;
	it->m = t->dir[v + 1] - t->dir[v];
	it->hs = t->dir[v] + (size_t)v * t->z;
	it->lbit = (size_t)t->dir[v] * t->l;
	it->wi = it->hs / 64;
	it->word = 0;
	__builtin_prefetch(&t->high[it->wi]);
	__builtin_prefetch((const uint8_t *)t->low + it->lbit / 8);
}

static inline void pdqef_iter_start(struct pdqef_iter *it)
{
	if (it->m)
		it->word = it->t->high[it->wi] & (~0ull << (it->hs % 64));
}

/* l bits from bit position pos of the low array (l < 32; its words are
 * stored little-endian so that any 8 bytes read as one). */
static inline uint64_t pdqef_bits(const uint64_t *a, size_t pos, uint64_t mask)
{
	uint64_t w;

	memcpy(&w, (const uint8_t *)a + pos / 8, sizeof(w));
	return (le64toh(w) >> (pos % 8)) & mask;
}

static inline int pdqef_next(struct pdqef_iter *it, uint32_t *x)
{
	const struct pdqef *t = it->t;
	uint64_t lmask = t->l ? ~0ull >> (64 - t->l) : 0;
	size_t p;

	if (it->i == it->m)
		return 0;
	while (!it->word)
		it->word = t->high[++it->wi];
	p = it->wi * 64 + (size_t)__builtin_ctzll(it->word);
	it->word &= it->word - 1;
	*x = (uint32_t)((p - it->hs - it->i) << t->l |
			pdqef_bits(t->low, it->lbit + (size_t)it->i * t->l, lmask));
	it->i++;
	return 1;
}

#endif
