// SPDX-License-Identifier: GPL-2.0
/* PDQ near-match index: multi-index hashing over 16 chunks of 16 bits.
 * Built from PDQ lists (pdqlist.c, hashxml.c); queried by the image stage.
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
 * Layout (sorted arrays, no pointers per entry):
 *
 *   hash[]   entries sorted by chunk 0 (counting sort): table 0 is the
 *            hash array itself, bucket v = off[0][v] .. off[0][v+1]
 *   ids[c]   for c = 1..15: entry numbers sorted by chunk c, packed in 3
 *            bytes (4 past 2^24 entries), little-endian
 *   off[c]   65537 bucket starts per chunk (u32), 4 MiB in all
 *   list[], quality[], label[]   per entry: u16, u8, u32 offset into a
 *            pool of NUL-terminated labels (offset 0 is "")
 *
 * Per entry: 32 + 15 * 3 + 2 + 1 + 4 = 84 bytes, plus the labels. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "pdqindex.h"

#define CHUNKS		16
#define BUCKETS		65536
#define OFF_BYTES	(CHUNKS * (BUCKETS + 1) * sizeof(uint32_t))
/* Entry numbers take 3 bytes up to this many entries, 4 past it. Unit
 * tests (EW_TESTING) lower it so both widths run on small data. */
#ifdef EW_TESTING
#define IDW3_MAX	10000u
#else
#define IDW3_MAX	(1u << 24)
#endif

/* The distance loops are built twice, with and without the POPCNT
 * instruction (x86-64's baseline lacks it), and the loader picks one at
 * start-up; helpers are forced inline so each copy gets its own. GCC only:
 * clang 14 (the fuzz build) leaves callers in other files unresolved. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HOT_CLONES	__attribute__((target_clones("popcnt", "default")))
#else
#define HOT_CLONES
#endif
#define INLINE		static inline __attribute__((always_inline))

struct pdqindex_builder {
	struct pdq_hash *hash;
	uint16_t *list;
	uint8_t *quality;
	uint32_t *label;
	size_t n, cap;
	char *pool;
	size_t pool_len, pool_cap;
};

struct pdqindex {
	size_t n;
	struct pdq_hash *hash;
	uint16_t *list;
	uint8_t *quality;
	uint32_t *label;
	uint8_t *ids[CHUNKS];		/* ids[0] unused: hash[] is in chunk 0 order */
	unsigned idw;			/* bytes per entry number: 3, or 4 */
	uint32_t *off[CHUNKS];		/* into off_all, one huge-page block */
	uint32_t *off_all;
	char *pool;
	size_t pool_len;
};

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pdq_hash_from_hex(const char *s, size_t len, struct pdq_hash *h)
{
	if (len != PDQ_HEX_LEN)
		return -EINVAL;
	for (int i = 0; i < PDQ_HASH_BYTES; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		h->b[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void pdq_hash_to_hex(const struct pdq_hash *h, char out[PDQ_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < PDQ_HASH_BYTES; i++) {
		out[2 * i] = hex[h->b[i] >> 4];
		out[2 * i + 1] = hex[h->b[i] & 15];
	}
	out[PDQ_HEX_LEN] = '\0';
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

/* Chunk c: the big-endian 16-bit value of bytes 2c, 2c+1. */
static unsigned chunk(const uint8_t *b, unsigned c)
{
	return (unsigned)b[2 * c] << 8 | b[2 * c + 1];
}

/* Entry number i of a packed table: one unaligned 4-byte load (the arrays
 * carry a byte of padding for the last one), masked to w bytes. */
static inline uint32_t id_at(const uint8_t *ids, uint32_t i, unsigned w)
{
	uint32_t v;

	memcpy(&v, ids + (size_t)i * w, sizeof(v));
	v = le32toh(v);
	return w == 4 ? v : v & 0xffffff;
}

static size_t ids_bytes(size_t n, unsigned w)
{
	return n * w + 1;
}

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
	void *p;

	if ((p = realloc(b->hash, ncap * sizeof(*b->hash))))
		b->hash = p;
	if (p && (p = realloc(b->list, ncap * sizeof(*b->list))))
		b->list = p;
	if (p && (p = realloc(b->quality, ncap * sizeof(*b->quality))))
		b->quality = p;
	if (p && (p = realloc(b->label, ncap * sizeof(*b->label))))
		b->label = p;
	if (!p)
		return -ENOMEM;
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

	if (b->n >= PDQINDEX_MAX_ENTRIES)
		return -E2BIG;
	if (b->n == b->cap && grow_entries(b))
		return -ENOMEM;
	lab = pool_add(b, label);
	if (lab < 0)
		return -ENOMEM;
	b->hash[b->n] = *h;
	b->list[b->n] = list;
	b->quality[b->n] = quality;
	b->label[b->n] = (uint32_t)lab;
	b->n++;
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
	free(b->hash);
	free(b->list);
	free(b->quality);
	free(b->label);
	free(b->pool);
	free(b);
}

/* Counting sort of entries by chunk c: fills off[0..BUCKETS] and, in
 * bucket order, out[] with the entry numbers (in order, so stable). */
static void bucket_sort(const struct pdq_hash *h, size_t n, unsigned c,
			uint32_t *off, uint32_t *out)
{
	memset(off, 0, (BUCKETS + 1) * sizeof(*off));
	for (size_t i = 0; i < n; i++)
		off[chunk(h[i].b, c) + 1]++;
	for (size_t v = 0; v < BUCKETS; v++)
		off[v + 1] += off[v];
	for (size_t i = 0; i < n; i++)
		out[off[chunk(h[i].b, c)]++] = (uint32_t)i;
	/* the fill advanced each start to the next bucket's: shift back */
	memmove(off + 1, off, BUCKETS * sizeof(*off));
	off[0] = 0;
}

/* Writes n entry numbers as w-byte little-endian values. */
static void pack_ids(uint8_t *dst, const uint32_t *ids, size_t n, unsigned w)
{
	for (size_t i = 0; i < n; i++, dst += w) {
		dst[0] = (uint8_t)ids[i];
		dst[1] = (uint8_t)(ids[i] >> 8);
		dst[2] = (uint8_t)(ids[i] >> 16);
		if (w == 4)
			dst[3] = (uint8_t)(ids[i] >> 24);
	}
}

/* Moves the builder's per-entry arrays into ix in the order perm[]. */
static int take_entries(struct pdqindex *ix, struct pdqindex_builder *b,
			const uint32_t *perm)
{
	size_t n = b->n;

	ix->hash = bigmem_alloc(n * sizeof(*ix->hash));
	ix->list = malloc((n ? n : 1) * sizeof(*ix->list));
	ix->quality = malloc(n ? n : 1);
	ix->label = malloc((n ? n : 1) * sizeof(*ix->label));
	if (!ix->hash || !ix->list || !ix->quality || !ix->label)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		ix->hash[i] = b->hash[perm[i]];
		ix->list[i] = b->list[perm[i]];
		ix->quality[i] = b->quality[perm[i]];
		ix->label[i] = b->label[perm[i]];
	}
	ix->pool = b->pool;
	ix->pool_len = b->pool_len;
	b->pool = NULL;
	return 0;
}

struct pdqindex *pdqindex_build(struct pdqindex_builder *b)
{
	struct pdqindex *ix = calloc(1, sizeof(*ix));
	uint32_t *perm = NULL;
	int rc = -ENOMEM;

	if (!ix)
		goto out;
	ix->n = b->n;
	ix->idw = b->n <= IDW3_MAX ? 3 : 4;
	perm = malloc((b->n ? b->n : 1) * sizeof(*perm));
	ix->off_all = bigmem_alloc(OFF_BYTES);
	if (!ix->off_all)
		goto out;
	for (unsigned c = 0; c < CHUNKS; c++) {
		ix->off[c] = ix->off_all + c * (BUCKETS + 1);
		if (c && !(ix->ids[c] = bigmem_alloc(ids_bytes(b->n, ix->idw))))
			goto out;
	}
	if (!perm)
		goto out;
	bucket_sort(b->hash, b->n, 0, ix->off[0], perm);
	if (take_entries(ix, b, perm))
		goto out;
	/* perm is free now: it holds each chunk's order before packing */
	for (unsigned c = 1; c < CHUNKS; c++) {
		bucket_sort(ix->hash, ix->n, c, ix->off[c], perm);
		pack_ids(ix->ids[c], perm, ix->n, ix->idw);
	}
	rc = 0;
out:
	free(perm);
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
	for (unsigned c = 0; c < CHUNKS; c++)
		bigmem_free(ix->ids[c], ids_bytes(ix->n, ix->idw));
	bigmem_free(ix->off_all, OFF_BYTES);
	bigmem_free(ix->hash, ix->n * sizeof(*ix->hash));
	free(ix->list);
	free(ix->quality);
	free(ix->label);
	free(ix->pool);
	free(ix);
}

struct query {
	const struct pdqindex *ix;
	const struct pdq_hash *q;
	unsigned t;
	unsigned radius;	/* chunk radius probed: 0 or 1 */
	struct pdq_match *out;
	size_t max, total;
};

INLINE void record(struct query *qs, uint32_t e, unsigned d)
{
	const struct pdqindex *ix = qs->ix;

	if (qs->total < qs->max)
		qs->out[qs->total] = (struct pdq_match){
			.entry = e, .distance = (uint16_t)d, .list = ix->list[e],
			.quality = ix->quality[e], .label = ix->pool + ix->label[e],
		};
	qs->total++;
}

/* Checks entry e, found through chunk c. */
INLINE void check(struct query *qs, uint32_t e, unsigned c)
{
	struct pdq_xor x;
	const uint8_t *xb = (const uint8_t *)x.w;
	unsigned d = xor_dist(&qs->ix->hash[e], qs->q, &x);

	if (d > qs->t)
		return;
	/* reported already if an earlier chunk was within the radius */
	for (unsigned p = 0; p < c; p++) {
		unsigned v = chunk(xb, p);

		if (qs->radius ? !(v & (v - 1)) : !v)
			return;
	}
	record(qs, e, d);
}

#define BATCH	512

/* Candidates of one chunk: the 1 or 17 buckets are gathered first and their
 * hashes prefetched, so the random reads overlap instead of queueing. */
INLINE void probe_chunk(struct query *qs, unsigned c)
{
	const uint32_t *off = qs->ix->off[c];
	const uint8_t *ids = qs->ix->ids[c];
	unsigned idw = qs->ix->idw;
	unsigned v = chunk(qs->q->b, c);
	uint32_t batch[BATCH];
	size_t nb = 0;

	for (unsigned k = 0; k <= (qs->radius ? 16u : 0u); k++) {
		unsigned w = k ? v ^ (1u << (k - 1)) : v;

		for (uint32_t i = off[w]; i < off[w + 1]; i++) {
			uint32_t e = c ? id_at(ids, i, idw) : i;

			__builtin_prefetch(&qs->ix->hash[e]);
			batch[nb++] = e;
			if (nb == BATCH) {
				for (size_t j = 0; j < nb; j++)
					check(qs, batch[j], c);
				nb = 0;
			}
		}
	}
	for (size_t j = 0; j < nb; j++)
		check(qs, batch[j], c);
}

static int by_entry(const void *a, const void *b)
{
	const struct pdq_match *x = a, *y = b;

	return (x->entry > y->entry) - (x->entry < y->entry);
}

INLINE size_t scan(const struct pdqindex *ix, const struct pdq_hash *q,
		   unsigned threshold, struct pdq_match *out, size_t max)
{
	struct query qs = { ix, q, threshold, 0, out, max, 0 };

	for (size_t i = 0; i < ix->n; i++) {
		struct pdq_xor x;
		unsigned d = xor_dist(&ix->hash[i], q, &x);

		if (d <= threshold)
			record(&qs, (uint32_t)i, d);
	}
	return qs.total;
}

HOT_CLONES size_t pdqindex_query(const struct pdqindex *ix, const struct pdq_hash *q,
		      unsigned threshold, struct pdq_match *out, size_t max)
{
	struct query qs = { ix, q, threshold, threshold >= CHUNKS, out, max, 0 };

	if (threshold >= 2 * CHUNKS)
		return scan(ix, q, threshold, out, max);
	for (unsigned c = 0; c < CHUNKS; c++)
		probe_chunk(&qs, c);
	qsort(out, qs.total < max ? qs.total : max, sizeof(*out), by_entry);
	return qs.total;
}

HOT_CLONES size_t pdqindex_query_scan(const struct pdqindex *ix, const struct pdq_hash *q,
			   unsigned threshold, struct pdq_match *out, size_t max)
{
	return scan(ix, q, threshold, out, max);
}

size_t pdqindex_count(const struct pdqindex *ix)
{
	return ix->n;
}

size_t pdqindex_memory(const struct pdqindex *ix)
{
	size_t per = sizeof(*ix->hash) + sizeof(*ix->list) + 1 + sizeof(*ix->label);

	return sizeof(*ix) + ix->n * per + (CHUNKS - 1) * ids_bytes(ix->n, ix->idw) +
	       OFF_BYTES + ix->pool_len;
}

const struct pdq_hash *pdqindex_hash(const struct pdqindex *ix, uint32_t i)
{
	return &ix->hash[i];
}
