/* SPDX-License-Identifier: GPL-2.0 */
/* Blocked-prefix tables (layout in ew_abi.h, "Blocked prefixes"): planned
 * for a number of prefixes, filled whole from a list, walked back into
 * one. Pure memory work, no BPF calls: blocklist.c moves the tables in and
 * out of the kernel, tests and benchmarks build them directly. */
#ifndef EW_PTABLE_H
#define EW_PTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "ew_abi.h"
#include "prefix.h"

/* One blocked prefix: p masked to its length (IPv4 in p.addr[0..3]). */
struct ptable_entry {
	struct ew_prefix p;
	uint8_t flags;		/* EW_MATCH_*; 0: both */
	uint32_t rule_id;
};

/* e's prefix with the bits past its length cleared, and its rule. */
struct ptable_entry ptable_entry_make(const struct ew_prefix *p, uint32_t rule_id, uint8_t flags);

/* A list of entries that grows as pushed. Zero-initialise; the caller owns
 * it and frees it with ptable_list_free. */
struct ptable_list {
	struct ptable_entry *e;
	size_t n, cap;
};

/* Appends a copy of e. Returns 0 or -ENOMEM (the list is unchanged). */
int ptable_list_push(struct ptable_list *l, const struct ptable_entry *e);

void ptable_list_free(struct ptable_list *l);

/* The shape of one table: 2^cls elements (head + buckets), nb buckets
 * hashed into, and the hash seed. */
struct ptable_plan {
	unsigned int cls;
	uint32_t nb;
	uint32_t seed;
};

/* Bytes per element (bucket) of a family's table: 64 or 128. */
size_t ptable_bucket_size(int family);

/* Plans a table for n prefixes. attempt 0 is the first plan; after a fill
 * fails, plan again with attempt + 1 (another seed; after a few, more
 * buckets too). Returns
 * 0, or -E2BIG when no size class is large enough. */
int ptable_plan(int family, size_t n, unsigned int attempt, uint32_t seed,
		struct ptable_plan *pl);

/* Fills tab (2^pl->cls zeroed elements) with e[0..n), all of one family;
 * of entries with the same prefix the last wins. Returns the number of
 * distinct prefixes stored, -ERANGE for a rule id past EW_PT_RULE_MAX, or
 * -ENOSPC when the evictions of one insert run out (plan again). */
long ptable_fill(int family, void *tab, const struct ptable_plan *pl,
		 const struct ptable_entry *e, size_t n);

/* The head of a table. */
static inline const struct ew_pt_head *ptable_head(const void *tab)
{
	return (const struct ew_pt_head *)tab;
}

/* Calls cb for every prefix in tab (nelem elements); stops at and returns
 * the first nonzero cb return. Reads only what is inside the table, so a
 * damaged head cannot send it out of bounds. */
int ptable_foreach(int family, const void *tab, size_t nelem,
		   int (*cb)(const struct ptable_entry *e, void *ctx), void *ctx);

#endif
