// SPDX-License-Identifier: GPL-2.0
/* PDQ near-match index: multi-index hashing over 16 chunks of 16 bits,
 * with tables of pages. Built from PDQ lists (pdqlist.c, hashxml.c);
 * queried by the image stage.
 *
 * Why it is exact: split the 256 bits into 16 chunks of 16. If two hashes
 * differ in at most 31 bits, the 16 chunk distances sum to <= 31, so at
 * least one chunk differs in at most 1 bit (16 chunks of >= 2 would make
 * 32). A query therefore looks, in each chunk's table, at the bucket of its
 * own chunk value and at the 16 buckets one bit away (17 x 16 = 272
 * buckets), and checks the full distance of every entry found there. An
 * entry found in several chunks is reported only from the first chunk
 * where it is within one bit, so nothing is reported twice. Below 16 the
 * same argument gives a chunk at distance 0: one bucket per chunk. Above
 * 31 it breaks, and the query scans.
 *
 * The layout is in pdqindex_int.h, the building in pdqindex_build.c. A
 * query reaches a page through chunk c's bucket w, checks the lanes whose
 * chunk c is w, sums the distance over the cache line holding chunk c
 * first and reads the other line only if that is still within the
 * threshold: one cache line per candidate, as with whole hashes. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "pdqindex_int.h"

/* The distance loops are built twice, with and without the POPCNT
 * instruction (x86-64's baseline lacks it), and the loader picks one at
 * start-up; helpers are forced inline so each copy gets its own. GCC only:
 * clang 14 (the fuzz build) leaves callers in other files unresolved. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HOT_CLONES	__attribute__((target_clones("popcnt", "default")))
#else
#define HOT_CLONES
#endif

int pdq_hash_from_hex(const char *s, size_t len, struct pdq_hash *h)
{
	if (len != PDQ_HEX_LEN)
		return -EINVAL;
	return hex_decode(s, PDQ_HASH_BYTES, h->b);
}

void pdq_hash_to_hex(const struct pdq_hash *h, char out[PDQ_HEX_LEN + 1])
{
	hex_encode(h->b, PDQ_HASH_BYTES, out);
}

/* XOR of two hashes as four words (any byte order: only popcounts and
 * whole chunks are read from it). */
struct pdq_xor {
	uint64_t w[4];
};

INLINE unsigned xor_dist(const struct pdq_hash *a, const struct pdq_hash *b,
			 struct pdq_xor *x)
{
	uint64_t wa[4], wb[4];

	memcpy(wa, a->b, sizeof(wa));
	memcpy(wb, b->b, sizeof(wb));
	for (int i = 0; i < 4; i++)
		x->w[i] = wa[i] ^ wb[i];
	return (unsigned)(__builtin_popcountll(x->w[0]) + __builtin_popcountll(x->w[1]) +
			  __builtin_popcountll(x->w[2]) + __builtin_popcountll(x->w[3]));
}

HOT_CLONES unsigned pdq_hash_distance(const struct pdq_hash *a, const struct pdq_hash *b)
{
	struct pdq_xor x;

	return xor_dist(a, b, &x);
}

/* ---- reading entries ---- */

/* Entry e's chunk 0: the off0 bucket it sits in. */
static unsigned chunk0_of(const struct pdqindex *ix, uint32_t e)
{
	unsigned lo = 0, hi = BUCKETS;	/* off0[lo] <= e < off0[hi] */

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (ix->off0[mid] <= e)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Entry e's label: its rank among the labelled entries picks its offset. */
static const char *label_at(const struct pdqindex *ix, uint32_t e)
{
	size_t w = e / 64, r;

	if (!labelled(ix, e))
		return "";
	r = ix->rank[e / RANK_BITS];
	for (size_t i = w - w % (RANK_BITS / 64); i < w; i++)
		r += (size_t)__builtin_popcountll(ix->has_label[i]);
	r += (size_t)__builtin_popcountll(ix->has_label[w] & ((1ull << (e % 64)) - 1));
	return ix->pool + ix->label[r];
}

void pdqindex_hash(const struct pdqindex *ix, uint32_t e, struct pdq_hash *h)
{
	const struct pdq_page *pg = &ix->page[e / LANES];

	for (unsigned c = 0; c < CHUNKS; c++) {
		unsigned v = c ? page_chunk(pg, e % LANES, c) : chunk0_of(ix, e);

		h->b[2 * c] = (uint8_t)(v >> 8);
		h->b[2 * c + 1] = (uint8_t)v;
	}
}

/* ---- queries ---- */

struct query {
	const struct pdqindex *ix;
	unsigned t;
	unsigned radius;	/* chunk radius probed: 0 or 1 */
	unsigned nprobe;	/* buckets probed per chunk: 1 or 17 */
	uint16_t qc[CHUNKS];	/* the query's chunks */
	uint64_t qlo[2], qhi[2];	/* chunks 1..8 and 9..15 laid out as in a page */
	uint32_t last_page;
	unsigned last_mask;	/* its lanes that hold entries */
	struct pdq_match *out;
	size_t max, total;
};

INLINE int within(const struct query *qs, unsigned x)
{
	return qs->radius ? !(x & (x - 1)) : !x;
}

INLINE void record(struct query *qs, uint32_t e, unsigned d)
{
	const struct pdq_page *pg = &qs->ix->page[e / LANES];

	if (qs->total < qs->max)
		qs->out[qs->total] = (struct pdq_match){
			.entry = e, .distance = (uint16_t)d, .list = pg->list[e % LANES],
			.quality = pg->quality[e % LANES], .label = label_at(qs->ix, e),
		};
	qs->total++;
}

INLINE uint64_t load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Distance of lane k over chunks 1..8 (the page's first line) and 9..15
 * (its second): the lane's chunks are contiguous, 16 and 14 bytes, and
 * qs->qlo, qs->qhi hold the query's in the same layout. */
INLINE unsigned dist_lo(const struct query *qs, const struct pdq_page *pg, unsigned k)
{
	return (unsigned)(__builtin_popcountll(load64(&pg->lo[k][0]) ^ qs->qlo[0]) +
			  __builtin_popcountll(load64(&pg->lo[k][4]) ^ qs->qlo[1]));
}

INLINE unsigned dist_hi(const struct query *qs, const struct pdq_page *pg, unsigned k)
{
	/* the second word's last 2 bytes are the next lane's (or list ids) */
	uint64_t x = le64toh(load64(&pg->hi[k][4]) ^ qs->qhi[1]) & 0xffffffffffffull;

	return (unsigned)(__builtin_popcountll(load64(&pg->hi[k][0]) ^ qs->qhi[0]) +
			  __builtin_popcountll(x));
}

/* Entry e of bucket w of table 0: its chunk 0 is w. */
INLINE void check0(struct query *qs, uint32_t e, unsigned w)
{
	const struct pdq_page *pg = &qs->ix->page[e / LANES];
	unsigned d = (unsigned)__builtin_popcount(w ^ qs->qc[0]) +
		     dist_lo(qs, pg, e % LANES) + dist_hi(qs, pg, e % LANES);

	if (d <= qs->t)
		record(qs, e, d);
}

/* Lane k of page p, whose chunk c (>= 1) is within the radius: the cache
 * line holding chunk c first, the other line and chunk 0 only for near
 * candidates. Reported unless an earlier chunk was within the radius. */
INLINE void check_lane(struct query *qs, uint32_t p, unsigned k, unsigned c)
{
	const struct pdq_page *pg = &qs->ix->page[p];
	uint32_t e = p * LANES + k;
	unsigned d, x0;

	d = c < SPLIT ? dist_lo(qs, pg, k) : dist_hi(qs, pg, k);
	if (d > qs->t)
		return;
	d += c < SPLIT ? dist_hi(qs, pg, k) : dist_lo(qs, pg, k);
	if (d > qs->t)
		return;
	for (unsigned i = 1; i < c; i++)
		if (within(qs, page_chunk(pg, k, i) ^ qs->qc[i]))
			return;
	x0 = chunk0_of(qs->ix, e) ^ qs->qc[0];
	d += (unsigned)__builtin_popcount(x0);
	if (d <= qs->t && !within(qs, x0))
		record(qs, e, d);
}

/* Page p, reached through bucket w of chunk c: the lanes whose chunk c is
 * w (a lane with another probed value is checked from that bucket). */
INLINE void check_page(struct query *qs, uint32_t p, unsigned w, unsigned c)
{
	const struct pdq_page *pg = &qs->ix->page[p];
	unsigned mask = (unsigned)(page_chunk(pg, 0, c) == w) |
			(unsigned)(page_chunk(pg, 1, c) == w) << 1 |
			(unsigned)(page_chunk(pg, 2, c) == w) << 2 |
			(unsigned)(page_chunk(pg, 3, c) == w) << 3;

	if (p == qs->last_page)	/* it may be short */
		mask &= qs->last_mask;
	while (mask) {
		unsigned k = (unsigned)__builtin_ctz(mask);

		mask &= mask - 1;
		check_lane(qs, p, k, c);
	}
}

/* The probed buckets: w = v, then v with bit k - 1 flipped. */
INLINE unsigned probe(const struct query *qs, unsigned c, unsigned k)
{
	return k ? qs->qc[c] ^ (1u << (k - 1)) : qs->qc[c];
}

/* Table 0: entry ranges. Their pages are prefetched before any is read. */
INLINE void probe_chunk0(struct query *qs)
{
	const uint32_t *off = qs->ix->off0;

	for (unsigned k = 0; k < qs->nprobe; k++) {
		unsigned w = probe(qs, 0, k);

		if (off[w] == off[w + 1])
			continue;
		for (uint32_t p = off[w] / LANES; p <= (off[w + 1] - 1) / LANES; p++) {
			__builtin_prefetch(qs->ix->page[p].lo);
			__builtin_prefetch(qs->ix->page[p].hi);
		}
	}
	for (unsigned k = 0; k < qs->nprobe; k++) {
		unsigned w = probe(qs, 0, k);

		for (uint32_t e = off[w]; e < off[w + 1]; e++)
			check0(qs, e, w);
	}
}

/* Pages in flight: each is prefetched when decoded and checked RING
 * decodes later, so that many cache misses overlap. */
#define RING	64

struct ring {
	uint32_t page[RING];
	uint16_t val[RING];
	uint8_t chunk[RING];
	unsigned n;
};

INLINE void ring_pop(struct query *qs, struct ring *r, unsigned i)
{
	check_page(qs, r->page[i], r->val[i], r->chunk[i]);
}

INLINE void ring_push(struct query *qs, struct ring *r, uint32_t p, unsigned w, unsigned c)
{
	unsigned i = r->n++ % RING;

	__builtin_prefetch(page_line(&qs->ix->page[p], c));
	if (r->n > RING)
		ring_pop(qs, r, i);
	r->page[i] = p;
	r->val[i] = (uint16_t)w;
	r->chunk[i] = (uint8_t)c;
}

/* Tables 1..15: the directory entries of all probed buckets are
 * prefetched, then their bit positions read (prefetching the bits), then
 * the page numbers decoded into the ring. */
INLINE void probe_tables(struct query *qs)
{
	struct pdqef_iter it[CHUNKS - 1][17];
	struct ring r;
	uint32_t p;

	r.n = 0;
	for (unsigned c = 1; c < CHUNKS; c++)
		for (unsigned k = 0; k < qs->nprobe; k++)
			pdqef_prefetch(&qs->ix->tab[c], probe(qs, c, k));
	for (unsigned c = 1; c < CHUNKS; c++)
		for (unsigned k = 0; k < qs->nprobe; k++)
			pdqef_iter_init(&qs->ix->tab[c], probe(qs, c, k), &it[c - 1][k]);
	for (unsigned c = 1; c < CHUNKS; c++) {
		for (unsigned k = 0; k < qs->nprobe; k++) {
			pdqef_iter_start(&it[c - 1][k]);
			while (pdqef_next(&it[c - 1][k], &p))
				ring_push(qs, &r, p, probe(qs, c, k), c);
		}
	}
	for (unsigned i = r.n > RING ? r.n - RING : 0; i < r.n; i++)
		ring_pop(qs, &r, i % RING);
}

static int by_entry(const void *a, const void *b)
{
	const struct pdq_match *x = a, *y = b;

	return (x->entry > y->entry) - (x->entry < y->entry);
}

static void query_init(struct query *qs, const struct pdqindex *ix, const struct pdq_hash *q,
		       unsigned threshold, struct pdq_match *out, size_t max)
{
	uint16_t lo[8], hi[8] = { 0 };	/* hi[7] is padding */
	size_t tail = ix->n % LANES;

	*qs = (struct query){ .ix = ix, .t = threshold, .radius = threshold >= CHUNKS,
			      .out = out, .max = max, .last_page = (uint32_t)ix->npages - 1,
			      .last_mask = tail ? (1u << tail) - 1 : (1u << LANES) - 1 };
	qs->nprobe = qs->radius ? 17 : 1;
	for (unsigned c = 1; c < CHUNKS; c++)
		*(c < SPLIT ? &lo[c - 1] : &hi[c - SPLIT]) = (uint16_t)chunk(q, c);
	memcpy(qs->qlo, lo, sizeof(lo));
	memcpy(qs->qhi, hi, sizeof(hi));
	for (unsigned c = 0; c < CHUNKS; c++)
		qs->qc[c] = (uint16_t)chunk(q, c);
}

/* Every entry in order: a chunk 0 bucket at a time. */
INLINE size_t scan(const struct pdqindex *ix, const struct pdq_hash *q,
		   unsigned threshold, struct pdq_match *out, size_t max)
{
	struct query qs;

	query_init(&qs, ix, q, threshold, out, max);
	for (unsigned w = 0; w < BUCKETS; w++)
		for (uint32_t e = ix->off0[w]; e < ix->off0[w + 1]; e++)
			check0(&qs, e, w);
	return qs.total;
}

HOT_CLONES size_t pdqindex_query(const struct pdqindex *ix, const struct pdq_hash *q,
				 unsigned threshold, struct pdq_match *out, size_t max)
{
	struct query qs;

	if (threshold >= 2 * CHUNKS)
		return scan(ix, q, threshold, out, max);
	query_init(&qs, ix, q, threshold, out, max);
	probe_chunk0(&qs);
	probe_tables(&qs);
	qsort(out, qs.total < max ? qs.total : max, sizeof(*out), by_entry);
	return qs.total;
}

HOT_CLONES size_t pdqindex_query_scan(const struct pdqindex *ix, const struct pdq_hash *q,
				      unsigned threshold, struct pdq_match *out, size_t max)
{
	return scan(ix, q, threshold, out, max);
}
