// SPDX-License-Identifier: GPL-2.0
/* seglist: sorted, non-overlapping held byte ranges with first-wins overlap
 * handling, for defrag and reasm. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seglist.h"

size_t seglist_cost(size_t len)
{
	return sizeof(struct seg) + len;
}

static struct seg *seg_new(uint64_t off, const uint8_t *p, size_t len)
{
	struct seg *s = malloc(sizeof(*s) + len);

	if (!s)
		return NULL;
	s->next = NULL;
	s->off = off;
	s->len = (uint32_t)len;
	memcpy(s->data, p, len);
	return s;
}

/* Links a new segment for [off, off+len) after prev (NULL: at the head). */
static int link_after(struct seglist *l, struct seg *prev, uint64_t off, const uint8_t *p,
		      size_t len)
{
	struct seg *s = seg_new(off, p, len);

	if (!s)
		return -ENOMEM;
	s->next = prev ? prev->next : l->head;
	if (prev)
		prev->next = s;
	else
		l->head = s;
	if (!s->next)
		l->tail = s;
	l->bytes += len;
	l->mem += seglist_cost(len);
	l->n++;
	return 0;
}

/* Compares the overlap of [off, end) with segment s; notes a conflict. */
static size_t overlap_with(const struct seg *s, uint64_t off, uint64_t end, const uint8_t *base,
			   uint64_t base_off, struct seglist_ins *res)
{
	uint64_t a = off > s->off ? off : s->off;
	uint64_t b = end < s->off + s->len ? end : s->off + s->len;

	if (a >= b)
		return 0;
	if (memcmp(s->data + (a - s->off), base + (a - base_off), b - a))
		res->conflict = 1;
	return b - a;
}

int seglist_insert(struct seglist *l, uint64_t off, const uint8_t *p, size_t len,
		   struct seglist_ins *res)
{
	uint64_t cur = off, end = off + len;
	struct seg *prev = NULL, *s;

	memset(res, 0, sizeof(*res));
	if (!len)
		return 0;
	if (l->tail && off >= l->tail->off + l->tail->len)
		prev = l->tail; /* the common case: past everything held */
	for (s = prev ? NULL : l->head; s && cur < end; prev = s, s = s->next) {
		if (s->off + s->len <= cur)
			continue;
		if (s->off > cur) { /* a hole before s: fill what fits */
			uint64_t stop = end < s->off ? end : s->off;

			if (link_after(l, prev, cur, p + (cur - off), stop - cur))
				return -ENOMEM;
			res->added += stop - cur;
			prev = prev ? prev->next : l->head;
			cur = stop;
		}
		res->overlap += overlap_with(s, cur, end, p, off, res);
		if (s->off + s->len > cur)
			cur = s->off + s->len;
	}
	if (cur < end) {
		if (link_after(l, prev, cur, p + (cur - off), end - cur))
			return -ENOMEM;
		res->added += end - cur;
	}
	return 0;
}

struct seg *seglist_pop(struct seglist *l)
{
	struct seg *s = l->head;

	if (!s)
		return NULL;
	l->head = s->next;
	if (!l->head)
		l->tail = NULL;
	l->bytes -= s->len;
	l->mem -= seglist_cost(s->len);
	l->n--;
	s->next = NULL;
	return s;
}

void seglist_clear(struct seglist *l)
{
	struct seg *s;

	while ((s = seglist_pop(l)))
		free(s);
}
