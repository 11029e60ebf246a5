/* SPDX-License-Identifier: GPL-2.0 */
/* PDQ hashes and the near-match index. Fed by pdqlist.c and hashxml.c (list
 * loading) and queried by the image stage with the PDQ of each decoded
 * image: a query returns every entry within a Hamming threshold. */
#ifndef EW_PDQINDEX_H
#define EW_PDQINDEX_H

#include <stddef.h>
#include <stdint.h>

#define PDQ_HASH_BYTES		32
#define PDQ_HEX_LEN		64	/* hex digits, no NUL */
#define PDQ_DEFAULT_THRESHOLD	31	/* the reference's match threshold */
#define PDQ_QUALITY_NONE	255	/* entry carries no quality */

/* A 256-bit PDQ hash in the reference's text order: read the 64 hex digits
 * as a big-endian 256-bit integer; b[0] holds the first two hex digits
 * (hash bits 255..248), b[31] the last two (bits 7..0). Hash bit k (k =
 * i*16 + j, set iff DCT coefficient B[i][j] > median) is bit k % 8 of
 * b[31 - k / 8]; use pdq_hash_set_bit so nobody has to think about it.
 *
 *   hex  "d8f8 f0ce ... 9b22"
 *   b[]   d8 f8 f0 ce ... 9b 22      b[31] bit 0 = hash bit 0 = B[0][0] */
struct pdq_hash {
	uint8_t b[PDQ_HASH_BYTES];
};

static inline void pdq_hash_set_bit(struct pdq_hash *h, unsigned k)
{
	h->b[31 - k / 8] |= (uint8_t)(1u << (k % 8));
}

static inline int pdq_hash_get_bit(const struct pdq_hash *h, unsigned k)
{
	return (h->b[31 - k / 8] >> (k % 8)) & 1;
}

/* Parses exactly 64 hex digits (either case) from s[0..len). Returns 0 or
 * -EINVAL (wrong length or a non-hex character). */
int pdq_hash_from_hex(const char *s, size_t len, struct pdq_hash *h);

/* Writes 64 lower-case hex digits and a NUL to out. */
void pdq_hash_to_hex(const struct pdq_hash *h, char out[PDQ_HEX_LEN + 1]);

/* Hamming distance, 0..256. */
unsigned pdq_hash_distance(const struct pdq_hash *a, const struct pdq_hash *b);

/* ---- the index ----------------------------------------------------------
 * Build once, query many: a builder collects entries, pdqindex_build turns
 * it into an immutable index that any number of threads may query at once.
 * Each entry carries a list id (the caller's, 0..255: pdqlist and hashxml
 * use it to tell lists or categories apart), an optional quality and a
 * label. */
struct pdqindex_builder;
struct pdqindex;

/* One result. label points into the index (valid while it lives). */
struct pdq_match {
	uint32_t entry;		/* entry number, 0..count-1 (index order) */
	uint16_t distance;
	uint16_t list;
	uint8_t quality;	/* PDQ_QUALITY_NONE if the list had none */
	const char *label;	/* "" if none */
};

/* Returns an empty builder, or NULL with errno ENOMEM. */
struct pdqindex_builder *pdqindex_builder_new(void);

/* Adds one entry; label may be NULL. The label is copied. Returns 0,
 * -ENOMEM, or -E2BIG past PDQINDEX_MAX_ENTRIES or for a list id of
 * PDQINDEX_MAX_LISTS or more (ids are stored in a byte). */
#define PDQINDEX_MAX_ENTRIES	(1u << 30)
#define PDQINDEX_MAX_LISTS	256
int pdqindex_builder_add(struct pdqindex_builder *b, const struct pdq_hash *h,
			 uint16_t list, uint8_t quality, const char *label);

/* Number of entries added so far. */
size_t pdqindex_builder_count(const struct pdqindex_builder *b);

/* Frees a builder that was not built. NULL is a no-op. */
void pdqindex_builder_free(struct pdqindex_builder *b);

/* Turns the builder into an index; the builder is consumed (freed) whether
 * or not this succeeds. Returns the index (caller owns it; pdqindex_free),
 * or NULL with errno ENOMEM. */
struct pdqindex *pdqindex_build(struct pdqindex_builder *b);

/* Finds every entry within `threshold` bits of q (distance <= threshold),
 * exactly as a linear scan would, and returns how many there are. When
 * that is at most max, all of them are in out, ordered by entry number;
 * otherwise out holds max of them (call again with a bigger array).
 * Thresholds up to 31 use the multi-index; larger ones scan. */
size_t pdqindex_query(const struct pdqindex *ix, const struct pdq_hash *q,
		      unsigned threshold, struct pdq_match *out, size_t max);

/* The same contract by linear scan: the oracle for tests and benchmarks. */
size_t pdqindex_query_scan(const struct pdqindex *ix, const struct pdq_hash *q,
			   unsigned threshold, struct pdq_match *out, size_t max);

/* Number of entries, and the bytes the index holds (all its arrays). */
size_t pdqindex_count(const struct pdqindex *ix);
size_t pdqindex_memory(const struct pdqindex *ix);

/* Writes entry i's hash (i < count, index order, not build order) to *h.
 * The index does not keep whole hashes, so this rebuilds one. */
void pdqindex_hash(const struct pdqindex *ix, uint32_t i, struct pdq_hash *h);

/* Frees the index. NULL is a no-op. */
void pdqindex_free(struct pdqindex *ix);

#endif
