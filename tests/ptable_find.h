/* SPDX-License-Identifier: GPL-2.0 */
/* Test helper: the lookup the XDP program does in a prefix table
 * (bpf/ew_xdp.bpf.c, ew_pt4_find/ew_pt6_find), written again in plain C
 * over a table in memory, so the builder's tests check what XDP will find.
 * Header-only. */
#ifndef EW_TESTS_PTABLE_FIND_H
#define EW_TESTS_PTABLE_FIND_H

#include <stdint.h>
#include <string.h>

#include "kernel/ptable.h"

/* The rule of exactly e's prefix in tab (of e's family), or -1: its first
 * bucket, then its second only if the first is marked. */
static inline long ptable_find(const void *tab, const struct ptable_entry *e)
{
	const struct ew_pt_head *h = ptable_head(tab);
	const struct ew_pt4_bucket *b4 = tab;
	const struct ew_pt6_bucket *b6 = tab;
	int v6 = e->p.family == 6;
	uint64_t hash, a0, a1;
	uint32_t a, i;

	memcpy(&a, e->p.addr, 4);
	memcpy(&a0, e->p.addr, 8);
	memcpy(&a1, e->p.addr + 8, 8);
	hash = v6 ? ew_pt6_hash(a0, a1, e->p.len, h->seed) : ew_pt4_hash(a, e->p.len, h->seed);
	for (int way = 0; way < EW_PT_WAYS; way++) {
		i = 1 + ew_pt_way(hash, h->nb, way);
		for (int s = 0; !v6 && s < EW_PT4_SLOTS; s++)
			if (b4[i].addr[s] == a && EW_PT_PLEN1(b4[i].meta[s]) == e->p.len + 1u)
				return EW_PT_RULE(b4[i].meta[s]);
		for (int s = 0; v6 && s < EW_PT6_SLOTS; s++)
			if (!memcmp(b6[i].addr[s], e->p.addr, 16) &&
			    EW_PT_PLEN1(b6[i].meta[s]) == e->p.len + 1u)
				return EW_PT_RULE(b6[i].meta[s]);
		if (!(v6 ? b6[i].ovf : b4[i].ovf))
			return -1;
	}
	return -1;
}

#endif
