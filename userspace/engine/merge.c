// SPDX-License-Identifier: GPL-2.0
/* merge: the one writer. Takes the records of every worker and inspector
 * and hands them to the assembler: for capture files in input order, each
 * released once every worker has passed its position; for live sources as
 * they come. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine_int.h"

#define MERGE_WAIT_NS 1000000 /* the merger looks at the queues every ms */

/* ---- the heap ------------------------------------------------------------------ */

static int heap_push(struct heap *h, struct objrec *r)
{
	size_t i = h->n;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 256;
		struct objrec **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->n++;
	while (i && objrec_cmp(r, h->v[(i - 1) / 2]) < 0) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = r;
	return 0;
}

static struct objrec *heap_pop(struct heap *h)
{
	struct objrec *top = h->v[0], *last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && objrec_cmp(h->v[c + 1], h->v[c]) < 0)
			c++;
		if (objrec_cmp(last, h->v[c]) <= 0)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

void merge_free(struct engine *e)
{
	while (e->heap.n)
		objrec_free(heap_pop(&e->heap));
	free(e->heap.v);
	e->heap.v = NULL;
	e->heap.cap = 0;
}

/* ---- queues --------------------------------------------------------------------- */

struct objrec *merge_take(struct engine *e)
{
	struct objrec *all = NULL, **tail = &all;

	for (size_t i = 0; i < e->nqueues; i++) {
		struct outq *q = e->queues[i];

		if (!q->head)
			continue;
		*tail = q->head;
		tail = q->tail;
		q->head = NULL;
		q->tail = &q->head;
	}
	return all;
}

static void nap(void)
{
	struct timespec ts = {0, MERGE_WAIT_NS};

	nanosleep(&ts, NULL);
}

/* ---- capture files: in input order ------------------------------------------------ */

static uint64_t min_done(struct engine *e)
{
	uint64_t m = ITEM_DONE;

	for (unsigned i = 0; i < e->n; i++) {
		uint64_t d = __atomic_load_n(&e->w[i].done, __ATOMIC_ACQUIRE);

		if (d < m)
			m = d;
	}
	return m;
}

/* Reports the sources that ended before item `before`, in order. */
static void sources_before(struct engine *e, uint64_t before, int *next)
{
	while (*next < e->nsrc && e->src_end[*next] && e->src_end[*next] < before &&
	       e->conf.source_done) {
		e->conf.source_done(e->conf.source_ctx, &e->src[*next]);
		(*next)++;
	}
}

/* Writes the records below `upto` in order, each source's report after
 * its last record. */
static void release(struct engine *e, uint64_t upto, int *next_src)
{
	while (e->heap.n && e->heap.v[0]->item < upto) {
		sources_before(e, e->heap.v[0]->item, next_src);
		assemble_put(e->as, heap_pop(&e->heap));
	}
	sources_before(e, upto, next_src);
}

void merge_ordered(struct engine *e)
{
	int next_src = 0;
	uint64_t upto = 0;

	while (upto != ITEM_DONE) {
		struct objrec *r, *next;

		/* progress first: every record below it is queued already */
		upto = min_done(e);
		pthread_mutex_lock(&e->lock);
		r = merge_take(e);
		pthread_mutex_unlock(&e->lock);
		if (!r && upto != ITEM_DONE) {
			nap();
			continue;
		}
		for (; r; r = next) {
			next = r->next;
			if (heap_push(&e->heap, r))
				assemble_put(e->as, r); /* unordered rather than lost */
		}
		release(e, upto, &next_src);
	}
	assemble_flush(e->as);
}

/* ---- live: as they come ------------------------------------------------------------ */

void merge_live(struct engine *e, const int *stop)
{
	for (;;) {
		int last = __atomic_load_n(stop, __ATOMIC_ACQUIRE);
		struct objrec *r, *next;

		pthread_mutex_lock(&e->lock);
		r = merge_take(e);
		pthread_mutex_unlock(&e->lock);
		if (r) {
			for (; r; r = next) {
				next = r->next;
				assemble_put(e->as, r);
			}
			/* live: readers (responders, tail -f) see an event at once */
			ej_flush(e->conf.out);
		}
		if (last)
			break;
		nap();
	}
}
