/* SPDX-License-Identifier: GPL-2.0 */
/* strmap: the policy's lookup tables. A map from byte strings (domain
 * names, "host\0path" keys, 17-byte masked addresses) to a u32, built
 * once when the policy is compiled and then only read, by any number of
 * threads; and the list bitmaps the values point at (struct polbits),
 * interned so a million entries of one list share one bitmap.
 *
 *   policy file --compile--> domset, urlset, cidrset --strmap--> polbits */
#ifndef EW_STRMAP_H
#define EW_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- bitmaps of lists (or groups, categories) -------------------------- */

#define POLBITS_MAX 256 /* bits: lists of a policy, nDPI categories */

struct polbits {
	uint64_t w[POLBITS_MAX / 64];
};

static inline void polbits_set(struct polbits *b, unsigned i)
{
	b->w[i / 64] |= 1ull << (i % 64);
}

static inline bool polbits_test(const struct polbits *b, unsigned i)
{
	return b->w[i / 64] >> (i % 64) & 1;
}

static inline void polbits_or(struct polbits *d, const struct polbits *s)
{
	for (unsigned i = 0; i < POLBITS_MAX / 64; i++)
		d->w[i] |= s->w[i];
}

static inline bool polbits_meet(const struct polbits *a, const struct polbits *b)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < POLBITS_MAX / 64; i++)
		m |= a->w[i] & b->w[i];
	return m != 0;
}

static inline bool polbits_any(const struct polbits *a)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < POLBITS_MAX / 64; i++)
		m |= a->w[i];
	return m != 0;
}

/* a is a subset of b */
static inline bool polbits_within(const struct polbits *a, const struct polbits *b)
{
	for (unsigned i = 0; i < POLBITS_MAX / 64; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

/* ---- the map ------------------------------------------------------------ */

struct strmap_slot {
	uint64_t hash; /* 0: empty */
	uint32_t off, len;
	uint32_t val;
};

/* Zero-initialise; free with strmap_free. */
struct strmap {
	struct strmap_slot *slots;
	size_t cap, n; /* cap: power of two, 0 before the first put */
	char *pool;    /* the keys, back to back */
	size_t pool_len, pool_cap;
};

/* Sets key k[0..len) to val. Returns 1 when the key was there (its old
 * value in *old, when old is not NULL, and replaced), 0 when added, or
 * -ENOMEM / -E2BIG (keys over 4 GiB in all). */
int strmap_put(struct strmap *m, const void *k, size_t len, uint32_t val, uint32_t *old);

/* True and *val when k is in the map. O(1) expected. */
bool strmap_get(const struct strmap *m, const void *k, size_t len, uint32_t *val);

/* Bytes held (slots and keys). */
size_t strmap_memory(const struct strmap *m);

void strmap_free(struct strmap *m);

/* ---- interned bitmaps -----------------------------------------------------
 * Bitmap 0 is always the empty one. */
struct bitpool {
	struct polbits *v;
	size_t n, cap;
	struct strmap ids; /* bitmap bytes -> index */
};

/* Returns 0 and the index of bitmap b in *id (added if new), or -ENOMEM. */
int bitpool_intern(struct bitpool *p, const struct polbits *b, uint32_t *id);

/* The bitmap of index id (from bitpool_intern); the empty bitmap for 0 or
 * a pool never used. */
const struct polbits *bitpool_get(const struct bitpool *p, uint32_t id);

/* Returns 0 and in *id the bitmap of id with bit `bit` added, or -ENOMEM. */
int bitpool_add_bit(struct bitpool *p, uint32_t id, unsigned bit, uint32_t *out);

/* Returns 0 and in *out the union of bitmaps a and b, or -ENOMEM. */
int bitpool_union(struct bitpool *p, uint32_t a, uint32_t b, uint32_t *out);

void bitpool_free(struct bitpool *p);

#endif
