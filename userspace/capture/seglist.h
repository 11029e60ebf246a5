/* SPDX-License-Identifier: GPL-2.0 */
/* seglist: a sorted list of held byte ranges with a first-wins overlap
 * policy. Shared by defrag (IP fragments) and reasm (TCP out-of-order
 * segments): bytes already held are never replaced by later copies. */
#ifndef EW_SEGLIST_H
#define EW_SEGLIST_H

#include <stddef.h>
#include <stdint.h>

struct seg {
	struct seg *next;
	uint64_t off; /* position in the stream/datagram */
	uint32_t len;
	uint8_t data[];
};

struct seglist {
	struct seg *head;
	struct seg *tail; /* appends past the end are O(1) */
	size_t bytes;	  /* payload bytes held */
	size_t mem;	  /* bytes charged: payload plus per-segment overhead */
	unsigned n;
};

/* What an insert found (counted by the caller). */
struct seglist_ins {
	size_t added;	/* new bytes now held */
	size_t overlap; /* bytes already held (the old copy kept) */
	int conflict;	/* some overlapping byte differed */
};

/* Inserts bytes p[0..len) at off, keeping bytes already held. Fills *res.
 * Returns 0 or -ENOMEM (the list is then unchanged for the failed piece). */
int seglist_insert(struct seglist *l, uint64_t off, const uint8_t *p, size_t len,
		   struct seglist_ins *res);

/* Unlinks and returns the first segment (caller frees it), or NULL. */
struct seg *seglist_pop(struct seglist *l);

/* Frees every segment. */
void seglist_clear(struct seglist *l);

/* Memory charged for one segment of len bytes. */
size_t seglist_cost(size_t len);

#endif
