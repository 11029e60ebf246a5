// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the prefix-table builder (ptable.c) on tiny tables, so
 * evictions, second buckets and full tables are the common case. Checked
 * against a plain list: every prefix is found where the XDP program would
 * look (first bucket, the second only if the first is marked) with the
 * rule given last; the count and the walk equal the distinct prefixes;
 * a fill that runs out of room says so (-ENOSPC) and nothing else fails.
 *
 * Input: [family bit 0: IPv6] [buckets-1, 0..3] then 6-byte entries:
 *   [len] [rule] [a0] [a1] [a2] [a3]: address bytes at 0, 1, last-2, last-1
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptable_find.h"

#define MAX_ENTRIES 64

static int same(const struct ptable_entry *a, const struct ptable_entry *b)
{
	return a->p.len == b->p.len && !memcmp(a->p.addr, b->p.addr, 16);
}

struct walk {
	const struct ptable_entry *e;
	size_t n, seen;
};

static int visit(const struct ptable_entry *got, void *ctx)
{
	struct walk *w = ctx;
	size_t i = 0;

	while (i < w->n && !same(&w->e[i], got))
		i++;
	assert(i < w->n && w->e[i].rule_id == got->rule_id);
	w->seen++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptable_entry in[MAX_ENTRIES], last[MAX_ENTRIES];
	struct ptable_plan pl = {.cls = EW_PT_CLASS_MIN, .seed = 1};
	size_t n = 0, distinct = 0;
	int family;
	void *tab;
	long rc;

	if (size < 2)
		return 0;
	family = data[0] & 1 ? 6 : 4;
	pl.nb = 1 + data[1] % 4;
	pl.seed = data[0];
	for (size_t off = 2; off + 6 <= size && n < MAX_ENTRIES; off += 6, n++) {
		struct ptable_entry *e = &in[n];
		unsigned int bytes = family == 6 ? 16 : 4;

		memset(e, 0, sizeof(*e));
		e->p.family = (uint8_t)family;
		e->p.len = (uint8_t)(data[off] % (bytes * 8 + 1));
		e->rule_id = data[off + 1];
		e->flags = data[off + 1] & 3;
		e->p.addr[0] = data[off + 2];
		e->p.addr[1] = data[off + 3];
		e->p.addr[bytes - 2] = data[off + 4];
		e->p.addr[bytes - 1] = data[off + 5];
	}
	for (size_t i = 0; i < n; i++) {	/* the last rule of each prefix */
		size_t j = 0;

		while (j < distinct && !same(&last[j], &in[i]))
			j++;
		last[j] = in[i];
		distinct += j == distinct;
	}
	tab = calloc((size_t)1 << pl.cls, ptable_bucket_size(family));
	assert(tab);
	rc = ptable_fill(family, tab, &pl, in, n);
	if (rc == -ENOSPC) {
		assert(distinct > 0);
	} else {
		struct walk w = {last, distinct, 0};

		assert(rc == (long)distinct && ptable_head(tab)->count == distinct);
		for (size_t j = 0; j < distinct; j++)
			assert(ptable_find(tab, &last[j]) == last[j].rule_id);
		assert(ptable_foreach(family, tab, (size_t)1 << pl.cls, visit, &w) == 0);
		assert(w.seen == distinct);
	}
	free(tab);
	return 0;
}
